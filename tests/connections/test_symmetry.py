"""Property: whatever members do, in any order, the network stays consistent.

Hypothesis draws sequences of service calls among four members — invite,
accept, ignore, "I don't know", withdraw, remove, block, unblock, by the
right member or the wrong one — and after every call checks the invariants:
the connection table is symmetric, nobody is connected to themselves, a pair
has at most one pending invitation and none while connected, and blocked
members are neither connected nor waiting on each other.
"""

import contextlib
from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connections.models import Block, Connection, ConnectionRequest
from connections.services import network
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MEMBERS = 4
ACTIONS = ["send", "accept", "ignore", "unknown", "withdraw", "remove", "block"]
ACTIONS += ["unblock"]

steps = st.lists(
    st.tuples(
        st.sampled_from(ACTIONS),
        st.integers(0, MEMBERS - 1),
        st.integers(0, MEMBERS - 1),
    ),
    min_size=1,
    max_size=25,
)


def apply(action, actor, other):
    """One service call; refusals are part of the game."""
    pending = (
        ConnectionRequest.objects.pending().between(actor, other).first()
        if actor != other
        else None
    )
    calls = {
        "send": lambda: network.connection_request_send(sender=actor, recipient=other),
        "accept": lambda: network.connection_request_accept(
            invitation=pending, member=actor
        ),
        "ignore": lambda: network.connection_request_ignore(
            invitation=pending, member=actor
        ),
        "unknown": lambda: network.connection_request_decline_unknown(
            invitation=pending, member=actor
        ),
        "withdraw": lambda: network.connection_request_withdraw(
            invitation=pending, member=actor
        ),
        "remove": lambda: network.connection_remove(member=actor, other=other),
        "block": lambda: network.block_create(blocker=actor, blocked=other),
        "unblock": lambda: network.block_remove(blocker=actor, blocked=other),
    }
    if action in {"accept", "ignore", "unknown", "withdraw"} and pending is None:
        return
    with contextlib.suppress(ValidationError, PermissionDenied):
        calls[action]()


def assert_consistent():
    rows = set(Connection.objects.values_list("member", "other"))
    assert rows == {(other, member) for member, other in rows}, "not symmetric"
    assert all(member != other for member, other in rows)
    pending = Counter(
        frozenset(pair)
        for pair in ConnectionRequest.objects.filter(status="pending").values_list(
            "sender", "recipient"
        )
    )
    assert all(count == 1 for count in pending.values()), "two pending per pair"
    connected = {frozenset(pair) for pair in rows}
    assert not connected & set(pending), "pending while connected"
    blocked = {
        frozenset(pair) for pair in Block.objects.values_list("blocker", "blocked")
    }
    assert not blocked & connected, "connected while blocked"
    assert not blocked & set(pending), "pending while blocked"


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(steps=steps)
def test_the_network_stays_consistent_whatever_happens(steps):
    with transaction.atomic():
        members = UserFactory.create_batch(MEMBERS)
        for action, actor, other in steps:
            apply(action, members[actor], members[other])
            assert_consistent()
        transaction.set_rollback(True)
