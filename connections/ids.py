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
