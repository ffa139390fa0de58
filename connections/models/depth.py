"""The ledger of what two connected members did together (depth of connection).

Each interaction (a message, a comment on the other's update, a like of it)
is one `Interaction` row from `actor` to `target`; the services that write
those things record it in the same transaction, and update the score kept
on both rows of the `Connection` (see `connections.services.depth`). The
ledger is what the "Why?" of a score lists; the score itself is never
recomputed from it when a page loads.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class InteractionKind(models.TextChoices):
    MESSAGE = "message", _("Message")
    COMMENT = "comment", _("Comment")
    LIKE = "like", _("Like")


class Interaction(models.Model):
    """`actor` did something towards `target` at `created`."""

    Kind = InteractionKind

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("by"),
    )
    target = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("towards"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    created = models.DateTimeField(_("when"), default=timezone.now)
    # What it was ("like:12"), so a like taken back takes its weight back.
    source = models.CharField(_("source"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        constraints = [
            models.CheckConstraint(
                condition=~Q(actor=F("target")), name="interaction_not_to_self"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=InteractionKind.values),
                name="interaction_kind_valid",
            ),
        ]
        indexes = [
            # "Why?": one pair's interactions of the last 90 days, each way.
            models.Index(
                fields=["actor", "target", "created"], name="interaction_pair_idx"
            ),
            models.Index(
                fields=["actor", "source"],
                condition=~Q(source=""),
                name="interaction_source_idx",
            ),
        ]

    def __str__(self):
        return f"{self.actor_id} → {self.target_id}: {self.kind}"
