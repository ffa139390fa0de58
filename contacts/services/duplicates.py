"""Merging duplicate contacts into one, keeping every detail, or keeping them apart."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts.models import (
    Contact,
    ContactLabel,
    ContactMerge,
    ContactPhoto,
    ImportedContact,
    Label,
    MergedUid,
    NotDuplicate,
)
from contacts.models.contacts import NAME_PARTS, NOTES_MAX
from contacts.services.address_books import (
    address_book_changed,
    address_book_locked,
)
from contacts.services.contacts import (
    SCALAR_FIELDS,
    AddressEntry,
    ContactData,
    EmailEntry,
    PhoneEntry,
    WebsiteEntry,
    contact_update,
)
from contacts.services.photos import contact_photo_copy, new_photo_key
from contacts.vcard import contact_uid

MERGE_MAX = 20
# The groups one "Merge all" takes: a page of them, or a few loaded more.
MERGE_GROUPS_MAX = 100
# A larger group is more likely joined by one shared value (a switchboard
# number) than by people: marking it apart would store over 1,225 pairs.
APART_MAX = 50
# The fields the member chooses among when the contacts disagree; the name
# is chosen as a whole (its parts and the display name together).
CHOICE_FIELDS = (
    "name",
    "photo",
    "nickname",
    "organization",
    "job_title",
    "birthday",
)
# The choices "Merge all" makes without asking: a value it does not keep is
# written in the notes under these headings ("Organization: Initech").
SET_ASIDE_HEADINGS = {
    "nickname": gettext_lazy("Nickname"),
    "organization": gettext_lazy("Organization"),
    "job_title": gettext_lazy("Job title"),
    "birthday": gettext_lazy("Birthday"),
}


def field_value(contact: Contact, name: str):
    """What a contact holds for one of the merge's choices (falsy if nothing)."""
    if name == "name":
        return (contact.display_name, *(getattr(contact, part) for part in NAME_PARTS))
    if name == "birthday":
        if not contact.has_birthday:
            return None
        return (contact.birthday_day, contact.birthday_month, contact.birthday_year)
    if name == "photo":
        return contact.photo_key
    return getattr(contact, name)


def field_shown(contact: Contact, name: str) -> str:
    """The value as the merge page shows it."""
    if name == "name":
        return contact.display_name or contact.composed_name or contact.shown_name
    if name == "birthday":
        if not contact.has_birthday:
            return ""
        date = contact.birthday
        if contact.birthday_year:
            return date.strftime("%-d %B %Y")
        return date.strftime("%-d %B")
    if name == "photo":
        # Each photo is its own; the merge page shows the pictures.
        return contact.photo_key
    return getattr(contact, name)


def differing_fields(contacts: Sequence[Contact]) -> list[str]:
    """The choices the member has to make: fields the contacts disagree on."""
    names = []
    for name in CHOICE_FIELDS:
        values = {field_value(contact, name) for contact in contacts}
        values.discard(None)
        values.discard("")
        if name == "name":
            values = {value for value in values if any(value)}
        if len(values) > 1:
            names.append(name)
    return names


@transaction.atomic
def contacts_merge(
    *,
    owner,
    contact_ids: Sequence[int],
    choices: dict[str, int],
    others_in_notes: bool = False,
) -> Contact:
    """Merge the owner's contacts into one; the others go to the Trash.

    `choices` maps a field of CHOICE_FIELDS to the id of the contact whose
    value wins; the contact whose name wins is the one kept, with the photo
    chosen (or the only one there is). Every email, phone, address, website
    and label of every contact is kept, the notes are joined, a favourite
    stays a favourite. Refused, with the reason, when the result would break
    a limit (details per kind, notes length). With `others_in_notes` (choices
    nobody made: "Merge all"), the values of SET_ASIDE_HEADINGS not chosen
    are kept as lines of the notes.

    Returns the kept contact; its `merge` is the record that can undo it
    (`contact_merges_undo`).
    """
    ids = sorted({int(pk) for pk in contact_ids})
    if len(ids) < 2:
        raise ValidationError(_("Choose at least two contacts to merge."), code="few")
    if len(ids) > MERGE_MAX:
        raise ValidationError(
            _("Merge at most %(max)s contacts at a time.") % {"max": MERGE_MAX},
            code="many",
        )
    address_book_locked(owner=owner)
    contacts = list(
        Contact.objects.owned_by(owner)
        .select_for_update()
        .filter(pk__in=ids)
        .order_by("pk")
    )
    if len(contacts) != len(ids):
        raise ValidationError(
            _("Some of these contacts no longer exist or are in the Trash."),
            code="gone",
        )
    by_id = {contact.pk: contact for contact in contacts}
    chosen = {}
    for name in CHOICE_FIELDS:
        pick = by_id.get(_int(choices.get(name)))
        if pick is None or not field_value(pick, name):
            pick = next(
                (contact for contact in contacts if field_value(contact, name)),
                contacts[0],
            )
        chosen[name] = pick
    keep = chosen["name"]
    others = [contact for contact in contacts if contact.pk != keep.pk]
    ordered = [keep, *others]
    data = _merged_data(ordered, chosen, others_in_notes=others_in_notes)
    before = _snapshot(keep)
    member = keep.member_id or next(
        (contact.member_id for contact in others if contact.member_id), None
    )
    now = timezone.now()
    # A member may be linked to one card only: free the link before moving it.
    # Merged is edited: undoing the import a card came from keeps it, so the
    # merge can still be undone.
    Contact.objects.filter(pk__in=[contact.pk for contact in others]).update(
        deleted_at=now, member=None, updated=now
    )
    if member and keep.member_id != member:
        Contact.objects.filter(pk=keep.pk).update(member_id=member)
    before_pictures = {}
    photo = chosen["photo"]
    if photo.pk != keep.pk and photo.photo_key:
        before_pictures = (
            ContactPhoto.objects.filter(contact=keep).values("small", "large").first()
            or {}
        )
        contact_photo_copy(source=photo, target=keep)
    kept = contact_update(contact=keep, data=data)
    before["labels_merged"] = sorted(label.pk for label in data.labels)
    before["favorite_merged"] = data.is_favorite
    kept.merge = ContactMerge.objects.create(
        owner=owner,
        kept=kept,
        kept_updated=kept.updated,
        trashed_at=now,
        merged=[
            {
                "id": other.pk,
                "name": other.shown_name,
                "member": other.member_id,
                "updated": other.updated.isoformat(),
            }
            for other in others
        ],
        before=before,
        before_small=before_pictures.get("small"),
        before_large=before_pictures.get("large"),
        created=now,
    )
    _keep_uids(kept, others)
    return kept


def _keep_uids(kept: Contact, others: Sequence[Contact]) -> None:
    """Let the kept contact answer to every UID the others' cards had."""
    ids = [other.pk for other in others]
    uids = {contact_uid(other) for other in others}
    uids.update(
        ImportedContact.objects.filter(contact__in=ids)
        .exclude(uid="")
        .values_list("uid", flat=True)
    )
    uids.update(MergedUid.objects.filter(contact__in=ids).values_list("uid", flat=True))
    MergedUid.objects.bulk_create(
        [MergedUid(contact=kept, merge=kept.merge, uid=uid) for uid in sorted(uids)],
        ignore_conflicts=True,
    )


# The fields of the kept contact a merge may change, besides its details.
_SNAPSHOT_FIELDS = (
    *SCALAR_FIELDS,
    "birthday_day",
    "birthday_month",
    "birthday_year",
    "is_favorite",
)


def _snapshot(contact: Contact) -> dict:
    """What a merge may change on the kept contact, as JSON values."""
    return {
        "fields": {name: getattr(contact, name) for name in _SNAPSHOT_FIELDS},
        "emails": [
            [row.value, row.label, row.custom_label]
            for row in contact.emails.order_by("id")
        ],
        "phones": [
            [row.value, row.label, row.custom_label]
            for row in contact.phones.order_by("id")
        ],
        "addresses": [
            [*(getattr(row, part) for part in row.PARTS), row.label, row.custom_label]
            for row in contact.addresses.order_by("id")
        ],
        "websites": [
            [row.url, row.label, row.custom_label]
            for row in contact.websites.order_by("id")
        ],
        "labels": sorted(
            ContactLabel.objects.filter(contact=contact).values_list(
                "label_id", flat=True
            )
        ),
        "member": contact.member_id,
        "photo_key": contact.photo_key,
        "updated": contact.updated.isoformat(),
    }


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _merged_data(
    ordered: list[Contact], chosen: dict[str, Contact], *, others_in_notes: bool
) -> ContactData:
    names = chosen["name"]
    birthday = chosen["birthday"]
    notes = []
    for contact in ordered:
        note = contact.notes.strip()
        if note and note not in notes:
            notes.append(note)
    if others_in_notes:
        lines = _set_aside_lines(ordered, chosen)
        lines = [line for line in lines if not any(line in note for note in notes)]
        if lines:
            notes.append("\n".join(lines))
    joined = "\n\n".join(notes)
    if len(joined) > NOTES_MAX:
        raise ValidationError(
            _(
                "Together the notes are longer than %(max)s characters. Shorten "
                "them on the contacts first; nothing was merged."
            )
            % {"max": f"{NOTES_MAX:,}"},
            code="notes",
        )
    emails, phones, addresses, websites, labels = [], [], [], [], []
    seen_emails, seen_phones, seen_addresses, seen_websites = set(), set(), set(), set()
    seen_labels = set()
    for contact in ordered:
        for email in contact.emails.order_by("id"):
            if email.value not in seen_emails:
                seen_emails.add(email.value)
                emails.append(EmailEntry(email.value, email.label, email.custom_label))
        for phone in contact.phones.order_by("id"):
            key = phone.e164 or phone.value
            if key not in seen_phones:
                seen_phones.add(key)
                phones.append(PhoneEntry(phone.value, phone.label, phone.custom_label))
        for address in contact.addresses.order_by("id"):
            key = tuple(getattr(address, part) for part in address.PARTS)
            if key not in seen_addresses:
                seen_addresses.add(key)
                addresses.append(
                    AddressEntry(
                        **dict(zip(address.PARTS, key, strict=True)),
                        label=address.label,
                        custom_label=address.custom_label,
                    )
                )
        for website in contact.websites.order_by("id"):
            if website.url not in seen_websites:
                seen_websites.add(website.url)
                websites.append(
                    WebsiteEntry(website.url, website.label, website.custom_label)
                )
        for label in contact.labels.all():
            if label.pk not in seen_labels:
                seen_labels.add(label.pk)
                labels.append(label)
    limit = settings.RAPPORT_CONTACT_DETAILS_MAX
    for rows, what in (
        (emails, _("emails")),
        (phones, _("phone numbers")),
        (addresses, _("addresses")),
        (websites, _("websites")),
    ):
        if len(rows) > limit:
            raise ValidationError(
                _(
                    "Together these contacts have %(count)s %(what)s; a contact "
                    "holds at most %(limit)s. Remove some first; nothing was merged."
                )
                % {"count": len(rows), "what": what, "limit": limit},
                code="details",
            )
    return ContactData(
        prefix=names.prefix,
        given_name=names.given_name,
        middle_name=names.middle_name,
        family_name=names.family_name,
        suffix=names.suffix,
        display_name=names.display_name,
        nickname=chosen["nickname"].nickname,
        organization=chosen["organization"].organization,
        job_title=chosen["job_title"].job_title,
        notes=joined,
        birthday_day=birthday.birthday_day,
        birthday_month=birthday.birthday_month,
        birthday_year=birthday.birthday_year,
        is_favorite=any(contact.is_favorite for contact in ordered),
        emails=emails,
        phones=phones,
        addresses=addresses,
        websites=websites,
        labels=labels,
    )


def _set_aside_lines(ordered: list[Contact], chosen: dict[str, Contact]) -> list[str]:
    """A line for each value of SET_ASIDE_HEADINGS the merge does not keep.

    A value the kept one holds already, in another case or as a birthday
    without its year, is not news.
    """
    lines = []
    for name, heading in SET_ASIDE_HEADINGS.items():
        kept = field_value(chosen[name], name)
        for contact in ordered:
            value = field_value(contact, name)
            if not value or _same_value(name, value, kept):
                continue
            line = f"{heading}: {field_shown(contact, name)}"
            if line not in lines:
                lines.append(line)
    return lines


def _same_value(name: str, value, kept) -> bool:
    if not kept:
        return False
    if name == "birthday":
        return value[:2] == kept[:2] and value[2] in (None, kept[2])
    return value.strip().casefold() == kept.strip().casefold()


@dataclass
class GroupsMerged:
    """What "Merge all" did: the contact each group became, how many went to
    the Trash, and the groups left as they were, by name, with the reason."""

    kept: list[Contact] = field(default_factory=list)
    trashed: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)

    @property
    def merges(self) -> list[ContactMerge]:
        """The records that can undo each group's merge."""
        return [contact.merge for contact in self.kept]


@transaction.atomic
def contacts_merge_groups(*, owner, groups: Sequence[Sequence[int]]) -> GroupsMerged:
    """Merge each group of the owner's contacts as the merge page proposes it.

    In each group the first contact in the page's order (by name) gives the
    name, and every other choice goes to the first contact that has a value;
    every detail is kept, as in `contacts_merge`. Each group is merged in a
    savepoint of its own: one a limit refuses stays as it is, named with the
    reason, and the others are merged. A group with fewer than two live
    contacts left (merged already, by a second click or in another tab) is
    passed over.
    """
    if len(groups) > MERGE_GROUPS_MAX:
        raise ValidationError(
            _("Merge at most %(max)s groups at a time.") % {"max": MERGE_GROUPS_MAX},
            code="many",
        )
    outcome = GroupsMerged()
    for ids in groups:
        contacts = list(
            Contact.objects.owned_by(owner)
            .filter(pk__in=list(ids)[: MERGE_MAX + 1])
            .order_by("sort_name", "pk")
        )
        if len(contacts) < 2:
            continue
        choices = {
            name: next(
                (contact.pk for contact in contacts if field_value(contact, name)),
                None,
            )
            for name in CHOICE_FIELDS
        }
        try:
            with transaction.atomic():
                kept = contacts_merge(
                    owner=owner,
                    contact_ids=[contact.pk for contact in contacts],
                    choices=choices,
                    others_in_notes=True,
                )
        except ValidationError as error:
            outcome.refused.append((contacts[0].shown_name, " ".join(error.messages)))
        else:
            outcome.kept.append(kept)
            outcome.trashed += len(contacts) - 1
    return outcome


@transaction.atomic
def contacts_mark_not_duplicates(*, owner, contact_ids: Sequence[int]) -> int:
    """Mark the owner's contacts as different people, every pair of them.

    The Duplicates page then no longer groups them for what they share.
    Marking them again changes nothing (a double click). Returns how many
    contacts were marked; refused, marking none, unless every one is a live
    contact of the owner.
    """
    ids = sorted({int(pk) for pk in contact_ids})
    if len(ids) < 2:
        raise ValidationError(
            _("Choose at least two contacts that are not duplicates."), code="few"
        )
    if len(ids) > APART_MAX:
        raise ValidationError(
            _(
                "Mark at most %(max)s contacts as not duplicates at a time. A group "
                "this large usually shares one number or address: edit that instead."
            )
            % {"max": APART_MAX},
            code="many",
        )
    # Locked, so neither can be deleted for good before the pairs are in.
    found = list(
        Contact.objects.owned_by(owner)
        .select_for_update()
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )
    if len(found) != len(ids):
        raise ValidationError(
            _("Some of these contacts no longer exist or are in the Trash."),
            code="gone",
        )
    NotDuplicate.objects.bulk_create(
        [
            NotDuplicate(owner=owner, first_id=first, second_id=second)
            for first, second in combinations(ids, 2)
        ],
        batch_size=500,
        ignore_conflicts=True,
    )
    address_book_changed(owner=owner)
    return len(ids)


@transaction.atomic
def contacts_unmark_not_duplicates(*, owner) -> int:
    """Forget every pair the owner marked as not duplicates; how many there were."""
    deleted, _by_model = NotDuplicate.objects.filter(owner=owner).delete()
    if deleted:
        address_book_changed(owner=owner)
    return deleted


# ---------------------------------------------------------------------------
# Undoing a merge
# ---------------------------------------------------------------------------

RECENT_MERGES_SHOWN = 5


def undoable_merges_since():
    """When the oldest merge that can be undone was made: the Trash keeps
    what it merged for RAPPORT_CONTACTS_TRASH_DAYS."""
    return timezone.now() - datetime.timedelta(
        days=settings.RAPPORT_CONTACTS_TRASH_DAYS
    )


@dataclass
class MergesUndone:
    """What undoing merges did: the contacts that are apart again, by kept
    contact's name, and the merges left as they were, with the reason."""

    undone: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


@transaction.atomic
def contact_merges_undo(*, owner, merge_ids: Sequence[int]) -> MergesUndone:
    """Undo the owner's merges: each kept contact as it was, the others back.

    Each merge is undone in a savepoint of its own; one that can no longer be
    undone stays, named with the reason. Ids that are not the owner's merges
    (or were undone already: a double click) are passed over.
    """
    outcome = MergesUndone()
    address_book_locked(owner=owner)
    merges = list(
        ContactMerge.objects.select_for_update()
        .filter(owner=owner, pk__in=list(merge_ids)[:MERGE_GROUPS_MAX])
        .select_related("kept")
        .order_by("-created", "-pk")
    )
    for merge in merges:
        name = merge.kept.shown_name
        try:
            with transaction.atomic():
                _undo_merge(owner, merge)
        except ValidationError as error:
            outcome.refused.append((name, " ".join(error.messages)))
        else:
            outcome.undone.append(name)
    if outcome.undone:
        address_book_changed(owner=owner)
    return outcome


def _undo_merge(owner, merge: ContactMerge) -> None:
    kept = Contact.objects.select_for_update().get(pk=merge.kept_id)
    if merge.created < undoable_merges_since():
        raise ValidationError(
            _("it is older than the Trash keeps contacts."), code="expired"
        )
    if kept.deleted_at is not None:
        raise ValidationError(
            _("%(name)s is in the Trash. Restore it first.")
            % {"name": kept.shown_name},
            code="trashed",
        )
    if kept.updated != merge.kept_updated:
        raise ValidationError(
            _(
                "%(name)s was changed after the merge (edited or merged again); "
                "undoing it would lose those changes."
            )
            % {"name": kept.shown_name},
            code="changed",
        )
    ids = [part["id"] for part in merge.merged]
    others = Contact.objects.select_for_update().filter(owner=owner, pk__in=ids)
    if len(others) != len(ids):
        raise ValidationError(
            _(
                "some of the merged contacts were deleted for good from the Trash, "
                "and their details are now only on %(name)s."
            )
            % {"name": kept.shown_name},
            code="purged",
        )
    before = merge.before
    # Labels given to the contact since the merge stay on it; those taken
    # off since stay off.
    labels_now = set(
        ContactLabel.objects.filter(contact=kept).values_list("label_id", flat=True)
    )
    added_since = labels_now - set(before["labels_merged"])
    removed_since = set(before["labels_merged"]) - labels_now
    fields = dict(before["fields"])
    # So does a star given or taken since (it does not count as an edit).
    if before.get("favorite_merged", kept.is_favorite) != kept.is_favorite:
        fields["is_favorite"] = kept.is_favorite
    contact_update(
        contact=kept,
        data=_data_from_snapshot(
            owner,
            before,
            fields,
            [
                *(pk for pk in before["labels"] if pk not in removed_since),
                *added_since,
            ],
        ),
    )
    _restore_photo(kept, merge)
    # Member links come back to the members still here: one who deleted
    # their account since is gone from every card.
    members = set(
        get_user_model()
        .objects.filter(
            pk__in=[before["member"], *(part["member"] for part in merge.merged)]
        )
        .values_list("pk", flat=True)
    )
    # As it was, down to when it last changed: an earlier merge into it can
    # then be undone in turn.
    Contact.objects.filter(pk=kept.pk).update(
        member_id=before["member"] if before["member"] in members else None,
        updated=datetime.datetime.fromisoformat(before["updated"]),
    )
    # Each back as it was, down to when it last changed (merging marked it
    # changed: an import that added it keeps it when undone).
    for part in merge.merged:
        restored = {"deleted_at": None}
        if "updated" in part:
            restored["updated"] = datetime.datetime.fromisoformat(part["updated"])
        Contact.objects.filter(pk=part["id"], deleted_at=merge.trashed_at).update(
            **restored
        )
    for part in merge.merged:
        member = part["member"]
        # Unless the member was saved as another contact since.
        if (
            member in members
            and not Contact.objects.filter(owner=owner, member=member).exists()
        ):
            Contact.objects.filter(pk=part["id"]).update(member_id=member)
    # The UIDs go back to the contacts that come back.
    MergedUid.objects.filter(merge=merge).delete()
    merge.delete()


def _data_from_snapshot(
    owner, before: dict, fields: dict, label_ids: list[int]
) -> ContactData:
    return ContactData(
        **fields,
        emails=[EmailEntry(*row) for row in before["emails"]],
        phones=[PhoneEntry(*row) for row in before["phones"]],
        addresses=[AddressEntry(*row) for row in before["addresses"]],
        websites=[WebsiteEntry(*row) for row in before["websites"]],
        # A label deleted since is left out.
        labels=list(Label.objects.filter(owner=owner, pk__in=label_ids)),
    )


def _restore_photo(kept: Contact, merge: ContactMerge) -> None:
    """The kept contact's own picture again, or none if it had none."""
    if merge.before_small is not None:
        ContactPhoto.objects.update_or_create(
            contact=kept,
            defaults={
                "small": merge.before_small,
                "large": merge.before_large,
            },
        )
        Contact.objects.filter(pk=kept.pk).update(photo_key=new_photo_key())
    elif not merge.before["photo_key"] and kept.photo_key:
        ContactPhoto.objects.filter(contact=kept).delete()
        Contact.objects.filter(pk=kept.pk).update(photo_key="")


def undoable_merge_into(contact: Contact) -> ContactMerge | None:
    """The latest merge into `contact`, if undoing it would lose nothing.

    That is while the Trash keeps the merged contacts and `contact` has not
    changed since; the undo itself checks again.
    """
    return (
        ContactMerge.objects.filter(
            owner_id=contact.owner_id,
            kept=contact,
            kept_updated=contact.updated,
            created__gte=undoable_merges_since(),
        )
        .defer("before", "before_small", "before_large")
        .order_by("-created", "-pk")
        .first()
    )


def merge_of(*, owner, contact_ids: Sequence[int]) -> ContactMerge | None:
    """The merge that made exactly these contacts one, if there is one still
    recorded: what a second click on Merge finds done already."""
    ids = set(contact_ids)
    for merge in (
        ContactMerge.objects.filter(owner=owner, kept_id__in=ids)
        .select_related("kept")
        .defer("before", "before_small", "before_large")
        .order_by("-created", "-pk")
    ):
        if {merge.kept_id, *(part["id"] for part in merge.merged)} == ids:
            return merge
    return None


def with_merges_that_trashed(*, owner, contacts: Sequence[Contact]) -> None:
    """Give each contact of the Trash `merged_into`: the merge that moved it
    there (its `kept` contact read, `undoable` set), or None. One query.

    A merge moves the others to the Trash at the moment it is made, so only
    the merges made at those contacts' `deleted_at` can have moved them.
    """
    moments = {contact.deleted_at for contact in contacts if contact.deleted_at}
    by_id: dict[int, ContactMerge] = {}
    if moments:
        since = undoable_merges_since()
        for merge in (
            ContactMerge.objects.filter(owner=owner, created__in=moments)
            .select_related("kept")
            .defer("before", "before_small", "before_large")
        ):
            kept = merge.kept
            merge.undoable = (
                merge.created >= since
                and kept.deleted_at is None
                and kept.updated == merge.kept_updated
            )
            for part in merge.merged:
                by_id[part["id"]] = merge
    for contact in contacts:
        merge = by_id.get(contact.pk)
        if merge is not None and merge.trashed_at != contact.deleted_at:
            merge = None
        contact.merged_into = merge


def recent_merges(*, owner) -> list[ContactMerge]:
    """The owner's latest merges that may still be undone, newest first."""
    return list(
        ContactMerge.objects.filter(owner=owner, created__gte=undoable_merges_since())
        .select_related("kept")
        .defer("before", "before_small", "before_large")
        .order_by("-created", "-pk")[:RECENT_MERGES_SHOWN]
    )
