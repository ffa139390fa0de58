"""Writes about the network: invitations, connections, blocks, pauses.

Every transition locks the two members involved (in primary-key order) before
reading anything, so two requests about the same pair run one after the
other and each sees the other's outcome: double clicks, two members inviting
each other at the same moment, accepting while the other withdraws or blocks.
The database constraints remain the guarantee; an `IntegrityError` that still
slips through is turned into the same readable refusal.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from connections.models import (
    AddressOptOut,
    Block,
    Connection,
    ConnectionRequest,
    EmailInvitation,
    NotificationSettings,
    SendingPause,
)
from connections.models.network import expiry_cutoff
from connections.selectors.network import (
    address_opted_out,
    capacity_refusal,
    cooldown_refusal,
    day,
    is_blocked_between,
    pause_refusal,
    pending_refusal,
    sending_refusal,
)

Status = ConnectionRequest.Status

# The same thing sent again this soon by the same member is a double submit.
DOUBLE_SUBMIT_WINDOW = timedelta(seconds=30)


def lock_members(*members):
    """Lock the members' rows in primary-key order; return them fresh by id."""
    User = get_user_model()
    ids = sorted({member.pk for member in members})
    locked = User.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    return {member.pk: member for member in locked}


def _notify_on_commit(task, *args):
    transaction.on_commit(lambda: task.enqueue(*args))


# ---------------------------------------------------------------------------
# Connections: the two rows of a pair are written and deleted together here.


@transaction.atomic
def connection_pair_create(*, member, other, created=None, kinds=("", "")):
    """Write both rows of a connection; returns the row owned by `member`.

    The caller holds the locks of both members (every public transition
    does). `kinds` are the private kinds of `member`'s and `other`'s rows.
    """
    if member.pk == other.pk:
        raise ValidationError(_("You can't connect with yourself."), code="self")
    created = created or timezone.now()
    rows = Connection.objects.bulk_create(
        [
            Connection(member=member, other=other, created=created, kind=kinds[0]),
            Connection(member=other, other=member, created=created, kind=kinds[1]),
        ]
    )
    from connections.services.updates import feed_backfill

    feed_backfill(member=member, other=other)
    return rows[0]


def _connection_pair_delete(a, b) -> bool:
    deleted, _rows = Connection.objects.filter(member=a, other=b).delete()
    Connection.objects.filter(member=b, other=a).delete()
    return bool(deleted)


@transaction.atomic
def connection_remove(*, member, other) -> bool:
    """End a connection, quietly (the other side is not told).

    Returns False when they were not connected (a second click changes nothing).
    """
    lock_members(member, other)
    return _connection_pair_delete(member, other)


@transaction.atomic
def connection_update(*, member, other, kind: str) -> Connection:
    """Change the private kind `member` gives their connection with `other`."""
    if kind not in {"", *Connection.Kind.values}:
        raise ValidationError(_("Choose personal, professional or close."))
    row = (
        Connection.objects.select_for_update()
        .filter(member=member, other=other)
        .first()
    )
    if row is None:
        raise ValidationError(
            _("You are no longer connected with %(name)s.")
            % {"name": other.display_name},
            code="not_connected",
        )
    row.kind = kind
    row.save(update_fields=["kind"])
    return row


# ---------------------------------------------------------------------------
# Connection requests.


@transaction.atomic
def connection_request_send(
    *,
    sender,
    recipient,
    note: str = "",
    how_we_met: str = "",
    email_invitation: EmailInvitation | None = None,
) -> ConnectionRequest:
    """Invite `recipient` to connect; returns the request.

    If `recipient` already invited `sender`, this accepts that invitation and
    returns it (accepted). If `sender` already invited `recipient`, the
    existing request is returned unchanged (a double click sends one).
    """
    from connections import tasks

    if sender.pk == recipient.pk:
        raise ValidationError(_("You can't invite yourself."), code="self")
    note = (note or "").strip()
    if len(note) > ConnectionRequest._meta.get_field("note").max_length:
        raise ValidationError(
            _("Keep the note to %(max)d characters.")
            % {"max": ConnectionRequest._meta.get_field("note").max_length},
            code="note_too_long",
        )
    if how_we_met not in {"", *ConnectionRequest.HowWeMet.values}:
        raise ValidationError(_("Choose how you know each other from the list."))
    now = timezone.now()
    locked = lock_members(sender, recipient)
    sender_now = locked.get(sender.pk)
    if sender_now is None or not sender_now.is_active or sender_now.is_suspended:
        raise ValidationError(
            _("Your account can't send invitations."), code="unavailable"
        )
    recipient_now = locked.get(recipient.pk)
    if (
        recipient_now is None
        or not recipient_now.is_active
        or recipient_now.is_suspended
        or is_blocked_between(sender, recipient)
    ):
        raise ValidationError(
            _("%(name)s can't be invited.") % {"name": recipient.display_name},
            code="unavailable",
        )
    if Connection.objects.filter(member=sender, other=recipient).exists():
        raise ValidationError(
            _("You are already connected with %(name)s.")
            % {"name": recipient.display_name},
            code="connected",
        )

    existing = (
        ConnectionRequest.objects.select_for_update(of=("self",))
        .select_related("sender", "recipient")
        .between(sender, recipient)
        .filter(status=Status.PENDING)
        .first()
    )
    if existing is not None and not existing.is_pending:
        # Past its expiry: mark it so, which frees the pair for a new request.
        existing.status = Status.EXPIRED
        existing.responded = now
        existing.save(update_fields=["status", "responded"])
        existing = None
    if existing is not None:
        if existing.sender_id == sender.pk:
            return existing
        return _accept(existing, member=sender, now=now)

    if email_invitation is None:
        refusal = sending_refusal(sender=sender, recipient=recipient, now=now)
    else:
        # The weekly allowance was charged when the email invitation was sent.
        refusal = (
            pause_refusal(sender, now)
            or cooldown_refusal(sender, recipient, now)
            or pending_refusal(sender, now)
            or capacity_refusal(sender, viewer=sender)
        )
    if refusal is not None:
        raise refusal

    try:
        with transaction.atomic():
            invitation = ConnectionRequest.objects.create(
                sender=sender,
                recipient=recipient,
                note=note,
                how_we_met=how_we_met,
                created=now,
                email_invitation=email_invitation,
            )
    except IntegrityError as error:
        # Only reachable if the locks were bypassed; same outcome as a repeat.
        raise ValidationError(
            _("An invitation between you and %(name)s is already waiting.")
            % {"name": recipient.display_name},
            code="already_pending",
        ) from error
    _notify_on_commit(tasks.send_invitation_received_email, invitation.pk)
    return invitation


def _lock_request(invitation):
    """Lock both members, then the request; return the request as it is now."""
    lock_members(invitation.sender, invitation.recipient)
    return (
        ConnectionRequest.objects.select_for_update(of=("self",))
        .select_related("sender", "recipient")
        .get(pk=invitation.pk)
    )


def _refuse_closed(invitation, *, viewer_is_sender: bool):
    """Explain why an invitation can no longer be answered or withdrawn."""
    other = invitation.recipient if viewer_is_sender else invitation.sender
    name = other.display_name
    status = invitation.effective_status
    if status == Status.EXPIRED:
        message = _("This invitation expired on %(day)s.") % {
            "day": day(invitation.expires)
        }
    elif status == Status.WITHDRAWN:
        message = (
            _("You withdrew this invitation.")
            if viewer_is_sender
            else _("%(name)s withdrew this invitation.") % {"name": name}
        )
    elif status == Status.ACCEPTED:
        message = _("You are already connected with %(name)s.") % {"name": name}
    else:
        message = (
            _("This invitation is no longer waiting for an answer.")
            if viewer_is_sender
            else _("You already answered this invitation.")
        )
    raise ValidationError(message, code=f"closed_{status}")


def _sender_gone(invitation) -> bool:
    """Whether the sender closed their account or is suspended."""
    return not invitation.sender.is_active or invitation.sender.is_suspended


def _accept(invitation, *, member, now):
    """Accept a locked, pending invitation received by `member`."""
    from connections import tasks

    if _sender_gone(invitation) or is_blocked_between(
        invitation.sender_id, invitation.recipient_id
    ):
        raise ValidationError(
            _("This invitation is no longer available."), code="unavailable"
        )
    refusal = capacity_refusal(invitation.recipient, viewer=member) or capacity_refusal(
        invitation.sender, viewer=member
    )
    if refusal is not None:
        raise refusal
    if not Connection.objects.filter(
        member=invitation.sender_id, other=invitation.recipient_id
    ).exists():
        connection_pair_create(
            member=invitation.recipient, other=invitation.sender, created=now
        )
    invitation.status = Status.ACCEPTED
    invitation.responded = now
    invitation.save(update_fields=["status", "responded"])
    _notify_on_commit(tasks.send_invitation_accepted_email, invitation.pk)
    return invitation


@transaction.atomic
def connection_request_accept(*, invitation, member) -> ConnectionRequest:
    """The recipient accepts: both rows of the connection are written."""
    if invitation.recipient_id != member.pk:
        raise PermissionDenied
    invitation = _lock_request(invitation)
    if invitation.status == Status.ACCEPTED:
        return invitation
    if _sender_gone(invitation):
        raise ValidationError(
            _("This invitation is no longer available."), code="unavailable"
        )
    if not invitation.is_pending:
        _refuse_closed(invitation, viewer_is_sender=False)
    return _accept(invitation, member=member, now=timezone.now())


def _close(invitation, *, member, status, by_sender: bool):
    if (invitation.sender_id if by_sender else invitation.recipient_id) != member.pk:
        raise PermissionDenied
    invitation = _lock_request(invitation)
    if invitation.status == status:
        return invitation
    if not invitation.is_pending:
        _refuse_closed(invitation, viewer_is_sender=by_sender)
    invitation.status = status
    invitation.responded = timezone.now()
    invitation.save(update_fields=["status", "responded"])
    return invitation


@transaction.atomic
def connection_request_ignore(*, invitation, member) -> ConnectionRequest:
    """The recipient ignores the invitation; the sender is not told."""
    return _close(invitation, member=member, status=Status.IGNORED, by_sender=False)


@transaction.atomic
def connection_request_withdraw(*, invitation, member) -> ConnectionRequest:
    """The sender takes the invitation back."""
    return _close(invitation, member=member, status=Status.WITHDRAWN, by_sender=True)


@transaction.atomic
def connection_request_decline_unknown(*, invitation, member) -> ConnectionRequest:
    """The recipient says they don't know the sender; may pause the sender."""
    invitation = _close(
        invitation, member=member, status=Status.DECLINED_UNKNOWN, by_sender=False
    )
    _pause_if_unknown_too_often(invitation.sender, now=invitation.responded)
    return invitation


def _pause_if_unknown_too_often(sender, *, now):
    """Pause a sender after several "I don't know this person" in a week.

    Only answers after the sender's latest pause count, so a lifted pause
    gives a fresh start. The sender's row is locked by the caller.
    """
    since = now - timedelta(days=settings.RAPPORT_UNKNOWN_ANSWERS_WINDOW_DAYS)
    latest = (
        SendingPause.objects.filter(member=sender)
        .order_by("-created")
        .values_list("created", flat=True)
        .first()
    )
    if latest is not None and latest > since:
        since = latest
    answers = ConnectionRequest.objects.filter(
        sender=sender, status=Status.DECLINED_UNKNOWN, responded__gt=since
    ).count()
    if answers < settings.RAPPORT_UNKNOWN_ANSWERS_BEFORE_PAUSE:
        return None
    return SendingPause.objects.create(
        member=sender,
        created=now,
        until=now + timedelta(days=settings.RAPPORT_SENDING_PAUSE_DAYS),
        reason=ngettext(
            "%(count)d person said they don't know this member within %(days)d days.",
            "%(count)d people said they don't know this member within %(days)d days.",
            answers,
        )
        % {"count": answers, "days": settings.RAPPORT_UNKNOWN_ANSWERS_WINDOW_DAYS},
    )


@transaction.atomic
def sending_pause_lift(*, pause, staff_member) -> SendingPause:
    """Staff end a pause early."""
    pause = SendingPause.objects.select_for_update().get(pk=pause.pk)
    if pause.lifted is None:
        pause.lifted = timezone.now()
        pause.lifted_by = staff_member
        pause.save(update_fields=["lifted", "lifted_by"])
    return pause


@transaction.atomic
def connection_requests_expire(*, now=None) -> int:
    """Mark every pending request past its expiry as expired; returns how many."""
    now = now or timezone.now()
    return ConnectionRequest.objects.filter(
        status=Status.PENDING, created__lt=expiry_cutoff(now)
    ).update(status=Status.EXPIRED, responded=now)


# ---------------------------------------------------------------------------
# Blocks.


@transaction.atomic
def block_create(*, blocker, blocked) -> Block:
    """Block a member: ends the connection and cancels invitations both ways."""
    if blocker.pk == blocked.pk:
        raise ValidationError(_("You can't block yourself."), code="self")
    now = timezone.now()
    lock_members(blocker, blocked)
    block, _created = Block.objects.get_or_create(
        blocker=blocker, blocked=blocked, defaults={"created": now}
    )
    _connection_pair_delete(blocker, blocked)
    pending = ConnectionRequest.objects.filter(status=Status.PENDING)
    pending.filter(sender=blocker, recipient=blocked).update(
        status=Status.WITHDRAWN, responded=now
    )
    pending.filter(sender=blocked, recipient=blocker).update(
        status=Status.IGNORED, responded=now
    )
    return block


@transaction.atomic
def block_remove(*, blocker, blocked) -> bool:
    """Unblock; restores nothing that the block ended."""
    lock_members(blocker, blocked)
    deleted, _rows = Block.objects.filter(blocker=blocker, blocked=blocked).delete()
    return bool(deleted)


# ---------------------------------------------------------------------------
# Invitations by email.


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def email_invitation_send(
    *, inviter, email: str, name: str = "", note: str = ""
) -> EmailInvitation:
    """Email a single-use link that leads to a connection request from `inviter`.

    Whether the address belongs to a member changes nothing in what the
    inviter is told; the email task decides whether the link goes out (a
    block, the member's email settings). An address that asked for no more
    invitation emails is refused, with that reason, whoever it belongs to.
    The same address sent again within DOUBLE_SUBMIT_WINDOW returns the
    first invitation and emails nothing more.
    """
    from connections import tasks

    email = (email or "").strip().lower()
    note = (note or "").strip()
    name = " ".join((name or "").split())
    if not email:
        raise ValidationError(_("Enter an email address."), code="email")
    if len(note) > EmailInvitation._meta.get_field("note").max_length:
        raise ValidationError(_("Keep the note to 300 characters."))
    now = timezone.now()
    lock_members(inviter)
    if inviter.emailaddress_set.filter(email__iexact=email).exists():
        raise ValidationError(_("That is your own address."), code="own_address")
    if address_opted_out(email):
        raise ValidationError(
            _(
                "%(email)s has asked not to receive invitation emails from "
                "%(site)s, so none was sent."
            )
            % {"email": email, "site": settings.RAPPORT_SITE_NAME},
            code="opted_out",
        )
    open_invitation = (
        EmailInvitation.objects.select_for_update()
        .filter(inviter=inviter, email=email, status=EmailInvitation.Status.SENT)
        .first()
    )
    if open_invitation is not None:
        if open_invitation.created >= now - DOUBLE_SUBMIT_WINDOW:
            # A double click: the first submit's link is on its way.
            return open_invitation
        if open_invitation.expires > now:
            raise ValidationError(
                _(
                    "You invited %(email)s on %(day)s; that link stays valid until "
                    "%(until)s."
                )
                % {
                    "email": email,
                    "day": day(open_invitation.created),
                    "until": day(open_invitation.expires),
                },
                code="already_invited",
            )
        open_invitation.status = EmailInvitation.Status.EXPIRED
        open_invitation.save(update_fields=["status"])
    refusal = sending_refusal(sender=inviter, by_email=True, now=now)
    if refusal is not None:
        raise refusal

    token = secrets.token_urlsafe(32)
    invitation = EmailInvitation.objects.create(
        inviter=inviter,
        email=email,
        name=name[:80],
        note=note,
        token_hash=token_hash(token),
        created=now,
        expires=now + timedelta(days=settings.RAPPORT_EMAIL_INVITATION_DAYS),
    )
    _notify_on_commit(tasks.send_email_invitation, invitation.pk, token)
    return invitation


def email_invitation_by_token(token: str) -> EmailInvitation | None:
    """The open invitation a link's token belongs to, if it is still valid."""
    if not token or len(token) > 100:
        return None
    invitation = (
        EmailInvitation.objects.select_related("inviter")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if invitation is None or not invitation.is_open:
        return None
    if not invitation.inviter.is_active or invitation.inviter.is_suspended:
        return None
    return invitation


@transaction.atomic
def email_invitation_claim(*, token: str, member) -> EmailInvitation | None:
    """Remember who signed up through a link, before their email is verified."""
    invitation = email_invitation_by_token(token)
    if invitation is None or invitation.inviter_id == member.pk:
        return None
    EmailInvitation.objects.filter(
        pk=invitation.pk, status=EmailInvitation.Status.SENT, claimed_by__isnull=True
    ).update(claimed_by=member)
    return invitation


@transaction.atomic
def email_invitation_redeem(*, member, token: str = "") -> ConnectionRequest | None:
    """Turn the member's invitation link into a pending request from the inviter.

    Uses the link's token if given, else an invitation the member claimed at
    sign-up. Single use. If a limit refuses the request, the member is told
    nothing and the link is spent all the same.
    """
    invitation = email_invitation_by_token(token) if token else None
    if invitation is None:
        invitation = (
            EmailInvitation.objects.filter(
                claimed_by=member,
                status=EmailInvitation.Status.SENT,
                expires__gt=timezone.now(),
            )
            .order_by("-created")
            .first()
        )
    if invitation is None or invitation.inviter_id == member.pk:
        return None
    invitation = (
        EmailInvitation.objects.select_for_update(of=("self",))
        .select_related("inviter")
        .get(pk=invitation.pk)
    )
    if not invitation.is_open or invitation.inviter.is_suspended:
        # Not spent: the link works again if the suspension ends before it does.
        return None
    invitation.status = EmailInvitation.Status.USED
    invitation.used = timezone.now()
    invitation.claimed_by = member
    invitation.save(update_fields=["status", "used", "claimed_by"])
    if not invitation.inviter.is_active:
        return None
    try:
        with transaction.atomic():
            return connection_request_send(
                sender=invitation.inviter,
                recipient=member,
                note=invitation.note,
                email_invitation=invitation,
            )
    except ValidationError:
        return None


@transaction.atomic
def email_invitation_withdraw(*, invitation, member) -> EmailInvitation:
    """The inviter cancels an invitation link they sent."""
    if invitation.inviter_id != member.pk:
        raise PermissionDenied
    invitation = EmailInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status == EmailInvitation.Status.SENT:
        invitation.status = EmailInvitation.Status.WITHDRAWN
        invitation.save(update_fields=["status"])
    return invitation


# ---------------------------------------------------------------------------
# Email preferences.


@transaction.atomic
def notification_settings_update(
    *,
    member,
    invitation_received: bool,
    invitation_accepted: bool,
    message_unread: bool = True,
) -> NotificationSettings:
    """Choose which network and message emails the member receives."""
    row, _created = NotificationSettings.objects.update_or_create(
        member=member,
        defaults={
            "invitation_received": invitation_received,
            "invitation_accepted": invitation_accepted,
            "message_unread": message_unread,
        },
    )
    return row


@transaction.atomic
def address_opt_out(*, email: str) -> AddressOptOut:
    """Stop every invitation email to `email`, from any member (the link in
    the invitation email). Asking twice changes nothing."""
    from connections.unsubscribe import address_digest, address_digests

    digests = address_digests(email)
    existing = AddressOptOut.objects.filter(digest__in=digests).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return AddressOptOut.objects.create(digest=address_digest(email))
    except IntegrityError:
        # Two clicks at once: the other one recorded it.
        return AddressOptOut.objects.get(digest=address_digest(email))


@transaction.atomic
def address_opt_in(*, email: str) -> None:
    """Undo `address_opt_out`: members' invitations may be emailed again."""
    from connections.unsubscribe import address_digests

    AddressOptOut.objects.filter(digest__in=address_digests(email)).delete()


@transaction.atomic
def notification_turn_off(*, member, preference: str) -> NotificationSettings:
    """Stop one kind of email (the link in its footer); the others stay as
    they were. Turning off what is off already changes nothing."""
    from connections.unsubscribe import PREFERENCES

    if preference not in PREFERENCES:
        raise ValueError(preference)
    row, _created = NotificationSettings.objects.select_for_update().get_or_create(
        member=member
    )
    if getattr(row, preference):
        setattr(row, preference, False)
        row.save(update_fields=[preference])
    return row
