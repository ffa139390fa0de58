"""Reads and policy about updates: who sees which, the feed, comments.

`updates_visible_to` is the one rule: an update is seen by its author, by
the author's connections, and — when its audience is Public — by everyone,
signed out too; never by anyone blocked either way, and never when the author
no longer appears to others. Comments and likes are seen, and may be added,
by exactly those who see the update. Everything else filters through it.

The updates and comments these functions return carry `shown_author`: their
author as `card_for` shows a member in a list, the fields this viewer may see
and no others. Pages print that, never `author`.
"""

from django.conf import settings
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from connections.models import Comment, Connection, FeedEntry, Like, Update
from connections.selectors.network import is_visible, visible_members
from connections.selectors.paging import Page, keyset_page
from connections.selectors.profiles import VIEW_AS, Relation, card_for


def _signed_in(viewer) -> bool:
    return getattr(viewer, "is_authenticated", False)


def may_see_condition(viewer, ref: str = "") -> Q:
    """A condition on updates (or on `ref`, e.g. "update__"): `viewer` may see it."""
    author = f"{ref}author"
    public = Q(**{f"{ref}audience": Update.Audience.PUBLIC})
    if not _signed_in(viewer):
        return public & Q(Exists(visible_members().filter(pk=OuterRef(author))))
    return Q(Exists(visible_members(viewer=viewer).filter(pk=OuterRef(author)))) & (
        Q(**{author: viewer.pk})
        | public
        | Q(Exists(Connection.objects.filter(member=viewer.pk, other=OuterRef(author))))
    )


def updates_visible_to(*, viewer):
    """Every update `viewer` may see (signed out: the public ones)."""
    return Update.objects.filter(may_see_condition(viewer))


def _with_shown_authors(rows, *, signed_in: bool):
    """Give each update or comment its author as the viewer may see them;
    `rows` have `author__profile` selected."""
    for row in rows:
        row.shown_author = card_for(row.author, signed_in=signed_in)
    return rows


def _count_of(queryset, ref_field: str):
    counted = (
        queryset.order_by().values(ref_field).annotate(n=Count("*")).values("n")[:1]
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _appearing_to(viewer):
    """Members whose comments and likes `viewer` sees: those who appear to
    others and have no block with `viewer` either way."""
    if _signed_in(viewer):
        return visible_members(viewer=viewer)
    return visible_members()


def comments_visible_to(*, viewer):
    """Comments whose author appears to `viewer` (update visibility aside)."""
    authors = _appearing_to(viewer)
    return Comment.objects.filter(Exists(authors.filter(pk=OuterRef("author"))))


def likes_visible_to(*, viewer):
    """Likes by members who appear to `viewer`, as `comments_visible_to`."""
    members = _appearing_to(viewer)
    return Like.objects.filter(Exists(members.filter(pk=OuterRef("member"))))


def with_activity(updates, *, viewer, ref: str = "pk"):
    """Annotate like and comment counts, and whether `viewer` likes each one.

    Both counts leave out what members hidden from `viewer` wrote or liked
    (blocked either way, suspended, closed), the author's own view included.
    """
    annotations = {
        "like_count": _count_of(
            likes_visible_to(viewer=viewer).filter(update=OuterRef(ref)), "update"
        ),
        "comment_count": _count_of(
            comments_visible_to(viewer=viewer).filter(update=OuterRef(ref)),
            "update",
        ),
    }
    if _signed_in(viewer):
        annotations["liked"] = Exists(
            Like.objects.filter(update=OuterRef(ref), member=viewer.pk)
        )
    return updates.annotate(**annotations)


def recount(update: Update, *, viewer) -> Update:
    """Count again what `with_activity` counts for `update` (likes, comments,
    the signed-in viewer's like), after the viewer posted, liked or commented
    it: one query, not the whole update fetched again."""
    counts = (
        with_activity(Update.objects.filter(pk=update.pk), viewer=viewer)
        .values("like_count", "comment_count", "liked")
        .first()
    )
    for name, value in (counts or {}).items():
        setattr(update, name, value)
    return update


def recount_comments(update: Update, *, viewer, first_page: Page | None = None):
    """Count again the comments on `update` that `viewer` sees (the
    `comment_count` of `with_activity`), after they commented, without the
    likes nor the viewer's like. `first_page` is the page of `comments_on`
    read from the top, if the caller has it: when it holds every comment, its
    rows are the count and no query is sent; else one query counts them."""
    if first_page is not None and not first_page.has_more:
        update.comment_count = len(first_page)
    else:
        update.comment_count = (
            comments_visible_to(viewer=viewer).filter(update=update.pk).count()
        )
    return update


def update_for_viewer_or_404(*, viewer, pk, counted: bool = True) -> Update:
    """The update `pk` with its counts if `viewer` may see it, else 404.

    A write that changes the counts reads the update without them
    (`counted=False`) and counts once after it (`recount`).
    """
    updates = updates_visible_to(viewer=viewer).select_related("author__profile")
    if counted:
        updates = with_activity(updates, viewer=viewer)
    update = get_object_or_404(updates, pk=pk)
    _with_shown_authors([update], signed_in=_signed_in(viewer))
    return update


def as_posted(update: Update, *, author) -> Update:
    """A new update as its author sees it on their card, without a query for
    the policy or the counts: its author is signed in, so appears to
    themselves, and `update_post` gave it its counts (none yet). The author's
    profile is read for their name and photo."""
    update.author = author
    _with_shown_authors([update], signed_in=True)
    return update


def own_update_or_404(*, member, pk) -> Update:
    """One of `member`'s own updates (to edit or delete), else 404."""
    return get_object_or_404(
        Update.objects.filter(author=member.pk, removed_at__isnull=True), pk=pk
    )


def _page_updates(entries) -> list[Update]:
    updates = []
    for entry in entries:
        update = entry.update
        for name in ("like_count", "comment_count", "liked"):
            setattr(update, name, getattr(entry, name, False))
        updates.append(update)
    return updates


def feed_for(*, member, cursor: str = "", size: int | None = None) -> Page:
    """Home: updates from `member`'s connections and their own, newest first.

    One query at any number of connections: the member's feed entries are
    read in (member, created) index order, and only the page's rows are
    checked against the policy (still connected, not blocked, author still
    visible) and given their counts.
    """
    size = size or settings.RAPPORT_UPDATES_PAGE_SIZE
    entries = (
        FeedEntry.objects.filter(member=member.pk)
        .filter(
            Q(update__author=member.pk)
            | Q(
                Exists(
                    Connection.objects.filter(
                        member=member.pk, other=OuterRef("update__author")
                    )
                )
            )
        )
        # A block removes the connection, so the check above covers it.
        .filter(is_visible("update__author"))
        .select_related("update__author__profile")
    )
    entries = with_activity(entries, viewer=member, ref="update")
    page = keyset_page(
        entries,
        keys=[("created", True), ("update_id", True)],
        cursor=cursor,
        size=size,
        key_values=lambda entry: (entry.created, entry.update_id),
    )
    page.items = _with_shown_authors(_page_updates(page.items), signed_in=True)
    return page


def updates_by(
    *,
    author,
    viewer,
    cursor: str = "",
    size: int | None = None,
    view_as: str = "",
) -> Page:
    """`author`'s updates that `viewer` may see, newest first (one query).

    `view_as` ("public", "member", "connection", as on the profile) shows
    the author's own updates as those viewers see them: the public and
    members see the Public ones only, and the public sees the author as a
    visitor does.
    """
    size = size or settings.RAPPORT_UPDATES_PAGE_SIZE
    rows = updates_visible_to(viewer=viewer).filter(author=author.pk)
    preview = VIEW_AS.get(view_as) if author.pk == getattr(viewer, "pk", None) else None
    if preview in (Relation.ANONYMOUS, Relation.MEMBER):
        rows = rows.filter(audience=Update.Audience.PUBLIC)
    signed_in = _signed_in(viewer) and preview != Relation.ANONYMOUS
    rows = with_activity(rows.select_related("author__profile"), viewer=viewer)
    page = keyset_page(
        rows,
        keys=[("created", True), ("id", True)],
        cursor=cursor,
        size=size,
        key_values=lambda update: (update.created, update.pk),
    )
    page.items = _with_shown_authors(page.items, signed_in=signed_in)
    return page


def comments_on(*, update, viewer, cursor: str = "", size: int | None = None) -> Page:
    """Comments on `update` (already checked visible to `viewer`), newest first."""
    size = size or settings.RAPPORT_COMMENTS_PAGE_SIZE
    rows = (
        comments_visible_to(viewer=viewer)
        .filter(update=update.pk)
        .select_related("author__profile")
    )
    page = keyset_page(
        rows,
        keys=[("created", True), ("id", True)],
        cursor=cursor,
        size=size,
        key_values=lambda comment: (comment.created, comment.pk),
    )
    page.items = _with_shown_authors(page.items, signed_in=_signed_in(viewer))
    return page
