"""Text folding for sorting and searching contacts: lowercase, accents stripped.

"Zoë" and "ZOE" both fold to "zoe", so a search typed without accents finds
the contact, and the list sorts names the way people expect.
"""

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
PHONE_LIKE = re.compile(r"^[\d+()./-]*\d[\d+()./-]*$")
NON_DIGITS = re.compile(r"\D+")
SPACES = re.compile(r"\s+")
_SPECIAL = {char: SPECIAL_FOLDS[ord(char)] for char in map(chr, SPECIAL_FOLDS)}


def _fold_word(word: str) -> str:
    """A decomposed word without its combining marks, `SPECIAL_FOLDS` applied."""
    combining, special = unicodedata.combining, _SPECIAL.get
    return "".join([special(char, char) for char in word if not combining(char)])


def fold(text: str) -> str:
    """Lowercase `text`, strip accents and squeeze whitespace.

    Only the words that are not ASCII are decomposed and cleaned char by
    char; names, emails and numbers mostly are, which keeps folding a whole
    card's search text to a few microseconds.
    """
    if text.isascii():  # nothing to decompose: the common case, made quick
        return " ".join(text.lower().split())
    words = unicodedata.normalize("NFKD", text.casefold()).split()
    words = [word if word.isascii() else _fold_word(word) for word in words]
    return " ".join(word for word in words if word)


WORDS = re.compile(r"[^\W_]+")


# Titles that say nothing of who a person is ("Dr. Ann Lee" is "Ann Lee").
# Generational suffixes stay: "John Smith Jr." may be John Smith's son.
HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir"})


def name_key(folded: str) -> str:
    """The telling words of a folded name, sorted: "smith, john" → "john smith".

    Names that differ only in the order of their words, in punctuation or
    (once folded) in case, accents and spacing share it: "Smith, John",
    "JOHN SMITH" and "Jean-Luc Côté" / "Côté Jean Luc". So do names that
    differ only by initials or a title, while two words are left without
    them: "John A. Smith", "Dr John Smith" and "John Smith"; but "J. Smith"
    keeps its initial.
    """
    words = WORDS.findall(folded)
    telling = [word for word in words if len(word) > 1 and word not in HONORIFICS]
    if len(telling) >= 2:
        words = telling
    return " ".join(sorted(words))


# How long the words of two names must be for one letter to tell them apart:
# "Jon"/"John" and "Smith"/"Smyth" may be one person, "Dan"/"Don" or
# "Mark"/"Marc" are more likely two.
ONE_LETTER_SHORTEST = 3
ONE_LETTER_CHANGED_SHORTEST = 5


def one_letter_apart(one: str, other: str) -> bool:
    """Whether two different words of names differ by one letter, as a typo
    or a variant spelling does.

    A letter added or left out ("ann"/"anne", "jon"/"john") counts from three
    letters; a letter changed ("smith"/"smyth", "katherine"/"catherine") or
    two neighbours swapped ("micheal"/"michael") from five, since in shorter
    names a changed letter is mostly another name. Other names, not typos:
    a first letter that differs ("donald"/"ronald", "mar"/"omar"), but for
    C and K, which sound alike; and an "a" added at the end
    ("paul"/"paula", "daniel"/"daniela"). Only words of letters count:
    "room 101" and "room 102" are not a typo.
    """
    if one == other or not (one.isalpha() and other.isalpha()):
        return False
    if len(one) > len(other):
        one, other = other, one
    if len(one) < ONE_LETTER_SHORTEST:
        return False
    if one[0] != other[0] and {one[0], other[0]} != {"c", "k"}:
        return False
    if len(other) == len(one) + 1:
        if other == one + "a":
            return False
        start = 0
        while start < len(one) and one[start] == other[start]:
            start += 1
        return one[start:] == other[start + 1 :]
    if len(other) != len(one) or len(one) < ONE_LETTER_CHANGED_SHORTEST:
        return False
    pairs = zip(one, other, strict=True)
    differ = [index for index, (mine, theirs) in enumerate(pairs) if mine != theirs]
    if len(differ) == 1:
        return True
    return (
        len(differ) == 2
        and differ[1] == differ[0] + 1
        and one[differ[0]] == other[differ[1]]
        and one[differ[1]] == other[differ[0]]
    )


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


# Scripts whose names are written family name first and without spaces.
EAST_ASIAN_SCRIPTS = ("CJK", "HIRAGANA", "KATAKANA", "HANGUL")


def east_asian(text: str) -> bool:
    """Whether every letter of `text` is Chinese, Japanese or Korean ("李",
    "さくら", "민준"); False for text without letters."""
    letters = [char for char in text if char.isalpha()]
    return bool(letters) and all(
        unicodedata.name(char, "").startswith(EAST_ASIAN_SCRIPTS) for char in letters
    )


def whole_name(prefix: str, given: str, middle: str, family: str, suffix: str) -> str:
    """A name's parts in the order its language writes them: "Dr. Zoë A.
    Martin Jr.", but "李娜" for 李 (family) and 娜 (given), as Chinese,
    Japanese and Korean names are written family name first, unspaced."""
    prefix, given, middle, family, suffix = (
        part.strip() for part in (prefix, given, middle, family, suffix)
    )
    if east_asian(given) and east_asian(family) and (not middle or east_asian(middle)):
        core = [family + middle + given]
    else:
        core = [given, middle, family]
    return " ".join(part for part in (prefix, *core, suffix) if part)


def name_parts(whole: str) -> tuple[str, str]:
    """A whole name as (given, family), for formats that hold only the parts.

    The last word is the family name ("Carol Nguyen"); a name of one word is
    a given name. A guess, made only where a whole name has no place of its
    own: written again as "given family", it gives back the same name.
    """
    given, _space, family = " ".join(whole.split()).rpartition(" ")
    return (given, family) if given else (family, "")
