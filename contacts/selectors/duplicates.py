"""Reads for the Duplicates page: groups of contacts that look like one person.

Contacts (Trash aside) fall in one group when they share an email address, a
phone number (in E.164, or as typed when it is valid nowhere) or a name that
is the same once case, accents and spacing are ignored (`sort_name`). The
database finds the shared values with GROUP BY; only the contacts that share
something are loaded, and only the page's groups with their details.
Two contacts the member marked as not duplicates (`NotDuplicate`) are not
joined by what they share, though a third contact may still join them.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations

from django.db.models import Count, Prefetch

from contacts.models import Contact, ContactEmail, ContactPhone, NotDuplicate
from contacts.selectors.contacts import (
    decode_cursor,
    encode_cursor,
    labels_ordered,
)

GROUPS_PER_PAGE = 20
LOOKUP_CHUNK = 900


class Reason:
    EMAIL = "email"
    PHONE = "phone"
    NAME = "name"


@dataclass
class DuplicateGroup:
    ids: list[int]
    reasons: set[str] = field(default_factory=set)
    shared: list[str] = field(default_factory=list)
    key: tuple[str, int] = ("", 0)
    contacts: list[Contact] = field(default_factory=list)


@dataclass
class DuplicatePage:
    groups: list[DuplicateGroup]
    next_cursor: str | None = None
    total: int = 0
    # Whether some of the member's live contacts are marked as not duplicates.
    kept_apart: bool = False


def _chunks(values, size=LOOKUP_CHUNK):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


class _Groups:
    """Union-find over contact ids, remembering why contacts were joined.

    `apart` holds the (lower id, higher id) pairs never to join directly.
    """

    def __init__(self, apart: set[tuple[int, int]] = frozenset()):
        self.parent: dict[int, int] = {}
        self.reasons: dict[int, set[str]] = defaultdict(set)
        self.shared: dict[int, list[str]] = defaultdict(list)
        self.apart = apart
        self.marked = {pk for pair in apart for pk in pair}

    def find(self, pk: int) -> int:
        self.parent.setdefault(pk, pk)
        while self.parent[pk] != pk:
            self.parent[pk] = self.parent[self.parent[pk]]
            pk = self.parent[pk]
        return pk

    def join(self, ids: list[int], reason: str, value: str) -> None:
        """Join the contacts (sorted ids) that share `value`.

        A contact never marked apart is linked to every other one, so it
        joins them all; only when every one is marked are the pairs checked.
        """
        if not all(pk in self.marked for pk in ids):
            self._link(ids, reason, value)
            return
        for pair in combinations(ids, 2):
            if pair not in self.apart:
                self._link(list(pair), reason, value)

    def _link(self, ids: list[int], reason: str, value: str) -> None:
        root = self.find(ids[0])
        for pk in ids[1:]:
            other = self.find(pk)
            if other != root:
                self.parent[other] = root
                self.reasons[root] |= self.reasons.pop(other, set())
                self.shared[root] += self.shared.pop(other, [])
        self.reasons[root].add(reason)
        if value not in self.shared[root]:
            self.shared[root].append(value)

    def groups(self) -> dict[int, list[int]]:
        members: dict[int, list[int]] = defaultdict(list)
        for pk in list(self.parent):
            members[self.find(pk)].append(pk)
        return members


def kept_apart(*, owner) -> set[tuple[int, int]]:
    """The pairs of the owner's live contacts marked as not duplicates."""
    return set(
        NotDuplicate.objects.filter(
            owner=owner,
            first__deleted_at__isnull=True,
            second__deleted_at__isnull=True,
        ).values_list("first_id", "second_id")
    )


def duplicate_groups(*, owner, apart=None) -> list[DuplicateGroup]:
    """Every group of the owner's contacts that look like duplicates.

    Sorted by the name of each group's first contact. Three GROUP BY queries,
    then one query per 900 shared values, and one for the pairs kept `apart`
    unless given.
    """
    live = {"contact__owner": owner, "contact__deleted_at__isnull": True}
    if apart is None:
        apart = kept_apart(owner=owner)
    union = _Groups(apart)

    emails = list(
        ContactEmail.objects.filter(**live)
        .values("value")
        .annotate(count=Count("contact", distinct=True))
        .filter(count__gt=1)
        .values_list("value", flat=True)
    )
    by_value: dict[str, set[int]] = defaultdict(set)
    for chunk in _chunks(emails):
        for value, pk in ContactEmail.objects.filter(
            value__in=chunk, **live
        ).values_list("value", "contact_id"):
            by_value[value].add(pk)
    for value, ids in by_value.items():
        union.join(sorted(ids), Reason.EMAIL, value)

    phones = list(
        ContactPhone.objects.filter(**live)
        .exclude(e164="")
        .values("e164")
        .annotate(count=Count("contact", distinct=True))
        .filter(count__gt=1)
        .values_list("e164", flat=True)
    )
    by_phone: dict[str, set[int]] = defaultdict(set)
    for chunk in _chunks(phones):
        for value, pk in ContactPhone.objects.filter(
            e164__in=chunk, **live
        ).values_list("e164", "contact_id"):
            by_phone[value].add(pk)
    typed = list(
        ContactPhone.objects.filter(e164="", **live)
        .values("value")
        .annotate(count=Count("contact", distinct=True))
        .filter(count__gt=1)
        .values_list("value", flat=True)
    )
    for chunk in _chunks(typed):
        for value, pk in ContactPhone.objects.filter(
            e164="", value__in=chunk, **live
        ).values_list("value", "contact_id"):
            by_phone[value].add(pk)
    for value, ids in by_phone.items():
        union.join(sorted(ids), Reason.PHONE, value)

    names = list(
        Contact.objects.owned_by(owner)
        .values("sort_name")
        .annotate(count=Count("id"))
        .filter(count__gt=1)
        .values_list("sort_name", flat=True)
    )
    by_name: dict[str, set[int]] = defaultdict(set)
    for chunk in _chunks(names):
        for value, pk in (
            Contact.objects.owned_by(owner)
            .filter(sort_name__in=chunk)
            .values_list("sort_name", "pk")
        ):
            by_name[value].add(pk)
    sort_names: dict[int, str] = {}
    for value, ids in by_name.items():
        union.join(sorted(ids), Reason.NAME, value)
        for pk in ids:
            sort_names[pk] = value

    members = union.groups()
    missing = [pk for ids in members.values() for pk in ids if pk not in sort_names]
    for chunk in _chunks(missing):
        sort_names.update(
            Contact.objects.filter(pk__in=chunk).values_list("pk", "sort_name")
        )
    groups = []
    for root, ids in members.items():
        ids.sort(key=lambda pk: (sort_names.get(pk, ""), pk))
        first = ids[0]
        groups.append(
            DuplicateGroup(
                ids=ids,
                reasons=union.reasons[root],
                shared=union.shared[root],
                key=(sort_names.get(first, ""), first),
            )
        )
    groups.sort(key=lambda group: group.key)
    return groups


def duplicate_page(*, owner, after: str | None = None) -> DuplicatePage:
    """A page of duplicate groups, with their contacts' emails, phones, labels."""
    apart = kept_apart(owner=owner)
    groups = duplicate_groups(owner=owner, apart=apart)
    cursor = decode_cursor(after)
    if cursor:
        groups_after = [group for group in groups if group.key > tuple(cursor)]
    else:
        groups_after = groups
    page = groups_after[:GROUPS_PER_PAGE]
    next_cursor = None
    if len(groups_after) > GROUPS_PER_PAGE:
        next_cursor = encode_cursor(*page[-1].key)
    ids = [pk for group in page for pk in group.ids]
    contacts = {
        contact.pk: contact
        for contact in Contact.objects.filter(pk__in=ids)
        .defer("search_text")
        .prefetch_related(
            Prefetch("emails", queryset=ContactEmail.objects.order_by("id")),
            Prefetch("phones", queryset=ContactPhone.objects.order_by("id")),
            Prefetch("labels", queryset=labels_ordered().only("id", "name")),
        )
    }
    for group in page:
        group.contacts = [contacts[pk] for pk in group.ids if pk in contacts]
    return DuplicatePage(
        groups=page,
        next_cursor=next_cursor,
        total=len(groups),
        kept_apart=bool(apart),
    )
