"""Contacts: the cards a member keeps about anyone, seen by nobody else."""

import calendar
import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.text import digits, fold, name_key, whole_name

NAME_PARTS = ("prefix", "given_name", "middle_name", "family_name", "suffix")
NOTES_MAX = 10_000
SHOWN_NAME_MAX = 300
# PostgreSQL refuses index entries over 2,704 bytes: the sort key (at most
# 1,200 bytes) and this stay well under it.
SEARCH_TEXT_MAX_BYTES = 1_200
LONG_MONTHS = (1, 3, 5, 7, 8, 10, 12)
SHORT_MONTHS = (4, 6, 9, 11)
# The stored picture (`ContactPhoto`) each avatar size shows.
AVATAR_RENDITION = {"sm": "small", "md": "small", "lg": "large", "xl": "large"}


class ContactQuerySet(models.QuerySet):
    """The only ways to reach contacts: through their owner, in or out of Trash."""

    def owned_by(self, member):
        """`member`'s contacts, Trash excluded; nothing for anyone signed out."""
        if not getattr(member, "is_authenticated", False):
            return self.none()
        return self.filter(owner=member, deleted_at__isnull=True)

    def in_trash_of(self, member):
        """`member`'s deleted contacts that are still restorable."""
        if not getattr(member, "is_authenticated", False):
            return self.none()
        return self.filter(owner=member, deleted_at__isnull=False)


def birthday_is_valid_q() -> models.Q:
    """No birthday, or a real day of a month, with an optional year."""
    no_birthday = models.Q(
        birthday_day__isnull=True,
        birthday_month__isnull=True,
        birthday_year__isnull=True,
    )
    day_fits_month = (
        models.Q(birthday_month__in=LONG_MONTHS, birthday_day__lte=31)
        | models.Q(birthday_month__in=SHORT_MONTHS, birthday_day__lte=30)
        | models.Q(birthday_month=2, birthday_day__lte=29)
    )
    year_ok = models.Q(birthday_year__isnull=True) | models.Q(
        birthday_year__gte=1, birthday_year__lte=9999
    )
    # NULL parts would make the check unknown, which CHECK lets through.
    both_parts = models.Q(birthday_day__isnull=False, birthday_month__isnull=False)
    return no_birthday | (
        both_parts & models.Q(birthday_day__gte=1) & day_fits_month & year_ok
    )


class Contact(models.Model):
    """A card about a person, private to its owner.

    `shown_name`, `sort_name`, `name_key` and `search_text` (DERIVED_FIELDS)
    are derived from the other fields and the contact's emails and phones by
    `derive_names()`; the services keep them current.
    """

    DERIVED_FIELDS = ("shown_name", "sort_name", "name_key", "search_text")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name=_("owner"),
    )
    prefix = models.CharField(_("prefix"), max_length=30, blank=True)
    given_name = models.CharField(_("first name"), max_length=80, blank=True)
    middle_name = models.CharField(_("middle name"), max_length=80, blank=True)
    family_name = models.CharField(_("last name"), max_length=80, blank=True)
    suffix = models.CharField(_("suffix"), max_length=30, blank=True)
    display_name = models.CharField(
        _("display name"),
        max_length=200,
        blank=True,
        help_text=_("How the name is shown. Leave empty to use the name fields."),
    )
    nickname = models.CharField(_("nickname"), max_length=80, blank=True)
    organization = models.CharField(_("organization"), max_length=120, blank=True)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    birthday_day = models.PositiveSmallIntegerField(
        _("birthday day"), null=True, blank=True
    )
    birthday_month = models.PositiveSmallIntegerField(
        _("birthday month"), null=True, blank=True
    )
    birthday_year = models.PositiveSmallIntegerField(
        _("birth year"), null=True, blank=True
    )
    notes = models.TextField(_("notes"), blank=True, max_length=NOTES_MAX)
    is_favorite = models.BooleanField(_("favourite"), default=False)
    labels = models.ManyToManyField(
        "contacts.Label",
        through="contacts.ContactLabel",
        related_name="contacts",
        blank=True,
        verbose_name=_("labels"),
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saved from member"),
        help_text=_("The member this card was saved from, if any."),
    )
    shown_name = models.CharField(_("name as shown"), max_length=SHOWN_NAME_MAX)
    sort_name = models.CharField(_("sort key"), max_length=SHOWN_NAME_MAX)
    # The sort key's telling words, sorted: the Duplicates page groups names
    # by it. That page reads every live contact's key through the owner's
    # index, so it has no index of its own to keep up on every write.
    name_key = models.CharField(
        _("name key"), max_length=SHOWN_NAME_MAX, blank=True, default=""
    )
    search_text = models.TextField(_("search text"), blank=True)
    # Names the contact's current photo (`ContactPhoto`), "" for none; a new
    # photo gets a new key, so its address can be cached for good.
    photo_key = models.CharField(
        _("photo key"), max_length=32, blank=True, default="", editable=False
    )
    creation_token = models.UUIDField(null=True, blank=True, editable=False)
    created = models.DateTimeField(_("added"), default=timezone.now)
    updated = models.DateTimeField(_("updated"), default=timezone.now)
    deleted_at = models.DateTimeField(_("moved to Trash"), null=True, blank=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.CheckConstraint(
                condition=birthday_is_valid_q(), name="contact_birthday_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(shown_name="") & ~models.Q(sort_name=""),
                name="contact_has_a_name",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("notes"), NOTES_MAX),
                name="contact_notes_length",
            ),
            models.UniqueConstraint(
                fields=["owner", "creation_token"],
                condition=models.Q(creation_token__isnull=False),
                name="contact_creation_token_unique",
            ),
            models.UniqueConstraint(
                fields=["owner", "member"],
                condition=models.Q(member__isnull=False),
                name="contact_one_card_per_member",
            ),
        ]
        indexes = [
            # The list in both orders. search_text rides along so a search
            # reads the index alone, never the rows it does not show.
            models.Index(
                fields=["owner", "sort_name", "id", "search_text"],
                condition=models.Q(deleted_at__isnull=True),
                name="contact_owner_by_name_search",
            ),
            models.Index(
                fields=["owner", "-created", "-id", "search_text"],
                condition=models.Q(deleted_at__isnull=True),
                name="contact_owner_by_recent_search",
            ),
            models.Index(
                fields=["owner", "sort_name", "id"],
                condition=models.Q(deleted_at__isnull=True, is_favorite=True),
                name="contact_owner_favorites",
            ),
            models.Index(
                fields=["owner", "-deleted_at", "-id"],
                condition=models.Q(deleted_at__isnull=False),
                name="contact_owner_trash",
            ),
            models.Index(
                fields=["deleted_at"],
                condition=models.Q(deleted_at__isnull=False),
                name="contact_trash_expiry",
            ),
        ]

    def __str__(self):
        return self.shown_name

    def get_absolute_url(self):
        return reverse("contacts:detail", kwargs={"pk": self.pk})

    @property
    def composed_name(self) -> str:
        """The name parts joined: "Dr. Zoë A. Martin Jr.", "李娜" (`whole_name`)."""
        return whole_name(*(getattr(self, part) for part in NAME_PARTS))

    def derive_names(
        self, *, emails: Iterable[str] = (), phones: Iterable[tuple[str, str]] = ()
    ) -> None:
        """Set `shown_name`, `sort_name`, `name_key` and `search_text`.

        `emails` are the contact's addresses, `phones` its (as typed, E.164)
        numbers. The name shown falls back to the nickname, the organization,
        then the first email or phone, so every card has something to show.
        """
        emails, phones = list(emails), list(phones)
        parts = [getattr(self, part) for part in NAME_PARTS]
        shown = (
            self.display_name.strip()
            or self.composed_name
            or self.nickname.strip()
            or self.organization.strip()
            or (emails[0] if emails else "")
            or (phones[0][0] if phones else "")
        )
        self.shown_name = shown[:SHOWN_NAME_MAX]
        self.sort_name = (fold(shown) or shown)[:SHOWN_NAME_MAX]
        self.name_key = name_key(self.sort_name) or self.sort_name
        words = [
            self.display_name,
            *parts,
            self.nickname,
            self.organization,
            self.job_title,
            *emails,
        ]
        for typed, e164 in phones:
            # An E.164 number is "+" and its digits.
            words += (typed, digits(typed), e164[1:])
        text = fold(" ".join([word for word in words if word]))
        if len(text) > SEARCH_TEXT_MAX_BYTES // 4:
            # Bounded so it fits in the list's covering index (names first).
            text = text.encode()[:SEARCH_TEXT_MAX_BYTES].decode(errors="ignore")
        self.search_text = text.strip()

    def avatar_url(self, size: str) -> str:
        """The address of the photo that fits an avatar of `size`, or ""."""
        if not self.photo_key:
            return ""
        return reverse(
            "contacts:photo_file",
            args=[self.pk, self.photo_key, AVATAR_RENDITION.get(size, "large")],
        )

    @property
    def initials(self) -> str:
        words = [word for word in self.shown_name.split() if word[:1].isalpha()]
        if not words:
            return "#"
        if len(words) == 1 or "@" in self.shown_name:
            return words[0][:1].upper()
        return (words[0][:1] + words[-1][:1]).upper()

    @property
    def subtitle(self) -> str:
        """Job title and organization: "Editor · Northwind".

        A company's card, shown by its organization's name, does not repeat it.
        """
        organization = "" if self.organization == self.shown_name else self.organization
        return " · ".join(part for part in (self.job_title, organization) if part)

    @property
    def has_birthday(self) -> bool:
        return self.birthday_day is not None and self.birthday_month is not None

    @property
    def birthday(self) -> datetime.date | None:
        """The birthday as a date; year 4 (a leap year) when the year is unknown."""
        if not self.has_birthday:
            return None
        return datetime.date(
            self.birthday_year or 4, self.birthday_month, self.birthday_day
        )

    @property
    def age(self) -> int | None:
        """Age today in whole years, when the birth year is known."""
        if not self.has_birthday or not self.birthday_year:
            return None
        today = timezone.localdate()
        had_birthday = (today.month, today.day) >= (
            self.birthday_month,
            self.birthday_day,
        )
        age = today.year - self.birthday_year - (0 if had_birthday else 1)
        return age if age >= 0 else None

    @property
    def trash_expires(self) -> datetime.datetime | None:
        """When `purge_contacts_trash` may delete this contact for good."""
        if self.deleted_at is None:
            return None
        return self.deleted_at + datetime.timedelta(
            days=settings.RAPPORT_CONTACTS_TRASH_DAYS
        )


def birthday_error(day: int | None, month: int | None, year: int | None) -> str:
    """Why a birthday is impossible, or "" when it is fine."""
    if day is None and month is None:
        return "" if year is None else str(_("Add the day and month of the birthday."))
    if day is None or month is None:
        return str(_("Give both the day and the month of the birthday."))
    if not 1 <= month <= 12:
        return str(_("Choose a month."))
    longest = calendar.monthrange(year or 4, month)[1]
    if not 1 <= day <= longest:
        if month == 2 and day == 29:
            return str(_("%(year)s was not a leap year.") % {"year": year})
        return str(_("That month has %(days)s days.") % {"days": longest})
    return ""
