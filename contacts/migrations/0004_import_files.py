"""Keep an import's file and preview apart from its row.

The row changes as the work goes on; on SQLite each change rewrote the whole
row, megabytes of file included. Files kept by imports still waiting move to
`ImportFile`.
"""

import django.db.models.deletion
from django.db import migrations, models


def move_files(apps, schema_editor):
    ContactImport = apps.get_model("contacts", "ContactImport")
    ImportFile = apps.get_model("contacts", "ImportFile")
    waiting = ContactImport.objects.filter(
        models.Q(source__isnull=False) | models.Q(prepared__isnull=False)
    )
    for pk in waiting.values_list("pk", flat=True).iterator():
        batch = ContactImport.objects.only("source", "prepared").get(pk=pk)
        for kind in ("source", "prepared"):
            data = getattr(batch, kind)
            if data is not None:
                ImportFile.objects.create(batch_id=pk, kind=kind, data=data)


def move_files_back(apps, schema_editor):
    ContactImport = apps.get_model("contacts", "ContactImport")
    ImportFile = apps.get_model("contacts", "ImportFile")
    for kept in ImportFile.objects.iterator(chunk_size=20):
        ContactImport.objects.filter(pk=kept.batch_id).update(**{kept.kind: kept.data})


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0003_imports"),
    ]

    operations = [
        migrations.CreateModel(
            name="ImportFile",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("source", "uploaded file"),
                            ("prepared", "prepared cards"),
                        ],
                        max_length=10,
                        verbose_name="kind",
                    ),
                ),
                ("data", models.BinaryField(verbose_name="data")),
                (
                    "batch",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="files",
                        to="contacts.contactimport",
                        verbose_name="import",
                    ),
                ),
            ],
            options={
                "verbose_name": "import file",
                "verbose_name_plural": "import files",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("batch", "kind"), name="importfile_one_per_kind"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("kind__in", ["source", "prepared"])),
                        name="importfile_kind_valid",
                    ),
                ],
            },
        ),
        migrations.RunPython(move_files, move_files_back),
        migrations.RemoveField(
            model_name="contactimport",
            name="prepared",
        ),
        migrations.RemoveField(
            model_name="contactimport",
            name="source",
        ),
    ]
