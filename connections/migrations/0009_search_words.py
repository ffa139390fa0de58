"""Member search indexes whole words and reads the range of words starting
with what was typed, instead of a row for every prefix of every word."""

from django.db import migrations


def binary_order(apps, schema_editor):
    """Byte order for the words on PostgreSQL, as SQLite has by default, so
    the words starting with "ali" are exactly those from "ali" to "alj"."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        'ALTER TABLE connections_membersearchterm ALTER COLUMN term TYPE varchar(20) COLLATE "C"'
    )


def reindex_members(apps, schema_editor):
    from connections.search import search_terms

    User = apps.get_model("connections", "User")
    Term = apps.get_model("connections", "MemberSearchTerm")
    Term.objects.all().delete()
    rows = []
    members = User.objects.only("pk", "display_name", "handle", "headline")
    for member in members.iterator(chunk_size=500):
        words = search_terms(member.display_name, member.handle, member.headline)
        rows.extend(Term(member_id=member.pk, term=word) for word in words)
        if len(rows) >= 5000:
            Term.objects.bulk_create(rows, batch_size=500)
            rows = []
    Term.objects.bulk_create(rows, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("connections", "0008_moderation_content"),
    ]

    operations = [
        migrations.RunPython(binary_order, migrations.RunPython.noop),
        migrations.RunPython(reindex_members, migrations.RunPython.noop),
    ]
