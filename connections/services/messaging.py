"""Writes about messaging: sending a message, reading a conversation.

Sending locks both members (the same locks as blocking and removing a
connection take), then asks the messaging policy again, so a block or a
disconnection that commits a moment earlier wins. Each send carries the
client token of the form it came from: a second request with the same token
returns the message already stored.
"""

import re
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from connections.models import Conversation, ConversationMember, Message
from connections.models.messaging import MESSAGE_MAX_LENGTH
from connections.selectors.network import can_message
from connections.services import depth, limits, network

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def clean_body(body: str) -> str:
    """The message as it will be stored: line endings unified, outer blank space
    trimmed; refused when empty or too long."""
    body = (body or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not body:
        raise ValidationError(_("Write a message before sending."), code="empty")
    if len(body) > MESSAGE_MAX_LENGTH:
        raise ValidationError(
            _(
                "Keep the message to %(max)s characters; this one has %(count)s. "
                "Split it in two."
            )
            % {"max": f"{MESSAGE_MAX_LENGTH:,}", "count": f"{len(body):,}"},
            code="too_long",
        )
    return body


def rate_refusal(sender, now=None) -> ValidationError | None:
    """Count one send in the shared cache; a refusal past the per-minute limit.

    The count is kept per member and per clock minute, so a refusal says how
    many seconds remain until sending works again.
    """
    limit = settings.RAPPORT_MESSAGES_PER_MINUTE
    wait = limits.spend(
        member_id=sender.pk,
        action="message",
        limit=limit,
        window=limits.MINUTE,
        now=now,
    )
    if not wait:
        return None
    return ValidationError(
        ngettext(
            "You can send %(limit)d messages a minute. Wait %(wait)d second, then "
            "send again: your message is still here.",
            "You can send %(limit)d messages a minute. Wait %(wait)d seconds, then "
            "send again: your message is still here.",
            wait,
        )
        % {"limit": limit, "wait": wait},
        code="rate_limit",
    )


def _refuse_not_allowed(recipient):
    raise ValidationError(
        _(
            "You can't send messages to %(name)s: only members who are connected "
            "can message each other."
        )
        % {"name": recipient.display_name},
        code="not_allowed",
    )


def _conversation_for(sender, recipient, now) -> Conversation:
    """The pair's conversation, created with both sides on first use."""
    low, high = sorted((sender.pk, recipient.pk))
    conversation, created = Conversation.objects.get_or_create(
        member_low_id=low, member_high_id=high, defaults={"created": now}
    )
    if created:
        ConversationMember.objects.bulk_create(
            [
                ConversationMember(
                    conversation=conversation,
                    member_id=sender.pk,
                    other_id=recipient.pk,
                    last_activity=now,
                ),
                ConversationMember(
                    conversation=conversation,
                    member_id=recipient.pk,
                    other_id=sender.pk,
                    last_activity=now,
                ),
            ]
        )
    return conversation


@transaction.atomic
def message_send(*, sender, recipient, body: str, client_token: str) -> Message:
    """Send `recipient` a message; returns it (the stored one for a repeat).

    Refused, with a message a member can read, when the body is empty or too
    long, the form's token is missing, the policy says no (checked again under
    the members' locks) or the sender passed the per-minute limit.
    """
    from connections import tasks

    body = clean_body(body)
    if not TOKEN_PATTERN.match(client_token or ""):
        raise ValidationError(
            _("This form has expired. Reload the page and send again."),
            code="token",
        )
    if sender.pk == recipient.pk:
        raise ValidationError(_("You can't message yourself."), code="self")
    network.lock_members(sender, recipient)
    existing = Message.objects.filter(sender=sender, client_token=client_token).first()
    if existing is not None:
        return existing
    if not can_message(sender=sender, recipient=recipient):
        _refuse_not_allowed(recipient)
    now = timezone.now()
    refusal = rate_refusal(sender, now)
    if refusal is not None:
        raise refusal
    conversation = _conversation_for(sender, recipient, now)
    try:
        with transaction.atomic():
            message = Message.objects.create(
                conversation=conversation,
                sender=sender,
                body=body,
                created=now,
                client_token=client_token,
            )
    except IntegrityError:
        # Only reachable if the locks were bypassed: the same request twice.
        return Message.objects.get(sender=sender, client_token=client_token)
    Conversation.objects.filter(pk=conversation.pk).update(last_message=message)
    sides = ConversationMember.objects.filter(conversation=conversation)
    sides.filter(member=sender).update(
        last_activity=now, last_read_id=message.pk, unread_count=0
    )
    sides.filter(member=recipient).update(
        last_activity=now, unread_count=F("unread_count") + 1
    )
    side_id = sides.filter(member=recipient).values_list("pk", flat=True).get()
    transaction.on_commit(lambda: tasks.notify_unread_messages(side_id))
    depth.interaction_record(
        actor=sender,
        target=recipient,
        kind="message",
        source=f"message:{message.pk}",
        at=now,
    )
    return message


def conversation_mark_read(*, side: ConversationMember, up_to: int) -> int:
    """The member read their conversation up to message `up_to`.

    One statement (its own transaction), without locks: the unread count
    drops by the other side's messages between what was read before and
    `up_to`, so a message that arrives meanwhile stays unread. Returns the
    rows changed (0 or 1).
    """
    read_now = (
        Message.objects.filter(
            conversation=OuterRef("conversation"),
            sender=OuterRef("other"),
            id__gt=OuterRef("last_read_id"),
            id__lte=up_to,
        )
        .order_by()
        .values("conversation")
        .annotate(n=Count("*"))
        .values("n")[:1]
    )
    return ConversationMember.objects.filter(pk=side.pk, last_read_id__lt=up_to).update(
        last_read_id=up_to,
        unread_count=Greatest(F("unread_count") - Coalesce(Subquery(read_now), 0), 0),
    )


@transaction.atomic
def conversation_email_claim(*, side_id: int, now=None) -> ConversationMember | None:
    """Claim the right to email a member about a conversation, at most once in
    `RAPPORT_MESSAGES_EMAIL_EVERY_MINUTES`; the side, or None if not due."""
    now = now or timezone.now()
    since = now - timedelta(minutes=settings.RAPPORT_MESSAGES_EMAIL_EVERY_MINUTES)
    claimed = (
        ConversationMember.objects.filter(pk=side_id, unread_count__gt=0)
        .exclude(notified__gte=since)
        .update(notified=now)
    )
    if not claimed:
        return None
    return (
        ConversationMember.objects.select_related("member", "other")
        .filter(pk=side_id)
        .first()
    )


@transaction.atomic
def message_remove(*, message: Message, staff_member) -> Message:
    """Staff remove a message: it stays (reports point at it) but shows as
    "Message removed by moderators" to both members. Removing twice keeps the
    first removal."""
    Message.objects.filter(pk=message.pk, removed_at__isnull=True).update(
        removed_at=timezone.now(), removed_by=staff_member
    )
    return Message.objects.get(pk=message.pk)
