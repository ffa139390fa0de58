"""Ids read from requests: only plain numbers a primary key can hold."""

import pytest

from connections.ids import parse_id, parse_ids


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("42", 42),
        (7, 7),
        ("000012", 12),
        ("999999999999999999", 999_999_999_999_999_999),
        ("9999999999999999999", None),  # more than a 64-bit key holds
        ("99999999999999999999999999", None),
        ("²", None),  # a digit to str.isdigit(), not to int()
        ("١٢", None),  # Arabic-Indic digits
        ("-1", None),
        ("1.0", None),
        (" 1", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_id_takes_plain_numbers_only(value, expected):
    assert parse_id(value) == expected


def test_parse_ids_keeps_each_id_once_in_order():
    assert parse_ids(["7", "²", "3", "7", "99999999999999999999", ""]) == [3, 7]
