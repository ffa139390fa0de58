"""Small queries every page runs, built by the ORM once, then run as SQL.

The navigation badges are one query that the database answers in a fraction
of a millisecond, but building it (a dozen subqueries, each resolved and
compiled) costs thirteen thousand Python calls on every page. A
`PreparedQuery` builds it twice per process and database, with two sets of
stand-in values for the member and the moment, and reads from the two
compilations which parameters are the member, which are the moment (or a
fixed distance from it, such as the expiry of invitations) and which never
change. Each call then runs the same SQL with the real values put in, adapted
as the database backend adapts them, and reads the rows as the ORM would.

A parameter that changes between the two compilations but follows neither
stand-in (a moment read from the clock while building, say) cannot be put in
later: the query is then refused at once rather than run with a stale value.
"""

from datetime import UTC, datetime, timedelta

from django.core.signals import setting_changed
from django.db import connections

# Two sets of stand-in values, which no member and no moment ever has.
STAND_IN_IDS = (-1_000_003, -2_000_029)
STAND_IN_MOMENTS = (
    datetime(2001, 2, 3, 4, 5, 6, 789_012, tzinfo=UTC),
    datetime(2011, 8, 19, 20, 21, 22, 345_678, tzinfo=UTC),
)

_FIXED, _ID, _MOMENT = "fixed", "id", "moment"


class VaryingParameter(Exception):
    """A query's parameter changes between builds without following its values."""


def _as_moment(value):
    """A parameter as a datetime (a backend may pass datetimes as text)."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def _moment_offset(adapt, parameters, stand_ins):
    """How far from the moment a parameter is, if it follows it in both builds."""
    first = _as_moment(parameters[0])
    base = _as_moment(adapt(stand_ins[0]))
    if first is None or base is None:
        return None
    offset = first - base
    if not isinstance(offset, timedelta):
        return None
    for parameter, stand_in in zip(parameters, stand_ins, strict=True):
        if adapt(stand_in + offset) != parameter:
            return None
    return offset


class Compiled:
    """One query's SQL, where its parameters come from, and how to read rows."""

    def __init__(self, build, *, ids, moment, connection):
        builds = []
        for index in range(2):
            values = {
                name: STAND_IN_IDS[index] - 1000 * position
                for position, name in enumerate(ids)
            }
            if moment:
                values[moment] = STAND_IN_MOMENTS[index]
            queryset = build(**values)
            compiler = queryset.query.get_compiler(connection=connection)
            sql, params = compiler.as_sql()
            builds.append((values, queryset, compiler, sql, tuple(params)))
        (values_a, queryset, compiler, sql, params_a) = builds[0]
        (values_b, _queryset, _compiler, sql_b, params_b) = builds[1]
        if sql != sql_b or len(params_a) != len(params_b):
            raise VaryingParameter("The SQL changes with the values.")
        adapt = connection.ops.adapt_datetimefield_value
        self.sources = []
        for a, b in zip(params_a, params_b, strict=True):
            if type(a) is type(b) and a == b:
                self.sources.append((_FIXED, a))
                continue
            name = next(
                (
                    name
                    for name in ids
                    if type(a) is int and a == values_a[name] and b == values_b[name]
                ),
                None,
            )
            if name is not None:
                self.sources.append((_ID, name))
                continue
            offset = None
            if moment:
                offset = _moment_offset(
                    adapt, (a, b), (values_a[moment], values_b[moment])
                )
            if offset is None:
                raise VaryingParameter(
                    f"The parameter {a!r} (then {b!r}) follows none of the values."
                )
            self.sources.append((_MOMENT, offset))
        self.sql = sql
        self.moment = moment
        query = queryset.query
        if query.selected:
            self.names = list(query.selected)
        else:
            self.names = [
                *query.extra_select,
                *query.values_select,
                *query.annotation_select,
            ]
        self.col_count = compiler.col_count
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        self.converters = list(compiler.get_converters(fields).items())

    def rows(self, connection, values) -> list[dict]:
        adapt = connection.ops.adapt_datetimefield_value
        params = []
        for kind, source in self.sources:
            if kind is _FIXED:
                params.append(source)
            elif kind is _ID:
                params.append(int(values[source]))
            else:
                params.append(adapt(values[self.moment] + source))
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            fetched = cursor.fetchall()
        rows = []
        for fetched_row in fetched:
            row = list(fetched_row[: self.col_count])
            for position, (converters, expression) in self.converters:
                value = row[position]
                for converter in converters:
                    value = converter(value, expression, connection)
                row[position] = value
            rows.append(dict(zip(self.names, row, strict=True)))
        return rows


class PreparedQuery:
    """`build(**values)`, a values() queryset of the ORM, compiled once per
    database (and again after a setting changes), then run as its SQL.

    `ids` name the integer values (member ids), `moment` the one datetime;
    every other parameter of the query must stay the same from one build to
    the next.
    """

    def __init__(self, build, *, ids=(), moment=None, using="default"):
        self.build = build
        self.ids = tuple(ids)
        self.moment = moment
        self.using = using
        self._compiled = {}
        setting_changed.connect(self._forget, weak=False)

    def _forget(self, **kwargs):
        self._compiled.clear()

    def compiled(self, connection=None) -> Compiled:
        connection = connection or connections[self.using]
        key = (connection.alias, connection.vendor)
        found = self._compiled.get(key)
        if found is None:
            found = self._compiled[key] = Compiled(
                self.build, ids=self.ids, moment=self.moment, connection=connection
            )
        return found

    def rows(self, **values) -> list[dict]:
        """The rows the ORM gives for `build(**values)`, as dicts."""
        connection = connections[self.using]
        return self.compiled(connection).rows(connection, values)
