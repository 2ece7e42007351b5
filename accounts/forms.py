"""Forms for staff sign-in's second step (the code from an authenticator app or a recovery code), and
for a member of staff's own details."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import StaffProfile


class OneTimeCodeInput(forms.TextInput):
    """A code box that never shows a code back: after a wrong one, the box is empty again."""

    def format_value(self, value):
        return None


def code_widget(*, numeric: bool, autofocus: bool) -> OneTimeCodeInput:
    attrs = {"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}
    if autofocus:
        attrs["autofocus"] = True
    if numeric:
        attrs.update({"inputmode": "numeric", "pattern": "[0-9 ]*"})
    return OneTimeCodeInput(attrs=attrs)


class ConfirmAuthenticatorForm(forms.Form):
    code = forms.CharField(
        label=_("The 6-digit code your app shows"),
        max_length=20,
        widget=code_widget(numeric=True, autofocus=False),  # the page is read first
        error_messages={"required": _("Type the 6-digit code your authenticator app shows for Proceed.")},
    )


class SecondStepForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
        max_length=40,
        widget=code_widget(numeric=False, autofocus=True),
        error_messages={"required": _("Type the 6-digit code from your authenticator app, or a recovery code.")},
    )


class SignInForm(AuthenticationForm):
    """Django's sign-in form, refusing an impossible username before it is looked up (or recorded by axes)."""

    def clean_username(self):
        username = self.cleaned_data.get("username", "")
        if len(username) > 150:
            raise forms.ValidationError(gettext("Enter your username: it is at most 150 characters long."))
        return username


class StaffProfileForm(forms.ModelForm):
    """A member of staff's job title and registration, as their countersignatures record them."""

    class Meta:
        model = StaffProfile
        fields = ["job_title", "registration"]
        labels = {"job_title": _("Job title"), "registration": _("Professional registration")}
        help_texts = {
            "job_title": _("For example: Consultant in pain medicine."),
            "registration": _(
                "The register and your number on it, for example: GMC 7654321. Leave it empty if you have none."
            ),
        }
