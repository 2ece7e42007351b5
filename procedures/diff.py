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
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

PROCEDURE_FIELDS = {
    "name": _("Name"),
    "summary": _("Summary"),
    "what_happens": _("What happens"),
    "indications": _("Why it is done"),
    "benefits": _("Benefits"),
    "alternatives": _("Alternatives"),
    "recovery": _("Recovery"),
}
SECTIONS = {
    "risks": (_("Risk"), "title"),
    "preparation_steps": (_("Preparation step"), "instruction"),
    "checklist_items": (_("Checklist item"), "text"),
    "questions": (_("Question"), "question"),
}
REORDERED = {
    "risks": _("Risks were put in a different order."),
    "preparation_steps": _("Preparation steps were put in a different order."),
    "checklist_items": _("Checklist items were put in a different order."),
    "questions": _("Questions were put in a different order."),
}
KIND_LABELS = {
    "added": pgettext_lazy("content change", "added"),
    "removed": pgettext_lazy("content change", "removed"),
    "changed": pgettext_lazy("content change", "changed"),
}
FIELD_LABELS = {
    "title": _("Title"),
    "description": _("Description"),
    "frequency": _("How common"),
    "frequency_n": _("About N"),
    "frequency_m": _("In M"),
    "severity": _("How serious"),
    "is_material": _("Patient must acknowledge"),
    "instruction": _("Instruction"),
    "timing": _("When"),
    "text": _("Text"),
    "category": _("Category"),
    "required": _("Required"),
    "allow_not_applicable": _("“Not applicable” allowed"),
    "patient_question": _("Question to the patient"),
    "expected_answer": _("Answer needing no follow-up"),
    "question": _("Question"),
    "choices": _("Answers"),
    "correct_choice": _("Correct answer"),
    "explanation": _("Explanation"),
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

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))


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


def _item_label(noun, title) -> str:
    return gettext("%(item)s “%(title)s”") % {"item": noun, "title": title}


def content_diff(old: dict | None, new: dict) -> ContentDiff:
    old = old or {}
    procedure_fields = [
        FieldChange(str(label), word_diff(old.get(name, ""), new.get(name, "")))
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
                items.append(ItemChange("added", section, _item_label(noun, item[title_field]), key=key))
                continue
            changes = [
                FieldChange(str(FIELD_LABELS.get(name, name)), word_diff(before[key].get(name), value))
                for name, value in item.items()
                if name != "key" and before[key].get(name) != value
            ]
            if changes:
                items.append(
                    ItemChange("changed", section, _item_label(noun, before[key][title_field]), changes, key=key)
                )
        for key, item in before.items():
            if key not in after:
                items.append(ItemChange("removed", section, _item_label(noun, item[title_field]), key=key))
        kept_before = [key for key in before if key in after]
        kept_after = [key for key in after if key in before]
        if kept_before != kept_after:
            reordered.append(str(REORDERED[section]))
    return ContentDiff(procedure_fields, items, reordered)
