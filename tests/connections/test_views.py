import pytest
from django.urls import reverse

from tests.conftest import HTMX

pytestmark = pytest.mark.django_db

MEMBER_PAGES = ["connections:network", "connections:messages", "connections:settings"]


def test_visitor_sees_the_landing_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Join now" in response.content
    assert b"My Network" not in response.content


def test_member_sees_their_home_with_the_navigation(alice_client):
    response = alice_client.get("/")
    content = response.content.decode()
    assert response.status_code == 200
    for label in ("Home", "My Network", "Messages", "Contacts", "Profile", "Settings"):
        assert label in content
    assert "Sign out" in content
    assert "Welcome, Alice" in content


@pytest.mark.parametrize("name", MEMBER_PAGES)
def test_member_pages_require_sign_in(client, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={url}"


@pytest.mark.parametrize("name", MEMBER_PAGES)
def test_member_pages_render_their_empty_states(alice_client, name):
    response = alice_client.get(reverse(name))
    assert response.status_code == 200
    assert b"coming soon" not in response.content.lower()


def test_expired_session_during_htmx_request_redirects_the_whole_page(client):
    response = client.get(
        reverse("connections:network"),
        HTTP_HX_CURRENT_URL="http://testserver/contacts/",
        **HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/login/?next=/contacts/"


def test_profile_shows_public_name_and_headline(client, alice):
    response = client.get(reverse("connections:profile", args=["alice"]))
    assert response.status_code == 200
    assert b"Alice Martin" in response.content
    assert b"Product designer" in response.content
    assert alice.email.encode() not in response.content


def test_profile_handle_is_case_insensitive(client, alice):
    assert client.get("/in/ALICE/").status_code == 200


def test_unknown_or_inactive_profile_is_404(client, alice):
    assert client.get("/in/nobody/").status_code == 404
    alice.is_active = False
    alice.save()
    assert client.get("/in/alice/").status_code == 404


def test_settings_links_to_account_security(alice_client):
    content = alice_client.get(reverse("connections:settings")).content.decode()
    for url in (
        "account_email",
        "account_change_password",
        "mfa_index",
        "usersessions_list",
    ):
        assert reverse(url) in content
