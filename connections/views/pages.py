"""Home, the member's hubs and the public profile page."""

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET


@login_not_required
@require_GET
def home(request):
    """The landing page for visitors, the member's home once signed in."""
    if not request.user.is_authenticated:
        return render(request, "connections/home_public.html")
    return render(request, "connections/home.html")


@require_GET
def network(request):
    """My Network: invitations, connections and suggestions."""
    return render(request, "connections/network.html")


@require_GET
def messages_inbox(request):
    """Messages: the member's conversations."""
    return render(request, "connections/messages.html")


@require_GET
def settings_index(request):
    """Settings: account security and, later, profile and privacy."""
    return render(request, "connections/settings.html")


@login_not_required
@require_GET
def profile(request, handle):
    """A member's profile at /in/<handle>/."""
    member = get_object_or_404(get_user_model().objects.active(), handle=handle.lower())
    return render(request, "connections/profile.html", {"member": member})
