"""Home and the member's hubs."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.views.decorators.http import require_GET


@login_not_required
@require_GET
def home(request):
    """The landing page for visitors, the member's home once signed in."""
    if not request.user.is_authenticated:
        return render(request, "connections/home_public.html")
    return render(request, "connections/home.html")


@require_GET
def messages_inbox(request):
    """Messages: the member's conversations."""
    return render(request, "connections/messages.html")


@require_GET
def settings_index(request):
    """Settings: account security and, later, profile and privacy."""
    return render(request, "connections/settings.html")
