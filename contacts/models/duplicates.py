"""Contacts their owner said are not duplicates of each other."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotDuplicate(models.Model):
    """Two of a member's contacts that are different people, as the member said.

    The Duplicates page no longer joins them in a group because of what they
    share; a third contact that shares something with one of them still
    joins it. Kept once a pair, the lower id first, and gone with either
    contact (Trash keeps it, so a restored contact stays apart).
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("owner"),
        db_index=False,  # the unique (owner, first, second) index serves it
    )
    first = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("contact"),
    )
    second = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("other contact"),
    )
    created = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("pair marked as not duplicates")
        verbose_name_plural = _("pairs marked as not duplicates")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(first__lt=models.F("second")),
                name="notduplicate_pair_ordered",
            ),
            models.UniqueConstraint(
                fields=["owner", "first", "second"], name="notduplicate_pair_unique"
            ),
        ]

    def __str__(self):
        return f"{self.first_id} ≠ {self.second_id}"
