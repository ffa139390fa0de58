"""Journeys through profiles: audiences per field, what each viewer sees, View as."""

import re

import pytest
from playwright.sync_api import expect

from connections.models import Profile
from tests.browser.conftest import PHONE
from tests.factories import WorkEntryFactory, connect

pytestmark = pytest.mark.django_db(transaction=True)

BOB_PHONE = "+44 20 7946 0958"
SETTINGS = re.compile(r".*/settings/profile/(#[a-z-]+)?$")


def phone_audience(session, audience: str):
    """Bob sets his phone and its audience in Settings → Profile and saves."""
    session.goto("/settings/profile/")
    session.page.get_by_label("Phone", exact=True).fill(BOB_PHONE)
    session.page.get_by_label("Who can see your phone").select_option(label=audience)
    session.page.get_by_role("button", name="Save", exact=True).first.click()
    session.arrived(SETTINGS)
    expect(session.page.get_by_text("Profile saved.")).to_be_visible()


def test_phone_reaches_connections_only_then_nobody(browser_session, alice, bob, carol):
    connect(alice, bob)
    WorkEntryFactory(member=bob, organization="Okafor Labs", title="CTO")

    bob_ui = browser_session()
    bob_ui.sign_in(bob)
    phone_audience(bob_ui, "Connections")
    bob_ui.screenshot("profile-settings")
    assert Profile.objects.get(member=bob).phone_audience == "connections"

    carol_ui = browser_session()
    carol_ui.sign_in(carol)
    carol_ui.goto("/in/bob/")
    expect(carol_ui.page.get_by_role("heading", name="Bob Okafor")).to_be_visible()
    expect(carol_ui.page.get_by_text("Okafor Labs")).to_be_visible()
    expect(carol_ui.page.get_by_text(BOB_PHONE)).to_have_count(0)

    alice_ui = browser_session()
    alice_ui.sign_in(alice)
    alice_ui.goto("/in/bob/")
    phone_link = alice_ui.page.get_by_role("link", name=BOB_PHONE)
    expect(phone_link).to_be_visible()
    expect(phone_link).to_have_attribute("href", "tel:+442079460958")
    expect(alice_ui.page.get_by_role("button", name="Save to contacts")).to_be_visible()
    alice_ui.screenshot("profile-as-connection")

    # View as: Bob previews his profile as a connection, a member, the public.
    bob_ui.goto("/in/bob/")
    bob_ui.screenshot("profile-own")
    view_as = bob_ui.page.get_by_role("navigation", name="View as")
    view_as.get_by_role("link", name="A connection").click()
    expect(bob_ui.page.get_by_text("as your connections see it")).to_be_visible()
    expect(bob_ui.page).to_have_url(bob_ui.url("/in/bob/?view_as=connection"))
    expect(bob_ui.page.get_by_role("link", name=BOB_PHONE)).to_be_visible()
    bob_ui.check_a11y("view as a connection")
    view_as.get_by_role("link", name="A member").click()
    expect(bob_ui.page.get_by_text("who are not your connections")).to_be_visible()
    expect(bob_ui.page.get_by_text(BOB_PHONE)).to_have_count(0)
    expect(bob_ui.page.get_by_text("Okafor Labs")).to_be_visible()
    view_as.get_by_role("link", name="The public").click()
    expect(bob_ui.page.get_by_text("signed-out visitors see it")).to_be_visible()
    expect(bob_ui.page.get_by_text("Okafor Labs")).to_have_count(0)
    bob_ui.check_a11y("view as the public")
    bob_ui.screenshot("profile-view-as-public")

    # Only me: alice no longer sees the phone, nor does the connection preview.
    phone_audience(bob_ui, "Only me")
    alice_ui.goto("/in/bob/")
    expect(alice_ui.page.get_by_role("heading", name="Bob Okafor")).to_be_visible()
    expect(alice_ui.page.get_by_text(BOB_PHONE)).to_have_count(0)
    bob_ui.goto("/in/bob/?view_as=connection")
    expect(bob_ui.page.get_by_text("as your connections see it")).to_be_visible()
    expect(bob_ui.page.get_by_text(BOB_PHONE)).to_have_count(0)
    bob_ui.goto("/in/bob/")
    expect(bob_ui.page.get_by_role("link", name=BOB_PHONE)).to_be_visible()


def test_profile_edit_keeps_input_and_works_on_a_phone(browser_session, alice):
    alice_ui = browser_session(viewport=PHONE)
    alice_ui.sign_in(alice)
    alice_ui.goto("/settings/profile/")
    alice_ui.page.get_by_label("About", exact=True).fill("Designer who likes maps.")
    alice_ui.page.get_by_label("Website", exact=True).fill("not a web address")
    alice_ui.page.get_by_role("button", name="Save", exact=True).first.click()
    alice_ui.arrived(SETTINGS)
    expect(
        alice_ui.page.get_by_text("Enter a web address starting with http")
    ).to_be_visible()
    expect(alice_ui.page.get_by_label("About", exact=True)).to_have_value(
        "Designer who likes maps."
    )
    alice_ui.page.get_by_label("Organization", exact=True).fill("Northwind")
    alice_ui.page.get_by_label("Title", exact=True).fill("Designer")
    alice_ui.page.get_by_role("button", name="Add position").click()
    alice_ui.arrived(SETTINGS)
    expect(alice_ui.page.get_by_text("Position added")).to_be_visible()
    alice_ui.screenshot("profile-settings-phone")
    alice_ui.goto("/in/alice/")
    expect(alice_ui.page.get_by_text("Northwind")).to_be_visible()
    alice_ui.screenshot("profile-own-phone")
