"""How often one member may do something costly: counted per clock window."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from connections.services import limits

NOON = datetime.datetime(2026, 11, 29, 12, 0, 0, tzinfo=datetime.UTC)
DOWNLOAD = reverse("connections:your_data_download")


def at(seconds: int) -> datetime.datetime:
    return NOON + datetime.timedelta(seconds=seconds)


def spend(member_id=1, action="archive", seconds=0, limit=2, window=limits.HOUR):
    return limits.spend(
        member_id=member_id, action=action, limit=limit, window=window, now=at(seconds)
    )


def test_the_limit_allows_that_many_then_says_how_long_to_wait():
    assert spend(seconds=10) == 0
    assert spend(seconds=20) == 0
    assert spend(seconds=30) == limits.HOUR - 30
    # Refused attempts count too: the wait only shortens with the clock.
    assert spend(seconds=600) == limits.HOUR - 600


def test_the_next_window_starts_again_from_nothing():
    for _ in range(3):
        spend(seconds=59 * 60)
    assert spend(seconds=59 * 60) == 60
    assert spend(seconds=limits.HOUR) == 0


def test_members_and_actions_are_counted_apart():
    spend(member_id=1, action="archive")
    spend(member_id=1, action="archive")
    assert spend(member_id=1, action="archive") > 0
    assert spend(member_id=2, action="archive") == 0
    assert spend(member_id=1, action="export") == 0
    # A window of another length is another count.
    assert spend(member_id=1, action="archive", window=limits.MINUTE) == 0


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (1, "1 second"),
        (45, "45 seconds"),
        (60, "1 minute"),
        (61, "2 minutes"),
        (3540, "59 minutes"),
    ],
)
def test_waits_are_said_in_seconds_then_whole_minutes(seconds, words):
    assert limits.wait_words(seconds) == words


def test_a_refusal_names_the_limit_and_the_wait():
    def attempt():
        limits.spend_or_refuse(
            member_id=7,
            action="archive",
            limit=1,
            window=limits.HOUR,
            message=("Once an hour; again in %(wait)s.", "%(limit)d an hour."),
            now=at(30 * 60),
        )

    attempt()
    with pytest.raises(ValidationError) as refused:
        attempt()
    assert refused.value.code == "rate_limit"
    assert refused.value.messages == ["Once an hour; again in 30 minutes."]


def test_the_archive_is_refused_past_the_hourly_limit(
    alice, bob, alice_client, client, settings
):
    settings.RAPPORT_ARCHIVES_PER_HOUR = 2
    for _ in range(2):
        response = alice_client.post(DOWNLOAD)
        assert response.status_code == 200
        b"".join(response.streaming_content)
    refused = alice_client.post(DOWNLOAD)
    assert refused.status_code == 429
    assert refused["Content-Type"].startswith("text/html")
    html = refused.content.decode()
    assert "You can download your data 2 times an hour. Try again in" in html
    assert 'role="alert"' in html
    # The page still offers the button, for when the hour is over.
    assert f'action="{DOWNLOAD}"' in html
    # Another member's downloads are their own.
    client.force_login(bob)
    assert client.post(DOWNLOAD).status_code == 200


def test_the_your_data_page_itself_is_not_counted(alice_client, settings):
    settings.RAPPORT_ARCHIVES_PER_HOUR = 1
    for _ in range(3):
        assert alice_client.get(reverse("connections:your_data")).status_code == 200
        # A link to the download (another site's, say) lands on the page.
        followed = alice_client.get(DOWNLOAD)
        assert followed.status_code == 302
        assert followed["Location"] == reverse("connections:your_data")
    assert alice_client.post(DOWNLOAD).status_code == 200
