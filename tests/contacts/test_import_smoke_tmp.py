import pytest
from pathlib import Path
from contacts.models import Contact, ContactImport
from contacts.services.imports import import_upload, import_confirm, import_undo_start
DATA = Path(__file__).parent / "data"

pytestmark = pytest.mark.django_db

@pytest.mark.parametrize("name", ["apple_3.vcf","google_3.vcf","outlook_21.vcf","android_21.vcf","thunderbird_4.vcf","google.csv","outlook.csv","google_old.csv"])
def test_smoke(alice, name, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        batch = import_upload(owner=alice, file_name=name, data=(DATA/name).read_bytes())
    batch.refresh_from_db()
    print(batch.status, batch.error, batch.total, batch.new_count, batch.duplicate_count, batch.problems, batch.notices)
    assert batch.status == "ready"
    with django_capture_on_commit_callbacks(execute=True):
        import_confirm(batch=batch, on_duplicate="skip")
    batch.refresh_from_db()
    print(batch.status, batch.error, batch.created_count)
    assert batch.status == "done"
    for c in Contact.objects.filter(owner=alice):
        print(c.shown_name, list(c.emails.values_list("value","label")), list(c.phones.values_list("value","e164","label","custom_label")), list(c.labels.values_list("name", flat=True)))
    # reimport -> duplicates
    with django_capture_on_commit_callbacks(execute=True):
        again = import_upload(owner=alice, file_name=name, data=(DATA/name).read_bytes())
    again.refresh_from_db()
    print("again", again.status, again.new_count, again.duplicate_count)
    with django_capture_on_commit_callbacks(execute=True):
        import_confirm(batch=again, on_duplicate="merge")
    again.refresh_from_db()
    print("merged", again.status, again.error, again.merged_count, again.merged)
    with django_capture_on_commit_callbacks(execute=True):
        import_undo_start(batch=again)
    again.refresh_from_db()
    print("undo merged", again.status, again.kept)
    with django_capture_on_commit_callbacks(execute=True):
        import_undo_start(batch=batch)
    batch.refresh_from_db()
    print(batch.status, batch.kept_count, Contact.objects.filter(owner=alice).count())
    assert Contact.objects.filter(owner=alice).count() == 0
