"""Measure Rapport at scale: `manage.py bench` (make bench, make bench-http)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from contacts.perf.cli import (
    add_data_arguments,
    run_meta,
    seed_figure,
    seeded,
    speed_figure,
)
from contacts.perf.http import LoadError, run_http
from contacts.perf.imports import import_figures, import_table, measure_imports
from contacts.perf.pages import PAGES
from contacts.perf.report import summary, write_results
from contacts.perf.runner import PageError, run_in_process
from contacts.perf.seed import big_tables


class Command(BaseCommand):
    # The checks need the database, which does not exist until `migrate` (run
    # with its own checks once the command has picked the file of the size).
    requires_system_checks = []
    help = (
        "Seed (or reuse) the benchmark data, then print the figures and write "
        "bench/results.json. --http measures under load instead."
    )

    def add_arguments(self, parser):
        add_data_arguments(parser)
        parser.add_argument("--rounds", type=int, default=20)
        parser.add_argument("--warmup", type=int, default=2)
        parser.add_argument(
            "--only", default="", help="Comma-separated page names to measure."
        )
        parser.add_argument("--output", default=None, help="bench/results.json")
        parser.add_argument(
            "--imports",
            type=int,
            default=25_000,
            help="Contacts in the import and export files (0 leaves them out).",
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Exit with an error when a query count or a plan misses its target.",
        )
        load = parser.add_argument_group("under load (--http)")
        load.add_argument("--http", action="store_true")
        load.add_argument("--duration", type=float, default=3.0)
        load.add_argument("--http-rounds", type=int, default=3)
        load.add_argument("--connections", type=int, default=4)
        load.add_argument("--threads", type=int, default=1)

    def handle(self, *args, **options):
        size, outcome = seeded(
            size=options["size"],
            seed=options["seed"],
            reseed=options["reseed"],
            stdout=self.stdout,
            style=self.style,
        )
        pages = self.selected_pages(options["only"])
        output = Path(options["output"] or Path(settings.BENCH_DIR) / "results.json")
        if options["http"]:
            figures, meta = self.under_load(pages, options)
            run = "http"
        else:
            figures, meta = self.in_process(pages, options)
            figures[:0] = [seed_figure(size, outcome), speed_figure()]
            run = "in-process"
        write_results(
            output,
            run=run,
            meta=run_meta(size, options["seed"], **meta),
            figures=figures,
        )
        self.stdout.write("\n" + summary(figures))
        self.stdout.write(f"Figures written to {output}.")
        strict_failures = [
            figure.name
            for figure in figures
            if figure.passed is False
            and figure.name.startswith(("queries.", "plan.", "http.", "seed."))
            and not figure.name.endswith(".rps_ratio")
        ]
        if options["strict"] and strict_failures:
            raise CommandError("Not within target: " + ", ".join(strict_failures))

    def selected_pages(self, only: str):
        if not only:
            return list(PAGES)
        wanted = {name.strip() for name in only.split(",") if name.strip()}
        unknown = wanted - {page.name for page in PAGES}
        if unknown:
            raise CommandError(f"No page named {', '.join(sorted(unknown))}.")
        for page in reversed(PAGES):  # a page compared with another needs it
            if page.name in wanted and page.baseline:
                wanted.add(page.baseline)
        return [page for page in PAGES if page.name in wanted]

    def in_process(self, pages, options):
        self.stdout.write(
            f"\nIn-process: {len(pages)} pages, {options['rounds']} interleaved rounds "
            f"after {options['warmup']} warm-up rounds…"
        )
        try:
            run = run_in_process(
                pages,
                rounds=options["rounds"],
                warmup=options["warmup"],
                seed=options["seed"],
                big_tables=big_tables(),
                stdout=self.stdout,
            )
        except PageError as error:
            raise CommandError(str(error)) from error
        self.stdout.write("\n" + run.table())
        figures = run.figures()
        scans = [figure for figure in figures if figure.name.startswith("plan.hot.")]
        self.stdout.write(
            "\nHot queries: "
            + ", ".join(
                f"{figure.name.removeprefix('plan.hot.')} "
                + ("ok" if figure.passed else f"FAIL ({figure.value:g} full scans)")
                for figure in scans
            )
        )
        for figure in figures:
            for scan in figure.detail.get("scans", []):
                self.stdout.write(
                    self.style.WARNING(
                        f"\n{figure.name}: full scan of {scan['tables']}\n"
                        f"  {scan['sql']}\n  " + scan["plan"].replace("\n", "\n  ")
                    )
                )
        if options["imports"] and not options["only"]:
            self.stdout.write(
                f"\nImport and export of {options['imports']:,} contacts "
                "(vCard 3.0 and Google CSV)…"
            )
            measured = measure_imports(
                contacts=options["imports"], seed=options["seed"]
            )
            self.stdout.write("\n" + import_table(measured))
            figures += import_figures(measured)
        meta = {"rounds": options["rounds"], "warmup": options["warmup"]}
        return figures, meta

    def under_load(self, pages, options):
        self.stdout.write(
            f"\nUnder load: gunicorn with 2 sync workers, wrk with "
            f"{options['connections']} connections, {options['duration']:g} s per "
            f"page per round, {options['http_rounds']} rounds…"
        )
        try:
            run = run_http(
                pages,
                duration=options["duration"],
                rounds=options["http_rounds"],
                connections=options["connections"],
                threads=options["threads"],
                seed=options["seed"],
                stdout=self.stdout,
            )
        except LoadError as error:
            raise CommandError(str(error)) from error
        self.stdout.write("\n" + run.table())
        meta = {
            "workers": 2,
            "connections": options["connections"],
            "duration": options["duration"],
            "rounds": options["http_rounds"],
        }
        return run.figures(), meta
