"""Mark pending invitations past their expiry as expired.

Reads already treat them as expired; this keeps the table truthful for staff
and reports. Run it daily (cron, or a scheduler that runs Django tasks:
`connections.tasks.expire_invitations`).
"""

from django.core.management.base import BaseCommand

from connections.services.network import connection_requests_expire


class Command(BaseCommand):
    help = "Mark pending invitations older than RAPPORT_INVITATION_EXPIRY_DAYS expired."

    def handle(self, *args, **options):
        count = connection_requests_expire()
        self.stdout.write(f"{count} invitation(s) marked expired.")
