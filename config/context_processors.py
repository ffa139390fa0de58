"""Template context shared by every page."""

from django.conf import settings


def site(request):
    """The site name and the visitor's chosen colour theme."""
    theme = request.COOKIES.get("theme")
    return {
        "site_name": settings.RAPPORT_SITE_NAME,
        "theme": theme if theme in {"light", "dark"} else "system",
    }
