"""Reading grade of patient-facing text (Flesch-Kincaid, via textstat), shown to editors."""

from __future__ import annotations

import re

import textstat
from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext

TARGET_GRADE = 8
MARKUP = re.compile(r"^\s*-\s+|\*\*", re.MULTILINE)


def reading_grade(text: str) -> float | None:
    """The US school grade needed to read the text; None for text too short to judge."""
    plain = MARKUP.sub("", text or "").strip()
    if len(plain.split()) < 12:
        return None
    return round(textstat.flesch_kincaid_grade(plain), 1)


def describe_grade(grade: float | None) -> str:
    if grade is None:
        return gettext("Reading grade: too short to measure.")
    if grade > TARGET_GRADE:
        return gettext(
            "Reading grade %(grade)s: above the target of %(target)s. Try shorter sentences and everyday words."
        ) % {"grade": grade, "target": TARGET_GRADE}
    return gettext("Reading grade %(grade)s (target: %(target)s or below).") % {"grade": grade, "target": TARGET_GRADE}


class ReadabilityTextarea(forms.Textarea):
    """A textarea with the reading grade of what it holds shown under it (as saved)."""

    def render(self, name, value, attrs=None, renderer=None):
        textarea = super().render(name, value, attrs, renderer)
        grade = reading_grade(value or "")
        css = (
            "proceed-readability proceed-readability-over" if grade and grade > TARGET_GRADE else "proceed-readability"
        )
        return format_html('{}<p class="{}">{}</p>', textarea, css, describe_grade(grade))
