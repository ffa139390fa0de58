"""Text folding for sorting and searching contacts: lowercase, accents stripped.

"Zoë" and "ZOE" both fold to "zoe", so a search typed without accents finds
the contact, and the list sorts names the way people expect.
"""

import functools
import re
import unicodedata

# Letters that carry no combining mark, so NFKD alone does not fold them.
SPECIAL_FOLDS = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ł": "l",
        "ı": "i",
    }
)
# The last code point with a combining class (Adlam's nukta), Unicode 16.
COMBINING_MAX = 0x1E94A
PHONE_LIKE = re.compile(r"^[\d+()./-]*\d[\d+()./-]*$")
NON_DIGITS = re.compile(r"\D+")
SPACES = re.compile(r"\s+")


@functools.cache
def _unaccent() -> dict[int, str | None]:
    """One translation table: combining marks dropped, `SPECIAL_FOLDS` applied."""
    table: dict[int, str | None] = {
        code: None
        for code in range(0x300, COMBINING_MAX + 1)
        if unicodedata.combining(chr(code))
    }
    table.update(SPECIAL_FOLDS)
    return table


def fold(text: str) -> str:
    """Lowercase `text`, strip accents and squeeze whitespace."""
    if text.isascii():  # nothing to decompose: the common case, made quick
        return SPACES.sub(" ", text.lower()).strip()
    text = unicodedata.normalize("NFKD", text.casefold()).translate(_unaccent())
    return SPACES.sub(" ", text).strip()


def digits(text: str) -> str:
    """Only the digits of `text` ("+1 (555) 010-0199" → "15550100199")."""
    return NON_DIGITS.sub("", text)


def search_terms(query: str, *, max_terms: int = 8) -> list[str]:
    """The folded words of a search box query; every one must match.

    A word made of digits and phone punctuation is reduced to its digits, so
    "555-0199" finds "(555) 0199" however either was typed.
    """
    terms = []
    for word in fold(query).split(" "):
        if not word:
            continue
        if PHONE_LIKE.match(word):
            word = digits(word)
        if word and word not in terms:
            terms.append(word)
    return terms[:max_terms]
