"""The nurses' pages under /staff/.

Views stay thin: they check access (`consent.access`), validate the form and
call `consent.services`, which make every change and write the audit trail.
"""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from consent import services
from consent.access import nurse_required
from consent.models import ConsentDocument, ConsentRequest
from consent.staff_forms import NewRequestForm

logger = logging.getLogger(__name__)

UPCOMING_LIMIT = 50


def _client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


@nurse_required
def index(request: HttpRequest) -> HttpResponse:
    """The nearest upcoming appointments, from the start of today."""
    start_of_today = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time.min))
    upcoming = (
        ConsentRequest.objects.filter(appointment_at__gte=start_of_today)
        .select_related("patient", "procedure_version")
        .order_by("appointment_at", "id")[:UPCOMING_LIMIT]
    )
    return render(request, "staff/index.html", {"upcoming": upcoming, "limit": UPCOMING_LIMIT})


@never_cache
@nurse_required
def new_request(request: HttpRequest) -> HttpResponse:
    """Create a request and show its link once.

    The result page is the POST response itself: the token is never put in a
    redirect, the session or a log, so it exists only on this page (and in the
    email, if one is sent). The database keeps only its hash.
    """
    if request.method != "POST":
        return render(request, "staff/new_request.html", {"form": NewRequestForm()})

    form = NewRequestForm(request.POST)
    if not form.is_valid():
        return render(request, "staff/new_request.html", {"form": form})
    data = form.cleaned_data
    user, ip = request.user, _client_ip(request)
    try:
        with transaction.atomic():
            patient = services.find_or_create_patient(
                mrn=data["mrn"],
                full_name=data["full_name"],
                date_of_birth=data["date_of_birth"],
                email=data["email"],
                phone=data["phone"],
                preferred_language=data["preferred_language"],
                user=user,
                ip=ip,
            )
            consent_request, token = services.create_consent_request(
                patient=patient,
                procedure=data["procedure"],
                appointment_at=data["appointment_at"],
                clinician=data["clinician"],
                created_by=user,
                ip=ip,
            )
    except services.ConsentError as error:
        form.add_error(None, str(error))
        return render(request, "staff/new_request.html", {"form": form})

    emailed = email_failed = False
    if data["send_email"]:
        try:
            consent_request = services.send_invite_email(request=consent_request, token=token, user=user, ip=ip)
            emailed = True
        except Exception as error:  # the link must still reach the nurse, whatever the mail server did
            logger.warning(
                "Emailing the invitation for request %s failed (%s)", consent_request.public_id, type(error).__name__
            )
            email_failed = True
    if not emailed:
        consent_request = services.mark_invited(
            request=consent_request, how="shown to staff to give to the patient", user=user, ip=ip
        )
    return render(
        request,
        "staff/request_created.html",
        {
            "consent_request": consent_request,
            "patient": consent_request.patient,
            "procedure_name": consent_request.content["name"],
            "link": services.patient_link(token),
            "emailed": emailed,
            "email_failed": email_failed,
        },
    )


@never_cache
@nurse_required
def case(request: HttpRequest, public_id) -> HttpResponse:
    """One patient's case: what they acknowledged, flagged and asked, and the signed record."""
    consent_request = get_object_or_404(
        ConsentRequest.objects.select_related("patient", "procedure_version"), public_id=public_id
    )
    signature = getattr(consent_request, "signature", None)
    summary = consent_request.answers_summary()
    return render(
        request,
        "staff/case.html",
        {
            "consent_request": consent_request,
            "patient": consent_request.patient,
            "summary": summary,
            "risks_to_discuss": [e["risk"] for e in summary["risks"] if e["row"] and e["row"].wants_to_discuss],
            "quiz_misses": [e for e in summary["quiz"] if e["answer"] and not e["answer"].first_try_correct],
            "signature": signature,
            "document": ConsentDocument.objects.filter(signature=signature).first() if signature else None,
            "events": consent_request.audit_events.select_related("user"),
        },
    )


@never_cache
@nurse_required
def case_pdf(request: HttpRequest, public_id) -> FileResponse:
    consent_request = get_object_or_404(ConsentRequest, public_id=public_id)
    document = ConsentDocument.objects.filter(signature__request=consent_request).first()
    if document is None:
        raise Http404("No signed PDF for this request yet.")
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=f"{document.signature.document_id}.pdf",
        content_type="application/pdf",
    )
