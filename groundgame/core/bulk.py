"""Inserting rows keyed by ids their clients made (phones writing offline first), each stored once.

`insert_new(model, rows)` inserts the rows whose primary key is not stored yet (ON CONFLICT DO NOTHING) and returns
the primary keys it inserted, as text. Raw SQL because the ORM's bulk_create cannot say which rows it skipped, and it
cost more than the database did. PostgreSQL: one INSERT ... SELECT FROM unnest() of one array per column (a short
statement, whatever the batch). SQLite: a multi-row INSERT OR IGNORE ... RETURNING, values prepared by each field as
the ORM would. `rows` are dicts of every concrete field's attname (foreign keys as `<name>_id`).
"""

import json
import uuid

from django.db import connection, models


def insert_new(model: type[models.Model], rows: list[dict]) -> set[str]:
    fields = model._meta.concrete_fields
    json_columns = {f.attname for f in fields if f.get_internal_type() == "JSONField"}
    ops = connection.ops
    table = ops.quote_name(model._meta.db_table)
    columns = ", ".join(ops.quote_name(f.column) for f in fields)
    pk = ops.quote_name(model._meta.pk.column)
    as_text = (lambda v: str(uuid.UUID(str(v)))) if isinstance(model._meta.pk, models.UUIDField) else str
    inserted: set[str] = set()
    if not rows:
        return inserted
    if connection.vendor == "postgresql":
        arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
        params = [
            [json.dumps(row[f.attname]) for row in rows]
            if f.attname in json_columns
            else [row[f.attname] for row in rows]
            for f in fields
        ]
        # Names from the model's metadata, quoted; every value is a parameter.
        sql = f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays}) "  # noqa: S608
        sql += f"ON CONFLICT ({pk}) DO NOTHING RETURNING {pk}"
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            inserted.update(as_text(value) for (value,) in cursor.fetchall())
        return inserted
    if connection.vendor != "sqlite":  # another database: the ORM, and the caller reads every row back
        model.objects.bulk_create([model(**row) for row in rows], ignore_conflicts=True)
        return inserted
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per_statement = max(1, (connection.features.max_query_params or 1 << 30) // len(fields))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params = [f.get_db_prep_save(row[f.attname], connection) for row in chunk for f in fields]
            values = ", ".join([placeholders] * len(chunk))
            sql = f"INSERT OR IGNORE INTO {table} ({columns}) VALUES {values} RETURNING {pk}"  # noqa: S608
            cursor.execute(sql, params)
            inserted.update(as_text(value) for (value,) in cursor.fetchall())
    return inserted
