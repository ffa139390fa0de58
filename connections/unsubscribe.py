"""The link at the foot of each notification email that stops that kind of
email without signing in (RFC 8058 one-click unsubscribe).

The token names the member and one of their email preferences, signed with
its own salt: it does nothing else, and no other signed value of the site
(a "Load more" cursor, a confirmation key) can stand for it. It does not
expire, as a mail client may offer the button months later; the worst a
forwarded email lets someone do is turn that one email off.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.signing import BadSignature, Signer
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

_SIGNER = Signer(salt="connections.notifications.unsubscribe")

# Each email preference (a field of `NotificationSettings`), as the pages
# that stop it name the emails it sends.
PREFERENCES = {
    "invitation_received": _("when someone invites you to connect"),
    "invitation_accepted": _("when someone accepts your invitation"),
    "message_unread": _("about messages you haven't read"),
}


def unsubscribe_token(*, member, preference: str) -> str:
    if preference not in PREFERENCES:
        raise ValueError(preference)
    return _SIGNER.sign_object([member.pk, preference])


def unsubscribe_url(*, member, preference: str) -> str:
    """The absolute address of the link, for the email and its headers."""
    token = unsubscribe_token(member=member, preference=preference)
    return settings.RAPPORT_SITE_URL + reverse(
        "connections:unsubscribe", kwargs={"token": token}
    )


def unsubscribe_reading(token: str):
    """The (member, preference) a token stands for, or None when it was not
    signed here for this, or the account is closed."""
    if not token or len(token) > 200:
        return None
    try:
        member_id, preference = _SIGNER.unsign_object(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(member_id, int) or preference not in PREFERENCES:
        return None
    member = get_user_model().objects.filter(pk=member_id, is_active=True).first()
    if member is None:
        return None
    return member, preference
