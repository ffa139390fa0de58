"""Phone numbers: read them with the member's region, offer the regions by name."""

import functools
import re
from collections.abc import Callable

import phonenumbers
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata, PhoneNumber
from phonenumbers.geodata.locale import LOCALE_DATA
from phonenumbers.phonenumberutil import (
    ValidationResult,
    _maybe_strip_national_prefix_carrier_code,
    _set_italian_leading_zeros_for_phone_number,
    _test_number_length,
)

# "+33 1 42 68 53 00", "+1 (415) 555-0100": a plus, then only digits and the
# usual separators; "020 7946 0000", "(415) 555-0100": the same without the plus.
# Anything else (extensions, letters, "+44 (0)") is parsed in full.
_PLAIN_INTERNATIONAL = re.compile(r"\+[1-9][0-9 ().\-]*")
_PLAIN_NATIONAL = re.compile(r"\(?[0-9][0-9 ().\-]*")
# With its national prefix taken off, a number of one of these lengths shows
# the prefix was part of the number: `parse` keeps it whole then.
_PREFIX_WAS_PART = {
    ValidationResult.TOO_SHORT,
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY,
    ValidationResult.INVALID_LENGTH,
}
_NON_DIGITS = re.compile(r"[^0-9]+")
_MAX_NATIONAL_DIGITS = 17  # the longest national number `parse` accepts


@functools.lru_cache(maxsize=8192)
def e164_or_blank(value: str, region: str) -> str:
    """The E.164 form of a typed number ("+442079460000"), or "" if not valid.

    Numbers that are not valid for their country stay as typed, unnormalised:
    people keep extensions, short codes and old numbers in their contacts.
    Remembered for the last few thousand numbers: an import meets the same
    switchboard or family number many times, and parsing costs ~30 µs.
    """
    number = _plain_international(value) or _plain_national(value, region)
    if number is None:
        try:
            number = phonenumbers.parse(value, region or None)
        except phonenumbers.NumberParseException:
            return ""
    # Most numbers belong to their country calling code's main region (+1:
    # the US, +44: the UK); asking it first skips the search through every
    # region sharing the code, which is most of the cost of checking.
    # A number of an impossible length is valid nowhere: no search for it.
    main = phonenumbers.region_code_for_country_code(number.country_code)
    if not phonenumbers.is_possible_number(number) or (
        not _valid_in_main_region(number, main)
        and not phonenumbers.is_valid_number(number)
    ):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# The kinds of number a region lists; a number is valid if it has one of them.
# Fixed lines and mobiles first: nearly every number in an address book is one.
_NUMBER_KINDS = (
    "fixed_line",
    "mobile",
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
)
_Pattern = tuple[frozenset[int], Callable[[str], re.Match | None]]


@functools.cache
def _patterns(region: str) -> tuple[_Pattern | None, tuple[_Pattern, ...]]:
    """The region's general pattern and its kinds' patterns, compiled once."""
    metadata = PhoneMetadata.metadata_for_region(region)
    compiled = []
    for name in ("general_desc", *_NUMBER_KINDS):
        desc = getattr(metadata, name, None) if metadata else None
        if desc is None or not desc.national_number_pattern:
            compiled.append(None)
            continue
        pattern = re.compile(desc.national_number_pattern)
        compiled.append((frozenset(desc.possible_length), pattern.fullmatch))
    general, *kinds = compiled
    return general, tuple(kind for kind in kinds if kind is not None)


def _valid_in_main_region(number: PhoneNumber, region: str | None) -> bool:
    """`phonenumbers.is_valid_number_for_region(number, region)`, quicker.

    The library tries the rarer kinds first and matches each pattern twice;
    only whether some kind matches matters here, so fixed lines and mobiles
    are tried first, once (`tests/contacts/test_phones.py` compares both).
    """
    if region is None or region == phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY:
        return phonenumbers.is_valid_number_for_region(number, region)
    if phonenumbers.country_code_for_region(region) != number.country_code:
        return False
    general, kinds = _patterns(region)
    national = phonenumbers.national_significant_number(number)
    size = len(national)
    if general is None or (general[0] and size not in general[0]):
        return False
    if not general[1](national):
        return False
    return any(
        (not lengths or size in lengths) and match(national) for lengths, match in kinds
    )


def _plain_international(value: str) -> PhoneNumber | None:
    """`phonenumbers.parse(value)` for a plain "+<country code> <number>".

    Most numbers in address books are written so, and for them parsing is a
    third of the cost of checking. The number is what `parse` returns when
    its national part has nothing `parse` would strip or rewrite: no leading
    zero, no national prefix. For anything else this returns None, and the
    number is parsed in full (`tests/contacts/test_phones.py` compares both
    on numbers of every country).
    """
    if not _PLAIN_INTERNATIONAL.fullmatch(value):
        return None
    digits = _NON_DIGITS.sub("", value)
    if not 7 <= len(digits) <= 17:
        return None
    for size in (1, 2, 3):
        country_code = int(digits[:size])
        if country_code in COUNTRY_CODE_TO_REGION_CODE:
            break
    else:
        return None
    national = digits[size:]
    if national.startswith("0"):
        return None
    main = phonenumbers.region_code_for_country_code(country_code)
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, main)
    if metadata is None:
        return None
    prefix = metadata.national_prefix_for_parsing
    if prefix:
        match = re.match(prefix, national)
        if match and (
            match.end() or any(group is not None for group in match.groups())
        ):
            return None
    return PhoneNumber(country_code=country_code, national_number=int(national))


def _plain_national(value: str, region: str) -> PhoneNumber | None:
    """`phonenumbers.parse(value, region)` for a plain national number.

    "020 7946 0000" in the UK, "(415) 555-0100" in the US: digits and the
    usual separators, at least three digits, read in the member's region.
    Numbers that could be dialled from abroad or carry their country code
    without a plus ("00 33 1…", "44 20…") return None and are parsed in
    full; for the rest this takes the steps `parse` takes, without reading
    each character for letters and foreign digits, which is most of its
    cost (`tests/contacts/test_phones.py` compares both).
    """
    known_region = region in phonenumbers.SUPPORTED_REGIONS  # "" is not one
    if not known_region or not _PLAIN_NATIONAL.fullmatch(value):
        return None
    digits = _NON_DIGITS.sub("", value)
    if not 3 <= len(digits) <= _MAX_NATIONAL_DIGITS:
        return None
    metadata = PhoneMetadata.metadata_for_region(region)
    if digits.startswith(str(metadata.country_code)) or (
        metadata.international_prefix
        and re.match(metadata.international_prefix, digits)
    ):
        return None
    _carrier, national, _stripped = _maybe_strip_national_prefix_carrier_code(
        digits, metadata
    )
    if _test_number_length(national, metadata) in _PREFIX_WAS_PART:
        national = digits
    if len(national) < 2:
        return None
    number = PhoneNumber(country_code=metadata.country_code)
    _set_italian_leading_zeros_for_phone_number(national, number)
    number.national_number = int(national)
    return number


def is_region(code: str) -> bool:
    return code in phonenumbers.SUPPORTED_REGIONS


def region_name(code: str, language: str = "en") -> str:
    """The country's name in `language` (English when unknown), else the code."""
    names = LOCALE_DATA.get(code, {})
    name = names.get(language.split("-")[0], "") or names.get("en", "")
    if name.startswith("*"):
        name = names.get(name[1:], "")
    return name or code


@functools.cache
def region_choices(language: str = "en") -> tuple[tuple[str, str], ...]:
    """(code, "Country (+NN)") for every region, sorted by country name."""
    choices = []
    for code in phonenumbers.SUPPORTED_REGIONS:
        calling_code = phonenumbers.country_code_for_region(code)
        choices.append((code, f"{region_name(code, language)} (+{calling_code})"))
    return tuple(sorted(choices, key=lambda choice: choice[1].casefold()))
