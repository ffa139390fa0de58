"""The admin site: staff reach it only from a session that passed two-factor
authentication."""

from functools import wraps

from allauth.mfa.models import Authenticator
from django.contrib import admin, messages
from django.contrib.admin.options import TO_FIELD_VAR
from django.http import QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from connections.selectors.moderation import session_used_two_factor
from connections.views.common import without_controls


def without_empty_to_field(query: QueryDict) -> QueryDict:
    """`query` without `_to_field` when that is empty."""
    if TO_FIELD_VAR not in query or query.get(TO_FIELD_VAR):
        return query
    query = query.copy()
    del query[TO_FIELD_VAR]
    query._mutable = False
    return query


class RapportAdminSite(admin.AdminSite):
    site_header = "Rapport administration"
    site_title = "Rapport admin"
    index_title = "Moderation and members"

    def admin_view(self, view, cacheable=False):
        """Every admin page reads the address without control characters.

        The admin hands a filter's or a search's value to the database as it
        is, and PostgreSQL refuses a NUL in any text: `?kind__exact=%00` was
        a server error. Read as a space, it is a value nothing matches.

        An empty `_to_field` (which names the field a popup picks by) is read
        as none: Django let it through its check and then looked for a field
        named "", a server error on every change and delete page.
        """

        @wraps(view)
        def readable(request, *args, **kwargs):
            request.GET = without_empty_to_field(without_controls(request.GET))
            if TO_FIELD_VAR in request.POST:
                request.POST = without_empty_to_field(request.POST)
            return view(request, *args, **kwargs)

        return super().admin_view(readable, cacheable)

    def has_permission(self, request):
        return super().has_permission(request) and session_used_two_factor(request)

    def login(self, request, extra_context=None):
        """Staff signed in without a second factor set it up, or enter a code."""
        user = request.user
        if (
            user.is_authenticated
            and user.is_active
            and user.is_staff
            and not session_used_two_factor(request)
        ):
            back = request.GET.get("next") or reverse("admin:index")
            if Authenticator.objects.filter(
                user=user, type=Authenticator.Type.TOTP
            ).exists():
                target = reverse("mfa_reauthenticate")
            else:
                messages.info(
                    request,
                    _(
                        "Staff need two-factor authentication to open the "
                        "administration. Set it up, then open it again."
                    ),
                )
                target = reverse("mfa_activate_totp")
            return redirect(f"{target}?{urlencode({'next': back})}")
        return super().login(request, extra_context)
