"""`/healthz`: is this instance able to work? For load balancers and monitoring.

Answers without signing in, says nothing personal (only how many PDFs are
waiting to be rendered), and is never cached. 200 when the database answers
and the PDF storage takes a file; 503, naming what failed, when either doesn't.
Included from config/urls.py as `path("healthz", include("config.health"))`.
"""

from __future__ import annotations

import logging
import secrets

from django.core.files.base import ContentFile
from django.db import DatabaseError
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from consent.models import ConsentDocument, Signature

logger = logging.getLogger(__name__)

OK = "ok"
FAILED = "error"


def pdf_storage():
    """Where the signed PDFs are kept: the storage of ConsentDocument.file (private, when configured)."""
    return ConsentDocument._meta.get_field("file").storage


def check_database() -> tuple[str, int | None]:
    """The database's status and the number of signatures whose PDF is still pending."""
    try:
        return OK, Signature.objects.filter(document__isnull=True).count()
    except DatabaseError as error:
        logger.error("Health check: the database query failed (%s).", type(error).__name__)
        return FAILED, None


def check_storage() -> str:
    """Write and delete a small file where the PDFs are written."""
    field = ConsentDocument._meta.get_field("file")
    folder = field.upload_to if isinstance(field.upload_to, str) else ""
    storage = pdf_storage()
    try:
        name = storage.save(f"{folder}healthz-{secrets.token_hex(8)}.tmp", ContentFile(b"ok"))
        storage.delete(name)
    except Exception as error:
        logger.error("Health check: the PDF storage could not write a file (%s).", type(error).__name__)
        return FAILED
    return OK


@require_safe
@never_cache
def healthz(request):
    database, pending = check_database()
    storage = check_storage()
    body = {"database": database, "storage": storage, "pending_pdfs": pending}
    healthy = database == OK and storage == OK
    if not healthy:
        body["failing"] = [part for part in ("database", "storage") if body[part] != OK]
    return JsonResponse(body, status=200 if healthy else 503)


urlpatterns = [path("", healthz, name="healthz")]
