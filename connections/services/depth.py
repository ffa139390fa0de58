"""Writes about the depth of each connection: the ledger and the score.

The services that write a comment, a like or a message call
`interaction_record` in their own transaction; it adds the ledger row and
moves the pair's score on both rows of the connection, incrementally (see
`connections.selectors.depth` for the epoch-scaled score). Nothing is
recorded between members who are not connected.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from connections.models import Connection, Interaction
from connections.selectors.depth import KEEP_IN_TOUCH_WEEKS, growth, pair_depth


def _lock_pair(a, b) -> tuple[Connection, Connection] | None:
    """Both rows of the connection between a and b, locked, or None."""
    rows = list(
        Connection.objects.select_for_update()
        .filter(Q(member=a, other=b) | Q(member=b, other=a))
        .order_by("pk")
    )
    if len(rows) != 2:
        return None
    first, second = rows
    return (first, second) if first.member_id == a.pk else (second, first)


def _due(row: Connection):
    if not row.keep_in_touch_weeks:
        return None
    since = row.last_interaction or row.created
    return since + timedelta(weeks=row.keep_in_touch_weeks)


def _save_pair(mine: Connection, theirs: Connection) -> None:
    depth = pair_depth(mine.depth_given, theirs.depth_given)
    for row in (mine, theirs):
        row.depth = depth
        row.keep_in_touch_due = _due(row)
        row.save(
            update_fields=[
                "depth_given",
                "depth",
                "last_interaction",
                "keep_in_touch_due",
            ]
        )


@transaction.atomic
def interaction_record(
    *, actor, target, kind: str, source: str = "", at=None
) -> Interaction | None:
    """Record that `actor` did `kind` towards `target`; returns the ledger row.

    Returns None (and records nothing) when they are not connected or are
    the same member. Both rows of the pair are locked, so two interactions at
    once each add their weight.
    """
    if actor.pk == target.pk:
        return None
    if kind not in Interaction.Kind.values:
        raise ValueError(f"Unknown interaction {kind!r}")
    at = at or timezone.now()
    pair = _lock_pair(actor, target)
    if pair is None:
        return None
    mine, theirs = pair
    interaction = Interaction.objects.create(
        actor=actor, target=target, kind=kind, created=at, source=source
    )
    mine.depth_given += settings.RAPPORT_DEPTH_WEIGHTS[kind] * growth(at)
    for row in pair:
        if row.last_interaction is None or row.last_interaction < at:
            row.last_interaction = at
    _save_pair(mine, theirs)
    return interaction


@transaction.atomic
def interaction_withdraw(*, actor, source: str) -> bool:
    """Take back what `source` added (a like undone); False if nothing was.

    Only from the connection it was added to: after a removal and a new
    connection, the new score never held it.
    """
    interaction = (
        Interaction.objects.filter(actor=actor, source=source)
        .select_related("target")
        .first()
    )
    if interaction is None:
        return False
    pair = _lock_pair(actor, interaction.target)
    # A connection made again since holds nothing of what came before it.
    if pair is not None and pair[0].created <= interaction.created:
        mine, theirs = pair
        weight = settings.RAPPORT_DEPTH_WEIGHTS[interaction.kind]
        given = mine.depth_given - weight * growth(interaction.created)
        # Rounding must not leave a ghost of a score behind.
        mine.depth_given = given if given > 1e-9 * growth(timezone.now()) else 0.0
        _save_pair(mine, theirs)
    interaction.delete()
    return True


@transaction.atomic
def connection_keep_in_touch_set(*, member, other, weeks: int | None) -> Connection:
    """Remind `member` to keep in touch with `other` every `weeks` (None: never)."""
    if weeks is not None and weeks not in KEEP_IN_TOUCH_WEEKS:
        raise ValidationError(
            _("Choose how often to keep in touch from the list."), code="weeks"
        )
    row = (
        Connection.objects.select_for_update()
        .filter(member=member, other=other)
        .first()
    )
    if row is None:
        raise ValidationError(
            _("You are no longer connected with %(name)s.")
            % {"name": other.display_name},
            code="not_connected",
        )
    row.keep_in_touch_weeks = weeks
    row.keep_in_touch_due = _due(row)
    row.save(update_fields=["keep_in_touch_weeks", "keep_in_touch_due"])
    return row
