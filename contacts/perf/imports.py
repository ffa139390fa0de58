"""Import figures: a 25,000-contact vCard and CSV file, parsed and imported.

`measure_imports()` builds the files (seeded, about 400 bytes a card, so the
vCard file is near the 10 MB limit), then for each format times the reader
alone and the whole import for a scratch member, in its two steps (upload,
read and check until the preview; confirm and save), and measures the
import's peak memory in a second, traced run. The scratch member and
everything imported are deleted afterwards.

    python manage.py bench_import --contacts 25000
"""

from __future__ import annotations

import gc
import random
import time
import tracemalloc
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db import connection

from contacts import csv_formats
from contacts.models import ContactImport
from contacts.perf.report import Figure, render_table
from contacts.selectors.transfer import (
    ExportFormat,
    contacts_to_export,
    export_stream,
)
from contacts.services.bulk import collection_paused
from contacts.services.imports import import_confirm, import_upload
from contacts.uploads import decode_upload
from contacts.vcard import (
    Address,
    Birthday,
    TypedValue,
    VCard,
    read_vcards,
    write_vcard,
)

FIRST = [
    "Ada",
    "Ben",
    "Chloé",
    "Dev",
    "Elif",
    "Femi",
    "Gus",
    "Hana",
    "Ivan",
    "Jade",
    "Kofi",
    "Lena",
    "Mei",
    "Nils",
]
LAST = [
    "Núñez",
    "Okafor",
    "Martin",
    "Lefèvre",
    "Müller",
    "Öberg",
    "Nguyen",
    "Smith",
    "Côté",
    "Rossi",
]
ORGS = ["Northwind", "Contoso, Ltd", "Initech", "Blue Bottle", "Umbrella; Inc", ""]
TITLES = ["Editor", "Engineer", "Nurse", "Teacher", "Head of sales", ""]
CITIES = ["Paris", "Leeds", "Oakland", "Berlin", "Madrid", "Lyon"]
LABELS = ["Family", "Work", "Book club", "Friends", "Neighbours"]


def sample_cards(count: int, seed: int = 1) -> list[VCard]:
    """`count` varied, realistic cards; the same ones for the same seed."""
    rng = random.Random(seed)
    cards = []
    for index in range(count):
        given, family = rng.choice(FIRST), rng.choice(LAST)
        card = VCard(
            uid=f"urn:uuid:00000000-0000-4000-8000-{index:012d}",
            given_name=given,
            family_name=f"{family}{index}",
            organization=rng.choice(ORGS),
            title=rng.choice(TITLES),
            emails=[TypedValue(f"{given.lower()}.{index}@example.com", "home")],
            phones=[TypedValue(f"+1 415 555 {index % 10000:04d}", "mobile")],
            categories=rng.sample(LABELS, rng.randint(0, 2)),
        )
        if rng.random() < 0.5:
            card.emails.append(TypedValue(f"p{index}@work.example", "work"))
        if rng.random() < 0.4:
            card.phones.append(TypedValue(f"(020) 7946 {index % 10000:04d}", "work"))
        if rng.random() < 0.4:
            card.addresses.append(
                Address(
                    street=f"{index} High Street\nFlat {index % 40}",
                    city=rng.choice(CITIES),
                    postal_code=f"{10000 + index % 89999}",
                    country="France",
                    kind="home",
                )
            )
        if rng.random() < 0.3:
            card.birthday = Birthday(
                rng.randint(1, 12), rng.randint(1, 28), rng.choice([None, 1980])
            )
        if rng.random() < 0.3:
            card.note = "Met at the fair; likes jazz, poetry and long walks."
        cards.append(card)
    return cards


def vcard_file(cards: list[VCard]) -> bytes:
    return "".join(write_vcard(card, version="3.0") for card in cards).encode()


def csv_file(cards: list[VCard]) -> bytes:
    columns = csv_formats.GoogleColumns(emails=2, phones=2, addresses=1, websites=1)
    rows = [columns.header()] + [
        csv_formats.google_row(card, columns) for card in cards
    ]
    return "".join(csv_formats.csv_lines(rows)).encode()


def parse_only(data: bytes, name: str) -> int:
    """The reader alone: decode and read every card (no checks, no database).

    Measured as the import runs it, with cyclic garbage collection paused.
    """
    with collection_paused():
        return _parse(data, name)


def _parse(data: bytes, name: str) -> int:
    decoded = decode_upload(data, file_name=name)
    if name.endswith(".vcf"):
        return len(read_vcards(decoded.text, file_encoding=decoded.codec).cards)
    table = csv_formats.read_table(decoded.text)
    mapping = csv_formats.mapping_for(table.header, csv_formats.GOOGLE)
    return len(
        [csv_formats.row_to_vcard(line, cells, mapping) for line, cells in table.rows]
    )


def full_import(owner, data: bytes, name: str) -> dict[str, float]:
    """Upload, read and check, then save: what a member's import does.

    Returns the seconds of its two steps: `read` (upload to preview) and
    `save` (confirm to done).
    """
    start = time.perf_counter()
    batch = import_upload(owner=owner, file_name=name, data=data)
    batch.refresh_from_db()
    assert batch.status == ContactImport.Status.READY, batch.error
    previewed = time.perf_counter()
    import_confirm(batch=batch, on_duplicate=ContactImport.OnDuplicate.ADD)
    batch.refresh_from_db()
    assert batch.status == ContactImport.Status.DONE, batch.error
    return {"read": previewed - start, "save": time.perf_counter() - previewed}


EXPORT_FORMATS = {"vcard": ExportFormat.VCARD3, "csv": ExportFormat.GOOGLE_CSV}


def export_size(owner, export_format: str) -> int:
    """Export every contact of `owner` as a download would; the bytes it made."""
    return sum(
        len(chunk)
        for chunk in export_stream(contacts_to_export(owner=owner), export_format)
    )


def _timed(work: Callable[[], object]) -> tuple[float, object]:
    gc.collect()
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def _peak_mib(work: Callable[[], object]) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        work()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / (1024 * 1024)


def _scratch_member(tag: str):
    User = get_user_model()
    email = f"import-bench-{tag}@bench.invalid"
    User.objects.filter(email=email).delete()
    return User.objects.create(
        email=email, handle=f"import-bench-{tag}"[:30], display_name="Import bench"
    )


def measure_imports(*, contacts: int = 25_000, seed: int = 1, memory: bool = True):
    """Time the reader and the whole import of each format; return the figures."""
    cards = sample_cards(contacts, seed)
    files = {
        "vcard": (vcard_file(cards), "bench.vcf"),
        "csv": (csv_file(cards), "bench.csv"),
    }
    del cards
    figures = {"database": connection.vendor, "contacts": contacts}
    for kind, (data, name) in files.items():
        parse_seconds, count = _timed(
            lambda data=data, name=name: parse_only(data, name)
        )
        assert count == contacts, count
        owner = _scratch_member(kind)
        try:
            total_seconds, steps = _timed(
                lambda owner=owner, data=data, name=name: full_import(owner, data, name)
            )
            export_format = EXPORT_FORMATS[kind]
            export_seconds, exported = _timed(
                lambda owner=owner, fmt=export_format: export_size(owner, fmt)
            )
            export_peak = None
            if memory:
                export_peak = _peak_mib(
                    lambda owner=owner, fmt=export_format: export_size(owner, fmt)
                )
        finally:
            owner.delete()
        peak = None
        if memory:
            owner = _scratch_member(f"{kind}-memory")
            try:
                peak = _peak_mib(
                    lambda owner=owner, data=data, name=name: full_import(
                        owner, data, name
                    )
                )
            finally:
                owner.delete()
        figures[kind] = {
            "file_mib": round(len(data) / (1024 * 1024), 2),
            "parse_seconds": round(parse_seconds, 3),
            "import_seconds": round(total_seconds, 3),
            "import_vs_parse": round(total_seconds / parse_seconds, 2),
            "read_seconds": round(steps["read"], 3),
            "save_seconds": round(steps["save"], 3),
            "peak_mib": round(peak, 1) if peak is not None else None,
            "export_format": export_format,
            "export_mib": round(exported / (1024 * 1024), 2),
            "export_seconds": round(export_seconds, 3),
            "export_peak_mib": (
                round(export_peak, 1) if export_peak is not None else None
            ),
        }
    return figures


# The import issue's targets.
VCARD_VS_PARSE_MAX = 1.5
CSV_SECONDS_MAX = 3.0
PEAK_MIB_MAX = 300.0


def import_figures(measured: dict) -> list:
    """`measure_imports()`'s results as benchmark figures, with their targets."""
    figures = []
    for kind in ("vcard", "csv"):
        done = measured[kind]
        prefix = f"import.{kind}"
        figures += [
            Figure(f"{prefix}.parse_seconds", done["parse_seconds"], "s"),
            Figure(
                f"{prefix}.seconds",
                done["import_seconds"],
                "s",
                CSV_SECONDS_MAX if kind == "csv" else None,
            ),
            Figure(
                f"{prefix}.vs_parse",
                done["import_vs_parse"],
                "x",
                VCARD_VS_PARSE_MAX if kind == "vcard" else None,
            ),
            # The two steps, without targets: where the time goes.
            Figure(f"{prefix}.read_seconds", done["read_seconds"], "s"),
            Figure(f"{prefix}.save_seconds", done["save_seconds"], "s"),
            Figure(f"{prefix}.peak_memory", done["peak_mib"], "MiB", PEAK_MIB_MAX),
            Figure(f"export.{kind}.seconds", done["export_seconds"], "s"),
            Figure(
                f"export.{kind}.peak_memory",
                done["export_peak_mib"],
                "MiB",
                PEAK_MIB_MAX,
            ),
        ]
    return figures


def import_table(measured: dict) -> str:
    """The import and export figures as a small table."""
    rows = []
    for kind in ("vcard", "csv"):
        done = measured[kind]
        rows.append(
            [
                kind,
                f"{measured['contacts']:,}",
                f"{done['file_mib']:g}",
                f"{done['parse_seconds']:.2f}",
                f"{done['read_seconds']:.2f}",
                f"{done['save_seconds']:.2f}",
                f"{done['import_seconds']:.2f}",
                f"{done['import_vs_parse']:.2f}x",
                f"{done['peak_mib']:g}" if done["peak_mib"] is not None else "–",
                f"{done['export_seconds']:.2f}",
                f"{done['export_peak_mib']:g}"
                if done["export_peak_mib"] is not None
                else "–",
            ]
        )
    headers = [
        "file", "contacts", "MiB", "parse s", "read s", "save s", "import s",
        "×parse",
        "peak MiB", "export s", "export MiB",
    ]  # fmt: skip
    return render_table(headers, rows)
