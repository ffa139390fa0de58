"""Journeys made with the keyboard alone: dialogs, menus and partial updates.

Each step presses keys and checks where the focus is, as a member who uses
no mouse, or a screen reader, would find it.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import (
    ConnectionRequestFactory,
    ContactFactory,
    UpdateFactory,
    connect,
)

pytestmark = pytest.mark.django_db(transaction=True)

IN_DIALOG = "() => !!document.activeElement.closest('[role=dialog]')"


def focus_in_dialog(ui) -> bool:
    return ui.page.evaluate(IN_DIALOG)


def test_connect_dialog_holds_the_focus_and_gives_it_back(ui, alice, bob):
    ui.sign_in(alice)
    ui.goto("/in/bob/")
    page = ui.page
    connect_link = page.get_by_role("link", name="Connect with Bob Okafor")
    connect_link.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_have_accessible_name("Connect with Bob Okafor")
    # The first thing to fill in has the focus.
    expect(dialog.get_by_label("How do you know each other?")).to_be_focused()
    ui.check_a11y("connect dialog open")
    # Tab goes round the dialog's controls and never behind it.
    for _ in range(7):
        page.keyboard.press("Tab")
        assert focus_in_dialog(ui)
    dialog.get_by_role("button", name="Close").focus()
    page.keyboard.press("Shift+Tab")
    expect(dialog.get_by_role("link", name="Cancel")).to_be_focused()
    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Close")).to_be_focused()

    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(connect_link).to_be_focused()

    page.keyboard.press("Enter")
    expect(dialog.get_by_label("How do you know each other?")).to_be_focused()
    dialog.get_by_role("button", name="Send").focus()
    page.keyboard.press("Enter")
    expect(dialog).to_have_count(0)
    # The button the dialog came from is now "Pending": the focus is there.
    relationship = page.locator(f"#relationship-{bob.pk}")
    expect(relationship).to_contain_text("Pending")
    expect(relationship).to_be_focused()


def test_confirmation_dialog_from_a_menu_reads_itself_out(ui, alice, carol):
    connect(alice, carol)
    ui.sign_in(alice)
    ui.goto("/in/carol/")
    page = ui.page
    page.get_by_label("More actions").focus()
    page.keyboard.press("Enter")
    block_link = page.get_by_role("link", name="Block")
    block_link.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_have_accessible_name("Block Carol Nguyen?")
    # Nothing to fill in: the dialog itself has the focus, not "Block".
    expect(dialog).to_be_focused()
    ui.check_a11y("block dialog open")
    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Close")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(dialog.get_by_role("link", name="Cancel")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(block_link).to_be_focused()


def test_address_book_confirmation_takes_the_focus(ui, alice):
    ContactFactory(owner=alice, given_name="Old", trashed=True)
    ui.sign_in(alice)
    ui.goto("/contacts/trash/")
    page = ui.page
    empty = page.get_by_role("link", name="Empty trash")
    empty.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_have_accessible_name("Empty the Trash?")
    expect(dialog).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(dialog.get_by_role("link", name="Cancel")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(empty).to_be_focused()


def test_star_like_and_answered_invitation_keep_the_focus(ui, alice, bob, carol):
    connect(alice, bob)
    UpdateFactory(author=bob, text="Bob's news")
    invitation = ConnectionRequestFactory(sender=carol, recipient=alice)
    ContactFactory(owner=alice, given_name="Ben", family_name="Reader")
    ui.sign_in(alice)
    page = ui.page
    card = page.locator(".update-card", has_text="Bob's news")
    card.get_by_role("button", name=re.compile("^Like")).focus()
    page.keyboard.press("Enter")
    like = card.get_by_role("button", name=re.compile("^Like"))
    expect(like).to_have_attribute("aria-pressed", "true")
    expect(like).to_be_focused()

    ui.goto("/network/")
    page.get_by_role("button", name="Accept Carol Nguyen").focus()
    page.keyboard.press("Enter")
    row = page.locator(f"#invitation-{invitation.pk}")
    expect(row).to_contain_text("Connected")
    # The buttons are gone: the row that says what happened has the focus.
    expect(row).to_be_focused()
    ui.check_a11y("invitation answered")

    ui.goto("/contacts/")
    page.get_by_role("button", name="Favourite Ben Reader").focus()
    page.keyboard.press("Enter")
    star = page.get_by_role("button", name="Favourite Ben Reader")
    expect(star).to_have_attribute("aria-pressed", "true")
    expect(star).to_be_focused()


def test_load_more_moves_the_focus_to_the_first_new_contact(ui, alice, settings):
    settings.RAPPORT_CONTACTS_PAGE_SIZE = 3
    for name in ("Ann", "Ben", "Cy", "Dee", "Eve"):
        ContactFactory(owner=alice, given_name=name, family_name="Reader")
    ui.sign_in(alice)
    ui.goto("/contacts/")
    page = ui.page
    page.get_by_role("link", name="Load more").focus()
    page.keyboard.press("Enter")
    rows = page.locator(".contact-row")
    expect(rows).to_have_count(5)
    expect(rows.nth(3)).to_contain_text("Dee Reader")
    expect(rows.nth(3)).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.contact-row')") is not None
    ui.check_a11y("more contacts loaded")


def test_deleting_an_update_leaves_the_focus_on_the_next_one(ui, alice):
    UpdateFactory(author=alice, text="The older one")
    UpdateFactory(author=alice, text="The newer one")
    ui.sign_in(alice)
    page = ui.page
    card = page.locator(".update-card", has_text="The newer one")
    card.get_by_label("More actions").focus()
    page.keyboard.press("Enter")
    card.get_by_role("link", name="Delete").focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_focused()
    dialog.get_by_role("button", name="Delete").focus()
    page.keyboard.press("Enter")
    expect(card).to_have_count(0)
    expect(page.locator("li", has_text="The older one")).to_be_focused()
    # No empty item is left in the list (nor its gap on the page).
    shown = page.evaluate(
        "[...document.querySelectorAll('#feed-list > li')]"
        ".filter(li => getComputedStyle(li).display !== 'none').length"
    )
    assert shown == 1


REMEMBER_REGIONS = """() => {
  window.regions = ["flash", "results-status"].map(id => document.getElementById(id));
}"""
SAME_REGIONS = """() => ["flash", "results-status"].every(
  (id, i) => document.getElementById(id) === window.regions[i])"""


def test_results_are_said_in_live_regions_that_stay_in_place(ui, alice, bob):
    """A screen reader reads out what changes in a live region it already
    knows; one swapped for a new element is often missed."""
    connect(alice, bob)
    update = UpdateFactory(author=bob, text="Bob's news")
    ContactFactory(owner=alice, given_name="Ann", family_name="Reader")
    ContactFactory(owner=alice, given_name="Ben", family_name="Reader")
    ui.sign_in(alice)
    page = ui.page
    page.evaluate(REMEMBER_REGIONS)
    card = page.locator(f"#update-{update.pk}")
    card.get_by_role("link", name=re.compile("^Comment")).focus()
    page.keyboard.press("Enter")
    card.get_by_label("Add a comment").fill("Well done!")
    card.get_by_role("button", name="Comment", exact=True).focus()
    page.keyboard.press("Enter")
    expect(card.locator(".comment")).to_contain_text("Well done!")
    expect(page.locator("#flash")).to_contain_text("Comment posted.")
    expect(card.get_by_role("button", name="Comment", exact=True)).to_be_focused()
    assert page.evaluate("document.getElementById('flash') === window.regions[0]")

    ui.goto("/contacts/")
    page.evaluate(REMEMBER_REGIONS)
    page.get_by_role("searchbox", name="Search contacts").fill("Ann")
    expect(page.locator("#results-status")).to_have_text("1 contact.")
    page.get_by_role("searchbox", name="Search contacts").fill("")
    expect(page.locator("#results-status")).to_have_text("2 contacts.")
    page.get_by_role("button", name="Favourite Ann Reader").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Favourite Ann Reader")).to_be_focused()
    assert page.evaluate(SAME_REGIONS)


def test_a_refused_form_starts_on_its_error_summary(ui, alice):
    ui.goto("/accounts/login/")
    page = ui.page
    page.get_by_label("Email").fill(alice.email)
    page.get_by_label("Password").fill("not the password")
    page.keyboard.press("Enter")
    ui.arrived("/accounts/login/")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("not correct")
    # Read out first, as the page opens: no hunting for what went wrong.
    expect(summary).to_be_focused()

    ui.goto("/accounts/signup/")
    page.get_by_label("Your name").fill("Zoë Martin")
    page.get_by_label("Email").fill("zoe@example.com")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Password (again)").fill("short")
    page.keyboard.press("Enter")
    ui.arrived("/accounts/signup/")
    summary = page.get_by_role("alert")
    expect(summary).to_have_text("Please correct the fields marked below.")
    expect(summary).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Your name")).to_be_focused()
    password = page.get_by_label("Password", exact=True)
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_accessible_description(
        re.compile("This password is too short")
    )


def test_comment_puts_the_cursor_in_the_comment_box(ui, alice, bob):
    connect(alice, bob)
    UpdateFactory(author=bob, text="Bob's news")
    ui.sign_in(alice)
    page = ui.page
    card = page.locator(".update-card", has_text="Bob's news")
    card.get_by_role("link", name=re.compile("^Comment")).focus()
    page.keyboard.press("Enter")
    expect(card.get_by_label("Add a comment")).to_be_focused()
    page.keyboard.type("Well done!")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(card.locator(".comment")).to_contain_text("Well done!")
