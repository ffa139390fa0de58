"""Journeys through sign-up, sign-in, sign-out, password reset and two-factor."""

import re
import zipfile

import pytest
from playwright.sync_api import expect

from connections.models import User
from tests.browser.conftest import DESKTOP, PHONE, authenticator_code
from tests.factories import DEFAULT_PASSWORD, ContactFactory, connect, send_message

pytestmark = pytest.mark.django_db(transaction=True)

LINK = re.compile(r"http://[^\s]+")


def link_in(message) -> str:
    return LINK.search(message.body).group(0)


def test_sign_up_verify_and_land_signed_in(ui, mailoutbox):
    ui.goto("/")
    ui.page.get_by_role("link", name="Join now").click()
    ui.arrived("/accounts/signup/")
    ui.page.get_by_label("Your name").fill("Zoë Martin")
    ui.page.get_by_label("Email").fill("zoe@example.com")
    ui.page.get_by_label("Password", exact=True).fill("a-long-passphrase-42")
    ui.page.get_by_label("Password (again)").fill("a-long-passphrase-42")
    ui.page.get_by_role("button", name="Sign up").click()
    ui.arrived("/accounts/confirm-email/")
    expect(
        ui.page.get_by_role("heading", name="Verify your email address")
    ).to_be_visible()

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["zoe@example.com"]
    ui.page.goto(link_in(mailoutbox[0]))
    ui.arrived()
    ui.page.get_by_role("button", name="Confirm").click()
    ui.arrived("/")
    expect(ui.page.get_by_role("heading", name="Welcome, Zoë")).to_be_visible()
    member = User.objects.get(email="zoe@example.com")
    assert member.display_name == "Zoë Martin"
    assert member.handle == "zoe-martin"
    ui.screenshot("home-signed-in-desktop-light")


def test_sign_up_form_keeps_input_and_explains_errors(ui, alice):
    ui.goto("/accounts/signup/")
    ui.page.get_by_label("Your name").fill("Zoë Martin")
    ui.page.get_by_label("Email").fill("zoe@example.com")
    ui.page.get_by_label("Password", exact=True).fill("short")
    ui.page.get_by_label("Password (again)").fill("short")
    ui.page.get_by_role("button", name="Sign up").click()
    ui.arrived("/accounts/signup/")
    expect(ui.page.get_by_text("This password is too short.")).to_be_visible()
    expect(ui.page.get_by_label("Your name")).to_have_value("Zoë Martin")
    expect(ui.page.get_by_label("Email")).to_have_value("zoe@example.com")
    assert not User.objects.filter(email="zoe@example.com").exists()


def test_sign_in_and_sign_out(ui, alice):
    ui.sign_in(alice)
    expect(ui.page.get_by_role("navigation", name="Main")).to_be_visible()
    ui.page.get_by_label("Your menu").click()
    ui.check_a11y("with the member menu open")
    ui.page.get_by_role("button", name="Sign out").click()
    ui.arrived("/")
    expect(ui.page.get_by_role("link", name="Join now")).to_be_visible()


def test_wrong_password_is_refused_without_saying_whether_the_email_exists(ui, alice):
    ui.goto("/accounts/login/")
    ui.page.get_by_label("Email").fill(alice.email)
    ui.page.get_by_label("Password").fill("not-her-password")
    ui.page.get_by_role("button", name="Sign in").click()
    ui.arrived("/accounts/login/")
    expect(
        ui.page.get_by_text(
            "The email address and/or password you specified are not correct."
        )
    ).to_be_visible()


def test_reset_a_forgotten_password(ui, alice, mailoutbox):
    ui.goto("/accounts/login/")
    ui.page.get_by_role("link", name="Forgot your password?").click()
    ui.arrived("/accounts/password/reset/")
    ui.page.get_by_label("Email").fill(alice.email)
    ui.page.get_by_role("button", name="Send the link").click()
    ui.arrived("/accounts/password/reset/done/")
    expect(ui.page).to_have_title("Check your email · Rapport")
    ui.screenshot("password-reset-sent")
    ui.page.goto(link_in(mailoutbox[-1]))
    ui.arrived()
    expect(ui.page).to_have_title("Choose a new password · Rapport")
    ui.page.get_by_label("New password", exact=True).fill("brand-new-passphrase-7")
    ui.page.get_by_label("New password (again)").fill("brand-new-passphrase-7")
    ui.page.get_by_role("button", name="Save password").click()
    ui.arrived("/accounts/password/reset/key/done/")
    expect(ui.page.get_by_role("heading", name="Password changed")).to_be_visible()
    ui.screenshot("password-reset-done")
    ui.page.get_by_role("main").get_by_role("link", name="Sign in").click()
    ui.arrived("/accounts/login/")
    ui.sign_in(alice, password="brand-new-passphrase-7")


def test_turn_on_two_factor_authentication(ui, alice):
    ui.sign_in(alice)
    ui.goto("/settings/")
    ui.page.get_by_role("link", name="Two-factor authentication").first.click()
    ui.arrived("/accounts/2fa/")
    ui.page.get_by_role("link", name="Activate").click()
    ui.arrived()
    if "/reauthenticate/" in ui.page.url:
        ui.page.get_by_label("Password").fill("correct-horse-battery")
        ui.page.get_by_role("button", name="Confirm").click()
        ui.arrived()
    secret = ui.page.get_by_label("Authenticator secret").input_value()
    code = authenticator_code(secret)
    ui.page.get_by_label("Authenticator code").fill(code)
    ui.page.get_by_role("button", name="Activate").click()
    ui.arrived()
    expect(ui.page.get_by_role("heading", name="Recovery Codes")).to_be_visible()
    assert alice.authenticator_set.filter(type="totp").exists()
    ui.screenshot("settings-two-factor")


def test_changing_the_email_address_asks_for_the_password(ui, alice, mailoutbox):
    ui.sign_in(alice)
    ui.goto("/accounts/email/")
    ui.page.get_by_label("Change to").fill("alice.new@example.com")
    ui.page.get_by_role("button", name="Change email").click()
    ui.arrived(re.compile(r".*/accounts/reauthenticate/.*"))
    ui.page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    ui.page.get_by_role("button", name="Confirm").click()
    ui.arrived("/accounts/email/")
    expect(ui.page.get_by_label("Changing to")).to_have_value("alice.new@example.com")
    assert mailoutbox[-1].to == ["alice.new@example.com"]


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize(
    ("device", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)]
)
def test_home_looks_right_in_both_themes(
    browser_session, alice, theme, device, viewport
):
    visitor = browser_session(viewport=viewport, color_scheme=theme)
    visitor.goto("/")
    visitor.screenshot(f"home-public-{device}-{theme}")
    member = browser_session(viewport=viewport, color_scheme=theme)
    member.sign_in(alice)
    if device == "phone":
        expect(member.page.get_by_role("navigation", name="Main")).to_be_in_viewport()
    member.screenshot(f"home-member-{device}-{theme}")


def test_sign_out_a_lost_phone_from_the_sessions_page(browser_session, alice):
    phone = browser_session(viewport=PHONE, touch=True)
    phone.sign_in(alice)
    laptop = browser_session(color_scheme="dark")
    laptop.sign_in(alice)
    laptop.goto("/accounts/sessions/")
    sessions = laptop.page.get_by_role("list")
    rows = laptop.page.locator(".session-list > li")
    expect(rows).to_have_count(2)
    # Named in plain words, this browser first.
    expect(rows.first).to_contain_text("This browser")
    expect(rows.first).to_contain_text("Chrome on Linux")
    expect(sessions.get_by_text("This browser")).to_have_count(1)
    laptop.screenshot("settings-sessions")
    laptop.page.get_by_role("button", name="Sign out everywhere else").click()
    laptop.arrived("/accounts/sessions/")
    expect(rows).to_have_count(1)
    # The phone is signed out: its next page is the one a visitor sees.
    phone.goto("/accounts/sessions/")
    phone.arrived(re.compile(r".*/accounts/login/.*"))
    # Alone now, the page offers to sign out this browser.
    phone.sign_in(alice)
    phone.goto("/accounts/sessions/")
    expect(phone.page.locator(".session-list > li")).to_have_count(2)
    phone.screenshot("settings-sessions-phone")


@pytest.mark.parametrize(
    ("device", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)]
)
def test_account_pages_are_cards_like_the_rest_of_settings(
    browser_session, alice, device, viewport
):
    member = browser_session(viewport=viewport)
    member.sign_in(alice)
    member.goto("/accounts/email/")
    current = member.page.get_by_label("Current email")
    expect(current).to_be_disabled()
    expect(current).to_have_css("border-top-style", "dashed")
    member.goto("/accounts/password/change/")
    form = member.page.locator(".manage-page > form")
    expect(form).to_have_css("border-top-style", "solid")
    # A readable width on a wide screen, the whole width on a phone.
    assert form.bounding_box()["width"] <= 40 * 16
    member.screenshot(f"settings-password-{device}")


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_settings_on_a_phone_open_on_the_page_with_the_sections_in_one_row(
    browser_session, alice, theme
):
    member = browser_session(viewport=PHONE, color_scheme=theme, touch=True)
    member.sign_in(alice)
    for path, title, section in [
        ("/settings/", "Settings", "Overview"),
        ("/accounts/password/change/", "Change password", "Password"),
        ("/settings/close/", "Close account", "Close account"),
    ]:
        member.goto(path)
        heading = member.page.get_by_role("heading", level=1)
        expect(heading).to_have_text(title)
        # The page starts on the first screen, under one row of sections.
        assert heading.bounding_box()["y"] < PHONE["height"] / 4
        sections = member.page.get_by_role("navigation", name="Settings")
        assert sections.bounding_box()["height"] < 4 * 16
        # The row scrolls sideways to the page's own section, the last one too.
        current = sections.locator("[aria-current='page']")
        expect(current).to_have_text(section)
        expect(current).to_be_in_viewport(ratio=1)
    member.screenshot(f"settings-phone-{theme}")


def test_close_an_account_after_reading_what_goes(browser_session, alice, bob):
    connect(alice, bob)
    ContactFactory(owner=alice, given_name="Zoe", family_name="Keller")
    member = browser_session(viewport=PHONE, color_scheme="dark")
    member.sign_in(alice)
    member.goto("/settings/")
    member.page.get_by_role("link", name="Close account").first.click()
    member.arrived("/settings/close/")
    expect(member.page.get_by_role("heading", level=1)).to_have_text("Close account")
    expect(member.page.get_by_text("Your connection ends, quietly")).to_be_visible()
    expect(
        member.page.get_by_role("link", name="Download a copy of your data first")
    ).to_be_visible()
    member.screenshot("settings-close-account")
    # A wrong password keeps the tick and says what was wrong.
    member.page.get_by_label("Your password").fill("not my password")
    member.page.get_by_label("I understand").check()
    member.page.get_by_role("button", name="Close my account").click()
    member.arrived("/settings/close/")
    expect(
        member.page.get_by_text("That is not your current password.")
    ).to_be_visible()
    expect(member.page.get_by_label("I understand")).to_be_checked()
    # The right one closes the account and signs out.
    member.page.get_by_label("Your password").fill(DEFAULT_PASSWORD)
    member.page.get_by_role("button", name="Close my account").click()
    member.arrived("/")
    expect(member.page.get_by_text("Your account is closed")).to_be_visible()
    expect(member.page.get_by_role("link", name="Sign in").first).to_be_visible()
    member.screenshot("settings-account-closed")
    # The old password opens nothing any more.
    member.goto("/accounts/login/")
    member.page.get_by_label("Email").fill("alice@example.com")
    member.page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    member.page.get_by_role("button", name="Sign in").click()
    member.arrived("/accounts/login/")
    expect(member.page.get_by_role("alert").first).to_be_visible()
    assert not User.objects.get(pk=alice.pk).is_active


def test_download_your_data_from_settings(browser_session, alice, bob, settings):
    settings.RAPPORT_ARCHIVES_PER_HOUR = 1
    connect(alice, bob)
    send_message(bob, alice, "See you on Friday")
    ContactFactory(owner=alice, given_name="Zoe", family_name="Keller")
    member = browser_session()
    member.sign_in(alice)
    member.goto("/settings/")
    member.page.get_by_role("link", name="Your data").first.click()
    member.arrived("/settings/data/")
    expect(member.page.get_by_text("messages.csv")).to_be_visible()
    member.screenshot("settings-your-data")
    with member.page.expect_download() as started:
        member.page.get_by_role("button", name="Download your data").click()
    download = started.value
    assert re.fullmatch(
        r"rapport-alice-\d{4}-\d\d-\d\d\.zip", download.suggested_filename
    )
    with zipfile.ZipFile(download.path()) as archive:
        messages = archive.read("rapport-data/messages.csv").decode()
        cards = archive.read("rapport-data/contacts.vcf").decode()
    assert "See you on Friday" in messages
    assert "FN:Zoe Keller" in cards
    # Past the hourly limit the page says when it works again.
    member.page.get_by_role("button", name="Download your data").click()
    member.arrived("/settings/data/download/")
    expect(member.page.get_by_role("alert")).to_contain_text(
        "You can download your data once an hour. Try again in"
    )
    member.screenshot("settings-your-data-later")
