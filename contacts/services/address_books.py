"""Writes about a member's address book as a whole."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from contacts.models import (
    AddressBook,
    Contact,
    ContactImport,
    ContactMerge,
    ContactPhone,
    Label,
    NotDuplicate,
)
from contacts.phones import e164_or_blank, is_region

REDERIVE_BATCH = 500


def address_book_locked(*, owner) -> AddressBook:
    """The owner's address book row, created if needed and locked until commit.

    Writes that must see a stable count of the owner's contacts (the limit)
    take this lock first, so two requests cannot both pass the check.
    """
    _book, created = AddressBook.objects.get_or_create(owner=owner)
    if created and not (
        get_user_model()
        .objects.filter(pk=getattr(owner, "pk", owner), is_active=True)
        .exists()
    ):
        # A write that waited while the account was being closed: it finds
        # the address book gone and must not start a new one.
        raise ValidationError(_("This account is closed."), code="closed")
    return AddressBook.objects.select_for_update().get(owner=owner)


def address_book_check_room(*, owner, adding: int = 1) -> None:
    """Refuse, with the limit in the message, when `adding` would exceed it.

    Call with the address book locked. Contacts in Trash count: they still
    take room until they are purged.
    """
    limit = settings.RAPPORT_CONTACTS_MAX
    current = Contact.objects.filter(owner=owner).count()
    if current + adding > limit:
        raise ValidationError(
            _(
                "You have reached the limit of %(limit)s contacts. Delete some "
                "and empty the Trash to make room."
            )
            % {"limit": f"{limit:,}"},
            code="contacts_limit",
        )


def address_book_changed(*, owner) -> None:
    """Say that the owner's contacts changed in a way the Duplicates page
    shows: a name, an email, a phone number, the Trash, a "not duplicates".

    Every service making such a change calls it in its transaction, so the
    groups kept in the cache for the earlier revision are no longer used.
    """
    AddressBook.objects.filter(owner=owner).update(revision=F("revision") + 1)


@transaction.atomic
def address_book_set_region(*, owner, region: str) -> AddressBook:
    """Read phone numbers typed without a country code as numbers of `region`.

    Numbers already stored are read again, so matching and search follow the
    new region at once.
    """
    region = (region or "").strip().upper()
    if not is_region(region):
        raise ValidationError(
            {"default_region": _("Choose a country from the list.")}, code="region"
        )
    book = address_book_locked(owner=owner)
    if book.default_region == region:
        return book
    book.default_region = region
    book.save(update_fields=["default_region"])
    _rederive_phones(owner=owner, region=region)
    address_book_changed(owner=owner)
    return book


def _rederive_phones(*, owner, region: str) -> None:
    changed_contacts: set[int] = set()
    phones = (
        ContactPhone.objects.filter(contact__owner=owner)
        .only("id", "value", "e164", "contact_id")
        .order_by("id")
    )
    last_id = 0
    while batch := list(phones.filter(id__gt=last_id)[:REDERIVE_BATCH]):
        last_id = batch[-1].id
        changed = []
        for phone in batch:
            e164 = e164_or_blank(phone.value, region)
            if e164 != phone.e164:
                phone.e164 = e164
                changed.append(phone)
                changed_contacts.add(phone.contact_id)
        ContactPhone.objects.bulk_update(changed, ["e164"])
    ids = sorted(changed_contacts)
    for start in range(0, len(ids), REDERIVE_BATCH):
        contacts = list(
            Contact.objects.filter(pk__in=ids[start : start + REDERIVE_BATCH])
            .prefetch_related("emails", "phones")
            .order_by("pk")
        )
        for contact in contacts:
            contact.derive_names(
                emails=[email.value for email in contact.emails.all()],
                phones=[(phone.value, phone.e164) for phone in contact.phones.all()],
            )
        Contact.objects.bulk_update(contacts, Contact.DERIVED_FIELDS)


@transaction.atomic
def address_book_delete(*, owner) -> int:
    """Delete everything the owner keeps in their address book, for good:
    contacts (Trash included) with their details and photos, labels, imports
    and their files, merges and "not duplicates" marks. Returns how many
    contacts went. For an account being closed (`account_closing`)."""
    address_book_locked(owner=owner)
    _rows, by_model = Contact.objects.filter(owner=owner).delete()
    Label.objects.filter(owner=owner).delete()
    ContactImport.objects.filter(owner=owner).delete()
    ContactMerge.objects.filter(owner=owner).delete()
    NotDuplicate.objects.filter(owner=owner).delete()
    AddressBook.objects.filter(owner=owner).delete()
    return by_model.get(Contact._meta.label, 0)
