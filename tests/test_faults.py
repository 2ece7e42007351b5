"""Nothing lost under faults: failed or runaway PDF renders, database errors mid-signing, background tasks."""

from __future__ import annotations

import datetime
import hashlib
import io
import multiprocessing
import os
import signal
import time

import pytest
import time_machine
from django.core.management import call_command
from django.db import DatabaseError
from django.test import Client
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from consent import services
from consent.models import AuditEvent, ConsentDocument, Signature, Status
from records import documents
from records.render_limits import (
    DatabaseUseInRenderProcess,
    RenderCrashed,
    RenderTimeout,
    RenderTooLarge,
    run_with_limits,
)
from records.tasks import RETRY_DELAYS, render_consent_document, schedule_retry
from tests.conftest import complete_journey, sign_case
from tests.test_patient_journey import sign_post, walk_to_decision

RENDERER = "records.pdf.render_consent_pdf"


def broken_render(signature):
    raise RuntimeError("the renderer fell over")


def hanging_render(signature):
    time.sleep(3600)  # stands for WeasyPrint looping on hostile CSS


def greedy_render(signature):
    # Grows to 2 GB in 16 MB steps: far past a 200 MB limit, but it would finish if no limit applied.
    chunks = [bytearray(16 * 2**20) for _ in range(128)]
    return b"%PDF-never", len(chunks)


def stored_pdf(document: ConsentDocument) -> bytes:
    with document.file.open("rb") as file:
        return file.read()


@pytest.fixture
def quick_limits(settings):
    settings.PROCEED_RENDER_TIMEOUT_SECONDS = 2
    settings.PROCEED_RENDER_MEMORY_MB = 200
    return settings


@pytest.fixture
def database_tasks(settings):
    """Tasks queued in the database, as in production, instead of run at once."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_ready_tasks() -> list[DBTaskResult]:
    """What `manage.py db_worker` does with each task that is due, run here one by one."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="pytest-worker",
        excluded_queue_names=[],
    )
    ran = []
    for result in DBTaskResult.objects.ready():
        result.claim(worker.worker_id)
        worker.run_task(result)
        result.refresh_from_db()
        ran.append(result)
    return ran


def sign_only(case) -> Signature:
    """The signing itself, for a case whose journey is complete."""
    return services.sign(
        consent_request=case.request,
        decision="consent",
        typed_name=case.request.patient.full_name,
        signer="patient",
        ip="203.0.113.9",
        user_agent="pytest",
    )


def client_that_shows_error_pages() -> Client:
    """A browser's view of a server error: the 500 page, not the exception."""
    return Client(raise_request_exception=False)


# The PDF render fails: the signature stands and the PDF comes later ---------------------------


def test_a_failed_render_keeps_the_signature_shows_pending_and_is_rendered_later(
    client, case_a, monkeypatch, django_capture_on_commit_callbacks
):
    walk_to_decision(client, case_a)
    monkeypatch.setattr(RENDERER, broken_render)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{case_a.url}sign/consent/", sign_post())

    assert response["Location"].endswith("/done/")
    signature = Signature.objects.get(request=case_a.request)
    assert case_a.refresh().status == Status.SIGNED
    assert not ConsentDocument.objects.exists()
    done = client.get(f"{case_a.url}done/").content.decode()
    assert "Your PDF is being prepared" in done
    assert client.get(f"{case_a.url}records.pdf").status_code == 503  # still failing: the pending page

    monkeypatch.undo()
    out = io.StringIO()
    call_command("render_pending_documents", stdout=out)

    assert f"Rendered {signature.document_id}" in out.getvalue()
    document = ConsentDocument.objects.get(signature=signature)
    assert document.sha256 == hashlib.sha256(stored_pdf(document)).hexdigest()
    assert "Download your signed record (PDF)" in client.get(f"{case_a.url}done/").content.decode()


@pytest.mark.parametrize("fault", [broken_render, hanging_render], ids=["render raises", "render hangs"])
def test_a_failed_render_task_is_retried_later_by_the_worker_until_it_succeeds(
    case_a, monkeypatch, database_tasks, quick_limits, django_capture_on_commit_callbacks, fault
):
    with django_capture_on_commit_callbacks(execute=True):
        signature = sign_case(case_a)
    assert DBTaskResult.objects.ready().count() == 1  # queued, not yet run
    assert not ConsentDocument.objects.exists()

    monkeypatch.setattr(RENDERER, fault)
    [first] = run_ready_tasks()

    assert first.status == "FAILED"
    assert first.exception_class_path.startswith(("builtins.RuntimeError", "records.render_limits.RenderTimeout"))
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.args_kwargs["args"] == [signature.pk, 2]
    assert retry.run_after >= timezone.now() + datetime.timedelta(seconds=RETRY_DELAYS[0] - 5)
    assert run_ready_tasks() == []  # not due yet
    assert Signature.objects.filter(pk=signature.pk).exists()
    assert case_a.refresh().status == Status.SIGNED
    assert not ConsentDocument.objects.exists()

    monkeypatch.undo()
    quick_limits.PROCEED_RENDER_TIMEOUT_SECONDS = 60  # a real render, however slow the test machine
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=RETRY_DELAYS[0] + 1)):
        [second] = run_ready_tasks()

    assert second.status == "SUCCESSFUL"
    assert second.return_value == signature.document_id
    document = ConsentDocument.objects.get(signature=signature)
    assert document.sha256 == hashlib.sha256(stored_pdf(document)).hexdigest()
    assert not DBTaskResult.objects.ready().exists()


def test_retries_wait_longer_each_time_and_stop_after_the_last_attempt(signed_case, database_tasks):
    signature_id = signed_case.request.signature.pk
    waits = []
    for attempt in range(1, len(RETRY_DELAYS) + 1):
        before = timezone.now()
        assert schedule_retry(signature_id, attempt)
        queued = DBTaskResult.objects.get(args_kwargs__args=[signature_id, attempt + 1])
        waits.append((queued.run_after - before).total_seconds())

    assert waits == sorted(waits)
    assert round(waits[0]) == RETRY_DELAYS[0]
    assert not schedule_retry(signature_id, len(RETRY_DELAYS) + 1)
    assert DBTaskResult.objects.count() == len(RETRY_DELAYS)


def test_the_last_attempt_fails_without_queueing_another_and_the_pdf_stays_pending(
    signed_case, monkeypatch, database_tasks
):
    signature = signed_case.request.signature
    monkeypatch.setattr(RENDERER, broken_render)

    with pytest.raises(RuntimeError):
        render_consent_document.call(signature.pk, len(RETRY_DELAYS) + 1)

    assert not DBTaskResult.objects.exists()
    assert Signature.objects.filter(pk=signature.pk, document__isnull=True).exists()


def test_the_immediate_backend_renders_at_once_and_does_not_retry(signed_case, monkeypatch):
    # Development and tests: the task runs in-process; a failure just leaves the PDF pending.
    signature = signed_case.request.signature
    monkeypatch.setattr(RENDERER, broken_render)

    failed = render_consent_document.enqueue(signature.pk)

    assert failed.status == "FAILED"
    assert not ConsentDocument.objects.exists()
    monkeypatch.undo()
    assert render_consent_document.enqueue(signature.pk).return_value == signature.document_id
    assert ConsentDocument.objects.filter(signature=signature).exists()


def test_a_task_for_a_signature_that_is_gone_does_nothing(db):
    assert render_consent_document.call(987654321) is None


# Render limits ---------------------------------------------------------------------------------


def test_a_render_that_hangs_is_stopped_and_leaves_the_pdf_pending(signed_case, monkeypatch, quick_limits):
    signature = signed_case.request.signature
    monkeypatch.setattr(RENDERER, hanging_render)

    started = time.monotonic()
    with pytest.raises(RenderTimeout, match="longer than 2 seconds"):
        documents.store_consent_document(signature)

    assert time.monotonic() - started < 10
    assert multiprocessing.active_children() == []  # the child was killed, not left running
    assert Signature.objects.filter(pk=signature.pk).exists()
    assert signed_case.refresh().status == Status.SIGNED
    assert not ConsentDocument.objects.exists()


def test_a_render_that_uses_too_much_memory_is_stopped(signed_case, monkeypatch, quick_limits):
    signature = signed_case.request.signature
    monkeypatch.setattr(RENDERER, greedy_render)

    with pytest.raises(RenderTooLarge, match="more than 200 MB"):
        documents.store_consent_document(signature)

    assert multiprocessing.active_children() == []
    assert Signature.objects.filter(pk=signature.pk).exists()
    assert not ConsentDocument.objects.exists()


def die_suddenly():
    os.kill(os.getpid(), signal.SIGKILL)  # runs in the child: it kills only itself


def test_a_render_process_that_dies_is_reported():
    with pytest.raises(RenderCrashed, match="without an answer"):
        run_with_limits(die_suddenly, timeout=10, memory_mb=256)


def test_a_normal_render_goes_through_the_limits_and_stores_the_right_file(signed_case, settings):
    # The production limits (60 s, 1024 MB more) leave a real render plenty of room.
    assert settings.PROCEED_RENDER_TIMEOUT_SECONDS == 60
    assert settings.PROCEED_RENDER_MEMORY_MB == 1024
    signature = signed_case.request.signature

    document = documents.store_consent_document(signature)

    data = stored_pdf(document)
    assert data.startswith(b"%PDF")
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert document.page_count >= 2
    assert AuditEvent.objects.filter(request=signed_case.request, action="document_rendered").count() == 1


def test_the_render_runs_in_another_process():
    assert run_with_limits(os.getpid, timeout=10, memory_mb=256) != os.getpid()


def test_the_render_process_may_not_use_the_database_and_the_parents_connection_survives(signed_case):
    with pytest.raises(DatabaseUseInRenderProcess):
        run_with_limits(Signature.objects.count, timeout=10, memory_mb=256)

    assert Signature.objects.count() == 1


def test_the_patients_download_shows_the_pending_page_when_the_render_hangs(
    client, case_a, monkeypatch, quick_limits, django_capture_on_commit_callbacks
):
    walk_to_decision(client, case_a)
    monkeypatch.setattr(RENDERER, hanging_render)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{case_a.url}sign/consent/", sign_post())

    response = client.get(f"{case_a.url}records.pdf")

    assert response.status_code == 503
    assert "still being prepared" in response.content.decode()
    assert Signature.objects.filter(request=case_a.request).exists()


# A database error mid-signing: nothing half-written, and the patient can sign again ----------------


def fail_when_signing(monkeypatch):
    """Make the signing's audit write fail with a database error, after the Signature row is inserted."""
    real_audit = services.audit
    inserted_before_failing = []

    def audit(*args, **kwargs):
        if kwargs.get("action") in ("signed", "declined"):
            request = kwargs["consent_request"]
            inserted_before_failing.append(Signature.objects.filter(request=request).exists())
            raise DatabaseError("the database went away")
        return real_audit(*args, **kwargs)

    monkeypatch.setattr("consent.services.audit", audit)
    return inserted_before_failing


def test_a_database_error_mid_signing_saves_nothing_and_the_patient_can_sign_again(
    case_a, monkeypatch, django_capture_on_commit_callbacks
):
    browser = client_that_shows_error_pages()
    walk_to_decision(browser, case_a)
    status_before = case_a.refresh().status
    events_before = AuditEvent.objects.count()
    inserted_before_failing = fail_when_signing(monkeypatch)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = browser.post(f"{case_a.url}sign/consent/", sign_post())

    assert inserted_before_failing == [True]  # the fault struck after the Signature row was written
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong and nothing was saved. Please go back and try again." in page
    assert "Traceback" not in page and "DatabaseError" not in page
    assert not Signature.objects.filter(request=case_a.request).exists()
    assert case_a.refresh().status == status_before
    assert case_a.request.decided_at is None
    assert AuditEvent.objects.count() == events_before
    assert callbacks == []  # no render was queued for a signature that never existed
    assert not ConsentDocument.objects.exists()

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        again = browser.post(f"{case_a.url}sign/consent/", sign_post())

    assert again["Location"].endswith("/done/")
    signature = Signature.objects.get(request=case_a.request)
    assert case_a.refresh().status == Status.SIGNED
    assert ConsentDocument.objects.filter(signature=signature).exists()
    assert AuditEvent.objects.filter(request=case_a.request, action="signed").count() == 1


def test_a_database_error_when_storing_the_pdf_keeps_no_file_and_the_pdf_stays_pending(signed_case, monkeypatch):
    signature = signed_case.request.signature
    real_audit = services.audit

    def audit(*args, **kwargs):
        if kwargs.get("action") == "document_rendered":
            raise DatabaseError("the database went away")
        return real_audit(*args, **kwargs)

    monkeypatch.setattr("records.documents.audit", audit)
    storage = ConsentDocument._meta.get_field("file").storage

    with pytest.raises(DatabaseError):
        documents.store_consent_document(signature)

    assert not ConsentDocument.objects.exists()
    assert not storage.exists(f"consent-documents/{signature.document_id}.pdf")
    monkeypatch.undo()
    assert documents.store_consent_document(signature).sha256


# Enqueueing waits for the commit -------------------------------------------------------------------


def test_the_render_is_queued_only_after_the_signature_commits(
    case_a, database_tasks, django_capture_on_commit_callbacks
):
    complete_journey(case_a)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        signature = sign_only(case_a)
        assert not DBTaskResult.objects.exists()  # nothing queued while the transaction is open

    assert len(callbacks) == 1
    assert not DBTaskResult.objects.exists()
    callbacks[0]()
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "records.tasks.render_consent_document"
    assert queued.args_kwargs["args"] == [signature.pk]
    assert queued.status == "READY"


def test_a_failed_signing_queues_nothing(case_a, monkeypatch, database_tasks, django_capture_on_commit_callbacks):
    complete_journey(case_a)
    fail_when_signing(monkeypatch)

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(DatabaseError):
        sign_only(case_a)

    assert callbacks == []
    assert not DBTaskResult.objects.exists()
    assert not Signature.objects.exists()


def test_a_failure_to_queue_the_render_does_not_undo_the_signature(
    case_a, monkeypatch, django_capture_on_commit_callbacks
):
    complete_journey(case_a)

    def queue_down(*args, **kwargs):
        raise DatabaseError("the queue is unavailable")

    monkeypatch.setattr("django_tasks.backends.immediate.ImmediateBackend.enqueue", queue_down)
    with django_capture_on_commit_callbacks(execute=True):
        signature = sign_only(case_a)

    assert Signature.objects.filter(pk=signature.pk).exists()
    assert case_a.refresh().status == Status.SIGNED
    assert not ConsentDocument.objects.exists()  # pending, for render_pending_documents
