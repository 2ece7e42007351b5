"""The nurse's pre-procedure checklist, its sign-off, its printable record and the day-of confirmation.

Views stay thin: `consent.services` makes every change, checks every rule and
writes the audit trail; a `ConsentError` it raises is shown beside the form
that caused it, with what the nurse typed kept (never their password).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from config.client_ip import client_ip
from consent import services
from consent.access import nurse_required
from consent.checklist_forms import ChecklistEntryForm, ConfirmForm, SignOffForm
from consent.checklist_pdf import ChecklistOverview, checklist_overview, render_checklist_pdf
from consent.models import ChecklistState, ConsentRequest, Status
from procedures.roles import staff_name


def _client_ip(request: HttpRequest) -> str | None:
    return client_ip(request)


def _consent_request(public_id) -> ConsentRequest:
    return get_object_or_404(
        ConsentRequest.objects.select_related("patient", "procedure_version__procedure", "confirmed_by"),
        public_id=public_id,
    )


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
    }


def _field_to_fix(item: dict, data: dict) -> str | None:
    """Where a refusal is shown: beside the note when a note is what's missing, else above the form."""
    state = data.get("state")
    if state == ChecklistState.NOT_APPLICABLE and not item["allow_not_applicable"]:
        return "state"
    if state in (ChecklistState.NOT_APPLICABLE, ChecklistState.PROBLEM) and not data.get("note"):
        return "note"
    return None


def _render_checklist(
    request: HttpRequest, consent_request: ConsentRequest, *, failed: ChecklistEntryForm | None = None
) -> HttpResponse:
    """The checklist page; `failed` is the one item form the nurse just sent that was refused."""
    overview = checklist_overview(consent_request)
    correcting = overview.signed_off
    sections = []
    for group in overview.groups:
        items = []
        for row in group.rows:
            if failed is not None and failed.prefix == f"item-{row.key}":
                form = failed
                if "note" in form.errors:  # take the nurse straight to the note they need to write
                    form.fields["note"].widget.attrs["autofocus"] = True
            else:
                form = ChecklistEntryForm(item=row.item, correcting=correcting)
            items.append({"row": row, "form": form})
        sections.append({"group": group, "items": items})
    context = _page_context(consent_request, overview) | {"sections": sections, "failed": failed}
    return render(request, "staff/checklist.html", context)


@never_cache
@nurse_required
def checklist(request: HttpRequest, public_id) -> HttpResponse:
    """Every item of the checklist with its current state, history and the patient's own answer."""
    return _render_checklist(request, _consent_request(public_id))


@never_cache
@nurse_required
@require_POST
def checklist_item(request: HttpRequest, public_id, item_key) -> HttpResponse:
    """Record one item's mark (a correction, once signed off); progress is saved item by item."""
    consent_request = _consent_request(public_id)
    item = services.checklist_items(consent_request).get(str(item_key))
    if item is None:
        messages.error(
            request, gettext("That checklist item isn't part of this procedure any more. Here is the checklist.")
        )
        return redirect(_checklist_url(consent_request))
    correcting = hasattr(consent_request, "checklist_sign_off")
    form = ChecklistEntryForm(request.POST, item=item, correcting=correcting)
    if not form.is_valid():
        return _render_checklist(request, consent_request, failed=form)
    try:
        entry = services.record_checklist_entry(
            request=consent_request,
            item_key=str(item_key),
            state=form.cleaned_data["state"],
            note=form.cleaned_data["note"],
            override_reason=form.cleaned_data["override_reason"],
            user=request.user,
            ip=_client_ip(request),
        )
    except services.ChecklistContradiction as error:
        form.add_error("override_reason", str(error))
        return _render_checklist(request, consent_request, failed=form)
    except services.ConsentError as error:
        form.add_error(_field_to_fix(item, form.cleaned_data), str(error))
        return _render_checklist(request, consent_request, failed=form)
    outcome = {"item": item["text"], "state": entry.get_state_display().lower()}
    if entry.corrects_id:
        messages.success(request, gettext("Correction saved: “%(item)s” is %(state)s.") % outcome)
    else:
        messages.success(request, gettext("Saved: “%(item)s” is %(state)s.") % outcome)
    return redirect(_checklist_url(consent_request, item["key"]))


@never_cache
@nurse_required
def sign_off(request: HttpRequest, public_id) -> HttpResponse:
    """GET: what is still open and the password box. POST: sign off, after the password is checked again."""
    consent_request = _consent_request(public_id)
    form = SignOffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.sign_off_checklist(
                request=consent_request,
                user=request.user,
                password=form.cleaned_data["password"],
                ip=_client_ip(request),
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
    consent_request = _consent_request(public_id)
    matters = services.open_matters(consent_request)
    form = ConfirmForm(request.POST or None, matters=matters)
    error = ""
    if request.method == "POST":
        acknowledged = form.cleaned_data["acknowledged"] if form.is_valid() else []
        try:
            consent_request = services.confirm_on_the_day(
                request=consent_request, user=request.user, ip=_client_ip(request), acknowledged=acknowledged
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
        "is_signed": consent_request.status in (Status.SIGNED, Status.CONFIRMED),
        "is_confirmed": consent_request.status == Status.CONFIRMED,
        "appointment_is_today": timezone.localtime(consent_request.appointment_at).date() == timezone.localdate(),
        "open_matters": matters,
    }
    return render(request, "staff/confirm.html", context)


@never_cache
@nurse_required
def checklist_pdf(request: HttpRequest, public_id) -> HttpResponse:
    """The checklist as it stands now, to print. The file name holds no personal data."""
    consent_request = _consent_request(public_id)
    pdf = render_checklist_pdf(consent_request)
    day = timezone.localtime(consent_request.appointment_at).date()
    filename = f"checklist-{consent_request.procedure_version.procedure.slug}-{day:%Y-%m-%d}.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
