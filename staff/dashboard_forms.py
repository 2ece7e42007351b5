"""The dashboard's filter form (a GET form: every field optional)."""

from __future__ import annotations

import datetime
from collections import OrderedDict

from crispy_forms.bootstrap import StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Div, Layout, Row
from crispy_forms.utils import render_crispy_form
from django import forms
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from consent.models import Status
from staff.dashboard import DEFAULT_DAYS_AHEAD, FLAG_CHOICES, MAX_RANGE_DAYS, default_range
from staff.forms import ISO_DATE, DateInput

DATE_FORMATS = [ISO_DATE, "%d/%m/%Y"]  # the date picker sends ISO; a typed UK date works too
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
INVALID_DATE = _("Enter a full date, for example %(example)s, or leave it empty.")
URL_FIELDS = ("start", "end", "status", "flag")
# The fields' HTML for the filters nurses use, by language, day and filter values (never a search).
RENDERED_FIELDS: OrderedDict[tuple, str] = OrderedDict()
RENDERED_FIELDS_KEPT = 256


class DashboardFilterForm(forms.Form):
    start = forms.DateField(
        label=pgettext_lazy("date range", "From"),
        required=False,
        widget=DateInput(),
        input_formats=DATE_FORMATS,
    )
    end = forms.DateField(
        label=pgettext_lazy("date range", "To"),
        required=False,
        widget=DateInput(),
        input_formats=DATE_FORMATS,
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *Status.choices],
        error_messages={"invalid_choice": _("Choose a status from the list.")},
    )
    flag = forms.ChoiceField(
        label=_("Flag"),
        required=False,
        choices=[("", _("All requests")), *FLAG_CHOICES],
        error_messages={"invalid_choice": _("Choose a flag from the list.")},
    )
    q = forms.CharField(
        label=_("Name or record number"),
        required=False,
        max_length=100,
        error_messages={"max_length": _("Search for at most 100 characters: part of a name, or a record number.")},
    )

    def __init__(self, data=None, *, today: datetime.date | None = None, **kwargs):
        self.today = today or timezone.localdate()
        if data is not None:
            # Empty dates mean the default range: show it in the form, so the nurse sees what the table shows.
            data = data.copy()
            if not data.get("start"):
                data["start"] = self.today.isoformat()
            if not data.get("end"):
                start = self._parse(data["start"]) or self.today
                try:
                    data["end"] = (start + datetime.timedelta(days=DEFAULT_DAYS_AHEAD)).isoformat()
                except OverflowError:  # a start in the year 9999: its own error says what to fix
                    data["end"] = ""
        super().__init__(data, **kwargs)
        for name in ("start", "end"):
            self.fields[name].error_messages["invalid"] = INVALID_DATE % {
                "example": (self.today + datetime.timedelta(days=DEFAULT_DAYS_AHEAD)).isoformat()
            }
        self.fields["q"].widget.input_type = "search"
        self.fields["q"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.helper = FormHelper()
        # The <form> tag and its CSRF token are in templates/staff/index.html; see `rendered_fields`.
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(
                Column("start", css_class="col-6 col-md-3 col-xl-2"),
                Column("end", css_class="col-6 col-md-3 col-xl-2"),
                Column("status", css_class="col-6 col-md-3 col-xl-2"),
                Column("flag", css_class="col-6 col-md-3 col-xl-2"),
                Column("q", css_class="col-12 col-md-8 col-xl"),
                Div(
                    # An empty label's height, so the buttons line up with the fields beside them.
                    HTML('<div class="form-label d-none d-md-block" aria-hidden="true">&nbsp;</div>'),
                    Div(
                        StrictButton(gettext("Show"), type="submit", css_class="btn-primary"),
                        HTML(
                            '<a class="btn btn-outline-secondary d-inline-flex align-items-center" '
                            "href=\"{% url 'staff:index' %}?clear=1\">" + escape(gettext("Clear")) + "</a>"
                        ),
                        css_class="d-flex gap-2",
                    ),
                    css_class="col-12 col-md-4 col-xl-auto mb-3",
                ),
                css_class="g-2",
            ),
        )

    def rendered_fields(self) -> SafeString:
        """The fields' HTML (crispy-forms), kept in this process for the filters nurses use most.

        Drawing the form with crispy-forms cost about a fifth of the dashboard's time, yet what it
        draws depends only on the language, the day (the default dates, the error's example
        date) and the filter values, errors included, which follow from those. So the HTML is
        kept by those (at most RENDERED_FIELDS_KEPT, oldest dropped first), except when a search
        is entered: a patient's name or record number is never kept. The CSRF token is not part
        of it.
        """
        if self.data.get("q"):
            return render_crispy_form(self)
        key = (get_language(), self.today, *(str(self.data.get(name, "")) for name in URL_FIELDS))
        html = RENDERED_FIELDS.get(key)
        if html is None:
            html = RENDERED_FIELDS[key] = str(render_crispy_form(self))
            while len(RENDERED_FIELDS) > RENDERED_FIELDS_KEPT:
                RENDERED_FIELDS.popitem(last=False)
        return mark_safe(html)  # noqa: S308 - crispy-forms' own escaped output, as rendered above

    def _parse(self, value: str) -> datetime.date | None:
        for date_format in DATE_FORMATS:
            try:
                return datetime.datetime.strptime(value.strip(), date_format).date()
            except ValueError:
                continue
        return None

    def _clean_day(self, name: str) -> datetime.date | None:
        value = self.cleaned_data.get(name)
        if value and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            raise forms.ValidationError(
                gettext("Check the year: choose a date between %(earliest)s and %(latest)s.")
                % {"earliest": EARLIEST_YEAR, "latest": LATEST_YEAR}
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
        if start and end:
            if end < start:
                self.add_error(
                    "end", gettext("The “To” date is before the “From” date. Choose a “To” date on or after it.")
                )
            elif (end - start).days + 1 > MAX_RANGE_DAYS:
                self.add_error(
                    "end",
                    gettext(
                        "Show at most %(days)s days (about three months) at a time. "
                        "Choose a closer “To” date, or a later “From” date."
                    )
                    % {"days": MAX_RANGE_DAYS},
                )
        return cleaned

    def date_range(self) -> tuple[datetime.date, datetime.date]:
        """The days to show: those chosen if both dates are fine, else today and the next seven days."""
        if "start" in self.errors or "end" in self.errors:
            return default_range(self.today)
        start, end = self.cleaned_data.get("start"), self.cleaned_data.get("end")
        if start and end:
            return start, end
        return default_range(self.today)

    def filters(self) -> dict:
        """The status, flag and search to apply: each one that is valid (a bad one is ignored, with its error)."""
        data = getattr(self, "cleaned_data", {})
        return {
            "status": data.get("status") or None,
            "flag": data.get("flag") or None,
            "search": data.get("q") or "",
        }
