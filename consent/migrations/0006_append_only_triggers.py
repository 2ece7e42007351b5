"""On PostgreSQL, refuse UPDATE and DELETE of signed records and audit events in the database itself.

The models already refuse through the ORM (`procedures.immutable`); these
triggers also stop raw SQL and any other client. TRUNCATE is not blocked (test
databases are emptied that way); the production database role should not own
the tables, so it can neither truncate them nor disable the triggers. A later
migration that must rewrite rows has to drop and recreate the trigger around
the change, in plain sight. SQLite has no such triggers: this does nothing there.

The error is raised as SQLSTATE 23001 (restrict_violation), an integrity error
like refusing to delete a row that is still referenced, so Django raises
`IntegrityError` with the message "<table> rows can never be changed or deleted".
"""

from django.db import migrations

FUNCTION = "consent_refuse_change"
MODELS = ["Signature", "ConsentDocument", "ChecklistEntry", "ChecklistSignOff", "AuditEvent"]


def _tables(apps) -> list[str]:
    return [apps.get_model("consent", name)._meta.db_table for name in MODELS]


def install_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"""
        CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% rows can never be changed or deleted', TG_TABLE_NAME
                USING ERRCODE = 'restrict_violation',
                      HINT = 'These records are append-only: record a new row instead.';
        END;
        $$
        """,
        params=None,
    )
    for table in _tables(apps):
        schema_editor.execute(
            f"CREATE TRIGGER {schema_editor.quote_name(table + '_append_only')} "
            f"BEFORE UPDATE OR DELETE ON {schema_editor.quote_name(table)} "
            f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()",
            params=None,
        )


def remove_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in _tables(apps):
        schema_editor.execute(
            f"DROP TRIGGER IF EXISTS {schema_editor.quote_name(table + '_append_only')} "
            f"ON {schema_editor.quote_name(table)}",
            params=None,
        )
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()", params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0005_audit_event_sequence_required"),
    ]

    operations = [
        migrations.RunPython(install_triggers, remove_triggers),
    ]
