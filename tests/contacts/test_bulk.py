"""The multi-row insert that imports use."""

import datetime

import pytest

from contacts.models import Contact, ContactLabel, Label
from contacts.services.bulk import insert_rows

pytestmark = pytest.mark.django_db


def contact_row(owner, name, when):
    template = Contact(owner_id=owner.pk, created=when, updated=when)
    row = {
        field.attname: getattr(template, field.attname)
        for field in Contact._meta.concrete_fields
    }
    row.update(given_name=name, shown_name=name, sort_name=name.lower())
    return row


def test_rows_come_back_as_saved_with_their_ids_in_order(alice):
    when = datetime.datetime(2026, 3, 1, 9, 30, tzinfo=datetime.UTC)
    names = [f"Zoë {n}" for n in range(7)]
    ids = insert_rows(
        Contact, [contact_row(alice, name, when) for name in names], batch_size=3
    )
    assert len(ids) == 7
    saved = Contact.objects.in_bulk(ids)
    assert [saved[pk].given_name for pk in ids] == names
    assert {saved[pk].created for pk in ids} == {when}
    assert all(saved[pk].owner == alice for pk in ids)


def test_conflicts_can_be_ignored(alice):
    when = datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC)
    (pk,) = insert_rows(Contact, [contact_row(alice, "Zoë", when)])
    label = Label.objects.create(owner=alice, name="Family")
    link = {"contact_id": pk, "label_id": label.pk}
    assert insert_rows(ContactLabel, [link, dict(link)], ignore_conflicts=True) == []
    assert ContactLabel.objects.filter(contact_id=pk).count() == 1


def test_nothing_to_insert_runs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert insert_rows(Contact, []) == []
