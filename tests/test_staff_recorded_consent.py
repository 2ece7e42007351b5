"""Consent (or a refusal) taken on paper, in person or by telephone, recorded by a nurse (issue 17, point 2).

It moves the request to signed or declined with no patient e-signature, keeps the checked scan
privately under a neutral name with its SHA-256, is marked "recorded by staff" everywhere, and
everything that assumed a signed request has a `Signature` still works.
"""

from __future__ import annotations

import datetime
import hashlib
import html
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader, PdfWriter

from consent import services
from consent.models import (
    AuditEvent,
    ConsentRequest,
    Signature,
    StaffRecordDocument,
    StaffRecordedConsent,
    Status,
)
from consent.staff_record import STAFF_RECORD_DIGEST_KEY, StaffRecordRefused, record_consent_by_staff
from records import documents
from records.checklist_pdf import checklist_pdf_html
from records.integrity import RecordCheck
from records.pdf import staff_record_pdf_html
from records.verify_views import verify_pdf
from tests.conftest import PASSWORD, sign_case
from tests.test_audit_chain import tamper

# Files -------------------------------------------------------------------------------------------


def pdf_bytes(pages: int = 2, password: str | None = None) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def picture_bytes(kind: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, format=kind)
    return out.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def record(case, nurse, **overrides):
    fields = {
        "consent_request": case.request,
        "user": nurse,
        "decision": "consent",
        "method": "paper",
        "obtained_by_name": "Dr Priya Shah",
        "obtained_by_role": "Consultant",
        "obtained_at": timezone.now() - datetime.timedelta(hours=1),
        "scan": upload("Ana Lopez consent 14-03-1950.pdf", pdf_bytes()),
        "ip": "203.0.113.5",
    }
    return record_consent_by_staff(**(fields | overrides))


def stored_scans(private_root) -> list[str]:
    folder = private_root / "staff-recorded-scans"
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def made_days_ago(case, days=3):
    """The request was made a few days before the decision was obtained (as it would be in a clinic)."""
    ConsentRequest.objects.filter(pk=case.request.pk).update(created_at=timezone.now() - datetime.timedelta(days=days))
    case.refresh()
    return case


@pytest.fixture
def case_a(case_a):
    return made_days_ago(case_a)


@pytest.fixture
def case_b(case_b):
    return made_days_ago(case_b)


@pytest.fixture
def private_root(settings, tmp_path):
    """A private storage of this test's own, so what it kept (and didn't) can be listed."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "consent.storage.PrivateFileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    return tmp_path


# The service -------------------------------------------------------------------------------------


def test_a_paper_consent_is_recorded_as_signed_with_no_signature_and_its_scan_kept_under_a_neutral_name(
    case_a, nurse, private_root
):
    obtained = timezone.now() - datetime.timedelta(hours=2)
    data = pdf_bytes(pages=3)
    kept = record(case_a, nurse, obtained_at=obtained, scan=upload("Ana Lopez consent.pdf", data))

    request = case_a.refresh()
    assert request.status == Status.SIGNED
    assert not Signature.objects.filter(request=request).exists()
    assert request.is_recorded_by_staff and not request.can_withdraw
    assert request.decided_at == obtained
    assert kept.procedure_version == request.procedure_version
    assert kept.scan.name == f"staff-recorded-scans/{kept.document_id}.pdf"
    assert stored_scans(private_root) == [f"{kept.document_id}.pdf"]
    assert (kept.scan_content_type, kept.scan_pages, kept.scan_size) == ("application/pdf", 3, len(data))
    assert kept.scan_sha256 == hashlib.sha256(data).hexdigest()
    assert kept.scan.open("rb").read() == data

    [event] = AuditEvent.objects.filter(request=request, action="staff_recorded_consent")
    assert event.user == nurse and event.actor == "staff"
    assert "not a patient e-signature" in event.message and "paper consent form" in event.message
    assert event.detail["document_id"] == kept.document_id
    assert event.detail["method"] == "paper" and event.detail["scan_sha256"] == kept.scan_sha256
    assert STAFF_RECORD_DIGEST_KEY in event.detail
    assert "López" not in event.message + str(event.detail) and "Shah" not in event.message + str(event.detail)


def test_a_refusal_by_telephone_with_an_interpreter_is_recorded_as_declined_without_a_scan(case_a, nurse):
    kept = record(
        case_a,
        nurse,
        decision="decline",
        method="telephone_interpreter",
        interpreter_name="Lucía Gómez",
        interpreter_language="Spanish",
        scan=None,
    )
    assert case_a.refresh().status == Status.DECLINED
    assert not kept.scan and kept.scan_sha256 == ""
    assert AuditEvent.objects.filter(request=case_a.request, action="staff_recorded_refusal").count() == 1


@pytest.mark.parametrize("status", [Status.LOCKED, Status.EXPIRED, Status.NEEDS_DISCUSSION, Status.INVITED])
def test_a_locked_expired_or_open_request_can_still_take_a_paper_consent(case_a, nurse, status):
    ConsentRequest.objects.filter(pk=case_a.request.pk).update(status=status)
    case_a.refresh()
    record(case_a, nurse)
    assert case_a.refresh().status == Status.SIGNED


@pytest.mark.parametrize(
    ("prepare", "words"),
    [
        ("e-signed", "already signed their decision through their link"),
        ("declined", "already finished (declined)"),
        ("cancelled", "This request is cancelled"),
    ],
)
def test_a_signed_declined_or_cancelled_request_is_refused_plainly_and_keeps_no_scan(
    case_a, nurse, private_root, prepare, words
):
    if prepare == "e-signed":
        sign_case(case_a)
    elif prepare == "declined":
        ConsentRequest.objects.filter(pk=case_a.request.pk).update(status=Status.DECLINED)
    else:
        services.cancel_request(consent_request=case_a.request, user=nurse, reason="Moved")
    case_a.refresh()
    status = case_a.request.status
    with pytest.raises(services.ConsentError, match=re.escape(words)):
        record(case_a, nurse)
    assert case_a.refresh().status == status
    assert not StaffRecordedConsent.objects.exists()
    assert stored_scans(private_root) == []


def test_a_double_submit_returns_the_first_record_and_keeps_one_scan_and_one_event(case_a, nurse, private_root):
    first = record(case_a, nurse)
    second = record(case_a, nurse, scan=upload("again.pdf", pdf_bytes(pages=1)))
    assert second.pk == first.pk
    assert stored_scans(private_root) == [f"{first.document_id}.pdf"]
    assert AuditEvent.objects.filter(request=case_a.request, action="staff_recorded_consent").count() == 1


BAD_SCANS = {
    "a renamed executable": (upload("scan.pdf", b"MZ\x90\x00" + b"\x00" * 200), "isn't a PDF, JPEG or PNG"),
    "an empty file": (upload("scan.pdf", b""), "The file is empty"),
    "a PNG named .pdf": (upload("scan.pdf", picture_bytes("PNG")), "named as a .pdf file but it is a PNG picture"),
    "a PDF named .jpg": (upload("scan.jpg", pdf_bytes()), "named as a .jpg file but it is a PDF"),
    "a password-protected PDF": (upload("scan.pdf", pdf_bytes(password="secret")), "protected by a password"),
    "a damaged PDF": (upload("scan.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 40), "This PDF can't be read"),
    "a damaged JPEG": (upload("scan.jpg", b"\xff\xd8\xff\xe0" + b"\x13" * 300), "This JPEG picture can't be opened"),
    "a text file": (upload("notes.txt", b"Patient agreed on the phone"), "isn't a PDF, JPEG or PNG"),
}


@pytest.mark.parametrize("name", list(BAD_SCANS))
def test_a_bad_scan_is_refused_with_what_to_do_and_nothing_is_recorded(case_a, nurse, private_root, name):
    scan, words = BAD_SCANS[name]
    with pytest.raises(StaffRecordRefused) as refused:
        record(case_a, nurse, scan=scan)
    assert words in refused.value.problems["scan"]
    assert case_a.refresh().status != Status.SIGNED
    assert stored_scans(private_root) == []


def test_a_scan_over_the_limit_is_refused_by_its_size_before_it_is_read(case_a, nurse, settings):
    settings.PROCEED_SCAN_MAX_BYTES = 5 * 1024 * 1024

    class Unread(SimpleUploadedFile):
        def read(self, *args):
            raise AssertionError("the file was read")

    big = Unread("scan.pdf", b"%PDF-", content_type="application/pdf")
    big.size = 30 * 1024 * 1024
    with pytest.raises(StaffRecordRefused) as refused:
        record(case_a, nurse, scan=big)
    assert refused.value.problems["scan"].startswith("The file is 30.0 MB; the most is 5.0 MB.")


@pytest.mark.parametrize("kind", ["PNG", "JPEG"])
def test_a_photo_of_the_form_is_kept_as_a_picture(case_a, nurse, kind):
    extension = "png" if kind == "PNG" else "jpg"
    kept = record(case_a, nurse, scan=upload(f"photo.{extension}", picture_bytes(kind), "image/whatever"))
    assert kept.scan_content_type == f"image/{kind.lower()}"
    assert kept.scan.name.endswith(f"{kept.document_id}.{extension}") and kept.scan_pages == 1


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"obtained_at": timezone.now() + datetime.timedelta(days=1)}, "obtained_at", "in the future"),
        ({"obtained_at": timezone.now() - datetime.timedelta(days=30)}, "obtained_at", "before this request was"),
        ({"obtained_by_name": "  "}, "obtained_by_name", "name of the person who obtained"),
        ({"method": "in_person_interpreter"}, "interpreter_name", "interpreter's name"),
        ({"scan": None}, "scan", "Choose the scan of the signed paper form"),
        ({"representative_name": "Tom López"}, "representative_relationship", "relationship"),
        ({"decision": "discuss"}, "decision", "consented or refused"),
    ],
)
def test_what_cant_be_recorded_is_refused_by_field(case_a, nurse, private_root, overrides, field, words):
    if overrides.get("obtained_at") and overrides["obtained_at"] < timezone.now():
        overrides["obtained_at"] = case_a.request.created_at - datetime.timedelta(minutes=1)
    with pytest.raises(StaffRecordRefused) as refused:
        record(case_a, nurse, **overrides)
    assert words in refused.value.problems[field]
    assert not StaffRecordedConsent.objects.exists() and stored_scans(private_root) == []


# The staff pages ---------------------------------------------------------------------------------


def form_data(**overrides) -> dict:
    now = timezone.localtime() - datetime.timedelta(minutes=30)
    return {
        "decision": "consent",
        "method": "paper",
        "obtained_by_name": "Dr Priya Shah",
        "obtained_by_role": "Consultant",
        "obtained_date": f"{now:%Y-%m-%d}",
        "obtained_time": f"{now:%H:%M}",
        "interpreter_name": "",
        "interpreter_language": "",
        "representative_name": "",
        "representative_relationship": "",
        "note": "Signed in clinic room 3 with her daughter present.",
        "scan": upload("consent.pdf", pdf_bytes()),
    } | overrides


def record_url(case) -> str:
    return reverse("staff:record_consent", args=[case.request.public_id])


def test_the_form_is_prefilled_with_the_nurses_name_and_linked_from_the_case(client, nurse, case_a):
    nurse.first_name, nurse.last_name = "Nina", "Okafor"
    nurse.save()
    client.force_login(nurse)
    case_page = client.get(reverse("staff:case", args=[case_a.request.public_id])).content.decode()
    assert record_url(case_a) in case_page and "Record a consent taken outside the link" in case_page
    page = client.get(record_url(case_a)).content.decode()
    assert 'value="Nina Okafor"' in page and 'enctype="multipart/form-data"' in page


def test_a_refused_file_keeps_everything_typed_and_says_to_choose_the_file_again(client, nurse, case_a):
    client.force_login(nurse)
    response = client.post(record_url(case_a), form_data(scan=upload("scan.pdf", b"MZ\x90\x00fake program")))
    page = response.content.decode()
    assert response.status_code == 200
    assert "This file isn&#x27;t a PDF, JPEG or PNG" in page and "choose that file" in page
    assert "Signed in clinic room 3 with her daughter present." in page
    assert 'value="Dr Priya Shah"' in page and 'value="Consultant"' in page
    assert 'id="error-summary"' in page
    assert case_a.refresh().status == Status.CREATED


def test_another_mistake_says_the_chosen_file_must_be_chosen_again(client, nurse, case_a):
    client.force_login(nurse)
    tomorrow = timezone.localtime() + datetime.timedelta(days=1)
    page = client.post(record_url(case_a), form_data(obtained_date=f"{tomorrow:%Y-%m-%d}")).content.decode()
    assert "in the future" in page and "choose it again" in page
    assert not StaffRecordedConsent.objects.exists()


def test_recording_on_a_finished_request_shows_why_and_no_form(client, nurse, signed_case):
    client.force_login(nurse)
    page = client.get(record_url(signed_case)).content.decode()
    assert "already signed their decision through their link" in page and 'name="decision"' not in page
    posted = client.post(record_url(signed_case), form_data()).content.decode()
    assert "already signed their decision through their link" in posted
    assert not StaffRecordedConsent.objects.exists()


def test_after_recording_the_case_shows_it_as_recorded_by_staff_with_the_scan_and_the_sealed_record(
    client, nurse, case_a, django_capture_on_commit_callbacks
):
    client.force_login(nurse)
    data = pdf_bytes(pages=2)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(record_url(case_a), form_data(scan=upload("Ana consent.pdf", data)))
    assert response.status_code == 302
    kept = StaffRecordedConsent.objects.get()
    assert StaffRecordDocument.objects.filter(record=kept).exists(), "the cover record was rendered after commit"

    page = html.unescape(client.get(response["Location"]).content.decode())
    assert "Recorded by staff" in page and "This is not the patient's electronic signature." in page
    assert "Signed record" not in page and "Download the signed PDF" not in page
    assert "Paper consent form" in page and "Dr Priya Shah" in page and kept.document_id in page
    assert "Record a consent taken outside the link" not in page

    scan = client.get(reverse("staff:staff_record_scan", args=[case_a.request.public_id]))
    assert scan["Content-Type"] == "application/pdf"
    assert scan["Content-Disposition"] == f'attachment; filename="{kept.document_id}.pdf"'
    assert "no-cache" in scan["Cache-Control"] and b"".join(scan.streaming_content) == data

    cover = client.get(reverse("staff:staff_record_pdf", args=[case_a.request.public_id]))
    document = StaffRecordDocument.objects.get()
    assert cover["Content-Disposition"] == f'attachment; filename="{document.document_id}.pdf"'
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(b"".join(cover.streaming_content))).pages)
    assert "Recorded by staff — this is not the patient's electronic signature" in " ".join(text.split())
    assert kept.scan_sha256 in text.replace("\n", "")


def test_a_picture_scan_downloads_as_that_picture_with_a_neutral_name(client, nurse, case_a):
    kept = record(case_a, nurse, scan=upload("Ana Lopez.jpg", picture_bytes("JPEG")))
    client.force_login(nurse)
    scan = client.get(reverse("staff:staff_record_scan", args=[case_a.request.public_id]))
    assert scan["Content-Type"] == "image/jpeg" and scan["X-Content-Type-Options"] == "nosniff"
    assert scan["Content-Disposition"] == f'attachment; filename="{kept.document_id}.jpg"'


def test_the_cover_record_says_what_was_recorded_and_names_the_scan(case_a, nurse):
    kept = record(
        case_a, nurse, method="in_person_interpreter", interpreter_name="Lucía Gómez", interpreter_language="Spanish"
    )
    cover = html.unescape(staff_record_pdf_html(kept, document_id="PRS-TEST"))
    assert "Recorded by staff — this is not the patient's electronic signature" in cover
    for words in ("In person, with an interpreter", "Lucía Gómez (Spanish)", "Dr Priya Shah", "Consultant"):
        assert words in cover
    assert kept.scan_sha256 in cover and "2 pages" in cover and case_a.request.patient.full_name in cover


def test_the_dashboard_marks_the_row_recorded_by_staff(client, nurse, case_a, case_b):
    record(case_a, nurse)
    sign_case(case_b)
    client.force_login(nurse)
    page = client.get(reverse("staff:index")).content.decode()
    rows = {name: row for row in page.split("<tr>") for name in ("Ana María López", "Bob Brown") if name in row}
    assert "Recorded by staff" in rows["Ana María López"]
    assert "Recorded by staff" not in rows["Bob Brown"]


# The patient's side ------------------------------------------------------------------------------


def test_the_patient_sees_their_decision_was_recorded_by_the_clinic_with_no_download_or_withdrawal(
    client, nurse, case_a, settings
):
    record(case_a, nurse)
    born = case_a.request.patient.date_of_birth
    client.post(f"{case_a.url}identity/", {"day": born.day, "month": born.month, "year": born.year})
    page = client.get(f"{case_a.url}done/").content.decode()
    assert "Your decision was recorded by the clinic on" in page and "from a paper consent form" in page
    assert settings.CLINIC_PHONE in page
    assert "Download your signed record" not in page and "Withdraw my consent" not in page
    assert client.get(f"{case_a.url}records.pdf")["Location"].endswith("/done/")
    with pytest.raises(services.ConsentError, match="recorded by the clinic"):
        services.withdraw_consent(consent_request=case_a.refresh(), reason="", ip=None)
    assert case_a.refresh().status == Status.SIGNED


# What assumed a signature ------------------------------------------------------------------------


def test_the_checklist_and_the_day_of_confirmation_work_as_for_an_e_signed_consent(case_a, nurse):
    ConsentRequest.objects.filter(pk=case_a.request.pk).update(
        appointment_at=timezone.now() + datetime.timedelta(hours=1)
    )
    case_a.refresh()
    kept = record(case_a, nurse)
    request = case_a.refresh()
    for key in services.checklist_items(request):
        services.record_checklist_entry(
            consent_request=request, item_key=key, state="done", user=nurse, override_reason="ok"
        )
    services.sign_off_checklist(consent_request=request, user=nurse, password=PASSWORD)
    request = case_a.refresh()
    assert request.can_confirm
    checklist = checklist_pdf_html(request)
    assert "recorded by staff (paper consent form; not an e-signature)" in checklist and kept.document_id in checklist
    keys = [matter.key for matter in services.open_matters(request)]
    services.confirm_on_the_day(consent_request=request, user=nurse, acknowledged=keys)
    assert case_a.refresh().status == Status.CONFIRMED


def test_the_confirmation_page_says_recorded_by_staff(client, nurse, case_a):
    record(case_a, nurse)
    client.force_login(nurse)
    page = client.get(reverse("staff:confirm", args=[case_a.request.public_id])).content.decode()
    assert "Consent recorded by staff" in page and "Consent signed" not in page


def test_verify_records_checks_the_row_and_the_scan_against_the_audit_chain(case_a, nurse):
    kept = record(case_a, nurse)
    documents.store_staff_record_document(kept)
    check = RecordCheck()
    assert list(check.findings()) == []
    assert (check.staff_records, check.staff_record_documents) == (1, 1)

    with kept.scan.storage.open(kept.scan.name, "wb") as replaced:  # the scan swapped in storage
        replaced.write(pdf_bytes(pages=1))
    [finding] = RecordCheck().findings()
    assert kept.document_id in finding.what and "stored scan is not the one recorded" in finding.problem

    # And the row changed in the database, by someone who switched PostgreSQL's append-only trigger off.
    tamper("UPDATE consent_staffrecordedconsent SET obtained_by_name = 'Someone else' WHERE id = %s", [kept.pk])
    [finding] = RecordCheck().findings()
    assert "no longer matches the digest" in finding.problem


def test_verify_records_command_reports_staff_records(case_a, nurse, capsys):
    documents.store_staff_record_document(record(case_a, nurse))
    call_command("verify_records")
    assert "1 decision recorded by staff (and their scans) and 1 record of them match" in capsys.readouterr().out


def test_the_public_verify_page_recognises_the_sealed_cover_record(case_a, nurse):
    document = documents.store_staff_record_document(record(case_a, nurse))
    result = verify_pdf(document.file.open("rb").read())
    assert result.outcome == "verified" and result.is_staff_record
    assert result.recorded_document_id == document.record.document_id


def test_a_content_admin_gets_neither_the_form_nor_the_scan_nor_the_record(client, nurse, content_admin, case_a):
    record(case_a, nurse)
    client.force_login(content_admin)
    for name in ("staff:record_consent", "staff:staff_record_scan", "staff:staff_record_pdf"):
        response = client.get(reverse(name, args=[case_a.request.public_id]))
        assert response.status_code == 403
        assert case_a.request.patient.full_name not in response.content.decode()
