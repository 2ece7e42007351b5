"""What changed between two snapshots of a procedure's content, for people to read.

Items are matched by their stable key, so an edited risk shows as changed
(with a word-level diff of each text), not as one removed and one added.
"""

from __future__ import annotations

import difflib
import html
from dataclasses import dataclass, field
from typing import Any

from django.utils.safestring import SafeString, mark_safe

PROCEDURE_FIELDS = {
    "name": "Name",
    "summary": "Summary",
    "what_happens": "What happens",
    "indications": "Why it is done",
    "benefits": "Benefits",
    "alternatives": "Alternatives",
    "recovery": "Recovery",
}
SECTIONS = {
    "risks": ("Risk", "title"),
    "preparation_steps": ("Preparation step", "instruction"),
    "checklist_items": ("Checklist item", "text"),
    "questions": ("Question", "question"),
}
FIELD_LABELS = {
    "title": "Title",
    "description": "Description",
    "frequency": "How common",
    "frequency_n": "About N",
    "frequency_m": "In M",
    "severity": "How serious",
    "is_material": "Patient must acknowledge",
    "instruction": "Instruction",
    "timing": "When",
    "text": "Text",
    "category": "Category",
    "required": "Required",
    "allow_not_applicable": "“Not applicable” allowed",
    "patient_question": "Question to the patient",
    "expected_answer": "Answer needing no follow-up",
    "question": "Question",
    "choices": "Answers",
    "correct_choice": "Correct answer",
    "explanation": "Explanation",
}


def word_diff(before: Any, after: Any) -> SafeString:
    """Before and after as one HTML fragment: removed words in <del>, added in <ins>, all escaped."""
    before_words = _words(before)
    after_words = _words(after)
    parts = []
    matcher = difflib.SequenceMatcher(a=before_words, b=after_words, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(html.escape(" ".join(before_words[a1:a2])))
            continue
        if a2 > a1:
            parts.append(f"<del>{html.escape(' '.join(before_words[a1:a2]))}</del>")
        if b2 > b1:
            parts.append(f"<ins>{html.escape(' '.join(after_words[b1:b2]))}</ins>")
    return mark_safe(" ".join(parts))  # noqa: S308  every piece of text is escaped above


def _words(value: Any) -> list[str]:
    if isinstance(value, list):
        value = " / ".join(str(v) for v in value)
    return str("" if value is None else value).split()


@dataclass
class FieldChange:
    label: str
    diff: SafeString


@dataclass
class ItemChange:
    kind: str  # "added", "removed" or "changed"
    section: str
    label: str
    fields: list[FieldChange] = field(default_factory=list)
    key: str = ""


@dataclass
class ContentDiff:
    procedure_fields: list[FieldChange]
    items: list[ItemChange]
    reordered: list[str]

    def __bool__(self) -> bool:
        return bool(self.procedure_fields or self.items or self.reordered)

    def changed_keys(self, section: str) -> set[str]:
        """Keys of the items in a section that were changed or removed (what a patient saw differently)."""
        return {item.key for item in self.items if item.section == section and item.kind in ("changed", "removed")}


def content_diff(old: dict | None, new: dict) -> ContentDiff:
    old = old or {}
    procedure_fields = [
        FieldChange(label, word_diff(old.get(name, ""), new.get(name, "")))
        for name, label in PROCEDURE_FIELDS.items()
        if old.get(name, "") != new.get(name, "")
    ]
    items: list[ItemChange] = []
    reordered: list[str] = []
    for section, (noun, title_field) in SECTIONS.items():
        before = {item["key"]: item for item in old.get(section, [])}
        after = {item["key"]: item for item in new.get(section, [])}
        for key, item in after.items():
            if key not in before:
                items.append(ItemChange("added", section, f"{noun} “{item[title_field]}”", key=key))
                continue
            changes = [
                FieldChange(FIELD_LABELS.get(name, name), word_diff(before[key].get(name), value))
                for name, value in item.items()
                if name != "key" and before[key].get(name) != value
            ]
            if changes:
                items.append(ItemChange("changed", section, f"{noun} “{before[key][title_field]}”", changes, key=key))
        for key, item in before.items():
            if key not in after:
                items.append(ItemChange("removed", section, f"{noun} “{item[title_field]}”", key=key))
        kept_before = [key for key in before if key in after]
        kept_after = [key for key in after if key in before]
        if kept_before != kept_after:
            reordered.append(f"{noun}s were put in a different order.")
    return ContentDiff(procedure_fields, items, reordered)
