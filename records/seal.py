"""Signed PDFs: the clinic's seal on each consent record (where they are kept: `consent.storage`).

- `seal_pdf` adds a PAdES B-B signature made with the clinic's key and
  certificate (settings PROCEED_SIGNING_KEY, PROCEED_SIGNING_CERT and, if the key
  is encrypted, PROCEED_SIGNING_KEY_PASSWORD). It is a certification signature
  that allows no later changes. There is no timestamp server: sealing never goes
  to the network.
- `read_seal` checks a PDF's seal with the clinic's certificate as the only
  trust root; the public /verify/ page uses it.
- `write_signing_pair` makes a self-signed key and certificate, for development
  (`manage.py make_dev_signing_certificate`) and for the tests.
- System checks warn at start-up when records could not be sealed.

pyHanko is imported inside the functions that use it, so starting the app (and the
system checks below) stays light.
"""

from __future__ import annotations

import datetime
import io
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core import checks

SEAL_FIELD_NAME = "ProceedSeal"
SIGNING_SETTINGS = "PROCEED_SIGNING_KEY and PROCEED_SIGNING_CERT"
DEV_KEY_NAME = "seal-key.pem"
DEV_CERT_NAME = "seal-cert.pem"
DEV_CERT_DAYS = 730


class SigningNotConfigured(Exception):
    """The clinic's signing key or certificate is missing or unusable, so no record can be sealed.

    Rendering stops before anything is stored; the signature is kept and the PDF
    stays pending until the key is in place (`manage.py render_pending_documents`).
    """


class NotAPdf(Exception):
    """The bytes are not a PDF that can be checked (not a PDF at all, damaged, or encrypted)."""


# The clinic's key and certificate -------------------------------------------------------


def signing_paths() -> tuple[Path, Path]:
    return Path(settings.PROCEED_SIGNING_KEY), Path(settings.PROCEED_SIGNING_CERT)


def load_clinic_certificate() -> x509.Certificate:
    """The clinic's certificate, as configured. Raises SigningNotConfigured if it can't be read."""
    _, cert_path = signing_paths()
    try:
        data = cert_path.read_bytes()
    except OSError as error:
        raise SigningNotConfigured(
            f"The clinic's signing certificate {cert_path} can't be read ({error.strerror or error}). "
            f"Set {SIGNING_SETTINGS} to the clinic's PEM files, or for development run "
            "`python manage.py make_dev_signing_certificate`."
        ) from None
    try:
        return x509.load_pem_x509_certificate(data) if b"-----BEGIN" in data else x509.load_der_x509_certificate(data)
    except ValueError:
        raise SigningNotConfigured(f"PROCEED_SIGNING_CERT={cert_path} is not a PEM or DER X.509 certificate.") from None


def load_clinic_key_and_certificate() -> tuple[PrivateKeyTypes, x509.Certificate]:
    """The clinic's private key and certificate, checked to belong together."""
    key_path, cert_path = signing_paths()
    try:
        key_data = key_path.read_bytes()
    except OSError as error:
        raise SigningNotConfigured(
            f"The clinic's signing key {key_path} can't be read ({error.strerror or error}). "
            f"Set {SIGNING_SETTINGS} to the clinic's PEM files, "
            "or for development run `python manage.py make_dev_signing_certificate`."
        ) from None
    certificate = load_clinic_certificate()
    password = settings.PROCEED_SIGNING_KEY_PASSWORD or None
    try:
        key = serialization.load_pem_private_key(key_data, password=password.encode() if password else None)
    except TypeError:
        raise SigningNotConfigured(
            f"The signing key {key_path} is encrypted: set PROCEED_SIGNING_KEY_PASSWORD."
            if not password
            else f"The signing key {key_path} is not encrypted: leave PROCEED_SIGNING_KEY_PASSWORD empty."
        ) from None
    except ValueError:
        raise SigningNotConfigured(
            f"PROCEED_SIGNING_KEY={key_path} can't be read as a PEM private key"
            + (" with PROCEED_SIGNING_KEY_PASSWORD (is the password right?)." if password else ".")
        ) from None
    if _public_der(key.public_key()) != _public_der(certificate.public_key()):
        raise SigningNotConfigured(
            f"PROCEED_SIGNING_KEY ({key_path}) is not the key of the certificate PROCEED_SIGNING_CERT ({cert_path})."
        )
    return key, certificate


def _public_der(public_key) -> bytes:
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def clinic_seal_signer():
    """A pyHanko signer holding the clinic's key and certificate."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key, certificate = load_clinic_key_and_certificate()
    key_der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER)),
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore(),
    )


# Sealing ----------------------------------------------------------------------------------


def seal_pdf(pdf: bytes, *, signer=None) -> bytes:
    """The PDF with the clinic's seal: a PAdES B-B certification signature that allows no changes.

    The seal is invisible (the record's layout is untouched) and is added as an
    incremental update, so the PDF/A content stays as WeasyPrint wrote it. Its
    signing time (/M) is the sealing time the /verify/ page shows.
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    signer = signer or clinic_seal_signer()
    metadata = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD_NAME,
        reason=f"Consent record sealed by {settings.CLINIC_NAME}",
        name=settings.CLINIC_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    return signers.sign_pdf(writer, metadata, signer=signer).getvalue()


# Checking a seal --------------------------------------------------------------------------


@dataclass(frozen=True)
class SealCheck:
    """What a PDF's seal says, checked against the clinic's certificate."""

    sealed: bool  # there is a seal field with a signature in it
    intact: bool  # the signed bytes are unchanged
    trusted: bool  # made with the clinic's key (the configured certificate is the only trust root)
    whole_file: bool  # it covers the entire file: nothing was appended after sealing
    sealed_at: datetime.datetime | None

    @property
    def ok(self) -> bool:
        return self.sealed and self.intact and self.trusted and self.whole_file


NOT_SEALED = SealCheck(sealed=False, intact=False, trusted=False, whole_file=False, sealed_at=None)


def read_seal(pdf: bytes) -> SealCheck:
    """Check the clinic's seal on a PDF. Raises NotAPdf if the bytes can't be read as a PDF.

    The seal must be intact, made with the clinic's certificate (the only trust
    root; no network look-ups), and cover the whole file: an incremental update
    appended after sealing fails, however harmless it looks. The certificate is
    judged at the sealing time the signature states, so records sealed before
    the certificate expired keep verifying; the /verify/ page also requires the
    file's SHA-256 to be one the clinic stored, so a back-dated forgery fails there.
    """
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import KeyUsageConstraints, SignatureCoverageLevel, validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    if not pdf.startswith(b"%PDF-"):
        raise NotAPdf("The file does not start like a PDF.")
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        if reader.encrypted:
            raise NotAPdf("The PDF is encrypted.")
        signatures = [sig for sig in reader.embedded_signatures if sig.field_name == SEAL_FIELD_NAME]
    except NotAPdf:
        raise
    except Exception as error:  # pyHanko raises many kinds of error on damaged or hostile files
        raise NotAPdf(f"The PDF can't be read ({type(error).__name__}).") from None
    if len(signatures) != 1:
        return NOT_SEALED
    seal = signatures[0]
    try:
        sealed_at = seal.self_reported_timestamp
        root = _asn1_certificate(load_clinic_certificate())
        context = ValidationContext(trust_roots=[root], allow_fetching=False, moment=sealed_at)
        status = validate_pdf_signature(
            seal,
            signer_validation_context=context,
            key_usage_settings=KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"}),
            skip_diff=True,  # anything appended after the seal already fails: it must cover the whole file
        )
    except SigningNotConfigured:
        raise
    except Exception:  # a signature that can't even be evaluated is not a valid seal
        return SealCheck(sealed=True, intact=False, trusted=False, whole_file=False, sealed_at=None)
    return SealCheck(
        sealed=True,
        intact=bool(status.intact and status.valid),
        trusted=bool(status.trusted),
        whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        sealed_at=sealed_at,
    )


def _asn1_certificate(certificate: x509.Certificate):
    from asn1crypto import x509 as asn1_x509

    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


# Development and test key pairs ------------------------------------------------------------


@dataclass(frozen=True)
class SigningPair:
    key_path: Path
    cert_path: Path
    certificate: x509.Certificate

    @property
    def fingerprint(self) -> str:
        return self.certificate.fingerprint(hashes.SHA256()).hex(":").upper()


def write_signing_pair(
    directory: Path, *, common_name: str, organization: str, days: int = DEV_CERT_DAYS, overwrite: bool = False
) -> SigningPair:
    """Write a new EC P-256 key (mode 0600) and a self-signed certificate for it into `directory`.

    The certificate may sign documents (digital signature and non-repudiation) and
    nothing else. Refuses to replace existing files unless `overwrite` is set.
    """
    directory = Path(directory)
    key_path, cert_path = directory / DEV_KEY_NAME, directory / DEV_CERT_NAME
    if not overwrite:
        existing = [str(path) for path in (key_path, cert_path) if path.exists()]
        if existing:
            raise FileExistsError(", ".join(existing))
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))  # tolerate a little clock skew
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # "non-repudiation"
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    _write_private(key_path, key_pem)
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return SigningPair(key_path=key_path, cert_path=cert_path, certificate=certificate)


def _write_private(path: Path, data: bytes) -> None:
    """Write a file only its owner can read, from the moment it exists."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(descriptor, 0o600)  # an existing file keeps its old mode through O_CREAT
        os.write(descriptor, data)
    finally:
        os.close(descriptor)


# Start-up checks ----------------------------------------------------------------------------


@checks.register()
def check_signing_key(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """Warn when consent records could not be sealed, so a deployer hears of it before a patient signs."""
    try:
        _, certificate = load_clinic_key_and_certificate()
    except SigningNotConfigured as error:
        return [
            checks.Warning(
                f"Consent records can't be sealed, so signed PDFs will stay pending. {error}", id="consent.W001"
            )
        ]
    found = []
    now = datetime.datetime.now(datetime.UTC)
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        found.append(
            checks.Warning(
                f"The clinic's signing certificate PROCEED_SIGNING_CERT is valid only from "
                f"{certificate.not_valid_before_utc:%Y-%m-%d} to {certificate.not_valid_after_utc:%Y-%m-%d}.",
                hint="Renew the certificate; records sealed while it was valid keep verifying.",
                id="consent.W002",
            )
        )
    key_path, _ = signing_paths()
    if stat.S_IMODE(key_path.stat().st_mode) & 0o077:
        found.append(
            checks.Warning(
                f"The clinic's signing key {key_path} can be read by other users of this machine.",
                hint=f"Run `chmod 600 {key_path}`.",
                id="consent.W003",
            )
        )
    return found
