"""Forms of the connections app."""

from django import forms
from django.utils.translation import gettext_lazy as _


class PlainTextField(forms.CharField):
    """Text typed in a box, its line breaks unified before it is measured:
    browsers send each as CRLF, while the box's maxlength counted one."""

    def to_python(self, value):
        return super().to_python(value).replace("\r\n", "\n").replace("\r", "\n")


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


# ---------------------------------------------------------------------------
# The network: invitations, connections, email preferences.


class ConnectForm(forms.Form):
    """The Connect dialog: an optional note and how the two know each other."""

    how_we_met = forms.ChoiceField(
        label=_("How do you know each other?"),
        required=False,
        choices=[("", _("Choose (optional)"))],
    )
    note = PlainTextField(
        label=_("Add a note (optional)"),
        required=False,
        max_length=300,
        strip=True,
        widget=forms.Textarea(
            attrs={"rows": 4, "maxlength": 300, "data-counter": ""},
        ),
        help_text=_("Say where you met or why you want to connect."),
    )

    def __init__(self, *args, **kwargs):
        from connections.models import ConnectionRequest

        super().__init__(*args, **kwargs)
        self.fields["how_we_met"].choices = [
            ("", _("Choose (optional)")),
            *ConnectionRequest.HowWeMet.choices,
        ]


class ConnectionKindForm(forms.Form):
    """The private kind a member gives one of their connections."""

    kind = forms.ChoiceField(label=_("Kind"), required=False)

    def __init__(self, *args, **kwargs):
        from connections.models import Connection

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("No kind")), *Connection.Kind.choices]


class EmailInvitationForm(forms.Form):
    """Invite someone who may not be on Rapport yet."""

    email = forms.EmailField(
        label=_("Their email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    name = forms.CharField(
        label=_("Their name (optional)"),
        required=False,
        max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    note = PlainTextField(
        label=_("Add a note (optional)"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 300, "data-counter": ""}),
    )


class NotificationSettingsForm(forms.Form):
    invitation_received = forms.BooleanField(
        label=_("Someone invites me to connect"),
        help_text=_(
            "Also invitation links sent by email to one of your verified addresses."
        ),
        required=False,
    )
    invitation_accepted = forms.BooleanField(
        label=_("Someone accepts my invitation"), required=False
    )
    message_unread = forms.BooleanField(
        label=_(
            "Someone sends me a message I haven't read (at most one email an hour "
            "for each conversation)"
        ),
        required=False,
    )


class AccountCloseForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that closing my account can't be undone."),
        error_messages={
            "required": _(
                "Tick this box to confirm that you want to close your account."
            )
        },
    )


class UpdateForm(forms.Form):
    """Post or edit an update: plain text and its audience."""

    text = PlainTextField(
        label=_("Share an update"),
        max_length=3000,
        strip=True,
        widget=forms.Textarea(
            attrs={"rows": 3, "data-counter": "2500", "maxlength": 3000}
        ),
        error_messages={"required": _("Write something first.")},
    )
    audience = forms.ChoiceField(
        label=_("Who can see it"),
        choices=[
            ("connections", _("Connections")),
            ("public", _("Public")),
        ],
        initial="connections",
    )


class CommentForm(forms.Form):
    text = PlainTextField(
        label=_("Add a comment"),
        max_length=1250,
        strip=True,
        widget=forms.Textarea(
            attrs={"rows": 2, "data-counter": "1000", "maxlength": 1250}
        ),
        error_messages={"required": _("Write something first.")},
    )


class KeepInTouchForm(forms.Form):
    weeks = forms.TypedChoiceField(
        label=_("Keep in touch"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=[
            ("", _("No reminder")),
            (1, _("Every week")),
            (2, _("Every 2 weeks")),
            (4, _("Every 4 weeks")),
            (8, _("Every 8 weeks")),
            (12, _("Every 12 weeks")),
            (26, _("Every 26 weeks")),
            (52, _("Every 52 weeks")),
        ],
    )


# ---------------------------------------------------------------------------
# Messaging.


class MessageForm(forms.Form):
    """A message to send; the token makes a double submit store one message.

    The body has no length limit here: browsers send line breaks as CRLF, so
    the service counts it once line endings are unified (`clean_body`), with
    its own message; the textarea's maxlength only guides the browser.
    """

    body = forms.CharField(
        label=_("Message"),
        strip=False,
        error_messages={"required": _("Write a message before sending.")},
        widget=forms.Textarea(
            attrs={
                "rows": 2,
                "maxlength": 8000,
                "data-counter": "7000",
                "data-enter-sends": "",
                "placeholder": _("Write a message…"),
                "autocomplete": "off",
            }
        ),
    )
    client_token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        import secrets

        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("client_token", secrets.token_urlsafe(16))


# Moderation.


class ReportForm(forms.Form):
    """Report a member: why, in a few words, and whether to block them too."""

    reason = forms.ChoiceField(
        label=_("What is wrong?"), widget=forms.RadioSelect, choices=()
    )
    details = PlainTextField(
        label=_("Details (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 1000, "data-counter": ""}),
        help_text=_("What happened, where and when. Only the staff read this."),
    )
    also_block = forms.BooleanField(
        label=_("Also block this member"),
        required=False,
        help_text=_(
            "Reporting doesn't block. Blocking hides you from each other at once."
        ),
    )

    def __init__(self, *args, **kwargs):
        from connections.models import Report

        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = Report.Reason.choices
