"""Sign-up, sign-in and email address hooks: an invitation link opened
before joining, the addresses shown on a profile.

The receivers only hand over to the services; the rules live there.
"""

from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed, user_signed_up
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from connections.services.network import (
    email_invitation_claim,
    email_invitation_redeem,
)
from connections.services.profiles import profile_emails_prune

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


@receiver(post_delete, sender=EmailAddress, dispatch_uid="profile_emails_on_delete")
def prune_profile_emails_on_delete(sender, instance, **kwargs):
    """An address removed (changed for another, on the Emails page, by the
    staff) leaves the profile."""
    profile_emails_prune(member=instance.user)


@receiver(post_save, sender=EmailAddress, dispatch_uid="profile_emails_on_save")
def prune_profile_emails_on_save(sender, instance, created, **kwargs):
    """An address no longer verified, or edited by the staff, leaves the
    profile; a new address was on no profile yet."""
    if not created:
        profile_emails_prune(member=instance.user)
