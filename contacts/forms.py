"""Forms of the contacts app: the contact editor, labels, the phone region."""

import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from connections.forms import PlainTextField
from connections.ids import parse_id
from connections.photos import read_photo
from contacts.models import (
    Contact,
    ContactAddress,
    DetailLabel,
    Label,
)
from contacts.models.contacts import NOTES_MAX, birthday_error
from contacts.models.details import CUSTOM_LABEL_MAX
from contacts.models.labels import LABEL_NAME_MAX
from contacts.phones import region_choices
from contacts.services.contacts import (
    SCALAR_FIELDS,
    AddressEntry,
    ContactData,
    EmailEntry,
    PhoneEntry,
    WebsiteEntry,
)
from contacts.services.photos import photo_pictures
from contacts.text import digits

BIRTH_YEAR_MIN = 1800


class DetailForm(forms.Form):
    """One email, phone, address or website row, with its label."""

    label = forms.ChoiceField(label=_("Label"), choices=DetailLabel.choices)
    custom_label = forms.CharField(
        label=_("Custom label"),
        max_length=CUSTOM_LABEL_MAX,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Custom label")}),
    )
    default_label = DetailLabel.OTHER
    value_fields: tuple[str, ...] = ("value",)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("use_required_attribute", False)
        super().__init__(*args, **kwargs)
        self.fields["label"].initial = self.default_label

    def has_value(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return any(data.get(name) for name in self.value_fields)

    def clean(self):
        cleaned = super().clean()
        if (
            self.has_value()
            and cleaned.get("label") == DetailLabel.CUSTOM
            and not cleaned.get("custom_label", "").strip()
        ):
            self.add_error("custom_label", _("Name the custom label."))
        return cleaned


class EmailForm(DetailForm):
    value = forms.EmailField(
        label=_("Email"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(
            attrs={"placeholder": _("name@example.com"), "autocomplete": "off"}
        ),
    )
    field_order = ["value", "label", "custom_label"]
    default_label = DetailLabel.HOME

    def entry(self) -> EmailEntry:
        data = self.cleaned_data
        return EmailEntry(data["value"], data["label"], data["custom_label"])


class PhoneForm(DetailForm):
    value = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(
            attrs={"type": "tel", "placeholder": _("Phone"), "autocomplete": "off"}
        ),
    )
    field_order = ["value", "label", "custom_label"]
    default_label = DetailLabel.MOBILE

    def clean_value(self):
        value = self.cleaned_data["value"].strip()
        if value and not digits(value):
            raise ValidationError(_("A phone number needs at least one digit."))
        return value

    def entry(self) -> PhoneEntry:
        data = self.cleaned_data
        return PhoneEntry(data["value"], data["label"], data["custom_label"])


class AddressForm(DetailForm):
    street = PlainTextField(
        label=_("Street"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off"}),
    )
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    region = forms.CharField(label=_("State or region"), max_length=100, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20, required=False)
    country = forms.CharField(label=_("Country"), max_length=100, required=False)
    field_order = [*ContactAddress.PARTS, "label", "custom_label"]
    default_label = DetailLabel.HOME
    value_fields = ContactAddress.PARTS

    def entry(self) -> AddressEntry:
        data = self.cleaned_data
        parts = {name: data[name] for name in ContactAddress.PARTS}
        return AddressEntry(
            **parts, label=data["label"], custom_label=data["custom_label"]
        )


class WebsiteForm(DetailForm):
    value = forms.URLField(
        label=_("Website"),
        max_length=500,
        required=False,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        widget=forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "off"}),
    )
    field_order = ["value", "label", "custom_label"]

    def entry(self) -> WebsiteEntry:
        data = self.cleaned_data
        return WebsiteEntry(data["value"], data["label"], data["custom_label"])


def _formset(form_class):
    limit = settings.RAPPORT_CONTACT_DETAILS_MAX
    return forms.formset_factory(
        form_class, extra=0, max_num=limit, validate_max=True, absolute_max=limit
    )


class DetailKind:
    """A repeatable kind of detail on the contact form."""

    def __init__(self, prefix, form_class, title, add_label, row_label, starts_with):
        self.prefix = prefix
        self.title = title
        self.formset_class = _formset(form_class)
        self.add_label = add_label
        self.row_label = row_label
        self.starts_with = starts_with


DETAIL_KINDS = {
    kind.prefix: kind
    for kind in (
        DetailKind("emails", EmailForm, _("Emails"), _("Add email"), _("Email"), 1),
        DetailKind("phones", PhoneForm, _("Phones"), _("Add phone"), _("Phone"), 1),
        DetailKind(
            "addresses", AddressForm, _("Addresses"), _("Add address"), _("Address"), 0
        ),
        DetailKind(
            "websites", WebsiteForm, _("Websites"), _("Add website"), _("Website"), 0
        ),
    )
}


def _month_choices():
    return [("", _("Month")), *((str(number), name) for number, name in MONTHS.items())]


class ContactForm(forms.ModelForm):
    """The card's own fields; the details come in formsets next to it."""

    birthday_day = forms.IntegerField(
        label=_("Day"), min_value=1, max_value=31, required=False
    )
    birthday_month = forms.TypedChoiceField(
        label=_("Month"),
        choices=_month_choices,
        coerce=int,
        empty_value=None,
        required=False,
    )
    birthday_year = forms.IntegerField(
        label=_("Year (optional)"), min_value=BIRTH_YEAR_MIN, required=False
    )
    labels = forms.TypedMultipleChoiceField(
        label=_("Your labels"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    new_label = forms.CharField(
        label=_("New label"),
        max_length=LABEL_NAME_MAX,
        required=False,
        help_text=_("Creates the label and adds it to this contact."),
    )
    token = forms.UUIDField(required=False, widget=forms.HiddenInput)
    # A new contact only: an existing one's photo is changed on its own page.
    photo = forms.FileField(
        label=_("Picture"),
        required=False,
        widget=forms.FileInput(
            attrs={
                "accept": "image/jpeg,image/png,image/gif,image/webp",
                # The chosen file stays through the form's htmx round trips
                # (a row added, a field in error), where a browser would
                # empty a file field drawn again.
                "hx-preserve": "true",
            }
        ),
        help_text=_("Optional. JPEG, PNG, GIF or WebP, up to 5 MB."),
    )

    class Meta:
        model = Contact
        fields = [
            "prefix",
            "given_name",
            "middle_name",
            "family_name",
            "suffix",
            "display_name",
            "nickname",
            "organization",
            "job_title",
            "notes",
            "is_favorite",
        ]
        labels = {"is_favorite": _("Add to favourites")}
        field_classes = {"notes": PlainTextField}
        widgets = {
            "notes": forms.Textarea(
                attrs={"rows": 4, "maxlength": NOTES_MAX, "data-counter": 9000}
            ),
        }

    def __init__(self, *args, owner, **kwargs):
        kwargs.setdefault("use_required_attribute", False)
        super().__init__(*args, **kwargs)
        # The owner's labels are read once, for the choices and for cleaning.
        self.owner_labels = {
            label.pk: label
            for label in Label.objects.filter(owner=owner).order_by(Lower("name"), "pk")
        }
        self.fields["labels"].choices = [
            (pk, label.name) for pk, label in self.owner_labels.items()
        ]
        for name in ("birthday_day", "birthday_year"):
            self.fields[name].widget.attrs.update({"inputmode": "numeric"})
        if self.instance.pk:
            del self.fields["photo"]
        if self.instance.pk and not self.is_bound:
            # What the member typed (an editor re-shown with a row added or
            # removed) comes before what is stored.
            stored = {
                "birthday_day": self.instance.birthday_day,
                "birthday_month": self.instance.birthday_month,
                "birthday_year": self.instance.birthday_year,
            }
            for name, value in stored.items():
                self.initial.setdefault(name, value)
            if "labels" not in self.initial:
                self.initial["labels"] = [
                    label.pk for label in self.instance.labels.all()
                ]

    def _post_clean(self):
        # The model is validated as a whole, details included, by the services.
        pass

    def clean_photo(self):
        """The stored pictures of the photo chosen, checked as on the photo page."""
        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        return photo_pictures(read_photo(upload))

    def clean_labels(self):
        return [self.owner_labels[pk] for pk in self.cleaned_data["labels"]]

    def clean_birthday_year(self):
        year = self.cleaned_data.get("birthday_year")
        if year is not None and year > timezone.localdate().year:
            raise ValidationError(_("The birth year cannot be in the future."))
        return year

    def clean(self):
        cleaned = super().clean()
        problem = birthday_error(
            cleaned.get("birthday_day"),
            cleaned.get("birthday_month"),
            cleaned.get("birthday_year"),
        )
        if problem and "birthday_day" not in self.errors:
            self.add_error("birthday_day", problem)
        return cleaned

    @property
    def more_name_fields_open(self) -> bool:
        """Show the less used name fields when they hold something."""
        names = ("prefix", "middle_name", "suffix", "display_name", "nickname")
        return any(self[name].value() or self[name].errors for name in names)


# The contact's own fields the editor shows above the detail rows.
FIELDS_BEFORE_DETAILS = {
    "given_name",
    "family_name",
    "prefix",
    "middle_name",
    "suffix",
    "nickname",
    "display_name",
    "organization",
    "job_title",
}


class ContactEditor:
    """The contact form and its four detail formsets, handled as one form.

    Without JavaScript, "Add email" and "Remove" are submit buttons
    (`add_row=emails`, `remove_row=emails-2`): the editor is re-rendered with
    one more or one fewer row, keeping everything typed, and nothing is saved.
    """

    def __init__(self, *, owner, data=None, files=None, contact: Contact | None = None):
        self.owner = owner
        self.contact = contact
        self.focus = None  # the kind whose "Add" button gets the focus
        self.focus_errors = False  # the message, for an error about it all
        # Whether a photo was chosen that the page coming back cannot hold (a
        # browser never fills a file field in): it asks for it again.
        self.photo_dropped = False
        self.form = ContactForm(data, files, owner=owner, instance=contact or Contact())
        if data is None and contact is None:
            self.form.initial["token"] = uuid.uuid4()
        self.formsets = {}
        for prefix, kind in DETAIL_KINDS.items():
            if data is not None:
                self.formsets[prefix] = kind.formset_class(data, prefix=prefix)
                continue
            rows = _initial_rows(prefix, contact) or [{}] * kind.starts_with
            self.formsets[prefix] = kind.formset_class(
                prefix=prefix, initial=rows or None
            )

    @classmethod
    def rearranged(cls, *, owner, data, contact=None, add=None, remove=None):
        """An unbound editor holding what was typed, with a row added or removed."""
        editor = cls(owner=owner, contact=contact)
        typed = ContactForm(data, owner=owner, instance=contact or Contact())
        editor.form = ContactForm(
            owner=owner,
            instance=contact or Contact(),
            initial={
                name: typed[name].value() for name in typed.fields if name != "photo"
            },
        )
        for prefix, kind in DETAIL_KINDS.items():
            bound = kind.formset_class(data, prefix=prefix)
            rows = []
            for index, form in enumerate(bound.forms):
                if remove == (prefix, index):
                    continue
                rows.append({name: form[name].value() for name in form.fields})
            if add == prefix and len(rows) < bound.max_num:
                rows.append({})
            editor.formsets[prefix] = kind.formset_class(
                prefix=prefix, initial=rows or None
            )
        if add is not None and editor.formsets[add].forms:
            # Put the cursor in the new row, with or without JavaScript.
            row = editor.formsets[add].forms[-1]
            first = "street" if add == "addresses" else "value"
            row.fields[first].widget.attrs["autofocus"] = True
        editor.focus = remove[0] if remove else None
        return editor

    @staticmethod
    def row_action(data) -> tuple[str | None, tuple[str, int] | None]:
        """The add or remove button that submitted the form, if any."""
        add = data.get("add_row")
        if add in DETAIL_KINDS:
            return add, None
        remove = data.get("remove_row", "")
        prefix, _sep, index = remove.rpartition("-")
        if prefix in DETAIL_KINDS and index.isdigit():
            return None, (prefix, int(index))
        return None, None

    def is_valid(self) -> bool:
        valid = self.form.is_valid()
        for formset in self.formsets.values():
            valid = formset.is_valid() and valid
        return valid

    def to_data(self) -> ContactData:
        cleaned = self.form.cleaned_data
        entries = {
            prefix: [
                form.entry()
                for form in formset.forms
                if form.cleaned_data and form.has_value()
            ]
            for prefix, formset in self.formsets.items()
        }
        return ContactData(
            **{name: cleaned.get(name) or "" for name in SCALAR_FIELDS},
            is_favorite=bool(cleaned.get("is_favorite")),
            birthday_day=cleaned.get("birthday_day"),
            birthday_month=cleaned.get("birthday_month"),
            birthday_year=cleaned.get("birthday_year"),
            emails=entries["emails"],
            phones=entries["phones"],
            addresses=entries["addresses"],
            websites=entries["websites"],
            labels=list(cleaned.get("labels") or []),
            new_labels=[cleaned["new_label"]] if cleaned.get("new_label") else [],
            photo=cleaned.get("photo"),
        )

    @property
    def sections(self) -> list[tuple[DetailKind, forms.BaseFormSet]]:
        """Each kind of detail with its formset, in the order they are shown."""
        return [
            (DETAIL_KINDS[prefix], formset) for prefix, formset in self.formsets.items()
        ]

    @property
    def token(self):
        return self.form.cleaned_data.get("token") if self.form.is_bound else None

    def add_error(self, error: ValidationError) -> None:
        """Put a refusal from the services next to the field it is about."""
        if not hasattr(error, "error_dict"):
            self.form.add_error(None, error)
            return
        for key, messages in error.message_dict.items():
            if key in DETAIL_KINDS:
                self.formsets[key]._non_form_errors = self.formsets[key].error_class(
                    [*self.formsets[key].non_form_errors(), *messages],
                    error_class="nonform",
                )
            elif key in self.form.fields:
                self.form.add_error(key, messages)
            else:
                self.form.add_error(None, messages)

    def place_focus(self) -> None:
        """Put the cursor where the member continues: the first field in error
        in the order of the page, the message when the error is about the
        whole contact, else the first name (unless a row was just added or
        removed)."""
        self.focus_errors = False
        if self.focus is not None or self._has_autofocus():
            return
        for form, name in self._fields_on_screen():
            if name in form.errors:
                form.fields[name].widget.attrs["autofocus"] = True
                return
        if self.has_errors:
            self.focus_errors = True
        else:
            self.form.fields["given_name"].widget.attrs["autofocus"] = True

    def _fields_on_screen(self):
        """(form, field name) in the order the page shows them: names and
        work, then emails, phones, addresses and websites, then the rest."""
        first = [name for name in self.form.fields if name in FIELDS_BEFORE_DETAILS]
        for name in first:
            yield self.form, name
        for formset in self.formsets.values():
            for form in formset:
                for name in form.fields:
                    yield form, name
        for name in self.form.fields:
            if name not in FIELDS_BEFORE_DETAILS:
                yield self.form, name

    def _has_autofocus(self) -> bool:
        return any(
            "autofocus" in field.widget.attrs
            for formset in self.formsets.values()
            for form in formset
            for field in form.fields.values()
        )

    @property
    def has_errors(self) -> bool:
        return bool(self.form.errors) or any(
            formset.total_error_count() for formset in self.formsets.values()
        )


def _initial_rows(prefix: str, contact: Contact | None) -> list[dict]:
    if contact is None or contact.pk is None:
        return []
    if prefix == "emails":
        rows = contact.emails.all()
        return [_row(row, value=row.value) for row in rows]
    if prefix == "phones":
        return [_row(row, value=row.value) for row in contact.phones.all()]
    if prefix == "websites":
        return [_row(row, value=row.url) for row in contact.websites.all()]
    return [
        _row(row, **{name: getattr(row, name) for name in ContactAddress.PARTS})
        for row in contact.addresses.all()
    ]


def _row(row, **values) -> dict:
    return {"label": row.label, "custom_label": row.custom_label, **values}


class LabelForm(forms.Form):
    name = forms.CharField(
        label=_("Label name"),
        max_length=LABEL_NAME_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class RegionForm(forms.Form):
    default_region = forms.ChoiceField(
        label=_("Country for phone numbers"),
        help_text=_(
            "Phone numbers typed without a country code (no leading +) are read "
            "as numbers of this country, so they can be matched and dialled. "
            "An imported spreadsheet’s dates such as 4/5/1990 are read as this "
            "country writes them, unless the file shows otherwise."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_region"].choices = region_choices()


class BulkForm(forms.Form):
    """The multi-select on the Contacts list: what to do with which contacts."""

    ADD_LABEL = "add_label"
    REMOVE_LABEL = "remove_label"
    DELETE = "delete"

    action = forms.ChoiceField(
        choices=[
            (ADD_LABEL, _("Add label")),
            (REMOVE_LABEL, _("Remove label")),
            (DELETE, _("Delete")),
        ]
    )
    apply_label = forms.ModelChoiceField(
        label=_("Label"), queryset=Label.objects.none(), required=False
    )
    contact = forms.TypedMultipleChoiceField(coerce=int, required=False)

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["apply_label"].queryset = Label.objects.filter(owner=owner)
        # The ids are checked against the owner's contacts by the services.
        self.fields["contact"].valid_value = lambda value: parse_id(value) is not None

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("contact"):
            raise ValidationError(_("Select at least one contact first."))
        action = cleaned.get("action")
        if action in (self.ADD_LABEL, self.REMOVE_LABEL) and not cleaned.get(
            "apply_label"
        ):
            self.add_error("apply_label", _("Choose a label first."))
        return cleaned
