"""Forms of the connections app."""

from django import forms
from django.utils.translation import gettext_lazy as _


class SignupForm(forms.Form):
    """Extra sign-up field: the name other members will see."""

    display_name = forms.CharField(
        label=_("Your name"),
        max_length=80,
        widget=forms.TextInput(
            attrs={"autocomplete": "name", "placeholder": _("Alice Martin")}
        ),
        help_text=_("Shown on your profile. You can change it later."),
    )

    field_order = ["display_name", "email", "password1", "password2"]

    def clean_display_name(self):
        name = " ".join(self.cleaned_data["display_name"].split())
        if not name:
            raise forms.ValidationError(_("Enter the name other members will see."))
        return name

    def signup(self, request, user):
        """allauth calls this after saving; the adapter already stored the name."""
