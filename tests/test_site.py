"""Site-wide behaviour: security headers, health check, errors, theme, demo data."""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.db import DatabaseError
from django.test import override_settings
from django.utils import timezone

from connections.models import User
from contacts.demo import COUNTRIES
from contacts.models import Contact, ContactAddress, ContactPhone
from contacts.selectors.duplicates import Reason, duplicate_groups
from tests.conftest import HTMX

pytestmark = pytest.mark.django_db


def test_pages_carry_a_strict_csp_with_a_nonce(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert "script-src 'self' 'nonce-" in policy
    assert "style-src 'self';" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    scripts = re.findall(r"<script[^>]*>", response.content.decode())
    assert scripts, "htmx and app.js are loaded"
    for tag in scripts:
        assert f'nonce="{nonce}"' in tag
        assert " src=" in tag


def test_no_inline_styles_or_handlers_in_pages(alice_client):
    for url in ("/", "/network/", "/settings/", "/accounts/email/", "/in/alice/"):
        html = alice_client.get(url).content.decode()
        assert "<style" not in html
        assert not re.search(r"\sstyle=", html), url
        assert not re.search(r"\son[a-z]+=", html), url
        assert not re.search(r"<script(?![^>]*\ssrc=)", html), url


def test_htmx_is_configured_safely(client):
    html = client.get("/").content.decode()
    assert '"allowEval": false' in html
    assert '"includeIndicatorStyles": false' in html
    assert '{"code": "422", "swap": true}' in html
    assert 'hx-headers=\'{"X-CSRFToken":' in html


def test_healthz_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_healthz_reports_a_broken_database(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def broken(*args, **kwargs):
        raise DatabaseError("down")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503


@pytest.mark.parametrize(
    "key", ["\x00" * 32, "abcdefgh\x00", "ABCDEFGHIJKLMNOP", "é" * 32, "a" * 41]
)
def test_a_session_cookie_written_by_hand_is_no_session(
    key, client, alice_client, django_assert_num_queries
):
    from django.conf import settings
    from django.utils.module_loading import import_string

    store_class = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    # The cookie parser unquotes "\000": a NUL reached the query that loads the
    # session, which PostgreSQL refuses (every page was a server error).
    with django_assert_num_queries(0):
        store = store_class(key)
        assert store.session_key is None
        assert store.get("_auth_user_id") is None
    client.cookies["sessionid"] = key
    response = client.get("/network/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert alice_client.get("/network/").status_code == 200


def test_custom_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"This page isn" in response.content
    assert b"site-header" in response.content


@override_settings(DEBUG=False)
def test_custom_500_page_renders_without_a_request_context(rf):
    from config.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert b"Something went wrong" in response.content


def test_csrf_failure_page(alice):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post("/theme/", {"theme": "dark"})
    assert response.status_code == 403
    assert b"This form has expired" in response.content


def test_theme_choice_is_remembered_in_a_cookie(client):
    response = client.post("/theme/", {"theme": "dark", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert client.get("/").content.count(b'data-theme="dark"') == 1
    client.post("/theme/", {"theme": "system"})
    assert b'data-theme="system"' in client.get("/").content


def test_theme_switch_refuses_to_redirect_elsewhere(client):
    response = client.post(
        "/theme/", {"theme": "light", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
    response = client.post("/theme/", {"theme": "light", "next": "true"})
    assert response["Location"] == "/"


def test_theme_switch_answers_htmx_with_no_content(client):
    response = client.post("/theme/", {"theme": "light"}, **HTMX)
    assert response.status_code == 204


def test_seed_demo_is_idempotent():
    call_command("seed_demo", members=12)
    first = set(User.objects.values_list("email", flat=True))
    call_command("seed_demo", members=12)
    assert set(User.objects.values_list("email", flat=True)) == first
    assert len(first - {"staff@example.com"}) == 12  # the members and a moderator
    alice = User.objects.get(email="alice@example.com")
    assert alice.check_password("rapport-demo")
    assert alice.emailaddress_set.get().verified
    # Each address book holds a person saved twice, once with a typo.
    assert any(
        Reason.SIMILAR_NAME in group.reasons for group in duplicate_groups(owner=alice)
    )


def test_demo_address_books_have_people_in_the_trash():
    """A visitor of the demo finds the Trash in use, not only its empty page."""
    call_command("seed_demo", members=12)
    alice = User.objects.get(email="alice@example.com")
    trashed = Contact.objects.filter(owner=alice, deleted_at__isnull=False)
    assert trashed.count() == 2
    assert all(contact.given_name for contact in trashed)
    call_command("seed_demo", members=12)
    assert trashed.count() == 2


def test_demo_shows_photos_reminders_an_email_invitation_and_an_import(
    django_capture_on_commit_callbacks, mailoutbox
):
    """A visitor of the demo finds each of these pages in use as Alice."""
    from connections.models import Connection, EmailInvitation, Profile
    from connections.selectors.depth import reminders_due
    from contacts.models import ContactImport
    from tests.factories import UserFactory, connect

    # Alice has five connections made 100 days ago; the demo's updates bring
    # three of her connections back to life, the others stay quiet.
    alice = UserFactory(email="alice@example.com", display_name="Alice Martin")
    for _ in range(5):
        connect(alice, UserFactory(), created=timezone.now() - timedelta(days=100))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", members=12)
    # Two members in three have a photo, Alice among them.
    photos = Profile.objects.exclude(photo_key="").count()
    assert photos == 8
    assert Profile.objects.get(member=alice).photo_key
    # Two reminders to keep in touch: Carol every two weeks, and a quiet
    # connection at the longest rhythm that has come round, so it is due.
    rhythms = Connection.objects.filter(
        member=alice, keep_in_touch_weeks__isnull=False
    ).order_by("keep_in_touch_weeks")
    assert [(row.other.email, row.keep_in_touch_weeks) for row in rhythms][0] == (
        "carol@example.com",
        2,
    )
    quiet = rhythms[1]
    assert quiet.keep_in_touch_weeks == 12  # 100 days: more than 12 weeks
    assert [row.other for row in reminders_due(member=alice)] == [quiet.other]
    # An invitation by email, sent once.
    invitation = EmailInvitation.objects.get(inviter=alice)
    assert invitation.email == "grace.hopper@example.net"
    assert [m.to for m in mailoutbox] == [["grace.hopper@example.net"]]
    # An import, done, whose contacts carry its label.
    batch = ContactImport.objects.get(owner=alice)
    assert batch.status == ContactImport.Status.DONE
    imported = Contact.objects.filter(owner=alice, labels__name__startswith="Imported")
    assert sorted(c.given_name for c in imported) == ["Inês", "Kwame", "Maja", "Yui"]

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", members=12)
    assert Profile.objects.exclude(photo_key="").count() == photos
    assert EmailInvitation.objects.filter(inviter=alice).count() == 1
    assert ContactImport.objects.filter(owner=alice).count() == 1
    assert len(mailoutbox) == 1


def test_demo_people_have_numbers_and_addresses_of_one_real_place():
    call_command("seed_demo", members=12)
    alice = User.objects.get(email="alice@example.com")
    phones = ContactPhone.objects.filter(contact__owner=alice)
    assert phones.count() > 20
    # Every number is valid where it is from, so it can be matched and dialled.
    assert not phones.filter(e164="").exists()
    assert not phones.filter(value__contains="x").exists()  # no extensions
    for address in ContactAddress.objects.filter(contact__owner=alice):
        locale = {country: locale for locale, country in COUNTRIES.items()}[
            address.country
        ]
        # The postcode is the country's own kind: a French one is 5 digits.
        if locale == "fr_FR":
            assert re.fullmatch(r"\d{5}", address.postal_code), address.postal_code


def test_development_emails_print_links_unbroken():
    import io

    from django.core.mail import EmailMessage

    from config.mail import ReadableConsoleBackend

    link = "http://127.0.0.1:8000/accounts/confirm-email/" + "Mz" * 40 + "/"
    stream = io.StringIO()
    backend = ReadableConsoleBackend(stream=stream)
    backend.send_messages(
        [EmailMessage("Confirm", f"Go to {link} — thanks, Zoë", "a@x.org", ["b@x.org"])]
    )
    printed = stream.getvalue()
    assert link in printed
    assert "Zoë" in printed
    assert "To: b@x.org" in printed


# ---------- Words on the account pages ----------


@pytest.mark.parametrize(
    ("url", "signed_in", "words", "not_words"),
    [
        (
            "account_login",
            False,
            ["Sign in", "Remember me"],
            ["Sign In", "Remember Me"],
        ),
        ("account_signup", False, ["Sign up"], ["Sign Up", "Signup"]),
        ("account_reset_password", False, ["Password reset"], ["Password Reset"]),
        (
            "account_change_password",
            True,
            ["Change password", "Current password", "New password (again)"],
            ["Change Password", "Current Password", "New Password"],
        ),
        ("account_email", True, ["Change email", "Current email"], ["Change Email"]),
        ("account_logout", True, ["Sign out"], ["Sign Out"]),
    ],
)
def test_account_pages_speak_in_sentence_case(
    client, alice_client, url, signed_in, words, not_words
):
    from django.urls import reverse

    page = (alice_client if signed_in else client).get(reverse(url))
    html = page.content.decode()
    assert page.status_code == 200
    for word in words:
        assert word in html
    for word in not_words:
        assert word not in html


def test_the_compiled_wording_agrees_with_its_source():
    """locale/en holds allauth's words as the app says them; `make messages`
    compiles them, and the compiled file must say what the source says."""
    import gettext
    from pathlib import Path

    from django.conf import settings

    folder = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
    source = (folder / "django.po").read_text(encoding="utf-8")
    pairs = dict(re.findall(r'^msgid "(.+)"\nmsgstr "(.*)"$', source, re.MULTILINE))
    with (folder / "django.mo").open("rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)
    assert pairs
    assert {key: catalog.gettext(key) for key in pairs} == pairs
    assert len(catalog._catalog) - 1 == len(pairs)  # the header is the one more


def production_settings(monkeypatch, **environment):
    """Load `config.settings.production` afresh under `environment`."""
    import importlib
    import sys

    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-secret-0123456789")
    monkeypatch.setenv("ALLOWED_HOSTS", "rapport.example.org")
    monkeypatch.delenv("RAPPORT_SITE_URL", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delitem(sys.modules, "config.settings.production", raising=False)
    try:
        return importlib.import_module("config.settings.production")
    finally:
        sys.modules.pop("config.settings.production", None)


@pytest.mark.parametrize(
    "address", ["", "http://127.0.0.1:8000", "rapport.example.org", "https://"]
)
def test_production_refuses_to_start_without_the_sites_public_address(
    monkeypatch, address
):
    """Else every email sent by the worker links to the development address."""
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="RAPPORT_SITE_URL"):
        production_settings(monkeypatch, RAPPORT_SITE_URL=address)


def test_production_links_emails_to_the_sites_public_address(monkeypatch):
    production = production_settings(
        monkeypatch, RAPPORT_SITE_URL="https://rapport.example.org/"
    )
    assert production.RAPPORT_SITE_URL == "https://rapport.example.org"
    assert production.RAPPORT_ACCOUNT_LINKS_TO_SITE_URL is True


def test_production_sends_from_the_sites_own_domain_by_default(monkeypatch):
    """A `.localhost` sender is refused or filtered by every receiving server."""
    monkeypatch.delenv("DEFAULT_FROM_EMAIL", raising=False)
    monkeypatch.delenv("SERVER_EMAIL", raising=False)
    production = production_settings(
        monkeypatch, RAPPORT_SITE_URL="https://people.acme.test"
    )
    assert production.DEFAULT_FROM_EMAIL == "Rapport <no-reply@people.acme.test>"
    assert production.SERVER_EMAIL == production.DEFAULT_FROM_EMAIL


def test_production_keeps_the_sender_an_operator_sets(monkeypatch):
    production = production_settings(
        monkeypatch,
        RAPPORT_SITE_URL="https://people.acme.test",
        DEFAULT_FROM_EMAIL="Acme People <hello@acme.test>",
        SERVER_EMAIL="errors@acme.test",
    )
    assert production.DEFAULT_FROM_EMAIL == "Acme People <hello@acme.test>"
    assert production.SERVER_EMAIL == "errors@acme.test"


def test_behind_the_proxy_each_visitor_has_their_own_sign_in_attempts(
    monkeypatch, alice
):
    """In production every request comes from the proxy's address: the sign-in
    limits must count the visitor's address the proxy adds to X-Forwarded-For,
    or ten wrong passwords from anyone would stop everyone signing in."""
    from django.test import Client

    from tests.factories import DEFAULT_PASSWORD

    production = production_settings(
        monkeypatch, RAPPORT_SITE_URL="https://rapport.example.org"
    )
    with override_settings(
        ACCOUNT_RATE_LIMITS=production.ACCOUNT_RATE_LIMITS,
        ALLAUTH_TRUSTED_PROXY_COUNT=getattr(
            production, "ALLAUTH_TRUSTED_PROXY_COUNT", 0
        ),
    ):
        guesser = Client(REMOTE_ADDR="127.0.0.1")
        for attempt in range(12):
            # Whatever the guesser writes there, the proxy appends their address.
            refused = guesser.post(
                "/accounts/login/",
                {"login": f"guess{attempt}@example.com", "password": "wrong"},
                HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}, 203.0.113.7",
            )
        assert b"Too many failed login attempts" in refused.content

        visitor = Client(REMOTE_ADDR="127.0.0.1")
        response = visitor.post(
            "/accounts/login/",
            {"login": alice.email, "password": DEFAULT_PASSWORD},
            HTTP_X_FORWARDED_FOR="198.51.100.4",
        )
        assert response.status_code == 302


@override_settings(ACCOUNT_RATE_LIMITS={"login": "3/m/ip"})
def test_too_many_sign_in_attempts_get_the_site_s_own_page(client):
    for attempt in range(4):
        response = client.post(
            "/accounts/login/",
            {"login": f"someone{attempt}@example.com", "password": "wrong"},
        )
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many attempts in a short time" in html
    assert "site-header" in html
    assert 'href="/"' in html
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])[1]
    assert f'nonce="{nonce}"' in html


def test_reset_emails_to_one_address_stop_after_a_few_an_hour(
    monkeypatch, alice, mailoutbox
):
    """Anyone may ask for a reset email to any address: a few an hour to one
    address, so no one can flood a member's inbox (or a stranger's)."""
    import time
    from types import SimpleNamespace

    from allauth.core.internal import ratelimit
    from django.test import Client

    clock = [time.time()]
    monkeypatch.setattr(
        ratelimit,
        "time",
        SimpleNamespace(
            time=lambda: clock[0], monotonic=time.monotonic, sleep=time.sleep
        ),
    )
    production = production_settings(
        monkeypatch, RAPPORT_SITE_URL="https://rapport.example.org"
    )
    with override_settings(ACCOUNT_RATE_LIMITS=production.ACCOUNT_RATE_LIMITS):
        for attempt in range(7):
            # From a new address each time, two minutes apart: the limit is
            # the recipient's, and longer than a minute.
            Client(REMOTE_ADDR=f"192.0.2.{attempt}").post(
                "/accounts/password/reset/", {"email": alice.email}
            )
            clock[0] += 120
    assert len(mailoutbox) == 5


def test_pages_for_a_signed_in_member_are_not_kept_by_the_browser(alice_client, client):
    """After signing out on a shared computer, Back must not show the inbox
    or the address book from the browser's cache."""
    for path in ("/", "/contacts/", "/messages/", "/settings/"):
        response = alice_client.get(path)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"], path
        assert "private" in response["Cache-Control"], path
    # What visitors see may be kept.
    assert not client.get("/").has_header("Cache-Control")


class PageOutline(HTMLParser):
    """The headings of a page in document order, and its title."""

    def __init__(self):
        super().__init__()
        self.headings: list[str] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(tag)
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


@pytest.fixture
def member_pages(alice, bob):
    """The pages a member moves between, as alice, with something on each."""
    from tests.factories import (
        ContactFactory,
        LabelFactory,
        UpdateFactory,
        connect,
        send_message,
    )

    connect(alice, bob)
    contact = ContactFactory(owner=alice)
    LabelFactory(owner=alice)
    update = UpdateFactory(author=alice)
    send_message(bob, alice)
    return [
        "/",
        "/network/",
        "/network/connections/",
        "/network/losing-touch/",
        "/network/invitations/",
        "/network/invitations/sent/",
        "/network/search/",
        "/network/search/?q=bob",
        "/network/invite/",
        "/messages/",
        "/messages/with/bob/",
        "/in/alice/",
        "/in/alice/connections/",
        "/in/bob/",
        "/in/bob/connections/",
        "/in/bob/connect/",
        "/in/bob/remove/",
        "/in/bob/block/",
        "/in/bob/report/",
        f"/updates/{update.pk}/",
        f"/updates/{update.pk}/edit/",
        f"/updates/{update.pk}/delete/",
        "/contacts/",
        "/contacts/?favorites=1",
        "/contacts/new/",
        f"/contacts/{contact.pk}/",
        f"/contacts/{contact.pk}/edit/",
        "/contacts/labels/",
        "/contacts/duplicates/",
        "/contacts/import/",
        "/contacts/export/",
        "/contacts/trash/",
        "/contacts/settings/",
        "/settings/",
        "/settings/profile/",
        "/settings/notifications/",
        "/settings/blocked/",
        "/settings/reports/",
        "/settings/data/",
        "/settings/close/",
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/2fa/",
        "/accounts/sessions/",
        "/accounts/reauthenticate/",
        "/accounts/logout/",
    ]


def outline(client, path) -> PageOutline:
    response = client.get(path)
    assert response.status_code == 200, path
    parsed = PageOutline()
    parsed.feed(response.content.decode())
    return parsed


def test_each_page_opens_with_its_one_h1(alice_client, member_pages):
    """Someone moving by headings meets the page's h1 first, before the
    section's navigation or sidebar, and only one."""
    for path in member_pages:
        headings = outline(alice_client, path).headings
        assert headings[:1] == ["h1"], (path, headings)
        assert headings.count("h1") == 1, (path, headings)


def test_each_page_is_titled_by_what_it_is_then_the_site(alice_client, member_pages):
    """Every title is "<Page> · Rapport", a section's page (My Network,
    Contacts, Settings) saying its section before the site's name, and no
    two of the pages share one."""
    titles = {}
    for path in member_pages:
        title = " ".join(outline(alice_client, path).title.split())
        page, _, site = title.rpartition(" · ")
        assert site == "Rapport", (path, title)
        assert page not in ("", "Rapport"), (path, title)
        titles[path] = title
    assert len(set(titles.values())) == len(titles), titles
    assert titles["/network/search/"] == "Find members · My Network · Rapport"
    assert titles["/in/alice/connections/"] == "Your connections · Rapport"
    assert titles["/in/bob/connections/"] == "Connections of Bob Okafor · Rapport"
    for path, title in titles.items():
        in_settings = path.startswith(("/settings/", "/accounts/"))
        if in_settings and path not in ("/settings/", "/accounts/reauthenticate/"):
            assert title.endswith(" · Settings · Rapport"), (path, title)
        if path.startswith(("/contacts/labels/", "/contacts/trash/", "/contacts/im")):
            assert title.endswith(" · Contacts · Rapport"), (path, title)
    assert titles["/contacts/settings/"] == "Settings · Contacts · Rapport"
    assert titles["/contacts/?favorites=1"] == "Favourites · Contacts · Rapport"


ALLAUTH_STOCK_PHRASES = [
    "If you have not created an account yet",
    "Then please",
    "Forgotten your password?",
    "Please contact us",
    "contact us if you do not receive",
    "We have sent",
    "finalize the signup process",
    "issue a new email confirmation request",
    "possibly because it has already been used",
    "Your password is now changed",
    "Bad token",
    "is an email address for user",
    "Please reauthenticate",
    "Enter your password:",
    "An authenticator app is not active",
    "You are already logged in",
    "This account is inactive",
    "No recovery codes set up",
    "Authentication using an authenticator app is active",
    "recovery codes available",
    "Unused codes",
    "You are about to generate a new set of recovery codes",
    "This action will invalidate your existing codes",
    "Are you sure?",
]


def account_flow_pages(alice, client) -> dict[str, str]:
    """Each account page a visitor or a member can reach, rendered: sign up,
    sign in, the password reset and email confirmation flows, confirming
    access before a sensitive change, two-factor authentication, sign out."""
    from allauth.account.forms import default_token_generator
    from allauth.account.models import EmailAddress, EmailConfirmationHMAC
    from allauth.account.utils import user_pk_to_url_str
    from allauth.mfa.models import Authenticator
    from django.test import Client

    from tests.conftest import signed_in_client
    from tests.factories import DEFAULT_PASSWORD, UserFactory

    pages = {}

    def keep(name, response):
        assert response.status_code == 200, name
        pages[name] = response.content.decode()

    for path in (
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/accounts/password/reset/done/",
        "/accounts/password/reset/key/1-not-a-token/",
        "/accounts/password/reset/key/done/",
        "/accounts/confirm-email/",
        "/accounts/confirm-email/not-a-key/",
    ):
        keep(path, client.get(path))
    key = f"{user_pk_to_url_str(alice)}-{default_token_generator.make_token(alice)}"
    keep(
        "reset: new password",
        Client().get(f"/accounts/password/reset/key/{key}/", follow=True),
    )
    address = EmailAddress.objects.create(
        user=alice, email="alice.new@example.com", verified=False
    )
    keep(
        "confirm: new address",
        client.get(f"/accounts/confirm-email/{EmailConfirmationHMAC(address).key}/"),
    )
    member = signed_in_client(alice)
    keep("confirm: expired, signed in", member.get("/accounts/confirm-email/x/"))
    keep("reset: signed in", member.get("/accounts/password/reset/"))
    for path in (
        "/accounts/2fa/",
        "/accounts/2fa/totp/activate/",
        "/accounts/reauthenticate/",
        "/accounts/logout/",
    ):
        keep(path, member.get(path, follow=True))
    # Turned off by the staff: the right password leads to the inactive page.
    turned_off = UserFactory(display_name="Erin Walsh", is_active=False)
    signing_in = Client().post(
        "/accounts/login/",
        {"login": turned_off.email, "password": DEFAULT_PASSWORD},
        follow=True,
    )
    assert signing_in.redirect_chain[-1][0] == "/accounts/inactive/"
    keep("inactive", signing_in)
    # Two-factor on without recovery codes (they were never made, or the
    # authenticator app was set up before they came with it).
    Authenticator.objects.create(
        user=alice, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    keep("2fa: on, no recovery codes", member.get("/accounts/2fa/"))
    Authenticator.objects.create(
        user=alice,
        type=Authenticator.Type.RECOVERY_CODES,
        data={"seed": "0f" * 20, "used_mask": 0b11},
    )
    keep("2fa: on, recovery codes", member.get("/accounts/2fa/"))
    # Both ask to confirm access first.
    member.post("/accounts/reauthenticate/", {"password": DEFAULT_PASSWORD})
    for path in (
        "/accounts/2fa/recovery-codes/",
        "/accounts/2fa/recovery-codes/generate/",
    ):
        keep(path, member.get(path, follow=True))
    return pages


def test_account_pages_speak_in_the_sites_own_words(alice, client):
    """No account page is left in allauth's stock wording, and each says
    where it is in its title."""
    titles = {}
    pages = account_flow_pages(alice, client)
    for name, html in pages.items():
        for phrase in ALLAUTH_STOCK_PHRASES:
            assert phrase.lower() not in html.lower(), (name, phrase)
        parsed = PageOutline()
        parsed.feed(html)
        titles[name] = " ".join(parsed.title.split())
    assert titles["/accounts/password/reset/key/1-not-a-token/"] == (
        "Link no longer works · Rapport"
    )
    assert titles["reset: new password"] == "Choose a new password · Rapport"
    assert titles["/accounts/password/reset/done/"] == "Check your email · Rapport"
    assert titles["/accounts/password/reset/key/done/"] == "Password changed · Rapport"
    assert titles["confirm: new address"] == "Confirm your email address · Rapport"
    assert titles["/accounts/reauthenticate/"] == "Confirm access · Rapport"
    assert titles["inactive"] == "Account inactive · Rapport"
    assert "contact the staff" in pages["inactive"]
    assert 'href="/accounts/login/"' in pages["inactive"]
    for name in ("/accounts/2fa/", "2fa: on, no recovery codes"):
        assert titles[name] == "Two-factor authentication · Settings · Rapport"
    # With two-factor on and no recovery codes, the page says what that
    # risks and offers to make them; without two-factor, there is none to make.
    no_codes = pages["2fa: on, no recovery codes"]
    assert "You have no recovery codes" in no_codes
    assert 'href="/accounts/2fa/recovery-codes/generate/"' in no_codes
    assert 'href="/accounts/2fa/totp/deactivate/"' in no_codes
    assert (
        'href="/accounts/2fa/recovery-codes/generate/"' not in pages["/accounts/2fa/"]
    )
    assert 'href="/accounts/2fa/totp/activate/"' in pages["/accounts/2fa/"]
    assert "8 of your 10 recovery codes are left" in pages["2fa: on, recovery codes"]
    codes = pages["/accounts/2fa/recovery-codes/"]
    assert (
        titles["/accounts/2fa/recovery-codes/"] == "Recovery codes · Settings · Rapport"
    )
    assert "8 of your 10 recovery codes are left" in codes
    assert 'href="/accounts/2fa/recovery-codes/download/"' in codes
    assert '<label for="recovery_codes">Codes left to use</label>' in codes
    generate = pages["/accounts/2fa/recovery-codes/generate/"]
    assert titles["/accounts/2fa/recovery-codes/generate/"] == (
        "Make new recovery codes · Settings · Rapport"
    )
    assert "Your 8 codes left stop working as soon as the new ones are made" in generate
    # A member on the reset page is pointed to where they change it, and
    # not asked to sign in.
    signed_in = pages["reset: signed in"]
    assert "You are signed in as Alice Martin" in signed_in
    assert 'href="/accounts/password/change/"' in signed_in
    assert "Remembered it?" not in signed_in


def test_only_the_right_password_shows_that_an_account_is_inactive(client):
    """A wrong password gets the ordinary answer: the inactive page would
    tell anyone that the address has an account."""
    from tests.factories import UserFactory

    turned_off = UserFactory(display_name="Erin Walsh", is_active=False)

    response = client.post(
        "/accounts/login/",
        {"login": turned_off.email, "password": "not her password"},
        follow=True,
    )

    assert response.redirect_chain == []
    html = response.content.decode()
    assert "Account inactive" not in html
    assert "turned off" not in html
    assert "_auth_user_id" not in client.session


def test_an_expired_confirmation_link_says_how_to_get_a_new_one(alice, client):
    """A visitor is sent to sign in (which sends a new link), not to the
    email settings they cannot open; a member to those settings."""
    from tests.conftest import signed_in_client

    def main(response) -> str:
        return re.search(r"<main.*</main>", response.content.decode(), re.S).group(0)

    visitor = main(client.get("/accounts/confirm-email/not-a-key/"))
    assert 'href="/accounts/login/"' in visitor
    assert 'href="/accounts/email/"' not in visitor
    member = main(signed_in_client(alice).get("/accounts/confirm-email/not-a-key/"))
    assert 'href="/accounts/email/"' in member
