"""Writes about imports: upload, read and preview, import at once, undo.

An import goes through these steps, each a service:

1. `import_upload` checks and decodes the file (the one inside a .zip) and
   keeps it; a CSV that is neither Google's, Outlook's nor LinkedIn's waits
   for its columns (`import_set_mapping`).
2. `import_read` reads every card, checks and normalises it the way the
   contact services do, finds the ones that look like contacts the member
   already has, and keeps the result for the preview. Nothing is saved to
   the address book.
3. `import_confirm` takes the member's choice for duplicates and queues
   `import_run`, which saves everything in one transaction, or nothing.
4. `import_undo` deletes the contacts the import added and takes back the
   details it merged, except where the member has edited a contact since.

Large files are read, imported and undone by background tasks (`tasks.py`);
small ones at once, within the request.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import logging
import re
import time
import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

from connections.selectors.profiles import Birthday as ShownBirthday
from connections.services import limits
from contacts import csv_formats
from contacts.models import (
    Contact,
    ContactAddress,
    ContactEmail,
    ContactImport,
    ContactLabel,
    ContactPhone,
    ContactPhoto,
    ContactWebsite,
    DetailLabel,
    ImportedContact,
    ImportFile,
    Label,
    MergedUid,
)
from contacts.models.contacts import NOTES_MAX, birthday_error
from contacts.models.details import CUSTOM_LABEL_MAX
from contacts.models.imports import (
    CANCELLABLE_STATUSES,
    WAITING_STATUSES,
    WORKING_STATUSES,
)
from contacts.models.labels import LABEL_NAME_MAX
from contacts.phones import e164_or_blank
from contacts.selectors.contacts import address_book_region
from contacts.services.address_books import (
    address_book_changed,
    address_book_locked,
)
from contacts.services.bulk import collection_paused, insert_rows
from contacts.services.labels import label_for_name
from contacts.services.photos import new_photo_key, photo_pictures_from_bytes
from contacts.text import SPACES, digits
from contacts.uploads import (
    CSV,
    UploadError,
    decode_upload,
    file_line,
    human_size,
    line_place,
    skipped_files,
    unpacked,
)
from contacts.vcard import (
    ANNIVERSARY,
    ASSISTANT,
    BIRTHDAY,
    COLUMN,
    DATE,
    DATE_EXTRAS,
    DEATHDATE,
    FAVORITE_CATEGORY,
    IM,
    MANAGER,
    PHONETIC_FAMILY,
    PHONETIC_GIVEN,
    PHONETIC_MIDDLE,
    PHONETIC_ORGANIZATION,
    RELATED,
    SOCIAL,
    SPOUSE,
    SYSTEM_CATEGORIES,
    Extra,
    GroupRead,
    VCard,
    contact_uid,
    parse_birthday,
    read_vcards,
)

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
DETAIL_KINDS = frozenset(DetailLabel.values)
LOOKUP_CHUNK = 900
# How often reading saves its progress for the page's bar: by the clock, as
# each save rewrites the import's row (on SQLite, with the file it holds).
PROGRESS_EVERY = 1000
PROGRESS_SECONDS = 0.5
# Problems and notices kept for the preview; the counts are always exact.
PROBLEMS_SHOWN = 200
NOTICES_SHOWN = 200
DUPLICATES_SHOWN = 50
MATCHES_SHOWN = 3
# The first cards the preview shows as they will be saved, with their first
# labels.
SAMPLE_SHOWN = 5
LABELS_SHOWN = 5
KEPT_LISTED = 100
BIRTH_YEAR_MIN = 1800
# Apple writes this year for a birthday whose year is unknown.
APPLE_NO_YEAR = 1604

Status = ContactImport.Status
OnDuplicate = ContactImport.OnDuplicate
SOURCE = ImportFile.Kind.SOURCE
PREPARED = ImportFile.Kind.PREPARED

# The heading in the notes of a value a card has no field for, when the file
# gives it no name of its own (a CSV column always has one).
EXTRA_HEADINGS = {
    ANNIVERSARY: gettext_lazy("Anniversary"),
    DATE: gettext_lazy("Date"),
    DEATHDATE: gettext_lazy("Date of death"),
    RELATED: gettext_lazy("Related person"),
    SPOUSE: gettext_lazy("Spouse"),
    ASSISTANT: gettext_lazy("Assistant"),
    MANAGER: gettext_lazy("Manager"),
    IM: gettext_lazy("Instant messaging"),
    SOCIAL: gettext_lazy("Social profile"),
    PHONETIC_GIVEN: gettext_lazy("Phonetic first name"),
    PHONETIC_MIDDLE: gettext_lazy("Phonetic middle name"),
    PHONETIC_FAMILY: gettext_lazy("Phonetic last name"),
    PHONETIC_ORGANIZATION: gettext_lazy("Phonetic organization"),
    COLUMN: gettext_lazy("Other"),
    BIRTHDAY: gettext_lazy("Birthday"),
}
# How the preview names them, counting the cards that have some. A CSV
# column's values are not counted: its column says where they go.
EXTRA_GROUPS = {
    **dict.fromkeys(DATE_EXTRAS, "anniversaries and other dates"),
    **dict.fromkeys((RELATED, SPOUSE, ASSISTANT, MANAGER), "related people"),
    IM: "instant messaging addresses",
    SOCIAL: "social profiles",
    **dict.fromkeys(
        (PHONETIC_GIVEN, PHONETIC_MIDDLE, PHONETIC_FAMILY, PHONETIC_ORGANIZATION),
        "phonetic names",
    ),
}


def extra_lines(extras: Iterable[Extra]) -> list[str]:
    """The lines of the notes for values a card has no field for.

    "Spouse: Marc", "Skype: zoe.l", "Anniversary: 6 June 2015" (a date the
    reader understands is written in words).
    """
    lines = []
    for extra in extras:
        value = extra.value
        if extra.kind in DATE_EXTRAS:
            date = parse_birthday(value)
            if date is not None:
                value = str(ShownBirthday(date.day, date.month, date.year))
        lines.append(f"{extra.label or EXTRA_HEADINGS[extra.kind]}: {value}")
    return lines


_email_is_valid = EmailValidator()
# Addresses of this plain shape are valid for EmailValidator too; only the
# others go through it (it is the slow part of checking 25,000 cards).
_PLAIN_EMAIL = re.compile(
    r"^[a-z0-9_%+-]+(?:\.[a-z0-9_%+-]+)*@"
    r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"
)
_url_is_valid = URLValidator(schemes=["http", "https"])


def _passes(validator, value: str) -> bool:
    """Whether a Django validator accepts `value`, keeping nothing of a refusal.

    A `ValidationError` refers to itself (`error_list`), so only the cyclic
    garbage collector frees it, and with it its traceback, the frames on it
    and all they refer to: the checker, and so every card checked so far.
    With a few hundred refused emails in 25,000 cards, that kept the whole
    preview alive until one collection walked it: a tenth of the import's
    time. Without its traceback, the error holds nothing else.
    """
    try:
        validator(value)
    except ValidationError as error:
        error.__traceback__ = None
        return False
    return True


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


NAME_FIELDS = (
    "prefix",
    "given_name",
    "middle_name",
    "family_name",
    "suffix",
    "display_name",
    "nickname",
    "organization",
    "job_title",
)
LIMITS = {name: _max_length(Contact, name) for name in NAME_FIELDS}
ADDRESS_LIMITS = {
    name: _max_length(ContactAddress, name) for name in ContactAddress.PARTS
}
EMAIL_MAX = _max_length(ContactEmail, "value")
PHONE_MAX = _max_length(ContactPhone, "value")
URL_MAX = _max_length(ContactWebsite, "url")


# ---------------------------------------------------------------------------
# Upload
# ---------------------------------------------------------------------------


def upload_problem(*, size: int) -> str:
    """Why a file of `size` bytes is refused before reading it, or ""."""
    limit = settings.RAPPORT_IMPORT_MAX_BYTES
    if size == 0:
        return _("The file is empty.")
    if size > limit:
        return _("The file is %(size)s; files up to %(limit)s can be imported.") % {
            "size": human_size(size),
            "limit": human_size(limit),
        }
    return ""


def _spend_upload(*, owner) -> None:
    """Count one upload against the member's hour, or refuse it."""
    limits.spend_or_refuse(
        member_id=owner.pk,
        action="import-upload",
        limit=settings.RAPPORT_IMPORTS_PER_HOUR,
        window=limits.HOUR,
        message=(
            gettext_noop(
                "You can upload one address book file an hour. Try again in %(wait)s."
            ),
            gettext_noop(
                "You can upload %(limit)d address book files an hour. Try again in "
                "%(wait)s."
            ),
        ),
    )


@transaction.atomic
def import_upload(
    *, owner, file_name: str, data: bytes, client_token: str = ""
) -> ContactImport:
    """Keep an uploaded file as a new import, if it is an address book at all.

    Raises ValidationError (with a message about the file) for an empty,
    binary, oversized or unrecognisable file; nothing is kept then. The same
    file sent again with the same `client_token` (the upload form's, so a
    double click) returns the import the first one started.
    """
    problem = upload_problem(size=len(data))
    if problem:
        raise ValidationError(problem, code="file")
    address_book_locked(owner=owner)
    imports_end_stopped(owner=owner)
    # A repeat of an upload already kept (a double click) is not counted
    # against the hour: it starts nothing.
    repeated = None
    if client_token:
        repeated = (
            ContactImport.objects.owned_by(owner)
            .filter(client_token=client_token)
            .first()
        )
    if repeated is None:
        _spend_upload(owner=owner)
    try:
        data, file_name, parts = unpacked(
            data, file_name, limit=settings.RAPPORT_IMPORT_MAX_BYTES
        )
    except UploadError as error:
        raise ValidationError(str(error), code="file") from None
    stored_name = file_name[: _max_length(ContactImport, "file_name")] or "contacts"
    if repeated is not None:
        if (repeated.file_name, repeated.file_size) == (stored_name, len(data)):
            return repeated
        # The same form sent another file (the page was gone back to).
        client_token = ""
        _spend_upload(owner=owner)
    waiting = (
        ContactImport.objects.owned_by(owner)
        .filter(status__in=WAITING_STATUSES)
        .count()
    )
    if waiting >= settings.RAPPORT_IMPORTS_WAITING_MAX:
        raise ValidationError(
            ngettext(
                "You have %(count)d file waiting to be imported. Import or cancel "
                "it first, then upload this one.",
                "You have %(count)d files waiting to be imported. Import or cancel "
                "one of them first, then upload this one.",
                waiting,
            )
            % {"count": waiting},
            code="waiting",
        )
    try:
        decoded = decode_upload(data, file_name=file_name)
    except UploadError as error:
        raise ValidationError(str(error), code="file") from None
    batch = ContactImport(
        owner=owner,
        file_name=stored_name,
        file_size=len(data),
        encoding=decoded.encoding,
        parts=parts,
        client_token=client_token,
    )
    if decoded.kind == CSV:
        try:
            table = csv_formats.read_table(decoded.text, max_rows=5)
        except UploadError as error:
            raise ValidationError(str(error), code="file") from None
        if not table.rows:
            # Said now, before the member chooses columns for nothing.
            raise ValidationError(
                _("This file has a header but no rows of contacts."), code="file"
            )
        file_format = csv_formats.detect_format(table.header)
        batch.file_format = {
            csv_formats.GOOGLE: ContactImport.Format.GOOGLE,
            csv_formats.OUTLOOK: ContactImport.Format.OUTLOOK,
            csv_formats.LINKEDIN: ContactImport.Format.LINKEDIN,
        }.get(file_format, ContactImport.Format.CSV)
        batch.columns = [
            {"name": name, "samples": table.samples(index)}
            for index, name in enumerate(table.header)
        ]
        batch.mapping = csv_formats.mapping_for(table.header, file_format)
        if batch.file_format == ContactImport.Format.CSV:
            batch.status = Status.MAPPING
    else:
        batch.file_format = ContactImport.Format.VCARD
    batch.save()
    ImportFile.objects.create(batch=batch, kind=SOURCE, data=data)
    if batch.status == Status.READING:
        _queue_read(batch)
    return batch


def mapping_problem(mapping: Sequence[str]) -> str:
    """Why a column mapping cannot make cards, or ""."""
    useful = {
        "display_name",
        "given_name",
        "family_name",
        "middle_name",
        "nickname",
        "organization",
    }
    if not any(
        target in useful or target.startswith(("email", "phone")) for target in mapping
    ):
        return _(
            "Choose at least one column with a name, an organization, an email "
            "or a phone number."
        )
    return ""


@transaction.atomic
def import_set_mapping(
    *, batch: ContactImport, mapping: Sequence[str], date_order: str | None = None
) -> ContactImport:
    """Set which field each CSV column fills, then read the file with it.

    `date_order` ("" to guess, "dmy", "mdy") says how dates such as 4/5/1990
    are read; None keeps the one chosen before.
    """
    locked = ContactImport.objects.select_for_update().get(pk=batch.pk)
    if locked.status not in {Status.MAPPING, Status.READY, Status.FAILED}:
        raise ValidationError(
            _("This import has started already; its columns cannot change."),
            code="state",
        )
    if locked.file_format == ContactImport.Format.VCARD or not import_keeps_file(
        locked
    ):
        raise ValidationError(_("Only a CSV file has columns to choose."), code="state")
    valid = csv_formats.valid_targets() | set(locked.mapping)
    mapping = [
        target
        if target in valid
        # A column may be kept in the notes under its own name.
        or target == csv_formats.note_target(column["name"])
        else ""
        for target, column in zip(mapping, locked.columns, strict=False)
    ]
    mapping = (mapping + [""] * len(locked.columns))[: len(locked.columns)]
    problem = mapping_problem(mapping)
    if problem:
        raise ValidationError(problem, code="mapping")
    if date_order is not None:
        if date_order not in ContactImport.DateOrder.values:
            raise ValidationError(
                _("Choose how the file’s dates are written."), code="date_order"
            )
        locked.date_order = date_order
    locked.mapping = mapping
    locked.status = Status.READING
    locked.started = timezone.now()
    locked.error = ""
    locked.progress = locked.total = 0
    locked.save()
    _drop_files(locked, PREPARED)
    _queue_read(locked)
    return locked


def _queue_read(batch: ContactImport) -> None:
    from contacts.tasks import contacts_import_read

    if batch.file_size <= settings.RAPPORT_IMPORT_INLINE_BYTES:
        transaction.on_commit(lambda: import_read(batch_id=batch.pk))
    else:
        transaction.on_commit(lambda: contacts_import_read.enqueue(batch.pk))


# ---------------------------------------------------------------------------
# Reading and preparing the cards
# ---------------------------------------------------------------------------


@dataclass
class Prepared:
    """One card, checked and normalised, ready to become a contact.

    Held as plain values so the preview's work can be kept (as JSON) and the
    import itself only has to save.
    """

    line: int
    fields: dict
    emails: list  # [value, label, custom label]
    phones: list  # [value, e164, label, custom label]
    addresses: list  # [street, city, region, postal code, country, label, custom]
    websites: list  # [url, label, custom label]
    labels: list  # label names
    uid: str = ""
    matches: list = field(default_factory=list)  # ids of existing contacts
    photo: str = ""  # the card's picture as it came (base64), checked on reading

    def pack(self) -> list:
        return [
            self.line,
            self.fields,
            self.emails,
            self.phones,
            self.addresses,
            self.websites,
            self.labels,
            self.uid,
            self.matches,
            self.photo,
        ]

    @classmethod
    def unpack(cls, packed: list) -> Prepared:
        return cls(*packed)


class _Names:
    """What `Contact.derive_names` reads and writes, without a model instance.

    Borrowing the model's own method keeps the import's shown name, sort key
    and search text exactly those the contact services compute.
    """

    composed_name = Contact.composed_name
    derive_names = Contact.derive_names

    def __init__(self, fields: dict):
        for name in NAME_FIELDS:
            setattr(self, name, fields.get(name, ""))


@dataclass
class ReadOutcome:
    prepared: list[Prepared] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)
    problem_count: int = 0
    notices: list[str] = field(default_factory=list)
    notice_count: int = 0
    not_kept: dict[str, int] = field(default_factory=dict)
    # Cards with values of a kind (`EXTRA_GROUPS`) kept in their notes.
    in_notes: dict[str, int] = field(default_factory=dict)
    # How the file's dates such as 4/5/1990 were read, when it has some.
    dates: str = ""
    # The files of an archive the text joins (`ContactImport.parts`).
    parts: list = field(default_factory=list)

    def where(self, line: int) -> dict:
        """Where a card is, as the member can find it: its "line", and its
        "file" and line there when the text joins an archive's files."""
        if not self.parts:
            return {"line": line}
        name, line = file_line(self.parts, line)
        return {"file": name, "line": line}

    def problem(self, line: int, reason: str) -> None:
        self.problem_count += 1
        if len(self.problems) < PROBLEMS_SHOWN:
            self.problems.append({**self.where(line), "reason": reason})

    def file_problem(self, name: str, reason: str) -> None:
        """One of an archive's files, left out as it holds no card."""
        self.problem_count += 1
        if len(self.problems) < PROBLEMS_SHOWN:
            self.problems.append({"file": name, "reason": reason})

    def notice(self, line: int, text: str) -> None:
        self.notice_count += 1
        if len(self.notices) < NOTICES_SHOWN:
            self.notices.append(
                _("%(place)s: %(text)s")
                % {"place": line_place(**self.where(line)), "text": text}
            )


class _Preparer:
    """Checks and normalises cards as `contact_create` would, in bulk."""

    def __init__(self, *, region: str, outcome: ReadOutcome):
        self.region = region
        self.outcome = outcome
        self.phone_cache: dict[str, str] = {}

    def prepare(self, card: VCard) -> Prepared | None:
        line = card.line
        notice = self.outcome.notice
        for warning in card.warnings:
            notice(line, warning)
        fields: dict = {}
        values = {
            "prefix": card.prefix,
            "given_name": card.given_name,
            "middle_name": card.middle_name,
            "family_name": card.family_name,
            "suffix": card.suffix,
            "nickname": card.nickname,
            "organization": ", ".join(
                part for part in (card.organization, card.department) if part
            ),
            "job_title": card.title,
        }
        for name, value in values.items():
            value = value.strip()
            if value:
                fields[name] = self._fit(line, name, value, LIMITS[name])
        shown = card.formatted_name.strip()
        if shown and shown != card.implied_name():
            fields["display_name"] = self._fit(
                line, "display_name", shown, LIMITS["display_name"]
            )
        note = card.note.strip()
        if card.extras:
            lines = "\n".join(extra_lines(card.extras))
            note = f"{note}\n\n{lines}" if note else lines
            in_notes = self.outcome.in_notes
            for group in {EXTRA_GROUPS.get(extra.kind) for extra in card.extras}:
                if group:
                    in_notes[group] = in_notes.get(group, 0) + 1
        if note:
            if len(note) > NOTES_MAX:
                notice(
                    line,
                    _("notes shortened to %(limit)s characters")
                    % {"limit": f"{NOTES_MAX:,}"},
                )
                note = note[:NOTES_MAX].rstrip()
            fields["notes"] = note
        if card.birthday:
            self._birthday(line, card, fields)

        limit = settings.RAPPORT_CONTACT_DETAILS_MAX
        emails = self._emails(line, card, limit)
        phones = self._phones(line, card, limit)
        addresses = self._addresses(line, card, limit)
        websites = self._websites(line, card, limit)

        labels = []
        seen_labels = set()
        for name in card.categories:
            name = SPACES.sub(" ", name).strip()[:LABEL_NAME_MAX].strip()
            key = name.lower()
            if key == FAVORITE_CATEGORY:
                fields["is_favorite"] = True
            elif name and key not in SYSTEM_CATEGORIES and key not in seen_labels:
                seen_labels.add(key)
                labels.append(name)

        names = _Names(fields)
        names.derive_names(
            emails=[email[0] for email in emails],
            phones=[(phone[0], phone[1]) for phone in phones],
        )
        if not names.shown_name:
            self.outcome.problem(
                line, _("no name, organization, email or phone number")
            )
            return None
        for name in Contact.DERIVED_FIELDS:
            fields[name] = getattr(names, name)
        return Prepared(
            line=line,
            fields=fields,
            emails=emails,
            phones=phones,
            addresses=addresses,
            websites=websites,
            labels=labels,
            uid=card.uid[:255],
            photo=(
                base64.b64encode(card.photo.data).decode("ascii")
                if card.photo and card.photo.data
                else ""
            ),
        )

    def _fit(self, line: int, name: str, value: str, limit: int) -> str:
        if len(value) <= limit:
            return value
        verbose = Contact._meta.get_field(name).verbose_name
        self.outcome.notice(
            line,
            _("%(field)s shortened to %(limit)s characters")
            % {"field": verbose, "limit": limit},
        )
        return value[:limit].strip()

    def _birthday(self, line: int, card: VCard, fields: dict) -> None:
        birthday = card.birthday
        year = birthday.year
        if year is not None and (
            year < BIRTH_YEAR_MIN or year > timezone.localdate().year
        ):
            if year != APPLE_NO_YEAR:
                self.outcome.notice(
                    line, _("birth year %(year)s left out") % {"year": year}
                )
            year = None
        if birthday_error(birthday.day, birthday.month, year):
            self.outcome.notice(line, _("impossible birthday left out"))
            return
        fields["birthday_day"] = birthday.day
        fields["birthday_month"] = birthday.month
        if year:
            fields["birthday_year"] = year

    def _label(self, item) -> tuple[str, str]:
        kind = item.kind if item.kind in DETAIL_KINDS else DetailLabel.OTHER
        custom = ""
        if kind == DetailLabel.CUSTOM:
            custom = item.label.strip()[:CUSTOM_LABEL_MAX].strip()
            if not custom:
                kind = DetailLabel.OTHER
        return kind, custom

    def _too_many(self, line: int, what: str, limit: int) -> None:
        self.outcome.notice(
            line,
            _("only the first %(limit)s %(what)s were kept")
            % {"limit": limit, "what": what},
        )

    def _emails(self, line: int, card: VCard, limit: int) -> list:
        emails, seen = [], set()
        for item in card.emails:
            value = item.value.strip().lower()
            if not value or value in seen:
                continue
            if len(value) > EMAIL_MAX or not (
                _PLAIN_EMAIL.match(value) or _passes(_email_is_valid, value)
            ):
                self.outcome.notice(
                    line,
                    _("“%(value)s” is not an email address; left out")
                    % {"value": value[:60]},
                )
                continue
            seen.add(value)
            if len(emails) == limit:
                self._too_many(line, _("emails"), limit)
                break
            emails.append([value, *self._label(item)])
        return emails

    def _phones(self, line: int, card: VCard, limit: int) -> list:
        phones = []
        for item in card.phones:
            value = item.value.strip()
            if not value:
                continue
            if not digits(value) or len(value) > PHONE_MAX:
                self.outcome.notice(
                    line,
                    _("“%(value)s” is not a phone number; left out")
                    % {"value": value[:60]},
                )
                continue
            if len(phones) == limit:
                self._too_many(line, _("phone numbers"), limit)
                break
            e164 = self.phone_cache.get(value)
            if e164 is None:
                e164 = self.phone_cache[value] = e164_or_blank(value, self.region)
            phones.append([value, e164, *self._label(item)])
        return phones

    def _addresses(self, line: int, card: VCard, limit: int) -> list:
        addresses = []
        for item in card.addresses:
            # An address has no place for a vCard's PO box and extended part
            # (a suite, a flat): they are the street's last lines, as in a CSV.
            lines = (item.street.strip(), item.extended.strip(), item.po_box.strip())
            street = "\n".join(line for line in lines if line)
            parts = [
                (street if name == "street" else getattr(item, name)).strip()
                for name in ContactAddress.PARTS
            ]
            if not any(parts):
                continue
            for index, name in enumerate(ContactAddress.PARTS):
                limit_of_part = ADDRESS_LIMITS[name]
                if len(parts[index]) > limit_of_part:
                    parts[index] = parts[index][:limit_of_part].strip()
                    self.outcome.notice(
                        line,
                        _("%(part)s of an address shortened to %(limit)s characters")
                        % {
                            "part": ContactAddress._meta.get_field(name).verbose_name,
                            "limit": limit_of_part,
                        },
                    )
            if len(addresses) == limit:
                self._too_many(line, _("addresses"), limit)
                break
            addresses.append([*parts, *self._label(item)])
        return addresses

    def _websites(self, line: int, card: VCard, limit: int) -> list:
        websites = []
        for item in card.urls:
            url = item.value.strip()
            if not url:
                continue
            if "://" not in url:
                url = f"https://{url}"
            if len(url) > URL_MAX or not _passes(_url_is_valid, url):
                self.outcome.notice(
                    line,
                    _("“%(value)s” is not a web address; left out")
                    % {"value": url[:60]},
                )
                continue
            if len(websites) == limit:
                self._too_many(line, _("websites"), limit)
                break
            websites.append([url, *self._label(item)])
        return websites


def read_cards(
    batch: ContactImport, text: str, codec: str, *, region: str
) -> tuple[list[VCard], ReadOutcome]:
    """The cards of a decoded file, and what could not be read.

    `region` (the address book's) says how a CSV file's dates such as
    4/5/1990 are read when neither the member nor the file says.
    """
    outcome = ReadOutcome(parts=batch.parts)
    # Said first, as they were found before a card was read.
    for name, reason in skipped_files(batch.parts):
        outcome.file_problem(name, reason)
    limit = settings.RAPPORT_IMPORT_MAX_CONTACTS
    if batch.file_format == ContactImport.Format.VCARD:
        result = read_vcards(text, file_encoding=codec, max_cards=limit)
        for problem in result.problems:
            outcome.problem(problem.line, problem.reason)
        for group in result.groups:
            outcome.notice(group.line, _group_note(group))
        outcome.not_kept = result.not_kept
        too_many = result.too_many
        cards = result.cards
    else:
        table = csv_formats.read_table(text, max_rows=limit)
        too_many = table.too_many
        order = csv_formats.date_order(
            table.rows, batch.mapping, region=region, chosen=batch.date_order
        )
        outcome.dates = _dates_note(order, chosen=bool(batch.date_order))
        if table.preamble:
            outcome.notices.append(_preamble_note(table.preamble))
        cards = [
            csv_formats.row_to_vcard(
                line, cells, batch.mapping, day_first=order.day_first
            )
            for line, cells in table.rows
        ]
        if batch.file_format == ContactImport.Format.LINKEDIN:
            # A connection's profile address names them on LinkedIn, as a
            # vCard's UID does: importing a newer export finds them again.
            for card in cards:
                if card.urls and not card.uid:
                    card.uid = card.urls[0].value
        if "photo" in batch.mapping:
            linked = sum(1 for card in cards if card.photo is not None)
            if linked:
                outcome.not_kept["photos given as web addresses"] = linked
    if too_many:
        raise UploadError(
            _(
                "The file holds more than %(limit)s contacts; at most %(limit)s "
                "can be imported from one file. Split it and import each part."
            )
            % {"limit": f"{limit:,}"}
        )
    return cards, outcome


def _group_note(group: GroupRead) -> str:
    """What the preview says of a group card, which is a label, not a contact."""
    if not group.name:
        return _("a group without a name is not a contact; it is left out")
    if not group.members:
        return _("the group “%(name)s” names no card; it is left out") % {
            "name": group.name
        }
    if group.found == group.members:
        return ngettext(
            "the group “%(name)s” is not a contact: its card gets the label “%(name)s”",
            "the group “%(name)s” is not a contact: its %(count)s cards get the "
            "label “%(name)s”",
            group.found,
        ) % {"name": group.name, "count": group.found}
    if not group.found:
        return ngettext(
            "the group “%(name)s” is not a contact, and the card it names is not "
            "in the file; it is left out",
            "the group “%(name)s” is not a contact, and none of the %(count)s "
            "cards it names is in the file; it is left out",
            group.members,
        ) % {"name": group.name, "count": group.members}
    # Each count has its own plural: "1 of its 3 cards gets…; the other 2 are".
    found = ngettext(
        "the group “%(name)s” is not a contact: %(found)s of its %(count)s cards "
        "gets the label “%(name)s”",
        "the group “%(name)s” is not a contact: %(found)s of its %(count)s cards "
        "get the label “%(name)s”",
        group.found,
    ) % {"name": group.name, "found": group.found, "count": group.members}
    missing = group.members - group.found
    others = ngettext(
        "the other is not in the file",
        "the other %(count)s are not in the file",
        missing,
    ) % {"count": missing}
    return f"{found}; {others}"


def _preamble_note(preamble: list[tuple[int, str]]) -> str:
    """What the preview says of the lines of text before a CSV file's header."""
    first, last = preamble[0][0], preamble[-1][0]
    text = " ".join(text for _line, text in preamble)
    if len(text) > 120:
        text = text[:119] + "…"
    if first == last:
        message = _(
            "Line %(first)s, before the names of the columns, is not a contact "
            "and is not imported: “%(text)s”"
        )
    else:
        message = _(
            "Lines %(first)s to %(last)s, before the names of the columns, are "
            "not contacts and are not imported: “%(text)s”"
        )
    return message % {"first": first, "last": last, "text": text}


def _dates_note(order: csv_formats.DatesRead, *, chosen: bool) -> str:
    """What the preview says of the order dates such as 4/5/1990 are read in."""
    birthday = order.example and csv_formats.parse_loose_date(
        order.example, day_first=order.day_first
    )
    if not birthday:
        return ""
    if chosen:
        reason = _("as you chose")
    elif order.from_file:
        reason = _("as the file’s other dates are written")
    else:
        reason = _("as dates are written in your address book’s region")
    text = _("Dates such as %(example)s are read %(order)s, %(reason)s: %(date)s.") % {
        "example": order.example,
        "order": _("day first") if order.day_first else _("month first"),
        "reason": reason,
        "date": ShownBirthday(birthday.day, birthday.month, birthday.year),
    }
    if chosen:
        return text
    return f"{text} {_('If that is wrong, choose the order under “Change columns”.')}"


# ---------------------------------------------------------------------------
# The file and the preview, kept beside the import while it waits
# ---------------------------------------------------------------------------


def import_keeps_file(batch: ContactImport) -> bool:
    """Whether the uploaded file is still kept (until the import is saved)."""
    return ImportFile.objects.filter(batch_id=batch.pk, kind=SOURCE).exists()


def _file(batch: ContactImport, kind: str) -> bytes | None:
    data = (
        ImportFile.objects.filter(batch_id=batch.pk, kind=kind)
        .values_list("data", flat=True)
        .first()
    )
    return None if data is None else bytes(data)


def _keep_file(batch: ContactImport, kind: str, data: bytes) -> None:
    _drop_files(batch, kind)
    ImportFile.objects.create(batch_id=batch.pk, kind=kind, data=data)


def _drop_files(batch: ContactImport, *kinds: str) -> None:
    ImportFile.objects.filter(batch_id=batch.pk, kind__in=kinds).delete()


def _decoded(batch: ContactImport):
    source = _file(batch, SOURCE)
    if source is None:
        raise UploadError(_("The uploaded file is no longer kept; upload it again."))
    return decode_upload(source, file_name=batch.file_name)


def import_read(*, batch_id: int) -> ContactImport | None:
    """Read an uploaded file and prepare its preview; nothing else changes.

    Progress is saved as it goes, so the page polling it can show a bar.
    A file that turns out unreadable ends FAILED with the reason.
    """
    with collection_paused():
        return _import_read(batch_id)


def _import_read(batch_id: int) -> ContactImport | None:
    batch = ContactImport.objects.filter(pk=batch_id, status=Status.READING).first()
    if batch is None:
        return None
    try:
        decoded = _decoded(batch)
        region = address_book_region(owner=batch.owner)
        cards, outcome = read_cards(batch, decoded.text, decoded.codec, region=region)
        _set_progress(batch, total=len(cards), progress=0)
        next_save = time.monotonic() + PROGRESS_SECONDS
        preparer = _Preparer(region=region, outcome=outcome)
        for index, card in enumerate(cards, 1):
            prepared = preparer.prepare(card)
            if prepared is not None:
                outcome.prepared.append(prepared)
            if index % PROGRESS_EVERY == 0 and time.monotonic() >= next_save:
                _set_progress(batch, progress=index)
                next_save = time.monotonic() + PROGRESS_SECONDS
        del cards
        if not outcome.prepared:
            raise UploadError(_no_cards_message(batch, outcome))
        find_duplicates(owner=batch.owner, prepared=outcome.prepared)
    except UploadError as error:
        return _fail(batch, str(error))
    except Exception:
        logger.exception("Reading import %s failed", batch_id)
        return _fail(batch, _("Something went wrong while reading the file."))
    duplicates = [item for item in outcome.prepared if item.matches]
    packed = pack(outcome.prepared)
    with transaction.atomic():
        if not _set_ready(batch, outcome, duplicates=duplicates):
            return None
        _keep_file(batch, PREPARED, packed)
    batch.refresh_from_db()
    return batch


def _set_ready(
    batch: ContactImport, outcome: ReadOutcome, *, duplicates: list[Prepared]
) -> int:
    """Show the preview, unless the import was cancelled meanwhile.

    The first possible duplicates are listed with the contacts they look like.
    """
    return ContactImport.objects.filter(pk=batch.pk, status=Status.READING).update(
        status=Status.READY,
        progress=len(outcome.prepared) + outcome.problem_count,
        total=len(outcome.prepared) + outcome.problem_count,
        new_count=len(outcome.prepared) - len(duplicates),
        duplicate_count=len(duplicates),
        duplicates=[
            {
                **outcome.where(item.line),
                "name": item.fields["shown_name"],
                "matches": item.matches[:MATCHES_SHOWN],
            }
            for item in duplicates[:DUPLICATES_SHOWN]
        ],
        problem_count=outcome.problem_count,
        photo_count=sum(1 for item in outcome.prepared if item.photo),
        problems=outcome.problems,
        notices=_notices(outcome),
        date_note=outcome.dates,
        sample=[
            {**_first_look(item), **outcome.where(item.line)}
            for item in outcome.prepared[:SAMPLE_SHOWN]
        ],
    )


def _first_look(item: Prepared) -> dict:
    """What the preview shows of one of the first cards, as it will be saved."""
    fields = item.fields
    birthday = ""
    if fields.get("birthday_month"):
        birthday = str(
            ShownBirthday(
                fields["birthday_day"],
                fields["birthday_month"],
                fields.get("birthday_year"),
            )
        )
    work = ", ".join(
        part for part in (fields.get("job_title"), fields.get("organization")) if part
    )
    details = [work] if work and work != fields["shown_name"] else []
    details += [email[0] for email in item.emails[:2]]
    details += [phone[0] for phone in item.phones[:2]]
    addresses, websites = item.addresses, item.websites
    # A card with no email or phone (a shop, a venue) shows where it is
    # instead of a bare "1 more detail".
    if not item.emails and not item.phones:
        if addresses:
            lines = (part.replace("\n", ", ") for part in addresses[0][:5])
            details.append(", ".join(line for line in lines if line))
            addresses = addresses[1:]
        elif websites:
            details.append(websites[0][0])
            websites = websites[1:]
    return {
        "line": item.line,
        "name": fields["shown_name"],
        "details": details,
        "more": len(item.emails[2:])
        + len(item.phones[2:])
        + len(addresses)
        + len(websites),
        "birthday": birthday,
        "labels": item.labels[:LABELS_SHOWN],
    }


def _no_cards_message(batch: ContactImport, outcome: ReadOutcome) -> str:
    # An archive's files that hold no card are not the reason: another does.
    first = next((item for item in outcome.problems if "line" in item), None)
    if first is not None:
        if "file" in first:
            message = _(
                "No contact in this file can be imported. The first problem is on "
                "line %(line)s of %(file)s: %(reason)s."
            )
        else:
            message = _(
                "No contact in this file can be imported. The first problem is on "
                "line %(line)s: %(reason)s."
            )
        return message % first
    if batch.file_format == ContactImport.Format.VCARD:
        return _(
            "This file has no complete vCard in it: each one starts with "
            "BEGIN:VCARD and ends with END:VCARD."
        )
    return _("This file has a header but no rows of contacts.")


def _notices(outcome: ReadOutcome) -> list[str]:
    notices = []
    for what, count in sorted(outcome.not_kept.items()):
        notices.append(
            ngettext(
                "%(count)s card has %(what)s, which contact cards do not hold; "
                "they are not imported.",
                "%(count)s cards have %(what)s, which contact cards do not "
                "hold; they are not imported.",
                count,
            )
            % {"count": f"{count:,}", "what": _(what)}
        )
    for what, count in sorted(outcome.in_notes.items()):
        notices.append(
            ngettext(
                "%(count)s card has %(what)s, which contact cards have no field "
                "for; they are kept in its notes.",
                "%(count)s cards have %(what)s, which contact cards have no field "
                "for; they are kept in their notes.",
                count,
            )
            % {"count": f"{count:,}", "what": _(what)}
        )
    notices.extend(outcome.notices)
    if outcome.notice_count > len(outcome.notices):
        notices.append(
            _("…and %(count)s more notes like these.")
            % {"count": f"{outcome.notice_count - len(outcome.notices):,}"}
        )
    return notices


def _set_progress(batch: ContactImport, **values) -> None:
    ContactImport.objects.filter(pk=batch.pk).update(**values)


def _fail(batch: ContactImport, message: str) -> ContactImport:
    """End the import as not imported, saying why; a CSV's columns may change."""
    with transaction.atomic():
        ContactImport.objects.filter(pk=batch.pk).update(
            status=Status.FAILED, error=message
        )
        if batch.file_format == ContactImport.Format.VCARD:
            _drop_files(batch, SOURCE, PREPARED)
        else:
            _drop_files(batch, PREPARED)
    batch.refresh_from_db()
    return batch


# Plain lists, dicts, text and numbers only: no cycles to look for, and text
# kept as UTF-8 rather than escaped, which halves the time to write and read.
_PACKER = json.JSONEncoder(
    separators=(",", ":"), ensure_ascii=False, check_circular=False
)


def pack(prepared: Iterable[Prepared]) -> bytes:
    """The prepared cards, compressed for keeping between preview and import."""
    raw = _PACKER.encode([item.pack() for item in prepared])
    return zlib.compress(raw.encode("utf-8", "surrogatepass"), 1)


def unpack(data: bytes) -> list[Prepared]:
    raw = zlib.decompress(bytes(data)).decode("utf-8", "surrogatepass")
    return [Prepared.unpack(item) for item in json.loads(raw)]


# ---------------------------------------------------------------------------
# Duplicates of existing contacts
# ---------------------------------------------------------------------------


def _chunks(values: Sequence, size: int = LOOKUP_CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def find_duplicates(*, owner, prepared: Sequence[Prepared]) -> None:
    """Set each card's `matches`: the owner's contacts it looks like.

    A card matches a contact (Trash aside) with the same email address, the
    same phone number in E.164 (as typed, for numbers valid nowhere), or the
    same vCard UID (a card imported or exported before; a LinkedIn
    connection's profile address). A fixed number of
    queries per 900 values.
    """
    if not Contact.objects.owned_by(owner).exists():
        # An empty address book (the first import): nothing to look up.
        for item in prepared:
            item.matches = []
        return
    by_email: dict[str, set[int]] = defaultdict(set)
    by_phone: dict[str, set[int]] = defaultdict(set)
    by_uid: dict[str, set[int]] = defaultdict(set)
    emails = sorted({email[0] for item in prepared for email in item.emails})
    phones = sorted(
        {phone[1] for item in prepared for phone in item.phones if phone[1]}
    )
    typed = sorted(
        {phone[0] for item in prepared for phone in item.phones if not phone[1]}
    )
    uids = sorted({item.uid for item in prepared if item.uid})
    live = {"contact__owner": owner, "contact__deleted_at__isnull": True}
    for chunk in _chunks(emails):
        for value, contact_id in ContactEmail.objects.filter(
            value__in=chunk, **live
        ).values_list("value", "contact_id"):
            by_email[value].add(contact_id)
    for chunk in _chunks(phones):
        for value, contact_id in ContactPhone.objects.filter(
            e164__in=chunk, **live
        ).values_list("e164", "contact_id"):
            by_phone[value].add(contact_id)
    # Numbers that are not valid anywhere can only match as typed.
    for chunk in _chunks(typed):
        for value, contact_id in ContactPhone.objects.filter(
            e164="", value__in=chunk, **live
        ).values_list("value", "contact_id"):
            by_phone[value].add(contact_id)
    for chunk in _chunks(uids):
        for value, contact_id in ImportedContact.objects.filter(
            uid__in=chunk, batch__owner=owner, contact__deleted_at__isnull=True
        ).values_list("uid", "contact_id"):
            by_uid[value].add(contact_id)
        # A card whose contact was merged into another finds the one kept.
        for value, contact_id in MergedUid.objects.filter(
            uid__in=chunk, **live
        ).values_list("uid", "contact_id"):
            by_uid[value].add(contact_id)
    if any(uid.startswith("urn:uuid:") for uid in uids):
        wanted = set(uids)
        for pk in (
            Contact.objects.owned_by(owner)
            .values_list("pk", flat=True)
            .iterator(chunk_size=5000)
        ):
            uid = contact_uid(_Pk(pk))
            if uid in wanted:
                by_uid[uid].add(pk)
    for item in prepared:
        found: set[int] = set()
        for email in item.emails:
            found |= by_email.get(email[0], set())
        for value, e164, *_labels in item.phones:
            found |= by_phone.get(e164 or value, set())
        if item.uid:
            found |= by_uid.get(item.uid, set())
        item.matches = sorted(found)


class _Pk:
    __slots__ = ("pk",)

    def __init__(self, pk: int):
        self.pk = pk


# ---------------------------------------------------------------------------
# Confirming and running the import
# ---------------------------------------------------------------------------


def room_left(*, owner) -> int:
    """How many contacts the owner may still add (Trash counts)."""
    return max(
        0, settings.RAPPORT_CONTACTS_MAX - Contact.objects.filter(owner=owner).count()
    )


def adding_count(batch: ContactImport, on_duplicate: str) -> int:
    """How many new contacts the import would add with this choice."""
    if on_duplicate == OnDuplicate.ADD:
        return batch.new_count + batch.duplicate_count
    return batch.new_count


def limit_problem(*, owner, adding: int, room: int | None = None) -> str:
    """Why adding this many contacts would break the limit, or ""."""
    if room is None:
        room = room_left(owner=owner)
    if adding <= room:
        return ""
    limit = settings.RAPPORT_CONTACTS_MAX
    return _(
        "This would add %(adding)s contacts, but you have room for %(room)s more "
        "(the limit is %(limit)s, Trash included). Skip the duplicates, or "
        "delete some contacts and empty the Trash first."
    ) % {"adding": f"{adding:,}", "room": f"{room:,}", "limit": f"{limit:,}"}


@transaction.atomic
def import_confirm(*, batch: ContactImport, on_duplicate: str) -> ContactImport:
    """Start the import with the member's choice for duplicates.

    Confirming twice (a double click) starts it once. Large imports run in
    the background; the page follows their progress.
    """
    if on_duplicate not in OnDuplicate.values:
        raise ValidationError(
            _("Choose what to do with the duplicates."), code="choice"
        )
    locked = ContactImport.objects.select_for_update().get(pk=batch.pk)
    if locked.status != Status.READY:
        return locked
    problem = limit_problem(
        owner=locked.owner, adding=adding_count(locked, on_duplicate)
    )
    if problem:
        raise ValidationError(problem, code="contacts_limit")
    imports_end_stopped(owner=locked.owner)
    locked.status = Status.IMPORTING
    locked.on_duplicate = on_duplicate
    locked.progress = 0
    locked.started = timezone.now()
    try:
        with transaction.atomic():
            locked.save(update_fields=["status", "on_duplicate", "progress", "started"])
    except IntegrityError:
        raise ValidationError(
            _("Another import or undo of yours is running. Wait until it is done."),
            code="busy",
        ) from None
    from contacts.tasks import contacts_import_run

    if (
        locked.new_count + locked.duplicate_count
        <= settings.RAPPORT_IMPORT_INLINE_CONTACTS
    ):
        transaction.on_commit(lambda: import_run(batch_id=locked.pk))
    else:
        transaction.on_commit(lambda: contacts_import_run.enqueue(locked.pk))
    return locked


def import_label_name(batch: ContactImport) -> str:
    return _("Imported %(date)s") % {
        "date": date_format(timezone.localdate(batch.created), "Y-m-d")
    }


def import_label_name_free(*, batch: ContactImport, taken=None) -> str:
    """The name the import's own label gets: "Imported <date>", then "… (2)".

    `taken` holds the owner's label names, lowercased; without it, those
    that could clash are read in one query.
    """
    base = import_label_name(batch)
    if taken is None:
        taken = {
            name.lower()
            for name in Label.objects.filter(
                owner_id=batch.owner_id, name__istartswith=base
            ).values_list("name", flat=True)
        }
    name, number = base, 1
    while name.lower() in taken:
        number += 1
        name = f"{base} ({number})"
    return name


def import_run(*, batch_id: int) -> ContactImport | None:
    """Save a confirmed import: every contact, detail and label, or nothing.

    On any failure the import ends FAILED with the reason and the address
    book is as it was.
    """
    with collection_paused():
        return _import_run(batch_id)


def _import_run(batch_id: int) -> ContactImport | None:
    batch = ContactImport.objects.filter(pk=batch_id, status=Status.IMPORTING).first()
    packed = None if batch is None else _file(batch, PREPARED)
    if packed is None:
        return None
    try:
        prepared = unpack(packed)
        _set_progress(batch, total=len(prepared), progress=0)
        _save_import(batch, prepared)
    except ValidationError as error:
        return _fail(batch, " ".join(error.messages))
    except Exception:
        logger.exception("Import %s failed", batch_id)
        return _fail(
            batch, _("Something went wrong while importing; nothing was imported.")
        )
    batch.refresh_from_db()
    return batch


@transaction.atomic
def _save_import(batch: ContactImport, prepared: list[Prepared]) -> None:
    owner = batch.owner
    address_book_locked(owner=owner)
    find_duplicates(owner=owner, prepared=prepared)
    choice = batch.on_duplicate
    to_create, to_merge, skipped = [], [], 0
    for item in prepared:
        if not item.matches or choice == OnDuplicate.ADD:
            to_create.append(item)
        elif choice == OnDuplicate.MERGE:
            to_merge.append(item)
        else:
            skipped += 1
    problem = limit_problem(owner=owner, adding=len(to_create))
    if problem:
        raise ValidationError(problem, code="contacts_limit")
    now = timezone.now()
    labels, left_out, labels_created = {}, [], []
    if to_create or to_merge:
        labels, left_out, labels_created = _labels_for(
            batch, owner, [item.labels for item in (*to_create, *to_merge)]
        )
    created = _create_contacts(batch, owner, to_create, labels=labels, now=now)
    merged, crowded = _merge_into_existing(to_merge, labels=labels, now=now)
    address_book_changed(owner=owner)
    notices = list(batch.notices)
    if crowded:
        notices.append(
            ngettext(
                "%(count)s contact had no room for all the card added to it (at "
                "most %(limit)s emails, phones, addresses or websites each, notes "
                "up to %(notes)s characters); what did not fit was left out: "
                "%(names)s.",
                "%(count)s contacts had no room for all the cards added to them "
                "(at most %(limit)s emails, phones, addresses or websites each, "
                "notes up to %(notes)s characters); what did not fit was left "
                "out: %(names)s.",
                len(crowded),
            )
            % {
                "count": f"{len(crowded):,}",
                "limit": settings.RAPPORT_CONTACT_DETAILS_MAX,
                "notes": f"{NOTES_MAX:,}",
                "names": ", ".join(sorted(crowded)[:20])
                + ("…" if len(crowded) > 20 else ""),
            }
        )
    if left_out:
        notices.append(
            _(
                "These labels were not created, as you have reached the limit of "
                "%(limit)s labels: %(names)s."
            )
            % {
                "limit": settings.RAPPORT_CONTACT_LABELS_MAX,
                "names": ", ".join(left_out[:20]),
            }
        )
    ContactImport.objects.filter(pk=batch.pk).update(
        status=Status.DONE,
        label=labels.get(None),
        labels_created=labels_created,
        created_count=created,
        merged_count=len(merged),
        skipped_count=skipped,
        merged=merged,
        notices=notices,
        total=len(prepared),
        progress=len(prepared),
        finished=now,
        # What the preview showed of the file's cards goes with the file,
        # and the names of an archive's files.
        sample=[],
        duplicates=[],
        parts=[],
        date_note="",
    )
    _drop_files(batch, SOURCE, PREPARED)


# The columns each kind of detail is inserted with, in `Prepared`'s order.
_DETAIL_COLUMNS = (
    ("emails", ContactEmail, ("value", "label", "custom_label")),
    ("phones", ContactPhone, ("value", "e164", "label", "custom_label")),
    (
        "addresses",
        ContactAddress,
        (*ContactAddress.PARTS, "label", "custom_label"),
    ),
    ("websites", ContactWebsite, ("url", "label", "custom_label")),
)


def _create_contacts(batch, owner, items: list[Prepared], *, labels, now) -> int:
    """Insert the new contacts, their details, labels and import records."""
    if not items:
        return 0
    for item in items:
        if item.photo:
            item.fields["photo_key"] = new_photo_key()
    columns = sorted({name for item in items for name in item.fields})
    blank = _row_defaults(Contact)
    defaults = [(name, blank[name]) for name in columns]
    ids = insert_rows(
        Contact,
        columns,
        [
            tuple([item.fields.get(name, default) for name, default in defaults])
            for item in items
        ],
        constants={"owner_id": owner.pk, "created": now, "updated": now},
    )
    import_label = labels[None].pk
    label_rows, imported_rows = [], []
    for pk, item in zip(ids, items, strict=True):
        label_rows.append((pk, import_label))
        for name in item.labels:
            label = labels.get(name.lower())
            if label is not None and label.pk != import_label:
                label_rows.append((pk, label.pk))
        imported_rows.append((batch.pk, pk, item.uid))
    for attribute, model, detail_columns in _DETAIL_COLUMNS:
        insert_rows(
            model,
            ("contact_id", *detail_columns),
            [
                (pk, *values)
                for pk, item in zip(ids, items, strict=True)
                for values in getattr(item, attribute)
            ],
            returning=False,
        )
    insert_rows(
        ContactLabel,
        ("contact_id", "label_id"),
        label_rows,
        ignore_conflicts=True,
    )
    insert_rows(
        ImportedContact,
        ("batch_id", "contact_id", "uid"),
        imported_rows,
        returning=False,
    )
    _save_photos([(pk, item.photo) for pk, item in zip(ids, items, strict=True)])
    return len(ids)


PHOTOS_PER_BATCH = 50


def _save_photos(photos: list[tuple[int, str]]) -> None:
    """Store the pictures of new or merged contacts whose `photo_key` is set.

    A few at a time, so memory holds a batch of pictures, not a file's worth.
    A picture that cannot be read after all (it was checked when the file was
    read) leaves its contact without a photo.
    """
    photos = [(pk, photo) for pk, photo in photos if photo]
    for start in range(0, len(photos), PHOTOS_PER_BATCH):
        rows, unreadable = [], []
        for pk, photo in photos[start : start + PHOTOS_PER_BATCH]:
            try:
                pictures = photo_pictures_from_bytes(base64.b64decode(photo))
            except (ValidationError, binascii.Error, ValueError):
                unreadable.append(pk)
                continue
            rows.append(ContactPhoto(contact_id=pk, **pictures))
        ContactPhoto.objects.bulk_create(rows)
        if unreadable:
            Contact.objects.filter(pk__in=unreadable).update(photo_key="")


def _instance(model, values: dict):
    """A model instance from complete column values, without `__init__`."""
    instance = model.__new__(model)
    instance.__dict__.update(values)
    instance._state = ModelState()
    return instance


_ROW_DEFAULTS: dict[type, dict] = {}


def _row_defaults(model) -> dict:
    """Every column of a new `model` row at its default, as `model()` sets it."""
    defaults = _ROW_DEFAULTS.get(model)
    if defaults is None:
        template = model()
        defaults = _ROW_DEFAULTS[model] = {
            field.attname: getattr(template, field.attname)
            for field in model._meta.concrete_fields
        }
    return defaults


def _row(model, **values):
    """A detail row for `bulk_create`, its other columns at their defaults."""
    return _instance(model, {**_row_defaults(model), **values})


def _labels_for(batch, owner, names_per_card: Iterable[list[str]]):
    """The import's own label (key None) and the labels its cards name.

    Labels the member has already (in any case) are reused; new ones are
    created while there is room under the labels limit. Returns the labels
    by lowercased name, the names left out for want of room, and the ids of
    the labels the cards named that were created.
    """
    existing = {
        label.name.lower(): label for label in Label.objects.filter(owner=owner)
    }
    limit = settings.RAPPORT_CONTACT_LABELS_MAX
    if len(existing) >= limit:
        raise ValidationError(
            _(
                "You have reached the limit of %(limit)s labels, and each import "
                "gets one of its own. Delete a label you no longer use first."
            )
            % {"limit": limit},
            code="labels_limit",
        )
    name = import_label_name_free(batch=batch, taken=existing)
    labels: dict = {None: label_for_name(owner=owner, name=name)}
    count = len(existing) + 1
    left_out: list[str] = []
    created: list[int] = []
    wanted: dict[str, str] = {}
    for names in names_per_card:
        for label_name in names:
            wanted.setdefault(label_name.lower(), label_name)
    for key, label_name in wanted.items():
        if key in existing:
            labels[key] = existing[key]
        elif count < limit:
            labels[key] = label_for_name(owner=owner, name=label_name)
            created.append(labels[key].pk)
            count += 1
        else:
            left_out.append(label_name)
    return labels, left_out, created


MERGEABLE_FIELDS = (
    "prefix",
    "given_name",
    "middle_name",
    "family_name",
    "suffix",
    "nickname",
    "organization",
    "job_title",
    "birthday_day",
    "birthday_month",
    "birthday_year",
)


class _Merge:
    """What one existing contact holds, and what an import adds to it."""

    def __init__(self, contact: Contact, limit: int):
        self.contact = contact
        self.limit = limit
        self.emails = [email.value for email in contact.emails.all()]
        self.phones = [(phone.value, phone.e164) for phone in contact.phones.all()]
        self.phone_keys = {e164 or value for value, e164 in self.phones}
        self.addresses = {
            tuple(getattr(address, part) for part in ContactAddress.PARTS)
            for address in contact.addresses.all()
        }
        self.websites = {website.url for website in contact.websites.all()}
        self.label_ids = {link.label_id for link in contact.label_links.all()}
        self.rows: list = []
        self.fields: dict = {}
        self.added_labels: list[int] = []
        self.photo = ""
        self.updated_before = contact.updated
        # Whether something new was left out: details past the limit of a
        # kind, or notes past their length.
        self.crowded = False

    def add(self, item: Prepared, labels: dict) -> None:
        contact = self.contact
        birthday_set = contact.birthday_day is not None
        # A contact known only by an email or a number takes the card's name
        # as shown; a contact with a name keeps the one it is shown by.
        nameless = not contact.display_name.strip() and not contact.composed_name
        for name in MERGEABLE_FIELDS:
            value = item.fields.get(name)
            if name.startswith("birthday") and birthday_set:
                continue
            if value and not getattr(contact, name):
                self.fields.setdefault(name, getattr(contact, name))
                setattr(contact, name, value)
        if nameless and item.fields.get("display_name"):
            self.fields.setdefault("display_name", contact.display_name)
            contact.display_name = item.fields["display_name"]
        if item.photo and not contact.photo_key:
            self.fields.setdefault("photo_key", "")
            contact.photo_key = new_photo_key()
            self.photo = item.photo
        # The card's paragraphs the contact's notes do not hold yet: a card
        # read again with lines kept for what it has no field for adds those.
        # Whole paragraphs are compared: "Leeds" is news to "Met at Leeds fair".
        held = {paragraph.strip() for paragraph in contact.notes.split("\n\n")}
        added = []
        for paragraph in item.fields.get("notes", "").split("\n\n"):
            paragraph = paragraph.strip()
            if paragraph and paragraph not in held:
                held.add(paragraph)
                added.append(paragraph)
        joined = "\n\n".join(filter(None, (contact.notes, *added)))
        if len(joined) > NOTES_MAX:
            self.crowded = True
            joined = joined[:NOTES_MAX]
        if joined != contact.notes:
            self.fields.setdefault("notes", contact.notes)
            contact.notes = joined
        pk = contact.pk
        for attribute, model, columns in _DETAIL_COLUMNS:
            for values in getattr(item, attribute):
                row = _row(
                    model, contact_id=pk, **dict(zip(columns, values, strict=True))
                )
                if self._is_new(row):
                    self.rows.append(row)
        for name in [None, *item.labels]:
            label = labels.get(None if name is None else name.lower())
            if label is not None and label.pk not in self.label_ids:
                self.label_ids.add(label.pk)
                self.added_labels.append(label.pk)
                self.rows.append(ContactLabel(contact_id=pk, label_id=label.pk))

    def _is_new(self, row) -> bool:
        """Whether the row adds a detail the contact lacks and has room for."""
        if isinstance(row, ContactEmail):
            if row.value in self.emails or self._full(self.emails):
                return False
            self.emails.append(row.value)
        elif isinstance(row, ContactPhone):
            key = row.e164 or row.value
            if key in self.phone_keys or self._full(self.phones):
                return False
            self.phone_keys.add(key)
            self.phones.append((row.value, row.e164))
        elif isinstance(row, ContactAddress):
            key = tuple(getattr(row, part) for part in ContactAddress.PARTS)
            if key in self.addresses or self._full(self.addresses):
                return False
            self.addresses.add(key)
        else:
            if row.url in self.websites or self._full(self.websites):
                return False
            self.websites.add(row.url)
        return True

    def _full(self, held) -> bool:
        """Whether a kind of detail is at its limit (a new one is left out)."""
        if len(held) < self.limit:
            return False
        self.crowded = True
        return True

    def undo_record(self) -> dict:
        rows: dict[str, list[int]] = defaultdict(list)
        for row in self.rows:
            if not isinstance(row, ContactLabel):
                rows[type(row).__name__].append(row.pk)
        return {
            "fields": self.fields,
            "rows": dict(rows),
            "labels": self.added_labels,
            "updated": self.updated_before.isoformat(),
        }


def _merge_into_existing(
    items: list[Prepared], *, labels: dict, now
) -> tuple[dict, list[str]]:
    """Add the cards' details to the contacts they duplicate.

    Only what the contact lacks is added: new emails, phones, addresses,
    websites and labels, empty fields filled, notes appended. Returns what
    was added to each contact, so that undo can take it back, and the names
    of the contacts that had no room for something new.
    """
    by_contact: dict[int, list[Prepared]] = defaultdict(list)
    for item in items:
        by_contact[item.matches[0]].append(item)
    limit = settings.RAPPORT_CONTACT_DETAILS_MAX
    undo: dict[str, dict] = {}
    crowded: list[str] = []
    for chunk in _chunks(sorted(by_contact), BATCH_SIZE):
        merges = [
            _Merge(contact, limit)
            for contact in Contact.objects.filter(pk__in=chunk)
            .prefetch_related(*_DETAILS_ORDERED, "label_links")
            .order_by("pk")
        ]
        new_rows: dict[type, list] = defaultdict(list)
        for merge in merges:
            for item in by_contact[merge.contact.pk]:
                merge.add(item, labels)
            for row in merge.rows:
                new_rows[type(row)].append(row)
            merge.contact.updated = now
            merge.contact.derive_names(emails=merge.emails, phones=merge.phones)
        for model, rows in new_rows.items():
            model.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        for merge in merges:
            undo[str(merge.contact.pk)] = merge.undo_record()
            if merge.crowded:
                crowded.append(merge.contact.shown_name)
        Contact.objects.bulk_update(
            [merge.contact for merge in merges],
            [
                *MERGEABLE_FIELDS,
                "display_name",
                "notes",
                "photo_key",
                "updated",
                *Contact.DERIVED_FIELDS,
            ],
            batch_size=BATCH_SIZE,
        )
        _save_photos([(merge.contact.pk, merge.photo) for merge in merges])
    return undo, crowded


_DETAILS_ORDERED = (
    Prefetch("emails", queryset=ContactEmail.objects.order_by("id")),
    Prefetch("phones", queryset=ContactPhone.objects.order_by("id")),
    Prefetch("addresses", queryset=ContactAddress.objects.order_by("id")),
    Prefetch("websites", queryset=ContactWebsite.objects.order_by("id")),
)


# ---------------------------------------------------------------------------
# Undo, discard
# ---------------------------------------------------------------------------


@transaction.atomic
def import_undo_start(*, batch: ContactImport) -> ContactImport:
    """Undo an import: at once when small, in the background when large.

    Undoing twice (a double click) undoes once.
    """
    locked = ContactImport.objects.select_for_update().get(pk=batch.pk)
    if locked.status != Status.DONE:
        return locked
    imports_end_stopped(owner=locked.owner)
    locked.status = Status.UNDOING
    locked.started = timezone.now()
    locked.error = ""
    try:
        with transaction.atomic():
            locked.save(update_fields=["status", "started", "error"])
    except IntegrityError:
        raise ValidationError(
            _("Another import or undo of yours is running. Wait until it is done."),
            code="busy",
        ) from None
    from contacts.tasks import contacts_import_undo

    size = locked.created_count + locked.merged_count
    if size <= settings.RAPPORT_IMPORT_INLINE_CONTACTS:
        transaction.on_commit(lambda: import_undo(batch_id=locked.pk))
    else:
        transaction.on_commit(lambda: contacts_import_undo.enqueue(locked.pk))
    return locked


def import_undo(*, batch_id: int) -> ContactImport | None:
    """Delete the contacts the import added and take back what it merged.

    A contact edited since the import (saved in the editor, or merged) is
    kept as it is; the import remembers which, to tell the member. On any
    failure nothing is undone and the import is back to done, saying so.
    """
    try:
        return _import_undo(batch_id)
    except Exception:
        logger.exception("Undoing import %s failed", batch_id)
        ContactImport.objects.filter(pk=batch_id, status=Status.UNDOING).update(
            status=Status.DONE,
            error=_(
                "Something went wrong while undoing the import; nothing was "
                "undone. Try again."
            ),
        )
        return ContactImport.objects.filter(pk=batch_id).first()


@transaction.atomic
def _import_undo(batch_id: int) -> ContactImport | None:
    batch = (
        ContactImport.objects.select_for_update()
        .filter(pk=batch_id, status=Status.UNDOING)
        .first()
    )
    if batch is None:
        return None
    address_book_locked(owner=batch.owner)
    items = Contact.objects.filter(import_record__batch=batch, owner=batch.owner)
    kept = list(
        items.filter(updated__gt=batch.finished)
        .order_by("sort_name", "pk")
        .values_list("pk", "shown_name")
    )
    doomed = list(
        items.filter(updated__lte=batch.finished)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for chunk in _chunks(doomed, BATCH_SIZE):
        Contact.objects.filter(pk__in=chunk).delete()
    kept += _undo_merges(batch)
    address_book_changed(owner=batch.owner)
    # The import's own label and those it created for the cards go, when
    # no contact has them any more (the member may have used them since).
    made = [pk for pk in (batch.label_id, *batch.labels_created) if pk]
    empty = list(
        Label.objects.filter(
            pk__in=made, owner=batch.owner, links__isnull=True
        ).values_list("pk", flat=True)
    )
    Label.objects.filter(pk__in=empty).delete()
    if batch.label_id in empty:
        batch.label = None
    batch.status = Status.UNDONE
    batch.undone = timezone.now()
    batch.kept_count = len(kept)
    batch.kept = [{"id": pk, "name": name} for pk, name in kept[:KEPT_LISTED]]
    batch.merged = {}
    batch.save()
    return batch


def _undo_merges(batch: ContactImport) -> list[tuple[int, str]]:
    """Take back the details merged into existing contacts not edited since."""
    kept = []
    models = {
        model.__name__: model
        for model in (ContactEmail, ContactPhone, ContactAddress, ContactWebsite)
    }
    ids = sorted(int(pk) for pk in batch.merged)
    for chunk in _chunks(ids, BATCH_SIZE):
        contacts = {
            contact.pk: contact
            for contact in Contact.objects.filter(pk__in=chunk, owner=batch.owner)
        }
        undone = []
        for pk, contact in contacts.items():
            if contact.updated > batch.finished:
                kept.append((pk, contact.shown_name))
            else:
                undone.append(pk)
        rows: dict[str, list[int]] = defaultdict(list)
        label_links = []
        for pk in undone:
            record = batch.merged[str(pk)]
            for model_name, row_ids in record["rows"].items():
                rows[model_name].extend(row_ids)
            label_links.extend((pk, label_id) for label_id in record["labels"])
        for model_name, row_ids in rows.items():
            models[model_name].objects.filter(
                pk__in=row_ids, contact_id__in=undone
            ).delete()
        for pk, label_id in label_links:
            ContactLabel.objects.filter(contact_id=pk, label_id=label_id).delete()
        restored = list(
            Contact.objects.filter(pk__in=undone)
            .prefetch_related(*_DETAILS_ORDERED[:2])
            .order_by("pk")
        )
        photos_added = []
        for contact in restored:
            record = batch.merged[str(contact.pk)]
            if "photo_key" in record["fields"]:
                photos_added.append(contact.pk)
            for name, value in record["fields"].items():
                setattr(contact, name, value)
            contact.updated = datetime.datetime.fromisoformat(record["updated"])
            contact.derive_names(
                emails=[email.value for email in contact.emails.all()],
                phones=[(phone.value, phone.e164) for phone in contact.phones.all()],
            )
        Contact.objects.bulk_update(
            restored,
            [
                *MERGEABLE_FIELDS,
                "display_name",
                "notes",
                "photo_key",
                "updated",
                *Contact.DERIVED_FIELDS,
            ],
            batch_size=BATCH_SIZE,
        )
        ContactPhoto.objects.filter(contact_id__in=photos_added).delete()
    return kept


@transaction.atomic
def import_discard(*, batch: ContactImport) -> None:
    """Forget an import that was never saved (its preview, or a failure)."""
    ContactImport.objects.filter(pk=batch.pk, status__in=CANCELLABLE_STATUSES).delete()


def imports_end_stopped(*, owner=None, now=None) -> int:
    """End the reading, importing or undoing that stopped without finishing.

    Work still going after RAPPORT_IMPORT_WORK_MINUTES was stopped (a worker
    restarted mid-task, or none runs): as each is one transaction, nothing
    of it was saved. A read or an import ends failed, an undo ends back at
    done, each saying so, so the member is never stuck behind it. For one
    member (`owner`), or everyone. Returns how many were ended.
    """
    stopped = ContactImport.objects.filter(
        status__in=WORKING_STATUSES,
        started__lt=_work_cutoff(now),
    )
    if owner is not None:
        stopped = stopped.filter(owner=owner)
    ended = 0
    for batch in stopped.select_related("owner").only(
        "pk", "owner", "status", "file_format"
    ):
        with transaction.atomic():
            # Work still running holds this lock until it is done.
            address_book_locked(owner=batch.owner)
            if batch.status == Status.UNDOING:
                ended += ContactImport.objects.filter(
                    pk=batch.pk, status=Status.UNDOING
                ).update(
                    status=Status.DONE,
                    error=_(
                        "Undoing the import stopped before it finished; nothing "
                        "was undone. Try again."
                    ),
                )
            elif ContactImport.objects.filter(
                pk=batch.pk, status=batch.status
            ).exists():
                _fail(
                    batch,
                    _("Reading the file stopped before it finished. Upload it again.")
                    if batch.status == Status.READING
                    else _(
                        "The import stopped before it finished; nothing was "
                        "imported. Try again."
                    ),
                )
                ended += 1
    return ended


def _work_cutoff(now=None) -> datetime.datetime:
    return (now or timezone.now()) - datetime.timedelta(
        minutes=settings.RAPPORT_IMPORT_WORK_MINUTES
    )


def import_end_if_stopped(batch: ContactImport) -> ContactImport:
    """The import as it is, once ended if its work stopped (see below)."""
    if batch.is_working and batch.started < _work_cutoff():
        imports_end_stopped(owner=batch.owner)
        batch.refresh_from_db()
    return batch


def imports_purge_stale(*, now=None) -> int:
    """Forget imports left unsaved (previews, failures) for RAPPORT_IMPORT_KEEP_DAYS.

    Their files hold other people's details; nobody should keep them by
    forgetting to press Import or Cancel. Returns how many were forgotten.
    """
    cutoff = (now or timezone.now()) - datetime.timedelta(
        days=settings.RAPPORT_IMPORT_KEEP_DAYS
    )
    stale = ContactImport.objects.filter(
        created__lt=cutoff,
        status__in=CANCELLABLE_STATUSES,
    )
    count = 0
    while ids := list(stale.values_list("pk", flat=True)[:500]):
        # By id, so the stored files are never read just to be deleted.
        doomed = ContactImport.objects.filter(pk__in=ids).only("pk")
        _deleted, by_model = doomed.delete()
        count += by_model.get("contacts.ContactImport", 0)
    return count
