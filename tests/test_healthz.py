"""/healthz: database and PDF storage status for load balancers, with nothing personal in it."""

from __future__ import annotations

import pytest
from django.core.files.storage import FileSystemStorage
from django.db import DatabaseError, connection

from config import health
from consent.models import ConsentDocument
from tests.conftest import PATIENT_A


def database_down(execute, sql, params, many, context):
    raise DatabaseError("could not connect to server")


@pytest.fixture
def unwritable_storage(monkeypatch, tmp_path):
    """PDF storage whose folder can't be created: its path is taken by a file (even root can't write there)."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("in the way")
    monkeypatch.setattr(health, "pdf_storage", lambda: FileSystemStorage(location=blocker / "pdfs"))


def test_healthy_reports_ok_and_the_number_of_pending_pdfs_without_signing_in(client, signed_case):
    assert not ConsentDocument.objects.exists()  # signed, its PDF not rendered yet

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert {name: body[name] for name in ("database", "storage", "cache", "pending_pdfs")} == {
        "database": "ok",
        "storage": "ok",
        "cache": "local",
        "pending_pdfs": 1,
    }
    assert body["oldest_pending_pdf_seconds"] >= 0 and body["worker_seen_seconds_ago"] is None
    assert "no-store" in response["Cache-Control"]
    assert "sessionid" not in response.cookies


def test_nothing_personal_is_in_the_answer(client, signed_case):
    body = client.get("/healthz").content.decode()
    for value in (PATIENT_A["full_name"], PATIENT_A["mrn"], "1950", signed_case.request.signature.document_id):
        assert value not in body


def test_healthy_with_nothing_pending(client, db):
    body = client.get("/healthz").json()
    assert (body["database"], body["storage"], body["pending_pdfs"]) == ("ok", "ok", 0)


def test_the_storage_probe_leaves_no_file_behind(client, db):
    storage = health.pdf_storage()
    folder = ConsentDocument._meta.get_field("file").upload_to
    before = storage.listdir(folder)[1] if storage.exists(folder) else []

    client.get("/healthz")

    assert (storage.listdir(folder)[1] if storage.exists(folder) else []) == before


def test_a_database_failure_is_a_503_naming_the_database(client, db):
    with connection.execute_wrapper(database_down):
        response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert {name: body[name] for name in ("database", "storage", "pending_pdfs", "failing")} == {
        "database": "error",
        "storage": "ok",
        "pending_pdfs": None,
        "failing": ["database"],
    }
    assert body["oldest_pending_pdf_seconds"] is None and body["worker_seen_seconds_ago"] is None
    assert "no-store" in response["Cache-Control"]
    assert "could not connect" not in response.content.decode()


def test_storage_that_cannot_be_written_is_a_503_naming_the_storage(client, db, unwritable_storage):
    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert {name: body[name] for name in ("database", "storage", "pending_pdfs", "failing")} == {
        "database": "ok",
        "storage": "error",
        "pending_pdfs": 0,
        "failing": ["storage"],
    }
    assert "not-a-folder" not in response.content.decode()  # no paths


def test_both_failing_names_both(client, db, unwritable_storage):
    with connection.execute_wrapper(database_down):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["failing"] == ["database", "storage"]


def test_only_reading_is_allowed(client, db):
    assert client.post("/healthz").status_code == 405
    assert client.head("/healthz").status_code == 200


def test_the_pdf_storage_is_where_consent_documents_are_kept():
    assert health.pdf_storage() is ConsentDocument._meta.get_field("file").storage


def test_load_balancers_probing_over_plain_http_get_an_answer_not_a_redirect(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301  # everything else still goes to HTTPS
