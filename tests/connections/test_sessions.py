"""Settings › Sessions: where a member is signed in, named in plain words."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from connections.devices import describe
from tests.factories import DEFAULT_PASSWORD

CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)
EDGE_WINDOWS = CHROME_WINDOWS + " Edg/131.0.2903.70"
FIREFOX_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:133.0) Gecko/20100101 "
    "Firefox/133.0"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)
SAFARI_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Safari/605.1.15"
)
CHROME_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1"
)
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36"
)
SAMSUNG_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 "
    "(KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36"
)
OPERA_LINUX = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Safari/537.36 OPR/115.0.0.0"
)
FIREFOX_LINUX = (
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
)
CHROMEBOOK = (
    "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)


@pytest.mark.parametrize(
    ("header", "named"),
    [
        (CHROME_WINDOWS, "Chrome on Windows"),
        (EDGE_WINDOWS, "Edge on Windows"),
        (FIREFOX_MAC, "Firefox on macOS"),
        (SAFARI_MAC, "Safari on macOS"),
        (SAFARI_IPHONE, "Safari on iOS"),
        (CHROME_IPHONE, "Chrome on iOS"),
        (CHROME_ANDROID, "Chrome on Android"),
        (SAMSUNG_ANDROID, "Samsung Internet on Android"),
        (OPERA_LINUX, "Opera on Linux"),
        (FIREFOX_LINUX, "Firefox on Linux"),
        (CHROMEBOOK, "Chrome on ChromeOS"),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64)", "A browser on Windows"),
        ("Firefox/133.0", "Firefox"),
        ("curl/8.11.0", "An unknown browser"),
        ("", "An unknown browser"),
        (None, "An unknown browser"),
    ],
)
def test_a_browser_is_named_from_what_it_says_of_itself(header, named):
    assert describe(header) == named


def sign_in(member, user_agent: str) -> Client:
    """A browser that signed in through the form, as a person does."""
    browser = Client(headers={"user-agent": user_agent})
    response = browser.post(
        reverse("account_login"),
        {"login": member.email, "password": DEFAULT_PASSWORD},
    )
    assert response.status_code == 302, response.content
    return browser


def sessions_page(browser: Client) -> str:
    response = browser.get(reverse("usersessions_list"))
    assert response.status_code == 200
    return response.content.decode()


def test_sessions_are_named_with_this_browser_first(alice, bob):
    sign_in(alice, SAFARI_IPHONE)
    laptop = sign_in(alice, FIREFOX_MAC)
    sign_in(bob, CHROME_ANDROID)
    page = sessions_page(laptop)
    assert page.index("Firefox on macOS") < page.index("This browser")
    assert page.index("This browser") < page.index("Safari on iOS")
    assert page.count("This browser") == 1
    assert re.search(r"Signed in [^<]+ from 127\.0\.0\.1", page)
    # Bob's session is his own business.
    assert "Chrome on Android" not in page
    assert "Sign out everywhere else" in page


def test_signing_out_everywhere_else_keeps_this_browser_signed_in(alice):
    phone = sign_in(alice, SAFARI_IPHONE)
    laptop = sign_in(alice, FIREFOX_MAC)
    response = laptop.post(reverse("usersessions_list"))
    assert response.status_code == 302
    page = sessions_page(laptop)
    assert "Firefox on macOS" in page
    assert "Safari on iOS" not in page
    # The phone is signed out: its next page asks it to sign in.
    response = phone.get(reverse("usersessions_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_with_one_session_the_button_signs_out(alice):
    laptop = sign_in(alice, FIREFOX_MAC)
    page = sessions_page(laptop)
    assert f'action="{reverse("account_logout")}"' in page
    assert "Sign out everywhere else" not in page


def test_a_hostile_header_is_shown_as_text(alice):
    header = 'Evil/1.0 "><script>alert(1)</script>'
    browser = sign_in(alice, header)
    page = sessions_page(browser)
    assert "<script>alert(1)</script>" not in page
    assert "An unknown browser" in page


def test_a_visitor_is_asked_to_sign_in(client):
    response = client.get(reverse("usersessions_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
