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


# How long the journey takes, from what the patient reads and does. A patient reading health
# information on a phone, carefully and sometimes twice, reads about 120 words a minute (half an
# adult's usual reading speed); each tick, answer and page adds a little more.
CAREFUL_WORDS_PER_MINUTE = 120
SECONDS_PER_ANSWER = 10
FIXED_MINUTES = 4  # checking it's them, the review, deciding and signing


def words_a_patient_reads(content: dict) -> int:
    """The words of every text the patient reads in a version's content (in one language)."""
    texts = [content.get(field, "") for field in ("name", "summary", "what_happens", "indications", "benefits")]
    texts += [content.get("alternatives", ""), content.get("recovery", "")]
    for risk in content.get("risks", []):
        texts += [risk["title"], risk["description"]]
    texts += [step["instruction"] for step in content.get("preparation_steps", [])]
    texts += [item["patient_question"] for item in content.get("checklist_items", [])]
    for question in content.get("questions", []):
        texts += [question["question"], question["explanation"], *question["choices"]]
    return sum(len(text.split()) for text in texts)


def estimated_minutes(content: dict) -> int:
    """About how long the journey takes for this content, rounded up to 5 minutes (at least 10)."""
    answers = sum(1 for risk in content.get("risks", []) if risk["is_material"])
    answers += len(content.get("preparation_steps", [])) + len(content.get("questions", []))
    answers += sum(1 for item in content.get("checklist_items", []) if item["patient_question"])
    minutes = words_a_patient_reads(content) / CAREFUL_WORDS_PER_MINUTE + answers * SECONDS_PER_ANSWER / 60
    minutes += FIXED_MINUTES
    return max(10, -(-int(minutes + 0.999) // 5) * 5)
