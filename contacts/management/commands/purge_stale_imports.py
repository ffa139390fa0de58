"""Forget imports that were previewed but never saved, after a few days."""

from django.conf import settings
from django.core.management.base import BaseCommand

from contacts.services.imports import imports_purge_stale


class Command(BaseCommand):
    help = (
        "Delete uploaded address book files that were never imported "
        "(previews, columns never chosen, failures) after "
        "RAPPORT_IMPORT_KEEP_DAYS days. Safe to run as often as you like."
    )

    def handle(self, *args, **options):
        count = imports_purge_stale()
        self.stdout.write(
            f"Forgot {count} unsaved import(s) older than "
            f"{settings.RAPPORT_IMPORT_KEEP_DAYS} days."
        )
