"""What the address book does when something happens in `connections`: it is
deleted with a closed account, and it goes into the member's data archive."""

from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from connections.archive import register_part
from connections.signals import account_closing
from contacts.selectors.archive import (
    archive_address_book,
    archive_contacts,
    archive_imports,
    archive_labels,
    archive_merges,
    archive_not_duplicates,
    archive_trash,
)
from contacts.services.address_books import address_book_delete
from contacts.services.contacts import contacts_unlink_member


@receiver(account_closing, dispatch_uid="contacts.address_book_delete")
def delete_address_book(sender, member, **kwargs):
    """A closed account keeps no address book, and the cards other members
    saved from it stay theirs, no longer linked to it."""
    address_book_delete(owner=member)
    contacts_unlink_member(member=member)


register_part(
    "address_book.json",
    _(
        "your address book’s settings: the country that phone numbers typed "
        "without a country code belong to"
    ),
    archive_address_book,
)
register_part(
    "contacts.vcf",
    _("your address book, every contact as a vCard 3.0 card"),
    archive_contacts,
)
register_part(
    "contacts-trash.vcf",
    _("the contacts in your Trash, apart from the address book, as vCard 3.0"),
    archive_trash,
)
register_part(
    "labels.csv",
    _("your labels, empty ones too, with how many contacts each has"),
    archive_labels,
)
register_part(
    "imports.csv",
    _("the address book files you imported, and what each import did"),
    archive_imports,
)
register_part(
    "merges.csv",
    _("the merges of your contacts you can still undo, and what went into what"),
    archive_merges,
)
register_part(
    "not_duplicates.csv",
    _("the pairs of contacts you marked as different people"),
    archive_not_duplicates,
)
