"""Names that differ only by initials or a title now share their `name_key`.

Existing contacts get theirs again from their sort key, as `derive_names()`
sets it now ("John A. Smith" and "Dr John Smith" are "john smith").
"""

from importlib import import_module

from django.db import migrations

fill_name_keys = import_module(
    "contacts.migrations.0006_contact_name_key"
).fill_name_keys


class Migration(migrations.Migration):
    dependencies = [("contacts", "0009_contact_photos")]

    operations = [
        migrations.RunPython(fill_name_keys, migrations.RunPython.noop, elidable=True)
    ]
