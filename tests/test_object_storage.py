"""Sealed records in S3-compatible object storage (PROCEED_STORAGE=s3), against moto's S3.

Encrypted, never overwritten, kept under Object Lock retention, never given a URL, read back and checked
before the record counts; a store that fails leaves the PDF pending, never a half-written record.
"""

from __future__ import annotations

import datetime
import hashlib

import boto3
import pytest
from botocore.exceptions import ClientError
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone
from moto import mock_aws

from consent.models import AuditAction, AuditEvent, ConsentDocument
from consent.storage import PrivateS3Storage, private_storage
from records.documents import store_consent_document
from tests.conftest import sign_case

BUCKET = "proceed-records"
OPTIONS = {
    "bucket_name": BUCKET,
    "region_name": "us-east-1",
    "location": "proceed",
    "access_key": "testing",
    "secret_key": "testing",
    "retention_days": 30,
}


@pytest.fixture
def s3(settings):
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="x")
        client.create_bucket(Bucket=BUCKET, ObjectLockEnabledForBucket=True)
        settings.STORAGES = {
            **settings.STORAGES,
            "private": {"BACKEND": "consent.storage.PrivateS3Storage", "OPTIONS": OPTIONS},
        }
        yield client


def sign_and_render(case, capture):
    """Sign, and run what signing sets off once it commits (the render task, immediate in tests)."""
    with capture(execute=True):
        signature = sign_case(case)
    return signature


def test_a_signed_record_is_kept_encrypted_and_locked_and_matches_its_hash(
    s3, case_a, django_capture_on_commit_callbacks
):
    sign_and_render(case_a, django_capture_on_commit_callbacks)
    document = ConsentDocument.objects.get(signature__request=case_a.request)

    key = f"proceed/{document.file.name}"
    head = s3.head_object(Bucket=BUCKET, Key=key)
    body = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()

    assert isinstance(private_storage(), PrivateS3Storage)
    assert hashlib.sha256(body).hexdigest() == document.sha256
    assert head["ServerSideEncryption"] == "AES256"
    assert head["ObjectLockMode"] == "COMPLIANCE"
    until = head["ObjectLockRetainUntilDate"]
    assert timezone.now() + datetime.timedelta(days=29) < until < timezone.now() + datetime.timedelta(days=31)
    with pytest.raises(ClientError):  # not even the bucket's owner can remove the locked version
        s3.delete_object(Bucket=BUCKET, Key=key, VersionId=head["VersionId"])


def test_a_record_is_never_given_a_url_and_never_overwritten(s3, case_a, django_capture_on_commit_callbacks):
    sign_and_render(case_a, django_capture_on_commit_callbacks)
    document = ConsentDocument.objects.get(signature__request=case_a.request)
    storage = private_storage()

    with pytest.raises(ValueError, match="no URL"):
        storage.url(document.file.name)
    second = storage.save(document.file.name, ContentFile(b"something else"))

    assert second != document.file.name  # a new name: the record itself is untouched
    with storage.open(document.file.name, "rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == document.sha256


def test_the_patient_downloads_the_record_through_the_view_that_checks_who_asks(
    s3, client, case_a, django_capture_on_commit_callbacks
):
    sign_and_render(case_a, django_capture_on_commit_callbacks)
    document = ConsentDocument.objects.get(signature__request=case_a.request)
    client.post(f"{case_a.url}identity/", {"day": 14, "month": 3, "year": 1950})

    downloaded = client.get(f"{case_a.url}records.pdf")

    assert downloaded.status_code == 200
    assert hashlib.sha256(b"".join(downloaded.streaming_content)).hexdigest() == document.sha256


def test_a_record_that_reads_back_wrong_is_not_kept_and_stays_pending(
    s3, case_a, monkeypatch, django_capture_on_commit_callbacks
):
    original_open = PrivateS3Storage.open

    def corrupted(self, name, mode="rb"):
        return ContentFile(b"%PDF-1.7 half a record")

    monkeypatch.setattr(PrivateS3Storage, "open", corrupted)
    signature = sign_and_render(case_a, django_capture_on_commit_callbacks)  # the render's read-back fails

    assert not ConsentDocument.objects.filter(signature=signature).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.DOCUMENT_RENDERED).exists()
    assert s3.list_objects_v2(Bucket=BUCKET, Prefix="proceed/consent-documents/").get("KeyCount", 0) == 0

    monkeypatch.setattr(PrivateS3Storage, "open", original_open)
    call_command("render_pending_documents", stdout=open("/dev/null", "w"))  # noqa: SIM115

    document = ConsentDocument.objects.get(signature=signature)
    assert AuditEvent.objects.filter(action=AuditAction.DOCUMENT_RENDERED).count() == 1
    with private_storage().open(document.file.name, "rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == document.sha256


def test_a_store_that_cannot_be_reached_keeps_the_signature_and_leaves_the_pdf_pending(
    settings, case_a, django_capture_on_commit_callbacks
):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "consent.storage.PrivateS3Storage",
            "OPTIONS": {**OPTIONS, "endpoint_url": "http://127.0.0.1:1"},  # nothing listens there
        },
    }

    signature = sign_case(case_a)

    assert signature.pk and case_a.refresh().status == "signed"
    assert not ConsentDocument.objects.filter(signature=signature).exists()
    with pytest.raises(Exception):  # noqa: B017 (botocore's connection error, whichever it is)
        store_consent_document(signature)
