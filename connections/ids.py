"""Ids read from forms and addresses, before they reach a query."""

# Enough for any id a signed 64-bit key holds, not one more: a longer number
# would fail in the database (SQLite cannot even bind it), not just not match.
ID_DIGITS_MAX = 18


def parse_id(value) -> int | None:
    """An id typed in a form or an address, or None: ASCII digits, 18 at most.

    `str.isdigit()` alone lets through "²" (which `int()` refuses) and
    numbers too large for any primary key.
    """
    text = str(value)
    if text.isascii() and text.isdigit() and len(text) <= ID_DIGITS_MAX:
        return int(text)
    return None


def parse_ids(values) -> list[int]:
    """The ids among `values` (see `parse_id`), each once, in order."""
    return sorted({pk for pk in map(parse_id, values) if pk is not None})


class IdConverter:
    """`<id:…>` in an address: an id as `parse_id` reads one (18 digits at most).

    Django's `<int:…>` takes any number of digits; a number no key holds
    (`/updates/9223372036854775808/…`) reached the queries, where SQLite
    cannot even bind it. Such an address is not found by the URL resolver.
    """

    regex = f"[0-9]{{1,{ID_DIGITS_MAX}}}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


class HandleConverter:
    """`<handle:…>` in an address: any text but a slash or a control character.

    A NUL, which PostgreSQL refuses in any text, would otherwise reach the
    query that looks the member up; such an address is not found by the URL
    resolver instead. (Handles are letters, digits and hyphens; the views
    read them lowercased.)
    """

    regex = "[^/\\x00-\\x1f\\x7f]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)
