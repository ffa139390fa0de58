"""Template context of the connections app: the navigation badges."""

from django.utils.functional import SimpleLazyObject

from connections.selectors.network import nav_badge_counts


def nav_counts(request):
    """`nav_counts.invitations` (and the other badges), read lazily in one query.

    Pages that never show the navigation (errors, fragments) cost nothing.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_counts": SimpleLazyObject(lambda: nav_badge_counts(member=user))}
