"""Reads about the depth of each connection: the score, its meter, its "Why?".

The score of a pair is kept on both rows of the `Connection`, scaled to a
fixed epoch: an interaction of weight w at moment t adds w·2^((t − EPOCH)/H)
(H is the half-life). The score now is the stored value divided by
2^((now − EPOCH)/H), so every interaction has decayed by half after H days,
and since every pair is divided by the same number, sorting by the stored
value is sorting by the score now: one index serves "Sort by depth" at any
moment without a periodic task. (A double holds the growth factor for about
250 years past the epoch.)

Only the member who owns the row ever reads it: the depth is private.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from connections.models import Connection, Interaction
from connections.selectors.network import is_visible
from connections.selectors.paging import Page, keyset_page

EPOCH = datetime(2025, 1, 1, tzinfo=UTC)


def growth(moment: datetime) -> float:
    """How much an interaction at `moment` weighs against one at the epoch."""
    half_life = settings.RAPPORT_DEPTH_HALF_LIFE_DAYS * 86400
    return 2.0 ** ((moment - EPOCH).total_seconds() / half_life)


def pair_depth(given: float, received: float) -> float:
    """The score of a pair from what each side gave (both epoch-scaled).

    What both sides did counts in full; what one side did beyond the other
    counts a quarter as much, so a two-sided exchange ranks above one-sided
    attention of the same size. Homogeneous of degree one, so it commutes with
    the decay.
    """
    low, high = sorted((given, received))
    return 2 * low + 0.5 * (high - low)


def depth_now(stored: float, now: datetime | None = None) -> float:
    """The score today from the stored, epoch-scaled value."""
    return stored / growth(now or timezone.now())


def meter_steps(score: float) -> int:
    """How many of the meter's five steps a score fills (0 to 5)."""
    return sum(1 for threshold in settings.RAPPORT_DEPTH_STEPS if score >= threshold)


METER_LABELS = {
    0: gettext_lazy("No interactions yet"),
    1: gettext_lazy("Light"),
    2: gettext_lazy("Occasional"),
    3: gettext_lazy("Regular"),
    4: gettext_lazy("Strong"),
    5: gettext_lazy("Very strong"),
}


def meter_label(steps: int) -> str:
    return str(METER_LABELS[steps])


def with_depth(rows, now: datetime | None = None):
    """Give each connection row `depth_score` and `depth_steps` (no query)."""
    now = now or timezone.now()
    factor = growth(now)
    for row in rows:
        row.reminder_overdue = bool(
            row.keep_in_touch_due and row.keep_in_touch_due <= now
        )
        row.depth_score = row.depth / factor
        row.depth_steps = meter_steps(row.depth_score)
        row.depth_label = meter_label(row.depth_steps)
    return rows


@dataclass
class DepthFacts:
    """The facts behind a depth: counts in the window, each way, last contact."""

    counts: dict = field(default_factory=dict)  # kind → count, both ways
    given: int = 0  # by the member
    received: int = 0  # by the connection
    last: datetime | None = None

    @property
    def total(self) -> int:
        return self.given + self.received

    def summary(self, now=None) -> str:
        """ "3 comments and 1 like in the last 90 days; last interaction 4 days ago"."""
        now = now or timezone.now()
        days = settings.RAPPORT_DEPTH_WINDOW_DAYS
        parts = []
        for kind, one, many in (
            ("message", "%(n)d message", "%(n)d messages"),
            ("comment", "%(n)d comment", "%(n)d comments"),
            ("like", "%(n)d like", "%(n)d likes"),
        ):
            n = self.counts.get(kind, 0)
            if n:
                parts.append(ngettext(one, many, n) % {"n": n})
        if parts:
            joined = (
                parts[0]
                if len(parts) == 1
                else _("%(list)s and %(last)s")
                % {"list": ", ".join(parts[:-1]), "last": parts[-1]}
            )
            text = _("%(facts)s in the last %(days)d days") % {
                "facts": joined,
                "days": days,
            }
        else:
            text = _("Nothing in the last %(days)d days") % {"days": days}
        if self.last is None:
            return text + "; " + _("no interaction yet")
        ago = max(0, (now - self.last).days)
        if ago == 0:
            since = _("last interaction today")
        else:
            since = ngettext(
                "last interaction %(n)d day ago",
                "last interaction %(n)d days ago",
                ago,
            ) % {"n": ago}
        return f"{text}; {since}"


def depth_facts(*, member, rows, now=None) -> dict[int, DepthFacts]:
    """The facts behind the depth of each of `member`'s connection `rows`.

    One query for a whole page: the interactions of the window between the
    member and each row's `other`, both ways, since they connected.
    """
    rows = list(rows)
    now = now or timezone.now()
    facts = {row.other_id: DepthFacts(last=row.last_interaction) for row in rows}
    if not rows:
        return facts
    since = now - timedelta(days=settings.RAPPORT_DEPTH_WINDOW_DAYS)
    ids = list(facts)
    given = Q(actor=member.pk, target__in=ids) & Exists(
        Connection.objects.filter(
            member=member.pk, other=OuterRef("target"), created__lte=OuterRef("created")
        )
    )
    received = Q(actor__in=ids, target=member.pk) & Exists(
        Connection.objects.filter(
            member=member.pk, other=OuterRef("actor"), created__lte=OuterRef("created")
        )
    )
    counted = (
        Interaction.objects.filter(created__gte=since)
        .filter(given | received)
        .values("actor", "target", "kind")
        .annotate(n=Count("*"))
        .order_by()
    )
    for row in counted:
        mine = row["actor"] == member.pk
        item = facts[row["target"] if mine else row["actor"]]
        item.counts[row["kind"]] = item.counts.get(row["kind"], 0) + row["n"]
        if mine:
            item.given += row["n"]
        else:
            item.received += row["n"]
    return facts


def with_depth_facts(*, member, rows, now=None):
    """Give a page of `member`'s connection rows their depth and its facts.

    One query for the page (`depth_facts`); the rows are the member's own.
    """
    now = now or timezone.now()
    with_depth(rows, now)
    facts = depth_facts(member=member, rows=rows, now=now)
    for row in rows:
        row.depth_facts = facts[row.other_id]
    return rows


def connection_depth(*, member, other, now=None):
    """`member`'s row about `other` with its depth and facts, or None.

    One query whether or not they are connected (none for a signed-out
    viewer or oneself): the row with its counts of the window as subqueries.
    Only ever called with the viewer as `member`: the depth is theirs alone.
    """
    if not getattr(member, "is_authenticated", False) or member.pk == other.pk:
        return None
    now = now or timezone.now()
    since = now - timedelta(days=settings.RAPPORT_DEPTH_WINDOW_DAYS)
    counts = {}
    for kind in Interaction.Kind.values:
        for direction, (actor, target) in (
            ("given", (member.pk, other.pk)),
            ("received", (other.pk, member.pk)),
        ):
            counted = (
                Interaction.objects.filter(
                    actor=actor,
                    target=target,
                    kind=kind,
                    created__gte=since,
                )
                .filter(created__gte=OuterRef("created"))
                .order_by()
                .values("actor")
                .annotate(n=Count("*"))
                .values("n")[:1]
            )
            counts[f"{direction}_{kind}"] = Coalesce(
                Subquery(counted, output_field=IntegerField()), 0
            )
    row = (
        Connection.objects.filter(member=member.pk, other=other.pk)
        .select_related("other")
        .annotate(**counts)
        .first()
    )
    if row is None:
        return None
    with_depth([row], now)
    facts = DepthFacts(last=row.last_interaction)
    for kind in Interaction.Kind.values:
        given, received = (
            getattr(row, f"given_{kind}"),
            getattr(row, f"received_{kind}"),
        )
        if given or received:
            facts.counts[kind] = given + received
        facts.given += given
        facts.received += received
    row.depth_facts = facts
    return row


# ---------------------------------------------------------------------------
# Losing touch and keep-in-touch reminders.

LOSING_TOUCH_KINDS = (Connection.Kind.CLOSE, Connection.Kind.PROFESSIONAL)
LOSING_TOUCH_MONTHS = (1, 3, 6, 12)
KEEP_IN_TOUCH_WEEKS = (1, 2, 4, 8, 12, 26, 52)


def losing_touch(
    *, member, months: int = 0, cursor: str = "", size: int = 50, now=None
) -> Page:
    """Close or professional connections with no interaction for `months`.

    Quiet the longest first; a connection never interacted with counts from
    the day it was made. Reads the (member, kind, last interaction) index.
    """
    now = now or timezone.now()
    months = months or settings.RAPPORT_LOSING_TOUCH_MONTHS
    cutoff = now - timedelta(days=round(months * 30.44))
    rows = (
        Connection.objects.filter(member=member, kind__in=LOSING_TOUCH_KINDS)
        .annotate(quiet_since=Coalesce("last_interaction", "created"))
        .filter(quiet_since__lt=cutoff)
        .filter(is_visible("other"))
        .select_related("other")
    )
    page = keyset_page(
        rows,
        keys=[("quiet_since", False), ("id", False)],
        cursor=cursor,
        size=size,
        key_values=lambda row: (row.quiet_since, row.pk),
    )
    with_depth(page.items, now)
    page.extra["months"] = months
    return page


def reminders_due(*, member, limit: int = 5, now=None) -> list:
    """Connections whose "keep in touch every N weeks" has come round (one query)."""
    now = now or timezone.now()
    rows = list(
        Connection.objects.filter(member=member, keep_in_touch_due__lte=now)
        .filter(is_visible("other"))
        .select_related("other")
        .order_by("keep_in_touch_due", "id")[:limit]
    )
    return with_depth(rows, now)
