import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from connections import tasks
from connections.models import (
    Block,
    Connection,
    ConnectionRequest,
    EmailInvitation,
    SendingPause,
    User,
)
from connections.selectors.network import day, when
from connections.services import network
from connections.services.members import handle_available, handle_slug
from connections.services.moderation import member_suspend
from tests.factories import UserFactory, connect


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Zoë Åberg", "zoe-aberg"),
        ("alice.martin@example.com", "alice-martin"),
        ("  --Bob__O'Neil--  ", "bob-o-neil"),
        ("李小龍", ""),
    ],
)
def test_handle_slug(text, slug):
    assert handle_slug(text) == slug


@pytest.mark.django_db
def test_handle_available_adds_the_first_free_number():
    UserFactory(handle="zoe-martin")
    UserFactory(handle="zoe-martin-2")
    assert handle_available(base="Zoë Martin") == "zoe-martin-3"


@pytest.mark.django_db
def test_handle_available_pads_names_too_short_or_not_latin():
    assert handle_available(base="李") == "member"
    assert handle_available(base="Al") == "al-member"


# ---------------------------------------------------------------------------
# The network: invitations, connections, blocks, pauses, email invitations.


def send(sender, recipient, **kwargs):
    return network.connection_request_send(sender=sender, recipient=recipient, **kwargs)


def connected(a, b) -> bool:
    forward = Connection.objects.filter(member=a, other=b).exists()
    backward = Connection.objects.filter(member=b, other=a).exists()
    assert forward == backward, "the connection table lost its symmetry"
    return forward


def ago(**kwargs):
    return timezone.now() - timedelta(**kwargs)


def refused(code):
    """Expect a ValidationError with `code`; gives access to its message."""
    return pytest.raises(ValidationError, check=lambda error: error.code == code)


@pytest.mark.django_db
class TestSendingInvitations:
    def test_sends_a_pending_invitation_and_emails_the_recipient(
        self, alice, bob, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            invitation = send(alice, bob, note=" Hi Bob! ", how_we_met="colleague")
        assert invitation.status == ConnectionRequest.Status.PENDING
        assert invitation.note == "Hi Bob!"
        assert invitation.how_we_met == "colleague"
        assert [mail.to for mail in mailoutbox] == [[bob.email]]
        assert "Alice Martin invites you to connect" in mailoutbox[0].subject
        assert "Hi Bob!" in mailoutbox[0].body
        assert "/network/" in mailoutbox[0].body

    def test_no_email_when_the_change_is_rolled_back(
        self, alice, bob, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            send(alice, bob)
            transaction.set_rollback(True)
        assert mailoutbox == []
        assert not ConnectionRequest.objects.exists()

    def test_cannot_invite_oneself(self, alice):
        with refused("self"):
            send(alice, alice)

    def test_cannot_invite_a_connection(self, alice, bob):
        connect(alice, bob)
        with refused("connected") as error:
            send(alice, bob)
        assert "already connected with Bob Okafor" in error.value.message

    def test_a_second_click_sends_nothing_more(
        self, alice, bob, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            first = send(alice, bob)
            second = send(alice, bob, note="again")
        assert first.pk == second.pk
        assert ConnectionRequest.objects.count() == 1
        assert len(mailoutbox) == 1

    def test_connect_on_someone_who_invited_you_accepts_their_invitation(
        self, alice, bob, mailoutbox, django_capture_on_commit_callbacks
    ):
        theirs = send(bob, alice)
        with django_capture_on_commit_callbacks(execute=True):
            result = send(alice, bob)
        assert result.pk == theirs.pk
        assert result.status == ConnectionRequest.Status.ACCEPTED
        assert connected(alice, bob)
        assert ConnectionRequest.objects.count() == 1
        assert [mail.to for mail in mailoutbox] == [[bob.email]]
        assert "Alice Martin accepted your invitation" in mailoutbox[0].subject

    def test_note_longer_than_300_characters_is_refused(self, alice, bob):
        with refused("note_too_long"):
            send(alice, bob, note="x" * 301)

    def test_unknown_how_we_met_is_refused(self, alice, bob):
        with pytest.raises(ValidationError):
            send(alice, bob, how_we_met="pub")

    def test_inactive_member_cannot_be_invited(self, alice, bob):
        User.objects.filter(pk=bob.pk).update(is_active=False)
        with refused("unavailable"):
            send(alice, bob)

    def test_a_suspended_member_cannot_send_invitations(self, alice, bob, moderator):
        member_suspend(member=alice, staff_member=moderator, reason="Spam")
        with refused("unavailable") as error:
            send(alice, bob)
        assert error.value.message == "Your account can't send invitations."
        assert not ConnectionRequest.objects.exists()

    @pytest.mark.parametrize("direction", ["blocker", "blocked"])
    def test_blocked_pair_cannot_invite_each_other(self, alice, bob, direction):
        if direction == "blocker":
            network.block_create(blocker=alice, blocked=bob)
        else:
            network.block_create(blocker=bob, blocked=alice)
        with refused("unavailable"):
            send(alice, bob)
        with refused("unavailable"):
            send(bob, alice)


@pytest.mark.django_db
class TestLimits:
    @override_settings(RAPPORT_INVITATIONS_PER_WEEK=3)
    def test_weekly_allowance_says_when_the_next_invitation_is_possible(self, alice):
        people = UserFactory.create_batch(4)
        oldest = ago(days=6, hours=23)
        for index, person in enumerate(people[:3]):
            invitation = send(alice, person)
            ConnectionRequest.objects.filter(pk=invitation.pk).update(
                created=oldest + timedelta(hours=index)
            )
        with refused("weekly_limit") as error:
            send(alice, people[3])
        assert "3 invitations in the last 7 days" in error.value.message
        lifts = when(oldest + timedelta(days=7))
        assert lifts in error.value.message

    @override_settings(RAPPORT_INVITATIONS_PER_WEEK=2)
    def test_weekly_allowance_is_rolling(self, alice):
        people = UserFactory.create_batch(3)
        first = send(alice, people[0])
        send(alice, people[1])
        ConnectionRequest.objects.filter(pk=first.pk).update(created=ago(days=8))
        assert send(alice, people[2]).status == "pending"

    @override_settings(RAPPORT_INVITATIONS_PER_WEEK=2)
    def test_email_invitations_count_in_the_weekly_allowance(self, alice, bob):
        network.email_invitation_send(inviter=alice, email="zoe@example.org")
        network.email_invitation_send(inviter=alice, email="yan@example.org")
        with refused("weekly_limit"):
            send(alice, bob)

    @override_settings(RAPPORT_INVITATIONS_PENDING_MAX=2)
    def test_pending_maximum_says_when_the_oldest_expires(self, alice):
        people = UserFactory.create_batch(3)
        first = send(alice, people[0])
        send(alice, people[1])
        ConnectionRequest.objects.filter(pk=first.pk).update(created=ago(days=10))
        with refused("pending_limit") as error:
            send(alice, people[2])
        assert "2 invitations waiting for an answer" in error.value.message
        assert when(ago(days=10) + timedelta(days=90))[:10] in (error.value.message)

    @override_settings(RAPPORT_INVITATIONS_PENDING_MAX=1)
    def test_answered_invitations_free_the_pending_maximum(self, alice, bob, carol):
        invitation = send(alice, bob)
        network.connection_request_ignore(invitation=invitation, member=bob)
        assert send(alice, carol).status == "pending"

    @pytest.mark.parametrize(
        "answer",
        [
            "connection_request_withdraw",
            "connection_request_ignore",
            "connection_request_decline_unknown",
        ],
    )
    def test_cooldown_of_21_days_after_an_invitation_ends(self, alice, bob, answer):
        invitation = send(alice, bob)
        member = alice if answer.endswith("withdraw") else bob
        getattr(network, answer)(invitation=invitation, member=member)
        with refused("cooldown") as error:
            send(alice, bob)
        assert "You can invite Bob Okafor again on" in error.value.message
        assert "21 days" in error.value.message
        ConnectionRequest.objects.filter(pk=invitation.pk).update(
            responded=ago(days=21, minutes=1)
        )
        assert send(alice, bob).status == "pending"

    def test_cooldown_binds_only_the_sender(self, alice, bob):
        invitation = send(alice, bob)
        network.connection_request_ignore(invitation=invitation, member=bob)
        assert send(bob, alice).status == "pending"

    def test_an_expired_invitation_imposes_no_cooldown(self, alice, bob):
        invitation = send(alice, bob)
        ConnectionRequest.objects.filter(pk=invitation.pk).update(created=ago(days=91))
        again = send(alice, bob)
        assert again.pk != invitation.pk
        invitation.refresh_from_db()
        assert invitation.status == "expired"

    @override_settings(RAPPORT_CONNECTIONS_MAX=1)
    def test_a_member_at_the_connection_maximum_cannot_invite(self, alice, bob, carol):
        connect(alice, carol)
        with refused("connections_limit") as error:
            send(alice, bob)
        assert "You have 1 connections" in error.value.message

    @override_settings(RAPPORT_CONNECTIONS_MAX=1)
    @pytest.mark.parametrize("full", ["recipient", "sender"])
    def test_neither_side_may_accept_past_the_maximum(self, alice, bob, carol, full):
        invitation = send(alice, bob)
        connect(bob if full == "recipient" else alice, carol)
        with refused("connections_limit") as error:
            network.connection_request_accept(invitation=invitation, member=bob)
        if full == "sender":
            assert "Alice Martin has 1 connections" in error.value.message
        assert not connected(alice, bob)
        invitation.refresh_from_db()
        assert invitation.status == "pending"


@pytest.mark.django_db
class TestAnswering:
    def test_accept_writes_both_rows_of_the_connection(self, alice, bob):
        invitation = send(alice, bob)
        accepted = network.connection_request_accept(invitation=invitation, member=bob)
        assert accepted.status == "accepted"
        assert accepted.responded is not None
        assert connected(alice, bob)
        assert Connection.objects.count() == 2

    def test_accepting_twice_changes_nothing(self, alice, bob):
        invitation = send(alice, bob)
        network.connection_request_accept(invitation=invitation, member=bob)
        again = network.connection_request_accept(invitation=invitation, member=bob)
        assert again.status == "accepted"
        assert Connection.objects.count() == 2

    @pytest.mark.parametrize(
        "service",
        [
            network.connection_request_accept,
            network.connection_request_ignore,
            network.connection_request_decline_unknown,
        ],
    )
    def test_only_the_recipient_answers(self, alice, bob, carol, service):
        invitation = send(alice, bob)
        for intruder in (alice, carol):
            with pytest.raises(PermissionDenied):
                service(invitation=invitation, member=intruder)
        invitation.refresh_from_db()
        assert invitation.status == "pending"

    def test_only_the_sender_withdraws(self, alice, bob, carol):
        invitation = send(alice, bob)
        for intruder in (bob, carol):
            with pytest.raises(PermissionDenied):
                network.connection_request_withdraw(
                    invitation=invitation, member=intruder
                )

    def test_accepting_a_withdrawn_invitation_is_refused_kindly(self, alice, bob):
        invitation = send(alice, bob)
        network.connection_request_withdraw(invitation=invitation, member=alice)
        with refused("closed_withdrawn") as error:
            network.connection_request_accept(invitation=invitation, member=bob)
        assert error.value.message == "Alice Martin withdrew this invitation."
        assert not connected(alice, bob)

    def test_accepting_an_expired_invitation_is_refused_kindly(self, alice, bob):
        invitation = send(alice, bob)
        ConnectionRequest.objects.filter(pk=invitation.pk).update(created=ago(days=95))
        with refused("closed_expired") as error:
            network.connection_request_accept(invitation=invitation, member=bob)
        assert error.value.message.startswith("This invitation expired on ")
        assert not connected(alice, bob)

    def test_withdrawing_an_accepted_invitation_is_refused(self, alice, bob):
        invitation = send(alice, bob)
        network.connection_request_accept(invitation=invitation, member=bob)
        with refused("closed_accepted"):
            network.connection_request_withdraw(invitation=invitation, member=alice)
        assert connected(alice, bob)

    def test_ignoring_after_accepting_is_refused(self, alice, bob):
        invitation = send(alice, bob)
        network.connection_request_accept(invitation=invitation, member=bob)
        with refused("closed_accepted"):
            network.connection_request_ignore(invitation=invitation, member=bob)

    def test_ignore_and_withdraw_twice_change_nothing(self, alice, bob, carol):
        ignored = send(alice, bob)
        network.connection_request_ignore(invitation=ignored, member=bob)
        assert network.connection_request_ignore(invitation=ignored, member=bob)
        withdrawn = send(alice, carol)
        network.connection_request_withdraw(invitation=withdrawn, member=alice)
        again = network.connection_request_withdraw(invitation=withdrawn, member=alice)
        assert again.status == "withdrawn"

    def test_ignoring_tells_the_sender_nothing(
        self, alice, bob, mailoutbox, django_capture_on_commit_callbacks
    ):
        invitation = send(alice, bob)
        with django_capture_on_commit_callbacks(execute=True):
            network.connection_request_ignore(invitation=invitation, member=bob)
        assert mailoutbox == []

    def test_invitation_from_a_suspended_member_cannot_be_accepted(
        self, alice, bob, moderator
    ):
        invitation = send(bob, alice)
        member_suspend(member=bob, staff_member=moderator, reason="Spam")
        with refused("unavailable") as error:
            network.connection_request_accept(invitation=invitation, member=alice)
        assert error.value.message == "This invitation is no longer available."
        assert not connected(alice, bob)
        invitation.refresh_from_db()
        assert invitation.status == "pending"


@pytest.mark.django_db
class TestPause:
    def unknown_answers(self, sender, count):
        for person in UserFactory.create_batch(count):
            invitation = send(sender, person)
            network.connection_request_decline_unknown(
                invitation=invitation, member=person
            )

    def test_three_i_dont_know_answers_in_a_week_pause_the_sender(self, alice, bob):
        self.unknown_answers(alice, 2)
        assert not SendingPause.objects.exists()
        self.unknown_answers(alice, 1)
        pause = SendingPause.objects.get(member=alice)
        assert pause.is_active
        assert pause.until - pause.created == timedelta(days=7)
        assert "3 people said they don't know" in pause.reason
        with refused("paused") as error:
            send(alice, bob)
        assert when(pause.until) in error.value.message

    def test_answers_older_than_a_week_do_not_count(self, alice):
        self.unknown_answers(alice, 2)
        ConnectionRequest.objects.update(responded=ago(days=8))
        self.unknown_answers(alice, 1)
        assert not SendingPause.objects.exists()

    def test_a_paused_member_cannot_invite_by_email_either(self, alice):
        self.unknown_answers(alice, 3)
        with refused("paused"):
            network.email_invitation_send(inviter=alice, email="zoe@example.org")

    def test_staff_lift_a_pause_and_counting_starts_again(self, alice, bob, staff):
        self.unknown_answers(alice, 3)
        pause = SendingPause.objects.get()
        lifted = network.sending_pause_lift(pause=pause, staff_member=staff)
        assert lifted.lifted is not None
        assert lifted.lifted_by == staff
        assert send(alice, bob).status == "pending"
        self.unknown_answers(alice, 2)
        assert SendingPause.objects.count() == 1

    def test_a_pause_ends_by_itself(self, alice, bob):
        self.unknown_answers(alice, 3)
        SendingPause.objects.update(created=ago(days=8), until=ago(minutes=1))
        assert send(alice, bob).status == "pending"


@pytest.mark.django_db
class TestExpiry:
    def test_expire_marks_only_old_pending_invitations(self, alice, bob, carol):
        old = send(alice, bob)
        ConnectionRequest.objects.filter(pk=old.pk).update(created=ago(days=91))
        fresh = send(alice, carol)
        assert network.connection_requests_expire() == 1
        old.refresh_from_db()
        fresh.refresh_from_db()
        assert old.status == "expired"
        assert old.responded is not None
        assert fresh.status == "pending"

    def test_expire_command_and_task(self, alice, bob):
        old = send(alice, bob)
        ConnectionRequest.objects.filter(pk=old.pk).update(created=ago(days=91))
        out = StringIO()
        call_command("expire_invitations", stdout=out)
        assert "1 invitation(s) marked expired." in out.getvalue()
        assert tasks.expire_invitations.enqueue().return_value == 0

    def test_a_new_invitation_expires_the_stale_one_between_the_pair(self, alice, bob):
        stale = send(bob, alice)
        ConnectionRequest.objects.filter(pk=stale.pk).update(created=ago(days=100))
        fresh = send(alice, bob)
        assert fresh.status == "pending"
        assert fresh.sender == alice
        stale.refresh_from_db()
        assert stale.status == "expired"
        assert not connected(alice, bob)


@pytest.mark.django_db
class TestConnections:
    def test_remove_deletes_both_rows_quietly(
        self, alice, bob, mailoutbox, django_capture_on_commit_callbacks
    ):
        connect(alice, bob)
        with django_capture_on_commit_callbacks(execute=True):
            assert network.connection_remove(member=bob, other=alice) is True
        assert not connected(alice, bob)
        assert Connection.objects.count() == 0
        assert mailoutbox == []

    def test_removing_twice_changes_nothing(self, alice, bob):
        connect(alice, bob)
        network.connection_remove(member=alice, other=bob)
        assert network.connection_remove(member=alice, other=bob) is False

    def test_after_removal_they_may_invite_again(self, alice, bob):
        invitation = send(alice, bob)
        network.connection_request_accept(invitation=invitation, member=bob)
        network.connection_remove(member=bob, other=alice)
        assert send(alice, bob).status == "pending"

    def test_kind_is_private_to_each_side(self, alice, bob):
        connect(alice, bob)
        network.connection_update(member=alice, other=bob, kind="close")
        assert Connection.objects.get(member=alice).kind == "close"
        assert Connection.objects.get(member=bob).kind == ""

    def test_kind_must_be_known_and_the_connection_exist(self, alice, bob):
        with refused("not_connected"):
            network.connection_update(member=alice, other=bob, kind="close")
        connect(alice, bob)
        with pytest.raises(ValidationError):
            network.connection_update(member=alice, other=bob, kind="enemy")

    def test_pair_create_refuses_oneself(self, alice):
        with refused("self"):
            network.connection_pair_create(member=alice, other=alice)


@pytest.mark.django_db
class TestBlocks:
    def test_block_ends_the_connection_and_cancels_invitations_both_ways(
        self, alice, bob, carol
    ):
        connect(alice, bob)
        mine = send(alice, carol)
        network.block_create(blocker=alice, blocked=bob)
        network.block_create(blocker=alice, blocked=carol)
        assert not connected(alice, bob)
        mine.refresh_from_db()
        assert mine.status == "withdrawn"
        theirs = send(bob, carol)
        network.block_create(blocker=carol, blocked=bob)
        theirs.refresh_from_db()
        assert theirs.status == "ignored"

    def test_blocking_twice_keeps_one_block(self, alice, bob):
        network.block_create(blocker=alice, blocked=bob)
        network.block_create(blocker=alice, blocked=bob)
        assert Block.objects.count() == 1

    def test_cannot_block_oneself(self, alice):
        with refused("self"):
            network.block_create(blocker=alice, blocked=alice)

    def test_unblock_restores_nothing(self, alice, bob):
        connect(alice, bob)
        invitation = send(alice, UserFactory())
        network.block_create(blocker=alice, blocked=bob)
        assert network.block_remove(blocker=alice, blocked=bob) is True
        assert network.block_remove(blocker=alice, blocked=bob) is False
        assert not connected(alice, bob)
        invitation.refresh_from_db()
        assert invitation.status == "pending"
        assert send(bob, alice).status == "pending"

    def test_inviting_and_accepting_look_for_a_block_once(self, alice, bob):
        def block_lookups(captured):
            return [q for q in captured if '"connections_block"' in q["sql"]]

        with CaptureQueriesContext(connection) as captured:
            invitation = send(alice, bob)
        assert len(block_lookups(captured)) == 1
        with CaptureQueriesContext(connection) as captured:
            network.connection_request_accept(invitation=invitation, member=bob)
        assert len(block_lookups(captured)) == 1
        assert connected(alice, bob)

    def test_accept_after_the_sender_blocked_is_refused(self, alice, bob):
        invitation = send(alice, bob)
        network.block_create(blocker=alice, blocked=bob)
        with refused("closed_withdrawn"):
            network.connection_request_accept(invitation=invitation, member=bob)
        assert not connected(alice, bob)


@pytest.mark.django_db
class TestEmailInvitations:
    LINK = re.compile(r"http://\S+/join/(\S+)/")

    def invite(self, inviter, email="Zoe@Example.org", **kwargs):
        return network.email_invitation_send(inviter=inviter, email=email, **kwargs)

    def token(self, mail):
        return self.LINK.search(mail.body).group(1)

    def test_sends_a_single_use_link_and_stores_only_its_hash(
        self, alice, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            invitation = self.invite(alice, name="Zoë", note="Join us!")
        assert invitation.email == "zoe@example.org"
        assert invitation.expires - invitation.created == timedelta(days=30)
        assert [mail.to for mail in mailoutbox] == [["zoe@example.org"]]
        token = self.token(mailoutbox[0])
        assert token not in invitation.token_hash
        assert network.token_hash(token) == invitation.token_hash
        assert "Join us!" in mailoutbox[0].body
        assert "Hello Zoë" in mailoutbox[0].body

    def test_the_same_for_a_members_address(
        self, alice, bob, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            invitation = self.invite(alice, email=bob.email)
        assert invitation.status == "sent"
        assert [mail.to for mail in mailoutbox] == [[bob.email]]
        assert not ConnectionRequest.objects.exists()

    def test_inviting_the_same_address_again_says_until_when_the_link_works(
        self, alice
    ):
        first = self.invite(alice)
        EmailInvitation.objects.filter(pk=first.pk).update(
            created=ago(minutes=5), expires=ago(minutes=5) + timedelta(days=30)
        )
        first.refresh_from_db()
        with refused("already_invited") as error:
            self.invite(alice, email="zoe@example.org")
        assert day(first.expires) in error.value.message

    def test_a_double_submit_returns_the_first_invitation_and_one_email(
        self, alice, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            first = self.invite(alice, note="Join us!")
            second = self.invite(alice, email="ZOE@example.org ", note="Join us!")
        assert second == first
        assert EmailInvitation.objects.get().status == "sent"
        assert len(mailoutbox) == 1

    def test_an_expired_link_can_be_replaced(self, alice):
        first = self.invite(alice)
        EmailInvitation.objects.filter(pk=first.pk).update(
            created=ago(days=31), expires=ago(days=1)
        )
        second = self.invite(alice)
        first.refresh_from_db()
        assert first.status == "expired"
        assert second.status == "sent"

    def test_own_address_is_refused(self, alice):
        with refused("own_address"):
            self.invite(alice, email="ALICE@example.com")

    def test_redeeming_leaves_a_pending_invitation_from_the_inviter(
        self, alice, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            invitation = self.invite(alice, note="Join us!")
        token = self.token(mailoutbox[0])
        zoe = UserFactory(email="another-address@example.net")
        request = network.email_invitation_redeem(member=zoe, token=token)
        assert request.sender == alice
        assert request.recipient == zoe
        assert request.status == "pending"
        assert request.note == "Join us!"
        assert request.email_invitation == invitation
        invitation.refresh_from_db()
        assert invitation.status == "used"
        assert invitation.claimed_by == zoe

    def test_a_link_works_once(
        self, alice, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            self.invite(alice)
        token = self.token(mailoutbox[0])
        network.email_invitation_redeem(member=UserFactory(), token=token)
        assert (
            network.email_invitation_redeem(member=UserFactory(), token=token) is None
        )
        assert ConnectionRequest.objects.count() == 1

    def test_an_expired_or_withdrawn_link_does_nothing(
        self, alice, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            expired = self.invite(alice)
            withdrawn = self.invite(alice, email="yan@example.org")
        EmailInvitation.objects.filter(pk=expired.pk).update(
            created=ago(days=31), expires=ago(seconds=1)
        )
        network.email_invitation_withdraw(invitation=withdrawn, member=alice)
        for mail in mailoutbox:
            token = self.token(mail)
            assert network.email_invitation_by_token(token) is None
            assert (
                network.email_invitation_redeem(member=UserFactory(), token=token)
                is None
            )
        assert not ConnectionRequest.objects.exists()

    def test_the_inviters_own_use_of_the_link_is_ignored(
        self, alice, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            invitation = self.invite(alice)
        assert (
            network.email_invitation_redeem(
                member=alice, token=self.token(mailoutbox[0])
            )
            is None
        )
        invitation.refresh_from_db()
        assert invitation.status == "sent"

    def test_a_refusing_limit_spends_the_link_silently(
        self, alice, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            invitation = self.invite(alice)
        zoe = UserFactory()
        network.block_create(blocker=zoe, blocked=alice)
        assert (
            network.email_invitation_redeem(member=zoe, token=self.token(mailoutbox[0]))
            is None
        )
        invitation.refresh_from_db()
        assert invitation.status == "used"
        assert not ConnectionRequest.objects.exists()

    def test_redeeming_does_not_charge_the_weekly_allowance_twice(
        self, alice, mailoutbox, django_capture_on_commit_callbacks
    ):
        with override_settings(RAPPORT_INVITATIONS_PER_WEEK=1):
            with django_capture_on_commit_callbacks(execute=True):
                self.invite(alice)
            request = network.email_invitation_redeem(
                member=UserFactory(), token=self.token(mailoutbox[0])
            )
        assert request.status == "pending"

    def test_a_claim_at_sign_up_is_redeemed_without_the_token(
        self, alice, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            self.invite(alice)
        zoe = UserFactory()
        network.email_invitation_claim(token=self.token(mailoutbox[0]), member=zoe)
        request = network.email_invitation_redeem(member=zoe)
        assert request.sender == alice

    def test_a_suspended_inviters_link_is_not_found_and_not_spent(
        self, alice, moderator, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            invitation = self.invite(alice)
        token = self.token(mailoutbox[0])
        member_suspend(member=alice, staff_member=moderator, reason="Spam")
        assert network.email_invitation_by_token(token) is None
        assert (
            network.email_invitation_redeem(member=UserFactory(), token=token) is None
        )
        assert not ConnectionRequest.objects.exists()
        invitation.refresh_from_db()
        assert invitation.status == "sent"

    def test_a_claim_is_not_redeemed_while_the_inviter_is_suspended(
        self, alice, moderator, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            self.invite(alice)
        zoe = UserFactory()
        network.email_invitation_claim(token=self.token(mailoutbox[0]), member=zoe)
        member_suspend(member=alice, staff_member=moderator, reason="Spam")
        assert network.email_invitation_redeem(member=zoe) is None
        assert not ConnectionRequest.objects.exists()

    def test_a_member_who_is_already_connected_gets_nothing_new(
        self, alice, bob, mailoutbox, django_capture_on_commit_callbacks
    ):
        connect(alice, bob)
        with django_capture_on_commit_callbacks(execute=True):
            self.invite(alice, email="bob.other@example.org")
        assert (
            network.email_invitation_redeem(member=bob, token=self.token(mailoutbox[0]))
            is None
        )
        assert not ConnectionRequest.objects.exists()


@pytest.mark.django_db
class TestNotifications:
    def test_invitation_email_respects_the_recipients_choice(
        self, alice, bob, mailoutbox, django_capture_on_commit_callbacks
    ):
        network.notification_settings_update(
            member=bob, invitation_received=False, invitation_accepted=True
        )
        with django_capture_on_commit_callbacks(execute=True):
            invitation = send(alice, bob)
        assert mailoutbox == []
        with django_capture_on_commit_callbacks(execute=True):
            network.connection_request_accept(invitation=invitation, member=bob)
        assert [mail.to for mail in mailoutbox] == [[alice.email]]

    def test_accepted_email_respects_the_senders_choice(
        self, alice, bob, mailoutbox, django_capture_on_commit_callbacks
    ):
        network.notification_settings_update(
            member=alice, invitation_received=True, invitation_accepted=False
        )
        invitation = send(alice, bob)
        with django_capture_on_commit_callbacks(execute=True):
            network.connection_request_accept(invitation=invitation, member=bob)
        assert mailoutbox == []

    def test_no_email_for_an_invitation_withdrawn_before_it_went_out(
        self, alice, bob, mailoutbox
    ):
        invitation = send(alice, bob)
        network.connection_request_withdraw(invitation=invitation, member=alice)
        assert tasks.send_invitation_received_email.call(invitation.pk) is False
        assert mailoutbox == []
