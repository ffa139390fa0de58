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

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from connections.selectors.members import members_findable_by_emails
from contacts.perf.seed import BIG_ROLE_PREFIX, ROLES, role_handle


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
    status: int = 200
    # An action: POSTed with this data (CSRF aside) in a transaction that is
    # rolled back, so the seeded data stays as it was; not loaded over HTTP.
    post: Callable[[Cast], dict] | None = None
    target: float | None = None  # ratio to the bare view; default by kind
    baseline: str | None = None  # the page a deep page is compared with
    baseline_target: float | None = None
    max_ms: float | None = None  # an absolute time target, when the issue sets one
    query_viewers: tuple[str | None, ...] | None = None
    http: bool | None = None  # measured by `make bench-http`; default: not actions

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


def profile_of(role: str) -> Callable[[Cast], str]:
    return lambda cast: reverse(
        "connections:profile", kwargs={"handle": cast[role].handle}
    )


def url(name: str) -> Callable[[Cast], str]:
    return lambda cast: reverse(name)


# The bare view every ratio divides by; see contacts/perf/views.py.
BARE = Page("bare", url("bench_bare"), "typical", Kind.PAGE, query_budget=2)

PAGES: list[Page] = [
    # Site-wide.
    Page("home-signed-out", url("home"), None, Kind.PAGE, query_budget=0),
    Page("home", url("home"), "typical", Kind.PAGE, query_budget=2),
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
    Page("email-settings", url("account_email"), "typical", Kind.PAGE, query_budget=6),
    Page("two-factor", url("mfa_index"), "typical", Kind.PAGE, query_budget=4),
    Page("sessions", url("usersessions_list"), "typical", Kind.PAGE, query_budget=3),
    # Members and profiles.
    Page("settings", url("connections:settings"), "typical", Kind.PAGE, query_budget=2),
    Page(
        "profile",
        profile_of("typical"),
        "single",
        Kind.PAGE,
        query_budget=3,
        query_viewers=("single", "hub"),
    ),
    Page(
        "profile-signed-out",
        profile_of("typical"),
        None,
        Kind.PAGE,
        query_budget=1,
    ),
    Page(
        "profile-own",
        profile_of("typical"),
        "typical",
        Kind.PAGE,
        query_budget=3,
        query_viewers=("typical",),
    ),
    Page(
        "profile-of-hub",
        profile_of("hub"),
        "typical",
        Kind.HUB,
        query_budget=3,
        query_viewers=("single", "typical"),
    ),
    Page(
        "profile-by-hub",
        profile_of("typical"),
        "hub",
        Kind.HUB,
        query_budget=3,
        query_viewers=("single", "hub"),
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
    HotQuery(
        "members-findable-by-emails",
        lambda cast: members_findable_by_emails(
            emails=[cast.typical.email, cast.hub.email, "nobody@example.org"]
        ),
    ),
]


@dataclass(frozen=True)
class Operation:
    """Work that is not a page (an import, an export): timed, peak memory.

    `run` may write; it runs in a transaction that is rolled back.
    """

    name: str
    run: Callable[[Cast], object]
    viewer: str
    max_seconds: float | None = None
    max_peak_mib: float | None = None
    repeat: int = 3


OPERATIONS: list[Operation] = []


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
