import pytest
from django.db import IntegrityError, transaction

from connections.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_email_is_unique_whatever_its_case(alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        User(email="ALICE@example.com", handle="alice-2", display_name="A").save()


def test_handle_must_be_lowercase_in_the_database(alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=alice.pk).update(handle="Alice")


def test_handle_is_unique(alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(email="other@example.com", handle="alice")


def test_display_name_cannot_be_empty(alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=alice.pk).update(display_name="")


def test_create_user_normalises_email_and_picks_a_free_handle(alice):
    user = User.objects.create_user(
        email="Alice.Martin@Example.COM", password="x" * 12, display_name="Alice Martin"
    )
    assert user.email == "alice.martin@example.com"
    assert user.handle == "alice-martin"
    assert user.check_password("x" * 12)


def test_create_superuser_is_staff():
    admin = User.objects.create_superuser(
        email="root@example.com", password="x" * 12, display_name="Root"
    )
    assert admin.is_staff
    assert admin.is_superuser


@pytest.mark.parametrize(
    ("name", "initials"),
    [("Alice Martin", "AM"), ("Zoë", "Z"), ("Jean-Luc de la Tour", "JT"), ("  ", "?")],
)
def test_initials(name, initials):
    assert User(display_name=name).initials == initials


def test_active_queryset_hides_deactivated_members(alice, bob):
    User.objects.filter(pk=bob.pk).update(is_active=False)
    assert list(User.objects.active()) == [alice]
