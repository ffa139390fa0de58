"""What a member sees when a partial update fails: said, never silent."""

import pytest
from playwright.sync_api import expect

from contacts.models import Contact
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db(transaction=True)


def expected_refusals(ui, status: int):
    """Leave out the console lines of the refusal the journey asked for."""
    ui.problems = [
        problem
        for problem in ui.problems
        if str(status) not in problem and "htmx:responseError" not in problem
    ]


def test_an_expired_form_says_so_and_keeps_what_was_typed(ui, alice):
    ui.sign_in(alice)
    ui.goto("/contacts/new/")
    page = ui.page
    page.get_by_label("First name").fill("Zoë")
    # The security token no longer matches the browser's (signed out and
    # back in on another tab, cookies cleared): the server refuses the form.
    ui.context.add_cookies(
        [{"name": "csrftoken", "value": "x" * 32, "url": ui.base_url}]
    )
    page.get_by_role("button", name="Save").first.click()
    alert = page.locator("#flash [role=alert]")
    expect(alert).to_contain_text("This form has expired")
    expect(alert).to_contain_text("reload the page")
    expect(page.get_by_label("First name")).to_have_value("Zoë")
    ui.check_a11y("with the refusal said")
    ui.screenshot("request-failed-form-expired", full_page=False)
    assert not Contact.objects.filter(owner=alice).exists()
    expected_refusals(ui, 403)


def test_starring_a_contact_deleted_meanwhile_says_it_is_gone(ui, alice):
    contact = ContactFactory(owner=alice, given_name="Zoë", family_name="Martin")
    ui.sign_in(alice)
    ui.goto("/contacts/")
    Contact.objects.filter(pk=contact.pk).delete()
    ui.page.get_by_role("button", name="Favourite Zoë Martin").click()
    alert = ui.page.locator("#flash [role=alert]")
    expect(alert).to_have_count(1)
    expect(alert).to_contain_text("This page isn't here")
    # A second try replaces the message instead of piling them up.
    ui.page.get_by_role("button", name="Favourite Zoë Martin").click()
    expect(alert).to_have_count(1)
    ui.check_a11y("with the refusal said")
    expected_refusals(ui, 404)
