"""On SQLite, store the ballot box WITHOUT ROWID: an ordinary SQLite table numbers its rows in insertion order (the
hidden `rowid`), which would show the order ballots were cast in to anyone reading the file while a ballot is
open. A WITHOUT ROWID table is a B-tree on its primary key, here a random UUID, so rows sit in random order.

SQLite rebuilds a table when a migration alters it, and Django's rebuild drops WITHOUT ROWID: a migration that
alters CastBallot must call `box_without_rowid` again (tests/democracy/test_secrecy.py checks the table).
PostgreSQL has no rowid; its heap order and transaction ids are handled by the seal at close (docs/democracy.md).
"""

from django.db import migrations

TABLE = "democracy_castballot"


def box_without_rowid(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s", [TABLE])
        (create,) = cursor.fetchone()
        if create.rstrip().upper().endswith("WITHOUT ROWID"):
            return
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL", [TABLE]
        )
        indexes = [row[0] for row in cursor.fetchall()]
        new = f"{TABLE}__new"
        cursor.execute(create.replace(f'"{TABLE}"', f'"{new}"', 1) + " WITHOUT ROWID")
        cursor.execute(f'INSERT INTO "{new}" SELECT * FROM "{TABLE}"')  # noqa: S608
        cursor.execute(f'DROP TABLE "{TABLE}"')
        cursor.execute(f'ALTER TABLE "{new}" RENAME TO "{TABLE}"')
        for sql in indexes:
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("democracy", "0001_initial")]

    operations = [migrations.RunPython(box_without_rowid, migrations.RunPython.noop)]
