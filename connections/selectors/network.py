"""Reads and policy about the network: who sees whom, relationships, lists.

Every list and search starts from `visible_members()`, so hiding a member
(deactivated today, suspended later) happens in one place. Per-row facts a
page needs (relationship, mutual connections) come from a fixed number of
queries for the whole page, never one per row.
"""

import functools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import ValidationError
from django.db import connection as db_connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from connections.models import (
    AddressOptOut,
    Audience,
    Block,
    Connection,
    ConnectionRequest,
    ConversationMember,
    EmailInvitation,
    MemberSearchTerm,
    Profile,
    SendingPause,
)
from connections.models.network import expiry_cutoff
from connections.photos import avatar_photo_url
from connections.search import SEARCH_WORDS_MAX, prefix_range, search_words
from connections.selectors.paging import (
    Page,
    decode_cursor,
    encode_cursor,
    keyset_page,
    starting_after,
)
from connections.selectors.prepared import PreparedQuery

PAGE_SIZE = 50
INVITATIONS_PREVIEW = 5


# ---------------------------------------------------------------------------
# Who appears to whom.


def visible_members(*, viewer=None, include_suspended: bool = False, now=None):
    """Members who appear to others; without those blocked either way by `viewer`.

    Suspended members appear to no one, except with `include_suspended` (for
    staff who moderate). Suspensions are read at `now`, by default this moment.
    """
    User = get_user_model()
    if include_suspended:
        members = User.objects.filter(is_active=True)
    else:
        members = User.objects.active(now)
    if viewer is not None and viewer.is_authenticated:
        members = members.exclude(
            Exists(Block.objects.filter(blocker=viewer, blocked=OuterRef("pk")))
        ).exclude(Exists(Block.objects.filter(blocker=OuterRef("pk"), blocked=viewer)))
    return members


def is_visible(ref: str = "pk", now=None) -> Exists:
    """A condition: the member referenced by `ref` appears to others (at `now`)."""
    return Exists(visible_members(now=now).filter(pk=OuterRef(ref)))


def is_present(ref: str = "pk") -> Exists:
    """A condition: member `ref` still has an account, suspended or not (their
    past messages stay readable, under a neutral name while suspended)."""
    return Exists(visible_members(include_suspended=True).filter(pk=OuterRef(ref)))


def is_blocked_between(a, b) -> bool:
    """Whether either member blocked the other (one query)."""
    return Block.objects.filter(
        Q(blocker=a, blocked=b) | Q(blocker=b, blocked=a)
    ).exists()


def is_blocked_with_address(member, email: str) -> bool:
    """Whether `email` is an address of someone `member` blocked or who
    blocked them: their sign-in address or another verified one (one query)."""
    from allauth.account.models import EmailAddress

    email = (email or "").strip().lower()
    owners = get_user_model().objects.filter(
        Q(email=email)
        | Exists(
            EmailAddress.objects.filter(
                user=OuterRef("pk"), email__iexact=email, verified=True
            )
        )
    )
    return Block.objects.filter(
        Q(blocker=member, blocked__in=owners) | Q(blocked=member, blocker__in=owners)
    ).exists()


def address_opted_out(email: str) -> bool:
    """Whether `email` asked, from an invitation email's link, to get no more
    invitation emails from anyone (one query, whatever its case)."""
    from connections.unsubscribe import address_digests

    return AddressOptOut.objects.filter(digest__in=address_digests(email)).exists()


def member_with_address(email: str):
    """The active member whose verified address `email` is (their sign-in
    address or another), or None; for what is sent there, never shown."""
    from allauth.account.models import EmailAddress

    email = (email or "").strip().lower()
    if not email:
        return None
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Exists(
                EmailAddress.objects.filter(
                    user=OuterRef("pk"), email__iexact=email, verified=True
                )
            )
        )
        .order_by("pk")
        .first()
    )


def are_connected(a, b) -> bool:
    return Connection.objects.filter(member=a, other=b).exists()


def may_message(*, sender, ref: str = "pk") -> Q:
    """A condition on the member at `ref`: `sender` may send them a message.

    Connected, neither blocked the other, and both still appear to others.
    The one messaging policy: `can_message` asks it of one member, pages of
    conversations ask it of each row in the same query.
    """
    return (
        Q(is_visible(ref))
        & Q(Exists(visible_members().filter(pk=sender.pk)))
        & Q(Exists(Connection.objects.filter(member=sender.pk, other=OuterRef(ref))))
        & ~Q(Exists(Block.objects.filter(blocker=sender.pk, blocked=OuterRef(ref))))
        & ~Q(Exists(Block.objects.filter(blocker=OuterRef(ref), blocked=sender.pk)))
    )


def can_message(*, sender, recipient) -> bool:
    """Whether `sender` may send `recipient` a message: connected and not blocked.

    One query. Both members must still appear to others.
    """
    if not getattr(sender, "is_authenticated", False) or sender.pk == recipient.pk:
        return False
    return (
        get_user_model()
        .objects.filter(pk=recipient.pk)
        .filter(may_message(sender=sender))
        .exists()
    )


# ---------------------------------------------------------------------------
# Photos in lists shown to members.


def list_photo_key():
    """An annotation: the member's photo key if every member may see the photo.

    Lists don't work out each row's relationship to the viewer, so they show
    only photos whose audience is Public or Members; the others stay on the
    profile, where `connections.selectors.profiles` decides.
    """
    return Subquery(
        Profile.objects.filter(
            member=OuterRef("pk"),
            photo_audience__in=[Audience.PUBLIC, Audience.MEMBERS],
        ).values("photo_key")[:1]
    )


def with_list_photos(people) -> None:
    """Give each member annotated with `list_photo_key` an `avatar_url`."""
    for person in people:
        key = getattr(person, "list_photo_key", "") or ""
        person.avatar_url = functools.partial(avatar_photo_url, key) if key else ""


# ---------------------------------------------------------------------------
# The relationship between a viewer and each member on a page.


@dataclass(frozen=True)
class Relationship:
    """What the viewer may do about a member, as the action button shows it."""

    ANONYMOUS = "anonymous"
    SELF = "self"
    NONE = "none"
    CONNECTED = "connected"
    OUTGOING = "outgoing"  # the viewer invited the member
    INCOMING = "incoming"  # the member invited the viewer
    COOLDOWN = "cooldown"  # the viewer's last invitation ended recently
    BLOCKED = "blocked"  # the viewer blocked the member
    UNAVAILABLE = "unavailable"  # the member blocked the viewer, or is hidden

    state: str
    request_id: int | None = None
    until: datetime | None = None

    def __str__(self):
        return self.state


RELATIONSHIP_FIELDS = (
    "rel_visible",
    "rel_connected",
    "rel_outgoing",
    "rel_incoming",
    "rel_blocked",
    "rel_blocks_viewer",
    "rel_answered",
)


def relationship_annotations(viewer) -> dict:
    """Annotations on members that tell their relationship with `viewer`.

    Added to any query of members (a page of search results) so the states
    come with the rows; `relationship_of` reads them back.
    """
    now = timezone.now()
    pending = ConnectionRequest.objects.pending(now)
    cooldown_since = now - timedelta(days=settings.RAPPORT_INVITATION_COOLDOWN_DAYS)
    return {
        "rel_visible": is_visible("pk"),
        "rel_connected": Exists(
            Connection.objects.filter(member=viewer, other=OuterRef("pk"))
        ),
        "rel_outgoing": Subquery(
            pending.filter(sender=viewer, recipient=OuterRef("pk")).values("pk")[:1]
        ),
        "rel_incoming": Subquery(
            pending.filter(sender=OuterRef("pk"), recipient=viewer).values("pk")[:1]
        ),
        "rel_blocked": Exists(
            Block.objects.filter(blocker=viewer, blocked=OuterRef("pk"))
        ),
        "rel_blocks_viewer": Exists(
            Block.objects.filter(blocker=OuterRef("pk"), blocked=viewer)
        ),
        "rel_answered": Subquery(
            ConnectionRequest.objects.filter(
                sender=viewer,
                recipient=OuterRef("pk"),
                status__in=ConnectionRequest.COOLDOWN_STATUSES,
                responded__gte=cooldown_since,
            )
            .order_by("-responded")
            .values("responded")[:1]
        ),
    }


def relationship_of(values) -> Relationship:
    """The state from the values of `relationship_annotations` (a dict)."""
    if values["rel_blocked"]:
        return Relationship(Relationship.BLOCKED)
    if values["rel_blocks_viewer"] or not values["rel_visible"]:
        return Relationship(Relationship.UNAVAILABLE)
    if values["rel_connected"]:
        return Relationship(Relationship.CONNECTED)
    if values["rel_incoming"]:
        return Relationship(Relationship.INCOMING, request_id=values["rel_incoming"])
    if values["rel_outgoing"]:
        return Relationship(Relationship.OUTGOING, request_id=values["rel_outgoing"])
    if values["rel_answered"]:
        days = settings.RAPPORT_INVITATION_COOLDOWN_DAYS
        return Relationship(
            Relationship.COOLDOWN, until=values["rel_answered"] + timedelta(days=days)
        )
    return Relationship(Relationship.NONE)


def relationship_states(*, viewer, members) -> dict[int, Relationship]:
    """The relationship of `viewer` with each of `members` (objects or ids).

    One query for the whole page, none for a signed-out viewer.
    """
    ids = {getattr(member, "pk", member) for member in members}
    if not getattr(viewer, "is_authenticated", False):
        return dict.fromkeys(ids, Relationship(Relationship.ANONYMOUS))
    states = {}
    if viewer.pk in ids:
        states[viewer.pk] = Relationship(Relationship.SELF)
        ids.discard(viewer.pk)
    if not ids:
        return states
    rows = (
        get_user_model()
        .objects.filter(pk__in=ids)
        .annotate(**relationship_annotations(viewer))
        .values("pk", *RELATIONSHIP_FIELDS)
    )
    for row in rows:
        states[row["pk"]] = relationship_of(row)
    for missing in ids - states.keys():
        states[missing] = Relationship(Relationship.UNAVAILABLE)
    return states


def relationship_with(*, viewer, member) -> Relationship:
    return relationship_states(viewer=viewer, members=[member])[member.pk]


# ---------------------------------------------------------------------------
# Mutual connections.


# Up to this many connections, a viewer's mutual counts are found by walking
# the viewer's own connections; past it, by walking each member's (who are
# then, almost always, the smaller side).
MUTUAL_VIA_VIEWER_MAX = 300


def connection_degree(member) -> int:
    """How many connection rows `member` has (one query, cached on the member)."""
    cached = getattr(member, "_connection_degree", None)
    if cached is None:
        cached = Connection.objects.filter(member=member).count()
        member._connection_degree = cached
    return cached


def _count_n(queryset):
    return Coalesce(
        Subquery(
            queryset.order_by().values("member").annotate(n=Count("*")).values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def mutual_count(*, viewer, ref: str = "pk"):
    """An annotation: how many connections the viewer shares with member `ref`.

    Walks the smaller side: the viewer's connections when the viewer has at
    most MUTUAL_VIA_VIEWER_MAX, else the member's, probing the other side's
    (member, other) index. Which side is decided in the same query, once.
    """
    via_viewer = _count_n(
        Connection.objects.filter(member=viewer.pk).filter(
            Exists(
                Connection.objects.filter(
                    member=OuterRef(OuterRef(ref)), other=OuterRef("other")
                )
            )
        )
    )
    via_member = _count_n(
        Connection.objects.filter(member=OuterRef(ref)).filter(
            Exists(Connection.objects.filter(member=viewer.pk, other=OuterRef("other")))
        )
    )
    viewer_has_many = Exists(
        Connection.objects.filter(member=viewer.pk).order_by()[
            MUTUAL_VIA_VIEWER_MAX : MUTUAL_VIA_VIEWER_MAX + 1
        ]
    )
    return Case(When(viewer_has_many, then=via_member), default=via_viewer)


def mutual_counts(*, viewer, member_ids) -> dict[int, int]:
    """How many connections the viewer shares with each member: one query."""
    ids = list({getattr(member, "pk", member) for member in member_ids})
    if not getattr(viewer, "is_authenticated", False) or not ids:
        return {}
    rows = (
        get_user_model()
        .objects.filter(pk__in=ids)
        .annotate(n=mutual_count(viewer=viewer))
        .values_list("pk", "n")
    )
    return dict.fromkeys(ids, 0) | dict(rows)


# ---------------------------------------------------------------------------
# Counts for the navigation badge and My Network.


def _count(queryset, *, ref_field: str):
    """A scalar subquery counting `queryset` rows correlated on `ref_field`."""
    counted = (
        queryset.order_by().values(ref_field).annotate(n=Count("*")).values("n")[:1]
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _badge_annotations(now):
    """The navigation badges, as annotations on the member's own row.

    With them comes the member's own photo key, which the header and Home
    show whatever its audience: the same query, not one more per page.
    """
    return {
        "photo_key": Coalesce(
            Subquery(
                Profile.objects.filter(member=OuterRef("pk")).values("photo_key")[:1]
            ),
            Value(""),
        ),
        "invitations": _count(
            ConnectionRequest.objects.pending(now)
            .filter(recipient=OuterRef("pk"))
            .filter(is_visible("sender", now)),
            ref_field="recipient",
        ),
        "messages": unread_messages_count(ref="pk"),
    }


# The keys of `_badge_annotations`, without building them.
BADGE_KEYS = ("photo_key", "invitations", "messages")


def unread_messages_count(*, ref: str = "pk"):
    """A scalar subquery: the unread messages of member `ref`.

    Reads only the conversations with something unread (a partial index),
    leaving out those the member may no longer open, as the inbox does: a
    suspended member's messages still count, a blocker's do not.
    """
    unread = (
        ConversationMember.objects.filter(member=OuterRef(ref), unread_count__gt=0)
        .filter(is_present("other"))
        .exclude(
            Exists(
                Block.objects.filter(
                    blocker=OuterRef("other"), blocked=OuterRef("member")
                )
            )
        )
        .order_by()
        .values("member")
        .annotate(n=Sum("unread_count"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(unread, output_field=IntegerField()), 0)


def _badge_query(*, member, now):
    """The navigation badges of member `member` (an id) at `now`: one row."""
    annotations = _badge_annotations(now)
    return (
        get_user_model()
        .objects.filter(pk=member)
        .annotate(**annotations)
        .values(*annotations)
        .order_by("pk")[:1]
    )


def _network_annotations(now):
    return {
        **_badge_annotations(now),
        # All rows, hidden members included: counting is then a walk of the
        # index alone, and the member's degree for the rest of the page.
        "connection_count": _count(
            Connection.objects.filter(member=OuterRef("pk")),
            ref_field="member",
        ),
        # What the Sent tab lists: pending invitations and open links by email.
        "sent_count": _count(
            ConnectionRequest.objects.pending(now)
            .filter(sender=OuterRef("pk"))
            .filter(is_visible("recipient", now)),
            ref_field="sender",
        )
        + _count(
            EmailInvitation.objects.open(now).filter(inviter=OuterRef("pk")),
            ref_field="inviter",
        ),
    }


# The keys of `_network_annotations`, without building them.
NETWORK_KEYS = (*BADGE_KEYS, "connection_count", "sent_count")


def _network_query(*, member, now):
    """The counts of My Network and the badges of member `member` (an id)."""
    annotations = _network_annotations(now)
    return (
        get_user_model()
        .objects.filter(pk=member)
        .annotate(**annotations)
        .values(*annotations)
        .order_by("pk")[:1]
    )


# Built and compiled once per database: building them costs far more than
# running them (see `connections.selectors.prepared`).
BADGE_QUERY = PreparedQuery(_badge_query, ids=("member",), moment="now")
NETWORK_QUERY = PreparedQuery(_network_query, ids=("member",), moment="now")


def nav_badge_counts(*, member) -> dict[str, int | str]:
    """Every navigation badge of `member` in one query; cached on the member.

    `photo_key` is the member's own photo, for the header's avatar.
    """
    cached = getattr(member, "_nav_badge_counts", None)
    if cached is not None:
        return cached
    rows = BADGE_QUERY.rows(member=member.pk, now=timezone.now())
    counts = rows[0] if rows else dict.fromkeys(BADGE_KEYS, 0)
    member._nav_badge_counts = counts
    return counts


def network_counts(*, member) -> dict[str, int]:
    """Connections, received and sent invitations (and the badges): one query.

    Keys: `connection_count`, `sent_count` and those of `nav_badge_counts`
    (`invitations` is the number of invitations received). Cached on the
    member for the rest of the request.
    """
    cached = getattr(member, "_network_counts", None)
    if cached is not None:
        return cached
    rows = NETWORK_QUERY.rows(member=member.pk, now=timezone.now())
    counts = rows[0] if rows else dict.fromkeys(NETWORK_KEYS, 0)
    member._nav_badge_counts = {key: counts[key] for key in BADGE_KEYS}
    member._connection_degree = counts["connection_count"]
    member._network_counts = counts
    return counts


# ---------------------------------------------------------------------------
# Lists of My Network, keyset-paginated.


def received_invitations(*, member, cursor: str = "", size: int = PAGE_SIZE) -> Page:
    """Pending invitations to `member`, newest first, with mutual counts."""
    rows = (
        ConnectionRequest.objects.pending()
        .filter(recipient=member)
        .filter(is_visible("sender"))
        .select_related("sender")
        .annotate(mutual_count=mutual_count(viewer=member, ref="sender"))
    )
    return keyset_page(
        rows,
        keys=[("created", True), ("id", True)],
        cursor=cursor,
        size=size,
        key_values=lambda row: (row.created, row.pk),
    )


def sent_invitations(*, member, cursor: str = "", size: int = PAGE_SIZE) -> Page:
    """Pending invitations from `member`, newest first."""
    rows = (
        ConnectionRequest.objects.pending()
        .filter(sender=member)
        .filter(is_visible("recipient"))
        .select_related("recipient")
        .annotate(mutual_count=mutual_count(viewer=member, ref="recipient"))
    )
    return keyset_page(
        rows,
        keys=[("created", True), ("id", True)],
        cursor=cursor,
        size=size,
        key_values=lambda row: (row.created, row.pk),
    )


def sent_email_invitations(*, member, cursor: str = "", size: int = PAGE_SIZE) -> Page:
    """The member's invitation links by email that still work, newest first."""
    return keyset_page(
        EmailInvitation.objects.open().filter(inviter=member),
        keys=[("created", True), ("id", True)],
        cursor=cursor,
        size=size,
        key_values=lambda row: (row.created, row.pk),
    )


# Up to this many connections, the name-sorted list sorts the member's own
# connections; past it, it walks the members' name index and keeps those
# connected, which reads about one page's worth whatever the degree.
NAME_SORT_DIRECT_MAX = 2000


def _matching(query: str, *, field: str) -> Q:
    """Rows whose member `field` has a word starting with each word of `query`.

    The same words as member search (name, handle, headline; accents and
    case ignored), read as one range of the (term, member) index per word:
    a search among 30,000 connections never reads their names one by one.
    """
    words = search_words(" ".join((query or "").split()[:SEARCH_WORDS_MAX]))
    if not words:
        return Q(pk__in=[])  # nothing to look for: no match, not everyone
    condition = Q()
    for word in dict.fromkeys(words[:SEARCH_WORDS_MAX]):
        low, high = prefix_range(word)
        condition &= Q(
            **{
                f"{field}__in": MemberSearchTerm.objects.filter(
                    term__gte=low, term__lt=high
                ).values("member_id")
            }
        )
    return condition


def _connection_page_ids(member, *, query: str, sort: str):
    """The members on a page of connections, found from indexes alone.

    Returns (queryset of candidates, the column holding the member's id).
    Recently connected reads the (member, created, id, other) index in order;
    by name, a small network sorts its own connections while a large one
    walks the members' name index and keeps those connected, so a page costs
    about the same at 30 and at 30,000 connections.
    """
    if (
        sort == "name"
        and not query
        and connection_degree(member) > (NAME_SORT_DIRECT_MAX)
    ):
        return (
            visible_members()
            .filter(
                Exists(Connection.objects.filter(member=member, other=OuterRef("pk")))
            )
            .annotate(sort_name=Lower("display_name"), other_id=F("pk"))
        ), "pk"
    rows = Connection.objects.filter(member=member).filter(is_visible("other"))
    if sort == "name":
        rows = rows.annotate(sort_name=Lower("other__display_name"))
    if query:
        rows = rows.filter(_matching(query, field="other_id"))
    return rows, "other_id"


CONNECTION_KEYS = {
    "recent": [("created", True), ("id", True)],
    "name": [("sort_name", False), ("other_id", False)],
    # The stored, epoch-scaled depth (connections.selectors.depth) sorts as
    # the depth today does, so its (member, depth, id) index serves the list.
    "depth": [("depth", True), ("id", True)],
}
CONNECTION_SORTS = tuple(CONNECTION_KEYS)


def with_connected_on(rows):
    """Give connection rows `connected_at` (ISO 8601) and `connected_on`
    ("Connected on 14 November 2026") in the active time zone and language:
    worked out once here, cheaper than two date filters per row of a list."""
    connected_on = _("Connected on %(day)s")
    for row in rows:
        moment = timezone.localtime(row.created)
        row.connected_at = moment.isoformat()
        row.connected_on = connected_on % {"day": date_format(moment, "j F Y")}
    return rows


def connections_of(
    *,
    member,
    query: str = "",
    sort: str = "recent",
    cursor: str = "",
    size: int = PAGE_SIZE,
) -> Page:
    """The member's own connections (their private view), with mutual counts.

    `sort` is "recent" (recently connected first), "name" or "depth"
    (deepest first); `query` keeps those with a word of their name, handle
    or headline starting with each word typed, as member search does. One
    query: recently connected and by depth are read in index
    order and stop after the page; otherwise the page's members are picked
    from indexes alone in a subquery, then only their rows are read, with
    their mutual counts.
    """
    query = " ".join((query or "").split())[:100]
    sort = sort if sort in CONNECTION_KEYS else "recent"
    keys = CONNECTION_KEYS[sort]
    if sort in ("recent", "depth") and not query:
        # Read in index order: the database stops after the page's rows.
        first = keys[0][0]
        return keyset_page(
            Connection.objects.filter(member=member)
            .filter(is_visible("other"))
            .select_related("other")
            .annotate(mutual_count=mutual_count(viewer=member, ref="other")),
            keys=keys,
            cursor=cursor,
            size=size,
            key_values=lambda row: (getattr(row, first), row.pk),
        )
    ordering = [f"-{key}" if desc else key for key, desc in keys]
    candidates, id_column = _connection_page_ids(member, query=query, sort=sort)
    candidates = starting_after(candidates, keys, decode_cursor(cursor, len(keys)))
    picked = candidates.order_by(*ordering).values(id_column)[: size + 1]
    rows = (
        Connection.objects.filter(member=member, other_id__in=picked)
        .select_related("other")
        .annotate(mutual_count=mutual_count(viewer=member, ref="other"))
    )
    if sort == "name":
        rows = list(
            rows.annotate(sort_name=Lower("other__display_name")).order_by(*ordering)
        )
    elif sort == "depth":
        rows = sorted(rows, key=lambda row: (row.depth, row.pk), reverse=True)
    else:
        # Put in order here: asked to sort, the database would walk the
        # member's whole (member, created) index instead of fetching the page's
        # rows by (member, other).
        rows = sorted(rows, key=lambda row: (row.created, row.pk), reverse=True)
    next_cursor = ""
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = encode_cursor(
            (last.sort_name, last.other_id)
            if sort == "name"
            else (getattr(last, keys[0][0]), last.pk)
        )
    return Page(items=rows, next_cursor=next_cursor)


def blocked_members(*, member, cursor: str = "", size: int = PAGE_SIZE) -> Page:
    """The members `member` blocked, most recent first."""
    rows = Block.objects.filter(blocker=member).select_related("blocked")
    return keyset_page(
        rows,
        keys=[("created", True), ("id", True)],
        cursor=cursor,
        size=size,
        key_values=lambda row: (row.created, row.pk),
    )


def members_search(
    *, viewer, query: str, cursor: str = "", size: int = PAGE_SIZE
) -> Page:
    """Members with a word starting with each word of `query`.

    Words are matched against the member's name, handle and headline
    (accents and case ignored), through `MemberSearchTerm`.

    Each comes with `mutual_count` and `relationship`, in the same query.
    """
    words = search_words(" ".join((query or "").split()[:SEARCH_WORDS_MAX]))
    if not words:
        return Page(items=[])
    # Each word is a prefix of a word of the member's name, handle or
    # headline: one range of the (term, member) index per word, never a
    # walk of every member. Only those three fields are indexed, and every
    # member may see them.
    rows = (
        visible_members(viewer=viewer)
        .exclude(pk=viewer.pk)
        .filter(_matching(query, field="pk"))
    )
    # Read in the order of the members' name index, so only the rows of the
    # page get their mutual count.
    rows = rows.annotate(
        sort_name=Lower("display_name"),
        mutual_count=mutual_count(viewer=viewer),
        list_photo_key=list_photo_key(),
        **relationship_annotations(viewer),
    )
    page = keyset_page(
        rows,
        keys=[("sort_name", False), ("id", False)],
        cursor=cursor,
        size=size,
        key_values=lambda row: (row.sort_name, row.pk),
    )
    for person in page.items:
        person.relationship = relationship_of(person.__dict__)
    with_list_photos(page.items)
    return page


# ---------------------------------------------------------------------------
# People you may know.


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


# How many of the best-ranked candidates who are not yet connections are
# checked for invitations, blocks and visibility: those exclusions are rare,
# and checking a short list keeps the cost flat however many candidates the
# sample finds.
SUGGESTIONS_SHORTLIST = 100


def _suggestion_candidates(member, *, limit: int) -> list[tuple[int, int]]:
    """(member id, mutual count) of the best candidates for People you may know.

    Bounded work at any degree: the member's most recent
    RAPPORT_SUGGESTIONS_FROM_CONNECTIONS connections, and for each of them
    their RAPPORT_SUGGESTIONS_PER_CONNECTION most recent connections, read as
    one range of the (member, created) index each. Candidates are ranked by
    how often they appear there. The member and their connections are left
    out first; of the SUGGESTIONS_SHORTLIST best left, anyone with a pending
    invitation either way or whom the member may not invite again yet, anyone
    blocked either way and members who don't appear to others (inactive or
    suspended) are left out too. The exact mutual count is computed for the
    `limit` kept only (walking the smaller side, as `mutual_count` does).
    One query.
    """
    connection_table = db_connection.ops.quote_name(Connection._meta.db_table)
    request_table = db_connection.ops.quote_name(ConnectionRequest._meta.db_table)
    block_table = db_connection.ops.quote_name(Block._meta.db_table)
    user_table = db_connection.ops.quote_name(get_user_model()._meta.db_table)
    now = timezone.now()
    answered = [str(status) for status in ConnectionRequest.COOLDOWN_STATUSES]
    marks = ", ".join(f"%(answered{n})s" for n in range(len(answered)))
    # Only quoted table names and placeholders are formatted into the SQL;
    # every value is a parameter.
    sql = f"""
        WITH friends AS (
            SELECT f.other_id AS id FROM {connection_table} f
            WHERE f.member_id = %(member)s
            ORDER BY f.created DESC, f.id DESC
            LIMIT %(friends)s
        ), windows AS (
            SELECT friends.id AS friend, (
                SELECT w.created FROM {connection_table} w
                WHERE w.member_id = friends.id
                ORDER BY w.created DESC, w.id DESC
                LIMIT 1 OFFSET %(per_friend)s
            ) AS since
            FROM friends
        ), ranked AS (
            SELECT c.other_id AS id, COUNT(*) AS score
            FROM windows
            JOIN {connection_table} c ON c.member_id = windows.friend
            WHERE c.created >= COALESCE(windows.since, %(epoch)s)
              AND c.other_id <> %(member)s
            GROUP BY c.other_id
        ), shortlist AS (
            SELECT ranked.id, ranked.score FROM ranked
            WHERE NOT EXISTS (
                SELECT 1 FROM {connection_table} m
                WHERE m.member_id = %(member)s AND m.other_id = ranked.id)
            ORDER BY ranked.score DESC, ranked.id
            LIMIT %(shortlist)s
        ), kept AS (
            SELECT shortlist.id, shortlist.score FROM shortlist
            WHERE EXISTS (
                SELECT 1 FROM {user_table} u
                WHERE u.id = shortlist.id AND u.is_active
                  AND (u.suspended_until IS NULL OR u.suspended_until <= %(now)s))
              AND NOT EXISTS (
                SELECT 1 FROM {request_table} r
                WHERE r.sender_id = %(member)s AND r.recipient_id = shortlist.id
                  AND r.status = 'pending' AND r.created >= %(expiry)s)
              AND NOT EXISTS (
                SELECT 1 FROM {request_table} r
                WHERE r.sender_id = shortlist.id AND r.recipient_id = %(member)s
                  AND r.status = 'pending' AND r.created >= %(expiry)s)
              AND NOT EXISTS (
                SELECT 1 FROM {request_table} r
                WHERE r.sender_id = %(member)s AND r.recipient_id = shortlist.id
                  AND r.status IN ({marks}) AND r.responded >= %(cooldown)s)
              AND NOT EXISTS (
                SELECT 1 FROM {block_table} b
                WHERE b.blocker_id = %(member)s AND b.blocked_id = shortlist.id)
              AND NOT EXISTS (
                SELECT 1 FROM {block_table} b
                WHERE b.blocker_id = shortlist.id AND b.blocked_id = %(member)s)
            ORDER BY shortlist.score DESC, shortlist.id
            LIMIT %(limit)s
        )
        SELECT kept.id, CASE WHEN EXISTS (
                SELECT 1 FROM {connection_table} d
                WHERE d.member_id = %(member)s LIMIT 1 OFFSET %(via_viewer_max)s)
            THEN (
                SELECT COUNT(*) FROM {connection_table} x
                JOIN {connection_table} y
                  ON y.member_id = %(member)s AND y.other_id = x.other_id
                WHERE x.member_id = kept.id)
            ELSE (
                SELECT COUNT(*) FROM {connection_table} y
                JOIN {connection_table} x
                  ON x.member_id = kept.id AND x.other_id = y.other_id
                WHERE y.member_id = %(member)s)
            END AS mutual
        FROM kept
        ORDER BY kept.score DESC, kept.id
    """  # noqa: S608
    params = {
        "member": member.pk,
        "friends": settings.RAPPORT_SUGGESTIONS_FROM_CONNECTIONS,
        "per_friend": settings.RAPPORT_SUGGESTIONS_PER_CONNECTION - 1,
        "epoch": EPOCH,
        "now": now,
        "expiry": expiry_cutoff(now),
        "cooldown": now - timedelta(days=settings.RAPPORT_INVITATION_COOLDOWN_DAYS),
        "shortlist": max(SUGGESTIONS_SHORTLIST, limit),
        "limit": limit,
        "via_viewer_max": MUTUAL_VIA_VIEWER_MAX,
    }
    params |= {f"answered{n}": status for n, status in enumerate(answered)}
    with db_connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(row[0], row[1]) for row in cursor.fetchall()]


def suggestions_for(*, member, limit: int = 6) -> list:
    """People you may know: members with the most connections in common.

    Excludes the member, their connections, anyone with a pending invitation
    either way or whom the member may not invite again yet, anyone blocked
    either way and members who don't appear to others. Each comes with
    `mutual_count`, and can be invited (relationship "none"). Two queries at
    any size.
    """
    candidates = _suggestion_candidates(member, limit=limit)
    if not candidates:
        return []
    mutuals = dict(candidates)
    order = {pk: index for index, (pk, _count) in enumerate(candidates)}
    people = sorted(
        visible_members()
        .filter(pk__in=mutuals)
        .annotate(list_photo_key=list_photo_key()),
        key=lambda person: order[person.pk],
    )[:limit]
    for person in people:
        person.mutual_count = mutuals[person.pk]
    with_list_photos(people)
    return people


# ---------------------------------------------------------------------------
# What a member may still send.


@dataclass(frozen=True)
class Allowance:
    weekly_limit: int
    sent_this_week: int
    pending: int
    pending_limit: int
    paused_until: datetime | None

    @property
    def remaining(self) -> int:
        return max(
            0,
            min(
                self.weekly_limit - self.sent_this_week,
                self.pending_limit - self.pending,
            ),
        )


def invitation_allowance(*, member) -> Allowance:
    """How many more invitations `member` may send now: one query."""
    now = timezone.now()
    week = now - timedelta(days=7)
    row = (
        get_user_model()
        .objects.filter(pk=member.pk)
        .annotate(
            week_requests=_count(
                ConnectionRequest.objects.filter(
                    sender=OuterRef("pk"),
                    created__gte=week,
                    email_invitation__isnull=True,
                ),
                ref_field="sender",
            ),
            week_emails=_count(
                EmailInvitation.objects.filter(
                    inviter=OuterRef("pk"), created__gte=week
                ),
                ref_field="inviter",
            ),
            pending_now=_count(
                ConnectionRequest.objects.pending(now).filter(sender=OuterRef("pk")),
                ref_field="sender",
            ),
            paused_until=Subquery(
                SendingPause.objects.active(now)
                .filter(member=OuterRef("pk"))
                .order_by("-until")
                .values("until")[:1]
            ),
        )
        .values("week_requests", "week_emails", "pending_now", "paused_until")
        .get()
    )
    return Allowance(
        weekly_limit=settings.RAPPORT_INVITATIONS_PER_WEEK,
        sent_this_week=row["week_requests"] + row["week_emails"],
        pending=row["pending_now"],
        pending_limit=settings.RAPPORT_INVITATIONS_PENDING_MAX,
        paused_until=row["paused_until"],
    )


# ---------------------------------------------------------------------------
# Limits on sending invitations: each refusal says which limit and when it
# lifts. Services raise these under their locks; pages show them up front.


def when(moment) -> str:
    """A moment as members read it in a refusal: "5 March 2027 at 14:05"."""
    local = timezone.localtime(moment)
    return _("%(date)s at %(time)s") % {
        "date": date_format(local, "j F Y"),
        "time": date_format(local, "H:i"),
    }


def day(moment) -> str:
    return date_format(timezone.localtime(moment), "j F Y")


def pause_refusal(member, now=None) -> ValidationError | None:
    now = now or timezone.now()
    until = (
        SendingPause.objects.active(now)
        .filter(member=member)
        .order_by("-until")
        .values_list("until", flat=True)
        .first()
    )
    if until is None:
        return None
    return ValidationError(
        _(
            "You can't send invitations until %(until)s: several people said they "
            "don't know you. If this is a mistake, contact the staff."
        )
        % {"until": when(until)},
        code="paused",
    )


def _sent_this_week(sender, now):
    """Moments of the invitations the sender made in the rolling week, oldest first.

    Connection requests and invitations by email count alike; a request made
    when an email invitation was used was already counted as that invitation.
    """
    since = now - timedelta(days=7)
    moments = list(
        ConnectionRequest.objects.filter(
            sender=sender, created__gte=since, email_invitation__isnull=True
        ).values_list("created", flat=True)
    )
    moments += list(
        EmailInvitation.objects.filter(inviter=sender, created__gte=since).values_list(
            "created", flat=True
        )
    )
    return sorted(moments)


def weekly_refusal(sender, now=None) -> ValidationError | None:
    now = now or timezone.now()
    limit = settings.RAPPORT_INVITATIONS_PER_WEEK
    moments = _sent_this_week(sender, now)
    if len(moments) < limit:
        return None
    if limit <= 0:
        return ValidationError(
            _("Invitations are turned off on this site."), code="weekly_limit"
        )
    lifts = moments[len(moments) - limit] + timedelta(days=7)
    return ValidationError(
        ngettext(
            "You have sent %(limit)d invitation in the last 7 days, the weekly "
            "limit. You can send another on %(when)s.",
            "You have sent %(limit)d invitations in the last 7 days, the weekly "
            "limit. You can send another on %(when)s.",
            limit,
        )
        % {"limit": limit, "when": when(lifts)},
        code="weekly_limit",
    )


def pending_refusal(sender, now=None) -> ValidationError | None:
    now = now or timezone.now()
    limit = settings.RAPPORT_INVITATIONS_PENDING_MAX
    pending = ConnectionRequest.objects.pending(now).filter(sender=sender)
    if pending.count() < limit:
        return None
    oldest = pending.order_by("created").values_list("created", flat=True)[0]
    expires = oldest + timedelta(days=settings.RAPPORT_INVITATION_EXPIRY_DAYS)
    return ValidationError(
        ngettext(
            "You have %(limit)d invitation waiting for an answer, the most at once. "
            "Withdraw it or wait for an answer; it expires on %(when)s.",
            "You have %(limit)d invitations waiting for an answer, the most at "
            "once. Withdraw some or wait for answers; your oldest invitation "
            "expires on %(when)s.",
            limit,
        )
        % {"limit": limit, "when": when(expires)},
        code="pending_limit",
    )


def cooldown_refusal(sender, recipient, now=None) -> ValidationError | None:
    now = now or timezone.now()
    days = settings.RAPPORT_INVITATION_COOLDOWN_DAYS
    last = (
        ConnectionRequest.objects.filter(
            sender=sender,
            recipient=recipient,
            status__in=ConnectionRequest.COOLDOWN_STATUSES,
            responded__gte=now - timedelta(days=days),
        )
        .order_by("-responded")
        .values_list("responded", flat=True)
        .first()
    )
    if last is None:
        return None
    return ValidationError(
        _(
            "You can invite %(name)s again on %(when)s: after an invitation ends "
            "without a connection, you wait %(days)d days before inviting the same "
            "person again."
        )
        % {
            "name": recipient.display_name,
            "when": when(last + timedelta(days=days)),
            "days": days,
        },
        code="cooldown",
    )


def capacity_refusal(member, *, viewer) -> ValidationError | None:
    """Refusal when `member` already has the most connections a member may have."""
    limit = settings.RAPPORT_CONNECTIONS_MAX
    if Connection.objects.filter(member=member).count() < limit:
        return None
    if member.pk == viewer.pk:
        message = _(
            "You have %(limit)s connections, the most a member can have. Remove a "
            "connection to make room for a new one."
        ) % {"limit": intcomma(limit)}
    else:
        message = _(
            "%(name)s has %(limit)s connections, the most a member can have, and "
            "can't take a new one until they remove one."
        ) % {"name": member.display_name, "limit": intcomma(limit)}
    return ValidationError(message, code="connections_limit")


def sending_refusal(
    *, sender, recipient=None, by_email: bool = False, now=None
) -> ValidationError | None:
    """Why `sender` may not send an invitation now (to `recipient`), or None.

    The first limit that applies, in this order: a pause, the cooldown with
    this recipient, the weekly allowance, the pending maximum, the connection
    maximum. Invitations by email skip the two limits about a recipient.
    """
    now = now or timezone.now()
    checks = [lambda: pause_refusal(sender, now)]
    if recipient is not None:
        checks.append(lambda: cooldown_refusal(sender, recipient, now))
    checks.append(lambda: weekly_refusal(sender, now))
    if not by_email:
        checks.append(lambda: pending_refusal(sender, now))
    checks.append(lambda: capacity_refusal(sender, viewer=sender))
    for check in checks:
        refusal = check()
        if refusal is not None:
            return refusal
    return None
