"""Moderation: members' reports, staff sanctions and the audit trail (DESIGN.md §8).

Reports are written by members and closed by staff; sanctions (warnings and
suspensions) and audit records only by the moderation services. Audit records
are never changed or deleted once written: the admin offers neither, and the
staff member who acted cannot be deleted while they have records.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

REPORT_DETAILS_MAX_LENGTH = 1000
REASON_MAX_LENGTH = 1000


class ReportReason(models.TextChoices):
    SPAM = "spam", _("Spam")
    HARASSMENT = "harassment", _("Harassment")
    FAKE_PROFILE = "fake_profile", _("Fake profile")
    INAPPROPRIATE = "inappropriate", _("Inappropriate content")
    OTHER = "other", _("Other")


class ReportSubject(models.TextChoices):
    MEMBER = "member", _("Member")
    MESSAGE = "message", _("Message")
    UPDATE = "update", _("Update")
    COMMENT = "comment", _("Comment")


class ReportStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


class ReportOutcome(models.TextChoices):
    DISMISSED = "dismissed", _("No action needed")
    WARNED = "warned", _("The member was warned")
    CONTENT_REMOVED = "content_removed", _("The content was removed")
    SUSPENDED = "suspended", _("The member was suspended")


class ReportQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=ReportStatus.OPEN)


class Report(models.Model):
    """A member's report about another member, or about something they wrote
    (a message, an update, a comment), for staff to look at.

    The reported content is kept by reference: staff read a message only
    through the report about it. Its words as they were when reported are
    kept too (`reported_text`), so an author's edit or deletion after the
    report does not take the evidence away.
    """

    Subject = ReportSubject
    Reason = ReportReason
    Status = ReportStatus
    Outcome = ReportOutcome

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="reports_made",
        db_index=False,
        verbose_name=_("reporter"),
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reports_received",
        db_index=False,
        verbose_name=_("reported member"),
    )
    subject = models.CharField(
        _("about"), max_length=20, choices=Subject, default=Subject.MEMBER
    )
    message = models.ForeignKey(
        "connections.Message",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("message"),
    )
    update = models.ForeignKey(
        "connections.Update",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("update"),
    )
    comment = models.ForeignKey(
        "connections.Comment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("comment"),
    )
    reported_text = models.TextField(_("as reported"), blank=True)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason)
    details = models.TextField(
        _("details"), max_length=REPORT_DETAILS_MAX_LENGTH, blank=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.OPEN
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome, blank=True)
    created = models.DateTimeField(_("reported"), default=timezone.now)
    resolved = models.DateTimeField(_("resolved"), null=True, blank=True)
    # Staff only: the reporter is told the outcome, never who decided it.
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        permissions = [("moderate", _("Can moderate members and their content"))]
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "member"],
                condition=Q(status="open", subject="member"),
                name="report_one_open_per_reporter_member",
            ),
            *(
                models.UniqueConstraint(
                    fields=["reporter", field],
                    condition=Q(status="open", **{f"{field}__isnull": False}),
                    name=f"report_one_open_per_reporter_{field}",
                )
                for field in ("message", "update", "comment")
            ),
            models.CheckConstraint(
                condition=Q(subject__in=ReportSubject.values),
                name="report_subject_valid",
            ),
            models.CheckConstraint(
                condition=~Q(reporter=models.F("member")), name="report_not_self"
            ),
            models.CheckConstraint(
                condition=Q(reason__in=ReportReason.values), name="report_reason_valid"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("details"), REPORT_DETAILS_MAX_LENGTH),
                name="report_details_length",
            ),
            models.CheckConstraint(
                condition=Q(status="open", resolved__isnull=True, outcome="")
                | (Q(status="resolved", resolved__isnull=False) & ~Q(outcome="")),
                name="report_outcome_when_resolved",
            ),
        ]
        indexes = [
            # The queue: open reports, oldest first.
            models.Index(fields=["status", "created", "id"], name="report_queue_idx"),
            # Other open reports about a member; a member's history.
            models.Index(fields=["member", "status"], name="report_member_idx"),
            # A reporter's own reports in Settings, newest first.
            models.Index(
                fields=["reporter", "-created", "-id"], name="report_reporter_idx"
            ),
        ]

    def __str__(self):
        return f"{self.get_reason_display()} · {self.member_id} ({self.status})"

    @property
    def content(self):
        """The reported message, update or comment (None for a member report)."""
        return self.message or self.update or self.comment


class SanctionKind(models.TextChoices):
    WARNING = "warning", _("Warning")
    SUSPENSION = "suspension", _("Suspension")


class Sanction(models.Model):
    """A warning or a suspension given to a member by staff."""

    Kind = SanctionKind

    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="sanctions",
        db_index=False,
        verbose_name=_("member"),
    )
    staff_member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("given by"),
    )
    reason = models.TextField(_("reason"), max_length=REASON_MAX_LENGTH)
    report = models.ForeignKey(
        Report,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("report"),
    )
    created = models.DateTimeField(_("given on"), default=timezone.now)
    # Suspensions: the end (none: until lifted), and the early lift.
    ends = models.DateTimeField(_("ends"), null=True, blank=True)
    lifted = models.DateTimeField(_("lifted on"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lifted by"),
    )
    # Warnings: when the member was shown it.
    seen = models.DateTimeField(_("seen by the member"), null=True, blank=True)

    class Meta:
        verbose_name = _("sanction")
        verbose_name_plural = _("sanctions")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=SanctionKind.values), name="sanction_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(reason=""), name="sanction_reason_given"
            ),
            models.CheckConstraint(
                condition=Q(ends__isnull=True) | Q(ends__gt=models.F("created")),
                name="sanction_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["member", "-created"], name="sanction_member_idx"),
            models.Index(
                fields=["member"],
                condition=Q(kind="warning", seen__isnull=True),
                name="sanction_unseen_warning_idx",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.member_id}"

    @property
    def is_current(self) -> bool:
        """A suspension still in force."""
        return (
            self.kind == SanctionKind.SUSPENSION
            and self.lifted is None
            and (self.ends is None or self.ends > timezone.now())
        )


class AuditAction(models.TextChoices):
    DISMISS = "dismiss", _("Dismissed a report")
    WARN = "warn", _("Warned")
    REMOVE_CONTENT = "remove_content", _("Removed content")
    SUSPEND = "suspend", _("Suspended")
    UNSUSPEND = "unsuspend", _("Unsuspended")
    LIFT_PAUSE = "lift_pause", _("Lifted an invitation pause")
    CLOSE = "close", _("Closed the account")


class AuditRecord(models.Model):
    """One staff action: who, what, on whom, why and when. Never changed."""

    Action = AuditAction

    staff_member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("staff member"),
    )
    action = models.CharField(_("action"), max_length=20, choices=Action)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_records",
        db_index=False,
        verbose_name=_("member"),
    )
    # The target as it was named when the action was taken, kept if the
    # member's account is deleted later.
    target = models.CharField(_("target"), max_length=200)
    report = models.ForeignKey(
        Report,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_records",
        verbose_name=_("report"),
    )
    reason = models.TextField(_("reason"), max_length=REASON_MAX_LENGTH)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    created = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=AuditAction.values), name="audit_action_valid"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="audit_reason_given"),
        ]
        indexes = [
            models.Index(fields=["member", "-created"], name="audit_member_idx"),
        ]

    def __str__(self):
        return f"{self.get_action_display()} · {self.target}"
