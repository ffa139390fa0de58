"""No address and no input gives a server error, on SQLite and on PostgreSQL.

Every URL pattern of the site (both apps, the account pages, the admin) is
asked for with the ids of objects that exist and with hostile values in their
place, by a visitor, the owner, a connection, a stranger and a staff member,
with hostile query strings, form fields, files and htmx headers: NUL and
other control characters (PostgreSQL refuses a NUL in any text), invalid
UTF-8, numbers no column holds, arrays where one value goes, 100 KB of text,
emoji and right-to-left text, cursors of other lists. An answer may be a 404,
a 400, a 405 or the form with its errors; never a 500, and no exception may
escape.

Each request runs in a savepoint that is rolled back, with the cache cleared
and the persona's cookies as they were, so every one meets the same world
and the order of the requests changes nothing. The values are chosen per
kind of parameter rather than crossed with everything, to keep the run short.
"""

import copy
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote_from_bytes, urljoin, urlsplit

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import QueryDict
from django.test import Client, RequestFactory
from django.urls import (
    Resolver404,
    URLPattern,
    URLResolver,
    get_resolver,
    resolve,
)
from django.urls.resolvers import RegexPattern
from PIL import Image

from tests.conftest import make_persona, mark_two_factor
from tests.factories import (
    DEFAULT_PASSWORD,
    BlockFactory,
    CommentFactory,
    ConnectionRequestFactory,
    ContactFactory,
    LabelFactory,
    ReportFactory,
    UpdateFactory,
    connect,
    send_message,
)

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "contacts" / "data"

# ---------------------------------------------------------------------------
# Hostile values.

# In an address (already percent-encoded), per kind of parameter. The
# resolver turns most of them away; the rest must reach a 404 or a redirect.
NUMBERS_IN_PATH = [
    "0",
    "9223372036854775807",
    "9223372036854775808",
    "1" + "0" * 30,
    "-1",
    "1.5",
    "%00",
    "1%00",
]
TEXTS_IN_PATH = [
    "nobody",
    "BOB",
    "%00",
    "bob%00",
    "%01%1b%7f",
    "%ff%fe",
    "%ed%a0%80",
    "%F0%9F%98%80",
    "%E2%80%AE%D7%A9%D7%9C%D7%95%D7%9D",
    "x" * 300,
    "9223372036854775808",
]
PATH_VALUES = {
    "int": NUMBERS_IN_PATH,
    "id": NUMBERS_IN_PATH,
    "photokey": [*TEXTS_IN_PATH, "ABCDEF", "a" * 33],
    "handle": TEXTS_IN_PATH,
    "string": TEXTS_IN_PATH,
    # The admin's object ids: Django reads them with the primary key's field.
    "path": ["%00", "%ff%fe", "9223372036854775808", "-1", "x" * 300],
    "regex": TEXTS_IN_PATH,
}

# In a query string or a form (raw bytes, percent-encoded when sent): each is
# put in every field at once.
LONG = b"a" * 100_000
VALUES = {
    "nul": b"\x00",
    "invalid-utf8": b"\xff\xfe\xed\xa0\x80",
    "huge": str(2**63).encode(),
    "negative": b"-1",
    "float": b"1.5e3",
    "empty": b"",
    "emoji-rtl": "😀\u202eשלום 👩‍👩‍👧".encode(),
    "long": LONG,
}
# Free text is where a person types; these go there while the other fields
# keep their real values (so the form is read past its hidden selectors).
TEXT_VALUES = {
    "nul-inside": b"ann\x00lee",
    "controls": b"\x01\x08\x1b\x7f",
    "invalid-utf8": b"ann\xed\xa0\x80\xff",
    "emoji-rtl": VALUES["emoji-rtl"],
    "long": LONG,
}
# The admin is Django's own but for a few views: fewer values there.
LIGHT = {"nul", "invalid-utf8", "huge", "empty", "long", "nul-inside"}
CURSOR_NAMES = {"after", "cursor", "before"}
# Names the views and the admin read from the address, besides the ones each
# page is seen to read.
QUERY_NAMES = [
    "q",
    "after",
    "before",
    "cursor",
    "page",
    "p",
    "o",
    "next",
    "sort",
    "view_as",
    "months",
    "open",
    "mine",
    "n",
    "email",
    "name",
    "done",
    "kind",
    "label",
    "favorite",
    "format",
    "fields",
    "_changelist_filters",
    "all",
    "e",
]
TEXT_INPUTS = {
    "text",
    "textarea",
    "email",
    "url",
    "tel",
    "search",
    "password",
    "number",
    "date",
    "month",
    "datetime-local",
    "time",
}


def cursors() -> list[bytes]:
    """Cursors of other lists (signed alike) and cursors written by hand."""
    from connections.selectors.paging import encode_cursor

    when = datetime(2026, 1, 1, tzinfo=UTC)
    signed = [
        encode_cursor([when, 3]),
        encode_cursor(["Okafor Bob", 3]),
        encode_cursor([3]),
        encode_cursor(["ann", "lee", 3]),
        encode_cursor([1.5, "x", when, 3]),
    ]
    by_hand = ["eyJ4IjoxfQ", "1:1", signed[0] + "x", signed[1][:-3]]
    return [value.encode() for value in signed + by_hand]


def encoded(value: bytes) -> str:
    return quote_from_bytes(value, safe="")


# Headers a browser, a proxy or a hand may send (a WSGI server hands them
# over as Latin-1; servers refuse a NUL in a header, so there is none).
ODD_HEADERS = {
    "User-Agent": "Ã©\x01\x7f Mozilla/5.0 (Windows; ÿ) Firefox/" + "9" * 300,
    "Accept-Language": "xx-ÿÿ;q=abc, *;q=-1, de-DE-1996;q=0.5, " + "a" * 300,
    "Referer": "http://evil.example/\x01?q=%00",
    "X-Forwarded-For": "not-an-ip, ::ffff:300.1.1.1",
    "Accept": "text/html;q=x",
}


def htmx_headers(path: str) -> dict:
    """What htmx sends, with values a page's markup or a hand could put there."""
    return {
        "HX-Request": "true",
        "HX-Target": "results\x01é",
        "HX-Trigger": "\x7f",
        "HX-Trigger-Name": "q",
        "HX-Current-URL": f"http://testserver{path}?q=%00&after=%ff&next=%ed%a0%80",
        "HX-Boosted": "true",
        "HX-Prompt": "ÿ",
        **ODD_HEADERS,
    }


# ---------------------------------------------------------------------------
# The URL patterns.


@dataclass
class Route:
    name: str
    patterns: list
    params: dict  # name -> its converter ("id", "handle", "string", "path"…)

    def path(self, values: dict) -> str:
        out = ""
        for pattern in self.patterns:
            text = str(pattern.pattern)
            if isinstance(pattern.pattern, RegexPattern):
                text = re.sub(
                    r"\(\?P<(\w+)>[^()]*\)", lambda m: values[m[1]], text
                ).strip("^$")
            else:
                text = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m[1]], text)
            out += text
        return "/" + out


def routes() -> list[Route]:
    found = []

    def walk(patterns, chain, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(
                    pattern.url_patterns,
                    [*chain, pattern],
                    pattern.namespace or namespace,
                )
                continue
            assert isinstance(pattern, URLPattern)
            params = {}
            for part in [*chain, pattern]:
                if isinstance(part.pattern, RegexPattern):
                    for name in part.pattern.regex.groupindex:
                        params[name] = "regex"
                else:
                    for name, converter in part.pattern.converters.items():
                        kind = type(converter).__name__.removesuffix("Converter")
                        params[name] = kind.lower()
            name = pattern.name or str(pattern.pattern)
            found.append(
                Route(
                    f"{namespace}:{name}" if namespace else name,
                    [*chain, pattern],
                    params,
                )
            )

    walk(get_resolver().url_patterns, [], None)
    return found


def group_of(route: Route) -> str:
    first = str(route.patterns[0].pattern)
    if first.startswith("admin/"):
        return "admin"
    if first.startswith("accounts/"):
        return "accounts"
    return "app"


# ---------------------------------------------------------------------------
# Forms on the pages.


@dataclass
class Form:
    method: str
    action: str
    multipart: bool
    fields: list = field(default_factory=list)  # (name, kind, value)

    def signature(self):
        return (self.method, self.action, tuple(sorted({f[0] for f in self.fields})))


class FormParser(HTMLParser):
    """The forms of a page (their action and fields with their values) and
    its links that carry a query string (plain and htmx's)."""

    def __init__(self, page: str):
        super().__init__()
        self.page = page
        self.forms: list[Form] = []
        self.links: list[str] = []
        self.current: Form | None = None
        self.select = None
        self.select_value = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "hx-get", "hx-post"):
            link = urljoin(self.page, attrs.get(name) or "")
            parts = urlsplit(link)
            if parts.query and parts.netloc in {"", "testserver"}:
                self.links.append(f"{parts.path}?{parts.query}")
        if tag == "form":
            action = urljoin(self.page, attrs.get("action") or self.page)
            self.current = Form(
                method=(attrs.get("method") or "get").lower(),
                action=action,
                multipart="multipart" in (attrs.get("enctype") or ""),
            )
            self.forms.append(self.current)
        elif self.current is None or not attrs.get("name"):
            if tag == "option" and self.select is not None:
                self._option(attrs)
        elif tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                kind = "off"  # sent only when ticked: its name is known
            self.current.fields.append((attrs["name"], kind, attrs.get("value", "on")))
        elif tag == "textarea":
            self.current.fields.append((attrs["name"], "textarea", ""))
        elif tag == "select":
            self.select = attrs["name"]
            self.select_value = None
        elif tag == "button":
            self.current.fields.append(
                (attrs["name"], "button", attrs.get("value", ""))
            )

    def _option(self, attrs):
        if self.select_value is None or "selected" in attrs:
            self.select_value = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select" and self.select is not None:
            if self.current is not None:
                self.current.fields.append(
                    (self.select, "select", self.select_value or "")
                )
            self.select = None


# ---------------------------------------------------------------------------
# The world.


def picture() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 90), (200, 30, 60)).save(out, "PNG")
    return out.getvalue()


def imported(owner, name, run, *, confirm):
    from contacts.services.imports import import_confirm, import_upload

    with run(execute=True):
        batch = import_upload(
            owner=owner, file_name=name, data=(DATA / name).read_bytes()
        )
    batch.refresh_from_db()
    if confirm:
        with run(execute=True):
            import_confirm(batch=batch, on_duplicate="skip")
        batch.refresh_from_db()
    return batch


def build_world(run):
    """Alice with an address book and a network, Bob her connection, Carol a
    stranger, Dave who invited her, and a staff member; returns the real
    values of every parameter the URL patterns take."""
    from allauth.account.forms import default_token_generator
    from allauth.account.models import EmailAddress, EmailConfirmationHMAC
    from allauth.account.utils import user_pk_to_url_str
    from django.contrib.admin import site
    from django.contrib.contenttypes.models import ContentType
    from django.core import mail

    from connections.services.moderation import member_warn, report_create
    from connections.services.network import email_invitation_send
    from connections.unsubscribe import address_opt_out_token, unsubscribe_token
    from contacts.services.photos import contact_photo_set

    alice = make_persona("alice", "Alice Martin", headline="Product designer")
    bob = make_persona("bob", "Bob Okafor", headline="Backend engineer")
    carol = make_persona("carol", "Carol Nguyen", headline="Community organiser")
    dave = make_persona("dave", "Dave Fischer")
    erin = make_persona("erin", "Erin Blocked")
    frank = make_persona("frank", "Frank Invited")
    staff = make_persona("staff", "Sam Staff", is_staff=True, is_superuser=True)

    connect(alice, bob)
    dave_invitation = ConnectionRequestFactory(sender=dave, recipient=alice)
    frank_invitation = ConnectionRequestFactory(sender=alice, recipient=frank)
    BlockFactory(blocker=alice, blocked=erin)
    with run(execute=True):
        email_invitation = email_invitation_send(
            inviter=alice, email="newcomer@example.com", name="Nia"
        )
    token = re.search(r"/join/([^/\s]+)/", mail.outbox[-1].body)[1]

    send_message(bob, alice, "Hello Alice")
    bobs_message = send_message(bob, alice, "Are you free on Monday?")
    send_message(alice, bob, "Yes!")
    alices_update = UpdateFactory(author=alice, audience="connections")
    bobs_update = UpdateFactory(author=bob, audience="public")
    bobs_comment = CommentFactory(update=alices_update, author=bob)
    CommentFactory(update=bobs_update, author=alice)
    report_create(reporter=alice, member=bob, reason="spam", message=bobs_message)
    report = ReportFactory(reporter=carol, member=dave)
    member_warn(member=dave, staff_member=staff, reason="Be kind.")

    family = LabelFactory(owner=alice, name="Family")
    LabelFactory(owner=alice, name="Work")
    ann = ContactFactory(
        owner=alice,
        given_name="Ann",
        family_name="Lee",
        emails=["ann@x.example"],
        phones=["+1 415 555 0100"],
        addresses=["Leeds"],
        labels=[family],
    )
    ContactFactory(
        owner=alice, given_name="Annie", family_name="Lee", emails=["ann@x.example"]
    )
    ContactFactory(
        owner=alice, given_name="Bea", family_name="Okafor", emails=["bob@example.com"]
    )
    contact_photo_set(
        contact=ann,
        upload=SimpleUploadedFile("ann.png", picture(), content_type="image/png"),
    )
    ann.refresh_from_db()
    trashed = ContactFactory(
        owner=alice, given_name="Old", family_name="Card", trashed=True
    )
    ContactFactory(owner=carol, given_name="Carol's", family_name="Card")
    done = imported(alice, "google_3.vcf", run, confirm=True)
    ready = imported(alice, "apple_3.vcf", run, confirm=False)
    mapping = imported(alice, "generic.csv", run, confirm=False)

    address = EmailAddress.objects.create(
        user=alice, email="alice.new@example.com", verified=False, primary=False
    )

    values = {
        "handle": "bob",
        "contacts:detail": {"pk": ann.pk},
        "contacts:photo_file": {"pk": ann.pk, "key": ann.photo_key, "size": "small"},
        "contacts:restore": {"pk": trashed.pk},
        "contacts:purge": {"pk": trashed.pk},
        "contacts:label_rename": {"pk": family.pk},
        "contacts:label_delete": {"pk": family.pk},
        "contacts:import_detail": {"pk": ready.pk},
        "contacts:import_progress": {"pk": ready.pk},
        "contacts:import_columns": {"pk": mapping.pk},
        "contacts:import_confirm": {"pk": ready.pk},
        "contacts:import_discard": {"pk": ready.pk},
        "contacts:import_undo": {"pk": done.pk},
        "connections:invitation_respond": {"pk": dave_invitation.pk},
        "connections:invitation_withdraw": {"pk": frank_invitation.pk},
        "connections:email_invitation_withdraw": {"pk": email_invitation.pk},
        "connections:join": {"token": token},
        "connections:unsubscribe": {
            "token": unsubscribe_token(member=alice, preference="message_unread")
        },
        "connections:address_opt_out": {
            "token": address_opt_out_token("newcomer@example.com")
        },
        "connections:unblock": {"handle": "erin"},
        "connections:update": {"pk": alices_update.pk},
        "connections:update_like": {"pk": bobs_update.pk},
        "connections:update_comments": {"pk": bobs_update.pk},
        "connections:report_update": {"pk": bobs_update.pk},
        "connections:report_comment": {
            "pk": alices_update.pk,
            "comment_id": bobs_comment.pk,
        },
        "connections:report_message": {"handle": "bob", "message_id": bobs_message.pk},
        "account_confirm_email": {"key": EmailConfirmationHMAC(address).key},
        "account_reset_password_from_key": {
            "uidb36": user_pk_to_url_str(alice),
            "key": default_token_generator.make_token(alice),
        },
        "admin:connections_report_act": {"pk": report.pk},
        "admin:auth_user_password_change": {"id": alice.pk},
        "admin:view_on_site": {
            "content_type_id": ContentType.objects.get_for_model(type(alice)).pk,
            "object_id": alice.pk,
        },
        "admin:app_list": {"app_label": "connections"},
        "admin:(?P<url>.*)$": {"url": "no/such/page/"},
    }
    for name in ("edit", "favorite", "delete", "photo", "photo_remove"):
        values[f"contacts:{name}"] = {"pk": ann.pk}
    for name in ("update_edit", "update_delete"):
        values[f"connections:{name}"] = {"pk": alices_update.pk}
    for model in site._registry:
        first = model._default_manager.order_by("pk").first()
        values[f"admin:{model._meta.app_label}/{model._meta.model_name}"] = {
            "object_id": first.pk if first else 1
        }
    clients = {"visitor": Client(raise_request_exception=True)}
    for persona, member in (
        ("alice", alice),
        ("bob", bob),
        ("carol", carol),
        ("staff", staff),
    ):
        client = Client(raise_request_exception=True)
        client.force_login(member)
        if member.is_staff:
            mark_two_factor(client, member)
        clients[persona] = client
    return values, clients


def real_values(route: Route, values: dict) -> dict:
    """The real value of each of the route's parameters."""
    given = values.get(route.name)
    if given is None and route.name.startswith("admin:"):
        route_text = "".join(str(part.pattern) for part in route.patterns)
        match = re.match(r"admin/(\w+)/(\w+)/", route_text)
        if match:
            given = values.get(f"admin:{match[1]}/{match[2]}")
    given = given or {}
    out = {}
    for name in route.params:
        if name in given:
            out[name] = str(given[name])
        elif name == "handle":
            out[name] = values["handle"]
        else:
            raise AssertionError(
                f"{route.name} takes {name}: give it a real value in build_world"
            )
    return out


# ---------------------------------------------------------------------------
# Sending.


class Reads:
    """The names a view reads from request.GET or request.POST."""

    def __init__(self):
        self.names: set[str] | None = None

    def record(self, name):
        if self.names is not None and isinstance(name, str):
            self.names.add(name)


def multipart(fields: list[tuple[str, bytes]], files: list) -> tuple[bytes, str]:
    boundary = "RobustnessBoundary7MA4YWxk"
    out = io.BytesIO()
    for name, value in fields:
        out.write(f"--{boundary}\r\n".encode())
        out.write(f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        out.write(value + b"\r\n")
    for name, file_name, content in files:
        out.write(f"--{boundary}\r\n".encode())
        out.write(
            b'Content-Disposition: form-data; name="'
            + name.encode()
            + b'"; filename="'
            + file_name
            + b'"\r\nContent-Type: application/octet-stream\r\n\r\n'
        )
        out.write(content + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def urlencoded(fields: list[tuple[str, bytes]]) -> bytes:
    return "&".join(f"{encoded(n.encode())}={encoded(v)}" for n, v in fields).encode()


HOSTILE_FILES = [
    (b"ann\x00.vcf", b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\x00n\xff\r\nEND:VCARD\r\n"),
    ("😀\u202e.csv".encode(), b"Name,E-mail\r\n\x00\xed\xa0\x80,a@\x01.example\r\n"),
    (b"photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
]


class Fuzzer:
    def __init__(self, clients, capture):
        self.clients = clients
        self.cookies = {name: copy.deepcopy(c.cookies) for name, c in clients.items()}
        self.capture = capture
        self.failures: list[str] = []
        self.sent = 0
        self.forms: dict[str, list[Form]] = {}
        # Per page: names its search forms send; links to it with a query.
        self.query_names: dict[str, set] = {}
        self.links: dict[str, dict] = {}
        self.reads = Reads()

    def send(self, persona, method, url, *, body=None, content_type=None, **kw):
        client = self.clients[persona]
        client.cookies = copy.deepcopy(self.cookies[persona])
        cache.clear()
        self.sent += 1
        try:
            with transaction.atomic():
                with self.capture(execute=True):
                    if method == "GET":
                        response = client.get(url, **kw)
                    else:
                        response = client.post(
                            url, data=body or b"", content_type=content_type, **kw
                        )
                transaction.set_rollback(True)
        except Exception as error:  # noqa: BLE001 - each one is reported
            self.fail(persona, method, url, body, f"{type(error).__name__}: {error}")
            return None
        if response.status_code >= 500:
            self.fail(persona, method, url, body, f"status {response.status_code}")
        return response

    def fail(self, persona, method, url, body, what):
        shown = url if len(url) < 160 else url[:160] + "…"
        if body:
            sample = body[:120]
            shown += f" body={sample!r}{'…' if len(body) > 120 else ''}"
        self.failures.append(f"{persona} {method} {shown}: {str(what)[:300]}")

    # -- what pages show and read -------------------------------------------

    def discover(self, persona, path) -> tuple[int, set]:
        """GET a page plainly: note its forms, and the names its view reads."""
        self.reads.names = set()
        response = self.send(persona, "GET", path)
        names, self.reads.names = self.reads.names, None
        if response is None:
            return 500, names
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            parser = FormParser(path)
            parser.feed(response.content.decode(errors="replace"))
            for form in parser.forms:
                action = urlsplit(form.action).path
                if form.method == "get":
                    names = {n for n, _, _ in form.fields}
                    self.query_names.setdefault(action, set()).update(names)
                    continue
                known = self.forms.setdefault(action, [])
                if form.signature() not in {f.signature() for f in known}:
                    known.append(form)
            for link in parser.links:
                target, query = link.split("?", 1)
                signature = tuple(sorted(QueryDict(query).keys()))
                links = self.links.setdefault(target, {})
                if len(links) < 3 and signature not in links:
                    links[signature] = (persona, link)
        return response.status_code, names

    def follow_links(self):
        """Open the links the pages hold (a search, "Load more", a merge), for
        the forms they show and the names they read."""
        followed = {}
        for target, links in list(self.links.items()):
            for persona, link in list(links.values()):
                status, names = self.discover(persona, link)
                followed.setdefault(target, set()).update(names)
        return followed

    def attack_links(self, target):
        """The real values of each link, spoiled: a NUL after each, invalid
        UTF-8 instead, two of each."""
        for persona, link in self.links.get(target, {}).values():
            path, query = link.split("?", 1)
            pairs = [
                (key, value.encode())
                for key, values in QueryDict(query).lists()
                for value in values
            ]
            spoiled = [
                [(k, v + b"\x00") for k, v in pairs],
                [(k, b"\xff" + v[:-1] + b"\xed\xa0\x80") for k, v in pairs],
                pairs + [(k, v[::-1]) for k, v in pairs],
            ]
            for index, fields in enumerate(spoiled):
                query = "&".join(
                    f"{encoded(k.encode())}={encoded(v)}" for k, v in fields
                )
                extra = {"headers": htmx_headers(path)} if index % 2 == 0 else {}
                self.send(persona, "GET", f"{path}?{query}", **extra)

    def post_reads(self, persona, path) -> set:
        self.reads.names = set()
        self.send(
            persona, "POST", path, content_type="application/x-www-form-urlencoded"
        )
        names, self.reads.names = self.reads.names, None
        return names

    # -- the attacks ---------------------------------------------------------

    def hostile_queries(self, names, values) -> list[str]:
        """One query string per hostile value, in every name the page reads;
        every other one carries a cursor of another list (or a forged one)
        where the page's cursor goes instead."""
        names = sorted(set(names) | set(QUERY_NAMES))
        other_cursors = cursors()
        queries = []
        for index, (key, value) in enumerate(values.items()):
            chosen = names
            if key == "long":
                # 100 KB in the values a search or a cursor would carry.
                chosen = [n for n in names if n in {"q", "next"} | CURSOR_NAMES]
            pairs = [(n, value) for n in chosen]
            if index % 2:
                cursor = other_cursors[index // 2 % len(other_cursors)]
                pairs = [(n, cursor if n in CURSOR_NAMES else v) for n, v in pairs]
            queries.append("&".join(f"{n}={encoded(v)}" for n, v in pairs))
        queries.append("&".join(f"{n}=1&{n}=2" for n in names))
        queries.append(
            "&".join(f"after={encoded(c)}" for c in other_cursors)
            + "&%00=%00&%ff&=&&==&q[]=1&after[0]=%00"
        )
        return queries

    def attack_get(self, persona, path, names, *, level):
        queries = self.hostile_queries(names, level.values)
        if not level.thorough:
            queries = queries[:1]
        for index, query in enumerate(queries):
            extra = {}
            if index % 2 == 0:
                extra["headers"] = htmx_headers(path)
            self.send(persona, "GET", f"{path}?{query}", **extra)

    def attack_post(self, persona, path, read_names, *, level):
        forms = [f for f in self.forms.get(path, []) if f.method == "post"]
        if not forms:
            forms = [
                Form(
                    "post", path, False, [(n, "text", "1") for n in sorted(read_names)]
                )
            ]
        if not level.thorough:
            forms = forms[:1]
        for form in forms[:4]:
            base = [(n, v.encode()) for n, kind, v in form.fields if kind != "off"]
            names = sorted({n for n, _ in base} | read_names)
            text = {n for n, kind, _ in form.fields if kind in TEXT_INPUTS}
            file_names = [n for n, kind, _ in form.fields if kind == "file"]
            bodies = [
                [(n, value) for n in names if n not in file_names]
                for value in level.values.values()
            ]
            if level.thorough and text:
                bodies.extend(
                    [(n, value if n in text else v) for n, v in base]
                    for value in level.text_values.values()
                )
            if level.thorough:
                bodies.append(base + [(n, b"\x00") for n in names])
                bodies.append(base + [(n + "[]", b"1") for n in names])
            for index, fields in enumerate(bodies):
                extra = {"headers": htmx_headers(path)} if index % 3 == 0 else {}
                url = path if index % 2 else f"{path}?next=%00&q=%ff"
                if form.multipart or file_names:
                    name, content = HOSTILE_FILES[index % len(HOSTILE_FILES)]
                    files = [(n, name, content) for n in file_names or ["file"]]
                    body, content_type = multipart(fields, files)
                else:
                    body = urlencoded(fields)
                    content_type = "application/x-www-form-urlencoded"
                self.send(
                    persona, "POST", url, body=body, content_type=content_type, **extra
                )

    def sign_in_with_hostile_extras(self):
        """A real sign-in (the session is recorded with its browser's header)
        with hostile values in everything but the email and password."""
        for value in (b"\x00", b"\xff\xed\xa0\x80", LONG):
            fields = [
                (b"login", b"alice@example.com"),
                (b"password", DEFAULT_PASSWORD.encode()),
                (b"remember", value),
                (b"next", value),
            ]
            body = "&".join(f"{encoded(n)}={encoded(v)}" for n, v in fields)
            response = self.send(
                "visitor",
                "POST",
                f"/accounts/login/?next={encoded(value)}",
                body=body.encode(),
                content_type="application/x-www-form-urlencoded",
                headers=ODD_HEADERS,
            )
            assert response is None or response.status_code in {200, 302}

    def attack_path(self, persona, route: Route, real: dict, *, post=True):
        """Each parameter in turn given hostile values. An address the resolver
        turns away is answered by the 404 page whatever it holds: one of them
        per route is enough."""
        turned_away = 0
        for name, kind in route.params.items():
            for value in PATH_VALUES[kind]:
                path = route.path({**real, name: value})
                try:
                    resolve(RequestFactory().get(path).path_info)
                except Resolver404:
                    turned_away += 1
                    if turned_away > 1:
                        continue
                self.send(persona, "GET", path, headers={"HX-Request": "true"})
                if post:
                    self.send(
                        persona,
                        "POST",
                        path,
                        content_type="application/x-www-form-urlencoded",
                    )


@dataclass
class Level:
    """How hard the owner's requests push: every value or the main ones."""

    thorough: bool
    values: dict
    text_values: dict

    @classmethod
    def of(cls, *, thorough: bool, light: bool = False):
        def chosen(values):
            if not light:
                return values
            return {key: value for key, value in values.items() if key in LIGHT}

        if not thorough:
            return cls(False, {"nul": VALUES["nul"]}, {})
        return cls(True, chosen(VALUES), chosen(TEXT_VALUES))


@pytest.fixture
def recorded(monkeypatch):
    """Let a Fuzzer see which names views read from request.GET and POST."""
    holder = {}

    def wrap(method):
        def recording(self, key, *args, **kwargs):
            fuzzer = holder.get("fuzzer")
            if fuzzer is not None:
                fuzzer.reads.record(key)
            return method(self, key, *args, **kwargs)

        return recording

    for name in ("get", "getlist", "__getitem__", "__contains__"):
        monkeypatch.setattr(QueryDict, name, wrap(getattr(QueryDict, name)))
    return holder


# The admin's generic pages repeat for each model: its lists, forms and own
# views get every value, its history and delete pages the NUL only.
ADMIN_PAGES_PUSHED = (
    "index",
    "app_list",
    "changelist",
    "add",
    "change",
    "act",
    "abuse",
)


def pushed_hard(route: Route) -> bool:
    if not route.name.startswith("admin:"):
        return True
    return route.name.endswith(ADMIN_PAGES_PUSHED) or "autocomplete" in route.name


PERSONAS = {
    "app": ("visitor", "alice", "bob", "carol", "staff", "forged"),
    "accounts": ("visitor", "alice", "staff", "forged"),
    "admin": ("visitor", "alice", "staff", "forged"),
}
OWNER = {"app": "alice", "accounts": "alice", "admin": "staff"}


def forged_client() -> Client:
    """A browser whose cookies were written by hand."""
    client = Client(raise_request_exception=True)
    client.cookies["sessionid"] = "\x00" * 32
    client.cookies["csrftoken"] = "\x00\xff"
    client.cookies["theme"] = "dark\x00"
    client.cookies["messages"] = "W10:\x00"
    return client


@pytest.mark.parametrize("group", ["app", "accounts", "admin"])
def test_no_address_and_no_input_gives_a_server_error(
    group, recorded, django_capture_on_commit_callbacks
):
    values, clients = build_world(django_capture_on_commit_callbacks)
    clients["forged"] = forged_client()
    fuzzer = Fuzzer(clients, django_capture_on_commit_callbacks)
    recorded["fuzzer"] = fuzzer
    chosen = [route for route in routes() if group_of(route) == group]
    assert chosen
    personas = PERSONAS[group]
    # First every page as each persona sees it: their forms, what they read,
    # and who may use it (a page for visitors sends members elsewhere).
    plan = []
    for route in chosen:
        real = real_values(route, values)
        path = route.path(real)
        reads = set()
        statuses = {}
        for persona in personas:
            statuses[persona], names = fuzzer.discover(persona, path)
            reads |= names
        owner = OWNER[group]
        if statuses[owner] in {301, 302} and statuses["visitor"] == 200:
            owner = "visitor"
        plan.append((route, real, path, reads, owner))
    followed = fuzzer.follow_links()
    for route, real, path, reads, owner in plan:
        reads |= followed.get(path, set()) | fuzzer.query_names.get(path, set())
        post_reads = fuzzer.post_reads(owner, path)
        for persona in personas:
            thorough = persona == owner and pushed_hard(route)
            level = Level.of(thorough=thorough, light=group == "admin")
            fuzzer.attack_get(persona, path, reads, level=level)
            fuzzer.attack_post(persona, path, post_reads, level=level)
        fuzzer.attack_path(owner, route, real, post=group != "admin")
        fuzzer.attack_links(path)
    if group == "accounts":
        fuzzer.sign_in_with_hostile_extras()
    assert fuzzer.sent > 100
    assert not fuzzer.failures, (
        f"{len(fuzzer.failures)} of {fuzzer.sent} requests failed:\n"
        + "\n".join(fuzzer.failures)
    )
