"""The profile page at /in/<handle>/ and its relationship button."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from connections.selectors.network import (
    mutual_count,
    relationship_with,
    visible_members,
)
from connections.views.common import current_path, safe_next


def profile_member_or_404(request, handle):
    """The member at `handle` as `request.user` may see them, else 404.

    Blocked either way, deactivated or unknown all answer the same 404.
    """
    members = visible_members(viewer=request.user)
    if request.user.is_authenticated:
        members = members.annotate(mutual_count=mutual_count(viewer=request.user))
    return get_object_or_404(members, handle=handle.lower())


@login_not_required
@require_GET
def profile(request, handle):
    """A member's profile: public name, headline, photo and one truthful button."""
    member = profile_member_or_404(request, handle)
    relationship = relationship_with(viewer=request.user, member=member)
    return render(
        request,
        "connections/profile.html",
        {"member": member, "relationship": relationship},
    )


@login_not_required
@require_GET
def relationship_action(request, handle):
    """The action button alone, for pages that refresh it after a change."""
    member = profile_member_or_404(request, handle)
    relationship = relationship_with(viewer=request.user, member=member)
    return render(
        request,
        "connections/_relationship_action.html",
        {
            "member": member,
            "relationship": relationship,
            "next": safe_next(request, current_path(request)),
        },
    )
