"""Site-wide views: health check, theme choice, error pages."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from connections.views.common import safe_next

THEMES = {"light", "dark", "system"}


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """200 when the database answers, 503 otherwise; for load balancers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any failure means unhealthy
        return HttpResponse(
            "database unavailable", status=503, content_type="text/plain"
        )
    return HttpResponse("ok", content_type="text/plain")


@login_not_required
@require_POST
def set_theme(request):
    """Remember the visitor's colour theme in a cookie and go back."""
    theme = request.POST.get("theme", "system")
    response = HttpResponseRedirect(safe_next(request, "/"))
    if request.htmx:
        response = HttpResponse(status=204)
    if theme in {"light", "dark"}:
        response.set_cookie(
            "theme",
            theme,
            max_age=60 * 60 * 24 * 365,
            samesite="Lax",
            secure=request.is_secure(),
            httponly=True,
        )
    else:
        response.delete_cookie("theme", samesite="Lax")
    return response


def csrf_failure(request, reason=""):
    """A friendly 403 when a form is stale or cookies are blocked."""
    return render(request, "403_csrf.html", {"reason": reason}, status=403)


def server_error(request):
    """500 page rendered without the request context, which may be broken."""
    from django.template import loader

    template = loader.get_template("500.html")
    return HttpResponse(
        template.render({"site_name": settings.RAPPORT_SITE_NAME}), status=500
    )
