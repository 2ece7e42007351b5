"""The stored consent record: PDF/A-3b, sealed with the clinic's certificate, kept privately."""

from __future__ import annotations

import hashlib
import io
import os
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.core import checks
from django.core.management import CommandError, call_command
from django.test import override_settings
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.validation import SignatureCoverageLevel, read_certification_data, validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from consent.models import ConsentDocument, Signature
from records import documents
from records.pdf import html_to_pdf, render_consent_pdf
from records.seal import (
    SEAL_FIELD_NAME,
    SigningNotConfigured,
    check_signing_key,
    read_seal,
    seal_pdf,
    write_signing_pair,
)
from tests.conftest import sign_case


def stored_pdf(document: ConsentDocument) -> bytes:
    with document.file.open("rb") as file:
        return file.read()


@pytest.fixture
def document(signed_case) -> ConsentDocument:
    return documents.store_consent_document(signed_case.request.signature)


def missing_key(tmp_path: Path):
    return override_settings(PROCEED_SIGNING_KEY=tmp_path / "no-such-key.pem")


# PDF/A-3b ---------------------------------------------------------------------------------------


def _font_descriptors(reader: PdfReader):
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for font in fonts.get_object().values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                yield font["/BaseFont"], descendant.get_object()["/FontDescriptor"].get_object()


def test_the_stored_record_is_pdf_a_3b_with_every_font_embedded(document):
    reader = PdfReader(io.BytesIO(stored_pdf(document)))
    xmp = reader.xmp_metadata

    assert xmp.pdfaid_part == "3"
    assert xmp.pdfaid_conformance == "B"
    assert "/OutputIntents" in reader.trailer["/Root"]
    descriptors = list(_font_descriptors(reader))
    assert descriptors
    for name, descriptor in descriptors:
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), f"{name} is not embedded"


def test_the_record_names_its_document_id_in_its_metadata(document):
    document_id = document.signature.document_id
    reader = PdfReader(io.BytesIO(stored_pdf(document)))

    assert document_id in reader.metadata.title
    assert document_id in reader.xmp_metadata.dc_title["x-default"]


def test_the_leaflet_stays_a_plain_pdf(case_a):
    from records.pdf import render_information_pdf

    pdf = render_information_pdf(case_a.request)
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.xmp_metadata is None or reader.xmp_metadata.pdfaid_part is None
    assert b"/ByteRange" not in pdf


# The seal ------------------------------------------------------------------------------------------


def test_the_stored_record_carries_a_valid_seal_by_the_clinics_certificate(document):
    data = stored_pdf(document)
    clinic_certificate = load_cert_from_pemder(str(settings.PROCEED_SIGNING_CERT))
    reader = PdfFileReader(io.BytesIO(data))

    [seal] = reader.embedded_signatures
    status = validate_pdf_signature(seal, ValidationContext(trust_roots=[clinic_certificate], allow_fetching=False))

    assert seal.field_name == SEAL_FIELD_NAME
    assert status.bottom_line
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.signing_cert.dump() == clinic_certificate.dump()
    assert status.signer_reported_dt is not None
    assert str(seal.sig_object["/Reason"]) == "Consent record sealed by Riverside Spine Clinic"
    assert seal.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    # A certification signature that allows no changes at all.
    assert read_certification_data(reader).permission == MDPPerm.NO_CHANGES


def test_the_seal_does_not_trust_another_certificate(document, tmp_path):
    other = write_signing_pair(tmp_path, common_name="Someone else", organization="Elsewhere")
    seal = PdfFileReader(io.BytesIO(stored_pdf(document))).embedded_signatures[0]
    context = ValidationContext(trust_roots=[load_cert_from_pemder(str(other.cert_path))], allow_fetching=False)

    status = validate_pdf_signature(seal, context)

    assert status.intact
    assert not status.trusted
    assert not status.bottom_line


def test_read_seal_accepts_the_stored_record(document):
    check = read_seal(stored_pdf(document))
    assert check.ok
    assert check.sealed_at is not None


def test_a_pdf_without_a_seal_is_not_sealed():
    pdf, _ = html_to_pdf("<p>Not a record</p>")
    check = read_seal(pdf)
    assert not check.sealed
    assert not check.ok


def test_sealing_leaves_the_pages_as_they_were(case_a):
    signature = sign_case(case_a)
    from records.pdf import RECORD_PDF_VARIANT, consent_pdf_html

    unsealed, pages = html_to_pdf(consent_pdf_html(signature), pdf_variant=RECORD_PDF_VARIANT)
    sealed = seal_pdf(unsealed)

    assert sealed.startswith(unsealed)  # an incremental update: the drawn record is byte for byte the same
    assert len(PdfReader(io.BytesIO(sealed)).pages) == pages


# Stored privately --------------------------------------------------------------------------------


def test_the_stored_sha256_is_the_hash_of_the_sealed_file(document):
    data = stored_pdf(document)
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert read_seal(data).ok


def test_the_record_is_stored_under_the_private_root_with_mode_0600(document):
    path = Path(document.file.path)
    private_root = Path(settings.PROCEED_PRIVATE_ROOT).resolve()

    assert path.resolve().is_relative_to(private_root)
    assert not path.resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700


def test_no_url_serves_the_stored_record(document, client):
    with pytest.raises(ValueError, match="no URL"):
        document.file.storage.url(document.file.name)

    assert client.get(f"/media/{document.file.name}").status_code == 404


# Without a key ------------------------------------------------------------------------------------


def test_rendering_without_the_key_raises_an_error_that_names_the_settings(signed_case, tmp_path):
    with missing_key(tmp_path), pytest.raises(SigningNotConfigured) as error:
        render_consent_pdf(signed_case.request.signature)

    message = str(error.value)
    assert "PROCEED_SIGNING_KEY" in message
    assert "PROCEED_SIGNING_CERT" in message
    assert "make_dev_signing_certificate" in message


def test_without_the_key_the_pdf_stays_pending_and_is_rendered_once_the_key_is_back(
    case_a, tmp_path, django_capture_on_commit_callbacks
):
    with missing_key(tmp_path), django_capture_on_commit_callbacks(execute=True):
        signature = sign_case(case_a)

    assert Signature.objects.filter(pk=signature.pk).exists()
    assert not ConsentDocument.objects.exists()

    out, err = io.StringIO(), io.StringIO()
    with missing_key(tmp_path), pytest.raises(CommandError):
        call_command("render_pending_documents", stdout=out, stderr=err)
    assert f"Failed {signature.document_id}: SigningNotConfigured" in err.getvalue()
    assert not ConsentDocument.objects.exists()

    call_command("render_pending_documents", stdout=out)

    assert f"Rendered {signature.document_id}" in out.getvalue()
    document = ConsentDocument.objects.get(signature=signature)
    assert read_seal(stored_pdf(document)).ok


# Start-up checks -----------------------------------------------------------------------------------


def test_the_checks_are_quiet_when_the_key_is_in_place():
    assert check_signing_key(None) == []


def test_the_checks_warn_when_the_key_is_missing(tmp_path):
    with missing_key(tmp_path):
        messages = [message for message in checks.run_checks() if message.id == "consent.W001"]

    assert len(messages) == 1
    assert messages[0].level == checks.WARNING
    assert "stay pending" in messages[0].msg
    assert "PROCEED_SIGNING_KEY" in messages[0].msg


def test_the_checks_warn_when_the_key_is_not_the_certificates(tmp_path):
    other = write_signing_pair(tmp_path, common_name="Someone else", organization="Elsewhere")

    with override_settings(PROCEED_SIGNING_KEY=other.key_path):
        [message] = check_signing_key(None)

    assert message.id == "consent.W001"
    assert "is not the key of the certificate" in message.msg


@pytest.mark.parametrize(
    ("password_in_file", "password_in_settings", "expected"),
    [
        (b"right password", "", "set PROCEED_SIGNING_KEY_PASSWORD"),
        (b"right password", "wrong password", "is the password right?"),
    ],
)
def test_an_encrypted_key_needs_its_password(tmp_path, password_in_file, password_in_settings, expected):
    pair = write_signing_pair(tmp_path, common_name="Clinic", organization="Clinic")
    key = serialization.load_pem_private_key(pair.key_path.read_bytes(), password=None)
    pair.key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(password_in_file),
        )
    )
    with override_settings(
        PROCEED_SIGNING_KEY=pair.key_path,
        PROCEED_SIGNING_CERT=pair.cert_path,
        PROCEED_SIGNING_KEY_PASSWORD=password_in_settings,
    ):
        [message] = check_signing_key(None)
        assert expected in message.msg

    with override_settings(
        PROCEED_SIGNING_KEY=pair.key_path,
        PROCEED_SIGNING_CERT=pair.cert_path,
        PROCEED_SIGNING_KEY_PASSWORD="right password",
    ):
        assert check_signing_key(None) == []
        assert read_seal(seal_pdf(html_to_pdf("<p>Sealed</p>")[0])).ok


def test_the_checks_warn_when_others_can_read_the_key(tmp_path):
    pair = write_signing_pair(tmp_path, common_name="Clinic", organization="Clinic")
    pair.key_path.chmod(0o644)

    with override_settings(PROCEED_SIGNING_KEY=pair.key_path, PROCEED_SIGNING_CERT=pair.cert_path):
        [message] = check_signing_key(None)

    assert message.id == "consent.W003"


# The development certificate command -----------------------------------------------------------------


def test_make_dev_signing_certificate_writes_a_private_key_and_a_two_year_certificate(tmp_path):
    out = io.StringIO()
    call_command("make_dev_signing_certificate", "--out", str(tmp_path / "signing"), stdout=out)

    key_path, cert_path = tmp_path / "signing" / "seal-key.pem", tmp_path / "signing" / "seal-cert.pem"
    assert stat.S_IMODE(os.stat(key_path).st_mode) == 0o600
    assert str(key_path) in out.getvalue()
    assert str(cert_path) in out.getvalue()
    certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
    [common_name] = certificate.subject.get_attributes_for_oid(x509.oid.NameOID.COMMON_NAME)
    assert common_name.value == "Riverside Spine Clinic (development)"
    assert certificate.issuer == certificate.subject
    lifetime = certificate.not_valid_after_utc - certificate.not_valid_before_utc
    assert 729 <= lifetime.days <= 731

    with override_settings(PROCEED_SIGNING_KEY=key_path, PROCEED_SIGNING_CERT=cert_path):
        assert read_seal(seal_pdf(html_to_pdf("<p>Sealed</p>")[0])).ok


def test_make_dev_signing_certificate_refuses_to_overwrite_without_force(tmp_path):
    call_command("make_dev_signing_certificate", "--out", str(tmp_path), stdout=io.StringIO())
    first_key = (tmp_path / "seal-key.pem").read_bytes()

    with pytest.raises(CommandError, match="--force"):
        call_command("make_dev_signing_certificate", "--out", str(tmp_path), stdout=io.StringIO())
    assert (tmp_path / "seal-key.pem").read_bytes() == first_key

    call_command("make_dev_signing_certificate", "--out", str(tmp_path), "--force", stdout=io.StringIO())
    assert (tmp_path / "seal-key.pem").read_bytes() != first_key
    assert stat.S_IMODE(os.stat(tmp_path / "seal-key.pem").st_mode) == 0o600
