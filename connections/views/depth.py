"""Depth of connection: Losing touch and "keep in touch" reminders.

The depth itself is shown where the member's own connections are (My
Network's list, the connection's profile); nothing here is ever shown to the
other member.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from connections.forms import KeepInTouchForm
from connections.selectors.depth import (
    LOSING_TOUCH_MONTHS,
    connection_depth,
    losing_touch,
)
from connections.services import depth as services
from connections.views.common import current_path, safe_next
from connections.views.network import network_page
from connections.views.profile import profile_member_or_404


@require_POST
def keep_in_touch(request, handle):
    """Set or clear the "keep in touch every N weeks" reminder for a connection."""
    member = profile_member_or_404(request, handle)
    form = KeepInTouchForm(request.POST)
    next_url = safe_next(request, member.get_absolute_url())
    saved = False
    if form.is_valid():
        try:
            services.connection_keep_in_touch_set(
                member=request.user, other=member, weeks=form.cleaned_data["weeks"]
            )
            saved = True
        except ValidationError as error:
            messages.error(request, error.messages[0])
    else:
        messages.error(request, _("Choose how often to keep in touch from the list."))
    if not request.htmx:
        if saved:
            messages.success(request, _("Reminder saved."))
        return redirect(next_url)
    connection = connection_depth(member=request.user, other=member)
    if connection is None:
        raise Http404
    return render(
        request,
        "connections/_keep_in_touch.html",
        {
            "connection": connection,
            "keep_form": form,
            "saved": saved,
            "here": next_url,
        },
        status=200 if saved else 422,
    )


@vary_on_headers("HX-Request")
@require_GET
def losing_touch_list(request):
    """Close and professional connections with no interaction for a while."""
    try:
        months = int(request.GET.get("months", ""))
    except ValueError:
        months = 0
    if months not in LOSING_TOUCH_MONTHS:
        months = 0
    page = losing_touch(
        member=request.user, months=months, cursor=request.GET.get("after", "")
    )
    context = {
        "connections": page,
        "months": months or page.extra.get("months"),
        "month_choices": LOSING_TOUCH_MONTHS,
        "here": current_path(request),
    }
    if request.htmx and request.GET.get("after"):
        return render(request, "connections/network_losing_touch.html#rows", context)
    return network_page(
        request, "connections/network_losing_touch.html", context, tab="losing"
    )
