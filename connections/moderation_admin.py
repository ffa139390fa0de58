"""The moderation tools of the admin: the report queue, sanctions, the audit
trail, the abuse view, and the actions staff take on members.

Every action asks for a reason on an intermediate page (several rows at once
where that makes sense) and goes through `connections.services.moderation`,
which writes the audit record. Only staff with the moderation permission see
these pages; audit records can be read, never changed or deleted, whoever
asks. Lists never count more than `CappedCountPaginator.CAP` rows.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import ActionLocation
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from connections.admin_search import MemberSearch
from connections.ids import parse_id
from connections.models import AuditRecord, Report, Sanction, SendingPause
from connections.models.members import SUSPENDED_INDEFINITELY
from connections.selectors.moderation import (
    abuse_signals,
    can_moderate,
    open_report_count,
)
from connections.services import moderation as services

# Actions offered on the list and on one row's page.
BOTH = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]


class CappedCountPaginator(Paginator):
    """Counts at most CAP + 1 rows, so a list of millions costs a bounded count."""

    CAP = 10_000

    @cached_property
    def count(self):
        # Only the ids: a list's annotations (the open reports of each reported
        # member) would otherwise be computed for every row counted.
        return self.object_list.order_by().values("pk")[: self.CAP + 1].count()


class QuickCheckbox:
    """The action checkbox of each row written straight as HTML: the same
    markup as Django's, without rendering a widget template per row."""

    def action_checkbox(self, obj):
        label = format_html(_("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" '
            'aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            label,
        )


def moment(value) -> str:
    """A moment in the site's time zone, with the zone: "2026-12-01 14:00 CET"."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M %Z")


class ModerationForm(forms.Form):
    """What every staff action asks: a reason, and for a suspension its end."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_(
            "Required. Kept in the audit trail; a warned member reads it as the "
            "warning."
        ),
    )
    ends = forms.DateTimeField(
        label=_("Suspended until"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )

    def __init__(self, *args, with_end: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_end:
            del self.fields["ends"]
            return
        # The browser sends the time as typed, without its zone: it is read in
        # the site's time zone, which the form names.
        zone = timezone.get_current_timezone_name()
        self.fields["ends"].label = _("Suspended until (%(zone)s time)") % {
            "zone": zone
        }
        self.fields["ends"].help_text = _(
            "Date and time in the %(zone)s time zone. Leave empty to suspend "
            "until the suspension is lifted."
        ) % {"zone": zone}

    def clean_ends(self):
        ends = self.cleaned_data.get("ends")
        if ends is not None and ends <= timezone.now():
            raise ValidationError(_("Choose a moment in the future."))
        return ends


ACTION_TITLES = {
    "dismiss": _("Dismiss reports"),
    "remove": _("Remove the reported content"),
    "warn": _("Warn members"),
    "suspend": _("Suspend members"),
    "unsuspend": _("Unsuspend members"),
    "lift_pause": _("Lift invitation pauses"),
    "close": _("Close accounts"),
}


def moderation_step(modeladmin, request, queryset, *, action: str, apply, describe):
    """The intermediate page of an action: ask for a reason, then `apply`.

    `apply(form.cleaned_data)` runs once the reason is given and returns how
    many rows it changed; `describe(row)` names each row on the page.
    """
    if not can_moderate(request.user):
        raise PermissionDenied
    rows = list(queryset)
    with_end = action == "suspend"
    # On a row's own page, Django names the action field with a prefix.
    form_action = f"{ActionLocation.CHANGE_FORM.value}-action"
    action_field = form_action if form_action in request.POST else "action"
    if "apply" in request.POST:
        form = ModerationForm(request.POST, with_end=with_end)
        if form.is_valid():
            done = apply(rows, form.cleaned_data)
            modeladmin.message_user(
                request,
                ngettext("%(count)d done.", "%(count)d done.", done) % {"count": done},
                messages.SUCCESS,
            )
            return None
    else:
        form = ModerationForm(with_end=with_end)
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": ACTION_TITLES[action],
        "opts": modeladmin.model._meta,
        "rows": [describe(row) for row in rows],
        "selected": [row.pk for row in rows],
        "action_field": action_field,
        "action_name": request.POST.get(action_field, ""),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "form": form,
    }
    return TemplateResponse(
        request, "admin/connections/moderation_action.html", context
    )


def _each(rows, act, request) -> int:
    """Run `act(row)` on each row; a refusal is shown and the rest go on."""
    done = 0
    for row in rows:
        try:
            act(row)
        except ValidationError as error:
            messages.warning(request, "; ".join(error.messages))
        else:
            done += 1
    return done


def _by_member(reports):
    grouped = {}
    for report in reports:
        grouped.setdefault(report.member_id, []).append(report)
    return grouped.values()


# ---------------------------------------------------------------------------
# Permissions shared by the moderation pages.


class ModerationOnly(QuickCheckbox):
    """Moderators read; nobody adds, changes or deletes by hand."""

    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = CappedCountPaginator

    def has_module_permission(self, request):
        return can_moderate(request.user)

    def has_view_permission(self, request, obj=None):
        return can_moderate(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# ---------------------------------------------------------------------------
# The report queue.


class ReportStatusFilter(admin.SimpleListFilter):
    """Open reports unless asked otherwise: the queue is what's left to do."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("resolved", _("Resolved")), ("all", _("All"))]

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("Open"),
        }
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string(
                    {self.parameter_name: value}
                ),
                "display": label,
            }

    def queryset(self, request, queryset):
        if self.value() == "all":
            return queryset
        if self.value() == "resolved":
            return queryset.filter(status=Report.Status.RESOLVED)
        return queryset.filter(status=Report.Status.OPEN)


def report_row(report) -> str:
    return f"{report.get_reason_display()}: {report.member} ({report.created:%Y-%m-%d})"


@admin.register(Report)
class ReportAdmin(MemberSearch, ModerationOnly, admin.ModelAdmin):
    """Open reports, oldest first, with what staff need to decide."""

    list_display = (
        "created",
        "reported_member",
        "subject",
        "reason",
        "details_excerpt",
        "reporter",
        "other_open_reports",
        "status",
        "outcome",
    )
    list_display_links = ("created",)
    list_per_page = 50
    list_filter = (ReportStatusFilter, "reason", "subject", "outcome", "created")
    list_select_related = ("member", "reporter")
    show_facets = admin.ShowFacets.NEVER
    search_fields = (
        "member__handle",
        "member__display_name",
        "member__email",
        "reporter__handle",
    )
    member_search_fields = ("member", "reporter")
    ordering = ("created", "id")
    actions = [
        "dismiss_reports",
        "remove_reported_content",
        "warn_reported",
        "suspend_reported",
    ]
    readonly_fields = (
        "reported_member",
        "subject",
        "reported_content",
        "reason",
        "details",
        "reporter",
        "created",
        "status",
        "outcome",
        "resolved",
        "resolved_by",
        "other_open_reports",
        "take_action",
    )
    fields = readonly_fields
    change_list_template = "admin/connections/report/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(other_open=open_report_count())

    def get_list_display(self, request):
        """The open queue leaves out status and outcome: every row is open."""
        if request.GET.get(ReportStatusFilter.parameter_name) is None:
            return [
                name for name in self.list_display if name not in {"status", "outcome"}
            ]
        return self.list_display

    @admin.display(description=_("reported member"), ordering="member__display_name")
    def reported_member(self, report):
        url = reverse("admin:connections_user_change", args=[report.member_id])
        label = str(report.member)
        if report.member.is_suspended:
            return format_html('<a href="{}">{}</a> ({})', url, label, _("suspended"))
        return format_html('<a href="{}">{}</a>', url, label)

    @admin.display(description=_("reported content"))
    def reported_content(self, report):
        """The message, update or comment: staff read it here, and only here,
        as it read when reported, and as it reads now if its author changed it."""
        content = report.content
        if report.subject == Report.Subject.MEMBER:
            return "—"
        reported = report.reported_text
        quote = '<blockquote class="reported-content">{}</blockquote>'
        if content is None:
            return format_html(
                quote + "{}", reported, _("Deleted by its author since the report.")
            )
        text = services.content_words(content)
        state = _(" (removed by moderators)") if content.removed_at else ""
        if not reported or text == reported:
            return format_html(quote + "{}", text, state)
        return format_html(
            quote + "<p>{}</p>" + quote + "{}",
            reported,
            _("Edited by its author since the report; it now reads:"),
            text,
            state,
        )

    @admin.display(description=_("details"))
    def details_excerpt(self, report):
        text = report.details
        return text if len(text) <= 80 else text[:79] + "…"

    @admin.display(description=_("other open reports"), ordering="other_open")
    def other_open_reports(self, report):
        return report.other_open

    @admin.display(description=_("act"))
    def take_action(self, report):
        if report.status != Report.Status.OPEN:
            return "—"
        return format_html(
            '<a class="button" href="{}">{}</a>',
            reverse("admin:connections_report_act", args=[report.pk]),
            _("Dismiss, warn or suspend…"),
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/act/",
                self.admin_site.admin_view(self.act_view),
                name="connections_report_act",
            ),
            path(
                "abuse/",
                self.admin_site.admin_view(self.abuse_view),
                name="connections_report_abuse",
            ),
            *super().get_urls(),
        ]

    # Actions on the selected reports.

    @admin.action(description=_("Dismiss the selected reports…"))
    def dismiss_reports(self, request, queryset):
        def apply(rows, data):
            return _each(
                rows,
                lambda report: services.report_dismiss(
                    report=report, staff_member=request.user, reason=data["reason"]
                ),
                request,
            )

        return moderation_step(
            self, request, queryset, action="dismiss", apply=apply, describe=report_row
        )

    @admin.action(description=_("Remove the reported content…"))
    def remove_reported_content(self, request, queryset):
        def apply(rows, data):
            return _each(
                rows,
                lambda report: services.content_remove(
                    report=report, staff_member=request.user, reason=data["reason"]
                ),
                request,
            )

        return moderation_step(
            self,
            request,
            queryset.exclude(subject=Report.Subject.MEMBER),
            action="remove",
            apply=apply,
            describe=report_row,
        )

    @admin.action(description=_("Warn the reported members…"))
    def warn_reported(self, request, queryset):
        def apply(rows, data):
            return _each(
                _by_member(rows),
                lambda reports: services.member_warn(
                    member=reports[0].member,
                    staff_member=request.user,
                    reason=data["reason"],
                    reports=reports,
                ),
                request,
            )

        return moderation_step(
            self, request, queryset, action="warn", apply=apply, describe=report_row
        )

    @admin.action(description=_("Suspend the reported members…"))
    def suspend_reported(self, request, queryset):
        def apply(rows, data):
            return _each(
                _by_member(rows),
                lambda reports: services.member_suspend(
                    member=reports[0].member,
                    staff_member=request.user,
                    reason=data["reason"],
                    ends=data.get("ends"),
                    reports=reports,
                ),
                request,
            )

        return moderation_step(
            self, request, queryset, action="suspend", apply=apply, describe=report_row
        )

    def act_view(self, request, pk):
        """One report: dismiss it, or warn or suspend the member, with a reason."""
        if not can_moderate(request.user):
            raise PermissionDenied
        report = get_object_or_404(
            Report.objects.select_related(
                "member", "reporter", "message", "update", "comment"
            ),
            pk=pk,
        )
        choice = request.POST.get("decision", "")
        decisions = {"dismiss", "warn", "suspend"}
        if report.content is not None:
            decisions.add("remove")
        # A post with no fields at all is still a post: its form says what
        # is missing.
        posted = request.POST if request.method == "POST" else None
        form = ModerationForm(posted, with_end=True)
        if request.method == "POST" and choice not in decisions:
            form.add_error(None, _("Choose what to do: dismiss, warn or suspend."))
        elif request.method == "POST" and form.is_valid():
            reason = form.cleaned_data["reason"]
            try:
                if choice == "dismiss":
                    services.report_dismiss(
                        report=report, staff_member=request.user, reason=reason
                    )
                elif choice == "remove":
                    services.content_remove(
                        report=report, staff_member=request.user, reason=reason
                    )
                elif choice == "warn":
                    services.member_warn(
                        member=report.member,
                        staff_member=request.user,
                        reason=reason,
                        reports=[report],
                    )
                else:
                    services.member_suspend(
                        member=report.member,
                        staff_member=request.user,
                        reason=reason,
                        ends=form.cleaned_data.get("ends"),
                        reports=[report],
                    )
            except ValidationError as error:
                if getattr(error, "code", None) != "already_resolved":
                    form.add_error(None, error)
                else:
                    # Posted twice: the page shows the report as resolved, and
                    # no form to show the error in.
                    self.message_user(request, error.message, messages.ERROR)
                    return redirect(request.path)
            else:
                self.message_user(request, _("Done."), messages.SUCCESS)
                return redirect("admin:connections_report_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Act on a report"),
            "opts": self.model._meta,
            "report": report,
            "content": self.reported_content(report),
            "form": form,
            "decision": choice,
            "other_open": Report.objects.open()
            .filter(member=report.member_id)
            .exclude(pk=report.pk)
            .count(),
        }
        return TemplateResponse(request, "admin/connections/report_act.html", context)

    def abuse_view(self, request):
        """Signals of abuse: refused invitations, reports, sign-up bursts, pauses."""
        if not can_moderate(request.user):
            raise PermissionDenied
        if request.method == "POST":
            return self.lift_pause_view(request)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Abuse signals"),
            "opts": self.model._meta,
            "signals": abuse_signals(),
            "form": ModerationForm(),
        }
        return TemplateResponse(request, "admin/connections/abuse.html", context)

    def lift_pause_view(self, request):
        pk = parse_id(request.POST.get("pause", ""))
        if pk is None:
            raise Http404
        pause = get_object_or_404(SendingPause, pk=pk)
        try:
            services.sending_pause_lift_by_moderator(
                pause=pause,
                staff_member=request.user,
                reason=request.POST.get("reason", ""),
            )
        except ValidationError as error:
            self.message_user(request, "; ".join(error.messages), messages.ERROR)
        else:
            self.message_user(request, _("Pause lifted."), messages.SUCCESS)
        return redirect("admin:connections_report_abuse")


@admin.register(Sanction)
class SanctionAdmin(MemberSearch, ModerationOnly, admin.ModelAdmin):
    list_display = (
        "created",
        "kind",
        "member",
        "ends_display",
        "state",
        "staff_member",
    )
    list_filter = ("kind", "created")
    list_select_related = ("member", "staff_member")
    search_fields = ("member__handle", "member__display_name", "member__email")
    member_search_fields = ("member",)
    readonly_fields = (
        "kind",
        "member",
        "staff_member",
        "reason",
        "report",
        "created",
        "ends",
        "lifted",
        "lifted_by",
        "seen",
    )
    fields = readonly_fields

    @admin.display(description=_("ends"), ordering="ends")
    def ends_display(self, sanction):
        if sanction.kind != Sanction.Kind.SUSPENSION:
            return "—"
        return moment(sanction.ends) if sanction.ends else _("when lifted")

    @admin.display(description=_("state"))
    def state(self, sanction):
        if sanction.kind == Sanction.Kind.WARNING:
            return _("seen") if sanction.seen else _("not seen yet")
        if sanction.lifted:
            return _("lifted")
        return _("in force") if sanction.is_current else _("ended")


@admin.register(AuditRecord)
class AuditRecordAdmin(ModerationOnly, admin.ModelAdmin):
    """The audit trail: read-only for everyone, superusers included."""

    list_display = ("created", "staff_member", "action", "target", "detail", "reason")
    list_filter = ("action", "created")
    list_select_related = ("staff_member",)
    search_fields = ("target", "staff_member__email", "staff_member__handle")
    readonly_fields = (
        "created",
        "staff_member",
        "action",
        "member",
        "target",
        "report",
        "detail",
        "reason",
    )
    fields = readonly_fields


# ---------------------------------------------------------------------------
# On the member's page: history and actions.


class HistoryInline(admin.TabularInline):
    """Read-only history rows on a member's page; moderators only."""

    extra = 0
    can_delete = False
    show_change_link = True

    def has_view_permission(self, request, obj=None):
        return can_moderate(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReportsAboutInline(HistoryInline):
    model = Report
    fk_name = "member"
    verbose_name = _("report about this member")
    verbose_name_plural = _("reports about this member")
    fields = ("created", "reason", "details", "reporter", "status", "outcome")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("reporter")


class SanctionInline(HistoryInline):
    model = Sanction
    fk_name = "member"
    fields = ("created", "kind", "reason", "ends", "lifted", "seen", "staff_member")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("staff_member")


class AuditInline(HistoryInline):
    model = AuditRecord
    fk_name = "member"
    verbose_name_plural = _("audit trail")
    fields = ("created", "action", "detail", "reason", "staff_member")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("staff_member")


class SuspendedFilter(admin.SimpleListFilter):
    title = _("suspension")
    parameter_name = "suspended"

    def lookups(self, request, model_admin):
        return [("yes", _("Suspended")), ("no", _("Not suspended"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "yes":
            return queryset.filter(suspended_until__gt=now)
        if self.value() == "no":
            return queryset.filter(
                Q(suspended_until__isnull=True) | Q(suspended_until__lte=now)
            )
        return queryset


def member_row(member) -> str:
    return str(member)


class MemberModeration(QuickCheckbox):
    """Mixed into the members' admin: warn, suspend, unsuspend (bulk too)."""

    moderation_actions = [
        "warn_members",
        "suspend_members",
        "unsuspend_members",
        "close_members",
    ]
    moderation_inlines = [ReportsAboutInline, SanctionInline, AuditInline]

    def has_module_permission(self, request):
        return super().has_module_permission(request) or can_moderate(request.user)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or can_moderate(request.user)

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location)
        if not can_moderate(request.user):
            for name in self.moderation_actions:
                actions.pop(name, None)
        return actions

    def get_inlines(self, request, obj):
        if obj is None or not can_moderate(request.user):
            return []
        return self.moderation_inlines

    @admin.display(description=_("suspended until"), ordering="suspended_until")
    def suspension(self, member):
        if not member.is_suspended:
            return "—"
        if member.suspended_until >= SUSPENDED_INDEFINITELY:
            return _("until lifted")
        return moment(member.suspended_until)

    @admin.action(description=_("Warn the selected members…"), location=BOTH)
    def warn_members(self, request, queryset):
        def apply(rows, data):
            return _each(
                rows,
                lambda member: services.member_warn(
                    member=member, staff_member=request.user, reason=data["reason"]
                ),
                request,
            )

        return moderation_step(
            self, request, queryset, action="warn", apply=apply, describe=member_row
        )

    @admin.action(description=_("Suspend the selected members…"), location=BOTH)
    def suspend_members(self, request, queryset):
        def apply(rows, data):
            return _each(
                rows,
                lambda member: services.member_suspend(
                    member=member,
                    staff_member=request.user,
                    reason=data["reason"],
                    ends=data.get("ends"),
                ),
                request,
            )

        return moderation_step(
            self, request, queryset, action="suspend", apply=apply, describe=member_row
        )

    @admin.action(description=_("Unsuspend the selected members…"), location=BOTH)
    def unsuspend_members(self, request, queryset):
        def apply(rows, data):
            return _each(
                rows,
                lambda member: services.member_unsuspend(
                    member=member, staff_member=request.user, reason=data["reason"]
                ),
                request,
            )

        return moderation_step(
            self,
            request,
            queryset,
            action="unsuspend",
            apply=apply,
            describe=member_row,
        )

    @admin.action(
        description=_("Close the selected accounts (erase their data)…"),
        location=BOTH,
    )
    def close_members(self, request, queryset):
        """What Settings › Close account does, for a member who asked by
        email or lost access: their data is deleted, the row stays, empty."""

        def apply(rows, data):
            return _each(
                rows,
                lambda member: services.member_close(
                    member=member, staff_member=request.user, reason=data["reason"]
                ),
                request,
            )

        return moderation_step(
            self, request, queryset, action="close", apply=apply, describe=member_row
        )


def pause_row(pause) -> str:
    return f"{pause.member} — {pause.reason}"


@admin.action(description=_("Lift the selected pauses…"))
def lift_pauses_action(modeladmin, request, queryset):
    def apply(rows, data):
        return _each(
            rows,
            lambda pause: services.sending_pause_lift_by_moderator(
                pause=pause, staff_member=request.user, reason=data["reason"]
            ),
            request,
        )

    return moderation_step(
        modeladmin,
        request,
        queryset.select_related("member"),
        action="lift_pause",
        apply=apply,
        describe=pause_row,
    )
