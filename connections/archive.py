"""Settings › Your data: everything a member keeps on Rapport, in one ZIP file.

The archive is streamed as it is written: each entry is compressed with a
data descriptor after it (a ZIP file needs no seeking for that), and each
part reads its rows in chunks, so memory stays flat whatever the network,
the conversations or the address book hold. Other apps add their parts with
`register_part` (`contacts` adds the address book), as `connections` never
imports them.

Only what the member may see goes in: their own profile and account (former
handles too), whether two-factor sign-in is on and the browsers signed in
(never a secret, a recovery code or a session key), their connections,
invitations (by email too), blocks, updates, comments and likes, what
they did towards each connection (never what others did towards them), the
reports they made and the warnings they were given, and the conversations
they can read (the same rule as the inbox: not with a member
who blocked them or who no longer has an account; a suspended member under
the neutral name).
"""

import csv
import datetime
import io
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from connections import devices
from connections.csv_cells import neutralise
from connections.models import (
    Block,
    Comment,
    Connection,
    ConnectionRequest,
    ConversationMember,
    EmailInvitation,
    Interaction,
    Like,
    Message,
    NotificationSettings,
    Profile,
    Report,
    RetiredHandle,
    Sanction,
    Update,
    WorkEntry,
)
from connections.photos import photo_path
from connections.selectors.moderation import shown_member
from connections.selectors.network import is_present, is_visible
from connections.selectors.sessions import signed_in_sessions
from connections.services import limits

ROWS_PER_CHUNK = 500
FLUSH_BYTES = 256 * 1024
FOLDER = "rapport-data"

# (file name, what it holds, member -> the file's bytes in pieces)
Part = tuple[str, str, Callable[..., Iterable[bytes]]]
_EXTRA_PARTS: list[Part] = []


def register_part(name: str, description: str, writer: Callable) -> None:
    """Add a file to every archive: `writer(member, base_url)` yields its bytes
    (nothing at all leaves the file out)."""
    if all(part[0] != name for part in _EXTRA_PARTS):
        _EXTRA_PARTS.append((name, description, writer))


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def csv_rows(header: Iterable[str], rows: Iterable[Iterable]) -> Iterator[bytes]:
    """RFC 4180 lines in UTF-8, every cell neutralised, a chunk of rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(list(header))
    for count, row in enumerate(rows, 1):
        writer.writerow([neutralise(_cell(value)) for value in row])
        if count % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


# ---------------------------------------------------------------------------
# The parts about the member's account and network.


def _profile_json(member, base_url: str) -> Iterator[bytes]:
    from allauth.account.models import EmailAddress

    profile = Profile.objects.filter(member=member).first()
    notifications = NotificationSettings.objects.filter(member=member).first()
    data = {
        "account": {
            "name": member.display_name,
            "handle": member.handle,
            "profile": base_url + member.get_absolute_url(),
            "headline": member.headline,
            "sign_in_email": member.email,
            "joined": _cell(member.date_joined),
            "members_who_have_my_email_may_find_me": member.findable_by_email,
            "former_handles": [
                {
                    "handle": handle,
                    "given_up": _cell(retired),
                    "leads_to_my_profile_until": _cell(
                        retired
                        + datetime.timedelta(days=settings.RAPPORT_HANDLE_REDIRECT_DAYS)
                    ),
                }
                for handle, retired in RetiredHandle.objects.filter(member=member)
                .order_by("retired", "handle")
                .values_list("handle", "retired")
            ],
        },
        "email_addresses": [
            {"address": row.email, "verified": row.verified, "primary": row.primary}
            for row in EmailAddress.objects.filter(user=member).order_by("pk")
        ],
        "profile": None,
        "work": [
            {
                "organization": entry.organization,
                "title": entry.title,
                "from": _cell(entry.started),
                "to": _cell(entry.ended),
                "description": entry.description,
            }
            for entry in WorkEntry.objects.filter(member=member).order_by("pk")
        ],
        "email_notifications": {
            name: getattr(notifications, name)
            if notifications
            else NotificationSettings._meta.get_field(name).default
            for name in ("invitation_received", "invitation_accepted", "message_unread")
        },
    }
    if profile is not None:
        data["profile"] = {
            "photo": "photo.jpg" if profile.photo_key else None,
            "location": profile.location,
            "about": profile.about,
            "website": profile.website,
            "emails_shown": profile.emails,
            "phone": profile.phone,
            "birthday": {
                "day": profile.birthday_day,
                "month": profile.birthday_month,
                "year": profile.birthday_year,
            },
            "audiences": {
                field.name.removesuffix("_audience"): getattr(profile, field.name)
                for field in Profile._meta.fields
                if field.name.endswith("_audience")
            },
        }
    yield json.dumps(data, ensure_ascii=False, indent=2).encode() + b"\n"


def _security_json(member, base_url: str) -> Iterator[bytes]:
    """Whether two-factor sign-in is on and the browsers signed in, as Settings
    › Two-factor authentication and › Sessions show them: never a secret or a
    recovery code, which are not even read, nor a session key, read only to
    leave out a session that no longer signs the member in."""
    from allauth.mfa.models import Authenticator
    from allauth.usersessions import app_settings as sessions_settings

    factors = dict(
        Authenticator.objects.filter(user=member).values_list("type", "created_at")
    )
    totp = factors.get(Authenticator.Type.TOTP)
    browsers = []
    for session in signed_in_sessions(member):
        browser = {
            "browser": devices.describe(session.user_agent),
            "browser_says": session.user_agent,
            "ip_address": session.ip,
            "signed_in": _cell(session.created_at),
        }
        if sessions_settings.TRACK_ACTIVITY:
            browser["last_active"] = _cell(session.last_seen_at)
        browsers.append(browser)
    data = {
        "two_factor_authentication": {
            "on": totp is not None,
            "on_since": _cell(totp),
            "recovery_codes_made": Authenticator.Type.RECOVERY_CODES in factors,
        },
        "signed_in_browsers": browsers,
    }
    yield json.dumps(data, ensure_ascii=False, indent=2).encode() + b"\n"


def _photo(member, base_url: str) -> Iterator[bytes]:
    key = Profile.objects.filter(member=member).values_list("photo_key", flat=True)
    key = key.first()
    if key and default_storage.exists(photo_path(key, "xl")):
        with default_storage.open(photo_path(key, "xl")) as stored:
            yield stored.read()


def _connections(member, base_url: str) -> Iterator[bytes]:
    rows = (
        Connection.objects.filter(member=member)
        .filter(is_visible("other"))
        .select_related("other")
        .order_by("created", "pk")
        .iterator(chunk_size=ROWS_PER_CHUNK)
    )
    return csv_rows(
        (
            "Name",
            "Handle",
            "Profile",
            "Connected on",
            "Kind",
            "Your note",
            "Keep in touch every (weeks)",
        ),
        (
            (
                row.other.display_name,
                row.other.handle,
                base_url + row.other.get_absolute_url(),
                row.created,
                row.get_kind_display() if row.kind else "",
                row.note,
                row.keep_in_touch_weeks,
            )
            for row in rows
        ),
    )


def _status_as_sent(invitation) -> str:
    """The status as its sender may know it: "I don't know" reads as ignored.

    Ignore and "I don't know this person" are both quiet: the sender is never
    told which of the two the recipient chose.
    """
    if invitation.status == ConnectionRequest.Status.DECLINED_UNKNOWN:
        return ConnectionRequest.Status.IGNORED.label
    return invitation.get_status_display()


def _invitations(member, base_url: str) -> Iterator[bytes]:
    sent = ConnectionRequest.objects.filter(sender=member).select_related("recipient")
    received = ConnectionRequest.objects.filter(recipient=member).select_related(
        "sender"
    )

    def rows():
        for direction, other_field, status, queryset in (
            (_("sent"), "recipient", _status_as_sent, sent),
            (_("received"), "sender", ConnectionRequest.get_status_display, received),
        ):
            for row in queryset.order_by("created", "pk").iterator(
                chunk_size=ROWS_PER_CHUNK
            ):
                other = shown_member(getattr(row, other_field))
                yield (
                    direction,
                    other.display_name,
                    other.handle,
                    status(row),
                    row.get_how_we_met_display() if row.how_we_met else "",
                    row.note,
                    row.created,
                    row.responded,
                )

    return csv_rows(
        (
            "Direction",
            "Name",
            "Handle",
            "Status",
            "How we know each other",
            "Note",
            "Sent on",
            "Answered on",
        ),
        rows(),
    )


def _email_invitations(member, base_url: str) -> Iterator[bytes]:
    rows = (
        EmailInvitation.objects.filter(inviter=member)
        .order_by("created", "pk")
        .iterator(chunk_size=ROWS_PER_CHUNK)
    )
    return csv_rows(
        ("Email", "Name", "Note", "Status", "Sent on", "Valid until", "Used on"),
        (
            (
                row.email,
                row.name,
                row.note,
                row.get_status_display(),
                row.created,
                row.expires,
                row.used,
            )
            for row in rows
        ),
    )


def _blocked(member, base_url: str) -> Iterator[bytes]:
    rows = (
        Block.objects.filter(blocker=member)
        .select_related("blocked")
        .order_by("created", "pk")
        .iterator(chunk_size=ROWS_PER_CHUNK)
    )
    return csv_rows(
        ("Name", "Handle", "Blocked on"),
        ((row.blocked.display_name, row.blocked.handle, row.created) for row in rows),
    )


def _messages(member, base_url: str) -> Iterator[bytes]:
    readable = (
        ConversationMember.objects.filter(member=member)
        .filter(is_present("other"))
        .exclude(
            Exists(Block.objects.filter(blocker=OuterRef("other"), blocked=member.pk))
        )
    )
    others = {
        side.conversation_id: shown_member(side.other)
        for side in readable.select_related("other")
    }
    removed = _("[Message removed by moderators]")
    rows = (
        Message.objects.filter(conversation__in=readable.values("conversation"))
        .order_by("conversation_id", "pk")
        .values_list("conversation_id", "sender_id", "created", "body", "removed_at")
        .iterator(chunk_size=2000)
    )

    def lines():
        for conversation_id, sender_id, created, body, removed_at in rows:
            other = others[conversation_id]
            sender = member if sender_id == member.pk else other
            yield (
                other.display_name,
                other.handle,
                sender.display_name,
                created,
                removed if removed_at else body,
            )

    return csv_rows(
        ("Conversation with", "Handle", "From", "Sent at", "Message"), lines()
    )


def _updates(member, base_url: str) -> Iterator[bytes]:
    rows = (
        Update.objects.filter(author=member)
        .order_by("created", "pk")
        .iterator(chunk_size=ROWS_PER_CHUNK)
    )
    return csv_rows(
        ("Posted on", "Edited on", "Audience", "Removed by moderators on", "Text"),
        (
            (
                row.created,
                row.edited,
                row.get_audience_display(),
                row.removed_at,
                row.text,
            )
            for row in rows
        ),
    )


def _comments(member, base_url: str) -> Iterator[bytes]:
    from django.urls import reverse

    rows = (
        Comment.objects.filter(author=member)
        .order_by("created", "pk")
        .values_list("update_id", "created", "removed_at", "text")
        .iterator(chunk_size=ROWS_PER_CHUNK)
    )
    return csv_rows(
        ("On the update", "Posted on", "Removed by moderators on", "Text"),
        (
            (
                base_url + reverse("connections:update", args=[update_id]),
                created,
                removed_at,
                text,
            )
            for update_id, created, removed_at, text in rows
        ),
    )


def _likes(member, base_url: str) -> Iterator[bytes]:
    from django.urls import reverse

    rows = (
        Like.objects.filter(member=member)
        .order_by("created", "pk")
        .values_list("update_id", "created")
        .iterator(chunk_size=ROWS_PER_CHUNK)
    )
    return csv_rows(
        ("The update", "Liked on"),
        (
            (base_url + reverse("connections:update", args=[update_id]), created)
            for update_id, created in rows
        ),
    )


def _interactions(member, base_url: str) -> Iterator[bytes]:
    """What the member did towards each connection (the ledger their depth
    is counted from): only their own acts, as likes.csv holds only the
    likes they gave; another's towards them are that member's."""
    rows = (
        Interaction.objects.filter(actor=member)
        .select_related("target")
        .order_by("created", "pk")
        .iterator(chunk_size=ROWS_PER_CHUNK)
    )

    def lines():
        for row in rows:
            towards = shown_member(row.target)
            yield (
                row.get_kind_display(),
                towards.display_name,
                towards.handle,
                row.created,
            )

    return csv_rows(("Kind", "Towards", "Handle", "When"), lines())


def _reports(member, base_url: str) -> Iterator[bytes]:
    """The reports the member made, as Settings › Reports shows them: never
    which staff member resolved them."""
    rows = (
        Report.objects.filter(reporter=member)
        .select_related("member")
        .defer("resolved_by")
        .order_by("created", "pk")
        .iterator(chunk_size=ROWS_PER_CHUNK)
    )

    def lines():
        for row in rows:
            about = shown_member(row.member)
            yield (
                about.display_name,
                about.handle,
                row.get_subject_display(),
                row.get_reason_display(),
                row.details,
                row.created,
                row.get_status_display(),
                row.get_outcome_display() if row.outcome else "",
                row.resolved,
            )

    return csv_rows(
        (
            "Member",
            "Handle",
            "About",
            "Reason",
            "Your details",
            "Reported on",
            "Status",
            "Outcome",
            "Resolved on",
        ),
        lines(),
    )


def _warnings(member, base_url: str) -> Iterator[bytes]:
    rows = (
        Sanction.objects.filter(member=member, kind=Sanction.Kind.WARNING)
        .order_by("created", "pk")
        .values_list("created", "reason", "seen")
        .iterator(chunk_size=ROWS_PER_CHUNK)
    )
    return csv_rows(("Given on", "Reason", "Read on"), rows)


def _parts() -> list[Part]:
    return [
        (
            "profile.json",
            _(
                "your account (with your former handles), profile, work history "
                "and email settings"
            ),
            _profile_json,
        ),
        (
            "security.json",
            _(
                "whether two-factor authentication is on, and the browsers where "
                "you are signed in"
            ),
            _security_json,
        ),
        ("photo.jpg", _("your profile photo, if you have one"), _photo),
        (
            "connections.csv",
            _("your connections, with the kind and note only you see"),
            _connections,
        ),
        ("invitations.csv", _("the invitations you sent and received"), _invitations),
        (
            "email_invitations.csv",
            _("the invitations you sent by email"),
            _email_invitations,
        ),
        ("blocked.csv", _("the members you blocked"), _blocked),
        ("messages.csv", _("your conversations, every message"), _messages),
        ("updates.csv", _("the updates you posted"), _updates),
        ("comments.csv", _("the comments you wrote"), _comments),
        ("likes.csv", _("the updates you liked"), _likes),
        (
            "interactions.csv",
            _(
                "what you did towards each connection (messages, comments, likes), "
                "which their depth is counted from"
            ),
            _interactions,
        ),
        ("reports.csv", _("the reports you made and their outcomes"), _reports),
        ("warnings.csv", _("the warnings the staff gave you"), _warnings),
        *_EXTRA_PARTS,
    ]


def archive_contents() -> list[tuple[str, str]]:
    """(file name, what it holds) of every file an archive may hold."""
    return [(name, description) for name, description, _writer in _parts()]


def archive_name(member, *, today: datetime.date | None = None) -> str:
    today = today or timezone.localdate()
    return f"rapport-{member.handle}-{today.isoformat()}.zip"


class _Sink:
    """A write-only stream that remembers its position; its bytes are taken
    away as they are written (ZipFile writes without seeking to such a one)."""

    def __init__(self):
        self._chunks: list[bytes] = []
        self._position = 0
        self.pending = 0

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        self._position += len(data)
        self.pending += len(data)
        return len(data)

    def tell(self) -> int:
        return self._position

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        self.pending = 0
        return data


def archive_spend(member) -> None:
    """Count one download of the member's archive; refuse past the hourly limit.

    Each download reads everything the member keeps: repeating it in a loop
    would take the server from everyone else.
    """
    limits.spend_or_refuse(
        member_id=member.pk,
        action="archive",
        limit=settings.RAPPORT_ARCHIVES_PER_HOUR,
        window=limits.HOUR,
        message=(
            gettext_noop(
                "You can download your data once an hour. Try again in %(wait)s."
            ),
            gettext_noop(
                "You can download your data %(limit)d times an hour. Try again in "
                "%(wait)s."
            ),
        ),
    )


def archive_stream(member, *, base_url: str = "") -> Iterator[bytes]:
    """The member's archive as ZIP bytes, in pieces, written as it is read.

    `base_url` ("https://rapport.example.org") makes the profile addresses
    in the files absolute. A part with nothing to say (no photo) is left out.
    """
    sink = _Sink()
    readme = _readme(member).encode()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{FOLDER}/README.txt", readme)
        for name, _description, writer in _parts():
            chunks = iter(writer(member, base_url))
            first = next(chunks, None)
            if first is None:
                continue
            with archive.open(f"{FOLDER}/{name}", "w") as entry:
                entry.write(first)
                for chunk in chunks:
                    entry.write(chunk)
                    if sink.pending >= FLUSH_BYTES:
                        yield sink.take()
            yield sink.take()
    yield sink.take()


def _readme(member) -> str:
    lines = [
        _("Your data on %(site)s, exported on %(day)s for %(name)s (@%(handle)s).")
        % {
            "site": settings.RAPPORT_SITE_NAME,
            "day": timezone.localdate().isoformat(),
            "name": member.display_name,
            "handle": member.handle,
        },
        "",
        _(
            "The CSV files open in any spreadsheet (UTF-8, comma-separated); a cell "
            "that starts like a formula begins with an apostrophe so that it is "
            "never run. Times are in %(zone)s."
        )
        % {"zone": settings.TIME_ZONE},
        "",
    ]
    lines += [f"{name}: {description}" for name, description in archive_contents()]
    return "\r\n".join(lines) + "\r\n"
