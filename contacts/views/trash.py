"""Trash: restore a deleted contact, delete it for good, empty the Trash."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from contacts.models import Contact
from contacts.selectors.contacts import trash_page
from contacts.services.duplicates import with_merges_that_trashed
from contacts.services.trash import contact_purge, contact_restore, trash_empty
from contacts.views.common import go, navigation_context

TRASH_TEMPLATE = "contacts/trash_list.html"


@require_GET
@vary_on_headers("HX-Request")
def trash_list(request):
    """The contacts deleted in the last RAPPORT_CONTACTS_TRASH_DAYS days."""
    page = trash_page(owner=request.user, after=request.GET.get("after"))
    with_merges_that_trashed(owner=request.user, contacts=page.contacts)
    context = {"page": page, "trash_days": settings.RAPPORT_CONTACTS_TRASH_DAYS}
    if request.htmx and request.GET.get("after"):
        return render(request, f"{TRASH_TEMPLATE}#rows", context)
    context.update(navigation_context(request.user))
    return render(request, TRASH_TEMPLATE, context)


@require_POST
@vary_on_headers("HX-Request")
def trash_restore(request, pk):
    """Bring a contact back from the Trash."""
    contact = get_object_or_404(Contact.objects.filter(owner=request.user), pk=pk)
    if contact.deleted_at is None:
        # A second click: the first one restored it.
        messages.info(
            request,
            _("%(name)s was restored already.") % {"name": contact.shown_name},
        )
    else:
        contact_restore(contact=contact)
        messages.success(
            request, _("%(name)s was restored.") % {"name": contact.shown_name}
        )
    if request.htmx:
        if not Contact.objects.in_trash_of(request.user).exists():
            # The last one: show the page again, with its empty state.
            return go(request, reverse("contacts:trash"))
        # The row leaves the Trash list; the flash message rides along.
        return HttpResponse("")
    return redirect("contacts:trash")


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def trash_purge(request, pk):
    """Delete one contact in the Trash for good, after a confirmation."""
    contact = get_object_or_404(Contact.objects.in_trash_of(request.user), pk=pk)
    if request.method == "GET":
        return _confirm(request, "purge", {"contact": contact})
    try:
        contact_purge(contact=contact)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(name)s was deleted for good.") % {"name": contact.shown_name},
        )
    return go(request, reverse("contacts:trash"))


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def trash_empty_view(request):
    """Empty the Trash at once, after a confirmation."""
    if request.method == "GET":
        count = Contact.objects.in_trash_of(request.user).count()
        return _confirm(request, "empty", {"count": count})
    count = trash_empty(owner=request.user)
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)s contact was deleted for good.",
                "%(count)s contacts were deleted for good.",
                count,
            )
            % {"count": count},
        )
    else:
        messages.info(request, _("The Trash was already empty."))
    return go(request, reverse("contacts:trash"))


def _confirm(request, action: str, context: dict):
    """A confirmation: a dialog for htmx, a page without JavaScript."""
    context = {"action": action, **context}
    if request.htmx:
        return render(request, "contacts/trash_confirm.html#dialog", context)
    context.update(navigation_context(request.user))
    return render(request, "contacts/trash_confirm.html", context)
