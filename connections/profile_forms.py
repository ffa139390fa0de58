"""Forms of Settings → Profile: fields with their audiences, photo, work, handle."""

import calendar
import datetime

from django import forms
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from connections.forms import PlainTextField
from connections.models.members import handle_validator
from connections.models.profiles import (
    ABOUT_MAX_LENGTH,
    DEFAULT_AUDIENCES,
    NAME_AUDIENCES,
    WORK_DESCRIPTION_MAX_LENGTH,
    Audience,
)
from connections.services.profiles import ProfileData

BIRTH_YEAR_MIN = 1900
AUDIENCE_LABEL = _("Who can see this")

# Form field → the audience that governs it, in the order of the page.
AUDIENCE_OF = {
    "display_name": "name",
    "headline": "headline",
    "location": "location",
    "about": "about",
    "website": "website",
    "emails": "emails",
    "phone": "phone",
    "birthday": "birthday",
}


def _month_choices():
    return [("", _("Month")), *((n, MONTHS[n]) for n in range(1, 13))]


def audience_choice(field: str) -> forms.ChoiceField:
    choices = (
        [(str(value), value.label) for value in NAME_AUDIENCES]
        if field in ("name", "headline")
        else Audience.choices
    )
    return forms.ChoiceField(
        label=AUDIENCE_LABEL,
        choices=choices,
        initial=str(DEFAULT_AUDIENCES[field]),
        widget=forms.Select(attrs={"class": "audience-select"}),
    )


class ProfileForm(forms.Form):
    """The profile's fields, each with the audience select next to it."""

    display_name = forms.CharField(
        label=_("Name"),
        max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    headline = forms.CharField(
        label=_("Headline"),
        max_length=120,
        required=False,
        help_text=_("A line under your name, such as your role."),
    )
    location = forms.CharField(
        label=_("Location"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    about = PlainTextField(
        label=_("About"),
        max_length=ABOUT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Plain text; leave an empty line between paragraphs."),
    )
    website = forms.CharField(
        label=_("Website"),
        max_length=200,
        required=False,
        widget=forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "url"}),
    )
    emails = forms.MultipleChoiceField(
        label=_("Emails to show"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only verified addresses can be shown."),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
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
    findable_by_email = forms.BooleanField(
        label=_("Members who have my email may find me"),
        required=False,
        help_text=_(
            "When on, a member whose address book holds your verified email sees "
            "that you are on Rapport."
        ),
    )

    def __init__(self, *args, email_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["emails"].choices = [(email, email) for email in email_choices]
        for field in DEFAULT_AUDIENCES:
            self.fields[f"{field}_audience"] = audience_choice(field)
        labels = {
            "name": _("Who can see your name"),
            "headline": _("Who can see your headline"),
            "photo": _("Who can see your photo"),
            "location": _("Who can see your location"),
            "about": _("Who can see your about text"),
            "work": _("Who can see your work history"),
            "emails": _("Who can see your emails"),
            "phone": _("Who can see your phone"),
            "birthday": _("Who can see your birthday"),
            "website": _("Who can see your website"),
            "connections": _("Who can see your connections"),
        }
        for field, label in labels.items():
            self.fields[f"{field}_audience"].label = label

    def audience_field(self, name: str):
        return self[f"{AUDIENCE_OF[name]}_audience"]

    def clean_display_name(self):
        name = " ".join(self.cleaned_data["display_name"].split())
        if not name:
            raise forms.ValidationError(_("Enter the name other members will see."))
        return name

    def clean_headline(self):
        return " ".join(self.cleaned_data["headline"].split())

    def clean_website(self):
        website = self.cleaned_data["website"].strip()
        if not website:
            return ""
        if "://" not in website:
            website = f"https://{website}"
        try:
            URLValidator(schemes=["http", "https"])(website)
        except forms.ValidationError:
            raise forms.ValidationError(
                _("Enter a web address starting with http:// or https://.")
            ) from None
        return website

    def clean_phone(self):
        phone = " ".join(self.cleaned_data["phone"].split())
        if phone and not any(char.isdigit() for char in phone):
            raise forms.ValidationError(_("A phone number needs digits."))
        return phone

    def clean_birthday_year(self):
        year = self.cleaned_data.get("birthday_year")
        if year is not None and year > timezone.localdate().year:
            raise forms.ValidationError(_("That year is still to come."))
        return year

    def clean(self):
        cleaned = super().clean()
        day = cleaned.get("birthday_day")
        month = cleaned.get("birthday_month")
        year = cleaned.get("birthday_year")
        if "birthday_day" in self.errors or "birthday_year" in self.errors:
            return cleaned
        problem = ""
        if (day is None) != (month is None):
            problem = _("Give both the day and the month of your birthday.")
        elif day is None and year is not None:
            problem = _("Add the day and month of your birthday.")
        elif day is not None:
            longest = calendar.monthrange(year or 4, month)[1]
            if day > longest:
                problem = _("That month has %(days)s days.") % {"days": longest}
        if problem:
            self.add_error("birthday_day", problem)
        return cleaned

    def data_for_service(self) -> ProfileData:
        cleaned = self.cleaned_data
        return ProfileData(
            display_name=cleaned["display_name"],
            headline=cleaned["headline"],
            location=cleaned["location"],
            about=cleaned["about"],
            website=cleaned["website"],
            emails=list(cleaned["emails"]),
            phone=cleaned["phone"],
            birthday_day=cleaned["birthday_day"],
            birthday_month=cleaned["birthday_month"],
            birthday_year=cleaned["birthday_year"],
            findable_by_email=cleaned["findable_by_email"],
            audiences={
                field: cleaned[f"{field}_audience"] for field in DEFAULT_AUDIENCES
            },
        )


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("Photo"),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}
        ),
        help_text=_("JPEG, PNG, GIF or WebP, up to 5 MB. Shown cropped to a square."),
    )


class MonthField(forms.DateField):
    """A month typed as YYYY-MM (the month input), kept as its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y-%m-%d", "%m/%Y"]

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace(day=1) if isinstance(value, datetime.date) else value


class WorkEntryForm(forms.Form):
    organization = forms.CharField(label=_("Organization"), max_length=100)
    title = forms.CharField(label=_("Title"), max_length=100, required=False)
    started = MonthField(label=_("From"), required=False)
    ended = MonthField(
        label=_("To"),
        required=False,
        help_text=_("Leave empty if you still work there."),
    )
    description = PlainTextField(
        label=_("Description"),
        max_length=WORK_DESCRIPTION_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        cleaned = super().clean()
        started, ended = cleaned.get("started"), cleaned.get("ended")
        if started and ended and ended < started:
            self.add_error("ended", _("The end comes before the start."))
        return cleaned


class HandleField(forms.CharField):
    def to_python(self, value):
        return super().to_python(value).strip().lower()


class HandleForm(forms.Form):
    handle = HandleField(
        label=_("Handle"),
        max_length=30,
        min_length=3,
        validators=[handle_validator],
        help_text=_(
            "Your profile's address: /in/your-handle/. Your old handle keeps leading "
            "to your profile for a year and is never given to anyone else."
        ),
    )
