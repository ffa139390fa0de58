"""Reads about contacts: the list, a card, Trash, and who is on Rapport."""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Lower
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from connections.ids import parse_ids
from connections.selectors import paging
from connections.selectors.members import members_findable_by_emails
from connections.selectors.network import visible_members
from contacts.models import (
    AddressBook,
    Contact,
    ContactAddress,
    ContactEmail,
    ContactPhone,
    ContactWebsite,
    Label,
)
from contacts.models.address_books import default_phone_region
from contacts.text import search_terms

# What a row of the list shows: loading only this keeps a page cheap.
LIST_FIELDS = (
    "id",
    "shown_name",
    "sort_name",
    "organization",
    "job_title",
    "is_favorite",
    "photo_key",
    "created",
    "member__id",
    "member__handle",
    "member__display_name",
    "member__headline",
    "member__is_active",
    "member__suspended_until",
)


class Sort:
    NAME = "name"
    RECENT = "recent"
    CHOICES = (NAME, RECENT)


@dataclass
class ContactPage:
    """One page of contacts and what the page needs to show them."""

    contacts: list[Contact]
    next_cursor: str | None = None
    on_rapport: dict[int, object] = field(default_factory=dict)


def labels_ordered() -> QuerySet:
    return Label.objects.order_by(Lower("name"), "pk")


def _page_prefetches() -> list[Prefetch]:
    """A page's emails, phones and labels as plain lists (`email_list`…)."""
    return [
        Prefetch(
            "emails",
            queryset=ContactEmail.objects.only(
                "id", "contact_id", "value", "label", "custom_label"
            ).order_by("id"),
            to_attr="email_list",
        ),
        Prefetch(
            "phones",
            queryset=ContactPhone.objects.only(
                "id", "contact_id", "value", "e164", "label", "custom_label"
            ).order_by("id"),
            to_attr="phone_list",
        ),
        Prefetch(
            "labels",
            queryset=labels_ordered().only("id", "name"),
            to_attr="label_list",
        ),
    ]


def _emails_of(contact: Contact):
    emails = getattr(contact, "email_list", None)
    return emails if emails is not None else contact.emails.all()


def encode_cursor(key: str, pk: int) -> str:
    return paging.encode_cursor([key, pk])


def decode_cursor(cursor: str | None) -> tuple[str, int] | None:
    """The (key, id) a cursor holds, or None for a missing, mangled or forged one.

    Signed like every cursor of the site (`connections.selectors.paging`): a
    cursor written by hand would bring a NUL, or a number no column holds, to
    the query.
    """
    values = paging.decode_cursor(cursor or "", 2)
    if values is None:
        return None
    key, pk = values
    if not isinstance(key, str) or not isinstance(pk, int):
        return None
    return key, pk


def _after_name(queryset: QuerySet, key: str, pk: int) -> QuerySet:
    # The redundant `>=` lets the database start the index scan at the cursor.
    return queryset.filter(
        Q(sort_name__gte=key) & (Q(sort_name__gt=key) | Q(pk__gt=pk))
    )


def _before_time(queryset: QuerySet, field_name: str, key: str, pk: int) -> QuerySet:
    moment = parse_datetime(key)
    if moment is None:
        return queryset
    return queryset.filter(
        Q(**{f"{field_name}__lte": moment})
        & (Q(**{f"{field_name}__lt": moment}) | Q(pk__lt=pk))
    )


def _time_key(moment: datetime.datetime) -> str:
    return moment.isoformat()


def contact_page(
    *,
    owner,
    query: str = "",
    sort: str = Sort.NAME,
    label_id: int | None = None,
    favorites: bool = False,
    after: str | None = None,
    page_size: int | None = None,
) -> ContactPage:
    """A page of the owner's contacts, searched, filtered and keyset-paginated.

    Search matches every typed word against names, nickname, organization,
    job title, emails and phones, ignoring case and accents. A fixed number
    of queries whatever the size of the address book.
    """
    size = page_size or settings.RAPPORT_CONTACTS_PAGE_SIZE
    contacts = (
        Contact.objects.owned_by(owner).select_related("member").only(*LIST_FIELDS)
    )
    for term in search_terms(query):
        contacts = contacts.filter(search_text__contains=term)
    if favorites:
        contacts = contacts.filter(is_favorite=True)
    if label_id is not None:
        contacts = contacts.filter(label_links__label_id=label_id)
    cursor = decode_cursor(after)
    if sort == Sort.RECENT:
        if cursor:
            contacts = _before_time(contacts, "created", *cursor)
        contacts = contacts.order_by("-created", "-pk")
    else:
        if cursor:
            contacts = _after_name(contacts, *cursor)
        contacts = contacts.order_by("sort_name", "pk")
    rows = list(contacts.prefetch_related(*_page_prefetches())[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        key = _time_key(last.created) if sort == Sort.RECENT else last.sort_name
        next_cursor = encode_cursor(key, last.pk)
    on_rapport = contacts_on_rapport(owner=owner, contacts=rows)
    for contact in rows:
        contact.on_rapport = on_rapport.get(contact.pk)
        contact.first_email = contact.email_list[0] if contact.email_list else None
        contact.first_phone = contact.phone_list[0] if contact.phone_list else None
    return ContactPage(contacts=rows, next_cursor=next_cursor, on_rapport=on_rapport)


def contacts_on_rapport(*, owner, contacts: Sequence[Contact]) -> dict[int, object]:
    """Map the id of each contact that is a member to that member. Two queries.

    A contact is a member when it was saved from their profile, or when one
    of its emails is a verified address of a member who allows being found
    by email; either way only while the member appears to the owner (active,
    not suspended, no block either way). Only the member's public name,
    handle and headline are loaded. Needs the contacts' emails prefetched
    (as `emails` or `email_list`) and `member` selected.
    """
    found: dict[int, object] = {}
    saved = {
        contact.member_id
        for contact in contacts
        if contact.member_id and contact.member_id != owner.pk
    }
    if saved:
        saved &= set(
            visible_members(viewer=owner)
            .filter(pk__in=saved)
            .values_list("pk", flat=True)
        )
    emails = []
    for contact in contacts:
        if contact.member_id in saved:
            found[contact.pk] = contact.member
            continue
        emails.extend(email.value for email in _emails_of(contact))
    if not emails:
        return found
    members = members_findable_by_emails(emails=emails, viewer=owner)
    for contact in contacts:
        if contact.pk in found:
            continue
        for email in _emails_of(contact):
            member = members.get(email.value.lower())
            if member is not None and member.pk != owner.pk:
                found[contact.pk] = member
                break
    return found


def contact_with_details(*, owner) -> QuerySet:
    """The owner's contacts with everything a card shows, for `get_object_or_404`."""
    return (
        Contact.objects.owned_by(owner)
        .select_related("member")
        .prefetch_related(
            Prefetch("emails", queryset=ContactEmail.objects.order_by("id")),
            Prefetch("phones", queryset=ContactPhone.objects.order_by("id")),
            Prefetch("addresses", queryset=ContactAddress.objects.order_by("id")),
            Prefetch("websites", queryset=ContactWebsite.objects.order_by("id")),
            Prefetch("labels", queryset=labels_ordered()),
        )
    )


def trash_page(*, owner, after: str | None = None) -> ContactPage:
    """A page of the owner's Trash, most recently deleted first."""
    size = settings.RAPPORT_CONTACTS_PAGE_SIZE
    contacts = Contact.objects.in_trash_of(owner).defer("notes", "search_text")
    cursor = decode_cursor(after)
    if cursor:
        contacts = _before_time(contacts, "deleted_at", *cursor)
    rows = list(contacts.order_by("-deleted_at", "-pk")[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        next_cursor = encode_cursor(_time_key(rows[-1].deleted_at), rows[-1].pk)
    return ContactPage(contacts=rows, next_cursor=next_cursor)


def owner_labels(*, owner) -> list[Label]:
    """The owner's labels, by name."""
    return list(labels_ordered().filter(owner=owner).only("id", "name"))


def labels_counted(*, owner) -> QuerySet:
    """The owner's labels by name, each with `count`: its contacts not in Trash."""
    return (
        labels_ordered()
        .filter(owner=owner)
        .annotate(
            count=Count(
                "links",
                filter=Q(links__contact__deleted_at__isnull=True),
                distinct=True,
            )
        )
    )


def labels_with_counts(*, owner) -> list[Label]:
    """The owner's labels by name, each with `count`: its contacts not in Trash."""
    return list(labels_counted(owner=owner))


def address_book_region(*, owner) -> str:
    """The region the owner's phone numbers are read with."""
    region = (
        AddressBook.objects.filter(owner=owner)
        .values_list("default_region", flat=True)
        .first()
    )
    return region or default_phone_region()


def contact_ids_owned_by(*, owner, ids: Iterable) -> list[int]:
    """Which of `ids` are the owner's contacts (Trash excluded), in id order.

    Refuses selections larger than RAPPORT_CONTACTS_BULK_MAX; ignores ids
    that are not numbers or not the owner's.
    """
    wanted = parse_ids(ids)
    limit = settings.RAPPORT_CONTACTS_BULK_MAX
    if len(wanted) > limit:
        raise ValidationError(
            _("Select at most %(limit)s contacts at a time.") % {"limit": limit},
            code="bulk_limit",
        )
    return list(
        Contact.objects.owned_by(owner)
        .filter(pk__in=wanted)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
