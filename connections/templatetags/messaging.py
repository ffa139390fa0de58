"""Template helpers of messaging: a message's text made safe, day labels."""

from datetime import timedelta

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, urlize
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from connections.templatetags.ui import icon, once_per_render

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


@once_per_render("message_item_parts")
def _shared_parts(context) -> dict:
    """What every message of one render repeats, worked out once."""
    other = context["other"]
    # The report address of message 0, split around its id.
    url = reverse("connections:report_message", args=[other.handle, 0])
    head, tail = url.rsplit("/0/", 1)
    return {
        "user_id": context["user"].pk,
        "other_name": other.display_name,
        "you": _("You"),
        "removed": format_html(
            '<p class="message-removed">{}{}</p>',
            icon("shield"),
            _("Message removed by moderators"),
        ),
        "report_head": head + "/",
        "report_tail": "/" + tail,
        "report_label": format_html(
            '{}<span class="visually-hidden">{}</span>',
            icon("flag"),
            _("Report this message"),
        ),
    }


@register.simple_tag(takes_context=True)
def message_item(context, message):
    """One message of a thread as a list item, rendered in Python: a thread
    shows fifty of them, and the template engine would resolve a dozen
    variables for each. Others' messages carry their Report link."""
    parts = _shared_parts(context)
    mine = message.sender_id == parts["user_id"]
    created = timezone.localtime(message.created)
    if message.removed_at is not None:
        body = parts["removed"]
    else:
        body = format_html('<p class="message-body">{}</p>', message_text(message.body))
    report = ""
    if not mine and message.removed_at is None:
        url = f"{parts['report_head']}{message.pk}{parts['report_tail']}"
        report = format_html(
            '<a class="message-report" href="{}" hx-get="{}" hx-target="#dialog">'
            "{}</a>",
            url,
            url,
            parts["report_label"],
        )
    return format_html(
        '<li class="message{}" id="message-{}"><div class="bubble">'
        '<span class="visually-hidden">{}:</span>{}'
        '<time class="message-time" datetime="{}">{}</time>{}</div></li>',
        " is-mine" if mine else "",
        message.pk,
        parts["you"] if mine else parts["other_name"],
        body,
        created.isoformat(),
        created.strftime("%H:%M"),
        report,
    )
