"""Dates such as 4/5/1990 in a CSV file, and the first cards the preview shows.

A file is written one way: its dates are read in one order, chosen by the
member, shown by the file's own unambiguous dates, or else the way the
address book's region writes them; the preview says which.
"""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from contacts import csv_formats
from contacts.models import AddressBook, Contact, ContactImport
from contacts.services.imports import (
    Prepared,
    _first_look,
    import_confirm,
    import_set_mapping,
    import_upload,
)
from contacts.vcard import Birthday, read_vcards
from tests.conftest import HTMX

pytestmark = pytest.mark.django_db

Status = ContactImport.Status

HEAD = "Full name,E-mail,Date of birth,Anniversary\n"


def rows(*dates, column=2, width=4):
    """(line, cells) rows with each date in `column`."""
    table = []
    for line, date in enumerate(dates, 2):
        cells = [""] * width
        cells[0] = f"Person {line}"
        cells[column] = date
        table.append((line, cells))
    return table


MAPPING = ["display_name", "email:other", "birthday", ""]


def csv_file(*lines) -> bytes:
    return (HEAD + "".join(f"{line}\n" for line in lines)).encode()


@pytest.fixture
def read(django_capture_on_commit_callbacks):
    """Upload a CSV file, choose its columns (the guess), return the import."""

    def upload(owner, data, *, date_order=None, region=None):
        if region:
            AddressBook.objects.update_or_create(
                owner=owner, defaults={"default_region": region}
            )
        with django_capture_on_commit_callbacks(execute=True):
            batch = import_upload(owner=owner, file_name="people.csv", data=data)
        with django_capture_on_commit_callbacks(execute=True):
            import_set_mapping(batch=batch, mapping=MAPPING, date_order=date_order)
        batch.refresh_from_db()
        assert batch.status == Status.READY, batch.error
        return batch

    return upload


def birthdays(owner) -> dict[str, tuple]:
    return {
        name: (day, month, year)
        for name, day, month, year in Contact.objects.filter(owner=owner).values_list(
            "display_name", "birthday_day", "birthday_month", "birthday_year"
        )
    }


# ---------- Reading one date ----------


@pytest.mark.parametrize(
    ("text", "day_first", "expected"),
    [
        ("4/5/1990", False, Birthday(4, 5, 1990)),
        ("4/5/1990", True, Birthday(5, 4, 1990)),
        ("13/5/1990", False, Birthday(5, 13, 1990)),  # only one order reads it
        ("5/13/1990", True, Birthday(5, 13, 1990)),
        ("4.5.1990", False, Birthday(5, 4, 1990)),  # dots: day first always
        ("1990/04/05", True, Birthday(4, 5, 1990)),  # year first: as written
        ("31/2/1990", True, None),
    ],
)
def test_a_date_is_read_in_the_order_given_unless_only_one_reads_it(
    text, day_first, expected
):
    assert csv_formats.parse_loose_date(text, day_first=day_first) == expected


# ---------- The order of a file ----------


def test_a_day_first_date_in_the_file_sets_the_order_for_all():
    order = csv_formats.date_order(
        rows("10/12/1815", "25/12/1990"), MAPPING, region="US"
    )
    assert order == csv_formats.DatesRead(
        day_first=True, example="10/12/1815", from_file=True
    )


def test_dates_with_a_time_show_the_order_too():
    order = csv_formats.date_order(
        rows("10/12/1815 0:00", "25/12/1990 00:00:00"), MAPPING, region="US"
    )
    assert (order.day_first, order.from_file) == (True, True)


def test_a_month_first_date_in_the_file_sets_the_order_for_all():
    order = csv_formats.date_order(rows("12/25/1990", "4/5/1990"), MAPPING, region="GB")
    assert order == csv_formats.DatesRead(
        day_first=False, example="4/5/1990", from_file=True
    )


@pytest.mark.parametrize(
    ("region", "day_first"), [("US", False), ("GB", True), ("FR", True), ("ph", False)]
)
def test_without_a_sign_in_the_file_the_region_decides(region, day_first):
    order = csv_formats.date_order(rows("4/5/1990", ""), MAPPING, region=region)
    assert (order.day_first, order.from_file, order.example) == (
        day_first,
        False,
        "4/5/1990",
    )


def test_a_file_that_shows_both_orders_is_read_by_the_region():
    order = csv_formats.date_order(
        rows("25/12/1990", "12/25/1990", "4/5/1990"), MAPPING, region="DE"
    )
    assert (order.day_first, order.from_file) == (True, False)


def test_the_members_choice_wins_over_the_file():
    order = csv_formats.date_order(
        rows("25/12/1990", "4/5/1990"), MAPPING, region="GB", chosen="mdy"
    )
    assert (order.day_first, order.example) == (False, "4/5/1990")


def test_only_birthday_columns_count_and_same_day_and_month_is_no_example():
    # 25/12 in a column that is not imported says nothing of the birthdays.
    table = [(2, ["Ann", "", "5/5/1990", "25/12/1990"])]
    order = csv_formats.date_order(table, MAPPING, region="US")
    assert order == csv_formats.DatesRead(day_first=False)
    assert csv_formats.date_order(table, ["display_name"], region="GB") == (
        csv_formats.DatesRead(day_first=True)
    )


# ---------- Importing a file ----------


def test_ambiguous_dates_follow_the_files_other_dates(alice, read):
    batch = read(
        alice,
        csv_file("Ada,,10/12/1815,", "Grace,,25/12/1906,"),
        region="US",
    )
    assert batch.date_note == (
        "Dates such as 10/12/1815 are read day first, as the file’s other dates "
        "are written: 10 December 1815. If that is wrong, choose the order under "
        "“Change columns”."
    )
    assert [card["birthday"] for card in batch.sample] == [
        "10 December 1815",
        "25 December 1906",
    ]


def test_ambiguous_dates_follow_the_region_then_the_members_choice(alice, read):
    batch = read(alice, csv_file("Ada,,10/12/1815,"), region="GB")
    assert "read day first, as dates are written in your address book’s region" in (
        batch.date_note
    )
    batch = read(alice, csv_file("Ada,,10/12/1815,"), date_order="mdy")
    assert batch.date_order == "mdy"
    assert batch.date_note == (
        "Dates such as 10/12/1815 are read month first, as you chose: 12 October 1815."
    )
    assert batch.sample[0]["birthday"] == "12 October 1815"


def test_the_chosen_order_is_what_the_import_saves(
    alice, read, django_capture_on_commit_callbacks
):
    batch = read(
        alice, csv_file("Ada,,10/12/1815,", "Grace,,9/12/1906,"), date_order="dmy"
    )
    with django_capture_on_commit_callbacks(execute=True):
        import_confirm(batch=batch, on_duplicate="skip")
    assert birthdays(alice) == {"Ada": (10, 12, 1815), "Grace": (9, 12, 1906)}
    # What the preview showed of the cards goes with the file.
    batch.refresh_from_db()
    assert (batch.status, batch.sample, batch.date_note) == (Status.DONE, [], "")


def test_a_file_without_ambiguous_dates_says_nothing_of_them(alice, read):
    batch = read(alice, csv_file("Ada,,1815-12-10,", "Grace,,25/12/1906,"))
    assert batch.date_note == ""
    assert batch.sample[1]["birthday"] == "25 December 1906"


def test_changing_the_columns_without_an_order_keeps_the_one_chosen(
    alice, read, django_capture_on_commit_callbacks
):
    batch = read(alice, csv_file("Ada,,10/12/1815,"), date_order="dmy")
    with django_capture_on_commit_callbacks(execute=True):
        import_set_mapping(batch=batch, mapping=MAPPING)
    batch.refresh_from_db()
    assert batch.date_order == "dmy"
    assert batch.sample[0]["birthday"] == "10 December 1815"


def test_an_unknown_order_is_refused_and_changes_nothing(alice, read):
    batch = read(alice, csv_file("Ada,,10/12/1815,"), date_order="dmy")
    with pytest.raises(ValidationError, match="how the file’s dates are written"):
        import_set_mapping(batch=batch, mapping=MAPPING, date_order="ymd")
    batch.refresh_from_db()
    assert (batch.status, batch.date_order) == (Status.READY, "dmy")


def test_the_database_refuses_an_unknown_order(alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactImport.objects.create(
            owner=alice, file_name="a.csv", file_size=1, date_order="ymd"
        )


# ---------- The first cards ----------


def test_the_preview_keeps_the_first_five_cards_as_read(alice, read):
    people = [f"Person {n},p{n}@example.com,," for n in range(1, 8)]
    people[0] = "Ann Lee,ann@example.com,4/5/1990,"
    batch = read(alice, csv_file(*people), region="US")
    assert len(batch.sample) == 5
    assert not batch.sample_is_every_card
    assert batch.sample[0] == {
        "line": 2,
        "name": "Ann Lee",
        "details": ["ann@example.com"],
        "more": 0,
        "birthday": "5 April 1990",
        "labels": [],
    }
    assert [card["name"] for card in batch.sample[1:]] == [
        "Person 2",
        "Person 3",
        "Person 4",
        "Person 5",
    ]


def test_a_card_shows_its_work_first_details_labels_and_how_many_more(alice):
    item = Prepared(
        line=7,
        fields={
            "shown_name": "Zoë Lefèvre",
            "job_title": "Editor",
            "organization": "Northwind",
            "birthday_day": 12,
            "birthday_month": 4,
        },
        emails=[[f"z{n}@example.com", "home", ""] for n in range(3)],
        phones=[["+44 7700 900123", "+447700900123", "mobile", ""]],
        addresses=[["1 High St", "", "", "", "", "home", ""]],
        websites=[],
        labels=[f"L{n}" for n in range(7)],
    )
    assert _first_look(item) == {
        "line": 7,
        "name": "Zoë Lefèvre",
        "details": [
            "Editor, Northwind",
            "z0@example.com",
            "z1@example.com",
            "+44 7700 900123",
        ],
        "more": 2,
        "birthday": "12 April",
        "labels": ["L0", "L1", "L2", "L3", "L4"],
    }
    item.fields = {"shown_name": "Northwind", "organization": "Northwind"}
    assert _first_look(item)["details"][0] == "z0@example.com"


def test_a_card_with_no_email_or_phone_shows_its_address_or_website(alice):
    # Not "1 more detail" alone: the preview shows what the card holds.
    item = Prepared(
        line=7,
        fields={"shown_name": "Blue Bottle Coffee", "organization": "Blue Bottle"},
        emails=[],
        phones=[],
        addresses=[
            ["300 Webster St\nUnit 2", "Oakland", "CA", "94607", "USA", "work", ""],
            ["1 Market St", "", "", "", "", "work", ""],
        ],
        websites=[["https://bluebottle.example", "work", ""]],
        labels=[],
    )
    look = _first_look(item)
    assert look["details"] == [
        "Blue Bottle",
        "300 Webster St, Unit 2, Oakland, CA, 94607, USA",
    ]
    assert look["more"] == 2
    item.addresses = []
    look = _first_look(item)
    assert look["details"] == ["Blue Bottle", "https://bluebottle.example"]
    assert look["more"] == 0


# ---------- The pages ----------


def upload_page(client, run, data):
    return run(
        client.post,
        reverse("contacts:import"),
        {"file": SimpleUploadedFile("people.csv", data)},
    )


def columns_form(batch, **values):
    data = {f"column_{index}": target for index, target in enumerate(batch.mapping)}
    data.update(values)
    return data


def test_the_columns_page_asks_how_dates_are_written(alice, alice_client, run):
    upload_page(alice_client, run, csv_file("Ada,,10/12/1815,"))
    batch = ContactImport.objects.get(owner=alice)
    page = alice_client.get(
        reverse("contacts:import_columns", args=[batch.pk])
    ).content.decode()
    assert '<label for="id_date_order">Dates such as 4/5/1990</label>' in page
    assert '<option value="dmy">Day first: 31/12/1990</option>' in page


def test_choosing_day_first_shows_it_on_the_preview(alice, alice_client, run):
    upload_page(alice_client, run, csv_file("Ada,,10/12/1815,"))
    batch = ContactImport.objects.get(owner=alice)
    url = reverse("contacts:import_columns", args=[batch.pk])
    response = run(alice_client.post, url, columns_form(batch, date_order="dmy"))
    assert response.status_code == 302
    page = alice_client.get(response["Location"]).content.decode()
    assert "are read day first, as you chose: 10 December 1815." in page
    assert "The card, as it was read" in page
    assert "Birthday 10 December 1815" in page


def test_an_unknown_order_keeps_the_columns_chosen_htmx_and_plain(
    alice, alice_client, run
):
    upload_page(alice_client, run, csv_file("Ada,,10/12/1815,"))
    batch = ContactImport.objects.get(owner=alice)
    url = reverse("contacts:import_columns", args=[batch.pk])
    data = columns_form(batch, column_1="email:work", date_order="ymd")
    plain = run(alice_client.post, url, data)
    assert plain.status_code == 400
    page = plain.content.decode()
    assert "Select a valid choice." in page
    assert '<option value="email:work" selected>' in page
    htmx = run(alice_client.post, url, data, **HTMX)
    assert htmx.status_code == 422
    assert "<html" not in htmx.content.decode()
    batch.refresh_from_db()
    assert (batch.status, batch.date_order) == (Status.MAPPING, "")


def test_a_stranger_cannot_choose_the_order_of_someone_elses_import(
    alice, alice_client, bob_client, run
):
    upload_page(alice_client, run, csv_file("Ada,,10/12/1815,"))
    batch = ContactImport.objects.get(owner=alice)
    url = reverse("contacts:import_columns", args=[batch.pk])
    response = run(bob_client.post, url, columns_form(batch, date_order="dmy"))
    assert response.status_code == 404
    batch.refresh_from_db()
    assert batch.date_order == ""


@pytest.mark.parametrize(
    ("written", "read"),
    [
        # Local midnight east of Greenwich, written in UTC: the evening before.
        ("1985-04-11T22:00:00Z", Birthday(month=4, day=12, year=1985)),
        ("19851231T230000Z", Birthday(month=1, day=1, year=1986)),
        ("--0411T220000Z", Birthday(month=4, day=12, year=None)),
        # West of Greenwich, or noon (written so the day never moves): as is.
        ("1985-04-12T05:00:00Z", Birthday(month=4, day=12, year=1985)),
        ("1985-04-12T12:00:00Z", Birthday(month=4, day=12, year=1985)),
        # A local time says its own day.
        ("1985-04-12T22:00:00+02:00", Birthday(month=4, day=12, year=1985)),
        ("1985-04-12T23:30:00", Birthday(month=4, day=12, year=1985)),
        ("1985-04-12", Birthday(month=4, day=12, year=1985)),
    ],
)
def test_a_birthday_written_as_a_utc_time_is_the_day_it_was_where_written(
    written, read
):
    text = f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\r\nBDAY:{written}\r\nEND:VCARD\r\n"
    [card] = read_vcards(text).cards
    assert card.birthday == read
