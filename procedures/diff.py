"""What changed between two snapshots of a procedure's content, for people to read.

Items are matched by their stable key, so an edited risk shows as changed
(with a word-level diff of each text), not as one removed and one added.
"""

from __future__ import annotations

import difflib
import html
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language_info, gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from procedures import translations
from procedures.models import (
    ChecklistItem,
    ComprehensionQuestion,
    Picture,
    PreparationStep,
    Risk,
    describe_frequency,
)

PROCEDURE_FIELDS = {
    "name": _("Name"),
    "summary": _("Summary"),
    "what_happens": _("What happens"),
    "indications": _("Why it is done"),
    "benefits": _("Benefits"),
    "alternatives": _("Alternatives"),
    "recovery": _("Recovery"),
    "questions_to_ask": _("Questions you may want to ask"),
}
# Who wrote and reviewed the leaflet, and when it is next reviewed: compared as one field.
LEAFLET_LABEL = _("Leaflet details")
SECTIONS = {
    "risks": (_("Risk"), "title"),
    "preparation_steps": (_("Preparation step"), "instruction"),
    "checklist_items": (_("Checklist item"), "text"),
    "questions": (_("Question"), "question"),
    "pictures": (_("Picture"), "alt_text"),
}
REORDERED = {
    "risks": _("Risks were put in a different order."),
    "preparation_steps": _("Preparation steps were put in a different order."),
    "checklist_items": _("Checklist items were put in a different order."),
    "questions": _("Questions were put in a different order."),
    "pictures": _("Pictures were put in a different order."),
}
KIND_LABELS = {
    "added": pgettext_lazy("content change", "added"),
    "removed": pgettext_lazy("content change", "removed"),
    "changed": pgettext_lazy("content change", "changed"),
}
# Labels for snapshot keys that are not model fields (the frequency is shown as one phrase).
FIELD_LABELS = {
    "frequency": _("How common"),
    "correct_choice": _("Correct answer"),
    "choices": _("Answers"),
    "file": _("Picture file"),
}
# Snapshot keys that say the same as one shown already (a picture's file is named by its SHA-256).
DERIVED_FIELDS = {"content_type", "width", "height"}
FREQUENCY_FIELDS = ("frequency", "frequency_n", "frequency_m")


def _item_model(section: str) -> type[models.Model]:
    return {
        "risks": Risk,
        "preparation_steps": PreparationStep,
        "checklist_items": ChecklistItem,
        "questions": ComprehensionQuestion,
        "pictures": Picture,
    }[section]


def field_label(section: str, name: str) -> str:
    """The label the editor sees beside the field in the admin (its verbose name), capitalised."""
    if name in FIELD_LABELS:
        return str(FIELD_LABELS[name])
    try:
        label = str(_item_model(section)._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        label = name.replace("_", " ")
    return label[:1].upper() + label[1:]


def value_words(section: str, name: str, value: Any) -> str:
    """A stored value in the words the editor chose it with: a choice's label, Yes or No, "about 1 in 5"."""
    if isinstance(value, bool):
        return str(pgettext_lazy("a yes/no setting", "Yes") if value else pgettext_lazy("a yes/no setting", "No"))
    if value in (None, ""):
        return "—"
    if name == "correct_choice":
        return gettext("Answer %(number)s") % {"number": value}
    try:
        field = _item_model(section)._meta.get_field(name)
    except FieldDoesNotExist:
        field = None
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return value if isinstance(value, list) else str(value)


def frequency_words(item: dict | None) -> str:
    """How common a risk is, as the patient reads it ("Common: about 1 in 20 people")."""
    if not item or not item.get("frequency"):
        return "—"
    return describe_frequency(item["frequency"], item.get("frequency_n"), item.get("frequency_m"))


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


def _field_changes(section: str, before: dict, after: dict) -> list[FieldChange]:
    """Each changed field of one item, labelled and worded as the editor sees it."""
    changes = []
    if section == "risks" and any(before.get(name) != after.get(name) for name in FREQUENCY_FIELDS):
        changes.append(
            FieldChange(field_label(section, "frequency"), word_diff(frequency_words(before), frequency_words(after)))
        )
    for name, value in after.items():
        if (
            name == "key"
            or name in DERIVED_FIELDS
            or (section == "risks" and name in FREQUENCY_FIELDS)
            or before.get(name) == value
        ):
            continue
        changes.append(
            FieldChange(
                field_label(section, name),
                word_diff(value_words(section, name, before.get(name)), value_words(section, name, value)),
            )
        )
    return changes


def content_diff(old: dict | None, new: dict) -> ContentDiff:
    old = old or {}
    procedure_fields = [
        FieldChange(str(label), word_diff(old.get(name, ""), new.get(name, "")))
        for name, label in PROCEDURE_FIELDS.items()
        if old.get(name, "") != new.get(name, "")
    ]
    if old.get("leaflet", {}) != new.get("leaflet", {}):
        procedure_fields.append(FieldChange(str(LEAFLET_LABEL), word_diff(_leaflet_words(old), _leaflet_words(new))))
    items: list[ItemChange] = []
    reordered: list[str] = []
    for section, (noun, title_field) in SECTIONS.items():
        before = {item["key"]: item for item in old.get(section, [])}
        after = {item["key"]: item for item in new.get(section, [])}
        for key, item in after.items():
            if key not in before:
                items.append(ItemChange("added", section, _item_label(noun, item[title_field]), key=key))
                continue
            changes = _field_changes(section, before[key], item)
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


def _leaflet_words(content: dict) -> str:
    leaflet = content.get("leaflet", {})
    names = {
        "author": gettext("Written by"),
        "clinical_reviewer": gettext("Reviewed by"),
        "review_by": gettext("Review by"),
    }
    return "; ".join(f"{label}: {leaflet[name]}" for name, label in names.items() if leaflet.get(name))


def material_changes(old: dict | None, new: dict) -> list[str]:
    """What in the risks changed what a patient agrees to, in plain words; [] when nothing did.

    Adding or removing a risk, changing whether the patient must acknowledge it, how common it
    is (band or figure) or how serious: any of these makes a change material, whatever the
    editor calls it. A first version has nothing to compare with.
    """
    if not old:
        return []
    before = {risk["key"]: risk for risk in old.get("risks", [])}
    after = {risk["key"]: risk for risk in new.get("risks", [])}
    reasons = []
    for key, risk in after.items():
        earlier = before.get(key)
        names = {"title": risk["title"]}
        if earlier is None:
            reasons.append(gettext("Risk “%(title)s” was added.") % names)
            continue
        if earlier["is_material"] != risk["is_material"]:
            if risk["is_material"]:
                reasons.append(gettext("Risk “%(title)s” must now be acknowledged by the patient.") % names)
            else:
                reasons.append(gettext("Risk “%(title)s” no longer needs the patient's acknowledgement.") % names)
        if any(earlier.get(name) != risk.get(name) for name in FREQUENCY_FIELDS):
            reasons.append(
                gettext("How common “%(title)s” is changed from “%(before)s” to “%(after)s”.")
                % {**names, "before": frequency_words(earlier), "after": frequency_words(risk)}
            )
        if earlier["severity"] != risk["severity"]:
            reasons.append(
                gettext("How serious “%(title)s” is changed from “%(before)s” to “%(after)s”.")
                % {
                    **names,
                    "before": value_words("risks", "severity", earlier["severity"]),
                    "after": value_words("risks", "severity", risk["severity"]),
                }
            )
    for key, risk in before.items():
        if key not in after:
            reasons.append(gettext("Risk “%(title)s” was removed.") % {"title": risk["title"]})
    return reasons


@dataclass(frozen=True)
class StaleTranslation:
    """A translated text whose English changed while the translation stayed as it was."""

    language: str
    section: str  # "" for the procedure's own texts, else "risks", "preparation_steps", ...
    key: str  # the item's key ("" for the procedure's own texts)
    field: str
    label: str

    def as_dict(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in ("language", "section", "key", "field", "label")}


def stale_translations(old: dict | None, new: dict) -> list[StaleTranslation]:
    """Translations left as they were when their English changed since the last version."""
    if not old:
        return []
    stale = []
    for language, texts in new.get("translations", {}).items():
        earlier_texts = old.get("translations", {}).get(language, {})
        language_name = get_language_info(language)["name"]
        for name in translations.PROCEDURE_FIELDS:
            if old.get(name) != new.get(name) and texts.get(name) and texts.get(name) == earlier_texts.get(name):
                label = f"{language_name}: {PROCEDURE_FIELDS.get(name, name)}"
                stale.append(StaleTranslation(language, "", "", name, label))
        for section, fields in translations.ITEM_FIELDS.items():
            earlier_position = {item["key"]: index for index, item in enumerate(old.get(section, []))}
            earlier_rows = earlier_texts.get(section, [])
            for index, item in enumerate(new.get(section, [])):
                position = earlier_position.get(item["key"])
                if position is None:
                    continue
                earlier_item = old[section][position]
                row = texts.get(section, [])[index] if index < len(texts.get(section, [])) else {}
                earlier_row = earlier_rows[position] if position < len(earlier_rows) else {}
                noun, title_field = SECTIONS[section]
                for name in fields:
                    if (
                        earlier_item.get(name) != item.get(name)
                        and row.get(name)
                        and row.get(name) == earlier_row.get(name)
                    ):
                        label = f"{language_name}: {_item_label(noun, item[title_field])}, {field_label(section, name)}"
                        stale.append(StaleTranslation(language, section, item["key"], name, label))
    return stale
