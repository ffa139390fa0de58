"""Site-wide middleware."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import resolve_url
from django.utils.cache import add_never_cache_headers
from django_htmx.http import HttpResponseClientRedirect


class HtmxLoginRedirectMiddleware:
    """Turn a sign-in redirect answering an htmx request into a full-page redirect.

    Without this, htmx would swap the sign-in page into whatever fragment the
    expired session was updating. The member returns to the page they were on,
    not to the fragment URL.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.login_path = None

    def __call__(self, request):
        response = self.get_response(request)
        if not getattr(request, "htmx", False) or response.status_code not in (
            301,
            302,
        ):
            return response
        if self.login_path is None:
            self.login_path = urlsplit(resolve_url(settings.LOGIN_URL)).path
        if urlsplit(response["Location"]).path != self.login_path:
            return response
        current = request.htmx.current_url_abs_path or "/"
        return HttpResponseClientRedirect(redirect_to_login(current)["Location"])


class HtmxMessagesMiddleware:
    """Deliver flash messages queued during an htmx request as an out-of-band swap.

    A partial update cannot show the page's message area, so pending messages
    ride along with the fragment and replace `#flash`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            not getattr(request, "htmx", False)
            or response.status_code not in (200, 422)
            or "HX-Redirect" in response
            or "HX-Refresh" in response
            or response.streaming
            or not response.get("Content-Type", "").startswith("text/html")
        ):
            return response
        storage = getattr(request, "_messages", None)
        if storage is None or not len(storage):
            return response
        from django.template.loader import render_to_string

        flash = render_to_string(
            "includes/messages_oob.html", {"messages": storage}, request=request
        )
        response.content += flash.encode(response.charset)
        return response


class PrivatePagesMiddleware:
    """Pages shown to a signed-in member are never stored by the browser or a
    proxy: after signing out on a shared computer, Back does not bring the
    inbox or the address book back from the cache. A response that says how
    it may be cached (a photo, a download) keeps what it says."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not response.has_header("Cache-Control")
        ):
            add_never_cache_headers(response)
        return response
