"""Address books count their changes, so the Duplicates page can be cached."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0007_import_duplicates_listed"),
    ]

    operations = [
        migrations.AddField(
            model_name="addressbook",
            name="revision",
            field=models.PositiveBigIntegerField(default=0, verbose_name="revision"),
        ),
    ]
