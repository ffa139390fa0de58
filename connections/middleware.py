"""Middleware of the connections app: moderation reaches members here.

A suspended member is signed out on their very next request; a member with an
unread warning from the staff sees it before any other page.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from connections.selectors.network import day


def suspension_notice(member) -> str:
    """What a suspended member is told when signed out or refused sign-in."""
    from connections.models.members import SUSPENDED_INDEFINITELY

    if member.suspended_until >= SUSPENDED_INDEFINITELY:
        return _(
            "Your account is suspended by the staff. You can't sign in until "
            "they lift the suspension."
        )
    return _(
        "Your account is suspended by the staff until %(day)s. You can sign in "
        "again after that."
    ) % {"day": day(member.suspended_until)}


class ModerationMiddleware:
    """Sign a suspended member out on their very next request; show a member
    their unread warning before anything else.

    The member's row and the session are read for every signed-in request
    anyway, so this costs no query; only requests that carry a session look.
    """

    # Pages a member with an unread warning may still open.
    WARNING_EXEMPT = ("account_logout", "connections:warnings")

    def __init__(self, get_response):
        self.get_response = get_response
        self.exempt_paths = None

    def __call__(self, request):
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            user = request.user
            if user.is_authenticated and user.is_suspended:
                notice = suspension_notice(user)
                logout(request)
                messages.error(request, notice)
            elif user.is_authenticated and self.must_read_warning(request):
                return redirect("connections:warnings")
        return self.get_response(request)

    def must_read_warning(self, request) -> bool:
        from connections.views.moderation import WARNING_SESSION_KEY

        if not request.session.get(WARNING_SESSION_KEY):
            return False
        if request.method != "GET" or getattr(request, "htmx", False):
            return False
        if self.exempt_paths is None:
            self.exempt_paths = {reverse(name) for name in self.WARNING_EXEMPT}
        return request.path not in self.exempt_paths and not request.path.startswith(
            settings.STATIC_URL
        )
