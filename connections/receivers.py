"""Sign-up and sign-in hooks: an invitation link opened before joining.

The receivers only hand over to the services; the rules live there.
"""

from allauth.account.signals import email_confirmed, user_signed_up
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from connections.services.network import (
    email_invitation_claim,
    email_invitation_redeem,
)

INVITATION_SESSION_KEY = "network_invitation_token"


def _session_token(request, *, keep: bool) -> str:
    session = getattr(request, "session", None)
    if session is None:
        return ""
    if keep:
        return session.get(INVITATION_SESSION_KEY, "")
    return session.pop(INVITATION_SESSION_KEY, "")


@receiver(user_signed_up, dispatch_uid="network_claim_invitation")
def claim_invitation_on_sign_up(sender, request, user, **kwargs):
    """Bind the link to the new member, so verifying in another browser works."""
    token = _session_token(request, keep=True)
    if token:
        email_invitation_claim(token=token, member=user)


@receiver(email_confirmed, dispatch_uid="network_redeem_on_verification")
def redeem_invitation_on_verification(sender, request, email_address, **kwargs):
    """Once the email is verified, the inviter's invitation waits for the member."""
    token = _session_token(request, keep=False)
    email_invitation_redeem(member=email_address.user, token=token)


@receiver(user_logged_in, dispatch_uid="network_redeem_on_sign_in")
def redeem_invitation_on_sign_in(sender, request, user, **kwargs):
    """A member who opened the link signed out, then signed in."""
    token = _session_token(request, keep=False)
    if token:
        email_invitation_redeem(member=user, token=token)


@receiver(user_logged_in, dispatch_uid="moderation_warning_on_sign_in")
def show_unread_warning_on_sign_in(sender, request, user, **kwargs):
    """A warning from the staff is shown before any page after signing in."""
    from connections.models import Sanction
    from connections.views.moderation import WARNING_SESSION_KEY

    session = getattr(request, "session", None)
    if session is None:
        return
    if Sanction.objects.filter(
        member=user, kind=Sanction.Kind.WARNING, seen__isnull=True
    ).exists():
        session[WARNING_SESSION_KEY] = True
