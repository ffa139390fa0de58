"""Writes about exports: each download of many contacts is counted."""

from django.conf import settings
from django.utils.translation import gettext_noop

from connections.services import limits


def export_spend(*, owner) -> None:
    """Count one export of the owner's contacts or connections.

    Refuses (ValidationError, code "rate_limit") past
    RAPPORT_EXPORTS_PER_HOUR, as each export reads a whole address book.
    The download of one contact's card (from their page) is not counted by
    the view: it costs a single row.
    """
    limits.spend_or_refuse(
        member_id=owner.pk,
        action="export",
        limit=settings.RAPPORT_EXPORTS_PER_HOUR,
        window=limits.HOUR,
        message=(
            gettext_noop("You can download one export an hour. Try again in %(wait)s."),
            gettext_noop(
                "You can download %(limit)d exports an hour. Try again in %(wait)s."
            ),
        ),
    )
