"""The nurse's pre-procedure checklist, its sign-off, its printable record and the day-of confirmation.

Views stay thin: `consent.services` makes every change, checks every rule and
writes the audit trail; a `ConsentError` it raises is shown beside the form
that caused it, with what the nurse typed kept (never their password).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.access import nurse_required
from config.client_ip import client_ip
from consent import blood_thinners, services, state
from consent.models import ChecklistState, ConsentRequest, Status
from procedures.roles import staff_name
from records.checklist_pdf import ChecklistOverview, checklist_overview, render_checklist_pdf
from records.responses import pdf_response
from staff.cases import get_case
from staff.checklist_forms import ChecklistEntryForm, ConfirmForm, SignOffForm


def _checklist_url(consent_request: ConsentRequest, item_key: str | None = None) -> str:
    url = reverse("staff:checklist", args=[consent_request.public_id])
    return f"{url}#item-{item_key}" if item_key else url


def _page_context(consent_request: ConsentRequest, overview: ChecklistOverview) -> dict:
    return {
        "consent_request": consent_request,
        "patient": consent_request.patient,
        "content": consent_request.content,
        "overview": overview,
        "signed_off_by": staff_name(overview.sign_off.signed_off_by) if overview.sign_off else "",
        "confirmed_by": staff_name(consent_request.confirmed_by) if consent_request.confirmed_by_id else "",
        "signature": getattr(consent_request, "signature", None),
        "staff_record": getattr(consent_request, "staff_record", None),
        "bt_plan": blood_thinners.plan_for(consent_request),
    }


def _field_to_fix(item: dict, data: dict) -> str | None:
    """Where a refusal is shown: beside the note when a note is what's missing, else above the form."""
    state = data.get("state")
    if state == ChecklistState.NOT_APPLICABLE and not item["allow_not_applicable"]:
        return "state"
    if state in (ChecklistState.NOT_APPLICABLE, ChecklistState.PROBLEM) and not data.get("note"):
        return "note"
    return None


def _item_forms(
    consent_request: ConsentRequest, overview: ChecklistOverview, data=None
) -> dict[str, ChecklistEntryForm]:
    """One form per item, keyed by item: empty to mark, or holding what the nurse just sent."""
    question_waits = consent_request.questions.filter(answered_at__isnull=True).exists()
    return {
        row.key: ChecklistEntryForm(
            data,
            item=row.item,
            correcting=overview.signed_off,
            may_contradict=bool(
                services.contradicting_marks(
                    row.item,
                    answer_needs_attention=bool(row.answer and row.answer.needs_attention),
                    question_waits=question_waits,
                )
            ),
        )
        for row in overview.rows
    }


def _render_checklist(
    request: HttpRequest,
    consent_request: ConsentRequest,
    *,
    overview: ChecklistOverview | None = None,
    forms: dict[str, ChecklistEntryForm] | None = None,
) -> HttpResponse:
    """The checklist page; `forms` are the item forms the nurse just sent, when they were refused
    (listed in the error summary at the top, each linking to its item)."""
    overview = overview or checklist_overview(consent_request)
    forms = forms or _item_forms(consent_request, overview)
    refused = [(row, forms[row.key]) for row in overview.rows if forms[row.key].errors]
    sections = [
        {"group": group, "items": [{"row": row, "form": forms[row.key]} for row in group.rows]}
        for group in overview.groups
    ]
    context = _page_context(consent_request, overview) | {"sections": sections, "refused": refused}
    return render(request, "staff/checklist.html", context)


def _refuse(form: ChecklistEntryForm, item: dict, error: services.ConsentError) -> None:
    """Put a refusal from the service beside the field it is about, keeping what was typed."""
    if isinstance(error, services.ChecklistContradiction):
        form.offer_override()
        form.add_error("override_reason", str(error))
    else:
        form.add_error(_field_to_fix(item, form.cleaned_data), str(error))


def _saved_message(consent_request: ConsentRequest, entries: list) -> str:
    """“Saved: “Identity checked” is done.”, naming each item saved and its state."""
    items = {item["key"]: item["text"] for item in consent_request.content["checklist_items"]}
    marks = [
        gettext("“%(item)s” is %(state)s")
        % {"item": items.get(str(entry.item_key), ""), "state": entry.get_state_display().lower()}
        for entry in entries
    ]
    if any(entry.corrects_id for entry in entries):
        return gettext("Correction saved: %(marks)s.") % {"marks": "; ".join(marks)}
    return gettext("Saved: %(marks)s.") % {"marks": "; ".join(marks)}


def _save_marks(request: HttpRequest, consent_request: ConsentRequest, *, only: str | None = None) -> HttpResponse:
    """Record the marks the nurse sent: every item they chose or typed something for (or just `only`).

    All of them are saved, or none: each refusal is shown beside its item with everything typed
    kept, so nothing is lost and nothing is half-saved.
    """
    overview = checklist_overview(consent_request)
    forms = _item_forms(consent_request, overview, request.POST)
    if only is not None:
        if only not in forms:
            messages.error(
                request, gettext("That checklist item isn't part of this procedure any more. Here is the checklist.")
            )
            return redirect(_checklist_url(consent_request))
        marked = {only: forms[only]}
    else:
        marked = {key: form for key, form in forms.items() if not form.is_blank()}
    forms = _item_forms(consent_request, overview) | marked  # the items left alone are shown empty, unjudged
    if not marked:
        messages.info(request, gettext("Nothing to save: choose done, not applicable or problem for an item first."))
        return redirect(_checklist_url(consent_request))
    if not all([form.is_valid() for form in marked.values()]):  # a list: every form shows its errors
        return _render_checklist(request, consent_request, overview=overview, forms=forms)
    items = {row.key: row.item for row in overview.rows}
    try:
        entries = services.record_checklist_marks(
            consent_request=consent_request,
            marks=[
                services.ChecklistMark(
                    item_key=key,
                    state=form.cleaned_data["state"],
                    note=form.cleaned_data["note"],
                    override_reason=form.cleaned_data["override_reason"],
                )
                for key, form in marked.items()
            ],
            user=request.user,
            ip=client_ip(request),
        )
    except services.ChecklistMarksRefused as refused:
        for key, error in refused.refusals.items():
            _refuse(marked[key], items[key], error)
        return _render_checklist(request, consent_request, overview=overview, forms=forms)
    messages.success(request, _saved_message(consent_request, entries))
    return redirect(_checklist_url(consent_request, only))


@never_cache
@nurse_required
def checklist(request: HttpRequest, public_id) -> HttpResponse:
    """GET: every item with its current state, history and the patient's own answer.
    POST: the marks the nurse made, saved together; items left blank stay as they were."""
    consent_request = get_case(public_id)
    if request.method == "POST":
        return _save_marks(request, consent_request)
    return _render_checklist(request, consent_request)


@never_cache
@nurse_required
@require_POST
def checklist_item(request: HttpRequest, public_id, item_key) -> HttpResponse:
    """One item's mark on its own (a page from before marks were saved together, or a script)."""
    return _save_marks(request, get_case(public_id), only=str(item_key))


@never_cache
@nurse_required
def sign_off(request: HttpRequest, public_id) -> HttpResponse:
    """GET: what is still open and the password box. POST: sign off, after the password is checked again."""
    consent_request = get_case(public_id)
    form = SignOffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.sign_off_checklist(
                consent_request=consent_request,
                user=request.user,
                password=form.cleaned_data["password"],
                ip=client_ip(request),
            )
        except services.ConsentError as error:
            form.add_error(None, str(error))  # the box is shown empty: PasswordInput never renders its value
        else:
            messages.success(
                request, gettext("Checklist signed off by you at %(time)s.") % {"time": f"{timezone.localtime():%H:%M}"}
            )
            return redirect(_checklist_url(consent_request))
    overview = checklist_overview(consent_request)
    return render(request, "staff/checklist_sign_off.html", _page_context(consent_request, overview) | {"form": form})


@never_cache
@nurse_required
def confirm(request: HttpRequest, public_id) -> HttpResponse:
    """GET: what is being confirmed and whether it can be. POST: record the day-of confirmation."""
    consent_request = get_case(public_id)
    matters = services.open_matters(consent_request)
    form = ConfirmForm(request.POST or None, matters=matters)
    error = ""
    if request.method == "POST":
        acknowledged = form.cleaned_data["acknowledged"] if form.is_valid() else []
        try:
            consent_request = services.confirm_on_the_day(
                consent_request=consent_request, user=request.user, ip=client_ip(request), acknowledged=acknowledged
            )
        except services.ConsentError as refused:
            error = str(refused)
        else:
            messages.success(request, gettext("Consent confirmed for today."))
            return redirect(_checklist_url(consent_request))
    overview = checklist_overview(consent_request)
    context = _page_context(consent_request, overview) | {
        "form": form,
        "error": error,
        "is_signed": consent_request.status in state.CONSENTED,
        "is_confirmed": consent_request.status == Status.CONFIRMED,
        "is_confirmation_day": consent_request.is_confirmation_day,
        "awaits_countersignature": consent_request.confirmation_awaits_countersignature,
        "open_matters": matters,
    }
    return render(request, "staff/confirm.html", context)


@never_cache
@nurse_required
def checklist_pdf(request: HttpRequest, public_id) -> HttpResponse:
    """The checklist as it stands now, to print. The file name holds no personal data."""
    consent_request = get_case(public_id)
    pdf = render_checklist_pdf(consent_request)
    day = timezone.localtime(consent_request.appointment_at).date()
    filename = f"checklist-{consent_request.procedure_version.procedure.slug}-{day:%Y-%m-%d}.pdf"
    return pdf_response(pdf, filename)
