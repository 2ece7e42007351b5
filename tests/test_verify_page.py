"""/verify/: anyone can check a consent record PDF, and learns nothing about the patient."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import dateformat, timezone
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from consent.models import ConsentDocument
from records import documents
from records.pdf import html_to_pdf
from records.seal import read_seal, seal_pdf, write_signing_pair
from records.verify_views import MAX_UPLOAD_BYTES
from tests.conftest import PATIENT_A

URL = "/verify/"
VERIFIED = "This is an unaltered Proceed consent record"
CHANGED = (
    "This document has been changed since it was sealed, or it was not sealed by this clinic. "
    "Do not rely on it; contact the clinic."
)
NOT_A_PDF = "This is not a PDF we can check"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


def stored_pdf(document: ConsentDocument) -> bytes:
    with document.file.open("rb") as file:
        return file.read()


@pytest.fixture
def client():
    """Anyone: no one is signed in."""
    return Client()


@pytest.fixture
def document(signed_case) -> ConsentDocument:
    return documents.store_consent_document(signed_case.request.signature)


def upload(client, data: bytes, name: str = "consent-record.pdf", content_type: str = "application/pdf"):
    return client.post(URL, {"document": SimpleUploadedFile(name, data, content_type=content_type)})


def text_of(response) -> str:
    """The page's text without its tags, whitespace collapsed."""
    html = response.content.decode()
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def appended_update(pdf: bytes) -> bytes:
    """The PDF with an incremental update after the seal, as a PDF editor would append one."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    writer.root["/Lang"] = generic.TextStringObject("fr")
    writer.update_root()
    writer.document_meta.title = "Edited after sealing"
    out = io.BytesIO()
    writer.write(out)
    edited = out.getvalue()
    assert edited.startswith(pdf) and len(edited) > len(pdf)
    return edited


# The page ---------------------------------------------------------------------------------------


def test_the_page_shows_the_upload_form_to_anyone(client):
    response = client.get(URL)

    assert response.status_code == 200
    text = text_of(response)
    assert "Check a consent record" in text
    assert 'type="file"' in response.content.decode()
    assert 'enctype="multipart/form-data"' in response.content.decode()
    assert "up to 5 MB" in text
    assert "Nothing about the patient is shown" in text


def test_the_page_is_reached_without_signing_in(client):
    response = client.get(URL, follow=False)
    assert response.status_code == 200
    assert "login" not in response.get("Location", "")


# Untouched and changed records ---------------------------------------------------------------------


def test_an_untouched_record_verifies_with_its_document_id_and_sealing_time(client, document):
    data = stored_pdf(document)
    sealed_at = timezone.localtime(read_seal(data).sealed_at)

    response = upload(client, data)

    assert response.status_code == 200
    text = text_of(response)
    expected_time = f"{dateformat.format(sealed_at, 'j F Y')} at {dateformat.format(sealed_at, 'H:i T')}"
    assert (
        f"This is an unaltered Proceed consent record: document {document.signature.document_id}, "
        f"sealed on {expected_time} by Riverside Spine Clinic." in text
    )
    assert re.search(r"sealed on \d{1,2} [A-Z][a-z]+ \d{4} at \d\d:\d\d [A-Z]{3,4} by", text)


def test_a_verified_record_reveals_nothing_about_the_patient(client, document):
    patient = document.signature.request.patient
    response = upload(client, stored_pdf(document))

    page = response.content.decode()
    assert VERIFIED in text_of(response)
    for personal in (
        PATIENT_A["full_name"],
        "López",
        "Ana",
        PATIENT_A["mrn"],
        "1950",
        "14 March",
        "14 Mar",
        patient.email,
        "Dr Rivera",
        "Test procedure",
    ):
        assert personal not in page, personal


def test_one_changed_byte_fails(client, document):
    data = bytearray(stored_pdf(document))
    data[len(data) // 2] ^= 0x01

    response = upload(client, bytes(data))

    assert CHANGED in text_of(response)
    assert VERIFIED not in text_of(response)
    assert document.signature.document_id not in response.content.decode()


def test_an_update_appended_after_sealing_fails(client, document):
    edited = appended_update(stored_pdf(document))
    check = read_seal(edited)
    assert check.intact and check.trusted  # the sealed bytes are untouched ...
    assert not check.whole_file  # ... but something was added after them

    response = upload(client, edited)

    assert CHANGED in text_of(response)


def test_a_record_sealed_with_another_key_fails(client, signed_case, tmp_path):
    # Stored by this server (so its SHA-256 is on file), but sealed with someone else's key.
    other = write_signing_pair(tmp_path, common_name="Riverside Spine Clinic", organization="Riverside Spine Clinic")
    with override_settings(PROCEED_SIGNING_KEY=other.key_path, PROCEED_SIGNING_CERT=other.cert_path):
        document = documents.store_consent_document(signed_case.request.signature)
    data = stored_pdf(document)
    check = read_seal(data)
    assert check.intact and not check.trusted

    response = upload(client, data)

    assert CHANGED in text_of(response)
    assert document.signature.document_id not in response.content.decode()


def test_a_pdf_sealed_by_the_clinic_but_never_stored_fails(client, db):
    # A valid seal alone is not enough: the file must be one the clinic stored.
    data = seal_pdf(html_to_pdf("<title>Consent record PRC-FAKE</title><p>Looks official</p>")[0])
    assert read_seal(data).ok

    response = upload(client, data)

    assert CHANGED in text_of(response)


def test_an_unsealed_pdf_fails(client, db):
    response = upload(client, html_to_pdf("<p>Consent record, typed up again</p>")[0])
    assert CHANGED in text_of(response)


# Not a PDF, too big, nothing chosen ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("photo.pdf", PNG),
        ("notes.pdf", b"I consent to everything.\n"),
        ("broken.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 100),
        ("half.pdf", b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog"),
    ],
)
def test_a_file_that_is_not_a_readable_pdf_is_not_checked(client, db, name, data):
    response = upload(client, data, name=name)

    assert response.status_code == 200
    text = text_of(response)
    assert NOT_A_PDF in text
    assert "exactly as it was downloaded or emailed" in text
    assert CHANGED not in text


def test_an_oversized_upload_gets_the_size_message(client, db):
    data = b"%PDF-1.7\n" + b"0" * MAX_UPLOAD_BYTES

    response = upload(client, data)

    text = text_of(response)
    assert "This file is larger than 5 MB" in text
    assert "Choose the PDF you downloaded from Proceed or received from the clinic" in text
    assert VERIFIED not in text
    assert CHANGED not in text
    assert NOT_A_PDF not in text


def test_posting_without_a_file_asks_for_one(client, db):
    response = client.post(URL, {})
    assert "Choose the consent record PDF to check." in text_of(response)


def test_an_empty_file_is_refused_plainly(client, db):
    response = upload(client, b"")
    assert "That file is empty." in text_of(response)


# Bounded work -------------------------------------------------------------------------------------------


def test_too_many_checks_from_one_address_are_refused_for_a_while(client, db):
    for _ in range(20):
        assert upload(client, b"not a pdf").status_code == 200

    response = upload(client, b"not a pdf")

    assert response.status_code == 429
    assert "Please wait 10 minutes and try again" in text_of(response)


def test_without_the_clinics_certificate_the_page_says_it_cannot_check(client, document, tmp_path):
    data = stored_pdf(document)
    with override_settings(PROCEED_SIGNING_CERT=tmp_path / "missing.pem"):
        response = upload(client, data)

    assert response.status_code == 503
    assert "We can't check documents right now" in text_of(response)


def test_the_record_says_where_to_check_it(signed_case):
    from records.pdf import consent_pdf_html

    html = consent_pdf_html(signed_case.request.signature)

    assert "To check that it has not been changed, upload it at http://127.0.0.1:8000/verify/" in html
