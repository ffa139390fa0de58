"""Races between real concurrent transactions: one consistent outcome, never a 500.

Each test starts its actions in threads at the same moment (a barrier), and
holds every transaction open for a while once it has its locks, so the
others really wait on them. They need row locks, so they run on PostgreSQL.
"""

import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test import override_settings

from connections.models import (
    Block,
    Connection,
    ConnectionRequest,
    EmailInvitation,
    WorkEntry,
)
from connections.services import accounts, network, profiles
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

HOLD = 0.3  # seconds each transaction keeps its locks


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")


@pytest.fixture(autouse=True)
def _slow_transactions(monkeypatch):
    """Keep each transaction open after it locked the members."""
    lock_members = network.lock_members

    def lock_and_hold(*members):
        locked = lock_members(*members)
        time.sleep(HOLD)
        return locked

    monkeypatch.setattr(network, "lock_members", lock_and_hold)
    monkeypatch.setattr(profiles, "lock_members", lock_and_hold)


def race(*actions):
    """Run the actions in threads at the same moment; their results or errors."""
    barrier = threading.Barrier(len(actions))
    results = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait()
            results[index] = action()
        except Exception as error:  # noqa: BLE001 - the test inspects every outcome
            results[index] = error
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(index, action))
        for index, action in enumerate(actions)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def assert_friendly(results):
    """Every outcome is a result or a refusal a member can read."""
    for result in results:
        if isinstance(result, Exception):
            assert isinstance(result, ValidationError), repr(result)
            assert result.messages


def connected(a, b) -> bool:
    forward = Connection.objects.filter(member=a, other=b).exists()
    assert forward == Connection.objects.filter(member=b, other=a).exists()
    return forward


def test_two_members_inviting_each_other_at_once_end_up_connected_once():
    alice, bob = UserFactory.create_batch(2)
    results = race(
        lambda: network.connection_request_send(sender=alice, recipient=bob),
        lambda: network.connection_request_send(sender=bob, recipient=alice),
    )
    assert_friendly(results)
    assert connected(alice, bob)
    assert Connection.objects.count() == 2
    assert list(ConnectionRequest.objects.values_list("status", flat=True)) == [
        "accepted"
    ]


def test_a_double_click_on_connect_sends_one_invitation():
    alice, bob = UserFactory.create_batch(2)
    results = race(
        lambda: network.connection_request_send(sender=alice, recipient=bob),
        lambda: network.connection_request_send(sender=alice, recipient=bob),
    )
    assert_friendly(results)
    assert ConnectionRequest.objects.count() == 1
    assert results[0].pk == results[1].pk


def test_a_double_click_on_accept_connects_once():
    alice, bob = UserFactory.create_batch(2)
    invitation = network.connection_request_send(sender=alice, recipient=bob)
    results = race(
        lambda: network.connection_request_accept(invitation=invitation, member=bob),
        lambda: network.connection_request_accept(invitation=invitation, member=bob),
    )
    assert_friendly(results)
    assert [result.status for result in results] == ["accepted", "accepted"]
    assert Connection.objects.count() == 2


def test_accept_and_withdraw_at_once_agree_on_one_outcome():
    alice, bob = UserFactory.create_batch(2)
    invitation = network.connection_request_send(sender=alice, recipient=bob)
    results = race(
        lambda: network.connection_request_accept(invitation=invitation, member=bob),
        lambda: network.connection_request_withdraw(
            invitation=invitation, member=alice
        ),
    )
    assert_friendly(results)
    invitation.refresh_from_db()
    assert invitation.status in {"accepted", "withdrawn"}
    assert connected(alice, bob) == (invitation.status == "accepted")
    assert sum(isinstance(result, ValidationError) for result in results) == 1


def test_accepting_while_the_other_blocks_leaves_them_apart():
    alice, bob = UserFactory.create_batch(2)
    invitation = network.connection_request_send(sender=alice, recipient=bob)
    results = race(
        lambda: network.connection_request_accept(invitation=invitation, member=bob),
        lambda: network.block_create(blocker=alice, blocked=bob),
    )
    assert_friendly(results)
    assert Block.objects.filter(blocker=alice, blocked=bob).exists()
    assert not connected(alice, bob)
    invitation.refresh_from_db()
    assert invitation.status in {"accepted", "withdrawn"}


def test_inviting_while_being_blocked_leaves_no_invitation():
    alice, bob = UserFactory.create_batch(2)
    results = race(
        lambda: network.connection_request_send(sender=alice, recipient=bob),
        lambda: network.block_create(blocker=bob, blocked=alice),
    )
    assert_friendly(results)
    assert not ConnectionRequest.objects.filter(status="pending").exists()


@override_settings(RAPPORT_INVITATIONS_PER_WEEK=3)
def test_concurrent_invitations_never_exceed_the_weekly_allowance():
    alice = UserFactory()
    people = UserFactory.create_batch(6)
    results = race(
        *[
            (
                lambda person=person: network.connection_request_send(
                    sender=alice, recipient=person
                )
            )
            for person in people
        ]
    )
    assert_friendly(results)
    assert ConnectionRequest.objects.filter(sender=alice).count() == 3
    refusals = [result for result in results if isinstance(result, ValidationError)]
    assert {refusal.code for refusal in refusals} == {"weekly_limit"}


@override_settings(RAPPORT_CONNECTIONS_MAX=1)
def test_two_acceptances_cannot_take_a_member_past_the_maximum():
    alice, bob, carol = UserFactory.create_batch(3)
    from_bob = network.connection_request_send(sender=bob, recipient=alice)
    from_carol = network.connection_request_send(sender=carol, recipient=alice)
    results = race(
        lambda: network.connection_request_accept(invitation=from_bob, member=alice),
        lambda: network.connection_request_accept(invitation=from_carol, member=alice),
    )
    assert_friendly(results)
    assert Connection.objects.filter(member=alice).count() == 1


def test_an_email_invitation_link_used_twice_at_once_works_once(mailoutbox):
    alice, zoe, yan = UserFactory.create_batch(3)
    invitation = network.email_invitation_send(inviter=alice, email="z@example.org")
    token = "known-token"
    EmailInvitation.objects.filter(pk=invitation.pk).update(
        token_hash=network.token_hash(token)
    )
    results = race(
        lambda: network.email_invitation_redeem(member=zoe, token=token),
        lambda: network.email_invitation_redeem(member=yan, token=token),
    )
    assert_friendly(results)
    assert ConnectionRequest.objects.count() == 1
    assert sum(result is None for result in results) == 1


def test_accepting_while_the_sender_closes_their_account_connects_no_one(
    monkeypatch,
):
    monkeypatch.setattr(accounts, "lock_members", network.lock_members)
    alice, bob = UserFactory.create_batch(2)
    invitation = network.connection_request_send(sender=alice, recipient=bob)
    results = race(
        lambda: network.connection_request_accept(invitation=invitation, member=bob),
        lambda: accounts.account_close(member=alice, password=DEFAULT_PASSWORD),
    )
    assert_friendly(results)
    assert not connected(alice, bob)
    alice.refresh_from_db()
    assert not alice.is_active


def test_a_double_click_on_add_position_adds_it_once():
    alice = UserFactory()
    position = {"organization": "Atelier Nord", "title": "Designer"}
    results = race(
        lambda: profiles.work_entry_add(member=alice, **position),
        lambda: profiles.work_entry_add(member=alice, **position),
    )
    assert_friendly(results)
    assert WorkEntry.objects.filter(member=alice).count() == 1
    assert results[0].pk == results[1].pk


def test_two_members_taking_the_same_handle_at_once_one_is_told_it_is_taken():
    alice, bob = UserFactory.create_batch(2)
    results = race(
        lambda: profiles.member_handle_change(member=alice, handle="atelier-nord"),
        lambda: profiles.member_handle_change(member=bob, handle="atelier-nord"),
    )
    assert_friendly(results)
    refused = [result for result in results if isinstance(result, ValidationError)]
    assert len(refused) == 1
    assert refused[0].message_dict["handle"] == [
        "This handle is taken. Try another one."
    ]
    owners = get_user_model().objects.filter(handle="atelier-nord")
    assert owners.count() == 1
