"""django-allauth's account forms, their labels in the sentence case of the app.

Kept apart from `connections.forms`, which allauth imports while building its
own forms (the sign-up form class), so importing allauth's forms there would be
circular.
"""

from allauth.account import forms as allauth_forms
from django.utils.translation import gettext_lazy as _


def _relabel(form, labels):
    """Give the named fields new labels, and their placeholders the same words."""
    for name, label in labels.items():
        field = form.fields[name]
        field.label = label
        if "placeholder" in field.widget.attrs:
            field.widget.attrs["placeholder"] = label


class LoginForm(allauth_forms.LoginForm):
    """Sign in."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "remember" in self.fields:
            _relabel(self, {"remember": _("Remember me")})


class ChangePasswordForm(allauth_forms.ChangePasswordForm):
    """Change password, from Settings."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _relabel(
            self,
            {
                "oldpassword": _("Current password"),
                "password1": _("New password"),
                "password2": _("New password (again)"),
            },
        )


class ResetPasswordKeyForm(allauth_forms.ResetPasswordKeyForm):
    """Choose a new password, from the link of a password reset email."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _relabel(
            self,
            {
                "password1": _("New password"),
                "password2": _("New password (again)"),
            },
        )
