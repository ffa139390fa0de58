"""The database guarantees of the address book, and the models' own helpers."""

import datetime
import importlib
import uuid

import pytest
from django.apps import apps
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone

from contacts.models import (
    AddressBook,
    Contact,
    ContactAddress,
    ContactEmail,
    ContactImport,
    ContactLabel,
    ContactPhone,
    Label,
)
from contacts.text import fold, search_terms
from tests.factories import ContactFactory, LabelFactory

pytestmark = pytest.mark.django_db


def raw_contact(owner, **fields):
    """A contact saved straight to the database, bypassing the services."""
    values = {"shown_name": "Someone", "sort_name": "someone", **fields}
    return Contact(owner=owner, **values)


def refused(obj):
    with pytest.raises(IntegrityError), transaction.atomic():
        obj.save()


@pytest.mark.parametrize(
    ("day", "month", "year"),
    [
        (31, 4, None),
        (30, 2, None),
        (0, 5, None),
        (12, 13, 1990),
        (12, None, None),
        (None, None, 1990),
        (None, 3, None),
    ],
)
def test_database_refuses_impossible_birthdays(alice, day, month, year):
    refused(
        raw_contact(alice, birthday_day=day, birthday_month=month, birthday_year=year)
    )


@pytest.mark.parametrize(
    ("day", "month", "year"), [(29, 2, None), (31, 12, 1970), (30, 4, 2001)]
)
def test_database_accepts_real_birthdays(alice, day, month, year):
    raw_contact(
        alice, birthday_day=day, birthday_month=month, birthday_year=year
    ).save()


def test_database_refuses_a_contact_without_a_name(alice):
    refused(raw_contact(alice, shown_name="", sort_name=""))


def test_database_refuses_notes_over_the_limit(alice):
    refused(raw_contact(alice, notes="x" * 10_001))


def test_custom_label_is_named_exactly_when_the_label_is_custom(alice):
    contact = ContactFactory(owner=alice)
    refused(ContactEmail(contact=contact, value="a@example.com", label="custom"))
    refused(
        ContactEmail(
            contact=contact, value="a@example.com", label="home", custom_label="Old"
        )
    )
    refused(ContactEmail(contact=contact, value="a@example.com", label="pager"))
    ContactEmail.objects.create(
        contact=contact, value="a@example.com", label="custom", custom_label="Old"
    )


def test_phone_international_form_starts_with_a_plus(alice):
    contact = ContactFactory(owner=alice)
    refused(ContactPhone(contact=contact, value="0123", e164="0123"))
    refused(ContactPhone(contact=contact, value="", e164=""))


def test_an_address_needs_at_least_one_part(alice):
    contact = ContactFactory(owner=alice)
    refused(ContactAddress(contact=contact))
    ContactAddress.objects.create(contact=contact, city="Lyon")


def test_label_names_are_unique_per_owner_whatever_their_case(alice, bob):
    Label.objects.create(owner=alice, name="Family")
    refused(Label(owner=alice, name="FAMILY"))
    Label.objects.create(owner=bob, name="family")


def test_the_database_refuses_label_names_address_book_files_use(alice):
    for name in ("STARRED", "My contacts", "mycontacts", "other Contacts"):
        refused(Label(owner=alice, name=name))
    assert Label.objects.create(owner=alice, name="Starred clients").pk


def test_a_contact_carries_a_label_once(alice):
    label = LabelFactory(owner=alice)
    contact = ContactFactory(owner=alice, labels=[label])
    refused(ContactLabel(contact=contact, label=label))


def test_one_card_per_member_and_per_creation_token(alice, bob):
    raw_contact(alice, member=bob).save()
    refused(raw_contact(alice, member=bob))
    token = uuid.uuid4()
    raw_contact(alice, creation_token=token).save()
    refused(raw_contact(alice, creation_token=token))
    raw_contact(bob, creation_token=token).save()


def test_address_book_region_is_an_uppercase_code(alice):
    refused(AddressBook(owner=alice, default_region="gb"))
    # PostgreSQL refuses the length itself (varchar), SQLite by the check.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        AddressBook.objects.create(owner=alice, default_region="GBR")
    AddressBook.objects.create(owner=alice, default_region="GB")


def test_owned_by_excludes_trash_and_other_members(alice, bob):
    mine = ContactFactory(owner=alice)
    trashed = ContactFactory(owner=alice, trashed=True)
    ContactFactory(owner=bob)
    assert list(Contact.objects.owned_by(alice)) == [mine]
    assert list(Contact.objects.in_trash_of(alice)) == [trashed]


def test_nobody_signed_out_reaches_any_contact(alice):
    from django.contrib.auth.models import AnonymousUser

    ContactFactory(owner=alice)
    assert not Contact.objects.owned_by(AnonymousUser()).exists()
    assert not Contact.objects.in_trash_of(AnonymousUser()).exists()


@pytest.mark.parametrize(
    ("fields", "emails", "phones", "shown"),
    [
        ({"display_name": "Dr Zo", "given_name": "Zoë"}, [], [], "Dr Zo"),
        (
            {"prefix": "Dr.", "given_name": "Zoë", "family_name": "Martin"},
            [],
            [],
            "Dr. Zoë Martin",
        ),
        # Chinese, Japanese and Korean names: family name first, unspaced.
        ({"given_name": "娜", "family_name": "李"}, [], [], "李娜"),
        ({"given_name": "さくら", "family_name": "山田"}, [], [], "山田さくら"),
        ({"given_name": "민준", "family_name": "김"}, [], [], "김민준"),
        # Mixed scripts, or one part alone, keep the order they were given in.
        ({"given_name": "Li", "family_name": "Na"}, [], [], "Li Na"),
        ({"given_name": "Anna", "family_name": "山田"}, [], [], "Anna 山田"),
        ({"given_name": "娜"}, [], [], "娜"),
        ({"given_name": "😀", "family_name": "龍"}, [], [], "😀 龍"),
        ({"nickname": "Zozo", "organization": "Acme"}, [], [], "Zozo"),
        ({"organization": "Acme"}, ["a@b.c"], [], "Acme"),
        ({}, ["zoe@example.com"], [("0123", "")], "zoe@example.com"),
        ({}, [], [("+44 20 7946 0000", "+442079460000")], "+44 20 7946 0000"),
    ],
)
def test_the_name_shown_falls_back_sensibly(fields, emails, phones, shown):
    contact = Contact(**fields)
    contact.derive_names(emails=emails, phones=phones)
    assert contact.shown_name == shown
    assert contact.sort_name == fold(shown)


def test_the_name_key_sorts_the_words_of_the_name_shown():
    contact = Contact(display_name="Côté, Jean-Luc")
    contact.derive_names()
    assert contact.sort_name == "cote, jean-luc"
    assert contact.name_key == "cote jean luc"
    # A name of no words keeps its sort key, so such names still match.
    contact = Contact(display_name="🙂")
    contact.derive_names()
    assert contact.name_key == contact.sort_name == "🙂"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["0006_contact_name_key", "0010_name_keys_without_initials"]
)
def test_the_migrations_give_existing_contacts_their_name_key(alice, name):
    migration = importlib.import_module(f"contacts.migrations.{name}")
    contacts = [
        ContactFactory(owner=alice, display_name=name)
        for name in ("Smith, John", "Côté Jean-Luc", "🙂", "Dr. John A. Smith")
    ]
    Contact.objects.update(name_key="")
    migration.fill_name_keys(apps, None)
    assert [Contact.objects.get(pk=contact.pk).name_key for contact in contacts] == [
        "john smith",
        "cote jean luc",
        "🙂",
        "john smith",
    ]


def test_search_text_folds_names_emails_and_phone_digits():
    contact = Contact(given_name="Zoë", family_name="Lefèvre", organization="Ça Va")
    contact.derive_names(
        emails=["Zoe@Example.com"], phones=[("020 7946 0000", "+442079460000")]
    )
    for term in ("zoe", "lefevre", "ca va", "zoe@example.com", "02079460000"):
        assert term in contact.search_text
    assert "442079460000" in contact.search_text


def test_fold_strips_accents_and_case():
    assert fold("  ZOË  Łukasz  Straße ") == "zoe lukasz strasse"


def test_search_terms_reduce_phone_like_words_to_digits():
    assert search_terms("Zoë +44 (20) 7946-0000") == ["zoe", "44", "20", "79460000"]
    assert search_terms("   ") == []


def test_initials_come_from_the_name_shown():
    contact = Contact(shown_name="Zoë van Martin")
    assert contact.initials == "ZM"
    assert Contact(shown_name="zoe@example.com").initials == "Z"
    assert Contact(shown_name="+44 20").initials == "#"


def test_birthday_without_a_year_may_be_the_29th_of_february(alice):
    contact = ContactFactory(owner=alice, birthday_day=29, birthday_month=2)
    assert contact.birthday == datetime.date(4, 2, 29)
    assert contact.age is None


def test_age_counts_whole_years(alice):
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    contact = Contact(
        birthday_day=tomorrow.day,
        birthday_month=tomorrow.month,
        birthday_year=tomorrow.year - 30,
    )
    assert contact.age == 29


def test_tel_links_dial_the_international_form_or_the_digits():
    assert ContactPhone(value="020 7946 0000", e164="+442079460000").tel_uri == (
        "+442079460000"
    )
    assert ContactPhone(value="930-859-5872x764", e164="+19308595872").tel_uri == (
        "+19308595872;ext=764"
    )
    assert ContactPhone(value="(555) 01-99 #2").tel_uri == "5550199#2"


def test_address_lines_read_like_an_envelope():
    address = ContactAddress(
        street="1 Main Street\nFlat 2",
        city="Lyon",
        postal_code="69001",
        region="Rhône",
        country="France",
    )
    assert address.lines == ["1 Main Street", "Flat 2", "69001 Lyon, Rhône", "France"]


def test_trash_expiry_follows_the_setting(alice, settings):
    settings.RAPPORT_CONTACTS_TRASH_DAYS = 10
    contact = ContactFactory(owner=alice, trashed=True)
    assert contact.trash_expires == contact.deleted_at + datetime.timedelta(days=10)


def test_one_upload_token_per_member_is_held_by_the_database(alice, bob):
    def upload(owner, token):
        return ContactImport(
            owner=owner, file_name="a.vcf", file_size=1, client_token=token
        )

    upload(alice, "tok-1").save()
    refused(upload(alice, "tok-1"))
    upload(bob, "tok-1").save()
    # Imports started without a form carry no token, as many as there are.
    upload(alice, "").save()
    upload(alice, "").save()


def test_a_companys_card_does_not_repeat_its_name_under_it(alice):
    shop = ContactFactory(
        owner=alice, given_name="", family_name="", organization="Blue Bottle Coffee"
    )
    assert shop.shown_name == "Blue Bottle Coffee"
    assert shop.subtitle == ""
    shop.job_title = "Roaster"
    assert shop.subtitle == "Roaster"
    person = ContactFactory(
        owner=alice, given_name="Zoë", family_name="Lefèvre", organization="Northwind"
    )
    person.job_title = "Editor"
    assert person.subtitle == "Editor · Northwind"
