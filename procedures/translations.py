"""Procedure content in more than one language.

English is the source: the working copy's plain fields, always complete. Each
other language in `CONTENT_LANGUAGES` has a twin of every patient-facing field
(`title_es` beside `title`). Nurse-only text (checklist item wording,
categories) and everything that is not words (frequency, severity, which
answer is correct) exist once and are shared by every language.

A published snapshot keeps English where it always was and adds
`translations`: for each language with any text, the same texts in the same
shape, with item lists in the same order as the English ones. The fingerprint
is taken over the whole snapshot, so it covers every language. A language is
offered to patients only when the version has all of it (`available_languages`).
"""

from __future__ import annotations

import copy
from typing import Any

from procedures.models import CONTENT_LANGUAGES

ENGLISH = "en"

# The translatable fields, per part of the snapshot.
PROCEDURE_FIELDS = ("name", "summary", "what_happens", "indications", "benefits", "alternatives", "recovery")
# Texts a procedure may leave empty; a translation needs them only where the English has them.
OPTIONAL_PROCEDURE_FIELDS = ("questions_to_ask",)
ITEM_FIELDS = {
    "risks": ("title", "description", "severity_note"),
    "preparation_steps": ("instruction", "timing"),
    "checklist_items": ("patient_question", "patient_prompt"),
    "questions": ("question", "choices", "explanation"),
    "pictures": ("alt_text", "caption"),
}
RELATIONS = {
    "risks": "risks",
    "preparation_steps": "preparation_steps",
    "checklist_items": "checklist_items",
    "questions": "questions",
    "pictures": "pictures",
}
# Item texts that may be empty in English; a translation needs them only where the English has them.
OPTIONAL_ITEM_FIELDS = ("patient_question", "patient_prompt", "severity_note", "caption")
# Added after content was first published: kept in a snapshot only when filled, so content that does
# not use them keeps the fingerprint it always had. Likewise a section with no items (pictures).
LATER_ITEM_FIELDS = ("patient_prompt", "severity_note", "caption")
LATER_SECTIONS = ("pictures",)


def snapshot_translations(procedure, normalise) -> dict[str, Any]:
    """Every language's texts, for the snapshot: {"es": {...}}; languages with no text at all are left out."""
    translations = {}
    for language in CONTENT_LANGUAGES:
        texts: dict[str, Any] = {
            field: normalise(getattr(procedure, f"{field}_{language}")) for field in PROCEDURE_FIELDS
        }
        for field in OPTIONAL_PROCEDURE_FIELDS:
            if value := normalise(getattr(procedure, f"{field}_{language}")):
                texts[field] = value
        for section, fields in ITEM_FIELDS.items():
            rows = []
            for item in getattr(procedure, RELATIONS[section]).all():
                row = {}
                for field in fields:
                    if field == "choices":
                        row[field] = [normalise(choice) for choice in item.choice_list(language)]
                    elif (value := normalise(getattr(item, f"{field}_{language}"))) or field not in LATER_ITEM_FIELDS:
                        row[field] = value
                rows.append(row)
            if rows or section not in LATER_SECTIONS:
                texts[section] = rows
        if _has_any_text(texts):
            translations[language] = texts
    return translations


def _has_any_text(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_has_any_text(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_any_text(item) for item in value)
    return bool(value)


def missing_texts(content: dict[str, Any], language: str) -> list[str]:
    """What the version lacks in a language, in words an editor understands; [] when it is complete."""
    if language == ENGLISH:
        return []
    texts = content.get("translations", {}).get(language)
    if not texts:
        return ["everything"]
    missing = [field for field in PROCEDURE_FIELDS if not texts.get(field)]
    missing += [field for field in OPTIONAL_PROCEDURE_FIELDS if content.get(field) and not texts.get(field)]
    for section, fields in ITEM_FIELDS.items():
        english_items = content.get(section, [])
        rows = texts.get(section, [])
        for position, item in enumerate(english_items):
            row = rows[position] if position < len(rows) else {}
            for field in fields:
                if field in OPTIONAL_ITEM_FIELDS and not item.get(field):
                    continue
                value = row.get(field)
                if field == "choices":
                    if not value or len(value) != len(item["choices"]) or not all(value):
                        missing.append(f"{section} {position + 1}: {field}")
                elif not value:
                    missing.append(f"{section} {position + 1}: {field}")
    return missing


def available_languages(content: dict[str, Any]) -> list[str]:
    """The languages a patient can read this version in: English, and every language it fully has."""
    return [ENGLISH] + [
        language
        for language in CONTENT_LANGUAGES
        if language in content.get("translations", {}) and not missing_texts(content, language)
    ]


def localised(content: dict[str, Any], language: str) -> dict[str, Any]:
    """The snapshot as a patient reading `language` sees it: the same shape as the English content.

    A language the version does not fully have gives the English content, so a
    patient never sees a page that is half in one language and half in another.
    """
    result = copy.deepcopy(content)
    result.pop("translations", None)
    if language not in available_languages(content) or language == ENGLISH:
        result["language"] = ENGLISH
        return result
    texts = content["translations"][language]
    for field in PROCEDURE_FIELDS:
        result[field] = texts[field]
    for field in OPTIONAL_PROCEDURE_FIELDS:
        if texts.get(field):
            result[field] = texts[field]
    for section, fields in ITEM_FIELDS.items():
        for item, row in zip(result.get(section, []), texts.get(section, []), strict=True):
            for field in fields:
                if row.get(field):
                    item[field] = row[field]
    result["language"] = language
    return result
