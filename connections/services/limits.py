"""How often one member may do something: counted in the shared cache.

Sending messages, uploading address books and downloading exports or the
whole archive each cost the server work or storage; a member (or someone
with their session) repeating them in a loop would take it from everyone.
Each is counted per member in fixed windows of the clock (this minute, this
hour) in the shared cache, so every worker sees the same count; a refusal
says how long until the next window opens. Fixed windows let a burst reach
twice the limit across a window's edge, which is fine for what they guard.
"""

from __future__ import annotations

import math

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import ngettext

MINUTE = 60
HOUR = 60 * MINUTE


def spend(*, member_id: int, action: str, limit: int, window: int, now=None) -> int:
    """Count one `action` by the member in the current window of `window` seconds.

    Returns 0 while the count is within `limit`, else the seconds until the
    window ends and the action is allowed again. Refused attempts count too.
    """
    seconds = int((now or timezone.now()).timestamp())
    key = f"spent:{action}:{member_id}:{window}:{seconds // window}"
    cache.add(key, 0, timeout=window * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=window * 2)
        count = 1
    if count <= limit:
        return 0
    return window - seconds % window


def wait_words(seconds: int) -> str:
    """A wait as a refusal says it: "45 seconds", "1 minute", "12 minutes"."""
    if seconds < MINUTE:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {
            "count": seconds
        }
    minutes = math.ceil(seconds / MINUTE)
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {
        "count": minutes
    }


def spend_or_refuse(
    *,
    member_id: int,
    action: str,
    limit: int,
    window: int,
    message: tuple[str, str],
    now=None,
) -> None:
    """`spend`, raising a ValidationError (code "rate_limit") past the limit.

    `message` is the refusal in the singular and the plural of the limit; it
    may use %(limit)d and %(wait)s (how long until it works again).
    """
    wait = spend(
        member_id=member_id, action=action, limit=limit, window=window, now=now
    )
    if wait:
        singular, plural = message
        raise ValidationError(
            ngettext(singular, plural, limit)
            % {"limit": limit, "wait": wait_words(wait)},
            code="rate_limit",
        )
