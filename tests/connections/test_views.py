import json
import re
from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from connections.models import (
    Block,
    Connection,
    ConnectionRequest,
    EmailInvitation,
    NotificationSettings,
    User,
)
from connections.selectors.network import connections_of
from connections.services import network
from connections.services.moderation import member_suspend
from tests.conftest import HTMX
from tests.factories import UpdateFactory, UserFactory, connect

pytestmark = pytest.mark.django_db

MEMBER_PAGES = ["connections:network", "connections:messages", "connections:settings"]


def test_visitor_sees_the_landing_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Join now" in response.content
    assert b"My Network" not in response.content


def test_member_sees_their_home_with_the_navigation(alice_client):
    response = alice_client.get("/")
    content = response.content.decode()
    assert response.status_code == 200
    for label in ("Home", "My Network", "Messages", "Contacts", "Profile", "Settings"):
        assert label in content
    assert "Sign out" in content
    assert "Welcome, Alice" in content


@pytest.mark.parametrize("name", MEMBER_PAGES)
def test_member_pages_require_sign_in(client, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={url}"


@pytest.mark.parametrize("name", MEMBER_PAGES)
def test_member_pages_render_their_empty_states(alice_client, name):
    response = alice_client.get(reverse(name))
    assert response.status_code == 200
    assert b"coming soon" not in response.content.lower()


def main_part(response) -> str:
    """The page's own content, after the header and its navigation."""
    return response.content.decode().partition('id="main"')[2]


@pytest.mark.parametrize(
    ("url", "section", "next_steps"),
    [
        (
            "/network/invitations/",
            "received-title",
            ["/network/search/", "/network/invite/"],
        ),
        ("/network/invitations/sent/", "sent-title", ["/network/search/"]),
        ("/network/search/?q=nobody", "search-title", ["/network/invite/"]),
    ],
)
def test_empty_network_pages_offer_the_next_step(
    alice_client, url, section, next_steps
):
    """An empty list says what it is for and links where to go from there."""
    html = alice_client.get(url).content.decode()
    # The list's own card, not the search and invite bar above every tab.
    card = html.partition(f'aria-labelledby="{section}"')[2].partition("</section>")[0]
    assert card
    for step in next_steps:
        assert f'href="{step}"' in card, (url, step)


def test_settings_name_the_email_page_as_it_names_itself(alice_client):
    """One address to change, not a list of them: the menu says what the page
    says."""
    page = alice_client.get(reverse("account_email")).content.decode()
    assert re.search(r"<h1[^>]*>\s*Email address\s*</h1>", page)
    for url in (reverse("connections:settings"), reverse("account_email")):
        html = alice_client.get(url).content.decode()
        assert "Email addresses" not in html, url
        assert "Email address</a></li>" in html, url


def test_expired_session_during_htmx_request_redirects_the_whole_page(client):
    response = client.get(
        reverse("connections:network"),
        HTTP_HX_CURRENT_URL="http://testserver/contacts/",
        **HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/login/?next=/contacts/"


def test_profile_shows_public_name_and_headline(client, alice):
    response = client.get(reverse("connections:profile", args=["alice"]))
    assert response.status_code == 200
    assert b"Alice Martin" in response.content
    assert b"Product designer" in response.content
    assert alice.email.encode() not in response.content


def test_profile_handle_is_case_insensitive(client, alice):
    assert client.get("/in/ALICE/").status_code == 200


def test_unknown_or_inactive_profile_is_404(client, alice):
    assert client.get("/in/nobody/").status_code == 404
    alice.is_active = False
    alice.save()
    assert client.get("/in/alice/").status_code == 404


def test_changing_the_email_address_asks_for_the_password_first(alice):
    """A browser left signed in can't give the account to another address
    (from which the password could then be reset)."""
    from allauth.account.models import EmailAddress
    from django.core import mail

    from tests.factories import DEFAULT_PASSWORD

    browser = Client()
    browser.post(
        reverse("account_login"),
        {"login": alice.email, "password": DEFAULT_PASSWORD},
    )
    change = {"action_add": "", "email": "someone.else@example.com"}
    asked = browser.post(reverse("account_email"), change)
    assert asked.status_code == 302
    assert asked["Location"].startswith(reverse("account_reauthenticate"))
    assert not EmailAddress.objects.filter(email="someone.else@example.com").exists()
    assert not mail.outbox

    wrong = browser.post(asked["Location"], {"password": "not-the-password"})
    assert wrong.status_code == 200
    assert not EmailAddress.objects.filter(email="someone.else@example.com").exists()

    # With the password, the change asked for goes ahead.
    browser.post(asked["Location"], {"password": DEFAULT_PASSWORD})
    assert EmailAddress.objects.filter(
        user=alice, email="someone.else@example.com", verified=False
    ).exists()
    assert mail.outbox[-1].to == ["someone.else@example.com"]
    # Another change within minutes goes ahead at once.
    again = browser.post(
        reverse("account_email"), {"action_add": "", "email": "third@example.com"}
    )
    assert again["Location"] == reverse("account_email")


def test_settings_links_to_account_security(alice_client):
    content = alice_client.get(reverse("connections:settings")).content.decode()
    for url in (
        "account_email",
        "account_change_password",
        "mfa_index",
        "usersessions_list",
    ):
        assert reverse(url) in content


# ---------------------------------------------------------------------------
# The network's pages and actions.

BUDGET = 8  # queries per page, session and user included


def send(sender, recipient, **kwargs):
    return network.connection_request_send(sender=sender, recipient=recipient, **kwargs)


def fill_network(member, size):
    """`size` connections, received and sent invitations, and suggestions."""
    people = UserFactory.create_batch(size)
    for person in people:
        connect(member, person)
    for person in UserFactory.create_batch(size):
        send(person, member, note="Hello")
        connect(person, people[0])
    for person in UserFactory.create_batch(size):
        send(member, person)
        connect(person, people[-1])
    return people


class TestProfile:
    def test_visitor_sees_connect_that_leads_to_sign_in(self, client, alice):
        html = client.get("/in/alice/").content.decode()
        assert "/accounts/login/?next=/in/alice/" in html
        assert "mutual" not in html

    def test_own_profile_has_no_button(self, alice_client):
        html = alice_client.get("/in/alice/").content.decode()
        assert 'id="relationship-' not in html
        assert "Block" not in html

    @pytest.mark.parametrize(
        ("setup", "expected"),
        [
            ("none", ["Connect", "/in/bob/connect/"]),
            ("outgoing", ["Pending", "Withdraw"]),
            ("incoming", ["Accept", "Ignore"]),
            ("connected", ["Message", "Remove connection"]),
        ],
    )
    def test_one_truthful_button(self, alice, alice_client, bob, setup, expected):
        if setup == "outgoing":
            send(alice, bob)
        elif setup == "incoming":
            send(bob, alice)
        elif setup == "connected":
            connect(alice, bob)
        html = alice_client.get("/in/bob/").content.decode()
        for text in expected:
            assert text in html
        buttons = {"Connect<", "Withdraw<", "Accept<", "Message<"}
        assert sum(html.count(button) for button in buttons) == 1

    def test_shows_the_mutual_count(self, alice, alice_client, bob, carol, dave):
        for friend in (carol, dave):
            connect(alice, friend)
            connect(bob, friend)
        assert "2 mutual connections" in alice_client.get("/in/bob/").content.decode()

    @pytest.mark.parametrize("who_blocks", ["alice", "bob"])
    def test_blocked_either_way_is_404_for_both(
        self, alice, bob, alice_client, bob_client, who_blocks
    ):
        if who_blocks == "alice":
            network.block_create(blocker=alice, blocked=bob)
        else:
            network.block_create(blocker=bob, blocked=alice)
        assert alice_client.get("/in/bob/").status_code == 404
        assert bob_client.get("/in/alice/").status_code == 404
        assert alice_client.get("/in/bob/connect/").status_code == 404

    def test_query_budget(
        self, alice, alice_client, bob, django_assert_max_num_queries
    ):
        fill_network(alice, 3)
        connect(alice, bob)
        with django_assert_max_num_queries(BUDGET):
            assert alice_client.get("/in/bob/").status_code == 200

    def test_relationship_fragment_refreshes_the_button(self, alice, alice_client, bob):
        send(alice, bob)
        response = alice_client.get("/in/bob/relationship/?next=/network/", **HTMX)
        html = response.content.decode()
        assert html.startswith('<div class="relationship-action" id="relationship-')
        assert "Withdraw" in html
        assert 'name="next" value="/network/"' in html


class TestConnect:
    def test_dialog_for_htmx_and_page_without(self, alice_client, bob):
        dialog = alice_client.get("/in/bob/connect/", **HTMX)
        assert dialog.content.decode().startswith('<div class="dialog-backdrop">')
        assert 'data-counter=""' in dialog.content.decode()
        assert "You can send 100 more invitations this week." in (
            dialog.content.decode()
        )
        page = alice_client.get("/in/bob/connect/")
        assert "<h1" in page.content.decode()
        assert "HX-Request" in dialog["Vary"]
        assert "HX-Request" in page["Vary"]

    def test_plain_post_sends_and_goes_back(self, alice, alice_client, bob):
        response = alice_client.post(
            "/in/bob/connect/",
            {"note": "Hi", "how_we_met": "event", "next": "/network/search/?q=bob"},
        )
        assert response.status_code == 302
        assert response["Location"] == "/network/search/?q=bob"
        invitation = ConnectionRequest.objects.get()
        assert (invitation.sender, invitation.recipient) == (alice, bob)
        assert invitation.how_we_met == "event"

    def test_foreign_next_is_ignored(self, alice_client, bob):
        response = alice_client.post(
            "/in/bob/connect/", {"next": "https://evil.example/"}
        )
        assert response["Location"] == "/in/bob/"

    def test_htmx_post_closes_the_dialog_and_refreshes_the_button(
        self, alice_client, bob
    ):
        response = alice_client.post("/in/bob/connect/", {"note": "Hi"}, **HTMX)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Invitation sent to Bob Okafor." in html  # flash, out of band
        # Sending changes none of Alice's own badges.
        assert "nav-badge-network" not in html
        assert json.loads(response["HX-Trigger"]) == {
            "relationshipChanged": {"member": bob.pk}
        }

    def test_connecting_back_answers_their_invitation_and_its_badge(
        self, alice, alice_client, bob
    ):
        network.connection_request_send(sender=bob, recipient=alice)
        response = alice_client.post("/in/bob/connect/", {"note": ""}, **HTMX)
        assert response.status_code == 200
        html = response.content.decode()
        assert "You are now connected with Bob Okafor." in html
        # The invitation it answered leaves the My Network badge.
        assert (
            '<span id="nav-badge-network" hx-swap-oob="true" '
            'class="nav-badge is-empty">' in html
        )
        assert json.loads(response["HX-Trigger"]) == {
            "relationshipChanged": {"member": bob.pk}
        }

    def test_a_too_long_note_is_refused_with_what_was_typed(self, alice_client, bob):
        response = alice_client.post("/in/bob/connect/", {"note": "é" * 301}, **HTMX)
        assert response.status_code == 422
        html = response.content.decode()
        assert "at most 300 characters" in html
        assert "é" * 301 in html
        assert not ConnectionRequest.objects.exists()

    @override_settings(RAPPORT_INVITATIONS_PER_WEEK=1)
    def test_a_limit_is_explained_before_and_on_sending(
        self, alice, alice_client, bob, carol
    ):
        send(alice, carol)
        html = alice_client.get("/in/bob/connect/", **HTMX).content.decode()
        assert "the weekly limit" in html
        assert "<form" not in html
        response = alice_client.post("/in/bob/connect/", {"note": "Hi"}, **HTMX)
        assert response.status_code == 422
        assert "the weekly limit" in response.content.decode()

    @override_settings(RAPPORT_CONNECTIONS_MAX=2)
    @pytest.mark.parametrize("connections", [2, 30])
    def test_a_refused_invitation_is_explained_without_checking_twice(
        self, alice, alice_client, bob, connections, django_assert_max_num_queries
    ):
        for person in UserFactory.create_batch(connections):
            connect(alice, person)
        with django_assert_max_num_queries(18):
            response = alice_client.post("/in/bob/connect/", {"note": "Hi"}, **HTMX)
        assert response.status_code == 422
        html = response.content.decode()
        assert "the most a member can have" in html
        assert "<form" not in html
        assert not ConnectionRequest.objects.exists()

    def test_connect_on_an_inviter_accepts(self, alice, alice_client, bob):
        send(bob, alice)
        response = alice_client.post("/in/bob/connect/", {})
        assert response.status_code == 302
        assert Connection.objects.count() == 2
        follow = alice_client.get(response["Location"])
        assert "You are now connected with Bob Okafor." in follow.content.decode()

    def test_dialog_tells_the_state_when_not_invitable(self, alice, alice_client, bob):
        send(bob, alice)
        response = alice_client.get("/in/bob/connect/", **HTMX)
        assert "Bob Okafor already invited you" in response.content.decode()
        assert json.loads(response["HX-Trigger"]) == {
            "relationshipChanged": {"member": bob.pk}
        }
        page = alice_client.get("/in/bob/connect/").content.decode()
        assert ">Accept</button>" in page

    def test_yourself_and_strangers_are_404(self, alice_client):
        assert alice_client.get("/in/alice/connect/").status_code == 404
        assert alice_client.get("/in/nobody/connect/").status_code == 404

    def test_visitor_is_sent_to_sign_in(self, client, bob):
        response = client.get("/in/bob/connect/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


class TestAnswering:
    def url(self, invitation):
        return f"/network/invitations/{invitation.pk}/"

    def test_accept_inline_with_htmx(self, alice, bob, bob_client):
        invitation = send(alice, bob)
        response = bob_client.post(
            self.url(invitation), {"action": "accept", "fragment": "invitation"}, **HTMX
        )
        html = response.content.decode()
        assert html.startswith(
            f'<li class="invitation" id="invitation-{invitation.pk}">'
        )
        assert "Connected" in html
        assert "You are now connected with Alice Martin." in html
        assert (
            'id="nav-badge-network" hx-swap-oob="true" class="nav-badge is-empty"'
            in html
        )
        assert Connection.objects.count() == 2

    def test_accept_from_the_profile_button_with_htmx(self, alice, bob, bob_client):
        invitation = send(alice, bob)
        response = bob_client.post(
            self.url(invitation), {"action": "accept", "next": "/in/alice/"}, **HTMX
        )
        html = response.content.decode()
        assert html.startswith('<div class="relationship-action"')
        assert "Message" in html

    @pytest.mark.parametrize(
        ("action", "status"),
        [
            ("accept", "accepted"),
            ("ignore", "ignored"),
            ("unknown", "declined_unknown"),
        ],
    )
    def test_plain_post_answers_and_returns(
        self, alice, bob, bob_client, action, status
    ):
        invitation = send(alice, bob)
        response = bob_client.post(
            self.url(invitation), {"action": action, "next": "/network/invitations/"}
        )
        assert response.status_code == 302
        assert response["Location"] == "/network/invitations/"
        invitation.refresh_from_db()
        assert invitation.status == status

    def test_only_the_recipient_may_answer_others_get_404(
        self, alice, bob, alice_client, carol_client
    ):
        invitation = send(alice, bob)
        for client in (alice_client, carol_client):
            assert (
                client.post(self.url(invitation), {"action": "accept"}).status_code
                == 404
            )
        invitation.refresh_from_db()
        assert invitation.status == "pending"

    def test_only_the_sender_may_withdraw_others_get_404(
        self, alice, bob, alice_client, bob_client, carol_client
    ):
        invitation = send(alice, bob)
        url = f"/network/invitations/{invitation.pk}/withdraw/"
        for client in (bob_client, carol_client):
            assert client.post(url).status_code == 404
        response = alice_client.post(url, {"fragment": "invitation"}, **HTMX)
        assert "Withdrawn" in response.content.decode()
        invitation.refresh_from_db()
        assert invitation.status == "withdrawn"

    def test_an_answered_row_updates_my_networks_tab_counts(
        self, alice, bob, carol, bob_client
    ):
        """Accepting on the Invitations tab lowers its count and raises the
        Connections one at once, not at the next page load."""

        def tab_counts(html):
            return dict(
                re.findall(r'id="tab-count-(\w+)" hx-swap-oob="true">(\d+)<', html)
            )

        first, second = send(alice, bob), send(carol, bob)
        send(bob, UserFactory())
        response = bob_client.post(
            self.url(first), {"action": "accept", "fragment": "invitation"}, **HTMX
        )
        html = response.content.decode()
        assert tab_counts(html) == {"connections": "1", "received": "1", "sent": "1"}
        # The navigation badge says the same.
        assert re.search(r'id="nav-badge-network"[^>]*>1<', html)
        response = bob_client.post(
            self.url(second), {"action": "ignore", "fragment": "invitation"}, **HTMX
        )
        assert tab_counts(response.content.decode())["received"] == "0"
        # A button elsewhere (a profile's) has no tabs to update.
        third = send(UserFactory(), bob)
        response = bob_client.post(self.url(third), {"action": "accept"}, **HTMX)
        assert "tab-count" not in response.content.decode()

    def test_buttons_on_my_networks_pages_update_its_tab_counts(
        self, alice, bob, carol, dave, bob_client
    ):
        """Connect, Accept and Withdraw on a suggestion or a search result
        change the tabs above them at once; on a profile there are none."""

        def tab_counts(html):
            return dict(
                re.findall(r'id="tab-count-(\w+)" hx-swap-oob="true">(\d+)<', html)
            )

        on_network = {**HTMX, "HTTP_HX_CURRENT_URL": "http://testserver/network/"}
        on_search = {
            **HTMX,
            "HTTP_HX_CURRENT_URL": "http://testserver/network/search/?q=carol",
        }
        response = bob_client.post(
            f"/in/{carol.handle}/connect/", {"note": ""}, **on_network
        )
        assert tab_counts(response.content.decode()) == {
            "connections": "0",
            "received": "0",
            "sent": "1",
        }
        invitation = ConnectionRequest.objects.get(sender=bob, recipient=carol)
        response = bob_client.post(
            f"/network/invitations/{invitation.pk}/withdraw/", **on_search
        )
        assert tab_counts(response.content.decode())["sent"] == "0"
        response = bob_client.post(
            self.url(send(alice, bob)), {"action": "accept"}, **on_search
        )
        assert tab_counts(response.content.decode()) == {
            "connections": "1",
            "received": "0",
            "sent": "0",
        }
        # On a profile, or from another site's address, only the badge.
        for current in (
            f"http://testserver/in/{dave.handle}/",
            "https://elsewhere/network/",
        ):
            response = bob_client.post(
                self.url(send(UserFactory(), bob)),
                {"action": "accept"},
                **HTMX,
                HTTP_HX_CURRENT_URL=current,
            )
            assert "tab-count" not in response.content.decode()

    def test_answers_are_post_only(self, alice, bob, bob_client):
        invitation = send(alice, bob)
        assert bob_client.get(self.url(invitation)).status_code == 405

    def test_an_unknown_action_is_a_bad_request(self, alice, bob, bob_client):
        invitation = send(alice, bob)
        assert bob_client.post(self.url(invitation), {"action": "x"}).status_code == 400

    def test_accepting_a_withdrawn_invitation_says_so(self, alice, bob, bob_client):
        invitation = send(alice, bob)
        network.connection_request_withdraw(invitation=invitation, member=alice)
        response = bob_client.post(
            self.url(invitation), {"action": "accept", "fragment": "invitation"}, **HTMX
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "Alice Martin withdrew this invitation." in html
        assert "Withdrawn by the sender" in html

    def test_double_click_on_accept_is_harmless(self, alice, bob, bob_client):
        invitation = send(alice, bob)
        for _ in range(2):
            response = bob_client.post(self.url(invitation), {"action": "accept"})
            assert response.status_code == 302
        assert Connection.objects.count() == 2

    @pytest.mark.parametrize("action", ["accept", "ignore", "unknown"])
    def test_invitation_from_a_suspended_member_is_404_for_every_answer(
        self, alice, bob, alice_client, moderator, action
    ):
        invitation = send(bob, alice)
        member_suspend(member=bob, staff_member=moderator, reason="Spam")
        for headers in ({}, HTMX):
            response = alice_client.post(
                self.url(invitation), {"action": action}, **headers
            )
            assert response.status_code == 404
        invitation.refresh_from_db()
        assert invitation.status == "pending"
        assert not Connection.objects.exists()


class TestMyNetwork:
    @pytest.mark.parametrize("size", [1, 50])
    def test_overview_budget(
        self, alice, alice_client, size, django_assert_max_num_queries
    ):
        fill_network(alice, size)
        with django_assert_max_num_queries(BUDGET):
            response = alice_client.get("/network/")
        html = response.content.decode()
        assert "People you may know" in html
        assert html.count('class="invitation"') == min(size, 5)

    @pytest.mark.parametrize(
        "url",
        [
            "/network/connections/",
            "/network/invitations/",
            "/network/invitations/sent/",
        ],
    )
    @pytest.mark.parametrize("size", [1, 50])
    def test_lists_budget(
        self, alice, alice_client, url, size, django_assert_max_num_queries
    ):
        fill_network(alice, size)
        with django_assert_max_num_queries(BUDGET):
            response = alice_client.get(url)
        assert response.status_code == 200

    def test_the_sent_tab_counts_what_it_lists(
        self, alice, alice_client, bob, carol, django_assert_max_num_queries
    ):
        network.connection_request_send(sender=alice, recipient=bob)
        for n in range(53):
            network.email_invitation_send(inviter=alice, email=f"guest{n}@x.org")
        # Neither a link past its date nor a withdrawn one is waiting.
        EmailInvitation.objects.filter(email="guest0@x.org").update(
            created=timezone.now() - timedelta(days=31),
            expires=timezone.now() - timedelta(days=1),
        )
        network.email_invitation_withdraw(
            invitation=EmailInvitation.objects.get(email="guest1@x.org"), member=alice
        )
        with django_assert_max_num_queries(BUDGET):
            html = alice_client.get("/network/invitations/sent/").content.decode()
        assert 'id="tab-count-sent">52</span>' in html
        title = re.compile(r'class="item-title">(guest\d+@x\.org)</span>')
        listed = title.findall(html)
        assert len(listed) == 50
        assert "guest0@x.org" not in html
        more = re.search(r'href="(/network/[^"]+\?emails_after=[^"]+)"', html)
        more = more.group(1)
        rest = alice_client.get(more, **HTMX).content.decode()
        assert title.findall(rest) == ["guest2@x.org"]
        assert "load-more" not in rest
        plain = alice_client.get(more).content.decode()
        assert title.findall(plain) == ["guest2@x.org"]
        assert "Bob Okafor" in plain

    def test_each_connection_tells_when_it_began(self, alice, bob, alice_client):
        from datetime import UTC, datetime

        connect(alice, bob, created=datetime(2026, 3, 14, 9, 5, tzinfo=UTC))
        for headers in ({}, HTMX):
            html = alice_client.get("/network/connections/", **headers).content
            assert (
                '<time datetime="2026-03-14T09:05:00+00:00">Connected on 14 March 2026'
                "</time>"
            ) in html.decode()

    def test_a_later_page_of_connections_costs_the_same(
        self, alice, alice_client, django_assert_max_num_queries
    ):
        fill_network(alice, 60)
        first = connections_of(member=alice)
        for url in (
            f"/network/connections/?after={first.next_cursor}",
            f"/network/connections/?sort=name&q=a&after={first.next_cursor}",
        ):
            with django_assert_max_num_queries(BUDGET):
                assert alice_client.get(url).status_code == 200
        # Session, member, the page with its mutual counts, the facts behind
        # each one's depth.
        with django_assert_max_num_queries(4):
            rows = alice_client.get(
                f"/network/connections/?after={first.next_cursor}", **HTMX
            )
        assert rows.content.decode().count("data-connection-row") == 10

    def test_nav_badge_shows_pending_invitations(self, alice, alice_client, bob, carol):
        send(bob, alice)
        send(carol, alice)
        html = alice_client.get("/").content.decode()
        assert 'aria-label="2 pending invitations"' in html

    def test_connection_search_for_htmx_returns_the_results(
        self, alice, alice_client, bob, carol
    ):
        connect(alice, bob)
        connect(alice, carol)
        response = alice_client.get("/network/connections/?q=okafor", **HTMX)
        html = response.content.decode()
        assert html.startswith('<div id="connection-results"')
        assert "Bob Okafor" in html
        assert "Carol Nguyen" not in html
        empty = alice_client.get("/network/connections/?q=zzz").content.decode()
        assert "None of your connections matches “zzz”." in empty

    def test_kind_is_saved_inline_or_plainly(self, alice, alice_client, bob):
        connect(alice, bob)
        url = "/network/connections/bob/"
        response = alice_client.post(url, {"kind": "close"}, **HTMX)
        assert response.status_code == 200
        assert 'value="close" selected' in response.content.decode()
        response = alice_client.post(
            url, {"kind": "personal", "next": "/network/connections/?sort=name"}
        )
        assert response["Location"] == "/network/connections/?sort=name"
        assert Connection.objects.get(member=alice).kind == "personal"
        bad = alice_client.post(url, {"kind": "enemy"}, **HTMX)
        assert bad.status_code == 422

    def test_kind_of_a_stranger_is_404(self, alice_client, bob):
        assert (
            alice_client.post(
                "/network/connections/bob/", {"kind": "close"}
            ).status_code
            == 404
        )

    def test_member_search_shows_buttons(self, alice, alice_client, bob, carol):
        send(alice, bob)
        html = alice_client.get("/network/search/?q=o").content.decode()
        assert "Bob Okafor" in html
        assert "Withdraw" in html
        assert "Connect" in html

    def test_member_search_budget(
        self, alice_client, django_assert_max_num_queries, django_assert_num_queries
    ):
        UserFactory.create_batch(60, display_name="Sam Sample")
        # Session, member, results with their mutual counts and relationships,
        # badges: the same with no result.
        with django_assert_max_num_queries(4):
            response = alice_client.get("/network/search/?q=sample")
        assert response.content.decode().count("Sam Sample") >= 50
        with django_assert_num_queries(4):
            alice_client.get("/network/search/?q=nobody-at-all")

    @pytest.mark.parametrize(
        "url",
        [
            "/",
            "/messages/",
            "/network/connections/",
            "/network/connections/?sort=name",
            "/network/invitations/",
            "/network/invitations/sent/",
            "/network/losing-touch/",
            "/network/search/?q=o",
            "/in/bob/updates/",
            "/settings/blocked/",
        ],
    )
    def test_a_forged_cursor_is_the_first_page_not_an_error(
        self, alice, alice_client, bob, url
    ):
        import base64

        connect(alice, bob)
        sep = "&" if "?" in url else "?"
        for headers in ({}, HTMX):
            plain = alice_client.get(url, **headers).status_code
            assert plain in (200, 302)  # the profile's updates: htmx only
            for keys in ('["zzz",1]', "[1e400,1]", '["\\u0000",1]', "[1,2,3]"):
                forged = base64.urlsafe_b64encode(keys.encode()).decode()
                response = alice_client.get(f"{url}{sep}after={forged}", **headers)
                assert response.status_code == plain, (url, keys)

    @pytest.mark.parametrize(
        "url",
        [
            "/",
            "/messages/",
            "/network/connections/",
            "/network/connections/?sort=name",
            "/network/connections/?sort=depth",
            "/network/connections/?sort=name&q=okafor",
            "/network/invitations/",
            "/network/invitations/sent/",
            "/network/losing-touch/",
            "/network/search/?q=o",
            "/in/bob/updates/",
            "/settings/blocked/",
            "/settings/reports/",
        ],
    )
    def test_the_cursor_of_another_list_is_the_first_page_not_an_error(
        self, alice, alice_client, bob, url
    ):
        from connections.selectors.paging import encode_cursor

        connect(alice, bob)
        UpdateFactory(author=bob)
        sep = "&" if "?" in url else "?"
        # Cursors the site signed, of other lists: member search's (a name
        # and an id) where a date goes, Home's (a date and an id) where a
        # depth goes, the depth list's where a name goes.
        foreign = (
            ["bob okafor", bob.pk],
            [timezone.now(), 1],
            [2.5, 1],
        )
        for headers in ({}, HTMX):
            plain = alice_client.get(url, **headers).status_code
            for keys in foreign:
                cursor = encode_cursor(keys)
                response = alice_client.get(f"{url}{sep}after={cursor}", **headers)
                assert response.status_code == plain, (url, keys)

    @pytest.mark.parametrize(
        "url", ["/network/connections/", "/network/search/", "/messages/"]
    )
    def test_a_search_with_control_characters_reads_them_as_spaces(
        self, alice, alice_client, bob, url
    ):
        from connections.services import messaging

        connect(alice, bob)
        messaging.message_send(
            sender=bob, recipient=alice, body="Okafor here", client_token="token-123"
        )
        response = alice_client.get(f"{url}?q=%00okafor%07")
        assert response.status_code == 200
        assert "Bob Okafor" in response.content.decode()


class TestRemoveAndBlock:
    def test_remove_confirm_then_done_without_javascript(
        self, alice, alice_client, bob
    ):
        connect(alice, bob)
        assert (
            "Remove Bob Okafor?" in alice_client.get("/in/bob/remove/").content.decode()
        )
        response = alice_client.post("/in/bob/remove/")
        assert response["Location"] == "/in/bob/remove/?done=1"
        assert Connection.objects.count() == 0
        done = alice_client.get(response["Location"]).content.decode()
        assert "You are no longer connected with Bob Okafor. They are not told." in done
        keep = reverse("contacts:from_member", args=["bob"])
        assert f'<form method="post" action="{keep}">' in done
        assert "Keep Bob as a contact" in done

    def test_remove_with_htmx_answers_in_the_dialog(self, alice, alice_client, bob):
        connect(alice, bob)
        response = alice_client.post("/in/bob/remove/", **HTMX)
        assert response.content.decode().startswith('<div class="dialog-backdrop">')
        assert json.loads(response["HX-Trigger"]) == {
            "relationshipChanged": {"member": bob.pk},
            "connectionRemoved": {"member": bob.pk},
        }

    def test_remove_on_the_connections_tab_updates_its_count(
        self, alice, alice_client, bob, carol
    ):
        connect(alice, bob)
        connect(alice, carol)
        response = alice_client.post(
            "/in/bob/remove/",
            **HTMX,
            HTTP_HX_CURRENT_URL="http://testserver/network/connections/",
        )
        html = response.content.decode()
        assert html.startswith('<div class="dialog-backdrop">')
        assert 'id="tab-count-connections" hx-swap-oob="true">1<' in html
        # From a profile: no tabs there.
        response = alice_client.post(
            "/in/carol/remove/",
            **HTMX,
            HTTP_HX_CURRENT_URL="http://testserver/in/carol/",
        )
        assert "tab-count" not in response.content.decode()

    def test_remove_when_not_connected_goes_to_the_profile(self, alice_client, bob):
        assert alice_client.get("/in/bob/remove/")["Location"] == "/in/bob/"

    def test_block_confirm_then_block(self, alice, alice_client, bob):
        connect(alice, bob)
        html = alice_client.get("/in/bob/block/", **HTMX).content.decode()
        assert "Your connection ends." in html
        response = alice_client.post("/in/bob/block/", **HTMX)
        assert response["HX-Redirect"] == "/network/"
        assert Block.objects.filter(blocker=alice, blocked=bob).exists()
        assert Connection.objects.count() == 0
        assert alice_client.get("/in/bob/").status_code == 404

    def test_blocked_list_and_unblock(self, alice, alice_client, bob):
        network.block_create(blocker=alice, blocked=bob)
        assert "Bob Okafor" in alice_client.get("/settings/blocked/").content.decode()
        response = alice_client.post("/settings/blocked/bob/unblock/", **HTMX)
        assert "Unblocked" in response.content.decode()
        assert not Block.objects.exists()
        assert alice_client.get("/in/bob/").status_code == 200

    def test_unblock_only_your_own_blocks(self, alice, bob, carol_client):
        network.block_create(blocker=alice, blocked=bob)
        assert carol_client.post("/settings/blocked/bob/unblock/").status_code == 404
        assert Block.objects.exists()


class TestInviteByEmail:
    def test_form_is_prefilled_from_the_query(self, alice_client):
        html = alice_client.get(
            "/network/invite/?email=zoe@example.org&name=Zo%C3%AB"
        ).content.decode()
        assert 'value="zoe@example.org"' in html
        assert 'value="Zoë"' in html

    def test_sending_says_the_same_for_members_and_strangers(
        self, alice_client, bob, mailoutbox, django_capture_on_commit_callbacks
    ):
        for email in (bob.email, "stranger@example.org"):
            with django_capture_on_commit_callbacks(execute=True):
                response = alice_client.post(
                    "/network/invite/", {"email": email}, follow=True
                )
            assert f"Invitation sent to {email}." in response.content.decode()
        assert len(mailoutbox) == 2
        assert not ConnectionRequest.objects.exists()

    def test_a_double_click_looks_like_one_submit_and_sends_one_email(
        self, alice_client, mailoutbox, django_capture_on_commit_callbacks
    ):
        form = {"email": "zoe@example.org", "note": "Hello"}
        with django_capture_on_commit_callbacks(execute=True):
            first = alice_client.post("/network/invite/", form)
            second = alice_client.post("/network/invite/", form, follow=True)
        assert first.status_code == 302
        assert second.redirect_chain == [(first["Location"], 302)]
        html = second.content.decode()
        assert "Invitation sent to zoe@example.org." in html
        assert "You invited" not in html
        assert len(mailoutbox) == 1
        assert EmailInvitation.objects.count() == 1

    def test_a_refusal_keeps_what_was_typed(self, alice, alice_client):
        response = alice_client.post(
            "/network/invite/", {"email": "ALICE@example.com", "note": "typed"}
        )
        assert response.status_code == 422
        html = response.content.decode()
        assert "That is your own address." in html
        assert "typed" in html

    def test_withdraw_an_email_invitation(self, alice, alice_client, bob_client):
        invitation = network.email_invitation_send(inviter=alice, email="z@example.org")
        url = f"/network/invite/{invitation.pk}/withdraw/"
        assert bob_client.post(url).status_code == 404
        assert alice_client.post(url)["Location"] == "/network/invitations/sent/"
        invitation.refresh_from_db()
        assert invitation.status == "withdrawn"

    def test_withdrawing_an_email_invitation_lowers_the_sent_count(
        self, alice, alice_client
    ):
        kept = network.email_invitation_send(inviter=alice, email="y@example.org")
        gone = network.email_invitation_send(inviter=alice, email="z@example.org")
        response = alice_client.post(f"/network/invite/{gone.pk}/withdraw/", **HTMX)
        html = response.content.decode()
        assert 'id="tab-count-sent" hx-swap-oob="true">1<' in html
        kept.refresh_from_db()
        assert kept.status == "sent"


class TestJoin:
    LINK = re.compile(r"http://\S+(/join/\S+/)")

    @pytest.fixture
    def link(self, mailoutbox, django_capture_on_commit_callbacks):
        def send_link(inviter, email="zoe@example.org"):
            with django_capture_on_commit_callbacks(execute=True):
                network.email_invitation_send(inviter=inviter, email=email)
            return self.LINK.search(mailoutbox[-1].body).group(1)

        return send_link

    def test_an_unknown_link_is_404_with_an_explanation(self, client):
        response = client.get("/join/nonsense/")
        assert response.status_code == 404
        assert "This invitation link no longer works" in response.content.decode()

    def test_sign_up_through_the_link_leaves_an_invitation_after_verification(
        self, alice, client, link, mailoutbox
    ):
        path = link(alice)
        page = client.get(path)
        assert "Alice Martin invites you to connect" in page.content.decode()
        client.post(
            "/accounts/signup/",
            {
                "display_name": "Zoë Martin",
                "email": "zoe.other@example.net",
                "password1": "a-long-passphrase-42",
                "password2": "a-long-passphrase-42",
            },
        )
        zoe = User.objects.get(email="zoe.other@example.net")
        assert not ConnectionRequest.objects.exists()
        confirm = re.search(
            r"http://\S+(/accounts/confirm-email/\S+/)", mailoutbox[-1].body
        )
        client.post(confirm.group(1))
        request = ConnectionRequest.objects.get()
        assert (request.sender, request.recipient, request.status) == (
            alice,
            zoe,
            "pending",
        )
        assert client.get(path).status_code == 404

    def test_verifying_in_another_browser_still_works(
        self, alice, client, link, mailoutbox
    ):
        path = link(alice)
        client.get(path)
        client.post(
            "/accounts/signup/",
            {
                "display_name": "Zoë",
                "email": "zoe@example.org",
                "password1": "a-long-passphrase-42",
                "password2": "a-long-passphrase-42",
            },
        )
        confirm = re.search(
            r"http://\S+(/accounts/confirm-email/\S+/)", mailoutbox[-1].body
        )
        Client().post(confirm.group(1))
        assert ConnectionRequest.objects.get().sender == alice

    def test_a_member_opens_the_invitation_with_one_click(
        self, alice, bob, bob_client, link, mailoutbox
    ):
        path = link(alice, email=bob.email)
        assert "Open the invitation" in bob_client.get(path).content.decode()
        response = bob_client.post(path, follow=True)
        assert "Alice Martin&#x27;s invitation is waiting for you below." in (
            response.content.decode()
        )
        assert ConnectionRequest.objects.get().recipient == bob

    def test_a_member_who_signs_in_after_opening_the_link(
        self, alice, bob, client, link, mailoutbox
    ):
        path = link(alice, email="bob.at.work@example.org")
        client.get(path)
        client.post(
            "/accounts/login/",
            {"login": bob.email, "password": "correct-horse-battery"},
        )
        assert ConnectionRequest.objects.get().recipient == bob

    def test_a_suspended_inviters_link_is_404_and_opens_nothing(
        self, alice, bob_client, client, link, moderator
    ):
        path = link(alice)
        member_suspend(member=alice, staff_member=moderator, reason="Spam")
        response = client.get(path)
        assert response.status_code == 404
        html = response.content.decode()
        assert "This invitation link no longer works" in html
        assert "Alice Martin" not in html
        assert bob_client.post(path).status_code == 404
        assert not ConnectionRequest.objects.exists()

    def test_the_inviter_sees_their_own_link_harmlessly(
        self, alice, alice_client, link, mailoutbox
    ):
        path = link(alice)
        assert "This is the link you sent" in alice_client.get(path).content.decode()
        alice_client.post(path)
        assert not ConnectionRequest.objects.exists()


class TestNotificationSettings:
    def test_every_email_is_on_until_turned_off(self, alice, alice_client):
        html = alice_client.get("/settings/notifications/").content.decode()
        assert html.count("checked") == 3
        response = alice_client.post(
            "/settings/notifications/", {"invitation_accepted": "on"}
        )
        assert response["Location"] == "/settings/notifications/"
        settings_row = NotificationSettings.objects.get(member=alice)
        assert not settings_row.invitation_received
        assert settings_row.invitation_accepted

    def test_settings_menu_lists_the_network_pages(self, alice_client):
        html = alice_client.get("/settings/").content.decode()
        assert "/settings/notifications/" in html
        assert "/settings/blocked/" in html


def test_two_sign_ups_with_one_name_at_once_both_get_a_handle(client, monkeypatch):
    # Bob Stone signs up while another Bob Stone's sign-up is being saved: the
    # free handle he was given ("bob-stone") is taken by the time he is saved.
    from connections import adapters

    UserFactory(email="first@example.com", display_name="Bob Stone", handle="bob-stone")
    stale = iter(["bob-stone"])
    real = adapters.handle_available
    monkeypatch.setattr(
        adapters,
        "handle_available",
        lambda *, base: next(stale, None) or real(base=base),
    )
    response = client.post(
        reverse("account_signup"),
        {
            "display_name": "Bob Stone",
            "email": "second@example.com",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(email="second@example.com").handle == "bob-stone-2"
