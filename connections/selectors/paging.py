"""Keyset pagination: pages that cost the same at row 10 and at row 30,000.

A page is read with `ORDER BY key1, key2 … LIMIT size + 1`, starting after the
keys of the last row of the previous page; the cursor carries those keys in
an opaque, URL-safe string, signed: a cursor written by hand (a date where a
number goes, a number larger than the column holds, a NUL byte) would reach
the query. A cursor that cannot be read, or is not ours, starts from the top;
so does the cursor of another list whose keys don't fit this one's columns
(member search's name where Home's date goes).
"""

import base64
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.signing import BadSignature, Signer
from django.db.models import Q, QuerySet


@dataclass
class Page:
    items: list
    next_cursor: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def has_more(self) -> bool:
        return bool(self.next_cursor)

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)

    def __bool__(self):
        return bool(self.items)


_SIGNER = Signer(salt="connections.paging.cursor")
# Keys are names of up to 300 characters (a contact's sort key), up to four
# bytes each in UTF-8: 1,600 characters of base64, and the signature.
CURSOR_MAX = 2048


def encode_cursor(values: Sequence[Any]) -> str:
    payload = [
        {"t": value.isoformat()} if isinstance(value, datetime) else value
        for value in values
    ]
    raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return _SIGNER.sign(base64.urlsafe_b64encode(raw).decode().rstrip("="))


def decode_cursor(cursor: str, size: int) -> list | None:
    """The keys in a cursor, or None when it is missing, malformed or not ours."""
    if not cursor or len(cursor) > CURSOR_MAX:
        return None
    try:
        encoded = _SIGNER.unsign(cursor)
        raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        values = json.loads(raw)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(values, list) or len(values) != size:
        return None
    decoded = []
    for value in values:
        if isinstance(value, dict):
            try:
                value = datetime.fromisoformat(value["t"])
            except (KeyError, TypeError, ValueError):
                return None
        elif not isinstance(value, (int, float, str)) or isinstance(value, bool):
            return None
        decoded.append(value)
    return decoded


def after(keys: Sequence[tuple[str, bool]], values: Sequence[Any]) -> Q:
    """The rows that come after `values` in the order of `keys`.

    `keys` are (lookup, descending) pairs, e.g. [("created", True), ("id", True)].
    The condition starts with a plain range on the first key, so the database
    seeks to the cursor in the index instead of filtering from the top.
    """
    condition = Q()
    for index in range(len(keys) - 1, -1, -1):
        lookup, descending = keys[index]
        op = "lt" if descending else "gt"
        strict = Q(**{f"{lookup}__{op}": values[index]})
        if index == len(keys) - 1:
            condition = strict
        else:
            condition = strict | (Q(**{lookup: values[index]}) & condition)
    first, descending = keys[0]
    return Q(**{f"{first}__{'lte' if descending else 'gte'}": values[0]}) & condition


def starting_after(
    queryset: QuerySet, keys: Sequence[tuple[str, bool]], values: Sequence[Any] | None
) -> QuerySet:
    """`queryset` from after `values` in the order of `keys`; from the top when
    there are none, or when they are another list's, of other types than the
    keys' columns (every cursor is signed alike)."""
    if values is None:
        return queryset
    try:
        # The columns read the values as the condition is built, not later.
        return queryset.filter(after(keys, values))
    except (ValidationError, ValueError, TypeError):
        return queryset


def keyset_page(
    queryset: QuerySet,
    *,
    keys: Sequence[tuple[str, bool]],
    cursor: str = "",
    size: int = 20,
    key_values: Callable[[Any], Sequence[Any]],
) -> Page:
    """One page of `queryset` ordered by `keys`, after `cursor`."""
    queryset = starting_after(queryset, keys, decode_cursor(cursor, len(keys)))
    ordering = [f"-{lookup}" if desc else lookup for lookup, desc in keys]
    rows = list(queryset.order_by(*ordering)[: size + 1])
    next_cursor = ""
    if len(rows) > size:
        rows = rows[:size]
        next_cursor = encode_cursor(key_values(rows[-1]))
    return Page(items=rows, next_cursor=next_cursor)
