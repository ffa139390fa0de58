"""Interface pieces of the address book that many rows repeat.

A list renders them fifty times, so what does not change from row to row
(URL patterns, translated words, icons) is worked out once per render and
kept in the template's render context.
"""

from html import escape as _e

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from connections.templatetags.ui import (
    avatar,
    decorative_icon,
    handle_path,
    icon,
    id_path,
    id_path_pattern,
    once_per_render,
)
from contacts import uploads

register = template.Library()


@once_per_render("contacts_ui")
def _shared(context) -> dict:
    return {
        "detail": id_path_pattern("contacts:detail"),
        "favorite": id_path_pattern("contacts:favorite"),
        "titles": (_("Add to favourites"), _("Remove from favourites")),
        "stars": (icon("star"), icon("star-filled")),
    }


@register.simple_tag(takes_context=True)
def contact_url(context, contact):
    """The contact's page, like `contact.get_absolute_url` but cheaper."""
    return id_path(_shared(context)["detail"], contact.pk)


@register.simple_tag(takes_context=True)
def favorite_button(context, contact):
    """The star of a contact, pressed when it is a favourite.

    It submits the page's shared `#favorite-form` (contacts/_shared_forms.html:
    the CSRF token and where to come back to) to this contact's URL, so a list
    of fifty rows needs one form; with htmx it swaps itself. Its name is the
    page's `#favorite-word` and the contact's name (id contact-name-<pk>).
    """
    shared = _shared(context)
    url = _e(id_path(shared["favorite"], contact.pk))
    on = int(bool(contact.is_favorite))
    # Plain formatting, each value escaped as `contact_row` does: a list of
    # fifty rows has fifty stars.
    return mark_safe(  # noqa: S308 - every value below is escaped or markup we wrote
        f'<button type="submit" form="favorite-form" formaction="{url}" '
        f'name="is_favorite" value="{"0" if on else "1"}" '
        f'class="btn btn-icon favorite-toggle{" is-favorite" if on else ""}" '
        f'aria-pressed="{"true" if on else "false"}" '
        f'aria-labelledby="favorite-word contact-name-{contact.pk}" '
        f'title="{_e(shared["titles"][on])}" hx-post="{url}" hx-target="this" '
        f'hx-swap="outerHTML">{shared["stars"][on]}</button>'
    )


@once_per_render("contact_row_parts")
def _row_parts(context) -> dict:
    """What every row of the contact list repeats, worked out once per render."""
    return {
        "selected": {str(pk) for pk in context.get("selected") or ()},
        "on_rapport": format_html(
            "{}<span>{}</span>", decorative_icon("user-check"), _("On Rapport")
        ),
    }


@register.simple_tag(takes_context=True)
def contact_row(context, contact):
    """One row of the contact list: the checkbox for the bulk actions, name and
    subtitle, first email and phone, the "On Rapport" badge and labels, and
    the star. Written in Python: a list has fifty rows, and the template
    engine would resolve some forty variables for each."""
    parts = _row_parts(context)
    pk = str(contact.pk)
    email, phone = contact.first_email, contact.first_phone
    subtitle = contact.subtitle
    # Without a job or organization the second line repeats the first email or
    # phone, which wide screens already show in their own columns.
    repeat = "" if subtitle else " contact-row-repeat"
    if not subtitle:
        subtitle = email.value if email else phone.value if phone else ""
    member = contact.on_rapport
    badge = ""
    if member:
        badge = (
            '<a class="badge badge-primary on-rapport-badge" href="'
            f'{_e(handle_path("connections:profile", member.handle))}">'
            f'{parts["on_rapport"]}<span class="visually-hidden">: '
            f"{_e(member.display_name)}</span></a>"
        )
    # A value cut short by its column shows whole in its title.
    email_link = (
        f'<a href="mailto:{_e(email.value)}" title="{_e(email.value)}">'
        f"{_e(email.value)}</a>"
        if email
        else ""
    )
    phone_link = (
        f'<a href="tel:{_e(phone.tel_uri)}" title="{_e(phone.value)}">'
        f"{_e(phone.value)}</a>"
        if phone
        else ""
    )
    names = [label.name for label in contact.label_list]
    chips = ""
    if names:
        chips = (
            f'<span class="contact-chips" title="{_e(", ".join(names))}">'
            + "".join(f'<span class="chip">{_e(name)}</span>' for name in names)
            + "</span>"
        )
    name, sub = _e(contact.shown_name), _e(subtitle)
    checked = " checked" if pk in parts["selected"] else ""
    # Plain formatting with each value escaped: a tenth of format_html's cost
    # per value, fifty rows a page.
    return mark_safe(  # noqa: S308 - every value below is escaped or markup we wrote
        '<li class="contact-row">\n'
        f'<span class="contact-select"><input type="checkbox" id="select-{pk}" '
        f'name="contact" value="{pk}" form="bulk-form" data-bulk-item '
        f'aria-labelledby="select-word contact-name-{pk}"{checked}></span>\n'
        f'<a class="contact-row-main" href="{_e(contact_url(context, contact))}">\n'
        f"{avatar(contact, 'md')}\n"
        '<span class="contact-row-text">\n'
        f'<span class="item-title" id="contact-name-{pk}" title="{name}">{name}'
        "</span>\n"
        f'<span class="item-sub{repeat}" title="{sub}">{sub}</span>\n'
        "</span>\n</a>\n"
        f'<span class="contact-cell contact-cell-email">{email_link}</span>\n'
        f'<span class="contact-cell contact-cell-phone">{phone_link}</span>\n'
        f'<span class="contact-cell contact-cell-labels">\n{badge}\n{chips}\n'
        "</span>\n"
        f'<span class="contact-row-star">{favorite_button(context, contact)}</span>\n'
        "</li>\n"
    )


@register.filter
def read_as(batch) -> str:
    """What an import's file was read as: its encoding, or its files' in an
    archive of files in several encodings."""
    return uploads.read_as(batch.encoding, batch.parts)


@register.filter
def line_place(card: dict) -> str:
    """Where a card an import lists is: "line 3", or "Léa Côté.vcf, line 3"
    for a card of one of an archive's files; "Notes.vcf" for a file of it
    that holds no card."""
    return uploads.line_place(card.get("line"), card.get("file", ""))
