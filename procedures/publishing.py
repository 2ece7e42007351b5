"""The admin's publish page: what changed since the last version, then publish."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from config.client_ip import client_ip
from procedures.diff import content_diff
from procedures.models import Procedure
from procedures.services import PublishError, publishing_problems, snapshot


class PublishForm(forms.Form):
    change_summary = forms.CharField(
        label=_("What changed, and why"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        max_length=2000,
        help_text=_(
            "Reviewers, nurses and the audit trail see this. For example: “Headache figure updated to 1 in 5 "
            "after the 2026 audit.”"
        ),
        error_messages={"required": _("Write a short summary of what changed, so reviewers and nurses can see why.")},
    )
    is_material = forms.TypedChoiceField(
        label=_("Is this a material change?"),
        choices=[
            (
                "yes",
                _("Yes: it changes what a patient is agreeing to (a risk, a figure, what happens, an instruction)"),
            ),
            ("no", _("No: wording, spelling or layout only")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether the change is material: it decides what happens to open requests.")},
    )


def publish_view(request, pk: int, *, admin_site):
    if not request.user.has_perm("procedures.change_procedure"):
        raise PermissionDenied
    from consent.models import ConsentRequest
    from consent.services import CONSENTED_STATUSES, MOVABLE_STATUSES, publish_content

    procedure = get_object_or_404(Procedure, pk=pk)
    latest = procedure.current_version
    draft = snapshot(procedure)
    form = PublishForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            result = publish_content(
                procedure=procedure,
                user=request.user,
                change_summary=form.cleaned_data["change_summary"],
                is_material=form.cleaned_data["is_material"],
                ip=client_ip(request),
            )
        except PublishError as error:
            form.add_error(None, str(error))
        else:
            published = {
                "number": result.version.number,
                "procedure": procedure.name,
                "moved": result.moved,
                "flagged": result.flagged,
            }
            if result.version.is_material:
                message = gettext(
                    "Published version %(number)s of %(procedure)s. %(moved)s unsigned requests moved to it;"
                    " %(flagged)s signed requests flagged for the nurses."
                )
            else:
                message = gettext("Published version %(number)s of %(procedure)s. Only new requests will use it.")
            messages.success(request, message % published)
            return redirect(reverse("admin:procedures_procedure_change", args=[procedure.pk]))
    earlier = ConsentRequest.objects.filter(procedure_version__procedure=procedure)
    context = {
        **admin_site.each_context(request),
        "title": gettext("Publish %(procedure)s") % {"procedure": procedure.name},
        "opts": Procedure._meta,
        "procedure": procedure,
        "latest": latest,
        "diff": content_diff(latest.content if latest else None, draft),
        "problems": publishing_problems(procedure),
        "form": form,
        "would_move": earlier.filter(status__in=MOVABLE_STATUSES).count(),
        "would_flag": earlier.filter(status__in=CONSENTED_STATUSES).count(),
    }
    return render(request, "admin/procedures/procedure/publish.html", context)
