"""Reads of the address book: the list, search, Trash and the bridge to members."""

import pytest
from allauth.account.models import EmailAddress

from contacts.selectors.contacts import (
    Sort,
    contact_ids_owned_by,
    contact_page,
    contacts_on_rapport,
    decode_cursor,
    encode_cursor,
    labels_with_counts,
    trash_page,
)
from tests.factories import ContactFactory, LabelFactory, UserFactory

pytestmark = pytest.mark.django_db


def names(page):
    return [contact.shown_name for contact in page.contacts]


def all_pages(**kwargs):
    """Walk every page with the cursors the selector hands out."""
    seen, after = [], None
    while True:
        page = contact_page(after=after, **kwargs)
        seen.extend(names(page))
        if page.next_cursor is None:
            return seen
        after = page.next_cursor


def test_list_sorts_by_name_ignoring_accents_and_case(alice):
    for name in ("brian Walker", "Åsa Öberg", "Aroa Castell", "Zoë Martin"):
        given, family = name.split()
        ContactFactory(owner=alice, given_name=given, family_name=family)
    assert names(contact_page(owner=alice)) == [
        "Aroa Castell",
        "Åsa Öberg",
        "brian Walker",
        "Zoë Martin",
    ]


def test_recently_added_puts_the_newest_first(alice):
    for name in ("First", "Second", "Third"):
        ContactFactory(owner=alice, given_name=name, family_name="")
    assert names(contact_page(owner=alice, sort=Sort.RECENT)) == [
        "Third",
        "Second",
        "First",
    ]


@pytest.mark.parametrize("sort", [Sort.NAME, Sort.RECENT])
def test_pages_cover_every_contact_once_even_with_equal_names(alice, sort):
    for n in range(7):
        ContactFactory(owner=alice, given_name="Same" if n < 4 else f"Name {n}")
    seen = all_pages(owner=alice, sort=sort, page_size=2)
    assert len(seen) == 7
    assert sorted(seen) == sorted(names(contact_page(owner=alice, sort=sort)))


def test_pages_go_on_after_the_longest_names_in_any_script(alice):
    # The cursor carries the last name of its page: the longest name, in
    # characters of four bytes, must fit in it, or "Load more" would start
    # again from the top.
    for n in range(5):
        ContactFactory(
            owner=alice,
            given_name="😀" * 80,
            middle_name="😀" * 80,
            family_name="龍" * 80,
            suffix="龍" * 29 + str(n),
        )
    seen, after = [], None
    for _ in range(5):
        page = contact_page(owner=alice, after=after, page_size=2)
        seen.extend(names(page))
        after = page.next_cursor
        if after is None:
            break
    assert len(set(seen)) == len(seen) == 5
    assert min(len(name) for name in seen) == 273


def test_a_mangled_cursor_starts_from_the_top(alice):
    ContactFactory(owner=alice, given_name="Zoë")
    assert names(contact_page(owner=alice, after="%%%not-a-cursor")) != []
    assert decode_cursor(encode_cursor("zoe", 3)) == ("zoe", 3)
    assert decode_cursor("WyJ6b2UiLCJ4Il0") is None  # ["zoe","x"]


@pytest.mark.parametrize(
    "query",
    ["zoe", "ZOË", "lefe", "zoe lef", "northwind", "zoe@exa", "555-0199", "(555) 01"],
)
def test_search_ignores_case_and_accents_across_fields(alice, query):
    ContactFactory(
        owner=alice,
        given_name="Zoë",
        family_name="Lefèvre",
        organization="Northwind",
        emails=["zoe@example.com"],
        phones=["+1 555-0199"],
    )
    ContactFactory(owner=alice, given_name="Bob", family_name="Other")
    assert names(contact_page(owner=alice, query=query)) == ["Zoë Lefèvre"]


def test_every_word_of_a_search_must_match(alice):
    ContactFactory(owner=alice, given_name="Zoë", family_name="Martin")
    ContactFactory(owner=alice, given_name="Zoë", family_name="Dupont")
    assert names(contact_page(owner=alice, query="zoe dup")) == ["Zoë Dupont"]
    assert names(contact_page(owner=alice, query="zoe nobody")) == []


def test_search_never_reaches_other_members_or_the_trash(alice, bob):
    ContactFactory(owner=bob, given_name="Zoë")
    ContactFactory(owner=alice, given_name="Zoë", trashed=True)
    assert names(contact_page(owner=alice, query="zoe")) == []


def test_filters_by_label_and_favourites(alice):
    family = LabelFactory(owner=alice)
    ContactFactory(owner=alice, given_name="Ann", labels=[family])
    ContactFactory(owner=alice, given_name="Ben", is_favorite=True)
    ContactFactory(owner=alice, given_name="Cy", labels=[family], is_favorite=True)
    assert [
        c.given_name for c in contact_page(owner=alice, label_id=family.pk).contacts
    ] == [
        "Ann",
        "Cy",
    ]
    assert [
        c.given_name for c in contact_page(owner=alice, favorites=True).contacts
    ] == [
        "Ben",
        "Cy",
    ]
    bobs_label = LabelFactory(owner=UserFactory())
    assert contact_page(owner=alice, label_id=bobs_label.pk).contacts == []


def test_members_found_by_verified_findable_email_are_on_rapport(alice, bob, carol):
    match = ContactFactory(owner=alice, emails=["other@example.org", "BOB@example.com"])
    ContactFactory(owner=alice, emails=["carol@example.com"])
    EmailAddress.objects.filter(user=carol).update(verified=False)
    page = contact_page(owner=alice)
    assert page.on_rapport == {match.pk: bob}


def test_members_who_opted_out_or_left_are_not_shown(alice, bob, carol):
    bob.findable_by_email = False
    bob.save()
    carol.is_active = False
    carol.save()
    ContactFactory(owner=alice, emails=["bob@example.com"])
    ContactFactory(owner=alice, emails=["carol@example.com"])
    ContactFactory(owner=alice, emails=["alice@example.com"])
    assert contact_page(owner=alice).on_rapport == {}


def test_a_card_saved_from_a_member_is_linked_to_them(alice, bob):
    from contacts.services.contacts import contact_create_from_member

    contact, _ = contact_create_from_member(owner=alice, member=bob)
    page = contact_page(owner=alice)
    assert page.on_rapport == {contact.pk: bob}
    assert page.contacts[0].on_rapport == bob


def test_matching_a_page_of_contacts_costs_one_query(alice, django_assert_num_queries):
    for n in range(20):
        ContactFactory(owner=alice, emails=[f"person{n}@example.com"])
    page = contact_page(owner=alice)
    with django_assert_num_queries(1):
        contacts_on_rapport(owner=alice, contacts=page.contacts)


def test_the_member_found_exposes_only_public_fields(alice, bob):
    ContactFactory(owner=alice, emails=["bob@example.com"])
    member = contact_page(owner=alice).on_rapport.popitem()[1]
    loaded = set(member.__dict__) - {"_state"}
    assert loaded <= {"id", "handle", "display_name", "headline"}


def test_trash_lists_the_most_recently_deleted_first(alice, bob, settings):
    settings.RAPPORT_CONTACTS_PAGE_SIZE = 2
    for name in ("One", "Two", "Three"):
        ContactFactory(owner=alice, given_name=name, family_name="", trashed=True)
    ContactFactory(owner=alice, given_name="Active")
    ContactFactory(owner=bob, trashed=True)
    first = trash_page(owner=alice)
    assert names(first) == ["Three", "Two"]
    assert names(trash_page(owner=alice, after=first.next_cursor)) == ["One"]


def test_label_counts_leave_out_the_trash(alice):
    label = LabelFactory(owner=alice, name="Family")
    ContactFactory(owner=alice, labels=[label])
    ContactFactory(owner=alice, labels=[label], trashed=True)
    LabelFactory(owner=alice, name="empty")
    assert [(item.name, item.count) for item in labels_with_counts(owner=alice)] == [
        ("empty", 0),
        ("Family", 1),
    ]


def test_owned_ids_ignore_strangers_and_junk(alice, bob):
    mine = ContactFactory(owner=alice)
    theirs = ContactFactory(owner=bob)
    trashed = ContactFactory(owner=alice, trashed=True)
    ids = [str(mine.pk), theirs.pk, trashed.pk, "x", None]
    assert contact_ids_owned_by(owner=alice, ids=ids) == [mine.pk]
