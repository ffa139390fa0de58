"""Fixtures shared by the contacts tests."""

import pytest

from tests.factories import ContactFactory, LabelFactory


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Send a request and run what it queued on commit (the immediate tasks)."""

    def send(method, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return method(*args, **kwargs)

    return send


@pytest.fixture
def ann_and_annie(alice):
    """Two cards of one person, differing in every way a merge handles."""
    family = LabelFactory(owner=alice, name="Family")
    work = LabelFactory(owner=alice, name="Work")
    ann = ContactFactory(
        owner=alice,
        given_name="Ann",
        family_name="Lee",
        organization="Acme",
        emails=["ann@x.example"],
        phones=["+1 415 555 0100"],
        addresses=["Leeds"],
        notes="First note",
        labels=[family],
        birthday_day=3,
        birthday_month=4,
    )
    annie = ContactFactory(
        owner=alice,
        given_name="Annie",
        family_name="Lee",
        organization="Initech",
        emails=["ann@x.example", "annie@y.example"],
        phones=["(415) 555-0100", "+44 20 7946 0000"],
        websites=["https://annie.example"],
        notes="Second note",
        labels=[work],
        is_favorite=True,
    )
    return ann, annie
