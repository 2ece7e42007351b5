"""Signed records, published versions and audit events can't be changed or deleted.

Through the ORM on every database; on PostgreSQL also by raw SQL, which a
trigger refuses (installed by consent 0006 and procedures 0004).
"""

import datetime

import pytest
from django.db import connection, transaction
from django.db.utils import IntegrityError

from consent.models import AuditEvent, ChecklistEntry, ChecklistSignOff, ConsentDocument, Signature
from procedures.immutable import ImmutableRecordError
from procedures.models import ProcedureVersion

# Each append-only record: its model, its table, and a column with a value to try to change it to.
RECORDS = {
    "signature": (Signature, "consent_signature", "typed_name", "Tampered"),
    "consent_document": (ConsentDocument, "consent_consentdocument", "sha256", "f" * 64),
    "checklist_entry": (ChecklistEntry, "consent_checklistentry", "note", "Tampered"),
    "checklist_sign_off": (
        ChecklistSignOff,
        "consent_checklistsignoff",
        "signed_off_at",
        datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC),
    ),
    "audit_event": (AuditEvent, "consent_auditevent", "message", "Tampered"),
    "procedure_version": (ProcedureVersion, "procedures_procedureversion", "change_summary", "Tampered"),
}

on_postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="The database triggers exist on PostgreSQL only (CI runs the suite on PostgreSQL too).",
)


@pytest.fixture
def records(signed_case, nurse):
    """One row of each append-only table, all from one signed case."""
    request = signed_case.request
    signature = request.signature
    return {
        "signature": signature,
        "consent_document": ConsentDocument.objects.create(
            signature=signature, file=f"consent-documents/{signature.document_id}.pdf", sha256="0" * 64, page_count=1
        ),
        "checklist_entry": ChecklistEntry.objects.create(
            request=request, item_key=request.content["checklist_items"][0]["key"], state="done", recorded_by=nurse
        ),
        "checklist_sign_off": ChecklistSignOff.objects.create(request=request, signed_off_by=nurse),
        "audit_event": AuditEvent.objects.filter(request=request).order_by("sequence").first(),
        "procedure_version": request.procedure_version,
    }


def run_sql(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def stored_value(table, column, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608  (names from RECORDS)
        row = cursor.fetchone()
    return row[0] if row else None


# Through the ORM ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", RECORDS)
def test_saving_a_changed_record_is_refused(records, name):
    model, _, field, value = RECORDS[name]
    row = records[name]
    original = getattr(row, field)
    setattr(row, field, value)

    with pytest.raises(ImmutableRecordError):
        row.save()
    assert getattr(model.objects.get(pk=row.pk), field) == original


@pytest.mark.parametrize("name", RECORDS)
def test_deleting_a_record_is_refused(records, name):
    model = RECORDS[name][0]

    with pytest.raises(ImmutableRecordError):
        records[name].delete()
    assert model.objects.filter(pk=records[name].pk).exists()


@pytest.mark.parametrize("change", ["update", "delete", "bulk_update"])
@pytest.mark.parametrize("name", RECORDS)
def test_queryset_changes_are_refused(records, name, change):
    model, _, field, value = RECORDS[name]
    row = records[name]
    original = getattr(row, field)
    rows = model.objects.filter(pk=row.pk)

    with pytest.raises(ImmutableRecordError):
        if change == "update":
            rows.update(**{field: value})
        elif change == "delete":
            rows.delete()
        else:
            setattr(row, field, value)
            model.objects.bulk_update([row], [field])
    assert getattr(model.objects.get(pk=row.pk), field) == original


# In the database itself (PostgreSQL) -------------------------------------------------------


@on_postgresql_only
@pytest.mark.parametrize("name", RECORDS)
def test_raw_sql_update_is_refused_by_the_database(records, name):
    _, table, column, value = RECORDS[name]
    pk = records[name].pk
    original = stored_value(table, column, pk)

    with pytest.raises(IntegrityError, match=f"{table} rows can never be changed or deleted"), transaction.atomic():
        run_sql(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, pk])  # noqa: S608

    assert stored_value(table, column, pk) == original


@on_postgresql_only
@pytest.mark.parametrize("name", RECORDS)
def test_raw_sql_delete_is_refused_by_the_database(records, name):
    _, table, column, _ = RECORDS[name]
    pk = records[name].pk

    with pytest.raises(IntegrityError, match=f"{table} rows can never be changed or deleted"), transaction.atomic():
        run_sql(f"DELETE FROM {table} WHERE id = %s", [pk])  # noqa: S608

    assert stored_value(table, column, pk) is not None


@on_postgresql_only
def test_raw_sql_update_of_a_whole_table_changes_nothing(records):
    with pytest.raises(IntegrityError, match="consent_signature rows can never be changed"), transaction.atomic():
        run_sql("UPDATE consent_signature SET typed_name = 'x'")

    assert Signature.objects.get().typed_name == records["signature"].typed_name


@on_postgresql_only
def test_new_records_can_still_be_written(records, nurse):
    request = records["signature"].request
    entry = ChecklistEntry.objects.create(
        request=request,
        item_key=records["checklist_entry"].item_key,
        state="problem",
        note="A correction is a new entry",
        corrects=records["checklist_entry"],
        recorded_by=nurse,
    )

    assert ChecklistEntry.objects.filter(request=request).count() == 2
    assert entry.corrects == records["checklist_entry"]
