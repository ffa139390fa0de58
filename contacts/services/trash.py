"""Writes about Trash: delete to it, restore from it, empty it, purge it."""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import Contact, ContactMerge
from contacts.selectors.contacts import contact_ids_owned_by
from contacts.services.address_books import address_book_changed

PURGE_BATCH = 500


@transaction.atomic
def contact_trash(*, contact: Contact) -> Contact:
    """Move a contact to Trash, restorable for RAPPORT_CONTACTS_TRASH_DAYS days."""
    now = timezone.now()
    if Contact.objects.filter(pk=contact.pk, deleted_at__isnull=True).update(
        deleted_at=now
    ):
        address_book_changed(owner=contact.owner_id)
    contact.refresh_from_db(fields=["deleted_at"])
    return contact


@transaction.atomic
def contacts_bulk_trash(*, owner, contact_ids: Iterable[int]) -> int:
    """Move the owner's selected contacts to Trash; others' ids are ignored."""
    ids = contact_ids_owned_by(owner=owner, ids=contact_ids)
    trashed = Contact.objects.filter(pk__in=ids, deleted_at__isnull=True).update(
        deleted_at=timezone.now()
    )
    if trashed:
        address_book_changed(owner=owner)
    return trashed


@transaction.atomic
def contact_restore(*, contact: Contact) -> Contact:
    """Bring a contact back from Trash, as it was."""
    Contact.objects.filter(pk=contact.pk).update(deleted_at=None)
    address_book_changed(owner=contact.owner_id)
    contact.deleted_at = None
    return contact


@transaction.atomic
def contact_purge(*, contact: Contact) -> None:
    """Delete a contact in Trash for good, with its details."""
    locked = Contact.objects.select_for_update().filter(pk=contact.pk).first()
    if locked is None:
        return
    if locked.deleted_at is None:
        raise ValidationError(
            _("Only contacts in the Trash can be deleted for good."), code="not_trashed"
        )
    locked.delete()


def trash_empty(*, owner) -> int:
    """Delete every contact in the owner's Trash for good. Returns how many.

    The merges that moved them there can no longer be undone: forgotten too.
    A merge whose contacts were all restored by hand still can, and stays.
    """
    purged = _purge(Contact.objects.in_trash_of(owner))
    with transaction.atomic():
        merges = list(
            ContactMerge.objects.select_for_update()
            .filter(owner=owner)
            .values_list("pk", "merged")
        )
        left = set(
            Contact.objects.filter(
                owner=owner,
                pk__in={part["id"] for _, merged in merges for part in merged},
            ).values_list("pk", flat=True)
        )
        ContactMerge.objects.filter(
            pk__in=[
                pk
                for pk, merged in merges
                if any(part["id"] not in left for part in merged)
            ]
        ).delete()
    return purged


def trash_purge_expired(*, now: datetime.datetime | None = None) -> int:
    """Delete, for every member, contacts in Trash longer than the grace period."""
    cutoff = (now or timezone.now()) - datetime.timedelta(
        days=settings.RAPPORT_CONTACTS_TRASH_DAYS
    )
    ContactMerge.objects.filter(created__lt=cutoff).delete()
    return _purge(Contact.objects.filter(deleted_at__lt=cutoff))


def _purge(queryset) -> int:
    """Delete in small transactions so a large Trash never holds long locks."""
    total = 0
    ids_query = queryset.filter(deleted_at__isnull=False).order_by("pk")
    while True:
        with transaction.atomic():
            ids = list(ids_query.values_list("pk", flat=True)[:PURGE_BATCH])
            if not ids:
                return total
            Contact.objects.filter(pk__in=ids, deleted_at__isnull=False).delete()
            total += len(ids)
