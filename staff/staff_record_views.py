"""Recording a consent (or refusal) taken outside the link, and downloading its scan and cover record.

The nurse fills in who obtained the decision, when and how, with the scan of the paper form
(`consent.staff_record`); the case then shows it as "recorded by staff", never as an e-signature.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from accounts.access import nurse_required
from config.client_ip import client_ip
from consent.services import ConsentError
from consent.staff_record import StaffRecordRefused, record_consent_by_staff, why_not_recordable
from records import documents
from records.responses import pdf_response
from staff.cases import get_case
from staff.staff_record_forms import StaffRecordForm


@never_cache
@nurse_required
def record_consent(request: HttpRequest, public_id) -> HttpResponse:
    """GET: the form (or why nothing can be recorded on this request); POST: record it."""
    consent_request = get_case(public_id)
    refused = why_not_recordable(consent_request)
    posted = request.method == "POST"
    form = StaffRecordForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        consent_request=consent_request,
        user=request.user,
    )
    if posted and not refused and form.is_valid():
        data = form.cleaned_data
        try:
            record = record_consent_by_staff(
                consent_request=consent_request,
                user=request.user,
                decision=data["decision"],
                method=data["method"],
                obtained_by_name=data["obtained_by_name"],
                obtained_by_role=data["obtained_by_role"],
                obtained_at=data["obtained_at"],
                interpreter_name=data["interpreter_name"],
                interpreter_language=data["interpreter_language"],
                representative_name=data["representative_name"],
                representative_relationship=data["representative_relationship"],
                note=data["note"],
                scan=data["scan"] or None,
                ip=client_ip(request),
            )
        except StaffRecordRefused as error:
            for field, message in error.problems.items():
                form.add_error_once(field, message)
        except ConsentError as error:
            refused = str(error)
        else:
            messages.success(
                request,
                f"Recorded by staff: {record.get_decision_display().split(':')[0].lower()} "
                f"(document {record.document_id}). It is not shown as a patient e-signature anywhere.",
            )
            return redirect("staff:case", public_id)
    if posted and not refused:
        form.note_the_file_must_be_chosen_again()
    return render(
        request,
        "staff/record_consent.html",
        {"consent_request": consent_request, "form": form, "refused": refused},
    )


def _staff_record(consent_request):
    record = getattr(consent_request, "staff_record", None)
    if record is None:
        raise Http404("No decision recorded by staff on this request.")
    return record


@never_cache
@nurse_required
def scan(request: HttpRequest, public_id) -> FileResponse:
    """The scan of the paper form, as it was uploaded, named by its document ID only."""
    record = _staff_record(get_case(public_id))
    if not record.scan.name:
        raise Http404("No scan was uploaded with this decision.")
    filename = f"{record.document_id}.{record.scan.name.rsplit('.', 1)[-1]}"
    if record.scan_content_type == "application/pdf":
        return pdf_response(record.scan.open("rb"), filename)
    response = FileResponse(
        record.scan.open("rb"), as_attachment=True, filename=filename, content_type=record.scan_content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@nurse_required
def staff_record_pdf(request: HttpRequest, public_id) -> FileResponse:
    """The sealed cover record of the decision recorded by staff, rendered now if it is still pending."""
    record = _staff_record(get_case(public_id))
    document = documents.render_staff_record_document_safely(record)
    if document is None:
        raise Http404("The record's PDF could not be made yet: run manage.py render_pending_documents.")
    return pdf_response(document.file.open("rb"), f"{document.document_id}.pdf")
