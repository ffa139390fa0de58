"""Export one's connections: a card each, holding what they show on their profile."""

import csv
import io
import re

import pytest
from django.urls import reverse

from connections.models import Audience, Profile
from connections.services.moderation import member_suspend
from contacts.selectors.transfer import export_connections
from tests.contacts.test_export import download
from tests.factories import (
    BlockFactory,
    UserFactory,
    WorkEntryFactory,
    connect,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def carol(alice):
    carol = UserFactory(handle="carol", display_name="Carol Nguyen")
    Profile.objects.create(
        member=carol,
        phone="+44 20 7946 0001",
        phone_audience=Audience.CONNECTIONS,
        location="Leeds",
        location_audience=Audience.ONLY_ME,
    )
    WorkEntryFactory(member=carol, organization="Northwind", title="Organiser")
    connect(alice, carol)
    return carol


@pytest.fixture
def dan(alice):
    dan = UserFactory(handle="dan", display_name="Dan Brown")
    connect(alice, dan)
    return dan


def test_the_export_page_offers_the_connections_with_their_number(
    alice, alice_client, carol, dan
):
    page = alice_client.get(reverse("contacts:export")).content.decode()
    assert 'name="scope" value="connections"' in page
    assert "2 connections: each card holds what that member shows you" in page


def test_no_connections_no_such_choice(alice, alice_client):
    page = alice_client.get(reverse("contacts:export")).content.decode()
    assert 'value="connections"' not in page


def test_each_connection_is_a_card_with_what_they_show_their_connections(
    alice, alice_client, carol, dan
):
    stranger = UserFactory(handle="erin", display_name="Erin Walsh")
    connect(dan, stranger)  # a connection of a connection: not Alice's
    response, body = download(alice_client, scope="connections", format="vcard3")
    assert re.fullmatch(
        r'attachment; filename="connections-\d{4}-\d\d-\d\d\.vcf"',
        response["Content-Disposition"],
    )
    text = body.decode()
    assert text.count("BEGIN:VCARD") == 2
    assert "FN:Carol Nguyen\r\nN:Nguyen;Carol;;;\r\n" in text
    assert "+44 20 7946 0001\r\n" in text
    assert "ORG:Northwind\r\n" in text
    assert "Leeds" not in text  # shown to no one but Carol
    assert "/in/carol/" in text
    assert "FN:Dan Brown\r\n" in text
    assert "Erin" not in text


def test_suspended_and_blocked_connections_are_left_out(
    alice, alice_client, carol, dan
):
    moderator = UserFactory(is_staff=True, is_superuser=True)
    member_suspend(member=carol, staff_member=moderator, reason="Spam, twice")
    BlockFactory(blocker=dan, blocked=alice)
    _response, body = download(alice_client, scope="connections", format="vcard3")
    assert body == b""


@pytest.mark.parametrize(
    ("export_format", "first_column"), [("csv", "First Name"), ("outlook", "Title")]
)
def test_connections_export_as_csv_too(
    alice, alice_client, carol, dan, export_format, first_column
):
    _response, body = download(alice_client, scope="connections", format=export_format)
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert next(iter(rows[0])) == first_column
    assert len(rows) == 2
    carol = rows[0]
    assert "'+44 20 7946 0001" in carol.values()  # neutralised, as any "+"
    assert (carol["First Name"], carol["Last Name"]) == ("Carol", "Nguyen")
    if export_format == "csv":
        assert carol["File As"] == ""  # the parts make the name


def test_connections_are_read_in_chunks(alice, settings, django_assert_num_queries):
    for index in range(5):
        connect(alice, UserFactory(handle=f"member{index}"))
    # Three chunks of at most 2 connections: each one query for them, one for
    # the members with their profiles and relationship, one for their work.
    settings.RAPPORT_EXPORT_CHUNK = 2
    stream = export_connections(viewer=alice, export_format="vcard3")
    with django_assert_num_queries(3 * 3):
        body = b"".join(stream)
    assert body.count(b"BEGIN:VCARD") == 5


def test_a_member_who_is_signed_out_is_sent_to_sign_in(client):
    response = client.get(
        reverse("contacts:export_download"), {"scope": "connections", "format": "csv"}
    )
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
