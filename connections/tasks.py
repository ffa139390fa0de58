"""Background work of the connections app: network emails and the expiry sweep.

Services queue these with `transaction.on_commit`, so nothing is sent for a
change that was rolled back. Each task reads the current state again and does
nothing when it no longer applies (an invitation withdrawn before the email
went out, a member who turned the email off).
"""

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse

from connections.models import ConnectionRequest, EmailInvitation, NotificationSettings


def absolute(path: str) -> str:
    return settings.RAPPORT_SITE_URL + path


def _wants(member, preference: str) -> bool:
    value = (
        NotificationSettings.objects.filter(member=member)
        .values_list(preference, flat=True)
        .first()
    )
    return value is None or value


def _send(template: str, context: dict, to: str):
    context = {"site_name": settings.RAPPORT_SITE_NAME, **context}
    subject = render_to_string(f"connections/email/{template}_subject.txt", context)
    body = render_to_string(f"connections/email/{template}_message.txt", context)
    send_mail(
        " ".join(subject.split()),
        body,
        settings.DEFAULT_FROM_EMAIL,
        [to],
    )


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
    if not recipient.is_active or not invitation.sender.is_active:
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
    if not sender.is_active or not _wants(sender, "invitation_accepted"):
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
    _send(
        "email_invitation",
        {
            "invitation": invitation,
            "inviter": invitation.inviter,
            "link": absolute(reverse("connections:join", args=[token])),
        },
        invitation.email,
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
