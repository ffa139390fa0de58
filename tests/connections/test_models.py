from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from connections.models import (
    Block,
    Connection,
    ConnectionRequest,
    EmailInvitation,
    SendingPause,
    User,
)
from tests.factories import ConnectionRequestFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_email_is_unique_whatever_its_case(alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        User(email="ALICE@example.com", handle="alice-2", display_name="A").save()


def test_handle_must_be_lowercase_in_the_database(alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=alice.pk).update(handle="Alice")


def test_handle_is_unique(alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(email="other@example.com", handle="alice")


def test_display_name_cannot_be_empty(alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=alice.pk).update(display_name="")


def test_create_user_normalises_email_and_picks_a_free_handle(alice):
    user = User.objects.create_user(
        email="Alice.Martin@Example.COM", password="x" * 12, display_name="Alice Martin"
    )
    assert user.email == "alice.martin@example.com"
    assert user.handle == "alice-martin"
    assert user.check_password("x" * 12)


def test_create_superuser_is_staff():
    admin = User.objects.create_superuser(
        email="root@example.com", password="x" * 12, display_name="Root"
    )
    assert admin.is_staff
    assert admin.is_superuser


@pytest.mark.parametrize(
    ("name", "initials"),
    [("Alice Martin", "AM"), ("Zoë", "Z"), ("Jean-Luc de la Tour", "JT"), ("  ", "?")],
)
def test_initials(name, initials):
    assert User(display_name=name).initials == initials


def test_active_queryset_hides_deactivated_members(alice, bob):
    User.objects.filter(pk=bob.pk).update(is_active=False)
    assert list(User.objects.active()) == [alice]


# ---------------------------------------------------------------------------
# The network's invariants, guaranteed by the database itself.


def test_one_pending_request_per_pair_whatever_the_direction(alice, bob):
    ConnectionRequestFactory(sender=alice, recipient=bob)
    with pytest.raises(IntegrityError), transaction.atomic():
        ConnectionRequestFactory(sender=bob, recipient=alice)
    with pytest.raises(IntegrityError), transaction.atomic():
        ConnectionRequestFactory(sender=alice, recipient=bob)


def test_a_pair_may_have_many_closed_requests_and_one_pending(alice, bob):
    now = timezone.now()
    for status in ("withdrawn", "ignored", "expired"):
        ConnectionRequestFactory(
            sender=alice, recipient=bob, status=status, responded=now
        )
    ConnectionRequestFactory(sender=bob, recipient=alice)
    assert ConnectionRequest.objects.count() == 4


def test_no_request_to_oneself(alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        ConnectionRequestFactory(sender=alice, recipient=alice)


def test_request_status_must_be_known(alice, bob):
    with pytest.raises(IntegrityError), transaction.atomic():
        ConnectionRequestFactory(
            sender=alice, recipient=bob, status="maybe", responded=timezone.now()
        )


def test_request_note_is_at_most_300_characters_in_the_database(alice, bob):
    with pytest.raises(IntegrityError), transaction.atomic():
        ConnectionRequestFactory(sender=alice, recipient=bob, note="x" * 301)
    ConnectionRequestFactory(sender=alice, recipient=bob, note="x" * 300)


def test_closed_requests_record_when_they_were_answered(alice, bob):
    with pytest.raises(IntegrityError), transaction.atomic():
        ConnectionRequestFactory(sender=alice, recipient=bob, status="accepted")
    with pytest.raises(IntegrityError), transaction.atomic():
        ConnectionRequestFactory(sender=alice, recipient=bob, responded=timezone.now())


def test_old_pending_request_reads_as_expired(alice, bob):
    old = ConnectionRequestFactory(
        sender=alice, recipient=bob, created=timezone.now() - timedelta(days=91)
    )
    assert not old.is_pending
    assert old.effective_status == "expired"
    assert list(ConnectionRequest.objects.pending()) == []
    assert list(ConnectionRequest.objects.stale()) == [old]


def test_connection_direction_is_unique_and_not_to_oneself(alice, bob):
    Connection.objects.create(member=alice, other=bob)
    with pytest.raises(IntegrityError), transaction.atomic():
        Connection.objects.create(member=alice, other=bob)
    with pytest.raises(IntegrityError), transaction.atomic():
        Connection.objects.create(member=alice, other=alice)


def test_connection_kind_must_be_known(alice, bob):
    with pytest.raises(IntegrityError), transaction.atomic():
        Connection.objects.create(member=alice, other=bob, kind="enemy")


def test_block_is_unique_and_not_of_oneself(alice, bob):
    Block.objects.create(blocker=alice, blocked=bob)
    Block.objects.create(blocker=bob, blocked=alice)
    with pytest.raises(IntegrityError), transaction.atomic():
        Block.objects.create(blocker=alice, blocked=bob)
    with pytest.raises(IntegrityError), transaction.atomic():
        Block.objects.create(blocker=alice, blocked=alice)


def test_one_open_email_invitation_per_address_and_inviter(alice):
    def invite(token):
        return EmailInvitation.objects.create(
            inviter=alice,
            email="zoe@example.org",
            token_hash=token,
            expires=timezone.now() + timedelta(days=30),
        )

    first = invite("a" * 64)
    with pytest.raises(IntegrityError), transaction.atomic():
        invite("b" * 64)
    first.status = EmailInvitation.Status.USED
    first.save()
    invite("c" * 64)


def test_email_invitation_address_is_stored_lowercase(alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        EmailInvitation.objects.create(
            inviter=alice,
            email="Zoe@Example.org",
            token_hash="d" * 64,
            expires=timezone.now() + timedelta(days=30),
        )


def test_sending_pause_ends_after_it_starts(alice):
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        SendingPause.objects.create(member=alice, created=now, until=now, reason="x")
    pause = SendingPause.objects.create(
        member=alice, created=now, until=now + timedelta(days=7), reason="x"
    )
    assert pause.is_active
    assert list(SendingPause.objects.active()) == [pause]
