"""Updates members post, their comments and likes, and each member's feed.

An update's audience is its author's connections (the default) or the public.
Who may see an update is decided in one place,
`connections.selectors.updates.updates_visible_to`; comments and likes are
seen by exactly those who see the update.

The feed is written on post ("fan-out on write"): each update gets a
`FeedEntry` for its author and for every connection of the author, so a
member's Home reads one range of the (member, created) index whatever the
number of connections. Reads check the policy again on the page's rows, so
an entry left behind by a removed connection or a block never shows.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

UPDATE_MAX_LENGTH = 3000
COMMENT_MAX_LENGTH = 1250


class Audience(models.TextChoices):
    CONNECTIONS = "connections", _("Connections")
    PUBLIC = "public", _("Public")


class Update(models.Model):
    """A plain-text post by `author`, shown to its audience."""

    Audience = Audience

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="updates",
        db_index=False,
        verbose_name=_("author"),
    )
    text = models.TextField(_("text"), max_length=UPDATE_MAX_LENGTH)
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience, default=Audience.CONNECTIONS
    )
    created = models.DateTimeField(_("posted"), default=timezone.now)
    edited = models.DateTimeField(_("edited"), null=True, blank=True)
    # Set by moderation: the update stays in place as "Removed by moderators".
    removed_at = models.DateTimeField(_("removed by moderators"), null=True, blank=True)

    class Meta:
        verbose_name = _("update")
        verbose_name_plural = _("updates")
        constraints = [
            models.CheckConstraint(
                condition=Q(audience__in=Audience.values),
                name="update_audience_valid",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("text"), UPDATE_MAX_LENGTH),
                name="update_text_length",
            ),
        ]
        indexes = [
            # A member's updates on their profile, newest first.
            models.Index(
                fields=["author", "-created", "-id"], name="update_author_idx"
            ),
        ]

    def __str__(self):
        return f"update {self.pk} by {self.author_id}"

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None


class Comment(models.Model):
    """A comment on an update, seen by whoever sees the update."""

    update = models.ForeignKey(
        Update,
        on_delete=models.CASCADE,
        related_name="comments",
        db_index=False,
        verbose_name=_("update"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="update_comments",
        verbose_name=_("author"),
    )
    text = models.TextField(_("text"), max_length=COMMENT_MAX_LENGTH)
    created = models.DateTimeField(_("posted"), default=timezone.now)
    # Set by moderation: the comment stays in place as "Removed by moderators".
    removed_at = models.DateTimeField(_("removed by moderators"), null=True, blank=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        constraints = [
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("text"), COMMENT_MAX_LENGTH),
                name="comment_text_length",
            ),
        ]
        indexes = [
            models.Index(
                fields=["update", "-created", "-id"], name="comment_update_idx"
            ),
        ]

    def __str__(self):
        return f"comment {self.pk} on {self.update_id}"

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None


class Like(models.Model):
    """`member` likes `update`; one per member and update."""

    update = models.ForeignKey(
        Update,
        on_delete=models.CASCADE,
        related_name="likes",
        db_index=False,
        verbose_name=_("update"),
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="update_likes",
        verbose_name=_("member"),
    )
    created = models.DateTimeField(_("liked"), default=timezone.now)

    class Meta:
        verbose_name = _("like")
        verbose_name_plural = _("likes")
        constraints = [
            models.UniqueConstraint(
                fields=["update", "member"], name="like_once_per_member"
            ),
        ]

    def __str__(self):
        return f"{self.member_id} likes {self.update_id}"


class FeedEntry(models.Model):
    """`update` appears on `member`'s Home, dated like the update."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("member"),
    )
    update = models.ForeignKey(
        Update,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("update"),
    )
    created = models.DateTimeField(_("posted"))

    class Meta:
        verbose_name = _("feed entry")
        verbose_name_plural = _("feed entries")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "update"], name="feed_entry_once_per_member"
            ),
        ]
        indexes = [
            # Home, newest first, keyset-paginated on (created, update).
            models.Index(
                fields=["member", "-created", "-update"], name="feed_entry_home_idx"
            ),
        ]

    def __str__(self):
        return f"{self.update_id} in feed of {self.member_id}"
