"""SQL plans: explain the queries pages send and flag full scans of big tables.

A big table is one a seeding step declares (`seed_step(big_tables=…)`). On
PostgreSQL a `Seq Scan on <table>` is flagged; on SQLite a `SCAN <table>`
without an index (a `SCAN … USING INDEX` may stop early under a LIMIT, like
PostgreSQL's index scans, and is not flagged).
"""

import re
from collections.abc import Iterable

from django.db import connection

EXPLAINED = ("SELECT", "UPDATE", "DELETE", "WITH")
ALIAS = re.compile(r'(?:FROM|JOIN)\s+"?(\w+)"?\s+(?:AS\s+)?"?([A-Za-z]\d*)"?\b', re.I)
PG_SEQ_SCAN = re.compile(r"Seq Scan on (?:\w+\.)?\"?(\w+)\"?")
SQLITE_SCAN = re.compile(r"^SCAN (\w+)(.*)$")
DIGITS = re.compile(r"\d+(\.\d+)?")


def explainable(sql: str) -> bool:
    return sql.lstrip().split(None, 1)[0].upper() in EXPLAINED if sql.strip() else False


def explain(sql: str) -> list[str]:
    """The plan of one captured statement, one line per node."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            return [row[-1] for row in cursor.fetchall()]
        cursor.execute("EXPLAIN " + sql)
        return [row[0] for row in cursor.fetchall()]


def aliases(sql: str) -> dict[str, str]:
    """Table aliases Django wrote (`"connections_user" U0`) mapped to tables."""
    return {alias: table for table, alias in ALIAS.findall(sql)}


def full_scans(plan: Iterable[str], sql: str, vendor: str) -> set[str]:
    """The tables the plan reads in full."""
    tables = set()
    if vendor == "sqlite":
        names = aliases(sql)
        for line in plan:
            match = SQLITE_SCAN.match(line.strip())
            if match and "USING" not in match.group(2):
                name = match.group(1)
                tables.add(names.get(name, name))
        return tables
    for line in plan:
        tables.update(PG_SEQ_SCAN.findall(line))
    return tables


def scans_of_big_tables(
    statements: Iterable[str], big: set[str]
) -> list[dict[str, str]]:
    """Each distinct plan that scans a big table in full, with one statement."""
    found, seen, shapes = [], set(), set()
    for sql in statements:
        if sql in seen or not explainable(sql):
            continue
        seen.add(sql)
        plan = explain(sql)
        scanned = sorted(full_scans(plan, sql, connection.vendor) & big)
        shape = DIGITS.sub("N", "\n".join(plan))  # one report per plan, any viewer
        if scanned and shape not in shapes:
            shapes.add(shape)
            found.append(
                {
                    "tables": ", ".join(scanned),
                    "sql": sql[:300],
                    "plan": "\n".join(plan),
                }
            )
    return found
