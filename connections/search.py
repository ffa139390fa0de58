"""Words of member search: how names, handles and headlines are folded.

Text is split into words of letters and digits, case-folded, accents
removed; a member is indexed under each word (its first SEARCH_TERM_MAX
characters), and a search reads the range of words starting with what was
typed, so "zo" and "zoe" both find "Zoë".
"""

import re
import unicodedata

SEARCH_TERM_MAX = 20
SEARCH_WORDS_MAX = 5
WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Lowercase, without accents or other combining marks."""
    decomposed = unicodedata.normalize("NFKD", text or "").casefold()
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def search_words(text: str) -> list[str]:
    """The folded words of `text`, each cut to SEARCH_TERM_MAX characters."""
    return [word[:SEARCH_TERM_MAX] for word in WORD.findall(fold(text))]


def search_terms(*texts: str) -> set[str]:
    """The words of `texts`: the rows a member is indexed under."""
    return {word for text in texts for word in search_words(text)}


def prefix_range(word: str) -> tuple[str, str]:
    """The bounds of the words starting with `word`: `low <= term < high`.

    Compared byte by byte (the column's collation is binary on SQLite and
    "C" on PostgreSQL), so it is one range of the index.
    """
    return word, word[:-1] + chr(ord(word[-1]) + 1)
