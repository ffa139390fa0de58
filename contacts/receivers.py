"""What the address book does when something happens in `connections`: it is
deleted with a closed account, and it goes into the member's data archive."""

from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from connections.archive import register_part
from connections.signals import account_closing
from contacts.selectors.transfer import ExportFormat, contacts_to_export, export_stream
from contacts.services.address_books import address_book_delete
from contacts.services.contacts import contacts_unlink_member


@receiver(account_closing, dispatch_uid="contacts.address_book_delete")
def delete_address_book(sender, member, **kwargs):
    """A closed account keeps no address book, and the cards other members
    saved from it stay theirs, no longer linked to it."""
    address_book_delete(owner=member)
    contacts_unlink_member(member=member)


def archive_contacts(member, base_url: str):
    """The address book (Trash aside) as vCard 3.0, photos included."""
    return export_stream(contacts_to_export(owner=member), ExportFormat.VCARD3)


register_part(
    "contacts.vcf",
    _("your address book, every contact as a vCard 3.0 card"),
    archive_contacts,
)
