"""Interface pieces of the address book that many rows repeat.

A list renders them fifty times, so what does not change from row to row
(URL patterns, translated words, icons) is worked out once per render and
kept in the template's render context.
"""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from connections.templatetags.ui import icon

register = template.Library()

PLACEHOLDER = 2_147_483_647  # a pk no contact has; replaced by the real one


def _shared(context) -> dict:
    shared = context.render_context.get("contacts_ui")
    if shared is None:
        shared = {
            "detail": reverse("contacts:detail", args=[PLACEHOLDER]),
            "favorite": reverse("contacts:favorite", args=[PLACEHOLDER]),
            "titles": (_("Add to favourites"), _("Remove from favourites")),
            "stars": (icon("star"), icon("star-filled")),
        }
        context.render_context["contacts_ui"] = shared
    return shared


def _url(pattern: str, pk) -> str:
    return pattern.replace(str(PLACEHOLDER), str(pk))


@register.simple_tag(takes_context=True)
def contact_url(context, contact):
    """The contact's page, like `contact.get_absolute_url` but cheaper."""
    return _url(_shared(context)["detail"], contact.pk)


@register.simple_tag(takes_context=True)
def favorite_button(context, contact):
    """The star of a contact, pressed when it is a favourite.

    It submits the page's shared `#favorite-form` (contacts/_shared_forms.html:
    the CSRF token and where to come back to) to this contact's URL, so a list
    of fifty rows needs one form; with htmx it swaps itself. Its name is the
    page's `#favorite-word` and the contact's name (id contact-name-<pk>).
    """
    shared = _shared(context)
    url = _url(shared["favorite"], contact.pk)
    on = int(bool(contact.is_favorite))
    return format_html(
        '<button type="submit" form="favorite-form" formaction="{url}" '
        'name="is_favorite" value="{value}" class="btn btn-icon favorite-toggle{on}" '
        'aria-pressed="{pressed}" aria-labelledby="favorite-word contact-name-{pk}" '
        'title="{title}" hx-post="{url}" hx-target="this" hx-swap="outerHTML">'
        "{star}</button>",
        url=url,
        value="0" if on else "1",
        on=" is-favorite" if on else "",
        pressed="true" if on else "false",
        pk=str(contact.pk),
        title=shared["titles"][on],
        star=shared["stars"][on],
    )
