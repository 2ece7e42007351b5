"""Forms for the nurse's pre-procedure checklist, its sign-off and the day-of confirmation.

The forms only collect what the nurse typed; the rules (a reason for "not
applicable", a note for a problem, required items done before sign-off) live
in `consent.services`, whose messages the views show beside the form.
"""

from __future__ import annotations

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from consent.models import ChecklistState

NOTE_MAX_LENGTH = 2000


class ChecklistEntryForm(forms.Form):
    """One item's mark: done, not applicable (with a reason) or a problem (with a note).

    The checklist page holds one of these per item inside a single form, so the nurse marks
    several items and saves them together; an item left blank is not a mark. The radio offers
    "not applicable" only where the item allows it, but the field accepts every state, so a
    stale page or a hand-made request reaches the service and gets its plain message rather
    than a generic "invalid choice".
    """

    # Not `required`: an item left blank is simply not saved (see `clean` for a note without a mark).
    state = forms.ChoiceField(choices=ChecklistState.choices, widget=forms.RadioSelect, required=False)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 1}),
    )
    override_reason = forms.CharField(
        label=_("Why, if this goes against the patient's answer"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 1}),
        help_text=_("Only needed when the mark contradicts what the patient said, or a question still waits."),
    )

    def __init__(self, *args, item: dict, correcting: bool = False, may_contradict: bool = False, **kwargs):
        # Each item's form has its own prefix, so the ids on a page of many forms never clash.
        # It starts empty: every save is a new entry, and the current one is shown beside it.
        kwargs.setdefault("prefix", f"item-{item['key']}")
        super().__init__(*args, **kwargs)
        allowed = [
            (value, label)
            for value, label in ChecklistState.choices
            if value != ChecklistState.NOT_APPLICABLE or item["allow_not_applicable"]
        ]
        state = self.fields["state"]
        state.widget.choices = allowed
        state.label = gettext("Record a correction") if correcting else gettext("Mark this item")
        labels = {value: str(label).lower() for value, label in ChecklistState.choices}
        if item["allow_not_applicable"]:
            state.error_messages["required"] = gettext("Choose %(done)s or %(not_applicable)s or %(problem)s.") % labels
            self.fields["note"].label = gettext("Reason if not applicable, or what the problem is")
        else:
            state.error_messages["required"] = gettext("Choose %(done)s or %(problem)s.") % labels
            self.fields["note"].label = gettext("Note (required for a problem)")
        for name in ("note", "override_reason"):
            self.fields[name].error_messages["max_length"] = gettext("Keep the note under %(limit)s characters.") % {
                "limit": f"{NOTE_MAX_LENGTH:,}"
            }
            self.fields[name].widget.attrs["autocomplete"] = "off"

        self.helper = FormHelper()
        self.helper.form_tag = False  # the page's one <form> holds every item
        self.helper.disable_csrf = True  # the template adds the token once
        self.offer_override(may_contradict or bool(self.is_bound and self.data.get(self.add_prefix("override_reason"))))

    def offer_override(self, offered: bool = True) -> None:
        """Show the "why, against the patient's answer" box: where a mark could contradict the
        patient, where the nurse typed in it, or beside the refusal that asks for it."""
        # On a desktop the choice and its note sit side by side; on a phone, one above the other.
        marks = Row(Column(InlineRadios("state"), css_class="col-md-6"), Column("note", css_class="col-md-6"))
        self.helper.layout = Layout(marks, *(["override_reason"] if offered else []))

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("state") and "state" not in self.errors:
            self.add_error("state", self.fields["state"].error_messages["required"])
        return cleaned

    def is_blank(self) -> bool:
        """Nothing chosen or typed for this item: the nurse left it as it was."""
        return not any(str(self.data.get(self.add_prefix(name), "")).strip() for name in self.fields)


class SignOffForm(forms.Form):
    """The nurse re-enters their password to sign the checklist off. It is never shown back."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}, render_value=False),
        help_text=_("The password you sign in with. It confirms that you are the one signing off."),
        error_messages={"required": _("Enter your password to sign off.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "post"
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            "password", Submit("sign_off", gettext("Sign off the checklist"), css_class="btn-lg")
        )


class ConfirmForm(forms.Form):
    """A tick for each matter still open (the patient's questions, flagged risks, answers, problems);
    the page says what is being confirmed, the button records it."""

    acknowledged = forms.MultipleChoiceField(
        label=_("Still open: tick each one you have dealt with"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, matters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["acknowledged"].choices = [(matter.key, matter.text) for matter in matters]
        self.helper = FormHelper()
        self.helper.form_method = "post"
        self.helper.layout = Layout(
            *(["acknowledged"] if matters else []),
            Submit("confirm", gettext("Yes, confirm consent for today"), css_class="btn-lg"),
        )
