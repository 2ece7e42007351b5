"""Forms nurses fill in under /staff/."""

from __future__ import annotations

import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row, Submit
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from consent.models import Language, Patient, PregnancyPossible
from consent.services import MAX_APPOINTMENT_AHEAD
from procedures.models import Procedure

ISO_DATE = "%Y-%m-%d"


def _required(message: str) -> dict[str, str]:
    return {"required": message}


class DateInput(forms.DateInput):
    """The browser's own date picker; it always submits YYYY-MM-DD."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=ISO_DATE)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


class PublishedProcedureField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Procedure) -> str:
        return obj.name

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError:
            # Not offered because it is retired (a page opened before it was): say so, not just "not in the list".
            retired = (
                Procedure.objects.filter(pk=value, retired_at__isnull=False).first() if str(value).isdigit() else None
            )
            if retired is not None:
                raise forms.ValidationError(
                    gettext(
                        "%(procedure)s has been retired, so no new requests can be made for it. Choose another "
                        "procedure, or ask a content admin."
                    )
                    % {"procedure": retired.name},
                    code="retired",
                ) from None
            raise


def procedures_with_a_published_version():
    """The procedures a new request can be for: published, and not retired."""
    return Procedure.objects.filter(versions__isnull=False, retired_at__isnull=True).distinct().order_by("name")


class NewRequestForm(forms.Form):
    """A new consent request: who the patient is, which procedure, when."""

    mrn = forms.CharField(
        label=_("Medical record number"),
        max_length=Patient._meta.get_field("mrn").max_length,
        error_messages=_required(_("Enter the patient's medical record number.")),
    )
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        help_text=_("As on the patient's record. They type it again when they sign."),
        error_messages=_required(_("Enter the patient's full name.")),
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        widget=DateInput(),
        input_formats=[ISO_DATE],
        help_text=_("The patient enters it to open their link."),
        error_messages={
            **_required(_("Enter the patient's date of birth.")),
            "invalid": _("Enter the date of birth as a full date, for example 1958-04-12."),
        },
    )
    email = forms.EmailField(
        label=_("Email (optional)"),
        required=False,
        error_messages={"invalid": _("Enter a full email address, like name@example.org, or leave it empty.")},
    )
    phone = forms.CharField(label=_("Phone (optional)"), max_length=40, required=False)
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"), choices=Language.choices, initial=Language.ENGLISH
    )
    could_be_pregnant = forms.ChoiceField(
        label=_("Could the patient be pregnant?"),
        choices=PregnancyPossible.choices,
        required=False,
        help_text=_("Decides whether the patient is asked about pregnancy. If it isn't recorded, they are asked."),
        error_messages={"invalid_choice": _("Choose one of the answers in the list, or “Not recorded”.")},
    )
    procedure = PublishedProcedureField(
        label=_("Procedure"),
        queryset=procedures_with_a_published_version(),
        empty_label=_("Choose a procedure"),
        error_messages={
            **_required(_("Choose the procedure.")),
            "invalid_choice": _("Choose one of the procedures in the list."),
        },
    )
    appointment_date = forms.DateField(
        label=_("Appointment date"),
        widget=DateInput(),
        input_formats=[ISO_DATE],
        error_messages={
            **_required(_("Enter the date of the appointment.")),
            "invalid": _("Enter the appointment date as a full date, for example 2030-06-21."),
        },
    )
    appointment_time = forms.TimeField(
        label=_("Time"),
        widget=TimeInput(),
        input_formats=["%H:%M", "%H:%M:%S"],
        error_messages={
            **_required(_("Enter the time of the appointment.")),
            "invalid": _("Enter the appointment time as hours and minutes, for example 09:30."),
        },
    )
    clinician = forms.CharField(
        label=_("Responsible clinician"),
        max_length=200,
        help_text=_("For example Dr Priya Shah."),
        error_messages=_required(_("Enter the name of the clinician responsible for the procedure.")),
    )
    send_email = forms.BooleanField(
        label=_("Send the link by email now"),
        required=False,
        help_text=_("Needs the patient's email address above. Either way, you will see the link on the next page."),
    )

    confirm_another = forms.BooleanField(label=_("Create another request anyway"), required=False)

    def __init__(self, *args, offer_another: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # The tick to make a second open request shows only once it is needed (or was ticked).
        offer_another = offer_another or bool(self.data.get("confirm_another"))
        # Staff computers are shared: don't let the browser suggest another patient's details.
        for field in self.fields.values():
            field.widget.attrs.setdefault("autocomplete", "off")
        self.helper = FormHelper()
        self.helper.form_method = "post"
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            Fieldset(
                gettext("Patient"),
                "mrn",
                "full_name",
                "date_of_birth",
                "email",
                "phone",
                "preferred_language",
                "could_be_pregnant",
            ),
            Fieldset(
                gettext("Procedure and appointment"),
                "procedure",
                Row(
                    Column("appointment_date", css_class="col-7"),
                    Column("appointment_time", css_class="col-5"),
                ),
                "clinician",
            ),
            "send_email",
            *(["confirm_another"] if offer_another else []),
            Submit("create", gettext("Create request"), css_class="btn-lg mt-2"),
        )

    @property
    def has_field_errors(self) -> bool:
        """Errors marked beside fields (errors about the whole form show in their own box)."""
        return any(name != NON_FIELD_ERRORS for name in self.errors)

    def clean_date_of_birth(self) -> datetime.date:
        value = self.cleaned_data["date_of_birth"]
        if value > timezone.localdate():
            raise forms.ValidationError(gettext("The date of birth can't be in the future. Check the year."))
        if value.year < 1900:
            raise forms.ValidationError(gettext("Check the year of the date of birth: it is before 1900."))
        return value

    def clean(self) -> dict:
        cleaned = super().clean()
        day, time = cleaned.get("appointment_date"), cleaned.get("appointment_time")
        if day and time:
            appointment_at = timezone.make_aware(datetime.datetime.combine(day, time))
            if appointment_at <= timezone.now():
                self.add_error(
                    "appointment_date",
                    gettext("The appointment must be in the future. Check the date and the time."),
                )
            elif appointment_at > timezone.now() + MAX_APPOINTMENT_AHEAD:
                self.add_error(
                    "appointment_date",
                    gettext("The appointment is more than two years away. Check the year of the appointment date."),
                )
            else:
                cleaned["appointment_at"] = appointment_at
        if cleaned.get("send_email") and not cleaned.get("email") and "email" not in self.errors:
            self.add_error(
                "email",
                gettext(
                    "To send the link by email, enter the patient's email address, "
                    "or untick “Send the link by email now”."
                ),
            )
        return cleaned


class CorrectionForm(NewRequestForm):
    """Correct a patient's details and a request's appointment: the new-request form's fields, a reason."""

    reason = forms.CharField(
        label=_("Why are these corrected?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: “Date of birth mistyped; checked against the hospital record.”"),
        error_messages=_required(_("Say why the details are corrected, for the record.")),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("mrn", "procedure", "send_email", "confirm_another"):
            del self.fields[name]
        self.helper.layout = Layout(
            Fieldset(
                gettext("Patient"),
                "full_name",
                "date_of_birth",
                "email",
                "phone",
                "preferred_language",
                "could_be_pregnant",
            ),
            Fieldset(
                gettext("This appointment"),
                Row(
                    Column("appointment_date", css_class="col-7"),
                    Column("appointment_time", css_class="col-5"),
                ),
                "clinician",
            ),
            "reason",
            Submit("correct", gettext("Save the corrections"), css_class="btn-lg mt-2"),
        )

    @classmethod
    def for_request(cls, consent_request, data=None) -> CorrectionForm:
        patient = consent_request.patient
        local = timezone.localtime(consent_request.appointment_at)
        initial = {
            "full_name": patient.full_name,
            "date_of_birth": patient.date_of_birth,
            "email": patient.email,
            "phone": patient.phone,
            "preferred_language": patient.preferred_language,
            "could_be_pregnant": patient.could_be_pregnant,
            "appointment_date": local.date(),
            "appointment_time": local.time().replace(second=0, microsecond=0),
            "clinician": consent_request.clinician,
        }
        return cls(data, initial=initial)
