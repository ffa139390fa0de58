"""Home and the member's hubs."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

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
