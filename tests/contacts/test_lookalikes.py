"""A contact's page names the other contacts that share an email or a number."""

import re

import pytest
from django.urls import reverse

from contacts.models import NotDuplicate
from contacts.selectors.contacts import contact_with_details
from contacts.selectors.duplicates import LOOKALIKES_SHOWN, lookalikes
from contacts.services.duplicates import contacts_mark_not_duplicates
from contacts.services.trash import contact_trash
from tests.contacts.test_views import DETAIL_QUERIES
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def found(contact):
    loaded = contact_with_details(owner=contact.owner).get(pk=contact.pk)
    return [(item.contact.shown_name, item.reason) for item in lookalikes(loaded)]


@pytest.fixture
def ann(alice):
    return ContactFactory(
        owner=alice,
        given_name="Ann",
        family_name="Lee",
        emails=["ann@x.example"],
        phones=["+1 415 555 0100"],
    )


def test_contacts_sharing_an_email_or_a_number_are_found(alice, ann):
    ContactFactory(
        owner=alice, given_name="Annie", family_name="Lee", emails=["ann@x.example"]
    )
    # The same number written another way.
    ContactFactory(
        owner=alice, given_name="A.", family_name="Lee", phones=["+14155550100"]
    )
    ContactFactory(
        owner=alice,
        given_name="Mrs",
        family_name="Lee",
        emails=["ann@x.example"],
        phones=["+1 (415) 555-0100"],
    )
    ContactFactory(owner=alice, given_name="Ann", family_name="Lee")  # a name only
    ContactFactory(owner=alice, emails=["other@x.example"], phones=["+1 415 555 0199"])
    assert found(ann) == [
        ("A. Lee", "same phone number"),
        ("Annie Lee", "same email"),
        ("Mrs Lee", "same email and phone number"),
    ]


def test_another_members_contacts_are_never_found(alice, bob, ann):
    ContactFactory(owner=bob, emails=["ann@x.example"], phones=["+1 415 555 0100"])
    assert found(ann) == []


def test_contacts_in_the_trash_are_not_found_and_neither_is_a_trashed_one(alice, ann):
    twin = ContactFactory(owner=alice, given_name="Twin", emails=["ann@x.example"])
    contact_trash(contact=twin)
    assert found(ann) == []
    ann.refresh_from_db()
    contact_trash(contact=ann)
    ann.refresh_from_db()
    assert lookalikes(ann) == []


def test_contacts_marked_as_not_duplicates_are_not_found(alice, ann):
    twin = ContactFactory(owner=alice, given_name="Twin", emails=["ann@x.example"])
    ContactFactory(
        owner=alice, given_name="Other", family_name="", phones=["+14155550100"]
    )
    contacts_mark_not_duplicates(owner=alice, contact_ids=[twin.pk, ann.pk])
    assert found(ann) == [("Other", "same phone number")]
    assert found(twin) == []


def test_a_contact_without_emails_or_numbers_costs_no_query(
    alice, django_assert_num_queries
):
    alone = contact_with_details(owner=alice).get(
        pk=ContactFactory(owner=alice, given_name="Ann").pk
    )
    list(alone.emails.all()), list(alone.phones.all())
    with django_assert_num_queries(0):
        assert lookalikes(alone) == []


def test_at_most_a_few_are_found_in_the_order_of_their_names(alice, ann):
    for letter in "GFEDCBA":
        ContactFactory(
            owner=alice, given_name=letter, family_name="", emails=["ann@x.example"]
        )
    names = [name for name, _reason in found(ann)]
    assert names == list("ABCDEFG")[:LOOKALIKES_SHOWN]


# ---------- On the contact's page ----------


def test_the_page_names_them_with_a_merge_and_a_not_duplicates(
    alice, alice_client, ann
):
    annie = ContactFactory(
        owner=alice, given_name="Annie", family_name="Lee", emails=["ann@x.example"]
    )
    page = alice_client.get(ann.get_absolute_url()).content.decode()
    assert "The same person?" in page
    assert "Annie Lee" in page
    assert "Same email" in page
    merge = reverse("contacts:duplicates_merge")
    back = ann.get_absolute_url()
    assert (
        f'href="{merge}?contact={ann.pk}&amp;contact={annie.pk}&amp;next={back}"'
        in page
    )
    apart = re.search(
        r'<form method="post" action="/contacts/duplicates/apart/">(.*?)</form>',
        page,
        re.DOTALL,
    )
    assert apart, page
    assert f'name="next" value="{ann.get_absolute_url()}"' in apart[1]
    assert f'name="contact" value="{ann.pk}"' in apart[1]
    assert f'name="contact" value="{annie.pk}"' in apart[1]


def test_a_contact_with_no_lookalike_shows_nothing_of_it(alice, alice_client, ann):
    page = alice_client.get(ann.get_absolute_url()).content.decode()
    assert "The same person?" not in page


def test_the_merge_link_opens_the_merge_of_the_contact_and_its_lookalikes(
    alice, alice_client, ann
):
    annie = ContactFactory(owner=alice, given_name="Annie", emails=["ann@x.example"])
    response = alice_client.get(
        reverse("contacts:duplicates_merge"), {"contact": [ann.pk, annie.pk]}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ann Lee" in page
    assert "Annie" in page


def test_the_merge_page_opened_from_a_contact_goes_back_to_it(alice, alice_client, ann):
    annie = ContactFactory(owner=alice, given_name="Annie", emails=["ann@x.example"])
    back = ann.get_absolute_url()
    page = alice_client.get(
        reverse("contacts:duplicates_merge"),
        {"contact": [ann.pk, annie.pk], "next": back},
    ).content.decode()
    crumb = re.search(r'class="muted small import-crumb"><a href="([^"]+)">', page)
    assert crumb[1] == back
    assert "Ann Lee</a></p>" in page
    assert f'<a class="btn btn-ghost" href="{back}">Cancel</a>' in page
    assert page.count(f'<input type="hidden" name="next" value="{back}">') == 2


@pytest.mark.parametrize("elsewhere", ["https://evil.example/", "/contacts/999999/"])
def test_the_merge_page_goes_back_only_to_one_of_its_contacts(
    alice, alice_client, ann, elsewhere
):
    annie = ContactFactory(owner=alice, given_name="Annie", emails=["ann@x.example"])
    page = alice_client.get(
        reverse("contacts:duplicates_merge"),
        {"contact": [ann.pk, annie.pk], "next": elsewhere},
    ).content.decode()
    duplicates = reverse("contacts:duplicates")
    assert f'<a class="btn btn-ghost" href="{duplicates}">Cancel</a>' in page
    assert f'value="{elsewhere}"' not in page


def test_not_duplicates_from_the_page_comes_back_to_it(alice, alice_client, ann):
    annie = ContactFactory(owner=alice, given_name="Annie", emails=["ann@x.example"])
    response = alice_client.post(
        reverse("contacts:duplicates_keep_apart"),
        {"contact": [ann.pk, annie.pk], "next": ann.get_absolute_url()},
    )
    assert response.status_code == 302
    assert response["Location"] == ann.get_absolute_url()
    assert NotDuplicate.objects.filter(owner=alice).count() == 1
    page = alice_client.get(ann.get_absolute_url()).content.decode()
    assert "The same person?" not in page
    assert "marked as not duplicates" in page


def test_not_duplicates_goes_nowhere_else_than_this_site(alice, alice_client, ann):
    annie = ContactFactory(owner=alice, given_name="Annie", emails=["ann@x.example"])
    response = alice_client.post(
        reverse("contacts:duplicates_keep_apart"),
        {"contact": [ann.pk, annie.pk], "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("contacts:duplicates")


def test_the_page_reads_them_in_one_query_whatever_their_number(
    alice, alice_client, ann, django_assert_max_num_queries
):
    with django_assert_max_num_queries(DETAIL_QUERIES) as alone:
        alice_client.get(ann.get_absolute_url())
    for index in range(4):
        ContactFactory(
            owner=alice, given_name=f"Twin {index}", emails=["ann@x.example"]
        )
    with django_assert_max_num_queries(len(alone.captured_queries)):
        page = alice_client.get(ann.get_absolute_url()).content.decode()
    assert page.count('class="lookalike-list"') == 1
    assert "Twin 3" in page


def test_the_merge_page_proposes_the_values_of_the_contact_it_came_from(
    alice, alice_client, ann
):
    annie = ContactFactory(
        owner=alice, given_name="Annie", family_name="Lee", emails=["ann@x.example"]
    )
    url = reverse("contacts:duplicates_merge")
    ids = {"contact": [ann.pk, annie.pk]}
    for origin in (ann, annie):
        page = alice_client.get(
            url, {**ids, "next": origin.get_absolute_url()}
        ).content.decode()
        checked = re.findall(r'name="name" value="(\d+)" checked', page)
        assert checked == [str(origin.pk)]
    page = alice_client.get(url, ids).content.decode()
    first = min((ann, annie), key=lambda contact: (contact.sort_name, contact.pk))
    assert re.findall(r'name="name" value="(\d+)" checked', page) == [str(first.pk)]
