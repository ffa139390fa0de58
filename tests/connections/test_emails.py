"""The emails members and invited people receive: who gets one, when, and
what it says."""

from datetime import timedelta

import pytest
from django.utils import timezone

from connections import tasks
from connections.services import network
from tests.factories import BlockFactory, UserFactory


def suspend(member):
    type(member).objects.filter(pk=member.pk).update(
        suspended_until=timezone.now() + timedelta(days=7)
    )


@pytest.mark.django_db
class TestNobodySuspendedIsEmailedAbout:
    """The worker may run a task minutes after it was queued: a member
    suspended meanwhile is no longer named to anyone, nor sends anything."""

    def test_no_invitation_email_once_its_sender_is_suspended(
        self, alice, bob, mailoutbox
    ):
        invitation = network.connection_request_send(sender=alice, recipient=bob)
        suspend(alice)
        assert tasks.send_invitation_received_email.call(invitation.pk) is False
        assert mailoutbox == []

    def test_no_invitation_email_to_a_suspended_recipient(self, alice, bob, mailoutbox):
        invitation = network.connection_request_send(sender=alice, recipient=bob)
        suspend(bob)
        assert tasks.send_invitation_received_email.call(invitation.pk) is False
        assert mailoutbox == []

    def test_no_accepted_email_naming_a_member_suspended_since(
        self, alice, bob, mailoutbox
    ):
        invitation = network.connection_request_send(sender=alice, recipient=bob)
        network.connection_request_accept(invitation=invitation, member=bob)
        suspend(bob)
        assert tasks.send_invitation_accepted_email.call(invitation.pk) is False
        assert mailoutbox == []

    def test_no_invitation_link_sent_for_an_inviter_suspended_since(
        self, alice, mailoutbox
    ):
        invitation = network.email_invitation_send(
            inviter=alice, email="zoe@example.org", note="Join us!"
        )
        suspend(alice)
        assert tasks.send_email_invitation.call(invitation.pk, "token") is False
        assert mailoutbox == []

    def test_the_emails_go_out_when_nobody_is_suspended(self, alice, bob, mailoutbox):
        invitation = network.connection_request_send(sender=alice, recipient=bob)
        assert tasks.send_invitation_received_email.call(invitation.pk) is True
        network.connection_request_accept(invitation=invitation, member=bob)
        assert tasks.send_invitation_accepted_email.call(invitation.pk) is True
        link = network.email_invitation_send(inviter=alice, email="zoe@example.org")
        assert tasks.send_email_invitation.call(link.pk, "token") is True
        assert [mail.to for mail in mailoutbox] == [
            [bob.email],
            [alice.email],
            ["zoe@example.org"],
        ]


@pytest.mark.django_db
class TestInvitationLinksRespectBlocks:
    """An invitation by email must not reach, with its note, someone who
    blocked the inviter (or whom they blocked); the inviter is told
    "Invitation sent" all the same, so nobody learns the address is a
    member's."""

    def test_no_link_to_the_address_of_a_member_who_blocked_the_inviter(
        self, alice, bob, mailoutbox, django_capture_on_commit_callbacks
    ):
        BlockFactory(blocker=bob, blocked=alice)
        with django_capture_on_commit_callbacks(execute=True):
            invitation = network.email_invitation_send(
                inviter=alice, email=bob.email.upper(), note="Unblock me"
            )
        assert invitation.status == "sent"
        assert mailoutbox == []

    def test_no_link_to_a_member_the_inviter_blocked(
        self, alice, bob, mailoutbox, django_capture_on_commit_callbacks
    ):
        BlockFactory(blocker=alice, blocked=bob)
        with django_capture_on_commit_callbacks(execute=True):
            network.email_invitation_send(inviter=alice, email=bob.email)
        assert mailoutbox == []

    def test_no_link_to_another_verified_address_of_a_member_who_blocked(
        self, alice, bob, mailoutbox, django_capture_on_commit_callbacks
    ):
        from allauth.account.models import EmailAddress

        EmailAddress.objects.create(
            user=bob, email="bob.private@example.net", verified=True
        )
        BlockFactory(blocker=bob, blocked=alice)
        with django_capture_on_commit_callbacks(execute=True):
            network.email_invitation_send(
                inviter=alice, email="bob.private@example.net"
            )
        assert mailoutbox == []

    def test_no_link_after_a_block_made_before_the_worker_sends_it(
        self, alice, bob, mailoutbox
    ):
        invitation = network.email_invitation_send(inviter=alice, email=bob.email)
        BlockFactory(blocker=bob, blocked=alice)
        assert tasks.send_email_invitation.call(invitation.pk, "token") is False
        assert mailoutbox == []

    def test_a_block_between_others_changes_nothing(
        self, alice, bob, carol, mailoutbox, django_capture_on_commit_callbacks
    ):
        BlockFactory(blocker=bob, blocked=carol)
        UserFactory(email="zoe@example.org")
        with django_capture_on_commit_callbacks(execute=True):
            network.email_invitation_send(inviter=alice, email=bob.email)
            network.email_invitation_send(inviter=alice, email="zoe@example.org")
        assert [mail.to for mail in mailoutbox] == [[bob.email], ["zoe@example.org"]]
