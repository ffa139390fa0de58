"""End imports whose work stopped; forget those never saved, after a few days."""

from django.conf import settings
from django.core.management.base import BaseCommand

from contacts.services.imports import imports_end_stopped, imports_purge_stale


class Command(BaseCommand):
    help = (
        "End reading, importing or undoing that stopped without finishing "
        "(after RAPPORT_IMPORT_WORK_MINUTES), and delete uploaded address book "
        "files that were never imported (previews, columns never chosen, "
        "failures) after RAPPORT_IMPORT_KEEP_DAYS days. Safe to run as often "
        "as you like."
    )

    def handle(self, *args, **options):
        ended = imports_end_stopped()
        if ended:
            self.stdout.write(f"Ended {ended} import(s) whose work had stopped.")
        count = imports_purge_stale()
        self.stdout.write(
            f"Forgot {count} unsaved import(s) older than "
            f"{settings.RAPPORT_IMPORT_KEEP_DAYS} days."
        )
