"""The multi-row insert that imports use."""

import datetime

import pytest
from django.db import DataError, connection

from contacts.models import Contact, ContactEmail, ContactLabel, Label
from contacts.services.bulk import insert_rows

pytestmark = pytest.mark.django_db

NAMES = ("given_name", "shown_name", "sort_name")


def one_contact(owner) -> int:
    when = datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC)
    (pk,) = insert_rows(
        Contact,
        NAMES,
        [("Zoë", "Zoë", "zoe")],
        constants={"owner_id": owner.pk, "created": when, "updated": when},
    )
    return pk


def test_rows_come_back_as_saved_with_their_ids_in_order(alice):
    when = datetime.datetime(2026, 3, 1, 9, 30, tzinfo=datetime.UTC)
    names = [f"Zoë {n}" for n in range(7)]
    ids = insert_rows(
        Contact,
        NAMES,
        [(name, name, name.lower()) for name in names],
        constants={"owner_id": alice.pk, "created": when, "updated": when},
        batch_size=3,
    )
    assert len(ids) == 7
    saved = Contact.objects.in_bulk(ids)
    assert [saved[pk].given_name for pk in ids] == names
    assert {saved[pk].created for pk in ids} == {when}
    assert all(saved[pk].owner == alice for pk in ids)
    # Columns neither given nor constant take the model's defaults.
    assert {saved[pk].family_name for pk in ids} == {""}
    assert {saved[pk].is_favorite for pk in ids} == {False}
    assert {saved[pk].birthday_year for pk in ids} == {None}


def test_rows_without_returned_keys_are_saved_too(alice):
    pk = one_contact(alice)
    emails = [(pk, f"zoe{n}@example.com") for n in range(1200)]
    assert (
        insert_rows(ContactEmail, ("contact_id", "value"), emails, returning=False)
        == []
    )
    saved = ContactEmail.objects.filter(contact_id=pk)
    assert saved.count() == 1200
    assert {email.label for email in saved[:5]} == {ContactEmail().label}


def test_conflicts_can_be_ignored(alice):
    pk = one_contact(alice)
    label = Label.objects.create(owner=alice, name="Family")
    link = (pk, label.pk)
    columns = ("contact_id", "label_id")
    assert insert_rows(ContactLabel, columns, [link, link], ignore_conflicts=True) == []
    assert ContactLabel.objects.filter(contact_id=pk).count() == 1


def test_nothing_to_insert_runs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert insert_rows(Contact, NAMES, []) == []


def test_keys_of_deleted_rows_are_never_given_again(alice):
    gone = one_contact(alice)
    Contact.objects.filter(pk=gone).delete()
    kept = one_contact(alice)
    assert kept > gone
    when = datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC)
    ids = insert_rows(
        Contact,
        NAMES,
        [("Ana", "Ana", "ana"), ("Bo", "Bo", "bo")],
        constants={"owner_id": alice.pk, "created": when, "updated": when},
    )
    assert ids == [kept + 1, kept + 2]
    assert list(
        Contact.objects.filter(pk__in=ids).order_by("pk").values_list("given_name")
    ) == [("Ana",), ("Bo",)]
    # The database's own next key comes after them.
    assert one_contact(alice) == kept + 3


def test_awkward_text_is_saved_exactly(alice):
    awkward = [
        'Zoë "Z" O\'Brien',
        "back\\slash",
        "{braces}, commas",
        "NULL",
        "null",
        "",
        "  spaced  ",
        "line\nbreak\ttab",
        "🙂 emoji",
    ]
    when = datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC)
    ids = insert_rows(
        Contact,
        (*NAMES, "birthday_day", "birthday_month", "birthday_year"),
        [
            (text, text or "x", "x", n + 1, 2, None if n % 2 else 1990 + n)
            for n, text in enumerate(awkward)
        ],
        constants={"owner_id": alice.pk, "created": when, "updated": when},
    )
    saved = Contact.objects.in_bulk(ids)
    assert [saved[pk].given_name for pk in ids] == awkward
    assert [saved[pk].birthday_year for pk in ids] == [
        None if n % 2 else 1990 + n for n in range(len(awkward))
    ]


def test_a_value_too_long_for_its_column_is_refused_not_cut(alice):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite does not hold text to a length")
    when = datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC)
    too_long = "x" * (Contact._meta.get_field("given_name").max_length + 1)
    with pytest.raises(DataError):
        insert_rows(
            Contact,
            NAMES,
            [(too_long, "x", "x")],
            constants={"owner_id": alice.pk, "created": when, "updated": when},
        )
