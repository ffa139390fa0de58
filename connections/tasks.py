"""Background work of the connections app: network emails and the expiry sweep.

Services queue these with `transaction.on_commit`, so nothing is sent for a
change that was rolled back. Each task reads the current state again and does
nothing when it no longer applies (an invitation withdrawn before the email
went out, a member who turned the email off, or was suspended meanwhile).
"""

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from connections.models import ConnectionRequest, EmailInvitation, NotificationSettings
from connections.selectors.network import (
    address_opted_out,
    are_connected,
    is_blocked_with_address,
    member_with_address,
)
from connections.unsubscribe import address_opt_out_url, unsubscribe_url


def absolute(path: str) -> str:
    return settings.RAPPORT_SITE_URL + path


def _appears(member) -> bool:
    """Whether the member still has an account others see: an email neither
    goes to nor names a member who closed it or is suspended."""
    return member.is_active and not member.is_suspended


def _wants(member, preference: str) -> bool:
    value = (
        NotificationSettings.objects.filter(member=member)
        .values_list(preference, flat=True)
        .first()
    )
    return value is None or value


def _send(template: str, context: dict, to: str, *, unsubscribe: str = ""):
    """Render and send one email. `unsubscribe` (a link of
    `connections.unsubscribe`) marks an email one can stop: its footer and
    its `List-Unsubscribe` headers (RFC 2369, and RFC 8058's one-click POST)
    carry the link."""
    headers = {}
    if unsubscribe:
        context = {**context, "unsubscribe_url": unsubscribe}
        headers = {
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    context = {"site_name": settings.RAPPORT_SITE_NAME, **context}
    subject = render_to_string(f"connections/email/{template}_subject.txt", context)
    body = render_to_string(f"connections/email/{template}_message.txt", context)
    EmailMessage(
        " ".join(subject.split()),
        body,
        settings.DEFAULT_FROM_EMAIL,
        [to],
        headers=headers,
    ).send()


@task()
def send_account_closed_email(
    email: str, name: str, closed_on: str, by_staff: bool = False
) -> bool:
    """Tell a member, at the address they signed in with, that their account
    was closed: if someone else did it, they learn it at once."""
    _send(
        "account_closed",
        {
            "name": name,
            "closed_on": closed_on,
            "by_staff": by_staff,
            "site_url": absolute("/"),
        },
        email,
    )
    return True


@task()
def send_invitation_received_email(request_id: int) -> bool:
    """Tell the recipient someone invites them, if they want to know."""
    invitation = (
        ConnectionRequest.objects.select_related("sender", "recipient")
        .filter(pk=request_id)
        .first()
    )
    if invitation is None or not invitation.is_pending:
        return False
    recipient = invitation.recipient
    if not _appears(recipient) or not _appears(invitation.sender):
        return False
    if not _wants(recipient, "invitation_received"):
        return False
    _send(
        "invitation_received",
        {
            "invitation": invitation,
            "sender": invitation.sender,
            "recipient": recipient,
            "network_url": absolute(reverse("connections:network")),
            "profile_url": absolute(invitation.sender.get_absolute_url()),
            "settings_url": absolute(reverse("connections:notifications")),
        },
        recipient.email,
        unsubscribe=unsubscribe_url(member=recipient, preference="invitation_received"),
    )
    return True


@task()
def send_invitation_accepted_email(request_id: int) -> bool:
    """Tell the sender their invitation was accepted, if they want to know."""
    invitation = (
        ConnectionRequest.objects.select_related("sender", "recipient")
        .filter(pk=request_id, status=ConnectionRequest.Status.ACCEPTED)
        .first()
    )
    if invitation is None:
        return False
    sender = invitation.sender
    if not _appears(sender) or not _appears(invitation.recipient):
        return False
    # Removed (quietly) or ended by a block before the email went out.
    if not are_connected(sender, invitation.recipient):
        return False
    if not _wants(sender, "invitation_accepted"):
        return False
    _send(
        "invitation_accepted",
        {
            "invitation": invitation,
            "sender": sender,
            "recipient": invitation.recipient,
            "profile_url": absolute(invitation.recipient.get_absolute_url()),
            "settings_url": absolute(reverse("connections:notifications")),
        },
        sender.email,
        unsubscribe=unsubscribe_url(member=sender, preference="invitation_accepted"),
    )
    return True


@task()
def send_email_invitation(invitation_id: int, token: str) -> bool:
    """Email the invitation link; only the email carries the token."""
    invitation = (
        EmailInvitation.objects.select_related("inviter")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or not invitation.is_open:
        return False
    if not _appears(invitation.inviter):
        return False
    # Else the note would reach, around the block, someone who blocked the
    # inviter; the inviter was told "Invitation sent" as for any address.
    if is_blocked_with_address(invitation.inviter, invitation.email):
        return False
    # To a member's verified address, this is the email they turn on or off
    # with "Someone invites me to connect", and it stops in one click like
    # the others. The inviter was told "Invitation sent" either way.
    member = member_with_address(invitation.email)
    if member is not None and not _wants(member, "invitation_received"):
        return False
    # Asked for no more of these after the inviter sent it, before it went
    # out; the service refuses any sent later.
    if address_opted_out(invitation.email):
        return False
    # Someone who is not a member stops them for the address, from anyone.
    if member is None:
        unsubscribe = address_opt_out_url(invitation.email)
    else:
        unsubscribe = unsubscribe_url(member=member, preference="invitation_received")
    _send(
        "email_invitation",
        {
            "invitation": invitation,
            "inviter": invitation.inviter,
            "to_member": member is not None,
            "link": absolute(reverse("connections:join", args=[token])),
        },
        invitation.email,
        unsubscribe=unsubscribe,
    )
    return True


@task()
def expire_invitations() -> int:
    """Mark pending invitations past their expiry as expired (run daily)."""
    from connections.services.network import connection_requests_expire

    return connection_requests_expire()


@task()
def fan_out_update(update_id: int) -> int:
    """Put a new update in the feed of each of its author's connections."""
    from connections.services.updates import feed_fan_out

    return feed_fan_out(update_id=update_id)


# Minutes an email about unread messages waits, where the task backend can
# defer, so a member reading the conversation right now gets no email.
UNREAD_EMAIL_DELAY_MINUTES = 5


def notify_unread_messages(side_id: int) -> None:
    """Queue the unread-messages email for one side of a conversation."""
    task = send_unread_messages_email
    if task.get_backend().supports_defer:
        task = task.using(
            run_after=timezone.now() + timedelta(minutes=UNREAD_EMAIL_DELAY_MINUTES)
        )
    task.enqueue(side_id)


@task()
def send_unread_messages_email(side_id: int) -> bool:
    """Tell a member they have unread messages in a conversation.

    Nothing when they read them meanwhile, turned the email off, were emailed
    about this conversation less than an hour ago, or may no longer open it
    as it was (a block either way, either member suspended or gone).
    """
    from connections.models import ConversationMember
    from connections.selectors.messaging import thread_with
    from connections.services.messaging import conversation_email_claim

    side = (
        ConversationMember.objects.select_related("member", "other")
        .filter(pk=side_id)
        .first()
    )
    if side is None or not side.unread_count:
        return False
    member, other = side.member, side.other
    if not member.is_active or member.is_suspended:
        return False
    thread = thread_with(viewer=member, handle=other.handle, reading_only=True)
    # A suspended member's messages stay readable under a neutral name, which
    # the email would give away.
    if thread is None or thread.blocked_by_viewer or thread.other.is_suspended:
        return False
    if not _wants(member, "message_unread"):
        return False
    side = conversation_email_claim(side_id=side_id)
    if side is None:
        return False
    _send(
        "messages_unread",
        {
            "member": member,
            "other": other,
            "count": side.unread_count,
            "every_minutes": settings.RAPPORT_MESSAGES_EMAIL_EVERY_MINUTES,
            "thread_url": absolute(
                reverse("connections:thread", kwargs={"handle": other.handle})
            ),
            "settings_url": absolute(reverse("connections:notifications")),
        },
        member.email,
        unsubscribe=unsubscribe_url(member=member, preference="message_unread"),
    )
    return True
