"""The records archive's query: every decided consent, newest decision first, a page at a time.

`archive_rows` returns the requests whose decision is recorded (signed, confirmed on the day,
declined, withdrawn: `consent.state.FINISHED`), filtered, with every column the table and the
CSV show fetched in the same query (`select_related`, never the version's content, the
drawn signature or the statement). The order is the decision's time, newest first, then the
row's id, both in the index `consent_req_decided_idx`.

Pages are keyset pages: a page starts after the last row of the one before (`Key`), so the
4,000th page costs what the first does; there is no OFFSET and no COUNT over the archive.

Who decided (`signer_type`, `_signer_type_filter`) is the patient or their representative (the
Signature's signer) or staff (a `StaffRecordedConsent`, which has no Signature and is never shown as
one); whether a clinician countersigned (`_countersigned_annotation`) applies only to a consent the
patient e-signed: "Yes", "No" (awaiting), or "—" where there is nothing to countersign.
"""

from __future__ import annotations

import csv
import datetime
import functools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Exists, Expression, OuterRef, Q, QuerySet
from django.template import Context, Template
from django.template.loader import get_template
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.safestring import SafeString

from consent import state
from consent.models import (
    ConsentRequest,
    Countersignature,
    Decision,
    Patient,
    Signature,
    Signer,
    StaffRecordedConsent,
    Status,
    normalise_mrn,
    searchable,
)

PAGE_SIZE = 50
EXPORT_BATCH = 1000  # rows per query while the CSV streams
EXPORT_FIRST_BATCH = 100  # a smaller first batch: the first rows reach the nurse sooner
ARCHIVE_STATUSES = state.FINISHED
NOT_KNOWN = "—"  # a column with nothing to say (countersigned, for a refusal or a decision recorded by staff)


class StatusChoice:
    """The status filter's values: "consented" is signed, confirmed on the day or not."""

    CONSENTED = "consented"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


STATUS_CHOICES = [
    (StatusChoice.CONSENTED, "Consented (confirmed or not)"),
    (StatusChoice.CONFIRMED, "Confirmed on the day"),
    (StatusChoice.DECLINED, "Declined"),
    (StatusChoice.WITHDRAWN, "Withdrawn"),
]
STATUSES_FOR_CHOICE = {
    StatusChoice.CONSENTED: (Status.SIGNED, Status.CONFIRMED),
    StatusChoice.CONFIRMED: (Status.CONFIRMED,),
    StatusChoice.DECLINED: (Status.DECLINED,),
    StatusChoice.WITHDRAWN: (Status.WITHDRAWN,),
}
STATUS_LABELS = {
    Status.SIGNED: "Consented",
    Status.CONFIRMED: "Consented",
    Status.DECLINED: "Declined",
    Status.WITHDRAWN: "Withdrawn",
}
STATUS_TONES = {Status.SIGNED: "success", Status.CONFIRMED: "success", Status.DECLINED: "danger"}


class SignerType:
    PATIENT = Signer.PATIENT.value
    REPRESENTATIVE = Signer.REPRESENTATIVE.value
    STAFF_RECORDED = "staff_recorded"


SIGNER_CHOICES = [
    (SignerType.PATIENT, "The patient"),
    (SignerType.REPRESENTATIVE, "A representative"),
    (SignerType.STAFF_RECORDED, "Recorded by staff"),
]
SIGNER_LABELS = {
    SignerType.PATIENT: "Patient",
    SignerType.REPRESENTATIVE: "Representative",
    SignerType.STAFF_RECORDED: "Recorded by staff",
}


@dataclass(frozen=True)
class Filters:
    """What to show; None (or "") means no filter on that column."""

    start: datetime.date | None = None  # the decision's day in the clinic's time zone, from ...
    end: datetime.date | None = None  # ... to (inclusive)
    version_ids: tuple[int, ...] | None = None  # the chosen procedure's versions, or the one version chosen
    status: str | None = None  # a StatusChoice
    signer: str | None = None  # a SignerType
    countersigned: bool | None = None
    search: str = ""  # part of a name or a record number (never in a URL)


# Who decided, and whether a clinician countersigned. ---------------------------------------


def signer_type(row: ConsentRequest) -> str:
    """Who made the decision: the patient or their representative (the Signature's signer), or staff
    (a decision recorded by staff has no Signature). Reads only what `archive_rows` selected (no query)."""
    signature = getattr(row, "signature", None)
    return signature.signer if signature is not None else SignerType.STAFF_RECORDED


def _signer_type_filter(signer: str) -> Q:
    """The rows whose decision was made by `signer` (a SignerType)."""
    if signer == SignerType.STAFF_RECORDED:
        # The staff records are few: the database starts from them, not from the whole archive.
        return Q(pk__in=StaffRecordedConsent.objects.values("request_id"))
    # A correlated EXISTS, so the database keeps walking the records newest first (as a join, SQLite
    # read every signature and sorted).
    return Q(Exists(Signature.objects.filter(request=OuterRef("pk"), signer=signer)))


def _countersigned_annotation() -> Expression:
    """Whether a clinician countersigned the request, as an annotation."""
    return Exists(Countersignature.objects.filter(request=OuterRef("pk")))


def _e_signed_consent() -> Q:
    """The patient (or their representative) e-signed a consent: the only records a clinician countersigns."""
    return Q(Exists(Signature.objects.filter(request=OuterRef("pk"), decision=Decision.CONSENT)))


# The rows ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Key:
    """A row's place in the archive's order (decision time, then id): where a page starts or ends.

    In a URL it is two numbers, the decision's time in microseconds since 1970 (UTC) and the
    row's id: nothing about the patient.
    """

    decided_at: datetime.datetime
    id: int

    EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)

    @classmethod
    def of(cls, row: ConsentRequest) -> Key:
        return cls(row.decided_at, row.pk)

    def __str__(self) -> str:
        micros = (self.decided_at - self.EPOCH) // datetime.timedelta(microseconds=1)
        return f"{micros}.{self.id}"

    @classmethod
    def parse(cls, text: str) -> Key | None:
        """The key a URL holds, or None if it isn't one (anything but two whole numbers, in range)."""
        micros, _, pk = text.strip().partition(".")
        if not (micros.isascii() and micros.isdigit() and pk.isascii() and pk.isdigit()):
            return None
        if len(micros) > 17 or len(pk) > 18:  # past the year 5000, or a 64-bit id: not one of ours
            return None
        try:
            return cls(cls.EPOCH + datetime.timedelta(microseconds=int(micros)), int(pk))
        except OverflowError:
            return None


def _before(key: Key) -> Q:
    """Rows older than `key`, written so the database walks the (decided_at, id) index from it."""
    return Q(decided_at__lte=key.decided_at) & ~Q(decided_at=key.decided_at, id__gte=key.id)


def _after(key: Key) -> Q:
    return Q(decided_at__gte=key.decided_at) & ~Q(decided_at=key.decided_at, id__lte=key.id)


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def archive_rows(filters: Filters) -> QuerySet[ConsentRequest]:
    """Decided requests matching `filters`, newest decision first, with every column shown."""
    # `decided_at` is set when the decision is recorded (signed or declined), and a decided request
    # never leaves the decided statuses (consent.state.FINISHED), so it alone picks the archive's rows
    # and the database walks its index newest first. A condition on several statuses instead made
    # SQLite sort all 200,000 rows for every page.
    rows = ConsentRequest.objects.filter(decided_at__isnull=False)
    if filters.status:
        statuses = STATUSES_FOR_CHOICE[filters.status]
        others = sorted(ARCHIVE_STATUSES - set(statuses))
        # One status: the (status, decided_at, id) index. Several: "none of the others", so the
        # (decided_at, id) index still gives the order.
        rows = rows.filter(status=statuses[0]) if len(statuses) == 1 else rows.exclude(status__in=others)
    if filters.start:
        rows = rows.filter(decided_at__gte=_local_midnight(filters.start))
    if filters.end:
        rows = rows.filter(decided_at__lt=_local_midnight(filters.end + datetime.timedelta(days=1)))
    if filters.version_ids is not None:
        rows = rows.filter(procedure_version_id__in=filters.version_ids)
    if filters.signer:
        rows = rows.filter(_signer_type_filter(filters.signer))
    rows = rows.annotate(countersigned=_countersigned_annotation())
    if filters.countersigned is True:
        rows = rows.filter(countersigned=True)
    elif filters.countersigned is False:  # awaiting the clinician: an e-signed consent not countersigned
        rows = rows.filter(_e_signed_consent(), countersigned=False)
    search = " ".join(filters.search.split())
    if search:
        # The patients first (a scan of the patients, far fewer than the records), then their requests
        # through the patient index: as a join, the database walked every record to test its patient.
        patients = Patient.objects.filter(
            Q(search_name__contains=searchable(search)) | Q(mrn__contains=normalise_mrn(search))
        ).values("pk")
        rows = rows.filter(patient_id__in=patients)
    return (
        rows.select_related(
            "patient",
            "procedure_version__procedure",
            "signature__document",
            "staff_record__document",
            "withdrawal_document",
        )
        .only(
            "public_id",
            "status",
            "decided_at",
            "withdrawn_at",
            "patient__full_name",
            "patient__date_of_birth",
            "patient__mrn",
            "procedure_version__number",
            "procedure_version__procedure__name",
            "signature__document_id",
            "signature__signer",
            "signature__decision",
            "signature__document__id",
            "staff_record__document_id",
            "staff_record__document__id",
            "withdrawal_document__document_id",
        )
        .order_by("-decided_at", "-id")
    )


@dataclass
class Page:
    rows: list[ConsentRequest]
    newer: Key | None  # where the page of newer rows starts (None: these are the newest)
    older: Key | None  # where the page of older rows starts (None: these are the oldest)


def page_of(rows: QuerySet[ConsentRequest], *, older: Key | None = None, newer: Key | None = None) -> Page:
    """One page of `rows`: the newest, the page older than `older`, or the page newer than `newer`.

    At most two queries: the page (one row more than shown, to know whether there are more) and,
    for a page reached by a key, whether anything lies on its other side.
    """
    if newer is not None:
        found = list(rows.filter(_after(newer)).order_by("decided_at", "id")[: PAGE_SIZE + 1])
        more_newer = len(found) > PAGE_SIZE
        found = found[:PAGE_SIZE][::-1]
        if not found:
            return Page([], None, None)
        more_older = rows.filter(_before(Key.of(found[-1]))).exists()
        return Page(found, Key.of(found[0]) if more_newer else None, Key.of(found[-1]) if more_older else None)
    found = list((rows.filter(_before(older)) if older is not None else rows)[: PAGE_SIZE + 1])
    more_older = len(found) > PAGE_SIZE
    found = found[:PAGE_SIZE]
    if not found:
        return Page([], None, None)
    more_newer = older is not None and rows.filter(_after(Key.of(found[0]))).exists()
    return Page(found, Key.of(found[0]) if more_newer else None, Key.of(found[-1]) if more_older else None)


# What each row shows ------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """One row's columns as words (the table's and the CSV's), and the table's links."""

    patient: str
    date_of_birth: str
    record_number: str
    procedure: str
    version: str
    signed_at: str
    signed_at_iso: str
    signed_at_label: str
    status: str
    status_note: str
    status_tone: str
    signer: str
    countersigned: str
    document_id: str
    withdrawal_document_id: str
    case_url: str
    record_url: str  # "" while the sealed PDF is still being made
    withdrawal_url: str


class _Links:
    """The staff pages' URLs for one public id, each built from one `reverse` (cheap per row)."""

    def __init__(self):
        placeholder = str(uuid.UUID(int=0))
        self.parts = {
            name: reverse(f"staff:{name}", args=[placeholder]).split(placeholder)
            for name in ("case", "case_pdf", "staff_record_pdf", "withdrawal_pdf")
        }

    def __call__(self, name: str, public_id) -> str:
        before, after = self.parts[name]
        return f"{before}{public_id}{after}"


def shown_rows(rows, *, for_table: bool = True) -> Iterator[Shown]:
    """Each row's columns and links, from what `archive_rows` fetched (no queries). Not `for_table`
    (the CSV): only the columns' text, without the table's date labels and links."""
    links = _Links()
    for row in rows:
        signature: Signature | None = getattr(row, "signature", None)
        document = getattr(signature, "document", None) if signature is not None else None
        withdrawal = getattr(row, "withdrawal_document", None)
        local = timezone.localtime(row.decided_at)
        status_note = ""
        if row.status == Status.CONFIRMED:
            status_note = "confirmed on the day"
        elif row.status == Status.WITHDRAWN and row.withdrawn_at:
            status_note = f"on {dateformat.format(timezone.localtime(row.withdrawn_at), 'j M Y')}"
        staff_record = getattr(row, "staff_record", None)
        staff_document = getattr(staff_record, "document", None) if staff_record is not None else None
        if row.countersigned:
            countersigned = "Yes"
        elif signature is not None and signature.decision == Decision.CONSENT:
            countersigned = "No"
        else:
            countersigned = NOT_KNOWN
        yield Shown(
            patient=row.patient.full_name,
            date_of_birth=row.patient.date_of_birth.isoformat(),
            record_number=row.patient.mrn,
            procedure=row.procedure_version.procedure.name,
            version=str(row.procedure_version.number),
            signed_at=f"{local:%Y-%m-%d %H:%M}",
            signed_at_iso=local.isoformat() if for_table else "",
            signed_at_label=dateformat.format(local, "j M Y, H:i") if for_table else "",
            status=STATUS_LABELS.get(row.status, row.status),
            status_note=status_note,
            status_tone=STATUS_TONES.get(row.status, "secondary"),
            signer=SIGNER_LABELS.get(signer_type(row), signer_type(row)),
            countersigned=countersigned,
            document_id=signature.document_id
            if signature is not None
            else (staff_record.document_id if staff_record is not None else ""),
            withdrawal_document_id=withdrawal.document_id if withdrawal is not None else "",
            case_url=links("case", row.public_id) if for_table else "",
            record_url=(
                links("case_pdf", row.public_id)
                if document is not None
                else links("staff_record_pdf", row.public_id)
                if staff_document is not None
                else ""
            )
            if for_table
            else "",
            withdrawal_url=links("withdrawal_pdf", row.public_id)
            if for_table and row.status == Status.WITHDRAWN and signature is not None
            else "",
        )


# The table's rows: templates/staff/includes/records_rows.html, compiled once and rendered with a plain
# Context (as the dashboard's are): the page's own context behind every lookup cost more than the query.
ROW_LABELS = {
    "not_recorded": "Not recorded",
    "none": "None",
    "record_of": "the consent record of",
    "withdrawal": "Withdrawal:",
    "withdrawal_record": "record",
    "withdrawal_of": "the withdrawal record of",
    "pdf": "(PDF)",
    "pending": "PDF being made",
    "born": "Born",
    "version": "Version",
}


@functools.cache
def _rows_template() -> Template:
    return get_template("staff/includes/records_rows.html").template


def rows_html(rows: list[Shown]) -> SafeString:
    return _rows_template().render(Context({"rows": rows, "labels": ROW_LABELS, "not_known": NOT_KNOWN}))


# The CSV export -----------------------------------------------------------------------------

CSV_HEADER = [
    "Patient",
    "Date of birth",
    "Record number",
    "Procedure",
    "Version",
    "Signed at",
    "Status",
    "Signer",
    "Countersigned",
    "Document ID",
    "Withdrawal document ID",
]
# OWASP's advice on CSV injection: a cell a spreadsheet could read as a formula starts with a quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell


def csv_values(shown: Shown) -> list[str]:
    """The table's columns, in the table's order, as text (the links are not columns of data)."""
    status = f"{shown.status}, {shown.status_note}" if shown.status_note else shown.status
    return [
        shown.patient,
        shown.date_of_birth,
        shown.record_number,
        shown.procedure,
        shown.version,
        shown.signed_at,
        status,
        shown.signer,
        shown.countersigned,
        shown.document_id,
        shown.withdrawal_document_id,
    ]


class _Line:
    """A file-like object whose `write` hands back the line csv.writer wrote."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: QuerySet[ConsentRequest]) -> Iterator[str]:
    """The CSV, a line at a time: a byte-order mark (Excel then reads UTF-8), the header, the rows.

    The rows are read EXPORT_BATCH at a time (the first batch smaller), each batch a keyset page
    after the last, so 200,000 rows stream without being held in memory and no query runs for long.
    """
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(CSV_HEADER)
    last: Key | None = None
    size = min(EXPORT_FIRST_BATCH, EXPORT_BATCH)
    while True:
        batch = list((rows.filter(_before(last)) if last is not None else rows)[:size])
        if not batch:
            return
        yield "".join(
            writer.writerow([neutralise(cell) for cell in csv_values(shown)])
            for shown in shown_rows(batch, for_table=False)
        )
        if len(batch) < size:
            return
        last, size = Key.of(batch[-1]), EXPORT_BATCH
