"""Template helpers of messaging: a message's text made safe, day labels."""

from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import urlize
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.filter(is_safe=True)
def message_text(body: str) -> str:
    """A message as HTML: every character escaped, web addresses made links.

    `urlize` escapes the text before linking, and only links http(s), www.
    and email addresses, so tags, event-handler attributes and `javascript:`
    addresses stay literal text. Links get rel="nofollow"; line breaks are
    kept by the stylesheet (white-space: pre-wrap).
    """
    return mark_safe(urlize(body, trim_url_limit=60, nofollow=True, autoescape=True))  # noqa: S308 - escaped by urlize


@register.filter
def day_label(day) -> str:
    """ "Today", "Yesterday", or the date."""
    today = timezone.localdate()
    if day == today:
        return _("Today")
    if day == today - timedelta(days=1):
        return _("Yesterday")
    if day.year == today.year:
        return date_format(day, "l j F")
    return date_format(day, "l j F Y")
