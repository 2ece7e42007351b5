"""The admin's publish page: what changed since the last version, then publish."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from config.client_ip import client_ip
from consent import state
from consent.learning import VersionFigures, share, shown, version_figures
from consent.models import ConsentRequest
from consent.services import publish_content
from consent.state import Transition
from procedures.diff import ItemChange, content_diff, material_changes, stale_translations
from procedures.models import Procedure
from procedures.services import PublishError, may_approve_content, publishing_problems, snapshot


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


class MaterialOverrideForm(forms.Form):
    """A second content admin approves publishing, as not material, changes the risks make material.

    They sign the approval here, on the publishing editor's screen, with their own username and
    password (checked as at sign-in, failures counted by the lock-out), and the reason is recorded.
    """

    approver_username = forms.CharField(label=_("Second content admin's username"), max_length=150, required=False)
    approver_password = forms.CharField(
        label=_("Their password"), widget=forms.PasswordInput(render_value=False), required=False, strip=False
    )
    reason = forms.CharField(
        label=_("Why these changes are not material"),
        widget=forms.Textarea(attrs={"rows": 2, "cols": 80}),
        max_length=2000,
        required=False,
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, prefix="approval", **kwargs)
        self.request = request

    @property
    def is_filled_in(self) -> bool:
        return self.is_bound and any(self.data.get(self.add_prefix(name), "").strip() for name in self.fields)

    def clean(self):
        cleaned = super().clean()
        username, password = cleaned.get("approver_username", "").strip(), cleaned.get("approver_password", "")
        if not username or not password:
            raise forms.ValidationError(
                _("For a second content admin's approval, they type their username and password here.")
            )
        if not cleaned.get("reason", "").strip():
            self.add_error("reason", _("Say why these changes are not material, for the record."))
        approver = authenticate(self.request, username=username, password=password)
        if approver is None:
            raise forms.ValidationError(
                _("That username and password don't match a staff account. The second content admin types their own.")
            )
        if approver == self.request.user:
            raise forms.ValidationError(_("The approval must come from a second content admin, not from you."))
        if not may_approve_content(approver):
            raise forms.ValidationError(_("That account can't approve content: it must be a content admin's."))
        cleaned["approver"] = approver
        return cleaned


def _published_message(result, procedure: Procedure) -> str:
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
    return message % published


# The item sections of a snapshot, each the name of the procedure's relation holding its items.
NOTED_SECTIONS = ("risks", "preparation_steps", "checklist_items", "questions", "pictures")


def editor_notes(procedure: Procedure) -> dict[tuple[str, str], str]:
    """Each item's internal note on the working copy, by (section, key): shown beside its change.

    Read from the working copy because notes are never part of a version's content.
    """
    notes = {}
    for section in NOTED_SECTIONS:
        for key, note in getattr(procedure, section).exclude(editor_note="").values_list("key", "editor_note"):
            notes[(section, str(key))] = note
    return notes


def replaced_figures(item: ItemChange, figures: VersionFigures) -> str:
    """How patients did with a changed or removed risk, step or question on the version being replaced,
    in one sentence ("On version 3: 12 of 40 patients got this wrong first time (30%)."); "" for others."""
    rows = {"questions": figures.question, "risks": figures.risk, "preparation_steps": figures.step}
    row = rows[item.section](item.key) if item.kind != "added" and item.section in rows else None
    if row is None:
        return ""
    words = {"number": figures.version.number, "whole": row.answered}
    if row.too_few:
        return gettext("On version %(number)s: too few patients yet to say how they did.") % words
    if item.section == "questions":
        part = row.wrong_first
        with_share = gettext(
            "On version %(number)s: %(part)s of %(whole)s patients got this wrong first time (%(share)s%%)."
        )
        without = gettext("On version %(number)s: %(part)s of %(whole)s patients got this wrong first time.")
    else:
        part = row.flagged
        with_share = gettext(
            "On version %(number)s: %(part)s of %(whole)s patients asked to talk about this (%(share)s%%)."
        )
        without = gettext("On version %(number)s: %(part)s of %(whole)s patients asked to talk about this.")
    percent = share(part, row.answered)
    words.update(part=shown(part), share=percent)
    return (without if percent is None else with_share) % words


def publish_view(request, pk: int, *, admin_site):
    if not request.user.has_perm("procedures.change_procedure"):
        raise PermissionDenied
    procedure = get_object_or_404(Procedure, pk=pk)
    latest = procedure.current_version
    draft = snapshot(procedure)
    material = material_changes(latest.content if latest else None, draft)
    data = request.POST if request.method == "POST" else None
    form = PublishForm(data)
    approval = MaterialOverrideForm(data, request=request)
    if request.method == "POST" and form.is_valid():
        override_by, override_reason = None, ""
        wants_override = material and not form.cleaned_data["is_material"] and approval.is_filled_in
        if material and not form.cleaned_data["is_material"] and not approval.is_filled_in:
            form.add_error(
                "is_material",
                _(
                    "These changes are material: choose “Yes”, or have a second content admin approve "
                    "publishing them as not material below."
                ),
            )
        elif wants_override and approval.is_valid():
            override_by, override_reason = approval.cleaned_data["approver"], approval.cleaned_data["reason"]
        if not form.errors and (not wants_override or override_by):
            try:
                result = publish_content(
                    procedure=procedure,
                    user=request.user,
                    change_summary=form.cleaned_data["change_summary"],
                    is_material=form.cleaned_data["is_material"],
                    material_override_by=override_by,
                    material_override_reason=override_reason,
                    ip=client_ip(request),
                )
            except PublishError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _published_message(result, procedure))
                return redirect(reverse("admin:procedures_procedure_change", args=[procedure.pk]))
    earlier = ConsentRequest.objects.filter(procedure_version__procedure=procedure)
    diff = content_diff(latest.content if latest else None, draft)
    notes = editor_notes(procedure)
    # Beside each changed item, how patients did with it on the version being replaced.
    figures = version_figures(latest) if latest and diff.items else None
    context = {
        **admin_site.each_context(request),
        "title": gettext("Publish %(procedure)s") % {"procedure": procedure.name},
        "opts": Procedure._meta,
        "procedure": procedure,
        "latest": latest,
        "diff": diff,
        # Each changed item with its internal note and how patients did with it on the replaced version.
        "changed_items": [
            (item, notes.get((item.section, item.key), ""), replaced_figures(item, figures) if figures else "")
            for item in diff.items
        ],
        "problems": publishing_problems(procedure),
        "form": form,
        "material_changes": material,
        # Left empty, the approval shows no errors: it is only for those who choose it.
        "approval": approval if approval.is_filled_in else MaterialOverrideForm(None, request=request),
        "stale_translations": stale_translations(latest.content if latest else None, draft),
        "translations_to_update": procedure.translations_to_update,
        "would_move": earlier.filter(status__in=state.where(Transition.MOVE_TO_VERSION)).count(),
        "would_flag": earlier.filter(status__in=state.CONSENTED).count(),
    }
    return render(request, "admin/procedures/procedure/publish.html", context)
