"""Helpers shared by the views of the connections app."""

import re

from django.http import QueryDict
from django.utils.http import url_has_allowed_host_and_scheme

SEARCH_MAX = 100  # characters of a search, on every list
_CONTROLS = re.compile("[\\x00-\\x1f\\x7f]")


def safe_next(request, default: str) -> str:
    """Where to go back after an action: the given `next` if it is ours.

    Only a path of this site is followed ("/contacts/?q=ann"): a relative
    name such as "true" would be read by `redirect()` as a view's name.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def current_path(request) -> str:
    """The page the member is on, also during an htmx request."""
    if request.htmx and request.htmx.current_url_abs_path:
        return request.htmx.current_url_abs_path
    return request.get_full_path()


def without_controls(query: QueryDict) -> QueryDict:
    """`query` (a request's GET) with control characters read as spaces.

    For views that hand the address's values to the database as they are, as
    the admin's filters and search do: PostgreSQL refuses a NUL in any text.
    """
    if not any(
        _CONTROLS.search(key + "".join(values)) for key, values in query.lists()
    ):
        return query
    cleaned = QueryDict(mutable=True)
    for key, values in query.lists():
        cleaned.setlist(
            _CONTROLS.sub(" ", key), [_CONTROLS.sub(" ", value) for value in values]
        )
    cleaned._mutable = False
    return cleaned


def search_query(data, limit: int = SEARCH_MAX) -> str:
    """The words searched for (`q` of `data`, a query string or form).

    Spaces collapsed, cut to `limit` characters, control characters read as
    spaces: a NUL in the address (`?q=%00`) would otherwise reach
    PostgreSQL, which refuses it in any text.
    """
    query = _CONTROLS.sub(" ", data.get("q", ""))
    return " ".join(query.split())[:limit]
