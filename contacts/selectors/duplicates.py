"""Reads for the Duplicates page: groups of contacts that look like one person.

Contacts (Trash aside) fall in one group when they share an email address, a
phone number (in E.164, or as typed when it is valid nowhere) or a name that
is the same once case, accents, spacing, punctuation and the order of its
words are ignored (`name_key`: "Smith, John" and "john smith"). The
database finds the shared emails and numbers with GROUP BY, so only the
contacts that share one are loaded. Names are read whole, one short row a
contact, because names that are near-identical group too: the same but for
one letter in one word ("Ann Lee" and "Anne Lee", `one_letter_apart()`).
Only the page's groups are loaded with their details.
Two contacts the member marked as not duplicates (`NotDuplicate`) are not
joined by what they share, though a third contact may still join them.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations

from django.core.cache import cache
from django.db.models import Exists, F, Max, Min, OuterRef, Prefetch
from django.utils.translation import gettext as _

from contacts.models import (
    AddressBook,
    Contact,
    ContactEmail,
    ContactPhone,
    NotDuplicate,
)
from contacts.selectors.contacts import (
    decode_cursor,
    encode_cursor,
    labels_ordered,
)
from contacts.text import ONE_LETTER_SHORTEST, one_letter_apart

GROUPS_PER_PAGE = 20


class Reason:
    EMAIL = "email"
    PHONE = "phone"
    NAME = "name"
    SIMILAR_NAME = "similar_name"


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


def _shared(details, column: str) -> list[tuple[str, int]]:
    """(value, contact id) of the `details` whose `column` value more than
    one contact has: one query, however many are shared."""
    # Two contacts or more: cheaper than COUNT(DISTINCT), which sorts them.
    shared = (
        details.order_by()
        .values(column)
        .annotate(low=Min("contact"), high=Max("contact"))
        .filter(low__lt=F("high"))
        .values(column)
    )
    return list(
        details.filter(**{f"{column}__in": shared})
        .order_by()
        .values_list(column, "contact")
    )


def similar_names(
    by_name: dict[str, list[int]], sort_names: dict[int, str]
) -> set[tuple[str, str]]:
    """The pairs of name keys that are the same but for one letter of a word.

    Only names of two words or more, and the same words but one: "ann lee"
    and "anne lee", not "ann" and "anne", nor "ann@x.example" and
    "anne@x.example" (a contact known by its email address alone). Each key
    is filed under the rest of its name once for each of its words, so only
    the words of names alike but for that word can pair. Which words are a
    letter apart is worked out once over the distinct words of those names
    (far fewer than the names: first names repeat, and so do family names),
    through their forms with one letter left out, not pair by pair.
    """
    by_rest: dict[str, dict[str, str]] = defaultdict(dict)
    for key, ids in by_name.items():
        words = key.split()
        if len(words) < 2 or "@" in sort_names[ids[0]]:
            continue
        if len(words) == 2:  # most names: the rest is the other word
            first, last = words
            if len(first) >= ONE_LETTER_SHORTEST and first.isalpha():
                by_rest[last][first] = key
            if len(last) >= ONE_LETTER_SHORTEST and last.isalpha():
                by_rest[first][last] = key
            continue
        for index, word in enumerate(words):
            if len(word) >= ONE_LETTER_SHORTEST and word.isalpha():
                rest = " ".join(words[:index] + words[index + 1 :])
                by_rest[rest][word] = key
    filed = [keys for keys in by_rest.values() if len(keys) > 1]
    near = _words_one_letter_apart({word for keys in filed for word in keys})
    pairs = set()
    for keys in filed:
        for word, key in keys.items():
            for other in near.get(word, ()):
                if other in keys and word < other:
                    pairs.add(tuple(sorted((key, keys[other]))))
    return pairs


def _words_one_letter_apart(words: set[str]) -> dict[str, list[str]]:
    """For each of `words`, the others `one_letter_apart()` from it.

    Two words a letter apart have a form in common once a letter is left out
    of one or both ("ann" and "anne": "ann"; "smith" and "smyth": "smth"),
    so only the words that share one are compared.
    """
    by_form: dict[str, list[str]] = defaultdict(list)
    for word in words:
        by_form[word].append(word)
        for index in range(len(word)):
            by_form[word[:index] + word[index + 1 :]].append(word)
    near: dict[str, list[str]] = defaultdict(list)
    for alike in by_form.values():
        if len(alike) < 2:
            continue
        for one, other in combinations(alike, 2):
            if other not in near[one] and one_letter_apart(one, other):
                near[one].append(other)
                near[other].append(one)
    return near


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

    Sorted by the name of each group's first contact. Three queries, each
    finding the emails or numbers shared (GROUP BY) and the contacts that
    share them, one for every live contact's name key, and one for the pairs
    kept `apart` unless given.
    """
    live = {"contact__owner": owner, "contact__deleted_at__isnull": True}
    if apart is None:
        apart = kept_apart(owner=owner)
    union = _Groups(apart)

    details = (
        (ContactEmail.objects.filter(**live), "value", Reason.EMAIL),
        (ContactPhone.objects.filter(**live).exclude(e164=""), "e164", Reason.PHONE),
        # Numbers that are valid nowhere can only match as typed.
        (ContactPhone.objects.filter(e164="", **live), "value", Reason.PHONE),
    )
    for queryset, column, reason in details:
        by_value: dict[str, set[int]] = defaultdict(set)
        for value, pk in _shared(queryset, column):
            by_value[value].add(pk)
        for value, ids in by_value.items():
            union.join(sorted(ids), reason, value)

    # Every live contact's name: for the names, and the sort names of all.
    by_name: dict[str, list[int]] = defaultdict(list)
    sort_names: dict[int, str] = {}
    for key, pk, sort_name in (
        Contact.objects.owned_by(owner)
        .order_by("id")
        .values_list("name_key", "id", "sort_name")
    ):
        by_name[key].append(pk)
        sort_names[pk] = sort_name
    for ids in by_name.values():
        if len(ids) > 1:
            # Shown as the first card writes it ("smith, john"), not as the key.
            union.join(ids, Reason.NAME, sort_names[ids[0]])
    for one, other in similar_names(by_name, sort_names):
        ids = sorted(by_name[one] + by_name[other])
        for key in (one, other):  # the group shows both names
            union.join(ids, Reason.SIMILAR_NAME, sort_names[by_name[key][0]])

    members = union.groups()
    groups = []
    for root, ids in members.items():
        # .get: a contact added between the queries has no sort name read.
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


# How long the groups found for one revision of an address book are kept,
# and the form they are kept in: a release that changes how groups are kept
# or how contacts are grouped moves it on, so no entry of the old form is read.
GROUPS_CACHED_SECONDS = 15 * 60
GROUPS_CACHE_FORM = 4

# A group as the cache keeps it: (key, ids, reasons, shared values).
CachedGroup = tuple[tuple[str, int], list[int], tuple[str, ...], list[str]]


def _groups_of(owner) -> tuple[list[CachedGroup], bool]:
    """The owner's duplicate groups and whether some contacts are kept apart.

    Kept in the cache under the address book's revision, which every change
    that can change them moves on (`address_book_changed()`), so a second
    view, or "Load more", costs one query instead of a look at the whole book.
    Kept as plain tuples: a view reads every group back to find its page,
    and thousands of tuples read back four times faster than the objects.
    """
    revision = (
        AddressBook.objects.filter(owner=owner)
        .values_list("revision", flat=True)
        .first()
    )
    key = f"contacts:duplicates:{GROUPS_CACHE_FORM}:{owner.pk}:{revision}"
    found = cache.get(key) if revision is not None else None
    if found is None:
        apart = kept_apart(owner=owner)
        groups = [
            (group.key, group.ids, tuple(sorted(group.reasons)), group.shared)
            for group in duplicate_groups(owner=owner, apart=apart)
        ]
        found = (groups, bool(apart))
        if revision is not None:
            cache.set(key, found, GROUPS_CACHED_SECONDS)
    return found


def duplicate_page(*, owner, after: str | None = None) -> DuplicatePage:
    """A page of duplicate groups, with their contacts' emails, phones, labels."""
    groups, apart = _groups_of(owner)
    cursor = decode_cursor(after)
    if cursor:
        groups_after = [group for group in groups if group[0] > tuple(cursor)]
    else:
        groups_after = groups
    page = [
        DuplicateGroup(ids=ids, reasons=set(reasons), shared=shared, key=key)
        for key, ids, reasons, shared in groups_after[:GROUPS_PER_PAGE]
    ]
    next_cursor = None
    if len(groups_after) > GROUPS_PER_PAGE:
        next_cursor = encode_cursor(*page[-1].key)
    ids = [pk for group in page for pk in group.ids]
    contacts = {
        contact.pk: contact
        for contact in Contact.objects.filter(owner=owner, pk__in=ids)
        .defer("search_text")
        .prefetch_related(
            Prefetch("emails", queryset=ContactEmail.objects.order_by("id")),
            Prefetch("phones", queryset=ContactPhone.objects.order_by("id")),
            Prefetch("labels", queryset=labels_ordered().only("id", "name")),
        )
    }
    for group in page:
        group.contacts = [contacts[pk] for pk in group.ids if pk in contacts]
        group.shared = _as_written(group)
    return DuplicatePage(
        groups=page,
        next_cursor=next_cursor,
        total=len(groups),
        kept_apart=apart,
    )


def _as_written(group: DuplicateGroup) -> list[str]:
    """The group's shared values as its contacts show them.

    The groups hold the keys they were joined by: a name's sort key ("ann
    lee"), a number in E.164; the page shows "Ann Lee" and the number as the
    first contact having it writes it.
    """
    written: dict[str, str] = {}
    for contact in reversed(group.contacts):
        written[contact.sort_name] = contact.shown_name
        for phone in contact.phones.all():
            if phone.e164:
                written[phone.e164] = phone.value
    return [written.get(value, value) for value in group.shared]


# ---------------------------------------------------------------------------
# One contact's look-alikes, for its own page
# ---------------------------------------------------------------------------

LOOKALIKES_SHOWN = 5
# Read at most this many (an address shared by a whole office), shown by name.
LOOKALIKES_READ = 50


@dataclass
class Lookalike:
    """Another contact that shares an email or a phone number with one."""

    contact: Contact
    same_email: bool
    same_phone: bool

    @property
    def reason(self) -> str:
        if self.same_email and self.same_phone:
            return _("same email and phone number")
        return _("same email") if self.same_email else _("same phone number")


def lookalikes(contact: Contact) -> list[Lookalike]:
    """The owner's other live contacts sharing an email or a phone number.

    Only exact evidence, read from the contact's emails and phones (prefetched
    by the page): similar names are for the Duplicates page, which looks at
    the whole book. Contacts marked as not duplicates of this one are left
    out. One query, whatever the size of the book, through the indexes on
    emails and on numbers; the first LOOKALIKES_SHOWN by name of at most
    LOOKALIKES_READ.
    """
    if contact.deleted_at is not None:
        return []
    emails = sorted({email.value for email in contact.emails.all()})
    numbers = sorted({phone.e164 for phone in contact.phones.all() if phone.e164})
    if not emails and not numbers:
        return []
    with_email = ContactEmail.objects.filter(value__in=emails)
    with_number = ContactPhone.objects.exclude(e164="").filter(e164__in=numbers)
    apart = NotDuplicate.objects.filter(owner_id=contact.owner_id)
    found = (
        Contact.objects.filter(owner_id=contact.owner_id, deleted_at__isnull=True)
        # One IN over both lists, so the database starts from the few rows
        # they give, not from the owner's whole book in the order of names.
        .filter(
            pk__in=with_email.values("contact_id").union(
                with_number.values("contact_id")
            )
        )
        .exclude(pk=contact.pk)
        .exclude(pk__in=apart.filter(first_id=contact.pk).values("second_id"))
        .exclude(pk__in=apart.filter(second_id=contact.pk).values("first_id"))
        .defer("search_text")
        .annotate(
            same_email=Exists(with_email.filter(contact_id=OuterRef("pk"))),
            same_phone=Exists(with_number.filter(contact_id=OuterRef("pk"))),
        )
        # Sorted here: an ORDER BY would have the database walk the whole
        # book in the order of names rather than read the few rows found.
        .order_by()[:LOOKALIKES_READ]
    )
    return [
        Lookalike(other, same_email=other.same_email, same_phone=other.same_phone)
        for other in sorted(found, key=lambda other: (other.sort_name, other.pk))
    ][:LOOKALIKES_SHOWN]
