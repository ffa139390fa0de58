"""The navigation badges and My Network's counts, compiled once and run as SQL,
give exactly what the ORM's query gives."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from connections.models import ConnectionRequest, EmailInvitation
from connections.selectors import network as network_selectors
from connections.selectors.network import (
    BADGE_QUERY,
    NETWORK_QUERY,
    _badge_query,
    _network_query,
    is_visible,
    nav_badge_counts,
    network_counts,
)
from connections.selectors.prepared import PreparedQuery, VaryingParameter
from connections.services import network as services
from tests.factories import (
    BlockFactory,
    ConnectionRequestFactory,
    ProfileFactory,
    UserFactory,
    connect,
    send_message,
)

pytestmark = pytest.mark.django_db


def orm_rows(build, member, now):
    return list(build(member=member.pk, now=now))


@pytest.fixture
def network(alice, bob, carol, dave):
    """Alice's network with a bit of everything the counts leave in or out."""
    now = timezone.now()
    ProfileFactory(member=alice, photo_key="alice-photo-key")
    suspended = UserFactory(handle="sus")
    inactive = UserFactory(handle="gone")
    blocker = UserFactory(handle="blocker")
    for member in (bob, carol, dave, suspended, blocker):
        connect(alice, member)
    # Unread messages: from bob (counted), from a member now suspended
    # (counted, as the inbox shows them), from one who blocked alice (not).
    send_message(bob, alice, "One")
    send_message(bob, alice, "Two")
    send_message(suspended, alice, "From a suspended member")
    send_message(blocker, alice, "From a blocker")
    BlockFactory(blocker=blocker, blocked=alice)
    # Invitations received: pending, expired, from a suspended or gone sender,
    # answered.
    for sender in (UserFactory(), UserFactory(), suspended):
        ConnectionRequestFactory(sender=sender, recipient=alice)
    expired = ConnectionRequestFactory(sender=UserFactory(), recipient=alice)
    ConnectionRequest.objects.filter(pk=expired.pk).update(
        created=now - timedelta(days=200)
    )
    ConnectionRequestFactory(sender=inactive, recipient=alice)
    ConnectionRequestFactory(
        sender=UserFactory(),
        recipient=alice,
        status=ConnectionRequest.Status.IGNORED,
        responded=now,
    )
    # Invitations sent: pending to a visible and to a suspended member, and
    # links by email, one of them past its date.
    ConnectionRequestFactory(sender=alice, recipient=UserFactory())
    ConnectionRequestFactory(sender=alice, recipient=UserFactory(handle="sus2"))
    get_user = type(alice).objects.filter
    get_user(handle="sus2").update(suspended_until=now + timedelta(days=1))
    get_user(pk=inactive.pk).update(is_active=False)
    get_user(pk=suspended.pk).update(suspended_until=now + timedelta(days=3))

    services.email_invitation_send(inviter=alice, email="zoe@example.org")
    old = services.email_invitation_send(inviter=alice, email="yann@example.org")
    EmailInvitation.objects.filter(pk=old.pk).update(
        created=now - timedelta(days=40), expires=now - timedelta(days=1)
    )
    return {"suspended": suspended, "blocker": blocker, "now": now}


@pytest.mark.parametrize("days", [0, 2, 5, 40, 95, 400])
def test_the_compiled_counts_are_the_orms_at_any_moment(
    network, alice, bob, carol, dave, days
):
    """Moments where suspensions have ended and invitations expired, too."""
    now = network["now"] + timedelta(days=days, microseconds=days)
    members = [alice, bob, carol, dave, network["suspended"], network["blocker"]]
    seen = []
    for member in members:
        for build, prepared in (
            (_badge_query, BADGE_QUERY),
            (_network_query, NETWORK_QUERY),
        ):
            expected = orm_rows(build, member, now)
            assert prepared.rows(member=member.pk, now=now) == expected
            seen.append(expected[0])
    # The data gives something to compare: counts above zero, and zeros.
    alice_counts = seen[1]
    if days == 0:
        assert alice_counts == {
            "photo_key": "alice-photo-key",
            "invitations": 2,
            "messages": 3,
            "connection_count": 5,
            "sent_count": 2,
        }
    assert seen[2] == {"photo_key": "", "invitations": 0, "messages": 0}
    assert type(alice_counts["messages"]) is int


def test_a_member_who_is_gone_has_no_row(alice):
    now = timezone.now()
    assert BADGE_QUERY.rows(member=alice.pk + 1000, now=now) == []
    assert orm_rows(_badge_query, type(alice)(pk=alice.pk + 1000), now) == []


def test_the_counts_follow_a_changed_setting(network, alice):
    now = network["now"] + timedelta(days=10)
    assert nav_badge_counts(member=alice)["invitations"] == 2
    with override_settings(RAPPORT_INVITATION_EXPIRY_DAYS=5):
        expected = orm_rows(_network_query, alice, now)
        assert NETWORK_QUERY.rows(member=alice.pk, now=now) == expected
        assert expected[0]["invitations"] == 0
    assert NETWORK_QUERY.rows(member=alice.pk, now=now) == orm_rows(
        _network_query, alice, now
    )


def test_the_counts_are_built_once_not_per_page(alice, bob, django_assert_num_queries):
    """Building the query (its dozen subqueries) happens once per database;
    each page only runs it."""
    BADGE_QUERY.compiled()
    NETWORK_QUERY.compiled()
    with mock.patch.object(
        network_selectors,
        "_badge_annotations",
        wraps=network_selectors._badge_annotations,
    ) as building:
        for member in (alice, bob, alice):
            member.__dict__.pop("_nav_badge_counts", None)
            member.__dict__.pop("_network_counts", None)
            with django_assert_num_queries(1):
                nav_badge_counts(member=member)
            member.__dict__.pop("_nav_badge_counts", None)
            with django_assert_num_queries(1):
                network_counts(member=member)
    assert building.call_count == 0


@pytest.mark.parametrize("prepared", [BADGE_QUERY, NETWORK_QUERY])
def test_no_parameter_but_the_member_and_the_moment_varies(prepared):
    """Built at two moments of the clock, the query's other parameters stay
    the same: a condition reading the clock itself (not `now`) is caught."""
    ticks = iter(range(1, 1000))
    start = timezone.now()

    def clock():
        return start + timedelta(seconds=next(ticks))

    with mock.patch("django.utils.timezone.now", clock):
        compiled = PreparedQuery(
            prepared.build, ids=prepared.ids, moment=prepared.moment
        ).compiled(connection)
    sources = [kind for kind, _source in compiled.sources]
    assert sources.count("id") == 1
    assert "moment" in sources


def test_a_parameter_read_from_the_clock_is_refused(alice):
    def build(*, member, now):
        return (
            type(alice)
            .objects.filter(pk=member)
            .filter(is_visible("pk"))  # reads the clock, not `now`
            .values("pk")[:1]
        )

    ticks = iter(range(1, 1000))
    start = timezone.now()
    with (
        mock.patch(
            "django.utils.timezone.now",
            side_effect=lambda: start + timedelta(seconds=next(ticks)),
        ),
        pytest.raises(VaryingParameter),
    ):
        PreparedQuery(build, ids=("member",), moment="now").compiled(connection)


def test_a_parameter_that_is_not_a_value_is_refused(alice):
    def build(*, member, now):
        return type(alice).objects.filter(pk=member + 1).values("pk")[:1]

    with pytest.raises(VaryingParameter):
        PreparedQuery(build, ids=("member",), moment="now").compiled(connection)
