"""On PostgreSQL, refuse UPDATE and DELETE of published versions in the database itself.

`ProcedureVersion` already refuses through the ORM (`procedures.immutable`);
this trigger also stops raw SQL. TRUNCATE is not blocked (test databases are
emptied that way). SQLite has no such trigger: this does nothing there. See
consent 0006 for the same on signed records and audit events.
"""

from django.db import migrations

FUNCTION = "procedures_refuse_change"
TRIGGER = "procedures_procedureversion_append_only"


def install_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("procedures", "ProcedureVersion")._meta.db_table
    schema_editor.execute(
        f"""
        CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% rows can never be changed or deleted', TG_TABLE_NAME
                USING ERRCODE = 'restrict_violation',
                      HINT = 'Published versions are append-only: publish a new version instead.';
        END;
        $$
        """,
        params=None,
    )
    schema_editor.execute(
        f"CREATE TRIGGER {schema_editor.quote_name(TRIGGER)} BEFORE UPDATE OR DELETE ON {schema_editor.quote_name(table)} "
        f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()",
        params=None,
    )


def remove_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("procedures", "ProcedureVersion")._meta.db_table
    schema_editor.execute(
        f"DROP TRIGGER IF EXISTS {schema_editor.quote_name(TRIGGER)} ON {schema_editor.quote_name(table)}", params=None
    )
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()", params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("procedures", "0003_edit_history"),
    ]

    operations = [
        migrations.RunPython(install_trigger, remove_trigger),
    ]
