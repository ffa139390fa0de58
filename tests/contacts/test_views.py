"""The address book's pages: htmx and plain branches, privacy, query budgets."""

import re
import uuid
from urllib.parse import unquote

import pytest
from django.urls import reverse

from connections.services.network import block_create, connection_request_send
from contacts.models import Contact, Label
from contacts.services.contacts import contact_create_from_member
from contacts.services.duplicates import contacts_merge
from tests.conftest import HTMX, signed_in_client
from tests.factories import ContactFactory, LabelFactory

pytestmark = pytest.mark.django_db

# A signed-in request costs 2 queries (session, member) and a full page one
# more (the navigation badges). On top of that: the list: labels (side menu),
# the page, its emails, phones and labels, the members among them; a fragment
# of the list: the same without the page around it; a contact: the card, its
# emails, phones, addresses, websites and labels, the member it is, the merge
# into it that may be undone, the other contacts sharing an email or a number.
LIST_QUERIES = 9
LIST_FRAGMENT_QUERIES = 7
DETAIL_QUERIES = 12
# A card that is a member also reads the relationship for the action button.
DETAIL_MEMBER_QUERIES = DETAIL_QUERIES + 1


def fill(owner, count, **extra):
    label = LabelFactory(owner=owner)
    return [
        ContactFactory(
            owner=owner,
            emails=[f"person{n}@example.org", f"work{n}@example.org"],
            phones=[f"+44 20 7946 {n:04d}"],
            labels=[label],
            **extra,
        )
        for n in range(count)
    ]


def htmx(target, **extra):
    return {**HTMX, "HTTP_HX_TARGET": target, **extra}


def row_of(contact) -> str:
    """What only a contact's own row or card holds (names can hide in tokens)."""
    return f'id="contact-name-{contact.pk}"'


def text(response) -> str:
    return response.content.decode()


# ---------- Privacy ----------

OWNED_URLS = [
    ("get", "contacts:detail"),
    ("get", "contacts:edit"),
    ("post", "contacts:edit"),
    ("post", "contacts:favorite"),
    ("post", "contacts:delete"),
]
TRASH_URLS = [
    ("post", "contacts:restore"),
    ("get", "contacts:purge"),
    ("post", "contacts:purge"),
]


@pytest.mark.parametrize(("method", "name"), OWNED_URLS + TRASH_URLS)
def test_another_member_gets_404_for_any_contact_url(alice, bob_client, method, name):
    trashed = name in {n for _, n in TRASH_URLS}
    contact = ContactFactory(owner=alice, trashed=trashed)
    response = getattr(bob_client, method)(reverse(name, args=[contact.pk]))
    assert response.status_code == 404
    assert Contact.objects.get(pk=contact.pk).deleted_at == contact.deleted_at


@pytest.mark.parametrize(("method", "name"), OWNED_URLS + TRASH_URLS)
def test_staff_get_404_for_members_contacts_too(alice, staff, method, name):
    trashed = name in {n for _, n in TRASH_URLS}
    contact = ContactFactory(owner=alice, trashed=trashed)
    client = signed_in_client(staff)
    response = getattr(client, method)(reverse(name, args=[contact.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize(("method", "name"), OWNED_URLS + TRASH_URLS)
def test_signed_out_visitors_are_sent_to_sign_in(alice, client, method, name):
    contact = ContactFactory(owner=alice)
    url = reverse(name, args=[contact.pk])
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    "name",
    ["contacts:list", "contacts:add", "contacts:trash", "contacts:labels"],
)
def test_address_book_pages_need_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302


def test_a_trashed_contact_is_not_reachable_as_a_live_one(alice, alice_client):
    contact = ContactFactory(owner=alice, trashed=True)
    assert alice_client.get(contact.get_absolute_url()).status_code == 404


HOSTILE_IDS = ["99999999999999999999", "²", "-3", "1e9"]


@pytest.mark.parametrize("hostile", HOSTILE_IDS)
def test_ids_that_no_key_can_hold_are_refused_not_failed(alice, alice_client, hostile):
    """A number too large for the database, or a digit int() refuses, is
    treated as no id at all: never a server error."""
    mine = ContactFactory(owner=alice).pk
    contact = [str(mine), hostile]
    label = {"label": hostile}
    answers = [
        alice_client.get(reverse("contacts:list"), label),
        alice_client.get(reverse("contacts:list"), label, **HTMX),
        alice_client.get(reverse("contacts:duplicates_merge"), {"contact": contact}),
        alice_client.post(reverse("contacts:duplicates_merge"), {"contact": contact}),
        alice_client.post(
            reverse("contacts:duplicates_keep_apart"), {"contact": contact}
        ),
        alice_client.post(
            reverse("contacts:bulk"), {"action": "delete", "contact": contact}
        ),
        alice_client.get(reverse("contacts:export"), {"contact": contact}),
        alice_client.get(reverse("contacts:export"), label),
        alice_client.post(
            reverse("contacts:export_download"),
            {"scope": "selection", "format": "vcard3", "contact": contact},
        ),
    ]
    assert [answer.status_code < 500 for answer in answers] == [True] * len(answers)
    assert Contact.objects.filter(pk=mine, deleted_at__isnull=True).exists()


def test_another_members_label_filter_is_404(alice_client, bob):
    label = LabelFactory(owner=bob)
    response = alice_client.get(reverse("contacts:list"), {"label": label.pk})
    assert response.status_code == 404


def test_pages_keep_the_strict_content_security_policy(alice, alice_client):
    contact = ContactFactory(owner=alice, emails=["z@example.com"])
    urls = [
        reverse("contacts:list"),
        reverse("contacts:add"),
        contact.get_absolute_url(),
        reverse("contacts:edit", args=[contact.pk]),
        reverse("contacts:trash"),
        reverse("contacts:labels"),
        reverse("contacts:settings"),
    ]
    for url in urls:
        html = text(alice_client.get(url))
        assert "<style" not in html
        assert not re.search(r"\sstyle=", html), url
        assert not re.search(r"\son[a-z]+=", html), url
        assert not re.search(r"<script(?![^>]*\ssrc=)", html), url
        assert "hx-on" not in html


# ---------- The list ----------


def test_list_shows_the_members_contacts_only(alice, alice_client, bob):
    ContactFactory(owner=alice, given_name="Zoë", family_name="Martin")
    ContactFactory(owner=bob, given_name="Secret", family_name="Person")
    response = alice_client.get(reverse("contacts:list"))
    assert response.status_code == 200
    assert "Zoë Martin" in text(response)
    assert "Secret Person" not in text(response)
    assert response["Vary"].count("HX-Request") == 1


def test_empty_address_book_invites_to_add_or_import_contacts(alice_client):
    html = text(alice_client.get(reverse("contacts:list")))
    assert "Your address book is empty" in html
    assert reverse("contacts:add") in html
    empty_state = html.partition("Your address book is empty")[2]
    assert f'href="{reverse("contacts:import")}"' in empty_state
    # No search, sort or selection bar over an empty book.
    assert 'id="contact-search"' not in html
    assert 'id="bulk-form"' not in html
    assert "Select contacts to label or delete them." not in html


def test_a_search_that_finds_nothing_keeps_the_search_box(alice, alice_client):
    ContactFactory(owner=alice, given_name="Zoë", family_name="Martin")
    html = text(alice_client.get(reverse("contacts:list"), {"q": "nobody"}))
    assert "No contacts match" in html
    assert 'id="contact-search"' in html
    empty_label = text(alice_client.get(reverse("contacts:list"), {"favorites": "1"}))
    assert 'id="contact-search"' in empty_label


def test_search_as_you_type_returns_the_results_fragment(alice, alice_client):
    ContactFactory(owner=alice, given_name="Zoë", family_name="Martin")
    ContactFactory(owner=alice, given_name="Bob", family_name="Okafor")
    response = alice_client.get(
        reverse("contacts:list"), {"q": "zoe"}, **htmx("contact-results")
    )
    html = text(response)
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="contact-results"' in html
    assert "Zoë Martin" in html
    assert "Bob Okafor" not in html
    assert 'hx-swap-oob="innerHTML"' in html  # the status line for screen readers


def test_search_without_javascript_renders_the_whole_page(alice, alice_client):
    ContactFactory(owner=alice, given_name="Zoë", family_name="Martin")
    html = text(alice_client.get(reverse("contacts:list"), {"q": "ZOE"}))
    assert "<html" in html
    assert 'value="ZOE"' in html
    assert "Zoë Martin" in html


def test_a_search_with_no_match_says_so(alice, alice_client):
    ContactFactory(owner=alice, given_name="Zoë")
    html = text(alice_client.get(reverse("contacts:list"), {"q": "nobody"}))
    assert "No contacts match “nobody”" in html


def test_load_more_without_javascript_links_to_the_next_page(
    alice, alice_client, settings
):
    settings.RAPPORT_CONTACTS_PAGE_SIZE = 2
    for name in ("Ann", "Ben", "Cy"):
        ContactFactory(owner=alice, given_name=name, family_name="Test")
    html = text(alice_client.get(reverse("contacts:list"), {"q": "test"}))
    link = re.search(r'href="(/contacts/\?[^"]*after=[^"]+)"', html).group(1)
    assert "q=test" in link
    second = text(alice_client.get(link.replace("&amp;", "&")))
    assert "Cy Test" in second
    assert "Ann Test" not in second
    assert "Back to the start of the list" in second


def test_load_more_with_htmx_returns_only_the_next_rows(alice, alice_client, settings):
    settings.RAPPORT_CONTACTS_PAGE_SIZE = 2
    for name in ("Ann", "Ben", "Cy"):
        ContactFactory(owner=alice, given_name=name, family_name="Test")
    first = text(alice_client.get(reverse("contacts:list")))
    after = unquote(re.search(r"after=([\w%:-]+)", first).group(1))
    response = alice_client.get(
        reverse("contacts:list"), {"after": after}, **htmx("load-more")
    )
    html = text(response)
    assert html.strip().startswith('<li class="contact-row">')
    assert "Cy Test" in html
    assert "Ben Test" not in html
    assert 'id="load-more"' not in html


def test_list_filters_by_label_and_favourites(alice, alice_client):
    label = LabelFactory(owner=alice, name="Book club")
    ann = ContactFactory(owner=alice, given_name="Ann", labels=[label])
    ben = ContactFactory(owner=alice, given_name="Ben", is_favorite=True)
    by_label = text(alice_client.get(reverse("contacts:list"), {"label": label.pk}))
    assert row_of(ann) in by_label
    assert row_of(ben) not in by_label
    assert "<title>Book club" in by_label
    favourites = text(alice_client.get(reverse("contacts:list"), {"favorites": "1"}))
    assert row_of(ben) in favourites
    assert row_of(ann) not in favourites


def test_list_shows_who_is_on_rapport(alice, alice_client, bob):
    ContactFactory(owner=alice, given_name="Bobby", emails=["bob@example.com"])
    html = text(alice_client.get(reverse("contacts:list")))
    assert "On Rapport" in html
    assert reverse("connections:profile", args=["bob"]) in html


@pytest.mark.parametrize("count", [1, 120])
def test_list_query_budget_does_not_grow_with_the_address_book(
    alice, alice_client, django_assert_max_num_queries, count
):
    fill(alice, count)
    with django_assert_max_num_queries(LIST_QUERIES):
        response = alice_client.get(reverse("contacts:list"))
    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 120])
def test_later_pages_and_search_keep_the_same_budget(
    alice, alice_client, django_assert_max_num_queries, count
):
    fill(alice, count)
    first = text(alice_client.get(reverse("contacts:list")))
    after = re.search(r"after=([\w%:-]+)", first)
    with django_assert_max_num_queries(LIST_FRAGMENT_QUERIES):
        alice_client.get(
            reverse("contacts:list"),
            {"after": unquote(after.group(1)) if after else ""},
            **htmx("load-more"),
        )
    with django_assert_max_num_queries(LIST_FRAGMENT_QUERIES):
        alice_client.get(
            reverse("contacts:list"), {"q": "person1"}, **htmx("contact-results")
        )
    with django_assert_max_num_queries(LIST_QUERIES):
        alice_client.get(reverse("contacts:list"), {"q": "example", "sort": "recent"})


# ---------- A contact ----------


def test_detail_shows_every_detail_with_links(alice, alice_client):
    label = LabelFactory(owner=alice, name="Family")
    contact = ContactFactory(
        owner=alice,
        given_name="Zoë",
        family_name="Martin",
        emails=["zoe@example.com"],
        phones=["+44 20 7946 0000"],
        websites=["https://zoe.example/"],
        addresses=["Lyon"],
        labels=[label],
        birthday_day=14,
        birthday_month=7,
        notes="Met at the fair.\nLikes tea.",
    )
    response = alice_client.get(contact.get_absolute_url())
    html = text(response)
    assert 'href="mailto:zoe@example.com"' in html
    assert 'href="tel:+442079460000"' in html
    assert 'href="https://zoe.example/" rel="noopener noreferrer nofollow"' in html
    assert "Lyon" in html
    assert "14 July" in html
    assert "Family" in html
    assert "Met at the fair.<br>Likes tea." in html


def test_detail_shows_the_member_a_contact_is(alice, alice_client, bob):
    contact = ContactFactory(owner=alice, emails=["bob@example.com"])
    html = text(alice_client.get(contact.get_absolute_url()))
    assert "On Rapport" in html
    assert "Bob Okafor" in html
    assert "Backend engineer" in html
    assert reverse("connections:profile", args=["bob"]) in html


def test_detail_of_a_contact_with_no_match_says_nothing_about_rapport(
    alice, alice_client
):
    contact = ContactFactory(owner=alice, emails=["stranger@example.org"])
    assert "On Rapport" not in text(alice_client.get(contact.get_absolute_url()))


def test_detail_offers_to_connect_with_the_member(
    alice, alice_client, bob, django_assert_max_num_queries
):
    contact = ContactFactory(owner=alice, emails=["bob@example.com"])
    with django_assert_max_num_queries(DETAIL_MEMBER_QUERIES):
        html = text(alice_client.get(contact.get_absolute_url()))
    connect = reverse("connections:connect", args=["bob"])
    assert f'href="{connect}?next={contact.get_absolute_url()}"' in html
    assert 'id="dialog"' in html


def test_detail_shows_a_pending_invitation_to_the_member(alice, alice_client, bob):
    connection_request_send(sender=alice, recipient=bob)
    contact = ContactFactory(owner=alice, emails=["bob@example.com"])
    html = text(alice_client.get(contact.get_absolute_url()))
    assert "Pending" in html
    assert "Withdraw" in html
    assert reverse("connections:connect", args=["bob"]) not in html


def test_detail_hides_a_member_who_blocked_the_owner(alice, alice_client, bob):
    block_create(blocker=bob, blocked=alice)
    contact = ContactFactory(owner=alice, emails=["bob@example.com"])
    html = text(alice_client.get(contact.get_absolute_url()))
    assert "On Rapport" not in html
    assert "Bob Okafor" not in html.replace(contact.shown_name, "")
    assert reverse("connections:profile", args=["bob"]) not in html


@pytest.mark.parametrize("blocker", ["bob", "alice"])
def test_a_card_saved_from_a_member_no_longer_links_to_them_after_a_block(
    alice, alice_client, bob, blocker
):
    contact, _saved = contact_create_from_member(owner=alice, member=bob)
    people = {"alice": alice, "bob": bob}
    other = bob if blocker == "alice" else alice
    block_create(blocker=people[blocker], blocked=other)
    profile = reverse("connections:profile", args=["bob"])
    for page in (reverse("contacts:list"), contact.get_absolute_url()):
        html = text(alice_client.get(page))
        assert "On Rapport" not in html
        assert profile not in html


def test_a_card_saved_from_a_member_links_to_them(alice, alice_client, bob):
    contact_create_from_member(owner=alice, member=bob)
    html = text(alice_client.get(reverse("contacts:list")))
    assert "On Rapport" in html
    assert reverse("connections:profile", args=["bob"]) in html


def test_detail_offers_to_invite_a_contact_not_on_rapport(alice, alice_client):
    contact = ContactFactory(
        owner=alice,
        given_name="Zoë",
        family_name="Nakamura",
        emails=["zoe@example.org"],
    )
    html = text(alice_client.get(contact.get_absolute_url()))
    invite = reverse("connections:invite")
    assert (
        f'href="{invite}?email=zoe%40example.org&amp;name=Zo%C3%AB%20Nakamura"' in html
    )
    form = text(alice_client.get(f"{invite}?email=zoe%40example.org&name=Zo%C3%AB"))
    assert 'value="zoe@example.org"' in form


def test_detail_of_a_contact_without_email_offers_no_invitation(alice, alice_client):
    contact = ContactFactory(
        owner=alice, given_name="Zoë", phones=["+33 6 12 34 56 78"]
    )
    html = text(alice_client.get(contact.get_absolute_url()))
    assert "Invite to Rapport" not in html


def test_detail_for_htmx_returns_the_card_only(alice, alice_client):
    contact = ContactFactory(owner=alice, given_name="Zoë")
    response = alice_client.get(contact.get_absolute_url(), **htmx("contact-card"))
    assert "<html" not in text(response)
    assert f'id="contact-name-{contact.pk}"' in text(response)


@pytest.mark.parametrize("count", [1, 20])
def test_detail_query_budget_does_not_grow_with_details(
    alice, alice_client, django_assert_max_num_queries, count
):
    contacts = fill(alice, count)
    contact = ContactFactory(
        owner=alice,
        emails=[f"e{n}@example.org" for n in range(count)],
        phones=[f"555 01{n:02d}" for n in range(count)],
        websites=[f"https://site{n}.example/" for n in range(count)],
        addresses=[f"Town {n}" for n in range(count)],
        labels=[LabelFactory(owner=alice) for _ in range(min(count, 5))],
    )
    assert contacts
    with django_assert_max_num_queries(DETAIL_QUERIES):
        response = alice_client.get(contact.get_absolute_url())
    assert response.status_code == 200


# ---------- Adding ----------


def editor_data(**overrides):
    data = {
        "token": str(uuid.uuid4()),
        "given_name": "Zoë",
        "family_name": "Martin",
        "emails-TOTAL_FORMS": "2",
        "emails-INITIAL_FORMS": "0",
        "emails-0-value": "zoe@example.com",
        "emails-0-label": "home",
        "emails-1-value": "zoe@work.example",
        "emails-1-label": "work",
        "phones-TOTAL_FORMS": "1",
        "phones-INITIAL_FORMS": "0",
        "phones-0-value": "+44 20 7946 0000",
        "phones-0-label": "mobile",
        "addresses-TOTAL_FORMS": "0",
        "addresses-INITIAL_FORMS": "0",
        "websites-TOTAL_FORMS": "0",
        "websites-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_add_page_without_and_with_htmx(alice_client):
    page = alice_client.get(reverse("contacts:add"))
    assert "<html" in text(page)
    assert 'name="emails-0-value"' in text(page)
    fragment = alice_client.get(reverse("contacts:add"), **HTMX)
    assert "<html" not in text(fragment)
    assert 'hx-target="#contact-editor"' in text(fragment)


def test_adding_a_contact_without_javascript_redirects_to_it(alice, alice_client):
    response = alice_client.post(reverse("contacts:add"), editor_data())
    contact = Contact.objects.get(owner=alice)
    assert response.status_code == 302
    assert response["Location"] == contact.get_absolute_url()
    assert [e.value for e in contact.emails.all()] == [
        "zoe@example.com",
        "zoe@work.example",
    ]
    page = text(alice_client.get(response["Location"]))
    assert "Zoë Martin was added." in page


def test_adding_a_contact_with_htmx_sends_the_browser_to_it(alice, alice_client):
    response = alice_client.post(reverse("contacts:add"), editor_data(), **HTMX)
    contact = Contact.objects.get(owner=alice)
    assert response.status_code == 200
    assert response["HX-Redirect"] == contact.get_absolute_url()


def test_a_double_submit_adds_one_contact(alice, alice_client):
    data = editor_data()
    alice_client.post(reverse("contacts:add"), data)
    again = alice_client.post(reverse("contacts:add"), data)
    assert Contact.objects.filter(owner=alice).count() == 1
    assert again["Location"] == Contact.objects.get().get_absolute_url()


def test_an_invalid_form_keeps_what_was_typed_and_says_why(alice, alice_client):
    data = editor_data(**{"emails-1-value": "not-an-email", "birthday_day": "31"})
    data["birthday_month"] = "4"
    response = alice_client.post(reverse("contacts:add"), data)
    html = text(response)
    assert response.status_code == 200
    assert not Contact.objects.exists()
    assert 'value="Zoë"' in html
    assert 'value="not-an-email"' in html
    assert 'value="zoe@example.com"' in html
    assert "Enter a valid email address." in html
    assert 'id="id_emails-1-value_error"' in html
    assert 'aria-describedby="id_emails-1-value_error"' in html
    assert "That month has 30 days." in html


def test_an_invalid_htmx_form_comes_back_as_422(alice_client):
    data = editor_data(**{"emails-0-value": "broken@"})
    response = alice_client.post(reverse("contacts:add"), data, **HTMX)
    assert response.status_code == 422
    assert "<html" not in text(response)
    assert "Enter a valid email address." in text(response)


def test_a_contact_needs_a_name_or_a_way_to_reach_them(alice_client):
    data = editor_data(
        given_name="",
        family_name="",
        **{"emails-0-value": "", "emails-1-value": "", "phones-0-value": ""},
    )
    response = alice_client.post(reverse("contacts:add"), data)
    assert "Give the contact a name" in text(response)
    assert not Contact.objects.exists()


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_add_another_email_keeps_everything_typed(alice_client, headers):
    data = editor_data(add_row="emails", notes="Keep me")
    response = alice_client.post(reverse("contacts:add"), data, **headers)
    html = text(response)
    assert response.status_code == 200
    assert not Contact.objects.exists()
    assert 'name="emails-2-value"' in html
    assert 'value="zoe@work.example"' in html
    assert "Keep me" in html
    assert 'name="emails-TOTAL_FORMS" value="3"' in html
    assert re.search(r'name="emails-2-value"[^>]*autofocus', html)
    assert "errorlist" not in html


def test_remove_a_row_without_javascript(alice_client):
    data = editor_data(remove_row="emails-0")
    html = text(alice_client.post(reverse("contacts:add"), data))
    assert "zoe@example.com" not in html
    assert 'name="emails-0-value" value="zoe@work.example"' in html
    assert 'name="emails-TOTAL_FORMS" value="1"' in html


def test_adding_at_the_limit_is_refused_with_the_reason(alice, alice_client, settings):
    settings.RAPPORT_CONTACTS_MAX = 1
    ContactFactory(owner=alice)
    response = alice_client.post(reverse("contacts:add"), editor_data())
    assert "limit of 1 contacts" in text(response)
    assert Contact.objects.count() == 1


def test_a_new_label_can_be_made_from_the_form(alice, alice_client):
    alice_client.post(reverse("contacts:add"), editor_data(new_label="Choir"))
    contact = Contact.objects.get()
    assert [label.name for label in contact.labels.all()] == ["Choir"]


def test_a_reserved_new_label_name_is_refused_keeping_the_form(alice_client):
    data = editor_data(new_label="Starred")
    response = alice_client.post(reverse("contacts:add"), data)
    assert response.status_code == 200
    assert "so a label of that name would be lost on export" in text(response)
    assert 'value="Starred"' in text(response)
    assert 'value="zoe@work.example"' in text(response)
    assert not Contact.objects.exists()
    assert not Label.objects.exists()


# ---------- Editing ----------


def test_edit_inline_with_htmx_then_save(alice, alice_client):
    contact = ContactFactory(owner=alice, given_name="Zoe", emails=["z@example.com"])
    url = reverse("contacts:edit", args=[contact.pk])
    form = alice_client.get(url, **htmx("contact-card"))
    assert 'hx-target="#contact-card"' in text(form)
    assert 'value="z@example.com"' in text(form)
    data = editor_data(given_name="Zoë", family_name="Lefèvre")
    saved = alice_client.post(url, data, **htmx("contact-card"))
    assert saved.status_code == 200
    assert re.search(
        r'<h1 id="contact-name-\d+"[^>]*autofocus>Zoë Lefèvre</h1>', text(saved)
    )
    assert "Changes saved." in text(saved)  # the flash rides along
    contact.refresh_from_db()
    assert contact.shown_name == "Zoë Lefèvre"


def test_edit_inline_errors_stay_in_the_form(alice, alice_client):
    contact = ContactFactory(owner=alice, given_name="Zoe")
    url = reverse("contacts:edit", args=[contact.pk])
    data = editor_data(**{"websites-TOTAL_FORMS": "1", "websites-0-value": "ftp://x"})
    response = alice_client.post(url, data, **htmx("contact-card"))
    assert response.status_code == 422
    assert "Enter a valid URL." in text(response)
    assert 'value="ftp://x"' in text(response)
    contact.refresh_from_db()
    assert contact.given_name == "Zoe"


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_adding_a_row_while_editing_keeps_the_birthday_and_labels_typed(
    alice, alice_client, headers
):
    family = LabelFactory(owner=alice, name="Family")
    work = LabelFactory(owner=alice, name="Work")
    contact = ContactFactory(
        owner=alice,
        given_name="Zoe",
        labels=[family],
        birthday_day=3,
        birthday_month=4,
    )
    data = editor_data(
        add_row="emails", birthday_day="9", birthday_month="10", labels=[work.pk]
    )
    url = reverse("contacts:edit", args=[contact.pk])
    html = text(alice_client.post(url, data, **headers))

    def checkbox(label):
        return re.search(
            rf'<input[^>]*name="labels"[^>]*value="{label.pk}"[^>]*>', html
        )[0]

    assert re.search(r'name="birthday_day"[^>]*value="9"', html)
    assert re.search(r'<option value="10" selected>', html)
    assert "checked" in checkbox(work)
    assert "checked" not in checkbox(family)
    contact.refresh_from_db()
    assert (contact.birthday_day, contact.birthday_month) == (3, 4)


def test_edit_without_javascript_is_a_page_and_redirects(alice, alice_client):
    contact = ContactFactory(owner=alice, given_name="Zoe")
    url = reverse("contacts:edit", args=[contact.pk])
    page = alice_client.get(url)
    assert "<html" in text(page)
    assert "Edit Zoe" in text(page)
    response = alice_client.post(url, editor_data(given_name="Zed"))
    assert response["Location"] == contact.get_absolute_url()
    contact.refresh_from_db()
    assert contact.given_name == "Zed"


# ---------- Favourites, delete ----------


def test_each_row_of_the_list_has_its_star_pressed_or_not(alice, alice_client):
    from connections.templatetags.ui import icon

    starred = ContactFactory(owner=alice, given_name="Ann", is_favorite=True)
    plain = ContactFactory(owner=alice, given_name="Bea")
    html = text(alice_client.get(reverse("contacts:list")))
    for contact, on in ((starred, True), (plain, False)):
        url = reverse("contacts:favorite", args=[contact.pk])
        assert (
            f'<button type="submit" form="favorite-form" formaction="{url}" '
            f'name="is_favorite" value="{"0" if on else "1"}" '
            f'class="btn btn-icon favorite-toggle{" is-favorite" if on else ""}" '
            f'aria-pressed="{"true" if on else "false"}" '
            f'aria-labelledby="favorite-word contact-name-{contact.pk}" '
            f'title="{"Remove from favourites" if on else "Add to favourites"}" '
            f'hx-post="{url}" hx-target="this" hx-swap="outerHTML">'
            f"{icon('star-filled' if on else 'star')}</button>"
        ) in html


def test_star_with_htmx_swaps_the_button(alice, alice_client):
    contact = ContactFactory(owner=alice)
    url = reverse("contacts:favorite", args=[contact.pk])
    response = alice_client.post(url, {"is_favorite": "1"}, **HTMX)
    assert 'aria-pressed="true"' in text(response)
    assert "<html" not in text(response)
    contact.refresh_from_db()
    assert contact.is_favorite


def test_star_without_javascript_goes_back_to_a_safe_page(alice, alice_client):
    contact = ContactFactory(owner=alice)
    url = reverse("contacts:favorite", args=[contact.pk])
    back = alice_client.post(url, {"is_favorite": "1", "next": "/contacts/?q=a"})
    assert back["Location"] == "/contacts/?q=a"
    evil = alice_client.post(url, {"is_favorite": "0", "next": "https://evil.example/"})
    assert evil["Location"] == contact.get_absolute_url()
    contact.refresh_from_db()
    assert not contact.is_favorite


@pytest.mark.parametrize("target", ["true", "contacts", "?q=a", "\\evil.example"])
def test_a_next_that_is_not_a_path_of_the_site_is_not_followed(
    alice, alice_client, target
):
    # "true" was read by redirect() as the name of a view: a server error.
    contact = ContactFactory(owner=alice)
    url = reverse("contacts:favorite", args=[contact.pk])
    response = alice_client.post(url, {"is_favorite": "1", "next": target})
    assert response["Location"] == contact.get_absolute_url()
    bulk = alice_client.post(
        reverse("contacts:bulk"),
        {"action": "delete", "contact": [contact.pk], "next": target},
    )
    assert bulk["Location"] == reverse("contacts:list")


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_a_search_with_control_characters_reads_them_as_spaces(
    alice, alice_client, headers
):
    # A NUL reached PostgreSQL, which refuses it in any text: a server error.
    ContactFactory(owner=alice, given_name="Zoë", family_name="Martin")
    ContactFactory(owner=alice, given_name="Yann", family_name="Leroy")
    response = alice_client.get(
        reverse("contacts:list") + "?q=%00zo%C3%AB%09", **headers
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Zoë Martin" in html
    assert "Yann Leroy" not in html


def test_star_needs_post(alice, alice_client):
    contact = ContactFactory(owner=alice)
    response = alice_client.get(reverse("contacts:favorite", args=[contact.pk]))
    assert response.status_code == 405


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_delete_moves_to_the_trash(alice, alice_client, headers):
    contact = ContactFactory(owner=alice, given_name="Zoë", family_name="M")
    response = alice_client.post(
        reverse("contacts:delete", args=[contact.pk]), **headers
    )
    location = response.get("HX-Redirect") or response["Location"]
    assert location == reverse("contacts:list")
    assert Contact.objects.in_trash_of(alice).get() == contact
    assert "Zoë M moved to the Trash" in text(alice_client.get(location))


# ---------- Bulk actions ----------


def test_bulk_add_label_without_javascript(alice, alice_client, bob):
    label = LabelFactory(owner=alice, name="Family")
    mine = [ContactFactory(owner=alice) for _ in range(2)]
    theirs = ContactFactory(owner=bob)
    response = alice_client.post(
        reverse("contacts:bulk"),
        {
            "action": "add_label",
            "apply_label": label.pk,
            "contact": [c.pk for c in mine] + [theirs.pk],
            "next": "/contacts/?q=x",
        },
    )
    assert response["Location"] == "/contacts/?q=x"
    assert set(label.contacts.all()) == set(mine)
    page = text(alice_client.get(reverse("contacts:list")))
    assert "Label “Family” added to 2 contacts." in page


def test_bulk_delete_with_htmx_refreshes_the_results(alice, alice_client):
    keep = ContactFactory(owner=alice, given_name="Keep")
    gone = ContactFactory(owner=alice, given_name="Gone")
    response = alice_client.post(
        reverse("contacts:bulk"),
        {"action": "delete", "contact": [gone.pk], "q": ""},
        **HTMX,
    )
    html = text(response)
    assert response.status_code == 200
    assert 'id="contact-results"' in html
    assert "Gone" not in html.split("flash")[0]
    assert keep.shown_name in html
    assert "1 contact moved to the Trash." in html
    assert Contact.objects.in_trash_of(alice).get() == gone


def test_bulk_remove_label_keeps_the_search(alice, alice_client):
    label = LabelFactory(owner=alice)
    # Fixed names: a random last name ("Cannon") could match the search.
    ann = ContactFactory(
        owner=alice, given_name="Ann", family_name="Lee", labels=[label]
    )
    ben = ContactFactory(owner=alice, given_name="Ben", family_name="Okafor")
    response = alice_client.post(
        reverse("contacts:bulk"),
        {
            "action": "remove_label",
            "apply_label": label.pk,
            "contact": [ann.pk],
            "q": "ann",
        },
        **HTMX,
    )
    assert row_of(ben) not in text(response)
    assert not ann.labels.exists()


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_bulk_without_selection_or_label_explains(alice, alice_client, headers):
    contact = ContactFactory(owner=alice)
    nothing = alice_client.post(
        reverse("contacts:bulk"), {"action": "delete"}, follow=not headers, **headers
    )
    assert "Select at least one contact first." in text(nothing)
    no_label = alice_client.post(
        reverse("contacts:bulk"),
        {"action": "add_label", "contact": [contact.pk]},
        follow=not headers,
        **headers,
    )
    assert "Choose a label first." in text(no_label)
    if headers:
        assert no_label.status_code == 422
        ticked = re.search(rf'<input [^>]*value="{contact.pk}"[^>]*>', text(no_label))
        assert " checked" in ticked.group(0)
    assert Contact.objects.owned_by(alice).count() == 1


def test_bulk_with_another_members_label_is_refused(alice, alice_client, bob):
    contact = ContactFactory(owner=alice)
    response = alice_client.post(
        reverse("contacts:bulk"),
        {
            "action": "add_label",
            "apply_label": LabelFactory(owner=bob).pk,
            "contact": [contact.pk],
        },
        follow=True,
    )
    assert "Select a valid choice" in text(response)
    assert not contact.labels.exists()


# ---------- Trash ----------


def test_trash_lists_deleted_contacts_with_their_expiry(alice, alice_client):
    ContactFactory(owner=alice, given_name="Gone", trashed=True)
    ContactFactory(owner=alice, given_name="Here")
    html = text(alice_client.get(reverse("contacts:trash")))
    assert "Gone" in html
    assert "Here" not in html
    assert "kept until" in html
    assert "Empty trash" in html


def test_restore_with_htmx_removes_the_row_and_confirms(alice, alice_client):
    contact = ContactFactory(
        owner=alice, given_name="Zoë", family_name="M", trashed=True
    )
    ContactFactory(owner=alice, trashed=True)
    response = alice_client.post(reverse("contacts:restore", args=[contact.pk]), **HTMX)
    assert response.status_code == 200
    assert "Zoë M was restored." in text(response)
    assert "trash-row" not in text(response)
    assert Contact.objects.owned_by(alice).get() == contact


def test_restoring_the_last_one_with_htmx_reloads_the_empty_trash(alice, alice_client):
    contact = ContactFactory(owner=alice, trashed=True)
    response = alice_client.post(reverse("contacts:restore", args=[contact.pk]), **HTMX)
    assert response["HX-Redirect"] == reverse("contacts:trash")
    assert "The Trash is empty" in text(alice_client.get(reverse("contacts:trash")))


def test_restore_without_javascript_redirects_to_the_trash(alice, alice_client):
    contact = ContactFactory(owner=alice, trashed=True)
    response = alice_client.post(reverse("contacts:restore", args=[contact.pk]))
    assert response["Location"] == reverse("contacts:trash")
    assert Contact.objects.owned_by(alice).exists()


def test_a_second_click_on_restore_says_it_is_done(alice, alice_client, bob_client):
    contact = ContactFactory(
        owner=alice, given_name="Zoë", family_name="M", trashed=True
    )
    url = reverse("contacts:restore", args=[contact.pk])
    alice_client.post(url)
    response = alice_client.post(url, follow=True)
    assert response.redirect_chain == [(reverse("contacts:trash"), 302)]
    assert "Zoë M was restored already." in text(response)
    # Another member's contact, in the Trash or not, is not found.
    assert bob_client.post(url).status_code == 404


def test_delete_for_good_asks_first(alice, alice_client):
    contact = ContactFactory(owner=alice, given_name="Zoë", trashed=True)
    url = reverse("contacts:purge", args=[contact.pk])
    dialog = text(alice_client.get(url, **HTMX))
    assert 'class="dialog-backdrop"' in dialog
    assert "<html" not in dialog
    page = text(alice_client.get(url))
    assert "<html" in page
    assert "confirm-card" in page
    response = alice_client.post(url)
    assert response["Location"] == reverse("contacts:trash")
    assert not Contact.objects.exists()


def test_empty_trash_asks_then_deletes_only_the_trash(alice, alice_client, bob):
    for _ in range(3):
        ContactFactory(owner=alice, trashed=True)
    kept = ContactFactory(owner=alice)
    theirs = ContactFactory(owner=bob, trashed=True)
    url = reverse("contacts:trash_empty")
    assert "All 3 contacts in the Trash" in text(alice_client.get(url, **HTMX))
    response = alice_client.post(url, follow=True)
    assert "3 contacts were deleted for good." in text(response)
    assert set(Contact.objects.all()) == {kept, theirs}
    again = alice_client.post(url, follow=True)
    assert "The Trash was already empty." in text(again)
    assert "The Trash is already empty." in text(alice_client.get(url, **HTMX))


@pytest.mark.parametrize("count", [1, 60])
def test_trash_query_budget(alice, alice_client, django_assert_max_num_queries, count):
    for _ in range(count):
        ContactFactory(owner=alice, trashed=True)
    for _ in range(count // 20 + 1):
        pair = [ContactFactory(owner=alice, given_name="Ann") for _ in range(2)]
        contacts_merge(owner=alice, contact_ids=[c.pk for c in pair], choices={})
    # As before, and 1 for the merges that moved some of its contacts there.
    with django_assert_max_num_queries(6):
        response = alice_client.get(reverse("contacts:trash"))
    assert "Merged into" in text(response)


# ---------- Labels ----------


def test_create_label_without_and_with_htmx(alice, alice_client):
    response = alice_client.post(reverse("contacts:labels"), {"name": "Family"})
    assert response["Location"] == reverse("contacts:labels")
    fragment = alice_client.post(reverse("contacts:labels"), {"name": "Work"}, **HTMX)
    assert fragment.status_code == 200
    assert 'id="contacts-nav"' in text(fragment)  # the side menu follows
    assert 'hx-swap-oob="true"' in text(fragment)
    assert sorted(Label.objects.values_list("name", flat=True)) == ["Family", "Work"]


def test_duplicate_label_is_refused_next_to_the_field(alice, alice_client):
    LabelFactory(owner=alice, name="Family")
    response = alice_client.post(reverse("contacts:labels"), {"name": "family"}, **HTMX)
    assert response.status_code == 422
    assert "You already have a label named “family”." in text(response)
    assert 'value="family"' in text(response)


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_a_reserved_label_name_is_refused_next_to_the_field(alice_client, headers):
    response = alice_client.post(
        reverse("contacts:labels"), {"name": "Starred"}, **headers
    )
    assert response.status_code == (422 if headers else 200)
    assert (
        "Address book files use “Starred” for something of their own, so a label "
        "of that name would be lost on export. Choose another name." in text(response)
    )
    assert 'value="Starred"' in text(response)
    assert not Label.objects.exists()


def test_rename_label(alice, alice_client):
    label = LabelFactory(owner=alice, name="Famly")
    url = reverse("contacts:label_rename", args=[label.pk])
    response = alice_client.post(url, {"name": "Family"})
    assert response["Location"] == reverse("contacts:labels")
    label.refresh_from_db()
    assert label.name == "Family"
    LabelFactory(owner=alice, name="Work")
    clash = alice_client.post(url, {"name": "work"})
    assert clash.status_code == 200
    assert "already have a label" in text(clash)


def test_delete_label_asks_then_keeps_the_contacts(alice, alice_client):
    label = LabelFactory(owner=alice, name="Family")
    contact = ContactFactory(owner=alice, labels=[label])
    url = reverse("contacts:label_delete", args=[label.pk])
    assert "stays in your address book" in text(alice_client.get(url, **HTMX))
    response = alice_client.post(url)
    assert response["Location"] == reverse("contacts:labels")
    assert not Label.objects.exists()
    assert Contact.objects.filter(pk=contact.pk).exists()


@pytest.mark.parametrize(
    ("method", "name"),
    [
        ("post", "contacts:label_rename"),
        ("get", "contacts:label_delete"),
        ("post", "contacts:label_delete"),
    ],
)
def test_another_members_label_is_404(bob, alice_client, method, name):
    label = LabelFactory(owner=bob)
    response = getattr(alice_client, method)(reverse(name, args=[label.pk]))
    assert response.status_code == 404
    assert Label.objects.filter(pk=label.pk).exists()


# ---------- Settings ----------


def test_settings_change_the_phone_region(alice, alice_client):
    contact = ContactFactory(owner=alice, phones=["020 7946 0000"])
    url = reverse("contacts:settings")
    assert "United States (+1)" in text(alice_client.get(url))
    response = alice_client.post(url, {"default_region": "GB"}, follow=True)
    assert "now read as United Kingdom" in text(response)
    assert contact.phones.get().e164 == "+442079460000"
    bad = alice_client.post(url, {"default_region": "XX"})
    assert "Select a valid choice" in text(bad)


# ---------- Save a member as a contact ----------


def test_save_a_member_as_a_contact(alice_client, alice, bob):
    url = reverse("contacts:from_member", args=["bob"])
    response = alice_client.post(url)
    contact = Contact.objects.get(owner=alice)
    assert response["Location"] == contact.get_absolute_url()
    assert contact.member == bob
    page = text(alice_client.get(response["Location"]))
    assert "Bob Okafor was saved to your contacts." in page
    again = alice_client.post(url, follow=True)
    assert "Bob Okafor is already in your contacts." in text(again)
    assert Contact.objects.count() == 1


def test_save_a_member_with_htmx_goes_to_the_card(alice_client, alice, bob):
    response = alice_client.post(reverse("contacts:from_member", args=["BOB"]), **HTMX)
    assert response["HX-Redirect"] == Contact.objects.get().get_absolute_url()


def test_saving_yourself_or_nobody(alice_client, alice):
    response = alice_client.post(reverse("contacts:from_member", args=["alice"]))
    assert response["Location"] == reverse("connections:profile", args=["alice"])
    assert not Contact.objects.exists()
    missing = alice_client.post(reverse("contacts:from_member", args=["nobody"]))
    assert missing.status_code == 404
    assert (
        alice_client.get(reverse("contacts:from_member", args=["alice"])).status_code
        == 405
    )


def test_the_cursor_starts_on_the_name_then_on_the_first_error(alice_client):
    blank = text(alice_client.get(reverse("contacts:add")))
    assert re.search(r'<input [^>]*name="given_name"[^>]*autofocus', blank)
    data = editor_data(**{"emails-1-value": "not-an-email"})
    invalid = text(alice_client.post(reverse("contacts:add"), data))
    assert re.search(r'<input [^>]*name="emails-1-value"[^>]*autofocus', invalid)
    assert not re.search(r'<input [^>]*name="given_name"[^>]*autofocus', invalid)


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_the_cursor_goes_to_the_first_error_in_the_order_of_the_page(
    alice_client, headers
):
    data = editor_data(
        birthday_day="31", birthday_month="2", **{"emails-1-value": "not-an-email"}
    )
    html = text(alice_client.post(reverse("contacts:add"), data, **headers))
    assert re.search(r'<input [^>]*name="emails-1-value"[^>]*autofocus', html)
    assert not re.search(r'name="birthday_day"[^>]*autofocus', html)


def test_an_error_about_the_whole_contact_puts_the_cursor_on_the_message(
    alice_client,
):
    data = editor_data(
        given_name="",
        family_name="",
        **{"emails-0-value": "", "emails-1-value": "", "phones-0-value": ""},
    )
    html = text(alice_client.post(reverse("contacts:add"), data))
    assert re.search(
        r'<div class="form-errors" role="alert" tabindex="-1" autofocus>', html
    )
    assert "autofocus" not in html.replace(
        '<div class="form-errors" role="alert" tabindex="-1" autofocus>', ""
    )


def test_a_row_of_the_list_shows_each_value_whole_in_its_title(alice, alice_client):
    club = LabelFactory(owner=alice, name='The "Tuesday" club')
    neighbours = LabelFactory(owner=alice, name="Neighbours")
    ann = ContactFactory(
        owner=alice,
        display_name="Annabel Okonkwo-Fitzgerald",
        organization="Smith & Sons",
        emails=["annabel.okonkwo-fitzgerald@example.com"],
        phones=["+44 20 7946 0958"],
        labels=[club, neighbours],
    )
    ContactFactory(owner=alice, given_name="Ben", emails=["ben@example.com"])

    html = text(alice_client.get(reverse("contacts:list")))

    assert f'id="contact-name-{ann.pk}" title="Annabel Okonkwo-Fitzgerald">' in html
    assert '<span class="item-sub" title="Smith &amp; Sons">' in html
    assert 'title="annabel.okonkwo-fitzgerald@example.com">' in html
    assert 'title="+44 20 7946 0958">' in html
    # Labels in the order of the list, all of them, cut short or not.
    assert (
        '<span class="contact-chips" title="Neighbours, The &quot;Tuesday&quot; club">'
        in html
    )
    # Ben has no job: his second line repeats his email, which wide screens hide.
    assert '<span class="item-sub contact-row-repeat" title="ben@example.com">' in html


def test_a_row_of_the_list_escapes_what_the_owner_typed(alice, alice_client):
    label = LabelFactory(owner=alice, name="<b>VIP</b>")
    ContactFactory(
        owner=alice,
        given_name='<img src=x onerror="alert(1)">',
        organization="Smith & Sons",
        emails=["o'brien@example.com"],
        labels=[label],
    )

    html = text(alice_client.get(reverse("contacts:list")))

    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert "Smith &amp; Sons" in html
    assert '<span class="chip">&lt;b&gt;VIP&lt;/b&gt;</span>' in html
    assert 'href="mailto:o&#x27;brien@example.com"' in html
