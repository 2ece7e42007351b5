"""The records archive's filter form: every field optional, a bad value explained and ignored."""

from __future__ import annotations

import datetime
from collections import OrderedDict

from crispy_forms.bootstrap import StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Div, Layout, Row
from crispy_forms.utils import render_crispy_form
from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from procedures.models import Procedure, ProcedureVersion
from staff import archive
from staff.dashboard_forms import DATE_FORMATS, EARLIEST_YEAR, LATEST_YEAR
from staff.forms import DateInput

# The filters that go in the URL (the search never does: it is kept in the session).
URL_FIELDS = ("start", "end", "procedure", "version", "status", "signer", "countersigned")
INVALID_DATE = "Enter a full date, for example %(example)s, or leave it empty."
COUNTERSIGNED_CHOICES = [("", "Either"), ("yes", "Countersigned"), ("no", "Awaiting the clinician")]
# The fields' HTML by day, procedures and filter values (never with a search), as the dashboard keeps its own.
RENDERED_FIELDS: OrderedDict[tuple, str] = OrderedDict()
RENDERED_FIELDS_KEPT = 256


class ArchiveFilterForm(forms.Form):
    start = forms.DateField(label="Signed from", required=False, widget=DateInput(), input_formats=DATE_FORMATS)
    end = forms.DateField(label="Signed up to", required=False, widget=DateInput(), input_formats=DATE_FORMATS)
    procedure = forms.ChoiceField(
        label="Procedure",
        required=False,
        error_messages={"invalid_choice": "Choose a procedure from the list."},
    )
    version = forms.IntegerField(
        label="Version",
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": "Enter a version number, for example 2, or leave it empty.",
            "min_value": "Enter a version number, for example 2, or leave it empty.",
        },
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "All decisions"), *archive.STATUS_CHOICES],
        error_messages={"invalid_choice": "Choose a status from the list."},
    )
    signer = forms.ChoiceField(
        label="Signed by",
        required=False,
        choices=[("", "Anyone"), *archive.SIGNER_CHOICES],
        error_messages={"invalid_choice": "Choose who signed from the list."},
    )
    countersigned = forms.ChoiceField(
        label="Countersigned",
        required=False,
        choices=COUNTERSIGNED_CHOICES,
        error_messages={"invalid_choice": "Choose countersigned or not from the list."},
    )
    q = forms.CharField(
        label="Name or record number",
        required=False,
        max_length=100,
        error_messages={"max_length": "Search for at most 100 characters: part of a name, or a record number."},
    )

    def __init__(self, data=None, *, today: datetime.date | None = None, **kwargs):
        super().__init__(data, **kwargs)
        self.today = today or timezone.localdate()
        self.procedures = dict(
            Procedure.objects.filter(versions__isnull=False).distinct().order_by("name").values_list("slug", "name")
        )
        self.fields["procedure"].choices = [("", "All procedures"), *self.procedures.items()]
        for name in ("start", "end"):
            self.fields[name].error_messages["invalid"] = INVALID_DATE % {"example": self.today.isoformat()}
        self.fields["q"].widget.input_type = "search"
        self.fields["q"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.version_ids: tuple[int, ...] | None = None
        self.helper = FormHelper()
        # The <form> tag and its CSRF token are in templates/staff/records.html.
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(
                Column("start", css_class="col-6 col-md-4 col-xl-2"),
                Column("end", css_class="col-6 col-md-4 col-xl-2"),
                Column("procedure", css_class="col-12 col-md-4 col-xl-3"),
                Column("version", css_class="col-6 col-md-2 col-xl-1"),
                Column("status", css_class="col-6 col-md-4 col-xl-2"),
                Column("signer", css_class="col-6 col-md-3 col-xl-2"),
                Column("countersigned", css_class="col-6 col-md-3 col-xl-2"),
                Column("q", css_class="col-12 col-md-6 col-xl-5"),
                Div(
                    # An empty label's height, so the buttons line up with the fields beside them.
                    HTML('<div class="form-label d-none d-md-block" aria-hidden="true">&nbsp;</div>'),
                    Div(
                        StrictButton("Show", type="submit", css_class="btn-primary"),
                        HTML(
                            '<a class="btn btn-outline-secondary d-inline-flex align-items-center" '
                            f'href="{escape(reverse("staff:records"))}?clear=1">Clear</a>'
                        ),
                        css_class="d-flex gap-2",
                    ),
                    css_class="col-12 col-md-auto mb-3",
                ),
                css_class="g-2",
            ),
        )

    def rendered_fields(self) -> SafeString:
        """The fields' HTML (crispy-forms), kept in this process for the filters used most.

        Drawing the form cost about as much as the rest of the page. What it draws depends only on
        the day (the error's example date), the procedures offered and the filter values (errors
        included, which follow from them); so it is kept by those, at most RENDERED_FIELDS_KEPT,
        except when there is a search: a patient's name or record number is never kept. The CSRF
        token is not part of it.
        """
        if self.data.get("q"):
            return render_crispy_form(self)
        key = (
            self.today,
            tuple(self.procedures.items()),
            *(str(self.data.get(name, "")) for name in URL_FIELDS),
        )
        html = RENDERED_FIELDS.get(key)
        if html is None:
            html = RENDERED_FIELDS[key] = str(render_crispy_form(self))
            while len(RENDERED_FIELDS) > RENDERED_FIELDS_KEPT:
                RENDERED_FIELDS.popitem(last=False)
        return mark_safe(html)  # noqa: S308 - crispy-forms' own escaped output, as rendered above

    def _clean_day(self, name: str) -> datetime.date | None:
        value = self.cleaned_data.get(name)
        if value and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            raise forms.ValidationError(
                f"Check the year: choose a date between {EARLIEST_YEAR} and {LATEST_YEAR}.", code="year"
            )
        return value

    def clean_start(self) -> datetime.date | None:
        return self._clean_day("start")

    def clean_end(self) -> datetime.date | None:
        return self._clean_day("end")

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data.get("q", "").split())

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error(
                "end", "The “Signed up to” date is before the “Signed from” date. Choose a date on or after it."
            )
        slug, number = cleaned.get("procedure"), cleaned.get("version")
        if slug:
            versions = dict(ProcedureVersion.objects.filter(procedure__slug=slug).values_list("number", "pk"))
            if number is None:
                self.version_ids = tuple(sorted(versions.values()))
            elif number in versions:
                self.version_ids = (versions[number],)
            else:
                self.add_error(
                    "version",
                    f"{self.procedures[slug]} has no version {number}: "
                    f"choose a version from 1 to {max(versions)}, or leave it empty.",
                )
                self.version_ids = tuple(sorted(versions.values()))
        elif number is not None and "procedure" not in self.errors:
            self.add_error("version", "Choose a procedure too: each procedure numbers its own versions.")
        return cleaned

    def filters(self) -> archive.Filters:
        """The filters to apply: each one that is valid (a bad one is ignored, with its error shown)."""
        data = getattr(self, "cleaned_data", {})
        start, end = data.get("start"), data.get("end")
        if "end" in self.errors:
            end = None
        countersigned = data.get("countersigned") or ""
        return archive.Filters(
            start=start,
            end=end,
            version_ids=self.version_ids,
            status=data.get("status") or None,
            signer=data.get("signer") or None,
            countersigned={"yes": True, "no": False}.get(countersigned),
            search=data.get("q") or "",
        )

    def url_filters(self) -> dict[str, str]:
        """The valid filters as the URL gives them (what an export's audit event records)."""
        data = getattr(self, "cleaned_data", {})
        return {
            name: str(self.data[name])
            for name in URL_FIELDS
            if name in self.fields and name not in self.errors and data.get(name) not in (None, "")
        }
