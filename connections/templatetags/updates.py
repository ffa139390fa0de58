"""Updates: a profile's section with the depth of a connection, and the card
of an update.

The profile page includes `connections/_profile_updates.html`, which calls
`profile_updates`: the member's updates the viewer may see and, for the
viewer's own connection, its depth (private to the viewer).
"""

from django import template
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import linebreaksbr, urlizetrunc
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from connections.forms import KeepInTouchForm
from connections.selectors.depth import connection_depth
from connections.selectors.updates import updates_by
from connections.templatetags.ui import (
    avatar,
    csrf_input,
    decorative_icon,
    handle_path,
    icon_words,
    id_path,
    id_path_pattern,
    next_query,
    once_per_render,
)

register = template.Library()


@register.inclusion_tag("connections/_profile_updates_list.html", takes_context=True)
def profile_updates(context):
    """The member's updates for this viewer, and the viewer's own depth with them."""
    request = context["request"]
    member = context["member"]
    viewer = request.user
    cursor = request.GET.get("after", "")
    profile = context.get("profile")
    # "View as" on one's own profile shows the updates as that viewer sees them.
    preview = getattr(profile, "preview", "")
    page = updates_by(author=member, viewer=viewer, cursor=cursor, view_as=preview)
    connection = None if preview else connection_depth(member=viewer, other=member)
    return {
        "request": request,
        "user": viewer,
        "csrf_token": context.get("csrf_token"),
        "member": member,
        "updates": page,
        "connection": connection,
        "keep_form": KeepInTouchForm(
            initial={"weeks": connection.keep_in_touch_weeks} if connection else None
        ),
        "here": request.path,
        "preview": preview,
    }


# ---------------------------------------------------------------------------
# An update's card, written in Python: a page of the feed has twenty, each
# with a menu, a like form and a comment link, and the template engine would
# resolve some fifty variables for each. What does not change from card to
# card (words, icons, URL patterns, the form's token) is worked out once per
# render. The lists call `update_card` directly: an `{% include %}` per card
# would start a fresh render context, and lose what was worked out.


@once_per_render("update_card_parts")
def _parts(context) -> dict:
    request = context.get("request")
    user = context.get("user")
    here = context.get("here", "")
    return {
        "user_id": getattr(user, "pk", None),
        "signed_in": bool(getattr(user, "is_authenticated", False)),
        "here_query": next_query(here),
        "like_next": here or (request.path if request else ""),
        "csrf": csrf_input(context),
        "update": id_path_pattern("connections:update"),
        "edit": id_path_pattern("connections:update_edit"),
        "delete": id_path_pattern("connections:update_delete"),
        "report": id_path_pattern("connections:report_update"),
        "like": id_path_pattern("connections:update_like"),
        "comments": id_path_pattern("connections:update_comments"),
        "edited": _("edited"),
        "audience": {
            True: format_html(
                '<span class="update-audience">{}</span>',
                icon_words("globe", _("Public")),
            ),
            False: format_html(
                '<span class="update-audience">{}</span>',
                icon_words("lock", _("Connections")),
            ),
        },
        "more": format_html(
            '<summary class="btn btn-icon" aria-label="{}">{}</summary>',
            _("More actions for this update"),
            decorative_icon("more"),
        ),
        "edit_label": icon_words("edit", _("Edit")),
        "delete_label": icon_words("trash", _("Delete")),
        "report_label": icon_words("flag", _("Report")),
        "removed": format_html(
            '<p class="update-removed muted">{}{}</p>',
            decorative_icon("shield"),
            _("Removed by moderators"),
        ),
        "like_label": icon_words("heart", _("Like")),
        "comment_label": icon_words("comment", _("Comment")),
    }


def _counted(one: str, many: str, n: int) -> str:
    """A count in words of the interface (markup included), as {% blocktranslate
    count %} writes it."""
    return mark_safe(ngettext(one, many, n) % {"n": n})  # noqa: S308 - n is a number


def comment_count_markup(n: int) -> str:
    return _counted(
        '<span aria-hidden="true">%(n)s</span>'
        '<span class="visually-hidden">%(n)s comment</span>',
        '<span aria-hidden="true">%(n)s</span>'
        '<span class="visually-hidden">%(n)s comments</span>',
        n,
    )


@register.simple_tag
def update_comment_count(update):
    """How many comments an update has, the number shown, the words read out."""
    return comment_count_markup(update.comment_count)


@register.simple_tag(takes_context=True)
def update_like(context, update):
    """The Like button of an update (a form: it works without JavaScript)."""
    parts = _parts(context)
    liked = bool(update.liked)
    like_url = id_path(parts["like"], update.pk)
    return format_html(
        '<form method="post" action="{}" class="like-form" hx-post="{}" '
        'hx-swap="outerHTML" hx-disabled-elt="find button">\n'
        '{}<input type="hidden" name="like" value="{}">'
        '<input type="hidden" name="next" value="{}#update-{}">\n'
        '<button type="submit" class="btn btn-ghost btn-sm{}" aria-pressed="{}">'
        '{} <span class="update-count">{}</span></button>\n</form>\n',
        like_url,
        like_url,
        parts["csrf"],
        "0" if liked else "1",
        parts["like_next"],
        update.pk,
        " is-liked" if liked else "",
        "true" if liked else "false",
        parts["like_label"],
        _counted(
            '<span aria-hidden="true">%(n)s</span>'
            '<span class="visually-hidden">%(n)s like</span>',
            '<span aria-hidden="true">%(n)s</span>'
            '<span class="visually-hidden">%(n)s likes</span>',
            update.like_count,
        ),
    )


def _menu(parts, update) -> str:
    if update.is_removed:
        return ""
    if update.author_id == parts["user_id"]:
        edit = id_path(parts["edit"], update.pk) + parts["here_query"]
        delete = id_path(parts["delete"], update.pk) + parts["here_query"]
        items = format_html(
            '<li><a href="{}" hx-get="{}" hx-target="#update-{}" '
            'hx-swap="outerHTML">{}</a></li>\n'
            '<li><a href="{}" hx-get="{}" hx-target="#dialog">{}</a></li>',
            edit,
            edit,
            update.pk,
            parts["edit_label"],
            delete,
            delete,
            parts["delete_label"],
        )
    elif parts["signed_in"]:
        report = id_path(parts["report"], update.pk)
        items = format_html(
            '<li><a href="{}" hx-get="{}" hx-target="#dialog">{}</a></li>',
            report,
            report,
            parts["report_label"],
        )
    else:
        return ""
    return format_html(
        '<details class="more-menu" data-menu>\n{}\n<div class="menu-panel">\n'
        '<ul class="menu-list">\n{}\n</ul>\n</div>\n</details>',
        parts["more"],
        items,
    )


def _body(context, parts, update, update_url: str) -> str:
    if update.is_removed:
        return parts["removed"]
    text = format_html(
        '<div class="update-text">{}</div>',
        linebreaksbr(urlizetrunc(update.text, 60, autoescape=True), autoescape=True),
    )
    if parts["signed_in"]:
        actions = format_html(
            '<footer class="update-actions">\n{}\n'
            '<a class="btn btn-ghost btn-sm" href="{}#comments" hx-get="{}" '
            'hx-target="#comments-{}" hx-swap="innerHTML">{} '
            '<span class="update-count" id="comment-count-{}">{}\n</span></a>\n'
            "</footer>",
            update_like(context, update),
            update_url,
            id_path(parts["comments"], update.pk),
            update.pk,
            parts["comment_label"],
            update.pk,
            comment_count_markup(update.comment_count),
        )
    else:
        actions = format_html(
            '<p class="update-actions small muted">{} · {}</p>',
            ngettext("%(n)s like", "%(n)s likes", update.like_count)
            % {"n": update.like_count},
            ngettext("%(n)s comment", "%(n)s comments", update.comment_count)
            % {"n": update.comment_count},
        )
    return format_html("{}\n{}", text, actions)


@register.simple_tag(takes_context=True)
def update_card(context, update):
    """One update: who posted it, when and for whom, its text, Like and
    Comment (counts only for visitors), the author's menu (Edit, Delete) or
    the others' (Report); its comments too where the page shows them.

    The author is `shown_author`, as the selectors of updates give it: what
    this viewer may see of them.
    """
    parts = _parts(context)
    author = update.shown_author
    update_url = id_path(parts["update"], update.pk)
    created = template_localtime(update.created)
    comments = ""
    if context.get("show_comments"):
        template = context.template.engine.get_template(
            "connections/_update_comments.html"
        )
        with context.push(update=update):
            comments = template.render(context)
    return format_html(
        '<article class="card update-card" id="update-{}" '
        'aria-labelledby="update-{}-author">\n'
        '<header class="update-head">\n{}\n<div class="update-meta">\n'
        '<a class="update-author" id="update-{}-author" href="{}">{}</a>\n{}\n'
        '<span class="item-sub"><a href="{}"><time datetime="{}">{}</time></a>'
        "{} · {}</span>\n</div>\n{}\n</header>\n{}\n"
        '<div class="update-comments" id="comments-{}">{}</div>\n</article>\n',
        update.pk,
        update.pk,
        avatar(author, "md"),
        update.pk,
        handle_path("connections:profile", author.handle),
        author.display_name,
        format_html('<span class="item-sub">{}</span>', author.headline)
        if author.headline
        else "",
        update_url,
        date_filter(created, "c"),
        date_filter(created, "j M Y, H:i"),
        f" · {parts['edited']}" if update.edited else "",
        parts["audience"][update.audience == "public"],
        _menu(parts, update),
        _body(context, parts, update, update_url),
        update.pk,
        comments,
    )
