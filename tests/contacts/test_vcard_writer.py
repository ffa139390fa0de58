"""The vCard writer: versions, escaping, folding, labels, and cards from contacts."""

import base64
import datetime
import io
from pathlib import Path

import pytest
from PIL import Image

from contacts.selectors.contacts import contact_with_details
from contacts.services.contacts import (
    AddressEntry,
    ContactData,
    EmailEntry,
    PhoneEntry,
    contact_create,
)
from contacts.uploads import decode_upload
from contacts.vcard import (
    Address,
    Birthday,
    Photo,
    TypedValue,
    VCard,
    contact_uid,
    escape_text,
    fold_line,
    read_vcards,
    vcard_from_contact,
    write_vcard,
    write_vcards,
)
from tests.factories import ContactFactory, LabelFactory

DATA = Path(__file__).parent / "data"


def lines_of(text: str) -> list[str]:
    """The logical lines of a written card (unfolded)."""
    return text.replace("\r\n ", "").split("\r\n")


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "teal").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_a_card_starts_with_begin_and_version_and_ends_with_crlf(version):
    text = write_vcard(VCard(formatted_name="Zoë Martin"), version=version)
    lines = text.split("\r\n")
    assert lines[:2] == ["BEGIN:VCARD", f"VERSION:{version}"]
    assert lines[-2:] == ["END:VCARD", ""]
    assert "\n" not in text.replace("\r\n", "")


def test_an_unknown_version_is_refused():
    with pytest.raises(ValueError, match="version"):
        write_vcard(VCard(formatted_name="A"), version="2.1")


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_fn_and_n_are_always_written(version):
    lines = lines_of(
        write_vcard(VCard(emails=[TypedValue("a@b.example")]), version=version)
    )
    assert "FN:a@b.example" in lines
    assert "N:;;;;" in lines


def test_name_parts_go_in_n_in_the_standard_order():
    card = VCard(
        prefix="Dr.",
        given_name="Zoë",
        middle_name="Anne",
        family_name="Martin",
        suffix="Jr.",
    )
    lines = lines_of(write_vcard(card))
    assert "N:Martin;Zoë;Anne;Dr.;Jr." in lines
    assert "FN:Dr. Zoë Anne Martin Jr." in lines


def test_text_values_escape_backslash_comma_semicolon_and_newlines():
    assert escape_text("a\\b, c; d\r\ne\nf") == "a\\\\b\\, c\\; d\\ne\\nf"
    card = VCard(formatted_name="Martin, Zoë", note="one; two\nthree")
    lines = lines_of(write_vcard(card))
    assert "FN:Martin\\, Zoë" in lines
    assert "NOTE:one\\; two\\nthree" in lines


def test_long_lines_fold_at_75_octets_without_splitting_a_character():
    note = "é" * 200 + "漢字" * 50
    text = write_vcard(VCard(formatted_name="A", note=note))
    for physical in text.split("\r\n"):
        assert len(physical.encode()) <= 75
        physical.encode().decode()  # every piece is whole UTF-8
    assert f"NOTE:{note}" in lines_of(text)


def test_fold_line_leaves_short_lines_alone():
    assert fold_line("FN:Zoë") == "FN:Zoë"
    folded = fold_line("NOTE:" + "x" * 200)
    assert folded.split("\r\n ")[0] == "NOTE:" + "x" * 70
    assert "".join(folded.split("\r\n ")) == "NOTE:" + "x" * 200


@pytest.mark.parametrize(
    ("version", "email", "tel", "adr"),
    [
        (
            "3.0",
            "EMAIL;TYPE=INTERNET,WORK:zoe@work.example",
            "TEL;TYPE=CELL:+44 20 7946 0000",
            "ADR;TYPE=HOME:;;1 Rue de la Paix\\, 2e\\nBat B;Paris;;75002;France",
        ),
        (
            "4.0",
            "EMAIL;TYPE=work:zoe@work.example",
            "TEL;TYPE=cell:+44 20 7946 0000",
            "ADR;TYPE=home:;;1 Rue de la Paix\\, 2e\\nBat B;Paris;;75002;France",
        ),
    ],
)
def test_details_carry_their_kind_as_type(version, email, tel, adr):
    card = VCard(
        formatted_name="Zoë",
        emails=[TypedValue("zoe@work.example", "work")],
        phones=[TypedValue("+44 20 7946 0000", "mobile")],
        addresses=[
            Address(
                street="1 Rue de la Paix, 2e\nBat B",
                city="Paris",
                postal_code="75002",
                country="France",
                kind="home",
            )
        ],
    )
    lines = lines_of(write_vcard(card, version=version))
    assert email in lines
    assert tel in lines
    assert adr in lines


def test_custom_labels_are_written_as_apple_item_groups():
    card = VCard(
        formatted_name="Zoë",
        emails=[TypedValue("pa@x.example", "custom", "Assistant")],
        phones=[
            TypedValue("111", "custom", "Boat"),
            TypedValue("222", "other"),
        ],
    )
    lines = lines_of(write_vcard(card))
    assert "item1.EMAIL;TYPE=INTERNET:pa@x.example" in lines
    assert "item1.X-ABLabel:Assistant" in lines
    assert "item2.TEL:111" in lines
    assert "item2.X-ABLabel:Boat" in lines
    assert "TEL;TYPE=VOICE:222" in lines


def test_a_kind_the_property_has_no_type_for_uses_apples_token():
    card = VCard(formatted_name="Z", emails=[TypedValue("m@x.example", "mobile")])
    lines = lines_of(write_vcard(card, version="4.0"))
    assert "item1.EMAIL:m@x.example" in lines
    assert "item1.X-ABLabel:_$!<Mobile>!$_" in lines


@pytest.mark.parametrize(
    ("version", "birthday", "expected"),
    [
        ("3.0", Birthday(4, 12, 1985), "BDAY:1985-04-12"),
        ("3.0", Birthday(2, 29), "BDAY:--02-29"),
        ("4.0", Birthday(4, 12, 1985), "BDAY:19850412"),
        ("4.0", Birthday(2, 29), "BDAY:--0229"),
    ],
)
def test_birthdays_with_and_without_a_year(version, birthday, expected):
    card = VCard(formatted_name="Z", birthday=birthday)
    assert expected in lines_of(write_vcard(card, version=version))


def test_categories_are_a_comma_list_with_commas_inside_escaped():
    card = VCard(formatted_name="Z", categories=["Family", "Books, films"])
    assert "CATEGORIES:Family,Books\\, films" in lines_of(write_vcard(card))


def test_photos_are_inline_base64_in_3_and_a_data_uri_in_4():
    data = png_bytes()
    encoded = base64.b64encode(data).decode()
    card = VCard(formatted_name="Z", photo=Photo(data=data, media_type="image/png"))
    assert f"PHOTO;ENCODING=b;TYPE=PNG:{encoded}" in lines_of(write_vcard(card))
    assert f"PHOTO:data:image/png;base64,{encoded}" in lines_of(
        write_vcard(card, version="4.0")
    )


def test_a_photo_by_address_is_a_uri():
    card = VCard(formatted_name="Z", photo=Photo(uri="https://x.example/z.jpg"))
    assert "PHOTO;VALUE=uri:https://x.example/z.jpg" in lines_of(write_vcard(card))
    assert "PHOTO:https://x.example/z.jpg" in lines_of(write_vcard(card, version="4.0"))


def test_revision_is_utc():
    moment = datetime.datetime(2026, 11, 26, 10, 30, tzinfo=datetime.UTC)
    card = VCard(formatted_name="Z", revision=moment)
    assert "REV:2026-11-26T10:30:00Z" in lines_of(write_vcard(card))
    assert "REV:20261126T103000Z" in lines_of(write_vcard(card, version="4.0"))


def test_urls_are_not_text_escaped_and_never_break_lines():
    card = VCard(formatted_name="Z", urls=[TypedValue("https://x.example/a,b;c\nd")])
    assert "URL:https://x.example/a,b;c d" in lines_of(write_vcard(card))


def test_write_vcards_writes_one_card_after_another():
    text = "".join(write_vcards([VCard(formatted_name="A"), VCard(formatted_name="B")]))
    assert text.count("BEGIN:VCARD") == 2
    assert [card.formatted_name for card in read_vcards(text).cards] == ["A", "B"]


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_what_is_written_reads_back_the_same(version):
    card = VCard(
        uid="urn:uuid:1234",
        formatted_name="Zoë Martin, PhD",
        given_name="Zoë",
        family_name="Martin",
        suffix="PhD",
        nickname="Zo",
        organization="Acme; Inc, Ltd",
        title="Editor",
        emails=[
            TypedValue("z@x.example", "work"),
            TypedValue("a@x.example", "custom", "Assistant"),
            TypedValue("m@x.example", "mobile"),
        ],
        phones=[
            TypedValue("+1 (555) 010-0199", "mobile"),
            TypedValue("555", "other"),
            TypedValue("777", "custom", "Fax"),
            TypedValue("888", "home"),
        ],
        addresses=[Address(street="1 Main St, Apt 2\nFloor 3", city="X", kind="work")],
        urls=[TypedValue("https://x.example/a,b;c", "home")],
        birthday=Birthday(2, 29),
        note="Line 1\nLine 2; with, stuff \\ back" * 4,
        categories=["Family", "Book, club"],
    )
    read = read_vcards(write_vcard(card, version=version))
    assert read.problems == []
    back = read.cards[0]
    assert back.version == version
    back.line, back.version = 0, ""
    assert back == card


@pytest.mark.parametrize("version", ["3.0", "4.0"])
@pytest.mark.parametrize("name", ["label_40.vcf", "label_30.vcf", "label_21.vcf"])
def test_addresses_read_from_labels_are_written_and_read_back_the_same(version, name):
    decoded = decode_upload((DATA / name).read_bytes(), file_name=name)
    cards = read_vcards(decoded.text, file_encoding=decoded.codec).cards
    assert any("\n" in address.street for card in cards for address in card.addresses)
    back = read_vcards("".join(write_vcards(cards, version=version))).cards
    assert [card.addresses for card in back] == [card.addresses for card in cards]


# ---------- Cards from contacts ----------


@pytest.mark.django_db
def test_vcard_from_contact_holds_every_field(alice):
    family = LabelFactory(owner=alice, name="Family")
    data = ContactData(
        prefix="Dr.",
        given_name="Zoë",
        middle_name="A.",
        family_name="Martin",
        suffix="Jr.",
        display_name="Zoë the Great",
        nickname="Zo",
        organization="Northwind",
        job_title="Editor",
        notes="Met at the fair.",
        birthday_day=29,
        birthday_month=2,
        is_favorite=True,
        labels=[family],
        emails=[EmailEntry("zoe@x.example", "custom", "Assistant")],
        phones=[PhoneEntry("+44 20 7946 0000", "work")],
        addresses=[AddressEntry(street="1 Main St", city="Leeds", label="work")],
    )
    contact = contact_create(owner=alice, data=data)
    contact = contact_with_details(owner=alice).get(pk=contact.pk)
    card = vcard_from_contact(contact)
    assert card.uid == contact_uid(contact)
    assert card.formatted_name == "Zoë the Great"
    assert (card.prefix, card.given_name, card.middle_name) == ("Dr.", "Zoë", "A.")
    assert (card.family_name, card.suffix, card.nickname) == ("Martin", "Jr.", "Zo")
    assert (card.organization, card.title) == ("Northwind", "Editor")
    assert card.emails == [TypedValue("zoe@x.example", "custom", "Assistant")]
    assert card.phones == [TypedValue("+44 20 7946 0000", "work")]
    assert card.addresses == [Address(street="1 Main St", city="Leeds", kind="work")]
    assert card.birthday == Birthday(2, 29, None)
    assert card.note == "Met at the fair."
    assert card.categories == ["Family", "starred"]
    text = write_vcard(card)
    assert "FN:Zoë the Great" in text


@pytest.mark.django_db
def test_a_contact_without_a_display_name_is_written_with_its_shown_name(alice):
    contact = ContactFactory(
        owner=alice, given_name="", family_name="", emails=["x@y.example"]
    )

    contact = contact_with_details(owner=alice).get(pk=contact.pk)
    card = vcard_from_contact(contact, uid="given-uid")
    assert card.uid == "given-uid"
    assert card.formatted_name == "x@y.example"
    assert card.categories == []


def test_contact_uid_is_stable_and_differs_between_contacts():
    class Stub:
        def __init__(self, pk):
            self.pk = pk

    assert contact_uid(Stub(1)) == contact_uid(Stub(1))
    assert contact_uid(Stub(1)) != contact_uid(Stub(2))
    assert contact_uid(Stub(1)).startswith("urn:uuid:")
