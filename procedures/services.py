"""Publishing content: from the editable working copy to an immutable version."""

from __future__ import annotations

import hashlib
import html
import json
import unicodedata
from typing import Any

import nh3
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from procedures.models import (
    ChecklistItem,
    ComprehensionQuestion,
    PreparationStep,
    Procedure,
    ProcedureVersion,
    Risk,
)
from procedures.translations import snapshot_translations

PROCEDURE_TEXT_FIELDS = ("name", "summary", "what_happens", "indications", "benefits", "alternatives", "recovery")


class PublishError(Exception):
    """Publishing was refused; the message says why and what to do."""


def strip_markup(text: str) -> str:
    """Remove every HTML tag (and script or style content), keeping the words.

    Patient-facing text is plain text with a small formatting subset (see
    `procedure_content.as_paragraphs`); HTML is never part of it.
    """
    return html.unescape(nh3.clean(text, tags=set()))


def normalise_text(text: str) -> str:
    """One clean spelling of the same text: no HTML, NFC Unicode, \\n line ends, no trailing spaces.

    A browser posts \\r\\n and may post decomposed accents; without this, saving a
    form unchanged would change the fingerprint.
    """
    text = strip_markup(text)
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def snapshot(procedure: Procedure) -> dict[str, Any]:
    """The procedure's content as plain data: what a published version stores."""
    content: dict[str, Any] = {field: normalise_text(getattr(procedure, field)) for field in PROCEDURE_TEXT_FIELDS}
    content["is_sample"] = procedure.is_sample
    content["risks"] = [
        {
            "key": str(risk.key),
            "title": normalise_text(risk.title),
            "description": normalise_text(risk.description),
            "frequency": risk.frequency,
            "frequency_n": risk.frequency_n,
            "frequency_m": risk.frequency_m,
            "severity": risk.severity,
            "is_material": risk.is_material,
        }
        for risk in procedure.risks.all()
    ]
    content["preparation_steps"] = [
        {"key": str(step.key), "instruction": normalise_text(step.instruction), "timing": normalise_text(step.timing)}
        for step in procedure.preparation_steps.all()
    ]
    content["checklist_items"] = [
        {
            "key": str(item.key),
            "text": normalise_text(item.text),
            "category": item.category,
            "required": item.required,
            "allow_not_applicable": item.allow_not_applicable,
            "patient_question": normalise_text(item.patient_question),
            "expected_answer": item.expected_answer,
        }
        for item in procedure.checklist_items.all()
    ]
    content["questions"] = [
        {
            "key": str(question.key),
            "question": normalise_text(question.question),
            "choices": [normalise_text(choice) for choice in question.choice_list()],
            "correct_choice": question.correct_choice,
            "explanation": normalise_text(question.explanation),
        }
        for question in procedure.questions.all()
    ]
    translations = snapshot_translations(procedure, normalise_text)
    if translations:
        # Only when there is any: content in English alone keeps the fingerprint it always had.
        content["translations"] = translations
    return content


def _without_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {name: _without_keys(item) for name, item in value.items() if name != "key"}
    if isinstance(value, list):
        return [_without_keys(item) for item in value]
    return value


def canonical_form(content: dict[str, Any]) -> bytes:
    """The bytes the fingerprint is taken over.

    Sorted keys, no insignificant white space, UTF-8. Item keys (internal ids)
    are left out: the fingerprint identifies what a patient reads, so the same
    text in the same order always gives the same fingerprint.
    """
    return json.dumps(_without_keys(content), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def fingerprint(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_form(content)).hexdigest()


def publishing_problems(procedure: Procedure) -> list[str]:
    """Everything that stops the working copy from being published, in plain words."""
    problems = []
    for field in PROCEDURE_TEXT_FIELDS:
        if not getattr(procedure, field).strip():
            label = Procedure._meta.get_field(field).verbose_name
            problems.append(f"“{label.capitalize()}” is empty.")
    for relation, label in (
        ("risks", "risk"),
        ("preparation_steps", "preparation step"),
        ("checklist_items", "checklist item"),
        ("questions", "comprehension question"),
    ):
        items = list(getattr(procedure, relation).all())
        if not items:
            problems.append(f"Add at least one {label}.")
        for item in items:
            try:
                item.full_clean(exclude=["procedure"])
            except ValidationError as error:
                for message in error.messages:
                    problems.append(f"{label.capitalize()} “{item}”: {message}")
    return problems


def publish_procedure(
    *,
    procedure: Procedure,
    published_by: AbstractBaseUser | None,
    change_summary: str,
    is_material: bool,
) -> ProcedureVersion:
    """Snapshot the working copy into the next numbered, immutable version."""
    change_summary = change_summary.strip()
    if not change_summary:
        raise PublishError("Write a short summary of what changed, so reviewers and nurses can see why.")
    with transaction.atomic():
        # Locking the procedure serialises publishers, so two can't take the same number.
        procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
        problems = publishing_problems(procedure)
        if problems:
            raise PublishError("This procedure can't be published yet: " + " ".join(problems))
        content = snapshot(procedure)
        content_fingerprint = fingerprint(content)
        latest = procedure.versions.order_by("-number").first()
        if latest and latest.fingerprint == content_fingerprint:
            raise PublishError(f"Nothing has changed since version {latest.number}, so there is nothing to publish.")
        return ProcedureVersion.objects.create(
            procedure=procedure,
            number=(latest.number + 1) if latest else 1,
            content=content,
            fingerprint=content_fingerprint,
            change_summary=change_summary,
            is_material=is_material,
            published_by=published_by,
        )


SAMPLE_CHANGE_SUMMARY = "Sample content shipped with Proceed. The clinic's clinicians must review it before use."


def load_sample_procedures() -> list[tuple[Procedure, bool]]:
    """Create and publish the sample procedures that are not there yet.

    Idempotent: a procedure whose slug exists is left exactly as it is (a clinic
    may have edited it), so running this twice changes nothing. Returns each
    sample procedure with whether it was created now.
    """
    from procedures.sample_content import SAMPLE_PROCEDURES

    results = []
    for data in SAMPLE_PROCEDURES:
        existing = Procedure.objects.filter(slug=data["slug"]).first()
        if existing:
            results.append((existing, False))
            continue
        with transaction.atomic():
            procedure = _create_procedure(data)
            publish_procedure(
                procedure=procedure, published_by=None, change_summary=SAMPLE_CHANGE_SUMMARY, is_material=False
            )
        results.append((procedure, True))
    return results


def _create_procedure(data: dict[str, Any]) -> Procedure:
    procedure = Procedure(slug=data["slug"], is_sample=True, **{field: data[field] for field in PROCEDURE_TEXT_FIELDS})
    for language, texts in data.get("translations", {}).items():
        for field in PROCEDURE_TEXT_FIELDS:
            setattr(procedure, f"{field}_{language}", texts[field])
    procedure.full_clean()
    procedure.save()
    sections = {
        section: [dict(item) for item in data[section]]
        for section in ("risks", "preparation_steps", "checklist_items", "questions")
    }
    for language, texts in data.get("translations", {}).items():
        for section, rows in texts.items():
            if section in PROCEDURE_TEXT_FIELDS:
                continue
            for item, row in zip(sections[section], rows, strict=True):
                item.update({f"{field}_{language}": value for field, value in row.items()})
    questions = [
        {
            **question,
            **{
                name: "\n".join(value)
                for name, value in question.items()
                if name == "choices" or name.startswith("choices_")
            },
        }
        for question in sections["questions"]
    ]
    for model, items in (
        (Risk, sections["risks"]),
        (PreparationStep, sections["preparation_steps"]),
        (ChecklistItem, sections["checklist_items"]),
        (ComprehensionQuestion, questions),
    ):
        for position, fields in enumerate(items, start=1):
            child = model(procedure=procedure, order=position * 10, **fields)
            child.full_clean()
            child.save()
    return procedure
