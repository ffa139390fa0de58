"""Import services: reading every quirk, duplicates, all or nothing, undo."""

import datetime
import gc
import weakref
from pathlib import Path
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from contacts.models import (
    AddressBook,
    Contact,
    ContactEmail,
    ContactImport,
    ContactLabel,
    ContactMerge,
    ContactPhone,
    ContactPhoto,
    ImportedContact,
    Label,
    MergedUid,
)
from contacts.selectors.transfer import import_undo_labels_going
from contacts.services import imports
from contacts.services.bulk import collection_paused
from contacts.services.contacts import ContactData, EmailEntry, contact_update
from contacts.services.duplicates import contact_merges_undo, contacts_merge
from contacts.services.imports import (
    import_confirm,
    import_discard,
    import_set_mapping,
)
from contacts.vcard import TypedValue, VCard, contact_uid
from tests.factories import ContactFactory, LabelFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
Status = ContactImport.Status


def emails_of(owner) -> set[str]:
    return set(
        ContactEmail.objects.filter(contact__owner=owner).values_list(
            "value", flat=True
        )
    )


# ---------- What each export becomes ----------


def test_apple_cards_keep_labels_groups_escapes_and_yearless_birthdays(alice, flow):
    flow.imported(alice, "apple_3.vcf")
    zoe = Contact.objects.get(owner=alice, given_name="Zoë")
    assert zoe.display_name == ""  # FN is just the name parts
    assert zoe.shown_name == "Dr. Zoë Anne Lefèvre PhD"
    assert zoe.organization == "Northwind Traders, Ltd, Editorial"
    assert (zoe.birthday_day, zoe.birthday_month, zoe.birthday_year) == (12, 4, None)
    # What a card has no field for follows the card's own notes.
    assert zoe.notes == (
        "Met at the book fair, 2019.\nLikes: poetry; jazz.\n\n"
        "Spouse: Marc\nTwitter: https://twitter.com/zoe\nSkype: zoe.l"
    )
    assert list(zoe.emails.values_list("value", "label", "custom_label")) == [
        ("zoe@home.example", "home", ""),
        ("zoe.lefevre@northwind.example", "work", ""),
        ("assistant@northwind.example", "custom", "Assistant"),
    ]
    phones = list(zoe.phones.values_list("label", "custom_label"))
    assert ("custom", "Work fax") in phones
    assert ("custom", "Main") in phones
    assert ("custom", "Boat") in phones
    assert zoe.websites.get().url == "https://zoe.example"
    street = zoe.addresses.get(label="home").street
    assert street == "12 Rue de la Paix\nBâtiment B"
    company = Contact.objects.get(owner=alice, organization="Blue Bottle Coffee")
    assert company.shown_name == "Blue Bottle Coffee"


def test_imported_cards_get_the_derived_names_the_services_give(alice, flow):
    flow.imported(alice, "apple_3.vcf")
    for contact in Contact.objects.filter(owner=alice).prefetch_related(
        "emails", "phones"
    ):
        derived = {name: getattr(contact, name) for name in Contact.DERIVED_FIELDS}
        contact.derive_names(
            emails=[email.value for email in contact.emails.all()],
            phones=[(phone.value, phone.e164) for phone in contact.phones.all()],
        )
        assert derived == {
            name: getattr(contact, name) for name in Contact.DERIVED_FIELDS
        }
        assert contact.name_key


def test_outlook_21_quoted_printable_windows_1252_and_bare_types(alice, flow):
    batch = flow.imported(alice, "outlook_21.vcf")
    assert batch.encoding == "Windows-1252 (the file is not UTF-8)"
    francois = Contact.objects.get(owner=alice)
    assert francois.shown_name == "François Côté"
    assert francois.notes == (
        "Café meeting notes: the first line is long enough to be broken with a "
        "soft line break\nand a second line after it."
    )
    address = francois.addresses.get()
    assert address.street == "1 Microsoft Way\nBuilding 92"
    assert address.country == "United States of America"
    assert set(francois.phones.values_list("label", flat=True)) == {
        "work",
        "home",
        "mobile",
        "custom",
    }


def test_android_21_utf8_quoted_printable_and_a_base64_photo_block(alice, flow):
    batch = flow.imported(alice, "android_21.vcf")
    chloe = Contact.objects.get(owner=alice, family_name="Müller")
    assert chloe.given_name == "Chloé"
    assert chloe.nickname == "Chlo"  # Android's X-ANDROID-CUSTOM nickname
    assert chloe.notes == "Grüße aus Berlin"
    assert (chloe.birthday_day, chloe.birthday_month) == (15, 3)
    # The folded base64 photo block is the contact's photo, re-encoded.
    assert chloe.photo_key
    photo = ContactPhoto.objects.get(contact=chloe)
    assert bytes(photo.small).startswith(b"\xff\xd8")
    assert not any("photos" in notice for notice in batch.notices)


def test_thunderbird_4_tel_uris_quoted_types_and_lf_endings(alice, flow):
    flow.imported(alice, "thunderbird_4.vcf")
    ilkay = Contact.objects.get(owner=alice)
    assert ilkay.shown_name == "İlkay Gündoğan"
    assert list(ilkay.phones.values_list("value", "label", "e164")) == [
        ("+49-170-1234567", "mobile", "+491701234567"),
        ("+49-30-555-0100 ext. 42", "work", "+49305550100"),
    ]
    assert set(ilkay.labels.values_list("name", flat=True)) >= {"Football", "Friends"}
    # Thunderbird's Custom 1 to 4 fields, as in its CSV export.
    assert ilkay.notes == (
        "Captain\n\nAnniversary: 6 June 2015\nCustom 1: Kit size XL\n"
        "Custom 3: Prefers Signal"
    )


def test_google_starred_is_a_favourite_and_my_contacts_is_no_label(alice, flow):
    flow.imported(alice, "google_3.vcf")
    jose = Contact.objects.get(owner=alice, given_name="José")
    assert jose.is_favorite
    names = set(Label.objects.filter(owner=alice).values_list("name", flat=True))
    assert "Familia" in names
    assert "Book club" in names
    assert not names & {"myContacts", "starred"}


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("bom_utf8.vcf", "UTF-8 with byte-order mark"),
        ("utf16_bom.vcf", "UTF-16 with byte-order mark"),
        ("windows1252.vcf", "Windows-1252 (the file is not UTF-8)"),
        ("utf16_tabs.csv", "UTF-16 with byte-order mark"),
    ],
)
def test_encodings_are_detected_and_reported(alice, flow, name, encoding):
    batch = flow.upload(alice, name)
    assert batch.encoding == encoding
    if batch.status == Status.MAPPING:
        batch = flow.upload(alice, name)
    assert "\ufffd" not in str(batch.columns)


def test_utf16_without_a_byte_order_mark_is_read_too(alice, flow):
    content = (DATA / "bom_utf8.vcf").read_bytes()[3:].decode().encode("utf-16-le")
    batch = flow.upload(alice, "nobom.vcf", content)
    assert batch.status == Status.READY
    assert batch.encoding == "UTF-16 without byte-order mark"


def test_windows_1252_text_is_decoded_without_replacement_characters(alice, flow):
    flow.imported(alice, "windows1252.vcf")
    renee = Contact.objects.get(owner=alice)
    assert renee.shown_name == "Renée Dupré"
    assert renee.notes == "Née à Genève – “quotes”"


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_a_character_split_by_a_fold_is_read_whole(alice, flow, bom):
    # Some writers fold every 75 bytes, splitting a character's UTF-8 bytes.
    content = bom + (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:M\u00fcller;J\u00fcrgen;;;\r\n"
        "NOTE:Stra\u00dfe\r\nEND:VCARD\r\n"
    ).encode().replace("ü".encode(), b"\xc3\r\n \xbc", 1).replace(
        "ß".encode(), b"\xc3\n\t\x9f"
    )
    batch = flow.upload(alice, "folded.vcf", content)
    assert batch.status == Status.READY, batch.error
    assert batch.encoding.startswith("UTF-8")
    flow.confirm(batch)
    contact = Contact.objects.get(owner=alice)
    assert (contact.shown_name, contact.display_name) == ("Jürgen Müller", "")
    assert contact.notes == "Straße"


MIXED_CSV = (
    "Name,E-mail 1 - Value,Notes\nSaitō Hana,hana@example.com,Café crème\n".encode()
    # A row typed in Windows-1252 in an otherwise UTF-8 file.
    + "Renée Dupré,renee@example.com,Née à Genève\n".encode("cp1252")
)


def test_a_utf8_file_with_some_windows_1252_keeps_both_readable(alice, flow):
    batch = flow.upload(alice, "mixed.csv", MIXED_CSV)
    assert batch.encoding == "UTF-8, with some characters in Windows-1252"
    assert batch.columns[0]["samples"] == ["Saitō Hana", "Renée Dupré"]
    if batch.status == Status.MAPPING:
        batch = flow.set_mapping(batch, batch.mapping)
    flow.confirm(batch)
    names = set(Contact.objects.filter(owner=alice).values_list("notes", flat=True))
    assert names == {"Café crème", "Née à Genève"}
    assert Contact.objects.filter(owner=alice, shown_name="Saitō Hana").exists()


def test_bytes_windows_1252_does_not_define_become_replacement_characters(alice, flow):
    # 0x81, 0x8D, 0x8F, 0x90 and 0x9D are not characters in Windows-1252.
    content = (
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ren\xe9e\r\nNOTE:a\x81b\x8dc\x9d\r\n"
        b"END:VCARD\r\n"
    )
    batch = flow.upload(alice, "odd.vcf", content)
    assert batch.encoding == "Windows-1252 (the file is not UTF-8)"
    flow.confirm(batch)
    renee = Contact.objects.get(owner=alice)
    assert (renee.shown_name, renee.notes) == ("Renée", "a\ufffdb\ufffdc\ufffd")


def test_a_mixed_vcard_21_keeps_its_charsets_and_quoted_printable(alice, flow):
    content = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8:Saitō;Hana\r\n"
        "NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:caf=C3=A9 ō\r\n"
        "ORG;CHARSET=Windows-1252:".encode()
        + "Société\r\nEND:VCARD\r\n".encode("cp1252")
    )
    batch = flow.upload(alice, "mixed.vcf", content)
    assert batch.encoding == "UTF-8, with some characters in Windows-1252"
    flow.confirm(batch)
    hana = Contact.objects.get(owner=alice)
    assert (hana.family_name, hana.notes, hana.organization) == (
        "Saitō",
        "café ō",
        "Société",
    )


def test_unreadable_cards_are_listed_with_their_line(alice, flow):
    batch = flow.upload(alice, "nameless.vcf")
    assert batch.problems == [
        {"line": 5, "reason": "no name, organization, email or phone number"}
    ]
    notices = " ".join(batch.notices)
    assert "“not-an-email” is not an email address; left out" in notices
    assert "“call me maybe” is not a phone number; left out" in notices
    assert "not a web address" in notices
    assert "birthday “1999-02-30” was not understood; kept in the notes" in notices


@pytest.mark.parametrize(
    ("name", "line", "reason"),
    [
        ("no_end.vcf", 6, "this vCard has no END:VCARD line"),
        ("deep_nesting.vcf", 1, "vCards nested more than 3 deep inside this one"),
        ("huge_line.vcf", 1, "line 4: a NOTE value longer than 256 KB"),
    ],
)
def test_broken_and_hostile_cards_are_refused_and_the_rest_kept(
    alice, flow, name, line, reason
):
    batch = flow.upload(alice, name)
    assert batch.status == Status.READY
    assert {"line": line, "reason": reason} in batch.problems
    assert batch.new_count == 1


def test_an_addresss_po_box_and_extended_part_are_kept_as_street_lines(alice, flow):
    card = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Pat Box\r\n"
        "ADR;TYPE=WORK:PO Box 123;Suite 5;1 Main St;Springfield;IL;62701;USA\r\n"
        "ADR;TYPE=HOME:PO Box 9;;;;;;\r\nEND:VCARD\r\n"
    )
    batch = flow.confirm(flow.upload(alice, "box.vcf", card.encode()))
    assert batch.status == Status.DONE
    contact = Contact.objects.get(owner=alice)
    assert [
        (address.street, address.city, address.postal_code, address.label)
        for address in contact.addresses.order_by("id")
    ] == [
        ("1 Main St\nSuite 5\nPO Box 123", "Springfield", "62701", "work"),
        ("PO Box 9", "", "", "home"),
    ]


def addresses_of(contact) -> list[tuple[str, str, str, str, str]]:
    return [
        (a.street, a.city, a.postal_code, a.country, a.label)
        for a in contact.addresses.order_by("id")
    ]


def test_a_vcard_40_address_given_only_as_its_label_is_kept(alice, flow):
    batch = flow.confirm(flow.upload(alice, "label_40.vcf"))
    assert batch.status == Status.DONE
    camille = Contact.objects.get(owner=alice, given_name="Camille")
    assert addresses_of(camille) == [
        ("12 Rue de la Paix\n75002 Paris\nFrance", "", "", "", "home"),
        # An address with its parts keeps them: the label is them formatted.
        ("5 Avenue Anatole France", "Paris", "75007", "France", "work"),
    ]
    hugo = Contact.objects.get(owner=alice, display_name="Hugo Blanc")
    assert addresses_of(hugo) == [
        ("Rue du Rhône 1, 2e étage\nGenève", "", "", "", "other"),
    ]


def test_a_vcard_30_label_is_an_address_only_of_a_type_without_one(alice, flow):
    batch = flow.confirm(flow.upload(alice, "label_30.vcf"))
    assert batch.status == Status.DONE
    johnny = Contact.objects.get(owner=alice)
    assert addresses_of(johnny) == [
        ("3 Orchard Lane", "Springfield", "62701", "USA", "home"),
        ("1 Infinite Loop\nCupertino, CA 95014", "", "", "", "work"),
    ]


def test_a_vcard_21_quoted_printable_label_is_an_address(alice, flow):
    batch = flow.confirm(flow.upload(alice, "label_21.vcf"))
    assert batch.status == Status.DONE
    jurgen = Contact.objects.get(owner=alice)
    assert jurgen.shown_name == "Jürgen Weiß"
    assert addresses_of(jurgen) == [
        ("Unter den Linden 1", "Berlin", "10117", "Deutschland", "work"),
        ("Große Straße 5\n10115 Berlin\nDeutschland", "", "", "", "home"),
    ]


def test_a_label_written_before_its_address_is_not_a_second_address(alice, flow):
    card = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Pat Early\r\n"
        "LABEL;TYPE=WORK:1 Main St\\nSpringfield\r\n"
        "ADR;TYPE=WORK:;;1 Main St;Springfield;;;\r\n"
        "LABEL;TYPE=HOME:\r\nEND:VCARD\r\n"
    )
    flow.confirm(flow.upload(alice, "early.vcf", card.encode()))
    pat = Contact.objects.get(owner=alice)
    assert addresses_of(pat) == [("1 Main St", "Springfield", "", "", "work")]


def test_a_label_too_long_for_the_street_is_shortened_with_a_notice(alice, flow):
    label = "\\n".join(f"Line {number} " + "x" * 40 for number in range(10))
    card = (
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Pat Long\r\n"
        f'ADR;LABEL="{label}":;;;;;;\r\nEND:VCARD\r\n'
    )
    batch = flow.confirm(flow.upload(alice, "long.vcf", card.encode()))
    assert "line 1: street of an address shortened to 300 characters" in (batch.notices)
    street = Contact.objects.get(owner=alice).addresses.get().street
    assert len(street) <= 300
    assert street.startswith("Line 0 xxx")


def test_a_card_cut_off_mid_file_does_not_take_the_cards_after_it(alice, flow):
    # Files pasted together, one of them cut short: the next BEGIN:VCARD
    # starts a card, as only an AGENT's card is read inside another.
    card = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{0}\r\nEMAIL:{0}@x.example\r\n"
    text = card.format("cut") + "".join(
        card.format(name) + "END:VCARD\r\n" for name in ("ann", "bob", "cat")
    )
    batch = flow.upload(alice, "joined.vcf", text.encode())
    assert batch.problems == [{"line": 1, "reason": "this vCard has no END:VCARD line"}]
    assert batch.new_count == 3
    flow.confirm(batch)
    assert emails_of(alice) == {"ann@x.example", "bob@x.example", "cat@x.example"}


def test_a_photo_that_is_not_a_picture_is_reported(alice, flow):
    batch = flow.upload(alice, "bad_photo.vcf")
    assert any("photo skipped: not a picture" in notice for notice in batch.notices)


def test_formula_payloads_are_kept_as_plain_text(
    alice, flow, django_capture_on_commit_callbacks
):
    batch = flow.upload(alice, "formulas.csv")
    assert batch.status == Status.MAPPING
    with pytest.raises(ValidationError, match="Choose at least one column"):
        import_set_mapping(batch=batch, mapping=[""] * 4)
    with django_capture_on_commit_callbacks(execute=True):
        import_set_mapping(batch=batch, mapping=batch.mapping)
    batch.refresh_from_db()
    flow.confirm(batch)
    evil = Contact.objects.get(owner=alice, emails__value="formula@example.com")
    assert evil.display_name == '=HYPERLINK("http://evil.example","click")'
    assert evil.notes == "@SUM(1+1)"


def test_the_label_limit_leaves_out_new_labels_but_imports_the_contacts(
    alice, flow, settings
):
    settings.RAPPORT_CONTACT_LABELS_MAX = 3
    LabelFactory(owner=alice, name="Already")
    batch = flow.imported(alice, "google_3.vcf")
    assert batch.status == Status.DONE
    assert Label.objects.filter(owner=alice).count() == 3
    assert any("Book club" in notice for notice in batch.notices)


def test_long_fields_are_shortened_with_a_notice(alice, flow):
    name = "N" * 200
    content = f"BEGIN:VCARD\r\nVERSION:3.0\r\nN:;{name};;;\r\nEND:VCARD\r\n".encode()
    batch = flow.upload(alice, "long.vcf", content)
    batch = flow.confirm(batch)
    assert Contact.objects.get(owner=alice).given_name == "N" * 80
    assert "line 1: first name shortened to 80 characters" in batch.notices


# ---------- Duplicates ----------


def test_cards_matching_by_email_phone_or_typed_phone_are_duplicates(alice, flow):
    ContactFactory(owner=alice, emails=["jose@correo.example"])
    ContactFactory(owner=alice, phones=["+1 415 555 0101"])
    batch = flow.upload(alice, "google_3.vcf")
    assert (batch.new_count, batch.duplicate_count) == (1, 2)


def test_the_preview_lists_the_first_duplicates_with_what_they_match(
    alice, flow, monkeypatch
):
    jose = ContactFactory(owner=alice, emails=["jose@correo.example"])
    monkeypatch.setattr(imports, "DUPLICATES_SHOWN", 1)
    ContactFactory(owner=alice, phones=["+1 415 555 0101"])
    batch = flow.upload(alice, "google_3.vcf")
    assert batch.duplicate_count == 2
    assert batch.duplicates == [{"line": 1, "name": "José Núñez", "matches": [jose.pk]}]
    assert batch.duplicates_not_listed == 1


def test_trashed_and_other_members_contacts_are_not_duplicates(alice, bob, flow):
    ContactFactory(owner=alice, emails=["jose@correo.example"], trashed=True)
    ContactFactory(owner=bob, emails=["asa@example.se"])
    batch = flow.upload(alice, "google_3.vcf")
    assert batch.duplicate_count == 0


def test_an_empty_address_book_is_not_searched_for_duplicates(
    alice, bob, django_assert_num_queries
):
    ContactFactory(owner=bob, emails=["jose@correo.example"])
    ContactFactory(owner=alice, emails=["jose@correo.example"], trashed=True)
    card = imports.Prepared(
        line=1,
        fields={"given_name": "José"},
        emails=[["jose@correo.example", "home", ""]],
        phones=[["+1 415 555 0101", "+14155550101", "cell", ""]],
        addresses=[],
        websites=[],
        labels=[],
        uid="urn:uuid:6f1c",
        matches=[99],
    )
    with django_assert_num_queries(1):
        imports.find_duplicates(owner=alice, prepared=[card])
    assert card.matches == []
    kept = ContactFactory(owner=alice, phones=["+1 415 555 0101"])
    imports.find_duplicates(owner=alice, prepared=[card])
    assert card.matches == [kept.pk]


def test_reading_and_saving_pause_garbage_collection_and_restore_it(alice, flow):
    seen = []
    real_prepare = imports._Preparer.prepare

    def prepare(self, card):
        seen.append(gc.isenabled())
        return real_prepare(self, card)

    with mock.patch.object(imports._Preparer, "prepare", prepare):
        batch = flow.upload(alice, "google_3.vcf")
    assert seen
    assert not any(seen)
    assert gc.isenabled()
    assert flow.confirm(batch).status == Status.DONE
    assert gc.isenabled()


@pytest.mark.parametrize(
    ("emails", "urls"),
    [
        (["chloé@example.com", "a" * 300 + "@example.com"], []),
        ([], ["https://not a site", "https://" + "a" * 3000 + ".com"]),
    ],
)
def test_refused_details_keep_nothing_of_the_checker_alive(emails, urls):
    """With the collector paused, the checker is freed once nothing uses it.

    A refusal that kept its traceback would keep the checker's frames, and
    so every card checked, alive until a collection walked them all.
    """
    outcome = imports.ReadOutcome()
    preparer = imports._Preparer(region="GB", outcome=outcome)
    card = VCard(
        given_name="Bob",
        emails=[TypedValue(value, "home") for value in emails],
        urls=[TypedValue(value, "work") for value in urls],
    )
    with collection_paused():
        prepared = preparer.prepare(card)
        assert prepared.emails == prepared.websites == []
        assert outcome.notice_count == 2
        alive = weakref.ref(outcome)
        del preparer, outcome
        assert alive() is None


def test_reimporting_a_file_finds_its_cards_by_uid(alice, flow):
    flow.imported(alice, "thunderbird_4.vcf")
    Contact.objects.get(owner=alice).emails.all().delete()
    ContactPhone.objects.filter(contact__owner=alice).delete()
    batch = flow.upload(alice, "thunderbird_4.vcf")
    assert batch.duplicate_count == 1


def uid_card(uid: str, name: str) -> bytes:
    return (
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{uid}\r\nFN:{name}\r\nEND:VCARD\r\n"
    ).encode()


def test_a_card_merged_into_another_contact_finds_it_when_read_again(alice, flow):
    card = uid_card("abc-123", "Ann Lee")
    existing = ContactFactory(owner=alice, given_name="Ann", family_name="Lee")
    flow.confirm(flow.upload(alice, "ann.vcf", card), "add")
    imported = Contact.objects.get(import_record__uid="abc-123")
    kept = contacts_merge(
        owner=alice,
        contact_ids=[existing.pk, imported.pk],
        choices={"name": existing.pk},
    )
    assert kept == existing
    again = flow.upload(alice, "ann.vcf", card)
    assert (again.new_count, again.duplicate_count) == (0, 1)
    # Merged again into a third contact, the card follows it there.
    third = ContactFactory(owner=alice, given_name="Annie", family_name="Lee")
    contacts_merge(
        owner=alice, contact_ids=[third.pk, existing.pk], choices={"name": third.pk}
    )
    flow.confirm(flow.upload(alice, "ann.vcf", card), "skip")
    assert list(Contact.objects.owned_by(alice)) == [third]
    # Undone, the merges take the UID back to the contacts that come back.
    for merge in ContactMerge.objects.order_by("-pk"):
        contact_merges_undo(owner=alice, merge_ids=[merge.pk])
    assert not MergedUid.objects.exists()
    batch = flow.upload(alice, "ann.vcf", card)
    assert (batch.new_count, batch.duplicate_count) == (0, 1)


def test_a_file_exported_before_a_merge_finds_the_contact_kept(alice, flow):
    kept = ContactFactory(owner=alice, given_name="Ann", family_name="Lee")
    merged = ContactFactory(owner=alice, given_name="Annie", family_name="Lee")
    card = uid_card(contact_uid(merged), "Annie Lee")
    contacts_merge(
        owner=alice, contact_ids=[kept.pk, merged.pk], choices={"name": kept.pk}
    )
    batch = flow.confirm(flow.upload(alice, "annie.vcf", card), "merge")
    assert batch.merged_count == 1
    assert list(Contact.objects.owned_by(alice)) == [kept]


def test_a_merged_uid_is_found_only_in_its_owners_contacts(alice, bob, flow):
    ann = ContactFactory(owner=bob, given_name="Ann")
    annie = ContactFactory(owner=bob, given_name="Annie")
    contacts_merge(owner=bob, contact_ids=[ann.pk, annie.pk], choices={})
    batch = flow.upload(alice, "annie.vcf", uid_card(contact_uid(annie), "Annie"))
    assert (batch.new_count, batch.duplicate_count) == (1, 0)


def test_skip_leaves_duplicates_alone(alice, flow):
    existing = ContactFactory(
        owner=alice, given_name="Old", emails=["jose@correo.example"]
    )
    batch = flow.imported(alice, "google_3.vcf", "skip")
    assert (batch.created_count, batch.skipped_count, batch.merged_count) == (2, 1, 0)
    existing.refresh_from_db()
    assert existing.emails.count() == 1


def test_add_imports_duplicates_as_new_contacts(alice, flow):
    ContactFactory(owner=alice, emails=["jose@correo.example"])
    batch = flow.imported(alice, "google_3.vcf", "add")
    assert batch.created_count == 3
    assert Contact.objects.filter(owner=alice).count() == 4


def test_merge_adds_a_note_that_only_appears_inside_another(alice, flow):
    existing = ContactFactory(
        owner=alice,
        given_name="Ann",
        emails=["ann@example.com"],
        notes="Met at Leeds fair\n\nVIP",
    )
    card = (
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nEMAIL:ann@example.com\r\n"
        b"NOTE:Leeds\\n\\nVIP\r\nEND:VCARD\r\n"
    )
    batch = flow.confirm(flow.upload(alice, "ann.vcf", card), "merge")
    assert batch.merged_count == 1
    existing.refresh_from_db()
    assert existing.notes == "Met at Leeds fair\n\nVIP\n\nLeeds"
    # Read again, the card has nothing new to add.
    again = flow.confirm(flow.upload(alice, "ann.vcf", card), "merge")
    existing.refresh_from_db()
    assert existing.notes == "Met at Leeds fair\n\nVIP\n\nLeeds"
    assert again.status == ContactImport.Status.DONE


def test_merge_says_which_contacts_had_no_room_for_everything(alice, flow, settings):
    settings.RAPPORT_CONTACT_DETAILS_MAX = 2
    full = ContactFactory(
        owner=alice,
        given_name="Ann",
        family_name="Lee",
        emails=["ann@example.com", "ann@work.example"],
    )
    roomy = ContactFactory(owner=alice, given_name="Bea", emails=["bea@example.com"])
    card = (
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nEMAIL:ann@example.com\r\n"
        b"EMAIL:ann@home.example\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bea\r\nEMAIL:bea@example.com\r\n"
        b"EMAIL:bea@home.example\r\nEND:VCARD\r\n"
    )
    batch = flow.confirm(flow.upload(alice, "two.vcf", card), "merge")
    assert batch.merged_count == 2
    assert full.emails.count() == 2
    assert roomy.emails.count() == 2
    assert batch.notices[-1] == (
        "1 contact had no room for all the card added to it (at most 2 emails, "
        "phones, addresses or websites each, notes up to 10,000 characters); "
        "what did not fit was left out: Ann Lee."
    )


def test_merge_adds_only_what_the_contact_lacks(alice, flow):
    existing = ContactFactory(
        owner=alice,
        given_name="José",
        family_name="N.",
        emails=["jose@correo.example"],
        notes="Old note",
    )
    batch = flow.imported(alice, "google_3.vcf", "merge")
    assert batch.merged_count == 1
    existing.refresh_from_db()
    assert existing.family_name == "N."  # not overwritten
    assert existing.nickname == "Pepe"  # filled
    assert existing.notes == "Old note\n\nPrimera línea\nSegunda línea"
    assert set(existing.emails.values_list("value", flat=True)) == {
        "jose@correo.example",
        "jnunez@empresa.example",
    }
    assert existing.phones.count() == 2
    assert existing.labels.filter(name="Familia").exists()
    assert "pepe" in existing.search_text


def test_merge_names_a_contact_known_only_by_its_email_and_undo_takes_it_back(
    alice, flow
):
    nameless = ContactFactory(
        owner=alice, given_name="", family_name="", emails=["bob@x.example"]
    )
    named = ContactFactory(
        owner=alice, given_name="Cat", family_name="", emails=["cat@x.example"]
    )
    cards = "".join(
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{name}\r\nEMAIL:{email}\r\nEND:VCARD\r\n"
        for name, email in (("Bob Smith", "bob@x.example"), ("Cathy", "cat@x.example"))
    )
    batch = flow.confirm(flow.upload(alice, "names.vcf", cards.encode()), "merge")
    assert batch.merged_count == 2
    nameless.refresh_from_db()
    named.refresh_from_db()
    assert (nameless.display_name, nameless.shown_name) == ("Bob Smith", "Bob Smith")
    assert "smith" in nameless.search_text
    # A contact with a name keeps the one it is shown by.
    assert (named.display_name, named.shown_name) == ("", "Cat")
    flow.undo(batch)
    nameless.refresh_from_db()
    assert (nameless.display_name, nameless.shown_name) == ("", "bob@x.example")


# ---------- All or nothing ----------


def test_a_failure_in_the_middle_leaves_nothing(alice, flow):
    batch = flow.upload(alice, "apple_3.vcf")
    labels_before = Label.objects.count()
    real_insert = imports.insert_rows

    def insert_failing_on_phones(model, *args, **options):
        if model is ContactPhone:
            raise RuntimeError("disk full")
        return real_insert(model, *args, **options)

    with mock.patch.object(imports, "insert_rows", insert_failing_on_phones):
        batch = flow.confirm(batch)
    assert batch.status == Status.FAILED
    assert "nothing was imported" in batch.error
    assert not Contact.objects.filter(owner=alice).exists()
    assert not ContactEmail.objects.exists()
    assert not ImportedContact.objects.exists()
    assert Label.objects.count() == labels_before


def test_the_contacts_limit_is_checked_again_when_saving(alice, flow, settings):
    batch = flow.upload(alice, "google_3.vcf")
    settings.RAPPORT_CONTACTS_MAX = 2
    ContactImport.objects.filter(pk=batch.pk).update(status=Status.IMPORTING)
    imports.import_run(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == Status.FAILED
    assert "room for 2 more" in batch.error
    assert not Contact.objects.filter(owner=alice).exists()


def test_confirming_twice_imports_once(alice, flow):
    batch = flow.upload(alice, "google_3.vcf")
    flow.confirm(batch)
    flow.confirm(batch)
    assert Contact.objects.filter(owner=alice).count() == 3


def test_one_import_at_a_time_per_member(alice, flow):
    first = flow.upload(alice, "google_3.vcf")
    second = flow.upload(alice, "apple_3.vcf")
    ContactImport.objects.filter(pk=first.pk).update(status=Status.IMPORTING)
    with pytest.raises(ValidationError, match="Another import"):
        import_confirm(batch=second, on_duplicate="skip")


def test_imported_contacts_carry_the_import_label_and_record(alice, flow):
    batch = flow.imported(alice, "google_3.vcf")
    today = timezone.localdate().isoformat()
    assert batch.label.name == f"Imported {today}"
    assert ContactLabel.objects.filter(label=batch.label).count() == 3
    again = flow.imported(alice, "apple_3.vcf")
    assert again.label.name == f"Imported {today} (2)"
    assert ImportedContact.objects.filter(batch=again).count() == 2


def test_the_source_file_is_dropped_once_imported(alice, flow):
    ContactFactory(owner=alice, emails=["zoe@home.example"])
    batch = flow.upload(alice, "google.csv")
    assert batch.sample
    assert batch.duplicates
    batch = flow.confirm(batch)
    assert not batch.files.exists()
    # With what the preview showed of its cards.
    assert (batch.sample, batch.duplicates) == ([], [])


# ---------- Undo ----------


def test_undo_deletes_exactly_what_the_import_added(alice, flow):
    mine = ContactFactory(owner=alice, given_name="Mine")
    batch = flow.imported(alice, "google_3.vcf")
    batch = flow.undo(batch)
    assert batch.status == Status.UNDONE
    assert list(Contact.objects.filter(owner=alice)) == [mine]
    assert not Label.objects.filter(owner=alice, name__startswith="Imported").exists()
    # The labels the file's cards named are gone too, as before the import.
    assert not Label.objects.filter(owner=alice, name="Familia").exists()


def test_undo_keeps_the_labels_the_member_had_or_has_used_since(alice, flow):
    mine = LabelFactory(owner=alice, name="book CLUB")
    other = ContactFactory(owner=alice, given_name="Mine")
    batch = flow.imported(alice, "google_3.vcf")
    familia = Label.objects.get(owner=alice, name="Familia")
    ContactLabel.objects.create(contact=other, label=familia)
    flow.undo(batch)
    assert set(Label.objects.filter(owner=alice)) == {mine, familia}


@pytest.mark.parametrize("edited_since", [False, True])
def test_the_labels_an_undo_is_said_to_delete_are_those_it_deletes(
    alice, flow, edited_since
):
    jose = ContactFactory(
        owner=alice, given_name="José", emails=["jose@correo.example"]
    )
    batch = flow.imported(alice, "google_3.vcf", "merge")
    assert jose.labels.filter(name="Familia").exists()
    if edited_since:
        Contact.objects.filter(pk=jose.pk).update(
            updated=batch.finished + datetime.timedelta(minutes=1)
        )
    said = import_undo_labels_going(batch=batch)
    created = set(Label.objects.filter(pk__in=batch.labels_created))
    flow.undo(batch)
    gone = {label.name for label in created} - set(
        Label.objects.filter(owner=alice).values_list("name", flat=True)
    )
    assert set(said) == gone
    assert ("Familia" in said) is not edited_since


def test_an_import_and_its_undo_move_the_address_books_revision_on(alice, flow):
    ContactFactory(owner=alice, given_name="Mine")

    def revision():
        return AddressBook.objects.get(owner=alice).revision

    before = revision()
    batch = flow.upload(alice, "google_3.vcf")
    assert revision() == before  # the preview changes nothing
    batch = flow.confirm(batch)
    assert revision() == before + 1
    flow.undo(batch)
    assert revision() == before + 2


def test_undo_keeps_contacts_edited_since_and_says_which(alice, flow):
    batch = flow.imported(alice, "google_3.vcf")
    jose = Contact.objects.get(owner=alice, given_name="José")
    contact_update(
        contact=jose,
        data=ContactData(
            given_name="José", family_name="Edited", emails=[EmailEntry("j@x.example")]
        ),
    )
    batch = flow.undo(batch)
    assert list(Contact.objects.filter(owner=alice)) == [jose]
    assert batch.kept_count == 1
    assert batch.kept == [{"id": jose.pk, "name": "José Edited"}]
    assert (
        batch.label is None or ContactLabel.objects.filter(label=batch.label).exists()
    )


def test_undo_of_a_merge_takes_back_the_details_it_added(alice, flow):
    existing = ContactFactory(
        owner=alice, given_name="José", emails=["jose@correo.example"], notes="Old"
    )
    before = Contact.objects.get(pk=existing.pk)
    batch = flow.imported(alice, "google_3.vcf", "merge")
    batch = flow.undo(batch)
    existing.refresh_from_db()
    assert existing.nickname == ""
    assert existing.notes == "Old"
    assert existing.updated == before.updated
    assert list(existing.emails.values_list("value", flat=True)) == [
        "jose@correo.example"
    ]
    assert not existing.phones.exists()
    assert existing.search_text == before.search_text
    assert not existing.labels.exists()


def test_undo_twice_undoes_once_and_other_states_cannot_be_undone(alice, flow):
    batch = flow.imported(alice, "google_3.vcf")
    flow.undo(batch)
    flow.undo(batch)
    assert ContactImport.objects.get(pk=batch.pk).status == Status.UNDONE
    ready = flow.upload(alice, "apple_3.vcf")
    assert flow.undo(ready).status == Status.READY


def test_discard_forgets_only_unsaved_imports(alice, flow):
    done = flow.imported(alice, "google_3.vcf")
    import_discard(batch=done)
    assert ContactImport.objects.filter(pk=done.pk).exists()
    ready = flow.upload(alice, "apple_3.vcf")
    import_discard(batch=ready)
    assert not ContactImport.objects.filter(pk=ready.pk).exists()


def test_database_refuses_two_running_imports_for_one_member(alice):
    from django.db import IntegrityError, transaction

    common = {"owner": alice, "file_name": "x", "file_size": 1}
    ContactImport.objects.create(status=Status.IMPORTING, **common)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactImport.objects.create(status=Status.UNDOING, **common)


def test_an_undo_that_fails_changes_nothing_and_can_be_tried_again(alice, flow):
    batch = flow.imported(alice, "google_3.vcf")
    with mock.patch.object(imports, "_undo_merges", side_effect=RuntimeError):
        batch = flow.undo(batch)
    assert batch.status == Status.DONE
    assert batch.error == (
        "Something went wrong while undoing the import; nothing was undone. Try again."
    )
    assert Contact.objects.filter(owner=alice).count() == 3
    batch = flow.undo(batch)
    assert (batch.status, batch.error) == (Status.UNDONE, "")
    assert not Contact.objects.filter(owner=alice).exists()


def stopped(batch, status, minutes=31):
    ContactImport.objects.filter(pk=batch.pk).update(
        status=status, started=timezone.now() - timezone.timedelta(minutes=minutes)
    )


def test_an_import_whose_work_stopped_no_longer_holds_the_member_up(alice, flow):
    first = flow.upload(alice, "google_3.vcf")
    second = flow.upload(alice, "apple_3.vcf")
    stopped(first, Status.IMPORTING, minutes=29)
    # Still within its time, it may be running: the other one waits.
    with pytest.raises(ValidationError, match="Another import or undo"):
        flow.confirm(second)
    stopped(first, Status.IMPORTING)
    assert flow.confirm(second).status == Status.DONE
    first.refresh_from_db()
    assert first.status == Status.FAILED
    assert first.error == (
        "The import stopped before it finished; nothing was imported. Try again."
    )
    assert not Contact.objects.filter(import_record__batch=first).exists()


def test_an_undo_whose_work_stopped_is_back_to_done(alice, bob, flow):
    batch = flow.imported(alice, "google_3.vcf")
    reading = flow.upload(bob, "apple_3.vcf")
    stopped(batch, Status.UNDOING)
    stopped(reading, Status.READING)
    assert imports.imports_end_stopped(owner=alice) == 1
    batch.refresh_from_db()
    assert (batch.status, batch.error) == (
        Status.DONE,
        "Undoing the import stopped before it finished; nothing was undone. Try again.",
    )
    reading.refresh_from_db()
    assert reading.status == Status.READING  # another member's: left to them
    assert imports.imports_end_stopped() == 1
    reading.refresh_from_db()
    assert (reading.status, reading.error) == (
        Status.FAILED,
        "Reading the file stopped before it finished. Upload it again.",
    )
    assert flow.undo(batch).status == Status.UNDONE


def test_unsaved_imports_are_forgotten_after_a_week(alice, flow):
    old_preview = flow.upload(alice, "google_3.vcf")
    done = flow.imported(alice, "apple_3.vcf")
    fresh = flow.upload(alice, "android_21.vcf")
    week_ago = timezone.now() - timezone.timedelta(days=8)
    ContactImport.objects.filter(pk__in=[old_preview.pk, done.pk]).update(
        created=week_ago
    )
    assert imports.imports_purge_stale() == 1
    remaining = set(ContactImport.objects.values_list("pk", flat=True))
    assert remaining == {done.pk, fresh.pk}


def test_prepared_cards_keep_every_character_between_preview_and_import():
    card = imports.Prepared(
        line=7,
        fields={"given_name": "Zoë", "family_name": "Łukasz 王", "notes": "a\ud8ffb"},
        emails=[["zoe@example.com", "home", ""]],
        phones=[["+1 415 555 0100", "+14155550100", "mobile", ""]],
        addresses=[['1 Rue "Ours"\n2e', "Lyon", "", "69001", "France", "home", ""]],
        websites=[],
        labels=["Bücher", "Work"],
        uid="urn:uuid:1",
        matches=[3, 9],
    )
    (back,) = imports.unpack(imports.pack([card]))
    assert back == card


def test_a_birthday_that_is_no_date_is_kept_in_the_notes(alice, flow):
    card = (
        b"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ada Byron\r\nBDAY:circa 1815\r\n"
        b"NOTE:Poet's daughter\r\nEND:VCARD\r\n"
    )
    batch = flow.upload(alice, "ada.vcf", card)
    assert batch.notices == [
        "line 1: birthday “circa 1815” was not understood; kept in the notes"
    ]
    flow.confirm(batch, "add")
    ada = Contact.objects.get(owner=alice)
    assert ada.birthday_month is None
    assert ada.notes == "Poet's daughter\n\nBirthday: circa 1815"


def test_an_address_part_too_long_is_shortened_with_a_notice(alice, flow):
    card = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Byron\r\n"
        f"ADR;TYPE=HOME:;;1 Main St;Leeds;;{'L' * 30};UK\r\nEND:VCARD\r\n"
    ).encode()
    batch = flow.upload(alice, "ada.vcf", card)
    assert batch.notices == [
        "line 1: postal code of an address shortened to 20 characters"
    ]
    flow.confirm(batch, "add")
    [address] = Contact.objects.get(owner=alice).addresses.all()
    assert (address.city, address.postal_code) == ("Leeds", "L" * 20)


def test_a_card_with_only_name_parts_is_named_in_its_languages_order(alice, flow):
    """Without FN, Chinese, Japanese and Korean names read family name first,
    unspaced, as their phones and Google Contacts show them."""
    data = "".join(
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nN:{n}\r\nEND:VCARD\r\n"
        for n in ("李;娜;;;", "山田;さくら;;;", "김;민준;;;", "Martin;Zoë;;;")
    ).encode()
    batch = flow.upload(alice, "names.vcf", data)
    assert batch.status == Status.READY, batch.error
    flow.confirm(batch)
    names = Contact.objects.filter(owner=alice).values_list("shown_name", flat=True)
    shown = set(names)
    assert shown == {"李娜", "山田さくら", "김민준", "Zoë Martin"}
    # The parts stay where they were, for the editor and the export.
    li = Contact.objects.get(owner=alice, shown_name="李娜")
    assert (li.family_name, li.given_name, li.display_name) == ("李", "娜", "")


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("gb18030_phone.vcf", "GB18030, as the file’s cards say"),
        ("shift_jis_phone.vcf", "SHIFT_JIS, as the file’s cards say"),
    ],
)
def test_a_vcard_in_the_charset_its_cards_name_is_read_in_it(
    alice, flow, name, encoding
):
    # Chinese and Japanese phones write 8-bit GB18030 or Shift_JIS and say
    # so in each property's CHARSET; some of those bytes are UTF-8 too.
    batch = flow.upload(alice, name)
    assert batch.status == Status.READY, batch.error
    assert batch.encoding == encoding
    flow.confirm(batch)
    contacts = {c.shown_name: c for c in Contact.objects.filter(owner=alice)}
    if name.startswith("gb"):
        assert set(contacts) == {"王小明", "李娜"}
        wang = contacts["王小明"]
        assert (wang.family_name, wang.given_name) == ("王", "小明")
        address = wang.addresses.get()
        assert (address.street, address.city, address.country) == (
            "中关村大街1号",
            "北京",
            "中国",
        )
        assert wang.notes == "备注：老朋友"
        assert contacts["李娜"].organization == "北京大学"
    else:
        # Phones write Windows' Shift_JIS, whose names such as 髙橋 and 山﨑
        # plain Shift_JIS lacks, in 8 bits or quoted-printable.
        assert set(contacts) == {"山田太郎", "髙橋一郎", "山﨑花子"}
        taro = contacts["山田太郎"]
        assert (taro.shown_name, taro.family_name) == ("山田太郎", "山田")
        # The note has no CHARSET: the one the file names is the likeliest.
        assert taro.notes == "大学の友人\n\nPhonetic first name: ﾀﾛｳ"
        assert contacts["髙橋一郎"].family_name == "髙橋"
        assert contacts["山﨑花子"].family_name == "山﨑"


def test_folded_lines_survive_line_ends_written_twice(alice, flow):
    # CRLF written through a text-mode file on Windows ends each line in
    # CR CR LF: a blank line between a line and its fold.
    batch = flow.upload(alice, "double_cr.vcf")
    assert batch.status == Status.READY, batch.error
    assert batch.notices == []
    assert batch.photo_count == 1
    flow.confirm(batch)
    adaeze = Contact.objects.get(owner=alice)
    assert adaeze.notes == (
        "Met at the Lagos book fair in 2019; she runs the children's section "
        "and wants the catalogue by March."
    )
    assert adaeze.photo_key


def test_a_utf16_file_keeps_its_text_whatever_charset_its_properties_name(alice, flow):
    # An Android export saved again by Notepad as "Unicode": its lines
    # still say CHARSET=UTF-8, of text now written in UTF-16.
    batch = flow.upload(alice, "utf16_android.vcf")
    assert batch.encoding == "UTF-16 with byte-order mark"
    flow.confirm(batch)
    taro = Contact.objects.get(owner=alice)
    assert (taro.family_name, taro.given_name) == ("山田", "太郎")
    assert taro.display_name == "山田 太郎"
    assert taro.notes == "Zoë’s friend 😀"


def test_files_whose_lines_end_in_cr_alone_are_read(alice, flow):
    """Classic Mac OS ended lines with a carriage return alone."""
    vcard = (
        "BEGIN:VCARD\rVERSION:3.0\rN:Côté;Léa;;;\rFN:Léa Côté\r"
        "NOTE:Met at the fair\\, in 1998.\r  Likes jazz.\rEND:VCARD\r"
        "BEGIN:VCARD\rVERSION:3.0\rFN:Sam Lee\rEMAIL:sam@example.org\rEND:VCARD\r"
    ).encode()
    batch = flow.upload(alice, "mac.vcf", vcard)
    assert batch.status == Status.READY, batch.error
    assert [card["line"] for card in batch.sample] == [1, 8]
    flow.confirm(batch)
    lea = Contact.objects.get(owner=alice, given_name="Léa")
    assert lea.notes == "Met at the fair, in 1998. Likes jazz."
    # A Windows-1252 one whose properties name their charset, as Outlook's.
    outlook = "BEGIN:VCARD\rVERSION:2.1\rN;CHARSET=Windows-1252:Dupré;Zoë\rEND:VCARD\r"
    batch = flow.upload(alice, "outlook.vcf", outlook.encode("cp1252"))
    assert batch.encoding.startswith("Windows-1252"), batch.encoding
    assert batch.sample[0]["name"] == "Zoë Dupré"
    csv = "Name,E-mail Address\rRenée Dupré,renee@example.org\rBo,bo@example.org\r"
    batch = flow.upload(alice, "mac.csv", csv.encode())
    assert batch.status != Status.FAILED, batch.error
    if batch.status == Status.MAPPING:
        batch = flow.set_mapping(batch, batch.mapping)
    assert batch.new_count == 2
