"""Reads about messaging: the inbox, a thread, what changed since the last poll.

Who may send is decided by `connections.selectors.network.may_message` (the
one policy, also behind `can_message`); who may read a conversation is
decided here, once, by `thread_with`: its two members, except one the other
blocked or who no longer appears to others. Everyone else gets None (404).
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection as db_connection
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from connections.models import Block, Connection, ConversationMember, Message
from connections.selectors.moderation import shown_member
from connections.selectors.network import (
    is_present,
    may_message,
    unread_messages_count,
)
from connections.selectors.paging import Page, keyset_page

PAGE_SIZE = settings.RAPPORT_MESSAGES_PAGE_SIZE


def _other_read_id():
    """Annotation on a member's side: up to which message the other side read."""
    return Coalesce(
        Subquery(
            ConversationMember.objects.filter(
                conversation=OuterRef("conversation"), member=OuterRef("other")
            ).values("last_read_id")[:1]
        ),
        0,
    )


def _side_annotations(viewer, *, reading_only: bool = False) -> dict:
    annotations = {
        "other_visible": is_present("other"),
        "blocked_by_other": Exists(
            Block.objects.filter(blocker=OuterRef("other"), blocked=viewer.pk)
        ),
        "blocked_by_viewer": Exists(
            Block.objects.filter(blocker=viewer.pk, blocked=OuterRef("other"))
        ),
        "other_read_id": _other_read_id(),
    }
    if not reading_only:
        annotations["can_send"] = ExpressionWrapper(
            may_message(sender=viewer, ref="other"), output_field=BooleanField()
        )
    return annotations


@dataclass
class Thread:
    """The viewer's conversation with `other`, as a thread page shows it."""

    viewer: object
    other: object
    side: ConversationMember | None  # None until the first message
    can_send: bool
    other_read_id: int = 0
    blocked_by_viewer: bool = False

    @property
    def conversation_id(self) -> int | None:
        return self.side.conversation_id if self.side is not None else None


def thread_with(*, viewer, handle: str, reading_only: bool = False) -> Thread | None:
    """The viewer's conversation with the member `handle`, or None (→ 404).

    One query for an existing conversation. Without one, the thread exists
    only if the viewer may message that member (one more query).
    `reading_only` (earlier messages) leaves out whether the viewer may send,
    which costs most of the query's making; `can_send` is then False.
    """
    if not getattr(viewer, "is_authenticated", False):
        return None
    side = (
        ConversationMember.objects.filter(member=viewer, other__handle=handle)
        .select_related("other")
        .annotate(**_side_annotations(viewer, reading_only=reading_only))
        .first()
    )
    if side is not None:
        if side.blocked_by_other or not side.other_visible:
            return None
        return Thread(
            viewer=viewer,
            other=shown_member(side.other),
            side=side,
            can_send=getattr(side, "can_send", False),
            other_read_id=side.other_read_id,
            blocked_by_viewer=side.blocked_by_viewer,
        )
    other = (
        get_user_model()
        .objects.filter(handle=handle)
        .exclude(pk=viewer.pk)
        .filter(may_message(sender=viewer))
        .first()
    )
    if other is None:
        return None
    return Thread(viewer=viewer, other=other, side=None, can_send=True)


def thread_messages(*, thread: Thread, before: str = "", size: int = PAGE_SIZE) -> Page:
    """A page of the thread's messages, oldest first, ending before `before`.

    Read newest first along the (conversation, id) index, so the first page
    and one 40,000 messages back cost the same. `next_cursor` loads the
    earlier page.
    """
    if thread.conversation_id is None:
        return Page(items=[])
    page = keyset_page(
        Message.objects.filter(conversation_id=thread.conversation_id),
        keys=[("id", True)],
        cursor=before,
        size=size,
        key_values=lambda message: (message.pk,),
    )
    page.items.reverse()
    return page


def local_day(moment) -> date:
    return timezone.localtime(moment).date()


@dataclass(frozen=True)
class ThreadItem:
    """A row of a thread: a day separator or a message."""

    kind: str  # "day" or "message"
    day: date
    message: Message | None = None


def thread_items(messages, *, previous_day: date | None = None, next_day=None):
    """Messages (oldest first) with a separator before each new day.

    `previous_day` is the day of the message shown just above (none: start
    with a separator). `next_day` is the day of the message shown just below
    when these are earlier messages loaded above others: that message's
    separator is then repeated at the end if the days differ, so the page
    reads right once the old top separator is replaced.
    """
    items, current = [], previous_day
    for message in messages:
        day = local_day(message.created)
        if day != current:
            items.append(ThreadItem("day", day))
            current = day
        items.append(ThreadItem("message", day, message))
    if next_day is not None and current != next_day:
        items.append(ThreadItem("day", next_day))
    return items


def seen_message_id(*, thread: Thread, messages) -> int | None:
    """The viewer's latest message on screen the other side has read, if it is
    the last message (a reply says more than "seen")."""
    if not messages:
        return None
    last = messages[-1]
    if last.sender_id == thread.viewer.pk and thread.other_read_id >= last.pk:
        return last.pk
    return None


def inbox(*, member, query: str = "", cursor: str = "", size: int = PAGE_SIZE) -> Page:
    """The member's conversations, most recent first; `query` matches names.

    One query per page whatever the number of conversations: the inbox index
    is read in order, with the other member and the last message joined.
    Conversations with a member who blocked this one, or who no longer
    appears to others, are left out.
    """
    rows = (
        ConversationMember.objects.filter(member=member)
        .filter(is_present("other"))
        .exclude(
            Exists(Block.objects.filter(blocker=OuterRef("other"), blocked=member.pk))
        )
        .select_related("other", "conversation__last_message")
    )
    for word in query.split()[:5]:
        rows = rows.filter(Q(other__display_name__icontains=word))
    page = keyset_page(
        rows,
        keys=[("last_activity", True), ("id", True)],
        cursor=cursor,
        size=size,
        key_values=lambda side: (side.last_activity, side.pk),
    )
    for side in page.items:
        # A suspended member shows under a neutral name.
        side.shown_other = shown_member(side.other)
    return page


@dataclass(frozen=True)
class PollState:
    """What an open thread needs to know to decide whether anything changed."""

    conversation_id: int
    newest_id: int
    other_read_id: int
    # Connected and no block either way: when this differs from what the page
    # shows, the poll asks the policy (`thread_with`) again.
    open_hint: bool


def thread_poll_state(*, viewer, handle: str) -> PollState | None:
    """The state of the viewer's conversation with `handle`: one indexed query.

    Written in SQL because the poll runs every few seconds on every open
    thread and building the same query with the ORM costs several times the
    query itself. It reads the member's side (by the pair's unique index), the
    newest message (the thread index), how far the other side read, and
    whether the pair is still connected without a block; it decides nothing:
    a change makes the view ask the policy again. None without a conversation.
    """
    tables = {
        "side": ConversationMember._meta.db_table,
        "member": get_user_model()._meta.db_table,
        "message": Message._meta.db_table,
        "connection": Connection._meta.db_table,
        "block": Block._meta.db_table,
    }
    sql = """
        SELECT s.conversation_id,
            COALESCE((SELECT m.id FROM {message} m
                      WHERE m.conversation_id = s.conversation_id
                      ORDER BY m.id DESC LIMIT 1), 0),
            COALESCE((SELECT o.last_read_id FROM {side} o
                      WHERE o.conversation_id = s.conversation_id
                        AND o.member_id = s.other_id), 0),
            EXISTS(SELECT 1 FROM {connection} c
                   WHERE c.member_id = %(viewer)s AND c.other_id = s.other_id),
            EXISTS(SELECT 1 FROM {block} b
                   WHERE b.blocker_id = %(viewer)s AND b.blocked_id = s.other_id)
            OR EXISTS(SELECT 1 FROM {block} b
                      WHERE b.blocker_id = s.other_id AND b.blocked_id = %(viewer)s)
        FROM {side} s INNER JOIN {member} u ON u.id = s.other_id
        WHERE s.member_id = %(viewer)s AND u.handle = %(handle)s
    """.format(**tables)  # noqa: S608 - table names from the models, values as parameters
    with db_connection.cursor() as cursor:
        cursor.execute(sql, {"viewer": viewer.pk, "handle": handle})
        row = cursor.fetchone()
    if row is None:
        return None
    conversation_id, newest_id, other_read_id, connected, blocked = row
    return PollState(
        conversation_id=conversation_id,
        newest_id=newest_id,
        other_read_id=other_read_id,
        open_hint=bool(connected) and not blocked,
    )


def unread_total(*, member) -> int:
    """The member's unread messages, as the navigation badge counts them: one
    query, lighter than all the badges (the badge's own poll uses it)."""
    cached = getattr(member, "_nav_badge_counts", None)
    if cached is not None:
        return cached["messages"]
    return (
        get_user_model()
        .objects.filter(pk=member.pk)
        .annotate(n=unread_messages_count(ref="pk"))
        .values_list("n", flat=True)
        .first()
    ) or 0


NEW_MESSAGES_MAX = 200


def messages_after(*, conversation_id: int, after: int) -> list:
    """Messages newer than `after`, oldest first (at most NEW_MESSAGES_MAX)."""
    return list(
        Message.objects.filter(conversation_id=conversation_id, id__gt=after).order_by(
            "id"
        )[:NEW_MESSAGES_MAX]
    )
