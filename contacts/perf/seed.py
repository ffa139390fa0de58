"""Data at benchmark scale: sizes, named members and the seeding steps.

`manage.py seed_perf` runs every registered step in registration order
(members first) in one transaction, runs ANALYZE (VACUUM ANALYZE on
PostgreSQL), then records a fingerprint of what it built: size, seed, the
source of each step and the applied migrations. The next run finds the same
fingerprint and reuses the database as it is; any change to one of them
rebuilds it from scratch.

A feature adds its data by registering a step below the ones it depends on:

    @seed_step("connections", big_tables=("connections_connection",))
    def seed_connections(ctx: SeedContext) -> int:
        rng = ctx.rng("connections")
        return ctx.bulk(Connection, (Connection(...) for ... in ...))

A step returns the number of rows it created. It must be deterministic for a
given seed: draw only from `ctx.rng(<step name>)` and date rows relative to
`ctx.now`.
"""

import functools
import hashlib
import inspect
import json
import os
import random
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from itertools import batched
from pathlib import Path
from typing import TextIO

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import OperationalError, connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from connections.services.members import handle_slug

BATCH_SIZE = 500
BENCH_PASSWORD = "rapport-bench"  # noqa: S105 - every seeded member shares it
EMAIL_DOMAIN = "bench.example.org"
FINGERPRINT_TABLE = "bench_fingerprint"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Size:
    """How much data a benchmark size holds (issue 9, "Data")."""

    name: str
    members: int
    connections: int  # pairs of members, stored as two rows each
    hub_connections: int
    big_members: int  # members with `big_connections` connections each
    big_connections: int
    typical_connections: int
    full_page: int  # a little more than one page (50) of each list of a role
    addressbook_contacts: int
    typical_contacts: int  # exactly one full page of the contacts list
    thread_messages: int
    pending_invitations: int
    conversations: int


SIZES = {
    # Every list a little longer than a page, for the test suite.
    "tiny": Size(
        name="tiny",
        members=400,
        connections=1_500,
        hub_connections=120,
        big_members=2,
        big_connections=60,
        typical_connections=60,
        full_page=60,
        addressbook_contacts=130,
        typical_contacts=50,
        thread_messages=130,
        pending_invitations=60,
        conversations=30,
    ),
    # The hub cannot have 30,000 connections among 20,000 members: at this
    # size it has 19,000, which leaves 1,000 members to suggest to it.
    "ci": Size(
        name="ci",
        members=20_000,
        connections=200_000,
        hub_connections=19_000,
        big_members=10,
        big_connections=5_000,
        typical_connections=120,
        full_page=60,
        addressbook_contacts=25_000,
        typical_contacts=50,
        thread_messages=40_000,
        pending_invitations=500,
        conversations=2_000,
    ),
    "full": Size(
        name="full",
        members=100_000,
        connections=2_500_000,
        hub_connections=30_000,
        big_members=10,
        big_connections=5_000,
        typical_connections=120,
        full_page=60,
        addressbook_contacts=25_000,
        typical_contacts=50,
        thread_messages=40_000,
        pending_invitations=500,
        conversations=2_000,
    ),
}


# The members pages are viewed by or about, by role. Every size has them all;
# the steps give each its data (a role whose data no step creates yet is an
# ordinary member).
ROLES = {
    "hub": ("bench-hub", "Hana Hubbard", "The most connected member"),
    "typical": ("bench-typical", "Theo Typical", "A typical member"),
    "single": ("bench-single", "Sol Single", "One row of everything"),
    "addressbook": (
        "bench-addressbook",
        "Ada Addressbook",
        "Keeps the largest address book",
    ),
    "inbox": ("bench-inbox", "Ines Inbox", "Pending invitations and conversations"),
    "talker": ("bench-talker", "Tal Talker", "The other side of the longest thread"),
    "staff": ("bench-staff", "Stella Staff", "Works the moderation queue"),
}
BIG_ROLE_PREFIX = "big-"  # "big-01"… "big-10": `big_connections` each


def role_names(size: Size) -> list[str]:
    """Every role of a size, in the order their members are created."""
    return [
        *ROLES,
        *(f"{BIG_ROLE_PREFIX}{n:02d}" for n in range(1, size.big_members + 1)),
    ]


def role_handle(role: str) -> str:
    """The handle of the member playing a role (`bench-hub`, `bench-big-03`)."""
    if role in ROLES:
        return ROLES[role][0]
    if role.startswith(BIG_ROLE_PREFIX):
        return f"bench-{role}"
    raise KeyError(role)


def member_email(handle: str) -> str:
    return f"{handle}@{EMAIL_DOMAIN}"


@dataclass
class SeedContext:
    """What every step gets: the size, the seed and what earlier steps made."""

    size: Size
    seed: int
    now: datetime
    stdout: TextIO | None = None
    password_hash: str = ""
    member_ids: list[int] = field(default_factory=list)
    roles: dict[str, int] = field(default_factory=dict)
    shared: dict = field(default_factory=dict)  # what a step leaves for later ones

    @property
    def ordinary(self) -> list[int]:
        """The members who play no role, by primary key."""
        return self.member_ids[len(self.roles) :]

    def ago(self, rng: random.Random, *, days: float, at_least: float = 0) -> datetime:
        """A moment between `at_least` and `days` days before `now`."""
        minutes = rng.uniform(at_least * 24 * 60, days * 24 * 60)
        return self.now - timedelta(minutes=minutes)

    def rng(self, step: str) -> random.Random:
        """A generator of its own per step, so adding a step changes no other."""
        return random.Random(f"{self.seed}:{step}")

    def bulk(self, model, objects: Iterable, *, keep: bool = False):
        """Insert in batches of 500; the count, or the saved objects if `keep`."""
        saved, count = [], 0
        for batch in batched(objects, BATCH_SIZE, strict=False):
            created = model.objects.bulk_create(batch, batch_size=BATCH_SIZE)
            count += len(created)
            if keep:
                saved.extend(created)
        return saved if keep else count

    def insert(self, model, fields: list[str], rows: Iterable[tuple]) -> int:
        """Insert plain tuples of `fields` in batches of 500; the count.

        No model instances: every other column takes its field's default,
        datetimes are adapted as the ORM would. For the tables of millions
        of rows, where building instances costs more than writing them.
        """
        opts = model._meta
        named = [opts.get_field(name) for name in fields]
        rest = [
            f
            for f in opts.concrete_fields
            if not f.primary_key and f not in named and not f.null
        ]
        defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest)
        adapt = connection.ops.adapt_datetimefield_value
        moments = [
            n for n, f in enumerate(named) if isinstance(f, models.DateTimeField)
        ]
        columns = ", ".join(
            connection.ops.quote_name(f.column) for f in [*named, *rest]
        )
        marks = ", ".join(["%s"] * (len(named) + len(rest)))
        sql = (
            f"INSERT INTO {connection.ops.quote_name(opts.db_table)} "  # noqa: S608
            f"({columns}) VALUES ({marks})"
        )
        count = 0
        with connection.cursor() as cursor:
            for batch in batched(rows, BATCH_SIZE, strict=False):
                if moments:
                    batch = [list(row) for row in batch]
                    for row in batch:
                        for n in moments:
                            row[n] = adapt(row[n])
                cursor.executemany(sql, [(*row, *defaults) for row in batch])
                count += len(batch)
        return count

    def say(self, text: str) -> None:
        if self.stdout is not None:
            self.stdout.write(text)


@dataclass(frozen=True)
class SeedStep:
    name: str
    run: Callable[[SeedContext], int]
    big_tables: tuple[str, ...] = ()


STEPS: list[SeedStep] = []


def seed_step(name: str, *, big_tables: Iterable[str] = ()):
    """Register a seeding step; steps run in the order they are registered."""

    def register(function):
        if any(step.name == name for step in STEPS):
            raise ValueError(f"A seeding step named {name!r} already exists.")
        STEPS.append(SeedStep(name, function, tuple(big_tables)))
        return function

    return register


def big_tables() -> set[str]:
    """Tables large enough that a sequential scan on them is a defect."""
    return {table for step in STEPS for table in step.big_tables}


# --- Steps -----------------------------------------------------------------


@functools.cache
def name_pools(seed: int) -> tuple[list[str], list[str], list[str]]:
    """First names, last names and headlines drawn once from a seeded Faker."""
    from faker import Faker

    faker = Faker(["en_US", "en_GB", "fr_FR", "de_DE", "es_ES"])
    faker.seed_instance(seed)
    firsts = sorted({faker.first_name() for _ in range(600)})
    lasts = sorted({faker.last_name() for _ in range(900)})
    headlines = sorted(
        {f"{faker.job()} at {faker.company()}"[:120] for _ in range(400)}
    )
    return firsts, lasts, headlines


@seed_step("members", big_tables=("connections_user", "account_emailaddress"))
def seed_members(ctx: SeedContext) -> int:
    """The members: the roles first, then people with ordinary names.

    Every one has a verified primary email and the password `rapport-bench`,
    hashed once. Handles are unique by construction (`name-<index>`).
    """
    User = get_user_model()
    rng = ctx.rng("members")
    firsts, lasts, headlines = name_pools(ctx.seed)
    roles = role_names(ctx.size)
    if ctx.size.members < len(roles):
        raise ValueError(f"A size needs at least {len(roles)} members.")
    one_year = 365 * 24 * 60

    def people():
        for index in range(ctx.size.members):
            if index < len(roles):
                role = roles[index]
                handle = role_handle(role)
                if role in ROLES:
                    name, headline = ROLES[role][1:]
                else:
                    name = f"Bea Big {role.removeprefix(BIG_ROLE_PREFIX)}"
                    headline = "One of the ten most connected members"
            else:
                name = f"{rng.choice(firsts)} {rng.choice(lasts)}"
                stem = handle_slug(name)[:22].strip("-") or "member"
                handle = f"{stem}-{index}"
                headline = rng.choice(headlines) if rng.random() < 0.8 else ""
            yield User(
                email=member_email(handle),
                handle=handle,
                display_name=name,
                headline=headline,
                password=ctx.password_hash,
                date_joined=ctx.now - timedelta(minutes=rng.randrange(one_year)),
            )

    members = ctx.bulk(User, people(), keep=True)
    ctx.member_ids = [member.pk for member in members]
    ctx.shared["emails"] = [member.email for member in members]
    ctx.roles = dict(zip(roles, ctx.member_ids, strict=False))
    ctx.bulk(
        EmailAddress,
        (
            EmailAddress(
                user_id=member.pk, email=member.email, verified=True, primary=True
            )
            for member in members
        ),
    )
    return len(members)


@seed_step(
    "profiles",
    big_tables=("connections_profile", "connections_membersearchterm"),
)
def seed_profiles(ctx: SeedContext) -> int:
    """Search words for every member; a profile for each, full ones for roles.

    Every member is indexed for member search under their name, handle and
    headline, as the services index them. Each role gets every field and
    three positions; ordinary members a location and, one in ten, two
    positions. Audiences are the defaults.
    """
    from connections.models import MemberSearchTerm, Profile, WorkEntry
    from connections.search import search_terms

    rng = ctx.rng("profiles")
    role_ids = set(ctx.roles.values())
    members = list(
        get_user_model()
        .objects.order_by("pk")
        .values_list("pk", "display_name", "handle", "headline")
    )
    cities = ["Lyon", "Lagos", "Leeds", "Lima", "Lisbon", "Osaka", "Oslo", "Perth"]

    def terms():
        for pk, name, handle, headline in members:
            for term in sorted(search_terms(name, handle, headline)):
                yield MemberSearchTerm(member_id=pk, term=term)

    def profiles():
        for pk, name, handle, _headline in members:
            full = pk in role_ids
            yield Profile(
                member_id=pk,
                location=rng.choice(cities),
                about=f"Hello, I am {name}.\n\nI like long walks." if full else "",
                website=f"https://{handle}.example.org/" if full else "",
                emails=[member_email(handle)] if full else [],
                phone=f"+1 555 01{rng.randrange(100):02d}" if full else "",
                birthday_day=rng.randrange(1, 29) if full else None,
                birthday_month=rng.randrange(1, 13) if full else None,
            )

    def positions():
        for pk, *_rest in members:
            count = 3 if pk in role_ids else (2 if rng.random() < 0.1 else 0)
            for n in range(count):
                start = ctx.now.date().replace(day=1) - timedelta(days=900 * (n + 1))
                end = (start + timedelta(days=800)).replace(day=1)
                yield WorkEntry(
                    member_id=pk,
                    organization=f"Company {rng.randrange(500)}",
                    title=rng.choice(["Engineer", "Designer", "Manager", "Analyst"]),
                    started=start,
                    ended=None if n == 0 else end,
                )

    count = ctx.bulk(MemberSearchTerm, terms())
    count += ctx.bulk(Profile, profiles())
    count += ctx.bulk(WorkEntry, positions())
    return count


def pair(a: int, b: int) -> int:
    """One key per unordered pair of members."""
    return (a << 32) | b if a < b else (b << 32) | a


class Pairs:
    """The pairs a step linked, refusing self-links and pairs already taken."""

    def __init__(self, *taken: "Pairs"):
        self.keys: dict[int, object] = {}
        self.taken = taken

    def __len__(self):
        return len(self.keys)

    def __contains__(self, key: int) -> bool:
        return key in self.keys

    def free(self, a: int, b: int) -> bool:
        key = pair(a, b)
        return (
            a != b
            and key not in self.keys
            and not any(key in other for other in self.taken)
        )

    def add(self, a: int, b: int, value=None) -> bool:
        if not self.free(a, b):
            return False
        self.keys[pair(a, b)] = value
        return True


def strangers(ctx, rng, member: int, count: int, *avoid: Pairs) -> list[int]:
    """`count` ordinary members with no pair with `member` in any of `avoid`."""
    chosen, seen = [], set()
    pool = ctx.ordinary
    while len(chosen) < count and len(seen) < len(pool):
        other = rng.choice(pool)
        if other in seen:
            continue
        seen.add(other)
        if all(pair(member, other) not in pairs for pairs in avoid):
            chosen.append(other)
    return chosen


@seed_step("connections", big_tables=("connections_connection",))
def seed_connections(ctx: SeedContext) -> int:
    """Two rows per pair: the hub, the big members, each role, then at random.

    The hub has `hub_connections`, each big member `big_connections`, the
    typical member `typical_connections`, the single member one, the inbox as
    many as it has conversations (one with the talker); the rest are pairs of
    ordinary members drawn at random until the size's count is reached.
    """
    from connections.models import Connection

    size, rng, roles = ctx.size, ctx.rng("connections"), ctx.roles
    pool = ctx.ordinary
    linked = Pairs()
    ctx.shared["connected"] = linked

    three_years = 3 * 365 * 24 * 60  # minutes; ints weigh less than datetimes

    def connect(member: int, count: int) -> None:
        for other in rng.sample(pool, min(count, len(pool))):
            linked.add(member, other, rng.randrange(three_years))

    connect(roles["hub"], size.hub_connections)
    for role in roles:
        if role.startswith(BIG_ROLE_PREFIX):
            connect(roles[role], size.big_connections)
    connect(roles["typical"], size.typical_connections)
    connect(roles["single"], 1)
    connect(roles["inbox"], size.conversations - 1)
    linked.add(roles["inbox"], roles["talker"], rng.randrange(three_years))
    connect(roles["addressbook"], 20)
    while len(linked) < size.connections:
        linked.add(rng.choice(pool), rng.choice(pool), rng.randrange(three_years))

    def rows():
        for key, minutes in linked.keys.items():
            a, b = key >> 32, key & 0xFFFFFFFF
            created = ctx.now - timedelta(minutes=minutes)
            yield a, b, created
            yield b, a, created

    with indexes_dropped(Connection):
        return ctx.insert(Connection, ["member", "other", "created"], rows())


@seed_step("invitations", big_tables=("connections_connectionrequest",))
def seed_invitations(ctx: SeedContext) -> int:
    """Pending invitations for the roles, and a history between others.

    The inbox received `pending_invitations`; the typical member and the hub
    received and sent a little more than a page each, the single member one
    each way. A tenth as many requests as connections make the history, a
    third of them still pending. Nobody invites someone they are connected to,
    and a pair has at most one pending request.
    """
    from connections.models import ConnectionRequest

    size, rng, roles = ctx.size, ctx.rng("invitations"), ctx.roles
    connected = ctx.shared["connected"]
    pending = Pairs(connected)
    ctx.shared["pending"] = pending
    answered = []
    Status = ConnectionRequest.Status
    closed = [Status.IGNORED, Status.WITHDRAWN, Status.EXPIRED, Status.DECLINED_UNKNOWN]

    def invite(sender: int, recipient: int) -> None:
        pending.add(sender, recipient, (sender, recipient, ctx.ago(rng, days=80)))

    for role, received, sent in (
        ("inbox", size.pending_invitations, 0),
        ("typical", size.full_page, size.full_page),
        ("hub", size.full_page, size.full_page),
        ("single", 1, 1),
    ):
        member = roles[role]
        others = strangers(ctx, rng, member, received + sent, connected, pending)
        for other in others[:received]:
            invite(other, member)
        for other in others[received:]:
            invite(member, other)
    pool = ctx.ordinary
    history = size.connections // 10
    while len(pending) + len(answered) < history:
        sender, recipient = rng.choice(pool), rng.choice(pool)
        if rng.random() < 1 / 3:
            invite(sender, recipient)
        elif sender != recipient and pair(sender, recipient) not in connected:
            created = ctx.ago(rng, days=400, at_least=30)
            answered.append((sender, recipient, created, rng.choice(closed)))

    def rows():
        for sender, recipient, created in pending.keys.values():
            yield ConnectionRequest(
                sender_id=sender, recipient_id=recipient, created=created
            )
        for sender, recipient, created, status in answered:
            yield ConnectionRequest(
                sender_id=sender,
                recipient_id=recipient,
                created=created,
                status=status,
                responded=created + timedelta(days=rng.uniform(0.1, 20)),
            )

    return ctx.bulk(ConnectionRequest, rows())


@seed_step("blocks", big_tables=("connections_block",))
def seed_blocks(ctx: SeedContext) -> int:
    """A page of blocks for the typical member and the hub, one for the single
    member, and one block per twenty members between others."""
    from connections.models import Block

    size, rng, roles = ctx.size, ctx.rng("blocks"), ctx.roles
    taken = (ctx.shared["connected"], ctx.shared["pending"])
    blocks = Pairs(*taken)
    for role, count in (("typical", size.full_page), ("hub", size.full_page)):
        for other in strangers(ctx, rng, roles[role], count, *taken, blocks):
            blocks.add(roles[role], other, (roles[role], other))
    for other in strangers(ctx, rng, roles["single"], 1, *taken, blocks):
        blocks.add(roles["single"], other, (roles["single"], other))
    pool = ctx.ordinary
    target = len(blocks) + size.members // 20
    while len(blocks) < target:
        blocker, blocked = rng.choice(pool), rng.choice(pool)
        blocks.add(blocker, blocked, (blocker, blocked))
    return ctx.bulk(
        Block,
        (
            Block(
                blocker_id=blocker, blocked_id=blocked, created=ctx.ago(rng, days=365)
            )
            for blocker, blocked in blocks.keys.values()
        ),
    )


@seed_step("email-invitations")
def seed_email_invitations(ctx: SeedContext) -> int:
    """Open invitations by email: a page for the typical member and the hub."""
    from connections.models import EmailInvitation

    size, rng, roles = ctx.size, ctx.rng("email-invitations"), ctx.roles
    rows = []
    for role, count in (
        ("typical", size.full_page),
        ("hub", size.full_page),
        ("single", 1),
    ):
        for n in range(count):
            created = ctx.ago(rng, days=20)
            token = f"{ctx.seed}:{role}:{n}".encode()
            rows.append(
                EmailInvitation(
                    inviter_id=roles[role],
                    email=f"guest-{role}-{n}@invited.example.org",
                    name=f"Guest {n}",
                    token_hash=hashlib.sha256(token).hexdigest(),
                    created=created,
                    expires=created + timedelta(days=30),
                )
            )
    return ctx.bulk(EmailInvitation, rows)


CONTACT_STEP_TABLES = (
    "contacts_contact",
    "contacts_contactemail",
    "contacts_contactphone",
    "contacts_contactlabel",
    "contacts_contactphoto",
)
LABEL_NAMES = [
    "Family", "Friends", "Work", "Clients", "Book club", "Neighbours",
    "Running club", "School", "Suppliers", "Volunteers", "Choir", "Alumni",
]  # fmt: skip


@seed_step("contacts", big_tables=CONTACT_STEP_TABLES)
def seed_contacts(ctx: SeedContext) -> int:
    """Address books: the big one, a page for the typical member and the hub,
    one card for the single member, and twenty cards for every twentieth
    ordinary member.

    Seven cards in ten have an email, half a phone; one in twelve carries the
    email of a member (shown "On Rapport"), one in twenty is a favourite, one
    in a hundred is in the Trash (the big book only), and labels are spread
    over them. One card in ten of the big book has a photo (one picture for
    all: what is measured is reading and serving it, not making it). Names,
    sort keys and search text are derived as the services derive them.
    """
    from connections.demo import silhouette
    from contacts.models import (
        AddressBook,
        Contact,
        ContactEmail,
        ContactLabel,
        ContactPhone,
        ContactPhoto,
        Label,
    )
    from contacts.services.photos import photo_pictures

    size, rng, roles = ctx.size, ctx.rng("contacts"), ctx.roles
    firsts, lasts, headlines = name_pools(ctx.seed)
    member_emails = ctx.shared["emails"]
    books = [
        (roles["addressbook"], size.addressbook_contacts, 12),
        (roles["typical"], size.typical_contacts, 4),
        (roles["hub"], size.typical_contacts, 4),
        (roles["single"], 1, 1),
    ]
    books += [(owner, 20, 2) for owner in ctx.ordinary[::20]]
    labels = [
        Label(owner_id=owner, name=name, created=ctx.ago(rng, days=900))
        for owner, _, count in books
        for name in LABEL_NAMES[:count]
    ]
    ctx.bulk(Label, labels)
    labels_of = {}
    for label in Label.objects.filter(owner_id__in=[owner for owner, _, _ in books]):
        labels_of.setdefault(label.owner_id, []).append(label.pk)
    ctx.bulk(
        AddressBook,
        (AddressBook(owner_id=owner, created=ctx.now) for owner, _, _ in books),
    )

    pictures = photo_pictures(silhouette((214, 228, 240), (70, 96, 140)))

    def cards():
        for owner, count, _ in books:
            big_book = owner == roles["addressbook"]
            for n in range(count):
                given, family = rng.choice(firsts), rng.choice(lasts)
                emails, phones = [], []
                if rng.random() < 1 / 12:
                    emails.append(rng.choice(member_emails))
                elif rng.random() < 0.7:
                    local = handle_slug(f"{given}.{family}").replace("-", ".")
                    emails.append(f"{local or 'someone'}.{n}@mail.example.net")
                if rng.random() < 0.5:
                    number = f"{rng.randrange(10_000):04d}"
                    phones.append((f"+1 202-555-{number}", f"+1202555{number}"))
                created = ctx.ago(rng, days=5 * 365)
                contact = Contact(
                    owner_id=owner,
                    given_name=given,
                    family_name=family,
                    organization=rng.choice(headlines).partition(" at ")[2]
                    if rng.random() < 0.4
                    else "",
                    is_favorite=rng.random() < 0.05,
                    created=created,
                    updated=created,
                    deleted_at=ctx.ago(rng, days=25)
                    if big_book and n % 100 == 99
                    else None,
                )
                if big_book and n % 10 == 3:
                    contact.photo_key = f"{n:016x}"
                if rng.random() < 0.2:
                    contact.birthday_day = rng.randint(1, 28)
                    contact.birthday_month = rng.randint(1, 12)
                contact.derive_names(emails=emails, phones=phones)
                chosen = rng.sample(
                    labels_of[owner],
                    k=min(rng.choice((0, 0, 1, 2)), len(labels_of[owner])),
                )
                yield contact, emails, phones, chosen

    created = 0
    for batch in batched(cards(), BATCH_SIZE, strict=False):
        contacts = Contact.objects.bulk_create(
            [card[0] for card in batch], batch_size=BATCH_SIZE
        )
        created += len(contacts)
        emails, phones, links = [], [], []
        for contact, (_, addresses, numbers, chosen) in zip(
            contacts, batch, strict=True
        ):
            label = DETAIL_LABELS[contact.pk % len(DETAIL_LABELS)]
            emails += [
                ContactEmail(contact_id=contact.pk, value=value, label=label)
                for value in addresses
            ]
            phones += [
                ContactPhone(
                    contact_id=contact.pk, value=typed, e164=e164, label="mobile"
                )
                for typed, e164 in numbers
            ]
            links += [ContactLabel(contact_id=contact.pk, label_id=pk) for pk in chosen]
        created += ctx.bulk(ContactEmail, emails)
        created += ctx.bulk(ContactPhone, phones)
        created += ctx.bulk(ContactLabel, links)
        created += ctx.bulk(
            ContactPhoto,
            (
                ContactPhoto(contact_id=contact.pk, **pictures)
                for contact in contacts
                if contact.photo_key
            ),
        )
    return created


DETAIL_LABELS = ("home", "work", "other")


MESSAGE_LINES = [
    "Hi! Are you free for a call this week?",
    "Thanks, that helps a lot.",
    "I'll send you the notes after the meeting.",
    "Sounds good to me.",
    "Did you see the slides? https://example.org/slides",
    "Let's meet at the café on Tuesday at 10.",
    "Happy to help — ping me any time.",
    "Could you introduce me to your colleague?\nShe works on the same project.",
]


@seed_step(
    "messages",
    big_tables=(
        "connections_message",
        "connections_conversation",
        "connections_conversationmember",
    ),
)
def seed_messages(ctx: SeedContext) -> int:
    """The longest thread, the inbox's conversations and a page for the others.

    The inbox and the talker exchange `thread_messages` messages, about
    thirteen minutes apart over the last year; the inbox also has a
    conversation with each of its other connections (`conversations` in all;
    three messages each, one in ten unread); the typical member has a little
    more than a page of them, the single member one. Sides, last messages and read
    marks are written as the send service writes them.
    """
    from connections.models import Conversation, ConversationMember, Message

    size, rng, roles = ctx.size, ctx.rng("messages"), ctx.roles
    connected = ctx.shared["connected"]
    inbox, talker = roles["inbox"], roles["talker"]

    def partners(role: str, count: int) -> list[int]:
        member = roles[role]
        found = []
        for key in connected.keys:
            a, b = key >> 32, key & 0xFFFFFFFF
            if member in (a, b):
                found.append(b if a == member else a)
        found.sort()
        return found[:count]

    # (member, other, number of messages, whether the member left the last unread)
    threads = [(inbox, talker, size.thread_messages, False)]
    threads += [
        (inbox, other, 3, n % 10 == 0)
        for n, other in enumerate(partners("inbox", size.conversations))
        if other != talker
    ]
    threads += [(roles["typical"], o, 3, False) for o in partners("typical", 60)]
    threads += [(roles["single"], o, 1, False) for o in partners("single", 1)]

    conversations = ctx.bulk(
        Conversation,
        (
            Conversation(
                member_low_id=min(a, b), member_high_id=max(a, b), created=ctx.now
            )
            for a, b, _, _ in threads
        ),
        keep=True,
    )
    minute = timedelta(minutes=1)
    plans = []
    for conversation, (a, b, count, _) in zip(conversations, threads, strict=True):
        if count > 100:
            step, end = 13 * minute, ctx.now - rng.randrange(60, 600) * minute
        else:
            step = rng.randrange(5, 600) * minute
            end = ctx.ago(rng, days=365)
        plans.append((conversation, a, b, count, end - step * count, step))

    def messages():
        for conversation, a, b, count, start, step in plans:
            for n in range(count):
                yield Message(
                    conversation_id=conversation.pk,
                    sender_id=(b, a)[n % 2] if count > 1 else b,
                    body=rng.choice(MESSAGE_LINES),
                    created=start + step * (n + 1),
                    client_token=f"seed-{conversation.pk}-{n}",
                )

    saved = ctx.bulk(Message, messages(), keep=True)
    last_two = {}
    for message in saved:
        pair = last_two.setdefault(message.conversation_id, [None, None])
        pair[0], pair[1] = pair[1], message
    for conversation in conversations:
        conversation.last_message_id = last_two[conversation.pk][1].pk
    Conversation.objects.bulk_update(
        conversations, ["last_message"], batch_size=BATCH_SIZE
    )

    def sides():
        for conversation, (a, b, _, unread) in zip(conversations, threads, strict=True):
            before_last, last = last_two[conversation.pk]
            a_unread = unread and last.sender_id == b
            for member, other, left_unread in ((a, b, a_unread), (b, a, False)):
                yield ConversationMember(
                    conversation_id=conversation.pk,
                    member_id=member,
                    other_id=other,
                    last_activity=last.created,
                    unread_count=1 if left_unread else 0,
                    last_read_id=before_last.pk if left_unread else last.pk,
                )

    return len(saved) + len(conversations) + ctx.bulk(ConversationMember, sides())


UPDATE_STEP_TABLES = (
    "connections_update",
    "connections_feedentry",
    "connections_like",
    "connections_comment",
    "connections_interaction",
)


@seed_step("updates", big_tables=UPDATE_STEP_TABLES)
def seed_updates(ctx: SeedContext) -> int:
    """Updates, their feeds, likes and comments; depth for the hub and typical.

    One member in twenty posts (half of them connections of the hub, every
    connection of the typical member up to sixty, the single member's one
    connection), three updates each over the last 60 days, written to the
    feed of the author and of each of their connections as posting does.
    Each update gets up to two likes and a comment from the author's
    connections, recorded as interactions; the hub and the typical member
    also have a history of interactions with many of their connections. The
    depth of each pair is computed from its interactions as the services do,
    and one in seven of the hub's connections is close, one in eleven
    professional (for Losing touch).
    """
    from connections.models import (
        Comment,
        Connection,
        FeedEntry,
        Interaction,
        Like,
        Update,
    )
    from connections.selectors.depth import growth, pair_depth

    size, rng, roles = ctx.size, ctx.rng("updates"), ctx.roles
    linked = ctx.shared["connected"]
    hub, typical, single = roles["hub"], roles["typical"], roles["single"]
    neighbours: dict[int, list[int]] = {hub: [], typical: [], single: []}
    for key in linked.keys:
        a, b = key >> 32, key & 0xFFFFFFFF
        for one, other in ((a, b), (b, a)):
            if one in neighbours:
                neighbours[one].append(other)
    hub_friends = sorted(neighbours[hub])
    typical_friends = sorted(neighbours[typical])
    wanted = max(60, size.members // 20)
    authors = set(rng.sample(hub_friends, min(wanted // 2, len(hub_friends))))
    authors.update(typical_friends[:60])
    authors.update(neighbours[single])
    authors.add(typical)
    others = [member for member in ctx.ordinary if member not in authors]
    authors.update(rng.sample(others, max(0, wanted - len(authors))))
    for author in authors:
        neighbours.setdefault(author, [])
    for key in linked.keys:
        a, b = key >> 32, key & 0xFFFFFFFF
        if a in authors and a not in (hub, typical, single):
            neighbours[a].append(b)
        if b in authors and b not in (hub, typical, single):
            neighbours[b].append(a)

    weights = settings.RAPPORT_DEPTH_WEIGHTS
    given: dict[tuple[int, int], float] = {}
    last: dict[int, datetime] = {}
    ledger: list = []

    def interact(actor: int, target: int, kind: str, at: datetime, source=""):
        given[(actor, target)] = given.get((actor, target), 0.0) + weights[
            kind
        ] * growth(at)
        key = pair(actor, target)
        last[key] = max(last.get(key, at), at)
        ledger.append(
            Interaction(
                actor_id=actor, target_id=target, kind=kind, created=at, source=source
            )
        )

    updates = []
    for author in sorted(authors):
        for _ in range(3):
            updates.append(
                Update(
                    author_id=author,
                    text=rng.choice(UPDATE_TEXTS),
                    audience="public" if rng.random() < 0.3 else "connections",
                    created=ctx.ago(rng, days=60),
                )
            )
    updates = ctx.bulk(Update, updates, keep=True)
    created = len(updates)

    def entries():
        for update in updates:
            yield FeedEntry(
                member_id=update.author_id, update_id=update.pk, created=update.created
            )
            for member in neighbours[update.author_id]:
                yield FeedEntry(
                    member_id=member, update_id=update.pk, created=update.created
                )

    created += ctx.bulk(FeedEntry, entries())
    likes, comments = [], []
    for update in updates:
        friends = neighbours[update.author_id]
        if not friends:
            continue
        for liker in {rng.choice(friends) for _ in range(2)}:
            at = update.created + timedelta(minutes=rng.randrange(1, 600))
            likes.append(Like(update_id=update.pk, member_id=liker, created=at))
            interact(liker, update.author_id, "like", at, f"like:{update.pk}")
        commenter = rng.choice(friends)
        at = update.created + timedelta(minutes=rng.randrange(1, 600))
        comments.append(
            Comment(
                update_id=update.pk,
                author_id=commenter,
                text=rng.choice(COMMENT_TEXTS),
                created=at,
            )
        )
        interact(commenter, update.author_id, "comment", at)
    created += ctx.bulk(Like, likes)
    created += ctx.bulk(Comment, comments)
    # A history with many connections of the hub and of the typical member.
    for member, friends in ((hub, hub_friends[:2000]), (typical, typical_friends)):
        for friend in friends:
            for _ in range(rng.randrange(1, 6)):
                actor, target = (
                    (member, friend) if rng.random() < 0.5 else (friend, member)
                )
                kind = rng.choice(("message", "message", "comment", "like"))
                interact(actor, target, kind, ctx.ago(rng, days=240))
    created += ctx.bulk(Interaction, ledger)

    # The score on both rows of each pair, and the hub's private kinds.
    involved = sorted({member for key in given for member in key} | {hub})
    changed = []
    for chunk in batched(involved, BATCH_SIZE, strict=False):
        for row in Connection.objects.filter(member_id__in=chunk).only(
            "pk", "member_id", "other_id"
        ):
            mine = given.get((row.member_id, row.other_id), 0.0)
            theirs = given.get((row.other_id, row.member_id), 0.0)
            kind = ""
            if row.member_id == hub:
                kind = (
                    "close"
                    if row.other_id % 7 == 0
                    else ("professional" if row.other_id % 11 == 0 else "")
                )
            if not (mine or theirs or kind):
                continue
            row.depth_given = mine
            row.depth = pair_depth(mine, theirs)
            row.last_interaction = last.get(pair(row.member_id, row.other_id))
            row.kind = kind
            changed.append(row)
    Connection.objects.bulk_update(
        changed,
        ["depth_given", "depth", "last_interaction", "kind"],
        batch_size=BATCH_SIZE,
    )
    return created


UPDATE_TEXTS = (
    "Excited to share that our team shipped the new release today.",
    "We're hiring! Ping me if you know someone great: https://example.org/jobs",
    "Slides from yesterday's talk are up: https://example.org/slides",
    "Three things I learned organising our first meetup.",
    "Looking for recommendations: a good book on negotiation?",
    "Back from a week off, and the inbox is winning.",
)
COMMENT_TEXTS = (
    "Congratulations!",
    "Great news, well done.",
    "Thanks for sharing.",
    "I'd be happy to help.",
)


# --- Building and reusing a seeded database --------------------------------


@contextmanager
def indexes_dropped(model) -> Iterator[None]:
    """Drop a table's secondary indexes for a bulk load, then build them again.

    One sorted build per index costs far less than millions of inserts into
    each. The indexes behind the primary key and unique constraints stay, so
    the data is checked as it is written.
    """
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master "
                "WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                [table],
            )
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes "
                "WHERE tablename = %s AND indexname NOT IN ("
                "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
                [table, table],
            )
        else:
            cursor.execute("SELECT 1 WHERE 1 = 0")
        indexes = sorted(cursor.fetchall())
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # PostgreSQL builds no index on a table with foreign key checks
                # still deferred: run them now, and defer the next ones again.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for _name, sql in indexes:
                cursor.execute(sql)
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@contextmanager
def fast_sqlite() -> Iterator[None]:
    """While seeding SQLite: a large page cache, no fsync, sorts in memory.

    The data is rebuilt from scratch if a seed fails, so durability buys
    nothing here; the settings are put back afterwards.
    """
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    pragmas = {"cache_size": -1_000_000, "synchronous": 0, "temp_store": 2}
    with connection.cursor() as cursor:
        saved = {}
        for name, value in pragmas.items():
            cursor.execute(f"PRAGMA {name}")
            saved[name] = cursor.fetchone()[0]
            cursor.execute(f"PRAGMA {name} = {int(value)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for name, value in saved.items():
                cursor.execute(f"PRAGMA {name} = {int(value)}")


def fingerprint(size: Size, seed: int) -> dict:
    """What the data depends on; a database with the same one is reused."""
    applied = sorted(
        f"{app}.{name}"
        for app, name in MigrationRecorder(connection).applied_migrations()
    )
    return {
        "format": FORMAT_VERSION,
        "size": asdict(size),
        "seed": seed,
        "steps": {
            step.name: hashlib.sha256(inspect.getsource(step.run).encode()).hexdigest()[
                :16
            ]
            for step in STEPS
        },
        "migrations": hashlib.sha256("\n".join(applied).encode()).hexdigest()[:16],
    }


def read_fingerprint() -> dict | None:
    """The stored fingerprint with how the data was built, or None."""
    if FINGERPRINT_TABLE not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT fingerprint, seeded_at, seconds, counts FROM {FINGERPRINT_TABLE}"  # noqa: S608 - a constant
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return {
        "fingerprint": json.loads(row[0]),
        "seeded_at": row[1],
        "seconds": row[2],
        "counts": json.loads(row[3]),
    }


def write_fingerprint(value: dict, *, seconds: float, counts: dict) -> None:
    table = connection.ops.quote_name(FINGERPRINT_TABLE)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {table} ("
            "fingerprint TEXT NOT NULL, seeded_at TEXT NOT NULL, "
            "seconds REAL NOT NULL, counts TEXT NOT NULL)"
        )
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - a constant
        cursor.execute(
            f"INSERT INTO {table} VALUES (%s, %s, %s, %s)",  # noqa: S608 - a constant
            [
                json.dumps(value, sort_keys=True),
                timezone.now().isoformat(timespec="seconds"),
                seconds,
                json.dumps(counts),
            ],
        )


class ForeignDatabase(Exception):
    """The database holds members the benchmark did not create."""


def is_bench_sqlite_file() -> bool:
    """True when the database is a SQLite file in the bench folder."""
    bench_dir = getattr(settings, "BENCH_DIR", None)
    if connection.vendor != "sqlite" or bench_dir is None:
        return False
    name = str(connection.settings_dict["NAME"])
    return Path(name).resolve().parent == Path(bench_dir).resolve()


def reset_database() -> None:
    """Empty the database: a fresh file for SQLite in bench/, else a flush."""
    if is_bench_sqlite_file():
        name = Path(connection.settings_dict["NAME"])
        connection.close()
        for path in (name, Path(f"{name}-wal"), Path(f"{name}-shm")):
            path.unlink(missing_ok=True)
        call_command("migrate", verbosity=0, interactive=False)
    else:
        if connection.in_atomic_block and connection.vendor == "postgresql":
            # TRUNCATE refuses tables with deferred checks still pending.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        call_command("flush", verbosity=0, interactive=False)


def prepare_database() -> None:
    """Make sure the database exists and is migrated."""
    if connection.vendor == "sqlite":
        name = str(connection.settings_dict["NAME"])
        if not name.startswith("file:") and name != ":memory:":
            Path(name).parent.mkdir(parents=True, exist_ok=True)
    elif connection.vendor == "postgresql":
        try:
            connection.ensure_connection()
        except OperationalError as error:
            if "does not exist" not in str(error):
                raise
            name = connection.ops.quote_name(connection.settings_dict["NAME"])
            with connection._nodb_cursor() as cursor:
                cursor.execute(f"CREATE DATABASE {name}")
    call_command("migrate", verbosity=0, interactive=False)


def use_size(size_name: str) -> None:
    """Point the default bench SQLite database at the file of this size.

    `config.settings.bench` names the file after `BENCH_SIZE`; a command asked
    for another size switches file before its first query, so that each size
    keeps its own seeded database. A `DATABASE_URL` is always used as given.
    """
    if not is_bench_sqlite_file():
        return
    wanted = Path(settings.BENCH_DIR) / f"rapport-{size_name}.sqlite3"
    if Path(connection.settings_dict["NAME"]) != wanted:
        connection.close()
        connection.settings_dict["NAME"] = wanted
    os.environ["BENCH_SIZE"] = size_name  # for the servers `bench --http` starts


@dataclass(frozen=True)
class SeedOutcome:
    reused: bool
    seconds: float
    counts: dict[str, int]


def ensure_seeded(
    *, size: Size, seed: int, stdout: TextIO | None = None, force: bool = False
) -> SeedOutcome:
    """Reuse the seeded database if its fingerprint matches, else rebuild it."""
    wanted = fingerprint(size, seed)
    stored = read_fingerprint()
    if stored and stored["fingerprint"] == wanted and not force:
        return SeedOutcome(True, stored["seconds"], stored["counts"])
    if stored is None and get_user_model().objects.exists():
        raise ForeignDatabase(
            "This database holds members the benchmark did not create; "
            "point DATABASE_URL at a database of its own."
        )
    if stored is not None or force:
        reset_database()
        wanted = fingerprint(size, seed)  # a fresh file is migrated afresh
    started = time.perf_counter()
    ctx = SeedContext(
        size=size,
        seed=seed,
        now=timezone.now().replace(microsecond=0),
        stdout=stdout,
        password_hash=make_password(BENCH_PASSWORD),
    )
    counts = {}
    with fast_sqlite(), transaction.atomic():
        for step in STEPS:
            step_started = time.perf_counter()
            counts[step.name] = step.run(ctx)
            ctx.say(
                f"  {step.name:<24} {counts[step.name]:>10,} rows "
                f"{time.perf_counter() - step_started:7.1f} s"
            )
        seconds = round(time.perf_counter() - started, 1)
        write_fingerprint(wanted, seconds=seconds, counts=counts)
    with connection.cursor() as cursor:
        # Statistics for the planner and, on PostgreSQL, the visibility map a
        # bulk load leaves unset (index-only scans need it): the steady state
        # autovacuum would reach in production.
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")
    return SeedOutcome(False, seconds, counts)


@seed_step("moderation", big_tables=("connections_report",))
def seed_moderation(ctx: SeedContext) -> int:
    """The staff member (a superuser) and a little more than a page of open
    reports about ordinary members, a few of them already acted on.

    Reports come from ordinary members about others, two to one member in
    three so the queue's "other open reports" count has something to count;
    every tenth report is resolved with a warning and its audit record.
    """
    from connections.models import AuditRecord, Report, Sanction

    User = get_user_model()
    rng = ctx.rng("moderation")
    staff = ctx.roles["staff"]
    User.objects.filter(pk=staff).update(is_staff=True, is_superuser=True)
    reasons = [choice for choice, _label in Report.Reason.choices]
    count = ctx.size.full_page * 2
    reported = rng.sample(ctx.ordinary[len(ctx.ordinary) // 2 :], count)
    reporters = rng.sample(ctx.ordinary[: len(ctx.ordinary) // 2], count)
    rows = []
    for n in range(count):
        member = reported[n - n % 3] if n % 3 == 1 else reported[n]
        resolved = n % 10 == 0
        rows.append(
            Report(
                reporter_id=reporters[n],
                member_id=member,
                reason=rng.choice(reasons),
                details="Sends the same pitch to everyone." if n % 2 else "",
                created=ctx.ago(rng, days=30),
                status="resolved" if resolved else "open",
                outcome="warned" if resolved else "",
                resolved=ctx.now if resolved else None,
                resolved_by_id=staff if resolved else None,
            )
        )
    reports = ctx.bulk(Report, rows, keep=True)
    warned = [report for report in reports if report.status == "resolved"]
    ctx.bulk(
        Sanction,
        (
            Sanction(
                kind="warning",
                member_id=report.member_id,
                staff_member_id=staff,
                reason="Please stop sending the same pitch to everyone.",
                report=report,
                created=ctx.now,
            )
            for report in warned
        ),
    )
    ctx.bulk(
        AuditRecord,
        (
            AuditRecord(
                staff_member_id=staff,
                action="warn",
                member_id=report.member_id,
                target=f"member {report.member_id}",
                report=report,
                reason="Please stop sending the same pitch to everyone.",
                created=ctx.now,
            )
            for report in warned
        ),
    )
    return len(reports)
