"""The Contacts list, a contact's card, adding and editing, bulk actions."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from connections.photos import PhotoSizeLimit, too_big_message
from connections.selectors.network import Relationship, relationship_with
from connections.views.common import safe_next
from contacts.forms import DETAIL_KINDS, BulkForm, ContactEditor
from contacts.models import Contact
from contacts.selectors.contacts import (
    Sort,
    contact_page,
    contact_with_details,
    contacts_on_rapport,
)
from contacts.selectors.duplicates import lookalikes
from contacts.services.contacts import (
    contact_create,
    contact_set_favorite,
    contact_update,
)
from contacts.services.duplicates import undoable_merge_into
from contacts.services.labels import contacts_bulk_label
from contacts.services.trash import contact_trash, contacts_bulk_trash
from contacts.views.common import ListParams, go, navigation_context

LIST_TEMPLATE = "contacts/contact_list.html"
DETAIL_TEMPLATE = "contacts/contact_detail.html"
FORM_TEMPLATE = "contacts/contact_form.html"


def _list_context(request, params: ListParams, **extra) -> dict:
    page = contact_page(
        owner=request.user,
        query=params.query,
        sort=params.sort,
        label_id=params.label_id,
        favorites=params.favorites,
        after=params.after,
    )
    query = params.as_query()
    return {
        "page": page,
        "params": params,
        "list_query": query,
        "list_path": reverse("contacts:list")
        + (f"?{urlencode(query)}" if query else ""),
        "sorts": Sort,
        **extra,
    }


@require_GET
@vary_on_headers("HX-Request")
def contact_list(request):
    """The address book: search, sort, filter by label or favourites, load more."""
    params = ListParams.from_request(request)
    if request.htmx:
        # "Load more" carries a cursor and gets the next rows; the search box
        # and the sort get the results from the top.
        fragment = "rows" if params.after else "results"
        return render(
            request, f"{LIST_TEMPLATE}#{fragment}", _list_context(request, params)
        )
    context = navigation_context(request.user)
    label = None
    if params.label_id is not None:
        label = next(
            (item for item in context["nav_labels"] if item.pk == params.label_id),
            None,
        )
        if label is None:
            raise Http404("No such label.")
    context.update(_list_context(request, params, current_label=label))
    return render(request, LIST_TEMPLATE, context)


@require_POST
@vary_on_headers("HX-Request")
def contacts_bulk(request):
    """Add or remove a label, or delete, for the contacts selected on the list."""
    form = BulkForm(request.POST, owner=request.user)
    params = ListParams.from_request(request)
    back = safe_next(request, reverse("contacts:list"))
    selected = request.POST.getlist("contact")
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == BulkForm.DELETE:
                count = contacts_bulk_trash(
                    owner=request.user, contact_ids=data["contact"]
                )
                messages.success(
                    request,
                    ngettext(
                        "%(count)s contact moved to the Trash.",
                        "%(count)s contacts moved to the Trash.",
                        count,
                    )
                    % {"count": count},
                )
            else:
                adding = data["action"] == BulkForm.ADD_LABEL
                count = contacts_bulk_label(
                    owner=request.user,
                    contact_ids=data["contact"],
                    label=data["apply_label"],
                    add=adding,
                )
                if adding:
                    text = ngettext(
                        "Label “%(label)s” added to %(count)s contact.",
                        "Label “%(label)s” added to %(count)s contacts.",
                        count,
                    )
                else:
                    text = ngettext(
                        "Label “%(label)s” removed from %(count)s contact.",
                        "Label “%(label)s” removed from %(count)s contacts.",
                        count,
                    )
                messages.success(
                    request, text % {"label": data["apply_label"].name, "count": count}
                )
        except ValidationError as error:
            form.add_error(None, error)
    if form.errors:
        for error in form.errors.values():
            for message in error:
                messages.error(request, message)
        if not request.htmx:
            return redirect(back)
        context = _list_context(
            request, ListParams(**{**params.__dict__, "after": None})
        )
        context["selected"] = set(selected)
        return render(request, f"{LIST_TEMPLATE}#results", context, status=422)
    if not request.htmx:
        return redirect(back)
    context = _list_context(request, ListParams(**{**params.__dict__, "after": None}))
    response = render(request, f"{LIST_TEMPLATE}#results", context)
    response["HX-Trigger"] = "contactsChanged"
    return response


@require_GET
@vary_on_headers("HX-Request")
def contact_detail(request, pk):
    """Everything about one contact; an htmx request gets the card alone."""
    return _detail_response(request, pk)


def _detail_response(request, pk):
    contact = get_object_or_404(contact_with_details(owner=request.user), pk=pk)
    member = contacts_on_rapport(owner=request.user, contacts=[contact]).get(contact.pk)
    relationship = None
    if member is not None:
        relationship = relationship_with(viewer=request.user, member=member)
        if relationship.state == Relationship.UNAVAILABLE:
            member = relationship = None
    context = {
        "contact": contact,
        "member": member,
        "relationship": relationship,
        "merge": undoable_merge_into(contact),
        "lookalikes": lookalikes(contact),
    }
    if request.htmx and request.htmx.target == "contact-card":
        return render(request, f"{DETAIL_TEMPLATE}#card", context)
    return render(request, DETAIL_TEMPLATE, context)


def _editor_response(request, editor, *, contact=None, status=200):
    editor.place_focus()
    inline = bool(request.htmx) and request.htmx.target == "contact-card"
    context = {
        "editor": editor,
        "contact": contact,
        "kinds": DETAIL_KINDS,
        "editor_target": "#contact-card" if inline else "#contact-editor",
    }
    if request.htmx:
        return render(request, f"{FORM_TEMPLATE}#editor", context, status=status)
    return render(request, FORM_TEMPLATE, context, status=status)


def _rearranged(request, *, contact=None):
    """The editor with a row added or removed, if one of those buttons was used."""
    add, remove = ContactEditor.row_action(request.POST)
    if add is None and remove is None:
        return None
    return ContactEditor.rearranged(
        owner=request.user, data=request.POST, contact=contact, add=add, remove=remove
    )


@csrf_exempt  # checked by `_contact_add`, once the upload handler is in place
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def contact_add(request):
    """Add contact: one form for the card, its details, labels and photo."""
    if request.method == "POST":
        # Before the body is read, as the CSRF check reads it: a photo over
        # the limit is left out as it arrives, and the rest of the form kept.
        request.upload_handlers.insert(0, PhotoSizeLimit(request))
    return _contact_add(request)


@csrf_protect
def _contact_add(request):
    if request.method == "GET":
        return _editor_response(request, ContactEditor(owner=request.user))
    # With htmx, the chosen file stays in its field (`hx-preserve`); a page
    # loaded again has it no more.
    photo_chosen = bool(request.FILES.get("photo")) and not request.htmx
    editor = _rearranged(request)
    if editor is not None:
        editor.photo_dropped = photo_chosen
        return _editor_response(request, editor)
    editor = ContactEditor(owner=request.user, data=request.POST, files=request.FILES)
    valid = editor.is_valid()
    if "photo" in request.photos_too_big:
        editor.form.add_error("photo", too_big_message())
        valid = False
    if valid:
        try:
            contact = contact_create(
                owner=request.user, data=editor.to_data(), creation_token=editor.token
            )
        except ValidationError as error:
            editor.add_error(error)
        else:
            messages.success(
                request, _("%(name)s was added.") % {"name": contact.shown_name}
            )
            return go(request, contact.get_absolute_url())
    editor.photo_dropped = photo_chosen and "photo" not in editor.form.errors
    return _editor_response(request, editor, status=422 if request.htmx else 200)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def contact_edit(request, pk):
    """Edit a contact, inline on its card with htmx or as a page without."""
    contact = get_object_or_404(contact_with_details(owner=request.user), pk=pk)
    if request.method == "GET":
        editor = ContactEditor(owner=request.user, contact=contact)
        return _editor_response(request, editor, contact=contact)
    editor = _rearranged(request, contact=contact)
    if editor is not None:
        return _editor_response(request, editor, contact=contact)
    editor = ContactEditor(owner=request.user, data=request.POST, contact=contact)
    if editor.is_valid():
        try:
            contact_update(contact=contact, data=editor.to_data())
        except ValidationError as error:
            editor.add_error(error)
        else:
            messages.success(request, _("Changes saved."))
            if request.htmx and request.htmx.target == "contact-card":
                return _detail_response(request, pk)
            return go(request, contact.get_absolute_url())
    return _editor_response(
        request, editor, contact=contact, status=422 if request.htmx else 200
    )


@require_POST
@vary_on_headers("HX-Request")
def contact_favorite(request, pk):
    """Star or unstar a contact (`is_favorite` = 1 or 0)."""
    contact = get_object_or_404(Contact.objects.owned_by(request.user), pk=pk)
    contact_set_favorite(
        contact=contact, is_favorite=request.POST.get("is_favorite") == "1"
    )
    if request.htmx:
        return render(
            request,
            "contacts/_favorite_button.html",
            {"contact": contact, "next": safe_next(request, "")},
        )
    return redirect(safe_next(request, contact.get_absolute_url()))


@require_POST
def contact_delete(request, pk):
    """Move a contact to the Trash."""
    contact = get_object_or_404(Contact.objects.owned_by(request.user), pk=pk)
    contact_trash(contact=contact)
    messages.success(
        request,
        _("%(name)s moved to the Trash. You can restore it for %(days)s days.")
        % {"name": contact.shown_name, "days": settings.RAPPORT_CONTACTS_TRASH_DAYS},
    )
    return go(request, reverse("contacts:list"))
