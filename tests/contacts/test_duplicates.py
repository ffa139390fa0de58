"""Duplicates: finding groups and merging them without losing anything."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from contacts.models import Contact
from contacts.selectors.duplicates import Reason, duplicate_groups, duplicate_page
from contacts.services.duplicates import contacts_merge, differing_fields
from tests.conftest import HTMX
from tests.factories import ContactFactory, LabelFactory

pytestmark = pytest.mark.django_db


# ---------- Finding groups ----------


def test_contacts_sharing_an_email_phone_or_name_are_grouped(alice):
    a = ContactFactory(owner=alice, given_name="Ann", emails=["ann@x.example"])
    b = ContactFactory(owner=alice, given_name="Annie", emails=["ANN@x.example"])
    c = ContactFactory(owner=alice, given_name="Bo", phones=["+1 415 555 0100"])
    d = ContactFactory(owner=alice, given_name="Bob", phones=["(415) 555-0100"])
    e = ContactFactory(owner=alice, given_name="Zoë", family_name="Martin")
    f = ContactFactory(owner=alice, given_name="zoe", family_name="MARTIN")
    ContactFactory(owner=alice, given_name="Alone")
    groups = {
        frozenset(group.ids): group.reasons for group in duplicate_groups(owner=alice)
    }
    assert groups == {
        frozenset({a.pk, b.pk}): {Reason.EMAIL},
        frozenset({c.pk, d.pk}): {Reason.PHONE},
        frozenset({e.pk, f.pk}): {Reason.NAME},
    }


def test_groups_join_through_any_shared_value(alice):
    a = ContactFactory(owner=alice, emails=["one@x.example"])
    b = ContactFactory(owner=alice, emails=["one@x.example"], phones=["555 0101"])
    c = ContactFactory(owner=alice, phones=["555 0101"])
    [group] = duplicate_groups(owner=alice)
    assert set(group.ids) == {a.pk, b.pk, c.pk}
    assert group.reasons == {Reason.EMAIL, Reason.PHONE}


def test_trash_and_other_members_are_left_out(alice, bob):
    ContactFactory(owner=alice, emails=["x@x.example"])
    ContactFactory(owner=alice, emails=["x@x.example"], trashed=True)
    ContactFactory(owner=bob, emails=["x@x.example"])
    assert duplicate_groups(owner=alice) == []


def test_groups_page_by_name(alice, monkeypatch):
    monkeypatch.setattr("contacts.selectors.duplicates.GROUPS_PER_PAGE", 2)
    for name in ("Ann", "Bea", "Cy"):
        ContactFactory(owner=alice, given_name=name, family_name="Same")
        ContactFactory(owner=alice, given_name=name, family_name="Same")
    first = duplicate_page(owner=alice)
    assert [group.contacts[0].given_name for group in first.groups] == ["Ann", "Bea"]
    second = duplicate_page(owner=alice, after=first.next_cursor)
    assert [group.contacts[0].given_name for group in second.groups] == ["Cy"]
    assert second.next_cursor is None
    assert first.total == 3


# ---------- Merging ----------


def test_merge_keeps_every_detail_and_the_chosen_name(alice):
    family = LabelFactory(owner=alice, name="Family")
    work = LabelFactory(owner=alice, name="Work")
    a = ContactFactory(
        owner=alice,
        given_name="Ann",
        family_name="Lee",
        organization="Acme",
        emails=["ann@x.example"],
        phones=["+1 415 555 0100"],
        addresses=["Leeds"],
        notes="First note",
        labels=[family],
    )
    b = ContactFactory(
        owner=alice,
        given_name="Annie",
        family_name="Lee",
        organization="Initech",
        emails=["ann@x.example", "annie@y.example"],
        phones=["(415) 555-0100", "+44 20 7946 0000"],
        websites=["https://annie.example"],
        notes="Second note",
        labels=[work],
        is_favorite=True,
    )
    assert differing_fields([a, b]) == ["name", "organization"]
    kept = contacts_merge(
        owner=alice,
        contact_ids=[a.pk, b.pk],
        choices={"name": b.pk, "organization": a.pk},
    )
    assert kept.pk == b.pk
    kept = Contact.objects.get(pk=kept.pk)
    assert kept.shown_name == "Annie Lee"
    assert kept.organization == "Acme"
    assert kept.is_favorite
    assert sorted(kept.emails.values_list("value", flat=True)) == [
        "ann@x.example",
        "annie@y.example",
    ]
    assert kept.phones.count() == 2
    assert kept.addresses.get().city == "Leeds"
    assert kept.websites.get().url == "https://annie.example"
    assert set(kept.labels.values_list("name", flat=True)) == {"Family", "Work"}
    assert kept.notes == "Second note\n\nFirst note"
    a.refresh_from_db()
    assert a.deleted_at is not None


def test_merge_moves_the_member_link_to_the_kept_contact(alice, bob):
    linked = ContactFactory(owner=alice, given_name="Bob", emails=["bob@example.com"])
    Contact.objects.filter(pk=linked.pk).update(member=bob)
    other = ContactFactory(owner=alice, given_name="Robert", emails=["bob@example.com"])
    kept = contacts_merge(
        owner=alice, contact_ids=[linked.pk, other.pk], choices={"name": other.pk}
    )
    assert Contact.objects.get(pk=kept.pk).member == bob
    assert Contact.objects.get(pk=linked.pk).member is None


def test_merge_refuses_what_would_break_a_limit_and_changes_nothing(alice, settings):
    settings.RAPPORT_CONTACT_DETAILS_MAX = 2
    a = ContactFactory(owner=alice, emails=["a@x.example", "b@x.example"])
    b = ContactFactory(owner=alice, emails=["c@x.example"])
    with pytest.raises(ValidationError, match="3 emails"):
        contacts_merge(owner=alice, contact_ids=[a.pk, b.pk], choices={})
    assert Contact.objects.owned_by(alice).count() == 2


def test_merge_needs_two_of_the_owners_live_contacts(alice, bob):
    mine = ContactFactory(owner=alice)
    theirs = ContactFactory(owner=bob)
    with pytest.raises(ValidationError, match="at least two"):
        contacts_merge(owner=alice, contact_ids=[mine.pk], choices={})
    with pytest.raises(ValidationError, match="no longer exist"):
        contacts_merge(owner=alice, contact_ids=[mine.pk, theirs.pk], choices={})
    assert Contact.objects.get(pk=theirs.pk).deleted_at is None


# ---------- Pages ----------


def test_duplicates_page_lists_groups_with_merge_forms(alice, alice_client):
    a = ContactFactory(owner=alice, given_name="Ann", emails=["ann@x.example"])
    b = ContactFactory(owner=alice, given_name="Annie", emails=["ann@x.example"])
    page = alice_client.get(reverse("contacts:duplicates")).content.decode()
    assert "Same email" in page
    assert f'name="contact" value="{a.pk}"' in page
    assert f'name="contact" value="{b.pk}"' in page


def test_duplicates_page_says_when_there_are_none(alice, alice_client):
    page = alice_client.get(reverse("contacts:duplicates")).content.decode()
    assert "No duplicates" in page


def test_load_more_returns_only_the_groups(alice, alice_client, monkeypatch):
    monkeypatch.setattr("contacts.selectors.duplicates.GROUPS_PER_PAGE", 1)
    for name in ("Ann", "Bea"):
        ContactFactory(owner=alice, given_name=name, family_name="Same")
        ContactFactory(owner=alice, given_name=name, family_name="Same")
    first = duplicate_page(owner=alice)
    response = alice_client.get(
        reverse("contacts:duplicates"),
        {"after": first.next_cursor},
        HTTP_HX_TARGET="load-more",
        **HTMX,
    )
    text = response.content.decode()
    assert "Bea" in text
    assert "<html" not in text


def test_merge_page_asks_only_about_differences_then_merges(alice, alice_client):
    a = ContactFactory(owner=alice, given_name="Ann", emails=["ann@x.example"])
    b = ContactFactory(owner=alice, given_name="Annie", emails=["ann@x.example"])
    url = reverse("contacts:duplicates_merge")
    page = alice_client.get(url, {"contact": [a.pk, b.pk]}).content.decode()
    assert "Keep which name?" in page
    assert "Keep which organization?" not in page
    response = alice_client.post(url, {"contact": [a.pk, b.pk], "name": a.pk})
    assert response.status_code == 302
    assert response["Location"] == a.get_absolute_url()
    assert Contact.objects.owned_by(alice).count() == 1


def test_merge_page_shows_why_a_merge_is_refused(alice, alice_client, settings):
    settings.RAPPORT_CONTACT_DETAILS_MAX = 1
    a = ContactFactory(owner=alice, given_name="Ann", emails=["a@x.example"])
    b = ContactFactory(owner=alice, given_name="Ann", emails=["b@x.example"])
    response = alice_client.post(
        reverse("contacts:duplicates_merge"), {"contact": [a.pk, b.pk]}
    )
    assert response.status_code == 400
    assert "2 emails" in response.content.decode()


def test_another_members_contacts_cannot_be_merged_or_shown(alice, bob_client):
    a = ContactFactory(owner=alice, given_name="Secret", emails=["s@x.example"])
    b = ContactFactory(owner=alice, given_name="Secret", emails=["s@x.example"])
    url = reverse("contacts:duplicates_merge")
    response = bob_client.get(url, {"contact": [a.pk, b.pk]})
    assert response.status_code == 302
    response = bob_client.post(url, {"contact": [a.pk, b.pk]})
    assert response.status_code == 302
    assert Contact.objects.owned_by(alice).count() == 2
    assert (
        "Secret" not in bob_client.get(reverse("contacts:duplicates")).content.decode()
    )


def test_duplicates_page_query_count_does_not_grow_with_groups(
    alice, alice_client, django_assert_max_num_queries
):
    # One group of each kind first, so every lookup query is already counted.
    for _twice in range(2):
        ContactFactory(owner=alice, given_name="A", emails=["a@x.example"])
        ContactFactory(owner=alice, given_name="B", phones=["+1 415 555 0100"])
        ContactFactory(owner=alice, given_name="C", phones=["550"])
        ContactFactory(owner=alice, given_name="Same", family_name="Name")
    url = reverse("contacts:duplicates")
    alice_client.get(url)
    with django_assert_max_num_queries(20) as one:
        alice_client.get(url)
    for index in range(10):
        ContactFactory(
            owner=alice, emails=[f"p{index}@x.example"], phones=[f"55{index}"]
        )
        ContactFactory(
            owner=alice, emails=[f"p{index}@x.example"], phones=[f"55{index}"]
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        alice_client.get(url)
