"""Template helpers of the network pages: a row of the connections list.

The list shows fifty rows per page, each with five links, a form, a menu and
a dozen words; the template engine would resolve some sixty variables and
translate fifteen strings for every row. Here the words, icons and the form's
hidden fields are worked out once per render, and each row is written in
Python (as `message_item` writes a thread's messages).
"""

from urllib.parse import quote

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from connections.templatetags.ui import (
    avatar,
    decorative_icon,
    depth_meter,
    depth_why,
    depth_words,
    handle_path,
    select_options,
)

register = template.Library()


def _shared_parts(context) -> dict:
    """What every row of one render repeats, worked out once."""
    parts = context.render_context.get("connection_row_parts")
    if parts is None:
        here = context.get("here", "")
        csrf_token = context.get("csrf_token")
        csrf_input = ""
        if csrf_token and csrf_token != "NOTPROVIDED":  # noqa: S105 - as {% csrf_token %}
            csrf_input = format_html(
                '<input type="hidden" name="csrfmiddlewaretoken" value="{}">',
                csrf_token,
            )
        parts = {
            "hidden": format_html(
                '{}<input type="hidden" name="next" value="{}">', csrf_input, here
            ),
            "next_query": "?next=" + quote(str(here), safe="/"),
            "kinds": tuple(context.get("kinds", ())),
            "save": _("Save"),
            "saved": format_html(
                '<span class="kind-saved" role="status">{}'
                '<span class="visually-hidden">{}</span></span>',
                decorative_icon("check"),
                _("Saved"),
            ),
            "message": format_html(
                '{}<span class="hide-narrow">{}</span>',
                decorative_icon("messages"),
                _("Message"),
            ),
            "remove": format_html("{}{}", decorative_icon("x"), _("Remove connection")),
            "block": format_html("{}{}", decorative_icon("block"), _("Block")),
            "more_icon": decorative_icon("more"),
            "more_for": _("More actions for %(name)s"),
            "kind_of": _("Kind of connection with %(name)s (only you see it)"),
            "depth": depth_words(),
        }
        context.render_context["connection_row_parts"] = parts
    return parts


@register.simple_tag(takes_context=True)
def kind_form(context, connection):
    """The private kind of a connection: a select that saves itself (htmx), and
    a Save button without JavaScript; a check mark once saved."""
    parts = _shared_parts(context)
    edit_url = handle_path("connections:connection_edit", connection.other.handle)
    return format_html(
        '<form method="post" action="{}" class="kind-form" hx-post="{}" '
        'hx-trigger="change, submit" hx-swap="outerHTML" data-autosave>\n'
        "{}\n"
        '<label for="kind-{}" class="visually-hidden">{}</label>\n'
        '<select id="kind-{}" name="kind" class="kind-select">{}</select>\n'
        '<button type="submit" class="btn btn-ghost btn-sm" data-autosave-button>'
        "{}</button>\n"
        "{}\n"
        "</form>",
        edit_url,
        edit_url,
        parts["hidden"],
        connection.pk,
        parts["kind_of"] % {"name": connection.other.display_name},
        connection.pk,
        select_options(parts["kinds"], connection.kind),
        parts["save"],
        parts["saved"] if context.get("saved") else "",
    )


@register.simple_tag(takes_context=True)
def connection_row(context, connection):
    """One connection of the list: who, since when, how deep, and the actions."""
    parts = _shared_parts(context)
    other = connection.other
    name = other.display_name
    handle = other.handle
    remove_url = handle_path("connections:remove_connection", handle)
    block_url = handle_path("connections:block", handle)
    headline = (
        format_html('<span class="item-sub">{}</span>', other.headline)
        if other.headline
        else ""
    )
    mutual = ""
    if connection.mutual_count:
        mutual = " · " + ngettext(
            "%(n)s mutual connection",
            "%(n)s mutual connections",
            connection.mutual_count,
        ) % {"n": connection.mutual_count}
    return format_html(
        '<li class="item connection-row" data-connection-row="{}">\n{}\n'
        '<div class="item-main">\n'
        '<a class="item-title" href="{}">{}</a>\n{}\n'
        '<span class="item-sub"><time datetime="{}">{}</time>{}</span>\n'
        '<div class="depth-row">{}<span class="muted">{}</span>{}</div>\n'
        "</div>\n"
        '<div class="item-actions connection-actions">\n{}\n'
        '<a class="btn btn-secondary btn-sm" href="{}">{}'
        '<span class="visually-hidden"> {}</span></a>\n'
        '<details class="more-menu" data-menu>\n'
        '<summary class="btn btn-icon" aria-label="{}">{}</summary>\n'
        '<div class="menu-panel">\n<ul class="menu-list">\n'
        '<li><a href="{}{}" hx-get="{}" hx-target="#dialog">{}</a></li>\n'
        '<li><a href="{}{}" hx-get="{}" hx-target="#dialog">{}</a></li>\n'
        "</ul>\n</div>\n</details>\n</div>\n</li>",
        other.pk,
        avatar(other, "md"),
        handle_path("connections:profile", handle),
        name,
        headline,
        connection.connected_at,
        connection.connected_on,
        mutual,
        depth_meter(connection, parts["depth"]),
        connection.depth_label,
        depth_why(connection, parts["depth"]),
        kind_form(context, connection),
        handle_path("connections:thread", handle),
        parts["message"],
        name,
        parts["more_for"] % {"name": name},
        parts["more_icon"],
        remove_url,
        parts["next_query"],
        remove_url,
        parts["remove"],
        block_url,
        parts["next_query"],
        block_url,
        parts["block"],
    )
