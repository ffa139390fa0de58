"""The contact editor's text boxes measure what the member typed."""

import pytest
from django.core.exceptions import ValidationError

from contacts.forms import AddressForm, ContactForm
from tests.connections.test_forms import paragraphs_filling


@pytest.mark.parametrize(
    ("form", "name"), [(ContactForm, "notes"), (AddressForm, "street")]
)
def test_a_box_filled_to_its_limit_with_line_breaks_is_taken(form, name):
    field = form.base_fields[name]
    sent = paragraphs_filling(field.max_length)

    assert field.clean(sent) == sent.replace("\r\n", "\n")
    with pytest.raises(ValidationError):
        field.clean(sent + "z")
