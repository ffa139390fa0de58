"""vCard: a plain data class for one card, a writer (3.0 and 4.0) and a reader.

`VCard` knows nothing about Django or the database: `write_vcard()` turns one
into text, `read_vcards()` turns a file (vCard 2.1, 3.0 or 4.0, as Apple,
Google, Outlook, Android and Thunderbird write them) into cards, and
`vcard_from_contact()` fills one from a contact of the address book.

Labels follow what the address book apps agree on: the standard kinds are
`TYPE` parameters (`HOME`, `WORK`, `CELL`…), anything else is a custom label
written Apple's way, as an `itemN.` group carrying an `X-ABLabel`.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import datetime
import functools
import io
import re
import urllib.parse
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from contacts.text import whole_name

VERSIONS = ("3.0", "4.0")
CONTENT_TYPE = "text/vcard"
PRODID = "-//Rapport//Contacts//EN"
FOLD_OCTETS = 75

# The label kinds of the address book (`DetailLabel` values), kept as plain
# strings so this module stays free of Django.
HOME, WORK, MOBILE, OTHER, CUSTOM = "home", "work", "mobile", "other", "custom"

# Apple writes its standard labels as tokens; they mean a kind, not a name.
APPLE_LABELS = {
    "_$!<home>!$_": HOME,
    "_$!<work>!$_": WORK,
    "_$!<mobile>!$_": MOBILE,
    "_$!<other>!$_": OTHER,
}
APPLE_NAMED = {
    "_$!<main>!$_": "Main",
    "_$!<homepage>!$_": "Home page",
    "_$!<homefax>!$_": "Home fax",
    "_$!<workfax>!$_": "Work fax",
    "_$!<otherfax>!$_": "Other fax",
    "_$!<pager>!$_": "Pager",
    "_$!<school>!$_": "School",
    "_$!<assistant>!$_": "Assistant",
}
KIND_TOKENS = {MOBILE: "_$!<Mobile>!$_", OTHER: "_$!<Other>!$_"}

# Favourites travel as Google's "starred" group, in vCards and in CSV alike.
FAVORITE_CATEGORY = "starred"
# Groups Google adds to every card; they are not labels anyone made.
SYSTEM_CATEGORIES = {"mycontacts", "my contacts", "other contacts"}

# A stable namespace for the UIDs of cards that never had one.
CONTACT_UID_NAMESPACE = uuid.UUID("6f1c1b52-5f0e-4f43-9a37-2f4f3bde0a61")


@dataclass
class TypedValue:
    """An email, phone or web address with its kind or custom label.

    `kind` is one of home, work, mobile, other or custom; `label` names a
    custom one ("Assistant", "Fax").
    """

    value: str
    kind: str = OTHER
    label: str = ""


@dataclass
class Address:
    """A postal address; `street` may hold several lines."""

    street: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""
    kind: str = OTHER
    label: str = ""
    po_box: str = ""
    extended: str = ""

    def is_empty(self) -> bool:
        return not any(
            (
                self.street,
                self.city,
                self.region,
                self.postal_code,
                self.country,
                self.po_box,
                self.extended,
            )
        )


@dataclass
class Birthday:
    """A birthday; `year` is None when the card does not say it."""

    month: int
    day: int
    year: int | None = None


@dataclass
class Photo:
    """A picture carried in the card (`data`) or pointed to (`uri`)."""

    data: bytes = b""
    media_type: str = "image/jpeg"
    uri: str = ""


# What an `Extra` is: its kind says which heading it gets in the notes when
# the file gives it no label of its own.
ANNIVERSARY, DATE, DEATHDATE = "anniversary", "date", "deathdate"
RELATED, SPOUSE, ASSISTANT, MANAGER = "related", "spouse", "assistant", "manager"
IM, SOCIAL, COLUMN = "im", "social", "column"
# A birthday the reader could not make a date of, kept as the file wrote it.
BIRTHDAY = "birthday"
PHONETIC_GIVEN, PHONETIC_MIDDLE = "phonetic_given", "phonetic_middle"
PHONETIC_FAMILY, PHONETIC_ORGANIZATION = "phonetic_family", "phonetic_organization"
DATE_EXTRAS = frozenset({ANNIVERSARY, DATE, DEATHDATE})


@dataclass
class Extra:
    """A value a contact card has no field for, kept as a line of its notes.

    `label` is the file's own name for it ("Spouse", "Skype", a CSV column's
    name); without one the notes use the heading of its `kind`.
    """

    kind: str
    value: str
    label: str = ""


@dataclass
class VCard:
    """One card, whatever version it was read from or will be written as."""

    formatted_name: str = ""
    prefix: str = ""
    given_name: str = ""
    middle_name: str = ""
    family_name: str = ""
    suffix: str = ""
    nickname: str = ""
    organization: str = ""
    department: str = ""
    title: str = ""
    emails: list[TypedValue] = field(default_factory=list)
    phones: list[TypedValue] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)
    urls: list[TypedValue] = field(default_factory=list)
    birthday: Birthday | None = None
    note: str = ""
    extras: list[Extra] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    photo: Photo | None = None
    uid: str = ""
    revision: datetime.datetime | None = None
    # Where the card was read from, and what the reader noticed about it.
    line: int = 0
    version: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def composed_name(self) -> str:
        return whole_name(
            self.prefix,
            self.given_name,
            self.middle_name,
            self.family_name,
            self.suffix,
        )

    def implied_name(self) -> str:
        """The name the card shows without FN: name parts, nickname, org…"""
        return (
            self.composed_name
            or self.nickname.strip()
            or self.organization.strip()
            or (self.emails[0].value.strip() if self.emails else "")
            or (self.phones[0].value.strip() if self.phones else "")
        )

    def name_to_show(self) -> str:
        """FN, else the name the rest of the card implies."""
        return self.formatted_name.strip() or self.implied_name()

    def keep_unread_birthday(self, written: str) -> None:
        """A birthday that is no date ("circa 1980", "1986-02-30") goes to the
        notes as the file wrote it, with a notice, rather than being lost."""
        self.warnings.append(
            f"birthday “{written[:40]}” was not understood; kept in the notes"
        )
        self.extras.append(Extra(BIRTHDAY, written))


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------

_TEXT_ESCAPES = str.maketrans(
    {"\\": "\\\\", ",": "\\,", ";": "\\;", "\n": "\\n", "\r": ""}
)


def escape_text(value: str) -> str:
    """Escape a TEXT value: backslash, comma, semicolon and newlines."""
    return value.replace("\r\n", "\n").translate(_TEXT_ESCAPES)


def _one_line(value: str) -> str:
    """A URI or other non-text value: no line breaks may get through."""
    return " ".join(value.split("\n")).replace("\r", "")


def fold_line(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character."""
    if len(line) <= FOLD_OCTETS // 4 or len(line.encode()) <= FOLD_OCTETS:
        return line
    pieces, current, size = [], [], 0
    limit = FOLD_OCTETS
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            pieces.append("".join(current))
            current, size = [], 0
            limit = FOLD_OCTETS - 1  # continuation lines start with a space
        current.append(char)
        size += width
    pieces.append("".join(current))
    return "\r\n ".join(pieces)


class _Writer:
    def __init__(self, version: str):
        if version not in VERSIONS:
            raise ValueError(f"vCard version must be one of {VERSIONS}")
        self.version = version
        self.v4 = version == "4.0"
        self.lines: list[str] = []
        self.groups = 0

    def add(self, name: str, value: str, params: str = "", group: str = "") -> None:
        prefix = f"{group}." if group else ""
        self.lines.append(fold_line(f"{prefix}{name}{params}:{value}"))

    def typed(self, name: str, item: TypedValue, types: list[str], value: str):
        """A property with its TYPE, or a custom label in an `itemN.` group."""
        as_types = _KINDS_AS_TYPES[name]
        label = ""
        if item.kind == CUSTOM and item.label.strip():
            label = item.label.strip()
        elif item.kind in as_types:
            types = types + as_types[item.kind]
        elif item.kind in KIND_TOKENS:
            label = KIND_TOKENS[item.kind]
        group = ""
        if label:
            self.groups += 1
            group = f"item{self.groups}"
        self.add(name, value, self.type_param(types), group)
        if label:
            self.add("X-ABLabel", escape_text(label), group=group)

    def type_param(self, types: list[str]) -> str:
        if not types:
            return ""
        if self.v4:
            return ";TYPE=" + ",".join(kind.lower() for kind in types)
        return ";TYPE=" + ",".join(kind.upper() for kind in types)


# The kinds each property can say with TYPE; other kinds get a label.
_KINDS_AS_TYPES = {
    "EMAIL": {HOME: ["home"], WORK: ["work"], OTHER: []},
    "TEL": {HOME: ["home"], WORK: ["work"], MOBILE: ["cell"], OTHER: ["voice"]},
    "ADR": {HOME: ["home"], WORK: ["work"], OTHER: []},
    "URL": {HOME: ["home"], WORK: ["work"], OTHER: []},
}


def write_vcard(card: VCard, *, version: str = "3.0") -> str:
    """The card as vCard text (CRLF line endings, folded at 75 octets)."""
    out = _Writer(version)
    out.add("BEGIN", "VCARD")
    out.add("VERSION", version)
    out.add("PRODID", PRODID)
    if card.uid:
        out.add("UID", _one_line(card.uid))
    out.add("FN", escape_text(card.name_to_show()))
    name_parts = (
        card.family_name,
        card.given_name,
        card.middle_name,
        card.prefix,
        card.suffix,
    )
    out.add("N", ";".join(escape_text(part) for part in name_parts))
    if card.nickname:
        out.add("NICKNAME", escape_text(card.nickname))
    if card.organization or card.department:
        org = escape_text(card.organization)
        if card.department:
            org += ";" + escape_text(card.department)
        out.add("ORG", org)
    if card.title:
        out.add("TITLE", escape_text(card.title))
    for email in card.emails:
        types = [] if out.v4 else ["internet"]
        out.typed("EMAIL", email, types, escape_text(email.value))
    for phone in card.phones:
        out.typed("TEL", phone, [], escape_text(phone.value))
    for address in card.addresses:
        parts = (
            address.po_box,
            address.extended,
            address.street,
            address.city,
            address.region,
            address.postal_code,
            address.country,
        )
        out.typed("ADR", address, [], ";".join(escape_text(part) for part in parts))
    for url in card.urls:
        out.typed("URL", url, [], _one_line(url.value))
    if card.birthday:
        out.add("BDAY", _birthday_text(card.birthday, v4=out.v4))
    if card.note:
        out.add("NOTE", escape_text(card.note))
    if card.categories:
        out.add("CATEGORIES", ",".join(escape_text(name) for name in card.categories))
    if card.photo:
        _write_photo(out, card.photo)
    if card.revision:
        moment = card.revision.astimezone(datetime.UTC)
        out.add(
            "REV", moment.strftime("%Y%m%dT%H%M%SZ" if out.v4 else "%Y-%m-%dT%H:%M:%SZ")
        )
    out.add("END", "VCARD")
    return "\r\n".join(out.lines) + "\r\n"


def write_vcards(cards: Iterable[VCard], *, version: str = "3.0") -> Iterator[str]:
    """Each card as text, one after the other, for a file of many cards."""
    for card in cards:
        yield write_vcard(card, version=version)


def _birthday_text(birthday: Birthday, *, v4: bool) -> str:
    month, day = birthday.month, birthday.day
    if birthday.year:
        if v4:
            return f"{birthday.year:04d}{month:02d}{day:02d}"
        return f"{birthday.year:04d}-{month:02d}-{day:02d}"
    return f"--{month:02d}{day:02d}" if v4 else f"--{month:02d}-{day:02d}"


def _write_photo(out: _Writer, photo: Photo) -> None:
    if photo.data:
        encoded = base64.b64encode(photo.data).decode("ascii")
        media_type = photo.media_type or "image/jpeg"
        if out.v4:
            out.add("PHOTO", f"data:{media_type};base64,{encoded}")
        else:
            subtype = media_type.split("/")[-1].upper()
            out.add("PHOTO", encoded, f";ENCODING=b;TYPE={subtype}")
    elif photo.uri:
        out.add("PHOTO", _one_line(photo.uri), "" if out.v4 else ";VALUE=uri")


# ---------------------------------------------------------------------------
# From the address book
# ---------------------------------------------------------------------------


def contact_uid(contact) -> str:
    """The UID a contact is exported with when it did not bring its own."""
    return f"urn:uuid:{uuid.uuid5(CONTACT_UID_NAMESPACE, f'contact:{contact.pk}')}"


def vcard_from_contact(contact, *, uid: str = "") -> VCard:
    """A card holding everything the contact holds.

    Needs the contact's emails, phones, addresses, websites and labels
    (prefetch them for many contacts). `uid` defaults to `contact_uid()`.
    """
    return vcard_of(
        contact,
        uid=uid,
        emails=[_typed(email, email.value) for email in contact.emails.all()],
        phones=[_typed(phone, phone.value) for phone in contact.phones.all()],
        addresses=[
            Address(
                street=address.street,
                city=address.city,
                region=address.region,
                postal_code=address.postal_code,
                country=address.country,
                kind=address.label,
                label=address.custom_label,
            )
            for address in contact.addresses.all()
        ],
        urls=[_typed(website, website.url) for website in contact.websites.all()],
        categories=[label.name for label in contact.labels.all()],
    )


def vcard_of(
    contact,
    *,
    uid: str,
    emails: list[TypedValue],
    phones: list[TypedValue],
    addresses: list[Address],
    urls: list[TypedValue],
    categories: list[str],
    photo: bytes | None = None,
) -> VCard:
    """A card from a contact's fields (a model, or a row of its values with
    `pk`) and its details, already in the card's terms; `photo` is a JPEG."""
    display = contact.display_name.strip()
    if contact.is_favorite:
        categories = [*categories, FAVORITE_CATEGORY]
    birthday = None
    if contact.birthday_day and contact.birthday_month:
        birthday = Birthday(
            month=contact.birthday_month,
            day=contact.birthday_day,
            year=contact.birthday_year or None,
        )
    return VCard(
        uid=uid or contact_uid(contact),
        formatted_name=display or contact.shown_name,
        prefix=contact.prefix,
        given_name=contact.given_name,
        middle_name=contact.middle_name,
        family_name=contact.family_name,
        suffix=contact.suffix,
        nickname=contact.nickname,
        organization=contact.organization,
        title=contact.job_title,
        emails=emails,
        phones=phones,
        addresses=addresses,
        urls=urls,
        birthday=birthday,
        note=contact.notes,
        categories=categories,
        revision=contact.updated,
        photo=Photo(data=photo, media_type="image/jpeg") if photo else None,
    )


def _typed(detail, value: str) -> TypedValue:
    return TypedValue(value=value, kind=detail.label, label=detail.custom_label)


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------

# A value longer than this (a photo aside) is not a contact field but an attack
# or a broken file; the card is refused with the line it starts on.
MAX_VALUE_CHARS = 256 * 1024
MAX_PHOTO_BYTES = 5 * 1024 * 1024
# Fewer than an upload may have: a 10 MB file could hold a hundred pictures
# that compress to nothing, and each is decoded whole when it is imported.
MAX_PHOTO_PIXELS = 16_000_000
# As for a photo uploaded on the contact's page (connections.photos); a card's
# picture is kept however small, as the app it comes from showed it.
PHOTO_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
# Cards inside cards (vCard 2.1's AGENT) are skipped; deeper than this the
# card is refused.
MAX_NESTING = 3

# Properties with no field on a contact card but worth keeping: each becomes
# a line of the notes (see `Extra`), as (kind of extra, label it implies).
NOTED = {
    "ANNIVERSARY": (ANNIVERSARY, ""),
    "X-ANNIVERSARY": (ANNIVERSARY, ""),
    "X-ABDATE": (DATE, ""),
    "DEATHDATE": (DEATHDATE, ""),
    "RELATED": (RELATED, ""),
    "X-ABRELATEDNAMES": (RELATED, ""),
    "X-SPOUSE": (SPOUSE, ""),
    "X-ASSISTANT": (ASSISTANT, ""),
    "X-MANAGER": (MANAGER, ""),
    "IMPP": (IM, ""),
    "X-AIM": (IM, "AIM"),
    "X-ICQ": (IM, "ICQ"),
    "X-JABBER": (IM, "Jabber"),
    "X-MSN": (IM, "MSN"),
    "X-YAHOO": (IM, "Yahoo"),
    "X-SKYPE": (IM, "Skype"),
    "X-SKYPE-USERNAME": (IM, "Skype"),
    "X-GOOGLE-TALK": (IM, "Google Talk"),
    "X-GTALK": (IM, "Google Talk"),
    "X-QQ": (IM, "QQ"),
    "X-SOCIALPROFILE": (SOCIAL, ""),
    # Outlook's, Evolution's and KAddressBook's names for the same.
    "X-MS-ANNIVERSARY": (ANNIVERSARY, ""),
    "X-MS-SPOUSE": (SPOUSE, ""),
    "X-MS-MANAGER": (MANAGER, ""),
    "X-MS-ASSISTANT": (ASSISTANT, ""),
    "X-MS-IMADDRESS": (IM, ""),
    "X-EVOLUTION-ANNIVERSARY": (ANNIVERSARY, ""),
    "X-EVOLUTION-SPOUSE": (SPOUSE, ""),
    "X-EVOLUTION-MANAGER": (MANAGER, ""),
    "X-EVOLUTION-ASSISTANT": (ASSISTANT, ""),
    "X-KADDRESSBOOK-X-ANNIVERSARY": (ANNIVERSARY, ""),
    "X-KADDRESSBOOK-X-SPOUSESNAME": (SPOUSE, ""),
    "X-KADDRESSBOOK-X-MANAGERSNAME": (MANAGER, ""),
    "X-KADDRESSBOOK-X-ASSISTANTSNAME": (ASSISTANT, ""),
    # Thunderbird's Custom 1 to 4 fields.
    **{f"X-CUSTOM{number}": (COLUMN, f"Custom {number}") for number in range(1, 5)},
    # How to say a name written in kanji, as Apple and Android write it.
    "X-PHONETIC-FIRST-NAME": (PHONETIC_GIVEN, ""),
    "X-PHONETIC-MIDDLE-NAME": (PHONETIC_MIDDLE, ""),
    "X-PHONETIC-LAST-NAME": (PHONETIC_FAMILY, ""),
    "X-PHONETIC-ORG": (PHONETIC_ORGANIZATION, ""),
}
# Properties with no place on a contact card, named as the preview reports them.
NOT_KEPT = {
    "LOGO": "logos",
    "GENDER": "genders",
    "X-GENDER": "genders",
    "GEO": "map locations",
    "TZ": "time zones",
    "SOUND": "sounds",
    "KEY": "keys",
    "AGENT": "embedded cards",
}


class VCardFileError(ValueError):
    """The whole file cannot be read; the message says why, for the member."""


@dataclass
class ReadProblem:
    """A card that could not be read, and why."""

    line: int
    reason: str


@dataclass
class ReadResult:
    cards: list[VCard] = field(default_factory=list)
    problems: list[ReadProblem] = field(default_factory=list)
    # Properties skipped for want of a place on a card: {"photos": 3}.
    not_kept: dict[str, int] = field(default_factory=dict)
    too_many: bool = False
    # Group cards, which became labels on the cards they name.
    groups: list[GroupRead] = field(default_factory=list)


@dataclass
class GroupRead:
    """A group card (vCard 4.0's KIND:group, Apple's server groups): a label."""

    line: int
    name: str
    members: int
    found: int


_UNESCAPE = re.compile(r"\\(.)", re.DOTALL)
_UNESCAPED = {"n": "\n", "N": "\n"}
_SURROGATES = re.compile("[\ud800-\udfff]")
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Anything `clean_text` would change: one search lets clean values through.
_UNCLEAN = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
_DATE = re.compile(
    r"^(?:(?P<year>\d{4})-?(?P<month>\d{2})-?(?P<day>\d{2})"
    r"|--(?P<nmonth>\d{2})-?(?P<nday>\d{2}))"
    r"(?:T(?P<hour>\d{2})?[^Z+-]*(?P<utc>Z|[+-]00:?00)?.*)?$"
)
# A birthday given as a time in UTC from this hour on is local midnight of
# the next day east of Greenwich (Exchange's "1985-04-11T22:00:00Z" for 12
# April in Paris); before it, west of Greenwich or noon, the day written.
_UTC_EVENING = 13
_APPLE_TOKEN = re.compile(r"^_\$!<(.*)>!\$_$")
# Invisible marks that set the direction of a run of text.
_DIRECTION_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def unescape(value: str) -> str:
    """Undo vCard escaping: `\\n` is a line break, `\\x` is `x`."""
    if "\\" not in value:
        return value
    return _UNESCAPE.sub(lambda match: _UNESCAPED.get(match[1], match[1]), value)


def split_escaped(value: str, separator: str) -> list[str]:
    """Split on `separator` where it is not escaped; parts stay escaped."""
    if "\\" not in value:
        return value.split(separator)
    parts, current, index, size = [], [], 0, len(value)
    while index < size:
        char = value[index]
        if char == "\\" and index + 1 < size:
            current.append(value[index : index + 2])
            index += 2
            continue
        if char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    parts.append("".join(current))
    return parts


def clean_text(value: str) -> str:
    """No stray bytes, NULs or control characters reach a contact.

    Line breaks become plain `\n`, whatever the file used.
    """
    if not _UNCLEAN.search(value):
        return value
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if _SURROGATES.search(value):
        value = _SURROGATES.sub("\ufffd", value)
    if _CONTROLS.search(value):
        value = _CONTROLS.sub("", value)
    return value


def _split_quoted(text: str, separator: str) -> list[str]:
    """Split a property's name and parameters, respecting quoted values."""
    if '"' not in text:
        return text.split(separator)
    parts, current, quoted = [], [], False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def _value_colon(line: str) -> int:
    """Where the value starts: the first colon outside a quoted parameter."""
    colon = line.find(":")
    if colon < 0 or '"' not in line[:colon]:
        return colon
    quoted = False
    for index, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            return index
    return -1


def _param_value(raw: str) -> list[str]:
    values = []
    for item in _split_quoted(raw, ","):
        item = item.strip()
        if len(item) >= 2 and item[0] == '"' and item[-1] == '"':
            item = item[1:-1]
        if "^" in item:  # RFC 6868 escapes in parameter values
            item = item.replace("^n", "\n").replace("^'", '"').replace("^^", "^")
        values.append(item)
    return values


@dataclass
class _Property:
    line: int
    group: str
    name: str
    params: dict[str, list[str]]
    value: str

    def types(self) -> set[str]:
        # TYPE="work,voice" (quoted, vCard 4.0) is a list too.
        return {
            kind.strip().lower()
            for value in self.params.get("TYPE", ())
            for kind in value.split(",")
        }


def _parse_property(number: int, line: str) -> _Property | None:
    colon = _value_colon(line)
    if colon <= 0:
        return None
    head, value = line[:colon], line[colon + 1 :]
    if ";" in head:
        pieces = _split_quoted(head, ";")
        full_name, raw_params = pieces[0], pieces[1:]
    else:
        full_name, raw_params = head, ()
    group, _, name = full_name.rpartition(".")
    params: dict[str, list[str]] = {}
    for raw in raw_params:
        key, equals, rest = raw.partition("=")
        if equals:
            params.setdefault(key.strip().upper(), []).extend(_param_value(rest))
        elif raw.strip():  # vCard 2.1: a bare type such as `TEL;HOME;VOICE:`
            bare = raw.strip()
            upper = bare.upper()
            if upper in {"QUOTED-PRINTABLE", "BASE64", "B", "8BIT", "7BIT"}:
                params.setdefault("ENCODING", []).append(upper)
            else:
                params.setdefault("TYPE", []).append(bare)
    return _Property(number, group.lower(), name.strip().upper(), params, value)


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """Unfold the file: (number of the first physical line, logical line).

    A line starting with a space or tab continues the one before, blank
    lines between them aside; so does the line after a quoted-printable value
    ending in `=` (a soft break) and, in vCard 2.1, the unindented lines of a
    base64 value up to a blank line.
    """
    physical = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    current: list[str] = []
    start = 0
    soft_break = False
    base64_open = False
    for number, raw in enumerate(physical, 1):
        if current:
            if soft_break:
                current[-1] = current[-1][:-1]
                current.append(raw)
                soft_break = raw.endswith("=")
                continue
            if raw[:1] in (" ", "\t"):
                current.append(raw[1:])
                continue
            if base64_open and raw.strip() and ":" not in raw:
                current.append(raw.strip())
                continue
            if not raw.strip():
                # A blank line ends a vCard 2.1 base64 block, but not the
                # line: in a file whose line ends were written twice (CR CR
                # LF, CRLF sent through a text-mode file on Windows) a blank
                # line comes between each line and its fold.
                base64_open = False
                continue
            yield start, "".join(current)
            current = []
        if not raw.strip():
            base64_open = False
            continue
        current = [raw]
        start = number
        head = raw[: raw.find(":")] if ":" in raw else ""
        upper = head.upper()
        soft_break = "QUOTED-PRINTABLE" in upper and raw.endswith("=")
        base64_open = "BASE64" in upper
    if current:
        yield start, "".join(current)


# The file codec of a file whose lines were each decoded with the charset
# their property names, when it is not a Western one (`foreign_codec()`):
# the other lines were read as UTF-8, or Windows-1252 where they are not.
CHARSETS_APPLIED = "charsets-applied"
_WESTERN_CODECS = frozenset({"ascii", "cp1252", "iso8859-1", "iso8859-15", "latin-1"})


_PRINTABLE_ASCII = bytes(range(0x20, 0x7F))


@functools.lru_cache(maxsize=64)
def foreign_codec(charset: str) -> str:
    """The codec of a property's CHARSET that a file's lines are decoded
    with (GB18030, Shift_JIS, Big5…), or "" for UTF-8, the Western ones
    (which reading UTF-8 else Windows-1252 serves), names of no codec and
    codecs that do not read ASCII as ASCII (EBCDIC, UTF-7)."""
    try:
        info = codecs.lookup(charset)
    except (LookupError, ValueError):
        return ""
    name = info.name
    if name in _WESTERN_CODECS or name.startswith("utf"):
        return ""
    try:
        if _PRINTABLE_ASCII.decode(name) != _PRINTABLE_ASCII.decode("ascii"):
            return ""
    except (LookupError, UnicodeDecodeError):  # not a text encoding
        return ""
    return _SUPERSETS.get(name, name)


# What phones and Windows write under these names holds more than the
# standard: Shift_JIS has no 髙 or 﨑, common in Japanese family names, nor
# ①; GB2312 lacks rarer names' characters that GBK and GB18030 have.
_SUPERSETS = {
    "shift_jis": "cp932",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "big5": "cp950",
    "euc_kr": "cp949",
}


_WIDE = ("utf-16", "utf-32")


def _decode_value(prop: _Property, file_encoding: str) -> str | bytes:
    """The value as text, or bytes for base64 ones; charset and QP undone."""
    encodings = {item.upper() for item in prop.params.get("ENCODING", ())}
    charset = (prop.params.get("CHARSET") or [""])[0].strip().lower()
    value = prop.value
    if encodings & {"B", "BASE64"}:
        try:
            return base64.b64decode("".join(value.split()), validate=False)
        except (binascii.Error, ValueError):
            return b""
    if file_encoding == CHARSETS_APPLIED:
        if charset and "QUOTED-PRINTABLE" not in encodings and foreign_codec(charset):
            return value  # decoded on its line, with its charset
        file_encoding = "cp1252"
    # A UTF-16 file (an Android export saved again by Notepad as "Unicode")
    # holds text, whatever charset it was in before: its CHARSET only says
    # how the bytes of a quoted-printable value are to be read.
    if "QUOTED-PRINTABLE" in encodings:
        wide = file_encoding.startswith(_WIDE)
        raw = _qp_decode(value, "utf-8" if wide else file_encoding)
        # Naming no charset, its bytes are UTF-8 or else in the file's own
        # encoding (a Japanese phone's Shift_JIS, guessed for the file).
        return _decode_bytes(
            raw, charset or "utf-8", fallback=foreign_codec(file_encoding) or "cp1252"
        )
    if charset and charset.replace("-", "") != file_encoding.replace("-", ""):
        if file_encoding.startswith(_WIDE):
            return value
        try:
            raw = value.encode(file_encoding, "surrogateescape")
        except (LookupError, UnicodeEncodeError):
            return value
        return _decode_bytes(raw, charset)
    return value


def _qp_decode(value: str, file_encoding: str) -> bytes:
    import quopri

    try:
        raw = value.encode(file_encoding, "surrogateescape")
    except (LookupError, UnicodeEncodeError):
        # Text the file's codec cannot give back, as in a file that is UTF-8
        # but for a few bytes: such text was UTF-8.
        raw = value.encode("utf-8", "surrogatepass")
    # Soft line breaks were joined already; a trailing `=` is one too.
    return quopri.decodestring(raw.removesuffix(b"="))


def _decode_bytes(raw: bytes, charset: str, *, fallback: str = "cp1252") -> str:
    for candidate in (foreign_codec(charset) or charset, "utf-8", fallback):
        try:
            return raw.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return raw.decode("latin-1")


def as_utf8_text(text: str, file_encoding: str) -> str:
    """A decoded vCard file's text that reads the same once encoded as UTF-8.

    A value whose bytes are read in a charset (its CHARSET, or for a
    quoted-printable one naming none, the file's own encoding: a Japanese
    phone's Shift_JIS) is read as `_decode_value()` reads it, and written
    again in UTF-8 (quoted-printable ones quoted-printable), so files of
    several encodings can be joined. Base64 values are bytes, and stay.
    Each keeps its lines: a blank line stands for each fold or soft break.
    """
    upper = text.upper()
    if file_encoding == "utf-8" or (
        "CHARSET" not in upper and "QUOTED-PRINTABLE" not in upper
    ):
        return text
    lines = [line for line in _PHYSICAL_LINE.findall(text) if line]
    out: list[str] = []
    index = 0
    while index < len(lines):
        start = index
        head = lines[start][: max(lines[start].find(":"), 0)].upper()
        quoted = "QUOTED-PRINTABLE" in head
        index = _logical_end(lines, start, soft_breaks=quoted)
        physical = lines[start:index]
        if "CHARSET" not in head and not quoted:
            out.extend(physical)
            continue
        logical = _joined(physical, soft_breaks=quoted)
        prop = _parse_property(0, logical)
        encodings = (
            {item.upper() for item in prop.params.get("ENCODING", ())}
            if prop
            else set()
        )
        if prop is None or encodings & {"B", "BASE64"}:
            out.extend(physical)
            continue
        value = _decode_value(prop, file_encoding)
        colon = _value_colon(logical)
        pieces = _split_quoted(logical[:colon], ";")
        kept = [pieces[0]] + [
            piece
            for piece in pieces[1:]
            if piece.partition("=")[0].strip().upper()
            not in ("CHARSET", "ENCODING", "QUOTED-PRINTABLE")
        ]
        if "QUOTED-PRINTABLE" in encodings:
            kept.append("CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE")
            value = _qp_line(value.encode("utf-8"))
        out.append(f"{';'.join(kept)}:{value}\r\n")
        # A blank line for each of its folds: the lines after it keep their
        # numbers, which the import names its cards by.
        out.append("\r\n" * (len(physical) - 1))
    return "".join(out)


def _joined(physical: list[str], *, soft_breaks: bool) -> str:
    """One logical line from its physical lines, as `_logical_lines()`
    joins them: a fold's leading space and a soft break's `=` left out,
    blank lines between them passed over."""
    parts: list[str] = []
    soft_break = False
    for number, line in enumerate(physical):
        line = line.rstrip("\r\n")
        if number and not line.strip() and not soft_break:
            continue
        if number and not soft_break:
            line = line[1:]
        soft_break = soft_breaks and line.endswith("=")
        parts.append(line[:-1] if soft_break and number < len(physical) - 1 else line)
    return "".join(parts)


def _qp_line(data: bytes) -> str:
    """Quoted-printable on one line: every byte but printable ASCII quoted."""
    return "".join(
        chr(byte) if 33 <= byte <= 126 and byte != 61 else f"={byte:02X}"
        for byte in data
    )


# A line with its line break, as `_logical_lines()` splits them.
_PHYSICAL_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")


def _logical_end(lines: list[str], start: int, *, soft_breaks: bool) -> int:
    """Where the logical line starting at `start` ends: after its
    quoted-printable soft breaks and its folds, blank lines between them
    aside (`_logical_lines()`)."""
    index = start + 1
    if soft_breaks:
        while lines[index - 1].rstrip("\r\n").endswith("=") and index < len(lines):
            index += 1
    while index < len(lines):
        ahead = index
        while ahead < len(lines) and not lines[ahead].strip():
            ahead += 1
        if ahead < len(lines) and lines[ahead][:1] in (" ", "\t"):
            index = ahead + 1
        else:
            break
    return index


_NO_END = "this vCard has no END:VCARD line"


def read_vcards(
    text: str, *, file_encoding: str = "utf-8", max_cards: int | None = None
) -> ReadResult:
    """Every card of a decoded vCard file, and the cards that could not be read.

    `text` comes from bytes decoded with `file_encoding` (`uploads._decode`),
    which gives them back, so a property's CHARSET can still decode its own
    bytes. Reading stops after `max_cards` cards (`too_many` is then set).
    """
    result = ReadResult()
    groups: list[_CardBuilder] = []
    builder: _CardBuilder | None = None
    depth = 0
    too_deep = False
    agent = False
    for number, line in _logical_lines(text):
        colon = line.find(":")
        head = line[:colon].strip().upper() if colon > 0 else line.strip().upper()
        # vCard 2.1's `AGENT:` is followed by the card it holds; any other
        # BEGIN:VCARD inside a card starts the next one: the card open was cut
        # short (files pasted together), and the cards after it are read.
        after_agent = agent
        agent = (
            colon > 0
            and head.split(";")[0].rpartition(".")[2] == "AGENT"
            and not line[colon + 1 :].strip()
        )
        if head.endswith("BEGIN") and line[colon + 1 :].strip().upper() == "VCARD":
            if builder is not None and not after_agent:
                result.problems.append(ReadProblem(builder.line, _NO_END))
                builder, depth, too_deep = None, 0, False
            if builder is None:
                if max_cards is not None and len(result.cards) >= max_cards:
                    result.too_many = True
                    break
                builder = _CardBuilder(number, file_encoding)
            else:
                depth += 1
                if depth == 1:
                    builder.note_not_kept("embedded cards")
                if depth > MAX_NESTING:
                    too_deep = True
            continue
        if head.endswith("END") and line[colon + 1 :].strip().upper() == "VCARD":
            if builder is None:
                continue
            if depth:
                depth -= 1
                continue
            if too_deep:
                result.problems.append(
                    ReadProblem(
                        builder.line,
                        f"vCards nested more than {MAX_NESTING} deep inside this one",
                    )
                )
            else:
                _finish(builder, result, groups)
            builder, too_deep = None, False
            continue
        if builder is None or depth:
            continue
        builder.add(number, line)
    if builder is not None:
        result.problems.append(ReadProblem(builder.line, _NO_END))
    if groups:
        _label_members(groups, result)
    return result


def _finish(
    builder: _CardBuilder, result: ReadResult, groups: list[_CardBuilder]
) -> None:
    if builder.problem:
        result.problems.append(ReadProblem(builder.line, builder.problem))
        return
    if builder.is_group:
        groups.append(builder)
        return
    card = builder.build()
    for name, count in builder.not_kept.items():
        result.not_kept[name] = result.not_kept.get(name, 0) + count
    result.cards.append(card)


def _member_key(value: str) -> str:
    """A MEMBER's card: by its UID (with or without "urn:uuid:") or its email."""
    value = value.strip().lower()
    return value.removeprefix("urn:uuid:")


def _label_members(groups: list[_CardBuilder], result: ReadResult) -> None:
    """Each group card names its members: they get its name as a label."""
    by_key: dict[str, list[VCard]] = {}
    for card in result.cards:
        if card.uid:
            by_key.setdefault(_member_key(card.uid), []).append(card)
        for email in card.emails:
            by_key.setdefault(f"mailto:{email.value.lower()}", []).append(card)
    for builder in groups:
        card = builder.card
        name = card.name_to_show().strip()
        members = list(dict.fromkeys(_member_key(m) for m in builder.members))
        found = {
            id(member): member for key in members for member in by_key.get(key, ())
        }
        if name:
            for member in found.values():
                if name not in member.categories:
                    member.categories.append(name)
        result.groups.append(
            GroupRead(builder.line, name, members=len(members), found=len(found))
        )


class _CardBuilder:
    """Collects one card's properties, then builds the `VCard`."""

    def __init__(self, line: int, file_encoding: str):
        self.line = line
        self.file_encoding = file_encoding
        self.card = VCard(line=line)
        self.problem = ""
        self.not_kept: dict[str, int] = {}
        self.labels: dict[str, str] = {}
        self.labelled: list[tuple[str, object, str]] = []  # (group, item, prop)
        # A group card's members, as its MEMBER properties name them.
        self.is_group = False
        self.members: list[str] = []
        # Standalone LABEL properties, the addresses they format.
        self.formatted_addresses: list[Address] = []
        # Apple's "Company" cards show the organization, not the person.
        self.shows_company = False
        self.unreadable_lines = 0

    def note_not_kept(self, what: str) -> None:
        self.not_kept[what] = self.not_kept.get(what, 0) + 1

    def add(self, number: int, line: str) -> None:
        if self.problem:
            return
        prop = _parse_property(number, line)
        if prop is None:
            self.unreadable_lines += 1
            return
        name = prop.name
        if len(prop.value) > MAX_VALUE_CHARS and name not in {"PHOTO", "LOGO"}:
            self.problem = f"line {number}: a {name} value longer than 256 KB"
            return
        handler = _HANDLERS.get(name)
        if handler is not None:
            handler(self, prop)
        elif name == "X-ABLABEL" and prop.group:
            self.labels[prop.group] = clean_text(unescape(self._text(prop)))
        elif name in NOTED:
            self.add_extra(prop, *NOTED[name])
        elif name in NOT_KEPT:
            self.note_not_kept(NOT_KEPT[name])

    def add_extra(self, prop: _Property, kind: str, label: str) -> None:
        value = self.text(prop)
        if value.lower().startswith("urn:uuid:"):
            # vCard 4.0 relates a card to another by its UID: a link that
            # means nothing once the other card is not beside it.
            self.note_not_kept("links to other cards")
            return
        if kind == SOCIAL and value.lower().startswith("x-apple:"):
            # An iPhone's profile without a web address: "x-apple:" and the
            # user name percent-encoded, the name itself in `x-user`; a phone
            # number as name comes between direction marks.
            user = (prop.params.get("X-USER") or [""])[0]
            user = clean_text(user or urllib.parse.unquote(value[8:]))
            value = _DIRECTION_MARKS.sub("", user).strip()
        if kind in {IM, RELATED, SPOUSE, ASSISTANT, MANAGER}:
            # "skype:zoe.l", "mailto:…", "xmpp:…": the address without scheme
            # (a web address stays whole), the scheme naming the service.
            scheme, colon, rest = value.partition(":")
            if colon and scheme.isalpha() and not rest.startswith("//"):
                value = rest.strip()
                if kind == IM and not label:
                    label = _IM_SCHEMES.get(scheme.lower(), "")
        if not value:
            return
        service = prop.params.get("X-SERVICE-TYPE")
        types = [
            kind_name
            for kind_name in prop.types()
            if kind_name not in _NOT_LABELS and not kind_name.startswith("x-")
        ]
        if service and service[0].strip():
            label = service[0].strip()
        elif types and kind not in DATE_EXTRAS | {IM}:
            first = min(types)
            label = _SPELLED.get(first, first.capitalize())
        extra = Extra(kind, value, label)
        self.card.extras.append(extra)
        if prop.group:
            self.labelled.append((prop.group, extra, "EXTRA"))

    def _text(self, prop: _Property) -> str:
        value = _decode_value(prop, self.file_encoding)
        if isinstance(value, bytes):
            value = _decode_bytes(value, "utf-8")
        return value

    def text(self, prop: _Property) -> str:
        return clean_text(unescape(self._text(prop))).strip()

    def parts(self, prop: _Property) -> list[str]:
        """A structured value's components (`N`, `ADR`, `ORG`), unescaped."""
        raw = self._text(prop)
        return [clean_text(part) for part in split_escaped(raw, ";")]

    def remember_group(self, prop: _Property, item, kind_of: str) -> None:
        if prop.group:
            self.labelled.append((prop.group, item, kind_of))

    def build(self) -> VCard:
        card = self.card
        if self.shows_company and card.organization:
            card.formatted_name = card.organization
        for group, item, prop_name in self.labelled:
            label = self.labels.get(group)
            if not label:
                continue
            if prop_name == "EXTRA":
                # Apple's own labels are tokens: "_$!<Anniversary>!$_".
                token = _APPLE_TOKEN.match(label)
                item.label = token[1] if token and token[1] else label
            else:
                item.kind, item.label = _kind_from_label(label, prop_name, item)
        kinds = {address.kind for address in card.addresses}
        for address in self.formatted_addresses:
            if address.kind not in kinds and address not in card.addresses:
                card.addresses.append(address)
        if self.unreadable_lines:
            card.warnings.append(
                f"{self.unreadable_lines} line(s) that are not vCard properties "
                "were skipped"
            )
        return card


def _values(component: str, *, joiner: str = " ", split: bool = True) -> str:
    """A structured component may hold several values separated by commas.

    vCard 2.1 has no such lists: a comma there is part of the text.
    """
    if not split:
        return unescape(component).strip()
    values = [unescape(value).strip() for value in split_escaped(component, ",")]
    return joiner.join(value for value in values if value)


def _on_version(builder: _CardBuilder, prop: _Property) -> None:
    builder.card.version = prop.value.strip()


def _on_fn(builder: _CardBuilder, prop: _Property) -> None:
    builder.card.formatted_name = builder.text(prop)


def _on_n(builder: _CardBuilder, prop: _Property) -> None:
    parts = builder.parts(prop) + [""] * 5
    card = builder.card
    lists = card.version != "2.1"
    card.family_name = _values(parts[0], split=lists)
    card.given_name = _values(parts[1], split=lists)
    card.middle_name = _values(parts[2], split=lists)
    card.prefix = _values(parts[3], joiner=", ", split=lists)
    card.suffix = _values(parts[4], joiner=", ", split=lists)


def _on_nickname(builder: _CardBuilder, prop: _Property) -> None:
    names = _values(builder._text(prop), joiner=", ")
    card = builder.card
    card.nickname = ", ".join(filter(None, (card.nickname, clean_text(names))))


def _on_org(builder: _CardBuilder, prop: _Property) -> None:
    parts = [unescape(part).strip() for part in builder.parts(prop)]
    builder.card.organization = parts[0] if parts else ""
    builder.card.department = ", ".join(part for part in parts[1:] if part)


def _on_title(builder: _CardBuilder, prop: _Property) -> None:
    builder.card.title = builder.text(prop)


def _on_role(builder: _CardBuilder, prop: _Property) -> None:
    if not builder.card.title:
        builder.card.title = builder.text(prop)


def _on_email(builder: _CardBuilder, prop: _Property) -> None:
    value = builder.text(prop)
    if value.lower().startswith("mailto:"):
        value = value[7:]
    if value:
        kind, label = _kind_from_types("EMAIL", prop.types())
        item = TypedValue(value, kind, label)
        builder.card.emails.append(item)
        builder.remember_group(prop, item, "EMAIL")


def _on_tel(builder: _CardBuilder, prop: _Property) -> None:
    value = builder.text(prop)
    if value.lower().startswith("tel:"):
        number, _, extra = value[4:].partition(";")
        extension = re.search(r"(?:^|;)ext=([^;]+)", extra)
        value = number + (f" ext. {extension[1]}" if extension else "")
    if value:
        kind, label = _kind_from_types("TEL", prop.types())
        item = TypedValue(value, kind, label)
        builder.card.phones.append(item)
        builder.remember_group(prop, item, "TEL")


def _on_adr(builder: _CardBuilder, prop: _Property) -> None:
    parts = builder.parts(prop) + [""] * 7
    lists = builder.card.version != "2.1"
    street = _values(parts[2], joiner="\n", split=lists)
    address = Address(
        po_box=_values(parts[0], joiner=", ", split=lists),
        extended=_values(parts[1], joiner=", ", split=lists),
        street=street,
        city=_values(parts[3], joiner=", ", split=lists),
        region=_values(parts[4], joiner=", ", split=lists),
        postal_code=_values(parts[5], joiner=", ", split=lists),
        country=_values(parts[6], joiner=", ", split=lists),
    )
    if address.is_empty():
        # vCard 4.0 may give the address only formatted, as its LABEL.
        label = ",".join(prop.params.get("LABEL", ()))
        address.street = _label_lines(unescape(label))
        if not address.street:
            return
    address.kind, address.label = _kind_from_types("ADR", prop.types())
    builder.card.addresses.append(address)
    builder.remember_group(prop, address, "ADR")


def _on_label(builder: _CardBuilder, prop: _Property) -> None:
    """vCard 2.1 and 3.0's formatted address: most often an ADR of its type
    written again (Apple, Outlook), so it is kept only when there is none
    (`_CardBuilder.build()`)."""
    street = _label_lines(builder.text(prop))
    if street:
        kind, label = _kind_from_types("ADR", prop.types())
        builder.formatted_addresses.append(
            Address(street=street, kind=kind, label=label)
        )


def _label_lines(text: str) -> str:
    """A formatted address's lines, trimmed, without empty ones."""
    lines = (line.strip() for line in clean_text(text).split("\n"))
    return "\n".join(line for line in lines if line)


def _on_url(builder: _CardBuilder, prop: _Property) -> None:
    value = builder.text(prop)
    if value:
        kind, label = _kind_from_types("URL", prop.types())
        item = TypedValue(value, kind, label)
        builder.card.urls.append(item)
        builder.remember_group(prop, item, "URL")


def _on_bday(builder: _CardBuilder, prop: _Property) -> None:
    text = builder.text(prop)
    birthday = parse_birthday(text)
    omit = prop.params.get("X-APPLE-OMIT-YEAR")
    if birthday and omit and omit[0].strip() == f"{birthday.year or 0:04d}":
        birthday.year = None
    if birthday is None:
        if text:
            builder.card.keep_unread_birthday(text)
        return
    builder.card.birthday = birthday


def parse_birthday(text: str) -> Birthday | None:
    """1985-04-12, 19850412, --04-12, --0412 (no year); None if not a date."""
    match = _DATE.match(text.strip())
    if not match:
        return None
    if match["year"]:
        year, month, day = int(match["year"]), int(match["month"]), int(match["day"])
    else:
        year, month, day = None, int(match["nmonth"]), int(match["nday"])
    if year is not None and year < 1:
        year = None  # 0000 stands for "no year" in some phones' exports
    try:
        date = datetime.date(year or 4, month, day)
    except ValueError:
        return None
    if match["utc"] and match["hour"] and int(match["hour"]) >= _UTC_EVENING:
        date += datetime.timedelta(days=1)
        if year is not None:
            year = date.year
        month, day = date.month, date.day
    return Birthday(month=month, day=day, year=year)


def _on_note(builder: _CardBuilder, prop: _Property) -> None:
    note = clean_text(unescape(builder._text(prop))).strip()
    if note:
        card = builder.card
        card.note = f"{card.note}\n\n{note}" if card.note else note


# Android's relation types (ContactsContract.CommonDataKinds.Relation), named
# as its contacts app names them; 0 is the member's own label.
_ANDROID_RELATIONS = {
    "1": (ASSISTANT, ""),
    "2": (RELATED, "Brother"),
    "3": (RELATED, "Child"),
    "4": (RELATED, "Domestic partner"),
    "5": (RELATED, "Father"),
    "6": (RELATED, "Friend"),
    "7": (MANAGER, ""),
    "8": (RELATED, "Mother"),
    "9": (RELATED, "Parent"),
    "10": (RELATED, "Partner"),
    "11": (RELATED, "Referred by"),
    "12": (RELATED, "Relative"),
    "13": (RELATED, "Sister"),
    "14": (SPOUSE, ""),
}


def _on_android_custom(builder: _CardBuilder, prop: _Property) -> None:
    """Android's own fields: "vnd.android.cursor.item/<kind>;value;type;label"."""
    parts = [unescape(part).strip() for part in builder.parts(prop)] + [""] * 4
    kind, value, type_code, label = parts[0].lower(), parts[1], parts[2], parts[3]
    if not value:
        return
    card = builder.card
    if kind.endswith("/nickname"):
        card.nickname = ", ".join(filter(None, (card.nickname, value)))
    elif kind.endswith("/contact_event"):
        birthday = parse_birthday(value) if type_code == "3" else None
        if birthday is not None and card.birthday is None:
            card.birthday = birthday
        elif birthday is None:
            extra = ANNIVERSARY if type_code == "1" else DATE
            card.extras.append(Extra(extra, value, label if type_code == "0" else ""))
    elif kind.endswith("/relation"):
        extra, name = _ANDROID_RELATIONS.get(type_code, (RELATED, ""))
        card.extras.append(Extra(extra, value, label if type_code == "0" else name))
    elif kind.endswith("/sip_address"):
        card.extras.append(Extra(IM, value.removeprefix("sip:"), "SIP"))
    else:
        builder.note_not_kept("other Android fields")


def _on_categories(builder: _CardBuilder, prop: _Property) -> None:
    raw = builder._text(prop)
    for name in split_escaped(raw, ","):
        name = clean_text(unescape(name)).strip()
        if name and name not in builder.card.categories:
            builder.card.categories.append(name)


def _on_kind(builder: _CardBuilder, prop: _Property) -> None:
    # Only a group differs here: an individual, an organization or a place
    # is a contact card like any other.
    builder.is_group = prop.value.strip().lower() == "group"


def _on_show_as(builder: _CardBuilder, prop: _Property) -> None:
    builder.shows_company = prop.value.strip().upper() == "COMPANY"


def _on_member(builder: _CardBuilder, prop: _Property) -> None:
    value = clean_text(unescape(prop.value)).strip()
    if value:
        builder.members.append(value)


def _on_uid(builder: _CardBuilder, prop: _Property) -> None:
    builder.card.uid = clean_text(unescape(prop.value)).strip()[:255]


def _on_photo(builder: _CardBuilder, prop: _Property) -> None:
    """The card's first readable picture is its photo; the others are noted."""
    value = _decode_value(prop, builder.file_encoding)
    if isinstance(value, bytes):
        subtype = (prop.params.get("TYPE") or ["jpeg"])[0].lower()
        photo = Photo(data=value, media_type=f"image/{subtype}")
    elif value.startswith("data:"):
        meta, _, payload = value[5:].partition(",")
        media_type = meta.split(";")[0] or "image/jpeg"
        try:
            data = base64.b64decode("".join(payload.split()))
        except (binascii.Error, ValueError):
            data = b""
        photo = Photo(data=data, media_type=media_type)
    elif value.strip():
        # Nothing is fetched from elsewhere: a picture given by its address
        # is left out, and said so.
        if builder.card.photo is None:
            builder.card.photo = Photo(uri=value.strip())
        builder.note_not_kept("photos given as web addresses")
        return
    else:
        return
    if builder.card.photo is not None and builder.card.photo.data:
        builder.note_not_kept("second photos")
        return
    problem = photo_problem(photo.data) if photo.data else "a damaged picture"
    if problem:
        builder.card.warnings.append(f"photo skipped: {problem}")
        return
    builder.card.photo = photo


def photo_problem(data: bytes) -> str:
    """Why `data` is not a usable picture, or "" when Pillow reads it fine."""
    if not data:
        return "a damaged picture"
    if len(data) > MAX_PHOTO_BYTES:
        return "larger than 5 MB"
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in PHOTO_FORMATS:
                return "not a JPEG, PNG, GIF or WebP picture"
            width, height = image.size
            if width * height > MAX_PHOTO_PIXELS:
                return "more than 16 megapixels"
            image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError):
        return "not a picture Rapport can read"
    except (OSError, SyntaxError, ValueError):
        return "a damaged picture"
    return ""


_HANDLERS = {
    "VERSION": _on_version,
    "FN": _on_fn,
    "N": _on_n,
    "NICKNAME": _on_nickname,
    "ORG": _on_org,
    "TITLE": _on_title,
    "ROLE": _on_role,
    "EMAIL": _on_email,
    "TEL": _on_tel,
    "ADR": _on_adr,
    "LABEL": _on_label,
    "URL": _on_url,
    "BDAY": _on_bday,
    "NOTE": _on_note,
    "CATEGORIES": _on_categories,
    "UID": _on_uid,
    "PHOTO": _on_photo,
    "X-ANDROID-CUSTOM": _on_android_custom,
    "KIND": _on_kind,
    "X-ADDRESSBOOKSERVER-KIND": _on_kind,
    "MEMBER": _on_member,
    "X-ADDRESSBOOKSERVER-MEMBER": _on_member,
    "X-ABSHOWAS": _on_show_as,
}

_PHONE_NAMED = (("fax", "Fax"), ("pager", "Pager"), ("main", "Main"))
_IM_SCHEMES = {
    "aim": "AIM",
    "gtalk": "Google Talk",
    "icq": "ICQ",
    "irc": "IRC",
    "matrix": "Matrix",
    "msnim": "MSN",
    "qq": "QQ",
    "sip": "SIP",
    "skype": "Skype",
    "xmpp": "XMPP",
    "ymsgr": "Yahoo",
}
# Social networks whose names are not just capitalised.
_SPELLED = {
    "linkedin": "LinkedIn",
    "github": "GitHub",
    "youtube": "YouTube",
    "line": "LINE",
}
# TYPE values that say nothing about what a noted value is.
_NOT_LABELS = frozenset(
    {"pref", "home", "work", "cell", "voice", "internet", "other", "text", "uri"}
)


def _kind_from_types(prop_name: str, types: set[str]) -> tuple[str, str]:
    """(kind, custom label) from TYPE parameters."""
    if prop_name == "TEL":
        for key, name in _PHONE_NAMED:
            if key in types:
                if key == "fax" and "home" in types:
                    return CUSTOM, "Home fax"
                if key == "fax" and "work" in types:
                    return CUSTOM, "Work fax"
                return CUSTOM, name
        if types & {"cell", "iphone", "mobile"}:
            return MOBILE, ""
    if "home" in types:
        return HOME, ""
    if "work" in types:
        return WORK, ""
    return OTHER, ""


def _kind_from_label(label: str, prop_name: str, item) -> tuple[str, str]:
    """(kind, custom label) from an `X-ABLabel`, Apple's tokens understood."""
    token = label.strip()
    lowered = token.lower()
    if lowered in APPLE_LABELS:
        return APPLE_LABELS[lowered], ""
    if lowered in APPLE_NAMED:
        return CUSTOM, APPLE_NAMED[lowered]
    match = _APPLE_TOKEN.match(token)
    if match:
        token = match[1]
    plain = token.strip().lower()
    if plain in {HOME, WORK, OTHER} or (plain == MOBILE and prop_name == "TEL"):
        return plain, ""
    if not token.strip():
        return item.kind, item.label
    return CUSTOM, token.strip()
