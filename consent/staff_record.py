"""Consent (or a refusal) taken outside the link, recorded by a nurse: on paper, in person, by telephone.

`record_consent_by_staff` keeps who obtained it, when and how, the interpreter or representative, and
the scan of the paper form (checked by `consent.scans`, stored privately under a neutral name and
read back to check its SHA-256). The request moves to signed or declined through the status table's
"record by staff" transitions, with no `Signature`: it is never a patient e-signature, and everything
that shows it says "recorded by staff". One audit event records it, with the record's digest
(`staff_record_digest`) so `manage.py verify_records` finds a later change to the row or the scan.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from consent import signals, state
from consent.audit import audit
from consent.models import (
    INTERPRETER_METHODS,
    SCAN_REQUIRED_METHODS,
    AuditAction,
    ConsentRequest,
    RecordedDecision,
    Signature,
    StaffRecordedConsent,
    StaffRecordMethod,
    Status,
)
from consent.scans import CheckedScan, check_scan
from consent.services import ConsentError, lock_request, new_document_id
from consent.state import Transition

logger = logging.getLogger(__name__)

# The key in the audit event's detail that holds the record's digest (see `staff_record_digest`).
STAFF_RECORD_DIGEST_KEY = "staff_record_sha256"
STAFF_RECORD_DIGEST_FORMAT = 1
# A clock a few minutes ahead of the server's (a nurse's watch, a tablet) is not "the future".
CLOCK_SKEW = datetime.timedelta(minutes=5)
RECORDING_ACTIONS = {
    AuditAction.STAFF_RECORDED_CONSENT: RecordedDecision.CONSENT,
    AuditAction.STAFF_RECORDED_REFUSAL: RecordedDecision.DECLINE,
}


class StaffRecordRefused(ConsentError):
    """What was entered can't be recorded; `problems` maps each field (None: the whole form) to why."""

    def __init__(self, problems: dict[str | None, str]):
        super().__init__(" ".join(problems.values()))
        self.problems = problems


def why_not_recordable(consent_request: ConsentRequest) -> str:
    """Why a decision can't be recorded on this request now, in plain words ("" if it can)."""
    if consent_request.can_record_by_staff:
        return ""
    if hasattr(consent_request, "staff_record"):
        return "A decision taken outside the link is already recorded on this request. It can't be recorded twice."
    if consent_request.status == Status.CANCELLED:
        return (
            "This request is cancelled, so nothing more can be recorded on it. "
            "Create a new request for the patient, then record the consent on that one."
        )
    if Signature.objects.filter(request=consent_request).exists():
        return (
            "The patient has already signed their decision through their link, so it can't also be recorded "
            "by staff. If the patient has changed their mind, add a note and call them."
        )
    return (
        f"This request is already finished ({consent_request.get_status_display().lower()}), "
        "so a decision can't be recorded on it."
    )


def problems_with(
    *,
    consent_request: ConsentRequest,
    decision: str,
    method: str,
    obtained_by_name: str,
    obtained_at: datetime.datetime | None,
    interpreter_name: str = "",
    interpreter_language: str = "",
    representative_name: str = "",
    representative_relationship: str = "",
    has_scan: bool,
) -> dict[str, str]:
    """Every field that can't be recorded as entered, with what to do (the form shows them all at once)."""
    problems: dict[str, str] = {}
    if decision not in RecordedDecision.values:
        problems["decision"] = "Choose whether the patient consented or refused."
    if method not in StaffRecordMethod.values:
        problems["method"] = "Choose how the decision was obtained."
    if not obtained_by_name.strip():
        problems["obtained_by_name"] = "Enter the name of the person who obtained the decision."
    if obtained_at is None:
        problems["obtained_at"] = "Enter the date and time the decision was obtained."
    elif obtained_at > timezone.now() + CLOCK_SKEW:
        problems["obtained_at"] = "The date and time are in the future. Enter when the decision was actually obtained."
    elif obtained_at < consent_request.created_at.replace(second=0, microsecond=0):  # the form gives minutes
        created = timezone.localtime(consent_request.created_at)
        problems["obtained_at"] = (
            f"That is before this request was created ({created:%d %b %Y, %H:%M}). Check the date; "
            "a decision obtained earlier belongs to an earlier request."
        )
    if method in INTERPRETER_METHODS:
        if not interpreter_name.strip():
            problems["interpreter_name"] = "Enter the interpreter's name (this method needs one)."
        if not interpreter_language.strip():
            problems["interpreter_language"] = "Enter the language the interpreter used."
    if representative_name.strip() and not representative_relationship.strip():
        problems["representative_relationship"] = "Enter the representative's relationship to the patient."
    if representative_relationship.strip() and not representative_name.strip():
        problems["representative_name"] = "Enter the representative's name, or leave both representative fields empty."
    if method in SCAN_REQUIRED_METHODS and not has_scan:
        problems["scan"] = "Choose the scan of the signed paper form (a PDF, JPEG or PNG)."
    return problems


def record_consent_by_staff(
    *,
    consent_request: ConsentRequest,
    user: AbstractBaseUser,
    decision: str,
    method: str,
    obtained_by_name: str,
    obtained_at: datetime.datetime | None,
    obtained_by_role: str = "",
    interpreter_name: str = "",
    interpreter_language: str = "",
    representative_name: str = "",
    representative_relationship: str = "",
    note: str = "",
    scan=None,
    ip: str | None = None,
) -> StaffRecordedConsent:
    """Record a consent or refusal obtained outside the link, with its scan, in one transaction.

    Refuses (`StaffRecordRefused`, by field) what can't be recorded as entered, and (`ConsentError`)
    a request that is signed, declined, cancelled or otherwise finished. Submitting twice (double
    click, back button) returns the record already made, and stores no second scan.
    """
    problems = problems_with(
        consent_request=consent_request,
        decision=decision,
        method=method,
        obtained_by_name=obtained_by_name,
        obtained_at=obtained_at,
        interpreter_name=interpreter_name,
        interpreter_language=interpreter_language,
        representative_name=representative_name,
        representative_relationship=representative_relationship,
        has_scan=scan is not None,
    )
    checked: CheckedScan | None = None
    if scan is not None:
        try:
            checked = check_scan(scan)  # reads and parses the file: before the lock
        except ConsentError as refused:
            problems["scan"] = str(refused)
    if problems:
        raise StaffRecordRefused(problems)
    record = None
    try:
        with transaction.atomic():
            consent_request = lock_request(consent_request)
            existing = StaffRecordedConsent.objects.filter(request=consent_request).first()
            if existing:
                return existing
            transition = (
                Transition.RECORD_CONSENT_BY_STAFF
                if decision == RecordedDecision.CONSENT
                else Transition.RECORD_REFUSAL_BY_STAFF
            )
            if not state.allows(transition, consent_request.status):
                raise ConsentError(why_not_recordable(consent_request))
            record = StaffRecordedConsent(
                request=consent_request,
                document_id=new_document_id(),
                decision=decision,
                method=method,
                obtained_by_name=" ".join(obtained_by_name.split())[:200],
                obtained_by_role=" ".join(obtained_by_role.split())[:100],
                obtained_at=obtained_at,
                interpreter_name=interpreter_name.strip()[:200],
                interpreter_language=interpreter_language.strip()[:100],
                representative_name=representative_name.strip()[:200],
                representative_relationship=representative_relationship.strip()[:100],
                note=note.strip()[:2000],
                procedure_version=consent_request.procedure_version,
                recorded_by=user,
            )
            if checked is not None:
                _store_scan(record, checked)
            record.save()
            state.move(consent_request, transition)
            consent_request.decided_at = record.obtained_at
            consent_request.sign_draft = {}
            consent_request.save(update_fields=["status", "decided_at", "sign_draft"])
            consented = decision == RecordedDecision.CONSENT
            audit(
                consent_request=consent_request,
                action=AuditAction.STAFF_RECORDED_CONSENT if consented else AuditAction.STAFF_RECORDED_REFUSAL,
                message=(
                    f"{'Consent' if consented else 'Refusal'} recorded by staff "
                    f"({StaffRecordMethod(method).label.lower()}; document {record.document_id}): "
                    "not a patient e-signature"
                ),
                user=user,
                ip=ip,
                detail={
                    "document_id": record.document_id,
                    "method": method,
                    "scan_sha256": record.scan_sha256,
                    STAFF_RECORD_DIGEST_KEY: staff_record_digest(record),
                },
                at=record.recorded_at,
            )
            # The sealed cover record is rendered once this is committed (records.apps connects it).
            transaction.on_commit(
                lambda: signals.consent_recorded_by_staff.send(sender=StaffRecordedConsent, record=record),
                robust=True,
            )
    except BaseException:
        if record is not None and record.scan.name:
            try:
                record.scan.storage.delete(record.scan.name)
            except Exception:
                logger.exception("Could not remove the unused scan of request %s.", consent_request.pk)
        raise
    return record


class StoredScanMismatch(ConsentError):
    """The scan read back from storage is not the one written: nothing is kept."""


def _store_scan(record: StaffRecordedConsent, checked: CheckedScan) -> None:
    """Write the scan under a neutral name (the document ID) and read it back to check its SHA-256."""
    record.scan_sha256 = hashlib.sha256(checked.data).hexdigest()
    record.scan_content_type = checked.content_type
    record.scan_size = len(checked.data)
    record.scan_pages = checked.pages
    record.scan.save(f"{record.document_id}.{checked.extension}", ContentFile(checked.data), save=False)
    with record.scan.storage.open(record.scan.name, "rb") as stored:
        if hashlib.sha256(stored.read()).hexdigest() != record.scan_sha256:
            raise StoredScanMismatch("The scan could not be stored safely. Please try again in a minute.")


def staff_record_content(record: StaffRecordedConsent) -> dict:
    """The record as its digest covers it: every fact the cover record shows, as the database returns it."""

    def utc(moment: datetime.datetime) -> str:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, timezone.get_default_timezone())
        return moment.astimezone(datetime.UTC).isoformat(timespec="microseconds")

    return {
        "format": STAFF_RECORD_DIGEST_FORMAT,
        "document_id": record.document_id,
        "decision": record.decision,
        "method": record.method,
        "obtained_by_name": record.obtained_by_name,
        "obtained_by_role": record.obtained_by_role,
        "obtained_at": utc(record.obtained_at),
        "interpreter_name": record.interpreter_name,
        "interpreter_language": record.interpreter_language,
        "representative_name": record.representative_name,
        "representative_relationship": record.representative_relationship,
        "note": record.note,
        "procedure_version": record.procedure_version_id,
        "recorded_by": record.recorded_by_id,
        "recorded_at": utc(record.recorded_at),
        "scan": record.scan.name or "",
        "scan_content_type": record.scan_content_type,
        "scan_size": record.scan_size,
        "scan_pages": record.scan_pages,
        "scan_sha256": record.scan_sha256,
    }


def staff_record_digest(record: StaffRecordedConsent) -> str:
    """SHA-256 (hex) of the canonical JSON of `staff_record_content`: what the recording's audit event keeps."""
    canonical = json.dumps(staff_record_content(record), sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()
