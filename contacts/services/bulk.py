"""Insert many rows at once, for imports of tens of thousands of contacts.

`bulk_create` builds a model instance per row, compiles every value through
the field's `get_db_prep_save()` and builds its SQL per batch; for 25,000
contacts and their 100,000 details that was most of an import's time.
`insert_rows` takes rows as tuples of plain column values (text, numbers,
booleans, None) for the columns it is given; every other column gets one
value for all rows (the model's default, or a constant such as the owner),
put through its field once. New primary keys come back with `RETURNING`,
in insertion order, as `bulk_create` relies on, in batches of 500: on
SQLite one multi-row `INSERT` a batch, or `executemany` (one prepared
statement, no SQL to build) for rows whose keys are not needed; on
PostgreSQL `INSERT … SELECT * FROM UNNEST(…)` with one array a column, as
`bulk_create` does there.

No signal is sent and no `save()` runs.
"""

import gc
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import chain

from django.db import connection
from django.db.models.constants import OnConflict

BATCH_SIZE = 500


def insert_rows(
    model,
    columns: Sequence[str],
    rows: Sequence[Sequence],
    *,
    constants: Mapping | None = None,
    batch_size: int = BATCH_SIZE,
    ignore_conflicts: bool = False,
    returning: bool = True,
) -> list:
    """Insert `rows` (values for `columns`, by attname) in batches.

    Returns the new primary keys in order, unless `returning` is false or
    conflicts are ignored. Columns not named take `constants[attname]` or
    the model's default.
    """
    if not rows:
        return []
    returning = returning and not ignore_conflicts
    meta = model._meta
    pk = meta.pk
    by_name = {field.attname: field for field in meta.concrete_fields}
    fields = [by_name[name] for name in columns]
    template = model(**(constants or {}))
    fixed = [
        field
        for field in meta.concrete_fields
        if field is not pk and field not in fields
    ]
    fixed_values = tuple(
        field.get_db_prep_save(getattr(template, field.attname), connection)
        for field in fixed
    )
    quote = connection.ops.quote_name
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    all_fields = [*fields, *fixed]
    head = "{} {} ({}) ".format(
        connection.ops.insert_statement(on_conflict=on_conflict),
        quote(meta.db_table),
        ", ".join(quote(field.column) for field in all_fields),
    )
    tail = ""
    if ignore_conflicts:
        tail = " " + connection.ops.on_conflict_suffix_sql(
            all_fields, on_conflict, None, None
        )
    elif returning:
        tail = f" RETURNING {quote(pk.column)}"
    batches = (
        rows[start : start + batch_size] for start in range(0, len(rows), batch_size)
    )
    ids = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = head + _unnest(fields, fixed) + tail
            for batch in batches:
                columns = [list(column) for column in zip(*batch, strict=True)]
                # The fixed values come first in the statement, then the arrays.
                cursor.execute(sql, [*fixed_values, *columns])
                if returning:
                    ids.extend(value for (value,) in cursor.fetchall())
            return ids
        one = "({})".format(", ".join(["%s"] * len(all_fields)))
        if not returning:
            cursor.executemany(
                head + "VALUES " + one + tail,
                [(*row, *fixed_values) for row in rows],
            )
            return []
        statements: dict[int, str] = {}
        for batch in batches:
            sql = statements.get(len(batch))
            if sql is None:
                sql = statements[len(batch)] = (
                    head + "VALUES " + ", ".join([one] * len(batch)) + tail
                )
            params = list(chain.from_iterable((*row, *fixed_values) for row in batch))
            cursor.execute(sql, params)
            ids.extend(value for (value,) in cursor.fetchall())
    return ids


def _unnest(fields, fixed) -> str:
    """PostgreSQL's rows from one array a column, as `bulk_create` builds them.

    The statement then has one parameter a column, not one a value, and
    stays short: psycopg reads a statement's placeholders in Python and
    keeps only short statements read, so a 500-row `VALUES` list was read
    again, value by value, for every batch (most of an import's time on
    PostgreSQL). Rows come in the arrays' order, which `RETURNING` keeps.
    The `fixed` columns, one value for every row, are added as one value.
    Types go without their length ("varchar", not "varchar(100)"): a cast
    would cut longer values silently, where the column refuses them.
    """

    def db_type(field) -> str:
        return field.db_type(connection).split("(")[0]

    arrays = ", ".join(f"(%s)::{db_type(field)}[]" for field in fields)
    values = "".join(f", (%s)::{db_type(field)}" for field in fixed)
    return f"SELECT *{values} FROM UNNEST({arrays})"  # noqa: S608 - model types


@contextmanager
def collection_paused() -> Iterator[None]:
    """Run a bulk job without Python's cyclic garbage collector.

    Reading and saving 25,000 cards makes a few million small objects, and
    every 2,000 of them set off a collection that walks the ones still
    alive: a fifth of an import's time, for objects that have no cycles and
    are freed by reference counting anyway. Collection resumes afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
