"""Profiles: what a member tells about themselves, and who may see each part.

A member's name, headline and handle live on `User`; everything else, and
the audience of every field, lives on `Profile` (created on the first save,
defaults until then). Which fields a viewer may see is decided in one place:
`connections.selectors.profiles.profile_for`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

ABOUT_MAX_LENGTH = 2600
WORK_DESCRIPTION_MAX_LENGTH = 1000
WORK_ENTRIES_MAX = 20
EMAILS_SHOWN_MAX = 5


class Audience(models.TextChoices):
    """Who may see a field, from the widest to the narrowest."""

    PUBLIC = "public", _("Public")
    MEMBERS = "members", _("Members")
    CONNECTIONS = "connections", _("Connections")
    ONLY_ME = "only_me", _("Only me")


# Name and headline are how members recognise each other in invitations,
# search, lists and messages: members always see them, the member decides
# whether signed-out visitors do.
NAME_AUDIENCES = (Audience.PUBLIC, Audience.MEMBERS)

# Every field that has an audience, with its default (DESIGN.md §6).
DEFAULT_AUDIENCES = {
    "name": Audience.PUBLIC,
    "headline": Audience.PUBLIC,
    "photo": Audience.PUBLIC,
    "location": Audience.MEMBERS,
    "about": Audience.MEMBERS,
    "work": Audience.MEMBERS,
    "emails": Audience.CONNECTIONS,
    "phone": Audience.CONNECTIONS,
    "birthday": Audience.CONNECTIONS,
    "website": Audience.CONNECTIONS,
    "connections": Audience.CONNECTIONS,
}


def audience_field(field: str) -> models.CharField:
    return models.CharField(
        max_length=12,
        choices=Audience.choices,
        default=DEFAULT_AUDIENCES[field],
    )


def _audience_check(field: str, allowed) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}_audience__in": [str(value) for value in allowed]}),
        name=f"profile_{field}_audience_valid",
    )


class Profile(models.Model):
    """The parts of a member's profile beyond name and headline, with audiences."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="profile",
    )
    # A random key naming the stored photo files (one per size); never a name
    # the browser sent.
    photo_key = models.CharField(max_length=40, blank=True)
    location = models.CharField(_("location"), max_length=100, blank=True)
    about = models.TextField(_("about"), max_length=ABOUT_MAX_LENGTH, blank=True)
    website = models.URLField(_("website"), max_length=200, blank=True)
    emails = models.JSONField(_("emails to show"), default=list, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    birthday_day = models.PositiveSmallIntegerField(null=True, blank=True)
    birthday_month = models.PositiveSmallIntegerField(null=True, blank=True)
    birthday_year = models.PositiveSmallIntegerField(null=True, blank=True)

    name_audience = audience_field("name")
    headline_audience = audience_field("headline")
    photo_audience = audience_field("photo")
    location_audience = audience_field("location")
    about_audience = audience_field("about")
    work_audience = audience_field("work")
    emails_audience = audience_field("emails")
    phone_audience = audience_field("phone")
    birthday_audience = audience_field("birthday")
    website_audience = audience_field("website")
    connections_audience = audience_field("connections")

    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        constraints = [
            _audience_check("name", NAME_AUDIENCES),
            _audience_check("headline", NAME_AUDIENCES),
            *(
                _audience_check(field, Audience.values)
                for field in DEFAULT_AUDIENCES
                if field not in ("name", "headline")
            ),
            models.CheckConstraint(
                condition=Q(birthday_month__isnull=True)
                | Q(birthday_month__gte=1, birthday_month__lte=12),
                name="profile_birthday_month_valid",
            ),
            models.CheckConstraint(
                condition=Q(birthday_day__isnull=True)
                | Q(birthday_day__gte=1, birthday_day__lte=31),
                name="profile_birthday_day_valid",
            ),
        ]

    def __str__(self):
        return f"Profile of {self.member_id}"

    def audience(self, field: str) -> str:
        return getattr(self, f"{field}_audience")


class WorkEntry(models.Model):
    """One position in a member's work history."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="work_entries",
    )
    organization = models.CharField(_("organization"), max_length=100)
    title = models.CharField(_("title"), max_length=100, blank=True)
    started = models.DateField(_("from"), null=True, blank=True)
    ended = models.DateField(_("to"), null=True, blank=True)
    description = models.TextField(
        _("description"), max_length=WORK_DESCRIPTION_MAX_LENGTH, blank=True
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("work history entry")
        verbose_name_plural = _("work history entries")
        constraints = [
            models.CheckConstraint(
                condition=Q(started__isnull=True)
                | Q(ended__isnull=True)
                | Q(ended__gte=models.F("started")),
                name="work_entry_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(organization=""), name="work_entry_organization_set"
            ),
        ]
        indexes = [models.Index(fields=["member", "started"])]

    def __str__(self):
        return f"{self.title} at {self.organization}".strip()


class RetiredHandle(models.Model):
    """A handle a member gave up: it redirects to them for a while, never reused."""

    handle = models.CharField(max_length=30, primary_key=True)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="retired_handles",
    )
    retired = models.DateTimeField()

    class Meta:
        verbose_name = _("former handle")
        verbose_name_plural = _("former handles")

    def __str__(self):
        return self.handle


class MemberSearchTerm(models.Model):
    """A word that finds a member in member search.

    Only fields every member may see are indexed (name, handle, headline), so
    a search can never find a member by something the searcher may not see.
    Each folded word (its first SEARCH_TERM_MAX characters) is a row; a search
    reads, for each word typed, the range of the (term, member) index holding
    the words that start with it (the column sorts byte by byte: binary on
    SQLite, "C" on PostgreSQL, see migration 0009).
    """

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
    )
    term = models.CharField(max_length=20)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["term", "member"], name="member_search_term_unique"
            ),
        ]
        indexes = [models.Index(fields=["member"], name="member_search_member_idx")]

    def __str__(self):
        return self.term
