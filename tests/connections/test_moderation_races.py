"""Moderation under real concurrency: double submits and two staff at once."""

import time

import pytest
from django.contrib.auth.models import Permission
from django.db import connection

from connections.models import AuditRecord, Report, Sanction
from connections.services import moderation
from tests.connections.test_races import assert_friendly, race
from tests.factories import ReportFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

HOLD = 0.3


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")


@pytest.fixture(autouse=True)
def _slow_transactions(monkeypatch):
    lock_members = moderation.lock_members

    def lock_and_hold(*members):
        locked = lock_members(*members)
        time.sleep(HOLD)
        return locked

    monkeypatch.setattr(moderation, "lock_members", lock_and_hold)


def moderators(count):
    permission = Permission.objects.get(codename="moderate")
    people = UserFactory.create_batch(count, is_staff=True)
    for person in people:
        person.user_permissions.add(permission)
    return [type(person).objects.get(pk=person.pk) for person in people]


def test_a_double_submitted_report_is_stored_once():
    alice, bob = UserFactory.create_batch(2)
    results = race(
        lambda: moderation.report_create(reporter=alice, member=bob, reason="spam"),
        lambda: moderation.report_create(reporter=alice, member=bob, reason="spam"),
    )
    assert_friendly(results)
    assert Report.objects.count() == 1


def test_two_staff_dismissing_one_report_write_one_record():
    report = ReportFactory()
    first, second = moderators(2)
    results = race(
        lambda: moderation.report_dismiss(
            report=report, staff_member=first, reason="fine"
        ),
        lambda: moderation.report_dismiss(
            report=report, staff_member=second, reason="fine"
        ),
    )
    assert_friendly(results)
    assert AuditRecord.objects.count() == 1


def test_two_staff_suspending_at_once_leave_one_suspension_in_force():
    carol = UserFactory()
    first, second = moderators(2)
    race(
        lambda: moderation.member_suspend(
            member=carol, staff_member=first, reason="spam"
        ),
        lambda: moderation.member_suspend(
            member=carol, staff_member=second, reason="spam"
        ),
    )
    current = [s for s in Sanction.objects.all() if s.is_current]
    assert len(current) == 1
    carol.refresh_from_db()
    assert carol.is_suspended
    assert AuditRecord.objects.filter(action="suspend").count() == 2
