"""The form a nurse fills in to record a consent (or refusal) taken outside the link."""

from __future__ import annotations

import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Fieldset, Layout, Row, Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from consent.models import RecordedDecision, StaffRecordMethod
from consent.staff_record import problems_with
from procedures.roles import staff_name
from staff.forms import ISO_DATE, DateInput, TimeInput

# Browsers never fill a file input again when a page comes back with errors: said beside the field.
CHOOSE_AGAIN = _(
    "For your safety the browser doesn't keep a chosen file when the page is shown again: choose it again."
)


class StaffRecordForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("The patient's decision"),
        choices=RecordedDecision.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose whether the patient consented or refused."),
            "invalid_choice": _("Choose whether the patient consented or refused."),
        },
    )
    method = forms.ChoiceField(
        label=_("How it was obtained"),
        choices=StaffRecordMethod.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how the decision was obtained."),
            "invalid_choice": _("Choose how the decision was obtained."),
        },
    )
    obtained_by_name = forms.CharField(
        label=_("Obtained by"),
        max_length=200,
        help_text=_("The person who took the patient's decision: you, or a clinician (who may have no account)."),
        error_messages={"required": _("Enter the name of the person who obtained the decision.")},
    )
    obtained_by_role = forms.CharField(
        label=_("Their role (optional)"), max_length=100, required=False, help_text=_("For example: Consultant.")
    )
    obtained_date = forms.DateField(
        label=_("Date obtained"),
        widget=DateInput(),
        input_formats=[ISO_DATE],
        error_messages={
            "required": _("Enter the date the decision was obtained."),
            "invalid": _("Enter the date as a full date, for example 2030-06-21."),
        },
    )
    obtained_time = forms.TimeField(
        label=_("Time"),
        widget=TimeInput(),
        input_formats=["%H:%M", "%H:%M:%S"],
        error_messages={
            "required": _("Enter the time the decision was obtained."),
            "invalid": _("Enter the time as hours and minutes, for example 09:30."),
        },
    )
    interpreter_name = forms.CharField(label=_("Interpreter's name"), max_length=200, required=False)
    interpreter_language = forms.CharField(label=_("Language interpreted"), max_length=100, required=False)
    representative_name = forms.CharField(
        label=_("Representative's name"),
        max_length=200,
        required=False,
        help_text=_("Only if someone signed or decided for the patient."),
    )
    representative_relationship = forms.CharField(
        label=_("Their relationship to the patient"), max_length=100, required=False
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Anything the record should say, e.g. who else was present. No need to repeat the form."),
        error_messages={"max_length": _("Keep the note under 2,000 characters.")},
    )
    scan = forms.FileField(
        label=_("Scan of the signed form"),
        required=False,
        help_text=_("A PDF, JPEG or PNG. Required for a paper form. It is kept privately, under the document's ID."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
        error_messages={"invalid": _("The file couldn't be read. Choose it again.")},
    )

    def __init__(self, *args, consent_request, user, **kwargs):
        local_now = timezone.localtime()
        kwargs.setdefault(
            "initial",
            {
                "obtained_by_name": staff_name(user),
                "obtained_date": local_now.date(),
                "obtained_time": local_now.time().replace(second=0, microsecond=0),
            },
        )
        super().__init__(*args, **kwargs)
        self.consent_request = consent_request
        for field in self.fields.values():
            field.widget.attrs.setdefault("autocomplete", "off")
        self.helper = FormHelper()
        self.helper.form_method = "post"
        self.helper.form_tag = True
        self.helper.attrs = {"novalidate": "", "enctype": "multipart/form-data"}
        self.helper.layout = Layout(
            "decision",
            "method",
            Fieldset(
                gettext("Who obtained it, and when"),
                Row(Column("obtained_by_name", css_class="col-md-7"), Column("obtained_by_role", css_class="col-md-5")),
                Row(Column("obtained_date", css_class="col-7"), Column("obtained_time", css_class="col-5")),
            ),
            Fieldset(
                gettext("Interpreter (needed for the methods with an interpreter)"),
                Row(
                    Column("interpreter_name", css_class="col-md-7"),
                    Column("interpreter_language", css_class="col-md-5"),
                ),
            ),
            Fieldset(
                gettext("Representative (optional)"),
                Row(
                    Column("representative_name", css_class="col-md-7"),
                    Column("representative_relationship", css_class="col-md-5"),
                ),
            ),
            "scan",
            "note",
            HTML(
                '<p class="form-text">'
                + gettext(
                    "This is recorded as taken by staff, never as the patient's electronic signature, "
                    "and it can't be changed afterwards."
                )
                + "</p>"
            ),
            Submit("record", gettext("Record the decision"), css_class="btn-lg mt-2"),
        )

    def clean_obtained_by_name(self) -> str:
        return " ".join(self.cleaned_data["obtained_by_name"].split())

    def clean(self) -> dict:
        cleaned = super().clean()
        day, time = cleaned.get("obtained_date"), cleaned.get("obtained_time")
        obtained_at = timezone.make_aware(datetime.datetime.combine(day, time)) if day and time else None
        cleaned["obtained_at"] = obtained_at
        problems = problems_with(
            consent_request=self.consent_request,
            decision=cleaned.get("decision", ""),
            method=cleaned.get("method", ""),
            obtained_by_name=cleaned.get("obtained_by_name", ""),
            obtained_at=obtained_at,
            interpreter_name=cleaned.get("interpreter_name", ""),
            interpreter_language=cleaned.get("interpreter_language", ""),
            representative_name=cleaned.get("representative_name", ""),
            representative_relationship=cleaned.get("representative_relationship", ""),
            has_scan=bool(cleaned.get("scan")) or "scan" in self.errors,
        )
        for field, message in problems.items():
            self.add_error_once(field, message)
        return cleaned

    def add_error_once(self, field: str | None, message: str) -> None:
        """An error for `field` (the date and time go on the date), unless the field already has one."""
        field = "obtained_date" if field == "obtained_at" else field
        if field is None or field not in self.fields:
            self.add_error(None, message)
        elif field not in self.errors:
            self.add_error(field, message)

    def note_the_file_must_be_chosen_again(self) -> None:
        """A chosen file is lost when the page comes back with errors: say so beside the field."""
        if self.files.get("scan") and "scan" not in self.errors:
            self.add_error("scan", CHOOSE_AGAIN)
