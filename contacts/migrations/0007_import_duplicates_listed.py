"""An import's preview lists its first possible duplicates."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0006_contact_name_key"),
    ]

    operations = [
        migrations.AddField(
            model_name="contactimport",
            name="duplicates",
            field=models.JSONField(
                blank=True, default=list, verbose_name="possible duplicates listed"
            ),
        ),
    ]
