"""Phone numbers: read them with the member's region, offer the regions by name."""

import functools

import phonenumbers
from phonenumbers.geodata.locale import LOCALE_DATA


@functools.lru_cache(maxsize=8192)
def e164_or_blank(value: str, region: str) -> str:
    """The E.164 form of a typed number ("+442079460000"), or "" if not valid.

    Numbers that are not valid for their country stay as typed, unnormalised:
    people keep extensions, short codes and old numbers in their contacts.
    Remembered for the last few thousand numbers: an import meets the same
    switchboard or family number many times, and parsing costs ~30 µs.
    """
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
