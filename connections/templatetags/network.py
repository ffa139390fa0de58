"""Template helpers of the network pages: a row of the connections list, an
invitation received.

The list shows fifty rows per page, each with five links, a form, a menu and
a dozen words; the template engine would resolve some sixty variables and
translate fifteen strings for every row. Here the words, icons and the form's
hidden fields are worked out once per render, and each row is written in
Python (as `message_item` writes a thread's messages).
"""

from html import escape as _e

from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from connections.templatetags.ui import (
    avatar,
    csrf_input,
    decorative_icon,
    depth_meter,
    depth_why,
    depth_words,
    handle_path,
    handle_paths,
    html_text,
    icon_words,
    id_path,
    id_path_pattern,
    next_query,
    once_per_render,
    select_options,
)

register = template.Library()


@once_per_render("connection_row_parts")
def _shared_parts(context) -> dict:
    """What every row of one render repeats, worked out once."""
    here = context.get("here", "")
    return {
        "hidden": format_html(
            '{}<input type="hidden" name="next" value="{}">',
            csrf_input(context),
            here,
        ),
        "next_query": next_query(here),
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
        "remove": icon_words("x", _("Remove connection")),
        "block": icon_words("block", _("Block")),
        "more_icon": decorative_icon("more"),
        "more_for": _("More actions for %(name)s"),
        "kind_of": _("Kind of connection with %(name)s (only you see it)"),
        "depth": depth_words(),
    }


@register.simple_tag(takes_context=True)
def kind_form(context, connection, edit_url=None):
    """The private kind of a connection: a select that saves itself (htmx), and
    a Save button without JavaScript; a check mark once saved. A row that
    worked out the path of its edit page passes it as `edit_url`."""
    parts = _shared_parts(context)
    if edit_url is None:
        edit_url = handle_path("connections:connection_edit", connection.other.handle)
    edit_url = html_text(edit_url)
    pk = html_text(connection.pk)
    label = html_text(parts["kind_of"] % {"name": connection.other.display_name})
    # Plain formatting with each value escaped, as format_html would: fifty
    # rows a page.
    return mark_safe(  # noqa: S308 - every value below is escaped or markup we wrote
        f'<form method="post" action="{edit_url}" class="kind-form" '
        f'hx-post="{edit_url}" '
        'hx-trigger="change, submit" hx-swap="outerHTML" data-autosave>\n'
        f"{html_text(parts['hidden'])}\n"
        f'<label for="kind-{pk}" class="visually-hidden">{label}</label>\n'
        f'<select id="kind-{pk}" name="kind" class="kind-select">'
        f"{html_text(select_options(parts['kinds'], connection.kind))}</select>\n"
        '<button type="submit" class="btn btn-ghost btn-sm" data-autosave-button>'
        f"{html_text(parts['save'])}</button>\n"
        f"{html_text(parts['saved'] if context.get('saved') else '')}\n"
        "</form>"
    )


@register.simple_tag(takes_context=True)
def connection_row(context, connection):
    """One connection of the list: who, since when, how deep, and the actions."""
    parts = _shared_parts(context)
    other = connection.other
    name = other.display_name
    handle = other.handle
    profile_path, thread_path, remove_url, block_url, edit_url = handle_paths(
        handle,
        "connections:profile",
        "connections:thread",
        "connections:remove_connection",
        "connections:block",
        "connections:connection_edit",
    )
    headline = (
        f'<span class="item-sub">{_e(other.headline)}</span>' if other.headline else ""
    )
    mutual = ""
    if connection.mutual_count:
        mutual = " · " + ngettext(
            "%(n)s mutual connection",
            "%(n)s mutual connections",
            connection.mutual_count,
        ) % {"n": connection.mutual_count}
    back = _e(parts["next_query"])
    profile_url = _e(profile_path)
    thread_url = _e(thread_path)
    more_for = _e(parts["more_for"] % {"name": name})
    # Plain formatting with each value escaped: a tenth of format_html's cost
    # per value, fifty rows a page.
    return mark_safe(  # noqa: S308 - every value below is escaped or markup we wrote
        f'<li class="item connection-row" data-connection-row="{other.pk}">\n'
        f"{avatar(other, 'md')}\n"
        '<div class="item-main">\n'
        f'<a class="item-title" href="{profile_url}">'
        f"{_e(name)}</a>\n{headline}\n"
        f'<span class="item-sub"><time datetime="{_e(connection.connected_at)}">'
        f"{_e(connection.connected_on)}</time>{_e(mutual)}</span>\n"
        f'<div class="depth-row">{depth_meter(connection, parts["depth"])}'
        f'<span class="muted">{_e(str(connection.depth_label))}</span>'
        f"{depth_why(connection, parts['depth'])}</div>\n"
        "</div>\n"
        '<div class="item-actions connection-actions">\n'
        f"{kind_form(context, connection, edit_url)}\n"
        f'<a class="btn btn-secondary btn-sm" href="{thread_url}">'
        f'{parts["message"]}<span class="visually-hidden"> {_e(name)}</span></a>\n'
        '<details class="more-menu" data-menu>\n'
        f'<summary class="btn btn-icon" aria-label="{more_for}">'
        f"{parts['more_icon']}</summary>\n"
        '<div class="menu-panel">\n<ul class="menu-list">\n'
        f'<li><a href="{_e(remove_url)}{back}" hx-get="{_e(remove_url)}" '
        f'hx-target="#dialog">{parts["remove"]}</a></li>\n'
        f'<li><a href="{_e(block_url)}{back}" hx-get="{_e(block_url)}" '
        f'hx-target="#dialog">{parts["block"]}</a></li>\n'
        "</ul>\n</div>\n</details>\n</div>\n</li>"
    )


@once_per_render("invitation_item_parts")
def _invitation_parts(context) -> dict:
    """What every invitation of one render repeats, worked out once."""
    request = context.get("request")
    back = context.get("next") or (request.get_full_path() if request else "")
    return {
        "respond": id_path_pattern("connections:invitation_respond"),
        "hidden": format_html(
            '{}<input type="hidden" name="fragment" value="invitation">'
            '<input type="hidden" name="next" value="{}">',
            csrf_input(context),
            back,
        ),
        # Words of the interface, not of members: as {% translate %}
        # writes them, apostrophes and all.
        "accept": mark_safe(_("Accept")),  # noqa: S308
        "ignore": mark_safe(_("Ignore")),  # noqa: S308
        "unknown": mark_safe(_("I don't know this person")),  # noqa: S308
        "connected": format_html(
            '<span class="relationship-status is-connected" role="status">{}{}</span>',
            decorative_icon("user-check"),
            _("Connected"),
        ),
        "messages_url": reverse("connections:messages"),
        "message": icon_words("messages", _("Message")),
        "closed": {
            "ignored": mark_safe(_("Ignored")),  # noqa: S308
            "declined_unknown": mark_safe(_("Declined: you don't know them")),  # noqa: S308
            "withdrawn": mark_safe(_("Withdrawn by the sender")),  # noqa: S308
        },
        "expired": mark_safe(_("Expired")),  # noqa: S308
    }


def _invitation_actions(parts, invitation, status: str, name: str) -> str:
    if status == "pending":
        url = id_path(parts["respond"], invitation.pk)
        return format_html(
            '<form method="post" action="{}" hx-post="{}" '
            'hx-target="#invitation-{}" hx-swap="outerHTML" '
            'hx-disabled-elt="find button">\n{}\n'
            '<button type="submit" name="action" value="accept" '
            'class="btn btn-primary btn-sm">{}'
            '<span class="visually-hidden"> {}</span></button>\n'
            '<button type="submit" name="action" value="ignore" '
            'class="btn btn-secondary btn-sm">{}'
            '<span class="visually-hidden"> {}</span></button>\n'
            '<button type="submit" name="action" value="unknown" '
            'class="btn btn-link btn-sm invitation-unknown">{}</button>\n</form>',
            url,
            url,
            invitation.pk,
            parts["hidden"],
            parts["accept"],
            name,
            parts["ignore"],
            name,
            parts["unknown"],
        )
    if status == "accepted":
        return format_html(
            '{}\n<a class="btn btn-secondary btn-sm" href="{}">{}'
            '<span class="visually-hidden"> {}</span></a>',
            parts["connected"],
            parts["messages_url"],
            parts["message"],
            name,
        )
    return format_html(
        '<span class="relationship-status" role="status">{}</span>',
        parts["closed"].get(status, parts["expired"]),
    )


@register.simple_tag(takes_context=True)
def invitation_item(context, invitation):
    """One invitation received, answered inline: who, how you know each other,
    their note, and Accept / Ignore / "I don't know this person" while it is
    pending, else what became of it. `invitation` carries `sender` and
    `mutual_count`; the form comes back to the context's `next`, else here."""
    parts = _invitation_parts(context)
    sender = invitation.sender
    name = sender.display_name
    status = invitation.effective_status
    meta = []
    if invitation.mutual_count:
        n = invitation.mutual_count
        meta.append(
            ngettext("%(n)s mutual connection", "%(n)s mutual connections", n)
            % {"n": n}
        )
    if invitation.how_we_met:
        meta.append(invitation.get_how_we_met_display())
    created = template_localtime(invitation.created)
    return format_html(
        '<li class="invitation" id="invitation-{}">\n'
        '<div class="item invitation-item">\n{}\n'
        '<div class="item-main">\n'
        '<a class="item-title" href="{}">{}</a>\n{}\n'
        '<span class="item-sub invitation-meta">{}'
        '<time datetime="{}">{}</time></span>\n{}\n'
        "</div>\n"
        '<div class="item-actions invitation-actions">\n{}\n</div>\n'
        "</div>\n</li>\n",
        invitation.pk,
        avatar(sender, "md"),
        handle_path("connections:profile", sender.handle),
        name,
        format_html('<span class="item-sub">{}</span>', sender.headline)
        if sender.headline
        else "",
        "".join(f"{part} · " for part in meta),
        date_filter(created, "c"),
        naturaltime(invitation.created),
        format_html('<p class="invitation-note">{}</p>', invitation.note)
        if invitation.note
        else "",
        _invitation_actions(parts, invitation, status, name),
    )
