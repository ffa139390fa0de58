"""Depth of connection: the score's properties, its privacy, Losing touch, reminders."""

from datetime import timedelta

import pytest
from django.utils import timezone

from connections.models import Connection, Interaction
from connections.selectors.depth import (
    depth_facts,
    depth_now,
    losing_touch,
    meter_steps,
    reminders_due,
)
from connections.selectors.network import connections_of
from connections.services import network as network_services
from connections.services.depth import (
    connection_keep_in_touch_set,
    interaction_record,
)
from connections.services.updates import comment_post, like_toggle
from tests.conftest import HTMX
from tests.factories import UpdateFactory, UserFactory, connect

# Session, member, badges and tab counts, the page, its depth facts.
LIST_BUDGET = 6


def row(member, other):
    return Connection.objects.get(member=member, other=other)


def score(member, other, now=None):
    return depth_now(row(member, other).depth, now)


def record(actor, target, kind="comment", *, days_ago=0, n=1):
    at = timezone.now() - timedelta(days=days_ago)
    for _ in range(n):
        interaction_record(actor=actor, target=target, kind=kind, at=at)


class TestScore:
    def test_more_recent_interaction_ranks_higher(self, alice, bob, carol):
        year_ago = timezone.now() - timedelta(days=365)
        connect(alice, bob, created=year_ago)
        connect(alice, carol, created=year_ago)
        record(bob, alice, days_ago=200)
        record(carol, alice, days_ago=1)
        assert score(alice, carol) > score(alice, bob) > 0
        ranked = [c.other_id for c in connections_of(member=alice, sort="depth")]
        assert ranked == [carol.pk, bob.pk]

    def test_two_sided_ranks_higher_than_one_sided(self, alice, bob, carol):
        connect(alice, bob)
        connect(alice, carol)
        record(alice, bob, n=2)
        record(bob, alice, n=2)
        record(carol, alice, n=4)
        assert score(alice, bob) > score(alice, carol)

    def test_half_life_is_ninety_days(self, alice, bob):
        connect(alice, bob)
        record(bob, alice)
        now = timezone.now()
        later = now + timedelta(days=90)
        assert depth_now(row(alice, bob).depth, later) == pytest.approx(
            score(alice, bob, now) / 2, rel=1e-3
        )

    def test_both_members_hold_the_same_score(self, alice, bob):
        connect(alice, bob)
        record(bob, alice, n=3)
        record(alice, bob, kind="like")
        assert row(alice, bob).depth == row(bob, alice).depth
        assert row(alice, bob).last_interaction is not None

    def test_nothing_is_recorded_between_members_not_connected(self, alice, carol):
        update = UpdateFactory(author=alice, audience="public")
        comment_post(update=update, author=carol, text="Hi")
        assert not Interaction.objects.exists()

    def test_own_update_is_not_an_interaction(self, alice, bob):
        connect(alice, bob)
        update = UpdateFactory(author=alice)
        comment_post(update=update, author=alice, text="Me")
        like_toggle(update=update, member=alice)
        assert not Interaction.objects.exists()
        assert row(alice, bob).depth == 0

    def test_an_undone_like_takes_its_weight_back(self, alice, bob):
        connect(alice, bob)
        update = UpdateFactory(author=alice)
        like_toggle(update=update, member=bob, like=True)
        assert score(alice, bob) > 0
        like_toggle(update=update, member=bob, like=False)
        assert row(alice, bob).depth == 0
        assert not Interaction.objects.exists()
        # Liking again counts once, not twice.
        like_toggle(update=update, member=bob, like=True)
        like_toggle(update=update, member=bob, like=True)
        assert Interaction.objects.count() == 1

    def test_a_removed_connection_drops_out_and_starts_again_from_nothing(
        self, alice, bob
    ):
        connect(alice, bob)
        record(bob, alice, n=5)
        network_services.connection_remove(member=alice, other=bob)
        assert connections_of(member=alice, sort="depth").items == []
        connect(alice, bob)
        assert row(alice, bob).depth == 0
        facts = depth_facts(member=alice, rows=[row(alice, bob)])[bob.pk]
        assert facts.total == 0

    def test_a_like_from_before_reconnecting_takes_nothing_from_the_new_score(
        self, alice, bob
    ):
        update = UpdateFactory(author=alice, audience="public")
        connect(alice, bob, created=timezone.now() - timedelta(days=30))
        like_toggle(update=update, member=bob, like=True)
        network_services.connection_remove(member=alice, other=bob)
        connect(alice, bob)
        record(bob, alice, "comment")
        after_comment = row(bob, alice).depth_given
        like_toggle(update=update, member=bob, like=False)
        assert row(bob, alice).depth_given == after_comment
        assert row(alice, bob).depth == row(bob, alice).depth > 0

    def test_meter_has_five_steps(self):
        assert meter_steps(0) == 0
        assert meter_steps(1) == 1
        assert meter_steps(1000) == 5

    def test_why_lists_the_facts(self, alice, bob):
        connect(alice, bob, created=timezone.now() - timedelta(days=365))
        record(bob, alice, "message", n=14)
        record(alice, bob, "comment", n=3, days_ago=4)
        record(bob, alice, "like", days_ago=120)  # outside the window
        facts = depth_facts(member=alice, rows=[row(alice, bob)])[bob.pk]
        assert facts.summary() == (
            "14 messages and 3 comments in the last 90 days; last interaction today"
        )
        assert (facts.given, facts.received) == (3, 14)


class TestConnectionsList:
    def test_sorted_by_depth_pages_with_a_cursor(self, alice, alice_client):
        people = UserFactory.create_batch(55)
        for n, person in enumerate(people):
            connect(alice, person)
            if n < 52:
                record(person, alice, "like", n=n % 7 + 1, days_ago=n)
        first = connections_of(member=alice, sort="depth")
        second = connections_of(member=alice, sort="depth", cursor=first.next_cursor)
        scores = [c.depth for c in first.items + second.items]
        assert len(scores) == 55
        assert scores == sorted(scores, reverse=True)
        assert len({c.pk for c in first.items + second.items}) == 55
        response = alice_client.get(
            f"/network/connections/?sort=depth&after={first.next_cursor}", **HTMX
        )
        assert response.content.decode().count("data-connection-row") == 5

    @pytest.mark.parametrize("size", [1, 50])
    def test_query_budget(
        self, alice, alice_client, size, django_assert_max_num_queries
    ):
        for person in UserFactory.create_batch(size):
            connect(alice, person)
            record(person, alice)
        with django_assert_max_num_queries(LIST_BUDGET):
            response = alice_client.get("/network/connections/?sort=depth")
        html = response.content.decode()
        assert html.count('class="depth-meter"') == size
        assert "Why?" in html

    def test_search_sorted_by_depth(self, alice, bob, carol, alice_client):
        connect(alice, bob)
        connect(alice, carol)
        record(carol, alice, n=2)
        page = connections_of(member=alice, sort="depth", query="o")
        assert [c.other_id for c in page.items] == [carol.pk, bob.pk]


class TestPrivacy:
    def test_depth_is_shown_on_the_connections_profile_to_the_owner_only(
        self, alice, bob, carol, alice_client, carol_client, client
    ):
        connect(alice, bob)
        record(bob, alice)
        html = alice_client.get("/in/bob/").content.decode()
        assert "Depth of your connection" in html
        assert "1 comment in the last 90 days" in html
        for viewer in (carol_client, client):
            html = viewer.get("/in/bob/").content.decode()
            assert "Depth of your connection" not in html
            assert "depth-meter" not in html
        # Nor on one's own profile.
        assert "depth-meter" not in alice_client.get("/in/alice/").content.decode()

    def test_reminder_and_its_fragment_are_private(
        self, alice, bob, alice_client, bob_client, carol_client
    ):
        connect(alice, bob)
        alice_client.post("/network/connections/bob/keep-in-touch/", {"weeks": "8"})
        assert row(alice, bob).keep_in_touch_weeks == 8
        assert row(bob, alice).keep_in_touch_weeks is None
        html = bob_client.get("/in/alice/").content.decode()
        assert '<option value="8" selected>' not in html
        response = carol_client.post(
            "/network/connections/bob/keep-in-touch/", {"weeks": "2"}, **HTMX
        )
        assert response.status_code == 404
        assert (
            "depth-meter"
            not in carol_client.get("/network/connections/").content.decode()
        )

    def test_blocked_member_gets_404_for_the_reminder(self, alice, bob, alice_client):
        connect(alice, bob)
        network_services.block_create(blocker=bob, blocked=alice)
        response = alice_client.post(
            "/network/connections/bob/keep-in-touch/", {"weeks": "2"}
        )
        assert response.status_code == 404


class TestLosingTouch:
    def test_close_and_professional_quiet_connections(self, alice, bob, carol, dave):
        now = timezone.now()
        for other, kind in ((bob, "close"), (carol, "professional"), (dave, "")):
            connect(alice, other, created=now - timedelta(days=400))
            Connection.objects.filter(member=alice, other=other).update(kind=kind)
        record(carol, alice, days_ago=20)
        page = losing_touch(member=alice)
        assert [c.other_id for c in page.items] == [bob.pk]
        assert [c.other_id for c in losing_touch(member=alice, months=1)] == [bob.pk]

    def test_page_has_message_one_click_away(self, alice, bob, alice_client):
        connect(alice, bob, created=timezone.now() - timedelta(days=300))
        Connection.objects.filter(member=alice, other=bob).update(kind="close")
        html = alice_client.get("/network/losing-touch/").content.decode()
        assert "Bob Okafor" in html
        assert "Message" in html
        html = alice_client.get("/network/losing-touch/?months=12").content.decode()
        assert "Bob Okafor" not in html
        assert "You're in touch" in html
        # A months value not on the list falls back to the default.
        html = alice_client.get("/network/losing-touch/?months=x").content.decode()
        assert "Bob Okafor" in html

    def test_query_budget(self, alice, alice_client, django_assert_max_num_queries):
        for person in UserFactory.create_batch(20):
            connect(alice, person, created=timezone.now() - timedelta(days=300))
        Connection.objects.filter(member=alice).update(kind="close")
        with django_assert_max_num_queries(5):
            response = alice_client.get("/network/losing-touch/")
        assert response.content.decode().count("data-connection-row") == 20


class TestReminders:
    def test_due_after_the_chosen_weeks_and_reset_by_any_interaction(
        self, alice, bob, alice_client
    ):
        connect(alice, bob, created=timezone.now() - timedelta(weeks=5))
        connection_keep_in_touch_set(member=alice, other=bob, weeks=4)
        assert [c.other_id for c in reminders_due(member=alice)] == [bob.pk]
        html = alice_client.get("/").content.decode()
        assert "Keep in touch" in html
        assert "every 4 weeks" in html
        # Bob likes Alice's update: the reminder moves on four weeks.
        like_toggle(update=UpdateFactory(author=alice), member=bob)
        assert reminders_due(member=alice) == []
        later = timezone.now() + timedelta(weeks=4, days=1)
        assert [c.other_id for c in reminders_due(member=alice, now=later)] == [bob.pk]

    def test_clearing_and_refusing(self, alice, bob, alice_client):
        connect(alice, bob)
        connection_keep_in_touch_set(member=alice, other=bob, weeks=2)
        response = alice_client.post(
            "/network/connections/bob/keep-in-touch/", {"weeks": "3"}, **HTMX
        )
        assert response.status_code == 422
        assert row(alice, bob).keep_in_touch_weeks == 2
        alice_client.post("/network/connections/bob/keep-in-touch/", {"weeks": ""})
        assert row(alice, bob).keep_in_touch_due is None


def test_messages_deepen_the_connection_both_ways_more(alice, bob, carol):
    from connections.services.messaging import message_send

    year_ago = timezone.now() - timedelta(days=365)
    connect(alice, bob, created=year_ago)
    connect(alice, carol, created=year_ago)
    for n in range(2):
        message_send(sender=alice, recipient=bob, body="Hi", client_token=f"a{n:031d}")
        message_send(sender=bob, recipient=alice, body="Hey", client_token=f"b{n:031d}")
    for n in range(4):
        message_send(
            sender=alice, recipient=carol, body="Hello?", client_token=f"c{n:031d}"
        )
    assert score(alice, bob) > score(alice, carol) > 0
    facts = depth_facts(member=alice, rows=[row(alice, bob)])[bob.pk]
    assert facts.summary().startswith("4 messages in the last 90 days")
