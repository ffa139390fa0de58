"""A .zip upload: Google Takeout's and LinkedIn's exports, and bad archives."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts.models import Contact
from contacts.models import ContactImport as Batch
from contacts.uploads import UploadError, unpacked

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
    data, name = unpacked(linkedin_export(), "export.zip", limit=LIMIT)
    assert name == "Connections.csv"
    assert data == (DATA / "linkedin_connections.csv").read_bytes()


def test_google_takeout_gives_all_contacts():
    data, name = unpacked(takeout(), "takeout-20261128.zip", limit=LIMIT)
    assert name == "All Contacts.vcf"
    assert data == (DATA / "google_3.vcf").read_bytes()


def test_an_archive_of_one_address_book_gives_it():
    archive = zipped({"__MACOSX/._cards.vcf": b"x", "cards.vcf": b"BEGIN:VCARD"})
    assert unpacked(archive, "cards.zip", limit=LIMIT) == (b"BEGIN:VCARD", "cards.vcf")


def test_a_file_that_is_not_an_archive_is_given_back_as_it_is():
    assert unpacked(b"Name,Email\n", "people.csv", limit=LIMIT) == (
        b"Name,Email\n",
        "people.csv",
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            zipped({"notes.txt": b"hello", "photo.jpg": b"\xff\xd8"}),
            "This .zip archive holds no vCard (.vcf) or CSV file.",
        ),
        (
            zipped({"a/Friends.vcf": b"x", "b/Work.vcf": b"y"}),
            "This .zip archive holds 2 address book files (Friends.vcf, Work.vcf). "
            "Unpack it and import the one you want.",
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
