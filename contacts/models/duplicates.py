"""Duplicates: contacts said to be different people, merges and what they leave."""

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


class ContactMerge(models.Model):
    """A merge its owner can undo: the kept contact as it was before.

    `before` holds what the merge changed on the kept contact (its fields,
    details, labels, member link and photo key; `before_small` and `before_large`
    its pictures, when the merge gave it another one), `merged` the contacts it moved to
    the Trash (id, name, member link). Undone only while the kept contact is
    as the merge left it (`kept_updated`) and every merged contact is still
    there to come back; gone with the kept contact, once undone, or when the
    Trash that holds the others is emptied or expires.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("owner"),
        db_index=False,  # the (owner, created) index serves it
    )
    kept = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("kept contact"),
    )
    kept_updated = models.DateTimeField(_("kept contact last changed"))
    trashed_at = models.DateTimeField(_("merged contacts moved to Trash"))
    merged = models.JSONField(_("merged contacts"), default=list)
    before = models.JSONField(_("kept contact before"), default=dict)
    # The kept contact's pictures before, when the merge replaced them.
    before_small = models.BinaryField(_("small picture before"), null=True)
    before_large = models.BinaryField(_("large picture before"), null=True)
    created = models.DateTimeField(_("merged"), default=timezone.now)

    class Meta:
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
        indexes = [
            models.Index(fields=["owner", "-created"], name="contactmerge_owner_recent")
        ]

    def __str__(self):
        return f"Merge into contact {self.kept_id}"

    @property
    def merged_names(self) -> list[str]:
        return [part["name"] for part in self.merged]


class MergedUid(models.Model):
    """A card UID a contact answers to since a contact that had it merged into it.

    The UID an imported contact brought, or the one Rapport exported it
    with: a card read again later (the same file, a newer export of the same
    source, a file exported from here) then finds the contact kept instead
    of coming back as a new one. Gone with the contact, or with the undo of
    the merge that gave it.
    """

    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.CASCADE,
        related_name="merged_uids",
        verbose_name=_("contact"),
        db_index=False,  # the unique (contact, uid) index serves it
    )
    merge = models.ForeignKey(
        ContactMerge,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("merge"),
    )
    uid = models.CharField(_("vCard UID"), max_length=255)

    class Meta:
        verbose_name = _("UID of a merged contact")
        verbose_name_plural = _("UIDs of merged contacts")
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "uid"], name="mergeduid_once_per_contact"
            ),
            models.CheckConstraint(
                condition=~models.Q(uid=""), name="mergeduid_not_empty"
            ),
        ]
        indexes = [models.Index(fields=["uid"], name="mergeduid_uid")]

    def __str__(self):
        return f"{self.contact_id} · {self.uid}"
