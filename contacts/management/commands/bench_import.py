"""Time a 25,000-contact vCard and CSV import against the reader alone."""

import json

from django.core.management.base import BaseCommand

from contacts.perf.cli import python_speed_ms
from contacts.perf.imports import measure_imports


class Command(BaseCommand):
    help = (
        "Import a generated address book (vCard and Google CSV) for a scratch "
        "member and print the reader's time, the whole import's time and its "
        "peak memory. The scratch member is deleted afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument("--contacts", type=int, default=25_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--no-memory", action="store_true")

    def handle(self, *args, contacts, seed, no_memory, **options):
        figures = {
            "python_ms": round(python_speed_ms(), 1),
            **measure_imports(contacts=contacts, seed=seed, memory=not no_memory),
        }
        self.stdout.write(json.dumps(figures, indent=2))
