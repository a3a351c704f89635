"""The database-level guard of the append-only audit log (see AuditEvent's docstring).

PostgreSQL: a trigger refuses UPDATE and DELETE on core_auditevent (TRUNCATE stays allowed: Django's test flush
uses it). SQLite: a trigger refuses UPDATE (Django's SQLite flush uses DELETE, so DELETE is guarded in the
application only). Other databases get the application guard only.

SQLite drops a table's triggers when a migration rebuilds the table: a later migration that alters AuditEvent
must run `guard_add` again (import it from here).
"""

from django.db import migrations

POSTGRESQL_ADD = [
    """
    CREATE OR REPLACE FUNCTION core_auditevent_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'core_auditevent is append-only: % refused', TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$
    """,
    """
    CREATE TRIGGER core_auditevent_append_only
    BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION core_auditevent_append_only()
    """,
]
POSTGRESQL_REMOVE = [
    "DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent",
    "DROP FUNCTION IF EXISTS core_auditevent_append_only()",
]
SQLITE_ADD = [
    """
    CREATE TRIGGER IF NOT EXISTS core_auditevent_no_update
    BEFORE UPDATE ON core_auditevent
    BEGIN
        SELECT RAISE(ABORT, 'core_auditevent is append-only: UPDATE refused');
    END
    """,
]
SQLITE_REMOVE = ["DROP TRIGGER IF EXISTS core_auditevent_no_update"]

STATEMENTS = {
    "postgresql": (POSTGRESQL_ADD, POSTGRESQL_REMOVE),
    "sqlite": (SQLITE_ADD, SQLITE_REMOVE),
}


def _run(schema_editor, statements):
    for sql in statements:
        schema_editor.execute(sql, None)  # no parameters: "%" in the PL/pgSQL body is literal


def guard_add(apps, schema_editor):
    add, _remove = STATEMENTS.get(schema_editor.connection.vendor, ([], []))
    _run(schema_editor, add)


def guard_remove(apps, schema_editor):
    _add, remove = STATEMENTS.get(schema_editor.connection.vendor, ([], []))
    _run(schema_editor, remove)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(guard_add, guard_remove, elidable=False),
    ]
