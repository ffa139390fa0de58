"""Writes about a member's account as a whole: ending its sessions, closing it.

Closing keeps the member's row as an empty, inactive shell (README, "Closing
an account"): reports, sanctions and the audit trail point at it and must
keep pointing somewhere, and its handle stays reserved so that an old link
never leads to somebody else. Everything else the member kept or wrote is
deleted in the same transaction, except what a moderation report points at.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from connections import tasks
from connections.models import (
    Block,
    Comment,
    Connection,
    ConnectionRequest,
    Conversation,
    EmailInvitation,
    FeedEntry,
    Interaction,
    Like,
    MemberSearchTerm,
    NotificationSettings,
    Profile,
    Report,
    SendingPause,
    Update,
    WorkEntry,
)
from connections.services.network import lock_members
from connections.services.profiles import delete_photo_files
from connections.signals import account_closing

# What a closed account is called where staff still see it (the admin, the
# reports about it); members never see it, it appears nowhere for them.
CLOSED_NAME = "Former member"


def member_sessions_end(member_id: int) -> None:
    """Delete every session allauth tracks for the member.

    Sessions it doesn't track end on their next request: a suspended member is
    signed out by `ModerationMiddleware`, a closed (inactive) one is no longer
    a user the authentication backend accepts.
    """
    from allauth.usersessions.models import UserSession

    for session in UserSession.objects.filter(user_id=member_id):
        session.end()


def closed_email(member_id: int) -> str:
    """The sign-in address a closed account keeps: unique, and never deliverable
    (`.invalid` is reserved), so the real one is free for a new account."""
    return f"closed-{member_id}@closed.invalid"


def _check_may_close(member, password: str) -> None:
    if not member.is_active or member.closed_at:
        raise ValidationError(_("This account is already closed."), code="closed")
    if member.is_staff or member.is_superuser:
        raise ValidationError(
            _(
                "Staff accounts are closed by another staff member in the admin, "
                "so that the community is never left without moderators."
            ),
            code="staff",
        )
    if not member.has_usable_password():
        raise ValidationError(
            _("Set a password first (Settings › Password): closing asks for it."),
            code="no_password",
        )
    if not member.check_password(password):
        raise ValidationError(_("That is not your current password."), code="password")


@transaction.atomic
def account_close(*, member, password: str):
    """A member closes their own account, for good, after their password.

    Moderators close one for a member in the admin (`member_close`, in the
    moderation services); both end in `account_erase`.
    """
    member = lock_members(member)[member.pk]
    _check_may_close(member, password)
    return account_erase(member=member)


@transaction.atomic
def account_erase(*, member, by_staff: bool = False):
    """Empty and deactivate a member's account, with the member's row locked
    by the caller, once it checked who may (this checks nothing itself):
    `account_close` or `member_close`.

    Deleted: profile and photo, work history, connections (both rows of each
    pair), email invitations, blocks (the member's and others' of them),
    pauses on sending invitations, updates, comments and likes,
    conversations (for both sides: a closed member's conversations are
    readable by no one), email addresses, two-factor keys, sessions, and,
    through `account_closing`, the address book (and the links of others'
    cards to the member). Kept: the row itself, emptied and inactive;
    content a report points at (hidden, as its author appears nowhere);
    reports, sanctions and audit records; invitations, their notes erased
    and pending ones ended as withdrawn (sent) or ignored (received), since
    the limits on senders count them; former handles, still reserved.
    """
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    either_side = Q(member=member) | Q(other=member)
    now = timezone.now()

    Connection.objects.filter(either_side).delete()
    # Pending invitations end as if answered: an Accept already on its way
    # finds one that was withdrawn, not one that vanished.
    pending = ConnectionRequest.objects.filter(status=ConnectionRequest.Status.PENDING)
    pending.filter(sender=member).update(
        status=ConnectionRequest.Status.WITHDRAWN, responded=now
    )
    pending.filter(recipient=member).update(
        status=ConnectionRequest.Status.IGNORED, responded=now
    )
    ConnectionRequest.objects.filter(sender=member).exclude(note="").update(note="")
    EmailInvitation.objects.filter(inviter=member).delete()
    # Others' invitations the member signed up through stay theirs, tied to
    # no account ("signed up as" in the admin).
    EmailInvitation.objects.filter(claimed_by=member).update(claimed_by=None)
    # Blocks both ways: a block of a closed account guards against nothing,
    # and the blocker's list would still show the emptied row.
    Block.objects.filter(Q(blocker=member) | Q(blocked=member)).delete()
    # A pause on sending invitations guards against nothing any more, and
    # would sit among the active ones moderators may lift.
    SendingPause.objects.filter(member=member).delete()
    Interaction.objects.filter(Q(actor=member) | Q(target=member)).delete()

    Like.objects.filter(member=member).delete()
    FeedEntry.objects.filter(member=member).delete()
    Comment.objects.filter(author=member).exclude(
        Exists(Report.objects.filter(comment=OuterRef("pk")))
    ).delete()
    Update.objects.filter(author=member).exclude(
        Exists(Report.objects.filter(update=OuterRef("pk")))
    ).exclude(Exists(Report.objects.filter(comment__update=OuterRef("pk")))).delete()
    Conversation.objects.filter(Q(member_low=member) | Q(member_high=member)).exclude(
        Exists(Report.objects.filter(message__conversation=OuterRef("pk")))
    ).delete()

    profile = Profile.objects.filter(member=member).first()
    if profile is not None:
        if key := profile.photo_key:
            transaction.on_commit(lambda: delete_photo_files(key))
        profile.delete()
    WorkEntry.objects.filter(member=member).delete()
    MemberSearchTerm.objects.filter(member=member).delete()
    NotificationSettings.objects.filter(member=member).delete()
    EmailAddress.objects.filter(user=member).delete()
    Authenticator.objects.filter(user=member).delete()

    account_closing.send(sender=type(member), member=member)

    email, name = member.email, member.get_short_name()
    closed_on = timezone.localtime(now).strftime("%Y-%m-%d %H:%M %Z")
    transaction.on_commit(
        lambda: tasks.send_account_closed_email.enqueue(
            email, name, closed_on, by_staff
        )
    )

    member.email = closed_email(member.pk)
    member.display_name = CLOSED_NAME
    member.headline = ""
    member.findable_by_email = False
    member.signup_ip = None
    # A staff member closed by another keeps no rights on the emptied row.
    member.is_staff = False
    member.groups.clear()
    member.user_permissions.clear()
    member.is_active = False
    member.closed_at = now
    member.set_unusable_password()
    member.save()
    member_id = member.pk
    transaction.on_commit(lambda: member_sessions_end(member_id))
    return member
