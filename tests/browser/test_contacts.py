"""Journeys through the address book: add, find, edit, delete and restore."""

import re

import pytest
from playwright.sync_api import expect

from connections.demo import silhouette_upload
from connections.models import ConnectionRequest
from contacts.models import Contact
from contacts.services.photos import contact_photo_set
from tests.browser.conftest import DESKTOP, FOCUS_RING_CUT, PHONE
from tests.factories import ContactFactory, LabelFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_add_find_edit_delete_and_restore_a_contact(ui, alice, bob):
    ContactFactory(owner=alice, given_name="Bob", family_name="Okafor")
    ui.sign_in(alice)
    ui.goto("/contacts/")
    ui.page.get_by_role("link", name="Add contact").first.click()
    ui.arrived("/contacts/new/")

    page = ui.page
    page.get_by_label("First name").fill("Zoë")
    page.get_by_label("Last name").fill("Lefèvre")
    page.get_by_label("Email 1", exact=True).fill("zoe@example.com")
    page.get_by_role("button", name="Add email").click()
    second = page.get_by_label("Email 2", exact=True)
    expect(second).to_be_focused()
    ui.check_a11y("with a second email row")
    second.fill("zoe@work.example")
    page.get_by_label("Label of Email 2", exact=True).select_option("work")
    expect(page.get_by_label("First name")).to_have_value("Zoë")
    page.get_by_role("button", name="Save").first.click()
    ui.arrived(re.compile(r".*/contacts/\d+/$"))
    expect(page.get_by_role("heading", name="Zoë Lefèvre")).to_be_visible()
    expect(page.get_by_role("link", name="zoe@work.example")).to_have_attribute(
        "href", "mailto:zoe@work.example"
    )
    contact = Contact.objects.get(owner=alice, given_name="Zoë")
    assert [e.value for e in contact.emails.all()] == [
        "zoe@example.com",
        "zoe@work.example",
    ]

    # Find it by typing part of the name without the accents.
    ui.goto("/contacts/")
    page.get_by_role("searchbox", name="Search contacts").press_sequentially(
        "lefev", delay=30
    )
    rows = page.locator(".contact-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Zoë Lefèvre")
    expect(page).to_have_url(re.compile(r"q=lefev"))
    ui.check_a11y("with search results")
    rows.first.get_by_role("link", name=re.compile("Zoë Lefèvre")).click()
    ui.arrived(f"/contacts/{contact.pk}/")

    # Edit inline: an error keeps what was typed, then a fix saves.
    page.get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", name="Edit Zoë Lefèvre")).to_be_visible()
    # The form arrives by htmx, or as a page when the click beat htmx to it:
    # fill it once nothing more is on its way.
    page.wait_for_load_state("networkidle")
    page.get_by_label("Organization").fill("Northwind")
    page.get_by_label("Email 2", exact=True).fill("not-an-email")
    page.get_by_role("button", name="Save").first.click()
    expect(page.get_by_text("Enter a valid email address.")).to_be_visible()
    expect(page.get_by_label("Organization")).to_have_value("Northwind")
    ui.check_a11y("with an invalid inline form")
    page.get_by_label("Email 2", exact=True).fill("zoe@northwind.example")
    page.get_by_role("button", name="Save").first.click()
    expect(page.get_by_role("heading", name="Zoë Lefèvre")).to_be_visible()
    expect(page.get_by_text("Northwind", exact=True)).to_be_visible()
    expect(page.get_by_text("Changes saved.")).to_be_visible()
    ui.check_a11y("after saving inline")

    # Delete: it goes to the Trash, and comes back from there.
    page.get_by_role("button", name="Delete").click()
    ui.arrived("/contacts/")
    expect(page.get_by_text("moved to the Trash")).to_be_visible()
    expect(page.locator(".contact-row")).to_have_count(1)
    page.get_by_role("link", name="Trash").click()
    ui.arrived("/contacts/trash/")
    page.get_by_role("button", name="Restore Zoë Lefèvre").click()
    expect(page.get_by_text("Zoë Lefèvre was restored.")).to_be_visible()
    expect(page.locator(".trash-row")).to_have_count(0)
    ui.check_a11y("after restoring")
    contact.refresh_from_db()
    assert contact.deleted_at is None
    assert contact.organization == "Northwind"


def test_label_and_star_contacts_from_the_list(ui, alice):
    LabelFactory(owner=alice, name="Book club")
    for name in ("Ann", "Ben", "Cy"):
        ContactFactory(owner=alice, given_name=name, family_name="Reader")
    ui.sign_in(alice)
    ui.goto("/contacts/")
    page = ui.page
    page.get_by_role("checkbox", name="Select Ann Reader").check()
    page.get_by_role("checkbox", name="Select Cy Reader").check()
    expect(page.get_by_text("2 selected")).to_be_visible()
    page.get_by_label("Label", exact=True).select_option(label="Book club")
    page.get_by_role("button", name="Add label").click()
    expect(page.get_by_text("Label “Book club” added to 2 contacts.")).to_be_visible()
    ui.check_a11y("after labelling")
    page.evaluate("window.stayedOnPage = true")
    page.get_by_role("button", name="Favourite Ben Reader").click()
    expect(page.get_by_role("button", name="Favourite Ben Reader")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert page.evaluate("window.stayedOnPage") is True  # swapped, not reloaded
    assert Contact.objects.get(given_name="Ben").is_favorite
    page.get_by_role("link", name="Book club").click()
    ui.arrived("/contacts/")
    expect(page.locator(".contact-row")).to_have_count(2)
    page.get_by_role("link", name="Favourites").click()
    ui.arrived("/contacts/")
    expect(page.locator(".contact-row")).to_have_count(1)


def test_sidebar_shows_long_label_names_whole_and_keeps_its_links_in_reach(ui, alice):
    for day in range(1, 31):
        LabelFactory(owner=alice, name=f"Imported 2026-11-{day:02d}")
    ContactFactory(owner=alice, given_name="Ann", family_name="Reader")
    ui.sign_in(alice)
    ui.goto("/contacts/")
    page = ui.page
    nav = page.get_by_role("navigation", name="Address book")
    # Each name is shown whole (wrapped, not cut), so two imports stay apart.
    label = nav.get_by_role("link", name="Imported 2026-11-28")
    expect(label).to_be_visible()
    assert label.locator("span").evaluate(
        "span => span.scrollWidth <= span.clientWidth"
        " && span.scrollHeight <= span.clientHeight"
    )
    # Thirty labels are taller than the window: the sidebar scrolls on its own
    # and its last links stay reachable while the list stays where it is.
    box = nav.bounding_box()
    assert box["y"] + box["height"] <= page.viewport_size["height"]
    settings_link = nav.get_by_role("link", name="Settings")
    settings_link.scroll_into_view_if_needed()
    expect(settings_link).to_be_in_viewport()
    ui.screenshot("contacts-sidebar-many-labels", full_page=False)
    settings_link.click()
    ui.arrived("/contacts/settings/")


CELL_CUT_SHORT = "cell => cell.scrollWidth > cell.clientWidth"


def test_the_list_reads_well_at_1280_pixels_with_long_values(ui, alice):
    labels = [
        LabelFactory(owner=alice, name=name)
        for name in ("Book club", "Conference speakers 2026", "Running club")
    ]
    ContactFactory(
        owner=alice,
        given_name="Maximiliane Alexandra",
        family_name="von Hohenzollern-Sigmaringen",
        organization="International Federation of Long Organisation Names",
        emails=["maximiliane.von.hohenzollern-sigmaringen@example.com"],
        phones=["+49 1512 3454989"],
        labels=labels,
    )
    ContactFactory(
        owner=alice,
        given_name="Amy",
        family_name="Osborne",
        emails=["amy.osborne@outlook.com"],
        phones=["+44 121 234 3913"],
    )
    ui.sign_in(alice)
    ui.goto("/contacts/")
    page = ui.page
    long_row = page.locator(".contact-row", has_text="Maximiliane")
    amy = page.locator(".contact-row", has_text="Amy Osborne")
    # Three labels stay on one line: the row is as tall as the others (give or
    # take the border between rows).
    assert abs(long_row.bounding_box()["height"] - amy.bounding_box()["height"]) <= 1
    chips = long_row.locator(".contact-chips")
    assert chips.evaluate(CELL_CUT_SHORT)
    expect(chips).to_have_attribute(
        "title", "Book club, Conference speakers 2026, Running club"
    )
    # What is cut short ends in an ellipsis and is whole in its title.
    email = long_row.locator(".contact-cell-email")
    assert email.evaluate(CELL_CUT_SHORT)
    expect(email).to_have_css("text-overflow", "ellipsis")
    expect(email.get_by_role("link")).to_have_attribute(
        "title", "maximiliane.von.hohenzollern-sigmaringen@example.com"
    )
    # A usual email and phone numbers fit whole; Amy's second line, her email
    # again, gives way to the Email column.
    for row in (long_row, amy):
        assert not row.locator(".contact-cell-phone").evaluate(CELL_CUT_SHORT)
    assert not amy.locator(".contact-cell-email").evaluate(CELL_CUT_SHORT)
    expect(amy.locator(".item-sub")).to_be_hidden()
    ui.screenshot("contacts-list-long-values", full_page=False)


def test_a_long_label_on_the_contact_page_ends_in_an_ellipsis(ui, alice):
    long_name = "Conference: EuroPython 2026 speakers and volunteers"
    zoe = ContactFactory(
        owner=alice,
        given_name="Zoe",
        labels=[LabelFactory(owner=alice, name=long_name)],
    )
    ui.sign_in(alice)
    ui.goto(f"/contacts/{zoe.pk}/")
    chip = ui.page.get_by_role("link", name=long_name)
    expect(chip).to_have_attribute("title", long_name)
    name = chip.locator(".chip-name")
    assert name.evaluate(CELL_CUT_SHORT)
    expect(name).to_have_css("text-overflow", "ellipsis")
    ui.screenshot("contact-long-label", full_page=False)


def test_the_focus_ring_of_an_email_phone_or_badge_in_the_list_is_whole(ui, alice, bob):
    ContactFactory(
        owner=alice,
        given_name="Bob",
        emails=[bob.email],
        phones=["+44 121 234 3913"],
    )
    ui.sign_in(alice)
    ui.goto("/contacts/")
    row = ui.page.locator(".contact-row").first
    for link in (
        row.locator(".contact-cell-email a"),
        row.locator(".contact-cell-phone a"),
        row.locator(".on-rapport-badge"),
    ):
        ui.assert_focus_ring_whole(link)


def test_the_labels_line_up_whatever_their_counts(ui, alice):
    club = LabelFactory(owner=alice, name="Book club")
    LabelFactory(owner=alice, name="Conference speakers 2026")
    for number in range(12):
        ContactFactory(owner=alice, given_name=f"Reader {number}", labels=[club])
    ui.sign_in(alice)
    ui.goto("/contacts/labels/")
    rows = ui.page.locator(".label-row")
    expect(rows).to_have_count(2)
    # "12 contacts" and "0 contacts" take one width: the names, Rename and
    # Delete of each row are where they are in the other.
    for part in ("input[name='name']", ".label-rename .btn", ".label-count"):
        first, second = (row.locator(part).bounding_box() for row in rows.all())
        assert abs(first["x"] - second["x"]) <= 0.5, part
        if part != ".label-count":
            assert abs(first["width"] - second["width"]) <= 0.5, part
    # Rename is centred on its name's box.
    field = rows.first.locator("input[name='name']").bounding_box()
    rename = rows.first.locator(".label-rename .btn").bounding_box()
    centre = field["y"] + field["height"] / 2
    assert abs(rename["y"] + rename["height"] / 2 - centre) <= 1
    ui.screenshot("contacts-labels", full_page=False)


def test_on_a_phone_the_address_book_row_starts_at_the_current_page(
    browser_session, alice
):
    for name in ("Book club", "Family", "Friends", "Neighbours", "Running club"):
        LabelFactory(owner=alice, name=name)
    ui = browser_session(viewport=PHONE, touch=True)
    ui.sign_in(alice)
    page = ui.page
    nav = page.get_by_role("navigation", name="Address book")
    for path, name in (("/contacts/trash/", "Trash"), ("/contacts/", "All contacts")):
        ui.goto(path)
        # The row of links is wider than the phone and scrolls sideways; the
        # current page's link is in view without scrolling it by hand.
        assert nav.evaluate("nav => nav.scrollWidth > nav.clientWidth")
        link = nav.get_by_role("link", name=name)
        expect(link).to_have_attribute("aria-current", "page")
        row, chip = nav.bounding_box(), link.bounding_box()
        assert row["x"] <= chip["x"]
        assert chip["x"] + chip["width"] <= row["x"] + row["width"]
    ui.goto("/contacts/import/")
    zone = page.locator("[data-drop-zone]")
    # Nothing to drag a file with on a touch screen: no hint to drop one.
    expect(zone.get_by_text("You can also drop the file here.")).to_be_hidden()
    field = zone.get_by_label("Address book file")
    assert field.bounding_box()["width"] >= zone.bounding_box()["width"] * 0.8
    ui.screenshot("contacts-import-phone", full_page=False)


def test_empty_the_trash_after_confirming(ui, alice):
    for name in ("Old", "Older"):
        ContactFactory(owner=alice, given_name=name, trashed=True)
    ui.sign_in(alice)
    ui.goto("/contacts/trash/")
    ui.page.get_by_role("link", name="Empty trash").click()
    dialog = ui.page.get_by_role("dialog")
    expect(dialog).to_contain_text("All 2 contacts in the Trash")
    ui.check_a11y("with the confirmation open")
    ui.page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    ui.page.get_by_role("link", name="Empty trash").click()
    ui.page.get_by_role("dialog").get_by_role("button", name="Empty trash").click()
    ui.arrived("/contacts/trash/")
    expect(ui.page.get_by_text("2 contacts were deleted for good.")).to_be_visible()
    assert not Contact.objects.exists()


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize(
    ("device", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)]
)
def test_contacts_look_right_in_both_themes(
    browser_session, alice, bob, theme, device, viewport
):
    family = LabelFactory(owner=alice, name="Family")
    work = LabelFactory(owner=alice, name="Work")
    ContactFactory(
        owner=alice,
        given_name="Bob",
        family_name="Okafor",
        emails=["bob@example.com"],
        phones=["+44 20 7946 0001"],
        labels=[work],
    )
    zoe = ContactFactory(
        owner=alice,
        given_name="Zoë",
        family_name="Lefèvre",
        organization="Northwind",
        job_title="Editor",
        emails=["zoe@example.com", "zoe@northwind.example"],
        phones=["+33 1 42 68 53 00"],
        addresses=["Lyon"],
        websites=["https://zoe.example/"],
        birthday_day=14,
        birthday_month=7,
        notes="Met at the book fair. Prefers email.",
        labels=[family],
        is_favorite=True,
    )
    for name, email in (
        ("Ann Reader", "ann@example.org"),
        ("Åsa Öberg", "asa@example.se"),
        ("Chloé Müller", "chloe@example.de"),
        ("David Guillou", "david@example.fr"),
    ):
        given, family_name = name.split()
        ContactFactory(
            owner=alice, given_name=given, family_name=family_name, emails=[email]
        )
    contact_photo_set(
        contact=zoe, upload=silhouette_upload((214, 228, 240), (70, 96, 140))
    )
    member = browser_session(viewport=viewport, color_scheme=theme)
    member.sign_in(alice)
    member.goto("/contacts/")
    member.screenshot(f"contacts-list-{device}-{theme}")
    member.goto(f"/contacts/{zoe.pk}/")
    member.screenshot(f"contacts-detail-{device}-{theme}")
    member.goto(f"/contacts/{zoe.pk}/photo/")
    member.check_a11y("photo")
    member.screenshot(f"contacts-photo-{device}-{theme}")
    member.goto("/contacts/new/")
    member.page.get_by_label("Picture", exact=True).scroll_into_view_if_needed()
    member.check_a11y("add contact")
    member.screenshot(f"contacts-add-{device}-{theme}")
    member.goto(f"/contacts/{zoe.pk}/")
    member.page.get_by_role("link", name="Edit").click()
    expect(member.page.get_by_role("heading", name="Edit Zoë Lefèvre")).to_be_visible()
    member.check_a11y("editing")
    member.screenshot(f"contacts-edit-{device}-{theme}")


def test_connect_with_a_contact_who_is_on_rapport_and_invite_one_who_is_not(
    ui, alice, bob
):
    bob_card = ContactFactory(owner=alice, given_name="Bob", emails=["bob@example.com"])
    zoe_card = ContactFactory(
        owner=alice,
        given_name="Zoë",
        family_name="Nakamura",
        emails=["zoe@example.org"],
    )
    ui.sign_in(alice)
    ui.goto(bob_card.get_absolute_url())
    bridge = ui.page.get_by_role("region", name="On Rapport")
    expect(bridge).to_contain_text("Bob Okafor")
    bridge.get_by_role("link", name="Connect with Bob Okafor").click()
    dialog = ui.page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    ui.check_a11y("connect from a contact")
    dialog.get_by_role("button", name="Send").click()
    expect(dialog).to_have_count(0)
    expect(bridge).to_contain_text("Pending")
    ui.screenshot("contact-on-rapport-pending")
    assert ConnectionRequest.objects.filter(sender=alice, recipient=bob).count() == 1

    ui.goto(zoe_card.get_absolute_url())
    ui.page.get_by_role("link", name="Invite to Rapport").click()
    ui.arrived("/network/invite/")
    expect(ui.page.get_by_label("Email")).to_have_value("zoe@example.org")
    ui.page.get_by_role("button", name=re.compile("Send")).click()
    expect(ui.page.get_by_text("Invitation sent to zoe@example.org.")).to_be_visible()


def test_after_a_bulk_action_the_keyboard_is_on_the_contacts_it_changed(ui, alice):
    """Labelling the selected contacts leaves the focus on the first of them;
    moving some to the Trash, on the row that took the first one's place.
    The result is read out, and the focus is never the whole list."""
    names = ["Ada Byron", "Ben Carter", "Cleo Dubois", "Dan Evans"]
    people = [
        ContactFactory(owner=alice, given_name=first, family_name=last)
        for first, last in (name.split() for name in names)
    ]
    LabelFactory(owner=alice, name="Family")
    ui.sign_in(alice)
    ui.goto("/contacts/")
    page = ui.page
    focused_row = (
        "document.activeElement.closest('.contact-row')"
        "?.querySelector('[data-bulk-item]').value"
    )

    page.get_by_role("checkbox", name=f"Select {names[1]}").check()
    page.get_by_role("checkbox", name=f"Select {names[2]}").check()
    page.get_by_label("Label", exact=True).select_option(label="Family")
    page.get_by_role("button", name="Add label").focus()
    page.keyboard.press("Enter")
    added = page.get_by_role("status").filter(has_text="added to 2 contacts")
    expect(added).to_be_visible()
    expect(page.locator(".contact-row:focus")).to_have_count(1)
    assert page.evaluate(focused_row) == str(people[1].pk)
    cut = page.locator(".contact-row:focus").evaluate(FOCUS_RING_CUT)
    assert not cut, f"the focused row's ring is {cut}"
    ui.check_a11y("labelled")

    page.get_by_role("checkbox", name=f"Select {names[1]}").check()
    page.get_by_role("button", name="Delete").focus()
    page.keyboard.press("Enter")
    trashed = page.get_by_role("status").filter(has_text="moved to the Trash")
    expect(trashed).to_be_visible()
    expect(page.locator(".contact-row")).to_have_count(3)
    expect(page.locator(".contact-row:focus")).to_have_count(1)
    assert page.evaluate(focused_row) == str(people[2].pk)
    ui.check_a11y("moved to the Trash")
    ui.screenshot("contacts-bulk-trashed", full_page=False)
