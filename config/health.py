"""`/healthz`: is this instance able to work? For load balancers and monitoring.

Answers without signing in, says nothing personal (only how many PDFs are
waiting, how long the oldest has waited and how long ago a PDF worker was
last seen), and is never cached. 200 when the database answers and the PDF
storage works; 503, naming what failed, when either doesn't. The shared cache
is reported but never makes it 503: with Redis down this server still serves
everything but the pages that count attempts (config.cache_outage), and a load
balancer that took every server out would serve nothing at all.
Included from config/urls.py as `path("healthz", include("config.health"))`.
"""

from __future__ import annotations

import logging
import secrets

from django.conf import settings
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.db import DatabaseError
from django.db.models import Max, Min
from django.http import JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from config.checks import LOCAL_MEMORY
from consent.models import ConsentDocument
from records.models import WorkerHeartbeat
from records.worker import PENDING_KINDS

logger = logging.getLogger(__name__)

OK = "ok"
FAILED = "error"


def pdf_storage():
    """Where the signed PDFs are kept: the storage of ConsentDocument.file (private, when configured)."""
    return ConsentDocument._meta.get_field("file").storage


def check_database() -> tuple[str, int | None]:
    """The database's status and the number of sealed records whose PDF is still pending (signatures',
    clinicians' parts, the cover records of decisions recorded by staff)."""
    try:
        return OK, sum(kind.pending().count() for kind in PENDING_KINDS)
    except DatabaseError as error:
        logger.error("Health check: the database query failed (%s).", type(error).__name__)
        return FAILED, None


def check_storage() -> str:
    """Whether the PDFs' storage works: a small file written and removed on a disk; the bucket answering in
    object storage, where a test object written under retention could not be removed."""
    storage = pdf_storage()
    field = ConsentDocument._meta.get_field("file")
    folder = field.upload_to if isinstance(field.upload_to, str) else ""
    try:
        if hasattr(storage, "check_reachable"):
            storage.check_reachable()
        else:
            name = storage.save(f"{folder}healthz-{secrets.token_hex(8)}.tmp", ContentFile(b"ok"))
            storage.delete(name)
    except Exception as error:
        logger.error("Health check: the PDF storage could not write a file (%s).", type(error).__name__)
        return FAILED
    return OK


def check_cache() -> str:
    """The shared cache: "ok" when Redis answers; "local" when there is none (one process's memory)."""
    cache = caches["default"]
    if settings.CACHES["default"]["BACKEND"] == LOCAL_MEMORY:
        return "local"
    try:
        cache.set("healthz", "ok", 10)
        return OK if cache.get("healthz") == "ok" else FAILED
    except Exception as error:
        logger.error("Health check: the shared cache could not be reached (%s).", type(error).__name__)
        return FAILED


def rendering_status() -> dict:
    """How long the oldest PDF still to render has waited, and when a PDF worker was last seen (seconds)."""
    now = timezone.now()
    try:
        waiting = [kind.pending().aggregate(oldest=Min(kind.made_at))["oldest"] for kind in PENDING_KINDS]
        oldest = min((made for made in waiting if made is not None), default=None)
        seen = WorkerHeartbeat.objects.aggregate(seen=Max("seen_at"))["seen"]
    except DatabaseError:
        return {"oldest_pending_pdf_seconds": None, "worker_seen_seconds_ago": None}
    return {
        "oldest_pending_pdf_seconds": round((now - oldest).total_seconds()) if oldest else None,
        "worker_seen_seconds_ago": round((now - seen).total_seconds()) if seen else None,
    }


@require_safe
@never_cache
def healthz(request):
    database, pending = check_database()
    storage = check_storage()
    body = {"database": database, "storage": storage, "cache": check_cache(), "pending_pdfs": pending}
    body |= rendering_status()
    healthy = database == OK and storage == OK
    if not healthy:
        body["failing"] = [part for part in ("database", "storage") if body[part] != OK]
    return JsonResponse(body, status=200 if healthy else 503)


urlpatterns = [path("", healthz, name="healthz")]
