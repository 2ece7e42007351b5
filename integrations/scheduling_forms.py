"""The scheduling API's JSON bodies, checked field by field with Django forms.

Every problem is named against its field (`errors_of`), so an integrator sees all of them at once:
{"errors": {"date_of_birth": ["..."], "appointment_at": ["..."]}}.
"""

from __future__ import annotations

import datetime
import re

from django import forms
from django.utils import timezone

from consent.models import Language, Patient
from procedures.models import Procedure

PHONE = re.compile(r"^\+?[0-9 ().-]{6,40}$")


class JsonForm(forms.Form):
    """A form fed a parsed JSON object: unknown fields and values of the wrong JSON type are errors too."""

    boolean_fields: tuple[str, ...] = ()

    def __init__(self, data: dict, **kwargs):
        # Values of the wrong JSON type never reach the fields (a date field can't parse a number):
        # they are held back and reported against their field.
        self.type_errors: dict[str, str] = {}
        self.unknown = sorted(set(data) - set(self.base_fields))
        usable = {}
        for name, value in data.items():
            if name in self.boolean_fields:
                if not isinstance(value, bool):
                    self.type_errors[name] = "Give true or false."
                    continue
            elif value is not None and not isinstance(value, str):
                self.type_errors[name] = "Give this as a string."
                continue
            usable[name] = "" if value is None else value
        super().__init__(data=usable, **kwargs)

    def full_clean(self):
        super().full_clean()
        for name, message in self.type_errors.items():
            if name in self.fields:
                self.errors[name] = self.error_class([message])
                self.cleaned_data.pop(name, None)
        for name in self.unknown:
            self.add_error(None, f"Unknown field “{name}”. Known fields: {', '.join(self.fields)}.")


def errors_of(form: forms.Form) -> dict[str, list[str]]:
    errors = {name: [str(message) for message in messages] for name, messages in form.errors.items()}
    if "__all__" in errors:
        errors["body"] = errors.pop("__all__")
    return errors


def appointment_field(**kwargs) -> forms.CharField:
    return forms.CharField(
        error_messages={
            "required": "Give the appointment's date and time with its offset, e.g. 2030-06-21T09:30:00+01:00."
        },
        **kwargs,
    )


def parse_appointment(value: str) -> datetime.datetime:
    try:
        when = datetime.datetime.fromisoformat(value.strip())
    except ValueError:
        raise forms.ValidationError(
            "Give the date and time in ISO 8601 with an offset, e.g. 2030-06-21T09:30:00+01:00."
        ) from None
    if when.tzinfo is None:
        raise forms.ValidationError("Add the time zone offset (e.g. +01:00 or Z): a time without one is ambiguous.")
    if when <= timezone.now():
        raise forms.ValidationError("The appointment is in the past. Give a future date and time.")
    return when


class NewRequestForm(JsonForm):
    """POST /api/v1/consent-requests."""

    boolean_fields = ("send_invite",)

    record_number = forms.CharField(
        max_length=Patient._meta.get_field("mrn").max_length,
        error_messages={"required": "Give the patient's medical record number."},
    )
    name = forms.CharField(max_length=200, error_messages={"required": "Give the patient's full name."})
    date_of_birth = forms.DateField(
        input_formats=["%Y-%m-%d"],
        error_messages={
            "required": "Give the patient's date of birth.",
            "invalid": "Give the date of birth as YYYY-MM-DD, e.g. 1958-04-12.",
        },
    )
    email = forms.EmailField(required=False, error_messages={"invalid": "Give a full email address."})
    mobile = forms.CharField(required=False, max_length=40)
    procedure = forms.CharField(
        max_length=100,
        error_messages={"required": "Give the procedure's slug (GET the procedure list from the clinic)."},
    )
    appointment_at = appointment_field()
    clinician = forms.CharField(
        max_length=200, error_messages={"required": "Give the name of the clinician responsible."}
    )
    language = forms.ChoiceField(
        required=False,
        choices=Language.choices,
        error_messages={"invalid_choice": f"Give one of: {', '.join(Language.values)}."},
    )
    send_invite = forms.BooleanField(required=False)
    external_appointment_id = forms.CharField(required=False, max_length=150)

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        if born > timezone.localdate():
            raise forms.ValidationError("The date of birth is in the future. Check it against the patient's record.")
        return born

    def clean_mobile(self):
        mobile = self.cleaned_data["mobile"].strip()
        if mobile and not PHONE.match(mobile):
            raise forms.ValidationError("Give the mobile number in digits, e.g. +44 7700 900123.")
        return mobile

    def clean_appointment_at(self):
        return parse_appointment(self.cleaned_data["appointment_at"])

    def clean_procedure(self):
        slug = self.cleaned_data["procedure"].strip()
        procedure = Procedure.objects.filter(slug=slug).first()
        if procedure is None:
            raise forms.ValidationError(f"No procedure has the slug “{slug}”. Check the slug with the clinic.")
        if procedure.retired_at is not None:
            raise forms.ValidationError(f"“{slug}” has been retired: no new requests can be made for it.")
        if procedure.current_version is None:
            raise forms.ValidationError(f"“{slug}” has no published version yet. Ask the clinic to publish it.")
        return procedure

    def clean(self):
        data = super().clean()
        if not data.get("email") and not data.get("mobile") and "email" not in self.errors:
            self.add_error("email", "Give the patient's email or mobile number (or both).")
        if data.get("send_invite") and not data.get("email") and "email" not in self.errors:
            self.add_error("email", "An invitation is sent by email: give the email, or send_invite false.")
        return data


class MoveForm(JsonForm):
    """PATCH /api/v1/consent-requests/<id>: a new appointment (and, optionally, clinician)."""

    appointment_at = appointment_field()
    clinician = forms.CharField(required=False, max_length=200)
    reason = forms.CharField(required=False, max_length=500)

    def clean_appointment_at(self):
        return parse_appointment(self.cleaned_data["appointment_at"])


class CancelForm(JsonForm):
    """POST /api/v1/consent-requests/<id>/cancel."""

    reason = forms.CharField(required=False, max_length=1000)
