"""Duplicates: finding groups and merging them without losing anything."""

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from contacts.models import AddressBook, Contact, NotDuplicate
from contacts.selectors.duplicates import (
    GROUPS_CACHE_FORM,
    Reason,
    duplicate_groups,
    duplicate_page,
    kept_apart,
)
from contacts.services.address_books import address_book_set_region
from contacts.services.contacts import (
    ContactData,
    contact_create_from_member,
    contact_update,
)
from contacts.services.duplicates import (
    contacts_mark_not_duplicates,
    contacts_merge,
    contacts_merge_groups,
    contacts_unmark_not_duplicates,
    differing_fields,
)
from contacts.services.trash import (
    contact_restore,
    contact_trash,
    contacts_bulk_trash,
)
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


def test_names_in_another_order_or_with_punctuation_are_grouped(alice):
    a = ContactFactory(owner=alice, display_name="Smith, John")
    b = ContactFactory(owner=alice, given_name="John", family_name="Smith")
    c = ContactFactory(owner=alice, given_name="Jean-Luc", family_name="Côté")
    d = ContactFactory(owner=alice, display_name="COTE Jean Luc")
    ContactFactory(owner=alice, given_name="John", family_name="Smithers")
    groups = {
        frozenset(group.ids): (group.reasons, group.shared)
        for group in duplicate_groups(owner=alice)
    }
    assert groups == {
        frozenset({a.pk, b.pk}): ({Reason.NAME}, ["smith, john"]),
        frozenset({c.pk, d.pk}): ({Reason.NAME}, ["jean-luc cote"]),
    }


def test_names_that_differ_by_initials_or_titles_are_grouped(alice):
    a = ContactFactory(
        owner=alice, given_name="Ann", middle_name="B.", family_name="Lee"
    )
    b = ContactFactory(owner=alice, prefix="Dr.", given_name="Ann", family_name="Lee")
    ContactFactory(owner=alice, given_name="A.", family_name="Lee")
    ContactFactory(owner=alice, given_name="Ann", family_name="Lee", suffix="Jr.")
    groups = {
        frozenset(group.ids): group.reasons for group in duplicate_groups(owner=alice)
    }
    assert groups == {frozenset({a.pk, b.pk}): {Reason.NAME}}


def test_names_one_letter_apart_are_grouped_as_similar(alice):
    ann = ContactFactory(owner=alice, given_name="Ann", family_name="Lee")
    anne = ContactFactory(owner=alice, given_name="Anne", family_name="Lee")
    anne_too = ContactFactory(owner=alice, display_name="Lee, Anne")
    jon = ContactFactory(owner=alice, given_name="Jon", family_name="Baker")
    john = ContactFactory(owner=alice, given_name="JOHN", family_name="Baker")
    smith = ContactFactory(owner=alice, given_name="Katherine", family_name="Smith")
    smyth = ContactFactory(owner=alice, given_name="Catherine", family_name="Smyth")
    catherine = ContactFactory(owner=alice, given_name="Catherine", family_name="Smith")
    groups = {
        frozenset(group.ids): (group.reasons, set(group.shared))
        for group in duplicate_groups(owner=alice)
    }
    assert groups == {
        frozenset({ann.pk, anne.pk, anne_too.pk}): (
            {Reason.NAME, Reason.SIMILAR_NAME},
            {"ann lee", "anne lee"},  # each name once, as its first card has it
        ),
        frozenset({jon.pk, john.pk}): (
            {Reason.SIMILAR_NAME},
            {"jon baker", "john baker"},
        ),
        # Katherine Smith ~ Catherine Smith ~ Catherine Smyth, one letter each.
        frozenset({smith.pk, smyth.pk, catherine.pk}): (
            {Reason.SIMILAR_NAME},
            {"katherine smith", "catherine smith", "catherine smyth"},
        ),
    }


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (
            {"given_name": "Dan", "family_name": "Lee"},
            {"given_name": "Don", "family_name": "Lee"},
        ),
        ({"given_name": "Ann"}, {"given_name": "Anne"}),  # one word: too little
        (
            {"given_name": "Ann", "family_name": "Lee"},
            {"given_name": "Anne", "family_name": "Leigh"},
        ),
        ({"emails": ["ann@x.example"]}, {"emails": ["anne@x.example"]}),
        (
            {"given_name": "Room", "family_name": "101"},
            {"given_name": "Room", "family_name": "102"},
        ),
        (
            {"given_name": "Ann", "family_name": "Lee"},
            {"given_name": "Ann", "family_name": "Lee", "middle_name": "Mary"},
        ),
    ],
)
def test_names_further_apart_are_not_similar(alice, one, other):
    blank = {"given_name": "", "family_name": ""}
    ContactFactory(owner=alice, **{**blank, **one})
    ContactFactory(owner=alice, **{**blank, **other})
    assert duplicate_groups(owner=alice) == []


def test_similar_names_kept_apart_stay_apart(alice):
    ann = ContactFactory(owner=alice, given_name="Ann", family_name="Lee")
    anne = ContactFactory(owner=alice, given_name="Anne", family_name="Lee")
    contacts_mark_not_duplicates(owner=alice, contact_ids=[ann.pk, anne.pk])
    assert duplicate_groups(owner=alice) == []
    # Another Anne Lee is new, and one letter from Ann: the group is back.
    again = ContactFactory(owner=alice, given_name="Anne", family_name="Lee")
    [group] = duplicate_groups(owner=alice)
    assert set(group.ids) == {ann.pk, anne.pk, again.pk}


def test_many_names_alike_find_only_their_near_twins(alice):
    # A family name shared by many: the names are compared through their
    # one-letter variants, not pair by pair, and only near twins group.
    for given in ("Ada", "Ben", "Cleo", "Dmitri", "Esther", "Farouk", "Greta"):
        ContactFactory(owner=alice, given_name=given, family_name="Smith")
    greta = ContactFactory(owner=alice, given_name="Gretta", family_name="Smith")
    [group] = duplicate_groups(owner=alice)
    assert greta.pk in group.ids
    assert {
        contact.given_name for contact in Contact.objects.filter(pk__in=group.ids)
    } == {
        "Greta",
        "Gretta",
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


def test_merge_keeps_every_detail_and_the_chosen_name(alice, ann_and_annie):
    a, b = ann_and_annie
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


# ---------- Merge all ----------


def test_merge_all_merges_each_group_as_the_merge_page_proposes(alice):
    work = LabelFactory(owner=alice, name="Work")
    jon = ContactFactory(
        owner=alice, given_name="Jon", family_name="Baker", emails=["jon@x.example"]
    )
    john = ContactFactory(
        owner=alice,
        given_name="John",
        family_name="Baker",
        organization="Initech",
        phones=["555 0101"],
        labels=[work],
    )
    kim = ContactFactory(owner=alice, given_name="Kim", family_name="Park")
    kim_too = ContactFactory(owner=alice, given_name="Kim", family_name="Park")
    kim_again = ContactFactory(owner=alice, given_name="Kim", family_name="Park")
    outcome = contacts_merge_groups(
        owner=alice,
        groups=[[jon.pk, john.pk], [kim.pk, kim_too.pk, kim_again.pk]],
    )
    assert outcome.trashed == 3
    assert outcome.refused == []
    left = {contact.pk: contact for contact in Contact.objects.owned_by(alice)}
    assert set(left) == {john.pk, kim.pk}
    # "John Baker" comes first by name, and keeps everything both held.
    merged = left[john.pk]
    assert merged.shown_name == "John Baker"
    assert merged.organization == "Initech"
    assert [email.value for email in merged.emails.all()] == ["jon@x.example"]
    assert [phone.value for phone in merged.phones.all()] == ["555 0101"]
    assert [label.name for label in merged.labels.all()] == ["Work"]
    assert Contact.objects.in_trash_of(alice).count() == 3


def test_merge_all_keeps_the_values_it_did_not_choose_in_the_notes(alice):
    ann = ContactFactory(
        owner=alice,
        given_name="Ann",
        family_name="Lee",
        organization="Acme",
        birthday_day=3,
        birthday_month=4,
        birthday_year=1990,
        emails=["ann@x.example"],
        notes="Met in Leeds",
    )
    annie = ContactFactory(
        owner=alice,
        given_name="Annie",
        family_name="Lee",
        organization="Initech",
        job_title="CTO",
        birthday_day=4,
        birthday_month=4,
        emails=["ann@x.example"],
    )
    # The same birthday without its year, and the same organization, add nothing.
    anne = ContactFactory(
        owner=alice,
        given_name="Anne",
        family_name="Lee",
        organization="ACME",
        birthday_day=3,
        birthday_month=4,
        emails=["ann@x.example"],
    )
    contacts_merge_groups(owner=alice, groups=[[ann.pk, annie.pk, anne.pk]])
    merged = Contact.objects.get(pk=ann.pk)
    assert (merged.organization, merged.job_title) == ("Acme", "CTO")
    assert merged.notes == "Met in Leeds\n\nOrganization: Initech\nBirthday: 4 April"
    # A merge the member makes on the merge page keeps what they chose only.
    bo, bob = (
        ContactFactory(owner=alice, given_name="Bo", organization=name, phones=["1"])
        for name in ("Acme", "Initech")
    )
    kept = contacts_merge(
        owner=alice,
        contact_ids=[bo.pk, bob.pk],
        choices={"name": bo.pk, "organization": bo.pk},
    )
    assert (kept.organization, kept.notes) == ("Acme", "")


def test_merge_all_leaves_a_refused_group_as_it_is_and_merges_the_others(
    alice, settings
):
    settings.RAPPORT_CONTACT_DETAILS_MAX = 2
    # The same names, so each group's first contact (by name, then id) is known.
    same = {"family_name": "Lee"}
    a = ContactFactory(
        owner=alice, given_name="Ann", emails=["a@x.example", "b@x.example"], **same
    )
    b = ContactFactory(owner=alice, given_name="Ann", emails=["c@x.example"], **same)
    c = ContactFactory(owner=alice, given_name="Bo", phones=["555 0100"], **same)
    d = ContactFactory(owner=alice, given_name="Bo", phones=["555 0100"], **same)
    outcome = contacts_merge_groups(owner=alice, groups=[[a.pk, b.pk], [c.pk, d.pk]])
    assert [contact.pk for contact in outcome.kept] == [c.pk]
    [(name, reason)] = outcome.refused
    assert name == a.shown_name
    assert "3 emails" in reason
    assert set(Contact.objects.owned_by(alice).values_list("pk", flat=True)) == {
        a.pk,
        b.pk,
        c.pk,
    }
    assert a.emails.count() == 2


def test_merge_all_twice_changes_nothing_more(alice, bob):
    a = ContactFactory(owner=alice, emails=["same@x.example"])
    b = ContactFactory(owner=alice, emails=["same@x.example"])
    stranger = ContactFactory(owner=bob, emails=["same@x.example"])
    contacts_merge_groups(owner=alice, groups=[[a.pk, b.pk]])
    again = contacts_merge_groups(owner=alice, groups=[[a.pk, b.pk]])
    assert (again.kept, again.refused, again.trashed) == ([], [], 0)
    assert Contact.objects.owned_by(alice).count() == 1
    # Another member's contact is not found, so it joins nothing.
    assert contacts_merge_groups(owner=alice, groups=[[a.pk, stranger.pk]]).kept == []
    assert Contact.objects.owned_by(bob).get() == stranger


def test_merge_all_takes_a_bounded_number_of_groups(alice, monkeypatch):
    monkeypatch.setattr("contacts.services.duplicates.MERGE_GROUPS_MAX", 1)
    a, b, c, d = (ContactFactory(owner=alice, given_name="Same") for _ in range(4))
    with pytest.raises(ValidationError, match="at most 1 groups"):
        contacts_merge_groups(owner=alice, groups=[[a.pk, b.pk], [c.pk, d.pk]])
    assert Contact.objects.owned_by(alice).count() == 4


def test_merge_all_from_the_page_without_javascript(alice, alice_client):
    ContactFactory(owner=alice, given_name="Jon", family_name="Baker")
    ContactFactory(owner=alice, given_name="John", family_name="Baker")
    ContactFactory(owner=alice, emails=["one@x.example"])
    ContactFactory(owner=alice, emails=["one@x.example"])
    page = alice_client.get(reverse("contacts:duplicates")).content.decode()
    assert page.count('name="group"') == 2
    assert 'form="merge-all"' in page
    groups = [group.split('"')[0] for group in page.split('name="group" value="')[1:]]
    response = alice_client.post(
        reverse("contacts:duplicates_merge_all"), {"group": groups}, follow=True
    )
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("contacts:duplicates")
    assert "2 groups merged; 2 contacts are in the Trash." in html
    assert "No duplicates" in html
    assert Contact.objects.owned_by(alice).count() == 2
    # A second click finds the groups merged already.
    again = alice_client.post(
        reverse("contacts:duplicates_merge_all"), {"group": groups}, follow=True
    )
    assert "Nothing to merge: these groups were merged already." in (
        again.content.decode()
    )
    assert Contact.objects.owned_by(alice).count() == 2


def test_merge_all_counts_the_contacts_in_the_trash_in_words_that_agree(
    alice, alice_client
):
    # One group of three: one group merged, but two contacts in the Trash.
    three = [ContactFactory(owner=alice, emails=["one@x.example"]) for _ in range(3)]
    response = alice_client.post(
        reverse("contacts:duplicates_merge_all"),
        {"group": "-".join(str(contact.pk) for contact in three)},
        follow=True,
    )
    assert "1 group merged; 2 contacts are in the Trash." in response.content.decode()
    assert Contact.objects.owned_by(alice).count() == 1


def test_merge_all_says_which_groups_were_left_and_why(alice, alice_client, settings):
    settings.RAPPORT_CONTACT_DETAILS_MAX = 1
    a = ContactFactory(
        owner=alice, given_name="Ann", family_name="Lee", emails=["a@x.example"]
    )
    b = ContactFactory(
        owner=alice, given_name="Ann", family_name="Lee", emails=["b@x.example"]
    )
    response = alice_client.post(
        reverse("contacts:duplicates_merge_all"),
        {"group": [f"{a.pk}-{b.pk}", "nonsense", "7"]},
        follow=True,
    )
    html = response.content.decode()
    assert "Ann Lee and its duplicates were not merged:" in html
    assert "groups merged" not in html
    assert Contact.objects.owned_by(alice).count() == 2


def test_merge_all_only_answers_a_post_of_the_owner(alice, bob_client):
    a = ContactFactory(owner=alice, emails=["x@x.example"])
    b = ContactFactory(owner=alice, emails=["x@x.example"])
    url = reverse("contacts:duplicates_merge_all")
    assert bob_client.get(url).status_code == 405
    bob_client.post(url, {"group": [f"{a.pk}-{b.pk}"]})
    assert Contact.objects.owned_by(alice).count() == 2


# ---------- Not duplicates ----------


def _grouped(owner) -> set[frozenset[int]]:
    return {frozenset(group.ids) for group in duplicate_groups(owner=owner)}


def test_contacts_marked_as_not_duplicates_are_no_longer_grouped(alice):
    a = ContactFactory(owner=alice, given_name="Ann", emails=["home@x.example"])
    b = ContactFactory(owner=alice, given_name="Ben", emails=["home@x.example"])
    c = ContactFactory(owner=alice, given_name="Cy", family_name="Same")
    d = ContactFactory(owner=alice, given_name="Cy", family_name="Same")
    assert contacts_mark_not_duplicates(owner=alice, contact_ids=[b.pk, a.pk]) == 2
    assert _grouped(alice) == {frozenset({c.pk, d.pk})}
    assert kept_apart(owner=alice) == {(a.pk, b.pk)}
    assert duplicate_page(owner=alice).kept_apart


def test_a_contact_marked_apart_from_one_still_joins_through_another(alice):
    a = ContactFactory(owner=alice, emails=["one@x.example"])
    b = ContactFactory(owner=alice, emails=["one@x.example"], phones=["555 0101"])
    c = ContactFactory(owner=alice, phones=["555 0101"])
    contacts_mark_not_duplicates(owner=alice, contact_ids=[b.pk, c.pk])
    [group] = duplicate_groups(owner=alice)
    assert set(group.ids) == {a.pk, b.pk}
    assert group.reasons == {Reason.EMAIL}
    assert group.shared == ["one@x.example"]
    # A new contact with that email is linked to both: one group of three.
    contacts_mark_not_duplicates(owner=alice, contact_ids=[a.pk, b.pk])
    assert _grouped(alice) == set()
    ContactFactory(owner=alice, emails=["one@x.example"])
    assert len(_grouped(alice)) == 1
    assert len(next(iter(_grouped(alice)))) == 3


def test_a_new_contact_sharing_the_value_brings_the_group_back(alice):
    a = ContactFactory(owner=alice, emails=["desk@x.example"])
    b = ContactFactory(owner=alice, emails=["desk@x.example"])
    contacts_mark_not_duplicates(owner=alice, contact_ids=[a.pk, b.pk])
    assert _grouped(alice) == set()
    c = ContactFactory(owner=alice, emails=["desk@x.example"])
    assert _grouped(alice) == {frozenset({a.pk, b.pk, c.pk})}


def test_marking_twice_changes_nothing_and_each_pair_is_kept_once(alice):
    ids = [ContactFactory(owner=alice, emails=["x@x.example"]).pk for _ in range(3)]
    contacts_mark_not_duplicates(owner=alice, contact_ids=ids)
    contacts_mark_not_duplicates(owner=alice, contact_ids=[*ids, ids[0]])
    pairs = NotDuplicate.objects.filter(owner=alice)
    assert sorted(pairs.values_list("first_id", "second_id")) == [
        (ids[0], ids[1]),
        (ids[0], ids[2]),
        (ids[1], ids[2]),
    ]


def test_marking_needs_two_to_fifty_live_contacts_of_the_owner(alice, bob, monkeypatch):
    mine = ContactFactory(owner=alice)
    other = ContactFactory(owner=alice)
    trashed = ContactFactory(owner=alice, trashed=True)
    theirs = ContactFactory(owner=bob)
    with pytest.raises(ValidationError, match="at least two"):
        contacts_mark_not_duplicates(owner=alice, contact_ids=[mine.pk, mine.pk])
    for stranger in (theirs, trashed):
        with pytest.raises(ValidationError, match="no longer exist"):
            contacts_mark_not_duplicates(
                owner=alice, contact_ids=[mine.pk, other.pk, stranger.pk]
            )
    monkeypatch.setattr("contacts.services.duplicates.APART_MAX", 2)
    third = ContactFactory(owner=alice)
    with pytest.raises(ValidationError, match="at most 2"):
        contacts_mark_not_duplicates(
            owner=alice, contact_ids=[mine.pk, other.pk, third.pk]
        )
    assert not NotDuplicate.objects.exists()


def test_the_database_keeps_each_pair_once_and_in_order(alice):
    a, b = ContactFactory(owner=alice), ContactFactory(owner=alice)
    with pytest.raises(IntegrityError), transaction.atomic():
        NotDuplicate.objects.create(owner=alice, first=b, second=a)
    NotDuplicate.objects.create(owner=alice, first=a, second=b)
    with pytest.raises(IntegrityError), transaction.atomic():
        NotDuplicate.objects.create(owner=alice, first=a, second=b)


def test_pairs_go_with_a_contact_deleted_for_good_but_stay_through_trash(alice):
    a, b, c = (ContactFactory(owner=alice, emails=["x@x.example"]) for _ in range(3))
    contacts_mark_not_duplicates(owner=alice, contact_ids=[a.pk, b.pk, c.pk])
    Contact.objects.filter(pk=c.pk).update(deleted_at=c.created)
    # In the Trash: its pairs are kept (for a restore) but no longer count.
    assert kept_apart(owner=alice) == {(a.pk, b.pk)}
    assert NotDuplicate.objects.count() == 3
    Contact.objects.filter(pk=c.pk).delete()
    assert NotDuplicate.objects.count() == 1


def test_grouping_again_forgets_only_the_owners_pairs(alice, bob):
    a, b = (ContactFactory(owner=alice, emails=["x@x.example"]) for _ in range(2))
    c, d = (ContactFactory(owner=bob, emails=["x@x.example"]) for _ in range(2))
    contacts_mark_not_duplicates(owner=alice, contact_ids=[a.pk, b.pk])
    contacts_mark_not_duplicates(owner=bob, contact_ids=[c.pk, d.pk])
    assert contacts_unmark_not_duplicates(owner=alice) == 1
    assert _grouped(alice) == {frozenset({a.pk, b.pk})}
    assert _grouped(bob) == set()


# ---------- Pages ----------


def test_duplicates_page_lists_groups_with_merge_forms(alice, alice_client):
    a = ContactFactory(owner=alice, given_name="Ann", emails=["ann@x.example"])
    b = ContactFactory(owner=alice, given_name="Annie", emails=["ann@x.example"])
    page = alice_client.get(reverse("contacts:duplicates")).content.decode()
    assert "Same email" in page
    assert f'name="contact" value="{a.pk}"' in page
    assert f'name="contact" value="{b.pk}"' in page


def test_duplicates_page_names_a_group_of_similar_names(alice, alice_client):
    jon = ContactFactory(owner=alice, given_name="Jon", family_name="Baker")
    john = ContactFactory(owner=alice, given_name="John", family_name="Baker")
    page = alice_client.get(reverse("contacts:duplicates")).content.decode()
    assert "Similar name" in page
    assert "Same name" not in page
    # The names as the contacts show them, not the keys they were joined by.
    assert "John Baker, Jon Baker" in page
    for contact in (jon, john):
        assert f'name="contact" value="{contact.pk}"' in page


def test_duplicates_page_shows_a_shared_number_as_a_contact_writes_it(
    alice, alice_client
):
    AddressBook.objects.update_or_create(owner=alice, defaults={"default_region": "GB"})
    ContactFactory(owner=alice, given_name="Ann", phones=["020 7946 0000"])
    ContactFactory(owner=alice, given_name="Bea", phones=["+44 20 7946 0000"])
    [group] = duplicate_page(owner=alice).groups
    assert group.shared == ["020 7946 0000"]
    page = alice_client.get(reverse("contacts:duplicates")).content.decode()
    assert "+442079460000" not in page


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


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_not_duplicates_keeps_a_group_apart_until_grouped_again(alice, alice_client):
    a = ContactFactory(owner=alice, given_name="Ann", emails=["home@x.example"])
    b = ContactFactory(owner=alice, given_name="Ben", emails=["home@x.example"])
    url = reverse("contacts:duplicates")
    page = alice_client.get(url).content.decode()
    assert 'action="/contacts/duplicates/apart/"' in page
    assert "Group them again" not in page
    response = alice_client.post(
        reverse("contacts:duplicates_keep_apart"), {"contact": [a.pk, b.pk]}
    )
    assert response.status_code == 302
    assert response["Location"] == url
    assert _messages(response) == [
        "2 contacts marked as not duplicates: they are no longer grouped together."
    ]
    page = alice_client.get(url).content.decode()
    assert "No other contacts share" in page
    assert "Group them again" in page
    response = alice_client.post(reverse("contacts:duplicates_group_again"))
    assert response.status_code == 302
    assert not NotDuplicate.objects.exists()
    assert f'name="contact" value="{a.pk}"' in alice_client.get(url).content.decode()


def test_the_merge_page_can_keep_the_chosen_contacts_apart(alice, alice_client):
    a, b, c = (ContactFactory(owner=alice, emails=["x@x.example"]) for _ in range(3))
    page = alice_client.get(
        reverse("contacts:duplicates_merge"), {"contact": [a.pk, c.pk]}
    ).content.decode()
    form = page[page.index('<form id="merge-apart"') :]
    form = form[: form.index("</form>")]
    assert 'action="/contacts/duplicates/apart/"' in form
    assert f'value="{a.pk}"' in form
    assert f'value="{c.pk}"' in form
    assert f'value="{b.pk}"' not in form
    alice_client.post(
        reverse("contacts:duplicates_keep_apart"), {"contact": [a.pk, c.pk]}
    )
    assert kept_apart(owner=alice) == {(a.pk, c.pk)}
    # b shares the email with both, so the three stay one group.
    assert _grouped(alice) == {frozenset({a.pk, b.pk, c.pk})}


def test_not_duplicates_returns_to_the_same_page_of_groups(alice, alice_client):
    a, b = (ContactFactory(owner=alice, emails=["x@x.example"]) for _ in range(2))
    response = alice_client.post(
        reverse("contacts:duplicates_keep_apart"),
        {"contact": [a.pk, b.pk], "after": "abc&x=1"},
    )
    assert response["Location"] == "/contacts/duplicates/?after=abc%26x%3D1"


def test_not_duplicates_from_htmx_redirects_the_whole_page(alice, alice_client):
    a, b = (ContactFactory(owner=alice, emails=["x@x.example"]) for _ in range(2))
    response = alice_client.post(
        reverse("contacts:duplicates_keep_apart"), {"contact": [a.pk, b.pk]}, **HTMX
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("contacts:duplicates")


def test_another_members_contacts_cannot_be_marked(alice, bob_client):
    a, b = (ContactFactory(owner=alice, emails=["s@x.example"]) for _ in range(2))
    response = bob_client.post(
        reverse("contacts:duplicates_keep_apart"), {"contact": [a.pk, b.pk]}
    )
    assert response.status_code == 302
    assert _messages(response) == [
        "Some of these contacts no longer exist or are in the Trash."
    ]
    assert not NotDuplicate.objects.exists()


def test_not_duplicates_only_answers_a_post(alice_client):
    for name in ("duplicates_keep_apart", "duplicates_group_again"):
        assert alice_client.get(reverse(f"contacts:{name}")).status_code == 405


def test_duplicates_page_query_count_does_not_grow_with_groups(
    alice, alice_client, django_assert_max_num_queries
):
    # One group of each kind first, so every lookup query is already counted.
    for _twice in range(2):
        ContactFactory(owner=alice, given_name="A", emails=["a@x.example"])
        ContactFactory(owner=alice, given_name="B", phones=["+1 415 555 0100"])
        ContactFactory(owner=alice, given_name="C", phones=["550"])
        ContactFactory(owner=alice, given_name="Same", family_name="Name")
    apart = [ContactFactory(owner=alice, emails=["d@x.example"]).pk for _ in range(3)]
    contacts_mark_not_duplicates(owner=alice, contact_ids=apart[:2])
    url = reverse("contacts:duplicates")
    alice_client.get(url)
    cache.clear()  # the groups are looked for again, not taken from the cache
    with django_assert_max_num_queries(20) as one:
        alice_client.get(url)
    for index in range(10):
        ContactFactory(
            owner=alice, emails=[f"p{index}@x.example"], phones=[f"55{index}"]
        )
        ContactFactory(
            owner=alice, emails=[f"p{index}@x.example"], phones=[f"55{index}"]
        )
        pair = [ContactFactory(owner=alice, given_name=f"Twin {index}") for _ in "ab"]
        contacts_mark_not_duplicates(owner=alice, contact_ids=[c.pk for c in pair])
    with django_assert_max_num_queries(len(one.captured_queries)):
        alice_client.get(url)


def test_the_groups_are_cached_until_the_address_book_changes(
    alice, bob, alice_client, django_assert_num_queries
):
    a = ContactFactory(owner=alice, given_name="Ann", emails=["home@x.example"])
    b = ContactFactory(owner=alice, given_name="Ben", emails=["home@x.example"])
    ContactFactory(owner=bob, given_name="Ann", emails=["home@x.example"])
    assert [group.ids for group in duplicate_page(owner=alice).groups] == [[a.pk, b.pk]]
    # Taken from the cache: the revision, then the page's contacts and details.
    with django_assert_num_queries(5):
        page = duplicate_page(owner=alice)
    assert [group.ids for group in page.groups] == [[a.pk, b.pk]]
    assert duplicate_page(owner=bob).groups == []
    contact_trash(contact=b)
    assert duplicate_page(owner=alice).groups == []
    contact_restore(contact=b)
    assert len(duplicate_page(owner=alice).groups) == 1
    contacts_mark_not_duplicates(owner=alice, contact_ids=[a.pk, b.pk])
    assert duplicate_page(owner=alice).groups == []


def test_groups_kept_in_another_form_are_not_read(
    alice, monkeypatch, django_assert_num_queries
):
    ContactFactory(owner=alice, emails=["home@x.example"])
    ContactFactory(owner=alice, emails=["home@x.example"])
    duplicate_page(owner=alice)
    monkeypatch.setattr(
        "contacts.selectors.duplicates.GROUPS_CACHE_FORM", GROUPS_CACHE_FORM + 1
    )
    # The look at the whole book again: the pairs kept apart and four lookups.
    with django_assert_num_queries(10):
        assert len(duplicate_page(owner=alice).groups) == 1


def _card_of_bob_in_the_trash(alice, bob, a, b):
    Contact.objects.filter(pk=b.pk).update(member=bob)
    contact_trash(contact=b)


SET_UP = {
    "restore": lambda alice, bob, a, b: contact_trash(contact=a),
    "restore a member's card": _card_of_bob_in_the_trash,
}
CHANGES = {
    "create": lambda alice, bob, a, b: ContactFactory(owner=alice),
    "update": lambda alice, bob, a, b: contact_update(
        contact=a, data=ContactData(given_name="Anne")
    ),
    "trash": lambda alice, bob, a, b: contact_trash(contact=a),
    "bulk trash": lambda alice, bob, a, b: contacts_bulk_trash(
        owner=alice, contact_ids=[a.pk]
    ),
    "restore": lambda alice, bob, a, b: contact_restore(contact=a),
    "restore a member's card": lambda alice, bob, a, b: contact_create_from_member(
        owner=alice, member=bob
    ),
    "region": lambda alice, bob, a, b: address_book_set_region(
        owner=alice, region="FR"
    ),
    "merge": lambda alice, bob, a, b: contacts_merge(
        owner=alice, contact_ids=[a.pk, b.pk], choices={}
    ),
    "not duplicates": lambda alice, bob, a, b: contacts_mark_not_duplicates(
        owner=alice, contact_ids=[a.pk, b.pk]
    ),
    "group again": lambda alice, bob, a, b: contacts_unmark_not_duplicates(owner=alice),
}
SET_UP["group again"] = CHANGES["not duplicates"]


@pytest.mark.parametrize("change", CHANGES)
def test_every_change_the_page_shows_moves_the_revision_on(alice, bob, change):
    a = ContactFactory(owner=alice, emails=["x@x.example"])
    b = ContactFactory(owner=alice, emails=["x@x.example"])
    if change in SET_UP:
        SET_UP[change](alice, bob, a, b)
    book = AddressBook.objects.get(owner=alice)
    before = book.revision
    CHANGES[change](alice, bob, a, b)
    book.refresh_from_db()
    assert book.revision > before
