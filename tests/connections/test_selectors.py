import pytest
from allauth.account.models import EmailAddress

from connections.selectors.members import members_findable_by_emails
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_finds_members_by_verified_email_ignoring_case(alice, bob):
    found = members_findable_by_emails(
        emails=["ALICE@example.com", "nobody@example.com"]
    )
    assert found == {"alice@example.com": alice}


def test_unverified_addresses_do_not_match(alice):
    EmailAddress.objects.filter(user=alice).update(verified=False)
    assert members_findable_by_emails(emails=["alice@example.com"]) == {}


def test_members_who_opted_out_are_not_found(alice):
    alice.findable_by_email = False
    alice.save()
    assert members_findable_by_emails(emails=["alice@example.com"]) == {}


def test_inactive_members_are_not_found(alice):
    alice.is_active = False
    alice.save()
    assert members_findable_by_emails(emails=["alice@example.com"]) == {}


def test_one_query_for_many_addresses(django_assert_num_queries):
    for n in range(20):
        UserFactory(email=f"person{n}@example.com")
    with django_assert_num_queries(1):
        found = members_findable_by_emails(
            emails=[f"person{n}@example.com" for n in range(20)]
        )
    assert len(found) == 20


def test_no_query_without_addresses(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert members_findable_by_emails(emails=["", "  "]) == {}
