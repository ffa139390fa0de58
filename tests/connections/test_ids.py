"""Ids read from requests: only plain numbers a primary key can hold."""

from urllib.parse import unquote

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


HANDLE_URLS = [
    "/in/{}/",
    "/in/{}/updates/",
    "/in/{}/connections/",
    "/in/{}/connect/",
    "/in/{}/report/",
    "/messages/with/{}/",
    "/network/connections/{}/keep-in-touch/",
    "/settings/blocked/{}/unblock/",
    "/contacts/members/{}/vcard/",
    "/contacts/from-member/{}/",
]


@pytest.mark.parametrize("url", HANDLE_URLS)
def test_an_address_with_a_control_character_for_a_handle_is_not_found_at_once(
    url, client, bob, django_assert_num_queries
):
    from django.urls import Resolver404, resolve

    # PostgreSQL refuses a NUL in any text: it must not reach the query.
    for handle in ("%00", "bob%00", "%07bob", "bo%0Ab", "bob%7F"):
        path = url.format(handle)
        with pytest.raises(Resolver404):
            resolve(unquote(path))
        with django_assert_num_queries(0):
            assert client.get(path).status_code == 404
    assert resolve(url.format("Bob")).kwargs == {"handle": "Bob"}


ID_URLS = [
    "/updates/{}/",
    "/updates/{}/comments/1/report/",
    "/updates/1/comments/{}/report/",
    "/messages/with/bob/report/{}/",
    "/network/invitations/{}/",
    "/contacts/{}/",
    "/contacts/{}/photo/abc/small.jpg",
    "/contacts/import/{}/",
]


@pytest.mark.parametrize("url", ID_URLS)
def test_an_address_with_an_id_no_key_holds_is_not_found_at_once(
    url, alice_client, bob
):
    from django.urls import Resolver404, resolve

    # SQLite cannot bind such a number: the report of a comment was an error.
    for pk in ("9223372036854775808", "1" + "0" * 30, "9999999999999999999"):
        path = url.format(pk)
        with pytest.raises(Resolver404):
            resolve(path)
        assert alice_client.get(path).status_code == 404
    assert resolve(url.format("999999999999999999"))
