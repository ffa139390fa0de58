"""Background work of the contacts app: reading, importing and undoing imports.

The services queue these with `transaction.on_commit`; each task reads the
import again and does nothing if it has moved on (discarded, or done by an
earlier run of the same task).
"""

from django.tasks import task

from contacts.services import imports


@task
def contacts_import_read(batch_id: int) -> None:
    """Read an uploaded file and prepare its preview."""
    imports.import_read(batch_id=batch_id)


@task
def contacts_import_run(batch_id: int) -> None:
    """Save a confirmed import in one transaction."""
    imports.import_run(batch_id=batch_id)


@task
def contacts_import_undo(batch_id: int) -> None:
    """Take back a finished import."""
    imports.import_undo(batch_id=batch_id)
