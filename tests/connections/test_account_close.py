"""Settings › Close account: a member leaves, and what they kept goes with them."""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from connections.models import (
    AuditRecord,
    Block,
    Comment,
    Connection,
    ConnectionRequest,
    Conversation,
    EmailInvitation,
    Like,
    MemberSearchTerm,
    Message,
    Profile,
    Report,
    SendingPause,
    Update,
    WorkEntry,
)
from connections.photos import photo_path
from connections.selectors.moderation import abuse_signals
from connections.services.accounts import account_close, closed_email
from connections.services.members import handle_available
from connections.services.moderation import member_close, report_create
from connections.services.network import (
    connection_request_accept,
    connection_request_send,
    email_invitation_send,
)
from connections.services.profiles import profile_photo_set
from connections.services.updates import like_toggle
from connections.views.pages import account_close_view
from tests.conftest import make_persona
from tests.connections.test_profiles import picture
from tests.factories import (
    DEFAULT_PASSWORD,
    BlockFactory,
    CommentFactory,
    ConnectionRequestFactory,
    ProfileFactory,
    UpdateFactory,
    UserFactory,
    WorkEntryFactory,
    connect,
    send_message,
)


@pytest.fixture
def alices_world(alice, bob, carol, dave):
    """Alice with a network, a conversation, updates, likes and invitations."""
    connect(alice, bob)
    connect(alice, carol)
    connect(bob, carol)
    ProfileFactory(
        member=alice,
        location="Lyon",
        about="Designs things.",
        emails=["alice@example.com"],
    )
    WorkEntryFactory(member=alice)
    ConnectionRequestFactory(sender=alice, recipient=dave, note="We met in Lyon")
    ConnectionRequestFactory(recipient=alice)
    email_invitation_send(inviter=alice, email="erin@example.org")
    BlockFactory(blocker=alice, blocked=dave)
    send_message(alice, bob, "Lunch on Friday?")
    send_message(bob, alice, "Yes, noon.")
    alices_update = UpdateFactory(author=alice, text="New portfolio is up.")
    CommentFactory(update=alices_update, author=bob, text="Looks great")
    bobs_update = UpdateFactory(author=bob, text="Hiring a designer.")
    CommentFactory(update=bobs_update, author=alice, text="Sent you a name.")
    like_toggle(update=bobs_update, member=alice, like=True)
    return {"alices_update": alices_update, "bobs_update": bobs_update}


def test_closing_deletes_what_the_member_kept_and_wrote(
    alices_world, alice, bob, carol
):
    account_close(member=alice, password=DEFAULT_PASSWORD)

    assert not Connection.objects.filter(member=alice).exists()
    assert not Connection.objects.filter(other=alice).exists()
    assert Connection.objects.filter(member=bob, other=carol).exists()
    assert Connection.objects.filter(member=carol, other=bob).exists()
    sent = ConnectionRequest.objects.get(sender=alice)
    assert (sent.status, sent.note) == ("withdrawn", "")
    assert ConnectionRequest.objects.get(recipient=alice).status == "ignored"
    assert not EmailInvitation.objects.filter(inviter=alice).exists()
    assert not Block.objects.filter(blocker=alice).exists()
    assert not Update.objects.filter(author=alice).exists()
    assert not Comment.objects.filter(author=alice).exists()
    assert not Like.objects.filter(member=alice).exists()
    assert Update.objects.filter(pk=alices_world["bobs_update"].pk).exists()
    assert not Conversation.objects.filter(member_low=alice).exists()
    assert not Conversation.objects.filter(member_high=alice).exists()
    assert not Message.objects.filter(sender=bob).exists()
    assert not Profile.objects.filter(member=alice).exists()
    assert not WorkEntry.objects.filter(member=alice).exists()
    assert not MemberSearchTerm.objects.filter(member=alice).exists()
    assert not EmailAddress.objects.filter(user=alice).exists()


def test_the_closed_account_is_an_empty_inactive_shell(alice):
    account_close(member=alice, password=DEFAULT_PASSWORD)
    alice.refresh_from_db()

    assert not alice.is_active
    assert alice.closed_at is not None
    assert alice.email == closed_email(alice.pk)
    assert alice.display_name == "Former member"
    assert alice.headline == ""
    assert not alice.findable_by_email
    assert not alice.has_usable_password()


def test_an_invitation_the_member_signed_up_through_stays_its_senders(alice, bob):
    invitation = email_invitation_send(inviter=bob, email="alice@example.com")
    EmailInvitation.objects.filter(pk=invitation.pk).update(
        claimed_by=alice, status="used"
    )

    account_close(member=alice, password=DEFAULT_PASSWORD)

    invitation.refresh_from_db()
    assert (invitation.inviter, invitation.claimed_by) == (bob, None)


def test_a_pause_on_sending_invitations_is_no_longer_listed_for_moderators(alice):
    SendingPause.objects.create(
        member=alice, until=timezone.now() + timedelta(days=3), reason="Refusals"
    )

    account_close(member=alice, password=DEFAULT_PASSWORD)

    assert abuse_signals().pauses == []
    assert not SendingPause.objects.filter(member=alice).exists()


def test_the_emptied_row_keeps_no_sign_up_address_nor_staff_rights(alice, moderator):
    type(alice).objects.filter(pk=alice.pk).update(signup_ip="203.0.113.7")
    moderator.groups.add(Group.objects.create(name="Moderators"))
    member_close(member=alice, staff_member=moderator, reason="Asked by email")
    member_close(
        member=moderator,
        staff_member=make_persona(
            "otto", "Otto Other", is_staff=True, is_superuser=True
        ),
        reason="Left the team",
    )

    alice.refresh_from_db()
    moderator.refresh_from_db()
    assert alice.signup_ip is None
    assert not moderator.is_staff
    assert not moderator.user_permissions.exists()
    assert not moderator.groups.exists()


def test_the_email_is_free_again_and_the_handle_stays_reserved(alice):
    account_close(member=alice, password=DEFAULT_PASSWORD)

    newcomer = get_user_model().objects.create_user("alice@example.com", "n3w-pass!")
    assert newcomer.pk != alice.pk
    assert handle_available(base="alice") != "alice"


def test_the_profile_photo_files_are_deleted_once_closed(
    alice, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    profile_photo_set(
        member=alice, upload=SimpleUploadedFile("me.jpg", picture(), "image/jpeg")
    )
    key = Profile.objects.get(member=alice).photo_key
    assert default_storage.exists(photo_path(key, "xl"))

    with django_capture_on_commit_callbacks(execute=True):
        account_close(member=alice, password=DEFAULT_PASSWORD)

    assert not list(tmp_path.rglob("*.jpg"))


def test_content_a_report_points_at_is_kept_for_the_moderators(alice, bob, carol):
    connect(alice, bob)
    connect(alice, carol)
    message = send_message(alice, bob, "Buy my course")
    send_message(alice, carol, "Hi Carol")
    update = UpdateFactory(author=alice, text="Click here")
    bobs_update = UpdateFactory(author=bob, text="Weekend plans")
    comment = CommentFactory(update=bobs_update, author=alice, text="Spam link")
    report_create(reporter=bob, member=alice, reason="spam", message=message)
    report_create(reporter=carol, member=alice, reason="spam", update=update)
    report_create(reporter=bob, member=alice, reason="spam", comment=comment)

    account_close(member=alice, password=DEFAULT_PASSWORD)

    assert Message.objects.filter(pk=message.pk).exists()
    assert Update.objects.filter(pk=update.pk).exists()
    assert Comment.objects.filter(pk=comment.pk).exists()
    assert not Conversation.objects.filter(member_high=carol, member_low=alice).exists()
    assert Report.objects.filter(member=alice).count() == 3


def test_a_member_who_blocked_the_closed_account_no_longer_lists_it(alice, dave):
    BlockFactory(blocker=dave, blocked=alice)
    dave_client = Client()
    dave_client.force_login(dave)

    account_close(member=alice, password=DEFAULT_PASSWORD)

    assert not Block.objects.filter(blocked=alice).exists()
    page = dave_client.get(reverse("connections:blocked")).content.decode()
    assert "Former member" not in page
    assert "You haven't blocked anyone" in page


@pytest.mark.parametrize("password", ["not-my-password", "", DEFAULT_PASSWORD + " "])
def test_a_wrong_password_closes_nothing(alices_world, alice, bob, password):
    with pytest.raises(ValidationError) as refusal:
        account_close(member=alice, password=password)

    assert refusal.value.code == "password"
    alice.refresh_from_db()
    assert alice.is_active
    assert alice.email == "alice@example.com"
    assert Connection.objects.filter(member=bob, other=alice).exists()
    assert Update.objects.filter(author=alice).exists()


def test_staff_accounts_are_closed_in_the_admin_not_here(staff):
    with pytest.raises(ValidationError) as refusal:
        account_close(member=staff, password=DEFAULT_PASSWORD)

    assert refusal.value.code == "staff"
    staff.refresh_from_db()
    assert staff.is_active


def test_an_account_closes_once(alice):
    account_close(member=alice, password=DEFAULT_PASSWORD)

    with pytest.raises(ValidationError) as refusal:
        account_close(member=alice, password=DEFAULT_PASSWORD)
    assert refusal.value.code == "closed"


# ---------------------------------------------------------------------------
# The page.

CLOSE = reverse("connections:account_close")


def test_the_page_says_what_goes_and_is_reached_from_settings(alice_client, alice, bob):
    connect(alice, bob)

    settings_page = alice_client.get(reverse("connections:settings")).content.decode()
    page = alice_client.get(CLOSE).content.decode()

    assert CLOSE in settings_page
    assert "Your connection ends, quietly" in page
    assert "Your address book is deleted" in page
    assert reverse("connections:your_data") in page
    assert 'autocomplete="current-password"' in page


def test_closing_signs_out_and_says_so(alice_client, alice, bob):
    connect(alice, bob)

    response = alice_client.post(
        CLOSE, {"password": DEFAULT_PASSWORD, "confirm": "on"}, follow=True
    )

    assert response.redirect_chain == [(reverse("home"), 302)]
    assert "Your account is closed" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated
    assert alice_client.get(reverse("connections:settings")).status_code == 302
    assert bob_sees_no_alice(bob)


def bob_sees_no_alice(bob) -> bool:
    client = Client()
    client.force_login(bob)
    return client.get(reverse("connections:profile", args=["alice"])).status_code == 404


def test_a_wrong_password_keeps_the_page_and_the_tick(alice_client, alice):
    response = alice_client.post(CLOSE, {"password": "guess", "confirm": "on"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "That is not your current password." in page
    assert "checked" in re.search(r'<input[^>]*name="confirm"[^>]*>', page)[0]
    alice.refresh_from_db()
    assert alice.is_active
    assert alice_client.get(reverse("connections:settings")).status_code == 200


def test_without_the_tick_nothing_happens(alice_client, alice):
    response = alice_client.post(CLOSE, {"password": DEFAULT_PASSWORD})

    assert "Tick this box to confirm" in response.content.decode()
    alice.refresh_from_db()
    assert alice.is_active


def test_other_browsers_are_signed_out_and_the_old_password_no_longer_works(alice):
    laptop, phone = Client(), Client()
    for browser in (laptop, phone):
        browser.post(
            reverse("account_login"),
            {"login": "alice@example.com", "password": DEFAULT_PASSWORD},
        )
    assert phone.get(reverse("connections:settings")).status_code == 200

    laptop.post(CLOSE, {"password": DEFAULT_PASSWORD, "confirm": "on"})

    assert phone.get(reverse("connections:settings")).status_code == 302
    again = Client().post(
        reverse("account_login"),
        {"login": "alice@example.com", "password": DEFAULT_PASSWORD},
    )
    assert again.status_code == 200
    assert not again.wsgi_request.user.is_authenticated


def test_staff_are_told_where_to_go_instead(staff):
    client = Client()
    client.force_login(staff)

    page = client.get(CLOSE).content.decode()
    refused = client.post(CLOSE, {"password": DEFAULT_PASSWORD, "confirm": "on"})

    assert "closed by another staff member" in page
    assert 'name="password"' not in page
    assert "closed by another staff member" in refused.content.decode()
    staff.refresh_from_db()
    assert staff.is_active


def test_signed_out_visitors_are_sent_to_sign_in():
    response = Client().get(CLOSE)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_an_invitation_from_a_member_no_longer_here_cannot_be_accepted(alice, bob):
    invitation = connection_request_send(sender=alice, recipient=bob)
    type(alice).objects.filter(pk=alice.pk).update(is_active=False)

    with pytest.raises(ValidationError) as refusal:
        connection_request_accept(invitation=invitation, member=bob)

    assert refusal.value.code == "unavailable"
    assert not Connection.objects.filter(member=bob).exists()


def test_an_invitation_accepted_after_the_sender_left_says_it_is_gone(alice, bob):
    invitation = connection_request_send(sender=alice, recipient=bob)
    account_close(member=alice, password=DEFAULT_PASSWORD)

    with pytest.raises(ValidationError) as refusal:
        connection_request_accept(invitation=invitation, member=bob)

    assert refusal.value.messages == ["This invitation is no longer available."]


def test_a_second_click_answered_after_the_first_closed_it_signs_out_too(alice, rf):
    account_close(member=alice, password=DEFAULT_PASSWORD)
    request = rf.post(CLOSE, {"password": DEFAULT_PASSWORD, "confirm": "on"})
    request.user = alice  # as the request loaded it, before the first one closed
    request.session = SessionStore()
    request._messages = FallbackStorage(request)

    response = account_close_view(request)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert not request.user.is_authenticated


def test_the_member_is_told_by_email_at_the_address_they_signed_in_with(
    alice, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        account_close(member=alice, password=DEFAULT_PASSWORD)

    (email,) = mailoutbox
    assert email.to == ["alice@example.com"]
    assert email.subject == "Your Rapport account is closed"
    assert "Hello Alice," in email.body
    assert "from your settings, with your password" in email.body
    assert "If you didn't ask for this" in email.body


def test_a_refused_closing_sends_no_email(
    alice, mailoutbox, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ValidationError),
    ):
        account_close(member=alice, password="wrong")

    assert mailoutbox == []


# ---------------------------------------------------------------------------
# Moderators close an account for a member (asked by email, access lost).


def test_a_moderator_closes_an_account_with_a_reason_in_the_audit_trail(
    alices_world, alice, bob, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        member_close(member=alice, staff_member=moderator, reason="Asked by email")

    alice.refresh_from_db()
    assert not alice.is_active
    assert not Connection.objects.filter(other=alice).exists()
    record = AuditRecord.objects.get(action="close")
    assert (record.member_id, record.staff_member_id) == (alice.pk, moderator.pk)
    assert record.reason == "Asked by email"
    assert record.target == "Former member (@alice)"
    (email,) = mailoutbox
    assert email.to == ["alice@example.com"]
    assert "by the people who run Rapport" in email.body


@pytest.mark.parametrize("reason", ["", "   "])
def test_closing_for_a_member_needs_a_reason(alice, moderator, reason):
    with pytest.raises(ValidationError) as refusal:
        member_close(member=alice, staff_member=moderator, reason=reason)

    assert refusal.value.code == "reason_required"
    alice.refresh_from_db()
    assert alice.is_active


def test_only_moderators_close_an_account_for_a_member(alice, bob):
    with pytest.raises(PermissionDenied):
        member_close(member=alice, staff_member=bob, reason="Because")

    alice.refresh_from_db()
    assert alice.is_active


def test_a_moderator_cannot_close_their_own_account_or_a_superusers(moderator):
    root = UserFactory(is_staff=True, is_superuser=True)

    with pytest.raises(ValidationError) as own:
        member_close(member=moderator, staff_member=moderator, reason="Leaving")
    with pytest.raises(ValidationError) as superuser:
        member_close(member=root, staff_member=moderator, reason="Leaving")

    assert (own.value.code, superuser.value.code) == ("self", "superuser")
    assert not AuditRecord.objects.filter(action="close").exists()


def test_close_accounts_from_the_members_admin(moderator_client, carol, dave):
    step = moderator_client.post(
        "/admin/connections/user/",
        {"action": "close_members", "_selected_action": [carol.pk, dave.pk]},
    )
    assert step.status_code == 200
    assert "Close accounts" in step.content.decode()
    carol.refresh_from_db()
    assert carol.is_active
    moderator_client.post(
        "/admin/connections/user/",
        {
            "action": "close_members",
            "_selected_action": [carol.pk, dave.pk],
            "apply": "1",
            "reason": "Both asked by email",
        },
    )

    carol.refresh_from_db()
    dave.refresh_from_db()
    assert carol.closed_at is not None
    assert dave.closed_at is not None
    assert AuditRecord.objects.filter(action="close").count() == 2
