"""Journeys made with the keyboard alone: dialogs, menus and partial updates.

Each step presses keys and checks where the focus is, as a member who uses
no mouse, or a screen reader, would find it.
"""

import pytest
from playwright.sync_api import expect

from tests.factories import ContactFactory, connect

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
