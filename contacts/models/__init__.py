"""Models of the contacts app, one module per concern."""

from contacts.models.address_books import AddressBook
from contacts.models.contacts import Contact, ContactQuerySet
from contacts.models.details import (
    ContactAddress,
    ContactEmail,
    ContactPhone,
    ContactWebsite,
    DetailLabel,
)
from contacts.models.duplicates import NotDuplicate
from contacts.models.imports import ContactImport, ImportedContact, ImportFile
from contacts.models.labels import ContactLabel, Label

__all__ = [
    "AddressBook",
    "Contact",
    "ContactAddress",
    "ContactEmail",
    "ContactImport",
    "ContactLabel",
    "ContactPhone",
    "ContactQuerySet",
    "ContactWebsite",
    "DetailLabel",
    "ImportedContact",
    "ImportFile",
    "Label",
    "NotDuplicate",
]
