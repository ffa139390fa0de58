"""Phone numbers: read them with the member's region, offer the regions by name."""

import functools
import re

import phonenumbers
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata, PhoneNumber
from phonenumbers.geodata.locale import LOCALE_DATA

# "+33 1 42 68 53 00", "+1 (415) 555-0100": a plus, then only digits and the
# usual separators. Anything else (extensions, letters, "(0)") is parsed in full.
_PLAIN_INTERNATIONAL = re.compile(r"\+[1-9][0-9 ().\-]*")
_NON_DIGITS = re.compile(r"\D+")


@functools.lru_cache(maxsize=8192)
def e164_or_blank(value: str, region: str) -> str:
    """The E.164 form of a typed number ("+442079460000"), or "" if not valid.

    Numbers that are not valid for their country stay as typed, unnormalised:
    people keep extensions, short codes and old numbers in their contacts.
    Remembered for the last few thousand numbers: an import meets the same
    switchboard or family number many times, and parsing costs ~30 µs.
    """
    number = _plain_international(value)
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
        not phonenumbers.is_valid_number_for_region(number, main)
        and not phonenumbers.is_valid_number(number)
    ):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


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
