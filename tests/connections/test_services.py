import pytest

from connections.services.members import handle_available, handle_slug
from tests.factories import UserFactory


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Zoë Åberg", "zoe-aberg"),
        ("alice.martin@example.com", "alice-martin"),
        ("  --Bob__O'Neil--  ", "bob-o-neil"),
        ("李小龍", ""),
    ],
)
def test_handle_slug(text, slug):
    assert handle_slug(text) == slug


@pytest.mark.django_db
def test_handle_available_adds_the_first_free_number():
    UserFactory(handle="zoe-martin")
    UserFactory(handle="zoe-martin-2")
    assert handle_available(base="Zoë Martin") == "zoe-martin-3"


@pytest.mark.django_db
def test_handle_available_pads_names_too_short_or_not_latin():
    assert handle_available(base="李") == "member"
    assert handle_available(base="Al") == "al-member"
