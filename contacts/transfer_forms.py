"""Forms for importing, exporting and merging duplicate contacts."""

import secrets

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from connections.ids import parse_id
from contacts import csv_formats
from contacts.models import ContactImport, Label
from contacts.selectors.contacts import labels_counted
from contacts.selectors.transfer import ExportFormat, export_format_names
from contacts.services.imports import upload_problem


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Address book file"),
        help_text=_(
            "A vCard (.vcf) or CSV file, up to 10 MB and 25,000 contacts, or "
            "the .zip of Google Takeout or LinkedIn’s data export. Nothing is "
            "saved before you have seen what the file holds."
        ),
        error_messages={
            "empty": _("The file is empty."),
            "required": _("Choose a file to import."),
        },
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".vcf,.vcard,.csv,.zip,text/vcard,text/x-vcard,"
                "text/csv,application/zip"
            }
        ),
    )

    # A new token each time the form is shown: the same file sent twice with
    # it (a double click) starts one import.
    client_token = forms.CharField(
        widget=forms.HiddenInput, max_length=64, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("client_token", secrets.token_urlsafe(16))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        problem = upload_problem(size=upload.size)
        if problem:
            raise forms.ValidationError(problem)
        return upload

    def read(self) -> bytes:
        upload = self.cleaned_data["file"]
        data = b"".join(upload.chunks())
        # A file that grew past the limit while uploading is still refused.
        return data[: settings.RAPPORT_IMPORT_MAX_BYTES + 1]


class ColumnMappingForm(forms.Form):
    """One choice per CSV column: which field of a card it fills."""

    def __init__(self, *args, batch: ContactImport, **kwargs):
        super().__init__(*args, **kwargs)
        self.batch = batch
        choices = [("", _("Don’t import"))]
        known = csv_formats.valid_targets()
        extra = [
            (target, csv_formats.target_name(target))
            for target in dict.fromkeys(batch.mapping)
            if target and target not in known
        ]
        choices += [
            (str(group), list(options))
            for group, options in csv_formats.target_choices()
        ]
        extra_group = [(str(_("As the file says")), extra)] if extra else []
        # Columns with values in the file's first rows, and those without
        # (Outlook's export has 92 columns, most of them empty).
        self.columns = []
        self.empty_columns = []
        for index, column in enumerate(batch.columns):
            name = f"column_{index}"
            initial = batch.mapping[index] if index < len(batch.mapping) else ""
            own_note = csv_formats.note_target(column["name"])
            notes = [(own_note, csv_formats.target_name(own_note))]
            self.fields[name] = forms.ChoiceField(
                label=column["name"],
                choices=[
                    *choices,
                    (str(_("Kept in the notes")), notes),
                    *extra_group,
                ],
                required=False,
                initial=initial,
            )
            samples = column.get("samples", [])
            (self.columns if samples else self.empty_columns).append(
                (self[name], samples)
            )
        self.fields["date_order"] = forms.ChoiceField(
            label=_("Dates such as 4/5/1990"),
            # Short enough to be read whole in the select on a phone; the
            # help says what else the guess goes by.
            choices=[
                (ContactImport.DateOrder.GUESS, _("Guess from the file")),
                *(
                    (order, order.label)
                    for order in (
                        ContactImport.DateOrder.DAY_FIRST,
                        ContactImport.DateOrder.MONTH_FIRST,
                    )
                ),
            ],
            required=False,
            initial=batch.date_order,
            help_text=_(
                "A guess goes by dates such as 31/12/1990 in the file, else by "
                "your address book’s region. Dates written with a year first, "
                "or with dots (4.5.1990), are read the one way they can be."
            ),
        )

    def mapping(self) -> list[str]:
        return [
            self.cleaned_data.get(f"column_{index}", "")
            for index in range(len(self.batch.columns))
        ]


class ImportConfirmForm(forms.Form):
    on_duplicate = forms.ChoiceField(
        label=_("Contacts that look like ones you have"),
        choices=ContactImport.OnDuplicate.choices,
        initial=ContactImport.OnDuplicate.SKIP,
        widget=forms.RadioSelect,
    )


class ExportForm(forms.Form):
    ALL, LABEL, SELECTION, CONNECTIONS = "all", "label", "selection", "connections"

    scope = forms.ChoiceField(
        label=_("Contacts"),
        choices=[
            (ALL, _("All contacts")),
            (LABEL, _("The contacts with a label")),
            (SELECTION, _("The contacts you selected")),
            (CONNECTIONS, _("Your connections")),
        ],
        initial=ALL,
        widget=forms.RadioSelect,
    )
    label = forms.ModelChoiceField(
        label=_("Label"),
        queryset=Label.objects.none(),
        required=False,
        empty_label=_("Choose a label…"),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=list(export_format_names().items()),
        initial=ExportFormat.VCARD3,
        widget=forms.RadioSelect,
    )
    contact = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.MultipleHiddenInput
    )

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        # Each label with the number of its contacts (the Trash aside), in
        # words: "Imported 2026-11-29 (2)" is a name, not a count.
        self.fields["label"].queryset = labels_counted(owner=owner)
        self.fields["label"].label_from_instance = lambda label: (
            ngettext(
                "%(name)s · %(count)s contact",
                "%(name)s · %(count)s contacts",
                label.count,
            )
            % {"name": label.name, "count": f"{label.count:,}"}
        )
        self.fields["format"].choices = list(export_format_names().items())
        # Any number is accepted here; the selector keeps the owner's own.
        self.fields["contact"].valid_value = lambda value: parse_id(value) is not None

    def clean(self):
        cleaned = super().clean()
        scope = cleaned.get("scope")
        if scope == self.LABEL and not cleaned.get("label"):
            self.add_error("label", _("Choose the label to export."))
        # Choosing a label does not tick its option without JavaScript: which
        # of the two was meant is asked, not guessed.
        if scope == self.ALL and cleaned.get("label"):
            self.add_error(
                "label",
                _(
                    "You chose the label “%(name)s” but “All contacts” is ticked: "
                    "tick “The contacts with a label”, or choose no label to "
                    "export all."
                )
                % {"name": cleaned["label"].name},
            )
        if scope == self.SELECTION and not cleaned.get("contact"):
            self.add_error(
                "scope",
                _("Select contacts on the list first, then choose Export."),
            )
        limit = settings.RAPPORT_CONTACTS_BULK_MAX
        if scope == self.SELECTION and len(cleaned.get("contact") or []) > limit:
            self.add_error(
                "scope", _("Select at most %(limit)s contacts.") % {"limit": limit}
            )
        return cleaned
