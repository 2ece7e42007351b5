"""Tampering by someone with database (or storage) access is found by `verify_records`.

A signature row changed by raw SQL, a PDF replaced in storage, a document's SHA-256 changed in its
row: the audit chain still checks out (no event was touched), but each row no longer matches what
its audit event recorded when it was written. On PostgreSQL the tests switch the append-only
triggers off first, as a superuser could (`tests.test_audit_chain.tamper`).
"""

from __future__ import annotations

import datetime
import hashlib
import json
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from consent import services
from consent.audit import audit
from consent.integrity import NOT_IN_DIGEST, SIGNATURE_DIGEST_KEY, signature_content, signature_digest
from consent.models import AuditAction, AuditEvent, Signature
from records import documents
from tests.conftest import PATIENT_A, PATIENT_B, complete_journey, sign_case
from tests.test_audit_chain import tamper


@pytest.fixture(autouse=True)
def own_private_storage(settings, tmp_path):
    """Anchors go to this test's own folder, so no other test's `verify_audit_chain` reads them.

    (The PDFs stay where the models' file fields keep them, which `verify_records` reads.)
    """
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }


def verify_records(*args):
    out = StringIO()
    call_command("verify_records", *args, stdout=out)
    return out.getvalue()


def verify_records_fails(*args):
    out = StringIO()
    with pytest.raises(CommandError) as error:
        call_command("verify_records", *args, stdout=out)
    assert error.value.returncode == 1
    return str(error.value), out.getvalue()


def verify_chain():
    out = StringIO()
    call_command("verify_audit_chain", stdout=out, stderr=StringIO())
    return out.getvalue()


def signing_event(signature: Signature) -> AuditEvent:
    return AuditEvent.objects.get(request=signature.request, action__in=["signed", "declined"])


def document_event(document_id: str) -> AuditEvent:
    return AuditEvent.objects.get(
        action__in=["document_rendered", "withdrawal_document_rendered"], detail__document_id=document_id
    )


def replace_file(document, data: bytes) -> None:
    """Put other bytes in the stored file under the same name, through the storage (as with storage access)."""
    storage, name = document.file.storage, document.file.name
    storage.delete(name)
    assert storage.save(name, ContentFile(data)) == name


@pytest.fixture
def rendered(signed_case):
    """A signed case with its sealed PDF stored."""
    document = documents.store_consent_document(signed_case.request.signature)
    return signed_case, document


# The digest ---------------------------------------------------------------------------------


@pytest.mark.parametrize("decision", ["consent", "decline"])
def test_signing_records_the_rows_digest_in_its_audit_event(case_a, decision):
    signature = sign_case(case_a, decision=decision)

    stored = Signature.objects.get(pk=signature.pk)
    recorded = signing_event(stored).detail[SIGNATURE_DIGEST_KEY]
    assert recorded == signature_digest(stored) == signature_digest(signature)
    assert len(recorded) == 64


def test_the_digest_made_before_the_insert_matches_the_row_read_back(case_a):
    """Values the database normalises (IPv6 case, time zone) and any text digest the same after the round trip."""
    complete_journey(case_a)
    signature = services.sign(
        consent_request=case_a.request,
        decision="consent",
        typed_name="  Ana   María López ",
        signer="patient",
        interpreter_name="Zoë “Interpreter”",
        interpreter_language="Español",
        ip="2001:DB8::0:1",
        user_agent="Mozilla/5.0 (ünïcode)",
    )

    stored = Signature.objects.get(pk=signature.pk)

    assert stored.ip_address == "2001:db8::1"
    assert signing_event(stored).detail[SIGNATURE_DIGEST_KEY] == signature_digest(stored)


def test_the_digest_covers_every_column_of_the_signature():
    """A column added to Signature later must be added to the digest too (or to NOT_IN_DIGEST, with a reason)."""
    columns = {field.name for field in Signature._meta.concrete_fields} - NOT_IN_DIGEST

    assert columns <= set(signature_content(_unsaved_signature()))


def _unsaved_signature(**changes) -> Signature:
    from procedures.models import ProcedureVersion

    fields = dict(
        document_id="PRC-0000000001",
        decision="consent",
        typed_name="A Name",
        drawn_signature="",
        signer="patient",
        representative_name="",
        representative_relationship="",
        interpreter_name="",
        interpreter_language="",
        statement="I agree.",
        procedure_version=ProcedureVersion(pk=1, fingerprint="a" * 64),
        language="en",
        signed_at=datetime.datetime(2026, 12, 4, 9, 0, tzinfo=datetime.UTC),
        ip_address="203.0.113.9",
        user_agent="pytest",
    )
    return Signature(**{**fields, **changes})


CHANGES = {
    "document_id": "PRC-0000000002",
    "decision": "decline",
    "typed_name": "Another Name",
    "drawn_signature": "data:image/png;base64,AAAA",
    "signer": "representative",
    "representative_name": "Someone",
    "representative_relationship": "Daughter",
    "interpreter_name": "Someone",
    "interpreter_language": "Spanish",
    "statement": "I do not agree.",
    "language": "es",
    "signed_at": datetime.datetime(2026, 12, 4, 9, 0, 0, 1, tzinfo=datetime.UTC),
    "ip_address": "203.0.113.10",
    "user_agent": "other",
}


@pytest.mark.parametrize("field", CHANGES)
def test_changing_any_field_changes_the_digest(field):
    assert signature_digest(_unsaved_signature(**{field: CHANGES[field]})) != signature_digest(_unsaved_signature())


def test_another_procedure_version_or_fingerprint_changes_the_digest():
    from procedures.models import ProcedureVersion

    original = signature_digest(_unsaved_signature())

    assert signature_digest(_unsaved_signature(procedure_version=ProcedureVersion(pk=2, fingerprint="a" * 64))) != (
        original
    )
    assert signature_digest(_unsaved_signature(procedure_version=ProcedureVersion(pk=1, fingerprint="b" * 64))) != (
        original
    )


# A clean database -----------------------------------------------------------------------------


def test_a_clean_database_passes_both_commands(rendered, case_b):
    case, document = rendered
    declined = sign_case(case_b, decision="decline")
    documents.store_consent_document(declined)
    services.withdraw_consent(consent_request=case.request, reason="Changed my mind", ip="203.0.113.9")
    withdrawal = documents.store_withdrawal_document(case.refresh())
    call_command("anchor_audit_chain", stdout=StringIO())

    assert verify_records() == (
        "Records intact: 2 signatures, 2 consent records, 1 withdrawal record and 0 clinician's parts match their "
        "audit events "
        "(5 events), and every stored PDF matches its SHA-256.\n"
    )
    assert verify_records("--strict", "--all").startswith("Records intact: 2 signatures")
    assert verify_chain().startswith("Audit chain intact:")
    assert document_event(withdrawal.document_id).detail["sha256"] == withdrawal.sha256
    assert document_event(document.signature.document_id).detail["sha256"] == document.sha256


def test_an_empty_database_passes(db):
    assert verify_records().startswith(
        "Records intact: 0 signatures, 0 consent records, 0 withdrawal records and 0 clinician's parts"
    )


# Tampering with a signature -------------------------------------------------------------------


def test_a_typed_name_changed_by_raw_sql_is_found(rendered):
    case, _ = rendered
    signature = case.request.signature
    tamper("UPDATE consent_signature SET typed_name = %s WHERE id = %s", ["Mallory Forger", signature.pk])
    assert Signature.objects.get(pk=signature.pk).typed_name == "Mallory Forger"
    assert verify_chain().startswith("Audit chain intact")  # the chain alone doesn't see it

    message, _ = verify_records_fails()

    event = signing_event(signature)
    assert message == (
        f"Record does not match what was recorded: signature {signature.document_id} "
        f"(request {case.request.public_id}): its content no longer matches the digest audit event "
        f"#{event.sequence} recorded when it was signed (the row was changed after signing)"
    )
    assert PATIENT_A["full_name"] not in message
    assert "Mallory" not in message


def test_a_decline_turned_into_consent_is_found(case_a):
    signature = sign_case(case_a, decision="decline")
    tamper("UPDATE consent_signature SET decision = 'consent' WHERE id = %s", [signature.pk])

    message, _ = verify_records_fails()

    assert f"signature {signature.document_id}" in message
    assert "its decision is not the one audit event" in message
    assert "its content no longer matches the digest" in message


def test_a_signature_row_removed_is_found(signed_case):
    """(No PDF yet, so nothing else points at the row.)"""
    signature = signed_case.request.signature
    tamper("DELETE FROM consent_signature WHERE id = %s", [signature.pk])

    message, _ = verify_records_fails()

    assert message == (
        f"Record does not match what was recorded: signature {signature.document_id} "
        f"(request {signed_case.request.public_id}): audit event #{signing_event(signature).sequence} "
        "records it, but it is no longer in the database"
    )


def test_a_signature_slipped_in_without_its_audit_event_is_found(case_a, case_b):
    signature = sign_case(case_a)
    complete_journey(case_b)
    tamper(
        "INSERT INTO consent_signature (request_id, document_id, decision, typed_name, drawn_signature, signer,"
        " representative_name, representative_relationship, interpreter_name, interpreter_language, statement,"
        " procedure_version_id, language, signed_at, ip_address, user_agent)"
        " SELECT %s, 'PRC-FORGED0001', decision, %s, drawn_signature, signer, representative_name,"
        " representative_relationship, interpreter_name, interpreter_language, statement, procedure_version_id,"
        " language, signed_at, ip_address, user_agent FROM consent_signature WHERE id = %s",
        [case_b.request.pk, PATIENT_B["full_name"], signature.pk],
    )

    message, _ = verify_records_fails()

    assert message == (
        "Record does not match what was recorded: signature PRC-FORGED0001 "
        f"(request {case_b.request.public_id}): no audit event records its signing "
        "(the row was added or changed afterwards)"
    )


# Tampering with a sealed PDF ------------------------------------------------------------------


def test_a_pdf_replaced_in_storage_is_found(rendered):
    case, document = rendered
    replace_file(document, b"%PDF-1.7 a different record")

    message, _ = verify_records_fails()

    event = document_event(document.signature.document_id)
    assert message == (
        f"Record does not match what was recorded: consent record {document.signature.document_id} "
        f"(request {case.request.public_id}): its stored file is not the one sealed: the file's SHA-256 "
        f"matches neither its row nor audit event #{event.sequence} (the file was replaced or changed)"
    )


def test_a_pdf_removed_from_storage_is_found(rendered):
    _, document = rendered
    document.file.storage.delete(document.file.name)

    message, _ = verify_records_fails()

    assert f"consent record {document.signature.document_id}" in message
    assert f"its stored file {document.file.name} can't be read (FileNotFoundError)" in message


def test_a_sha256_changed_in_the_row_is_found(rendered):
    case, document = rendered
    tamper("UPDATE consent_consentdocument SET sha256 = %s WHERE id = %s", ["f" * 64, document.pk])

    message, _ = verify_records_fails()

    event = document_event(document.signature.document_id)
    assert message.endswith(
        f"consent record {document.signature.document_id} (request {case.request.public_id}): the SHA-256 in "
        f"its row was changed: it matches neither its stored file nor audit event #{event.sequence}"
    )


def test_a_pdf_replaced_with_its_row_changed_to_match_is_found(rendered):
    """The forger rewrites the file and puts its SHA-256 in the row: only the audit event still knows."""
    _, document = rendered
    forged = b"%PDF-1.7 a forged record"
    replace_file(document, forged)
    tamper(
        "UPDATE consent_consentdocument SET sha256 = %s WHERE id = %s",
        [hashlib.sha256(forged).hexdigest(), document.pk],
    )

    message, _ = verify_records_fails()

    assert "its stored file and the SHA-256 in its row both differ from what audit event" in message


def test_a_withdrawal_record_replaced_in_storage_is_found(rendered):
    case, _ = rendered
    services.withdraw_consent(consent_request=case.request, reason="", ip="203.0.113.9")
    withdrawal = documents.store_withdrawal_document(case.refresh())
    replace_file(withdrawal, b"%PDF-1.7 not withdrawn after all")

    message, _ = verify_records_fails()

    assert f"withdrawal record {withdrawal.document_id} (request {case.request.public_id}): its stored file" in (
        message
    )


def test_a_document_row_removed_is_found(rendered):
    _, document = rendered
    tamper("DELETE FROM consent_consentdocument WHERE id = %s", [document.pk])

    message, _ = verify_records_fails()

    assert f"consent record {document.signature.document_id}" in message
    assert "records it, but it is no longer in the database" in message


# Reporting ----------------------------------------------------------------------------------


def test_all_lists_every_mismatch(rendered, case_b):
    case, document = rendered
    other = sign_case(case_b)
    tamper("UPDATE consent_signature SET typed_name = 'x' WHERE id IN (%s, %s)", [case.request.signature.pk, other.pk])
    replace_file(document, b"%PDF-1.7 replaced")

    message, out = verify_records_fails("--all")

    assert message == "3 records do not match what was recorded (listed above)."
    lines = out.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith(f"signature {case.request.signature.document_id} ")
    assert lines[1].startswith(f"signature {other.document_id} ")
    assert lines[2].startswith(f"consent record {document.signature.document_id} ")


def test_only_the_first_mismatch_is_named_without_all(case_a, case_b):
    first, second = sign_case(case_a), sign_case(case_b)
    tamper("UPDATE consent_signature SET typed_name = 'x' WHERE id IN (%s, %s)", [first.pk, second.pk])

    message, out = verify_records_fails()

    assert f"signature {first.document_id}" in message
    assert second.document_id not in message
    assert out == ""


# Signatures made before digests were recorded -----------------------------------------------------


def legacy_signature(case) -> Signature:
    """A signature as an earlier version of Proceed made it: its audit event holds no digest."""
    complete_journey(case)
    signature = Signature.objects.create(
        request=case.request,
        document_id="PRC-OLD" + str(case.request.pk).zfill(7),
        decision="consent",
        typed_name=case.request.patient.full_name,
        signer="patient",
        statement="I agree.",
        procedure_version=case.request.procedure_version,
    )
    audit(
        consent_request=case.request,
        action=AuditAction.SIGNED,
        message=f"Signed consent (document {signature.document_id})",
        actor=AuditEvent.Actor.PATIENT,
        detail={"document_id": signature.document_id, "signer": "patient"},
        at=signature.signed_at,
    )
    return signature


def test_a_signature_from_before_digests_is_reported_but_passes(case_a):
    signature = legacy_signature(case_a)

    out = verify_records()

    assert out.splitlines() == [
        "Records intact: 1 signature, 0 consent records, 0 withdrawal records and 0 clinician's parts match their "
        "audit events "
        "(1 event), and every stored PDF matches its SHA-256.",
        "1 signature signed before Proceed recorded digests (its version of 2026-12-04) have no digest recorded "
        f"(the first: signature {signature.document_id} (request {case_a.request.public_id}); --all lists them). "
        "Not a failure (--strict makes it one).",
    ]
    assert verify_records("--all").splitlines()[0] == (
        f"signature {signature.document_id} (request {case_a.request.public_id}): no digest recorded "
        "(signed before Proceed recorded digests, its version of 2026-12-04)"
    )


def test_strict_fails_on_a_signature_from_before_digests(case_a):
    signature = legacy_signature(case_a)

    message, _ = verify_records_fails("--strict")

    assert message == (
        f"Record does not match what was recorded: signature {signature.document_id} "
        f"(request {case_a.request.public_id}): no digest recorded "
        "(signed before Proceed recorded digests, its version of 2026-12-04)"
    )


def test_an_old_signature_still_has_its_decision_checked(case_a):
    signature = legacy_signature(case_a)
    tamper("UPDATE consent_signature SET decision = 'decline' WHERE id = %s", [signature.pk])

    message, _ = verify_records_fails()

    assert "its decision is not the one audit event" in message


def test_a_signing_event_without_a_digest_after_digests_began_is_a_failure(case_a, case_b):
    sign_case(case_a)  # records a digest
    late = legacy_signature(case_b)

    message, _ = verify_records_fails()

    assert f"signature {late.document_id}" in message
    assert "records no digest, though digests are recorded from event" in message


def test_the_digest_of_a_signature_stays_in_the_chain(case_a):
    """Removing the digest from the event means changing the event: the audit chain shows that."""
    signature = sign_case(case_a)
    event = signing_event(signature)
    tamper(
        "UPDATE consent_auditevent SET detail = %s WHERE id = %s",
        [json.dumps({"document_id": signature.document_id, "signer": "patient"}), event.pk],
    )

    with pytest.raises(CommandError, match=f"broken at event #{event.sequence}"):
        verify_chain()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="Only PostgreSQL has the triggers to switch off.")
def test_on_postgresql_the_trigger_refuses_the_same_update_unless_switched_off(rendered):
    """The tests above tamper as a superuser who switched the triggers off; without that, the database refuses."""
    from django.db import transaction
    from django.db.utils import IntegrityError

    case, _ = rendered
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE consent_signature SET typed_name = 'x' WHERE id = %s", [case.request.signature.pk])

    assert verify_records().startswith("Records intact")


def test_seeded_demo_signatures_record_their_digest(db):
    call_command("seed_demo_requests", count=30, seed=5, force=True, stdout=StringIO())

    signatures = Signature.objects.count()
    assert signatures > 5
    assert verify_records("--strict").startswith(f"Records intact: {signatures} signatures")
