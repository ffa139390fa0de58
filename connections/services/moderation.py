"""Writes about moderation: reports by members, staff sanctions, the audit trail.

Every staff action checks the moderation permission, requires a reason and
writes one audit record in the same transaction as its effect. Sanctions
lock the member's row first, so two staff members acting on the same member
run one after the other.
"""

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from connections.models import AuditRecord, Report, Sanction, SendingPause
from connections.models.members import SUSPENDED_INDEFINITELY
from connections.models.moderation import (
    REASON_MAX_LENGTH,
    REPORT_DETAILS_MAX_LENGTH,
)
from connections.selectors.messaging import thread_with
from connections.selectors.moderation import can_moderate, shown_member
from connections.selectors.network import visible_members
from connections.services import limits
from connections.services.accounts import account_erase, member_sessions_end
from connections.services.network import (
    block_create,
    lock_members,
    sending_pause_lift,
)

Outcome = Report.Outcome
Action = AuditRecord.Action


def _require_moderator(staff_member) -> None:
    if not can_moderate(staff_member):
        raise PermissionDenied(_("Only moderators can do this."))


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            _("Give a reason: it goes into the audit trail."), code="reason_required"
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            _("Keep the reason to %(max)d characters.") % {"max": REASON_MAX_LENGTH},
            code="reason_too_long",
        )
    return reason


def _audit(*, staff_member, action, member, reason, report=None, detail=""):
    return AuditRecord.objects.create(
        staff_member=staff_member,
        action=action,
        member=member,
        target=str(member)[:200] if member is not None else "",
        report=report,
        reason=reason,
        detail=detail[:200],
    )


def _already_resolved() -> ValidationError:
    return ValidationError(
        _("This report was already resolved."), code="already_resolved"
    )


def _resolve(reports: Iterable[Report], *, staff_member, outcome, now) -> list:
    """Close the still-open `reports` with `outcome`; returns those closed."""
    ids = [report.pk for report in reports]
    if not ids:
        return []
    locked = list(
        Report.objects.select_for_update()
        .filter(pk__in=ids, status=Report.Status.OPEN)
        .order_by("pk")
    )
    for report in locked:
        report.status = Report.Status.RESOLVED
        report.outcome = outcome
        report.resolved = now
        report.resolved_by = staff_member
    Report.objects.bulk_update(locked, ["status", "outcome", "resolved", "resolved_by"])
    return locked


# ---------------------------------------------------------------------------
# Members report.


def _subject_of(*, member, message, update, comment):
    """The report's subject and its content field, checked against `member`."""
    given = [
        (subject, field, content)
        for subject, field, content in (
            (Report.Subject.MESSAGE, "message", message),
            (Report.Subject.UPDATE, "update", update),
            (Report.Subject.COMMENT, "comment", comment),
        )
        if content is not None
    ]
    if not given:
        return Report.Subject.MEMBER, None, None
    if len(given) > 1:
        raise ValueError("A report is about one thing.")
    subject, field, content = given[0]
    author_id = content.sender_id if field == "message" else content.author_id
    if author_id != member.pk:
        raise ValueError("The reported content must be the member's.")
    return subject, field, content


def content_words(content) -> str:
    """What a message, an update or a comment says ("" for a member)."""
    if content is None:
        return ""
    return getattr(content, "body", None) or getattr(content, "text", "")


def _require_reportable(*, reporter, member, message) -> None:
    """Refuse a report about what `reporter` may not see."""
    if message is not None:
        thread = thread_with(viewer=reporter, handle=member.handle, reading_only=True)
        allowed = (
            thread is not None and thread.conversation_id == message.conversation_id
        )
    else:
        allowed = visible_members(viewer=reporter).filter(pk=member.pk).exists()
    if not allowed:
        raise ValidationError(
            _("%(name)s can't be reported.")
            % {"name": shown_member(member).display_name},
            code="unavailable",
        )


@transaction.atomic
def report_create(
    *,
    reporter,
    member,
    reason: str,
    details: str = "",
    also_block: bool = False,
    message=None,
    update=None,
    comment=None,
) -> Report:
    """Report `member` (or their `message`, `update` or `comment`) to the
    staff; optionally block them too.

    A second report about the same member or content while the first is open
    returns the first (a double submit sends one report), even once "Also
    block" hid the member; a new one past `RAPPORT_REPORTS_PER_HOUR` is
    refused (code "rate_limit"). Otherwise the reporter must see the member, or for
    a message be able to read its conversation (the thread's own policy: a
    suspended sender, or one the reporter blocked, stays reportable there).
    The caller checks the reporter may see an update or a comment.
    """
    subject, field, content = _subject_of(
        member=member, message=message, update=update, comment=comment
    )
    if reporter.pk == member.pk:
        raise ValidationError(_("You can't report yourself."), code="self")
    if reason not in Report.Reason.values:
        raise ValidationError(_("Choose a reason from the list."), code="reason")
    details = (details or "").strip()
    if len(details) > REPORT_DETAILS_MAX_LENGTH:
        raise ValidationError(
            _("Keep the details to %(max)d characters.")
            % {"max": REPORT_DETAILS_MAX_LENGTH},
            code="details_too_long",
        )
    member = lock_members(reporter, member).get(member.pk, member)
    same = Report.objects.open().filter(reporter=reporter, member=member)
    same = same.filter(**{field: content}) if field else same.filter(subject=subject)
    report = same.first()
    if report is None:
        _require_reportable(reporter=reporter, member=member, message=message)
        # Each report asks the staff's time: one member can't fill the queue.
        limits.spend_or_refuse(
            member_id=reporter.pk,
            action="report",
            limit=settings.RAPPORT_REPORTS_PER_HOUR,
            window=limits.HOUR,
            message=(
                gettext_noop(
                    "You can send one report an hour. Try again in %(wait)s; "
                    "what you wrote is still here."
                ),
                gettext_noop(
                    "You can send %(limit)d reports an hour. Try again in "
                    "%(wait)s; what you wrote is still here."
                ),
            ),
        )
        try:
            with transaction.atomic():
                report = Report.objects.create(
                    reporter=reporter,
                    member=member,
                    subject=subject,
                    reason=reason,
                    details=details,
                    reported_text=content_words(content),
                    **({field: content} if field else {}),
                )
        except IntegrityError:
            report = same.get()
    if also_block:
        block_create(blocker=reporter, blocked=member)
    return report


# ---------------------------------------------------------------------------
# Staff actions.


@transaction.atomic
def report_dismiss(*, report, staff_member, reason: str) -> Report:
    """Close a report without action against the member."""
    _require_moderator(staff_member)
    reason = _clean_reason(reason)
    closed = _resolve(
        [report],
        staff_member=staff_member,
        outcome=Outcome.DISMISSED,
        now=timezone.now(),
    )
    if not closed:
        raise _already_resolved()
    _audit(
        staff_member=staff_member,
        action=Action.DISMISS,
        member=closed[0].member,
        reason=reason,
        report=closed[0],
    )
    return closed[0]


@transaction.atomic
def content_remove(*, report, staff_member, reason: str) -> Report:
    """Remove the reported message, update or comment for everyone: it shows
    as removed by moderators. Every open report about it is resolved."""
    _require_moderator(staff_member)
    reason = _clean_reason(reason)
    now = timezone.now()
    report = Report.objects.select_for_update().get(pk=report.pk)
    content = report.content
    if content is None and report.subject != Report.Subject.MEMBER:
        raise ValidationError(
            _(
                "Its author deleted it since the report: there is nothing left "
                "to remove. Warn or suspend them, or dismiss the report."
            ),
            code="deleted",
        )
    if content is None:
        raise ValidationError(
            _("This report is not about a message, an update or a comment."),
            code="no_content",
        )
    field = report.subject
    model = type(content)
    locked = model.objects.select_for_update().get(pk=content.pk)
    if locked.removed_at is None:
        locked.removed_at = now
        fields = ["removed_at"]
        if hasattr(locked, "removed_by"):
            locked.removed_by = staff_member
            fields.append("removed_by")
        locked.save(update_fields=fields)
    closed = _resolve(
        Report.objects.open().filter(**{field: content}),
        staff_member=staff_member,
        outcome=Outcome.CONTENT_REMOVED,
        now=now,
    )
    if not closed:
        raise _already_resolved()
    _audit(
        staff_member=staff_member,
        action=Action.REMOVE_CONTENT,
        member=report.member,
        reason=reason,
        report=report,
        detail=f"{report.get_subject_display()} {content.pk}",
    )
    report.refresh_from_db()
    return report


@transaction.atomic
def member_warn(*, member, staff_member, reason: str, reports=()) -> Sanction:
    """Warn a member: they read `reason` the next time they sign in.

    Acting on `reports` that were all resolved meanwhile (the same decision
    posted twice) is refused, so the member is warned once.
    """
    _require_moderator(staff_member)
    reason = _clean_reason(reason)
    now = timezone.now()
    member = lock_members(member)[member.pk]
    closed = _resolve(
        reports, staff_member=staff_member, outcome=Outcome.WARNED, now=now
    )
    if reports and not closed:
        raise _already_resolved()
    warning = Sanction.objects.create(
        kind=Sanction.Kind.WARNING,
        member=member,
        staff_member=staff_member,
        reason=reason,
        created=now,
        report=closed[0] if closed else None,
    )
    _audit(
        staff_member=staff_member,
        action=Action.WARN,
        member=member,
        reason=reason,
        report=closed[0] if closed else None,
    )
    return warning


@transaction.atomic
def member_suspend(
    *,
    member,
    staff_member,
    reason: str,
    ends: datetime | None = None,
    reports=(),
) -> Sanction:
    """Suspend a member until `ends` (or until lifted): signed out everywhere,
    unable to sign in, and hidden from every page. A new suspension replaces
    the one in force. Acting on `reports` that were all resolved meanwhile
    (the same decision posted twice) is refused."""
    _require_moderator(staff_member)
    reason = _clean_reason(reason)
    now = timezone.now()
    if ends is not None and ends <= now:
        raise ValidationError(
            _("The end of a suspension must be in the future."), code="ends_past"
        )
    if member.pk == staff_member.pk:
        raise ValidationError(_("You can't suspend yourself."), code="self")
    member = lock_members(member)[member.pk]
    closed = _resolve(
        reports, staff_member=staff_member, outcome=Outcome.SUSPENDED, now=now
    )
    if reports and not closed:
        raise _already_resolved()
    Sanction.objects.filter(
        member=member, kind=Sanction.Kind.SUSPENSION, lifted__isnull=True
    ).update(lifted=now, lifted_by=staff_member)
    suspension = Sanction.objects.create(
        kind=Sanction.Kind.SUSPENSION,
        member=member,
        staff_member=staff_member,
        reason=reason,
        created=now,
        ends=ends,
        report=closed[0] if closed else None,
    )
    member.suspended_until = ends or SUSPENDED_INDEFINITELY
    member.save(update_fields=["suspended_until"])
    _audit(
        staff_member=staff_member,
        action=Action.SUSPEND,
        member=member,
        reason=reason,
        report=closed[0] if closed else None,
        detail=(
            _("until %(day)s")
            % {"day": timezone.localtime(ends).strftime("%Y-%m-%d %H:%M %Z")}
            if ends
            else _("until lifted")
        ),
    )
    member_id = member.pk
    transaction.on_commit(lambda: member_sessions_end(member_id))
    return suspension


@transaction.atomic
def member_close(*, member, staff_member, reason: str):
    """Close a member's account for them (an erasure asked for by email, a
    member who lost access): what `account_close` does, without their
    password, with a reason in the audit trail. Not one's own, nor a
    superuser's."""
    _require_moderator(staff_member)
    reason = _clean_reason(reason)
    if member.pk == staff_member.pk:
        raise ValidationError(
            _("You can't close your own account: another moderator can."),
            code="self",
        )
    member = lock_members(member)[member.pk]
    if not member.is_active or member.closed_at:
        raise ValidationError(
            _("%(member)s: this account is already closed.") % {"member": member},
            code="closed",
        )
    if member.is_superuser:
        raise ValidationError(
            _("%(member)s is a superuser: take away the superuser status first.")
            % {"member": member},
            code="superuser",
        )
    account_erase(member=member, by_staff=True)
    # After the erasure: the trail names the closed row ("Former member
    # (@handle)"), not the details that were just deleted.
    _audit(staff_member=staff_member, action=Action.CLOSE, member=member, reason=reason)
    return member


@transaction.atomic
def member_unsuspend(*, member, staff_member, reason: str):
    """Lift a member's suspension before its end; they may sign in again."""
    _require_moderator(staff_member)
    reason = _clean_reason(reason)
    now = timezone.now()
    member = lock_members(member)[member.pk]
    if not member.is_suspended:
        raise ValidationError(
            _("%(name)s isn't suspended.") % {"name": member.display_name},
            code="not_suspended",
        )
    Sanction.objects.filter(
        member=member, kind=Sanction.Kind.SUSPENSION, lifted__isnull=True
    ).update(lifted=now, lifted_by=staff_member)
    member.suspended_until = None
    member.save(update_fields=["suspended_until"])
    _audit(
        staff_member=staff_member, action=Action.UNSUSPEND, member=member, reason=reason
    )
    return member


@transaction.atomic
def sending_pause_lift_by_moderator(
    *, pause: SendingPause, staff_member, reason: str
) -> SendingPause:
    """Let a paused member send invitations again, with a reason on record."""
    _require_moderator(staff_member)
    reason = _clean_reason(reason)
    pause = (
        SendingPause.objects.select_for_update()
        .select_related("member")
        .get(pk=pause.pk)
    )
    if not pause.is_active:
        raise ValidationError(
            _("This pause already ended or was lifted."), code="not_active"
        )
    member = pause.member
    pause = sending_pause_lift(pause=pause, staff_member=staff_member)
    _audit(
        staff_member=staff_member,
        action=Action.LIFT_PAUSE,
        member=member,
        reason=reason,
    )
    return pause


@transaction.atomic
def warnings_mark_seen(*, member) -> list[Sanction]:
    """The warnings `member` has not read yet, marked as read now."""
    warnings = list(
        Sanction.objects.select_for_update()
        .filter(member=member, kind=Sanction.Kind.WARNING, seen__isnull=True)
        .order_by("created", "pk")
    )
    if warnings:
        Sanction.objects.filter(pk__in=[w.pk for w in warnings]).update(
            seen=timezone.now()
        )
    return warnings
