"""What a viewer may see of a member's profile: the one place that decides.

`member_for_profile_or_404` finds the member a viewer may look at (blocked
either way, unknown, deactivated or suspended: 404; moderators still see
suspended members) with everything the decision needs in one query.
`profile_for` turns that member
into a `ProfileView` holding only the fields the viewer may see. The profile
page, its htmx fragments, "View as", the vCard, "Save to contacts" and the
public connections list all go through these two functions.
"""

import datetime
import enum
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, F, OuterRef
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from connections.models import Connection, Profile, RetiredHandle, WorkEntry
from connections.models.profiles import DEFAULT_AUDIENCES, Audience
from connections.photos import avatar_photo_url
from connections.selectors.moderation import can_moderate
from connections.selectors.network import (
    RELATIONSHIP_FIELDS,
    Relationship,
    is_visible,
    mutual_count,
    relationship_annotations,
    relationship_of,
    visible_members,
)
from connections.selectors.paging import Page, keyset_page


class Relation(enum.StrEnum):
    """The viewer's relation to a member, as far as visibility is concerned."""

    ANONYMOUS = "anonymous"
    MEMBER = "member"
    PENDING = "pending"
    CONNECTION = "connection"
    SELF = "self"


# The audiences each relation sees.
SEES = {
    Relation.ANONYMOUS: {Audience.PUBLIC},
    Relation.MEMBER: {Audience.PUBLIC, Audience.MEMBERS},
    Relation.PENDING: {Audience.PUBLIC, Audience.MEMBERS},
    Relation.CONNECTION: {Audience.PUBLIC, Audience.MEMBERS, Audience.CONNECTIONS},
    Relation.SELF: set(Audience),
}

# "View as" choices on one's own profile, and the relation each previews.
VIEW_AS = {
    "public": Relation.ANONYMOUS,
    "member": Relation.MEMBER,
    "connection": Relation.CONNECTION,
}
VIEW_AS_LABELS = {
    "public": _("The public"),
    "member": _("A member"),
    "connection": _("A connection"),
}

FIELDS = tuple(DEFAULT_AUDIENCES)


@dataclass(frozen=True)
class WorkItem:
    organization: str
    title: str
    started: datetime.date | None
    ended: datetime.date | None
    description: str

    @property
    def period(self) -> str:
        end = date_format(self.ended, "M Y") if self.ended else ""
        if self.started:
            return f"{date_format(self.started, 'M Y')} – {end or _('Present')}"
        return end


@dataclass(frozen=True)
class Birthday:
    day: int
    month: int
    year: int | None = None

    def __str__(self):
        shown = datetime.date(self.year or 2000, self.month, self.day)
        return date_format(shown, "j F Y" if self.year else "j F")

    @property
    def iso(self) -> str:
        if self.year:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        return f"--{self.month:02d}-{self.day:02d}"


class ShownMember:
    """The member as the viewer may see them: pk, handle, name, photo.

    Stands in for the `User` in templates so a hidden value is never within
    reach of the template context.
    """

    def __init__(self, *, pk, handle, display_name, headline, photo_key):
        self.pk = self.id = pk
        self.handle = handle
        self.display_name = display_name
        self.headline = headline
        self._photo_key = photo_key

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("connections:profile", kwargs={"handle": self.handle})

    def avatar_url(self, size: str = "md") -> str:
        return avatar_photo_url(self._photo_key, size)

    @property
    def initials(self) -> str:
        parts = [part for part in self.display_name.split() if part[:1].isalnum()]
        if not parts:
            return self.handle[:1].upper() or "?"
        if len(parts) == 1:
            return parts[0][:1].upper()
        return (parts[0][:1] + parts[-1][:1]).upper()

    def __str__(self):
        return self.display_name


@dataclass
class ProfileView:
    """The part of a profile one viewer may see, and why.

    A field that is hidden from the viewer is empty here (""/None/[]), and
    its name is missing from `shown`.
    """

    member: ShownMember
    relation: Relation
    relationship: Relationship
    shown: frozenset[str]
    name_shown: bool = False
    headline: str = ""
    photo_key: str = ""
    location: str = ""
    about: str = ""
    work: list[WorkItem] = field(default_factory=list)
    website: str = ""
    emails: list[str] = field(default_factory=list)
    phone: str = ""
    birthday: Birthday | None = None
    connections_list: bool = False
    mutual_count: int | None = None
    preview: str = ""
    is_staff_view: bool = False
    # Only on one's own profile (not in a preview): each field's audience.
    audiences: dict[str, str] = field(default_factory=dict)

    @property
    def about_paragraphs(self) -> list[str]:
        text = self.about.replace("\r\n", "\n")
        return [part.strip() for part in text.split("\n\n") if part.strip()]

    @property
    def has_details(self) -> bool:
        return bool(
            self.location
            or self.website
            or self.emails
            or self.phone
            or self.birthday
            or self.connections_list
        )

    @property
    def is_self(self) -> bool:
        return self.relation == Relation.SELF and not self.preview


def member_for_profile_or_404(*, viewer, handle: str):
    """The member at `handle` whom `viewer` may look at, else Http404.

    Blocked either way, unknown, deactivated and suspended members all get
    the same 404; moderators still see suspended members. One query brings
    the member, their profile, the relationship and the mutual count.
    """
    signed_in = getattr(viewer, "is_authenticated", False)
    members = visible_members(
        viewer=viewer,
        include_suspended=bool(signed_in and viewer.is_staff and can_moderate(viewer)),
    ).select_related("profile")
    if signed_in:
        members = members.annotate(
            mutual_count=mutual_count(viewer=viewer),
            **relationship_annotations(viewer),
        )
    member = members.filter(handle=(handle or "").lower()[:30]).first()
    if member is None:
        raise Http404
    return member


def retired_handle_target(handle: str):
    """The member a recently retired `handle` still leads to, or None."""
    since = timezone.now() - timedelta(days=settings.RAPPORT_HANDLE_REDIRECT_DAYS)
    row = (
        RetiredHandle.objects.filter(handle=(handle or "").lower()[:30])
        .filter(retired__gte=since)
        .select_related("member")
        .first()
    )
    return row.member if row else None


def relationship_from(member, viewer) -> Relationship:
    """The relationship read from `member_for_profile_or_404`'s annotations."""
    if not getattr(viewer, "is_authenticated", False):
        return Relationship(Relationship.ANONYMOUS)
    if member.pk == viewer.pk:
        return Relationship(Relationship.SELF)
    return relationship_of(
        {name: getattr(member, name) for name in RELATIONSHIP_FIELDS}
    )


def relation_of(relationship: Relationship) -> Relation:
    return {
        Relationship.ANONYMOUS: Relation.ANONYMOUS,
        Relationship.SELF: Relation.SELF,
        Relationship.CONNECTED: Relation.CONNECTION,
        Relationship.INCOMING: Relation.PENDING,
        Relationship.OUTGOING: Relation.PENDING,
    }.get(relationship.state, Relation.MEMBER)


def profile_of(member) -> Profile:
    """The member's profile row, or an unsaved one with the defaults."""
    try:
        return member.profile
    except Profile.DoesNotExist:
        return Profile(member=member)


def profile_for(
    *, viewer, member, view_as: str = "", work: dict | None = None
) -> ProfileView:
    """What `viewer` may see of `member`'s profile.

    `member` comes from `member_for_profile_or_404` (or is any member with the
    relationship annotations). `view_as` ("public", "member", "connection")
    lets a member preview their own profile as those viewers see it; it is
    ignored on anyone else's profile. Costs one query, for the work history,
    and only when the viewer may see it; none when `work` brings the work
    histories of many members already (`work_histories()`).
    """
    relationship = relationship_from(member, viewer)
    relation = relation_of(relationship)
    preview = ""
    if relation == Relation.SELF and view_as in VIEW_AS:
        preview = view_as
        relation = VIEW_AS[view_as]
    profile = profile_of(member)
    sees = SEES[relation]
    shown = frozenset(name for name in FIELDS if profile.audience(name) in sees)
    # Members see every member's name and headline (the model allows only
    # Public or Members for those two).
    name_shown = "name" in shown
    headline = member.headline if "headline" in shown else ""
    photo_key = profile.photo_key if "photo" in shown else ""
    view = ProfileView(
        member=ShownMember(
            pk=member.pk,
            handle=member.handle,
            display_name=member.display_name if name_shown else f"@{member.handle}",
            headline=headline,
            photo_key=photo_key,
        ),
        relation=relation,
        relationship=relationship,
        shown=shown,
        name_shown=name_shown,
        headline=headline,
        photo_key=photo_key,
        preview=preview,
        is_staff_view=bool(
            getattr(viewer, "is_staff", False) and relation != Relation.SELF
        ),
    )
    if relation not in (Relation.ANONYMOUS, Relation.SELF) and not preview:
        view.mutual_count = getattr(member, "mutual_count", None)
    if relation == Relation.SELF and not preview:
        view.audiences = {name: profile.audience(name) for name in FIELDS}
    if "location" in shown:
        view.location = profile.location
    if "about" in shown:
        view.about = profile.about
    if "website" in shown:
        view.website = profile.website
    if "emails" in shown:
        view.emails = list(profile.emails or [])
    if "phone" in shown:
        view.phone = profile.phone
    if "birthday" in shown and profile.birthday_day and profile.birthday_month:
        view.birthday = Birthday(
            profile.birthday_day, profile.birthday_month, profile.birthday_year
        )
    if "connections" in shown:
        view.connections_list = True
    # Work entries are only added once the profile row exists.
    if "work" in shown and not profile._state.adding:
        if work is None:
            view.work = work_history(member=member)
        else:
            view.work = work.get(member.pk, [])
    return view


WORK_SHOWN = 50
# Current positions first, then the latest.
_WORK_ORDER = (
    F("ended").desc(nulls_first=True),
    F("started").desc(nulls_last=True),
    "-pk",
)


def _work_item(row) -> WorkItem:
    return WorkItem(
        organization=row.organization,
        title=row.title,
        started=row.started,
        ended=row.ended,
        description=row.description,
    )


def work_history(*, member) -> list[WorkItem]:
    """The member's work history, current and latest first (one query)."""
    rows = WorkEntry.objects.filter(member=member).order_by(*_WORK_ORDER)
    return [_work_item(row) for row in rows[:WORK_SHOWN]]


def work_histories(member_ids) -> dict[int, list[WorkItem]]:
    """The work histories of many members, as `work_history` gives each (one
    query); only for `profile_for`, which decides whether they are shown."""
    rows = WorkEntry.objects.filter(member_id__in=member_ids).order_by(
        "member_id", *_WORK_ORDER
    )
    histories: dict[int, list[WorkItem]] = {}
    for row in rows:
        history = histories.setdefault(row.member_id, [])
        if len(history) < WORK_SHOWN:
            history.append(_work_item(row))
    return histories


def connection_profiles(*, viewer, chunk: int = 500):
    """What `viewer` may see of each of their connections, for an export.

    Each through `profile_for`, as on their profile pages, so a field a
    connection shows no one, or only to members, is not there; members who
    do not appear to others are left out. Read in chunks of `chunk`
    connections, in the order of the index on (member, other), three queries
    a chunk (the connections, the members among them with their profiles and
    relationship, their work histories), so memory and each query stay small
    whatever the number of connections or of members.
    """
    members = (
        visible_members(viewer=viewer)
        .select_related("profile")
        .annotate(**relationship_annotations(viewer))
    )
    last = 0
    while True:
        ids = list(
            Connection.objects.filter(member=viewer, other_id__gt=last)
            .order_by("other_id")
            .values_list("other_id", flat=True)[:chunk]
        )
        if not ids:
            return
        page = sorted(members.filter(pk__in=ids), key=lambda member: member.pk)
        work = work_histories([member.pk for member in page]) if page else {}
        for member in page:
            yield profile_for(viewer=viewer, member=member, work=work)
        if len(ids) < chunk:
            return
        last = ids[-1]


def connection_count(*, member) -> int:
    """How many of the member's connections appear to others (one query,
    along the index of their connections)."""
    return Connection.objects.filter(member=member).filter(is_visible("other")).count()


def public_connections(*, viewer, member, cursor: str = "", size: int = 50) -> Page:
    """A page of `member`'s connections, for a viewer allowed to see the list.

    Newest first, read in the (member, created) index order; members hidden
    from the viewer (deactivated, blocked either way) are left out.
    """
    rows = Connection.objects.filter(member=member).filter(
        Exists(visible_members(viewer=viewer).filter(pk=OuterRef("other")))
    )
    page = keyset_page(
        rows.select_related("other", "other__profile"),
        keys=[("created", True), ("id", True)],
        cursor=cursor,
        size=size,
        key_values=lambda row: (row.created, row.pk),
    )
    signed_in = getattr(viewer, "is_authenticated", False)
    page.items = [card_for(row.other, signed_in=signed_in) for row in page.items]
    return page


def card_for(member, *, signed_in: bool) -> ShownMember:
    """A member as a row of a list shows them to anyone who may see the list.

    Lists don't know each row's relationship to the viewer, so they show
    only what every viewer of their kind may see: Public fields to visitors,
    Public and Members fields to members. `member` has its profile selected.
    """
    profile = profile_of(member)
    sees = SEES[Relation.MEMBER if signed_in else Relation.ANONYMOUS]
    return ShownMember(
        pk=member.pk,
        handle=member.handle,
        display_name=(
            member.display_name
            if profile.name_audience in sees
            else f"@{member.handle}"
        ),
        headline=member.headline if profile.headline_audience in sees else "",
        photo_key=profile.photo_key if profile.photo_audience in sees else "",
    )
