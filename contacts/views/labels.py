"""Labels: create, rename and delete the member's groups of contacts."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from contacts.forms import LabelForm
from contacts.models import Label
from contacts.selectors.contacts import labels_with_counts
from contacts.services.labels import label_create, label_delete, label_rename
from contacts.views.common import go, navigation_context

LABELS_TEMPLATE = "contacts/label_list.html"


def _labels_page(request, *, create_form=None, rename=None, status=200):
    """The labels page, or its list for htmx, with any rejected form in place."""
    rename = rename or {}
    rows = [
        (
            label,
            rename.get(label.pk)
            or LabelForm(
                initial={"name": label.name}, auto_id=f"id_label_{label.pk}_%s"
            ),
        )
        for label in labels_with_counts(owner=request.user)
    ]
    context = navigation_context(request.user)
    context.update(create_form=create_form or LabelForm(auto_id="id_new_%s"), rows=rows)
    if request.htmx:
        return render(request, f"{LABELS_TEMPLATE}#manager", context, status=status)
    return render(request, LABELS_TEMPLATE, context, status=status)


def _owned_label(request, pk) -> Label:
    return get_object_or_404(Label.objects.filter(owner=request.user), pk=pk)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def label_list(request):
    """Manage labels; POST creates one."""
    if request.method == "GET":
        return _labels_page(request)
    form = LabelForm(request.POST, auto_id="id_new_%s")
    if form.is_valid():
        try:
            label = label_create(owner=request.user, name=form.cleaned_data["name"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Label “%(name)s” created.") % {"name": label.name}
            )
            if not request.htmx:
                return redirect("contacts:labels")
            return _labels_page(request)
    return _labels_page(request, create_form=form, status=422 if request.htmx else 200)


@require_POST
@vary_on_headers("HX-Request")
def label_rename_view(request, pk):
    """Rename a label."""
    label = _owned_label(request, pk)
    form = LabelForm(request.POST, auto_id=f"id_label_{label.pk}_%s")
    if form.is_valid():
        try:
            label_rename(label=label, name=form.cleaned_data["name"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Label renamed to “%(name)s”.") % {"name": label.name}
            )
            if not request.htmx:
                return redirect("contacts:labels")
            return _labels_page(request)
    return _labels_page(
        request, rename={label.pk: form}, status=422 if request.htmx else 200
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def label_delete_view(request, pk):
    """Delete a label after a confirmation; its contacts stay."""
    label = _owned_label(request, pk)
    if request.method == "GET":
        context = {"label": label, "count": label.links.count()}
        if request.htmx:
            return render(request, "contacts/label_confirm_delete.html#dialog", context)
        context.update(navigation_context(request.user))
        return render(request, "contacts/label_confirm_delete.html", context)
    name = label.name
    label_delete(label=label)
    messages.success(
        request,
        _("Label “%(name)s” deleted. Its contacts are still in your address book.")
        % {"name": name},
    )
    return go(request, reverse("contacts:labels"))
