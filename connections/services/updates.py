"""Writes about updates: post, edit, delete, comment, like, and the feed.

Posting writes the update and an entry in the feed of its author and of each
of the author's connections ("fan-out on write"): at once for up to
RAPPORT_FEED_INLINE_FAN_OUT connections, otherwise by a task queued on commit,
in batches. Comments and likes between connected
members are recorded as interactions for the depth of the connection. Only a
member who may see an update comments on it or likes it: the services ask
again under the locks of both members, which a block or a disconnection takes
too.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from connections.models import Comment, Connection, FeedEntry, Like, Update
from connections.models.updates import COMMENT_MAX_LENGTH, UPDATE_MAX_LENGTH
from connections.selectors.updates import updates_visible_to
from connections.services import depth
from connections.services.network import DOUBLE_SUBMIT_WINDOW, lock_members

FAN_OUT_BATCH = 1000


def _clean_text(text: str, *, limit: int, what: str) -> str:
    # A line break counts once, as the box counted it (browsers send CRLF).
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise ValidationError(_("Write something first."), code="empty")
    if len(text) > limit:
        raise ValidationError(
            _("Keep %(what)s to %(limit)s characters (it has %(length)s).")
            % {"what": what, "limit": f"{limit:,}", "length": f"{len(text):,}"},
            code="too_long",
        )
    return text


def _clean_audience(audience: str) -> str:
    if audience not in Update.Audience.values:
        raise ValidationError(_("Choose Connections or Public."), code="audience")
    return audience


@transaction.atomic
def update_post(
    *, author, text: str, audience: str = Update.Audience.CONNECTIONS
) -> Update:
    """Post an update; a double submit returns the update already posted."""
    from connections import tasks

    text = _clean_text(text, limit=UPDATE_MAX_LENGTH, what=_("an update"))
    audience = _clean_audience(audience)
    lock_members(author)
    now = timezone.now()
    recent = Update.objects.filter(
        author=author,
        text=text,
        audience=audience,
        created__gte=now - DOUBLE_SUBMIT_WINDOW,
    ).first()
    if recent is not None:
        return recent
    update = Update.objects.create(
        author=author, text=text, audience=audience, created=now
    )
    # Nothing likes or comments a new update yet: it comes with the counts
    # `with_activity` would give it, so showing it to its author counts nothing.
    update.like_count = update.comment_count = 0
    update.liked = False
    FeedEntry.objects.create(member=author, update=update, created=now)
    # Most members have a few hundred connections: their feeds are written
    # at once. A large network's are written by a task after the commit.
    degree = Connection.objects.filter(member=author).count()
    if degree <= settings.RAPPORT_FEED_INLINE_FAN_OUT:
        _fan_out(update)
    else:
        transaction.on_commit(lambda: tasks.fan_out_update.enqueue(update.pk))
    return update


def feed_fan_out(*, update_id: int) -> int:
    """Put `update` in the feed of each of its author's connections.

    Runs outside the posting transaction, in batches; running it twice adds
    nothing. Returns how many entries it wrote.
    """
    update = Update.objects.filter(pk=update_id).first()
    if update is None:
        return 0
    return _fan_out(update)


def _fan_out(update: Update) -> int:
    """`feed_fan_out` for an update in hand (posting has it: no need to read
    it again). A batch shorter than a full one is the last: no query asks
    for the empty one after it."""
    members = (
        Connection.objects.filter(member=update.author_id)
        .order_by("other_id")
        .values_list("other_id", flat=True)
    )
    written = 0
    last = 0
    while True:
        batch = list(members.filter(other_id__gt=last)[:FAN_OUT_BATCH])
        if batch:
            FeedEntry.objects.bulk_create(
                [
                    FeedEntry(member_id=member, update=update, created=update.created)
                    for member in batch
                ],
                ignore_conflicts=True,
            )
        written += len(batch)
        if len(batch) < FAN_OUT_BATCH:
            return written
        last = batch[-1]


def feed_backfill(*, member, other) -> int:
    """Two members just connected: each one's latest updates join the other's feed.

    At most RAPPORT_FEED_BACKFILL updates each way, so connecting costs the
    same whatever either member posted; older ones stay on the profile.
    """
    limit = settings.RAPPORT_FEED_BACKFILL
    written = 0
    for reader, author in ((member, other), (other, member)):
        recent = (
            Update.objects.filter(author=author.pk)
            .order_by("-created", "-id")
            .values_list("pk", "created")[:limit]
        )
        entries = [
            FeedEntry(member_id=reader.pk, update_id=pk, created=created)
            for pk, created in recent
        ]
        if entries:
            FeedEntry.objects.bulk_create(entries, ignore_conflicts=True)
            written += len(entries)
    return written


@transaction.atomic
def update_edit(*, update: Update, member, text: str, audience: str) -> Update:
    """Change the text or the audience of one's own update (not once removed
    by moderators).

    An update for connections only does not become Public once others have
    commented on it: they wrote for the author's connections, and their
    words would then be shown to everyone. Narrowing is always allowed.
    """
    text = _clean_text(text, limit=UPDATE_MAX_LENGTH, what=_("an update"))
    audience = _clean_audience(audience)
    locked = Update.objects.select_for_update().filter(pk=update.pk).first()
    if locked is None or locked.author_id != member.pk or locked.is_removed:
        raise ValidationError(_("You can only edit your own updates."), code="owner")
    widened = (
        locked.audience == Update.Audience.CONNECTIONS
        and audience == Update.Audience.PUBLIC
    )
    if (
        widened
        and Comment.objects.filter(update=locked).exclude(author=member).exists()
    ):
        raise ValidationError(
            _(
                "Others have commented for your connections only, so this update "
                "stays with your connections: made Public, their comments would "
                "be shown to everyone. Share a new public update instead."
            ),
            code="audience",
        )
    if locked.text != text or locked.audience != audience:
        locked.text = text
        locked.audience = audience
        locked.edited = timezone.now()
        locked.save(update_fields=["text", "audience", "edited"])
    return locked


@transaction.atomic
def update_delete(*, update: Update, member) -> bool:
    """Delete one's own update with its comments, likes and feed entries (not
    once removed by moderators: it stays as they left it)."""
    locked = Update.objects.select_for_update().filter(pk=update.pk).first()
    if locked is None:
        return False
    if locked.author_id != member.pk or locked.is_removed:
        raise ValidationError(_("You can only delete your own updates."), code="owner")
    deleted, _rows = Update.objects.filter(pk=update.pk).delete()
    return bool(deleted)


def _removed() -> ValidationError:
    return ValidationError(_("This update was removed by moderators."), code="removed")


def _refuse_if_removed(update: Update) -> None:
    if update.is_removed:
        raise _removed()


def _own_row_if_seen(update: Update, *, viewer, own) -> int | None:
    """The pk of the first of `own` (the viewer's rows) on `update`, or None;
    refused when `viewer` may not see the update or moderators removed it.

    The caller holds the locks of the viewer and the author. One query both
    asks the policy and reads the row the write needs (the like to take back,
    the comment sent twice).
    """
    mine = own.filter(update=OuterRef("pk")).order_by("pk").values("pk")[:1]
    found = list(
        updates_visible_to(viewer=viewer)
        .filter(pk=update.pk)
        .values_list("removed_at", Subquery(mine))
    )
    if not found:
        raise ValidationError(
            _("This update is no longer available."), code="unavailable"
        )
    removed_at, row = found[0]
    if removed_at is not None:  # removed since the page read it
        raise _removed()
    return row


@transaction.atomic
def comment_post(*, update: Update, author, text: str) -> Comment:
    """Comment on an update; refused unless the author of the comment may see it.

    A double submit returns the comment already posted. A comment on a
    connection's update deepens the connection.
    """
    _refuse_if_removed(update)
    text = _clean_text(text, limit=COMMENT_MAX_LENGTH, what=_("a comment"))
    lock_members(author, update.author)
    now = timezone.now()
    recent = _own_row_if_seen(
        update,
        viewer=author,
        own=Comment.objects.filter(
            author=author.pk, text=text, created__gte=now - DOUBLE_SUBMIT_WINDOW
        ),
    )
    if recent is not None:
        return Comment.objects.get(pk=recent)
    comment = Comment.objects.create(
        update=update, author=author, text=text, created=now
    )
    if update.author_id != author.pk:
        depth.interaction_record(
            actor=author,
            target=update.author,
            kind="comment",
            source=f"comment:{comment.pk}",
            at=now,
        )
    return comment


@transaction.atomic
def like_toggle(*, update: Update, member, like: bool | None = None) -> bool:
    """Like or unlike an update; returns whether the member likes it. Refused
    unless the member may see it.

    `like` says which way (a form sends it, so a double submit does not undo
    itself); None flips. Taking a like back takes its depth back.
    """
    _refuse_if_removed(update)
    lock_members(member, update.author)
    existing = _own_row_if_seen(
        update, viewer=member, own=Like.objects.filter(member=member.pk)
    )
    if like is None:
        like = existing is None
    if like and existing is None:
        created = Like.objects.create(update=update, member=member)
        if update.author_id != member.pk:
            depth.interaction_record(
                actor=member,
                target=update.author,
                kind="like",
                source=f"like:{update.pk}",
                at=created.created,
            )
    elif not like and existing is not None:
        Like.objects.filter(pk=existing).delete()
        depth.interaction_withdraw(actor=member, source=f"like:{update.pk}")
    return like
