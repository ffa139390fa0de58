"""The emails members and invited people receive: who gets one, when, and
what it says."""

from datetime import timedelta

import pytest
from django.utils import timezone

from connections import tasks
from connections.services import network


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
