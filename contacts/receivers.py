"""What the address book does when something happens in `connections`."""

from django.dispatch import receiver

from connections.signals import account_closing
from contacts.services.address_books import address_book_delete


@receiver(account_closing, dispatch_uid="contacts.address_book_delete")
def delete_address_book(sender, member, **kwargs):
    """A closed account keeps no address book."""
    address_book_delete(owner=member)
