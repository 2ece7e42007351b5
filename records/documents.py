"""The sealed records kept for each consent: rendering them once, storing them with their hash.

A record is rendered in a child process with a time and memory limit (`records.render_limits`),
outside the request's lock (it is slow), then stored once under the lock with the audit event that
says so, after reading it back from storage to check its SHA-256. A render or a write that fails
stores nothing: the record stays pending and is tried again (the task's retries, the patient's or
nurse's download, `manage.py render_pending_documents`, the worker's sweep).
"""

from __future__ import annotations

import hashlib
import logging
import secrets

from django.core.files.base import ContentFile
from django.db import transaction

from consent.audit import audit
from consent.models import (
    AuditAction,
    AuditEvent,
    ClinicianDocument,
    ConsentDocument,
    ConsentRequest,
    Countersignature,
    Signature,
    StaffRecordDocument,
    StaffRecordedConsent,
    WithdrawalDocument,
)
from consent.services import lock_request
from records import signals
from records.render_limits import (
    render_clinician_pdf_with_limits,
    render_consent_pdf_with_limits,
    render_staff_record_pdf_with_limits,
    render_withdrawal_pdf_with_limits,
)

logger = logging.getLogger(__name__)


def _store_sealed_document(
    *, consent_request: ConsentRequest, existing, render, build, document_id: str, action: str, message: str
):
    """Render a sealed PDF (slow: before the lock) and keep it once, with the audit event that says so.

    `existing()` finds a document already stored; `render()` gives (pdf, page_count); `build(pdf,
    page_count)` gives the unsaved model with its file saved; `document_id` names it in the audit.
    Under the request's lock a second render at the same moment stores nothing more; a file
    written for a row that then fails to commit is removed again.
    """
    if found := existing():
        return found
    pdf, page_count = render()
    document = None
    try:
        with transaction.atomic():
            lock_request(consent_request)
            if found := existing():
                return found
            document = build(pdf, page_count)
            verify_stored(document)
            document.save()
            audit(
                consent_request=consent_request,
                action=action,
                message=message,
                actor=AuditEvent.Actor.SYSTEM,
                detail={"document_id": document_id, "sha256": document.sha256},
            )
            stored = document
            transaction.on_commit(
                lambda: signals.document_stored.send(
                    sender=type(stored), document=stored, document_id=document_id, consent_request=consent_request
                ),
                robust=True,
            )
    except BaseException:
        if document is not None and document.file.name:
            try:
                document.file.storage.delete(document.file.name)
            except Exception:
                logger.exception("Could not remove the unused PDF file of request %s.", consent_request.pk)
        raise
    return document


class StoredRecordMismatch(Exception):
    """The record read back from storage is not the one written: nothing is kept, it is tried again."""


def verify_stored(document) -> None:
    """Read the file back from where it was written and compare its SHA-256 with the one to be recorded.

    Object storage can fail halfway, or hand back something else: a record is kept only once its stored
    bytes are known to be the ones sealed. A mismatch (or a store that can't be read) raises, and the
    caller removes the file, so the PDF stays pending and is rendered again.
    """
    with document.file.storage.open(document.file.name, "rb") as stored:
        stored_sha256 = hashlib.sha256(stored.read()).hexdigest()
    if stored_sha256 != document.sha256:
        raise StoredRecordMismatch(f"The stored copy of {document.file.name} does not match what was written.")


def store_consent_document(signature: Signature) -> ConsentDocument:
    """Render the signed PDF and keep it with its SHA-256. Never rewrites one that exists.

    Rendering happens in a child process with a time and memory limit (`records.render_limits`); a
    render stopped by a limit, or failing, raises and stores nothing, so the PDF stays pending and
    can be tried again (the task, the patient's download, `render_pending_documents`).
    """

    def build(pdf: bytes, page_count: int) -> ConsentDocument:
        document = ConsentDocument(signature=signature, sha256=hashlib.sha256(pdf).hexdigest(), page_count=page_count)
        document.file.save(f"{signature.document_id}.pdf", ContentFile(pdf), save=False)
        return document

    return _store_sealed_document(
        consent_request=signature.request,
        existing=lambda: ConsentDocument.objects.filter(signature=signature).first(),
        render=lambda: render_consent_pdf_with_limits(signature),
        build=build,
        document_id=signature.document_id,
        action=AuditAction.DOCUMENT_RENDERED,
        message=f"Signed PDF record {signature.document_id} created",
    )


def store_withdrawal_document(consent_request: ConsentRequest) -> WithdrawalDocument:
    """The sealed record of a withdrawal, naming and hashing the consent record it withdraws.

    The consent record is rendered first if it is still pending, so its hash is known.
    """
    withdraws = store_consent_document(consent_request.signature)
    document_id = "PRW-" + secrets.token_hex(5).upper()

    def build(pdf: bytes, page_count: int) -> WithdrawalDocument:
        document = WithdrawalDocument(
            request=consent_request,
            document_id=document_id,
            withdraws=withdraws,
            sha256=hashlib.sha256(pdf).hexdigest(),
            page_count=page_count,
        )
        document.file.save(f"{document_id}.pdf", ContentFile(pdf), save=False)
        return document

    return _store_sealed_document(
        consent_request=consent_request,
        existing=lambda: WithdrawalDocument.objects.filter(request=consent_request).first(),
        render=lambda: render_withdrawal_pdf_with_limits(consent_request, document_id=document_id, withdraws=withdraws),
        build=build,
        document_id=document_id,
        action=AuditAction.WITHDRAWAL_DOCUMENT_RENDERED,
        message=f"Sealed PDF record of the withdrawal {document_id} created",
    )


def store_staff_record_document(record: StaffRecordedConsent) -> StaffRecordDocument:
    """The sealed cover record of a decision recorded by staff, naming and hashing its scan."""
    document_id = "PRS-" + secrets.token_hex(5).upper()

    def build(pdf: bytes, page_count: int) -> StaffRecordDocument:
        document = StaffRecordDocument(
            record=record, document_id=document_id, sha256=hashlib.sha256(pdf).hexdigest(), page_count=page_count
        )
        document.file.save(f"{document_id}.pdf", ContentFile(pdf), save=False)
        return document

    return _store_sealed_document(
        consent_request=record.request,
        existing=lambda: StaffRecordDocument.objects.filter(record=record).first(),
        render=lambda: render_staff_record_pdf_with_limits(record, document_id=document_id),
        build=build,
        document_id=document_id,
        action=AuditAction.STAFF_RECORD_DOCUMENT_RENDERED,
        message=f"Sealed PDF record {document_id} of the decision recorded by staff created",
    )


def render_staff_record_document_safely(record: StaffRecordedConsent) -> StaffRecordDocument | None:
    """The cover record, rendered now if still pending; None if that fails (it stays pending)."""
    try:
        return store_staff_record_document(record)
    except Exception as error:
        logger.exception(
            "Rendering the staff record's PDF for request %s failed (%s); it stays pending.",
            record.request_id,
            type(error).__name__,
        )
        return None


def store_clinician_document(countersignature: Countersignature) -> ClinicianDocument:
    """The sealed clinician's part, naming and hashing the patient's consent record (which never changes).

    The patient's record is rendered first if it is still pending, so its hash is known.
    """
    patient_record = store_consent_document(countersignature.request.signature)
    document_id = countersignature.document_id  # one ID for the clinician's part, as the patient's record has

    def build(pdf: bytes, page_count: int) -> ClinicianDocument:
        document = ClinicianDocument(
            countersignature=countersignature,
            document_id=document_id,
            patient_record=patient_record,
            sha256=hashlib.sha256(pdf).hexdigest(),
            page_count=page_count,
        )
        document.file.save(f"{document_id}.pdf", ContentFile(pdf), save=False)
        return document

    return _store_sealed_document(
        consent_request=countersignature.request,
        existing=lambda: ClinicianDocument.objects.filter(countersignature=countersignature).first(),
        render=lambda: render_clinician_pdf_with_limits(
            countersignature, document_id=document_id, patient_record=patient_record
        ),
        build=build,
        document_id=document_id,
        action=AuditAction.CLINICIAN_DOCUMENT_RENDERED,
        message=f"Sealed PDF record of the clinician's statement {document_id} created",
    )


def render_clinician_document_safely(countersignature: Countersignature) -> ClinicianDocument | None:
    """The clinician's part, rendered now if still pending; None if that fails (it stays pending)."""
    try:
        return store_clinician_document(countersignature)
    except Exception as error:
        logger.exception(
            "Rendering the clinician's part for request %s failed (%s); it stays pending.",
            countersignature.request_id,
            type(error).__name__,
        )
        return None


def render_withdrawal_document_safely(consent_request: ConsentRequest) -> WithdrawalDocument | None:
    """The withdrawal's PDF, rendered now if still pending; None if that fails (it stays pending)."""
    try:
        return store_withdrawal_document(consent_request)
    except Exception as error:
        logger.exception(
            "Rendering the withdrawal PDF for request %s failed (%s); it stays pending.",
            consent_request.pk,
            type(error).__name__,
        )
        return None


def render_document_safely(signature: Signature) -> ConsentDocument | None:
    """The signed PDF, rendered now if it is still pending; None if that fails (or hits a render limit).

    A failure leaves the PDF pending and never loses the signature; the
    background task's retries and `render_pending_documents` try it again.
    """
    try:
        return store_consent_document(signature)
    except Exception as error:
        logger.exception(
            "Rendering the PDF for signature %s failed (%s); it stays pending.", signature.pk, type(error).__name__
        )
        return None
