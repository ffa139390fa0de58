"""Words of member search: how names, handles and headlines are folded.

Text is split into words of letters and digits, case-folded, accents
removed; a member is indexed under every prefix of each word (up to
SEARCH_TERM_MAX characters), so "zo" and "zoe" both find "Zoë".
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
    """Every prefix of every word of `texts`: the rows a member is indexed under."""
    terms = set()
    for text in texts:
        for word in search_words(text):
            terms.update(word[:length] for length in range(1, len(word) + 1))
    return terms
