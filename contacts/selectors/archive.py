"""The address book's files in the member's data archive (Settings › Your data).

`contacts.receivers` adds each to the archive with
`connections.archive.register_part`; every one reads its rows in chunks, so
the archive costs the same queries whatever the address book holds.
"""

import json
from collections.abc import Iterator
from itertools import batched

from connections.archive import ROWS_PER_CHUNK, csv_rows
from contacts.models import (
    Contact,
    ContactImport,
    ContactMerge,
    ImportedContact,
    NotDuplicate,
)
from contacts.phones import region_name
from contacts.selectors.contacts import address_book_region, labels_counted
from contacts.selectors.transfer import ExportFormat, contacts_to_export, export_stream
from contacts.vcard import contact_uid


def archive_address_book(member, base_url: str) -> Iterator[bytes]:
    """The address book's settings, as Contacts › Settings shows them: the
    country phone numbers typed without a country code are read as, the
    site's own until the member picks one."""
    region = address_book_region(owner=member)
    data = {
        "country_for_phone_numbers": {"code": region, "country": region_name(region)}
    }
    yield json.dumps(data, ensure_ascii=False, indent=2).encode() + b"\n"


def archive_contacts(member, base_url: str) -> Iterator[bytes]:
    """The address book (Trash aside) as vCard 3.0, photos included."""
    return export_stream(contacts_to_export(owner=member), ExportFormat.VCARD3)


def archive_trash(member, base_url: str) -> Iterator[bytes]:
    """The contacts in the Trash, apart from the address book, as vCard 3.0:
    kept for undo, they are the member's data until they are gone for good."""
    trash = Contact.objects.in_trash_of(member).order_by("sort_name", "pk")
    return export_stream(trash, ExportFormat.VCARD3)


def archive_labels(member, base_url: str) -> Iterator[bytes]:
    """Every label, empty ones too, with its contacts counted as the Labels
    page counts them (Trash aside)."""
    rows = (
        labels_counted(owner=member)
        .values_list("name", "count", "created")
        .iterator(chunk_size=ROWS_PER_CHUNK)
    )
    return csv_rows(("Label", "Contacts (Trash aside)", "Created on"), rows)


def archive_imports(member, base_url: str) -> Iterator[bytes]:
    """Each file the member imported (or uploaded and left waiting), with
    what it did: never the file's cards, which no import keeps."""
    rows = (
        ContactImport.objects.owned_by(member)
        .order_by("created", "pk")
        .values_list(
            "file_name",
            "file_format",
            "created",
            "status",
            "finished",
            "created_count",
            "merged_count",
            "skipped_count",
            "label__name",
            "undone",
        )
        .iterator(chunk_size=ROWS_PER_CHUNK)
    )
    return csv_rows(
        (
            "File",
            "Format",
            "Uploaded on",
            "Status",
            "Imported on",
            "Contacts added",
            "Contacts given new details",
            "Duplicates skipped",
            "Label given",
            "Undone on",
        ),
        (
            (
                name,
                ContactImport.Format(file_format).label,
                uploaded,
                ContactImport.Status(status).label,
                *rest,
            )
            for name, file_format, uploaded, status, *rest in rows
        ),
    )


def _card_uid(pk: int, imported_uid: str | None) -> str:
    """The UID the contact's card has in contacts.vcf or contacts-trash.vcf."""
    return imported_uid or contact_uid(Contact(pk=pk))


def archive_merges(member, base_url: str) -> Iterator[bytes]:
    """The merges the member can still undo: the contact kept and those merged
    into it (now in the Trash), each with its card's UID in the vCard files.
    A merge undone, or whose Trash was emptied, is no longer kept anywhere."""
    merges = (
        ContactMerge.objects.filter(owner=member)
        .order_by("created", "pk")
        .values_list(
            "created",
            "kept_id",
            "kept__shown_name",
            "kept__import_record__uid",
            "merged",
        )
        .iterator(chunk_size=ROWS_PER_CHUNK)
    )

    def lines():
        for chunk in batched(merges, ROWS_PER_CHUNK, strict=False):
            merged_ids = [part["id"] for row in chunk for part in row[4]]
            imported = dict(
                ImportedContact.objects.filter(contact_id__in=merged_ids)
                .exclude(uid="")
                .values_list("contact_id", "uid")
            )
            for created, kept_id, kept_name, kept_uid, merged in chunk:
                yield (
                    created,
                    kept_name,
                    _card_uid(kept_id, kept_uid),
                    "; ".join(part["name"] for part in merged),
                    "; ".join(
                        _card_uid(part["id"], imported.get(part["id"]))
                        for part in merged
                    ),
                )

    return csv_rows(
        (
            "Merged on",
            "Contact kept",
            "Its card UID",
            "Contacts merged into it",
            "Their card UIDs",
        ),
        lines(),
    )


def archive_not_duplicates(member, base_url: str) -> Iterator[bytes]:
    """The pairs of contacts the member said are different people."""
    rows = (
        NotDuplicate.objects.filter(owner=member)
        .order_by("created", "pk")
        .values_list(
            "created",
            "first_id",
            "first__shown_name",
            "first__import_record__uid",
            "second_id",
            "second__shown_name",
            "second__import_record__uid",
        )
        .iterator(chunk_size=ROWS_PER_CHUNK)
    )
    return csv_rows(
        ("Marked on", "Contact", "Card UID", "Other contact", "Other card UID"),
        (
            (
                created,
                first_name,
                _card_uid(first_id, first_uid),
                second_name,
                _card_uid(second_id, second_uid),
            )
            for (
                created,
                first_id,
                first_name,
                first_uid,
                second_id,
                second_name,
                second_uid,
            ) in rows
        ),
    )
