"""The updates section of a profile, and the depth of a connection there.

The profile page includes `connections/_profile_updates.html`, which calls
`profile_updates`: the member's updates the viewer may see and, for the
viewer's own connection, its depth (private to the viewer).
"""

from django import template

from connections.forms import KeepInTouchForm
from connections.selectors.depth import connection_depth
from connections.selectors.updates import updates_by

register = template.Library()


@register.inclusion_tag("connections/_profile_updates_list.html", takes_context=True)
def profile_updates(context):
    """The member's updates for this viewer, and the viewer's own depth with them."""
    request = context["request"]
    member = context["member"]
    viewer = request.user
    cursor = request.GET.get("after", "")
    profile = context.get("profile")
    # "View as" on one's own profile: the public and members see Public
    # updates only; a connection sees them all.
    preview = getattr(profile, "preview", "")
    page = updates_by(
        author=member,
        viewer=viewer,
        cursor=cursor,
        public_only=bool(preview) and preview != "connection",
    )
    connection = None if preview else connection_depth(member=viewer, other=member)
    return {
        "request": request,
        "user": viewer,
        "csrf_token": context.get("csrf_token"),
        "member": member,
        "updates": page,
        "connection": connection,
        "keep_form": KeepInTouchForm(
            initial={"weeks": connection.keep_in_touch_weeks} if connection else None
        ),
        "here": request.path,
        "preview": preview,
    }
