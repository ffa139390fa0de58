"""Reads for import and export: a member's imports, and the cards to export.

Exports stream: contacts are read as plain rows in chunks
(`iterator(chunk_size=…)`, their details in five queries per chunk) and written
as they come, so memory stays flat whatever the size of the address book.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import batched

from django.conf import settings
from django.db.models import Count, Max, QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from connections.models.profiles import EMAILS_SHOWN_MAX
from connections.selectors.profiles import connection_profiles
from contacts import csv_formats
from contacts.member_cards import vcard_from_profile
from contacts.models import (
    Contact,
    ContactAddress,
    ContactEmail,
    ContactImport,
    ContactLabel,
    ContactPhone,
    ContactPhoto,
    ContactWebsite,
    Label,
)
from contacts.models.imports import WAITING_STATUSES
from contacts.selectors.contacts import contact_ids_owned_by
from contacts.vcard import Address, TypedValue, VCard, vcard_of, write_vcard

RECENT_IMPORTS = 10
# Older imports still waiting, listed after the latest ones.
WAITING_LISTED = 50


class ExportFormat:
    VCARD3 = "vcard3"
    VCARD4 = "vcard4"
    GOOGLE_CSV = "csv"
    OUTLOOK_CSV = "outlook"
    CHOICES = (VCARD3, VCARD4, GOOGLE_CSV, OUTLOOK_CSV)
    EXTENSIONS = {VCARD3: "vcf", VCARD4: "vcf", GOOGLE_CSV: "csv", OUTLOOK_CSV: "csv"}
    CONTENT_TYPES = {
        VCARD3: "text/vcard; charset=utf-8",
        VCARD4: "text/vcard; charset=utf-8",
        GOOGLE_CSV: "text/csv; charset=utf-8",
        OUTLOOK_CSV: "text/csv; charset=utf-8",
    }


def recent_imports(*, owner) -> list[ContactImport]:
    """The member's latest imports, newest first, without the stored files.

    Imports still waiting (a preview, a failure) are listed however old they
    are: uploading stops at RAPPORT_IMPORTS_WAITING_MAX of them, and the
    member must be able to find them to import or cancel one.
    """
    imports = (
        ContactImport.objects.owned_by(owner)
        .defer("merged", "problems", "notices", "kept")
        .select_related("label")
        .order_by("-created", "-pk")
    )
    latest = list(imports[:RECENT_IMPORTS])
    if len(latest) < RECENT_IMPORTS:
        return latest
    listed = {batch.pk for batch in latest}
    older_waiting = [
        batch
        for batch in imports.filter(status__in=WAITING_STATUSES)[:WAITING_LISTED]
        if batch.pk not in listed
    ]
    return latest + older_waiting


def contacts_to_export(
    *, owner, label_id: int | None = None, contact_ids: Iterable | None = None
) -> QuerySet:
    """The owner's contacts to export (Trash aside): all, a label's, or chosen."""
    contacts = Contact.objects.owned_by(owner)
    if contact_ids is not None:
        contacts = contacts.filter(
            pk__in=contact_ids_owned_by(owner=owner, ids=contact_ids)
        )
    elif label_id is not None:
        contacts = contacts.filter(label_links__label_id=label_id)
    return contacts.order_by("sort_name", "pk")


# What a card needs of each contact, read as plain rows: building model
# instances and a related manager per detail cost most of an export's time.
CARD_COLUMNS = (
    "pk",
    "display_name",
    "shown_name",
    "prefix",
    "given_name",
    "middle_name",
    "family_name",
    "suffix",
    "nickname",
    "organization",
    "job_title",
    "is_favorite",
    "birthday_day",
    "birthday_month",
    "birthday_year",
    "notes",
    "updated",
    "photo_key",
    "import_record__uid",
)


def _typed(row) -> TypedValue:
    return TypedValue(value=row[1], kind=row[2], label=row[3])


def _details_of(ids: list[int]) -> dict[str, dict[int, list]]:
    """Each contact's emails, phones, addresses, websites and label names, in
    the card's terms, oldest first. Five queries for a chunk of contacts."""
    found: dict[str, dict[int, list]] = {}

    def collect(name, rows, build):
        per_contact = found[name] = defaultdict(list)
        for row in rows:
            per_contact[row[0]].append(build(row))

    for name, model, value in (
        ("emails", ContactEmail, "value"),
        ("phones", ContactPhone, "value"),
        ("urls", ContactWebsite, "url"),
    ):
        collect(
            name,
            model.objects.filter(contact_id__in=ids)
            .order_by("id")
            .values_list("contact_id", value, "label", "custom_label"),
            _typed,
        )
    collect(
        "addresses",
        ContactAddress.objects.filter(contact_id__in=ids)
        .order_by("id")
        .values_list(
            "contact_id",
            "street",
            "city",
            "region",
            "postal_code",
            "country",
            "label",
            "custom_label",
        ),
        lambda row: Address(
            street=row[1],
            city=row[2],
            region=row[3],
            postal_code=row[4],
            country=row[5],
            kind=row[6],
            label=row[7],
        ),
    )
    collect(
        "categories",
        ContactLabel.objects.filter(contact_id__in=ids)
        .order_by(Lower("label__name"), "label_id")
        .values_list("contact_id", "label__name"),
        lambda row: row[1],
    )
    return found


def _photos_of(ids: list[int]) -> dict[int, bytes]:
    """The large picture of each contact that has a photo. One query, if any."""
    if not ids:
        return {}
    return {
        pk: bytes(data)
        for pk, data in ContactPhoto.objects.filter(contact_id__in=ids).values_list(
            "contact_id", "large"
        )
    }


def _cards(contacts: QuerySet, *, photos: bool = False):
    rows = contacts.values_list(*CARD_COLUMNS, named=True).iterator(
        chunk_size=settings.RAPPORT_EXPORT_CHUNK
    )
    for chunk in batched(rows, settings.RAPPORT_EXPORT_CHUNK, strict=False):
        details = _details_of([row.pk for row in chunk])
        pictures = (
            _photos_of([row.pk for row in chunk if row.photo_key]) if photos else {}
        )
        for row in chunk:
            yield vcard_of(
                row,
                uid=row.import_record__uid or "",
                photo=pictures.get(row.pk),
                **{
                    name: list(found.get(row.pk, ())) for name, found in details.items()
                },
            )


def google_columns(contacts: QuerySet) -> csv_formats.GoogleColumns:
    """How many numbered blocks of each detail the CSV needs. Four queries."""
    ids = contacts.order_by().values("pk")
    counts = {}
    for name, model in (
        ("emails", ContactEmail),
        ("phones", ContactPhone),
        ("addresses", ContactAddress),
        ("websites", ContactWebsite),
    ):
        most = (
            model.objects.filter(contact__in=ids)
            .values("contact")
            .annotate(count=Count("id"))
            .aggregate(most=Max("count"))["most"]
        )
        counts[name] = max(1, most or 0)
    return csv_formats.GoogleColumns(**counts)


def export_stream(contacts: QuerySet, export_format: str) -> Iterator[bytes]:
    """The contacts as a file of `export_format`, in pieces of about a chunk
    of cards; photos only in vCards (a CSV file has no place for them)."""
    if export_format == ExportFormat.GOOGLE_CSV:
        return _written(
            _cards(contacts), export_format, columns=google_columns(contacts)
        )
    vcard = export_format in (ExportFormat.VCARD3, ExportFormat.VCARD4)
    return _written(_cards(contacts, photos=vcard), export_format)


# A connection's card holds their shown emails, one phone, one place, their
# website and the address of their profile.
CONNECTION_COLUMNS = csv_formats.GoogleColumns(
    emails=EMAILS_SHOWN_MAX, phones=1, addresses=1, websites=2
)


def export_connections(*, viewer, export_format: str) -> Iterator[bytes]:
    """The viewer's connections, each card holding what that connection shows
    them on their profile (`connection_profiles`), as a file of the format."""
    cards = (
        vcard_from_profile(view, profile_url=view.member.get_absolute_url())
        for view in connection_profiles(
            viewer=viewer, chunk=settings.RAPPORT_EXPORT_CHUNK
        )
    )
    return _written(cards, export_format, columns=CONNECTION_COLUMNS)


def _written(
    cards: Iterable[VCard], export_format: str, *, columns=None
) -> Iterator[bytes]:
    """Cards as vCard 3.0 or 4.0, or as Google's CSV (with `columns`) or
    Outlook's, both UTF-8 with a byte-order mark, which Outlook needs to read
    anything beyond ASCII."""
    if export_format == ExportFormat.GOOGLE_CSV:
        head = [columns.header()]
        rows = (csv_formats.google_row(card, columns) for card in cards)
    elif export_format == ExportFormat.OUTLOOK_CSV:
        head = [csv_formats.OUTLOOK_HEAD]
        rows = (csv_formats.outlook_row(card) for card in cards)
    else:
        version = "4.0" if export_format == ExportFormat.VCARD4 else "3.0"
        return _chunked(write_vcard(card, version=version) for card in cards)
    return _chain(
        ["\ufeff".encode()], _chunked(csv_formats.csv_lines(_chain(head, rows)))
    )


def _chunked(pieces: Iterable[str]) -> Iterator[bytes]:
    """The pieces (cards, lines) encoded, about a chunk of them at a time."""
    pending: list[str] = []
    for piece in pieces:
        pending.append(piece)
        if len(pending) >= settings.RAPPORT_EXPORT_CHUNK:
            yield "".join(pending).encode()
            pending = []
    if pending:
        yield "".join(pending).encode()


def _chain(*iterables):
    for iterable in iterables:
        yield from iterable


def export_format_names() -> dict[str, str]:
    return {
        ExportFormat.VCARD3: _("vCard 3.0 (.vcf) — what most apps import best"),
        ExportFormat.VCARD4: _("vCard 4.0 (.vcf)"),
        ExportFormat.GOOGLE_CSV: _("CSV for Google Contacts (.csv)"),
        ExportFormat.OUTLOOK_CSV: _("CSV for Outlook (.csv)"),
    }


def export_format_hints() -> dict[str, str]:
    """What a format cannot hold, said under its name on the Export page."""
    return {
        ExportFormat.GOOGLE_CSV: _(
            "Every field of each card but its photo, which Google’s CSV holds "
            "only as a web address."
        ),
        ExportFormat.OUTLOOK_CSV: _(
            "Outlook’s columns hold 3 email addresses, a mobile, two home, two "
            "work and one other phone, a home, a work and an other address and "
            "a website; whatever else a card holds, its photo aside, is written in "
            "its notes."
        ),
    }


def import_duplicates_listed(*, owner, batch) -> list[dict]:
    """An import preview's first possible duplicates, each with the contacts
    it looks like that are still in the address book, in one query."""
    ids = {pk for item in batch.duplicates for pk in item["matches"]}
    contacts = {
        contact.pk: contact
        for contact in Contact.objects.owned_by(owner)
        .filter(pk__in=ids)
        .only("pk", "shown_name")
    }
    return [
        {
            **item,
            "contacts": [contacts[pk] for pk in item["matches"] if pk in contacts],
        }
        for item in batch.duplicates
    ]


def import_undo_labels_going(*, batch) -> list[str]:
    """The names of the labels an import created for the file's groups that
    its undo deletes: those no contact keeps once the undo is done."""
    created = Label.objects.filter(pk__in=batch.labels_created, owner=batch.owner)
    ids = set(created.values_list("pk", flat=True))
    if not ids:
        return []
    # The undo deletes the contacts it added and takes back the labels it put
    # on contacts the member had, unless they were edited since.
    removed = Contact.objects.filter(
        import_record__batch=batch,
        owner=batch.owner,
        updated__lte=batch.finished,
    ).values("pk")
    taken_back = set()
    for pk, updated in Contact.objects.filter(
        pk__in=[int(pk) for pk in batch.merged], owner=batch.owner
    ).values_list("pk", "updated"):
        if updated <= batch.finished:
            taken_back.update(
                (pk, label_id) for label_id in batch.merged[str(pk)]["labels"]
            )
    kept = {
        label_id
        for contact_id, label_id in ContactLabel.objects.filter(label_id__in=ids)
        .exclude(contact_id__in=removed)
        .values_list("contact_id", "label_id")
        if (contact_id, label_id) not in taken_back
    }
    return list(
        created.exclude(pk__in=kept)
        .order_by(Lower("name"), "pk")
        .values_list("name", flat=True)
    )
