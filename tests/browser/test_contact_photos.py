"""Journey through a contact's photo: refused, uploaded, seen in two places, removed."""

import io
import re

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from contacts.models import Contact
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db(transaction=True)

NOT_A_PICTURE = (
    "This file is not a picture we can read: upload a JPEG, PNG, GIF or WebP."
)


def landscape_png() -> bytes:
    """A 300×200 picture with a coloured disc off-centre, as a PNG file's bytes."""
    image = Image.new("RGB", (300, 200), (238, 232, 213))
    draw = ImageDraw.Draw(image)
    draw.ellipse((100, 50, 200, 150), fill=(203, 75, 22))
    draw.rectangle((0, 0, 299, 19), fill=(38, 139, 210))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def loaded_width(page, locator) -> int:
    """The natural width of an <img> once the browser has fetched and decoded it."""
    handle = locator.element_handle()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=handle)
    return handle.evaluate("img => img.naturalWidth")


def test_add_a_photo_to_a_contact_see_it_and_remove_it(browser_session, alice, bob):
    chloe = ContactFactory(owner=alice, given_name="Chloé", family_name="Müller")
    ui = browser_session()
    ui.sign_in(alice)
    ui.goto(f"/contacts/{chloe.pk}/")
    page = ui.page
    hero = page.locator(".contact-hero")
    expect(hero.locator("img.avatar")).to_have_count(0)

    page.get_by_role("link", name="Add photo").click()
    ui.arrived(f"/contacts/{chloe.pk}/photo/")
    expect(page.get_by_role("heading", name="Photo of Chloé Müller")).to_be_visible()
    expect(page.get_by_role("button", name="Remove photo")).to_have_count(0)

    # A text file is refused on the form, which still offers the upload.
    page.get_by_label("Photo", exact=True).set_input_files(
        {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"Not a picture.\n"}
    )
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Upload photo").click()
    assert navigation.value.status == 422
    ui.arrived(f"/contacts/{chloe.pk}/photo/")
    expect(page.get_by_text(NOT_A_PICTURE)).to_be_visible()
    expect(page.get_by_label("Photo", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Upload photo")).to_be_visible()
    chloe.refresh_from_db()
    assert chloe.photo_key == ""

    # A real picture is saved, and the contact's page shows it.
    page.get_by_label("Photo", exact=True).set_input_files(
        {"name": "chloe.png", "mimeType": "image/png", "buffer": landscape_png()}
    )
    page.get_by_role("button", name="Upload photo").click()
    ui.arrived(f"/contacts/{chloe.pk}/")
    expect(page.get_by_text("Chloé Müller’s photo was saved.")).to_be_visible()
    chloe.refresh_from_db()
    assert chloe.photo_key
    hero_photo = hero.locator("img.avatar.avatar-xl")
    expect(hero_photo).to_have_attribute(
        "src", f"/contacts/{chloe.pk}/photo/{chloe.photo_key}/large.jpg"
    )
    assert loaded_width(page, hero_photo) == 256
    expect(page.get_by_role("link", name="Change photo")).to_be_visible()
    ui.screenshot("contact-photo-page")

    # The list shows the small picture in the contact's row.
    ui.goto("/contacts/")
    row = page.locator(".contact-row", has_text="Chloé Müller")
    row_photo = row.locator("img.avatar.avatar-md")
    expect(row_photo).to_have_attribute(
        "src", f"/contacts/{chloe.pk}/photo/{chloe.photo_key}/small.jpg"
    )
    assert loaded_width(page, row_photo) == 96
    ui.screenshot("contact-photo-list")

    # The pictures are Alice's alone: Bob is told they do not exist.
    bob_ui = browser_session()
    bob_ui.sign_in(bob)
    for size in ("large", "small"):
        response = bob_ui.page.request.get(
            bob_ui.url(f"/contacts/{chloe.pk}/photo/{chloe.photo_key}/{size}.jpg")
        )
        assert response.status == 404

    # Removed from the photo page, the initials come back.
    row.get_by_role("link", name=re.compile("Chloé Müller")).click()
    ui.arrived(f"/contacts/{chloe.pk}/")
    page.get_by_role("link", name="Change photo").click()
    ui.arrived(f"/contacts/{chloe.pk}/photo/")
    expect(page.get_by_role("button", name="Upload a new photo")).to_be_visible()
    page.get_by_role("button", name="Remove photo").click()
    ui.arrived(f"/contacts/{chloe.pk}/")
    expect(page.get_by_text("Chloé Müller’s photo was removed.")).to_be_visible()
    expect(hero.locator("img.avatar")).to_have_count(0)
    expect(hero.locator(".avatar-xl")).to_have_text("CM")
    expect(page.get_by_role("link", name="Add photo")).to_be_visible()
    assert Contact.objects.get(pk=chloe.pk).photo_key == ""


def test_a_new_contact_gets_its_photo_from_the_add_form(browser_session, alice):
    ui = browser_session()
    ui.sign_in(alice)
    ui.goto("/contacts/new/")
    page = ui.page
    page.get_by_label("First name").fill("Dara")
    page.get_by_label("Last name").fill("Okafor")
    photo = page.get_by_label("Picture", exact=True)
    photo.set_input_files(
        {"name": "dara.png", "mimeType": "image/png", "buffer": landscape_png()}
    )
    # The form goes to the server and back (htmx) for another email row and
    # for an address in error: the chosen file stays in its field each time.
    page.get_by_role("button", name="Add email").click()
    expect(page.get_by_label("Email 2", exact=True)).to_be_focused()
    page.get_by_label("Email 1", exact=True).fill("dara@")
    page.get_by_role("button", name="Save").first.click()
    expect(page.get_by_text("Enter a valid email address.")).to_be_visible()
    assert photo.evaluate("input => input.files.length") == 1
    expect(page.get_by_text("Choose the photo again")).to_have_count(0)
    assert not Contact.objects.filter(owner=alice).exists()
    ui.screenshot("contact-add-photo")

    page.get_by_label("Email 1", exact=True).fill("dara@example.com")
    page.get_by_role("button", name="Save").first.click()
    ui.arrived(re.compile(r".*/contacts/\d+/$"))
    expect(page.get_by_text("Dara Okafor was added.")).to_be_visible()
    dara = Contact.objects.get(owner=alice)
    hero_photo = page.locator(".contact-hero img.avatar.avatar-xl")
    expect(hero_photo).to_have_attribute(
        "src", f"/contacts/{dara.pk}/photo/{dara.photo_key}/large.jpg"
    )
    assert loaded_width(page, hero_photo) == 256
