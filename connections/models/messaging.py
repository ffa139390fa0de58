"""Messaging: conversations between two members and their messages (DESIGN.md §7).

A conversation is one per unordered pair (`member_low` < `member_high`, a
database constraint). Each side has its own `ConversationMember` row, the
member's view of the conversation: where it sits in their inbox, how many
messages they have not read, up to which message they read, when they were
last emailed about it. Messages are plain text; a message moderators removed
keeps its row (reports point at it) but shows as removed.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThan, LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MESSAGE_MAX_LENGTH = 8000


class Conversation(models.Model):
    """The messages between two members; `member_low` has the smaller id."""

    member_low = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("member"),
    )
    member_high = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("other member"),
    )
    created = models.DateTimeField(_("started"), default=timezone.now)
    last_message = models.ForeignKey(
        "Message",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last message"),
    )

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        constraints = [
            models.UniqueConstraint(
                fields=["member_low", "member_high"], name="conversation_one_per_pair"
            ),
            models.CheckConstraint(
                condition=Q(member_low__lt=F("member_high")),
                name="conversation_pair_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.member_low_id} ✉ {self.member_high_id}"


class ConversationMember(models.Model):
    """One member's side of a conversation: their inbox row and read state."""

    conversation = models.ForeignKey(
        Conversation,
        on_delete=models.CASCADE,
        related_name="sides",
        verbose_name=_("conversation"),
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="conversation_sides",
        db_index=False,
        verbose_name=_("member"),
    )
    other = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("with"),
    )
    last_activity = models.DateTimeField(_("last message at"), default=timezone.now)
    unread_count = models.PositiveIntegerField(_("unread messages"), default=0)
    # The id of the newest message this member has seen (0: none).
    last_read_id = models.BigIntegerField(_("read up to message"), default=0)
    notified = models.DateTimeField(_("last emailed about"), null=True, blank=True)

    class Meta:
        verbose_name = _("conversation member")
        verbose_name_plural = _("conversation members")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "other"], name="conversation_member_unique_pair"
            ),
            models.UniqueConstraint(
                fields=["conversation", "member"], name="conversation_member_unique"
            ),
            models.CheckConstraint(
                condition=~Q(member=F("other")), name="conversation_member_not_self"
            ),
        ]
        indexes = [
            # The inbox, most recent first, keyset-paginated.
            models.Index(
                fields=["member", "-last_activity", "-id"],
                name="conversation_inbox_idx",
            ),
            # The unread badge reads only conversations with something unread.
            models.Index(
                fields=["member", "unread_count"],
                condition=Q(unread_count__gt=0),
                name="conversation_unread_idx",
            ),
        ]

    def __str__(self):
        return f"{self.member_id} ✉ {self.other_id}"


class Message(models.Model):
    """A message from `sender` in a conversation; plain text.

    `client_token` comes from the form that sent it: a double submit or a
    retried request finds the message already stored. Moderators remove a
    message by setting `removed_at` (and `removed_by`); it then shows as
    "Message removed by moderators".
    """

    conversation = models.ForeignKey(
        Conversation,
        on_delete=models.CASCADE,
        related_name="messages",
        db_index=False,
        verbose_name=_("conversation"),
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("sender"),
    )
    body = models.TextField(_("message"), max_length=MESSAGE_MAX_LENGTH)
    created = models.DateTimeField(_("sent"), default=timezone.now)
    client_token = models.CharField(max_length=64, editable=False)
    removed_at = models.DateTimeField(_("removed by moderators on"), null=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("removed by"),
    )

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(
                fields=["sender", "client_token"], name="message_one_per_token"
            ),
            models.CheckConstraint(
                condition=GreaterThan(Length("body"), 0)
                & LessThanOrEqual(Length("body"), MESSAGE_MAX_LENGTH),
                name="message_body_length",
            ),
            models.CheckConstraint(
                condition=~Q(client_token=""), name="message_token_set"
            ),
        ]
        indexes = [
            # A thread, newest first, keyset-paginated by id; the poll's
            # "anything newer?" is one seek in it.
            models.Index(fields=["conversation", "-id"], name="message_thread_idx"),
            # Messages between two members in a time window, per direction
            # (how close two members are, rate and abuse checks).
            models.Index(
                fields=["conversation", "sender", "created"],
                name="message_direction_idx",
            ),
        ]

    def __str__(self):
        return f"message {self.pk} from {self.sender_id}"

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None
