"""The admin's pages to retire a procedure and to restore it: a confirmation page each, with a reason.

A GET only shows the page; the work is `consent.retire` on POST. A refusal (no reason, the box about
open links left unticked, already retired, not retired) shows the page again with a plain message
and the reason as it was typed.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from config.client_ip import client_ip
from consent.retire import (
    MAX_REASON_LENGTH,
    OpenRequestsNotConfirmed,
    open_links,
    restore_procedure,
    retire_procedure,
)
from consent.services import ConsentError
from procedures.models import Procedure


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        max_length=MAX_REASON_LENGTH,
        help_text=_("Kept in the audit trail with your username. Don't write any patient's details here."),
        error_messages={
            "required": _("Say why, for the record."),
            "max_length": _("Keep the reason under %(limit_value)s characters: say it in short."),
        },
    )


class RetireForm(ReasonForm):
    confirm_open = forms.BooleanField(required=False)

    def __init__(self, *args, patients: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = _("Why is it retired?")
        if patients:
            self.fields["confirm_open"].label = ngettext(
                "I understand that %(count)s patient with an open link will no longer be able to read it",
                "I understand that %(count)s patients with open links will no longer be able to read it",
                patients,
            ) % {"count": patients}
        else:
            del self.fields["confirm_open"]


class RestoreForm(ReasonForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = _("Why is it restored?")


def _procedure_for_content_admin(request, pk: int) -> Procedure:
    if not request.user.has_perm("procedures.change_procedure"):
        raise PermissionDenied
    return get_object_or_404(Procedure.objects.select_related("retired_by"), pk=pk)


def _page(request, template: str, *, admin_site, procedure: Procedure, form, title: str, **extra):
    context = {
        **admin_site.each_context(request),
        "title": title,
        "opts": Procedure._meta,
        "procedure": procedure,
        "form": form,
        **extra,
    }
    return render(request, template, context)


def retire_view(request, pk: int, *, admin_site):
    procedure = _procedure_for_content_admin(request, pk)
    affected = open_links(procedure)
    form = RetireForm(request.POST if request.method == "POST" else None, patients=affected.patients)
    if request.method == "POST" and not procedure.is_retired and form.is_valid():
        try:
            retire_procedure(
                procedure=procedure,
                user=request.user,
                reason=form.cleaned_data["reason"],
                confirm_open=form.cleaned_data.get("confirm_open", False),
                ip=client_ip(request),
            )
        except OpenRequestsNotConfirmed as error:
            # More open requests than the page showed (or the box left unticked): ask again, with the count now.
            affected = error.affected
            form = RetireForm(request.POST, patients=affected.patients)
            form.is_valid()
            form.add_error("confirm_open" if "confirm_open" in form.fields else None, str(error))
        except ConsentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                gettext("%(procedure)s is retired. No new requests can be made for it.") % {"procedure": procedure},
            )
            return redirect(reverse("admin:procedures_procedure_change", args=[procedure.pk]))
    return _page(
        request,
        "admin/procedures/procedure/retire.html",
        admin_site=admin_site,
        procedure=procedure,
        form=form,
        title=gettext("Retire %(procedure)s") % {"procedure": procedure.name},
        affected=affected,
    )


def restore_view(request, pk: int, *, admin_site):
    procedure = _procedure_for_content_admin(request, pk)
    form = RestoreForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and procedure.is_retired and form.is_valid():
        try:
            restore_procedure(
                procedure=procedure, user=request.user, reason=form.cleaned_data["reason"], ip=client_ip(request)
            )
        except ConsentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                gettext("%(procedure)s is restored. Nurses can make new requests for it again.")
                % {"procedure": procedure},
            )
            return redirect(reverse("admin:procedures_procedure_change", args=[procedure.pk]))
    return _page(
        request,
        "admin/procedures/procedure/restore.html",
        admin_site=admin_site,
        procedure=procedure,
        form=form,
        title=gettext("Restore %(procedure)s") % {"procedure": procedure.name},
        affected=open_links(procedure),
    )
