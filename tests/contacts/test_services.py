"""Writes to the address book: every rule, and nothing half-saved."""

import datetime
import threading
import uuid

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from contacts.models import (
    AddressBook,
    Contact,
    ContactEmail,
    ContactLabel,
    ContactPhone,
    Label,
)
from contacts.services.address_books import address_book_set_region
from contacts.services.contacts import (
    AddressEntry,
    ContactData,
    EmailEntry,
    PhoneEntry,
    SavedMember,
    WebsiteEntry,
    contact_create,
    contact_create_from_member,
    contact_set_favorite,
    contact_update,
)
from contacts.services.labels import (
    contacts_bulk_label,
    label_create,
    label_delete,
    label_for_name,
    label_rename,
)
from contacts.services.trash import (
    contact_purge,
    contact_restore,
    contact_trash,
    contacts_bulk_trash,
    trash_empty,
    trash_purge_expired,
)
from tests.factories import ContactFactory, LabelFactory, UserFactory

pytestmark = pytest.mark.django_db


def messages_of(error: ValidationError) -> list[str]:
    return error.value.messages


# ---------- Adding and editing ----------


def test_create_saves_every_detail_in_order(alice):
    family = LabelFactory(owner=alice, name="Family")
    contact = contact_create(
        owner=alice,
        data=ContactData(
            prefix="Dr.",
            given_name=" Zoë ",
            family_name="Lefèvre",
            organization="Northwind",
            job_title="Editor",
            birthday_day=29,
            birthday_month=2,
            notes="  Likes tea.  ",
            is_favorite=True,
            emails=[
                EmailEntry("Zoe@Example.com", "home"),
                EmailEntry("zoe@work.example", "custom", "Old job"),
            ],
            phones=[PhoneEntry("+44 20 7946 0000", "work")],
            addresses=[AddressEntry(street="1 Rue X", city="Lyon", country="France")],
            websites=[WebsiteEntry("https://zoe.example/", "other")],
            labels=[family],
        ),
    )
    contact.refresh_from_db()
    assert contact.shown_name == "Dr. Zoë Lefèvre"
    assert contact.sort_name == "dr. zoe lefevre"
    assert contact.notes == "Likes tea."
    assert contact.is_favorite
    assert [(e.value, e.label, e.custom_label) for e in contact.emails.all()] == [
        ("zoe@example.com", "home", ""),
        ("zoe@work.example", "custom", "Old job"),
    ]
    phone = contact.phones.get()
    assert (phone.value, phone.e164, phone.label) == (
        "+44 20 7946 0000",
        "+442079460000",
        "work",
    )
    assert contact.addresses.get().city == "Lyon"
    assert contact.websites.get().url == "https://zoe.example/"
    assert list(contact.labels.all()) == [family]


def test_phone_numbers_are_read_with_the_members_region(alice):
    AddressBook.objects.create(owner=alice, default_region="GB")
    contact = ContactFactory(owner=alice, phones=["020 7946 0000"])
    assert contact.phones.get().e164 == "+442079460000"


def test_invalid_phone_numbers_are_kept_as_typed_without_international_form(alice):
    contact = ContactFactory(owner=alice, phones=["ext. 2044", "12"])
    assert [(p.value, p.e164) for p in contact.phones.all()] == [
        ("ext. 2044", ""),
        ("12", ""),
    ]


def test_blank_rows_and_repeated_emails_are_dropped(alice):
    contact = ContactFactory(
        owner=alice,
        given_name="Zoë",
        emails=["zoe@example.com", " ", "ZOE@example.com"],
        phones=["", "555 0100"],
    )
    assert [e.value for e in contact.emails.all()] == ["zoe@example.com"]
    assert contact.phones.count() == 1


def test_a_contact_needs_something_to_show(alice):
    with pytest.raises(ValidationError) as error:
        contact_create(owner=alice, data=ContactData(notes="just notes"))
    assert "Give the contact a name" in messages_of(error)[0]
    assert not Contact.objects.exists()


def test_email_only_contact_is_named_after_its_email(alice):
    contact = contact_create(
        owner=alice, data=ContactData(emails=[EmailEntry("zoe@example.com")])
    )
    assert contact.shown_name == "zoe@example.com"


@pytest.mark.parametrize(
    ("data", "key", "text"),
    [
        (
            ContactData(given_name="Z", emails=[EmailEntry("not-an-email")]),
            "emails",
            "valid email",
        ),
        (
            ContactData(given_name="Z", websites=[WebsiteEntry("javascript:alert(1)")]),
            "websites",
            "valid URL",
        ),
        (
            ContactData(given_name="Z", emails=[EmailEntry("a@b.example", "custom")]),
            "emails",
            "Name the custom label.",
        ),
        (
            ContactData(given_name="Z", birthday_day=30, birthday_month=2),
            "birthday_day",
            "That month has 29 days.",
        ),
        (
            ContactData(
                given_name="Z", birthday_day=29, birthday_month=2, birthday_year=2023
            ),
            "birthday_day",
            "2023 was not a leap year.",
        ),
        (ContactData(given_name="Z" * 81), "given_name", "at most 80"),
        (ContactData(given_name="Z", notes="x" * 10_001), "notes", "10,000"),
    ],
)
def test_bad_input_is_refused_field_by_field(alice, data, key, text):
    with pytest.raises(ValidationError) as error:
        contact_create(owner=alice, data=data)
    assert any(text in message for message in error.value.message_dict[key])
    assert not Contact.objects.exists()


def test_too_many_details_of_a_kind_are_refused(alice, settings):
    settings.RAPPORT_CONTACT_DETAILS_MAX = 2
    emails = [EmailEntry(f"z{n}@example.com") for n in range(3)]
    with pytest.raises(ValidationError) as error:
        contact_create(owner=alice, data=ContactData(given_name="Z", emails=emails))
    assert "at most 2" in error.value.message_dict["emails"][0]


def test_nothing_is_saved_when_anything_is_wrong(alice):
    data = ContactData(
        given_name="Zoë",
        emails=[EmailEntry("zoe@example.com"), EmailEntry("broken@")],
        new_labels=["Brand new"],
    )
    with pytest.raises(ValidationError):
        contact_create(owner=alice, data=data)
    assert not Contact.objects.exists()
    assert not ContactEmail.objects.exists()
    assert not Label.objects.exists()


def test_new_labels_are_created_or_reused_whatever_their_case(alice):
    LabelFactory(owner=alice, name="Book club")
    contact = contact_create(
        owner=alice,
        data=ContactData(given_name="Zoë", new_labels=["book CLUB", "Choir"]),
    )
    assert sorted(label.name for label in contact.labels.all()) == [
        "Book club",
        "Choir",
    ]
    assert Label.objects.filter(owner=alice).count() == 2


def test_labels_of_another_member_are_refused(alice, bob):
    theirs = LabelFactory(owner=bob)
    with pytest.raises(ValidationError):
        contact_create(owner=alice, data=ContactData(given_name="Z", labels=[theirs]))
    assert not Contact.objects.exists()


def test_the_same_form_submitted_twice_adds_one_contact(alice):
    token = uuid.uuid4()
    first = contact_create(
        owner=alice, data=ContactData(given_name="Zoë"), creation_token=token
    )
    second = contact_create(
        owner=alice, data=ContactData(given_name="Zoë"), creation_token=token
    )
    assert first == second
    assert Contact.objects.count() == 1


def test_the_contacts_limit_is_enforced_with_a_clear_message(alice, settings):
    settings.RAPPORT_CONTACTS_MAX = 2
    ContactFactory(owner=alice)
    ContactFactory(owner=alice, trashed=True)
    with pytest.raises(ValidationError) as error:
        ContactFactory(owner=alice)
    assert "limit of 2 contacts" in messages_of(error)[0]
    assert "empty the Trash" in messages_of(error)[0]
    ContactFactory(owner=UserFactory())


def test_update_replaces_fields_details_and_labels(alice):
    old, new = LabelFactory(owner=alice), LabelFactory(owner=alice)
    contact = ContactFactory(
        owner=alice,
        given_name="Zoe",
        emails=["old@example.com"],
        phones=["555 0100"],
        labels=[old],
    )
    contact_update(
        contact=contact,
        data=ContactData(
            given_name="Zoë",
            family_name="Martin",
            emails=[EmailEntry("new@example.com", "work")],
            labels=[new],
        ),
    )
    contact.refresh_from_db()
    assert contact.shown_name == "Zoë Martin"
    assert [e.value for e in contact.emails.all()] == ["new@example.com"]
    assert not contact.phones.exists()
    assert list(contact.labels.all()) == [new]
    assert "old@example.com" not in contact.search_text
    assert contact.updated >= contact.created


def test_an_invalid_update_changes_nothing(alice):
    contact = ContactFactory(owner=alice, given_name="Zoë", emails=["z@example.com"])
    with pytest.raises(ValidationError):
        contact_update(
            contact=contact,
            data=ContactData(given_name="Other", emails=[EmailEntry("bad")]),
        )
    contact.refresh_from_db()
    assert contact.given_name == "Zoë"
    assert [e.value for e in contact.emails.all()] == ["z@example.com"]


def test_a_contact_in_the_trash_cannot_be_edited(alice):
    contact = ContactFactory(owner=alice, trashed=True)
    with pytest.raises(ValidationError) as error:
        contact_update(contact=contact, data=ContactData(given_name="New"))
    assert "in the Trash" in messages_of(error)[0]


def test_starring_twice_is_harmless(alice):
    contact = ContactFactory(owner=alice)
    contact_set_favorite(contact=contact, is_favorite=True)
    contact_set_favorite(contact=contact, is_favorite=True)
    contact.refresh_from_db()
    assert contact.is_favorite
    contact_set_favorite(contact=contact, is_favorite=False)
    contact.refresh_from_db()
    assert not contact.is_favorite


# ---------- Saving a member as a contact ----------


def test_saving_a_member_fills_name_and_headline_and_links_them(alice, bob):
    contact, outcome = contact_create_from_member(owner=alice, member=bob)
    assert outcome == SavedMember.CREATED
    assert contact.shown_name == "Bob Okafor"
    assert contact.job_title == "Backend engineer"
    assert contact.member == bob
    assert not contact.emails.exists()


def test_saving_a_member_twice_opens_the_same_card(alice, bob):
    first, _ = contact_create_from_member(owner=alice, member=bob)
    second, outcome = contact_create_from_member(owner=alice, member=bob)
    assert (second, outcome) == (first, SavedMember.EXISTING)
    assert Contact.objects.count() == 1


def test_saving_a_member_whose_card_is_in_the_trash_restores_it(alice, bob):
    first, _ = contact_create_from_member(owner=alice, member=bob)
    contact_trash(contact=first)
    again, outcome = contact_create_from_member(owner=alice, member=bob)
    assert (again, outcome) == (first, SavedMember.RESTORED)
    again.refresh_from_db()
    assert again.deleted_at is None


def test_a_card_with_the_members_findable_email_counts_as_theirs(alice, bob):
    existing = ContactFactory(owner=alice, emails=["BOB@example.com"])
    contact, outcome = contact_create_from_member(owner=alice, member=bob)
    assert (contact, outcome) == (existing, SavedMember.EXISTING)


def test_unverified_or_unfindable_emails_do_not_match_a_member(alice, bob, carol):
    EmailAddress.objects.filter(user=bob).update(verified=False)
    carol.findable_by_email = False
    carol.save()
    ContactFactory(owner=alice, emails=["bob@example.com", "carol@example.com"])
    _, bob_outcome = contact_create_from_member(owner=alice, member=bob)
    _, carol_outcome = contact_create_from_member(owner=alice, member=carol)
    assert bob_outcome == carol_outcome == SavedMember.CREATED


def test_members_cannot_save_themselves(alice):
    with pytest.raises(ValidationError):
        contact_create_from_member(owner=alice, member=alice)


def test_saving_a_member_respects_the_limit(alice, bob, settings):
    settings.RAPPORT_CONTACTS_MAX = 1
    ContactFactory(owner=alice)
    with pytest.raises(ValidationError):
        contact_create_from_member(owner=alice, member=bob)


# ---------- Labels ----------


def test_label_names_are_trimmed_and_unique_whatever_their_case(alice):
    label = label_create(owner=alice, name="  Book   club ")
    assert label.name == "Book club"
    with pytest.raises(ValidationError) as error:
        label_create(owner=alice, name="BOOK CLUB")
    assert "already have a label" in error.value.message_dict["name"][0]
    with pytest.raises(ValidationError):
        label_create(owner=alice, name="   ")


@pytest.mark.parametrize(
    "name", ["Starred", "my  contacts", "MYCONTACTS", "Other contacts"]
)
def test_names_address_book_files_use_for_themselves_are_refused(alice, name):
    family = label_create(owner=alice, name="Family")
    for attempt in (
        lambda: label_create(owner=alice, name=name),
        lambda: label_for_name(owner=alice, name=name),
        lambda: label_rename(label=family, name=name),
    ):
        with pytest.raises(ValidationError) as error:
            attempt()
        assert "would be lost on export" in error.value.message_dict["name"][0]
    assert list(Label.objects.values_list("name", flat=True)) == ["Family"]
    # Only the whole name is kept back.
    assert label_create(owner=alice, name="Starred clients").name == "Starred clients"


def test_label_limit(alice, settings):
    settings.RAPPORT_CONTACT_LABELS_MAX = 1
    label_create(owner=alice, name="One")
    with pytest.raises(ValidationError) as error:
        label_create(owner=alice, name="Two")
    assert "limit of 1 labels" in error.value.message_dict["name"][0]
    assert label_for_name(owner=alice, name="one").name == "One"


def test_rename_may_change_case_but_not_take_another_name(alice):
    family = label_create(owner=alice, name="family")
    label_create(owner=alice, name="Work")
    assert label_rename(label=family, name="Family").name == "Family"
    with pytest.raises(ValidationError):
        label_rename(label=family, name="work")
    family.refresh_from_db()
    assert family.name == "Family"


def test_deleting_a_label_keeps_its_contacts(alice):
    label = LabelFactory(owner=alice)
    contact = ContactFactory(owner=alice, labels=[label])
    label_delete(label=label)
    assert Contact.objects.filter(pk=contact.pk).exists()
    assert not ContactLabel.objects.exists()


def test_bulk_labelling_touches_only_the_owners_contacts(alice, bob):
    label = LabelFactory(owner=alice)
    mine = [ContactFactory(owner=alice) for _ in range(3)]
    theirs = ContactFactory(owner=bob)
    ids = [c.pk for c in mine] + [theirs.pk, 999_999]
    assert contacts_bulk_label(owner=alice, contact_ids=ids, label=label, add=True) == 3
    assert contacts_bulk_label(owner=alice, contact_ids=ids, label=label, add=True) == 3
    assert ContactLabel.objects.filter(label=label).count() == 3
    assert not theirs.labels.exists()
    removed = contacts_bulk_label(
        owner=alice, contact_ids=[mine[0].pk], label=label, add=False
    )
    assert removed == 1
    assert ContactLabel.objects.filter(label=label).count() == 2


def test_bulk_labelling_refuses_another_members_label_and_huge_selections(
    alice, bob, settings
):
    contact = ContactFactory(owner=alice)
    with pytest.raises(ValidationError):
        contacts_bulk_label(
            owner=alice,
            contact_ids=[contact.pk],
            label=LabelFactory(owner=bob),
            add=True,
        )
    settings.RAPPORT_CONTACTS_BULK_MAX = 2
    with pytest.raises(ValidationError) as error:
        contacts_bulk_label(
            owner=alice,
            contact_ids=[1, 2, 3],
            label=LabelFactory(owner=alice),
            add=True,
        )
    assert "at most 2 contacts" in messages_of(error)[0]


# ---------- Trash ----------


def test_trash_restore_and_purge(alice):
    contact = ContactFactory(owner=alice, emails=["z@example.com"])
    with pytest.raises(ValidationError):
        contact_purge(contact=contact)
    contact_trash(contact=contact)
    assert contact.deleted_at is not None
    assert not Contact.objects.owned_by(alice).exists()
    contact_restore(contact=contact)
    assert Contact.objects.owned_by(alice).get() == contact
    contact_trash(contact=contact)
    contact_purge(contact=contact)
    assert not Contact.objects.exists()
    assert not ContactEmail.objects.exists()


def test_bulk_delete_moves_only_the_owners_contacts_to_the_trash(alice, bob):
    mine = ContactFactory(owner=alice)
    theirs = ContactFactory(owner=bob)
    assert contacts_bulk_trash(owner=alice, contact_ids=[mine.pk, theirs.pk]) == 1
    assert Contact.objects.in_trash_of(alice).get() == mine
    assert Contact.objects.owned_by(bob).get() == theirs


def test_emptying_the_trash_deletes_only_the_owners_trash(alice, bob, monkeypatch):
    monkeypatch.setattr("contacts.services.trash.PURGE_BATCH", 2)
    for _ in range(5):
        ContactFactory(owner=alice, trashed=True, phones=["555"])
    kept = ContactFactory(owner=alice)
    theirs = ContactFactory(owner=bob, trashed=True)
    assert trash_empty(owner=alice) == 5
    assert set(Contact.objects.all()) == {kept, theirs}
    assert ContactPhone.objects.count() == 0


def test_purge_deletes_contacts_trashed_longer_than_the_grace_period(alice, bob):
    now = timezone.now()
    old = ContactFactory(owner=alice, trashed=True)
    recent = ContactFactory(owner=bob, trashed=True)
    active = ContactFactory(owner=alice)
    Contact.objects.filter(pk=old.pk).update(
        deleted_at=now - datetime.timedelta(days=31)
    )
    Contact.objects.filter(pk=recent.pk).update(
        deleted_at=now - datetime.timedelta(days=29)
    )
    assert trash_purge_expired(now=now) == 1
    assert set(Contact.objects.all()) == {recent, active}


def test_purge_command_reports_what_it_deleted(alice):
    old = ContactFactory(owner=alice, trashed=True)
    Contact.objects.filter(pk=old.pk).update(
        deleted_at=timezone.now() - datetime.timedelta(days=40)
    )
    from io import StringIO

    out = StringIO()
    call_command("purge_contacts_trash", stdout=out)
    assert "1 contact" in out.getvalue()
    assert not Contact.objects.exists()
    out = StringIO()
    call_command("purge_contacts_trash", stdout=out)
    assert "0 contacts" in out.getvalue()


# ---------- Address book ----------


def test_changing_the_region_reads_stored_numbers_again(alice):
    contact = ContactFactory(owner=alice, phones=["020 7946 0000", "+33 1 42 68 53 00"])
    assert [p.e164 for p in contact.phones.all()] == ["", "+33142685300"]
    address_book_set_region(owner=alice, region="gb")
    assert [p.e164 for p in contact.phones.all()] == ["+442079460000", "+33142685300"]
    contact.refresh_from_db()
    assert "442079460000" in contact.search_text
    assert AddressBook.objects.get(owner=alice).default_region == "GB"


def test_unknown_regions_are_refused(alice):
    with pytest.raises(ValidationError):
        address_book_set_region(owner=alice, region="XX")


# ---------- Races (PostgreSQL only: SQLite serialises writers) ----------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_adds_never_pass_the_limit(settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs real row locks")
    settings.RAPPORT_CONTACTS_MAX = 3
    owner = UserFactory()
    ContactFactory(owner=owner)
    errors, barrier = [], threading.Barrier(4)

    def add(n):
        try:
            barrier.wait()
            contact_create(owner=owner, data=ContactData(given_name=f"Racer {n}"))
        except ValidationError as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Contact.objects.filter(owner=owner).count() == 3
    assert len(errors) == 2
