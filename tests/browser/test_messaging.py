"""Journeys through messages: two members writing to each other, live."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.factories import bulk_messages, connect

pytestmark = pytest.mark.django_db(transaction=True)

# The badge polls every 10 s, an open thread every 3 s.
BADGE_WAIT = 16_000
THREAD_WAIT = 8_000


def test_alice_writes_and_bob_sees_it_without_reloading(browser_session, alice, bob):
    connect(alice, bob)
    bob_ui = browser_session()
    bob_ui.sign_in(bob)
    bob_ui.goto("/network/")

    alice_ui = browser_session()
    alice_ui.sign_in(alice)
    alice_ui.goto("/in/bob/")
    alice_ui.page.get_by_role("link", name="Message Bob Okafor").click()
    alice_ui.arrived("/messages/with/bob/")
    expect(alice_ui.page.get_by_text("No messages yet. Say hello")).to_be_visible()
    box = alice_ui.page.get_by_label("Message to Bob Okafor")
    box.fill("Hello Bob! <b>not bold</b> see https://example.org")
    box.press("Enter")
    mine = alice_ui.page.locator(".message.is-mine")
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text("<b>not bold</b>")
    expect(mine.get_by_role("link", name="https://example.org")).to_be_visible()
    expect(alice_ui.page.get_by_label("Message to Bob Okafor")).to_have_value("")

    # Bob, on another page, sees the badge count it before opening anything.
    badge = bob_ui.page.locator("#nav-badge-messages")
    expect(badge).to_have_text("1", timeout=BADGE_WAIT)
    bob_ui.check_a11y("badge")
    bob_ui.page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Messages 1 unread messages"
    ).click()
    bob_ui.arrived("/messages/")
    row = bob_ui.page.locator(".conversation-row.is-unread", has_text="Alice Martin")
    expect(row).to_contain_text("Hello Bob!")
    bob_ui.screenshot("messages-inbox")
    row.get_by_role("link").click()
    bob_ui.arrived("/messages/with/alice/")
    expect(bob_ui.page.locator(".message")).to_contain_text("Hello Bob!")
    expect(bob_ui.page.locator("#nav-badge-messages")).to_be_hidden()

    # Alice learns Bob read it; Bob's open thread receives her next message.
    expect(alice_ui.page.locator("#thread-seen")).to_contain_text(
        "Seen", timeout=THREAD_WAIT
    )
    loads = len(bob_ui.loaded)
    box = alice_ui.page.get_by_label("Message to Bob Okafor")
    box.fill("First line")
    box.press("Shift+Enter")
    box.type("second line")
    alice_ui.page.get_by_role("button", name="Send").click()
    expect(alice_ui.page.locator(".message.is-mine")).to_have_count(2)
    incoming = bob_ui.page.locator(".message:not(.is-mine)")
    expect(incoming).to_have_count(2, timeout=THREAD_WAIT)
    expect(incoming.last).to_contain_text("First line\nsecond line")
    assert len(bob_ui.loaded) == loads
    bob_ui.check_a11y("new message arrived")

    bob_box = bob_ui.page.get_by_label("Message to Alice Martin")
    bob_box.fill("Got it, thanks!")
    bob_box.press("Enter")
    expect(
        alice_ui.page.locator(".message:not(.is-mine)", has_text="Got it")
    ).to_be_visible(timeout=THREAD_WAIT)
    alice_ui.check_a11y("reply arrived")
    # Last: a full-page screenshot leaves marks htmx would copy on its next swap.
    alice_ui.screenshot("messages-thread")


def test_earlier_messages_load_above_and_disconnection_makes_it_read_only(
    browser_session, alice, bob
):
    connect(alice, bob)
    bulk_messages(alice, bob, 75, step_minutes=60 * 5)
    ui = browser_session(viewport=PHONE, color_scheme="dark")
    ui.sign_in(alice)
    ui.goto("/messages/with/bob/")
    expect(ui.page.locator(".message")).to_have_count(50)
    ui.page.get_by_role("link", name="Load earlier messages").click()
    expect(ui.page.locator(".message")).to_have_count(75)
    expect(
        ui.page.get_by_text("This is the beginning of your conversation")
    ).to_be_visible()
    first = ui.page.locator(".message").first
    expect(first).to_contain_text("Message number 0")
    ui.check_a11y("earlier messages")

    # Bob removes the connection in his own browser; Alice's thread closes.
    bob_ui = browser_session()
    bob_ui.sign_in(bob)
    bob_ui.goto("/in/alice/remove/")
    bob_ui.page.get_by_role("button", name="Remove connection").click()
    bob_ui.arrived()
    expect(ui.page.get_by_text("sending is off")).to_be_visible(timeout=THREAD_WAIT)
    expect(ui.page.get_by_label("Message to Bob Okafor")).to_have_count(0)
    ui.check_a11y("read-only")
    ui.screenshot("messages-thread-phone-dark", full_page=False)


def test_after_loading_earlier_messages_the_keyboard_is_on_the_first_one(
    browser_session, alice, bob
):
    """Pressing "Load earlier messages" from the keyboard leaves the focus on
    the oldest message it brought, ready to read down from, and a second
    press does the same with the next ones; never back at the top of the
    page."""
    connect(alice, bob)
    bulk_messages(alice, bob, 120, step_minutes=60 * 5)
    ui = browser_session(color_scheme="dark")
    ui.sign_in(alice)
    ui.goto("/messages/with/bob/")
    expect(ui.page.locator(".message")).to_have_count(50)
    focused_message = "document.activeElement.closest('.message')?.textContent"
    for loaded, oldest in ((100, "Message number 20"), (120, "Message number 0")):
        ui.page.get_by_role("link", name="Load earlier messages").focus()
        ui.page.keyboard.press("Enter")
        expect(ui.page.locator(".message")).to_have_count(loaded)
        expect(ui.page.locator(".message:focus")).to_have_count(1)
        assert oldest in ui.page.evaluate(focused_message)
        assert ui.page.locator(".message").first.evaluate(
            "element => element === document.activeElement"
        )
    ui.check_a11y("earlier messages, focused")
    ui.screenshot("messages-earlier-focused", full_page=False)
