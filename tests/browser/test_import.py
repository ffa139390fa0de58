"""Journeys through Import, Export and Duplicates."""

import re
import zipfile
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contacts.models import Contact, ContactImport, ImportFile
from contacts.services.duplicates import contacts_merge
from contacts.services.imports import import_label_name
from tests.browser.conftest import DESKTOP, PHONE
from tests.factories import ContactFactory, LabelFactory, UserFactory, connect

pytestmark = pytest.mark.django_db(transaction=True)

DATA = Path(__file__).parent.parent / "contacts" / "data"


def test_import_review_confirm_see_the_contacts_and_undo(ui, alice):
    ContactFactory(
        owner=alice, given_name="José", family_name="N.", emails=["jose@correo.example"]
    )
    ui.sign_in(alice)
    ui.goto("/contacts/")
    page = ui.page
    page.get_by_role("link", name="Import").first.click()
    ui.arrived("/contacts/import/")
    ui.screenshot("import-start")

    page.get_by_label("Address book file").set_input_files(str(DATA / "google_3.vcf"))
    page.get_by_role("button", name="Import").click()
    ui.arrived(re.compile(r".*/contacts/import/\d+/$"))
    expect(page.get_by_role("heading", name="Review before importing")).to_be_visible()
    expect(page.locator(".import-stat").first).to_contain_text("2")
    page.get_by_label(re.compile("Add its details to the existing contact")).check()
    page.get_by_text("Which card?").click()
    expect(page.locator(".import-duplicates")).to_contain_text(
        "line 1: “José Núñez” — looks like José N."
    )
    expect(page.get_by_role("link", name="José N.")).to_be_visible()
    ui.check_a11y("with a duplicate choice")
    ui.screenshot("import-preview")

    with page.expect_navigation():
        page.get_by_role("button", name="Import").click()
    ui.arrived(re.compile(r".*/contacts/import/\d+/$"))
    expect(
        page.get_by_text("2 contacts were added to your address book.")
    ).to_be_visible()
    expect(page.get_by_text("1 contact you had got new details.")).to_be_visible()
    ui.screenshot("import-done")

    page.get_by_role("link", name=re.compile("See “Imported")).click()
    ui.arrived(re.compile(r".*/contacts/\?label=\d+$"))
    rows = page.locator(".contact-row")
    expect(rows).to_have_count(3)
    expect(rows.filter(has_text="Åsa Öberg")).to_have_count(1)
    page.go_back()
    ui.arrived(re.compile(r".*/contacts/import/\d+/$"))

    page.get_by_role("link", name="Undo import").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("The 2 contacts it added will be deleted for good.")
    ui.check_a11y("with the undo dialog")
    with page.expect_navigation():
        dialog.get_by_role("button", name="Undo import").click()
    ui.arrived(re.compile(r".*/contacts/import/\d+/$"))
    expect(page.get_by_role("heading", name="Import undone")).to_be_visible()
    jose = Contact.objects.get(owner=alice)
    assert jose.family_name == "N."
    assert jose.emails.count() == 1


def test_files_left_waiting_are_cancelled_from_the_list_to_upload_another(
    ui, alice, settings
):
    settings.RAPPORT_IMPORTS_WAITING_MAX = 2
    ui.sign_in(alice)
    page = ui.page
    for name in ("google_3.vcf", "apple_3.vcf"):
        ui.goto("/contacts/import/")
        page.get_by_label("Address book file").set_input_files(str(DATA / name))
        page.get_by_role("button", name="Import", exact=True).click()
        ui.arrived(re.compile(r".*/contacts/import/\d+/$"))
    ui.goto("/contacts/import/")
    expect(page.get_by_role("status")).to_contain_text(
        "You have 2 files waiting to be imported."
    )
    ui.screenshot("import-waiting")
    page.get_by_label("Address book file").set_input_files(str(DATA / "outlook.csv"))
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_text("Import or cancel one of them first")).to_be_visible()

    cancel = page.get_by_role("button", name="Cancel the import of google_3.vcf")
    cancel.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    ui.arrived("/contacts/import/")
    expect(page.get_by_text("Nothing was imported from google_3.vcf.")).to_be_visible()
    expect(page.get_by_text("files waiting to be imported")).to_have_count(0)
    page.get_by_label("Address book file").set_input_files(str(DATA / "outlook.csv"))
    page.get_by_role("button", name="Import", exact=True).click()
    ui.arrived(re.compile(r".*/contacts/import/\d+/$"))
    assert sorted(
        ContactImport.objects.filter(owner=alice).values_list("file_name", flat=True)
    ) == ["apple_3.vcf", "outlook.csv"]


def test_a_csv_with_its_own_columns_is_mapped_then_imported(ui, alice):
    ui.sign_in(alice)
    ui.goto("/contacts/import/")
    page = ui.page
    page.get_by_label("Address book file").set_input_files(str(DATA / "generic.csv"))
    page.get_by_role("button", name="Import").click()
    ui.arrived(re.compile(r".*/contacts/import/\d+/$"))
    expect(
        page.get_by_role("heading", name="Choose what each column holds")
    ).to_be_visible()
    expect(page.get_by_label("E-mail")).to_have_value("email:other")
    page.get_by_label("Comments").select_option("")
    ui.screenshot("import-columns")
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    ui.arrived(re.compile(r".*/contacts/import/\d+/$"))
    expect(page.get_by_role("heading", name="Review before importing")).to_be_visible()
    # 10/12/1815 could be either; the address book's region (US) reads it
    # month first, and the preview says so and shows the first cards.
    expect(page.locator(".import-date-note")).to_contain_text(
        "Dates such as 10/12/1815 are read month first"
    )
    first_cards = page.get_by_role("region", name="The 2 cards, as they were read")
    expect(first_cards).to_contain_text("Birthday 12 October 1815")
    page.get_by_role("link", name="Change columns").click()
    ui.arrived(re.compile(r".*/contacts/import/\d+/columns/$"))
    page.get_by_label("Dates such as 4/5/1990").select_option("dmy")
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    ui.arrived(re.compile(r".*/contacts/import/\d+/$"))
    expect(page.locator(".import-date-note")).to_contain_text(
        "read day first, as you chose: 10 December 1815."
    )
    expect(first_cards).to_contain_text("Birthday 10 December 1815")
    expect(first_cards).to_contain_text("Analytical Engines · ada@engine.example")
    ui.screenshot("import-preview-dates")
    with page.expect_navigation():
        page.get_by_role("button", name="Import").click()
    ui.arrived(re.compile(r".*/contacts/import/\d+/$"))
    expect(
        page.get_by_text("2 contacts were added to your address book.")
    ).to_be_visible()
    ada = Contact.objects.get(owner=alice, display_name="Ada Lovelace")
    assert ada.notes == ""
    assert (ada.birthday_day, ada.birthday_month, ada.birthday_year) == (10, 12, 1815)


def test_a_file_that_is_not_an_address_book_is_refused_on_the_form(ui, alice):
    ui.sign_in(alice)
    ui.goto("/contacts/import/")
    page = ui.page
    page.get_by_label("Address book file").set_input_files(str(DATA / "binary.vcf"))
    page.get_by_role("button", name="Import").click()
    ui.arrived("/contacts/import/")
    expect(page.get_by_text("This is not a text file")).to_be_visible()
    assert not ContactImport.objects.exists()


def test_progress_bar_follows_a_background_import(ui, alice):
    batch = ContactImport.objects.create(
        owner=alice,
        file_name="everyone.vcf",
        file_size=9_800_000,
        status=ContactImport.Status.READING,
        total=25_000,
        progress=10_000,
    )
    ui.sign_in(alice)
    ui.goto(f"/contacts/import/{batch.pk}/")
    page = ui.page
    expect(page.locator("progress")).to_have_attribute("value", "10000")
    ui.screenshot("import-progress")
    ContactImport.objects.filter(pk=batch.pk).update(progress=20_000)
    expect(page.locator("progress")).to_have_attribute("value", "20000")
    ContactImport.objects.filter(pk=batch.pk).update(
        status=ContactImport.Status.FAILED,
        error="The file holds more than 25,000 contacts.",
    )
    expect(page.get_by_role("heading", name="Nothing was imported")).to_be_visible()
    ui.arrived(f"/contacts/import/{batch.pk}/")


def test_export_selected_contacts_from_the_list(ui, alice):
    zoe = ContactFactory(owner=alice, given_name="Zoë", family_name="Martin")
    ContactFactory(owner=alice, given_name="Other", family_name="Person")
    ui.sign_in(alice)
    ui.goto("/contacts/")
    page = ui.page
    page.get_by_role("checkbox", name="Select Zoë Martin").check()
    page.get_by_role("button", name="Export").click()
    ui.arrived(re.compile(r".*/contacts/export/\?contact=\d+$"))
    expect(page.get_by_label("The contact you selected")).to_be_checked()
    page.get_by_label(re.compile("vCard 4.0")).check()
    with page.expect_download() as info:
        page.get_by_role("button", name="Export").click()
    body = Path(info.value.path()).read_text()
    assert "VERSION:4.0" in body
    assert body.count("BEGIN:VCARD") == 1
    assert "Zoë" in body
    assert zoe.pk


def test_choosing_a_label_to_export_ticks_its_choice(ui, alice):
    family = LabelFactory(owner=alice, name="Family")
    ContactFactory(owner=alice, given_name="Ann", labels=[family])
    ContactFactory(owner=alice, given_name="Other")
    ui.sign_in(alice)
    ui.goto("/contacts/export/")
    page = ui.page
    page.get_by_label("Label", exact=True).select_option(label="Family · 1 contact")
    expect(page.get_by_label("The contacts with a label")).to_be_checked()
    with page.expect_download() as info:
        page.get_by_role("button", name="Export", exact=True).click()
    body = Path(info.value.path()).read_text()
    assert body.count("BEGIN:VCARD") == 1
    assert "Ann" in body
    # Ticking "All contacts" again sets the label back to none.
    page.get_by_label("All contacts").check()
    expect(page.get_by_label("Label", exact=True)).to_have_value("")


def test_find_and_merge_duplicates(ui, alice):
    ContactFactory(
        owner=alice, given_name="Ann", family_name="Lee", emails=["ann@x.example"]
    )
    ContactFactory(
        owner=alice,
        given_name="Annie",
        family_name="Lee",
        emails=["ann@x.example"],
        phones=["+1 415 555 0100"],
    )
    ui.sign_in(alice)
    ui.goto("/contacts/")
    page = ui.page
    page.get_by_role("link", name="Duplicates").click()
    ui.arrived("/contacts/duplicates/")
    expect(page.get_by_role("heading", name="Same email")).to_be_visible()
    ui.screenshot("duplicates")
    page.get_by_role("button", name="Merge Ann Lee").click()
    ui.arrived(re.compile(r".*/contacts/duplicates/merge/\?.*"))
    page.get_by_label("Annie Lee").check()
    ui.screenshot("duplicates-merge")
    page.get_by_role("button", name="Merge").click()
    ui.arrived(re.compile(r".*/contacts/\d+/$"))
    expect(page.get_by_role("heading", name="Annie Lee")).to_be_visible()
    kept = Contact.objects.owned_by(alice).get()
    assert kept.phones.count() == 1
    merged = page.get_by_role("region", name="Merged")
    expect(merged.get_by_text("These details were merged with Ann Lee")).to_be_visible()
    ui.check_a11y("contact-merged")
    ui.screenshot("duplicates-merged")

    # Undo, from the message: both contacts as they were.
    flash = page.locator(".flash", has_text="2 contacts merged into Annie Lee")
    flash.get_by_role("button", name="Undo").click()
    ui.arrived("/contacts/duplicates/")
    expect(page.get_by_text("Merge undone: Annie Lee")).to_be_visible()
    expect(page.get_by_role("heading", name="Same email")).to_be_visible()
    assert sorted(
        Contact.objects.owned_by(alice).values_list("shown_name", flat=True)
    ) == ["Ann Lee", "Annie Lee"]
    assert Contact.objects.get(given_name="Ann").phones.count() == 0


def test_the_labels_compared_before_a_merge_are_read_whole_on_a_phone(
    browser_session, alice
):
    # Two imports of a day differ only at the end of their label's name.
    for number in ("(2)", "(3)"):
        label = LabelFactory(owner=alice, name=f"Imported 2026-11-29 {number}")
        ContactFactory(
            owner=alice, given_name="Rosa", family_name="Ortiz", labels=[label]
        )
    member = browser_session(viewport=PHONE, color_scheme="dark")
    member.sign_in(alice)
    member.goto("/contacts/duplicates/")
    member.page.get_by_role("button", name="Merge Rosa Ortiz").click()
    member.arrived(re.compile(r".*/contacts/duplicates/merge/\?.*"))
    chips = member.page.locator(".merge-card .chip-name")
    expect(chips).to_have_count(2)
    for chip in chips.all():
        assert chip.evaluate("el => el.scrollWidth <= el.clientWidth"), (
            chip.inner_text()
        )
    member.screenshot("duplicates-merge-labels-phone-dark")


def test_the_import_done_buttons_stay_inside_their_card_on_a_phone(
    browser_session, alice
):
    label = LabelFactory(owner=alice, name="Imported 2026-11-29 (12)")
    done = ContactImport.objects.create(
        owner=alice,
        file_name="contacts.csv",
        file_size=1_200,
        status=ContactImport.Status.DONE,
        created_count=1,
        label=label,
        finished=timezone.now(),
    )
    member = browser_session(viewport=PHONE, color_scheme="dark")
    member.sign_in(alice)
    member.goto(f"/contacts/import/{done.pk}/")
    page = member.page
    edge = page.locator(".import-outcome .alert-success").bounding_box()
    see = page.get_by_role("link", name="See “Imported 2026-11-29 (12)”")
    box = see.bounding_box()
    assert box["x"] + box["width"] <= edge["x"] + edge["width"] + 0.5, (box, edge)
    member.screenshot("import-done-phone-dark")


SEPARATORS = """
(table) => [...table.querySelectorAll("td")].flatMap((cell) => {
  const samples = [...cell.querySelectorAll(".mapping-sample")];
  return samples.slice(0, -1).map((sample, index) => {
    const separator = sample.parentElement.querySelector(".mapping-sample-sep");
    if (!separator) return null;
    const text = separator.firstChild;
    const range = document.createRange();
    range.setStart(text, text.data.indexOf("·"));
    range.setEnd(text, text.data.indexOf("·") + 1);
    const dot = range.getBoundingClientRect();
    const before = sample.getBoundingClientRect();
    const after = samples[index + 1].getBoundingClientRect();
    const middle = (box) => (box.top + box.bottom) / 2;
    return {
      sameLineAsBefore: Math.abs(middle(dot) - middle(before)) < 4,
      nextWrapped: after.top >= dot.bottom,
      gapBefore: dot.left - before.right,
      gapAfter: after.left - dot.right,
    };
  });
})
"""


def test_a_columns_first_values_wrap_with_the_dot_after_a_value(browser_session, alice):
    rows = [
        "Alexandrina Victoria Hanover,a@x.example",
        "Bartholomew Fitzgerald Montgomery,b@x.example",
        "Constance Wilhelmina Pemberton,c@x.example",
    ]
    data = ("Full name,E-mail\n" + "\n".join(rows) + "\n").encode()
    member = browser_session(viewport=PHONE, color_scheme="dark")
    member.sign_in(alice)
    member.goto("/contacts/import/")
    page = member.page
    page.get_by_label("Address book file").set_input_files(
        {"name": "people.csv", "mimeType": "text/csv", "buffer": data}
    )
    page.get_by_role("button", name="Import", exact=True).click()
    member.arrived(re.compile(r".*/contacts/import/\d+/$"))
    separators = page.locator(".mapping-table").evaluate(SEPARATORS)
    assert len(separators) == 4
    assert None not in separators, separators
    # Each “·” ends the line of the value before it, never starts the next.
    assert all(each["sameLineAsBefore"] for each in separators), separators
    assert any(each["nextWrapped"] for each in separators), separators
    # On one line, the “·” sits as far from the value before as from the next.
    for each in separators:
        if not each["nextWrapped"]:
            assert abs(each["gapBefore"] - each["gapAfter"]) <= 1, separators
    member.screenshot("import-columns-wrapped-phone-dark")


OPTIONS_CUT = """
(select) => {
  const style = getComputedStyle(select);
  const context = document.createElement("canvas").getContext("2d");
  context.font = style.font;
  // The room for text: the box less its padding and the arrow's room.
  const room = select.clientWidth - parseFloat(style.paddingLeft)
    - parseFloat(style.paddingRight) - 20;
  return [...select.options]
    .filter((option) => context.measureText(option.text).width > room)
    .map((option) => option.text);
}
"""


def test_the_date_order_choice_is_read_whole_on_a_phone(browser_session, alice):
    member = browser_session(viewport=PHONE, color_scheme="dark")
    member.sign_in(alice)
    member.goto("/contacts/import/")
    page = member.page
    page.get_by_label("Address book file").set_input_files(str(DATA / "generic.csv"))
    page.get_by_role("button", name="Import", exact=True).click()
    member.arrived(re.compile(r".*/contacts/import/\d+/$"))
    select = page.get_by_label("Dates such as 4/5/1990")
    box = select.bounding_box()
    edge = page.locator(".import-date-order").bounding_box()
    # The select spans the width.
    assert box["x"] >= edge["x"]
    assert box["width"] >= edge["width"] - 0.5
    assert select.evaluate(OPTIONS_CUT) == []
    expect(page.locator(".import-date-order")).to_contain_text(
        "your address book’s region"
    )
    select.scroll_into_view_if_needed()
    member.screenshot("import-date-order-phone-dark", full_page=False)


def test_a_contacts_labels_before_a_merge_stand_apart(ui, alice):
    labels = [LabelFactory(owner=alice, name=name) for name in ("Family", "Book")]
    for _ in range(2):
        ContactFactory(
            owner=alice, given_name="Rosa", family_name="Ortiz", labels=labels
        )
    ui.sign_in(alice)
    ui.goto("/contacts/duplicates/")
    ui.page.get_by_role("button", name="Merge Rosa Ortiz").click()
    ui.arrived(re.compile(r".*/contacts/duplicates/merge/\?.*"))
    card = ui.page.locator(".merge-card").first
    first, second = (chip.bounding_box() for chip in card.locator(".chip").all())
    # Side by side with a gap, or the second on a line of its own below.
    assert (
        second["x"] >= first["x"] + first["width"] + 4
        or second["y"] >= first["y"] + first["height"] + 4
    ), (first, second)


def test_keep_different_people_apart_then_group_them_again(ui, alice):
    ContactFactory(
        owner=alice, given_name="Sam", family_name="Ortiz", phones=["555 0100"]
    )
    ContactFactory(
        owner=alice, given_name="Rosa", family_name="Ortiz", phones=["555 0100"]
    )
    ContactFactory(owner=alice, given_name="Kim", family_name="Park")
    ContactFactory(owner=alice, given_name="Kim", family_name="Park")
    ContactFactory(owner=alice, given_name="Jon", family_name="Baker")
    ContactFactory(owner=alice, given_name="John", family_name="Baker")
    ui.sign_in(alice)
    ui.goto("/contacts/duplicates/")
    page = ui.page
    expect(page.get_by_text("3 groups of possible duplicates.")).to_be_visible()
    expect(page.get_by_role("heading", name="Similar name")).to_be_visible()
    page.get_by_role(
        "button", name=re.compile(r"^Not duplicates.*Rosa Ortiz, Sam Ortiz$")
    ).click()
    ui.arrived("/contacts/duplicates/")
    expect(
        page.get_by_text("2 contacts marked as not duplicates", exact=False)
    ).to_be_visible()
    expect(page.get_by_text("2 groups of possible duplicates.")).to_be_visible()
    expect(page.get_by_text("Sam Ortiz")).to_have_count(0)
    expect(page.get_by_role("heading", name="Same name")).to_be_visible()
    ui.screenshot("duplicates-kept-apart")
    page.get_by_role("button", name="Group them again").click()
    ui.arrived("/contacts/duplicates/")
    expect(page.get_by_text("3 groups of possible duplicates.")).to_be_visible()
    expect(page.locator(".item-title", has_text="Sam Ortiz")).to_be_visible()
    ui.check_a11y("duplicates")

    # Merge all shown: each group as its merge page proposes it.
    page.get_by_role("button", name="Merge all shown").click()
    ui.arrived("/contacts/duplicates/")
    expect(
        page.get_by_text("3 groups merged; 3 contacts are in the Trash.")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="No duplicates")).to_be_visible()
    ui.screenshot("duplicates-merged-all")
    assert sorted(
        Contact.objects.owned_by(alice).values_list("shown_name", flat=True)
    ) == ["John Baker", "Kim Park", "Rosa Ortiz"]

    # One of them was two people after all: undo it from Recent merges.
    recent = page.get_by_role("region", name="Recent merges")
    expect(recent.get_by_text("merged with Jon Baker")).to_be_visible()
    ui.check_a11y("duplicates-recent-merges")
    recent.get_by_role("button", name="Undo the merge into John Baker").click()
    ui.arrived("/contacts/duplicates/")
    expect(page.get_by_text("Merge undone: John Baker")).to_be_visible()
    expect(page.get_by_role("heading", name="Similar name")).to_be_visible()
    expect(recent.get_by_role("listitem")).to_have_count(2)
    assert Contact.objects.owned_by(alice).count() == 4


def test_undo_a_merge_from_the_kept_contacts_page(ui, alice):
    rosas = [
        ContactFactory(
            owner=alice, given_name="Rosa", family_name="Ortiz", organization=company
        )
        for company in ("Acme", "Initech")
    ]
    kept = contacts_merge(
        owner=alice,
        contact_ids=[rosa.pk for rosa in rosas],
        choices={"organization": rosas[1].pk},
    )
    ui.sign_in(alice)
    # The Trash says where the merged contact went.
    ui.goto("/contacts/trash/")
    page = ui.page
    expect(
        page.get_by_role("button", name="Undo merge into Rosa Ortiz")
    ).to_be_visible()
    ui.check_a11y("trash-merged")
    page.get_by_role("link", name="Rosa Ortiz", exact=True).click()
    ui.arrived(kept.get_absolute_url())
    expect(page.get_by_text("Initech")).to_be_visible()
    merged = page.get_by_role("region", name="Merged")
    merged.get_by_role("button", name="Undo the merge into Rosa Ortiz").click()
    ui.arrived(kept.get_absolute_url())
    expect(page.get_by_text("Merge undone: Rosa Ortiz")).to_be_visible()
    expect(page.get_by_role("region", name="Merged")).to_have_count(0)
    # The kept contact is as it was: its own organization again.
    expect(page.get_by_text("Acme")).to_be_visible()
    expect(page.get_by_text("Initech")).to_have_count(0)
    assert Contact.objects.owned_by(alice).count() == 2


@pytest.mark.parametrize(
    ("device", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)]
)
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_import_pages_look_finished(browser_session, alice, device, viewport, theme):
    ContactFactory(owner=alice, given_name="Ann", emails=["ann@x.example"])
    ContactFactory(owner=alice, given_name="Annie", emails=["ann@x.example"])
    merged = [
        ContactFactory(owner=alice, given_name=name, family_name="Ortiz")
        for name in ("Rosa", "Rosa")
    ]
    rosa = contacts_merge(owner=alice, contact_ids=[c.pk for c in merged], choices={})
    ready = ContactImport.objects.create(
        owner=alice,
        file_name="contacts.vcf",
        file_size=420_000,
        status=ContactImport.Status.READY,
        encoding="UTF-8",
        total=1_204,
        progress=1_204,
        new_count=1_187,
        duplicate_count=14,
        problem_count=3,
        problems=[
            {"line": line, "reason": "no name, organization, email or phone number"}
            for line in (212, 388, 1_045)
        ],
        notices=[
            "12 cards have photos, which contact cards do not hold; "
            "they are not imported."
        ],
        date_note=(
            "Dates such as 10/12/1815 are read day first, as the file’s other "
            "dates are written: 10 December 1815. If that is wrong, choose the "
            "order under “Change columns”."
        ),
        sample=[
            {
                "line": 2,
                "name": "Dr. Zoë Anne Lefèvre PhD",
                "details": [
                    "Editor in chief, Northwind Traders, Ltd.",
                    "zoe.lefevre@northwind-traders.example",
                    "+44 7700 900123",
                ],
                "more": 3,
                "birthday": "10 December 1815",
                "labels": ["Pioneers", "Book club"],
            },
            {
                "line": 3,
                "name": "Blue Bottle Coffee",
                "details": ["+1 (510) 555-0134"],
                "more": 0,
                "birthday": "",
                "labels": [],
            },
        ],
    )
    ImportFile.objects.create(batch=ready, kind=ImportFile.Kind.PREPARED, data=b"")
    ContactImport.objects.create(
        owner=alice,
        file_name="Phone contacts.vcf",
        file_size=1_200,
        status=ContactImport.Status.DONE,
        created_count=1_204,
        finished=timezone.now(),
    )
    member = browser_session(viewport=viewport, color_scheme=theme)
    member.sign_in(alice)
    member.goto(f"/contacts/import/{ready.pk}/")
    member.screenshot(f"import-preview-{device}-{theme}")
    member.goto("/contacts/import/")
    # What an import added is read whole, on a phone too (not cut at "4 con…").
    done = member.page.locator(".import-history .item", has_text="Phone contacts")
    expect(done).to_contain_text("1,204 contacts added")
    assert done.locator(".item-sub").evaluate("el => el.scrollWidth <= el.clientWidth")
    member.screenshot(f"import-start-{device}-{theme}")
    member.goto("/contacts/duplicates/")
    member.screenshot(f"duplicates-{device}-{theme}")
    member.goto(rosa.get_absolute_url())
    member.screenshot(f"contact-merged-{device}-{theme}")
    member.goto("/contacts/trash/")
    member.screenshot(f"trash-merged-{device}-{theme}")
    member.goto("/contacts/export/")
    member.screenshot(f"export-{device}-{theme}")
    member.goto("/contacts/import/")
    page = member.page
    page.get_by_label("Address book file").set_input_files(str(DATA / "generic.csv"))
    page.get_by_role("button", name="Import", exact=True).click()
    member.arrived(re.compile(r".*/contacts/import/\d+/$"))
    # Each column's choice is in sight, on a phone too (not off to the right
    # of a table wider than the screen).
    width = page.viewport_size["width"]
    for choice in page.locator(".mapping-table select").all():
        box = choice.bounding_box()
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= width
    member.screenshot(f"import-columns-{device}-{theme}")


@pytest.mark.parametrize(
    ("device", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)]
)
def test_import_and_export_link_to_each_other_beside_their_titles(
    browser_session, alice, device, viewport
):
    member = browser_session(viewport=viewport)
    member.sign_in(alice)
    for path, title, other in [
        ("/contacts/import/", "Import contacts", "Export"),
        ("/contacts/export/", "Export contacts", "Import"),
    ]:
        member.goto(path)
        head = member.page.locator(".page-head")
        heading = head.get_by_role("heading", name=title).bounding_box()
        link = head.get_by_role("link", name=other, exact=True)
        # On the title's line, at its right, whatever the words under it.
        box = link.bounding_box()
        middle = box["y"] + box["height"] / 2
        assert heading["y"] <= middle <= heading["y"] + heading["height"]
        assert box["x"] > heading["x"] + heading["width"] / 2
        intro = head.locator("p").bounding_box()
        assert intro["y"] >= box["y"] + box["height"]
    member.screenshot(f"export-import-link-{device}", full_page=False)


def test_a_file_dropped_on_the_zone_is_the_one_imported(ui, alice):
    ui.sign_in(alice)
    ui.goto("/contacts/import/")
    page = ui.page
    zone = page.locator("[data-drop-zone]")
    expect(zone.get_by_text("You can also drop the file here.")).to_be_visible()
    # What a file dragged from the desktop carries, given to the page's events.
    dragged = page.evaluate_handle(
        """(text) => {
            const files = new DataTransfer();
            files.items.add(new File([text], "friends.vcf", {type: "text/vcard"}));
            return files;
        }""",
        (DATA / "google_3.vcf").read_text(),
    )
    zone.dispatch_event("dragenter", {"dataTransfer": dragged})
    expect(zone).to_have_class(re.compile("is-dragging"))
    ui.screenshot("import-drop")
    # A file dropped beside the zone is ignored: the browser is kept from
    # opening it in place of the page, and nothing is chosen.
    file_input = page.get_by_label("Address book file")
    opened_instead = page.evaluate(
        """(files) => {
            const drop = new DragEvent(
                "drop", {dataTransfer: files, bubbles: true, cancelable: true}
            );
            document.querySelector("h1").dispatchEvent(drop);
            return !drop.defaultPrevented;
        }""",
        dragged,
    )
    assert not opened_instead
    assert file_input.evaluate("input => input.files.length") == 0
    zone.dispatch_event("drop", {"dataTransfer": dragged})
    expect(zone).not_to_have_class(re.compile("is-dragging"))
    assert file_input.evaluate("input => input.files[0].name") == "friends.vcf"
    expect(file_input).to_be_focused()
    page.get_by_role("button", name="Import").click()
    ui.arrived(re.compile(r".*/contacts/import/\d+/$"))
    expect(page.get_by_role("heading", name="Review before importing")).to_be_visible()
    assert ContactImport.objects.get(owner=alice).file_name == "friends.vcf"


def test_one_contacts_card_is_downloaded_from_their_page(ui, alice):
    zoe = ContactFactory(
        owner=alice, given_name="Zoë", family_name="Lefèvre", emails=["zoe@x.example"]
    )
    ui.sign_in(alice)
    ui.goto(f"/contacts/{zoe.pk}/")
    page = ui.page
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the vCard of Zoë Lefèvre").click()
    assert download.value.suggested_filename == "Zoë Lefèvre.vcf"
    card = Path(download.value.path()).read_bytes().decode("utf-8")
    assert card.startswith("BEGIN:VCARD\r\nVERSION:3.0\r\n")
    assert "EMAIL;TYPE=INTERNET:zoe@x.example\r\n" in card


def test_a_label_exported_for_outlook_imports_into_another_book(
    browser_session, alice, bob, tmp_path
):
    club = LabelFactory(owner=alice, name="Book club")
    ContactFactory(
        owner=alice,
        given_name="Zoë",
        family_name="Lefèvre",
        nickname="Zo",
        emails=["zoe@x.example"],
        phones=["+33 6 12 34 56 78"],
        labels=[club],
    )
    ContactFactory(owner=alice, given_name="Not", family_name="Inclub")
    sender = browser_session()
    sender.sign_in(alice)
    sender.goto("/contacts/export/")
    page = sender.page
    page.get_by_label("The contacts with a label").check()
    page.get_by_label("Label", exact=True).select_option(label="Book club · 1 contact")
    page.get_by_label("CSV for Outlook (.csv)").check()
    expect(page.get_by_text("Outlook’s columns hold 3 email addresses")).to_be_visible()
    sender.screenshot("export-outlook")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export").click()
    assert re.fullmatch(
        r"book-club-\d{4}-\d\d-\d\d\.csv", download.value.suggested_filename
    )
    exported = tmp_path / download.value.suggested_filename
    download.value.save_as(exported)
    text = exported.read_bytes().decode("utf-8-sig")
    assert text.startswith("Title,First Name,Middle Name,Last Name,")
    assert "Inclub" not in text

    receiver = browser_session()
    receiver.sign_in(bob)
    receiver.goto("/contacts/import/")
    page = receiver.page
    page.get_by_label("Address book file").set_input_files(str(exported))
    page.get_by_role("button", name="Import").click()
    receiver.arrived(re.compile(r".*/contacts/import/\d+/$"))
    expect(page.get_by_role("heading", name="Review before importing")).to_be_visible()
    expect(page.get_by_text("The card, as it was read")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Import").click()
    receiver.arrived(re.compile(r".*/contacts/import/\d+/$"))
    expect(
        page.get_by_text("1 contact was added to your address book.")
    ).to_be_visible()
    receiver.screenshot("import-outlook-done")
    zoe = Contact.objects.get(owner=bob)
    assert (zoe.given_name, zoe.family_name) == ("Zoë", "Lefèvre")
    assert zoe.notes == "Nickname: Zo"
    batch = ContactImport.objects.get(owner=bob)
    assert list(zoe.labels.values_list("name", flat=True).order_by("name")) == [
        "Book club",
        import_label_name(batch),
    ]


def test_a_contact_added_twice_is_named_on_its_page_and_merged_from_there(
    browser_session, alice
):
    ContactFactory(
        owner=alice,
        given_name="Ann",
        family_name="Lee",
        emails=["ann@x.example"],
        phones=["+1 415 555 0100"],
    )
    for device, viewport, theme in (
        ("desktop", DESKTOP, "light"),
        ("phone", PHONE, "dark"),
    ):
        Contact.objects.filter(owner=alice, given_name="Annie").delete()
        ui = browser_session(viewport=viewport, color_scheme=theme)
        ui.sign_in(alice)
        ui.goto("/contacts/new/")
        page = ui.page
        page.get_by_label("First name").fill("Annie")
        page.get_by_label("Last name").fill("Lee")
        page.get_by_label("Email 1", exact=True).fill("ANN@x.example")
        page.get_by_role("button", name="Save").first.click()
        ui.arrived(re.compile(r".*/contacts/\d+/$"))
        lookalikes = page.get_by_role("region", name="The same person?")
        expect(lookalikes.get_by_role("link", name="Ann Lee")).to_be_visible()
        expect(lookalikes).to_contain_text("Same email")
        ui.check_a11y("with a look-alike")
        ui.screenshot(f"contact-lookalike-{device}-{theme}")

    # Not duplicates: back on the page, which no longer asks.
    annie = page.url
    lookalikes.get_by_role("button", name="Not duplicates").click()
    ui.arrived(annie.removeprefix(ui.base_url))
    expect(page.get_by_text("marked as not duplicates")).to_be_visible()
    expect(page.get_by_role("region", name="The same person?")).to_have_count(0)

    # The other look-alike, added again, merged from its page.
    Contact.objects.filter(owner=alice, given_name="Annie").delete()
    ui.goto("/contacts/new/")
    page.get_by_label("First name").fill("A.")
    page.get_by_label("Last name").fill("Lee")
    page.get_by_label("Phone 1", exact=True).fill("+1 (415) 555-0100")
    page.get_by_role("button", name="Save").first.click()
    ui.arrived(re.compile(r".*/contacts/\d+/$"))
    lookalikes = page.get_by_role("region", name="The same person?")
    expect(lookalikes).to_contain_text("Same phone number")
    lookalikes.get_by_role("link", name="Compare and merge").click()
    ui.arrived(re.compile(r".*/contacts/duplicates/merge/\?.*"))
    expect(page.get_by_role("link", name="Cancel")).to_have_attribute(
        "href", re.compile(r"^/contacts/\d+/$")
    )
    page.get_by_label("Ann Lee").check()
    page.get_by_role("button", name="Merge").click()
    ui.arrived(re.compile(r".*/contacts/\d+/$"))
    expect(page.get_by_role("heading", name="Ann Lee")).to_be_visible()
    expect(page.get_by_role("region", name="The same person?")).to_have_count(0)
    assert Contact.objects.owned_by(alice).get().given_name == "Ann"


def test_a_member_exports_their_connections(ui, alice):
    carol = UserFactory(handle="carol", display_name="Carol Nguyen")
    connect(alice, carol)
    ui.sign_in(alice)
    ui.goto("/contacts/export/")
    page = ui.page
    choice = page.get_by_label(re.compile("Your connections"))
    expect(choice).to_be_visible()
    expect(
        page.get_by_text("1 connection: the card holds what they show you")
    ).to_be_visible()
    choice.check()
    page.get_by_label(re.compile("vCard 4.0")).check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Export").click()
    assert re.fullmatch(
        r"connections-\d{4}-\d\d-\d\d\.vcf", download.value.suggested_filename
    )
    card = Path(download.value.path()).read_bytes().decode("utf-8")
    assert "VERSION:4.0" in card
    assert "FN:Carol Nguyen" in card
    assert "/in/carol/" in card


def test_linkedin_connections_are_imported_and_found_again(ui, alice):
    ui.sign_in(alice)
    ui.goto("/contacts/import/")
    page = ui.page
    connections = DATA / "linkedin_connections.csv"
    page.get_by_label("Address book file").set_input_files(str(connections))
    page.get_by_role("button", name="Import").click()
    ui.arrived(re.compile(r".*/contacts/import/\d+/$"))
    expect(page.get_by_role("heading", name="Review before importing")).to_be_visible()
    expect(page.get_by_text(re.compile("LinkedIn connections CSV"))).to_be_visible()
    expect(page.locator(".import-stat").first).to_contain_text("3")
    page.get_by_text("1 thing to know").click()
    expect(
        page.get_by_text(re.compile("^Lines 1 to 2, before the names of the columns"))
    ).to_be_visible()
    ui.screenshot("import-linkedin-preview")
    with page.expect_navigation():
        page.get_by_role("button", name="Import").click()
    expect(
        page.get_by_text("3 contacts were added to your address book.")
    ).to_be_visible()

    ui.goto("/contacts/")
    page.get_by_role("link", name="Ada Lovelace").click()
    ui.arrived(re.compile(r".*/contacts/\d+/$"))
    profile = page.locator('a[href="https://www.linkedin.com/in/ada-lovelace-1815"]')
    expect(profile).to_be_visible()
    expect(page.locator(".contact-details div").filter(has=profile)).to_contain_text(
        "LinkedIn website"
    )
    expect(page.get_by_text("Connected on LinkedIn: 12 Mar 2024")).to_be_visible()
    ui.screenshot("contact-from-linkedin")

    # A newer export: the connections imported before are recognised.
    ui.goto("/contacts/import/")
    page.get_by_label("Address book file").set_input_files(str(connections))
    page.get_by_role("button", name="Import").click()
    ui.arrived(re.compile(r".*/contacts/import/\d+/$"))
    expect(page.locator(".import-stat").nth(1)).to_contain_text("3")
    with page.expect_navigation():
        page.get_by_role("button", name="Import").click()
    expect(page.get_by_text(re.compile("3 duplicates were skipped"))).to_be_visible()
    assert Contact.objects.filter(owner=alice).count() == 3


def test_thunderbirds_csv_is_guessed_with_its_birthday_and_notes_columns(ui, alice):
    ui.sign_in(alice)
    ui.goto("/contacts/import/")
    page = ui.page
    page.get_by_label("Address book file").set_input_files(
        str(DATA / "thunderbird.csv")
    )
    page.get_by_role("button", name="Import").click()
    ui.arrived(re.compile(r".*/contacts/import/\d+/$"))
    expect(
        page.get_by_role("heading", name="Choose what each column holds")
    ).to_be_visible()
    expect(page.get_by_label("Birth Day")).to_have_value("birthday:day")
    expect(page.get_by_label("Screen Name")).to_have_value("notes:Screen Name")
    page.get_by_label("Custom 1").select_option("")
    page.get_by_label("Display Name").select_option(label="Notes, as “Display Name: …”")
    ui.check_a11y("with columns kept in the notes")
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    first_cards = page.get_by_role("region", name="The 3 cards, as they were read")
    expect(first_cards).to_contain_text("Birthday 24 October 1990")
    expect(first_cards).to_contain_text("Birthday 9 March")
    with page.expect_navigation():
        page.get_by_role("button", name="Import").click()
    expect(
        page.get_by_text("3 contacts were added to your address book.")
    ).to_be_visible()
    ilkay = Contact.objects.get(owner=alice, given_name="Ilkay")
    assert ilkay.notes == (
        "Plays in midfield\n\nDisplay Name: Ilkay Gündoğan\nScreen Name: ilkay.g"
    )


def test_linkedins_whole_data_export_is_imported_as_it_is(ui, alice, tmp_path):
    archive = tmp_path / "Basic_LinkedInDataExport_11-28-2026.zip"
    with zipfile.ZipFile(archive, "w") as export:
        export.writestr("Profile.csv", "First Name,Last Name\nAlice,Martin\n")
        export.write(DATA / "linkedin_connections.csv", "Connections.csv")
    ui.sign_in(alice)
    ui.goto("/contacts/import/")
    page = ui.page
    page.get_by_label("Address book file").set_input_files(str(archive))
    page.get_by_role("button", name="Import").click()
    ui.arrived(re.compile(r".*/contacts/import/\d+/$"))
    expect(page.get_by_text(re.compile("^Connections.csv ·"))).to_contain_text(
        "LinkedIn connections CSV"
    )
    expect(page.locator(".import-stat").first).to_contain_text("3")
