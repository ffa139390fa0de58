"""Uploaded address book files: emptiness, binary data, encoding and kind.

Everything here runs before a single card is read, so a file that is not an
address book is refused with a message that says what is wrong with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

VCARD = "vcard"
CSV = "csv"

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8", "UTF-8 with byte-order mark"),
    (b"\xff\xfe", "utf-16-le", "UTF-16 with byte-order mark"),
    (b"\xfe\xff", "utf-16-be", "UTF-16 with byte-order mark"),
)
_BINARY_CONTROLS = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_BEGIN_VCARD = re.compile(r"^\s*BEGIN\s*:\s*VCARD\s*$", re.IGNORECASE | re.MULTILINE)


class UploadError(ValueError):
    """The file cannot be imported at all; the message tells the member why."""


@dataclass(frozen=True)
class DecodedUpload:
    text: str
    # The codec the text was decoded with (errors kept as surrogates, so a
    # vCard property's own CHARSET can decode its bytes again).
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
        raise UploadError(_("The file is empty."))
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
                raise UploadError(
                    _(
                        "The file says it is %(encoding)s but is not: save it "
                        "again as UTF-8 and import that."
                    )
                    % {"encoding": label.split(" with")[0]}
                ) from None
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
    # Not UTF-8: Windows' Western encoding is what Outlook and Excel write.
    text = data.decode("cp1252", "surrogateescape")
    return text, "cp1252", "Windows-1252 (the file is not UTF-8)"


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
    return UploadError(
        _(
            "This is not a text file (it holds binary data). Export your "
            "contacts as a vCard (.vcf) or CSV file and import that."
        )
    )


def _kind(text: str, file_name: str) -> str:
    name = file_name.lower()
    head = text[:65536]
    if _BEGIN_VCARD.search(head):
        return VCARD
    if name.endswith((".vcf", ".vcard")):
        raise UploadError(
            _(
                "This file has no vCard in it: a vCard file starts with "
                "BEGIN:VCARD. Export your contacts again and import that file."
            )
        )
    # A CSV file's first line may be a title or, in LinkedIn's export, notes.
    first_lines = head.lstrip("\ufeff").split("\n", 12)[:12]
    if any(separator in line for line in first_lines for separator in (",", ";", "\t")):
        return CSV
    raise UploadError(
        _(
            "This is neither a vCard nor a CSV file. Export your contacts as "
            "a vCard (.vcf) or CSV file and import that."
        )
    )
