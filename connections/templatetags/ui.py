"""Site-wide interface helpers: icons, avatars, navigation state."""

import functools
import re
from html import escape as _escape
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from connections import devices
from connections.photos import avatar_photo_url

register = template.Library()


def html_text(value) -> str:
    """`value` as `conditional_escape` writes it (markup kept, text escaped),
    without its wrapper for lazy values: a list row writes dozens of values,
    and the wrapper costs three times the escaping itself."""
    markup = getattr(value, "__html__", None)
    if markup is not None:
        return markup()
    return _escape(str(value))


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
    if not label:
        return decorative_icon(name, css_class)
    classes = f"icon icon-{name} {css_class}".strip()
    head = format_html('<svg class="{}" role="img" aria-label="{}">', classes, label)
    return head + format_html('<use href="{}#{}"></use></svg>', sprite_url(), name)


@functools.cache
def decorative_icon(name: str, css_class: str = "") -> str:
    """The markup of an unlabelled icon, built once: a list row draws several."""
    classes = f"icon icon-{name} {css_class}".strip()
    return format_html(
        '<svg class="{}" aria-hidden="true" focusable="false">'
        '<use href="{}#{}"></use></svg>',
        classes,
        sprite_url(),
        name,
    )


# An id no row has: a URL reversed with it once per list, then each row's id
# put in its place (`id_path`), costs a string replace instead of reverse().
ID_MARK = 2_147_483_647


def once_per_render(key: str):
    """Decorate `build(context)`, the parts every row of a list repeats (words,
    icons, URL patterns): worked out on the render's first row, then kept in
    its render context under `key` for the others."""

    def decorate(build):
        @functools.wraps(build)
        def parts(context):
            found = context.render_context.get(key)
            if found is None:
                found = context.render_context[key] = build(context)
            return found

        return parts

    return decorate


def id_path_pattern(name: str) -> str:
    """URL `name` with `ID_MARK` for its one id argument."""
    return reverse(name, args=[ID_MARK])


def id_path(pattern: str, pk) -> str:
    """The path of `pattern` (from `id_path_pattern`) for the row `pk`."""
    return pattern.replace(str(ID_MARK), str(pk))


def csrf_input(context) -> str:
    """The CSRF field, as {% csrf_token %} writes it, for tags that write forms."""
    token = context.get("csrf_token")
    if token and token != "NOTPROVIDED":  # noqa: S105 - {% csrf_token %}'s marker
        return format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token
        )
    return ""


def next_query(here) -> str:
    """`?next=<here>` for a link that comes back to this page, as
    `?next={{ here|urlencode }}` writes it."""
    return "?next=" + quote(str(here), safe="/")


def icon_words(name: str, words: str) -> str:
    """A decorative icon followed by words: a button's or a link's content."""
    return format_html("{}{}", decorative_icon(name), words)


# A URL that takes a member's handle, as reverse() builds it, split around the
# handle once per URL name (and script prefix, and URL configuration).
HANDLE_MARK = "handle-mark-0"


@functools.cache
def _handle_path_parts(name: str, prefix: str, urlconf) -> tuple[str, str]:
    path = reverse(name, args=[HANDLE_MARK], urlconf=urlconf)
    before, mark, after = path.partition(HANDLE_MARK)
    if not mark or HANDLE_MARK in after:
        raise template.TemplateSyntaxError(f"{name!r} does not take one handle.")
    return before, after


# What reverse() leaves unquoted in a path argument.
HANDLE_SAFE = "/~:@!$&'()*+,;="


def handle_path(name: str, handle: str) -> str:
    """The path of URL `name` for a member's handle, as `{% url %}` gives it,
    without going through the URL resolver for each row of a list."""
    return handle_paths(handle, name)[0]


def handle_paths(handle: str, *names: str) -> list[str]:
    """`handle_path` of each URL in `names` for one member: a list row's
    links, with the handle quoted once rather than once a link."""
    prefix, urlconf = get_script_prefix(), get_urlconf()
    quoted = quote(handle, safe=HANDLE_SAFE)
    paths = []
    for name in names:
        before, after = _handle_path_parts(name, prefix, urlconf)
        paths.append(before + quoted + after)
    return paths


@register.simple_tag
def member_url(name, handle):
    """`{% url name handle %}` for the URLs that take one member's handle."""
    return handle_path(name, handle)


@register.simple_tag
def select_options(choices, selected):
    """The `<option>`s of a `<select>` over (value, label) pairs, one selected.

    A list draws the same few options on every row, so each combination is
    written once and remembered.
    """
    return _options(tuple(choices), selected)


@functools.lru_cache(maxsize=256)
def _options(choices: tuple, selected) -> str:
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, mark_safe(" selected") if value == selected else "", label)  # noqa: S308 - constant
            for value, label in choices
        ),
    )


DEPTH_CELLS = {
    steps: mark_safe(  # noqa: S308 - constant markup
        "".join(
            f'<span class="depth-step{" is-on" if n < steps else ""}"></span>'
            for n in range(5)
        )
    )
    for steps in range(6)
}


def depth_words() -> dict[str, str]:
    """The words of the depth meter and its "Why?", translated: a list works
    them out once and hands them to every row."""
    return {
        "meter": gettext("Depth of connection: %(steps)s of 5, %(label)s"),
        "facts": gettext(
            "From you: %(mine)s · from %(name)s: %(theirs)s. Exchanges both ways "
            "count more than one-sided ones; older ones fade by half every 90 days."
        ),
        "no_facts": gettext(
            "Messages, comments and likes between you two make it grow; older ones "
            "fade by half every 90 days."
        ),
        "why": gettext("Why?"),
        "with": gettext("Depth of your connection with %(name)s"),
        "only_you": gettext("Only you see this."),
    }


@register.simple_tag
def depth_meter(connection, words=None):
    """Five steps, `connection.depth_steps` of them lit, named for screen readers."""
    steps, label = connection.depth_steps, connection.depth_label
    name = (words or depth_words())["meter"] % {
        "steps": steps,
        "label": label,
    }
    return mark_safe(  # noqa: S308 - every value is escaped, the cells are constant
        f'<span class="depth-meter" data-steps="{html_text(steps)}" role="img" '
        f'aria-label="{html_text(name)}" title="{html_text(label)}">'
        f"{DEPTH_CELLS[steps]}</span>"
    )


AVATAR_COLOURS = 8


@register.simple_tag
def avatar(person, size="md", label=""):
    """A round picture of a member or contact: their photo, else their initials.

    `person` needs `initials`, `pk` and optionally `avatar_url`.
    """
    url = getattr(person, "avatar_url", None)
    if callable(url):
        url = url(size)
    # Plain formatting with each value escaped, as format_html would: lists
    # draw one per row.
    if url:
        return mark_safe(  # noqa: S308 - every value is escaped
            f'<img class="avatar avatar-{html_text(size)}" src="{html_text(url)}" '
            f'alt="{html_text(label)}" loading="lazy">'
        )
    colour = (person.pk or 0) % AVATAR_COLOURS
    if label:
        return mark_safe(  # noqa: S308 - every value is escaped
            f'<span class="avatar avatar-{html_text(size)} avatar-c{colour}" '
            f'role="img" aria-label="{html_text(label)}">'
            f"{html_text(person.initials)}</span>"
        )
    return mark_safe(  # noqa: S308 - every value is escaped
        f'<span class="avatar avatar-{html_text(size)} avatar-c{colour}" '
        f'aria-hidden="true">{html_text(person.initials)}</span>'
    )


@register.simple_tag(takes_context=True)
def own_avatar(context, size="md"):
    """The signed-in member's avatar: their own photo whatever its audience.

    The photo key comes with the navigation badges (`nav_counts`), in their
    one query.
    """
    user = context["user"]
    counts = context.get("nav_counts") or {}
    key = counts.get("photo_key") or ""
    return avatar(
        SimpleNamespace(
            pk=user.pk,
            initials=user.initials,
            avatar_url=functools.partial(avatar_photo_url, key) if key else "",
        ),
        size,
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


@register.simple_tag
def depth_why(connection, words=None):
    """ "Why?": what makes the depth of a connection, for its owner's eyes only.

    `connection` carries `depth_facts` and `other`; a tag rather than an
    included template because every row of the connections list has one.
    """
    words = words or depth_words()
    facts, other = connection.depth_facts, connection.other
    if facts.total:
        detail = words["facts"] % {
            "mine": facts.given,
            "theirs": facts.received,
            "name": other.get_short_name(),
        }
    else:
        detail = words["no_facts"]
    return mark_safe(  # noqa: S308 - every value is escaped
        f'<details class="depth-why"><summary>{html_text(words["why"])}'
        '<span class="visually-hidden"> '
        f"{html_text(words['with'] % {'name': other.display_name})}"
        '</span></summary><div class="depth-why-body">'
        f"<p>{html_text(facts.summary())}.</p>"
        f'<p class="muted small">{html_text(detail)}</p>'
        f'<p class="muted small">{html_text(words["only_you"])}</p></div></details>'
    )


@register.filter
def device(user_agent):
    """A session's browser and system in plain words ("Firefox on Windows")."""
    return devices.describe(user_agent)


@register.filter
def this_one_first(sessions):
    """Signed-in sessions: the one asking first, then the others newest first."""
    return sorted(
        sessions,
        key=lambda session: (not session.is_current(), -session.created_at.timestamp()),
    )
