"""The registry of what the benchmark measures: pages, hot queries, operations.

A feature registers each page it adds (and each htmx action worth timing) in
`PAGES`, each SQL query its pages depend on most in `HOT_QUERIES`, and each
long-running operation (import, export) in `OPERATIONS`. Pages are viewed by
the seeded members named in `seed.ROLES`:

- `viewer` is the member whose request is timed (None: signed out);
- `query_viewers` are the members whose query counts must be equal — one with a
  single row ("single"), one with a full page ("typical") and the hub.

Targets are ratios to the bare view (`HttpResponse("ok")` through the same
middleware, signed in) measured in the same run; a page with a `baseline` is
also compared with that page (a deep page with the first page).
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone

from connections.archive import archive_stream
from connections.models import Connection, ConnectionRequest
from connections.selectors.members import members_findable_by_emails
from connections.selectors.network import (
    PAGE_SIZE,
    nav_badge_counts,
    network_counts,
    suggestions_for,
    visible_members,
)
from connections.selectors.paging import encode_cursor
from connections.selectors.updates import feed_for
from contacts.models import Contact, Label
from contacts.perf.seed import BIG_ROLE_PREFIX, ROLES, role_handle
from contacts.selectors.contacts import encode_cursor as encode_contact_cursor
from contacts.selectors.duplicates import duplicate_groups


class Kind(StrEnum):
    PAGE = "page"  # an ordinary full page
    LIST = "list"  # a list page showing a full page of rows (50)
    FRAGMENT = "fragment"  # an htmx fragment or action
    POLL = "poll"  # a request a page repeats every few seconds
    HUB = "hub"  # any page viewed by or about the most connected member
    DEEP = "deep"  # far into a list: compared with its first page


# Issue 9, "Figures" 2 and 4.
TARGETS = {
    Kind.PAGE: 40.0,
    Kind.LIST: 40.0,
    Kind.FRAGMENT: 15.0,
    Kind.POLL: 5.0,
    Kind.HUB: 60.0,
    Kind.DEEP: 40.0,
}
DEEP_TARGET = 1.5
HTTP_TARGETS = {Kind.HUB: 0.05}
HTTP_TARGET = 0.10
DEFAULT_QUERY_VIEWERS = ("single", "typical", "hub")


class Cast:
    """The seeded members playing each role, looked up once by handle."""

    def __init__(self, members: dict[str, object]):
        self.members = members

    @classmethod
    def load(cls, roles) -> "Cast":
        handles = {role_handle(role): role for role in roles}
        found = get_user_model().objects.filter(handle__in=handles)
        members = {handles[member.handle]: member for member in found}
        missing = sorted(set(roles) - set(members))
        if missing:
            raise LookupError(f"No seeded member plays {', '.join(missing)}.")
        return cls(members)

    def __getitem__(self, role: str):
        return self.members[role]

    def __getattr__(self, role: str):
        try:
            return self.members[role]
        except KeyError:
            raise AttributeError(role) from None


@dataclass(frozen=True)
class Page:
    """A URL the benchmark requests, and what it must achieve."""

    name: str
    path: Callable[[Cast], str]
    viewer: str | None
    kind: Kind
    query_budget: int
    htmx: bool = False
    headers: tuple[tuple[str, str], ...] = ()  # more request headers (HX-Target)
    status: int = 200
    # The status when it depends on the data: (cast) -> status.
    status_of: Callable[[Cast], int] | None = None
    # An action: POSTed with this data (CSRF aside) in a transaction that is
    # rolled back, so the seeded data stays as it was; not loaded over HTTP.
    post: Callable[[Cast], dict] | None = None
    target: float | None = None  # ratio to the bare view; default by kind
    baseline: str | None = None  # the page a deep page is compared with
    baseline_target: float | None = None
    max_ms: float | None = None  # an absolute time target, when the issue sets one
    query_viewers: tuple[str | None, ...] | None = None
    http: bool | None = None  # measured by `make bench-http`; default: not actions

    def expected_status(self, cast: Cast) -> int:
        return self.status_of(cast) if self.status_of is not None else self.status

    @property
    def ratio_target(self) -> float:
        return self.target if self.target is not None else TARGETS[self.kind]

    @property
    def vs_baseline_target(self) -> float | None:
        if self.baseline is None:
            return None
        return self.baseline_target or DEEP_TARGET

    @property
    def http_target(self) -> float:
        return HTTP_TARGETS.get(self.kind, HTTP_TARGET)

    @property
    def counted_viewers(self) -> tuple[str | None, ...]:
        if self.query_viewers is not None:
            return self.query_viewers
        if self.viewer is None:
            return (None,)
        return DEFAULT_QUERY_VIEWERS

    @property
    def under_load(self) -> bool:
        return self.http if self.http is not None else self.post is None

    def roles(self) -> set[str]:
        return {role for role in (self.viewer, *self.counted_viewers) if role}


def profile_of(role: str, name: str = "connections:profile") -> Callable[[Cast], str]:
    return lambda cast: reverse(name, kwargs={"handle": cast[role].handle})


def url(name: str) -> Callable[[Cast], str]:
    return lambda cast: reverse(name)


def with_query(path: Callable[[Cast], str], **params) -> Callable[[Cast], str]:
    """A URL builder with a query string; a callable value gets the cast."""

    def build(cast: Cast) -> str:
        values = {
            key: value(cast) if callable(value) else value
            for key, value in params.items()
        }
        return f"{path(cast)}?{urlencode(values)}"

    return build


def page_start(count: int, fraction: float) -> int:
    """How many rows precede the page `fraction` of the way down a list of
    `count`: a page boundary, at least the second page, at most the last."""
    last = (count - 1) // PAGE_SIZE * PAGE_SIZE
    return max(PAGE_SIZE, min(int(count * fraction) // PAGE_SIZE * PAGE_SIZE, last))


def cursor_at(rows: Callable[[Cast], QuerySet], fraction: float) -> Callable:
    """The keyset cursor that starts the page `fraction` of the way down a list.

    `rows` gives the list's keys in its order; the position is rounded down to
    a page boundary, so the page is exactly what "load more" would show there.
    """

    def build(cast: Cast) -> str:
        keys = rows(cast)
        return encode_cursor(keys[page_start(keys.count(), fraction) - 1])

    return build


def own_connections(role: str) -> Callable[[Cast], QuerySet]:
    return lambda cast: (
        Connection.objects.filter(member=cast[role])
        .order_by("-created", "-id")
        .values_list("created", "id")
    )


def received_invitations_of(role: str) -> Callable[[Cast], QuerySet]:
    return lambda cast: (
        ConnectionRequest.objects.pending()
        .filter(recipient=cast[role])
        .order_by("-created", "-id")
        .values_list("created", "id")
    )


def newest_invitation(role: str, *, received: bool) -> int:
    side = "recipient" if received else "sender"
    return lambda cast: (
        ConnectionRequest.objects.pending()
        .filter(**{side: cast[role]})
        .order_by("-created", "-id")
        .values_list("pk", flat=True)
        .first()
    )


def newest_connection(role: str):
    """The member `role` connected with most recently."""
    return lambda cast: (
        Connection.objects.filter(member=cast[role])
        .select_related("other")
        .order_by("-created", "-id")
        .first()
        .other
    )


def stranger_of(role: str):
    """The first ordinary member `role` could invite: no connection, no pending
    invitation and no block either way."""

    def find(cast: Cast):
        member = cast[role]
        pending = ConnectionRequest.objects.pending()
        return (
            visible_members(viewer=member)
            .exclude(handle__startswith="bench-")
            .exclude(
                Exists(Connection.objects.filter(member=member, other=OuterRef("pk")))
            )
            .exclude(Exists(pending.filter(sender=member, recipient=OuterRef("pk"))))
            .exclude(Exists(pending.filter(sender=OuterRef("pk"), recipient=member)))
            .order_by("pk")
            .first()
        )

    return find


def at_connection_limit(member) -> bool:
    limit = settings.RAPPORT_CONNECTIONS_MAX
    return Connection.objects.filter(member=member).count() >= limit


def member_url(name: str, member: Callable, **kwargs) -> Callable[[Cast], str]:
    return lambda cast: reverse(name, kwargs={"handle": member(cast).handle, **kwargs})


def invitation_url(name: str, invitation: Callable) -> Callable[[Cast], str]:
    return lambda cast: reverse(name, kwargs={"pk": invitation(cast)})


def surname_of(member: Callable) -> Callable[[Cast], str]:
    return lambda cast: member(cast).display_name.split()[-1]


def contact_cursor(role: str, fraction: float) -> Callable[[Cast], str]:
    """The cursor of the page `fraction` of the way down a Contacts list by name."""

    def build(cast: Cast) -> str:
        rows = (
            Contact.objects.owned_by(cast[role])
            .order_by("sort_name", "pk")
            .values_list("sort_name", "pk")
        )
        return encode_contact_cursor(*rows[page_start(rows.count(), fraction) - 1])

    return build


def a_contact(role: str, **where) -> Callable[[Cast], Contact]:
    """The first of `role`'s contacts (by name) with an email and a phone."""
    return lambda cast: (
        Contact.objects.owned_by(cast[role])
        .filter(emails__isnull=False, phones__isnull=False, **where)
        .order_by("sort_name", "pk")
        .first()
    )


def a_contact_with_photo(cast: Cast) -> Contact:
    """The first of the big address book's contacts (by name) with a photo."""
    return (
        Contact.objects.owned_by(cast["addressbook"])
        .exclude(photo_key="")
        .order_by("sort_name", "pk")
        .first()
    )


def contact_url(name: str, contact: Callable) -> Callable[[Cast], str]:
    return lambda cast: reverse(name, kwargs={"pk": contact(cast).pk})


def first_label(role: str) -> Callable[[Cast], int]:
    return lambda cast: (
        Label.objects.filter(owner=cast[role])
        .order_by("pk")
        .values_list("pk", flat=True)
    )[0]


def first_page_ids(role: str) -> Callable[[Cast], list[int]]:
    return lambda cast: list(
        Contact.objects.owned_by(cast[role])
        .order_by("sort_name", "pk")
        .values_list("pk", flat=True)[:PAGE_SIZE]
    )


def search_term(role: str) -> Callable[[Cast], str]:
    """A family name from the middle of `role`'s address book."""
    return lambda cast: (
        Contact.objects.owned_by(cast[role])
        .order_by("sort_name", "pk")
        .values_list("family_name", flat=True)
    )[Contact.objects.owned_by(cast[role]).count() // 2]


def seeded(cast: Cast, role: str):
    """The member playing `role`, also when no page is viewed by them."""
    if role in cast.members:
        return cast[role]
    return get_user_model().objects.get(handle=role_handle(role))


def thread_of(role: str, other: str) -> Callable[[Cast], str]:
    return lambda cast: reverse(
        "connections:thread", kwargs={"handle": seeded(cast, other).handle}
    )


def _side(cast: Cast, role: str, other: str):
    from connections.models import ConversationMember

    return ConversationMember.objects.get(
        member=seeded(cast, role), other=seeded(cast, other)
    )


def thread_cursor(role: str, other: str, *, oldest_page: bool) -> Callable:
    """The cursor of the thread's deepest page (the first messages ever sent)
    or of the page just before the newest one."""

    def build(cast: Cast) -> str:
        from connections.models import Message

        ids = Message.objects.filter(
            conversation=_side(cast, role, other).conversation_id
        ).values_list("pk", flat=True)
        if oldest_page:
            return encode_cursor([ids.order_by("pk")[PAGE_SIZE]])
        return encode_cursor([ids.order_by("-pk")[PAGE_SIZE - 1]])

    return build


def poll_state(role: str, other: str) -> Callable[[Cast], dict]:
    """What an open thread sends when it polls and nothing changed."""

    def build(cast: Cast) -> dict:
        from connections.models import Message

        side = _side(cast, role, other)
        last = (
            Message.objects.filter(conversation=side.conversation_id)
            .order_by("-pk")
            .first()
        )
        theirs = _side(cast, other, role)
        return {
            "after": last.pk,
            "seen": theirs.last_read_id,
            "open": 1,
            "mine": int(last.sender_id == seeded(cast, role).pk),
        }

    return build


def unread_of(role: str) -> Callable[[Cast], int]:
    def build(cast: Cast) -> int:
        member = cast[role]
        member.__dict__.pop("_nav_badge_counts", None)
        return nav_badge_counts(member=member)["messages"]

    return build


def inbox_cursor(role: str) -> Callable[[Cast], str]:
    """The cursor after the first page of `role`'s conversations (after the
    last one when they fit in a page)."""

    def build(cast: Cast) -> str:
        from connections.models import ConversationMember

        keys = (
            ConversationMember.objects.filter(member=cast[role])
            .order_by("-last_activity", "-id")
            .values_list("last_activity", "id")
        )
        return encode_cursor(keys[min(PAGE_SIZE, keys.count()) - 1])

    return build


def feed_cursor(role: str) -> Callable[[Cast], str]:
    """The cursor after the first page of `role`'s Home."""
    return lambda cast: feed_for(member=cast[role]).next_cursor


def newest_in_feed(role: str) -> Callable[[Cast], int]:
    """The newest update on `role`'s Home that is not their own."""
    return lambda cast: next(
        update.pk
        for update in feed_for(member=cast[role]).items
        if update.author_id != cast[role].pk
    )


def update_url(name: str, update: Callable) -> Callable[[Cast], str]:
    return lambda cast: reverse(name, kwargs={"pk": update(cast)})


CONTACTS_VIEWERS = ("single", "typical", "addressbook", "hub")
LOAD_MORE = (("HX-Target", "load-more"),)


# The bare view every ratio divides by; see contacts/perf/views.py.
BARE = Page("bare", url("bench_bare"), "typical", Kind.PAGE, query_budget=2)

PAGES: list[Page] = [
    # Site-wide.
    Page("home-signed-out", url("home"), None, Kind.PAGE, query_budget=0),
    # Home is the feed (issue 10): session, member, badges, the page of
    # updates with their counts, the keep-in-touch reminders.
    Page("home", url("home"), "typical", Kind.PAGE, query_budget=5),
    Page("healthz", url("healthz"), None, Kind.POLL, query_budget=1, target=5.0),
    Page(
        "theme-switch",
        url("set_theme"),
        "typical",
        Kind.FRAGMENT,
        query_budget=2,
        htmx=True,
        status=204,
        post=lambda cast: {"theme": "dark"},
    ),
    # Accounts (django-allauth): what its pages cost today.
    Page("sign-in", url("account_login"), None, Kind.PAGE, query_budget=0),
    Page("sign-up", url("account_signup"), None, Kind.PAGE, query_budget=0),
    Page("email-settings", url("account_email"), "typical", Kind.PAGE, query_budget=7),
    Page("two-factor", url("mfa_index"), "typical", Kind.PAGE, query_budget=5),
    Page("sessions", url("usersessions_list"), "typical", Kind.PAGE, query_budget=4),
    # Members and profiles. A profile also lists the member's updates and,
    # for a connection, the depth of it (issue 10): two queries more.
    Page("settings", url("connections:settings"), "typical", Kind.PAGE, query_budget=3),
    Page(
        "profile",
        profile_of("typical"),
        "single",
        Kind.PAGE,
        query_budget=7,
        query_viewers=("single", "hub"),
    ),
    Page(
        "profile-signed-out",
        profile_of("typical"),
        None,
        Kind.PAGE,
        query_budget=2,
    ),
    Page(
        "profile-own",
        profile_of("typical"),
        "typical",
        Kind.PAGE,
        query_budget=6,
        query_viewers=("typical",),
    ),
    Page(
        "profile-of-hub",
        profile_of("hub"),
        "typical",
        Kind.HUB,
        query_budget=7,
        query_viewers=("single", "typical"),
    ),
    Page(
        "profile-by-hub",
        profile_of("typical"),
        "hub",
        Kind.HUB,
        query_budget=7,
        query_viewers=("single", "hub"),
    ),
    # Profiles (issue 6): every viewer relation, at most 8 queries, the hub
    # viewing a big member within 1.5x of a profile with one connection.
    Page(
        "profile-connection",
        member_url("connections:profile", newest_connection("typical")),
        "typical",
        Kind.PAGE,
        query_budget=7,
        query_viewers=("typical",),
    ),
    Page(
        "profile-one-connection",
        profile_of("single"),
        "typical",
        Kind.PAGE,
        query_budget=7,
        query_viewers=("typical", "hub"),
    ),
    Page(
        "profile-big-by-hub",
        lambda cast: reverse(
            "connections:profile", kwargs={"handle": role_handle("big-01")}
        ),
        "hub",
        Kind.HUB,
        query_budget=7,
        query_viewers=("single", "typical", "hub"),
        baseline="profile-one-connection",
    ),
    Page(
        "profile-view-as",
        with_query(profile_of("typical"), view_as="connection"),
        "typical",
        Kind.FRAGMENT,
        # The fragment is the whole body of the profile: a page's target.
        target=40.0,
        query_budget=5,
        htmx=True,
        query_viewers=("typical",),
    ),
    Page(
        "profile-vcard",
        member_url("contacts:member_vcard", newest_connection("typical")),
        "typical",
        Kind.PAGE,
        query_budget=4,
        query_viewers=("typical",),
    ),
    Page(
        "relationship",
        profile_of("hub", "connections:relationship"),
        "typical",
        Kind.FRAGMENT,
        query_budget=4,
        htmx=True,
        query_viewers=("single", "typical"),
    ),
    # My Network (issue 5). People you may know are on its first page. A page
    # of connections also reads the facts behind each one's depth (issue 10).
    Page(
        "my-network", url("connections:network"), "typical", Kind.PAGE, query_budget=7
    ),
    Page(
        "my-network-hub",
        url("connections:network"),
        "hub",
        Kind.HUB,
        query_budget=7,
        target=120.0,
        query_viewers=("hub",),
    ),
    Page(
        "connections",
        url("connections:connections"),
        "typical",
        Kind.LIST,
        query_budget=5,
    ),
    Page(
        "connections-more",
        with_query(
            url("connections:connections"),
            after=cursor_at(own_connections("typical"), 0),
        ),
        "typical",
        Kind.FRAGMENT,
        query_budget=4,
        htmx=True,
        query_viewers=("typical",),
    ),
    Page(
        "connections-hub",
        url("connections:connections"),
        "hub",
        Kind.HUB,
        query_budget=5,
        query_viewers=("hub",),
    ),
    Page(
        "connections-hub-deep",
        with_query(
            url("connections:connections"),
            after=cursor_at(own_connections("hub"), 0.8),
        ),
        "hub",
        Kind.DEEP,
        query_budget=5,
        baseline="connections-hub",
        query_viewers=("hub",),
    ),
    Page(
        "connections-by-name-hub",
        with_query(url("connections:connections"), sort="name"),
        "hub",
        Kind.HUB,
        query_budget=5,
        query_viewers=("hub",),
    ),
    Page(
        "connections-search-hub",
        with_query(
            url("connections:connections"),
            q=surname_of(newest_connection("hub")),
        ),
        "hub",
        Kind.HUB,
        query_budget=4,
        htmx=True,
        query_viewers=("hub",),
    ),
    Page(
        "invitations",
        url("connections:invitations"),
        "inbox",
        Kind.LIST,
        query_budget=4,
        query_viewers=("single", "typical", "inbox", "hub"),
    ),
    Page(
        "invitations-deep",
        with_query(
            url("connections:invitations"),
            after=cursor_at(received_invitations_of("inbox"), 0.9),
        ),
        "inbox",
        Kind.DEEP,
        query_budget=4,
        baseline="invitations",
        query_viewers=("inbox",),
    ),
    Page(
        "invitations-more",
        with_query(
            url("connections:invitations"),
            after=cursor_at(received_invitations_of("inbox"), 0),
        ),
        "inbox",
        Kind.FRAGMENT,
        query_budget=3,
        htmx=True,
        query_viewers=("inbox",),
    ),
    Page(
        "invitations-sent",
        url("connections:invitations_sent"),
        "typical",
        Kind.LIST,
        query_budget=5,
    ),
    Page(
        "member-search",
        with_query(
            url("connections:search"), q=surname_of(newest_connection("typical"))
        ),
        "typical",
        Kind.LIST,
        query_budget=5,
    ),
    Page("blocked", url("connections:blocked"), "typical", Kind.LIST, query_budget=4),
    Page(
        "notifications",
        url("connections:notifications"),
        "typical",
        Kind.PAGE,
        query_budget=4,
    ),
    Page(
        "invite-by-email",
        url("connections:invite"),
        "typical",
        Kind.PAGE,
        query_budget=8,
    ),
    Page(
        "connect-dialog",
        member_url("connections:connect", stranger_of("typical")),
        "typical",
        Kind.FRAGMENT,
        query_budget=11,
        htmx=True,
        query_viewers=("typical",),
    ),
    Page(
        "remove-dialog",
        member_url("connections:remove_connection", newest_connection("typical")),
        "typical",
        Kind.FRAGMENT,
        query_budget=4,
        htmx=True,
        query_viewers=("typical",),
    ),
    Page(
        "block-dialog",
        member_url("connections:block", stranger_of("typical")),
        "typical",
        Kind.FRAGMENT,
        query_budget=4,
        htmx=True,
        query_viewers=("typical",),
    ),
    # Contacts (issue 3): the 50-card book, the 25,000-card one, deep and search.
    Page(
        "contacts",
        url("contacts:list"),
        "typical",
        Kind.LIST,
        query_budget=9,
        query_viewers=CONTACTS_VIEWERS,
    ),
    Page(
        "contacts-25k",
        url("contacts:list"),
        "addressbook",
        Kind.LIST,
        query_budget=9,
        baseline="contacts",
        baseline_target=2.0,
        query_viewers=("addressbook",),
    ),
    Page(
        "contacts-page-500",
        with_query(url("contacts:list"), after=contact_cursor("addressbook", 1.0)),
        "addressbook",
        Kind.DEEP,
        query_budget=9,
        baseline="contacts-25k",
        query_viewers=("addressbook",),
    ),
    Page(
        "contacts-more",
        with_query(url("contacts:list"), after=contact_cursor("addressbook", 0)),
        "addressbook",
        Kind.FRAGMENT,
        query_budget=7,
        htmx=True,
        headers=LOAD_MORE,
        query_viewers=("addressbook",),
    ),
    Page(
        "contacts-search",
        with_query(url("contacts:list"), q=search_term("addressbook")),
        "addressbook",
        Kind.LIST,
        query_budget=9,
        query_viewers=("addressbook",),
    ),
    Page(
        "contacts-search-typing",
        with_query(url("contacts:list"), q=search_term("addressbook")),
        "addressbook",
        Kind.FRAGMENT,
        query_budget=7,
        htmx=True,
        headers=(("HX-Target", "contact-results"),),
        query_viewers=("addressbook",),
    ),
    Page(
        "contacts-recent",
        with_query(url("contacts:list"), sort="recent"),
        "addressbook",
        Kind.LIST,
        query_budget=9,
        query_viewers=("addressbook",),
    ),
    Page(
        "contacts-label",
        with_query(url("contacts:list"), label=first_label("addressbook")),
        "addressbook",
        Kind.LIST,
        query_budget=9,
        query_viewers=("addressbook",),
    ),
    Page(
        "contacts-favorites",
        with_query(url("contacts:list"), favorites="1"),
        "addressbook",
        Kind.LIST,
        query_budget=9,
        query_viewers=("addressbook",),
    ),
    Page(
        "contact",
        contact_url("contacts:detail", a_contact("addressbook")),
        "addressbook",
        Kind.PAGE,
        # 12 (a merge into it that may be undone, the contacts sharing an
        # email or a number), and 1 for the relationship when it is a member's.
        query_budget=13,
        query_viewers=("addressbook",),
    ),
    Page(
        "contact-photo",
        lambda cast: a_contact_with_photo(cast).avatar_url("md"),
        "addressbook",
        Kind.FRAGMENT,
        # The session, the member, the picture.
        query_budget=3,
        query_viewers=("addressbook",),
    ),
    Page(
        "contact-edit-form",
        contact_url("contacts:edit", a_contact("addressbook")),
        "addressbook",
        Kind.PAGE,
        query_budget=11,
        query_viewers=("addressbook",),
    ),
    Page(
        "contact-add-form",
        url("contacts:add"),
        "addressbook",
        Kind.PAGE,
        query_budget=5,
        query_viewers=("single", "addressbook"),
    ),
    Page(
        "contacts-trash",
        url("contacts:trash"),
        "addressbook",
        Kind.LIST,
        # 5, and 1 for the merges that moved contacts of the page there.
        query_budget=6,
        query_viewers=("addressbook",),
    ),
    Page(
        "contact-labels",
        url("contacts:labels"),
        "addressbook",
        Kind.PAGE,
        query_budget=5,
        query_viewers=("single", "typical", "addressbook"),
    ),
    Page(
        "contacts-settings",
        url("contacts:settings"),
        "addressbook",
        Kind.PAGE,
        query_budget=5,
        query_viewers=("single", "addressbook"),
    ),
    Page(
        "contact-favorite",
        contact_url("contacts:favorite", a_contact("addressbook")),
        "addressbook",
        Kind.FRAGMENT,
        query_budget=4,
        htmx=True,
        post=lambda cast: {"is_favorite": "1"},
        query_viewers=("addressbook",),
    ),
    Page(
        "contact-delete",
        contact_url("contacts:delete", a_contact("addressbook")),
        "addressbook",
        Kind.FRAGMENT,
        # With the address book's revision moved on, for the Duplicates page.
        query_budget=6,
        htmx=True,
        post=lambda cast: {},
        query_viewers=("addressbook",),
    ),
    Page(
        "contacts-bulk-label",
        url("contacts:bulk"),
        "addressbook",
        Kind.FRAGMENT,
        query_budget=12,
        htmx=True,
        post=lambda cast: {
            "action": "add_label",
            "apply_label": first_label("addressbook")(cast),
            "contact": first_page_ids("addressbook")(cast),
        },
        query_viewers=("addressbook",),
    ),
    # Duplicates (issue 4): groups found across the whole 25,000-card book, in
    # five queries whatever its size (the pairs kept apart, shared emails,
    # phones, numbers as typed, every name key for the same and similar
    # names), then the page's 20 groups; kept in the cache until the address
    # book's revision moves on (one query).
    Page(
        "contacts-duplicates",
        url("contacts:duplicates"),
        "addressbook",
        Kind.LIST,
        query_budget=14,
        query_viewers=("addressbook",),
    ),
    Page(
        "save-member",
        lambda cast: reverse(
            "contacts:from_member", kwargs={"handle": cast.hub.handle}
        ),
        "typical",
        Kind.FRAGMENT,
        # A write: the profile as the viewer may see it, the address book's
        # lock, limit and revision, the card and each kind of detail in one
        # insert.
        query_budget=16,
        htmx=True,
        post=lambda cast: {},
        query_viewers=("typical",),
    ),
    # Messages (issue 7): the inbox of 2,000 conversations, the 40,000-message
    # thread from its newest page to its first, the poll, sending.
    Page(
        "messages",
        url("connections:messages"),
        "inbox",
        Kind.LIST,
        query_budget=4,
        query_viewers=("single", "typical", "inbox", "hub"),
    ),
    Page(
        "messages-more",
        with_query(url("connections:messages"), after=inbox_cursor("inbox")),
        "inbox",
        Kind.FRAGMENT,
        query_budget=3,
        htmx=True,
        query_viewers=("inbox",),
    ),
    Page(
        "messages-search",
        with_query(url("connections:messages"), q="a"),
        "inbox",
        Kind.FRAGMENT,
        query_budget=3,
        htmx=True,
        query_viewers=("inbox",),
    ),
    Page(
        "thread",
        thread_of("inbox", "talker"),
        "inbox",
        Kind.PAGE,
        query_budget=5,
        query_viewers=("inbox",),
    ),
    Page(
        "thread-first-messages",
        with_query(
            thread_of("inbox", "talker"),
            before=thread_cursor("inbox", "talker", oldest_page=True),
        ),
        "inbox",
        Kind.DEEP,
        query_budget=5,
        baseline="thread",
        query_viewers=("inbox",),
    ),
    Page(
        "thread-earlier",
        with_query(
            thread_of("inbox", "talker"),
            before=thread_cursor("inbox", "talker", oldest_page=False),
            day="2026-01-01",
        ),
        "inbox",
        Kind.FRAGMENT,
        query_budget=4,
        htmx=True,
        query_viewers=("inbox",),
    ),
    Page(
        "thread-poll",
        lambda cast: (
            reverse(
                "connections:thread_poll",
                kwargs={"handle": seeded(cast, "talker").handle},
            )
            + "?"
            + urlencode(poll_state("inbox", "talker")(cast))
        ),
        "inbox",
        Kind.POLL,
        query_budget=3,
        htmx=True,
        status=204,
        query_viewers=("inbox",),
    ),
    Page(
        "unread-badge",
        with_query(url("connections:messages_unread"), n=unread_of("inbox")),
        "inbox",
        Kind.POLL,
        query_budget=3,
        htmx=True,
        status=204,
        query_viewers=("inbox",),
    ),
    Page(
        "message-send",
        thread_of("inbox", "talker"),
        "inbox",
        Kind.FRAGMENT,
        query_budget=16,
        htmx=True,
        post=lambda cast: {
            "body": "Thanks, see you on Tuesday!",
            "client_token": "bench-send-token",
        },
        query_viewers=("inbox",),
    ),
    # Actions of My Network, answered with the fragment that changed.
    Page(
        "accept",
        invitation_url(
            "connections:invitation_respond", newest_invitation("inbox", received=True)
        ),
        "inbox",
        Kind.FRAGMENT,
        query_budget=15,
        htmx=True,
        post=lambda cast: {"action": "accept", "fragment": "invitation"},
        query_viewers=("inbox",),
    ),
    Page(
        "accept-hub",
        invitation_url(
            "connections:invitation_respond", newest_invitation("hub", received=True)
        ),
        "hub",
        Kind.HUB,
        query_budget=15,
        htmx=True,
        post=lambda cast: {"action": "accept", "fragment": "invitation"},
        query_viewers=("hub",),
    ),
    Page(
        "ignore",
        invitation_url(
            "connections:invitation_respond", newest_invitation("inbox", received=True)
        ),
        "inbox",
        Kind.FRAGMENT,
        query_budget=8,
        htmx=True,
        post=lambda cast: {"action": "ignore", "fragment": "invitation"},
        query_viewers=("inbox",),
    ),
    Page(
        "connect",
        member_url("connections:connect", stranger_of("typical")),
        "typical",
        Kind.FRAGMENT,
        query_budget=14,
        htmx=True,
        post=lambda cast: {"note": "We met at the meetup.", "how_we_met": "event"},
        query_viewers=("typical",),
    ),
    Page(
        "connect-hub",
        member_url("connections:connect", stranger_of("hub")),
        "hub",
        Kind.HUB,
        query_budget=16,
        htmx=True,
        post=lambda cast: {"note": "", "how_we_met": ""},
        query_viewers=("hub",),
        # At the full size the hub has the most connections a member may
        # have: the invitation is refused, with the reason, in the dialog.
        status_of=lambda cast: 422 if at_connection_limit(cast.hub) else 200,
    ),
    Page(
        "withdraw",
        invitation_url(
            "connections:invitation_withdraw",
            newest_invitation("typical", received=False),
        ),
        "typical",
        Kind.FRAGMENT,
        query_budget=8,
        htmx=True,
        post=lambda cast: {"fragment": "invitation"},
        query_viewers=("typical",),
    ),
    Page(
        "connection-kind",
        member_url("connections:connection_edit", newest_connection("typical")),
        "typical",
        Kind.FRAGMENT,
        query_budget=6,
        htmx=True,
        post=lambda cast: {"kind": "close"},
        query_viewers=("typical",),
    ),
    Page(
        "remove-connection",
        member_url("connections:remove_connection", newest_connection("typical")),
        "typical",
        Kind.FRAGMENT,
        query_budget=7,
        htmx=True,
        post=lambda cast: {},
        query_viewers=("typical",),
    ),
    Page(
        "block",
        member_url("connections:block", stranger_of("typical")),
        "typical",
        Kind.FRAGMENT,
        query_budget=10,
        htmx=True,
        post=lambda cast: {},
        query_viewers=("typical",),
    ),
    # Moderation in the admin (issue 8): the big changelists, fixed cost at
    # any size; the staff member is a superuser whose session passed 2FA.
    Page(
        "admin-members",
        url("admin:connections_user_changelist"),
        "staff",
        Kind.LIST,
        query_budget=4,
        query_viewers=("staff",),
    ),
    Page(
        "admin-connections",
        url("admin:connections_connection_changelist"),
        "staff",
        Kind.LIST,
        query_budget=4,
        query_viewers=("staff",),
    ),
    Page(
        "admin-reports",
        url("admin:connections_report_changelist"),
        "staff",
        Kind.LIST,
        query_budget=4,
        query_viewers=("staff",),
    ),
    Page(
        "admin-member",
        lambda cast: reverse("admin:connections_user_change", args=[cast.typical.pk]),
        "staff",
        Kind.PAGE,
        query_budget=10,
        query_viewers=("staff",),
    ),
    # Updates and the depth of each connection (issue 10).
    Page(
        "home-hub",
        url("home"),
        "hub",
        Kind.HUB,
        query_budget=5,
        query_viewers=("hub",),
    ),
    Page(
        "home-more",
        with_query(url("home"), after=feed_cursor("typical")),
        "typical",
        Kind.FRAGMENT,
        query_budget=3,
        htmx=True,
        query_viewers=("typical", "hub"),
    ),
    Page(
        "update",
        update_url("connections:update", newest_in_feed("typical")),
        "typical",
        Kind.PAGE,
        query_budget=5,
        query_viewers=("typical",),
    ),
    Page(
        "update-comments",
        update_url("connections:update_comments", newest_in_feed("typical")),
        "typical",
        Kind.FRAGMENT,
        query_budget=4,
        htmx=True,
        query_viewers=("typical",),
    ),
    Page(
        "update-like",
        update_url("connections:update_like", newest_in_feed("typical")),
        "typical",
        Kind.FRAGMENT,
        query_budget=11,
        htmx=True,
        post=lambda cast: {"like": "1"},
        query_viewers=("typical",),
    ),
    Page(
        "update-comment",
        update_url("connections:update_comments", newest_in_feed("typical")),
        "typical",
        Kind.FRAGMENT,
        query_budget=12,
        htmx=True,
        post=lambda cast: {"text": "Well done!"},
        query_viewers=("typical",),
    ),
    Page(
        "update-post",
        url("connections:update_create"),
        "typical",
        Kind.FRAGMENT,
        query_budget=12,
        htmx=True,
        post=lambda cast: {"text": "Hello from the benchmark", "audience": "public"},
        query_viewers=("typical",),
    ),
    Page(
        "connections-by-depth-hub",
        with_query(url("connections:connections"), sort="depth"),
        "hub",
        Kind.HUB,
        query_budget=5,
        baseline="connections-hub",
        baseline_target=1.25,
        query_viewers=("hub",),
    ),
    Page(
        "connections-by-depth",
        with_query(url("connections:connections"), sort="depth"),
        "typical",
        Kind.LIST,
        query_budget=5,
    ),
    Page(
        "losing-touch-hub",
        url("connections:losing_touch"),
        "hub",
        Kind.HUB,
        query_budget=4,
        query_viewers=("hub",),
    ),
]


@dataclass(frozen=True)
class HotQuery:
    """Code whose queries the pages depend on most; their plans must use indexes.

    `run` calls a selector or evaluates a queryset; every query it sends is
    explained.
    """

    name: str
    run: Callable[[Cast], object]


HOT_QUERIES: list[HotQuery] = [
    HotQuery(
        "session-by-key",
        lambda cast: Session.objects.filter(
            session_key="x" * 32, expire_date__gt=timezone.now()
        ).first(),
    ),
    HotQuery(
        "member-by-handle",
        lambda cast: (
            get_user_model().objects.active().filter(handle=cast.typical.handle).first()
        ),
    ),
    HotQuery(
        "member-by-email",
        lambda cast: get_user_model().objects.filter(email=cast.typical.email).first(),
    ),
    HotQuery("suggestions-hub", lambda cast: suggestions_for(member=cast.hub)),
    HotQuery("network-counts-hub", lambda cast: network_counts(member=cast.hub)),
    HotQuery(
        "members-findable-by-emails",
        lambda cast: members_findable_by_emails(
            emails=[cast.typical.email, cast.hub.email, "nobody@example.org"]
        ),
    ),
]


@dataclass(frozen=True)
class Operation:
    """Work that is not a page (a selector, an import, an export): its median
    time over `repeat` runs and, if `memory`, its peak memory.

    `run` may write; each run is in a transaction that is rolled back.
    """

    name: str
    run: Callable[[Cast], object]
    viewer: str
    max_ms: float | None = None
    max_peak_mib: float | None = None
    repeat: int = 5
    memory: bool = True


OPERATIONS: list[Operation] = [
    # Issue 5: people you may know in under 15 ms at the hub.
    Operation(
        "suggestions-hub",
        lambda cast: suggestions_for(member=cast.hub),
        "hub",
        max_ms=15.0,
        repeat=30,
        memory=False,
    ),
    # Issue 4: the Duplicates page's look at the whole 25,000-card book (the
    # shared emails and numbers, every name key, the similar names), which
    # the page pays on its first view after each change, before the cache.
    Operation(
        "duplicates-look",
        lambda cast: duplicate_groups(owner=cast.addressbook),
        "addressbook",
        repeat=7,
        # Timed alone: tracing memory would triple its time.
        memory=False,
    ),
    # Settings › Your data: the archive of the member with 2,000 conversations
    # and the 40,000-message thread, read to the end as a download would be.
    # It is streamed: its peak memory must not grow with the data.
    Operation(
        "archive-inbox",
        lambda cast: archive_bytes(cast.inbox),
        "inbox",
        max_peak_mib=64.0,
        repeat=3,
    ),
]


def archive_bytes(member) -> int:
    """The size of the member's data archive, its pieces dropped as they come."""
    return sum(len(piece) for piece in archive_stream(member, base_url="http://bench"))


def check_registry(pages: list[Page]) -> None:
    """Refuse a registry the runner could not measure meaningfully."""
    seen = {BARE.name}
    for page in pages:
        if page.name in seen:
            raise ValueError(f"Two pages are named {page.name!r}.")
        if page.baseline is not None and page.baseline not in seen:
            raise ValueError(
                f"{page.name}: its baseline {page.baseline!r} must be registered "
                "before it."
            )
        unknown = {
            role
            for role in page.roles()
            if role not in ROLES and not role.startswith(BIG_ROLE_PREFIX)
        }
        if unknown:
            raise ValueError(f"{page.name}: unknown roles {sorted(unknown)}.")
        if page.query_budget < 0 or page.ratio_target <= 0:
            raise ValueError(f"{page.name}: budgets and targets must be positive.")
        seen.add(page.name)
