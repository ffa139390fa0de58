"""Contact photos: kept in the database, beside the card they belong to."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from contacts.models.contacts import Contact


class ContactPhoto(models.Model):
    """A contact's picture, re-encoded as square JPEGs (no metadata kept).

    Kept in the database rather than as files: it is private to the owner,
    served only to them, and goes with the card in every transaction (an
    import saved or undone, a contact deleted for good, an account closed)
    and in every backup. `Contact.photo_key` names the current picture; the
    services keep the two together.
    """

    contact = models.OneToOneField(
        Contact,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="photo",
        verbose_name=_("contact"),
    )
    small = models.BinaryField(_("small picture"))
    large = models.BinaryField(_("large picture"))

    class Meta:
        verbose_name = _("contact photo")
        verbose_name_plural = _("contact photos")

    def __str__(self):
        return f"Photo of contact {self.contact_id}"
