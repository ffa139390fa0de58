"""The repeatable details of a contact: emails, phones, postal addresses, websites.

Each row carries a label (home, work, mobile, other) or a custom one the owner
names; the database guarantees the custom name is there exactly when needed.
"""

import re

from django.db import models
from django.utils.translation import gettext_lazy as _

CUSTOM_LABEL_MAX = 40
EXTENSION = re.compile(r"(?:ext\.?|extension|x)\s*(\d+)\s*$", re.IGNORECASE)


class DetailLabel(models.TextChoices):
    HOME = "home", _("Home")
    WORK = "work", _("Work")
    MOBILE = "mobile", _("Mobile")
    OTHER = "other", _("Other")
    CUSTOM = "custom", _("Custom")


class ContactDetail(models.Model):
    """What every repeatable detail has: a label, or a custom one."""

    label = models.CharField(
        _("label"),
        max_length=10,
        choices=DetailLabel.choices,
        default=DetailLabel.OTHER,
    )
    custom_label = models.CharField(
        _("custom label"), max_length=CUSTOM_LABEL_MAX, blank=True
    )

    class Meta:
        abstract = True
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(label__in=DetailLabel.values),
                name="%(class)s_label_valid",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(label=DetailLabel.CUSTOM) & ~models.Q(custom_label="")
                )
                | (~models.Q(label=DetailLabel.CUSTOM) & models.Q(custom_label="")),
                name="%(class)s_custom_label_iff_custom",
            ),
        ]

    @property
    def label_text(self) -> str:
        """The label as shown: the custom name, or the translated choice."""
        if self.label == DetailLabel.CUSTOM:
            return self.custom_label
        return self.get_label_display()


class ContactEmail(ContactDetail):
    """An email address, stored lowercased and trimmed."""

    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="emails"
    )
    value = models.EmailField(_("email"), max_length=254)

    class Meta(ContactDetail.Meta):
        verbose_name = _("email")
        verbose_name_plural = _("emails")
        indexes = [models.Index(fields=["value"], name="contactemail_value")]

    def __str__(self):
        return self.value


class ContactPhone(ContactDetail):
    """A phone number as typed, and its E.164 form when it is a valid number."""

    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="phones"
    )
    value = models.CharField(_("phone"), max_length=40)
    e164 = models.CharField(_("international form"), max_length=16, blank=True)

    class Meta(ContactDetail.Meta):
        verbose_name = _("phone")
        verbose_name_plural = _("phones")
        indexes = [
            models.Index(
                fields=["e164"],
                name="contactphone_e164",
                condition=~models.Q(e164=""),
            )
        ]
        constraints = [
            *ContactDetail.Meta.constraints,
            models.CheckConstraint(
                condition=~models.Q(value=""), name="contactphone_value_not_empty"
            ),
            models.CheckConstraint(
                condition=models.Q(e164="") | models.Q(e164__startswith="+"),
                name="contactphone_e164_form",
            ),
        ]

    def __str__(self):
        return self.value

    @property
    def tel_uri(self) -> str:
        """What a `tel:` link dials: the E.164 form, else the digits typed."""
        if self.e164:
            extension = EXTENSION.search(self.value)
            if extension:
                return f"{self.e164};ext={extension.group(1)}"
            return self.e164
        kept = "".join(char for char in self.value if char.isdigit() or char in "+*#")
        return kept or self.value


class ContactAddress(ContactDetail):
    """A postal address in free-form parts; at least one part is filled in."""

    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="addresses"
    )
    street = models.CharField(_("street"), max_length=300, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("state or region"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=100, blank=True)

    PARTS = ("street", "city", "region", "postal_code", "country")

    class Meta(ContactDetail.Meta):
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        constraints = [
            *ContactDetail.Meta.constraints,
            models.CheckConstraint(
                condition=~models.Q(
                    street="", city="", region="", postal_code="", country=""
                ),
                name="contactaddress_not_empty",
            ),
        ]

    def __str__(self):
        return ", ".join(self.lines)

    @property
    def lines(self) -> list[str]:
        """The address as lines to print: street lines, town line, country."""
        lines = [line for line in self.street.splitlines() if line.strip()]
        town = " ".join(part for part in (self.postal_code, self.city) if part)
        if self.region:
            town = f"{town}, {self.region}" if town else self.region
        if town:
            lines.append(town)
        if self.country:
            lines.append(self.country)
        return lines


class ContactWebsite(ContactDetail):
    """A web address (http or https)."""

    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="websites"
    )
    url = models.URLField(_("website"), max_length=500)

    class Meta(ContactDetail.Meta):
        verbose_name = _("website")
        verbose_name_plural = _("websites")

    def __str__(self):
        return self.url
