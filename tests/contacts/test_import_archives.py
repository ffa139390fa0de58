"""A .zip upload: Google Takeout's and LinkedIn's exports, and bad archives."""

import io
import re
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts.models import Contact
from contacts.models import ContactImport as Batch
from contacts.uploads import (
    UploadError,
    decode_upload,
    file_line,
    read_as,
    skipped_files,
    unpacked,
)
from contacts.vcard import as_utf8_text, read_vcards
from tests.connections.test_archive import download, rows
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
LIMIT = 10 * 1024 * 1024


def zipped(files: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def linkedin_export() -> bytes:
    return zipped(
        {
            "Basic_LinkedInDataExport_11-28-2026/Profile.csv": b"First Name\nAlice\n",
            "Basic_LinkedInDataExport_11-28-2026/messages.csv": b"FROM,TO\na,b\n",
            "Basic_LinkedInDataExport_11-28-2026/Connections.csv": (
                DATA / "linkedin_connections.csv"
            ).read_bytes(),
        }
    )


def takeout() -> bytes:
    google = (DATA / "google_3.vcf").read_bytes()
    return zipped(
        {
            "Takeout/archive_browser.html": b"<html></html>",
            "Takeout/Contacts/Family/Family.vcf": google[:200],
            "Takeout/Contacts/All Contacts/All Contacts.vcf": google,
        }
    )


def test_linkedins_export_gives_its_connections():
    data, name, _parts = unpacked(linkedin_export(), "export.zip", limit=LIMIT)
    assert name == "Connections.csv"
    assert data == (DATA / "linkedin_connections.csv").read_bytes()


def test_google_takeout_gives_all_contacts():
    data, name, _parts = unpacked(takeout(), "takeout-20261128.zip", limit=LIMIT)
    assert name == "All Contacts.vcf"
    assert data == (DATA / "google_3.vcf").read_bytes()


def test_an_archive_of_one_address_book_gives_it():
    archive = zipped({"__MACOSX/._cards.vcf": b"x", "cards.vcf": b"BEGIN:VCARD"})
    assert unpacked(archive, "cards.zip", limit=LIMIT) == (
        b"BEGIN:VCARD",
        "cards.vcf",
        [],
    )


def card(name: str, *, end: str = "\r\n") -> bytes:
    return f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{name}\r\nEND:VCARD{end}".encode()


def test_an_archive_of_many_vcards_gives_them_together_in_name_order():
    archive = zipped(
        {
            "Contacts/Zoe.vcf": card("Zoe", end=""),  # no line break at its end
            "Contacts/Ann.vcf": b"\xef\xbb\xbf" + card("Ann"),
            "__MACOSX/Contacts/._Ann.vcf": b"\x00\x05\x16\x07",
            "Contacts/Bob.vcard": card("Bob", end="\n"),
            "Contacts/readme.txt": b"Exported by Outlook",
        }
    )
    data, name, _parts = unpacked(archive, "Outlook contacts.zip", limit=LIMIT)
    assert name == "Outlook contacts.zip"
    assert data == card("Ann") + card("Bob", end="\n") + card("Zoe")
    decoded = decode_upload(data, file_name=name)
    names = [c.formatted_name for c in read_vcards(decoded.text).cards]
    assert names == ["Ann", "Bob", "Zoe"]


CORPUS = [
    "apple_3.vcf",
    "windows1252.vcf",
    "outlook_21.vcf",
    "android_21.vcf",
    "shift_jis_phone.vcf",
    "gb18030_phone.vcf",
    "utf16_bom.vcf",
    "label_21.vcf",
]


def cards_of(data: bytes, name: str) -> list:
    decoded = decode_upload(data, file_name=name)
    cards = read_vcards(decoded.text, file_encoding=decoded.codec).cards
    for each in cards:
        each.line = 0
    return cards


def test_files_in_their_own_encodings_read_together_as_each_reads_alone():
    files = {name: (DATA / name).read_bytes() for name in CORPUS}
    data, name, _parts = unpacked(zipped(files), "phones.zip", limit=LIMIT)
    alone = [card for name in sorted(files) for card in cards_of(files[name], name)]
    assert cards_of(data, name) == alone
    shown = {card.name_to_show() for card in alone}
    assert {"Dr. Zoë Anne Lefèvre PhD", "François Côté", "Renée Dupré"} <= shown


def test_folded_8bit_and_quoted_printable_values_read_together_as_alone():
    windows = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\n"
        "N;CHARSET=Windows-1252;ENCODING=8BIT:Côté;François\r\n"
        "TITLE;CHARSET=Windows-1252:Chargé de\r\n\r\n  mission\r\n"
        # A soft break's next line is the value's, whatever it holds.
        "NOTE;CHARSET=Windows-1252;ENCODING=QUOTED-PRINTABLE:R=E9sum=E9 des =\r\n"
        "notes;charset=latin1: ok\r\n"
        "END:VCARD"
    ).encode("cp1252")
    files = {"a.vcf": windows, "b.vcf": card("Zoë")}
    data, name, _parts = unpacked(zipped(files), "c.zip", limit=LIMIT)
    cards = cards_of(data, name)
    assert cards == cards_of(windows, "a.vcf") + cards_of(files["b.vcf"], "b.vcf")
    assert (cards[0].family_name, cards[0].title) == ("Côté", "Chargé de mission")
    assert cards[0].note == "Résumé des notes;charset=latin1: ok"


def test_values_decoded_before_joining_keep_every_line_where_it_was():
    """A folded value decoded for joining still takes its lines, so each
    card that follows starts on the line it starts on in its own file."""
    windows = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\n"
        "TITLE;CHARSET=Windows-1252:Chargé de\r\n\r\n  mission\r\n"
        "N:Côté;François\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Dupré;Renée\r\nEND:VCARD\r\n"
    )
    text = as_utf8_text(windows, "cp1252")
    assert text.count("\n") == windows.count("\n")
    assert [card.line for card in read_vcards(text).cards] == [1, 8]
    assert text.splitlines()[7] == "BEGIN:VCARD"


def test_quoted_printable_values_of_a_japanese_phone_read_together_as_alone():
    """A Japanese phone saves a vCard a contact in Shift_JIS; its notes are
    quoted-printable bytes naming no charset, read in the file's encoding."""

    def phone_card(family, given, note, company):
        qp = "".join(f"={byte:02X}" for byte in note.encode("cp932"))
        # A soft break in the middle, as phones wrap long values.
        qp = f"{qp[:12]}=\r\n{qp[12:]}"
        return (
            f"BEGIN:VCARD\r\nVERSION:2.1\r\nN:{family};{given};;;\r\n"
            f"FN:{family}{given}\r\nNOTE;ENCODING=QUOTED-PRINTABLE:{qp}\r\n"
            f"ORG:{company}\r\nEND:VCARD\r\n"
        ).encode("cp932")

    files = {
        "001.vcf": phone_card("山田", "太郎", "大学の友人です", "株式会社山田商事"),
        "002.vcf": phone_card("佐藤", "花子", "東京の会社の同僚", "佐藤建設株式会社"),
    }
    data, name, _parts = unpacked(zipped(files), "phone.zip", limit=LIMIT)
    cards = cards_of(data, name)
    assert cards == cards_of(files["001.vcf"], "001.vcf") + cards_of(
        files["002.vcf"], "002.vcf"
    )
    assert [card.note for card in cards] == ["大学の友人です", "東京の会社の同僚"]
    # Each card still starts where it did: the second file's on its line 1,
    # line 9 of the files together.
    assert [card.line for card in read_vcards(data.decode()).cards] == [1, 9]


def test_a_utf8_and_a_windows_1252_file_in_one_archive_keep_their_accents(alice, flow):
    archive = zipped(
        {
            "1.vcf": "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lefèvre;Zoë;;;\r\n"
            "NOTE:Crème brûlée\r\nEND:VCARD\r\n".encode(),
            "2.vcf": "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=Windows-1252:Côté;"
            "François\r\nNOTE:Café\r\nEND:VCARD\r\n".encode("cp1252"),
        }
    )
    batch = flow.confirm(flow.upload(alice, "contacts.zip", archive))
    assert batch.file_name == "contacts.zip"
    assert batch.new_count == 2
    assert set(Contact.objects.values_list("given_name", "family_name", "notes")) == {
        ("Zoë", "Lefèvre", "Crème brûlée"),
        ("François", "Côté", "Café"),
    }


MB = 1024 * 1024
TOO_LARGE = (
    "The 4 vCard files inside the archive come to 1.2 MB together; up to 1.0 MB "
    "can be imported at once. Import them in smaller archives."
)


def test_archived_vcards_too_large_together_are_refused():
    # Each file alone is within the limit, not all four.
    archive = zipped({f"{n}.vcf": card("x" * 320_000) for n in range(4)})
    with pytest.raises(UploadError, match=re.escape(TOO_LARGE)):
        unpacked(archive, "c.zip", limit=MB)


def test_archived_vcards_whose_sizes_are_understated_are_not_believed():
    archive = bytearray(
        zipped({"a.vcf": card("a" * 600), "b.vcf": card("b" * 600)}, zipfile.ZIP_STORED)
    )
    # Declare each file 10 bytes long: no more than the limit is read of them.
    for header, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = archive.find(header)
        while start >= 0:
            archive[start + offset : start + offset + 4] = (10).to_bytes(4, "little")
            start = archive.find(header, start + 1)
    with pytest.raises(UploadError, match="This .zip archive is damaged"):
        unpacked(bytes(archive), "c.zip", limit=1000)


def test_an_archived_file_that_cannot_be_decoded_is_named():
    # It says it is UTF-16, but an odd number of bytes cannot be.
    archive = zipped({"a.vcf": card("Ann"), "b.vcf": b"\xff\xfe" + card("Bob")})
    with pytest.raises(
        UploadError, match="“b.vcf”, inside the archive: The file says it is UTF-16"
    ):
        unpacked(archive, "c.zip", limit=LIMIT)


def test_a_file_that_is_not_an_archive_is_given_back_as_it_is():
    assert unpacked(b"Name,Email\n", "people.csv", limit=LIMIT) == (
        b"Name,Email\n",
        "people.csv",
        [],
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            zipped({"notes.txt": b"hello", "photo.jpg": b"\xff\xd8"}),
            "This .zip archive holds no vCard (.vcf) or CSV file.",
        ),
        (
            zipped({"a/Friends.vcf": b"x", "b/Work.csv": b"y"}),
            "This .zip archive holds 2 address book files (Friends.vcf, Work.csv). "
            "Unpack it and import the one you want.",
        ),
        (
            zipped({"Friends.csv": b"x", "Work.csv": b"y", "Zoe.vcf": b"z"}),
            "This .zip archive holds 3 address book files (Friends.csv, Work.csv, "
            "Zoe.vcf). Unpack it and import the one you want.",
        ),
        (b"PK\x03\x04 not really a zip", "This .zip archive is damaged."),
    ],
)
def test_archives_without_one_address_book_are_refused(data, message):
    with pytest.raises(
        UploadError, match=message.replace("(", r"\(").replace(")", r"\)")
    ):
        unpacked(data, "archive.zip", limit=LIMIT)


def test_an_address_book_too_large_once_unpacked_is_refused():
    # 11 MB of one letter compresses to a few kilobytes.
    bomb = zipped({"contacts.csv": b"Name\n" + b"a" * (11 * 1024 * 1024)})
    assert len(bomb) < 100_000
    with pytest.raises(UploadError, match="“contacts.csv”, inside the archive, is"):
        unpacked(bomb, "contacts.zip", limit=LIMIT)


def test_a_size_the_archive_understates_is_not_believed():
    archive = bytearray(zipped({"c.csv": b"Name\n" + b"a" * 5000}, zipfile.ZIP_STORED))
    # Rewrite the declared sizes (local header and central directory) as 100:
    # no more than that is read, and the checksum then shows the lie.
    for header, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = archive.find(header)
        archive[start + offset : start + offset + 4] = (100).to_bytes(4, "little")
    with pytest.raises(UploadError, match="This .zip archive is damaged"):
        unpacked(bytes(archive), "c.zip", limit=1000)


def test_an_archive_whose_compressed_data_is_damaged_is_refused():
    archive = bytearray(zipped({"c.vcf": b"BEGIN:VCARD\r\n" * 500}))
    name_length = int.from_bytes(archive[26:28], "little")
    extra_length = int.from_bytes(archive[28:30], "little")
    # A deflate block of the reserved type: zlib refuses it.
    archive[30 + name_length + extra_length] = 0xFF
    with pytest.raises(UploadError, match="This .zip archive is damaged"):
        unpacked(bytes(archive), "c.zip", limit=LIMIT)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        # 7-Zip's PPMd method, in the local header and the central directory.
        ((8, 10), (98).to_bytes(2, "little")),
        # A zip version newer than Python reads (6.3 is the newest it knows).
        ((4, 6), (119).to_bytes(2, "little")),
    ],
)
def test_an_archive_compressed_in_an_unknown_way_is_refused(field, value):
    archive = bytearray(zipped({"c.vcf": b"BEGIN:VCARD\r\n" * 50}))
    local, central = field
    start = archive.find(b"PK\x01\x02")
    archive[start + central : start + central + 2] = value
    archive[local : local + 2] = value
    with pytest.raises(UploadError, match="compressed in a way Rapport cannot"):
        unpacked(bytes(archive), "c.zip", limit=LIMIT)


def test_a_password_protected_archive_is_refused():
    archive = bytearray(zipped({"c.vcf": b"BEGIN:VCARD"}))
    # Set the "encrypted" flag in the local header and the central directory.
    for header, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = archive.find(header)
        archive[start + offset] |= 0x1
    with pytest.raises(UploadError, match="protected by a password"):
        unpacked(bytes(archive), "c.zip", limit=LIMIT)


def test_linkedins_whole_export_is_imported_from_the_page(alice, alice_client, run):
    response = run(
        alice_client.post,
        reverse("contacts:import"),
        {"file": SimpleUploadedFile("Basic_LinkedInDataExport.zip", linkedin_export())},
    )
    batch = Batch.objects.get(owner=alice)
    assert response.status_code == 302
    assert (batch.file_name, batch.file_format) == ("Connections.csv", "linkedin")
    assert batch.new_count == 3


def test_a_bad_archive_is_refused_on_the_form_and_nothing_is_kept(
    alice, alice_client, run
):
    response = run(
        alice_client.post,
        reverse("contacts:import"),
        {"file": SimpleUploadedFile("stuff.zip", zipped({"a.txt": b"hi"}))},
    )
    assert response.status_code == 400
    assert "This .zip archive holds no vCard (.vcf) or CSV file." in (
        response.content.decode()
    )
    assert not Batch.objects.exists()
    assert not Contact.objects.exists()


def test_many_vcards_in_an_archive_are_imported_from_the_page(alice, alice_client, run):
    archive = zipped({f"Contact {n}.vcf": card(f"Person {n}") for n in range(12)})
    response = run(
        alice_client.post,
        reverse("contacts:import"),
        {"file": SimpleUploadedFile("Outlook export.zip", archive)},
    )
    assert response.status_code == 302
    batch = Batch.objects.get(owner=alice)
    assert (batch.file_name, batch.new_count) == ("Outlook export.zip", 12)


def test_archived_vcards_too_large_together_are_refused_on_the_form(
    alice, alice_client, run, settings
):
    settings.RAPPORT_IMPORT_MAX_BYTES = MB
    archive = zipped({f"{n}.vcf": card("x" * 320_000) for n in range(4)})
    response = run(
        alice_client.post,
        reverse("contacts:import"),
        {"file": SimpleUploadedFile("cards.zip", archive)},
    )
    assert response.status_code == 400
    assert TOO_LARGE in response.content.decode()
    assert not Batch.objects.exists()
    assert not Contact.objects.exists()


def test_the_contacts_limit_counts_every_card_of_the_archive(
    alice, alice_client, run, settings
):
    settings.RAPPORT_IMPORT_MAX_CONTACTS = 2
    archive = zipped({f"{n}.vcf": card(f"Person {n}") for n in range(3)})
    run(
        alice_client.post,
        reverse("contacts:import"),
        {"file": SimpleUploadedFile("cards.zip", archive)},
    )
    batch = Batch.objects.get(owner=alice)
    assert batch.status == Batch.Status.FAILED
    assert "more than 2 contacts" in batch.error
    assert not Contact.objects.exists()


# ---------- Where a card of an archive of several files is ----------

ANN = "\ufeffBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann\r\nEND:VCARD\r\n"
BOB_AND_CYD = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bob\r\nEMAIL:bob@x.example\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cyd\r\nEMAIL:not-an-email\r\nEND:VCARD"
)
# Line ends of a phone (LF only); its 2nd card, on line 6, has no name.
LEA = (
    "BEGIN:VCARD\nVERSION:3.0\nFN:Léa Côté\nEND:VCARD\n\n"
    "BEGIN:VCARD\nVERSION:3.0\nNOTE:Nothing to go by\nEND:VCARD\n"
    "BEGIN:VCARD\nVERSION:3.0\nFN:Dee\nEND:VCARD\n"
)
NO_NAME = "no name, organization, email or phone number"


def three_files() -> dict[str, bytes]:
    # The first with a byte-order mark, the second with no line break at its end.
    return {
        "Contacts/1 Ann.vcf": ANN.encode(),
        "Contacts/2 Bob.vcf": BOB_AND_CYD.encode(),
        "Contacts/3 Léa Côté.vcf": LEA.encode(),
    }


def test_joined_vcards_say_where_each_file_starts():
    data, _name, parts = unpacked(zipped(three_files()), "c.zip", limit=LIMIT)
    assert parts == [
        [1, "1 Ann.vcf", "UTF-8 with byte-order mark"],
        [5, "2 Bob.vcf", "UTF-8"],
        [15, "3 Léa Côté.vcf", "UTF-8"],
    ]
    lines = data.decode().splitlines()
    assert [lines[part[0] - 1] for part in parts] == ["BEGIN:VCARD"] * 3


def test_one_file_has_no_parts():
    archive = zipped({"cards.vcf": card("Ann")})
    assert unpacked(archive, "c.zip", limit=LIMIT)[2] == []
    assert unpacked(card("Ann"), "cards.vcf", limit=LIMIT)[2] == []


def test_a_card_of_an_archive_is_named_by_its_file_and_its_line_there(alice, flow):
    ContactFactory(owner=alice, given_name="Robert", emails=["bob@x.example"])
    batch = flow.upload(alice, "contacts.zip", zipped(three_files()))
    assert batch.status == Batch.Status.READY, batch.error
    # The broken card is the 2nd of the 3rd file: line 6 there, as alone.
    assert [each.line for each in read_vcards(LEA).cards] == [1, 6, 10]
    assert batch.problems == [{"file": "3 Léa Côté.vcf", "line": 6, "reason": NO_NAME}]
    assert "2 Bob.vcf, line 6: “not-an-email” is not an email address; left out" in (
        batch.notices
    )
    assert [(c["file"], c["line"], c["name"]) for c in batch.sample] == [
        ("1 Ann.vcf", 1, "Ann"),
        ("2 Bob.vcf", 1, "Bob"),
        ("2 Bob.vcf", 6, "Cyd"),
        ("3 Léa Côté.vcf", 1, "Léa Côté"),
        ("3 Léa Côté.vcf", 10, "Dee"),
    ]
    [duplicate] = batch.duplicates
    assert (duplicate["file"], duplicate["line"], duplicate["name"]) == (
        "2 Bob.vcf",
        1,
        "Bob",
    )


def test_a_file_ending_in_a_carriage_return_keeps_the_next_ones_lines(alice, flow):
    # A file whose last line ends in a CR alone, then one starting with a
    # blank line: joined as they are, CR and LF would make one line break.
    files = {
        "a.vcf": card("Ann", end="\r"),
        "b.vcf": b"\nBEGIN:VCARD\nVERSION:3.0\nNOTE:x\nEND:VCARD\n",
    }
    batch = flow.upload(alice, "contacts.zip", zipped(files))
    assert batch.problems == [{"file": "b.vcf", "line": 2, "reason": NO_NAME}]


def test_a_folded_value_in_a_charset_of_its_own_keeps_the_lines_after_it(alice, flow):
    windows = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\n"
        "N;CHARSET=Windows-1252:Côté;François\r\n"
        "TITLE;CHARSET=Windows-1252:Chargé de\r\n  mission\r\n"
        "END:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:2.1\r\nNOTE;CHARSET=Windows-1252:Rien à dire\r\n"
        "END:VCARD\r\n"
    ).encode("cp1252")
    batch = flow.upload(
        alice, "contacts.zip", zipped({"a.vcf": windows, "b.vcf": card("Bob")})
    )
    assert batch.problems == [{"file": "a.vcf", "line": 7, "reason": NO_NAME}]
    assert batch.sample[0]["name"] == "François Côté"


def test_no_card_of_an_archive_readable_names_the_file_of_the_first_problem(
    alice, flow
):
    broken = b"BEGIN:VCARD\r\nVERSION:3.0\r\nNOTE:x\r\nEND:VCARD\r\n"
    batch = flow.upload(
        alice, "contacts.zip", zipped({"a.vcf": broken, "b.vcf": broken})
    )
    assert batch.status == Batch.Status.FAILED
    assert batch.error == (
        "No contact in this file can be imported. The first problem is on line 1 "
        f"of a.vcf: {NO_NAME}."
    )


def test_the_pages_of_an_archives_import_name_each_cards_file(alice, alice_client, run):
    ContactFactory(owner=alice, given_name="Robert", emails=["bob@x.example"])
    run(
        alice_client.post,
        reverse("contacts:import"),
        {"file": SimpleUploadedFile("contacts.zip", zipped(three_files()))},
    )
    batch = Batch.objects.get(owner=alice)
    url = reverse("contacts:import_detail", args=[batch.pk])
    preview = alice_client.get(url).content.decode()
    assert f"3 Léa Côté.vcf, line 6: {NO_NAME}" in preview
    assert "2 Bob.vcf, line 6: “not-an-email” is not an email address" in preview
    assert "2 Bob.vcf, line 1: “Bob”" in preview  # looks like Robert
    assert '<span class="small muted">1 Ann.vcf, line 1</span>' in preview
    assert "line 20" not in preview

    run(
        alice_client.post,
        reverse("contacts:import_confirm", args=[batch.pk]),
        {"on_duplicate": "skip"},
    )
    batch.refresh_from_db()
    assert (batch.status, batch.created_count, batch.parts) == ("done", 4, [])
    outcome = alice_client.get(url).content.decode()
    assert f"3 Léa Côté.vcf, line 6: {NO_NAME}" in outcome
    assert "2 Bob.vcf, line 6: “not-an-email” is not an email address" in outcome

    [row] = rows(download(alice_client), "imports.csv")
    assert (row["File"], row["Format"], row["Contacts added"]) == (
        "contacts.zip",
        "vCard",
        "4",
    )

    run(alice_client.post, reverse("contacts:import_undo", args=[batch.pk]))
    assert list(Contact.objects.filter(owner=alice).values_list("given_name")) == [
        ("Robert",)
    ]
    batch.refresh_from_db()
    assert batch.status == "undone"


# ---------- Files macOS adds to the archives it makes ----------

# A resource fork as macOS's Archive Utility and `ditto` write it, beside the
# file it belongs to: binary, named after it.
APPLE_DOUBLE = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        \x00\x02" + bytes(60)


def made_on_a_mac() -> dict[str, bytes]:
    return {
        "Contacts/Ann.vcf": card("Ann"),
        "Contacts/._Ann.vcf": APPLE_DOUBLE,
        "Contacts/Léa Côté.vcf": card("Léa Côté"),
        "Contacts/._Léa Côté.vcf": APPLE_DOUBLE,
        "Contacts/.hidden.vcf": b"",
        "__MACOSX/Contacts/._Ann.vcf": APPLE_DOUBLE,
    }


def test_hidden_files_and_resource_forks_beside_the_vcards_are_passed_over():
    data, _name, parts = unpacked(zipped(made_on_a_mac()), "c.zip", limit=LIMIT)
    assert data == card("Ann") + card("Léa Côté")
    assert [part[1] for part in parts] == ["Ann.vcf", "Léa Côté.vcf"]


def test_a_resource_fork_beside_the_one_vcard_gives_that_vcard():
    archive = zipped({"._cards.vcf": APPLE_DOUBLE, "cards.vcf": card("Ann")})
    assert unpacked(archive, "cards.zip", limit=LIMIT) == (
        card("Ann"),
        "cards.vcf",
        [],
    )


def test_an_archive_made_on_a_mac_is_imported_from_the_page_naming_no_fork(
    alice, alice_client, run
):
    run(
        alice_client.post,
        reverse("contacts:import"),
        {"file": SimpleUploadedFile("Contacts.zip", zipped(made_on_a_mac()))},
    )
    batch = Batch.objects.get(owner=alice)
    assert (batch.status, batch.new_count, batch.problem_count) == ("ready", 2, 0)
    preview = alice_client.get(
        reverse("contacts:import_detail", args=[batch.pk])
    ).content.decode()
    assert "Léa Côté.vcf, line 1" in preview
    assert "._" not in preview
    assert ".hidden" not in preview


# ---------- Files of an archive that hold no card ----------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4


def with_files_holding_no_card() -> dict[str, bytes]:
    return {
        "Contacts/Ann.vcf": card("Ann"),
        "Contacts/Blank.vcf": b"\r\n  \r\n\t\n",
        "Contacts/Notes.vcf": b"",
        "Contacts/photo.vcf": PNG,
        "Contacts/Readme.vcf": b"Exported by Outlook on 28 November 2026\r\n",
        "Contacts/Zoe.vcf": card("Zoe"),
    }


SKIPPED = [
    ("Blank.vcf", "the file is empty"),
    ("Notes.vcf", "the file is empty"),
    (
        "Readme.vcf",
        "this file has no vCard in it: a vCard file starts with BEGIN:VCARD",
    ),
    ("photo.vcf", "this is not a text file (it holds binary data)"),
]


def test_files_of_an_archive_that_hold_no_card_are_passed_over_and_named():
    archive = zipped(with_files_holding_no_card())
    data, _name, parts = unpacked(archive, "c.zip", limit=LIMIT)
    assert data == card("Ann") + card("Zoe")
    assert skipped_files(parts) == SKIPPED
    # Zoe's card is still found in her file, whatever came between.
    assert file_line(parts, 1) == ("Ann.vcf", 1)
    assert file_line(parts, 6) == ("Zoe.vcf", 2)


def test_a_file_holding_no_card_after_the_last_names_no_line():
    archive = zipped({"a.vcf": card("Ann"), "z.vcf": b""})
    _data, _name, parts = unpacked(archive, "c.zip", limit=LIMIT)
    assert skipped_files(parts) == [("z.vcf", "the file is empty")]
    assert file_line(parts, 5) == ("a.vcf", 5)


def test_an_archive_whose_files_hold_no_card_at_all_is_refused():
    archive = zipped({"a.vcf": b"", "b.vcf": PNG})
    with pytest.raises(UploadError) as refused:
        unpacked(archive, "c.zip", limit=LIMIT)
    assert str(refused.value) == (
        "None of the 2 vCard files inside this .zip archive holds a card "
        "(“a.vcf”: the file is empty). Export your contacts again and import "
        "them."
    )


def test_files_holding_no_card_still_count_against_the_size_limit():
    files = {f"{n}.vcf": card("x" * 320_000) for n in range(3)}
    files["3.vcf"] = b" " * 320_000
    with pytest.raises(UploadError, match=re.escape(TOO_LARGE)):
        unpacked(zipped(files), "c.zip", limit=MB)


def test_files_holding_no_card_are_listed_with_the_cards_that_cannot_be_read(
    alice, flow
):
    files = {**with_files_holding_no_card(), "Contacts/Bob.vcf": LEA.encode()}
    batch = flow.upload(alice, "contacts.zip", zipped(files))
    assert batch.status == Batch.Status.READY, batch.error
    assert batch.problems == [
        *({"file": name, "reason": reason} for name, reason in SKIPPED),
        {"file": "Bob.vcf", "line": 6, "reason": NO_NAME},
    ]
    assert (batch.new_count, batch.problem_count) == (4, 5)


def test_no_card_readable_beside_files_holding_none_names_the_card(alice, flow):
    broken = b"BEGIN:VCARD\r\nVERSION:3.0\r\nNOTE:x\r\nEND:VCARD\r\n"
    batch = flow.upload(alice, "contacts.zip", zipped({"a.vcf": b"", "b.vcf": broken}))
    assert batch.status == Batch.Status.FAILED
    assert batch.error == (
        "No contact in this file can be imported. The first problem is on line 1 "
        f"of b.vcf: {NO_NAME}."
    )


def test_the_pages_of_an_import_name_the_files_that_hold_no_card(
    alice, alice_client, run
):
    run(
        alice_client.post,
        reverse("contacts:import"),
        {
            "file": SimpleUploadedFile(
                "contacts.zip", zipped(with_files_holding_no_card())
            )
        },
    )
    batch = Batch.objects.get(owner=alice)
    url = reverse("contacts:import_detail", args=[batch.pk])
    preview = alice_client.get(url).content.decode()
    assert "4 cards or files cannot be read" in preview
    assert "<li>Notes.vcf: the file is empty</li>" in preview
    assert "<li>photo.vcf: this is not a text file (it holds binary data)</li>" in (
        preview
    )
    run(
        alice_client.post,
        reverse("contacts:import_confirm", args=[batch.pk]),
        {"on_duplicate": "skip"},
    )
    assert Contact.objects.filter(owner=alice).count() == 2
    outcome = alice_client.get(url).content.decode()
    assert "<li>Notes.vcf: the file is empty</li>" in outcome


def test_an_archive_whose_files_hold_no_card_is_refused_on_the_form(
    alice, alice_client, run
):
    response = run(
        alice_client.post,
        reverse("contacts:import"),
        {"file": SimpleUploadedFile("c.zip", zipped({"a.vcf": b"", "b.vcf": b""}))},
    )
    assert response.status_code == 400
    assert "None of the 2 vCard files inside this .zip archive holds a card" in (
        response.content.decode()
    )
    assert not Batch.objects.exists()


# ---------- Which encoding each file of an archive was read in ----------


def western(name: str) -> bytes:
    return card(name).decode().encode("cp1252")


WINDOWS = "Windows-1252 (the file is not UTF-8)"
WINDOWS_FILES = "Windows-1252 (the files are not UTF-8)"


def test_an_archive_of_utf8_files_is_read_as_utf8():
    archive = zipped({"Ann.vcf": card("Ann"), "Bob.vcf": b"\xef\xbb\xbf" + card("Bøb")})
    _data, _name, parts = unpacked(archive, "c.zip", limit=LIMIT)
    assert read_as("UTF-8", parts) == "UTF-8"


def test_files_read_in_another_encoding_are_named_a_few_a_group():
    archive = zipped(
        {
            "Ann.vcf": card("Ann"),
            "Bob.vcf": card("Bøb"),
            "Cyd.vcf": card("Cyd"),
            "Dee.vcf": card("Dee"),
            "Léa Côté.vcf": western("Léa Côté"),
            "Renée.vcf": western("Renée"),
            "Zoë.vcf": western("Zoë"),
            "田中.vcf": card("田中 太郎").decode().encode("cp932"),
            "empty.vcf": b"",
        }
    )
    _data, _name, parts = unpacked(archive, "c.zip", limit=LIMIT)
    assert read_as("UTF-8", parts) == (
        f"UTF-8; Léa Côté.vcf and 2 more as {WINDOWS_FILES}; 田中.vcf as "
        "Japanese (Shift_JIS; the file does not say so)"
    )


@pytest.mark.parametrize(
    ("encodings", "shown"),
    [
        (["UTF-8", "UTF-8 with byte-order mark"], "UTF-8"),
        ([WINDOWS, WINDOWS], WINDOWS_FILES),
        (["UTF-8", WINDOWS], f"UTF-8; 2.vcf as {WINDOWS}"),
        ([WINDOWS, "UTF-8"], f"UTF-8; 1.vcf as {WINDOWS}"),
        (
            [WINDOWS, "UTF-8", WINDOWS, WINDOWS],
            f"{WINDOWS_FILES}; 2.vcf as UTF-8",
        ),
        (
            ["UTF-8", WINDOWS, WINDOWS, "UTF-8", "UTF-8"],
            f"UTF-8; 2.vcf and 3.vcf as {WINDOWS_FILES}",
        ),
        (
            [
                "UTF-8",
                "UTF-8",
                WINDOWS,
                "GB18030, as the file’s cards say",
                "GB18030, as the file’s cards say",
                "UTF-16 with byte-order mark",
                "Mac OS Roman (the file is not UTF-8)",
                "Korean (EUC-KR; the file does not say so)",
            ],
            "UTF-8; 4.vcf and 5.vcf as GB18030, as the files’ cards say; 3.vcf as "
            f"{WINDOWS}; 6.vcf as UTF-16 with byte-order mark; 2 more files in "
            "other encodings",
        ),
    ],
)
def test_what_an_archive_is_said_to_be_read_as(encodings, shown):
    parts = [[n * 5 + 1, f"{n + 1}.vcf", label] for n, label in enumerate(encodings)]
    assert read_as("UTF-8", parts) == shown


def test_a_long_file_name_is_shortened_in_what_the_archive_is_read_as():
    name = "A" * 80 + ".vcf"
    parts = [[1, "a.vcf", "UTF-8"], [5, name, WINDOWS]]
    assert read_as("UTF-8", parts) == f"UTF-8; {'A' * 39}… as {WINDOWS}"


def test_files_left_out_and_old_imports_say_what_the_import_said():
    # An import kept before files said their encoding: what it said then.
    assert read_as("UTF-8", [[1, "a.vcf"], [5, "b.vcf"]]) == "UTF-8"
    assert read_as(WINDOWS, []) == WINDOWS
    left_out = [[1, "a.vcf", WINDOWS], [5, "b.vcf", "", "the file is empty"]]
    assert read_as("UTF-8", left_out) == WINDOWS


def test_the_preview_says_what_each_file_was_read_in(alice, alice_client, run):
    files = {
        "Ann.vcf": card("Ann"),
        "Bob.vcf": card("Bob"),
        "Léa Côté.vcf": western("Léa Côté"),
        "Renée.vcf": western("Renée"),
        "Zoë.vcf": western("Zoë"),
        "Zed.vcf": card("Zed"),
        "Zia.vcf": card("Zia"),
    }
    run(
        alice_client.post,
        reverse("contacts:import"),
        {"file": SimpleUploadedFile("contacts.zip", zipped(files))},
    )
    batch = Batch.objects.get(owner=alice)
    assert batch.status == "ready"
    preview = alice_client.get(
        reverse("contacts:import_detail", args=[batch.pk])
    ).content.decode()
    assert (
        "read as UTF-8; Léa Côté.vcf and 2 more as Windows-1252 (the files are not "
        "UTF-8)</p>"
    ) in preview
    assert "Léa Côté" in {card["name"] for card in batch.sample}


def test_the_preview_of_an_archive_of_utf8_files_says_utf8(alice, alice_client, run):
    run(
        alice_client.post,
        reverse("contacts:import"),
        {"file": SimpleUploadedFile("c.zip", zipped(three_files()))},
    )
    batch = Batch.objects.get(owner=alice)
    preview = alice_client.get(
        reverse("contacts:import_detail", args=[batch.pk])
    ).content.decode()
    assert "· read as UTF-8</p>" in preview
