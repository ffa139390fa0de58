"""Contacts get `name_key`: their sort key's words in order, for Duplicates.

Existing contacts get theirs from their sort key, as `derive_names()` sets it.
"""

from django.conf import settings
from django.db import migrations, models

from contacts.text import name_key

BATCH = 2000


def fill_name_keys(apps, schema_editor):
    Contact = apps.get_model("contacts", "Contact")
    last = 0
    while True:
        contacts = list(
            Contact.objects.filter(pk__gt=last)
            .order_by("pk")
            .only("pk", "sort_name")[:BATCH]
        )
        if not contacts:
            return
        for contact in contacts:
            contact.name_key = name_key(contact.sort_name) or contact.sort_name
        Contact.objects.bulk_update(contacts, ["name_key"])
        last = contacts[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0005_not_duplicates"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="contact",
            name="name_key",
            field=models.CharField(
                blank=True, default="", max_length=300, verbose_name="name key"
            ),
        ),
        migrations.RunPython(fill_name_keys, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", True)),
                fields=["owner", "name_key"],
                name="contact_owner_name_key",
            ),
        ),
    ]
