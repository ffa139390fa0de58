"""The address book's files in the member's data archive (Settings › Your data).

`contacts.receivers` adds each to the archive with
`connections.archive.register_part`; every one reads its rows in chunks, so
the archive costs the same queries whatever the address book holds.
"""

from collections.abc import Iterator

from contacts.models import Contact
from contacts.selectors.transfer import ExportFormat, contacts_to_export, export_stream


def archive_contacts(member, base_url: str) -> Iterator[bytes]:
    """The address book (Trash aside) as vCard 3.0, photos included."""
    return export_stream(contacts_to_export(owner=member), ExportFormat.VCARD3)


def archive_trash(member, base_url: str) -> Iterator[bytes]:
    """The contacts in the Trash, apart from the address book, as vCard 3.0:
    kept for undo, they are the member's data until they are gone for good."""
    trash = Contact.objects.in_trash_of(member).order_by("sort_name", "pk")
    return export_stream(trash, ExportFormat.VCARD3)
