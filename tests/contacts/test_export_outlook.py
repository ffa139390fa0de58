"""Export as Outlook's CSV: its own columns, nothing of a card lost."""

import csv
import io
from pathlib import Path

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings

from contacts import csv_formats
from contacts.models import Contact, Label
from contacts.selectors.contacts import contact_with_details
from contacts.selectors.transfer import contacts_to_export, export_stream
from contacts.services.contacts import contact_create
from contacts.vcard import Address, Birthday, TypedValue, VCard
from tests.contacts.test_export import cards, download, full_card_data, reimport
from tests.factories import ContactFactory, LabelFactory, UserFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"


def rows_of(body: bytes) -> list[dict[str, str]]:
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    header = rows[0]
    assert all(len(row) == len(header) for row in rows)
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def outlook_cells(card: VCard) -> dict[str, str]:
    return dict(
        zip(csv_formats.OUTLOOK_HEAD, csv_formats.outlook_row(card), strict=True)
    )


def test_the_header_is_outlooks_own():
    with (DATA / "outlook.csv").open(encoding="cp1252", newline="") as sample:
        outlooks = next(csv.reader(sample))
    assert list(csv_formats.OUTLOOK_HEAD) == outlooks
    assert csv_formats.detect_format(outlooks) == csv_formats.OUTLOOK


def test_the_export_page_offers_outlook_and_says_what_it_cannot_hold(alice_client):
    page = alice_client.get(reverse("contacts:export")).content.decode()
    assert 'value="outlook"' in page
    assert "CSV for Outlook (.csv)" in page
    assert "Outlook’s columns hold 3 email addresses" in page
    assert "written in its notes" in page


def test_the_download_is_a_csv_file_with_a_byte_order_mark(alice, alice_client):
    ContactFactory(owner=alice, given_name="Zoë", family_name="Côté")
    response, body = download(alice_client, scope="all", format="outlook")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].endswith('.csv"')
    [row] = rows_of(body)
    assert (row["First Name"], row["Last Name"]) == ("Zoë", "Côté")


def test_an_unknown_format_is_refused(alice, alice_client):
    response = alice_client.post(
        reverse("contacts:export_download"), {"scope": "all", "format": "outlook98"}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_a_full_card_fills_outlooks_columns_and_its_notes_keep_the_rest(
    alice, alice_client
):
    family = LabelFactory(owner=alice, name="Family, close")
    contact_create(owner=alice, data=full_card_data(family))
    _response, body = download(alice_client, scope="all", format="outlook")
    [row] = rows_of(body)
    assert row["Title"] == "Dr."
    assert (row["First Name"], row["Middle Name"]) == ("Zoë", "Anne")
    assert (row["Last Name"], row["Suffix"]) == ("Lefèvre-Núñez", "Jr., PhD")
    assert row["Company"] == "Northwind, Traders; Ltd"
    assert row["Job Title"] == "'=Editor, in chief"  # neutralised
    assert row["E-mail Address"] == "zoe@home.example"
    assert row["E-mail Type"] == "SMTP"
    assert row["E-mail Display Name"] == "Zoë “Zo” Lefèvre (zoe@home.example)"
    assert row["E-mail 2 Address"] == "zoe@work.example"
    assert row["E-mail 3 Address"] == "pa@work.example"
    assert row["Mobile Phone"] == "'+1 415 555 0100"
    assert row["Business Phone"] == "(415) 555-0111 ext. 42"
    assert row["Other Phone"] == "'-12"
    assert row["Home Street"] == "12 Rue de la Paix, 2e"
    assert row["Home Street 2"] == "Bâtiment B"
    assert (row["Home City"], row["Home State"]) == ("Paris", "Île-de-France")
    assert (row["Home Postal Code"], row["Home Country/Region"]) == (
        "75002",
        "France",
    )
    assert row["Web Page"] == "https://zoe.example/a,b;c"
    assert row["Birthday"] == ""  # no year: Outlook cannot hold it
    assert row["Categories"] == "Family, close;starred"
    notes = row["Notes"].split("\n")
    assert notes[:5] == [
        "Line 1, with; punctuation\\ and a backslash",
        "Line 2 “quoted”",
        "",
        "-dash",
        "",
    ]
    assert notes[5:] == [
        "Nickname: Zo; Zozo",
        "Full name: Zoë “Zo” Lefèvre",
        "Birthday: 29 February",
        "Email (Mobile): m@x.example",
        "Phone (Boat; sometimes): 555 0199",
        "Address (Summer): London",
        "Website (Blog): https://blog.example",
    ]


def test_each_phone_goes_to_its_kinds_column_then_to_the_notes():
    card = VCard(
        given_name="Ann",
        phones=[
            TypedValue("1", "mobile"),
            TypedValue("2", "mobile"),
            TypedValue("3", "home"),
            TypedValue("4", "home"),
            TypedValue("5", "home"),
            TypedValue("6", "work"),
            TypedValue("7", "custom", "Work fax"),
            TypedValue("8", "custom", "pager"),
            TypedValue("9", "custom", "Main"),
            TypedValue("10", "custom", "Boat"),
            TypedValue("11", "custom", "Pager"),
        ],
    )
    cells = outlook_cells(card)
    assert cells["Mobile Phone"] == "1"
    assert (cells["Home Phone"], cells["Home Phone 2"]) == ("3", "4")
    assert (cells["Business Phone"], cells["Business Phone 2"]) == ("6", "")
    assert cells["Business Fax"] == "7"
    assert cells["Pager"] == "8"
    assert cells["Primary Phone"] == "9"
    assert cells["Other Phone"] == ""
    assert cells["Notes"].split("\n") == [
        "Phone (Mobile): 2",
        "Phone (Home): 5",
        "Phone (Boat): 10",
        "Phone (Pager): 11",
    ]


def test_an_address_goes_to_its_places_columns_once():
    card = VCard(
        given_name="Ann",
        addresses=[
            Address(street="1 Long Road\nFlat 2\nBlock C\nEast wing", kind="work"),
            Address(city="Leeds", kind="work"),
            Address(postal_code="LS1", city="Leeds", kind="other"),
            Address(city="Nice", kind="custom", label="Summer", country="France"),
        ],
    )
    cells = outlook_cells(card)
    assert cells["Business Street"] == "1 Long Road"
    assert cells["Business Street 2"] == "Flat 2"
    assert cells["Business Street 3"] == "Block C\nEast wing"
    assert (cells["Other City"], cells["Other Postal Code"]) == ("Leeds", "LS1")
    assert cells["Home Street"] == cells["Home City"] == ""
    assert cells["Notes"].split("\n") == [
        "Address (Work): Leeds",
        "Address (Summer): Nice, France",
    ]


@pytest.mark.parametrize(
    ("name", "first", "last"),
    [
        ("Carol Nguyen", "Carol", "Nguyen"),
        ("Mary Ann van Dyke", "Mary Ann van", "Dyke"),
        ("Prince", "Prince", ""),
    ],
)
def test_a_card_with_only_a_whole_name_is_written_as_first_and_last(name, first, last):
    cells = outlook_cells(VCard(formatted_name=name, organization="Acme"))
    assert (cells["First Name"], cells["Last Name"]) == (first, last)
    assert " ".join(part for part in (first, last) if part) == name
    assert cells["Notes"] == ""


def test_a_birthday_with_a_year_is_written_year_first():
    card = VCard(given_name="Ann", birthday=Birthday(4, 12, 1970))
    assert outlook_cells(card)["Birthday"] == "1970-04-12"
    assert outlook_cells(card)["Notes"] == ""


@pytest.mark.parametrize(
    ("labels", "written"),
    [
        (["Family"], "Family"),
        (["Smith, Jones"], "Smith, Jones;"),
        (["A;B", "C"], "A,B;C"),
        ([], ""),
    ],
)
def test_labels_are_written_so_that_each_reads_back_alone(labels, written):
    cells = outlook_cells(VCard(given_name="Ann", categories=labels))
    assert cells["Categories"] == written
    assert csv_formats.split_labels(written) == [
        label.replace(";", ",") for label in labels
    ]


def test_an_outlook_export_imports_back(
    alice, alice_client, django_capture_on_commit_callbacks
):
    family = LabelFactory(owner=alice, name="Family, close")
    data = full_card_data(family)
    data.birthday_year = 1972
    original = contact_create(owner=alice, data=data)
    _response, body = download(alice_client, scope="all", format="outlook")
    bob = UserFactory()
    reimport(bob, body, "outlook.csv", django_capture_on_commit_callbacks)
    back = contact_with_details(owner=bob).get()
    for name in (
        "prefix",
        "given_name",
        "middle_name",
        "family_name",
        "suffix",
        "organization",
        "job_title",
        "is_favorite",
    ):
        assert getattr(back, name) == getattr(original, name), name
    assert (back.birthday_day, back.birthday_month, back.birthday_year) == (
        29,
        2,
        1972,
    )
    # Outlook's email columns have no kind: each comes back as "other".
    assert [e.value for e in back.emails.all()] == [
        "zoe@home.example",
        "zoe@work.example",
        "pa@work.example",
    ]
    assert sorted((p.value, p.label) for p in back.phones.all()) == [
        ("(415) 555-0111 ext. 42", "work"),
        ("+1 415 555 0100", "mobile"),
        ("-12", "other"),
    ]
    [home] = back.addresses.all()
    assert (home.street, home.city, home.label) == (
        "12 Rue de la Paix, 2e\nBâtiment B",
        "Paris",
        "home",
    )
    assert [w.url for w in back.websites.all()] == ["https://zoe.example/a,b;c"]
    assert sorted(
        label.name
        for label in back.labels.all()
        if not label.name.startswith("Imported ")
    ) == ["Family, close"]
    assert back.notes.startswith(original.notes + "\n\nNickname: Zo; Zozo\n")
    assert "Phone (Boat; sometimes): 555 0199" in back.notes


def test_outlooks_po_box_columns_are_read_as_the_last_street_line(
    alice, django_capture_on_commit_callbacks
):
    cells = outlook_cells(
        VCard(
            given_name="Ann",
            emails=[TypedValue("ann@x.example")],
            addresses=[Address(street="1 Long Road", city="Leeds", kind="work")],
        )
    )
    cells["Business Address PO Box"] = "PO Box 12"
    rows = [
        csv_formats.OUTLOOK_HEAD,
        [cells[name] for name in csv_formats.OUTLOOK_HEAD],
    ]
    body = "".join(csv_formats.csv_lines(rows)).encode()
    batch = reimport(alice, body, "po.csv", django_capture_on_commit_callbacks)
    assert batch.file_format == csv_formats.OUTLOOK
    [address] = contact_with_details(owner=alice).get().addresses.all()
    assert (address.street, address.city, address.label) == (
        "1 Long Road\nPO Box 12",
        "Leeds",
        "work",
    )


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=cards)
def test_nothing_of_any_contact_is_lost_through_outlook(
    alice, django_capture_on_commit_callbacks, data
):
    if not (data.given_name or data.family_name or data.emails):
        data.given_name = "Someone"
    Contact.objects.filter(owner=alice).delete()
    Label.objects.filter(owner=alice).delete()
    original = contact_with_details(owner=alice).get(
        pk=contact_create(owner=alice, data=data).pk
    )
    body = b"".join(export_stream(contacts_to_export(owner=alice), "outlook"))
    Contact.objects.filter(owner=alice).delete()
    reimport(alice, body, "o.csv", django_capture_on_commit_callbacks)
    back = contact_with_details(owner=alice).get()
    for name in ("organization", "is_favorite"):
        assert getattr(back, name) == getattr(original, name), name
    # Outlook has no column for a full name besides the parts: one of its own
    # is kept in the notes.
    assert back.shown_name == original.shown_name or (
        f"Full name: {original.display_name}" in back.notes
    )
    assert back.notes.startswith(original.notes)
    kept = {
        "email": [e.value for e in back.emails.all()],
        "phone": [p.value for p in back.phones.all()],
        "street": [a.street for a in back.addresses.all()],
    }
    for email in original.emails.all():
        assert email.value in kept["email"] or f": {email.value}" in back.notes
    for phone in original.phones.all():
        assert phone.value in kept["phone"] or f": {phone.value}" in back.notes
    for address in original.addresses.all():
        first = address.street.split("\n")[0]
        assert first in kept["street"] or f": {first}" in back.notes
    if original.nickname:
        assert f"Nickname: {original.nickname}" in back.notes


def test_a_website_past_the_first_is_kept_in_the_notes():
    card = VCard(
        given_name="Ann",
        urls=[TypedValue("https://a.example", "work"), TypedValue("https://b.example")],
    )
    cells = outlook_cells(card)
    assert cells["Web Page"] == "https://a.example"
    assert cells["Notes"] == "Website (Other): https://b.example"
