"""Journeys through updates on Home and the depth of a connection."""

import re

import pytest
from playwright.sync_api import expect

from connections.models import Update
from tests.browser.conftest import DESKTOP, PHONE
from tests.factories import connect

pytestmark = pytest.mark.django_db(transaction=True)


def test_alice_posts_bob_comments_carol_sees_nothing_and_depth_rises(
    browser_session, alice, bob, carol
):
    connect(alice, bob)

    alice_ui = browser_session()
    alice_ui.sign_in(alice)
    alice_ui.goto("/network/connections/?sort=depth")
    row = alice_ui.page.locator(".connection-row", has_text="Bob Okafor")
    expect(row.locator(".depth-meter")).to_have_attribute("data-steps", "0")

    alice_ui.goto("/")
    alice_ui.page.get_by_label("Share an update").fill(
        "Our new office opens on Monday: https://example.org/office"
    )
    alice_ui.page.get_by_label("Who can see it").select_option("Connections")
    alice_ui.page.get_by_role("button", name="Post").click()
    card = alice_ui.page.locator(".update-card", has_text="Our new office")
    expect(card).to_be_visible()
    expect(card.get_by_role("link", name="https://example.org/office")).to_be_visible()
    expect(alice_ui.page.get_by_label("Share an update")).to_have_value("")
    alice_ui.check_a11y("after posting")
    alice_ui.screenshot("updates-home-alice")

    bob_ui = browser_session()
    bob_ui.sign_in(bob)
    card = bob_ui.page.locator(".update-card", has_text="Our new office")
    expect(card).to_be_visible()
    card.get_by_role("button", name=re.compile("^Like")).click()
    expect(card.get_by_role("button", name=re.compile("^Like"))).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(card.locator(".like-form")).to_contain_text("1 like")
    card.get_by_role("link", name=re.compile("^Comment")).click()
    comment_box = card.get_by_label("Add a comment")
    expect(comment_box).to_be_visible()
    comment_box.fill("Congratulations, see you there!")
    card.get_by_role("button", name="Comment", exact=True).click()
    expect(card.locator(".comment")).to_contain_text("Congratulations")
    expect(card.locator(f"#comment-count-{Update.objects.get().pk}")).to_contain_text(
        "1 comment"
    )
    bob_ui.check_a11y("after commenting")
    bob_ui.screenshot("updates-home-bob")

    carol_ui = browser_session(viewport=PHONE)
    carol_ui.sign_in(carol)
    expect(carol_ui.page.get_by_text("Our new office")).to_have_count(0)
    expect(carol_ui.page.get_by_text("Nothing here yet")).to_be_visible()
    carol_ui.screenshot("updates-home-empty-phone")
    response = carol_ui.page.goto(carol_ui.url(f"/updates/{Update.objects.get().pk}/"))
    assert response.status == 404
    carol_ui.arrived()

    alice_ui.goto("/network/connections/?sort=depth")
    row = alice_ui.page.locator(".connection-row", has_text="Bob Okafor")
    expect(row.locator(".depth-meter")).to_have_attribute("data-steps", "1")
    row.get_by_text("Why?").click()
    expect(row.locator(".depth-why-body")).to_contain_text(
        "1 comment and 1 like in the last 90 days; last interaction today"
    )
    alice_ui.check_a11y("why open")
    alice_ui.screenshot("updates-depth-list")

    # Bob commented for her connections: the update cannot become Public.
    alice_ui.goto(f"/updates/{Update.objects.get().pk}/edit/")
    alice_ui.page.get_by_label("Who can see it").select_option("Public")
    alice_ui.page.get_by_role("button", name="Save").click()
    expect(alice_ui.page.get_by_label("Who can see it")).to_have_attribute(
        "aria-invalid", "true"
    )
    expect(alice_ui.page.locator(".update-card")).to_contain_text(
        "Others have commented for your connections only"
    )
    assert Update.objects.get().audience == "connections"
    alice_ui.check_a11y("audience refused")
    alice_ui.screenshot("updates-edit-audience-refused")


@pytest.mark.parametrize(
    ("device", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)]
)
def test_post_sits_on_one_line_with_who_can_see_it(
    browser_session, alice, device, viewport
):
    member = browser_session(viewport=viewport, touch=device == "phone")
    member.sign_in(alice)
    text = member.page.get_by_label("Share an update").bounding_box()
    audience = member.page.get_by_label("Who can see it").bounding_box()
    post = member.page.get_by_role("button", name="Post").bounding_box()
    # Post is beside the audience menu, on its line, not wrapped under it.
    middle = post["y"] + post["height"] / 2
    assert audience["y"] < middle < audience["y"] + audience["height"]
    assert post["x"] >= audience["x"] + audience["width"]
    # And the line stands clear of the text box above it.
    assert audience["y"] >= text["y"] + text["height"] + 8
    member.screenshot(f"updates-composer-{device}")


@pytest.mark.parametrize(
    ("device", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)]
)
def test_a_keep_in_touch_reminder_names_the_person_beside_the_photo(
    browser_session, alice, bob, device, viewport
):
    """The sidebar is narrow: the name must not be squeezed away by Message."""
    from datetime import timedelta

    from django.utils import timezone

    from connections.services.depth import connection_keep_in_touch_set

    connect(alice, bob, created=timezone.now() - timedelta(days=30))
    connection_keep_in_touch_set(member=alice, other=bob, weeks=2)
    member = browser_session(viewport=viewport, touch=device == "phone")
    member.sign_in(alice)
    reminders = member.page.get_by_role("region", name="Keep in touch")
    name = reminders.get_by_role("link", name="Bob Okafor", exact=True).bounding_box()
    why = reminders.get_by_text("every 2 weeks").bounding_box()
    message = reminders.get_by_role("link", name="Message Bob Okafor")
    button = message.bounding_box()
    photo = reminders.locator(".avatar").bounding_box()
    # The whole name is shown beside the photo, the reason under it whole.
    assert name["x"] >= photo["x"] + photo["width"]
    assert name["width"] >= 70
    assert reminders.get_by_role("link", name="Bob Okafor", exact=True).evaluate(
        "el => el.scrollWidth <= el.clientWidth"
    )
    assert why["y"] >= name["y"] + name["height"] - 1
    # Message sits on its own line under them, lined up with the name.
    assert button["y"] >= why["y"] + why["height"]
    assert abs(button["x"] - name["x"]) <= 2
    member.screenshot(f"home-keep-in-touch-{device}")


def test_the_focus_ring_of_an_updates_date_is_whole(ui, alice):
    from tests.factories import UpdateFactory

    UpdateFactory(author=alice, text="Our team shipped the new onboarding flow.")
    ui.sign_in(alice)
    card = ui.page.locator(".update-card", has_text="onboarding flow")
    ui.assert_focus_ring_whole(card.locator(".update-meta time").locator(".."))


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_profile_depth_and_losing_touch(browser_session, alice, bob, theme):
    from datetime import timedelta

    from django.utils import timezone

    from connections.models import Connection
    from tests.factories import UpdateFactory

    connect(alice, bob, created=timezone.now() - timedelta(days=400))
    Connection.objects.filter(member=alice, other=bob).update(kind="close")
    UpdateFactory(author=bob, text="Shipping the new release today.")
    ui = browser_session(color_scheme=theme)
    ui.sign_in(alice)
    ui.goto("/in/bob/")
    expect(ui.page.get_by_text("Shipping the new release today.")).to_be_visible()
    expect(
        ui.page.get_by_role("heading", name="Depth of your connection")
    ).to_be_visible()
    ui.page.get_by_label("Remind me to keep in touch").select_option("4")
    expect(ui.page.get_by_text("Time to get in touch")).to_be_visible()
    ui.check_a11y("reminder saved")
    ui.screenshot(f"updates-profile-{theme}")
    ui.goto("/network/losing-touch/")
    row = ui.page.locator(".connection-row", has_text="Bob Okafor")
    expect(row).to_be_visible()
    expect(row.get_by_role("link", name="Message Bob Okafor")).to_be_visible()
    ui.screenshot(f"updates-losing-touch-{theme}")
    ui.goto("/")
    expect(ui.page.get_by_role("heading", name="Keep in touch")).to_be_visible()
    ui.screenshot(f"updates-home-reminder-{theme}")
