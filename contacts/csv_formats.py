"""CSV address books: Google's and Outlook's exports, and any other CSV.

A CSV file is read into a table; its columns are mapped to the fields of a
card (a *target* per column: "given_name", "email:work",
"address:home:city", or Google's numbered pairs "phone@1:label"), and each
row becomes a `VCard`, so CSV and vCard imports share everything after
reading. Google's and Outlook's headers are recognised; any other CSV gets a
mapping guessed from its header, which the member can change.

Writing produces Google Contacts' CSV or Outlook's, with every cell that a
spreadsheet would run as a formula neutralised (OWASP's advice) and RFC 4180
quoting.
"""

from __future__ import annotations

import csv
import datetime
import functools
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from connections.csv_cells import neutralise, unneutralise
from connections.selectors.profiles import Birthday as ShownBirthday
from contacts.text import name_parts
from contacts.uploads import UploadError
from contacts.vcard import (
    COLUMN,
    CUSTOM,
    DATE,
    FAVORITE_CATEGORY,
    HOME,
    IM,
    MOBILE,
    OTHER,
    RELATED,
    WORK,
    Address,
    Birthday,
    Extra,
    Photo,
    TypedValue,
    VCard,
    clean_text,
    parse_birthday,
)

GOOGLE = "google"
OUTLOOK = "outlook"
LINKEDIN = "linkedin"
GENERIC = "csv"

MAX_COLUMNS = 400
MAX_CELL_CHARS = 128 * 1024
MULTI_SEPARATOR = " ::: "
ADDRESS_PARTS = ("street", "city", "region", "postal_code", "country")


# ---------------------------------------------------------------------------
# Targets: where a column's values go
# ---------------------------------------------------------------------------

SCALAR_TARGETS = {
    "display_name": gettext_lazy("Full name"),
    "prefix": gettext_lazy("Name prefix"),
    "given_name": gettext_lazy("First name"),
    "middle_name": gettext_lazy("Middle name"),
    "family_name": gettext_lazy("Last name"),
    "suffix": gettext_lazy("Name suffix"),
    "nickname": gettext_lazy("Nickname"),
    "organization": gettext_lazy("Organization"),
    "department": gettext_lazy("Department"),
    "job_title": gettext_lazy("Job title"),
    "birthday": gettext_lazy("Birthday"),
    # Thunderbird's CSV writes a birthday in three columns.
    "birthday:year": gettext_lazy("Birthday: year"),
    "birthday:month": gettext_lazy("Birthday: month"),
    "birthday:day": gettext_lazy("Birthday: day"),
    "notes": gettext_lazy("Notes"),
    "labels": gettext_lazy("Labels"),
    # Nothing is fetched from elsewhere: such a column is counted, not imported.
    "photo": gettext_lazy("Photo (a web address: not imported)"),
}
KIND_NAMES = {
    HOME: gettext_lazy("home"),
    WORK: gettext_lazy("work"),
    MOBILE: gettext_lazy("mobile"),
    OTHER: gettext_lazy("other"),
}
DETAIL_KINDS = {
    "email": (OTHER, HOME, WORK),
    "phone": (MOBILE, HOME, WORK, OTHER),
    "website": (OTHER, HOME, WORK),
}
DETAIL_NAMES = {
    "email": gettext_lazy("Email"),
    "phone": gettext_lazy("Phone"),
    "website": gettext_lazy("Website"),
}
PART_NAMES = {
    "street": gettext_lazy("street"),
    "city": gettext_lazy("city"),
    "region": gettext_lazy("state or region"),
    "postal_code": gettext_lazy("postal code"),
    "country": gettext_lazy("country"),
}


def target_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The targets a member may pick for a column, grouped for a <select>."""
    name = [(key, str(label)) for key, label in SCALAR_TARGETS.items()]
    details = []
    for detail, kinds in DETAIL_KINDS.items():
        for kind in kinds:
            details.append(
                (f"{detail}:{kind}", f"{DETAIL_NAMES[detail]} ({KIND_NAMES[kind]})")
            )
    details.append(("phone:custom=Fax", _("Phone (fax)")))
    addresses = []
    for kind in (HOME, WORK, OTHER):
        for part in ADDRESS_PARTS:
            addresses.append(
                (
                    f"address:{kind}:{part}",
                    _("Address (%(kind)s): %(part)s")
                    % {"kind": KIND_NAMES[kind], "part": PART_NAMES[part]},
                )
            )
    return [
        (_("Name and card"), name),
        (_("Emails, phones and websites"), details),
        (_("Postal address"), addresses),
    ]


# The parts of Google's numbered pairs ("E-mail 1 - Value", "Address 2 - City").
PAIR_PART_NAMES = {
    "value": gettext_lazy("value"),
    "label": gettext_lazy("its label"),
    "formatted": gettext_lazy("whole address"),
    "extended": gettext_lazy("extended address"),
    "po_box": gettext_lazy("PO box"),
    "service": gettext_lazy("service"),
    "name": gettext_lazy("name"),
    "title": gettext_lazy("title"),
    "department": gettext_lazy("department"),
    **PART_NAMES,
}


def target_name(target: str) -> str:
    """A target as the columns page names it, the file's own ones included.

    "phone:custom=Work fax" is "Phone (Work fax)", Google's "email@1:label"
    "Email 1: its label"; one it does not know is shown as it is.
    """
    names = {
        key: label for _group, choices in target_choices() for key, label in choices
    }
    if target in names:
        return str(names[target])
    if target.startswith(NOTE_PREFIX):
        return _("Notes, as “%(heading)s: …”") % {
            "heading": target.removeprefix(NOTE_PREFIX)
        }
    detail, _colon, kind = target.partition(":")
    if kind.startswith("custom=") and detail in DETAIL_NAMES:
        return f"{DETAIL_NAMES[detail]} ({kind.removeprefix('custom=')})"
    detail, _at, rest = target.partition("@")
    number, _colon, part = rest.partition(":")
    detail_name = (
        DETAIL_NAMES.get(detail)
        or NOTED_PAIR_NAMES.get(detail)
        or (gettext_lazy("Address") if detail == "address" else None)
    )
    if detail_name and number.isdigit() and part in PAIR_PART_NAMES:
        return f"{detail_name} {number}: {PAIR_PART_NAMES[part]}"
    return target


def valid_targets() -> set[str]:
    return {key for _group, choices in target_choices() for key, _label in choices}


# ---------------------------------------------------------------------------
# Reading the table
# ---------------------------------------------------------------------------


@dataclass
class CsvTable:
    header: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    delimiter: str = ","
    too_many: bool = False
    # Lines of text before the header: (line, text).
    preamble: list[tuple[int, str]] = field(default_factory=list)

    def samples(self, column: int, count: int = 3) -> list[str]:
        """The first few non-empty values of a column, for the mapping page."""
        found = []
        for _line, cells in self.rows:
            value = cells[column].strip() if column < len(cells) else ""
            if value:
                found.append(value[:60])
                if len(found) == count:
                    break
        return found


def _delimiter(text: str) -> str:
    """The separator that splits most of the first rows alike.

    Each candidate reads the first rows (quotes and line breaks in cells as
    CSV has them); the one whose rows of one width hold the most cells wins,
    a comma when unsure. A title or LinkedIn's notes above the
    header, with a stray ";" or ",", do not outweigh the header and its rows.
    """
    sample = text[:65536]
    best, best_score = ",", 0
    for separator in (",", ";", "\t"):
        widths = []
        try:
            for cells in csv.reader(
                io.StringIO(sample, newline=""), delimiter=separator
            ):
                if len(cells) > 1:
                    widths.append(len(cells))
                if len(widths) > PREAMBLE_ROWS:
                    break
        except csv.Error:
            pass
        if widths:
            # The cells of the rows as wide as each other: many rows of many
            # columns beat a few lines that a stray separator splits in two.
            score = max(widths.count(width) * width for width in set(widths))
            if score > best_score:
                best, best_score = separator, score
    return best


_SEPARATOR_HINT = re.compile(
    r"\A\"?sep=([,;\t|])\"?[ \t]*(?:\r\n|\n|\r)", re.IGNORECASE
)


def _filled(cells: Sequence[str]) -> int:
    return sum(1 for cell in cells if cell.strip())


# LinkedIn's export starts with a few lines of notes, and a spreadsheet may
# start with a title: the column names are looked for this far down.
PREAMBLE_ROWS = 10


def _header_index(leading: Sequence[tuple[int, list[str]]]) -> int:
    """Which of the first non-empty rows holds the column names.

    The first, unless it holds a single value (a title, LinkedIn's "Notes:")
    and a later row, among the next few, is the first to hold several, as
    many as the row after it: that row is the header and the rows before it
    are text, not contacts.
    """
    if not leading or _filled(leading[0][1]) > 1:
        return 0
    for index, (_line, cells) in enumerate(leading[: PREAMBLE_ROWS + 1]):
        if _filled(cells) > 1:
            following = leading[index + 1][1] if index + 1 < len(leading) else None
            if following is None or len(following) == len(cells):
                return index
            return 0
    return 0


def read_table(text: str, *, max_rows: int | None = None) -> CsvTable:
    """The header and the non-empty rows, each with the line it starts on.

    Lines of text before the header (see `_header_index()`) are kept apart
    in `preamble`, to be reported, not read as contacts.
    """
    text = text.lstrip("\ufeff")
    skipped = 0
    # Excel's hint for the separator, a first line such as "sep=;".
    hint = _SEPARATOR_HINT.match(text)
    if hint:
        delimiter = hint[1]
        text = text[hint.end() :]
        skipped = 1
    else:
        delimiter = _delimiter(text)
    csv.field_size_limit(MAX_CELL_CHARS)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    table = CsvTable(header=[], delimiter=delimiter)
    leading: list[tuple[int, list[str]]] | None = []
    line = start = 1 + skipped
    try:
        for cells in reader:
            start, line = line, reader.line_num + 1 + skipped
            if not any(cell.strip() for cell in cells):
                continue
            if leading is not None:
                leading.append((start, cells))
                if len(leading) < PREAMBLE_ROWS + 2:
                    continue
                _set_header(table, leading)
                rows, leading = leading, None
                if not _add_rows(table, rows, max_rows):
                    break
                continue
            if max_rows is not None and len(table.rows) >= max_rows:
                table.too_many = True
                break
            table.rows.append((start, cells))
        else:
            if line - start > 1 and _open_to_the_end(text, start - skipped, delimiter):
                raise UploadError(
                    _(
                        'Line %(line)s of the file cannot be read: a quote (") '
                        "opens a value that is never closed, so every line after "
                        "it would be read as that value."
                    )
                    % {"line": start}
                )
        if leading:
            _set_header(table, leading)
            _add_rows(table, leading, max_rows)
    except csv.Error as error:
        reason = str(error)
        if "field larger than field limit" in reason:
            reason = _("a cell longer than 128 KB")
        raise UploadError(
            _("Line %(line)s of the file cannot be read: %(reason)s.")
            % {"line": reader.line_num + skipped, "reason": reason}
        ) from None
    if not table.header:
        raise UploadError(_("The file is empty."))
    return table


def _open_to_the_end(text: str, first_line: int, delimiter: str) -> bool:
    """Whether the row starting on `first_line`, the last one read, is a
    quote never closed: read as CSV, a stray quote takes every line after
    it into one value, and the rows there would be lost unsaid."""
    tail = "".join(io.StringIO(text, newline="").readlines()[first_line - 1 :])
    try:
        for _cells in csv.reader(
            io.StringIO(tail, newline=""), delimiter=delimiter, strict=True
        ):
            pass
    except csv.Error as error:
        return "unexpected end of data" in str(error)
    return False


def _set_header(table: CsvTable, leading: list[tuple[int, list[str]]]) -> None:
    """Take the header (and any text before it) off the first rows."""
    index = _header_index(leading)
    table.preamble = [
        (line, " ".join(cell.strip() for cell in cells if cell.strip()))
        for line, cells in leading[:index]
    ]
    header = [clean_text(cell).strip() for cell in leading[index][1]]
    if len(header) > MAX_COLUMNS:
        raise UploadError(
            _("The file has %(count)s columns; at most %(max)s.")
            % {"count": len(header), "max": MAX_COLUMNS}
        )
    table.header = [
        name or _("Column %(number)s") % {"number": number}
        for number, name in enumerate(header, start=1)
    ]
    del leading[: index + 1]


def _add_rows(table: CsvTable, rows, max_rows: int | None) -> bool:
    """Add rows up to `max_rows`; False once there are more."""
    for row in rows:
        if max_rows is not None and len(table.rows) >= max_rows:
            table.too_many = True
            return False
        table.rows.append(row)
    return True


# ---------------------------------------------------------------------------
# Recognising Google's and Outlook's exports
# ---------------------------------------------------------------------------

_GOOGLE_PAIR = re.compile(
    r"^(e-mail|phone|website|address|organization|relation|event|im|custom field)"
    r" (\d+) - (.+)$",
    re.IGNORECASE,
)
GOOGLE_SCALARS = {
    "name": "display_name",
    "file as": "display_name",
    "given name": "given_name",
    "first name": "given_name",
    "additional name": "middle_name",
    "middle name": "middle_name",
    "family name": "family_name",
    "last name": "family_name",
    "name prefix": "prefix",
    "name suffix": "suffix",
    "nickname": "nickname",
    "organization name": "organization",
    "organization title": "job_title",
    "organization department": "department",
    "birthday": "birthday",
    "notes": "notes",
    "labels": "labels",
    "group membership": "labels",
    "photo": "photo",
}
_GOOGLE_KIND = {"e-mail": "email", "phone": "phone", "website": "website"}
_GOOGLE_ADDRESS = {
    "type": "label",
    "label": "label",
    "formatted": "formatted",
    "street": "street",
    "city": "city",
    "po box": "po_box",
    "region": "region",
    "postal code": "postal_code",
    "country": "country",
    "extended address": "extended",
}
# Google's pairs with no field on a card, kept in the notes ("Spouse: Ann").
_GOOGLE_NOTED = {
    "event": "event",
    "relation": "relation",
    "custom field": "custom",
    "im": "im",
}
NOTED_PAIR_NAMES = {
    "organization": gettext_lazy("Organization"),
    "event": gettext_lazy("Date"),
    "relation": gettext_lazy("Related person"),
    "custom": gettext_lazy("Custom field"),
    "im": gettext_lazy("Instant messaging"),
}
_GOOGLE_ORGANIZATION = {
    "name": "organization",
    "title": "job_title",
    "department": "department",
}

OUTLOOK_COLUMNS = {
    "title": "prefix",
    "first name": "given_name",
    "middle name": "middle_name",
    "last name": "family_name",
    "suffix": "suffix",
    "nickname": "nickname",
    "company": "organization",
    "department": "department",
    "job title": "job_title",
    "birthday": "birthday",
    "notes": "notes",
    "categories": "labels",
    "e-mail address": "email:other",
    "e-mail 2 address": "email:other",
    "e-mail 3 address": "email:other",
    "mobile phone": "phone:mobile",
    "home phone": "phone:home",
    "home phone 2": "phone:home",
    "business phone": "phone:work",
    "business phone 2": "phone:work",
    "other phone": "phone:other",
    "primary phone": "phone:custom=Main",
    "company main phone": "phone:custom=Company main",
    "business fax": "phone:custom=Work fax",
    "home fax": "phone:custom=Home fax",
    "other fax": "phone:custom=Fax",
    "pager": "phone:custom=Pager",
    "car phone": "phone:custom=Car",
    "assistant's phone": "phone:custom=Assistant",
    "callback": "phone:custom=Callback",
    "radio phone": "phone:custom=Radio",
    "isdn": "phone:custom=ISDN",
    "telex": "phone:custom=Telex",
    "tty/tdd phone": "phone:custom=TTY/TDD",
    "web page": "website:other",
    "personal web page": "website:home",
    "business street": "address:work:street",
    "business street 2": "address:work:street",
    "business street 3": "address:work:street",
    "business city": "address:work:city",
    "business state": "address:work:region",
    "business postal code": "address:work:postal_code",
    "business country/region": "address:work:country",
    "business country": "address:work:country",
    "home street": "address:home:street",
    "home street 2": "address:home:street",
    "home street 3": "address:home:street",
    "home city": "address:home:city",
    "home state": "address:home:region",
    "home postal code": "address:home:postal_code",
    "home country/region": "address:home:country",
    "home country": "address:home:country",
    "other street": "address:other:street",
    "other street 2": "address:other:street",
    "other street 3": "address:other:street",
    "other city": "address:other:city",
    "other state": "address:other:region",
    "other postal code": "address:other:postal_code",
    "other country/region": "address:other:country",
    "other country": "address:other:country",
    # A PO box is kept as the address's last street line, as Google's is.
    "business address po box": "address:work:street",
    "home address po box": "address:home:street",
    "other address po box": "address:other:street",
}


# Outlook's columns with no field on a card but worth keeping: in the notes,
# under the column's name ("Spouse: Ann").
OUTLOOK_NOTED = frozenset(
    {
        "anniversary",
        "spouse",
        "children",
        "assistant's name",
        "manager's name",
        "office location",
        "profession",
        "hobby",
        "referred by",
        "user 1",
        "user 2",
        "user 3",
        "user 4",
        # Outlook.com's export
        "imaddress",
        "schools",
        # How to say a name written in kanji
        "given yomi",
        "surname yomi",
        "company yomi",
    }
)


def _outlook_target(name: str) -> str:
    lowered = name.strip().lower()
    if lowered in OUTLOOK_NOTED:
        return note_target(name.strip())
    return OUTLOOK_COLUMNS.get(lowered, "")


def detect_format(header: Sequence[str]) -> str:
    """GOOGLE, OUTLOOK, LINKEDIN or GENERIC, from the names of the columns."""
    names = {name.strip().lower() for name in header}
    if names >= LINKEDIN_NEEDS:
        return LINKEDIN
    if any(_GOOGLE_PAIR.match(name) for name in names) and (
        names & {"first name", "given name", "name", "last name", "family name"}
    ):
        return GOOGLE
    if {"first name", "last name", "e-mail address"} <= names and (
        names & {"business phone", "mobile phone", "home phone", "company"}
    ):
        return OUTLOOK
    return GENERIC


def mapping_for(header: Sequence[str], file_format: str) -> list[str]:
    """A target per column: Google's and Outlook's fixed ones, else a guess."""
    if file_format == GOOGLE:
        return [_google_target(name) for name in header]
    if file_format == OUTLOOK:
        return [_outlook_target(name) for name in header]
    if file_format == LINKEDIN:
        return [_linkedin_target(name) for name in header]
    return guess_mapping(header)


# LinkedIn's export of a member's connections (Connections.csv). Its email
# column is empty for most (each connection decides whether it is exported).
LINKEDIN_NEEDS = frozenset({"first name", "last name", "url", "connected on"})


def _linkedin_target(name: str) -> str:
    return {
        "first name": "given_name",
        "last name": "family_name",
        "url": "website:custom=LinkedIn",
        "email address": "email:other",
        "company": "organization",
        "position": "job_title",
        "connected on": note_target(_("Connected on LinkedIn")),
    }.get(name.strip().lower(), "")


# A column kept in the notes: each value a line under the column's heading.
NOTE_PREFIX = "notes:"
NOTE_HEADING_CHARS = 80


def note_target(heading: str) -> str:
    """The target of a column kept in the notes, as "heading: value" lines."""
    return f"{NOTE_PREFIX}{heading[:NOTE_HEADING_CHARS]}"


# Google's columns with no field on a card, kept in the notes under their name.
_GOOGLE_NOTED_COLUMNS = frozenset(
    {
        "phonetic first name",
        "phonetic middle name",
        "phonetic last name",
        "given name yomi",
        "additional name yomi",
        "family name yomi",
        "name yomi",
    }
)


def _google_target(name: str) -> str:
    lowered = name.strip().lower()
    if lowered in GOOGLE_SCALARS:
        return GOOGLE_SCALARS[lowered]
    if lowered in _GOOGLE_NOTED_COLUMNS:
        return note_target(name.strip())
    match = _GOOGLE_PAIR.match(lowered)
    if not match:
        return ""
    kind, number, part = match[1], match[2], match[3].strip()
    if kind in _GOOGLE_KIND:
        if part in {"type", "label"}:
            return f"{_GOOGLE_KIND[kind]}@{number}:label"
        if part == "value":
            return f"{_GOOGLE_KIND[kind]}@{number}:value"
        return ""
    if kind == "address" and part in _GOOGLE_ADDRESS:
        return f"address@{number}:{_GOOGLE_ADDRESS[part]}"
    if kind in _GOOGLE_NOTED and part in {"type", "label", "value", "service"}:
        part = "label" if part == "type" else part
        return f"{_GOOGLE_NOTED[kind]}@{number}:{part}"
    if kind == "organization" and part in _GOOGLE_ORGANIZATION:
        if number == "1":
            return _GOOGLE_ORGANIZATION[part]
        # A card holds one organization: the others go to the notes.
        return f"organization@{number}:{part}"
    return ""


# ---------------------------------------------------------------------------
# Guessing the mapping of any other CSV
# ---------------------------------------------------------------------------

# Column names as people and address book apps write them, folded
# (lowercase, no accents, no spaces or punctuation: "Téléphone (bureau)" is
# "telephonebureau"). English first, then French, German, Spanish, Italian,
# Dutch and Portuguese, with the names of Outlook's French and German exports
# ("Rue (domicile)", "Straße privat"), which are not recognised as Outlook's.
_GUESSES = {
    "display_name": "name fullname displayname contactname contact fileas "
    "nomcomplet nomaafficher vollstandigername anzeigename nombrecompleto "
    "nomecompleto volledigenaam weergavenaam",
    "prefix": "prefix nameprefix salutation honorific civilite anrede titel "
    "tratamiento aanhef",
    "given_name": "firstname givenname first forename prenom vorname nombre "
    "nome voornaam primernombre",
    "middle_name": "middlename additionalname middle secondname deuxiemeprenom "
    "weiterevornamen segundonombre secondonome",
    "family_name": "lastname surname familyname last nom nachname apellido "
    "apellidos cognome achternaam familienname nomdefamille sobrenome",
    "suffix": "suffix namesuffix suffixe namenszusatz sufijo",
    "nickname": "nickname nick alias surnom spitzname apodo soprannome bijnaam",
    "organization": "company organization organisation org companyname "
    "employer business firm societe entreprise firma unternehmen empresa "
    "azienda societa bedrijf organizacion organizzazione",
    "department": "department dept division abteilung departamento reparto afdeling",
    "job_title": "jobtitle title position role occupation job fonction poste "
    "berufsbezeichnung jobtitel cargo puesto qualifica functie",
    "birthday": "birthday birthdate dateofbirth dob bday born datedenaissance "
    "anniversaire geburtstag geburtsdatum cumpleanos fechadenacimiento "
    "compleanno datadinascita verjaardag geboortedatum datadenascimento",
    "birthday:year": "birthyear yearofbirth",
    "birthday:month": "birthmonth monthofbirth",
    "notes": "notes note comments comment description remarks remarques "
    "commentaires notizen bemerkungen anmerkungen notas observaciones "
    "notities opmerkingen",
    "labels": "labels label groups group categories category tags tag "
    "groupmembership lists groupes etiquettes kategorien gruppen etiketten "
    "categorias grupos etiquetas categorie gruppi",
    "photo": "photo picture image avatar photourl",
    "email:other": "email emailaddress mail email1 emailaddress1 eaddress "
    "courriel adresseemail adressemail adressedemessagerie emailadresse "
    "correo correoelectronico direcciondecorreoelectronico indirizzoemail "
    "emailadres",
    "email:home": "homeemail personalemail privateemail emailpersonnel "
    "emailprive emailprivat correopersonal",
    "email:work": "workemail businessemail officeemail emailprofessionnel "
    "emailgeschaftlich correotrabajo",
    "phone:other": "phone telephone tel phonenumber number numerodetelephone "
    "telefon telefonnummer telefono numerodetelefono telefoon telefone "
    "telephoneautre weiterestelefon",
    "phone:mobile": "mobile mobilephone cell cellphone mobilenumber "
    "cellular handy portable telmobile telephoneportable telephonemobile "
    "mobiltelefon movil telefonomovil celular cellulare mobiel "
    "mobielenummer telemovel",
    "phone:home": "homephone hometelephone privatephone telephonedomicile "
    "telephoneprive telefonprivat telefonocasa telefonoparticular "
    "telefonoabitazione telefoonthuis",
    "phone:work": "workphone businessphone officephone worktelephone "
    "telephonebureau telephoneprofessionnel telefongeschaftlich telefonburo "
    "telefonotrabajo telefonodeltrabajo telefonoufficio telefoonwerk",
    "phone:custom=Fax": "fax faxnumber telecopie telefax",
    "phone:custom=Pager": "pager pagernumber",
    "phone:custom=Work fax": "telecopiebureau faxgeschaftlich",
    "phone:custom=Home fax": "telecopiedomicile faxprivat",
    "website:home": "personalwebsite homewebsite personalwebpage",
    "website:work": "businesswebsite workwebsite companywebsite",
    "website:other": "website web url homepage webpage site siteweb "
    "siteinternet pageweb webseite internetseite sitioweb paginaweb sitoweb "
    "webpagina",
    "address:home:street": "address street streetaddress address1 address2 "
    "addressline1 addressline2 homestreet homeaddress adresse rue "
    "ruedomicile strasse strasseprivat direccion calle indirizzo adres "
    "straat endereco rua",
    "address:home:city": "city town locality homecity ville villedomicile "
    "stadt ort ortprivat ciudad localidad poblacion citta comune plaats "
    "woonplaats cidade",
    "address:home:region": "state region province county homestate "
    "depregiondomicile bundesland bundeslandkantonprivat provincia estado "
    "provincie",
    "address:home:postal_code": "zip zipcode postcode postalcode homepostalcode "
    "homezip homezipcode "
    "codepostal codepostaldomicile cp plz postleitzahl postleitzahlprivat "
    "codigopostal cap",
    "address:home:country": "country countryregion homecountry pays "
    "paysregiondomicile land landregionprivat pais paese nazione",
    "address:work:street": "workstreet businessstreet workaddress businessaddress "
    "ruebureau strassegeschaftlich",
    "address:work:city": "workcity businesscity villebureau ortgeschaftlich",
    "address:work:region": "workstate businessstate depregionbureau regiongeschaftlich",
    "address:work:postal_code": "workpostalcode businesspostalcode workzip "
    "workzipcode businesszip businesszipcode "
    "codepostalbureau postleitzahlgeschaftlich",
    "address:work:country": "workcountry businesscountry paysregionbureau "
    "landregiongeschaftlich",
}
_GUESS_INDEX = {
    word: target for target, words in _GUESSES.items() for word in words.split()
}
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def _normalised(name: str) -> str:
    from contacts.text import fold

    return _NOT_ALNUM.sub("", fold(name))


# Columns next to an email that hold no address: Outlook's "E-mail Type"
# ("SMTP") and "E-mail Display Name", in English, German and French.
_NOT_EMAILS = frozenset(
    {
        "emailtype",
        "emaildisplayname",
        "emailtyp",
        "emailangezeigtername",
        "typedemessagerie",
        "nomcompletdeladressedemessagerie",
    }
)
_DIGITS = re.compile(r"\d+")
# Columns a card has no field for but whose values are worth keeping: in the
# notes, under the column's name ("Spouse: Bob", "Custom 1: …").
_NOTED_GUESSES = frozenset(
    {
        "anniversary",
        "spouse",
        "partner",
        "children",
        "screenname",
        "messengerid",
        "im",
        "imaddress",
        "skype",
        "hobby",
        "hobbies",
        "referredby",
        "custom",
        "assistant",
        "assistantsname",
        "manager",
        "managersname",
    }
)


def guess_target(name: str) -> str:
    """The target a column's name suggests, or "" to ignore the column."""
    key = _normalised(name)
    if key in _GUESS_INDEX:
        return _GUESS_INDEX[key]
    # "E-mail 2 Address", "Téléphone 2 (domicile)": the number left out.
    numberless = _DIGITS.sub("", key)
    if numberless in _NOT_EMAILS:
        return ""
    outlook = OUTLOOK_COLUMNS.get(name.strip().lower())
    if outlook:
        return outlook
    google = _google_target(name)
    if google and "@" not in google:
        return google
    if numberless in _GUESS_INDEX:
        return _GUESS_INDEX[numberless]
    if numberless in _NOTED_GUESSES:
        return note_target(name.strip())
    for needle, target in (
        ("email", "email:other"),
        ("mail", "email:other"),
        ("courriel", "email:other"),
        ("correo", "email:other"),
        ("mobil", "phone:mobile"),
        ("cell", "phone:mobile"),
        ("fax", "phone:custom=Fax"),
        ("phone", "phone:other"),
        ("telef", "phone:other"),
        ("website", "website:other"),
        ("birth", "birthday"),
        ("geburt", "birthday"),
        ("naissance", "birthday"),
    ):
        if needle in key:
            return target
    return ""


_YAHOO_PHONES = {
    "home": "phone:home",
    "work": "phone:work",
    "other": "phone:other",
    "primary": "phone:custom=Main",
}


def guess_mapping(header: Sequence[str]) -> list[str]:
    """One guessed target per column; a name column guessed twice keeps the first."""
    mapping, taken = [], set()
    repeatable = ("email:", "phone:", "website:", "address:", "labels", "notes")
    for name in header:
        target = guess_target(name)
        if target in taken and not target.startswith(repeatable):
            target = ""
        taken.add(target)
        mapping.append(target)
    keys = [_normalised(name) for name in header]
    if "yahoophone" in keys:
        # Yahoo's export names its phone columns by their kind alone.
        mapping = [
            _YAHOO_PHONES.get(key, target)
            for key, target in zip(keys, mapping, strict=True)
        ]
    if {"birthday:year", "birthday:month"} & taken:
        # Thunderbird's "Birth Day", beside "Birth Year" and "Birth Month".
        mapping = [
            "birthday:day" if target == "birthday" else target for target in mapping
        ]
    return mapping


# ---------------------------------------------------------------------------
# Rows to cards
# ---------------------------------------------------------------------------


def kind_from_label(text: str) -> tuple[str, str]:
    """(kind, custom label) from Google's label text ("* Home", "Work Fax")."""
    label = text.strip().removeprefix("*").strip()
    lowered = label.lower()
    if lowered in {HOME, WORK, MOBILE, OTHER}:
        return lowered, ""
    if not label:
        return OTHER, ""
    return CUSTOM, label


def split_labels(value: str) -> list[str]:
    """Label names from a Labels, Groups or Categories cell."""
    if ":::" in value:
        names = value.split(":::")
    elif ";" in value:
        names = value.split(";")
    else:
        names = value.split(",")
    return [name.strip().removeprefix("*").strip() for name in names if name.strip()]


# What each mapped column does, worked out once per mapping, not per row.
_SCALAR, _PAIR, _ADDRESS, _DETAIL, _NOTE, _BIRTHDAY_PART = range(6)
BIRTHDAY_PART = "birthday:"


@functools.lru_cache(maxsize=32)
def _column_plan(mapping: tuple[str, ...]) -> tuple[tuple, ...]:
    """(column, action, arguments) for each column with a target."""
    plan = []
    for column, target in enumerate(mapping):
        if not target:
            continue
        if target.startswith(BIRTHDAY_PART):
            plan.append((column, _BIRTHDAY_PART, (target.removeprefix(BIRTHDAY_PART),)))
        elif target in SCALAR_TARGETS:
            plan.append((column, _SCALAR, (target,)))
        elif target.startswith(NOTE_PREFIX):
            plan.append((column, _NOTE, (target.removeprefix(NOTE_PREFIX),)))
        elif "@" in target:
            detail, rest = target.split("@", 1)
            number, part = rest.split(":", 1)
            plan.append((column, _PAIR, ((detail, number), part)))
        elif target.startswith("address:"):
            _kind_name, kind, part = target.split(":", 2)
            plan.append((column, _ADDRESS, (kind, part)))
        else:
            detail, kind = target.split(":", 1)
            label = ""
            if kind.startswith("custom="):
                kind, label = CUSTOM, kind.removeprefix("custom=")
            plan.append((column, _DETAIL, (detail, kind, label)))
    return tuple(plan)


def row_to_vcard(
    line: int, cells: Sequence[str], mapping: Sequence[str], *, day_first: bool = False
) -> VCard:
    """A card from one row, following the mapping (a target per column).

    `day_first` says how to read a date such as 4/5/1990 (see `date_order()`).
    """
    card = VCard(line=line)
    pairs: dict[tuple[str, str], dict[str, str]] = {}
    fixed_addresses: dict[str, dict[str, list[str]]] = {}
    birthday_parts: dict[str, str] = {}
    width = len(cells)
    for column, action, arguments in _column_plan(tuple(mapping)):
        if column >= width:
            break
        value = cells[column]
        if not value or not (value := value.strip()):  # most cells are empty
            continue
        value = clean_text(unneutralise(value))
        if not value:
            continue
        if action == _SCALAR:
            _set_scalar(card, arguments[0], value, day_first)
        elif action == _PAIR:
            key, part = arguments
            pairs.setdefault(key, {})[part] = value
        elif action == _ADDRESS:
            kind, part = arguments
            fixed_addresses.setdefault(kind, {}).setdefault(part, []).append(value)
        elif action == _BIRTHDAY_PART:
            birthday_parts[arguments[0]] = value
        elif action == _NOTE:
            # Outlook writes "0/0/00" for a date it does not have.
            if not _EMPTY_DATE.match(value):
                card.extras.append(Extra(COLUMN, value, arguments[0]))
        else:
            detail, kind, label = arguments
            for item in _multi(value):
                _add_detail(card, detail, TypedValue(item, kind, label))
    for (detail, _number), parts in pairs.items():
        if detail in NOTED_PAIR_NAMES:
            extra = _pair_extra(detail, parts)
            if extra:
                card.extras.append(extra)
        else:
            _add_pair(card, detail, parts)
    for kind, parts in fixed_addresses.items():
        address = Address(
            kind=kind, **{part: "\n".join(values) for part, values in parts.items()}
        )
        card.addresses.append(address)
    if birthday_parts and card.birthday is None:
        _set_birthday_parts(card, birthday_parts)
    if width > len(mapping):
        _note_cells_past_header(card, cells[len(mapping) :], len(mapping))
    return card


def _note_cells_past_header(card: VCard, past: Sequence[str], columns: int) -> None:
    """A row wider than the header (a value with an unquoted comma) loses
    its last cells: the preview names them, so the member can mend the file.
    Empty cells, as spreadsheets pad rows, say nothing."""
    values = [clean_text(cell).strip() for cell in past]
    values = [value for value in values if value]
    if not values:
        return
    quoted = ", ".join(f"“{value[:40]}”" for value in values[:3])
    if len(values) > 3:
        quoted += "…"
    card.warnings.append(
        ngettext(
            "%(count)s cell past the file’s %(columns)s columns was left out: "
            "%(values)s",
            "%(count)s cells past the file’s %(columns)s columns were left out: "
            "%(values)s",
            len(values),
        )
        % {"count": len(values), "columns": columns, "values": quoted}
    )


_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            "january jan",
            "february feb",
            "march mar",
            "april apr",
            "may",
            "june jun",
            "july jul",
            "august aug",
            "september sep sept",
            "october oct",
            "november nov",
            "december dec",
        ),
        start=1,
    )
    for name in names.split()
}


def _set_birthday_parts(card: VCard, parts: dict[str, str]) -> None:
    """A birthday from a year, a month and a day in columns of their own.

    The year may be missing (or 0); a month may be a number or its English
    name. Anything else is a warning, and no birthday.
    """
    year, month, day = (
        parts.get(part, "").strip() for part in ("year", "month", "day")
    )
    if not (year.strip("0") or month.strip("0") or day.strip("0")):
        return  # Thunderbird writes 0 or nothing for "no birthday"
    month_number = _MONTHS.get(month.lower().rstrip("."), month)
    try:
        birthday = Birthday(
            day=int(day), month=int(month_number), year=int(year) if year else None
        )
        if birthday.year is not None and birthday.year < 1:
            birthday.year = None
        datetime.date(birthday.year or 4, birthday.month, birthday.day)
    except (TypeError, ValueError):
        written = "-".join(part for part in (year, month, day) if part)
        card.keep_unread_birthday(written)
        return
    card.birthday = birthday


def _multi(value: str) -> list[str]:
    return [item.strip() for item in value.split(":::") if item.strip()]


def _set_scalar(card: VCard, target: str, value: str, day_first: bool) -> None:
    if target == "display_name":
        card.formatted_name = value
    elif target == "job_title":
        card.title = value
    elif target == "notes":
        card.note = f"{card.note}\n\n{value}" if card.note else value
    elif target == "labels":
        for name in split_labels(value):
            if name not in card.categories:
                card.categories.append(name)
    elif target == "photo":
        if card.photo is None:
            card.photo = Photo(uri=value)
    elif target == "birthday":
        birthday = parse_loose_date(value, day_first=day_first)
        if birthday is None:
            if not _EMPTY_DATE.match(value):
                card.keep_unread_birthday(value)
        else:
            card.birthday = birthday
    else:
        current = getattr(card, target)
        setattr(card, target, f"{current} {value}" if current else value)


def _add_detail(card: VCard, detail: str, item: TypedValue) -> None:
    {"email": card.emails, "phone": card.phones, "website": card.urls}[detail].append(
        item
    )


_PAIR_EXTRAS = {"event": DATE, "relation": RELATED, "im": IM, "custom": COLUMN}


def _pair_extra(detail: str, parts: dict[str, str]) -> Extra | None:
    """One of Google's pairs with no field on a card, for the notes."""
    if detail == "organization":
        value = ", ".join(
            parts[part] for part in ("title", "name", "department") if parts.get(part)
        )
        return Extra(COLUMN, value, str(NOTED_PAIR_NAMES[detail])) if value else None
    value = ", ".join(_multi(parts.get("value", "")))
    if not value or _EMPTY_DATE.match(value):
        return None
    label = parts.get("label", "").removeprefix("*").strip()
    service = parts.get("service", "").removeprefix("*").strip()
    label = f"{service} ({label})" if service and label else service or label
    kind = _PAIR_EXTRAS[detail]
    if kind == COLUMN and not label:
        label = str(NOTED_PAIR_NAMES[detail])
    return Extra(kind, value, label)


def _add_pair(card: VCard, detail: str, parts: dict[str, str]) -> None:
    kind, label = kind_from_label(parts.get("label", ""))
    if detail == "address":
        # Google writes the addresses of one label in one pair, each part
        # "first ::: second": the nth value of every part is the nth address.
        values = {
            part: [piece.strip() for piece in value.split(":::")]
            for part, value in parts.items()
            if part != "label"
        }
        for index in range(max(map(len, values.values()), default=0)):
            one = {
                part: pieces[index] if index < len(pieces) else ""
                for part, pieces in values.items()
            }
            _add_address(card, one, kind, label)
        return
    for item in _multi(parts.get("value", "")):
        _add_detail(card, detail, TypedValue(item, kind, label))


def _add_address(card: VCard, parts: dict[str, str], kind: str, label: str) -> None:
    fields = {
        part: parts.get(part, "")
        for part in ("street", "city", "region", "postal_code", "country")
    }
    extra = [parts.get("extended", ""), parts.get("po_box", "")]
    if any(fields.values()):
        fields["street"] = "\n".join(
            line for line in (fields["street"], *extra) if line
        )
    elif parts.get("formatted"):
        fields["street"] = parts["formatted"]
    else:
        fields["street"] = "\n".join(line for line in extra if line)
    address = Address(kind=kind, label=label, **fields)
    if not address.is_empty():
        card.addresses.append(address)


_EMPTY_DATE = re.compile(r"^[0/.\-\s]*$")
_NUMERIC_DATE = re.compile(r"^(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})$")
# A time after a date, as a spreadsheet's date and time or a database writes
# it ("4/12/1985 0:00", "1985-04-12 00:00:00").
_TIME_AFTER = re.compile(
    r"\s+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?$"
)
# A date with its month in English words: "12-Apr-85", "12 April 1985",
# "April 12, 1985", "Apr. 12th".
_WORDS_DATE = re.compile(
    r"^(?:(?P<day>\d{1,2})[\s\-/.]*(?P<month>[a-z]{3,9})"
    r"|(?P<month2>[a-z]{3,9})\.?\s*(?P<day2>\d{1,2})(?:st|nd|rd|th)?)"
    r"(?:[\s,\-/.]+(?P<year>\d{2}|\d{4}))?$",
    re.IGNORECASE,
)


def parse_loose_date(value: str, *, day_first: bool = False) -> Birthday | None:
    """ISO dates, "--MM-DD", and the numeric dates spreadsheets write.

    "4/12/1985" is read month first (Outlook's US export), or day first with
    `day_first`; a date only one order can read ("13/12/1985", "12/13/1985")
    is read that way whatever the order, and "12.04.1985" (dots) day first.
    """
    value = _TIME_AFTER.sub("", value.strip())
    if _EMPTY_DATE.match(value):
        return None
    iso = parse_birthday(value)
    if iso is not None:
        return iso
    match = _NUMERIC_DATE.match(value)
    if not match:
        return _date_in_words(value)
    first, second, third = (int(part) for part in match.groups())
    if len(match[1]) == 4:
        year, month, day = first, second, third
    elif "." in value or first > 12 or (day_first and second <= 12):
        day, month, year = first, second, third
    else:
        month, day, year = first, second, third
    if year < 100:
        year += 1900 if year > 30 else 2000
    return parse_birthday(f"{year:04d}-{month:02d}-{day:02d}")


def _date_in_words(value: str) -> Birthday | None:
    match = _WORDS_DATE.match(value)
    if not match:
        return None
    month = _MONTHS.get((match["month"] or match["month2"]).lower())
    if month is None:
        return None
    day = int(match["day"] or match["day2"])
    if not match["year"]:
        return parse_birthday(f"--{month:02d}-{day:02d}")
    year = int(match["year"])
    if year < 100:
        year += 1900 if year > 30 else 2000
    return parse_birthday(f"{year:04d}-{month:02d}-{day:02d}")


# Where dates are written month first (4/12/1985 is April 12); the rest of
# the world writes the day first.
MONTH_FIRST_REGIONS = frozenset(
    {"US", "PR", "GU", "VI", "AS", "MP", "UM", "PH", "FM", "MH", "PW", "BZ"}
)


@dataclass(frozen=True)
class DatesRead:
    """How a file's numeric dates are read, and a date that shows it."""

    day_first: bool
    # The first date the other order would read differently ("" if none).
    example: str = ""
    # Whether the file itself showed the order (a 13/12/1985 or a 12/13/1985).
    from_file: bool = False


def date_order(
    rows: Iterable[tuple[int, Sequence[str]]],
    mapping: Sequence[str],
    *,
    region: str,
    chosen: str = "",
) -> DatesRead:
    """The order to read the birthday columns' dates such as 4/12/1985 in.

    A file is written one way: chosen by the member ("dmy", "mdy"), else the
    way its unambiguous dates show (13/12/1985 is day first), else the way
    the address book's region writes dates. Only birthday columns are read.
    """
    columns = [index for index, target in enumerate(mapping) if target == "birthday"]
    example = ""
    day_first_seen = month_first_seen = False
    for _line, cells in rows if columns else ():
        for column in columns:
            if column >= len(cells) or not (value := cells[column].strip()):
                continue
            match = _NUMERIC_DATE.match(_TIME_AFTER.sub("", value))
            if not match or len(match[1]) == 4 or "." in value:
                continue
            first, second = int(match[1]), int(match[2])
            if first > 12 and second <= 12:
                day_first_seen = True
            elif second > 12 and first <= 12:
                month_first_seen = True
            elif first != second and first and second and not example:
                example = value
    if chosen in {"dmy", "mdy"}:
        return DatesRead(day_first=chosen == "dmy", example=example)
    if day_first_seen != month_first_seen:
        return DatesRead(day_first=day_first_seen, example=example, from_file=True)
    return DatesRead(
        day_first=region.upper() not in MONTH_FIRST_REGIONS, example=example
    )


# ---------------------------------------------------------------------------
# Writing Google Contacts' CSV
# ---------------------------------------------------------------------------

GOOGLE_HEAD = (
    "First Name",
    "Middle Name",
    "Last Name",
    "Phonetic First Name",
    "Phonetic Middle Name",
    "Phonetic Last Name",
    "Name Prefix",
    "Name Suffix",
    "Nickname",
    "File As",
    "Organization Name",
    "Organization Title",
    "Organization Department",
    "Birthday",
    "Notes",
    "Photo",
    "Labels",
)
GOOGLE_ADDRESS_COLUMNS = (
    "Label",
    "Formatted",
    "Street",
    "City",
    "PO Box",
    "Region",
    "Postal Code",
    "Country",
    "Extended Address",
)
_LABEL_TEXT = {HOME: "Home", WORK: "Work", MOBILE: "Mobile", OTHER: "Other"}


@dataclass(frozen=True)
class GoogleColumns:
    """How many numbered email, phone, address and website blocks to write."""

    emails: int = 1
    phones: int = 1
    addresses: int = 1
    websites: int = 1

    def header(self) -> list[str]:
        columns = list(GOOGLE_HEAD)
        for number in range(1, self.emails + 1):
            columns += [f"E-mail {number} - Label", f"E-mail {number} - Value"]
        for number in range(1, self.phones + 1):
            columns += [f"Phone {number} - Label", f"Phone {number} - Value"]
        for number in range(1, self.addresses + 1):
            columns += [f"Address {number} - {part}" for part in GOOGLE_ADDRESS_COLUMNS]
        for number in range(1, self.websites + 1):
            columns += [f"Website {number} - Label", f"Website {number} - Value"]
        return columns


def _label_text(item) -> str:
    if item.kind == CUSTOM and item.label:
        return item.label
    return _LABEL_TEXT.get(item.kind, "Other")


def _shown_birthday(card: VCard) -> ShownBirthday:
    """The card's birthday as profiles write it: ISO ("1972-02-29", or
    "--02-29" without a year) and in words ("29 February")."""
    birthday = card.birthday
    return ShownBirthday(birthday.day, birthday.month, birthday.year)


def google_row(card: VCard, columns: GoogleColumns) -> list[str]:
    """One card as a row of Google Contacts' CSV (cells not yet neutralised)."""
    birthday = _shown_birthday(card).iso if card.birthday else ""
    labels = ["* myContacts"]
    for name in card.categories:
        labels.append(f"* {name}" if name == FAVORITE_CATEGORY else name)
    display = card.formatted_name
    if display == card.implied_name():
        display = ""
    row = [
        card.given_name,
        card.middle_name,
        card.family_name,
        "",
        "",
        "",
        card.prefix,
        card.suffix,
        card.nickname,
        display,
        card.organization,
        card.title,
        card.department,
        birthday,
        card.note,
        "",
        MULTI_SEPARATOR.join(labels),
    ]
    row += _pairs(card.emails, columns.emails)
    row += _pairs(card.phones, columns.phones)
    for index in range(columns.addresses):
        if index < len(card.addresses):
            address = card.addresses[index]
            formatted = "\n".join(_address_lines(address))
            row += [
                _label_text(address),
                formatted,
                address.street,
                address.city,
                address.po_box,
                address.region,
                address.postal_code,
                address.country,
                address.extended,
            ]
        else:
            row += [""] * len(GOOGLE_ADDRESS_COLUMNS)
    row += _pairs(card.urls, columns.websites)
    return row


def _pairs(items: Sequence[TypedValue], count: int) -> list[str]:
    cells = []
    for index in range(count):
        if index < len(items):
            cells += [_label_text(items[index]), items[index].value]
        else:
            cells += ["", ""]
    return cells


class _Line:
    """A file-like sink for `csv.writer` that hands back each written line."""

    def __init__(self):
        self.text = ""

    def write(self, text: str) -> None:
        self.text = text


def csv_lines(rows: Iterable[Sequence[str]]) -> Iterator[str]:
    """RFC 4180 lines (CRLF, quotes doubled), every cell neutralised."""
    sink = _Line()
    writer = csv.writer(sink, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
        yield sink.text


# ---------------------------------------------------------------------------
# Writing Outlook's CSV
# ---------------------------------------------------------------------------

# The 92 columns of Outlook's own export, in its order.
OUTLOOK_HEAD = (
    "Title",
    "First Name",
    "Middle Name",
    "Last Name",
    "Suffix",
    "Company",
    "Department",
    "Job Title",
    *(
        f"{place} {part}"
        for place in ("Business", "Home", "Other")
        for part in (
            "Street",
            "Street 2",
            "Street 3",
            "City",
            "State",
            "Postal Code",
            "Country/Region",
        )
    ),
    "Assistant's Phone",
    "Business Fax",
    "Business Phone",
    "Business Phone 2",
    "Callback",
    "Car Phone",
    "Company Main Phone",
    "Home Fax",
    "Home Phone",
    "Home Phone 2",
    "ISDN",
    "Mobile Phone",
    "Other Fax",
    "Other Phone",
    "Pager",
    "Primary Phone",
    "Radio Phone",
    "TTY/TDD Phone",
    "Telex",
    "Account",
    "Anniversary",
    "Assistant's Name",
    "Billing Information",
    "Birthday",
    "Business Address PO Box",
    "Categories",
    "Children",
    "Directory Server",
    *(
        f"E-mail{number} {part}"
        for number in ("", " 2", " 3")
        for part in ("Address", "Type", "Display Name")
    ),
    "Gender",
    "Government ID Number",
    "Hobby",
    "Home Address PO Box",
    "Initials",
    "Internet Free Busy",
    "Keywords",
    "Language",
    "Location",
    "Manager's Name",
    "Mileage",
    "Notes",
    "Office Location",
    "Organizational ID Number",
    "Other Address PO Box",
    "Priority",
    "Private",
    "Profession",
    "Referred By",
    "Sensitivity",
    "Spouse",
    "User 1",
    "User 2",
    "User 3",
    "User 4",
    "Web Page",
)
_OUTLOOK_INDEX = {name: index for index, name in enumerate(OUTLOOK_HEAD)}
OUTLOOK_EMAILS = 3
# Each kind's phone columns, and the columns of the labels Outlook names
# ("Work fax" is "Business Fax"), the reverse of what the import reads.
_OUTLOOK_PHONES = {
    MOBILE: ("Mobile Phone",),
    HOME: ("Home Phone", "Home Phone 2"),
    WORK: ("Business Phone", "Business Phone 2"),
    OTHER: ("Other Phone",),
}
_OUTLOOK_LABELLED_PHONES = {
    target.removeprefix("phone:custom=").lower(): name
    for name in OUTLOOK_HEAD
    if (target := OUTLOOK_COLUMNS.get(name.lower(), "")).startswith("phone:custom=")
}
_OUTLOOK_PLACES = {WORK: "Business", HOME: "Home", OTHER: "Other"}


def outlook_row(card: VCard) -> list[str]:
    """One card as a row of Outlook's CSV (cells not yet neutralised).

    Outlook has a column for 3 email addresses, a phone of each kind it
    names (two home, two work), an address of each place and a website. A
    detail with no free column, a nickname, a full name other than the one
    the parts make and a birthday without a year are written in the notes,
    one line each ("Phone (Mobile): …"), so nothing of the card is lost.
    """
    row = [""] * len(OUTLOOK_HEAD)
    more: list[str] = []

    def put(column: str, value: str) -> None:
        row[_OUTLOOK_INDEX[column]] = value

    def free(columns: Iterable[str]) -> str | None:
        return next((c for c in columns if not row[_OUTLOOK_INDEX[c]]), None)

    given, family = card.given_name, card.family_name
    if card.formatted_name and not card.composed_name:
        # Outlook has no column for a whole name: a card with only one is
        # written as first and last name ("Carol Nguyen"), which make it again.
        given, family = name_parts(card.formatted_name)
    for column, value in (
        ("Title", card.prefix),
        ("First Name", given),
        ("Middle Name", card.middle_name),
        ("Last Name", family),
        ("Suffix", card.suffix),
        ("Company", card.organization),
        ("Department", card.department),
        ("Job Title", card.title),
    ):
        put(column, value)
    shown = card.formatted_name or card.implied_name()
    if card.nickname:
        more.append(f"{_('Nickname')}: {card.nickname}")
    named = card.formatted_name and card.composed_name
    if named and card.formatted_name != card.implied_name():
        more.append(f"{_('Full name')}: {card.formatted_name}")
    if card.birthday and card.birthday.year:
        put("Birthday", _shown_birthday(card).iso)
    elif card.birthday:
        more.append(f"{_('Birthday')}: {_shown_birthday(card)}")
    for index, email in enumerate(card.emails):
        if index < OUTLOOK_EMAILS:
            number = f" {index + 1}" if index else ""
            put(f"E-mail{number} Address", email.value)
            put(f"E-mail{number} Type", "SMTP")
            put(f"E-mail{number} Display Name", f"{shown} ({email.value})")
        else:
            more.append(f"{_('Email')} ({_label_text(email)}): {email.value}")
    for phone in card.phones:
        if phone.kind == CUSTOM:
            named = _OUTLOOK_LABELLED_PHONES.get(phone.label.lower())
            columns = (named,) if named else ()
        else:
            columns = _OUTLOOK_PHONES.get(phone.kind, ())
        if column := free(columns):
            put(column, phone.value)
        else:
            more.append(f"{_('Phone')} ({_label_text(phone)}): {phone.value}")
    places_taken = set()
    for address in card.addresses:
        place = _OUTLOOK_PLACES.get(address.kind)
        if place and place not in places_taken:
            places_taken.add(place)
            _put_address(put, place, address)
        else:
            lines = _address_lines(address)
            more.append(f"{_('Address')} ({_label_text(address)}): {', '.join(lines)}")
    for index, url in enumerate(card.urls):
        if index == 0:
            put("Web Page", url.value)
        else:
            more.append(f"{_('Website')} ({_label_text(url)}): {url.value}")
    names = list(card.categories)
    categories = ";".join(name.replace(";", ",") for name in names)
    if len(names) == 1 and "," in categories:
        categories += ";"  # so that the one name is not read as several
    put("Categories", categories)
    notes = [card.note] if card.note else []
    if more:
        notes.append("\n".join(more))
    put("Notes", "\n\n".join(notes))
    return row


def _address_lines(address: Address) -> list[str]:
    return [
        line
        for line in (
            *address.street.split("\n"),
            " ".join(p for p in (address.postal_code, address.city) if p),
            address.region,
            address.country,
        )
        if line
    ]


def _put_address(put, place: str, address: Address) -> None:
    """An address in its place's columns; street lines past two share the third."""
    lines = [
        line
        for line in (*address.street.split("\n"), address.extended, address.po_box)
        if line
    ]
    put(f"{place} Street", lines[0] if lines else "")
    put(f"{place} Street 2", lines[1] if len(lines) > 1 else "")
    put(f"{place} Street 3", "\n".join(lines[2:]))
    put(f"{place} City", address.city)
    put(f"{place} State", address.region)
    put(f"{place} Postal Code", address.postal_code)
    put(f"{place} Country/Region", address.country)
