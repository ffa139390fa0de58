"""Writes about profiles: fields and audiences, photo, work history, handle."""

import secrets
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from connections.models import (
    MemberSearchTerm,
    Profile,
    RetiredHandle,
    WorkEntry,
)
from connections.models.profiles import (
    DEFAULT_AUDIENCES,
    EMAILS_SHOWN_MAX,
    NAME_AUDIENCES,
    WORK_ENTRIES_MAX,
    Audience,
)
from connections.photos import (
    PHOTO_SIZES,
    photo_path,
    photo_renditions,
    read_photo,
)
from connections.search import search_terms
from connections.services.network import lock_members
from connections.services.updates import DOUBLE_SUBMIT_WINDOW


@dataclass
class ProfileData:
    """Everything the profile form edits, as the member typed it (cleaned)."""

    display_name: str
    headline: str = ""
    location: str = ""
    about: str = ""
    website: str = ""
    emails: list[str] = field(default_factory=list)
    phone: str = ""
    birthday_day: int | None = None
    birthday_month: int | None = None
    birthday_year: int | None = None
    findable_by_email: bool = True
    audiences: dict[str, str] = field(default_factory=dict)


def _locked_profile(member) -> tuple:
    """The member's row and profile row, locked (the profile made if missing)."""
    locked = lock_members(member)[member.pk]
    profile, _created = Profile.objects.select_for_update().get_or_create(member=locked)
    return locked, profile


def member_search_terms_refresh(*, member) -> None:
    """Index `member` for member search under their name, handle and headline.

    Only these three are indexed: every member may see them, so a search
    never finds anyone by a field the searcher may not see.
    """
    wanted = search_terms(member.display_name, member.handle, member.headline)
    with transaction.atomic():
        MemberSearchTerm.objects.filter(member=member).exclude(term__in=wanted).delete()
        have = set(
            MemberSearchTerm.objects.filter(member=member).values_list(
                "term", flat=True
            )
        )
        MemberSearchTerm.objects.bulk_create(
            [MemberSearchTerm(member=member, term=term) for term in wanted - have],
            ignore_conflicts=True,
        )


def _check_audiences(audiences: dict[str, str]) -> dict[str, str]:
    cleaned = {}
    for name, default in DEFAULT_AUDIENCES.items():
        value = audiences.get(name, default)
        allowed = NAME_AUDIENCES if name in ("name", "headline") else Audience.values
        if value not in allowed:
            raise ValidationError(_("Choose who may see this field."), code="audience")
        cleaned[name] = value
    return cleaned


def _verified_emails(member) -> set[str]:
    return {
        address.lower()
        for address in EmailAddress.objects.filter(
            user=member, verified=True
        ).values_list("email", flat=True)
    }


@transaction.atomic
def profile_update(*, member, data: ProfileData) -> Profile:
    """Save the member's profile fields, their audiences and search words.

    Emails shown must be verified addresses of the member.
    """
    locked, profile = _locked_profile(member)
    audiences = _check_audiences(data.audiences)
    emails = []
    for email in data.emails:
        email = email.strip().lower()
        if email and email not in emails:
            emails.append(email)
    if len(emails) > EMAILS_SHOWN_MAX:
        raise ValidationError(
            {"emails": _("Show at most %(n)d addresses.") % {"n": EMAILS_SHOWN_MAX}}
        )
    if emails and not set(emails) <= _verified_emails(locked):
        raise ValidationError(
            {"emails": _("Only your verified addresses can be shown.")}
        )
    locked.display_name = data.display_name.strip()
    locked.headline = data.headline.strip()
    locked.findable_by_email = data.findable_by_email
    locked.full_clean(exclude=["password", "email", "handle"])
    locked.save(update_fields=["display_name", "headline", "findable_by_email"])
    profile.location = data.location.strip()
    profile.about = data.about.strip()
    profile.website = data.website.strip()
    profile.emails = emails
    profile.phone = data.phone.strip()
    profile.birthday_day = data.birthday_day
    profile.birthday_month = data.birthday_month
    profile.birthday_year = data.birthday_year
    for name, value in audiences.items():
        setattr(profile, f"{name}_audience", value)
    profile.full_clean(exclude=["member"])
    profile.save()
    member.display_name = locked.display_name
    member.headline = locked.headline
    member.findable_by_email = locked.findable_by_email
    member_search_terms_refresh(member=locked)
    return profile


@transaction.atomic
def profile_emails_prune(*, member) -> None:
    """Take off the member's profile the addresses that are no longer theirs
    and verified, as `profile_update` would refuse them now.

    Called whenever one of the member's email addresses is deleted or saved
    (an email change, the Emails page, the admin), so that an address the
    member gave up never stays on their profile, vCard or "Save to contacts".
    Under the member's lock, as `profile_update` checks the addresses under
    it. Makes no profile: a closed account's is gone before its addresses.
    """
    locked = lock_members(member).get(member.pk)
    if locked is None:
        return
    profile = Profile.objects.select_for_update().filter(member=locked).first()
    if profile is None or not profile.emails:
        return
    verified = _verified_emails(locked)
    kept = [email for email in profile.emails if email in verified]
    if kept != profile.emails:
        profile.emails = kept
        profile.save(update_fields=["emails", "updated"])


def delete_photo_files(key: str) -> None:
    for size in PHOTO_SIZES:
        default_storage.delete(photo_path(key, size))


def profile_photo_set(*, member, upload) -> Profile:
    """Replace the member's photo with the picture in `upload`.

    The picture is checked and resized before the transaction; the files of
    the previous photo are deleted once the new one is committed.
    """
    image = read_photo(upload)
    renditions = photo_renditions(image, PHOTO_SIZES)
    key = secrets.token_hex(16)
    for size, data in renditions.items():
        default_storage.save(photo_path(key, size), ContentFile(data))
    try:
        with transaction.atomic():
            _locked, profile = _locked_profile(member)
            previous = profile.photo_key
            profile.photo_key = key
            profile.save(update_fields=["photo_key", "updated"])
            if previous:
                transaction.on_commit(lambda: delete_photo_files(previous))
    except Exception:
        delete_photo_files(key)
        raise
    return profile


@transaction.atomic
def profile_photo_remove(*, member) -> Profile:
    """Take the member's photo off their profile and delete its files."""
    _locked, profile = _locked_profile(member)
    previous = profile.photo_key
    if previous:
        profile.photo_key = ""
        profile.save(update_fields=["photo_key", "updated"])
        transaction.on_commit(lambda: delete_photo_files(previous))
    return profile


@transaction.atomic
def work_entry_add(
    *,
    member,
    organization: str,
    title: str = "",
    started=None,
    ended=None,
    description: str = "",
) -> WorkEntry:
    """Add a position to the member's work history (at most WORK_ENTRIES_MAX).

    The same position sent again within DOUBLE_SUBMIT_WINDOW (a double click,
    as for updates) returns the one added, under the member's lock so that two
    at once add one.
    """
    _locked_profile(member)
    fields = {
        "organization": organization.strip(),
        "title": title.strip(),
        "started": started,
        "ended": ended,
        "description": description.strip(),
    }
    repeated = (
        WorkEntry.objects.filter(
            member=member,
            created__gte=timezone.now() - DOUBLE_SUBMIT_WINDOW,
            **fields,
        )
        .order_by("-pk")
        .first()
    )
    if repeated is not None:
        return repeated
    if WorkEntry.objects.filter(member=member).count() >= WORK_ENTRIES_MAX:
        raise ValidationError(
            _("Your work history holds at most %(n)d positions.")
            % {"n": WORK_ENTRIES_MAX},
            code="work_limit",
        )
    if started and ended and ended < started:
        raise ValidationError(
            {"ended": _("The end comes before the start.")}, code="work_dates"
        )
    entry = WorkEntry(member=member, **fields)
    entry.full_clean(exclude=["member"])
    entry.save()
    return entry


@transaction.atomic
def work_entry_remove(*, member, entry_id: int) -> bool:
    """Remove one of the member's positions; False if it was already gone."""
    deleted, _rows = WorkEntry.objects.filter(member=member, pk=entry_id).delete()
    return bool(deleted)


def handle_taken(handle: str, *, member=None) -> bool:
    """Whether `handle` belongs to another member, now or formerly."""
    from django.contrib.auth import get_user_model

    others = get_user_model().objects.filter(handle=handle)
    retired = RetiredHandle.objects.filter(handle=handle)
    if member is not None:
        others = others.exclude(pk=member.pk)
        retired = retired.exclude(member=member)
    return others.exists() or retired.exists()


@transaction.atomic
def member_handle_change(*, member, handle: str):
    """Give the member a new handle; the old one redirects and is never reused.

    A member may take back one of their own former handles. Two members
    taking the same handle at once both pass the check; the unique constraint
    refuses the second, who is told the handle is taken, as by the check.
    """
    taken = ValidationError(
        {"handle": _("This handle is taken. Try another one.")}, code="taken"
    )
    locked = lock_members(member)[member.pk]
    handle = handle.strip().lower()
    if handle == locked.handle:
        return locked
    if handle_taken(handle, member=locked):
        raise taken
    previous = locked.handle
    locked.handle = handle
    # Uniqueness is `handle_taken`'s and the constraint's, with their message.
    locked.full_clean(exclude=["password", "email"], validate_unique=False)
    try:
        with transaction.atomic():
            RetiredHandle.objects.filter(handle=handle, member=locked).delete()
            RetiredHandle.objects.update_or_create(
                handle=previous, defaults={"member": locked, "retired": timezone.now()}
            )
            locked.save(update_fields=["handle"])
    except IntegrityError:
        raise taken from None
    member.handle = handle
    member_search_terms_refresh(member=locked)
    return locked
