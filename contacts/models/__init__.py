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
from contacts.models.duplicates import ContactMerge, MergedUid, NotDuplicate
from contacts.models.imports import ContactImport, ImportedContact, ImportFile
from contacts.models.labels import ContactLabel, Label
from contacts.models.photos import ContactPhoto

__all__ = [
    "AddressBook",
    "Contact",
    "ContactAddress",
    "ContactEmail",
    "ContactImport",
    "ContactLabel",
    "ContactMerge",
    "ContactPhone",
    "ContactPhoto",
    "ContactQuerySet",
    "ContactWebsite",
    "DetailLabel",
    "ImportedContact",
    "ImportFile",
    "Label",
    "MergedUid",
    "NotDuplicate",
]
