"""A withdrawal gets its own sealed record, and /verify/ on the consent it withdraws says so."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from consent import services
from consent.models import ConsentDocument, WithdrawalDocument
from procedures.models import Risk
from procedures.services import publish_procedure
from records import documents
from records.seal import read_seal
from tests.conftest import PATIENT_A, Case, add_spanish, build_procedure, complete_journey, make_case, sign_case


def read(document) -> bytes:
    with document.file.open("rb") as file:
        return file.read()


def text_of_pdf(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def page_text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", response.content.decode()).split())


def verify(data: bytes):
    return Client().post(
        "/verify/", {"document": SimpleUploadedFile("record.pdf", data, content_type="application/pdf")}
    )


def patient_client(case) -> Client:
    client = Client()
    dob = PATIENT_A["date_of_birth"]
    client.post(f"{case.url}identity/", {"day": dob.day, "month": dob.month, "year": dob.year})
    return client


@pytest.fixture
def withdrawn(signed_case, django_capture_on_commit_callbacks):
    consent_document = documents.store_consent_document(signed_case.request.signature)
    before = read(consent_document)
    client = patient_client(signed_case)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{signed_case.url}withdraw/", {"reason": "I want to wait until after the summer."})
    assert response.status_code == 302
    signed_case.refresh()
    return signed_case, client, consent_document, before


def test_withdrawing_makes_a_sealed_record_that_names_and_hashes_the_consent_it_withdraws(withdrawn):
    case, _client, consent_document, before = withdrawn
    record = WithdrawalDocument.objects.get(request=case.request)
    data = read(record)

    assert record.withdraws == consent_document and record.sha256 == hashlib.sha256(data).hexdigest()
    assert read_seal(data).ok, "sealed by the clinic like the consent record"
    text = text_of_pdf(data)
    assert "Withdrawal of consent" in text and record.document_id in text
    assert case.request.signature.document_id in text and consent_document.sha256 in text.replace(" ", "")
    assert "I want to wait until after the summer." in text and "The patient, through their personal link" in text
    assert read(ConsentDocument.objects.get(pk=consent_document.pk)) == before, "the consent record never changes"
    assert case.request.audit_events.filter(action="withdrawal_document_rendered").exists()


def test_the_patient_and_the_nurse_can_download_both_records(withdrawn, client, nurse):
    case, patient, _consent_document, _before = withdrawn
    done = patient.get(f"{case.url}done/").content.decode()
    assert "Download your signed record (PDF)" in done and "Download the record of your withdrawal (PDF)" in done
    for url in (f"{case.url}records.pdf", f"{case.url}withdrawal.pdf"):
        response = patient.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"

    client.force_login(nurse)
    page = client.get(reverse("staff:case", args=[case.request.public_id])).content.decode()
    record = WithdrawalDocument.objects.get(request=case.request)
    assert f"Download the withdrawal record ({record.document_id})" in page
    response = client.get(reverse("staff:withdrawal_pdf", args=[case.request.public_id]))
    assert b"".join(response.streaming_content) == read(record)


def test_verify_says_the_original_is_genuine_and_was_withdrawn_on_that_date_with_no_personal_data(withdrawn):
    case, _client, consent_document, _before = withdrawn
    original = page_text(verify(read(consent_document)))
    withdrawal = page_text(verify(read(WithdrawalDocument.objects.get(request=case.request))))

    assert "Genuine and unchanged" in original and "This consent was withdrawn" in original
    assert f"withdrew this consent on {case.request.withdrawn_at:%-d %B %Y}" in original
    assert "Genuine and unchanged" in withdrawal and "record of a withdrawal of consent" in withdrawal
    assert case.request.signature.document_id in withdrawal
    for page in (original, withdrawal):
        assert "Ana" not in page and "López" not in page and "1950" not in page and "summer" not in page


def test_a_withdrawal_whose_record_failed_to_render_is_made_when_downloaded_or_by_the_command(signed_case, monkeypatch):
    patient = patient_client(signed_case)
    monkeypatch.setattr("records.tasks.store_withdrawal_document", lambda request: 1 / 0)
    patient.post(f"{signed_case.url}withdraw/", {"reason": ""})
    monkeypatch.undo()
    assert not WithdrawalDocument.objects.exists()

    call_command("render_pending_documents", stdout=io.StringIO())

    record = WithdrawalDocument.objects.get(request=signed_case.request)
    assert "No reason given" in text_of_pdf(read(record))


def test_verify_says_a_newer_consent_replaces_one_signed_before_a_material_change(
    nurse, published_procedure, signed_case
):
    original = documents.store_consent_document(signed_case.request.signature)
    Risk.objects.filter(procedure=published_procedure).update(severity="serious")
    services.publish_content(procedure=published_procedure, user=None, change_summary="Serious", is_material=True)
    signed_case.refresh()
    new_request, token = services.request_reconsent(consent_request=signed_case.request, user=nurse)
    assert new_request.replaces == signed_case.request
    newer = Case(request=new_request, token=token)
    before = page_text(verify(read(original)))
    complete_journey(newer)
    signature = services.sign(
        consent_request=new_request,
        decision="consent",
        typed_name=new_request.patient.full_name,
        signer="patient",
        ip=None,
    )

    after = page_text(verify(read(original)))
    assert "A newer consent replaces this one" not in before
    assert "A newer consent replaces this one" in after and signature.document_id in after
    assert "Genuine and unchanged" in after


def test_the_spanish_patients_withdrawal_record_is_in_spanish(spanish_signed_case, django_capture_on_commit_callbacks):
    case = spanish_signed_case
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_consent(consent_request=case.request, reason="", ip=None)
    text = text_of_pdf(read(WithdrawalDocument.objects.get(request=case.request)))
    assert "Retirada del consentimiento" in text and "Consent withdrawn" not in text


@pytest.fixture
def spanish_signed_case(db):
    procedure = add_spanish(build_procedure())
    publish_procedure(procedure=procedure, published_by=None, change_summary="With Spanish", is_material=False)
    case = make_case(
        procedure,
        {"mrn": "MRN-ES-9", "full_name": "José Ángel Núñez", "date_of_birth": PATIENT_A["date_of_birth"]},
    )
    case.request.language = "es"
    case.request.save(update_fields=["language"])
    sign_case(case)
    case.refresh()
    return case


def test_the_re_consent_trail_links_both_ways_clears_the_flag_and_allows_one_at_a_time(
    client, nurse, published_procedure, signed_case
):
    original = signed_case.request
    Risk.objects.filter(procedure=published_procedure).update(severity="serious")
    services.publish_content(procedure=published_procedure, user=None, change_summary="Serious", is_material=True)
    signed_case.refresh()
    client.force_login(nurse)
    flagged = client.get(reverse("staff:index"), {"flag": "content_changed"}).content.decode()
    assert "Ana María López" in flagged

    new_request, token = services.request_reconsent(consent_request=signed_case.request, user=nurse)

    with pytest.raises(services.ConsentError, match="already open"):
        services.request_reconsent(consent_request=signed_case.request, user=nurse)
    old_page = client.get(reverse("staff:case", args=[original.public_id])).content.decode()
    new_page = client.get(reverse("staff:case", args=[new_request.public_id])).content.decode()
    assert (
        reverse("staff:case", args=[new_request.public_id]) in old_page and "Send a re-consent request" not in old_page
    )
    assert reverse("staff:case", args=[original.public_id]) in new_page and "This is a re-consent request" in new_page
    unflagged = client.get(reverse("staff:index"), {"flag": "content_changed"}).content.decode()
    assert "Ana María López" not in unflagged

    newer = Case(request=new_request, token=token)
    complete_journey(newer)
    signature = services.sign(
        consent_request=new_request,
        decision="consent",
        typed_name=new_request.patient.full_name,
        signer="patient",
        ip=None,
    )
    text = text_of_pdf(read(documents.store_consent_document(signature)))
    assert f"This consent replaces the one in document {original.signature.document_id}" in text
