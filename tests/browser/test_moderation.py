"""Journey: a report, a suspension in the admin, and what everyone sees after."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from playwright.sync_api import expect

from connections.models import AuditRecord, Report
from tests.browser.conftest import authenticator_code
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in_with_code(session, user, secret):
    session.goto("/accounts/login/")
    session.page.get_by_label("Email").fill(user.email)
    session.page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    session.page.get_by_role("button", name="Sign in").click()
    session.arrived("/accounts/2fa/authenticate/")
    session.page.get_by_label("Code").fill(authenticator_code(secret))
    session.page.get_by_role("button", name="Sign in").click()
    session.arrived("/")


def test_bob_reports_carol_and_staff_suspend_her(
    browser_session, alice, bob, carol, moderator
):
    carol_ui = browser_session()
    carol_ui.sign_in(carol)
    carol_ui.goto("/network/")

    bob_ui = browser_session()
    bob_ui.sign_in(bob)
    bob_ui.goto("/in/carol/")
    bob_ui.page.get_by_label("More actions").click()
    bob_ui.page.get_by_role("link", name="Report").click()
    dialog = bob_ui.page.get_by_role("dialog")
    expect(dialog).to_contain_text("Report Carol Nguyen")
    expect(dialog.get_by_label("Also block this member")).not_to_be_checked()
    dialog.get_by_label("Harassment").check()
    dialog.get_by_label("Details (optional)").fill("Insulting messages every day.")
    bob_ui.check_a11y("report dialog")
    bob_ui.screenshot("moderation-report-dialog")
    dialog.get_by_role("button", name="Report").click()
    bob_ui.arrived("/settings/reports/")
    expect(bob_ui.page.get_by_text("Report sent.")).to_be_visible()
    expect(bob_ui.page.locator("#main")).to_contain_text("Waiting for the staff")
    bob_ui.screenshot("moderation-my-reports")

    # Carol's open page polls for unread messages; once she is signed out, a
    # poll could take her to sign in while this test does, and one of the two
    # navigations would be aborted. She comes back to the site afterwards.
    carol_ui.page.goto("about:blank")

    secret = generate_totp_secret()
    TOTP.activate(moderator, secret)
    staff_ui = browser_session()
    sign_in_with_code(staff_ui, moderator, secret)
    staff_ui.goto("/admin/connections/report/")
    row = staff_ui.page.locator("#result_list tbody tr", has_text="Carol Nguyen")
    expect(row).to_contain_text("Harassment")
    expect(row).to_contain_text("Bob Okafor")
    staff_ui.screenshot("moderation-queue")
    row.get_by_role("link").first.click()
    staff_ui.arrived()
    staff_ui.page.get_by_role("link", name="Dismiss, warn or suspend…").click()
    staff_ui.arrived()
    staff_ui.page.get_by_label("Suspend: signed out everywhere").check()
    staff_ui.page.get_by_role("textbox", name="Reason").fill(
        "Daily insults reported by members."
    )
    staff_ui.screenshot("moderation-act")
    staff_ui.page.get_by_role("button", name="Apply").click()
    staff_ui.arrived("/admin/connections/report/")
    expect(staff_ui.page.get_by_text("Done.")).to_be_visible()

    carol_ui.page.goto(carol_ui.url("/network/"))
    carol_ui.arrived("/accounts/login/")  # her session ended with the suspension
    carol_ui.page.get_by_label("Email").fill(carol.email)
    carol_ui.page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    carol_ui.page.get_by_role("button", name="Sign in").click()
    carol_ui.arrived()
    expect(
        carol_ui.page.get_by_role("heading", name="Account suspended")
    ).to_be_visible()
    carol_ui.screenshot("moderation-suspended-sign-in")

    alice_ui = browser_session()
    alice_ui.sign_in(alice)
    response = alice_ui.page.goto(alice_ui.url("/in/carol/"))
    alice_ui.arrived()
    assert response.status == 404

    staff_ui.goto("/admin/connections/auditrecord/")
    audit = staff_ui.page.locator("#result_list tbody tr").first
    expect(audit).to_contain_text("Suspended")
    expect(audit).to_contain_text("Carol Nguyen")
    expect(audit).to_contain_text("Mona Moderator")
    staff_ui.screenshot("moderation-audit")
    record = AuditRecord.objects.get()
    assert record.reason == "Daily insults reported by members."
    assert Report.objects.get().outcome == "suspended"


def test_alice_reports_a_message_and_it_is_removed_for_both(
    browser_session, alice, bob, moderator
):
    from connections.services import moderation
    from tests.factories import connect, send_message

    connect(alice, bob)
    send_message(alice, bob, "Hi Bob, see you at the meetup?")
    message = send_message(bob, alice, "Cheap watches at spam.example!")
    alice_ui = browser_session()
    alice_ui.sign_in(alice)
    alice_ui.goto("/messages/with/bob/")
    alice_ui.page.get_by_role("link", name="Report this message").click()
    dialog = alice_ui.page.get_by_role("dialog")
    expect(dialog).to_contain_text("Report a message from Bob Okafor")
    expect(dialog).to_contain_text("Cheap watches at spam.example!")
    dialog.get_by_label("Spam").check()
    alice_ui.check_a11y("report message dialog")
    alice_ui.screenshot("moderation-report-message")
    dialog.get_by_role("button", name="Report").click()
    alice_ui.arrived("/settings/reports/")
    report = Report.objects.get()
    assert report.message == message
    moderation.content_remove(report=report, staff_member=moderator, reason="Spam")
    alice_ui.goto("/messages/with/bob/")
    expect(alice_ui.page.get_by_text("Message removed by moderators")).to_be_visible()
    expect(alice_ui.page.get_by_text("Cheap watches")).to_have_count(0)
    alice_ui.screenshot("moderation-message-removed")
