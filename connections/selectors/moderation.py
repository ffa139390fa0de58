"""Reads and policy about moderation: who may moderate, reports, abuse signals."""

from dataclasses import dataclass
from datetime import timedelta

from allauth.account.authentication import get_authentication_records
from django.contrib.auth import get_user_model
from django.db.models import Count, IntegerField, Max, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from connections.models import ConnectionRequest, Report, Sanction, SendingPause
from connections.selectors.paging import Page, keyset_page

MODERATE_PERMISSION = "connections.moderate"
REPORTS_PAGE_SIZE = 50

# The abuse view: what counts as "many" within its window.
ABUSE_WINDOW_DAYS = 30
ABUSE_UNKNOWN_ANSWERS_MIN = 5
ABUSE_OPEN_REPORTS_MIN = 3
ABUSE_SIGNUP_BURST_MIN = 5
ABUSE_SIGNUP_BURST_HOURS = 24
ABUSE_ROWS = 50


def can_moderate(user) -> bool:
    """Whether `user` may work the moderation queue and sanction members."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_staff
        and user.has_perm(MODERATE_PERMISSION)
    )


def session_used_two_factor(request) -> bool:
    """Whether this session passed a second factor (at sign-in or since).

    allauth records every authentication step in the session; the "mfa" step
    is there only after a TOTP or recovery code was accepted.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return any(
        record.get("method") == "mfa"
        for record in get_authentication_records(request, user)
    )


def open_report_count(ref: str = "member"):
    """An annotation on reports: other open reports about the same member."""
    others = (
        Report.objects.open()
        .filter(member=OuterRef(ref))
        .exclude(pk=OuterRef("pk"))
        .order_by()
        .values("member")
        .annotate(n=Count("*"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(others, output_field=IntegerField()), 0)


def reports_made(*, member, cursor: str = "", size: int = REPORTS_PAGE_SIZE) -> Page:
    """The reports `member` made, newest first, with whom they were about.

    Never says which staff member resolved them.
    """
    rows = (
        Report.objects.filter(reporter=member)
        .select_related("member")
        .defer("resolved_by")
    )
    return keyset_page(
        rows,
        keys=[("created", True), ("id", True)],
        cursor=cursor,
        size=size,
        key_values=lambda row: (row.created, row.pk),
    )


def unseen_warnings(*, member) -> list[Sanction]:
    return list(
        Sanction.objects.filter(
            member=member, kind=Sanction.Kind.WARNING, seen__isnull=True
        ).order_by("created", "pk")
    )


def current_suspension(*, member) -> Sanction | None:
    now = timezone.now()
    return (
        Sanction.objects.filter(
            member=member, kind=Sanction.Kind.SUSPENSION, lifted__isnull=True
        )
        .filter(Q(ends__isnull=True) | Q(ends__gt=now))
        .order_by("-created")
        .first()
    )


# ---------------------------------------------------------------------------
# The abuse view.


@dataclass(frozen=True)
class AbuseSignals:
    unknown_answers: list  # members, each with `unknown_answers` and `ignored`
    reported: list  # members, each with `open_reports`
    signup_bursts: list[dict]  # {"ip", "count", "first", "last"}
    pauses: list[SendingPause]
    since: object


def abuse_signals(*, now=None) -> AbuseSignals:
    """Members whose invitations are often refused, who are often reported,
    addresses many sign-ups came from in a day, and active invitation pauses.

    A fixed number of queries, each reading an index range of the window.
    """
    User = get_user_model()
    now = now or timezone.now()
    since = now - timedelta(days=ABUSE_WINDOW_DAYS)
    refused = (
        ConnectionRequest.objects.filter(
            responded__gte=since,
            status__in=[
                ConnectionRequest.Status.IGNORED,
                ConnectionRequest.Status.DECLINED_UNKNOWN,
            ],
        )
        .values("sender")
        .annotate(
            unknown=Count(
                "pk", filter=Q(status=ConnectionRequest.Status.DECLINED_UNKNOWN)
            ),
            ignored=Count("pk", filter=Q(status=ConnectionRequest.Status.IGNORED)),
        )
        .filter(Q(unknown__gte=ABUSE_UNKNOWN_ANSWERS_MIN) | Q(ignored__gte=20))
        .order_by("-unknown", "-ignored")[:ABUSE_ROWS]
    )
    refused = {row["sender"]: row for row in refused}
    reported = (
        Report.objects.open()
        .values("member")
        .annotate(n=Count("*"))
        .filter(n__gte=ABUSE_OPEN_REPORTS_MIN)
        .order_by("-n")[:ABUSE_ROWS]
    )
    reported = {row["member"]: row["n"] for row in reported}
    members = User.objects.in_bulk(set(refused) | set(reported))
    unknown_answers = []
    for pk, row in refused.items():
        if pk in members:
            person = members[pk]
            unknown_answers.append(
                (person, row["unknown"], row["ignored"]),
            )
    reported_members = [
        (members[pk], count) for pk, count in reported.items() if pk in members
    ]
    burst_since = now - timedelta(hours=ABUSE_SIGNUP_BURST_HOURS)
    bursts = list(
        User.objects.filter(date_joined__gte=burst_since, signup_ip__isnull=False)
        .values("signup_ip")
        .annotate(
            count=Count("*"),
            first=Min("date_joined"),
            last=Max("date_joined"),
        )
        .filter(count__gte=ABUSE_SIGNUP_BURST_MIN)
        .order_by("-count")[:ABUSE_ROWS]
    )
    pauses = list(
        SendingPause.objects.active(now)
        .select_related("member")
        .order_by("-created", "-pk")[:ABUSE_ROWS]
    )
    return AbuseSignals(
        unknown_answers=unknown_answers,
        reported=reported_members,
        signup_bursts=bursts,
        pauses=pauses,
        since=since,
    )


# ---------------------------------------------------------------------------
# What a member may report: only what they can see, never their own.


def reportable_message_or_404(*, viewer, handle: str, message_id: int):
    """A message the other member of `viewer`'s thread with `handle` sent."""
    from connections.models import Message
    from connections.selectors.messaging import thread_with

    thread = thread_with(viewer=viewer, handle=handle)
    if thread is None or thread.conversation_id is None:
        raise Http404
    return get_object_or_404(
        Message.objects.filter(
            conversation_id=thread.conversation_id, removed_at__isnull=True
        )
        .exclude(sender=viewer.pk)
        .select_related("sender"),
        pk=message_id,
    )


def open_member_report(*, reporter, handle: str) -> Report | None:
    """The open report `reporter` made about the member `handle`, if any: a
    second submission answers as the first even once "Also block" hid them."""
    return (
        Report.objects.open()
        .filter(
            reporter=reporter,
            subject=Report.Subject.MEMBER,
            member__handle=handle.lower(),
        )
        .select_related("member")
        .first()
    )


def reportable_update_or_404(*, viewer, pk: int):
    from connections.selectors.updates import updates_visible_to

    return get_object_or_404(
        updates_visible_to(viewer=viewer)
        .filter(removed_at__isnull=True)
        .exclude(author=viewer.pk)
        .select_related("author"),
        pk=pk,
    )


def reportable_comment_or_404(*, viewer, update_pk: int, pk: int):
    from connections.selectors.updates import comments_visible_to, updates_visible_to

    return get_object_or_404(
        comments_visible_to(viewer=viewer)
        .filter(
            update__in=updates_visible_to(viewer=viewer).filter(
                removed_at__isnull=True
            ),
            update_id=update_pk,
            removed_at__isnull=True,
        )
        .exclude(author=viewer.pk)
        .select_related("author"),
        pk=pk,
    )


@dataclass(frozen=True)
class NeutralMember:
    """Stands in for a suspended member where their past messages still show:
    a neutral name and no photo, headline or profile link."""

    pk: int
    handle: str
    display_name: str
    headline: str = ""
    initials: str = "?"
    is_suspended: bool = True

    def get_short_name(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("connections:thread", args=[self.handle])


def shown_member(member):
    """`member`, or a neutral stand-in while they are suspended."""
    from django.utils.translation import gettext

    if not getattr(member, "is_suspended", False):
        return member
    return NeutralMember(
        pk=member.pk, handle=member.handle, display_name=gettext("Suspended member")
    )
