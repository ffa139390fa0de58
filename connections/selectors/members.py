"""Reads about members."""

from collections.abc import Iterable

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef

from connections.selectors.network import visible_members


def members_findable_by_emails(
    *, emails: Iterable[str], viewer=None
) -> dict[str, "object"]:
    """Map each given address to the active member it belongs to, if findable.

    Only verified addresses of members who allow being found by email count,
    and, for a `viewer`, only members who appear to them (no block either
    way). One query, whatever the number of addresses. The keys are lowercased.
    """
    wanted = {email.strip().lower() for email in emails if email and email.strip()}
    if not wanted:
        return {}
    User = get_user_model()
    rows = (
        EmailAddress.objects.filter(
            email__in=wanted,
            verified=True,
            user__findable_by_email=True,
        )
        .filter(Exists(visible_members(viewer=viewer).filter(pk=OuterRef("user_id"))))
        .select_related("user")
        .only(
            "email", "user__id", "user__handle", "user__display_name", "user__headline"
        )
    )
    found: dict[str, User] = {}
    for row in rows:
        found[row.email.lower()] = row.user
    return found


def member_findable_emails(*, member) -> list[str]:
    """The verified addresses others may find `member` by; none if they opted out.

    Lowercased. Used to recognise a member among the cards of an address book
    without revealing the addresses to anyone.
    """
    if not member.is_active or member.is_suspended or not member.findable_by_email:
        return []
    emails = EmailAddress.objects.filter(user=member, verified=True).values_list(
        "email", flat=True
    )
    return sorted({email.lower() for email in emails})
