"""Home and the member's hubs."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from connections.archive import (
    archive_contents,
    archive_name,
    archive_spend,
    archive_stream,
)
from connections.forms import AccountCloseForm
from connections.selectors.profiles import connection_count
from connections.services.accounts import account_close
from connections.views.updates import home_feed


@login_not_required
@vary_on_headers("HX-Request")
@require_GET
def home(request):
    """The landing page for visitors, the member's feed once signed in."""
    if not request.user.is_authenticated:
        return render(request, "connections/home_public.html")
    return home_feed(request)


@require_GET
def settings_index(request):
    """Settings: account security and, later, profile and privacy."""
    return render(request, "connections/settings.html")


@require_http_methods(["GET", "POST"])
def account_close_view(request):
    """Settings › Close account: what goes, then the password and a tick.

    A wrong password or a missing tick keeps the page as it was (the password
    field is emptied, as password fields are); success signs the member out
    and lands on the home page with a message that says what happened.
    """
    form = AccountCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account_close(member=request.user, password=form.cleaned_data["password"])
            closed = True
        except ValidationError as error:
            # "closed": a second click, answered after the first closed it.
            closed = error.code == "closed"
            if not closed:
                form.add_error("password" if error.code == "password" else None, error)
        if closed:
            logout(request)
            messages.success(
                request,
                _(
                    "Your account is closed and what you kept on Rapport is "
                    "deleted. Thank you for having been part of the community."
                ),
            )
            return redirect("home")
    context = {
        "form": form,
        "connections": connection_count(member=request.user),
        "staff": request.user.is_staff or request.user.is_superuser,
    }
    return render(request, "connections/settings_close.html", context)


@require_GET
def your_data(request):
    """Settings › Your data: what the archive holds, and the button."""
    return _your_data_page(request)


def _your_data_page(request, *, refusal: str = "", status: int = 200):
    context = {"contents": archive_contents(), "refusal": refusal}
    return render(request, "connections/settings_data.html", context, status=status)


@require_http_methods(["GET", "POST"])
def your_data_download(request):
    """The member's archive, a ZIP file streamed as it is written.

    The page's button posts here: a download counts against the hourly
    limit, so it takes a POST, which another site cannot make in the
    member's name; a link here (GET) lands on the page, nothing spent. Past
    the hourly limit the page comes back saying when to try again.
    """
    if request.method == "GET":
        return redirect("connections:your_data")
    try:
        archive_spend(request.user)
    except ValidationError as error:
        return _your_data_page(request, refusal=error.messages[0], status=429)
    base_url = request.build_absolute_uri("/").rstrip("/")
    response = StreamingHttpResponse(
        archive_stream(request.user, base_url=base_url), content_type="application/zip"
    )
    response["Content-Disposition"] = content_disposition_header(
        True, archive_name(request.user)
    )
    response["Cache-Control"] = "no-store"
    return response
