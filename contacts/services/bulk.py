"""Insert many rows at once, for imports of tens of thousands of contacts.

`bulk_create` builds a model instance per row, compiles every value through
the field's `get_db_prep_save()` and builds its SQL per batch; for 25,000
contacts and their 100,000 details that was most of an import's time.
`insert_rows` writes the same multi-row `INSERT` from plain dicts of column
values: the statement is built once per batch size, plain values (text,
numbers, booleans, None) go to the driver as they are, and the others
(dates, UUIDs…) go through the field once per distinct value. New primary
keys come back with `RETURNING`, in insertion order, as `bulk_create`
relies on for SQLite and PostgreSQL.

Each dict holds every concrete column but the primary key (callers start
from the model's defaults); no signal is sent and no `save()` runs.
"""

from collections.abc import Sequence

from django.db import connection
from django.db.models.constants import OnConflict

BATCH_SIZE = 500
_PLAIN = (str, int, float, type(None))


def insert_rows(
    model,
    rows: Sequence[dict],
    *,
    batch_size: int = BATCH_SIZE,
    ignore_conflicts: bool = False,
) -> list:
    """Insert `rows` in batches; the new primary keys, in order (none if ignoring)."""
    if not rows:
        return []
    meta = model._meta
    pk = meta.pk
    fields = [field for field in meta.concrete_fields if field is not pk]
    quote = connection.ops.quote_name
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    head = "{} {} ({}) VALUES ".format(
        connection.ops.insert_statement(on_conflict=on_conflict),
        quote(meta.db_table),
        ", ".join(quote(field.column) for field in fields),
    )
    if ignore_conflicts:
        tail = " " + connection.ops.on_conflict_suffix_sql(
            fields, on_conflict, None, None
        )
    else:
        tail = f" RETURNING {quote(pk.column)}"
    one = "({})".format(", ".join(["%s"] * len(fields)))
    columns = [(field, field.attname) for field in fields]
    prepared: dict[tuple, object] = {}
    statements: dict[int, str] = {}
    ids = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            batch = rows[start : start + batch_size]
            sql = statements.get(len(batch))
            if sql is None:
                sql = statements[len(batch)] = (
                    head + ", ".join([one] * len(batch)) + tail
                )
            params = []
            for row in batch:
                for field, name in columns:
                    value = row[name]
                    if not isinstance(value, _PLAIN):
                        key = (name, value)
                        if key not in prepared:
                            prepared[key] = field.get_db_prep_save(value, connection)
                        value = prepared[key]
                    params.append(value)
            cursor.execute(sql, params)
            if not ignore_conflicts:
                ids.extend(value for (value,) in cursor.fetchall())
    return ids
