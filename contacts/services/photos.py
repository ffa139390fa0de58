"""Writes about contact photos: set one from an upload or a card, take it off."""

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from connections.photos import photo_image, photo_renditions, read_photo
from contacts.models import Contact, ContactPhoto

# The stored pictures (square, pixels): `small` serves the lists' avatars
# (3rem, sharp at twice the density), `large` the contact's page and exports.
PHOTO_SIZES = {"small": 96, "large": 256}


def new_photo_key() -> str:
    return secrets.token_hex(8)


class PhotoKeyConverter:
    """`<photo_key:…>` in an address: what `new_photo_key` makes, hex digits.

    Any other text reached the query that finds the picture, a NUL included,
    which PostgreSQL refuses; such an address is not found by the resolver.
    """

    regex = "[0-9a-f]{1,32}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


def photo_pictures(image: Image.Image) -> dict[str, bytes]:
    """The stored pictures of a decoded image: field name → JPEG."""
    return photo_renditions(image, PHOTO_SIZES)


def photo_pictures_from_bytes(data: bytes) -> dict[str, bytes]:
    """The stored pictures of a card's picture, or a ValidationError saying why not.

    Kept however small it is, as the app the card comes from showed it.
    """
    return photo_pictures(photo_image(data, min_side=1))


def _locked_live(contact: Contact) -> Contact:
    locked = Contact.objects.select_for_update().filter(pk=contact.pk).first()
    if locked is None:
        raise ValidationError(_("This contact no longer exists."), code="gone")
    if locked.deleted_at is not None:
        raise ValidationError(
            _("This contact is in the Trash. Restore it to edit it."), code="trashed"
        )
    return locked


def contact_photo_set(*, contact: Contact, upload) -> Contact:
    """Give the contact the picture in `upload`, replacing any photo it had.

    The picture is checked and resized before the transaction (a file Pillow
    cannot read, or too large, is a ValidationError saying why); the new key
    gives it a new address, so no browser shows the old one from its cache.
    """
    pictures = photo_pictures(read_photo(upload))
    with transaction.atomic():
        locked = _locked_live(contact)
        ContactPhoto.objects.update_or_create(contact=locked, defaults=pictures)
        locked.photo_key = new_photo_key()
        locked.updated = timezone.now()
        locked.save(update_fields=["photo_key", "updated"])
    return locked


@transaction.atomic
def contact_photo_remove(*, contact: Contact) -> Contact:
    """Take the photo off a contact. Removing a photo it no longer has is harmless."""
    locked = _locked_live(contact)
    if locked.photo_key:
        ContactPhoto.objects.filter(contact=locked).delete()
        locked.photo_key = ""
        locked.updated = timezone.now()
        locked.save(update_fields=["photo_key", "updated"])
    return locked


def contact_photo_copy(*, source: Contact, target: Contact) -> None:
    """Give `target` the photo of `source` (in the caller's transaction)."""
    pictures = (
        ContactPhoto.objects.filter(contact=source).values("small", "large").first()
    )
    if pictures is None:
        return
    ContactPhoto.objects.update_or_create(contact=target, defaults=pictures)
    Contact.objects.filter(pk=target.pk).update(photo_key=new_photo_key())
