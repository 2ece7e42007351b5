"""The signed PDF consent record, the information leaflet, and how they are stored and fetched."""

from __future__ import annotations

import hashlib
import io
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone
from pypdf import PdfReader

from consent import services
from consent.models import ConsentDocument, Signature, Status
from consent.services import ConsentError
from procedures.services import publish_procedure
from records import documents
from records.pdf import (
    PdfRenderError,
    RefusedURL,
    StaticFilesFetcher,
    consent_pdf_html,
    html_to_pdf,
    render_consent_pdf,
    render_information_pdf,
    safe_signature_image,
)
from tests.conftest import PATIENT_A, PATIENT_B, build_procedure, complete_journey, make_case, sign_case


def squash(text: str) -> str:
    """Whitespace collapsed to single spaces: WeasyPrint wraps long text over several lines."""
    return " ".join(text.split())


def page_texts(pdf: bytes) -> list[str]:
    return [squash(page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


def stored_pdf(document: ConsentDocument) -> bytes:
    with document.file.open("rb") as file:
        return file.read()


# A real 1×1 PNG, as a signature pad would send it (only much smaller).
PNG_DATA_URL = (
    "data:image/png;base64,"
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def sign_with_drawing(case, drawn_signature: str) -> Signature:
    complete_journey(case)
    return services.sign(
        consent_request=case.request,
        decision="consent",
        typed_name=case.request.patient.full_name,
        signer="patient",
        drawn_signature=drawn_signature,
        ip="203.0.113.9",
        user_agent="pytest",
    )


# The signed record --------------------------------------------------------------------


def test_signing_renders_a_pdf_holding_the_whole_record(case_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        signature = sign_case(case_a)
    document = ConsentDocument.objects.get(signature=signature)
    pages = page_texts(stored_pdf(document))
    text = " ".join(pages)
    version = signature.procedure_version
    content = version.content

    assert document.page_count == len(pages)
    assert "Ana María López" in text
    assert "14 March 1950" in text
    assert PATIENT_A["mrn"] in text
    assert "Test procedure" in text
    assert f"Version {version.number}" in text
    assert version.fingerprint in "".join(text.split())
    for risk in content["risks"]:
        assert risk["title"] in text
    assert "Common: about 1 in 20 people" in text
    assert "Minor: Usually mild" in text
    assert "Bring your medicines." in text
    assert "Do you take blood thinners?" in text
    assert "Right first time" in text
    assert "Can I drive afterwards?" in text
    assert "Decision: agrees to have the procedure" in text
    assert signature.typed_name in text
    assert squash(signature.statement) in text
    assert "203.0.113.9" in text
    signed_at = timezone.localtime(signature.signed_at, ZoneInfo(settings.TIME_ZONE))
    assert f"{signed_at.day} {signed_at:%B %Y, %H:%M %Z}" in text
    assert "Audit trail" in pages[-1]
    assert "Signed consent" in pages[-1]


@pytest.mark.parametrize(("decision", "kind"), [("consent", "Consent record"), ("decline", "Record of decision")])
def test_every_page_says_what_the_document_is_for_whom_and_which_page(case_a, decision, kind):
    signature = sign_case(case_a, decision=decision)
    document = documents.store_consent_document(signature)
    pages = page_texts(stored_pdf(document))
    header = f"{kind} · Test procedure · information version 1"
    footer = f"Ana María López · DOB 14 Mar 1950 · Document {signature.document_id}"

    assert len(pages) >= 2
    assert f"page 1 of {len(pages)}" in pages[0]
    assert f"page {len(pages)} of {len(pages)}" in pages[-1]
    for number, text in enumerate(pages, start=1):
        assert header in text, f"page {number} has no header"
        assert f"{footer} · page {number} of {len(pages)}" in text


def test_stored_sha256_is_the_hash_of_the_file_and_a_second_render_changes_nothing(signed_case):
    signature = signed_case.request.signature
    document = documents.store_consent_document(signature)
    data = stored_pdf(document)
    assert data.startswith(b"%PDF")
    assert document.sha256 == hashlib.sha256(data).hexdigest()

    again = documents.store_consent_document(signature)

    assert again.pk == document.pk
    assert again.file.name == document.file.name
    assert again.sha256 == document.sha256
    assert hashlib.sha256(stored_pdf(again)).hexdigest() == document.sha256
    assert ConsentDocument.objects.filter(signature=signature).count() == 1


def test_a_failed_render_keeps_the_signature_and_the_command_renders_it_later(
    case_a, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(signature):
        raise RuntimeError("the renderer fell over")

    monkeypatch.setattr("records.pdf.render_consent_pdf", broken)
    with django_capture_on_commit_callbacks(execute=True):
        signature = sign_case(case_a)

    assert Signature.objects.filter(pk=signature.pk).exists()
    assert case_a.refresh().status == Status.SIGNED
    assert not ConsentDocument.objects.exists()

    monkeypatch.undo()
    out = io.StringIO()
    call_command("render_pending_documents", stdout=out)

    assert f"Rendered {signature.document_id}" in out.getvalue()
    document = ConsentDocument.objects.get(signature=signature)
    assert document.sha256 == hashlib.sha256(stored_pdf(document)).hexdigest()


def test_render_pending_documents_reports_failures_without_personal_data(signed_case, monkeypatch):
    monkeypatch.setattr("records.pdf.render_consent_pdf", lambda signature: 1 / 0)
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError):
        call_command("render_pending_documents", stdout=out, stderr=err)

    signature = signed_case.request.signature
    assert f"Failed {signature.document_id}: ZeroDivisionError" in err.getvalue()
    output = out.getvalue() + err.getvalue()
    assert PATIENT_A["full_name"] not in output
    assert PATIENT_A["mrn"] not in output
    assert not ConsentDocument.objects.exists()


def test_a_declined_record_says_the_patient_does_not_want_the_procedure(case_a):
    signature = sign_case(case_a, decision="decline")
    html = consent_pdf_html(signature)
    assert "Decision: does not want the procedure" in html
    assert "Record of decision" in html
    assert "agrees to have the procedure" not in html


def test_sample_content_is_labelled_on_the_record(db):
    procedure = build_procedure(slug="sample-procedure", name="Sample procedure")
    procedure.is_sample = True
    procedure.save()
    publish_procedure(procedure=procedure, published_by=None, change_summary="First", is_material=False)
    signature = sign_case(make_case(procedure, PATIENT_B))
    assert "Sample content." in consent_pdf_html(signature)


def test_content_that_is_not_sample_has_no_sample_label(signed_case):
    assert "Sample content" not in consent_pdf_html(signed_case.request.signature)


# The drawn signature ---------------------------------------------------------------------


HOSTILE_DRAWINGS = [
    "javascript:alert(1)",
    "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
    "data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+",
    'data:image/png;base64,AAAA" onerror="alert(1)',
    "data:image/png;base64,SGVsbG8gd29ybGQ=",  # valid base64, but not a PNG
    "DATA:IMAGE/PNG;BASE64,iVBORw0KGgo=",
    "https://example.org/signature.png",
]


@pytest.mark.parametrize("drawn", [d for d in HOSTILE_DRAWINGS if not d.startswith("data:image/png;base64,")])
def test_signing_refuses_a_drawing_that_is_not_a_png_data_url(case_a, drawn):
    with pytest.raises(ConsentError, match="drawn signature couldn't be read"):
        sign_with_drawing(case_a, drawn)
    assert not Signature.objects.filter(request=case_a.request).exists()


@pytest.mark.parametrize("drawn", HOSTILE_DRAWINGS)
def test_the_pdf_embeds_nothing_but_a_real_png(drawn):
    # The PDF's own guard, for anything that got past signing (or was stored before it checked).
    assert safe_signature_image(drawn) == ""


def test_a_drawn_png_signature_is_embedded_in_the_pdf(case_a):
    drawn = PNG_DATA_URL
    signature = sign_with_drawing(case_a, drawn)
    assert f'src="{drawn}"' in consent_pdf_html(signature)

    pdf, _ = render_consent_pdf(signature)
    reader = PdfReader(io.BytesIO(pdf))
    assert any(page.images for page in reader.pages)


# Fetching --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/x.css",
        "http://example.org/static/css/pdf.css",
        "file:///etc/passwd",
        "file:///work/main/static/css/pdf.css",
        "ftp://example.org/x.css",
        "/static/../config/settings.py",
        "/static/%2e%2e/config/settings.py",
        "static:../../etc/passwd",
        "static:/etc/passwd",
        "/static/css/not-there.css",
        "//example.org/static/css/pdf.css",
    ],
)
def test_the_fetcher_refuses_anything_but_static_files_and_data_urls(url):
    with pytest.raises(RefusedURL):
        StaticFilesFetcher().fetch(url)


@pytest.mark.parametrize(
    "url", ["/static/css/pdf.css", "static:css/pdf.css", f"{settings.PROCEED_BASE_URL}/static/css/pdf.css"]
)
def test_the_fetcher_serves_the_apps_own_static_files(url):
    response = StaticFilesFetcher().fetch(url)
    assert response.content_type == "text/css"
    assert b"@page" in response.read()


def test_the_fetcher_serves_data_urls():
    response = StaticFilesFetcher().fetch("data:text/plain;base64,aGVsbG8=")
    assert response.read() == b"hello"


def test_a_document_that_asks_for_anything_from_the_network_is_not_rendered():
    html = '<p>Hello</p><img src="https://example.org/tracker.png">'
    with pytest.raises(PdfRenderError):
        html_to_pdf(html)


# The information leaflet ----------------------------------------------------------------------


def test_information_pdf_explains_the_procedure_and_says_nothing_about_the_patient(case_a):
    pages = page_texts(render_information_pdf(case_a.request))
    text = " ".join(pages)

    assert "Information about your procedure — not a consent form" in text
    assert "Test procedure" in text
    assert "Headache" in text
    assert "Common: about 1 in 20 people" in text
    assert "Minor: Usually mild" in text
    assert "Bring your medicines." in text
    assert "Lie flat" not in text  # quiz answers are not part of the leaflet
    assert f"Test procedure · version 1 · page 1 of {len(pages)}" in pages[0]
    assert PATIENT_A["full_name"] not in text
    assert "López" not in text
    assert PATIENT_A["mrn"] not in text
    assert "1950" not in text


def test_the_audit_page_ends_at_the_signature_so_a_later_render_is_the_same_record(signed_case):
    services.withdraw_consent(consent_request=signed_case.request, reason="", ip=None)

    html = consent_pdf_html(signed_case.request.signature)

    assert "Signed consent" in html
    assert "Withdrew consent" not in html
