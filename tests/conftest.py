"""Shared fixtures: the personas alice, bob, carol and dave, and clients."""

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
