"""Site-wide interface helpers: icons, avatars, navigation state."""

import functools
import re
from pathlib import Path

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import format_html

register = template.Library()

ICON_SPRITE = Path(settings.BASE_DIR) / "static" / "img" / "icons.svg"
ICON_NAMES = frozenset(re.findall(r'<symbol id="([a-z-]+)"', ICON_SPRITE.read_text()))


@functools.cache
def sprite_url() -> str:
    """The sprite's URL, worked out once: lists draw hundreds of icons."""
    return static("img/icons.svg")


@register.simple_tag
def icon(name, label="", css_class=""):
    """An icon from the sprite `static/img/icons.svg`; decorative unless labelled."""
    if name not in ICON_NAMES:
        raise template.TemplateSyntaxError(f"Unknown icon {name!r}")
    classes = f"icon icon-{name} {css_class}".strip()
    if label:
        head = format_html(
            '<svg class="{}" role="img" aria-label="{}">', classes, label
        )
    else:
        head = format_html(
            '<svg class="{}" aria-hidden="true" focusable="false">', classes
        )
    return head + format_html('<use href="{}#{}"></use></svg>', sprite_url(), name)


AVATAR_COLOURS = 8


@register.simple_tag
def avatar(person, size="md", label=""):
    """A round picture of a member or contact: their photo, else their initials.

    `person` needs `initials`, `pk` and optionally `avatar_url`.
    """
    url = getattr(person, "avatar_url", None)
    if callable(url):
        url = url(size)
    if url:
        return format_html(
            '<img class="avatar avatar-{}" src="{}" alt="{}" loading="lazy">',
            size,
            url,
            label,
        )
    colour = (person.pk or 0) % AVATAR_COLOURS
    if label:
        return format_html(
            '<span class="avatar avatar-{} avatar-c{}" role="img" aria-label="{}">'
            "{}</span>",
            size,
            colour,
            label,
            person.initials,
        )
    return format_html(
        '<span class="avatar avatar-{} avatar-c{}" aria-hidden="true">{}</span>',
        size,
        colour,
        person.initials,
    )


SECTIONS = (
    ("/network/", "network"),
    ("/messages/", "messages"),
    ("/contacts/", "contacts"),
    ("/settings/", "settings"),
    ("/accounts/", "settings"),
)


@register.simple_tag(takes_context=True)
def nav_section(context):
    """Which main navigation entry the current page belongs to."""
    request = context.get("request")
    if request is None:
        return ""
    if request.path == "/":
        return "home"
    for prefix, section in SECTIONS:
        if request.path.startswith(prefix):
            return section
    return ""
