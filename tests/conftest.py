"""Shared fixtures: the personas alice, bob, carol and dave, and clients."""

from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.test import Client

from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and cached counts never leak from one test to the next."""
    cache.clear()
    yield
    cache.clear()


def make_persona(name: str, display_name: str, **extra):
    return UserFactory(
        email=f"{name}@example.com", handle=name, display_name=display_name, **extra
    )


@pytest.fixture
def alice(db):
    return make_persona("alice", "Alice Martin", headline="Product designer")


@pytest.fixture
def bob(db):
    return make_persona("bob", "Bob Okafor", headline="Backend engineer")


@pytest.fixture
def carol(db):
    return make_persona("carol", "Carol Nguyen", headline="Community organiser")


@pytest.fixture
def dave(db):
    return make_persona("dave", "Dave Fischer", headline="Head of sales")


@pytest.fixture
def staff(db):
    return make_persona("staff", "Sam Staff", is_staff=True)


def signed_in_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def mark_two_factor(client: Client, user) -> None:
    """Record in the client's session that it passed a TOTP step, as allauth's
    MFA stage does at sign-in (the admin asks for it)."""
    import time

    from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY

    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": time.time(), "email": user.email},
        {"method": "mfa", "at": time.time(), "type": "totp"},
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


def staff_client(user) -> Client:
    """A staff member signed in with two-factor authentication."""
    client = signed_in_client(user)
    mark_two_factor(client, user)
    return client


@pytest.fixture
def moderator(db):
    """A staff member with the moderation permission (not a superuser)."""
    from django.contrib.auth.models import Permission

    member = make_persona("mona", "Mona Moderator", is_staff=True)
    member.user_permissions.add(
        Permission.objects.get(
            codename="moderate", content_type__app_label="connections"
        )
    )
    return member


@pytest.fixture
def moderator_client(moderator):
    return staff_client(moderator)


@pytest.fixture
def alice_client(alice):
    return signed_in_client(alice)


@pytest.fixture
def bob_client(bob):
    return signed_in_client(bob)


@pytest.fixture
def carol_client(carol):
    return signed_in_client(carol)


@pytest.fixture
def dave_client(dave):
    return signed_in_client(dave)


HTMX = {"HTTP_HX_REQUEST": "true"}
"""Extra headers that make a test-client request look like htmx's."""


class _VisibleText(HTMLParser):
    def __init__(self):
        super().__init__()
        self.pieces, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in {"script", "style", "template"}

    def handle_endtag(self, tag):
        self.hidden -= tag in {"script", "style", "template"}

    def handle_data(self, data):
        if not self.hidden:
            self.pieces.append(data)


def visible_text(html: str) -> str:
    """The text a page shows (entities read, tags and attributes left out)."""
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(parser.pieces)
