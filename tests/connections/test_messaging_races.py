"""Messaging races on PostgreSQL: a block or a disconnection that commits first
wins over a send; a double submit stores one message."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from connections.models import Block, Message
from connections.services import messaging, network
from tests.connections.test_races import (  # noqa: F401 - fixtures
    _postgresql_only,
    _slow_transactions,
    assert_friendly,
    race,
)
from tests.factories import UserFactory, connect

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pair():
    a = UserFactory(display_name="Ann Sender")
    b = UserFactory(display_name="Ben Recipient")
    connect(a, b)
    return a, b


def send(a, b, token="race-token-1"):  # noqa: S107 - a client token
    return lambda: messaging.message_send(
        sender=a, recipient=b, body="Hello", client_token=token
    )


def committed(action):
    """Run a service; return the moment its transaction had committed."""

    def run():
        action()
        return timezone.now()

    return run


@pytest.mark.parametrize("blocker_is_recipient", [True, False])
def test_block_and_send_at_once_never_leave_a_message_after_the_block(
    pair, blocker_is_recipient
):
    a, b = pair
    blocker, blocked = (b, a) if blocker_is_recipient else (a, b)
    results = race(
        send(a, b),
        committed(lambda: network.block_create(blocker=blocker, blocked=blocked)),
    )
    assert_friendly(results)
    sent, block_committed = results
    assert Block.objects.exists()
    if isinstance(sent, ValidationError):
        assert sent.code == "not_allowed"
        assert not Message.objects.exists()
    else:
        # The send held the locks first: it stored its message (dated under
        # the locks) before the block could commit.
        assert Message.objects.get().created < block_committed


def test_disconnect_and_send_at_once(pair):
    a, b = pair
    results = race(send(a, b), lambda: network.connection_remove(member=b, other=a))
    assert_friendly(results)
    sent, removed = results
    assert removed is True
    if isinstance(sent, ValidationError):
        assert not Message.objects.exists()
    else:
        assert Message.objects.count() == 1


def test_double_submit_at_once_stores_one_message(pair):
    a, b = pair
    results = race(send(a, b), send(a, b))
    assert_friendly(results)
    assert Message.objects.count() == 1
    assert results[0].pk == results[1].pk


def test_two_members_sending_at_once_start_one_conversation(pair):
    from connections.models import Conversation, ConversationMember

    a, b = pair
    results = race(send(a, b, "token-from-a"), send(b, a, "token-from-b"))
    assert_friendly(results)
    assert Conversation.objects.count() == 1
    assert ConversationMember.objects.count() == 2
    assert Message.objects.count() == 2
