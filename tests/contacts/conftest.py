"""Fixtures shared by the contacts tests."""

from pathlib import Path

import pytest

from contacts.models import ContactImport
from contacts.services.imports import (
    import_confirm,
    import_set_mapping,
    import_undo_start,
    import_upload,
)
from tests.factories import ContactFactory, LabelFactory

DATA = Path(__file__).parent / "data"


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


@pytest.fixture
def flow(django_capture_on_commit_callbacks):
    """Upload, confirm and undo with the queued work run at once."""

    class Flow:
        def upload(self, owner, name, data=None):
            content = (DATA / name).read_bytes() if data is None else data
            with django_capture_on_commit_callbacks(execute=True):
                batch = import_upload(owner=owner, file_name=name, data=content)
            batch.refresh_from_db()
            return batch

        def set_mapping(self, batch, mapping):
            with django_capture_on_commit_callbacks(execute=True):
                import_set_mapping(batch=batch, mapping=mapping)
            batch.refresh_from_db()
            return batch

        def confirm(self, batch, choice="skip"):
            with django_capture_on_commit_callbacks(execute=True):
                import_confirm(batch=batch, on_duplicate=choice)
            batch.refresh_from_db()
            return batch

        def undo(self, batch):
            with django_capture_on_commit_callbacks(execute=True):
                import_undo_start(batch=batch)
            batch.refresh_from_db()
            return batch

        def imported(self, owner, name, choice="skip"):
            batch = self.upload(owner, name)
            assert batch.status == ContactImport.Status.READY, batch.error
            return self.confirm(batch, choice)

    return Flow()
