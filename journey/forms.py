"""Forms of the patient journey. Each keeps what the patient entered when it fails."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from consent.models import Decision, PatientQuestion, Signer
from procedures.models import PatientAnswer


def _date_part_input(part: str) -> forms.TextInput:
    """A text field for digits (no spinner arrows, a number keypad on phones), sized by its class."""
    attrs = {"inputmode": "numeric", "pattern": "[0-9]*", "spellcheck": "false"}
    return forms.TextInput(attrs={**attrs, "autocomplete": f"bday-{part}", "class": f"date-input-{part}"})


class DateOfBirthForm(forms.Form):
    """Day, month and year as separate fields: easiest to get right on a phone, no JavaScript.

    Laid out as the usual date input (GOV.UK's): one fieldset whose legend is the question, a hint
    with an example, and three number fields each as wide as what it holds, wrapping onto the next
    line when the text is large. The month is a number too: a list of month names can't show
    "September" whole at 200% text on a small phone.
    """

    day = forms.IntegerField(
        label=_("Day"),
        min_value=1,
        max_value=31,
        widget=_date_part_input("day"),
        error_messages={
            "required": _("Enter the day you were born, for example 7."),
            "invalid": _("Enter the day as a number, for example 7."),
        },
    )
    month = forms.IntegerField(
        label=_("Month"),
        min_value=1,
        max_value=12,
        widget=_date_part_input("month"),
        error_messages={
            "required": _("Enter the month you were born as a number, for example 3 for March."),
            "invalid": _("Enter the month as a number, for example 3 for March."),
        },
    )
    year = forms.IntegerField(
        label=_("Year"),
        min_value=1900,
        widget=_date_part_input("year"),
        error_messages={
            "required": _("Enter the year you were born, for example 1956."),
            "invalid": _("Enter the year as a number, for example 1956."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].error_messages["min_value"] = _("The day must be a number from 1 to 31.")
        self.fields["day"].error_messages["max_value"] = _("The day must be a number from 1 to 31.")
        for limit in ("min_value", "max_value"):
            self.fields["month"].error_messages[limit] = _("The month must be a number from 1 to 12.")
        self.fields["year"].error_messages["min_value"] = _("Enter the year with four digits, for example 1956.")

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            cleaned["date_of_birth"] = datetime.date(cleaned["year"], cleaned["month"], cleaned["day"])
        except ValueError:
            raise forms.ValidationError(_("That date doesn't exist. Please check the day and month.")) from None
        except OverflowError:
            raise forms.ValidationError(_("That date is in the future. Please check the year.")) from None
        if cleaned["date_of_birth"] > datetime.date.today():
            raise forms.ValidationError(_("That date is in the future. Please check the year."))
        return cleaned


class ItemsForm(forms.Form):
    """One checkbox per item (named by its content key); optional here, checked by the service."""

    def __init__(self, *args, items=(), label="", **kwargs):
        super().__init__(*args, **kwargs)
        for item in items:
            self.fields[f"ack_{item['key']}"] = forms.BooleanField(required=False, label=label)

    def keys(self, prefix: str) -> set[str]:
        return {
            name.removeprefix(f"{prefix}_")
            for name, value in self.cleaned_data.items()
            if name.startswith(prefix) and value
        }


class RisksForm(ItemsForm):
    def __init__(self, *args, risks, **kwargs):
        material = [risk for risk in risks if risk["is_material"]]
        super().__init__(*args, items=material, label=_("I understand this risk"), **kwargs)
        for risk in risks:
            self.fields[f"discuss_{risk['key']}"] = forms.BooleanField(
                required=False, label=_("I'd like to talk about this before I decide")
            )


class BloodThinnerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.label  # the generic name and the brand names: a patient may know either


class PreparingForm(ItemsForm):
    """The preparation steps' ticks and the answers to checklist questions; with a question that asks about
    blood thinners, "Which one?" too: the clinic's blood thinners, another medicine's name, or not sure.
    Nothing here is required: the service says what is missing when the patient finishes the page."""

    def __init__(self, *args, steps, questions, blood_thinners=None, **kwargs):
        super().__init__(*args, items=steps, label=_("I will do this"), **kwargs)
        for item in questions:
            self.fields[f"answer_{item['key']}"] = forms.ChoiceField(
                label=item["patient_question"],
                choices=PatientAnswer.choices,
                widget=forms.RadioSelect,
                required=False,
            )
        if blood_thinners is not None:
            self.fields["bt_drugs"] = BloodThinnerChoiceField(
                label=_("Which blood thinner do you take? Choose all that you take."),
                queryset=blood_thinners,
                widget=forms.CheckboxSelectMultiple,
                required=False,
                error_messages={
                    "invalid_choice": _(
                        "One of the medicines you chose is no longer on our list. Please choose again, or type its "
                        "name under “Another medicine”."
                    ),
                    "invalid_pk_value": _(
                        "One of the medicines you chose is no longer on our list. Please choose again, or type its "
                        "name under “Another medicine”."
                    ),
                },
            )
            self.fields["bt_other"] = forms.BooleanField(label=_("Another medicine (type its name)"), required=False)
            self.fields["bt_other_name"] = forms.CharField(
                label=_("The other medicine's name"),
                max_length=200,
                required=False,
                error_messages={"max_length": _("Please keep the medicine's name under 200 characters.")},
            )
            self.fields["bt_not_sure"] = forms.BooleanField(label=_("I'm not sure of the name"), required=False)

    def clean_bt_other_name(self):
        # Control characters have no place in a medicine's name (it is printed in the checklist PDF).
        return " ".join("".join(ch for ch in self.cleaned_data["bt_other_name"] if ch.isprintable()).split())

    def answers(self) -> dict[str, str]:
        return {
            name.removeprefix("answer_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("answer_") and value
        }


class UnderstandingForm(forms.Form):
    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        for question in questions:
            self.fields[f"q_{question['key']}"] = forms.TypedChoiceField(
                label=question["question"],
                choices=list(enumerate(question["choices"], start=1)),
                coerce=int,
                widget=forms.RadioSelect,
                required=False,
            )

    def answers(self) -> dict[str, int]:
        return {
            name.removeprefix("q_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("q_") and value not in (None, "")
        }


class QuestionsForm(forms.Form):
    question = forms.CharField(
        label=_("Your question for the care team (optional)"),
        required=False,
        max_length=PatientQuestion.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Up to 1,000 characters. A nurse will read it before your appointment."),
        error_messages={
            "max_length": _("Your question is too long: please keep it under 1,000 characters, or split it in two.")
        },
    )
    wants_discussion = forms.BooleanField(label=_("I'd like to talk to someone before I decide"), required=False)

    def clean_question(self):
        # Control characters have no place in a question and can break the PDF.
        text = self.cleaned_data["question"]
        return "".join(ch for ch in text if ch in "\n\t" or ch.isprintable())


class ReviewForm(forms.Form):
    confirmed = forms.BooleanField(
        label=_("I have checked my answers and they are correct"),
        error_messages={
            "required": _("Please tick the box to confirm your answers are correct, or change them first.")
        },
    )


def procedure_in_a_sentence(name: str) -> str:
    """A procedure's name as it reads inside a sentence: "Lumbar puncture" → "lumbar puncture".

    Only a capital that starts an ordinary word is lowered, so "MRI-guided biopsy" stays as it is.
    """
    if len(name) > 1 and name[0].isupper() and name[1].islower():
        return name[0].lower() + name[1:]
    return name


class DecisionForm(forms.Form):
    """Agree, decline or talk first: equal choices, the first two naming the procedure."""

    decision = forms.ChoiceField(
        label=_("What would you like to do?"),
        choices=Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose one of the three options.")},
    )

    def __init__(self, *args, procedure_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        procedure = {"procedure": procedure_in_a_sentence(procedure_name)}
        self.fields["decision"].choices = [
            (Decision.CONSENT, _("I agree to have the %(procedure)s") % procedure),
            (Decision.DECLINE, _("I do not want to have the %(procedure)s") % procedure),
            (Decision.DISCUSS, Decision.DISCUSS.label),
        ]


class SignForm(forms.Form):
    signer = forms.ChoiceField(
        label=_("Who is signing?"), choices=Signer.choices, widget=forms.RadioSelect, initial=Signer.PATIENT
    )
    representative_name = forms.CharField(
        label=_("Your full name (if you are signing for the patient)"), max_length=200, required=False
    )
    representative_relationship = forms.CharField(
        label=_("Your relationship to the patient"),
        max_length=100,
        required=False,
        help_text=_("For example: parent, legal guardian, or attorney for health decisions."),
    )
    interpreter_name = forms.CharField(
        label=_("Interpreter's name (if one helped you)"), max_length=200, required=False
    )
    interpreter_language = forms.CharField(label=_("Language interpreted"), max_length=100, required=False)
    typed_name = forms.CharField(
        label=_("Type your full name to sign"),
        max_length=200,
        help_text=_("The patient's full name, or yours if you are signing for the patient."),
        error_messages={"required": _("Type your full name to sign.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    drawn_signature = forms.CharField(required=False, widget=forms.HiddenInput, max_length=200_000)

    @property
    def has_patient_input(self) -> bool:
        """Whether the form shows what the patient typed before (a saved draft): never a shared fragment."""
        return any(value and not (name == "signer" and value == Signer.PATIENT) for name, value in self.initial.items())

    def clean_drawn_signature(self):
        value = self.cleaned_data["drawn_signature"]
        # Only a PNG drawn on our canvas is kept; anything else is dropped, not stored.
        return value if value.startswith("data:image/png;base64,") else ""

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("signer") == Signer.REPRESENTATIVE:
            if not cleaned.get("representative_name", "").strip():
                self.add_error("representative_name", _("Enter your full name, as you are signing for the patient."))
            if not cleaned.get("representative_relationship", "").strip():
                self.add_error("representative_relationship", _("Say how you are related to the patient."))
        if cleaned.get("interpreter_name", "").strip() and not cleaned.get("interpreter_language", "").strip():
            self.add_error("interpreter_language", _("Say which language the interpreter used."))
        return cleaned


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Would you like to tell us why? (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class LanguageForm(forms.Form):
    """The language picker: which language the patient reads in (checked against the version by the service)."""

    language = forms.CharField(max_length=10)
