"""Writes about contacts: add, edit, star, save a member as a contact."""

import enum
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from connections.selectors.members import member_findable_emails
from contacts.models import (
    Contact,
    ContactAddress,
    ContactEmail,
    ContactLabel,
    ContactPhone,
    ContactPhoto,
    ContactWebsite,
    DetailLabel,
    Label,
)
from contacts.models.contacts import NOTES_MAX, birthday_error
from contacts.phones import e164_or_blank
from contacts.services.address_books import (
    address_book_changed,
    address_book_check_room,
    address_book_locked,
)
from contacts.services.labels import label_for_name
from contacts.services.photos import new_photo_key

SCALAR_FIELDS = (
    "prefix",
    "given_name",
    "middle_name",
    "family_name",
    "suffix",
    "display_name",
    "nickname",
    "organization",
    "job_title",
    "notes",
)


@dataclass(frozen=True)
class EmailEntry:
    value: str
    label: str = DetailLabel.OTHER
    custom_label: str = ""


@dataclass(frozen=True)
class PhoneEntry:
    value: str
    label: str = DetailLabel.MOBILE
    custom_label: str = ""


@dataclass(frozen=True)
class AddressEntry:
    street: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""
    label: str = DetailLabel.HOME
    custom_label: str = ""


@dataclass(frozen=True)
class WebsiteEntry:
    url: str
    label: str = DetailLabel.OTHER
    custom_label: str = ""


@dataclass
class ContactData:
    """Everything a contact card holds, as the owner typed it."""

    prefix: str = ""
    given_name: str = ""
    middle_name: str = ""
    family_name: str = ""
    suffix: str = ""
    display_name: str = ""
    nickname: str = ""
    organization: str = ""
    job_title: str = ""
    notes: str = ""
    birthday_day: int | None = None
    birthday_month: int | None = None
    birthday_year: int | None = None
    is_favorite: bool = False
    emails: Sequence[EmailEntry] = ()
    phones: Sequence[PhoneEntry] = ()
    addresses: Sequence[AddressEntry] = ()
    websites: Sequence[WebsiteEntry] = ()
    labels: Sequence[Label] = ()
    new_labels: Sequence[str] = field(default_factory=tuple)
    # A new contact's photo, as its stored pictures (`photo_pictures()`, made
    # before the transaction). Only `contact_create` reads it: a contact's
    # photo is changed on its own page (`contact_photo_set`).
    photo: dict[str, bytes] | None = None


class SavedMember(enum.StrEnum):
    """What saving a member as a contact did."""

    CREATED = "created"
    EXISTING = "existing"
    RESTORED = "restored"


@transaction.atomic
def contact_create(
    *, owner, data: ContactData, creation_token: uuid.UUID | None = None
) -> Contact:
    """Add a contact with all its details and labels, or nothing at all.

    A repeated `creation_token` (a form submitted twice) returns the contact
    the first submission created instead of adding it again.
    """
    book = address_book_locked(owner=owner)
    if creation_token is not None:
        earlier = Contact.objects.filter(
            owner=owner, creation_token=creation_token
        ).first()
        if earlier is not None:
            return earlier
    address_book_check_room(owner=owner)
    now = timezone.now()
    contact = Contact(
        owner=owner, creation_token=creation_token, created=now, updated=now
    )
    details = _apply(contact, data, region=book.default_region)
    if data.photo:
        contact.photo_key = new_photo_key()
    try:
        with transaction.atomic():
            contact.save()
    except IntegrityError:
        # Only a concurrent submission of the same form gets here.
        earlier = Contact.objects.filter(
            owner=owner, creation_token=creation_token
        ).first()
        if creation_token is None or earlier is None:
            raise
        return earlier
    if data.photo:
        ContactPhoto.objects.create(contact=contact, **data.photo)
    _save_details(contact, details)
    _set_labels(contact, owner=owner, data=data)
    address_book_changed(owner=owner)
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, data: ContactData) -> Contact:
    """Replace a contact's fields, details and labels with `data`, all or nothing."""
    locked = Contact.objects.select_for_update().get(pk=contact.pk)
    if locked.deleted_at is not None:
        raise ValidationError(
            _("This contact is in the Trash. Restore it to edit it."), code="trashed"
        )
    book = address_book_locked(owner=locked.owner)
    details = _apply(locked, data, region=book.default_region)
    locked.updated = timezone.now()
    locked.save()
    for model in (ContactEmail, ContactPhone, ContactAddress, ContactWebsite):
        model.objects.filter(contact=locked).delete()
    _save_details(locked, details)
    _set_labels(locked, owner=locked.owner, data=data, replace=True)
    address_book_changed(owner=locked.owner)
    return locked


@transaction.atomic
def contact_set_favorite(*, contact: Contact, is_favorite: bool) -> Contact:
    """Star or unstar a contact. Setting the state it has already is harmless."""
    Contact.objects.filter(pk=contact.pk, deleted_at__isnull=True).update(
        is_favorite=is_favorite
    )
    contact.is_favorite = is_favorite
    return contact


@transaction.atomic
def contact_create_from_member(
    *, owner, member, data: ContactData | None = None
) -> tuple[Contact, SavedMember]:
    """Keep a member as a contact, filled from what they show `owner`.

    `data` is the card built from the member's profile as the owner may see
    it (`contacts.member_cards.contact_data_from_profile`); without it, the
    card holds the name and headline only. A card already linked to the
    member, or holding one of the addresses they may be found by, is reused
    instead of adding a second one; a linked card in Trash comes back from it.
    """
    if member.pk == owner.pk:
        raise ValidationError(
            _("This is you. Your own details are on your profile."), code="self"
        )
    address_book_locked(owner=owner)
    linked = Contact.objects.filter(owner=owner, member=member).first()
    if linked is not None:
        if linked.deleted_at is None:
            return linked, SavedMember.EXISTING
        linked.deleted_at = None
        linked.save(update_fields=["deleted_at"])
        address_book_changed(owner=owner)
        return linked, SavedMember.RESTORED
    emails = member_findable_emails(member=member)
    if emails:
        matching = (
            Contact.objects.owned_by(owner)
            .filter(emails__value__in=emails)
            .order_by("pk")
            .first()
        )
        if matching is not None:
            return matching, SavedMember.EXISTING
    if data is None:
        data = ContactData(
            display_name=member.display_name,
            job_title=member.headline[
                : Contact._meta.get_field("job_title").max_length
            ],
        )
    contact = contact_create(owner=owner, data=data)
    contact.member = member
    contact.save(update_fields=["member"])
    return contact, SavedMember.CREATED


def contacts_unlink_member(*, member) -> int:
    """Unlink every card saved from `member`, for an account being closed
    (`account_closing`): the cards stay their owners', tied to no account.
    Returns how many were linked."""
    return Contact.objects.filter(member=member).update(member=None)


def _clean(text: str | None) -> str:
    return (text or "").strip()


def _apply(contact: Contact, data: ContactData, *, region: str) -> list:
    """Copy `data` onto `contact`, validate everything, return unsaved details.

    Raises one ValidationError holding every problem, keyed by field name
    ("emails", "phones"… for the details).
    """
    errors: dict[str, list] = {}
    for name in SCALAR_FIELDS:
        value = getattr(data, name)
        setattr(contact, name, value.strip() if name != "notes" else value or "")
    contact.notes = contact.notes.strip()
    if len(contact.notes) > NOTES_MAX:
        errors.setdefault("notes", []).append(
            _("Keep notes under %(limit)s characters.") % {"limit": f"{NOTES_MAX:,}"}
        )
    contact.birthday_day = data.birthday_day
    contact.birthday_month = data.birthday_month
    contact.birthday_year = data.birthday_year
    contact.is_favorite = bool(data.is_favorite)
    problem = birthday_error(data.birthday_day, data.birthday_month, data.birthday_year)
    if problem:
        errors.setdefault("birthday_day", []).append(problem)

    details: list = []
    seen_emails: set[str] = set()
    emails = []
    for entry in data.emails:
        value = _clean(entry.value).lower()
        if not value or value in seen_emails:
            continue
        seen_emails.add(value)
        emails.append(ContactEmail(value=value, **_labels_of(entry)))
    phones = []
    for entry in data.phones:
        value = _clean(entry.value)
        if not value:
            continue
        e164 = e164_or_blank(value, region)
        phones.append(ContactPhone(value=value, e164=e164, **_labels_of(entry)))
    addresses = []
    for entry in data.addresses:
        parts = {name: _clean(getattr(entry, name)) for name in ContactAddress.PARTS}
        if any(parts.values()):
            addresses.append(ContactAddress(**parts, **_labels_of(entry)))
    websites = []
    for entry in data.websites:
        url = _clean(entry.url)
        if url:
            websites.append(ContactWebsite(url=url, **_labels_of(entry)))

    limit = settings.RAPPORT_CONTACT_DETAILS_MAX
    for key, rows in (
        ("emails", emails),
        ("phones", phones),
        ("addresses", addresses),
        ("websites", websites),
    ):
        if len(rows) > limit:
            errors.setdefault(key, []).append(
                _("A contact can hold at most %(limit)s of these.") % {"limit": limit}
            )
        for row in rows:
            try:
                row.clean_fields(exclude=["contact"])
            except ValidationError as error:
                for messages in error.message_dict.values():
                    errors.setdefault(key, []).extend(messages)
            if row.label == DetailLabel.CUSTOM and not row.custom_label:
                errors.setdefault(key, []).append(_("Name the custom label."))
        details.extend(rows)

    contact.derive_names(
        emails=[email.value for email in emails],
        phones=[(phone.value, phone.e164) for phone in phones],
    )
    if not contact.shown_name:
        errors.setdefault("__all__", []).append(
            _("Give the contact a name, an organization, an email or a phone number.")
        )
    try:
        contact.clean_fields(
            exclude=[
                "owner",
                "member",
                "labels",
                "creation_token",
                *Contact.DERIVED_FIELDS,
            ]
        )
    except ValidationError as error:
        for key, messages in error.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return details


def _labels_of(entry) -> dict:
    label = entry.label if entry.label in DetailLabel.values else DetailLabel.OTHER
    custom = _clean(entry.custom_label) if label == DetailLabel.CUSTOM else ""
    return {"label": label, "custom_label": custom}


def _save_details(contact: Contact, details: list) -> None:
    by_model: dict[type, list] = {}
    for row in details:
        row.contact = contact
        by_model.setdefault(type(row), []).append(row)
    for model, rows in by_model.items():
        model.objects.bulk_create(rows)


def _set_labels(contact: Contact, *, owner, data: ContactData, replace=False) -> None:
    labels = list(data.labels)
    if any(label.owner_id != owner.pk for label in labels):
        raise ValidationError(_("Choose one of your own labels."), code="label_owner")
    for name in data.new_labels:
        if _clean(name):
            labels.append(label_for_name(owner=owner, name=name))
    wanted = {label.pk for label in labels}
    if replace:
        ContactLabel.objects.filter(contact=contact).exclude(
            label_id__in=wanted
        ).delete()
    ContactLabel.objects.bulk_create(
        [ContactLabel(contact=contact, label_id=pk) for pk in sorted(wanted)],
        ignore_conflicts=True,
    )
