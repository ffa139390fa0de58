"""Delete for good the contacts that have been in the Trash past the grace period.

Run it daily (cron, a systemd timer or the scheduler of your platform); it is
safe to run at any time and as often as you like.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from contacts.services.trash import trash_purge_expired


class Command(BaseCommand):
    help = (
        "Delete contacts that have been in the Trash longer than "
        "RAPPORT_CONTACTS_TRASH_DAYS days."
    )

    def handle(self, *args, **options):
        count = trash_purge_expired()
        noun = "contact" if count == 1 else "contacts"
        self.stdout.write(
            f"Purged {count} {noun} deleted more than "
            f"{settings.RAPPORT_CONTACTS_TRASH_DAYS} days ago."
        )
