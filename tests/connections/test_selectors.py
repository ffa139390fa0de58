import base64
import json
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.test import override_settings
from django.utils import timezone

from connections.models import ConnectionRequest, User
from connections.search import search_terms
from connections.selectors import network as selectors
from connections.selectors.members import members_findable_by_emails
from connections.selectors.network import (
    can_message,
    connections_of,
    invitation_allowance,
    is_blocked_between,
    members_search,
    mutual_count,
    mutual_counts,
    nav_badge_counts,
    network_counts,
    received_invitations,
    relationship_states,
    relationship_with,
    sending_refusal,
    sent_invitations,
    suggestions_for,
    visible_members,
    with_connected_on,
)
from connections.services import network
from tests.factories import UserFactory, connect

pytestmark = pytest.mark.django_db


def test_finds_members_by_verified_email_ignoring_case(alice, bob):
    found = members_findable_by_emails(
        emails=["ALICE@example.com", "nobody@example.com"]
    )
    assert found == {"alice@example.com": alice}


def test_unverified_addresses_do_not_match(alice):
    EmailAddress.objects.filter(user=alice).update(verified=False)
    assert members_findable_by_emails(emails=["alice@example.com"]) == {}


def test_members_who_opted_out_are_not_found(alice):
    alice.findable_by_email = False
    alice.save()
    assert members_findable_by_emails(emails=["alice@example.com"]) == {}


def test_inactive_members_are_not_found(alice):
    alice.is_active = False
    alice.save()
    assert members_findable_by_emails(emails=["alice@example.com"]) == {}


def test_one_query_for_many_addresses(django_assert_num_queries):
    for n in range(20):
        UserFactory(email=f"person{n}@example.com")
    with django_assert_num_queries(1):
        found = members_findable_by_emails(
            emails=[f"person{n}@example.com" for n in range(20)]
        )
    assert len(found) == 20


def test_no_query_without_addresses(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert members_findable_by_emails(emails=["", "  "]) == {}


# ---------------------------------------------------------------------------
# The network.


def make_hub(member, count):
    """`member` connected with `count` new members, oldest first."""
    people = UserFactory.create_batch(count)
    for index, person in enumerate(people):
        connect(
            member, person, created=timezone.now() - timedelta(minutes=count - index)
        )
    return people


class TestVisibility:
    def test_visible_members_hide_the_inactive_and_blocked_either_way(
        self, alice, bob, carol, dave
    ):
        network.block_create(blocker=alice, blocked=bob)
        network.block_create(blocker=carol, blocked=alice)
        User.objects.filter(pk=dave.pk).update(is_active=False)
        assert set(visible_members(viewer=alice)) == {alice}
        assert set(visible_members()) == {alice, bob, carol}

    def test_is_blocked_between_either_way_in_one_query(
        self, alice, bob, carol, django_assert_num_queries
    ):
        network.block_create(blocker=bob, blocked=alice)
        with django_assert_num_queries(1):
            assert is_blocked_between(alice, bob)
        assert is_blocked_between(bob, alice)
        assert not is_blocked_between(alice, carol)

    def test_can_message_only_connected_unblocked_visible_members(
        self, alice, bob, carol, dave, django_assert_num_queries
    ):
        connect(alice, bob)
        connect(alice, dave)
        with django_assert_num_queries(1):
            assert can_message(sender=alice, recipient=bob)
        assert can_message(sender=bob, recipient=alice)
        assert not can_message(sender=alice, recipient=carol)
        assert not can_message(sender=alice, recipient=alice)
        User.objects.filter(pk=dave.pk).update(is_active=False)
        assert not can_message(sender=alice, recipient=dave)
        network.block_create(blocker=bob, blocked=alice)
        assert not can_message(sender=alice, recipient=bob)

    def test_can_message_refuses_anonymous(self, alice):
        from django.contrib.auth.models import AnonymousUser

        assert not can_message(sender=AnonymousUser(), recipient=alice)


class TestRelationships:
    def test_every_state_for_a_page_in_one_query(
        self, alice, bob, carol, dave, django_assert_num_queries
    ):
        erin, frank, gina, hal, ivy = UserFactory.create_batch(5)
        connect(alice, bob)
        outgoing = network.connection_request_send(sender=alice, recipient=carol)
        incoming = network.connection_request_send(sender=dave, recipient=alice)
        ignored = network.connection_request_send(sender=alice, recipient=erin)
        network.connection_request_ignore(invitation=ignored, member=erin)
        network.block_create(blocker=alice, blocked=frank)
        network.block_create(blocker=gina, blocked=alice)
        User.objects.filter(pk=hal.pk).update(is_active=False)
        people = [alice, bob, carol, dave, erin, frank, gina, hal, ivy]
        with django_assert_num_queries(1):
            states = relationship_states(viewer=alice, members=people)
        assert {pk: state.state for pk, state in states.items()} == {
            alice.pk: "self",
            bob.pk: "connected",
            carol.pk: "outgoing",
            dave.pk: "incoming",
            erin.pk: "cooldown",
            frank.pk: "blocked",
            gina.pk: "unavailable",
            hal.pk: "unavailable",
            ivy.pk: "none",
        }
        assert states[carol.pk].request_id == outgoing.pk
        assert states[dave.pk].request_id == incoming.pk
        assert (
            states[erin.pk].until.date() == (timezone.now() + timedelta(days=21)).date()
        )

    def test_an_old_pending_invitation_reads_as_none(self, alice, bob):
        invitation = network.connection_request_send(sender=alice, recipient=bob)
        ConnectionRequest.objects.filter(pk=invitation.pk).update(
            created=timezone.now() - timedelta(days=91)
        )
        assert relationship_with(viewer=alice, member=bob).state == "none"
        assert relationship_with(viewer=bob, member=alice).state == "none"

    def test_anonymous_viewer_costs_no_query(self, alice, django_assert_num_queries):
        from django.contrib.auth.models import AnonymousUser

        with django_assert_num_queries(0):
            states = relationship_states(viewer=AnonymousUser(), members=[alice])
        assert states[alice.pk].state == "anonymous"

    def test_accepts_ids_and_unknown_ids(self, alice, bob):
        states = relationship_states(viewer=alice, members=[bob.pk, 999_999])
        assert states[bob.pk].state == "none"
        assert states[999_999].state == "unavailable"


class TestMutualCounts:
    def test_counts_for_a_page_of_50_in_one_query(
        self, alice, django_assert_num_queries
    ):
        friends = make_hub(alice, 3)
        people = UserFactory.create_batch(50)
        for index, person in enumerate(people):
            for friend in friends[: index % 4]:
                connect(person, friend)
        with django_assert_num_queries(1):
            counts = mutual_counts(viewer=alice, member_ids=people)
        assert counts == {person.pk: index % 4 for index, person in enumerate(people)}

    @pytest.mark.parametrize("via_viewer_max", [0, 1000])
    def test_both_ways_of_counting_agree(self, alice, bob, monkeypatch, via_viewer_max):
        monkeypatch.setattr(selectors, "MUTUAL_VIA_VIEWER_MAX", via_viewer_max)
        friends = make_hub(alice, 5)
        for friend in friends[:3]:
            connect(bob, friend)
        hub = UserFactory()
        for friend in friends:
            connect(hub, friend)
        counts = mutual_counts(viewer=alice, member_ids=[bob, hub, friends[0]])
        assert counts == {bob.pk: 3, hub.pk: 5, friends[0].pk: 0}
        member = User.objects.annotate(n=mutual_count(viewer=alice)).get(pk=bob.pk)
        assert member.n == 3

    def test_annotation_matches(self, alice, bob, carol, dave):
        for friend in (carol, dave):
            connect(alice, friend)
            connect(bob, friend)
        member = User.objects.annotate(n=mutual_count(viewer=alice)).get(pk=bob.pk)
        assert member.n == 2

    def test_no_query_without_viewer_or_members(self, alice, django_assert_num_queries):
        from django.contrib.auth.models import AnonymousUser

        with django_assert_num_queries(0):
            assert mutual_counts(viewer=alice, member_ids=[]) == {}
            assert mutual_counts(viewer=AnonymousUser(), member_ids=[alice]) == {}


class TestSuggestions:
    @pytest.mark.parametrize("via_viewer_max", [0, 300])
    def test_people_with_most_connections_in_common_first(
        self,
        alice,
        bob,
        carol,
        dave,
        django_assert_max_num_queries,
        monkeypatch,
        via_viewer_max,
    ):
        monkeypatch.setattr(selectors, "MUTUAL_VIA_VIEWER_MAX", via_viewer_max)
        friends = make_hub(alice, 3)
        for friend in friends:
            connect(bob, friend)
        connect(carol, friends[0])
        with django_assert_max_num_queries(2):
            suggestions = suggestions_for(member=alice)
        assert suggestions == [bob, carol]
        assert [person.mutual_count for person in suggestions] == [3, 1]

    def test_excludes_connections_pending_blocked_cooling_and_hidden(
        self, alice, django_assert_max_num_queries
    ):
        friend = make_hub(alice, 1)[0]
        people = make_hub(friend, 7)
        connected, asked, asking, blocked, blocker, hidden, cooling = people
        connect(alice, connected)
        network.connection_request_send(sender=alice, recipient=asked)
        network.connection_request_send(sender=asking, recipient=alice)
        network.block_create(blocker=alice, blocked=blocked)
        network.block_create(blocker=blocker, blocked=alice)
        User.objects.filter(pk=hidden.pk).update(is_active=False)
        invitation = network.connection_request_send(sender=alice, recipient=cooling)
        network.connection_request_withdraw(invitation=invitation, member=alice)
        assert suggestions_for(member=alice) == []

    def test_hidden_members_leave_their_places_to_visible_ones(
        self, alice, django_assert_max_num_queries
    ):
        first, second = make_hub(alice, 2)
        hidden = UserFactory.create_batch(4)
        for person in hidden:
            connect(person, first)
            connect(person, second)
        User.objects.filter(pk=hidden[0].pk).update(is_active=False)
        User.objects.filter(pk__in=[p.pk for p in hidden[1:]]).update(
            suspended_until=timezone.now() + timedelta(days=3)
        )
        visible = UserFactory()
        connect(visible, first)
        with django_assert_max_num_queries(2):
            suggestions = suggestions_for(member=alice, limit=1)
        assert suggestions == [visible]
        assert suggestions[0].mutual_count == 1

    def test_connections_ranked_first_leave_room_for_others(self, alice, monkeypatch):
        monkeypatch.setattr(selectors, "SUGGESTIONS_SHORTLIST", 2)
        friends = make_hub(alice, 4)
        for a in friends:  # a close circle: each friend knows all the others
            for b in friends:
                if a.pk < b.pk:
                    connect(a, b)
        stranger = UserFactory()
        connect(stranger, friends[0])
        suggestions = suggestions_for(member=alice, limit=1)
        assert suggestions == [stranger]

    @override_settings(
        RAPPORT_SUGGESTIONS_FROM_CONNECTIONS=2, RAPPORT_SUGGESTIONS_PER_CONNECTION=2
    )
    def test_work_is_bounded_by_recent_connections(self, alice):
        now = timezone.now()
        old_friend, *recent = UserFactory.create_batch(3)
        for minutes, friend in enumerate([old_friend, *recent]):
            connect(alice, friend, created=now - timedelta(hours=1, minutes=-minutes))
        far = UserFactory()
        connect(old_friend, far, created=now)
        for friend in recent:
            old, new1, new2 = UserFactory.create_batch(3)
            for minutes, person in enumerate((old, new1, new2)):
                connect(friend, person, created=now + timedelta(minutes=minutes))
        suggestions = suggestions_for(member=alice, limit=50)
        assert far not in suggestions  # not among the 2 most recent connections
        assert old not in suggestions  # not among the friend's 2 most recent
        assert len(suggestions) == 4

    def test_nobody_to_suggest_without_connections(
        self, alice, django_assert_num_queries
    ):
        with django_assert_num_queries(1):
            assert suggestions_for(member=alice) == []


class TestLists:
    def test_received_newest_first_without_stale_or_hidden_senders(
        self, alice, bob, carol, dave, django_assert_num_queries
    ):
        old = network.connection_request_send(sender=bob, recipient=alice)
        ConnectionRequest.objects.filter(pk=old.pk).update(
            created=timezone.now() - timedelta(days=91)
        )
        first = network.connection_request_send(sender=carol, recipient=alice)
        second = network.connection_request_send(sender=dave, recipient=alice)
        hidden = UserFactory()
        network.connection_request_send(sender=hidden, recipient=alice)
        User.objects.filter(pk=hidden.pk).update(is_active=False)
        with django_assert_num_queries(1):
            page = received_invitations(member=alice)
            assert [row.pk for row in page] == [second.pk, first.pk]
            assert [row.sender.display_name for row in page]
            assert [row.mutual_count for row in page] == [0, 0]

    def test_received_pages_follow_each_other(self, alice):
        senders = UserFactory.create_batch(5)
        for sender in senders:
            network.connection_request_send(sender=sender, recipient=alice)
        ConnectionRequest.objects.update(created=timezone.now())  # ties on time
        seen = []
        cursor = ""
        while True:
            page = received_invitations(member=alice, cursor=cursor, size=2)
            seen += [row.sender_id for row in page]
            if not page.has_more:
                break
            cursor = page.next_cursor
        assert sorted(seen) == sorted(sender.pk for sender in senders)
        assert len(seen) == 5

    def test_sent_lists_pending_invitations(self, alice, bob, carol):
        network.connection_request_send(sender=alice, recipient=bob)
        withdrawn = network.connection_request_send(sender=alice, recipient=carol)
        network.connection_request_withdraw(invitation=withdrawn, member=alice)
        assert [row.recipient for row in sent_invitations(member=alice)] == [bob]

    @pytest.mark.parametrize(
        ("sort", "direct_max"), [("recent", 2000), ("name", 2000), ("name", 0)]
    )
    def test_connections_pages_cover_everyone_once(
        self, alice, sort, direct_max, monkeypatch
    ):
        # direct_max 0: a large network, read through the members' name index.
        monkeypatch.setattr(selectors, "NAME_SORT_DIRECT_MAX", direct_max)
        people = make_hub(alice, 7)
        UserFactory.create_batch(5)  # members who are not connections
        seen, cursor = [], ""
        while True:
            page = connections_of(member=alice, sort=sort, cursor=cursor, size=3)
            seen += [row.other for row in page]
            if not page.has_more:
                break
            cursor = page.next_cursor
        if sort == "recent":
            assert seen == people[::-1]
        else:
            assert seen == sorted(people, key=lambda p: (p.display_name.lower(), p.pk))

    @pytest.mark.parametrize("sort", ["recent", "name"])
    def test_connections_search_pages_cover_every_match_once(self, alice, sort):
        matches = [
            UserFactory(display_name=f"Sam Match {n}", headline="Baker")
            for n in range(5)
        ]
        for person in [*matches, *UserFactory.create_batch(4, headline="Nurse")]:
            connect(alice, person)
        seen, cursor = [], ""
        while True:
            page = connections_of(
                member=alice, query="match", sort=sort, cursor=cursor, size=2
            )
            seen += [row.other for row in page]
            assert all(row.mutual_count == 0 for row in page)
            if not page.has_more:
                break
            cursor = page.next_cursor
        assert sorted(p.pk for p in seen) == sorted(p.pk for p in matches)
        assert len(seen) == 5

    def test_connections_search_by_name_handle_or_headline(
        self, alice, bob, carol, dave
    ):
        for person in (bob, carol, dave):
            connect(alice, person)
        names = lambda query: [  # noqa: E731
            row.other.handle for row in connections_of(member=alice, query=query)
        ]
        assert names("okafor") == ["bob"]
        assert names("CAROL") == ["carol"]
        assert names("sales") == ["dave"]
        assert names("nobody") == []

    def test_connections_search_reads_words_from_their_start(self, alice, bob, carol):
        for person in (bob, carol):
            connect(alice, person)
        names = lambda query: [  # noqa: E731
            row.other.handle for row in connections_of(member=alice, query=query)
        ]
        assert names("oka") == ["bob"]
        assert names("Bob oka") == ["bob"]
        assert names("kafor") == []  # not from the middle of a word
        assert names("bob carol") == []  # every word must match
        assert names("@@") == []  # no word at all finds nobody

    def test_connections_hide_members_who_are_hidden(self, alice, bob):
        connect(alice, bob)
        User.objects.filter(pk=bob.pk).update(is_active=False)
        assert list(connections_of(member=alice)) == []

    def test_a_malformed_cursor_starts_from_the_top(self, alice, bob):
        connect(alice, bob)
        for cursor in ("garbage", "W10", "WyJ4Il0", "eyJhIjoxfQ"):
            assert [
                row.other for row in connections_of(member=alice, cursor=cursor)
            ] == [bob]

    def test_a_cursor_written_by_hand_starts_from_the_top(self, alice, bob):
        from connections.selectors.paging import decode_cursor, encode_cursor

        connect(alice, bob)
        # Well-formed keys of the right number, but not a cursor we wrote: a
        # text where a date goes, a number no column holds, a NUL.
        for keys in (["zzz", 1], [10**30, 1], ["\x00", 1], [{"t": "x"}, 1]):
            raw = json.dumps(keys).encode()
            forged = base64.urlsafe_b64encode(raw).decode().rstrip("=")
            assert decode_cursor(forged, 2) is None
            page = connections_of(member=alice, cursor=forged)
            assert [row.other for row in page] == [bob]
        ours = encode_cursor(["zzz", 1])
        assert decode_cursor(ours, 2) == ["zzz", 1]
        assert decode_cursor(ours[:-1] + ("A" if ours[-1] != "A" else "B"), 2) is None

    def test_members_search_excludes_self_blocked_and_hidden(
        self, alice, bob, carol, dave
    ):
        UserFactory(display_name="Carolyn Hidden", is_active=False)
        network.block_create(blocker=dave, blocked=alice)
        # "o" starts Okafor, organiser, and "of" in Dave's headline.
        found = members_search(viewer=alice, query="o")
        assert alice not in found.items
        assert dave not in found.items
        assert {bob, carol} <= set(found.items)
        assert [p.handle for p in members_search(viewer=alice, query="@caro")] == [
            "carol"
        ]
        assert list(members_search(viewer=alice, query="   ")) == []

    def test_members_search_matches_word_starts_without_accents_or_case(
        self, alice, bob
    ):
        from connections.services.profiles import ProfileData, profile_update

        profile_update(
            member=bob,
            data=ProfileData(display_name="Zoë Okafor-Smith", headline="Chef"),
        )
        for query in ("zoe", "ZO", "smith", "oka sm", "chef", "@bob"):
            found = members_search(viewer=alice, query=query)
            assert [p.handle for p in found] == ["bob"], query
        for query in ("oe", "zoe backend", "backend"):
            assert list(members_search(viewer=alice, query=query)) == [], query

    def test_members_search_reads_the_range_of_words_starting_with_a_word(self, alice):
        names = ["Ali Ng", "Alice Ng", "Alj Ng", "Al9 Ng", "Alz Ng", "Bal Ng"]
        for name in names:
            UserFactory(display_name=name)
        found = lambda query: sorted(  # noqa: E731
            p.display_name for p in members_search(viewer=alice, query=query)
        )
        assert found("al") == sorted(names[:5])
        assert found("ali") == ["Ali Ng", "Alice Ng"]
        assert found("alj") == ["Alj Ng"]
        assert found("alicen") == []

    def test_members_are_indexed_under_whole_words(self, bob):
        from connections.models import MemberSearchTerm

        terms = set(
            MemberSearchTerm.objects.filter(member=bob).values_list("term", flat=True)
        )
        assert terms == search_terms(bob.display_name, bob.handle, bob.headline)
        assert "okafor" in terms
        assert "oka" not in terms

    def test_members_search_reads_the_term_index(
        self, alice, bob, django_assert_num_queries
    ):
        with django_assert_num_queries(1) as captured:
            list(members_search(viewer=alice, query="okafor"))
        assert "connections_membersearchterm" in captured.captured_queries[0]["sql"]


class TestCounts:
    def test_nav_badge_counts_pending_received_in_one_query(
        self, alice, bob, carol, dave, django_assert_num_queries
    ):
        network.connection_request_send(sender=bob, recipient=alice)
        old = network.connection_request_send(sender=carol, recipient=alice)
        ConnectionRequest.objects.filter(pk=old.pk).update(
            created=timezone.now() - timedelta(days=91)
        )
        network.connection_request_send(sender=alice, recipient=dave)
        with django_assert_num_queries(1):
            assert nav_badge_counts(member=alice) == {
                "invitations": 1,
                "messages": 0,
                "photo_key": "",
            }
        with django_assert_num_queries(0):
            nav_badge_counts(member=alice)

    def test_network_counts_in_one_query(
        self, alice, bob, carol, dave, django_assert_num_queries
    ):
        connect(alice, bob)
        network.connection_request_send(sender=carol, recipient=alice)
        network.connection_request_send(sender=alice, recipient=dave)
        network.email_invitation_send(inviter=alice, email="zoe@example.org")
        with django_assert_num_queries(1):
            counts = network_counts(member=alice)
        assert counts == {
            "invitations": 1,
            "messages": 0,
            "photo_key": "",
            "connection_count": 1,
            "sent_count": 2,
        }
        with django_assert_num_queries(0):
            assert nav_badge_counts(member=alice) == {
                "invitations": 1,
                "messages": 0,
                "photo_key": "",
            }

    @override_settings(RAPPORT_INVITATIONS_PER_WEEK=10)
    def test_allowance_in_one_query(self, alice, bob, carol, django_assert_num_queries):
        network.connection_request_send(sender=alice, recipient=bob)
        network.email_invitation_send(inviter=alice, email="zoe@example.org")
        with django_assert_num_queries(1):
            allowance = invitation_allowance(member=alice)
        assert allowance.sent_this_week == 2
        assert allowance.pending == 1
        assert allowance.remaining == 8
        assert allowance.paused_until is None

    def test_sending_refusal_names_the_first_limit(self, alice, bob):
        assert sending_refusal(sender=alice, recipient=bob) is None
        network.connection_request_send(sender=alice, recipient=UserFactory())
        with override_settings(RAPPORT_INVITATIONS_PER_WEEK=1):
            assert sending_refusal(sender=alice, recipient=bob).code == "weekly_limit"
        with override_settings(RAPPORT_INVITATIONS_PER_WEEK=0):
            refusal = sending_refusal(sender=alice, recipient=bob)
        assert refusal.code == "weekly_limit"


def test_connected_on_is_told_in_the_viewers_time_zone():
    from datetime import UTC, datetime
    from types import SimpleNamespace

    row = SimpleNamespace(created=datetime(2026, 3, 14, 23, 30, tzinfo=UTC))
    with timezone.override("Europe/Paris"):
        with_connected_on([row])
    assert row.connected_at == "2026-03-15T00:30:00+01:00"
    assert row.connected_on == "Connected on 15 March 2026"
