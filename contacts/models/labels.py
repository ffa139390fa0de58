"""Labels: the member's own groups of contacts ("Family", "Book club")."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.vcard import FAVORITE_CATEGORY, SYSTEM_CATEGORIES

LABEL_NAME_MAX = 60
# Names address book files give a meaning of their own (Google's favourites
# group and the groups it puts every contact in): a label called so would not
# come back from an export read again, so none may be called so.
LABEL_NAMES_RESERVED = (FAVORITE_CATEGORY, *sorted(SYSTEM_CATEGORIES))


class Label(models.Model):
    """A group of contacts, private to its owner."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="contact_labels",
        verbose_name=_("owner"),
        db_index=False,  # the unique (owner, name) index serves it
    )
    name = models.CharField(_("name"), max_length=LABEL_NAME_MAX)
    created = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("label")
        verbose_name_plural = _("labels")
        constraints = [
            models.UniqueConstraint(
                "owner", Lower("name"), name="label_name_unique_per_owner_ci"
            ),
            models.CheckConstraint(
                condition=~models.Q(name=""), name="label_name_not_empty"
            ),
            models.CheckConstraint(
                condition=~models.Q(
                    *(models.Q(name__iexact=name) for name in LABEL_NAMES_RESERVED),
                    _connector=models.Q.OR,
                ),
                name="label_name_not_reserved",
            ),
        ]

    def __str__(self):
        return self.name


class ContactLabel(models.Model):
    """A contact carries a label. Both always belong to the same owner."""

    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.CASCADE,
        related_name="label_links",
        db_index=False,  # the unique (contact, label) constraint indexes it
    )
    label = models.ForeignKey(
        Label,
        on_delete=models.CASCADE,
        related_name="links",
        db_index=False,  # the (label, contact) index serves it
    )

    class Meta:
        verbose_name = _("contact label")
        verbose_name_plural = _("contact labels")
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "label"], name="contactlabel_unique_pair"
            ),
        ]
        indexes = [models.Index(fields=["label", "contact"], name="contactlabel_label")]

    def __str__(self):
        return f"{self.contact_id} · {self.label_id}"
