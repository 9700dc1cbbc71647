"""How the mirror's batches of rows reach the database, as cheaply in CPU as each dialect allows.

Two statements, each built once per (dialect, table, columns) and compiled once per engine:

- upsert: `INSERT … ON CONFLICT (store_id, remote_id) DO UPDATE SET columns WHERE stored.source_at <=
  incoming.source_at RETURNING id, remote_id` (mirror.py says why);
- insert: a plain INSERT of child rows (variants, order lines, addresses).

SQLAlchemy 2.0 gives the dialects' INSERT … ON CONFLICT no cache key, so it was compiled again on every execute;
here its ON CONFLICT clause declares what it holds (target columns, SET pairs, WHERE), which makes the statement
cacheable with a key that differs whenever any of those, the table or the RETURNING differ (test_mirror checks).

On SQLite a batch is an executemany (SQLAlchemy's "insertmanyvalues": multi-row VALUES with RETURNING). On
PostgreSQL that costs more in psycopg than in the database: it parses the 40 KB text of 100 rows × 17 placeholders
on every execute (its statement cache stops at 50 parameters), ~10 ms a page of products, and sends child rows one
by one. So there a batch is one JSON parameter read by json_to_recordset(): the same columns, types and conflict
rule in one short, cached statement. A JSON column's None is written as JSON null (as SQLAlchemy's JSON type
writes it), not SQL NULL; a batch holding a float JSON cannot carry (NaN, ±Infinity) takes the executemany path.
"""

import functools
import math

from sqlalchemy import JSON, Float, Text, bindparam, cast, column, func, insert as core_insert, literal_column, select
from sqlalchemy.sql.visitors import InternalTraversal

from ..jumpseller import jsonio

KEY = ("store_id", "remote_id")


@functools.lru_cache(maxsize=64)
def upsert(dialect, table, columns):
    """The writer of (store_id, remote_id, *columns) rows that keeps the newest; its execute() returns the
    (id, remote_id) of the rows applied. `columns` is a tuple of column names, source_at among them."""
    dml = _dml(dialect)
    names = KEY + tuple(columns)

    def statement(rows_source):
        base = _cacheable_insert(dml)(table)
        if rows_source is not None:
            base = base.from_select(names, rows_source)
        excluded = base.excluded
        base._post_values_clause = _cacheable_on_conflict(dml)(
            index_elements=[table.c.store_id, table.c.remote_id],
            set_={name: excluded[name] for name in columns},
            where=table.c.source_at <= excluded.source_at)
        return base.returning(table.c.id, table.c.remote_id)

    return _Writer(dialect, table, names, statement)


@functools.lru_cache(maxsize=64)
def insert(dialect, table, columns):
    """The writer of plain INSERTs of rows with exactly these `columns`."""
    names = tuple(columns)

    def statement(rows_source):
        base = core_insert(table)
        return base if rows_source is None else base.from_select(names, rows_source)

    return _Writer(dialect, table, names, statement)


class _Writer:
    """One statement for a (dialect, table, columns): execute(session, rows) runs it for a batch of dict rows."""

    def __init__(self, dialect, table, names, build):
        self.names = names
        self.many = build(None)                   # executemany form (SQLite; PostgreSQL's fallback)
        self.json = build(_recordset(table, names)) if dialect == "postgresql" else None
        self.floats = tuple(name for name in names if isinstance(table.c[name].type, Float))

    def execute(self, session, rows):
        if self.json is not None and _all_finite(rows, self.floats):
            return session.execute(self.json, {"rows": jsonio.dumps_rows(rows)})
        return session.execute(self.many, rows)


def _all_finite(rows, names):
    for row in rows:
        for name in names:
            value = row[name]
            if value is not None and not math.isfinite(value):
                return False
    return True


def _recordset(table, names):
    """SELECT the `names` columns from json_to_recordset(:rows) typed as the table's own columns."""
    rows = func.json_to_recordset(cast(bindparam("rows", type_=Text()), JSON)).table_valued(
        *(column(name, table.c[name].type) for name in names)).render_derived("incoming", with_types=True)
    return select(*(_json_null_kept(rows.c[name]) if isinstance(table.c[name].type, JSON) else rows.c[name]
                    for name in names))


def _json_null_kept(value):
    # json_to_recordset reads a JSON null as SQL NULL; an executemany writes None to a JSON column as JSON null.
    return func.coalesce(value, cast(literal_column("'null'"), JSON))


def _dml(dialect):
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import dml
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import dml
    else:  # pragma: no cover - config.py accepts only these two
        raise RuntimeError(f"the mirror needs SQLite or PostgreSQL, not {dialect}")
    return dml


@functools.cache
def _cacheable_on_conflict(dml):
    """The dialect's ON CONFLICT DO UPDATE clause with a cache key of everything it holds."""
    traversal = [("inferred_target_elements", InternalTraversal.dp_clauseelement_list),
                 ("inferred_target_whereclause", InternalTraversal.dp_clauseelement),
                 ("update_values_to_set", InternalTraversal.dp_dml_ordered_values),
                 ("update_whereclause", InternalTraversal.dp_clauseelement)]
    if dml.__name__.endswith("postgresql.dml"):
        traversal.append(("constraint_target", InternalTraversal.dp_string))
    return type("CacheableOnConflictDoUpdate", (dml.OnConflictDoUpdate,),
                {"inherit_cache": True, "_traverse_internals": traversal})


@functools.cache
def _cacheable_insert(dml):
    """The dialect's INSERT, cacheable: its own key (the standard INSERT's) covers the ON CONFLICT clause too."""
    return type("CacheableInsert", (dml.Insert,), {"inherit_cache": True})
