"""Actions a nurse takes on one case: reissue the link, cancel, answer a patient's question.

Irreversible actions are a confirmation page on GET and the work on POST.
"""

from __future__ import annotations

import logging

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.access import is_clinician, nurse_required
from config.client_ip import client_ip
from consent import blood_thinners, services
from consent.models import (
    AuditAction,
    ClinicianDocument,
    ConsentDocument,
    ConsentRequest,
    PatientQuestion,
    StaffRecordDocument,
    WithdrawalDocument,
    language_for_staff,
)
from procedures.roles import NURSES, staff_name
from records import documents
from records.responses import pdf_response
from staff.cases import get_case
from staff.forms import CorrectionForm

logger = logging.getLogger(__name__)


@never_cache
@nurse_required
def case(request: HttpRequest, public_id) -> HttpResponse:
    """One patient's case: what they acknowledged, flagged and asked, and the signed record."""
    consent_request = get_case(public_id)
    signature = getattr(consent_request, "signature", None)
    countersignature = getattr(consent_request, "countersignature", None)
    summary = consent_request.answers_summary()
    return render(
        request,
        "staff/case.html",
        {
            "consent_request": consent_request,
            "patient": consent_request.patient,
            "summary": summary,
            "open_matters": services.open_matters(consent_request, summary),
            "steps_shown_late": [e for e in summary["steps"] if e["row"] and e["row"].shown_late_on],
            "signature": signature,
            "document": ConsentDocument.objects.filter(signature=signature).first() if signature else None,
            "withdrawal_document": WithdrawalDocument.objects.filter(request=consent_request).first(),
            "staff_record": getattr(consent_request, "staff_record", None),
            "staff_record_document": StaffRecordDocument.objects.filter(record__request=consent_request).first(),
            # The clinician's statement: the countersignature, its sealed PDF, and whether this user may sign it.
            "countersignature": countersignature,
            "clinician_document": (
                ClinicianDocument.objects.filter(countersignature=countersignature).first()
                if countersignature
                else None
            ),
            "may_countersign": is_clinician(request.user),
            "reconsent": consent_request.replaced_by.order_by("-created_at").first(),
            "notes": consent_request.notes.select_related("written_by"),
            "assign_form": AssignForm(initial={"assignee": consent_request.assigned_to_id}),
            "corrections": consent_request.audit_events.filter(action=AuditAction.DETAILS_CORRECTED).select_related(
                "user"
            ),
            "note_form": CaseNoteForm(),
            "events": consent_request.audit_events.select_related("user"),
            "questions": [(q, AnswerQuestionForm(prefix=f"question-{q.pk}")) for q in summary["asked"]],
            "bt_plan": blood_thinners.plan_for(consent_request),
            "missing_language": (
                language_for_staff(missing) if (missing := consent_request.preferred_language_missing) else None
            ),
        },
    )


@never_cache
@nurse_required
def withdrawal_pdf(request: HttpRequest, public_id) -> FileResponse:
    """The sealed record of the patient's withdrawal, rendered now if it is still pending."""
    consent_request = get_case(public_id)
    if consent_request.withdrawn_at is None or not hasattr(consent_request, "signature"):
        raise Http404("This request has no withdrawal.")
    document = documents.render_withdrawal_document_safely(consent_request)
    if document is None:
        raise Http404("The withdrawal's PDF could not be made yet: run manage.py render_pending_documents.")
    return pdf_response(document.file.open("rb"), f"{document.document_id}.pdf")


@never_cache
@nurse_required
def case_pdf(request: HttpRequest, public_id) -> FileResponse:
    consent_request = get_case(public_id)
    document = ConsentDocument.objects.filter(signature__request=consent_request).first()
    if document is None:
        raise Http404("No signed PDF for this request yet.")
    return pdf_response(document.file.open("rb"), f"{document.signature.document_id}.pdf")


def hand_out_link(
    request: HttpRequest, *, consent_request: ConsentRequest, token: str, send_email: bool, template: str
) -> HttpResponse:
    """Show a new link once (with its QR code and letter), emailing it first if asked.

    This page is the POST response itself: the token is never put in a
    redirect, the session or a log. If the email fails the link still reaches
    the nurse, who gives it to the patient another way.
    """
    user, ip = request.user, client_ip(request)
    emailed = email_failed = False
    if send_email:
        try:
            consent_request = services.send_invite_email(consent_request=consent_request, token=token, user=user, ip=ip)
            emailed = True
        except services.ConsentError as error:
            messages.warning(request, str(error))
        except Exception as error:  # whatever the mail server did
            logger.warning(
                "Emailing the link for request %s failed (%s)", consent_request.public_id, type(error).__name__
            )
            email_failed = True
    if not emailed:
        consent_request = services.mark_invited(
            consent_request=consent_request, how="shown to staff to give to the patient", user=user, ip=ip
        )
    return render(
        request,
        template,
        {
            "consent_request": consent_request,
            "patient": consent_request.patient,
            "procedure_name": consent_request.content["name"],
            "link": services.patient_link(token),
            "emailed": emailed,
            "email_failed": email_failed,
        },
    )


class AnswerQuestionForm(forms.Form):
    reply_note = forms.CharField(
        label=_("How was it answered?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: “Phoned 21 Nov, explained the fasting rules.”"),
    )


class ReissueForm(forms.Form):
    send_email = forms.BooleanField(label=_("Email the new link to the patient"), required=False)


@never_cache
@nurse_required
def reissue(request: HttpRequest, public_id) -> HttpResponse:
    """A new link for the patient; the old one stops working at once. Shown once, like at creation."""
    consent_request = get_case(public_id)
    form = ReissueForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            token = services.reissue_link(consent_request=consent_request, user=request.user, ip=client_ip(request))
        except services.ConsentError as error:
            form.add_error(None, str(error))
        else:
            return hand_out_link(
                request,
                consent_request=consent_request,
                token=token,
                send_email=form.cleaned_data["send_email"],
                template="staff/link_reissued.html",
            )
    return render(request, "staff/reissue.html", {"consent_request": consent_request, "form": form})


@never_cache
@nurse_required
def reconsent(request: HttpRequest, public_id) -> HttpResponse:
    """For a signed request whose information changed materially: a new request on the current version."""
    consent_request = get_case(public_id)
    form = ReissueForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            new_request, token = services.request_reconsent(
                consent_request=consent_request, user=request.user, ip=client_ip(request)
            )
        except services.ConsentError as error:
            form.add_error(None, str(error))
        else:
            return hand_out_link(
                request,
                consent_request=new_request,
                token=token,
                send_email=form.cleaned_data["send_email"],
                template="staff/request_created.html",
            )
    return render(request, "staff/reconsent.html", {"consent_request": consent_request, "form": form})


@never_cache
@nurse_required
def cancel(request: HttpRequest, public_id) -> HttpResponse:
    consent_request = get_case(public_id)
    error = None
    form = CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_request(
                consent_request=consent_request,
                user=request.user,
                ip=client_ip(request),
                reason=form.cleaned_data["reason"],
            )
        except services.ConsentError as refused:
            error = str(refused)
        else:
            messages.success(request, gettext("The request is cancelled. The patient's link no longer works."))
            return redirect("staff:case", public_id)
    return render(request, "staff/cancel.html", {"consent_request": consent_request, "error": error, "form": form})


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it cancelled?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: “Procedure no longer needed” or “Booked again for March”."),
        error_messages={"required": _("Say why the request is cancelled, for the record.")},
    )


class CaseNoteForm(forms.Form):
    text = forms.CharField(
        label=_("Add a note"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Write the note first."),
            "max_length": _("Keep the note under 2,000 characters."),
        },
    )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Nurse looking after this request"),
        queryset=None,
        required=False,
        empty_label=_("Nobody yet"),
        error_messages={"invalid_choice": _("Choose a nurse from the list.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        nurses = get_user_model().objects.filter(is_active=True, groups__name=NURSES).order_by("first_name", "username")
        self.fields["assignee"].queryset = nurses
        self.fields["assignee"].label_from_instance = staff_name


@nurse_required
@require_POST
def assign(request: HttpRequest, public_id) -> HttpResponse:
    """Give the request to a nurse ("Assign to me" posts the nurse's own id)."""
    consent_request = get_case(public_id)
    form = AssignForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("assignee", []):
            messages.error(request, error)
        return redirect("staff:case", public_id)
    try:
        services.assign_request(
            consent_request=consent_request,
            assignee=form.cleaned_data["assignee"],
            user=request.user,
            ip=client_ip(request),
        )
    except services.ConsentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, gettext("Saved who is looking after this request."))
    return redirect("staff:case", public_id)


@never_cache
@nurse_required
def correct(request: HttpRequest, public_id) -> HttpResponse:
    """Correct the patient's details and this appointment (GET: the form with today's values; POST: save)."""
    consent_request = get_case(public_id)
    form = CorrectionForm.for_request(consent_request, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            labels = services.correct_details(
                consent_request=consent_request,
                patient_fields={name: data[name] for name in services.PATIENT_CORRECTABLE},
                appointment_at=data["appointment_at"],
                clinician=data["clinician"],
                reason=data["reason"],
                user=request.user,
                ip=client_ip(request),
            )
        except services.ConsentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, gettext("Corrected: %(fields)s.") % {"fields": ", ".join(labels)})
            return redirect("staff:case", public_id)
    return render(request, "staff/correct.html", {"consent_request": consent_request, "form": form})


@nurse_required
@require_POST
def add_note(request: HttpRequest, public_id) -> HttpResponse:
    """A free-text note on the case, audited; a bad one goes back to the case page with its message."""
    consent_request = get_case(public_id)
    form = CaseNoteForm(request.POST)
    if form.is_valid():
        services.add_case_note(
            consent_request=consent_request, text=form.cleaned_data["text"], user=request.user, ip=client_ip(request)
        )
        messages.success(request, gettext("Note added."))
    else:
        for error in form.errors.get("text", []):
            messages.error(request, error)
    return redirect("staff:case", public_id)


@nurse_required
@require_POST
def answer_question(request: HttpRequest, question_id: int) -> HttpResponse:
    question = get_object_or_404(PatientQuestion.objects.select_related("request"), pk=question_id)
    form = AnswerQuestionForm(request.POST, prefix=f"question-{question.pk}")
    if not form.is_valid():
        messages.error(
            request, gettext("Write a short note of how the question was answered (up to 2,000 characters).")
        )
    else:
        try:
            services.answer_patient_question(
                question=question, reply_note=form.cleaned_data["reply_note"], user=request.user, ip=client_ip(request)
            )
        except services.ConsentError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, gettext("Marked as answered."))
    return redirect(reverse("staff:case", args=[question.request.public_id]) + "#questions")
