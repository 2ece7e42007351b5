"""The nurse's blood-thinner planning page: each medicine the patient named, its suggested last dose (for
the prescriber to confirm), and a form to confirm the plan or change it.

The work and every rule are in `consent.blood_thinners`; a refusal is shown beside the field it is about,
with everything the nurse typed kept.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from accounts.access import nurse_required
from config.client_ip import client_ip
from consent import blood_thinners
from consent.models import BloodThinnerAnswer, BloodThinnerInstruction, ConsentRequest
from procedures.models import BleedingRisk
from staff.cases import get_case
from staff.forms import DateInput


class PlanForm(forms.Form):
    """One medicine's plan. The suggested date is filled in; changing it needs a reason (checked by the service)."""

    plan = forms.ChoiceField(
        label="Plan agreed with the prescriber",
        choices=BloodThinnerInstruction.Plan.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the patient stops this medicine or keeps taking it."},
    )
    last_dose_on = forms.DateField(
        label="Last dose on",
        required=False,
        widget=DateInput(),
        help_text="Only when the patient stops it.",
        error_messages={"invalid": "Enter the date of the last dose, for example 2026-12-07."},
    )
    reason = forms.CharField(
        label="Why it differs from the suggestion",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed when the plan or the date is not the one suggested.",
    )
    prescriber = forms.CharField(
        label="Prescriber who agreed it",
        max_length=200,
        help_text="Name and role, e.g. “Dr Ana Ruiz, cardiologist”.",
        error_messages={"required": "Say which prescriber agreed this plan."},
    )

    def __init__(self, *args, asks_name: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if asks_name:
            self.fields["medicine_name"] = forms.CharField(
                label="Medicine's name",
                max_length=200,
                help_text="The patient wasn't sure of the name: as the patient or the prescriber told you.",
                error_messages={"required": "Type the medicine's name, as the patient or the prescriber told you."},
            )
            self.order_fields(["medicine_name"])


def _initial(suggestion: blood_thinners.Suggestion) -> dict:
    latest = suggestion.latest
    if latest is not None and suggestion.confirmed is not None:
        return {
            "plan": latest.plan,
            "last_dose_on": latest.last_dose_on,
            "prescriber": latest.prescriber,
            "medicine_name": latest.medicine_name,
        }
    if suggestion.basis == blood_thinners.Basis.STOP:
        return {"plan": BloodThinnerInstruction.Plan.STOP, "last_dose_on": suggestion.last_dose_on}
    if suggestion.basis == blood_thinners.Basis.CONTINUE:
        return {"plan": BloodThinnerInstruction.Plan.CONTINUE}
    return {}


def _form(suggestion: blood_thinners.Suggestion, data=None) -> PlanForm:
    return PlanForm(
        data,
        prefix=f"m{suggestion.answer.pk}",
        initial=_initial(suggestion),
        asks_name=suggestion.answer.kind == BloodThinnerAnswer.Kind.NOT_SURE,
    )


def _page(request: HttpRequest, consent_request: ConsentRequest, bound: dict[int, PlanForm] | None = None):
    suggestions = blood_thinners.plan_for(consent_request)
    bound = bound or {}
    procedure = consent_request.procedure_version.procedure
    rows = [{"s": s, "form": bound.get(s.answer.pk) or _form(s)} for s in suggestions]
    return render(
        request,
        "staff/blood_thinners.html",
        {
            "consent_request": consent_request,
            "patient": consent_request.patient,
            "procedure": procedure,
            "bleeding_risk": BleedingRisk(procedure.bleeding_risk).label if procedure.bleeding_risk else "",
            "rows": rows,
            "bt_plan": suggestions,
            "refused": [row for row in rows if row["form"].errors],
            "may_plan": blood_thinners.needs_planning(consent_request),
            "today": timezone.localdate(),
            "max_days_before": blood_thinners.MAX_DAYS_BEFORE,
        },
        status=400 if any(form.errors for form in bound.values()) else 200,
    )


@never_cache
@nurse_required
def blood_thinner_plan(request: HttpRequest, public_id) -> HttpResponse:
    consent_request = get_case(public_id)
    if request.method != "POST":
        return _page(request, consent_request)
    suggestion = next(
        (s for s in blood_thinners.plan_for(consent_request) if str(s.answer.pk) == request.POST.get("medicine")),
        None,
    )
    if suggestion is None:
        messages.error(
            request,
            "The patient no longer names that medicine (they changed their answers). Here is what they take now.",
        )
        return redirect(reverse("staff:blood_thinners", args=[consent_request.public_id]))
    form = _form(suggestion, request.POST)
    if not form.is_valid():
        return _page(request, consent_request, {suggestion.answer.pk: form})
    data = form.cleaned_data
    try:
        blood_thinners.confirm_plan(
            consent_request=consent_request,
            medicine_key=suggestion.medicine_key,
            plan=data["plan"],
            last_dose_on=data["last_dose_on"],
            prescriber=data["prescriber"],
            reason=data["reason"],
            medicine_name=data.get("medicine_name", ""),
            user=request.user,
            ip=client_ip(request),
        )
    except blood_thinners.AlreadyConfirmed as error:
        messages.info(request, str(error))
    except blood_thinners.PlanRefused as error:
        field = error.field if error.field in form.fields else None
        form.add_error(field, str(error))
        return _page(request, consent_request, {suggestion.answer.pk: form})
    else:
        messages.success(
            request, f"Plan for {suggestion.name or data.get('medicine_name')} confirmed. The patient now sees it."
        )
    return redirect(
        reverse("staff:blood_thinners", args=[consent_request.public_id]) + f"#medicine-{suggestion.answer.pk}"
    )
