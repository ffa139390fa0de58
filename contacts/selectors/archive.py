"""The address book's files in the member's data archive (Settings › Your data).

`contacts.receivers` adds each to the archive with
`connections.archive.register_part`; every one reads its rows in chunks, so
the archive costs the same queries whatever the address book holds.
"""

from collections.abc import Iterator

from connections.archive import ROWS_PER_CHUNK, csv_rows
from contacts.models import Contact, ContactImport
from contacts.selectors.contacts import labels_counted
from contacts.selectors.transfer import ExportFormat, contacts_to_export, export_stream


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
                finished,
                added,
                merged,
                skipped,
                label,
                undone,
            )
            for (
                name,
                file_format,
                uploaded,
                status,
                finished,
                added,
                merged,
                skipped,
                label,
                undone,
            ) in rows
        ),
    )
