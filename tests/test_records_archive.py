"""The records archive (/staff/records/): every decided consent, its filters, search, pages and CSV export."""

from __future__ import annotations

import csv
import datetime
import html
import io
import itertools
import uuid
import zoneinfo

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consent.models import (
    AuditAction,
    AuditEvent,
    ConsentDocument,
    ConsentRequest,
    Countersignature,
    Patient,
    Signature,
    StaffRecordedConsent,
    Status,
    WithdrawalDocument,
)
from consent.services import withdraw_consent
from procedures.services import publish_procedure
from records import documents
from staff import archive
from tests.conftest import PATIENT_A, build_procedure, make_case, sign_case

URL = reverse("staff:records")
EXPORT = reverse("staff:records_export")
LONDON = zoneinfo.ZoneInfo("Europe/London")
_numbers = itertools.count(1)


@pytest.fixture
def nurse_client(client, nurse):
    client.force_login(nurse)
    return client


def decided(
    procedure,
    name: str,
    at: datetime.datetime,
    *,
    status: str = Status.SIGNED,
    signer: str | None = "patient",
    version=None,
    mrn: str | None = None,
    date_of_birth=datetime.date(1970, 5, 6),
) -> ConsentRequest:
    """A request decided at `at` (with a signature by `signer`; None: recorded by staff, with no signature).

    Written straight to the database, as the seeders do: the services' own tests walk the journey.
    """
    number = next(_numbers)
    version = version or procedure.current_version
    patient = Patient.objects.create(full_name=name, date_of_birth=date_of_birth, mrn=mrn or f"REC-{number:05d}")
    request = ConsentRequest.objects.create(
        patient=patient,
        procedure_version=version,
        appointment_at=at + datetime.timedelta(days=3),
        clinician="Dr Rivera",
        status=status,
        token_hash=uuid.uuid4().hex + uuid.uuid4().hex,
        expires_at=at + datetime.timedelta(days=4),
        decided_at=at,
        withdrawn_at=at + datetime.timedelta(days=1) if status == Status.WITHDRAWN else None,
    )
    if signer is None:
        recorder, _ = get_user_model().objects.get_or_create(username="archive.recorder")
        StaffRecordedConsent.objects.create(
            request=request,
            document_id=f"STF{number:06d}",
            decision="decline" if status == Status.DECLINED else "consent",
            method="paper",
            obtained_by_name="Dr Rivera",
            obtained_at=at,
            procedure_version=version,
            recorded_by=recorder,
        )
    if signer:
        Signature.objects.create(
            request=request,
            document_id=f"DOC{number:06d}",
            decision="decline" if status == Status.DECLINED else "consent",
            typed_name=name,
            signer=signer,
            representative_name="Rita Rep" if signer == "representative" else "",
            statement="RISK TEXT that must never be exported.",
            procedure_version=version,
            signed_at=at,
        )
    return request


def at(day: int, hour: int = 10, minute: int = 0, month: int = 3) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=LONDON)


def names(response) -> list[str]:
    return [row.patient for row in response.context["rows"]]


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def table_of(response) -> str:
    text = text_of(response)
    return text[text.index("<table") : text.index("</table>")] if "<table" in text else ""


# Who may see it --------------------------------------------------------------------------------


def test_signed_out_visitors_sign_in_first_and_content_admins_are_refused(client, content_admin, db):
    for url in (URL, EXPORT):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    client.force_login(content_admin)
    assert client.get(URL).status_code == 403
    assert client.get(EXPORT).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.RECORDS_EXPORTED).exists()


def test_the_staff_navigation_links_to_the_archive(nurse_client, db):
    assert f'href="{URL}"' in nurse_client.get(reverse("staff:index")).content.decode()


# What it shows ---------------------------------------------------------------------------------


def test_every_decided_request_is_listed_newest_decision_first_and_open_ones_are_not(nurse_client, published_procedure):
    decided(published_procedure, "Signed Sue", at(1), status=Status.SIGNED)
    decided(published_procedure, "Confirmed Carl", at(2), status=Status.CONFIRMED)
    decided(published_procedure, "Declined Dan", at(3), status=Status.DECLINED, signer="patient")
    decided(published_procedure, "Withdrawn Wendy", at(4), status=Status.WITHDRAWN)
    decided(published_procedure, "Staff Stan", at(5), signer=None)
    make_case(published_procedure, PATIENT_A)  # invited: nothing decided yet

    response = nurse_client.get(URL)

    assert response.status_code == 200
    assert names(response) == ["Staff Stan", "Withdrawn Wendy", "Declined Dan", "Confirmed Carl", "Signed Sue"]
    assert "Ana María López" not in text_of(response)
    assert "no-store" in response["Cache-Control"]


def test_a_row_shows_every_column_in_the_clinic_time_zone(nurse_client, published_procedure):
    # 23:30 in London on 28 March (GMT) and 00:30 on 30 March (BST, 23:30 UTC the day before).
    winter = decided(published_procedure, "Ana Winter", at(28, 23, 30), mrn="MRN-W-1", signer="representative")
    summer = decided(published_procedure, "Bob Summer", at(30, 0, 30), status=Status.CONFIRMED)

    response = nurse_client.get(URL)

    table = table_of(response)
    for expected in (
        "Ana Winter",
        "1970-05-06",
        "MRN-W-1",
        "Test procedure",
        "28 Mar 2026, 23:30",
        "30 Mar 2026, 00:30",
        "Representative",
        "Patient",
        "confirmed on the day",
        winter.signature.document_id,
        summer.signature.document_id,
        reverse("staff:case", args=[winter.public_id]),
    ):
        assert expected in table, expected
    # Both e-signed consents, neither countersigned yet: awaiting the clinician.
    assert [row.countersigned for row in response.context["rows"]] == ["No", "No"]
    # No PDF has been made for these seeded signatures: no link to a record that isn't there.
    assert reverse("staff:case_pdf", args=[winter.public_id]) not in table
    assert "PDF being made" in table


def test_a_signed_record_links_to_its_pdf_and_a_withdrawn_one_to_both(nurse_client, case_a):
    with TestCase.captureOnCommitCallbacks(execute=True):
        signature = sign_case(case_a)
    if not ConsentDocument.objects.filter(signature=signature).exists():
        documents.store_consent_document(signature)
    with TestCase.captureOnCommitCallbacks(execute=True):
        withdraw_consent(consent_request=case_a.refresh(), reason="Changed my mind", ip=None)
    withdrawal = WithdrawalDocument.objects.filter(request=case_a.request).first()

    response = nurse_client.get(URL)

    table = table_of(response)
    public_id = case_a.request.public_id
    assert reverse("staff:case_pdf", args=[public_id]) in table
    assert reverse("staff:withdrawal_pdf", args=[public_id]) in table
    assert "Withdrawn" in table
    assert signature.document_id in table
    if withdrawal:
        assert withdrawal.document_id in table
    assert nurse_client.get(reverse("staff:case_pdf", args=[public_id]))["Content-Type"] == "application/pdf"


# Filters -------------------------------------------------------------------------------------


@pytest.fixture
def mixed(published_procedure):
    """Two procedures, two versions of the first, every status and signer, over a fortnight."""
    first = published_procedure.current_version
    published_procedure.risks.update(frequency_n=1, frequency_m=10)
    publish_procedure(procedure=published_procedure, published_by=None, change_summary="Second", is_material=True)
    second = published_procedure.current_version
    other = build_procedure(slug="other-procedure", name="Other procedure")
    publish_procedure(procedure=other, published_by=None, change_summary="First", is_material=False)
    decided(published_procedure, "One Early", at(1), version=first)
    decided(published_procedure, "Two Declined", at(3), version=first, status=Status.DECLINED)
    decided(published_procedure, "Three Rep", at(5), version=second, signer="representative")
    decided(published_procedure, "Four Confirmed", at(7), version=second, status=Status.CONFIRMED)
    decided(other, "Five Other", at(9), status=Status.WITHDRAWN)
    decided(other, "Six Staff", at(11), signer=None, status=Status.DECLINED)
    return published_procedure


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"start": "2026-03-03", "end": "2026-03-07"}, ["Four Confirmed", "Three Rep", "Two Declined"]),
        ({"start": "2026-03-09"}, ["Six Staff", "Five Other"]),
        ({"end": "2026-03-01"}, ["One Early"]),
        ({"procedure": "other-procedure"}, ["Six Staff", "Five Other"]),
        ({"procedure": "test-procedure", "version": "1"}, ["Two Declined", "One Early"]),
        ({"procedure": "test-procedure", "version": "2"}, ["Four Confirmed", "Three Rep"]),
        ({"status": "consented"}, ["Four Confirmed", "Three Rep", "One Early"]),
        ({"status": "confirmed"}, ["Four Confirmed"]),
        ({"status": "declined"}, ["Six Staff", "Two Declined"]),
        ({"status": "withdrawn"}, ["Five Other"]),
        ({"signer": "patient"}, ["Five Other", "Four Confirmed", "Two Declined", "One Early"]),
        ({"signer": "representative"}, ["Three Rep"]),
        ({"signer": "staff_recorded"}, ["Six Staff"]),
        (
            {"procedure": "test-procedure", "start": "2026-03-02", "status": "consented"},
            ["Four Confirmed", "Three Rep"],
        ),
    ],
)
def test_each_filter_shows_exactly_its_records(nurse_client, mixed, params, expected):
    response = nurse_client.get(URL, params)

    assert response.status_code == 200
    assert not response.context["form"].errors
    assert names(response) == expected


def test_a_date_filter_uses_the_signing_day_in_the_clinic_time_zone(nurse_client, published_procedure):
    decided(published_procedure, "Late Summer", at(30, 0, 30))  # 29 March 23:30 UTC
    decided(published_procedure, "Late Winter", at(28, 23, 30))

    assert names(nurse_client.get(URL, {"start": "2026-03-30", "end": "2026-03-30"})) == ["Late Summer"]
    assert names(nurse_client.get(URL, {"start": "2026-03-28", "end": "2026-03-29"})) == ["Late Winter"]


@pytest.mark.parametrize(
    ("params", "message", "expected"),
    [
        ({"start": "yesterday", "procedure": "other-procedure"}, "Enter a full date", ["Six Staff", "Five Other"]),
        (
            {"start": "2026-03-09", "end": "2026-03-02", "status": "declined"},
            "before the “Signed from” date",
            ["Six Staff"],  # the start still applies; the end before it is ignored
        ),
        ({"start": "0999-01-01", "status": "withdrawn"}, "Check the year", ["Five Other"]),
        ({"procedure": "no-such-thing", "status": "withdrawn"}, "Choose a procedure from the list.", ["Five Other"]),
        ({"status": "party", "signer": "representative"}, "Choose a status from the list.", ["Three Rep"]),
        ({"signer": "robot", "status": "confirmed"}, "Choose who signed from the list.", ["Four Confirmed"]),
        (
            {"procedure": "other-procedure", "version": "two"},
            "Enter a version number",
            ["Six Staff", "Five Other"],
        ),
        (
            {"procedure": "other-procedure", "version": "7"},
            "Other procedure has no version 7: choose a version from 1 to 1",
            ["Six Staff", "Five Other"],
        ),
        ({"version": "1", "status": "withdrawn"}, "Choose a procedure too", ["Five Other"]),
    ],
)
def test_a_bad_filter_is_explained_kept_in_the_form_and_ignored_while_the_others_apply(
    nurse_client, mixed, params, message, expected
):
    response = nurse_client.get(URL, params)

    assert response.status_code == 200
    assert message in text_of(response)
    assert names(response) == expected
    form = response.context["form"]
    for name, value in params.items():
        assert str(form[name].value()) == value  # what was entered is shown back, to correct


# Pages -----------------------------------------------------------------------------------------


@pytest.fixture
def many(published_procedure):
    """55 records a minute apart, the newest "Patient 55", and one declined among them."""
    start = at(1)
    for n in range(1, 56):
        decided(
            published_procedure,
            f"Patient {n:02d}",
            start + datetime.timedelta(minutes=n),
            status=Status.DECLINED if n == 3 else Status.SIGNED,
        )
    return published_procedure


def _link(response, name: str) -> str:
    return html.unescape(response.context[name])


def test_older_and_newer_links_page_through_every_record_once(nurse_client, many):
    first = nurse_client.get(URL)
    assert names(first) == [f"Patient {n:02d}" for n in range(55, 5, -1)]
    assert not first.context["newer_url"]

    older = nurse_client.get(_link(first, "older_url"))
    assert names(older) == [f"Patient {n:02d}" for n in range(5, 0, -1)]
    assert not older.context["older_url"]
    assert older.context["newest_url"] == URL

    back = nurse_client.get(_link(older, "newer_url"))
    assert names(back) == names(first)
    assert not back.context["newer_url"]


def test_two_records_signed_at_the_same_moment_are_each_on_exactly_one_page(nurse_client, published_procedure):
    same = at(2)
    for n in range(1, 53):
        decided(published_procedure, f"Same {n:02d}", same)

    first = nurse_client.get(URL)
    older = nurse_client.get(_link(first, "older_url"))

    assert len(names(first)) == 50
    assert sorted(names(first) + names(older)) == [f"Same {n:02d}" for n in range(1, 53)]


def test_page_links_keep_the_filters_and_carry_no_patient_data(nurse_client, many):
    first = nurse_client.get(URL, {"status": "consented", "start": "2026-03-01"})
    older_url = _link(first, "older_url")

    assert older_url.startswith(f"{URL}?start=2026-03-01&status=consented&older=")
    older = nurse_client.get(older_url)
    assert names(older) == ["Patient 05", "Patient 04", "Patient 02", "Patient 01"]
    for url in (older_url, _link(older, "newer_url"), first.context["export_url"]):
        assert "Patient" not in url and "REC-" not in url


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"older": "not-a-page"}, "That page link couldn't be read"),
        ({"newer": "12.x"}, "That page link couldn't be read"),
        ({"older": "99999999999999999999.1"}, "That page link couldn't be read"),
        ({"older": "-5.3"}, "That page link couldn't be read"),
        ({"older": "1.1"}, "No records lie beyond that page"),  # before 1970: past the oldest
        ({"newer": "4102444800000000.1"}, "No records lie beyond that page"),  # 2100: past the newest
    ],
)
def test_a_bad_or_out_of_range_page_link_shows_the_newest_page_with_the_filters_kept(
    nurse_client, many, params, message
):
    response = nurse_client.get(URL, {"status": "consented", **params})

    assert response.status_code == 200
    assert message in text_of(response)
    assert names(response)[:2] == ["Patient 55", "Patient 54"]
    assert "Patient 03" not in names(response)  # the declined one: the status filter still applies
    assert response.context["form"]["status"].value() == "consented"


def test_the_page_runs_the_same_few_queries_for_5_or_60_records(nurse_client, published_procedure):
    def queries(params) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = nurse_client.get(URL, params)
        assert response.status_code == 200
        return len(captured)

    def counts() -> list[int]:
        older = html.unescape(nurse_client.get(URL).context["older_url"] or f"{URL}?older=1.1")
        nurse_client.post(URL, {"q": "Patient"})
        return [
            queries({}),
            queries({"procedure": "test-procedure", "start": "2026-01-01", "signer": "patient"}),
            queries({"searching": "1"}),
            queries(dict(pair.split("=") for pair in older.split("?", 1)[1].split("&"))),
        ]

    for n in range(5):
        decided(published_procedure, f"Patient {n}", at(1) + datetime.timedelta(minutes=n))
    at_5 = counts()
    for n in range(5, 60):
        decided(published_procedure, f"Patient {n}", at(1) + datetime.timedelta(minutes=n))
    at_60 = counts()

    assert at_5[:3] == at_60[:3]
    assert max(at_60) <= 10


# Search ----------------------------------------------------------------------------------------


def test_a_search_is_posted_kept_in_the_session_and_never_put_in_a_url(nurse_client, published_procedure):
    decided(published_procedure, "Ana María López", at(1), mrn="MRN-A-1001")
    decided(published_procedure, "Bob Brown", at(2), mrn="MRN-B-2002")

    posted = nurse_client.post(URL, {"q": "  maria  LOPEZ ", "status": "consented"})

    assert posted.status_code == 302
    assert posted["Location"] == f"{URL}?status=consented&searching=1"
    response = nurse_client.get(posted["Location"])
    assert names(response) == ["Ana María López"]
    assert response.context["form"]["q"].value() == "maria LOPEZ"
    page = response.content.decode()
    assert "maria" not in response.context["export_url"].lower()
    assert "searching=1" in response.context["export_url"]
    assert "Bob Brown" not in page


@pytest.mark.parametrize("search", ["b-2002", "MRN-B", "brown"])
def test_a_search_finds_part_of_a_name_or_a_record_number(nurse_client, published_procedure, search):
    decided(published_procedure, "Ana María López", at(1), mrn="MRN-A-1001")
    decided(published_procedure, "Bob Brown", at(2), mrn="MRN-B-2002")

    nurse_client.post(URL, {"q": search})

    assert names(nurse_client.get(URL, {"searching": "1"})) == ["Bob Brown"]


def test_a_search_does_not_stick_to_the_next_visit_and_clear_forgets_it(nurse_client, published_procedure):
    decided(published_procedure, "Ana María López", at(1))
    decided(published_procedure, "Bob Brown", at(2))
    nurse_client.post(URL, {"q": "Bob"})

    assert names(nurse_client.get(URL)) == ["Bob Brown", "Ana María López"]
    assert names(nurse_client.get(URL, {"searching": "1"})) == ["Bob Brown", "Ana María López"]  # forgotten
    nurse_client.post(URL, {"q": "Bob"})
    cleared = nurse_client.get(URL, {"clear": "1", "searching": "1"})
    assert cleared.status_code == 302 and cleared["Location"] == URL
    assert "records_search" not in nurse_client.session


def test_a_search_that_finds_nothing_says_so(nurse_client, published_procedure):
    decided(published_procedure, "Ana María López", at(1))
    nurse_client.post(URL, {"q": "Zebedee"})

    response = nurse_client.get(URL, {"searching": "1"})

    assert names(response) == []
    assert "No records match the search and the filters." in text_of(response)
    assert EXPORT not in text_of(response)  # nothing to export: no button


# The CSV export --------------------------------------------------------------------------------


def _csv(response) -> tuple[str, list[list[str]]]:
    assert response.streaming
    raw = b"".join(response.streaming_content).decode("utf-8")
    return raw, list(csv.reader(io.StringIO(raw.removeprefix("\ufeff"))))


def test_the_export_is_the_filtered_list_as_csv_with_the_columns_shown_and_is_audited(
    nurse_client, nurse, mixed, settings
):
    response = nurse_client.get(EXPORT, {"procedure": "test-procedure", "status": "consented"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="proceed-records-{today}.csv"'
    raw, rows = _csv(response)
    assert raw.startswith("\ufeff")  # Excel reads it as UTF-8
    assert "\r\n" in raw
    assert rows[0] == archive.CSV_HEADER
    assert [row[0] for row in rows[1:]] == ["Four Confirmed", "Three Rep", "One Early"]
    four = rows[1]
    assert four[1:8] == ["1970-05-06", four[2], "Test procedure", "2", "2026-03-07 10:00", four[6], "Patient"]
    assert four[6] == "Consented, confirmed on the day"
    assert rows[2][7] == "Representative"
    assert four[8] == "No"  # e-signed, awaiting the clinician
    assert four[9].startswith("DOC")
    assert "RISK TEXT" not in raw and "Rita Rep" not in raw  # nothing beyond the columns shown

    event = AuditEvent.objects.get(action=AuditAction.RECORDS_EXPORTED)
    assert event.request is None
    assert event.actor == AuditEvent.Actor.STAFF
    assert event.user == nurse
    assert event.detail == {
        "filters": {"procedure": "test-procedure", "status": "consented"},
        "searched": False,
        "rows": 3,
    }


def test_an_export_with_a_search_applies_it_and_audits_only_that_there_was_one(nurse_client, published_procedure):
    decided(published_procedure, "Ana María López", at(1), mrn="MRN-A-1001")
    decided(published_procedure, "Bob Brown", at(2))
    nurse_client.post(URL, {"q": "López"})

    _, rows = _csv(nurse_client.get(EXPORT, {"searching": "1"}))

    assert [row[0] for row in rows[1:]] == ["Ana María López"]
    event = AuditEvent.objects.get(action=AuditAction.RECORDS_EXPORTED)
    assert event.detail == {"filters": {}, "searched": True, "rows": 1}
    assert "López" not in str(event.detail) + event.message and "lopez" not in str(event.detail).lower()


@pytest.mark.parametrize(
    ("name", "cell"),
    [
        ('=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
        ("+44 Plus", "'+44 Plus"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("\rReturn", "'\rReturn"),
        ("Plain Name", "Plain Name"),
    ],
)
def test_a_cell_a_spreadsheet_would_run_as_a_formula_starts_with_a_quote(nurse_client, published_procedure, name, cell):
    decided(published_procedure, name, at(1), mrn="=1+1")

    _, rows = _csv(nurse_client.get(EXPORT))

    assert rows[1][0] == cell
    assert rows[1][2] == "'=1+1"


def test_exporting_nothing_goes_back_to_the_archive_with_the_filters_and_a_message_and_is_not_audited(
    nurse_client, mixed
):
    params = {"procedure": "other-procedure", "status": "confirmed"}

    response = nurse_client.get(EXPORT, params, follow=True)

    assert response.redirect_chain == [(f"{URL}?procedure=other-procedure&status=confirmed", 302)]
    assert "No records match these filters, so there is nothing to export." in text_of(response)
    assert response.context["form"]["procedure"].value() == "other-procedure"
    assert not AuditEvent.objects.filter(action=AuditAction.RECORDS_EXPORTED).exists()


def test_an_export_with_a_bad_filter_exports_nothing_and_shows_the_error(nurse_client, mixed):
    response = nurse_client.get(EXPORT, {"start": "soon", "status": "declined"}, follow=True)

    assert response.redirect_chain == [(f"{URL}?start=soon&status=declined", 302)]
    text = text_of(response)
    assert "nothing was exported" in text
    assert "Enter a full date" in text
    assert not AuditEvent.objects.filter(action=AuditAction.RECORDS_EXPORTED).exists()


def test_a_large_export_streams_in_batches_with_every_row_once(nurse_client, many, monkeypatch):
    monkeypatch.setattr(archive, "EXPORT_FIRST_BATCH", 3)
    monkeypatch.setattr(archive, "EXPORT_BATCH", 7)

    response = nurse_client.get(EXPORT)

    chunks = list(response.streaming_content)
    assert len(chunks) == 1 + 1 + 8  # the header, the first 3 rows, then 52 rows 7 at a time
    assert chunks[1].count(b"\r\n") == 3
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode().removeprefix("\ufeff"))))
    assert [row[0] for row in rows[1:]] == [f"Patient {n:02d}" for n in range(55, 0, -1)]
    assert AuditEvent.objects.get(action=AuditAction.RECORDS_EXPORTED).detail["rows"] == 55


# Countersigned -------------------------------------------------------------------------------


def countersigned(consent_request: ConsentRequest, clinician) -> Countersignature:
    return Countersignature.objects.create(
        request=consent_request,
        document_id=f"CS{consent_request.pk:06d}",
        clinician=clinician,
        clinician_name="Dr Cleo Clinician",
        job_title="Consultant",
        registration="GMC 1234567",
        parts={},
        statement="I have explained the procedure.",
    )


def test_the_countersigned_column_and_filter(nurse_client, clinician, mixed):
    four = ConsentRequest.objects.get(patient__full_name="Four Confirmed")
    countersigned(four, clinician)

    shown = {row.patient: row.countersigned for row in nurse_client.get(URL).context["rows"]}
    # Yes; No for an e-signed consent awaiting the clinician (withdrawn since, still unsigned by them); and
    # nothing to countersign for a refusal or a decision recorded by staff.
    assert shown == {
        "Four Confirmed": "Yes",
        "One Early": "No",
        "Three Rep": "No",
        "Five Other": "No",
        "Two Declined": archive.NOT_KNOWN,
        "Six Staff": archive.NOT_KNOWN,
    }
    assert names(nurse_client.get(URL, {"countersigned": "yes"})) == ["Four Confirmed"]
    assert names(nurse_client.get(URL, {"countersigned": "no"})) == ["Five Other", "Three Rep", "One Early"]
    assert "Choose countersigned or not" in text_of(nurse_client.get(URL, {"countersigned": "maybe"}))


def test_a_decision_recorded_by_staff_shows_its_own_document_and_cover_record(nurse_client, published_procedure):
    staff = decided(published_procedure, "Staff Stella", at(12), signer=None)
    record = staff.staff_record

    table = table_of(nurse_client.get(URL))
    assert "Recorded by staff" in table and record.document_id in table
    assert reverse("staff:staff_record_pdf", args=[staff.public_id]) not in table  # the cover is still being made
    documents.store_staff_record_document(record)
    assert reverse("staff:staff_record_pdf", args=[staff.public_id]) in table_of(nurse_client.get(URL))


# Keys ------------------------------------------------------------------------------------------


def test_a_page_key_reads_back_exactly():
    key = archive.Key(datetime.datetime(2026, 3, 30, 0, 30, 0, 123456, tzinfo=LONDON), 987)

    parsed = archive.Key.parse(str(key))

    assert parsed == key
    assert str(key).split(".")[1] == "987"
