"""The bare view every benchmark ratio divides by."""

from django.http import HttpResponse
from django.views.decorators.http import require_GET


@require_GET
def bare(request):
    """`ok` through the whole middleware stack, for a signed-in member.

    LoginRequiredMiddleware loads the session and the member, so the bare view
    costs what every signed-in request costs before any page does its work.
    """
    return HttpResponse("ok", content_type="text/plain")
