"""Build (or reuse) the benchmark's seeded database: `manage.py seed_perf`."""

from django.core.management.base import BaseCommand

from contacts.perf.cli import add_data_arguments, seeded


class Command(BaseCommand):
    # The checks need the database, which does not exist until `migrate` (run
    # with its own checks once the command has picked the file of the size).
    requires_system_checks = []
    help = "Seed the benchmark database at a size (reused when it already matches)."

    def add_arguments(self, parser):
        add_data_arguments(parser)

    def handle(self, *args, size, seed, reseed, **options):
        seeded(
            size=size, seed=seed, reseed=reseed, stdout=self.stdout, style=self.style
        )
