"""Uploaded address book files: emptiness, binary data, encoding and kind.

Everything here runs before a single card is read, so a file that is not an
address book is refused with a message that says what is wrong with it.
"""

from __future__ import annotations

import bisect
import codecs
import io
import lzma
import re
import zipfile
import zlib
from dataclasses import dataclass
from operator import itemgetter

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from contacts import charsets
from contacts.vcard import CHARSETS_APPLIED, as_utf8_text, foreign_codec

VCARD = "vcard"
CSV = "csv"

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8", "UTF-8 with byte-order mark"),
    (b"\xff\xfe", "utf-16-le", "UTF-16 with byte-order mark"),
    (b"\xfe\xff", "utf-16-be", "UTF-16 with byte-order mark"),
)
_BINARY_CONTROLS = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
# A line of its own, ended by LF, CRLF or (classic Mac OS) CR alone.
_BEGIN_VCARD = re.compile(
    r"(?:^|(?<=\r))[ \t]*BEGIN[ \t]*:[ \t]*VCARD[ \t]*(?=\r|\n|$)",
    re.IGNORECASE | re.MULTILINE,
)


class UploadError(ValueError):
    """The file cannot be imported at all; the message tells the member why."""


class NoCardsError(UploadError):
    """The file holds no contact at all: it is empty, binary, or text of
    another kind. One of an archive's files is passed over for it, and named
    with `reason`, said as of a card ("the file is empty")."""

    def __init__(self, message: str, *, reason: str):
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class DecodedUpload:
    text: str
    # The codec that gives a value's bytes back, so a vCard property's own
    # CHARSET can decode them again.
    codec: str
    # How the file was read, as the preview tells it.
    encoding: str
    kind: str


def decode_upload(data: bytes, *, file_name: str = "") -> DecodedUpload:
    """Decode an upload and tell whether it is a vCard or a CSV file.

    Raises UploadError for an empty file, binary data, text in no encoding
    we can read, or text that is neither a vCard nor a CSV file.
    """
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise NoCardsError(_("The file is empty."), reason=_("the file is empty"))
    text, codec, encoding = _decode(data)
    kind = _kind(text, file_name)
    return DecodedUpload(text=text, codec=codec, encoding=encoding, kind=kind)


def _decode(data: bytes) -> tuple[str, str, str]:
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            body = data[len(bom) :]
            try:
                text = body.decode(codec)
            except UnicodeDecodeError:
                text = _utf8_unsplit(body) if codec == "utf-8" else None
            if text is None:
                raise UploadError(
                    _(
                        "The file says it is %(encoding)s but is not: save it "
                        "again as UTF-8 and import that."
                    )
                    % {"encoding": label.split(" with")[0]}
                )
            if "\x00" in text:
                raise _binary()
            return text, codec, label
    if b"\x00" in data:
        utf16 = _utf16_without_bom(data)
        if utf16 is None:
            raise _binary()
        return utf16
    sample = data[:65536]
    if len(_BINARY_CONTROLS.findall(sample)) > max(8, len(sample) // 100):
        raise _binary()
    try:
        return data.decode("utf-8"), "utf-8", "UTF-8"
    except UnicodeDecodeError:
        pass
    text = _utf8_unsplit(data)
    if text is not None:
        return text, "utf-8", "UTF-8"
    declared = _by_declared_charsets(data)
    if declared is not None:
        return declared
    # Excel's and Outlook's CSV files in Japanese, Chinese or Korean, and a
    # Japanese phone's vCards, say nothing of their encoding; nor does an
    # old Mac's. A vCard that names a charset is read as it says.
    guessed = None if _names_a_charset(data) else charsets.guess(data)
    if guessed:
        # A damaged byte beyond the part guessed from becomes "\ufffd".
        return data.decode(guessed, "replace"), guessed, charsets.LABELS[guessed]
    # Not UTF-8: Windows' Western encoding is what Outlook and Excel write.
    # What is UTF-8 in it stays so (a row typed in Excel in a UTF-8 file):
    # a Windows-1252 file seldom has a byte sequence that is UTF-8 too.
    if _has_utf8(data):
        text = data.decode("utf-8", _WINDOWS_1252)
        return text, "cp1252", "UTF-8, with some characters in Windows-1252"
    # No UTF-8 at all: every byte beyond ASCII is one character, read at
    # once rather than each through the error handler (a second a 2 MB file).
    return (
        data.decode("cp1252", "replace"),
        "cp1252",
        "Windows-1252 (the file is not UTF-8)",
    )


# The last bytes of a character a fold split in two (a writer folding lines
# every 75 bytes, not between characters), at the start of the folded line.
_SPLIT_BY_FOLD = re.compile(rb"(\r\n|\n|\r)([ \t])([\x80-\xbf]{1,3})")


def _utf8_unsplit(data: bytes) -> str | None:
    """`data` as UTF-8 once the characters folds split are whole, or None.

    The bytes are moved before the fold, which stays where it was: the
    lines keep their numbers, and unfolding gives the character back.
    """
    if not _SPLIT_BY_FOLD.search(data):
        return None
    try:
        return _SPLIT_BY_FOLD.sub(rb"\3\1\2", data).decode("utf-8")
    except UnicodeDecodeError:
        return None


_CHARSET_PARAM = re.compile(
    rb';[ \t]*CHARSET[ \t]*=[ \t]*"?([A-Za-z0-9_.\-]{1,40})', re.IGNORECASE
)
_BEGIN_VCARD_BYTES = re.compile(
    rb"(?:^|(?<=\r))[ \t]*BEGIN[ \t]*:[ \t]*VCARD", re.IGNORECASE | re.MULTILINE
)


def _by_declared_charsets(data: bytes) -> tuple[str, str, str] | None:
    """A vCard file whose properties name a charset such as GB18030 or
    Shift_JIS (as Chinese and Japanese phones write them), each line decoded
    with its property's charset, or None for files that name none.

    Read as UTF-8 with Windows-1252 for the rest, those bytes came out
    garbled, and often partly read as UTF-8, so no CHARSET could decode them
    again. A line that names no charset and is not UTF-8 is read with the
    one the file names, if it names one; else as Windows-1252.
    """
    if not _BEGIN_VCARD_BYTES.search(data, 0, 65536):
        return None
    named: dict[str, str] = {}  # codec: the name the file gives it
    for match in _CHARSET_PARAM.finditer(data):
        name = match[1].decode("ascii")
        codec = foreign_codec(name)
        if codec:
            named.setdefault(codec, name.upper())
    if not named:
        return None
    only = next(iter(named)) if len(named) == 1 else ""
    pieces = []
    codec = ""
    for line in data.splitlines(keepends=True):
        if line[:1] not in (b" ", b"\t"):  # a folded line keeps its charset
            colon = line.find(b":")
            match = _CHARSET_PARAM.search(line, 0, colon) if colon > 0 else None
            codec = foreign_codec(match[1].decode("ascii")) if match else ""
        for candidate in filter(None, (codec, "utf-8", only)):
            try:
                pieces.append(line.decode(candidate))
                break
            except UnicodeDecodeError:
                continue
        else:
            pieces.append(line.decode("utf-8", _WINDOWS_1252))
    names = sorted(named.values())
    shown = ", ".join(names[:2]) + (", …" if len(names) > 2 else "")
    return "".join(pieces), CHARSETS_APPLIED, f"{shown}, as the file’s cards say"


def _names_a_charset(data: bytes) -> bool:
    """Whether a vCard file's properties name a charset, a Western one too."""
    head = data[: charsets.SAMPLE_SIZE]
    return bool(_BEGIN_VCARD_BYTES.search(head) and _CHARSET_PARAM.search(head))


_WINDOWS_1252 = "rapport-windows-1252"


def _as_windows_1252(error: UnicodeDecodeError) -> tuple[str, int]:
    """The bytes that are not UTF-8 read as Windows-1252.

    The five bytes Windows-1252 leaves undefined become U+FFFD: a contact
    never holds a stray byte.
    """
    bad = error.object[error.start : error.end]
    return bad.decode("cp1252", "replace"), error.end


codecs.register_error(_WINDOWS_1252, _as_windows_1252)


def _has_utf8(data: bytes) -> bool:
    """Whether `data` holds a character written in UTF-8 (beyond ASCII)."""
    return _NOT_ASCII.search(data.decode("utf-8", "ignore")) is not None


_NOT_ASCII = re.compile("[^\\x00-\\x7f\\ufeff]")


def _utf16_without_bom(data: bytes) -> tuple[str, str, str] | None:
    """UTF-16 text without a byte-order mark: every other byte is zero."""
    sample = data[:4096]
    if len(sample) < 8:
        return None
    even_zeros = sample[0::2].count(0) / len(sample[0::2])
    odd_zeros = sample[1::2].count(0) / len(sample[1::2])
    if odd_zeros > 0.9 and even_zeros < 0.1:
        codec = "utf-16-le"
    elif even_zeros > 0.9 and odd_zeros < 0.1:
        codec = "utf-16-be"
    else:
        return None
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    if "\x00" in text:
        return None
    return text, codec, "UTF-16 without byte-order mark"


def _binary() -> UploadError:
    return NoCardsError(
        _(
            "This is not a text file (it holds binary data). Export your "
            "contacts as a vCard (.vcf) or CSV file and import that."
        ),
        reason=_("this is not a text file (it holds binary data)"),
    )


def _kind(text: str, file_name: str) -> str:
    name = file_name.lower()
    head = text[:65536]
    if _BEGIN_VCARD.search(head):
        return VCARD
    if name.endswith((".vcf", ".vcard")):
        raise NoCardsError(
            _(
                "This file has no vCard in it: a vCard file starts with "
                "BEGIN:VCARD. Export your contacts again and import that file."
            ),
            reason=_(
                "this file has no vCard in it: a vCard file starts with BEGIN:VCARD"
            ),
        )
    # A CSV file's first line may be a title or, in LinkedIn's export, notes.
    first_lines = head.lstrip("\ufeff").split("\n", 12)[:12]
    if any(separator in line for line in first_lines for separator in (",", ";", "\t")):
        return CSV
    raise NoCardsError(
        _(
            "This is neither a vCard nor a CSV file. Export your contacts as "
            "a vCard (.vcf) or CSV file and import that."
        ),
        reason=_("this is neither a vCard nor a CSV file"),
    )


# ---------------------------------------------------------------------------
# Archives: Google Takeout and LinkedIn's data export are .zip files
# ---------------------------------------------------------------------------

ZIP_MAGIC = b"PK\x03\x04"
_VCARD_SUFFIXES = (".vcf", ".vcard")
_BOOK_SUFFIXES = (*_VCARD_SUFFIXES, ".csv")
# The files inside those exports that hold the address book, by name.
_PREFERRED = ("connections.csv", "all contacts.vcf", "contacts.vcf")


def unpacked(
    data: bytes, file_name: str, *, limit: int
) -> tuple[bytes, str, list[list]]:
    """The address book inside a .zip upload, with its name and its parts;
    other files as they are.

    A zip holding one vCard or CSV file gives that file; LinkedIn's export
    gives its Connections.csv, Google Takeout's its "All Contacts.vcf"; one
    holding several files, all vCards (a vCard a contact, as Outlook and
    phones export them), gives them one after the other, named after the
    archive, and its parts: [first line, file name, encoding] for each file
    (see `file_line()`, `read_as()`), and [the line the next file starts on,
    file name, "", reason] for each that holds no card, left out
    (`skipped_files()`); one file has none. Raises UploadError when the
    archive is broken, protected, holds no address book or several that are
    not all vCards, none that holds a card, or more than `limit` bytes of
    them.
    """
    if not data.startswith(ZIP_MAGIC):
        return data, file_name, []
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        books = [
            info
            for info in archive.infolist()
            if not info.is_dir()
            and info.filename.lower().endswith(_BOOK_SUFFIXES)
            and not _hidden(info.filename)
        ]
    except NotImplementedError:
        raise _unsupported() from None
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _damaged() from None
    chosen = _chosen_books(books)
    if any(info.flag_bits & 0x1 for info in chosen):
        raise UploadError(
            _(
                "This .zip archive is protected by a password. Unpack it and "
                "import the address book file inside."
            )
        )
    if len(chosen) > 1:
        joined, parts = _vcards_joined(archive, chosen, limit=limit)
        return joined, file_name, parts
    name = chosen[0].filename.rsplit("/", 1)[-1]
    if chosen[0].file_size > limit:
        raise _too_large_inside(name, chosen[0].file_size, limit)
    book = _read(archive, chosen[0], limit + 1)
    if len(book) > limit:  # its header understated its size
        raise _too_large_inside(name, len(book), limit)
    return book, name, []


def _hidden(path: str) -> bool:
    """Whether a file of an archive is one its maker hid: macOS's resource
    forks ("._Léa Côté.vcf", binary), under `__MACOSX/` or beside the file
    they belong to, and any other whose name starts with a dot."""
    return path.startswith("__MACOSX/") or path.rsplit("/", 1)[-1].startswith(".")


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, at_most: int) -> bytes:
    """A file inside the archive, no more than `at_most` bytes of it,
    whatever size the archive declares."""
    try:
        with archive.open(info) as member:
            return member.read(at_most)
    except NotImplementedError:  # PPMd, Deflate64
        raise _unsupported() from None
    except (
        zipfile.BadZipFile,
        OSError,
        ValueError,
        RuntimeError,
        EOFError,
        zlib.error,
        lzma.LZMAError,
    ):
        raise _damaged() from None


def _vcards_joined(
    archive: zipfile.ZipFile, books: list[zipfile.ZipInfo], *, limit: int
) -> tuple[bytes, list[list]]:
    """Several vCard files as one, in the order of their names, in UTF-8,
    and the line of it each starts on, with its name.

    Each is decoded as an upload of its own is (its own encoding, its
    byte-order mark left out) and ends with a line break, so each of its
    lines is one of the joined text's, as the reader counts them. A file
    that holds no card (empty, binary, text without BEGIN:VCARD) is left
    out and named with the reason, unless none holds one.
    """
    books = sorted(books, key=lambda info: info.filename)
    declared = sum(info.file_size for info in books)
    if declared > limit:
        raise _too_large_together(len(books), declared, limit)
    texts = []
    parts = []
    first_line = 1
    size = 0
    for info in books:
        data = _read(archive, info, limit - size + 1)
        size += len(data)
        if size > limit:  # the archive understated their sizes
            raise _too_large_together(len(books), size, limit)
        name = info.filename.rsplit("/", 1)[-1]
        try:
            decoded = decode_upload(data, file_name=name)
        except NoCardsError as error:
            parts.append([first_line, name, "", error.reason])
            continue
        except UploadError as error:
            raise UploadError(
                _("“%(name)s”, inside the archive: %(problem)s")
                % {"name": name, "problem": error}
            ) from None
        text = as_utf8_text(decoded.text, decoded.codec).lstrip("\ufeff")
        if text.endswith("\r"):
            # A CR the next file's first LF would make one line break with.
            text += "\n"
        elif not text.endswith("\n"):
            text += "\r\n"
        texts.append(text)
        parts.append([first_line, name, decoded.encoding])
        first_line += _line_breaks(text)
    if not texts:
        first = parts[0]
        raise UploadError(
            _(
                "None of the %(count)s vCard files inside this .zip archive holds "
                "a card (“%(name)s”: %(reason)s). Export your contacts again and "
                "import them."
            )
            % {"count": len(books), "name": first[1], "reason": first[3]}
        )
    joined = "".join(texts).encode("utf-8", "replace")
    if len(joined) > limit:
        raise _too_large_together(len(books), len(joined), limit)
    return joined, parts


def _line_breaks(text: str) -> int:
    """How many line breaks `text` has, as the vCard reader counts them:
    CRLF, CR or LF each one."""
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def file_line(parts: list[list], line: int) -> tuple[str, int]:
    """Which file of an archive's joined vCards (`unpacked()`) a line of
    them is in, and its line in that file: ("", `line`) without parts."""
    index = bisect.bisect_right(parts, line, key=itemgetter(0)) - 1
    # A file left out holds no line: the line is the last one's before it.
    while index >= 0 and _skipped(parts[index]):
        index -= 1
    if index < 0:
        return "", line
    first, name = parts[index][:2]
    return name, line - first + 1


def skipped_files(parts: list[list]) -> list[tuple[str, str]]:
    """The files of an archive left out as holding no card, with the reason:
    [("Notes.vcf", "the file is empty")]."""
    return [(part[1], part[3]) for part in parts if _skipped(part)]


def _skipped(part: list) -> bool:
    return len(part) > 3


# Groups of an archive's files in other encodings named, the largest aside.
_ENCODINGS_NAMED = 3
_NAME_SHOWN = 40


def read_as(encoding: str, parts: list[list]) -> str:
    """What the preview says a file was read as: `encoding`, or for an
    archive of files in several encodings each group of them, the largest
    first, naming one or two of the others' files: "UTF-8; Léa Côté.vcf and
    2 more as Windows-1252 (the files are not UTF-8)".
    """
    # An import kept before its files said their encoding has [line, name].
    read = [part for part in parts if len(part) == 3]
    if not read or any(len(part) < 3 for part in parts):
        return encoding
    groups: dict[str, list[str]] = {}
    for _first, name, label in read:
        # The byte-order mark is left out of the text the files make.
        if label == "UTF-8 with byte-order mark":
            label = "UTF-8"
        groups.setdefault(label, []).append(name)
    if list(groups) == ["UTF-8"]:
        return encoding
    ordered = sorted(
        groups.items(), key=lambda group: (-len(group[1]), group[0] != "UTF-8")
    )
    (label, names), *others = ordered
    said = [_of_files(label, len(names))]
    for label, names in others[:_ENCODINGS_NAMED]:
        said.append(
            _("%(files)s as %(encoding)s")
            % {"files": _some_names(names), "encoding": _of_files(label, len(names))}
        )
    rest = sum(len(names) for _label, names in others[_ENCODINGS_NAMED:])
    if rest:
        said.append(
            ngettext(
                "%(count)s more file in another encoding",
                "%(count)s more files in other encodings",
                rest,
            )
            % {"count": rest}
        )
    return "; ".join(said)


def _of_files(label: str, count: int) -> str:
    """An encoding as the preview says it of a file, said of `count` files."""
    if count == 1:
        return label
    return (
        label.replace("the file does not say", "the files do not say")
        .replace("the file is not", "the files are not")
        .replace("the file’s cards say", "the files’ cards say")
    )


def _some_names(names: list[str]) -> str:
    shown = [
        name if len(name) <= _NAME_SHOWN else name[: _NAME_SHOWN - 1] + "…"
        for name in names[:2]
    ]
    if len(names) == 1:
        return shown[0]
    if len(names) == 2:
        return _("%(first)s and %(second)s") % {"first": shown[0], "second": shown[1]}
    return _("%(first)s and %(count)s more") % {
        "first": shown[0],
        "count": len(names) - 1,
    }


def line_place(line: int | None, file: str = "") -> str:
    """How the import names a card's line: "line 3", or "Léa Côté.vcf, line 3"
    for a card of one of an archive's files; a file it left out, by its name."""
    if line is None:
        return file
    if file:
        return _("%(file)s, line %(line)s") % {"file": file, "line": line}
    return _("line %(line)s") % {"line": line}


def _unsupported() -> UploadError:
    return UploadError(
        _(
            "This .zip archive is compressed in a way Rapport cannot unpack. "
            "Unpack it and import the address book file inside."
        )
    )


def _damaged() -> UploadError:
    return UploadError(
        _("This .zip archive is damaged. Download it again and import that.")
    )


def _chosen_books(books: list[zipfile.ZipInfo]) -> list[zipfile.ZipInfo]:
    if not books:
        raise UploadError(
            _(
                "This .zip archive holds no vCard (.vcf) or CSV file. Export "
                "your contacts as one and import it."
            )
        )
    by_name = {info.filename.rsplit("/", 1)[-1].lower(): info for info in books}
    for preferred in _PREFERRED:
        if preferred in by_name:
            return [by_name[preferred]]
    if len(books) == 1 or all(
        info.filename.lower().endswith(_VCARD_SUFFIXES) for info in books
    ):
        return books
    names = sorted(info.filename.rsplit("/", 1)[-1] for info in books)
    shown = ", ".join(names[:5]) + (", …" if len(names) > 5 else "")
    raise UploadError(
        _(
            "This .zip archive holds %(count)s address book files (%(names)s). "
            "Unpack it and import the one you want."
        )
        % {"count": len(books), "names": shown}
    )


def _too_large_together(count: int, size: int, limit: int) -> UploadError:
    return UploadError(
        _(
            "The %(count)s vCard files inside the archive come to %(size)s "
            "together; up to %(limit)s can be imported at once. Import them in "
            "smaller archives."
        )
        % {"count": count, "size": human_size(size), "limit": human_size(limit)}
    )


def _too_large_inside(name: str, size: int, limit: int) -> UploadError:
    return UploadError(
        _(
            "“%(name)s”, inside the archive, is %(size)s; files up to %(limit)s "
            "can be imported."
        )
        % {"name": name, "size": human_size(size), "limit": human_size(limit)}
    )


def human_size(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
