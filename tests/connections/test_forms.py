"""Text boxes measure what the member typed, whatever the browser sends."""

import pytest
from django.core.exceptions import ValidationError

from connections.forms import ConnectForm, EmailInvitationForm, ReportForm
from connections.profile_forms import ProfileForm, WorkEntryForm


def paragraphs_filling(length: int) -> str:
    """Text of exactly `length` characters in the box, sent as browsers send
    it: each line break as CRLF, so one character more per break."""
    line = "x" * 9
    text = "\n".join([line] * (length // 10)).ljust(length, "y")
    assert len(text) == length
    return text.replace("\n", "\r\n")


@pytest.mark.parametrize(
    ("form", "name"),
    [
        (ConnectForm, "note"),
        (EmailInvitationForm, "note"),
        (ReportForm, "details"),
        (ProfileForm, "about"),
        (WorkEntryForm, "description"),
    ],
)
def test_a_box_filled_to_its_counter_with_line_breaks_is_taken(form, name):
    field = form.base_fields[name]
    sent = paragraphs_filling(field.max_length)

    cleaned = field.clean(sent)

    assert cleaned == sent.replace("\r\n", "\n")
    # One character more than the box allows is still refused.
    with pytest.raises(ValidationError):
        field.clean(sent + "z")
