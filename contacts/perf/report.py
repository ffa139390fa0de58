"""Figures: statistics, pass or fail, the terminal table and `results.json`.

`results.json` holds one entry per figure:

    {"name": "time.home.p50", "value": 6.1, "target": 40.0, "unit": "x bare",
     "pass": true, "better": "lower", "detail": {...}}

`pass` is null for a figure reported without a target. The file gathers the
in-process run and the HTTP run (each replaces its own figures), with what
each was measured on under `runs`.
"""

import contextlib
import json
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

SCHEMA_VERSION = 1
FIGURE_KEYS = {"name", "value", "target", "unit", "pass"}


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100), interpolated between the closest ranks."""
    if not values:
        raise ValueError("No values to take a percentile of.")
    if not 0 <= q <= 100:
        raise ValueError("A percentile lies between 0 and 100.")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def ratio(value: float, base: float) -> float:
    """value / base, infinite when the base is zero."""
    return value / base if base else math.inf


@dataclass
class Figure:
    name: str
    value: float | None
    unit: str
    target: float | None = None
    better: Literal["lower", "higher"] = "lower"
    detail: dict = field(default_factory=dict)

    @property
    def passed(self) -> bool | None:
        """Within target; None when there is no target or no value."""
        if self.target is None:
            return None
        if self.value is None or (
            isinstance(self.value, float) and math.isnan(self.value)
        ):
            return False
        if self.better == "lower":
            return self.value <= self.target
        return self.value >= self.target

    def as_json(self) -> dict:
        value = self.value
        if isinstance(value, float):
            value = None if not math.isfinite(value) else round(value, 3)
        entry = {
            "name": self.name,
            "value": value,
            "target": self.target,
            "unit": self.unit,
            "pass": self.passed,
            "better": self.better,
        }
        if self.detail:
            entry["detail"] = self.detail
        return entry


def write_results(
    path: Path, *, run: str, meta: dict, figures: Iterable[Figure]
) -> dict:
    """Merge this run's figures into results.json, replacing its earlier ones.

    Figures of another run kind are kept only if they were measured on the same
    data (size, seed, database); otherwise they would not compare.
    """
    path = Path(path)
    data = {"schema": SCHEMA_VERSION, "runs": {}, "figures": []}
    if path.exists():
        with contextlib.suppress(ValueError):
            data = json.loads(path.read_text())
        if data.get("schema") != SCHEMA_VERSION:
            data = {"schema": SCHEMA_VERSION, "runs": {}, "figures": []}
    same_data = ("size", "seed", "database")
    runs = {
        kind: other
        for kind, other in data.get("runs", {}).items()
        if kind != run and all(other.get(key) == meta.get(key) for key in same_data)
    }
    kept = [entry for entry in data.get("figures", []) if entry.get("run") in runs]
    runs[run] = meta
    fresh = [{**figure.as_json(), "run": run} for figure in figures]
    data = {"schema": SCHEMA_VERSION, "runs": runs, "figures": kept + fresh}
    check_results(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data, indent=2, allow_nan=False) + "\n")
    os.replace(temporary, path)
    return data


def check_results(data: dict) -> None:
    """Raise ValueError unless `data` follows the results.json schema."""
    if data.get("schema") != SCHEMA_VERSION:
        raise ValueError("Unknown schema version.")
    if not isinstance(data.get("runs"), dict) or not isinstance(
        data.get("figures"), list
    ):
        raise ValueError("results.json needs `runs` and `figures`.")
    names = set()
    for entry in data["figures"]:
        missing = FIGURE_KEYS - set(entry)
        if missing:
            raise ValueError(f"A figure lacks {sorted(missing)}: {entry}")
        if entry["name"] in names:
            raise ValueError(f"Two figures are named {entry['name']!r}.")
        names.add(entry["name"])
        if not isinstance(entry["name"], str) or not isinstance(entry["unit"], str):
            raise ValueError(f"Bad name or unit: {entry}")
        for key in ("value", "target"):
            if entry[key] is not None and not isinstance(entry[key], int | float):
                raise ValueError(f"{entry['name']}: {key} must be a number or null.")
        if entry["pass"] not in (True, False, None):
            raise ValueError(f"{entry['name']}: pass must be true, false or null.")
        if entry.get("run") not in data["runs"]:
            raise ValueError(f"{entry['name']}: unknown run {entry.get('run')!r}.")


# --- The terminal table ------------------------------------------------------


def mark(passed: bool | None) -> str:
    return {True: "ok", False: "FAIL", None: ""}[passed]


def number(value: float | None, digits: int = 1, suffix: str = "") -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return f"{value:,.{digits}f}{suffix}"


def render_table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A plain-text table: text columns (first, last) left, figures right."""
    rows = [list(map(str, row)) for row in rows]
    widths = [
        max([len(header), *(len(row[i]) for row in rows)])
        for i, header in enumerate(headers)
    ]

    def line(cells):
        return "  ".join(
            cell.ljust(width) if i in (0, len(widths) - 1) else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(headers), rule, *(line(row) for row in rows)])


def summary(figures: Sequence[Figure]) -> str:
    judged = [figure for figure in figures if figure.passed is not None]
    failed = [figure.name for figure in judged if not figure.passed]
    text = f"{len(judged) - len(failed)} of {len(judged)} figures within target"
    if failed:
        text += "; not within target: " + ", ".join(failed)
    return text + "."
