"""Whether the signed rows and the sealed PDFs are still what the audit chain says was written.

Someone with raw access to the database (or to the storage) can change a signature row, a
document's SHA-256 or the PDF file itself without touching the audit chain. The chain holds what
each was when written: the signing's event records the signature's digest
(`consent.integrity.signature_digest`), and each PDF's event its SHA-256 (`records.documents`).
`RecordCheck` compares every signature row with its event, every stored file with its row and its
event, and every such event with the row it names (a row removed since). `manage.py verify_records`
runs it. Findings name the document ID and the request's public id, never a patient.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import QuerySet

from consent.integrity import DIGESTS_SINCE, SIGNATURE_DIGEST_KEY, signature_digest
from consent.models import (
    AuditAction,
    AuditEvent,
    ClinicianDocument,
    ConsentDocument,
    ConsentRequest,
    Decision,
    Signature,
    StaffRecordDocument,
    StaffRecordedConsent,
    WithdrawalDocument,
)
from consent.staff_record import RECORDING_ACTIONS, STAFF_RECORD_DIGEST_KEY, staff_record_digest

CHUNK_SIZE = 500
READ_SIZE = 1024 * 1024
SIGNING_ACTIONS = {AuditAction.SIGNED: Decision.CONSENT, AuditAction.DECLINED: Decision.DECLINE}


@dataclass(frozen=True)
class Finding:
    """One row or file that doesn't match what the audit chain recorded (or, `legacy`, recorded no digest)."""

    what: str  # "signature PRC-1A2B3C4D5E (request 6f1c…)": ids only, never a patient's name
    problem: str
    legacy: bool = False

    def __str__(self) -> str:
        return f"{self.what}: {self.problem}"


def _by_document(events: Iterable[dict]) -> dict[str, list[dict]]:
    found = defaultdict(list)
    for event in events:
        found[str(event["detail"].get("document_id"))].append(event)
    return found


def _events_for(request_ids: Iterable[int], actions: Iterable[str]) -> dict[str, list[dict]]:
    """The audit events of these kinds on these requests, by the document ID their detail names."""
    return _by_document(
        AuditEvent.objects.filter(request_id__in=set(request_ids), action__in=list(actions))
        .order_by("sequence")
        .values("sequence", "request_id", "action", "detail")
    )


def _chunks(rows: QuerySet) -> Iterator[list]:
    """The rows in primary-key order, a chunk at a time (so any number of rows fits in memory)."""
    last = 0
    while chunk := list(rows.filter(pk__gt=last).order_by("pk")[:CHUNK_SIZE]):
        yield chunk
        last = chunk[-1].pk


def file_sha256(field_file) -> str:
    """SHA-256 (hex) of a stored file, read through its own storage a megabyte at a time."""
    digest = hashlib.sha256()
    with field_file.storage.open(field_file.name, "rb") as handle:
        while block := handle.read(READ_SIZE):
            digest.update(block)
    return digest.hexdigest()


class RecordCheck:
    """Every signature, consent record, withdrawal record and clinician's part against the audit chain; see the module.

    `findings()` yields them in that order, then the events whose row is gone; the counts say how
    many of each were checked.
    """

    def __init__(self):
        self.signatures = self.consent_records = self.withdrawal_records = self.clinician_records = self.events = 0
        self.staff_records = self.staff_record_documents = 0
        first = (
            AuditEvent.objects.filter(action__in=list(SIGNING_ACTIONS), detail__has_key=SIGNATURE_DIGEST_KEY)
            .order_by("sequence")
            .values("sequence", "created_at")
            .first()
        )
        # Digests are recorded from this event on: a signing event before it without one is from an
        # earlier version of Proceed; after it, a missing digest is itself a finding.
        self.first_digest_sequence = first["sequence"] if first else None
        self.digests_since = f"{first['created_at']:%Y-%m-%d}" if first else f"its version of {DIGESTS_SINCE}"

    def findings(self) -> Iterator[Finding]:
        yield from self._signatures()
        yield from self._documents(ConsentDocument, AuditAction.DOCUMENT_RENDERED, "consent record")
        yield from self._documents(WithdrawalDocument, AuditAction.WITHDRAWAL_DOCUMENT_RENDERED, "withdrawal record")
        yield from self._staff_records()
        yield from self._documents(
            StaffRecordDocument, AuditAction.STAFF_RECORD_DOCUMENT_RENDERED, "record of a decision recorded by staff"
        )
        yield from self._documents(ClinicianDocument, AuditAction.CLINICIAN_DOCUMENT_RENDERED, "clinician's part")
        yield from self._events_without_rows()

    # Decisions recorded by staff (with their scans) ------------------------------------------------

    def _staff_records(self) -> Iterator[Finding]:
        rows = StaffRecordedConsent.objects.select_related("request").defer(
            "request__content_update_notice", "request__sign_draft"
        )
        for chunk in _chunks(rows):
            events = _events_for((record.request_id for record in chunk), RECORDING_ACTIONS)
            for record in chunk:
                self.staff_records += 1
                what = f"decision recorded by staff {record.document_id} (request {record.request.public_id})"
                if problem := self._staff_record_problem(record, events.get(record.document_id, [])):
                    yield Finding(what, problem)

    @staticmethod
    def _staff_record_problem(record: StaffRecordedConsent, events: list[dict]) -> str:
        if not events:
            return "no audit event records it (the row was added or changed afterwards)"
        if len(events) > 1:
            return "more than one audit event records it (" + ", ".join(f"#{e['sequence']}" for e in events) + ")"
        event = events[0]
        number, detail = event["sequence"], event["detail"]
        problems = []
        if event["request_id"] != record.request_id:
            problems.append(f"audit event #{number} records it on another request")
        if RECORDING_ACTIONS[event["action"]] != record.decision:
            problems.append(f"its decision is not the one audit event #{number} records")
        if detail.get(STAFF_RECORD_DIGEST_KEY) != staff_record_digest(record):
            problems.append(f"its content no longer matches the digest audit event #{number} recorded")
        if record.scan.name:
            try:
                stored = file_sha256(record.scan)
            except Exception as error:  # missing, unreadable, or the storage unreachable: named, not raised
                problems.append(f"its stored scan {record.scan.name} can't be read ({type(error).__name__})")
            else:
                if stored != detail.get("scan_sha256"):
                    problems.append(
                        f"its stored scan is not the one recorded: its SHA-256 differs from audit event #{number}"
                    )
        elif detail.get("scan_sha256"):
            problems.append(f"audit event #{number} records a scan, but it names no stored file")
        return "; ".join(problems)

    # Signatures --------------------------------------------------------------------------------

    def _signatures(self) -> Iterator[Finding]:
        rows = Signature.objects.select_related("request", "procedure_version").defer(
            "procedure_version__content", "request__content_update_notice", "request__sign_draft"
        )
        for chunk in _chunks(rows):
            events = _events_for((signature.request_id for signature in chunk), SIGNING_ACTIONS)
            for signature in chunk:
                self.signatures += 1
                yield from self._signature(signature, events.get(signature.document_id, []))

    def _signature(self, signature: Signature, events: list[dict]) -> Iterator[Finding]:
        what = f"signature {signature.document_id} (request {signature.request.public_id})"
        if not events:
            yield Finding(what, "no audit event records its signing (the row was added or changed afterwards)")
            return
        if len(events) > 1:
            numbers = ", ".join(f"#{event['sequence']}" for event in events)
            yield Finding(what, f"more than one audit event records its signing ({numbers})")
            return
        event = events[0]
        number, detail = event["sequence"], event["detail"]
        problems = []
        if event["request_id"] != signature.request_id:
            problems.append(f"audit event #{number} records its signing on another request")
        if SIGNING_ACTIONS[event["action"]] != signature.decision:
            problems.append(f"its decision is not the one audit event #{number} records")
        if detail.get("signer") != signature.signer:
            problems.append(f"its signer is not the one audit event #{number} records")
        recorded = detail.get(SIGNATURE_DIGEST_KEY)
        if recorded is not None and recorded != signature_digest(signature):
            problems.append(
                f"its content no longer matches the digest audit event #{number} recorded when it was signed"
            )
        if problems:
            yield Finding(what, "; ".join(problems) + " (the row was changed after signing)")
        elif recorded is None and self.first_digest_sequence and number > self.first_digest_sequence:
            yield Finding(
                what,
                f"audit event #{number} records no digest, though digests are recorded from event "
                f"#{self.first_digest_sequence} on (that event was not written by Proceed's signing)",
            )
        elif recorded is None:
            before = f"signed before Proceed recorded digests, {self.digests_since}"
            yield Finding(what, f"no digest recorded ({before})", legacy=True)

    # Sealed PDFs -------------------------------------------------------------------------------

    def _documents(self, model, action: str, label: str) -> Iterator[Finding]:
        if model is ConsentDocument:
            rows = model.objects.select_related("signature__request").defer("signature__drawn_signature")
        elif model is ClinicianDocument:
            rows = model.objects.select_related("countersignature__request").defer("countersignature__parts")
        elif model is StaffRecordDocument:
            rows = model.objects.select_related("record__request")
        else:
            rows = model.objects.select_related("request")
        for chunk in _chunks(rows):
            requests = {document.pk: self._request_of(document) for document in chunk}
            events = _events_for((request.pk for request in requests.values()), [action])
            for document in chunk:
                if model is ConsentDocument:
                    self.consent_records += 1
                elif model is StaffRecordDocument:
                    self.staff_record_documents += 1
                elif model is ClinicianDocument:
                    self.clinician_records += 1
                else:
                    self.withdrawal_records += 1
                document_id = self._document_id(document)
                what = f"{label} {document_id} (request {requests[document.pk].public_id})"
                found = events.get(document_id, [])
                if problem := self._document_problem(document, requests[document.pk].pk, found):
                    yield Finding(what, problem)

    @staticmethod
    def _request_of(document) -> ConsentRequest:
        if isinstance(document, ConsentDocument):
            return document.signature.request
        if isinstance(document, ClinicianDocument):
            return document.countersignature.request
        if isinstance(document, StaffRecordDocument):
            return document.record.request
        return document.request

    @staticmethod
    def _document_id(document) -> str:
        return document.signature.document_id if isinstance(document, ConsentDocument) else document.document_id

    @staticmethod
    def _document_problem(document, request_id: int, events: list[dict]) -> str:
        try:
            stored = file_sha256(document.file) if document.file.name else None
        except Exception as error:  # missing, unreadable, or the storage unreachable: named, not raised
            return f"its stored file {document.file.name} can't be read ({type(error).__name__})"
        if stored is None:
            return "it names no stored file"
        if not events:
            return "no audit event records it (the row was added or changed afterwards)"
        if len(events) > 1:
            return "more than one audit event records it (" + ", ".join(f"#{e['sequence']}" for e in events) + ")"
        number, recorded = events[0]["sequence"], events[0]["detail"].get("sha256")
        if events[0]["request_id"] != request_id:
            return f"audit event #{number} records it on another request"
        row = document.sha256
        if stored == row == recorded:
            return ""
        if row == recorded:
            return (
                f"its stored file is not the one sealed: the file's SHA-256 matches neither its row nor "
                f"audit event #{number} (the file was replaced or changed)"
            )
        if stored == recorded:
            return f"the SHA-256 in its row was changed: it matches neither its stored file nor audit event #{number}"
        if stored == row:
            return (
                f"its stored file and the SHA-256 in its row both differ from what audit event #{number} recorded "
                "(the file was replaced and the row changed to match)"
            )
        return f"its stored file, the SHA-256 in its row and audit event #{number} all disagree"

    # Events whose row is gone ------------------------------------------------------------------

    def _events_without_rows(self) -> Iterator[Finding]:
        """Each signing or PDF event must still find the row it names: a removed row shows here."""
        kinds = {
            **{action: ("signature", Signature, "document_id") for action in SIGNING_ACTIONS},
            AuditAction.DOCUMENT_RENDERED: ("consent record", ConsentDocument, "signature__document_id"),
            AuditAction.WITHDRAWAL_DOCUMENT_RENDERED: ("withdrawal record", WithdrawalDocument, "document_id"),
            **{
                action: ("decision recorded by staff", StaffRecordedConsent, "document_id")
                for action in RECORDING_ACTIONS
            },
            AuditAction.STAFF_RECORD_DOCUMENT_RENDERED: (
                "record of a decision recorded by staff",
                StaffRecordDocument,
                "document_id",
            ),
            AuditAction.CLINICIAN_DOCUMENT_RENDERED: ("clinician's part", ClinicianDocument, "document_id"),
        }
        events = AuditEvent.objects.filter(action__in=list(kinds)).values("sequence", "request_id", "action", "detail")
        last = 0
        while chunk := list(events.filter(sequence__gt=last).order_by("sequence")[:CHUNK_SIZE]):
            last = chunk[-1]["sequence"]
            self.events += len(chunk)
            named = defaultdict(set)
            for event in chunk:
                named[event["action"]].add(str(event["detail"].get("document_id")))
            present = {
                action: set(
                    kinds[action][1]
                    .objects.filter(**{f"{kinds[action][2]}__in": ids})
                    .values_list(kinds[action][2], flat=True)
                )
                for action, ids in named.items()
            }
            public_ids = dict(
                ConsentRequest.objects.filter(pk__in={event["request_id"] for event in chunk}).values_list(
                    "pk", "public_id"
                )
            )
            for event in chunk:
                label = kinds[event["action"]][0]
                document_id = event["detail"].get("document_id")
                request = public_ids.get(event["request_id"], f"id {event['request_id']}, no longer in the database")
                if document_id is None:
                    yield Finding(f"audit event #{event['sequence']} (request {request})", f"names no {label}")
                elif str(document_id) not in present[event["action"]]:
                    yield Finding(
                        f"{label} {document_id} (request {request})",
                        f"audit event #{event['sequence']} records it, but it is no longer in the database",
                    )
