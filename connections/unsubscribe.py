"""The link at the foot of each notification email that stops that kind of
email without signing in (RFC 8058 one-click unsubscribe).

The token names the member and one of their email preferences, signed with
its own salt: it does nothing else, and no other signed value of the site
(a "Load more" cursor, a confirmation key) can stand for it. It does not
expire, as a mail client may offer the button months later; the worst a
forwarded email lets someone do is turn that one email off.

An invitation by email to someone who is not a member carries the same kind
of link, for the address instead of a member: it stops every invitation
email to that address, from any member. Its token names the address, under
a salt of its own, and the address is kept only as a keyed hash
(`address_digests`).
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.signing import BadSignature, Signer
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

_SIGNER = Signer(salt="connections.notifications.unsubscribe")
_ADDRESS_SIGNER = Signer(salt="connections.invitations.address_opt_out")
_ADDRESS_DIGEST_SALT = "connections.invitations.address_opt_out.digest"

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
    return _absolute("connections:unsubscribe", token)


def _absolute(name: str, token: str) -> str:
    return settings.RAPPORT_SITE_URL + reverse(name, kwargs={"token": token})


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


def _address(email) -> str:
    return (email or "").strip().lower()


def address_opt_out_token(email: str) -> str:
    """The token of the link that stops invitation emails to `email`."""
    return _ADDRESS_SIGNER.sign_object(_address(email))


def address_opt_out_url(email: str) -> str:
    """The absolute address of the link that stops invitation emails to
    `email`, for the invitation email and its headers."""
    return _absolute("connections:address_opt_out", address_opt_out_token(email))


def address_opt_out_reading(token: str) -> str | None:
    """The address a token stands for, or None when it was not signed here
    for this."""
    if not token or len(token) > 500:
        return None
    try:
        email = _ADDRESS_SIGNER.unsign_object(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(email, str) or "@" not in email or len(email) > 254:
        return None
    return _address(email)


def address_digest(email: str, *, secret=None) -> str:
    """The keyed hash an opted-out address is kept as: it answers "is this
    address opted out?" for whoever has the address, and gives the address
    to nobody who reads the table."""
    return salted_hmac(
        _ADDRESS_DIGEST_SALT, _address(email), secret=secret, algorithm="sha256"
    ).hexdigest()


def address_digests(email: str) -> list[str]:
    """The address's hash under the current key and each former one
    (`SECRET_KEY_FALLBACKS`), so a rotated key forgets no opt-out."""
    secrets = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return [address_digest(email, secret=secret) for secret in secrets]
