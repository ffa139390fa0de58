"""Import and Export: upload, columns, preview, progress, undo, download."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRefresh

from connections.ids import parse_id, parse_ids
from connections.selectors.profiles import connection_count
from contacts.models import Contact, ContactImport
from contacts.models.imports import CANCELLABLE_STATUSES, WAITING_STATUSES
from contacts.selectors.transfer import (
    ExportFormat,
    contacts_to_export,
    export_connections,
    export_format_hints,
    export_format_names,
    export_stream,
    import_duplicates_listed,
    import_undo_labels_going,
    recent_imports,
)
from contacts.services.exports import export_spend
from contacts.services.imports import (
    adding_count,
    import_confirm,
    import_discard,
    import_end_if_stopped,
    import_keeps_file,
    import_label_name_free,
    import_set_mapping,
    import_undo_start,
    import_upload,
    limit_problem,
    room_left,
)
from contacts.transfer_forms import (
    ColumnMappingForm,
    ExportForm,
    ImportConfirmForm,
    ImportUploadForm,
)
from contacts.views.common import go, navigation_context

START_TEMPLATE = "contacts/import_start.html"
DETAIL_TEMPLATE = "contacts/import_detail.html"
UNDO_TEMPLATE = "contacts/import_undo.html"
# Up to this many labels going with an undo are named, more are counted.
LABELS_GOING_NAMED = 3
EXPORT_TEMPLATE = "contacts/export_form.html"
Status = ContactImport.Status
OnDuplicate = ContactImport.OnDuplicate


def _choice_words(value: str, count: int) -> tuple[str, str]:
    """A duplicates choice's text and help, for one card or several."""
    if value == OnDuplicate.SKIP:
        return (
            ngettext("Skip it", "Skip them", count),
            ngettext(
                "Your contact stays as it is.", "Your contacts stay as they are.", count
            ),
        )
    if value == OnDuplicate.MERGE:
        return (
            ngettext(
                "Add its details to the existing contact",
                "Add their details to the existing contacts",
                count,
            ),
            ngettext(
                "New emails, phones, addresses, websites and labels are added to "
                "it, empty fields are filled and notes added.",
                "New emails, phones, addresses, websites and labels are added to "
                "them, empty fields are filled and notes added.",
                count,
            ),
        )
    return (
        ngettext(
            "Import it anyway, as a new contact",
            "Import them anyway, as new contacts",
            count,
        ),
        ngettext(
            "You can merge it later on the Duplicates page.",
            "You can merge them later on the Duplicates page.",
            count,
        ),
    )


def _import_of(request, pk) -> ContactImport:
    return get_object_or_404(ContactImport.objects.owned_by(request.user), pk=pk)


@require_http_methods(["GET", "POST"])
def import_start(request):
    """Import: upload an address book file; the recent imports below."""
    form, status = ImportUploadForm(), 200
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                batch = import_upload(
                    owner=request.user,
                    file_name=upload.name,
                    data=form.read(),
                    client_token=form.cleaned_data["client_token"],
                )
            except ValidationError as error:
                form.add_error("file", error)
                status = 429 if error.code == "rate_limit" else 400
            else:
                return redirect("contacts:import_detail", pk=batch.pk)
        else:
            status = 400
    if form.errors:
        # Back with the focus on the field its error describes, read out.
        form.fields["file"].widget.attrs["autofocus"] = True
    imports = recent_imports(owner=request.user)
    # Every waiting import is in the list, however old.
    waiting = sum(batch.status in WAITING_STATUSES for batch in imports)
    context = {
        "form": form,
        "imports": imports,
        "cancellable": CANCELLABLE_STATUSES,
        "waiting": waiting,
        "waiting_full": waiting >= settings.RAPPORT_IMPORTS_WAITING_MAX,
        **navigation_context(request.user),
    }
    return render(request, START_TEMPLATE, context, status=status)


def _detail_context(request, batch: ContactImport, **extra) -> dict:
    context = {"batch": batch, "Status": Status, **extra}
    if batch.status == Status.READY:
        form = context.setdefault("confirm_form", ImportConfirmForm())
        picked = form.data.get("on_duplicate", OnDuplicate.SKIP)
        room = room_left(owner=request.user)
        choices = []
        for value in OnDuplicate.values:
            text, help_text = _choice_words(value, batch.duplicate_count)
            problem = limit_problem(
                owner=request.user, adding=adding_count(batch, value), room=room
            )
            choices.append(
                {
                    "value": value,
                    "text": text,
                    "help": help_text,
                    "checked": value == picked,
                    "problem": problem,
                }
            )
        context["choices"] = choices
        context["label_name"] = import_label_name_free(batch=batch)
        context["duplicates"] = import_duplicates_listed(
            owner=request.user, batch=batch
        )
    if batch.status in {Status.MAPPING} or "mapping_form" in extra:
        context.setdefault("mapping_form", ColumnMappingForm(batch=batch))
    return context


@require_GET
@vary_on_headers("HX-Request")
def import_detail(request, pk):
    """One import: its columns, progress, preview, outcome or undo."""
    batch = import_end_if_stopped(_import_of(request, pk))
    context = _detail_context(request, batch)
    context.update(navigation_context(request.user))
    return render(request, DETAIL_TEMPLATE, context)


@require_GET
def import_progress(request, pk):
    """What the progress bar polls: the bar, or a refresh once it is done."""
    batch = import_end_if_stopped(_import_of(request, pk))
    if not request.htmx:
        return redirect("contacts:import_detail", pk=batch.pk)
    if not batch.is_working:
        return HttpResponseClientRefresh()
    return render(request, f"{DETAIL_TEMPLATE}#progress", {"batch": batch})


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def import_columns(request, pk):
    """Choose which field each column of a CSV file fills."""
    batch = _import_of(request, pk)
    if batch.file_format == ContactImport.Format.VCARD or not import_keeps_file(batch):
        return redirect("contacts:import_detail", pk=batch.pk)
    form = ColumnMappingForm(batch=batch)
    if request.method == "POST":
        form = ColumnMappingForm(request.POST, batch=batch)
        if form.is_valid():
            try:
                import_set_mapping(
                    batch=batch,
                    mapping=form.mapping(),
                    date_order=form.cleaned_data["date_order"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return go(request, reverse("contacts:import_detail", args=[batch.pk]))
    context = _detail_context(request, batch, mapping_form=form, choosing=True)
    context.update(navigation_context(request.user))
    status = 200
    if form.errors:
        status = 422 if request.htmx else 400
    if request.htmx:
        return render(request, f"{DETAIL_TEMPLATE}#mapping", context, status=status)
    return render(request, DETAIL_TEMPLATE, context, status=status)


@require_POST
@vary_on_headers("HX-Request")
def import_confirm_view(request, pk):
    """Import: save the previewed contacts, with the choice for duplicates."""
    batch = _import_of(request, pk)
    form = ImportConfirmForm(request.POST)
    if form.is_valid():
        try:
            import_confirm(batch=batch, on_duplicate=form.cleaned_data["on_duplicate"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return go(request, reverse("contacts:import_detail", args=[batch.pk]))
    context = _detail_context(request, batch, confirm_form=form)
    if request.htmx:
        return render(request, f"{DETAIL_TEMPLATE}#preview", context, status=422)
    context.update(navigation_context(request.user))
    return render(request, DETAIL_TEMPLATE, context, status=400)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def import_undo_view(request, pk):
    """Undo an import, after saying what it will do."""
    batch = _import_of(request, pk)
    if request.method == "GET":
        if batch.status != Status.DONE:
            return redirect("contacts:import_detail", pk=batch.pk)
        going = import_undo_labels_going(batch=batch)
        context = {
            "batch": batch,
            "labels_going": len(going),
            "labels_going_named": (
                get_text_list([f"“{name}”" for name in going], _("and"))
                if len(going) <= LABELS_GOING_NAMED
                else ""
            ),
        }
        if request.htmx:
            return render(request, f"{UNDO_TEMPLATE}#dialog", context)
        context.update(navigation_context(request.user))
        return render(request, UNDO_TEMPLATE, context)
    try:
        import_undo_start(batch=batch)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return go(request, reverse("contacts:import_detail", args=[batch.pk]))


@require_POST
def import_discard_view(request, pk):
    """Forget an import that was not saved."""
    batch = _import_of(request, pk)
    if batch.status in CANCELLABLE_STATUSES:
        import_discard(batch=batch)
        messages.info(
            request,
            _("Nothing was imported from %(name)s.") % {"name": batch.file_name},
        )
    return go(request, reverse("contacts:import"))


# ---------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------


def _export_initial(request) -> dict:
    data = request.POST if request.method == "POST" else request.GET
    initial = {"contact": [str(pk) for pk in parse_ids(data.getlist("contact"))]}
    label = parse_id(data.get("label", ""))
    if initial["contact"]:
        initial["scope"] = ExportForm.SELECTION
    elif label is not None:
        initial["scope"] = ExportForm.LABEL
        initial["label"] = label
    elif data.get("scope") in (ExportForm.ALL, ExportForm.CONNECTIONS):
        initial["scope"] = data["scope"]
    if data.get("format") in export_format_names():
        initial["format"] = data["format"]
    return initial


@require_http_methods(["GET", "POST"])
def export_form(request):
    """Export: choose the contacts and the format.

    The list's "Export" button posts its selection here (or, with
    JavaScript, opens this page with it in the address).
    """
    initial = _export_initial(request)
    form = ExportForm(owner=request.user, initial=initial)
    context = _export_context(request, form, selected=len(initial["contact"]))
    return render(request, EXPORT_TEMPLATE, context)


def _export_context(request, form, *, selected: int) -> dict:
    hints = export_format_hints()
    if form.errors.get("label"):
        form.fields["label"].widget.attrs["autofocus"] = True
    return {
        "form": form,
        "selected": selected,
        "everyone": Contact.objects.owned_by(request.user).count(),
        "connections": connection_count(member=request.user),
        "formats": [
            (value, text, hints.get(value, ""))
            for value, text in form.fields["format"].choices
        ],
        **navigation_context(request.user),
    }


@require_http_methods(["GET", "POST"])
def export_download(request):
    """The chosen contacts as a file, streamed as it is written.

    The form posts here: an export counts against the hourly limit, so it
    takes a POST, which another site cannot make in the member's name. One
    contact's card is free of the limit and also answers a link (GET), as
    its page offers; any other GET goes back to the form, nothing spent.
    """
    data = request.POST if request.method == "POST" else request.GET
    form = ExportForm(data, owner=request.user)
    if not form.is_valid():
        if request.method == "GET":
            return _export_form_again(request)
        context = _export_context(request, form, selected=len(data.getlist("contact")))
        return render(request, EXPORT_TEMPLATE, context, status=400)
    data = form.cleaned_data
    scope = data["scope"]
    export_format = data["format"]
    one_card = scope == ExportForm.SELECTION and len(data["contact"]) == 1
    if request.method == "GET" and not one_card:
        return _export_form_again(request)
    if not one_card:
        try:
            export_spend(owner=request.user)
        except ValidationError as error:
            form.add_error(None, error)
            context = _export_context(request, form, selected=len(data["contact"]))
            return render(request, EXPORT_TEMPLATE, context, status=429)
    extension = ExportFormat.EXTENSIONS[export_format]
    if scope == ExportForm.CONNECTIONS:
        stamp = timezone.localdate().isoformat()
        return _download(
            export_connections(viewer=request.user, export_format=export_format),
            export_format,
            f"{_safe_name(_('connections'))}-{stamp}.{extension}",
        )
    contacts = contacts_to_export(
        owner=request.user,
        label_id=data["label"].pk if scope == ExportForm.LABEL else None,
        contact_ids=data["contact"] if scope == ExportForm.SELECTION else None,
    )
    name = _("contacts")
    if scope == ExportForm.LABEL:
        name = data["label"].name
    one = None
    if scope == ExportForm.SELECTION and len(data["contact"]) == 1:
        # One contact's card is named after them, as address book apps do.
        one = contacts.values_list("shown_name", flat=True).first()
    if one:
        filename = f"{_card_name(one)}.{extension}"
    else:
        stamp = timezone.localdate().isoformat()
        filename = f"{_safe_name(name)}-{stamp}.{extension}"
    return _download(export_stream(contacts, export_format), export_format, filename)


def _export_form_again(request):
    """The Export page with the choices of a link, for the member to confirm."""
    query = request.GET.urlencode()
    return redirect(reverse("contacts:export") + (f"?{query}" if query else ""))


def _download(stream, export_format: str, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        stream, content_type=ExportFormat.CONTENT_TYPES[export_format]
    )
    # filename*= (RFC 6266) carries a name in any script.
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _card_name(name: str) -> str:
    """A contact's name as a file name: letters, digits, spaces, dots, hyphens."""
    kept = "".join(char if char.isalnum() or char in " .-" else " " for char in name)
    return " ".join(kept.split()).strip(" .")[:80] or _("contact")


def _safe_name(name: str) -> str:
    kept = "".join(char if char.isalnum() else "-" for char in name.lower())
    return "-".join(part for part in kept.split("-") if part)[:40] or "contacts"
