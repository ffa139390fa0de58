"""CSV files from LinkedIn and Thunderbird, text before a header, and the
columns a card has no field for, kept in the notes."""

import csv
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from contacts import csv_formats
from contacts.models import Contact
from contacts.models import ContactImport as Batch
from contacts.services.imports import (
    extra_lines,
)
from contacts.transfer_forms import ColumnMappingForm
from contacts.uploads import CSV, decode_upload
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
LINKEDIN = DATA / "linkedin_connections.csv"
Status = Batch.Status


# ---------- Text before the header ----------


def test_linkedins_notes_before_the_header_are_set_apart():
    decoded = decode_upload(LINKEDIN.read_bytes(), file_name="Connections.csv")
    assert decoded.kind == CSV  # its first line, "Notes:", has no comma
    table = csv_formats.read_table(decoded.text)
    assert table.header[:3] == ["First Name", "Last Name", "URL"]
    assert [line for line, _text in table.preamble] == [1, 2]
    assert table.preamble[0][1] == "Notes:"
    assert table.preamble[1][1].startswith("When exporting your connection data")
    assert [line for line, _cells in table.rows] == [5, 6, 7, 8]


def test_a_title_row_padded_with_separators_is_not_the_header():
    table = csv_formats.read_table(
        "My contacts;;;\r\n\r\nName;Email;Phone;City\r\nAnn;ann@x.example;;Leeds\r\n"
    )
    assert table.delimiter == ";"
    assert table.header == ["Name", "Email", "Phone", "City"]
    assert table.preamble == [(1, "My contacts")]
    assert table.rows == [(4, ["Ann", "ann@x.example", "", "Leeds"])]


@pytest.mark.parametrize("hint", ["sep=;\r\n", '"sep=;"\n', "SEP=;\n"])
def test_excels_separator_hint_is_followed_and_not_a_row(hint):
    text = hint + "Name;Email\r\nAnn, Lee;ann@x.example\r\n"
    table = csv_formats.read_table(text)
    assert table.delimiter == ";"
    assert table.header == ["Name", "Email"]
    assert table.preamble == []
    assert table.rows == [(3, ["Ann, Lee", "ann@x.example"])]


_CELL = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
    min_size=1,
    max_size=12,
).filter(lambda text: text.strip() == text and text.strip())


@given(
    preamble=st.lists(_CELL, max_size=3),
    header=st.lists(
        _CELL.filter(lambda name: not set(name) & set(",;\t")),
        min_size=2,
        max_size=6,
        unique=True,
    ),
    rows=st.integers(min_value=3, max_value=5),
)
def test_any_lines_of_text_before_a_header_are_set_apart(preamble, header, rows):
    # Text holding a stray ";" or "," above the header does not change the
    # separator: the header and its rows outnumber it.
    body = [[f"{name} {row}" for name in header] for row in range(rows)]
    lines = [[text] for text in preamble] + [header] + body
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(lines)
    table = csv_formats.read_table(buffer.getvalue())
    assert table.header == header
    assert [text for _line, text in table.preamble] == preamble
    assert [cells for _line, cells in table.rows] == body
    assert [line for line, _cells in table.rows] == [
        len(preamble) + 2 + row for row in range(rows)
    ]


def test_a_title_with_another_separator_does_not_choose_the_separator():
    text = "Contacts; exported 28/11/2026\nName,Email\nAnn,a@x\nBob,b@x\n"
    table = csv_formats.read_table(text)
    assert table.delimiter == ","
    assert table.header == ["Name", "Email"]
    assert table.preamble == [(1, "Contacts; exported 28/11/2026")]


def test_a_one_column_file_keeps_its_first_row_as_header():
    table = csv_formats.read_table("Email\nann@x.example\nbob@x.example\n")
    assert table.header == ["Email"]
    assert table.preamble == []
    assert len(table.rows) == 2


def test_a_stray_separator_in_a_one_column_file_does_not_move_the_header():
    # "Smith, John" is two cells, but the row after it is one again.
    table = csv_formats.read_table("Name\nAnn\nSmith, John\nBob\n")
    assert table.header == ["Name"]
    assert table.preamble == []
    assert [cells[0] for _line, cells in table.rows] == ["Ann", "Smith", "Bob"]


def test_only_the_first_rows_are_looked_at_for_a_header():
    lines = [f"note {number}" for number in range(12)] + ["Name,Email", "Ann,a@x"]
    table = csv_formats.read_table("\n".join(lines))
    assert table.header == ["note 0"]
    assert table.preamble == []


def test_the_header_is_found_when_rows_are_limited():
    table = csv_formats.read_table(LINKEDIN.read_text(), max_rows=2)
    assert table.header[0] == "First Name"
    assert len(table.rows) == 2
    assert table.too_many


# ---------- LinkedIn's connections ----------


def test_linkedins_header_is_recognised_and_mapped():
    header = csv_formats.read_table(LINKEDIN.read_text()).header
    assert csv_formats.detect_format(header) == csv_formats.LINKEDIN
    assert csv_formats.mapping_for(header, csv_formats.LINKEDIN) == [
        "given_name",
        "family_name",
        "website:custom=LinkedIn",
        "email:other",
        "organization",
        "job_title",
        "notes:Connected on LinkedIn",
    ]
    # Outlook's and Google's headers are not LinkedIn's.
    assert csv_formats.detect_format(["First Name", "Last Name", "URL"]) == "csv"


def test_linkedin_connections_import_without_choosing_columns(alice, flow):
    batch = flow.upload(alice, LINKEDIN.name)
    assert batch.status == Status.READY, batch.error
    assert batch.file_format == Batch.Format.LINKEDIN
    assert batch.get_file_format_display() == "LinkedIn connections CSV"
    assert batch.new_count == 3
    assert batch.problems == [
        {"line": 8, "reason": "no name, organization, email or phone number"}
    ]
    # The dates it was connected on are not counted: their column says so.
    [preamble] = batch.notices
    assert preamble.startswith(
        "Lines 1 to 2, before the names of the columns, are not contacts and are "
        "not imported: “Notes: When exporting your connection data"
    )
    assert preamble.endswith("…”")
    flow.confirm(batch)

    ada = Contact.objects.get(owner=alice, family_name="Lovelace")
    assert (ada.given_name, ada.organization, ada.job_title) == (
        "Ada",
        "Analytical Engines Ltd",
        "Programmer",
    )
    assert [email.value for email in ada.emails.all()] == ["ada@analytical.example"]
    [profile] = ada.websites.all()
    assert (profile.url, profile.label, profile.custom_label) == (
        "https://www.linkedin.com/in/ada-lovelace-1815",
        "custom",
        "LinkedIn",
    )
    assert ada.notes == "Connected on LinkedIn: 12 Mar 2024"
    grace = Contact.objects.get(owner=alice, family_name="Hopper")
    assert grace.job_title == "Rear Admiral, Computing"
    assert not grace.emails.exists()
    turing = Contact.objects.get(owner=alice, family_name="Turing")
    assert (turing.organization, turing.notes) == (
        "",
        "Connected on LinkedIn: 21 Nov 2025",
    )


def test_a_newer_linkedin_export_finds_the_connections_imported_before(alice, flow):
    flow.confirm(flow.upload(alice, LINKEDIN.name))
    newer = LINKEDIN.read_text() + (
        "Edsger,Dijkstra,https://www.linkedin.com/in/ewd,,TU Eindhoven,,01 Oct 2026\n"
    )
    again = flow.upload(alice, "Connections.csv", newer.encode())
    # Grace and Alan have no email: their profile addresses find them.
    assert (again.new_count, again.duplicate_count) == (1, 3)
    again = flow.confirm(again)
    assert (again.created_count, again.skipped_count) == (1, 3)
    assert Contact.objects.filter(owner=alice, family_name="Hopper").count() == 1
    assert Contact.objects.filter(owner=alice, family_name="Dijkstra").exists()


def test_a_linkedin_profile_of_another_member_is_not_a_duplicate(alice, bob, flow):
    flow.confirm(flow.upload(bob, LINKEDIN.name))
    ContactFactory(owner=alice, given_name="Grace", family_name="Hopper")
    batch = flow.upload(alice, LINKEDIN.name)
    assert (batch.new_count, batch.duplicate_count) == (3, 0)


def test_the_preview_names_linkedin_and_the_skipped_lines(alice, alice_client, run):
    run(
        alice_client.post,
        reverse("contacts:import"),
        {"file": SimpleUploadedFile("Connections.csv", LINKEDIN.read_bytes())},
    )
    batch = Batch.objects.filter(owner=alice).latest("pk")
    page = alice_client.get(reverse("contacts:import_detail", args=[batch.pk]))
    text = page.content.decode()
    assert "LinkedIn connections CSV" in text
    assert "Lines 1 to 2, before the names of the columns" in text
    assert "line 8: no name, organization, email or phone number" in text


# ---------- Columns kept in the notes ----------


def test_googles_dates_relations_custom_fields_and_im_go_to_the_notes():
    header = [
        "First Name",
        "Notes",
        "Event 1 - Label",
        "Event 1 - Value",
        "Relation 1 - Label",
        "Relation 1 - Value",
        "Relation 2 - Type",
        "Relation 2 - Value",
        "Organization 1 - Name",
        "Organization 2 - Name",
        "Organization 2 - Title",
        "Custom Field 1 - Label",
        "Custom Field 1 - Value",
        "IM 1 - Label",
        "IM 1 - Service",
        "IM 1 - Value",
        "E-mail 1 - Value",
    ]
    assert csv_formats.detect_format(header) == csv_formats.GOOGLE
    mapping = csv_formats.mapping_for(header, csv_formats.GOOGLE)
    assert mapping[2:6] == [
        "event@1:label",
        "event@1:value",
        "relation@1:label",
        "relation@1:value",
    ]
    cells = [
        "Ann",
        "Met in Leeds.",
        "Anniversary",
        "2001-06-02",
        "Spouse",
        "Bob",
        "",
        "Carol ::: Dave",
        "Northwind",
        "Leeds Choir",
        "Treasurer",
        "* Other",
        "Blue",
        "Work",
        "Skype",
        "ann.lee",
        "ann@x.example",
    ]
    card = csv_formats.row_to_vcard(2, cells, mapping)
    assert card.note == "Met in Leeds."
    assert extra_lines(card.extras) == [
        "Anniversary: 2 June 2001",
        "Spouse: Bob",
        "Related person: Carol, Dave",
        "Organization: Treasurer, Leeds Choir",
        "Other: Blue",
        "Skype (Work): ann.lee",
    ]
    assert [email.value for email in card.emails] == ["ann@x.example"]
    assert card.organization == "Northwind"


def test_outlooks_spouse_and_anniversary_go_to_the_notes_but_not_its_empty_dates():
    header = ["First Name", "Last Name", "E-mail Address", "Company"]
    header += ["Anniversary", "Spouse", "Manager's Name", "Notes", "Gender"]
    assert csv_formats.detect_format(header) == csv_formats.OUTLOOK
    mapping = csv_formats.mapping_for(header, csv_formats.OUTLOOK)
    assert mapping[4:] == [
        "notes:Anniversary",
        "notes:Spouse",
        "notes:Manager's Name",
        "notes",
        "",
    ]
    ann = ["Ann", "Lee", "", "", "6/2/2001", "Bob", "", "Likes tea", "Female"]
    card = csv_formats.row_to_vcard(2, ann, mapping)
    assert card.note == "Likes tea"
    # A column's values are kept as written: 6/2/2001 could be either order.
    assert extra_lines(card.extras) == ["Anniversary: 6/2/2001", "Spouse: Bob"]
    no_date = ["Ann", "Lee", "", "", "0/0/00", "", "", "", "Unspecified"]
    assert csv_formats.row_to_vcard(3, no_date, mapping).extras == []


def test_outlooks_export_keeps_its_extra_columns_in_the_notes(alice, flow):
    text = (
        "First Name,Last Name,E-mail Address,Business Phone,Spouse,Children\r\n"
        'Ann,Lee,ann@x.example,,Bob,"Carol, Dave"\r\n'
    )
    batch = flow.confirm(flow.upload(alice, "contacts.csv", text.encode()))
    assert batch.file_format == Batch.Format.OUTLOOK
    ann = Contact.objects.get(owner=alice, family_name="Lee")
    assert ann.notes == "Spouse: Bob\nChildren: Carol, Dave"


def test_any_column_can_be_kept_in_the_notes_under_its_own_name(
    alice, alice_client, flow
):
    text = "Name,Email,Met at,Shoe size\nAnn Lee,ann@x.example,Leeds fair,38\n"
    batch = flow.upload(alice, "people.csv", text.encode())
    assert batch.status == Status.MAPPING
    form = ColumnMappingForm(batch=batch)
    met_at = dict(form.fields["column_2"].choices)["Kept in the notes"]
    assert met_at == [("notes:Met at", "Notes, as “Met at: …”")]
    page = alice_client.get(reverse("contacts:import_columns", args=[batch.pk]))
    assert "Notes, as “Shoe size: …”" in page.content.decode()

    # A column may only be kept under its own name.
    batch = flow.set_mapping(
        batch, ["display_name", "email:other", "notes:Met at", "notes:Met at"]
    )
    assert batch.mapping == ["display_name", "email:other", "notes:Met at", ""]
    flow.confirm(batch)
    ann = Contact.objects.get(owner=alice, display_name="Ann Lee")
    assert ann.notes == "Met at: Leeds fair"


def test_a_long_column_name_is_cut_in_the_notes_heading():
    name = "x" * 200
    assert csv_formats.note_target(name) == "notes:" + "x" * 80


@pytest.mark.parametrize(
    ("target", "name"),
    [
        ("notes:Spouse", "Notes, as “Spouse: …”"),
        ("event@1:value", "Date 1: value"),
        ("relation@2:label", "Related person 2: its label"),
        ("im@1:service", "Instant messaging 1: service"),
        ("custom@1:value", "Custom field 1: value"),
        ("organization@2:title", "Organization 2: title"),
    ],
)
def test_the_columns_page_names_the_noted_targets(target, name):
    assert csv_formats.target_name(target) == name


# ---------- Thunderbird ----------


def test_thunderbirds_columns_are_guessed_birthday_parts_included():
    header = csv_formats.read_table((DATA / "thunderbird.csv").read_text()).header
    assert csv_formats.detect_format(header) == csv_formats.GENERIC
    guessed = dict(zip(header, csv_formats.guess_mapping(header), strict=True))
    assert guessed["Birth Year"] == "birthday:year"
    assert guessed["Birth Month"] == "birthday:month"
    assert guessed["Birth Day"] == "birthday:day"
    assert guessed["Home ZipCode"] == "address:home:postal_code"
    assert guessed["Work ZipCode"] == "address:work:postal_code"
    assert guessed["Pager Number"] == "phone:custom=Pager"
    assert guessed["Screen Name"] == "notes:Screen Name"
    assert guessed["Custom 1"] == "notes:Custom 1"
    # Alone, "Birth Day" is still a whole birthday.
    assert csv_formats.guess_mapping(["Name", "Birth Day"]) == [
        "display_name",
        "birthday",
    ]


@pytest.mark.parametrize(
    ("year", "month", "day", "expected"),
    [
        ("1990", "10", "24", (24, 10, 1990)),
        ("", "10", "24", (24, 10, None)),
        ("0", "3", "9", (9, 3, None)),
        ("1990", "Oct", "24", (24, 10, 1990)),
        ("1990", "october", "24", (24, 10, 1990)),
        ("0", "0", "0", None),
        ("", "", "", None),
    ],
)
def test_a_birthday_in_three_columns(year, month, day, expected):
    mapping = ["display_name", "birthday:year", "birthday:month", "birthday:day"]
    card = csv_formats.row_to_vcard(2, ["Ann", year, month, day], mapping)
    assert card.warnings == []
    if expected is None:
        assert card.birthday is None
    else:
        birthday = card.birthday
        assert (birthday.day, birthday.month, birthday.year) == expected


@pytest.mark.parametrize(
    ("year", "month", "day"),
    [("1986", "2", "30"), ("", "13", "1"), ("", "5", ""), ("1990", "Mai", "3")],
)
def test_a_birthday_in_three_columns_that_is_no_date_is_a_warning(year, month, day):
    mapping = ["display_name", "birthday:year", "birthday:month", "birthday:day"]
    card = csv_formats.row_to_vcard(2, ["Ann", year, month, day], mapping)
    assert card.birthday is None
    [warning] = card.warnings
    assert warning.startswith("birthday “")
    assert warning.endswith("” was not understood; kept in the notes")


def test_thunderbirds_export_is_imported_with_the_guessed_columns(alice, flow):
    batch = flow.upload(alice, "thunderbird.csv")
    assert batch.status == Status.MAPPING
    batch = flow.set_mapping(batch, batch.mapping)
    assert batch.status == Status.READY, batch.error
    assert batch.notices == [
        "line 4: birthday “1986-2-30” was not understood; kept in the notes"
    ]
    flow.confirm(batch, "add")

    ilkay = Contact.objects.get(owner=alice, given_name="Ilkay")
    assert (ilkay.birthday_day, ilkay.birthday_month, ilkay.birthday_year) == (
        24,
        10,
        1990,
    )
    assert ilkay.notes == (
        "Plays in midfield\n\nScreen Name: ilkay.g\nCustom 1: left foot"
    )
    [home] = ilkay.addresses.all()
    assert (home.street, home.city, home.postal_code) == (
        "Strobelallee 50",
        "Dortmund",
        "44139",
    )
    phones = {(phone.label, phone.custom_label) for phone in ilkay.phones.all()}
    assert phones == {("work", ""), ("custom", "Pager"), ("mobile", "")}
    jun = Contact.objects.get(owner=alice, given_name="Jun")
    assert (jun.birthday_day, jun.birthday_month, jun.birthday_year) == (9, 3, None)
    marta = Contact.objects.get(owner=alice, given_name="Marta")
    assert marta.birthday_month is None
    # What was no date is kept as the file wrote it.
    assert marta.notes == "Birthday: 1986-2-30"


# ---------- Yahoo and Outlook.com ----------


def test_yahoos_phone_columns_named_by_kind_alone_are_phones():
    header = ["First", "Last", "Email", "Messenger ID", "Home", "Work", "Mobile"]
    header += ["Other", "Yahoo Phone", "Primary", "Personal Website"]
    header += ["Business Website", "Home ZIP", "Anniversary", "Comments"]
    assert csv_formats.guess_mapping(header) == [
        "given_name",
        "family_name",
        "email:other",
        "notes:Messenger ID",
        "phone:home",
        "phone:work",
        "phone:mobile",
        "phone:other",
        "phone:other",
        "phone:custom=Main",
        "website:home",
        "website:work",
        "address:home:postal_code",
        "notes:Anniversary",
        "notes",
    ]
    # Elsewhere, "Home" and "Work" alone say too little to be guessed.
    assert csv_formats.guess_mapping(["Name", "Home", "Work"]) == [
        "display_name",
        "",
        "",
    ]


def test_outlook_coms_extra_columns_go_to_the_notes():
    header = ["First Name", "Last Name", "E-mail Address", "Business Phone"]
    header += ["IMAddress", "Schools"]
    assert csv_formats.detect_format(header) == csv_formats.OUTLOOK
    mapping = csv_formats.mapping_for(header, csv_formats.OUTLOOK)
    assert mapping[4:] == ["notes:IMAddress", "notes:Schools"]


def test_phonetic_names_of_google_and_outlook_go_to_the_notes():
    google = ["First Name", "Phonetic First Name", "Phonetic Last Name"]
    google += ["E-mail 1 - Value"]
    assert csv_formats.mapping_for(google, csv_formats.GOOGLE)[1:3] == [
        "notes:Phonetic First Name",
        "notes:Phonetic Last Name",
    ]
    outlook = ["First Name", "Last Name", "E-mail Address", "Company"]
    outlook += ["Given Yomi", "Surname Yomi", "Company Yomi"]
    assert csv_formats.mapping_for(outlook, csv_formats.OUTLOOK)[4:] == [
        "notes:Given Yomi",
        "notes:Surname Yomi",
        "notes:Company Yomi",
    ]
    assert csv_formats.guess_target("Phonetic Last Name") == "notes:Phonetic Last Name"


# ---------- Rows wider than the header ----------


def test_cells_past_the_last_column_are_named_in_the_preview(alice, flow):
    # A hand-made file: "Leeds, West Yorkshire" was not quoted, so its row
    # has a cell more than the header; Dan's row only ends in empty cells.
    batch = flow.upload(alice, "unquoted_comma.csv")
    batch = flow.set_mapping(batch, batch.mapping)
    assert batch.status == Status.READY, batch.error
    assert batch.notices == [
        "line 4: 1 cell past the file’s 4 columns was left out: “West Yorkshire”"
    ]
    flow.confirm(batch)
    carol = Contact.objects.get(owner=alice, display_name="Carol Nguyen")
    assert carol.addresses.get().city == "Leeds"
    assert Contact.objects.filter(owner=alice).count() == 4


def test_every_cell_past_the_last_column_is_counted_and_the_first_quoted():
    card = csv_formats.row_to_vcard(
        7, ["Ann", "a", "", "b", "c", "d", "e" * 50], ["display_name", "notes"]
    )
    assert card.warnings == [
        "4 cells past the file’s 2 columns were left out: “b”, “c”, “d”…"
    ]
    card = csv_formats.row_to_vcard(7, ["Ann", "", " ", ""], ["display_name"])
    assert card.warnings == []
