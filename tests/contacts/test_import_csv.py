"""CSV formats: recognising Google and Outlook, guessing columns, dates, rows."""

from pathlib import Path

import pytest

from contacts import csv_formats
from contacts.uploads import UploadError, decode_upload
from contacts.vcard import Birthday

DATA = Path(__file__).parent / "data"


def table_of(name):
    decoded = decode_upload((DATA / name).read_bytes(), file_name=name)
    return csv_formats.read_table(decoded.text)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("google.csv", csv_formats.GOOGLE),
        ("google_old.csv", csv_formats.GOOGLE),
        ("outlook.csv", csv_formats.OUTLOOK),
        ("outlook_semicolon.csv", csv_formats.OUTLOOK),
        ("generic.csv", csv_formats.GENERIC),
        ("utf16_tabs.csv", csv_formats.GENERIC),
    ],
)
def test_exports_are_recognised_by_their_header(name, expected):
    assert csv_formats.detect_format(table_of(name).header) == expected


def test_semicolons_and_tabs_are_detected_as_separators():
    assert table_of("outlook_semicolon.csv").delimiter == ";"
    assert table_of("utf16_tabs.csv").delimiter == "\t"


def test_rows_know_the_line_they_start_on_across_quoted_line_breaks():
    lines = [line for line, _cells in table_of("google.csv").rows]
    assert lines == [2, 6, 7, 9]


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Full name", "display_name"),
        ("First Name", "given_name"),
        ("Surname", "family_name"),
        ("E-mail", "email:other"),
        ("Email 2", "email:other"),
        ("Work email", "email:work"),
        ("Mobile", "phone:mobile"),
        ("Cell phone", "phone:mobile"),
        ("Home Phone", "phone:home"),
        ("Fax", "phone:custom=Fax"),
        ("Company", "organization"),
        ("Job title", "job_title"),
        ("Date of birth", "birthday"),
        ("Tags", "labels"),
        ("Zip code", "address:home:postal_code"),
        ("Business City", "address:work:city"),
        ("Favourite colour", ""),
    ],
)
def test_column_names_suggest_their_field(header, target):
    assert csv_formats.guess_target(header) == target


def test_a_second_name_column_is_not_guessed_twice():
    assert csv_formats.guess_mapping(["Name", "Full name", "Email", "Email"]) == [
        "display_name",
        "",
        "email:other",
        "email:other",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1985-04-12", Birthday(4, 12, 1985)),
        ("--04-12", Birthday(4, 12)),
        ("--0412", Birthday(4, 12)),
        ("4/12/1985", Birthday(4, 12, 1985)),
        ("13/12/1985", Birthday(12, 13, 1985)),
        ("12.04.1985", Birthday(4, 12, 1985)),
        ("1985/04/12", Birthday(4, 12, 1985)),
        ("4/12/85", Birthday(4, 12, 1985)),
        # A spreadsheet's date and time, a database's, or a date in words.
        ("4/12/1985 0:00", Birthday(4, 12, 1985)),
        ("1985-04-12 00:00:00", Birthday(4, 12, 1985)),
        ("12-Apr-85", Birthday(4, 12, 1985)),
        ("12 April 1985", Birthday(4, 12, 1985)),
        ("April 12, 1985", Birthday(4, 12, 1985)),
        ("Apr. 12th", Birthday(4, 12)),
        ("0/0/00", None),
        ("2/30/1990", None),
        ("April 31, 1985", None),
        ("Someday 12", None),
        ("someday", None),
    ],
)
def test_dates_as_spreadsheets_write_them(text, expected):
    assert csv_formats.parse_loose_date(text) == expected


def test_a_google_row_fills_pairs_multi_values_and_labels():
    table = table_of("google.csv")
    mapping = csv_formats.mapping_for(table.header, csv_formats.GOOGLE)
    line, cells = table.rows[0]
    card = csv_formats.row_to_vcard(line, cells, mapping)
    assert (card.given_name, card.family_name, card.prefix) == ("Zoë", "Lefèvre", "Dr.")
    assert [email.value for email in card.emails] == [
        "zoe@home.example",
        "zoe2@home.example",
        "zoe@northwind.example",
    ]
    assert card.emails[0].kind == "home"
    assert card.phones[1].kind == "custom"
    assert card.phones[1].label == "Work Fax"
    assert card.categories == ["myContacts", "starred", "Family", "Book club"]
    assert card.addresses[0].street == "12 Rue de la Paix\nBâtiment B"
    assert card.note == "Met at the fair.\nLikes jazz, poetry; and tea."


def test_google_addresses_of_one_label_in_one_pair_are_each_an_address():
    header = [
        "First Name",
        "Address 1 - Label",
        "Address 1 - Formatted",
        "Address 1 - Street",
        "Address 1 - City",
        "Address 1 - PO Box",
        "Address 1 - Country",
    ]
    cells = [
        "Ann",
        "Home",
        "1 Main St\nLeeds ::: 2 Elm St\nYork",
        "1 Main St ::: 2 Elm St",
        "Leeds ::: York",
        " ::: PO Box 7",
        "UK ::: ",
    ]
    mapping = csv_formats.mapping_for(header, csv_formats.GOOGLE)
    card = csv_formats.row_to_vcard(2, cells, mapping)
    assert [
        (address.street, address.city, address.country, address.kind)
        for address in card.addresses
    ] == [
        ("1 Main St", "Leeds", "UK", "home"),
        ("2 Elm St\nPO Box 7", "York", "", "home"),
    ]


def test_an_outlook_row_joins_street_lines_and_names_special_phones():
    table = table_of("outlook.csv")
    mapping = csv_formats.mapping_for(table.header, csv_formats.OUTLOOK)
    line, cells = table.rows[0]
    card = csv_formats.row_to_vcard(line, cells, mapping)
    assert card.prefix == "Mr."
    assert card.addresses[0].street == "1 Microsoft Way\nBuilding 92"
    assert card.addresses[0].kind == "work"
    assert ("(425) 555-0199", "custom", "Work fax") in [
        (phone.value, phone.kind, phone.label) for phone in card.phones
    ]
    assert card.categories == ["Clients", "VIP"]
    assert card.birthday == Birthday(4, 12, 1970)


def test_a_cell_longer_than_the_limit_refuses_the_file():
    text = "Name,Notes\r\nA," + "x" * (csv_formats.MAX_CELL_CHARS + 10) + "\r\n"
    with pytest.raises(UploadError, match="a cell longer than 128 KB"):
        csv_formats.read_table(text)


def test_too_many_columns_refuse_the_file():
    header = ",".join(f"c{index}" for index in range(csv_formats.MAX_COLUMNS + 1))
    with pytest.raises(UploadError, match="columns"):
        csv_formats.read_table(header + "\r\n")


def test_a_header_without_rows_is_a_table_without_rows():
    assert table_of("header_only.csv").rows == []


def test_csv_lines_are_crlf_and_quote_what_needs_it():
    lines = list(csv_formats.csv_lines([["a,b", 'say "hi"', "two\nlines", "=1"]]))
    assert lines == ['"a,b","say ""hi""","two\nlines",\'=1\r\n']


@pytest.mark.parametrize(
    ("target", "name"),
    [
        ("email:home", "Email (home)"),
        ("birthday", "Birthday"),
        ("phone:custom=Fax", "Phone (fax)"),
        ("phone:custom=Work fax", "Phone (Work fax)"),
        ("email@1:label", "Email 1: its label"),
        ("phone@2:value", "Phone 2: value"),
        ("address@1:po_box", "Address 1: PO box"),
        ("address@3:postal_code", "Address 3: postal code"),
        ("something:else", "something:else"),
    ],
)
def test_every_target_has_a_name_for_the_columns_page(target, name):
    assert csv_formats.target_name(target) == name


def test_a_quote_never_closed_refuses_the_file_at_its_line():
    # Ann's note opens a quote that nothing closes: read as CSV, the rest of
    # the file would be her note and Bob and Dan would be lost.
    with pytest.raises(UploadError) as refused:
        table_of("unclosed_quote.csv")
    assert str(refused.value) == (
        'Line 4 of the file cannot be read: a quote (") opens a value that is '
        "never closed, so every line after it would be read as that value."
    )
    # Found wherever it is, not only in the first rows.
    text = "Name,Email\n" + "".join(f"P{n},p{n}@x.example\n" for n in range(40))
    with pytest.raises(UploadError, match="Line 42 "):
        csv_formats.read_table(text + 'Zoe,"zoe@x.example\nYann,y@x.example\n')


def test_quotes_closed_over_several_lines_and_a_last_cell_left_open_are_read():
    text = 'Name,Notes\nAnn,"two\nlines"\n'
    assert csv_formats.read_table(text).rows == [(2, ["Ann", "two\nlines"])]
    # An open quote in the very last cell swallows nothing.
    text = "Name,Notes\nAnn,\"5' 11 tall\n"
    assert csv_formats.read_table(text).rows == [(2, ["Ann", "5' 11 tall\n"])]
