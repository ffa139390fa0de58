"""Cells of the CSV files Rapport writes, safe to open in a spreadsheet."""

import re

# Cells a spreadsheet would run as a formula start with one of these.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NEUTRALISED = re.compile(r"^'+[=+\-@\t\r]")
_NEEDS_NEUTRALISING = re.compile(r"^'*[=+\-@\t\r]")


def neutralise(value: str) -> str:
    """Make a cell safe to open in a spreadsheet (OWASP's CSV injection advice).

    A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets
    a leading `'`; so does one that would otherwise look neutralised already,
    so that `unneutralise()` gives back exactly what was written.
    """
    if value and _NEEDS_NEUTRALISING.match(value):
        return "'" + value
    return value


def unneutralise(value: str) -> str:
    """Undo `neutralise()`: a quote before a formula character comes off."""
    if value[:1] == "'" and _NEUTRALISED.match(value):
        return value[1:]
    return value
