"""What `seed_perf` and `bench` share: options, the settings check, seeding."""

import math
import platform
import subprocess  # noqa: S404 - reads the git commit, fixed arguments
import time
from typing import TextIO

import django
from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from contacts.perf.report import Figure
from contacts.perf.seed import (
    SIZES,
    ForeignDatabase,
    SeedOutcome,
    Size,
    ensure_seeded,
    prepare_database,
    use_size,
)

SEED_TARGET_SECONDS = {"ci": 120.0}  # issue 9: the ci size builds in under 2 minutes


def add_data_arguments(parser) -> None:
    parser.add_argument(
        "--size",
        choices=sorted(SIZES),
        default=None,
        help="ci (20,000 members) or full (100,000); default $BENCH_SIZE or ci.",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--reseed", action="store_true", help="Rebuild even if the data matches."
    )


def require_bench_settings() -> None:
    if not getattr(settings, "BENCH", False):
        raise CommandError(
            "The benchmark writes a large dataset: run it with "
            "DJANGO_SETTINGS_MODULE=config.settings.bench (make bench does)."
        )


def seeded(
    *, size: str | None, seed: int, reseed: bool, stdout: TextIO, style
) -> tuple[Size, SeedOutcome]:
    """Point at the database of the size, migrate it, seed it unless it matches."""
    require_bench_settings()
    chosen = SIZES[size or getattr(settings, "BENCH_SIZE", "ci")]
    use_size(chosen.name)
    prepare_database()
    stdout.write(f"Data: size {chosen.name}, seed {seed}, {describe_database()}")
    try:
        outcome = ensure_seeded(size=chosen, seed=seed, stdout=stdout, force=reseed)
    except ForeignDatabase as error:
        raise CommandError(str(error)) from error
    if outcome.reused:
        stdout.write(
            f"  reused the database seeded earlier (built in {outcome.seconds:.1f} s)."
        )
    else:
        stdout.write(style.SUCCESS(f"  seeded in {outcome.seconds:.1f} s."))
    return chosen, outcome


def seed_figure(size: Size, outcome: SeedOutcome) -> Figure:
    return Figure(
        "seed.seconds",
        outcome.seconds,
        "s",
        SEED_TARGET_SECONDS.get(size.name),
        detail={"reused": outcome.reused, "rows": outcome.counts},
    )


def python_speed_ms(repeat: int = 5) -> float:
    """Milliseconds this machine takes for a fixed piece of plain Python work.

    Import and export times are CPU-bound Python; on a shared machine the
    same code can take twice as long one day as the next. This figure, the
    best of `repeat` runs of the same work, lets such times be compared: a
    slower day shows here too.
    """
    words = [f"Name{index} Family{index}" for index in range(20_000)]
    best = math.inf
    for _ in range(repeat):
        start = time.perf_counter()
        total = 0
        for word in words:
            total += len(" ".join(word.lower().split())) + sum(range(20))
        best = min(best, time.perf_counter() - start)
    return best * 1000


def speed_figure() -> Figure:
    return Figure("machine.python_ms", python_speed_ms(), "ms")


def describe_database() -> str:
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        return f"SQLite {name}"
    return f"{connection.vendor} database {name}"


def git_commit() -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
            cwd=settings.BASE_DIR,
        )
    except OSError:
        return None
    return done.stdout.strip() or None


def run_meta(size: Size, seed: int, **extra) -> dict:
    """What a run was measured on; runs compare only on the same data."""
    return {
        "size": size.name,
        "members": size.members,
        "seed": seed,
        "database": connection.vendor,
        "measured_at": timezone.now().isoformat(timespec="seconds"),
        "commit": git_commit(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "machine": f"{platform.machine()}, {platform.system()}",
        **extra,
    }
