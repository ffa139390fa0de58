"""Members' side of moderation: reporting, their reports, warnings from staff."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from connections.forms import ReportForm
from connections.selectors.moderation import (
    open_member_report,
    reportable_comment_or_404,
    reportable_message_or_404,
    reportable_update_or_404,
    reports_made,
    shown_member,
)
from connections.services import moderation as services
from connections.views.common import safe_next
from connections.views.profile import profile_member_or_404

WARNING_SESSION_KEY = "moderation_unseen_warning"


def _report(
    request, *, member, action_url: str, back: str, repeat: bool = False, **content
):
    """The report form for `member` or one of their messages, updates or
    comments (`content`), and its submission.

    `repeat`: the member is hidden from the reporter, who already reported
    them; only a valid submission is answered (as the first one was), any
    other request is 404 like the profile.
    """
    shown = shown_member(member)
    status = 200
    if request.method == "POST":
        form = ReportForm(request.POST)
        if form.is_valid():
            try:
                services.report_create(
                    reporter=request.user,
                    member=member,
                    reason=form.cleaned_data["reason"],
                    details=form.cleaned_data["details"],
                    also_block=form.cleaned_data["also_block"],
                    **content,
                )
            except ValidationError as error:
                if repeat:
                    raise Http404 from error
                form.add_error(None, error)
            else:
                text = _(
                    "Report sent. The staff will look at it; you'll find its "
                    "outcome here."
                )
                if form.cleaned_data["also_block"]:
                    text = _(
                        "Report sent, and you blocked %(name)s. The staff will look "
                        "at it; you'll find its outcome here."
                    ) % {"name": shown.display_name}
                messages.success(request, text)
                target = reverse("connections:reports")
                if request.htmx:
                    return HttpResponseClientRedirect(target)
                return redirect(target)
        status = 422
    else:
        form = ReportForm()
    if repeat:
        raise Http404
    kind, reported = next(iter(content.items()), ("", None))
    context = {
        "member": shown,
        "form": form,
        "kind": kind,
        "content_text": getattr(reported, "body", None)
        or getattr(reported, "text", ""),
        "action_url": action_url,
        "dialog": bool(request.htmx),
        "next": safe_next(request, back),
    }
    template = "connections/report_member.html"
    if request.htmx:
        template += "#dialog" if request.method == "GET" else "#body"
    return render(request, template, context, status=status)


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def report_member(request, handle):
    """Report: a reason and details, with the offer to block as well."""
    repeat = False
    try:
        member = profile_member_or_404(request, handle)
    except Http404:
        # A double submit with "Also block": the first request hid the member.
        report = (
            open_member_report(reporter=request.user, handle=handle)
            if request.method == "POST"
            else None
        )
        if report is None:
            raise
        member, repeat = report.member, True
    if member.pk == request.user.pk:
        raise Http404
    return _report(
        request,
        member=member,
        action_url=reverse("connections:report", args=[member.handle]),
        back=member.get_absolute_url(),
        repeat=repeat,
    )


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def report_message(request, handle, message_id):
    """Report a message from the thread; staff then read it with the report.

    The sender shows as the thread shows them ("Suspended member" while
    suspended); the service asks the thread's policy again."""
    message = reportable_message_or_404(
        viewer=request.user, handle=handle, message_id=message_id
    )
    return _report(
        request,
        member=message.sender,
        message=message,
        action_url=reverse(
            "connections:report_message", args=[message.sender.handle, message.pk]
        ),
        back=reverse("connections:thread", args=[message.sender.handle]),
    )


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def report_update(request, pk):
    update = reportable_update_or_404(viewer=request.user, pk=pk)
    return _report(
        request,
        member=update.author,
        update=update,
        action_url=reverse("connections:report_update", args=[update.pk]),
        back=reverse("connections:update", args=[update.pk]),
    )


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def report_comment(request, pk, comment_id):
    comment = reportable_comment_or_404(
        viewer=request.user, update_pk=pk, pk=comment_id
    )
    return _report(
        request,
        member=comment.author,
        comment=comment,
        action_url=reverse("connections:report_comment", args=[pk, comment.pk]),
        back=reverse("connections:update", args=[pk]),
    )


@require_GET
def my_reports(request):
    """Settings: the reports the member made and their outcomes."""
    page = reports_made(member=request.user, cursor=request.GET.get("after"))
    return render(request, "connections/settings_reports.html", {"reports": page})


@require_http_methods(["GET", "POST"])
def warnings(request):
    """A warning from the staff, shown at the next sign-in until read."""
    if request.method == "POST":
        services.warnings_mark_seen(member=request.user)
        request.session.pop(WARNING_SESSION_KEY, None)
        return redirect("home")
    from connections.selectors.moderation import unseen_warnings

    pending = unseen_warnings(member=request.user)
    if not pending:
        request.session.pop(WARNING_SESSION_KEY, None)
        return redirect("home")
    return render(request, "connections/moderation_warning.html", {"warnings": pending})
