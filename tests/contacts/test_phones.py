"""Phone numbers: the quick reading of "+<code> <number>" agrees with phonenumbers."""

import random

import phonenumbers
import pytest
from phonenumbers import PhoneNumber, PhoneNumberFormat, PhoneNumberType

from contacts.phones import (
    _plain_international,
    _plain_national,
    _valid_in_main_region,
    e164_or_blank,
)


def reference(value: str, region: str) -> str:
    """What `e164_or_blank` answers when every number is parsed in full."""
    try:
        number = phonenumbers.parse(value, region or None)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number):
        return ""
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def international_samples(rng: random.Random) -> list[str]:
    """Example numbers of every region and type, and random ones per code."""
    samples = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in (PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE):
            example = phonenumbers.example_number_for_type(region, kind)
            if example is not None:
                samples.append(
                    phonenumbers.format_number(example, PhoneNumberFormat.INTERNATIONAL)
                )
                samples.append(
                    phonenumbers.format_number(example, PhoneNumberFormat.E164)
                )
    for code in sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE):
        for _ in range(12):
            length = rng.randint(4, 15)
            national = "".join(rng.choice("0123456789") for _ in range(length))
            spaced = " ".join(
                national[i : i + rng.randint(2, 4)] for i in range(0, length, 3)
            )
            samples += [f"+{code}{national}", f"+{code} {spaced}"]
            samples.append(f"+{code} ({national[:3]}) {national[3:6]}-{national[6:]}")
    return samples


def test_plain_international_numbers_read_as_phonenumbers_reads_them():
    rng = random.Random(7)
    samples = international_samples(rng)
    quick = [value for value in samples if _plain_international(value) is not None]
    # Most take the quick path: the comparison below is about something.
    assert len(quick) > len(samples) / 2
    for value in samples:
        e164_or_blank.cache_clear()
        assert e164_or_blank(value, "US") == reference(value, "US"), value


@pytest.mark.parametrize(
    "value",
    [
        "+44 (0)20 7946 0000",  # the national prefix in brackets
        "+1 415 555 0100 ext. 12",  # an extension
        "+33 0 1 42 68 53 00",  # a leading zero
        "+54 11 15 2345 6789",  # Argentina's mobile prefix, rewritten by parse
        "+39 06 6988 0000",  # Italy keeps its leading zero
        "+1-800-FLOWERS",  # letters
    ],
)
def test_numbers_parse_rewrites_take_the_full_path(value):
    assert _plain_international(value) is None
    e164_or_blank.cache_clear()
    assert e164_or_blank(value, "GB") == reference(value, "GB")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("+1 (415) 555-0100", "+14155550100"),
        ("+33 1 42 68 53 00", "+33142685300"),
        ("+44 20 7946 0000", "+442079460000"),
        ("+999 1234 5678", ""),  # no such country code
        ("+1 555", ""),  # too short
    ],
)
def test_plain_international_answers(value, expected):
    e164_or_blank.cache_clear()
    assert e164_or_blank(value, "FR") == expected


def numbers_near_examples(rng: random.Random) -> list[tuple[PhoneNumber, str]]:
    """Each region's example numbers of every kind, and near misses of them."""
    numbers = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in range(12):
            example = phonenumbers.example_number_for_type(region, kind)
            if example is None:
                continue
            national = phonenumbers.national_significant_number(example)
            variants = {national, national[:-1], national + "5"}
            for _ in range(6):
                changed = list(national)
                changed[rng.randrange(len(changed))] = rng.choice("0123456789")
                variants.add("".join(changed))
            numbers += [
                (
                    PhoneNumber(
                        country_code=example.country_code,
                        national_number=int(variant),
                        italian_leading_zero=variant.startswith("0") or None,
                        number_of_leading_zeros=(
                            len(variant) - len(variant.lstrip("0")) or None
                        ),
                    ),
                    region,
                )
                for variant in variants
                if variant.strip("0")
            ]
    return numbers


def test_the_quick_validity_check_agrees_with_phonenumbers():
    numbers = numbers_near_examples(random.Random(11))
    assert len(numbers) > 10_000
    valid = 0
    for number, region in numbers:
        expected = phonenumbers.is_valid_number_for_region(number, region)
        assert _valid_in_main_region(number, region) == expected, (number, region)
        valid += expected
    # Both answers occur often: the comparison is about something.
    assert len(numbers) / 10 < valid < len(numbers) * 9 / 10
    # Other calling codes, non-geographic numbers and unknown regions.
    uk = PhoneNumber(country_code=44, national_number=2079460000)
    assert not _valid_in_main_region(uk, "FR")
    paris = PhoneNumber(country_code=33, national_number=142685300)
    assert not _valid_in_main_region(paris, "GB")
    assert not _valid_in_main_region(uk, "ZZ")
    assert not _valid_in_main_region(uk, None)
    inmarsat = phonenumbers.example_number_for_non_geo_entity(870)
    assert _valid_in_main_region(inmarsat, "001")


def national_samples(region: str, rng: random.Random) -> list[str]:
    """A region's example numbers as dialled at home, and digits of every kind.

    Near misses, numbers with the country code but no plus, and numbers
    behind an international or national prefix ("00", "011", "0", "1").
    """
    samples = []
    for kind in range(12):
        example = phonenumbers.example_number_for_type(region, kind)
        if example is None:
            continue
        national = phonenumbers.format_number(example, PhoneNumberFormat.NATIONAL)
        digits = "".join(char for char in national if char.isdigit())
        significant = phonenumbers.national_significant_number(example)
        samples += [national, digits, digits[:-1], digits + "7", significant]
        samples.append(f"{example.country_code}{significant}")
    for _ in range(12):
        length = rng.randint(1, 19)
        digits = "".join(rng.choice("0123456789") for _ in range(length))
        samples += [digits, f"0{digits}", f"00{digits}", f"011{digits}", f"1{digits}"]
        if length > 4:
            samples.append(f"({digits[:3]}) {digits[3:6]}-{digits[6:]}")
            samples.append(f"{digits[:2]}.{digits[2:]}")
    return samples


def test_plain_national_numbers_read_as_phonenumbers_reads_them():
    rng = random.Random(5)
    compared = 0
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for value in national_samples(region, rng):
            quick = _plain_national(value, region)
            if quick is None:
                continue
            compared += 1
            # The quick reading never accepts what parse refuses.
            assert quick == phonenumbers.parse(value, region), (value, region)
    assert compared > 15_000


@pytest.mark.parametrize(
    ("value", "region"),
    [
        ("00 33 1 42 68 53 00", "GB"),  # dialled from abroad
        ("011 44 20 7946 0000", "US"),
        ("44 20 7946 0000", "GB"),  # the country code without its plus
        ("1 415 555 0100", "US"),
        ("020 7946 0000 ext. 12", "GB"),  # an extension
        ("0800 FLOWERS", "GB"),  # letters
        ("12", "GB"),  # too few digits to be a number
        ("020 7946 0000", ""),  # no region to read it in
        ("020 7946 0000", "XX"),  # no such region
    ],
)
def test_numbers_national_reading_leaves_to_parse(value, region):
    assert _plain_national(value, region) is None
    e164_or_blank.cache_clear()
    assert e164_or_blank(value, region) == reference(value, region)


@pytest.mark.parametrize(
    ("value", "region", "expected"),
    [
        ("020 7946 0000", "GB", "+442079460000"),
        ("(415) 555-0100", "US", "+14155550100"),
        ("01 42 68 53 00", "FR", "+33142685300"),
        ("06 6988 0000", "IT", "+390669880000"),  # Italy keeps its zero
        ("(020) 7946 0000", "US", ""),  # a UK number read as American
    ],
)
def test_plain_national_answers(value, region, expected):
    e164_or_blank.cache_clear()
    assert e164_or_blank(value, region) == expected
