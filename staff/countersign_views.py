"""The clinician's statement: countersigning a patient's consent, and downloading the clinician's part.

GET shows the statement of the health professional, pre-filled from the version the patient signed and
from the record; POST signs it (`consent.countersign.countersign`), after the clinician's password. A
refusal is shown beside what caused it, with everything typed kept but the password.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from accounts.access import clinician_required, nurse_required
from accounts.models import profile_of, save_profile
from config.client_ip import client_ip
from consent import countersign as countersigning
from consent.models import ClinicianDocument, ConsentRequest, Countersignature
from procedures.roles import staff_name
from records import documents
from records.responses import pdf_response
from staff.cases import get_case

TEXT_BOX = {"rows": 3}


def matter_field(matter: countersigning.Matter) -> str:
    """The form field for how one flagged risk or question was addressed ("how-risk-…", "how-question-12")."""
    return "how-" + matter.key.replace(":", "-")


class CountersignForm(forms.Form):
    """The parts the clinician writes or checks, one box per flagged risk and question, and the password."""

    benefits = forms.CharField(
        label="Intended benefits",
        max_length=countersigning.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="From the information the patient read. Edit it to say what you explained.",
        error_messages={"required": "Say what the intended benefits are."},
    )
    extra_procedures = forms.CharField(
        label="Any extra procedures which may become necessary during the procedure",
        max_length=countersigning.MAX_TEXT,
        widget=forms.Textarea(attrs=TEXT_BOX),
        help_text="For example: “Blood transfusion”. Write “None expected” if there are none.",
        error_messages={"required": "Name any extra procedures which may become necessary, or write “None expected”."},
    )
    job_title = forms.CharField(
        label="Your job title",
        max_length=countersigning.MAX_JOB_TITLE,
        help_text="For example: Consultant in pain medicine. Saved to your profile for next time.",
        error_messages={"required": "Enter your job title."},
    )
    registration = forms.CharField(
        label="Your professional registration",
        max_length=countersigning.MAX_REGISTRATION,
        help_text="The register and your number on it, for example: GMC 7654321. Saved to your profile.",
        error_messages={"required": "Enter your professional registration, for example: GMC 7654321."},
    )
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}, render_value=False),
        help_text="The password you sign in with. It confirms that you are the one signing.",
        error_messages={"required": "Enter your password to countersign."},
    )

    def __init__(self, *args, matters: list[countersigning.Matter], **kwargs):
        super().__init__(*args, **kwargs)
        self.matters = matters
        for matter in matters:
            if matter.kind == "risk":
                label = f"The patient wanted to talk about the risk “{matter.text}”. How was it addressed?"
            else:
                label = f"The patient asked: “{matter.text}” How was it addressed?"
            self.fields[matter_field(matter)] = forms.CharField(
                label=label,
                max_length=countersigning.MAX_TEXT,
                widget=forms.Textarea(attrs=TEXT_BOX),
                initial=matter.suggested,
                error_messages={"required": "Say how this was addressed with the patient."},
            )

    def matter_fields(self) -> list[forms.BoundField]:
        return [self[matter_field(matter)] for matter in self.matters]

    def addressed(self) -> dict[str, str]:
        return {matter.key: self.cleaned_data[matter_field(matter)] for matter in self.matters}

    def show_refusal(self, error: countersigning.ConsentError) -> None:
        """Put the service's refusal beside the field it is about (the password box is shown empty)."""
        if isinstance(error, countersigning.WrongPassword):
            self.add_error("password", str(error))
        elif isinstance(error, countersigning.StatementIncomplete):
            fields = {matter.key: matter_field(matter) for matter in self.matters}
            for missing in error.missing:
                self.add_error(fields.get(missing, missing), "Complete this part of the statement.")
        else:
            self.add_error(None, str(error))


def _initial(consent_request: ConsentRequest, draft: countersigning.StatementDraft, user) -> dict:
    profile = profile_of(user)
    return {"benefits": draft.benefits, "job_title": profile.job_title, "registration": profile.registration}


@never_cache
@sensitive_post_parameters("password")
@clinician_required
def countersign(request: HttpRequest, public_id) -> HttpResponse:
    """GET: the statement of the health professional, pre-filled. POST: countersign it."""
    consent_request = get_case(public_id)
    existing = Countersignature.objects.filter(request=consent_request).first()
    refusal = countersigning.may_countersign(consent_request) if existing is None else ""
    draft = countersigning.statement_draft(consent_request) if not existing and not refusal else None
    form = None
    if draft is not None:
        data = request.POST if request.method == "POST" else None
        form = CountersignForm(data, matters=draft.matters, initial=_initial(consent_request, draft, request.user))
    if request.method == "POST" and existing is not None:
        # Sent twice (a double click, the back button) or by a second clinician: nothing more is recorded.
        messages.info(request, countersigning.already_countersigned(existing))
        return redirect("staff:case", public_id)
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            countersigning.countersign(
                consent_request=consent_request,
                user=request.user,
                password=form.cleaned_data["password"],
                job_title=form.cleaned_data["job_title"],
                registration=form.cleaned_data["registration"],
                benefits=form.cleaned_data["benefits"],
                extra_procedures=form.cleaned_data["extra_procedures"],
                addressed=form.addressed(),
                ip=client_ip(request),
            )
        except countersigning.AlreadyCountersigned as error:
            messages.info(request, str(error))
            return redirect("staff:case", public_id)
        except countersigning.ConsentError as error:
            form.show_refusal(error)
        else:
            save_profile(
                request.user, job_title=form.cleaned_data["job_title"], registration=form.cleaned_data["registration"]
            )
            messages.success(
                request,
                f"Countersigned by you at {timezone.localtime():%H:%M}. The clinician's part is a sealed PDF "
                "of its own; the patient's record is unchanged.",
            )
            return redirect("staff:case", public_id)
    return render(
        request,
        "staff/countersign.html",
        {
            "consent_request": consent_request,
            "patient": consent_request.patient,
            "countersignature": existing,
            "refusal": refusal,
            "draft": draft,
            "form": form,
            "meaning": countersigning.MEANING,
            "signing_as": staff_name(request.user),
        },
    )


@never_cache
@nurse_required
def clinician_pdf(request: HttpRequest, public_id) -> FileResponse:
    """The sealed clinician's part, rendered now if it is still pending."""
    consent_request = get_case(public_id)
    countersignature = Countersignature.objects.filter(request=consent_request).first()
    if countersignature is None:
        raise Http404("This request has no countersignature.")
    document = ClinicianDocument.objects.filter(countersignature=countersignature).first()
    document = document or documents.render_clinician_document_safely(countersignature)
    if document is None:
        raise Http404("The clinician's part could not be made yet: run manage.py render_pending_documents.")
    return pdf_response(document.file.open("rb"), f"{document.document_id}.pdf")
