"""A member's address book: the settings of their contacts as a whole."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Length, Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def default_phone_region() -> str:
    return settings.RAPPORT_CONTACTS_PHONE_REGION


class AddressBook(models.Model):
    """One row per member who has used Contacts.

    Holds the region used to read phone numbers typed without a country code,
    and is the row the services lock to keep the contacts limit exact.
    `revision` counts the changes that can change the Duplicates page.
    """

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="address_book",
        verbose_name=_("owner"),
    )
    default_region = models.CharField(
        _("country for phone numbers"),
        max_length=2,
        default=default_phone_region,
        help_text=_(
            "Phone numbers typed without a country code are read as numbers of "
            "this country."
        ),
    )
    # One more after every change to the contacts' names, emails, phones,
    # Trash or "not duplicates" (`address_book_changed()`): what the
    # Duplicates page found is kept in the cache under it until then.
    revision = models.PositiveBigIntegerField(_("revision"), default=0)
    created = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("address book")
        verbose_name_plural = _("address books")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(default_region=Upper("default_region"))
                & models.lookups.Exact(Length("default_region"), 2),
                name="addressbook_region_iso_code",
            ),
        ]

    def __str__(self):
        return str(self.owner)
