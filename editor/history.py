"""Every edit to a procedure's working copy: who made it, when, and what it changed.

django-simple-history keeps a historical record of each save and delete of a
procedure and of its risks, preparation steps, checklist items and
comprehension questions. This page reads those records, pairs each one with the
record before it for the same item, and shows the difference in plain words.

The records are read by `procedure_id`, not through the live relation, so items
that have since been deleted are still listed. Each historical model is read in
one query, and previous records are found in Python, so the number of queries
does not grow with the number of edits.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext

from procedures.models import ChecklistItem, ComprehensionQuestion, PreparationStep, Procedure, Risk

EDITS_PER_PAGE = 50

# The procedure first, then its items in the order the change form shows them.
CONTENT_MODELS: tuple[type[models.Model], ...] = (
    Procedure,
    Risk,
    PreparationStep,
    ChecklistItem,
    ComprehensionQuestion,
)

# Kept on every record but never edited by a person, so never worth showing.
BOOKKEEPING_FIELDS = frozenset({"id", "key", "procedure", "created_at", "updated_at"})

# The fields that name an item, as an editor knows it.
ITEM_NAME_FIELDS: dict[type[models.Model], tuple[str, ...]] = {
    Procedure: ("name",),
    Risk: ("title",),
    PreparationStep: ("timing", "instruction"),
    ChecklistItem: ("text",),
    ComprehensionQuestion: ("question",),
}

# Short values read well as "before → after"; longer ones as a word-level diff.
LONG_TEXT = 80
ITEM_NAME_LENGTH = 80
EMPTY = "(empty)"

WORDS = re.compile(r"\S+\s*")


def tidy(text: str) -> str:
    """Text as a person reads it: NFC Unicode, \\n line ends, no trailing spaces.

    Unlike the published form, markup is kept: the history shows exactly what
    an editor typed.
    """
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


@dataclass(frozen=True)
class FieldChange:
    """One field's value before and after an edit, ready to show."""

    label: str
    before: str
    after: str
    word_diff: SafeString | None  # for long texts; None means show before → after


@dataclass(frozen=True)
class FieldValue:
    label: str
    value: str
    is_long: bool


@dataclass
class Edit:
    """One historical record, with the record before it for the same item."""

    record: Any
    previous: Any | None
    changes: list  # simple_history ModelChange, for a change
    unpublished: bool

    @property
    def when(self) -> datetime:
        return self.record.history_date

    @property
    def who(self) -> str:
        user = self.record.history_user
        return user.get_username() if user is not None else gettext("System")

    @property
    def action(self) -> str:
        """Created, Changed or Deleted."""
        return self.record.get_history_type_display()

    @property
    def kind(self) -> str:
        return {"+": "created", "~": "changed", "-": "deleted"}[self.record.history_type]

    @property
    def item(self) -> str:
        """Which item, as an editor would name it: Risk “Headache after the procedure”."""
        model = self.record.instance_type
        parts = [getattr(self.record, name) for name in ITEM_NAME_FIELDS[model]]
        return gettext("%(kind)s “%(name)s”") % {
            "kind": capfirst(model._meta.verbose_name),
            "name": shorten(": ".join(part for part in parts if part)),
        }

    @property
    def reason(self) -> str:
        return self.record.history_change_reason or ""

    @property
    def field_changes(self) -> list[FieldChange]:
        return [describe_change(self.record.instance_type, change) for change in self.changes]

    @property
    def values(self) -> list[FieldValue]:
        """What the item said after this edit: every field a patient or nurse reads that is not empty."""
        model = self.record.instance_type
        values = []
        for field in shown_fields(model):
            if field.name == "order":  # its place in the list, not what it says
                continue
            value = display_value(field, getattr(self.record, field.attname))
            if value != EMPTY:
                values.append(FieldValue(capfirst(field.verbose_name), value, is_long_text(field, value)))
        return values


def shorten(text: str) -> str:
    """Text on one line, cut at a word to about ITEM_NAME_LENGTH characters."""
    text = " ".join(text.split())
    if len(text) <= ITEM_NAME_LENGTH:
        return text
    cut = text[: ITEM_NAME_LENGTH - 1].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.") + "…"


def shown_fields(model: type[models.Model]) -> list[models.Field]:
    return [field for field in model._meta.fields if field.editable and field.name not in BOOKKEEPING_FIELDS]


def display_value(field: models.Field, value: Any) -> str:
    if value is None or value == "":
        return EMPTY
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, str):
        return tidy(value)
    return str(value)


def is_long_text(field: models.Field, *values: str) -> bool:
    return isinstance(field, models.TextField) or any(len(value) > LONG_TEXT for value in values)


def word_diff(before: str, after: str) -> SafeString:
    """The after text, with removed words in <del> and added words in <ins>.

    Words are compared without the spaces after them, so re-wrapping a line does
    not count as a change; the spacing and line breaks shown are the new text's.
    """
    old_words, new_words = WORDS.findall(before), WORDS.findall(after)
    matcher = difflib.SequenceMatcher(
        None, [word.rstrip() for word in old_words], [word.rstrip() for word in new_words], autojunk=False
    )
    parts = []
    for operation, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        removed, added = "".join(old_words[old_start:old_end]), "".join(new_words[new_start:new_end])
        if operation == "equal":
            parts.append(escape(added))
        elif operation == "delete":
            parts.append(_marked("del", removed))
        elif operation == "insert":
            parts.append(_marked("ins", added))
        else:  # replace
            parts.append(f"<del>{escape(removed.rstrip())}</del> " + _marked("ins", added))
    return mark_safe("".join(parts))  # noqa: S308  (every piece of text was escaped above)


def _marked(tag: str, text: str) -> str:
    words = text.rstrip()
    return f"<{tag}>{escape(words)}</{tag}>{escape(text[len(words) :])}"


def describe_change(model: type[models.Model], change) -> FieldChange:
    field = model._meta.get_field(change.field)
    before, after = display_value(field, change.old), display_value(field, change.new)
    long = is_long_text(field, before, after) and before != EMPTY and after != EMPTY
    return FieldChange(
        label=capfirst(field.verbose_name),
        before=before,
        after=after,
        word_diff=word_diff(before, after) if long else None,
    )


def visible_changes(record, previous) -> list:
    """The fields a person changed, in the order the form shows them.

    A browser sends text with \\r\\n line ends, so the first save of text
    written elsewhere changes its bytes but not its words; like the published
    fingerprint, this ignores such changes.
    """
    model = record.instance_type
    order = {field.name: position for position, field in enumerate(model._meta.fields)}
    delta = record.diff_against(previous, excluded_fields=BOOKKEEPING_FIELDS)
    changes = [
        change
        for change in delta.changes
        if not (isinstance(change.old, str) and isinstance(change.new, str) and tidy(change.old) == tidy(change.new))
    ]
    return sorted(changes, key=lambda change: order[change.field])


def content_edits(procedure: Procedure, *, published_at: datetime | None) -> list[Edit]:
    """Every edit to the procedure and its items, newest first.

    A save that changed nothing a person can see (the admin saves the procedure
    itself whenever any of its items is saved) is left out.
    """
    edits = []
    for position, model in enumerate(CONTENT_MODELS):
        owner = {"id": procedure.pk} if model is Procedure else {"procedure_id": procedure.pk}
        records = list(model.history.filter(**owner).select_related("history_user"))
        by_item = defaultdict(list)
        for record in records:
            by_item[record.id].append(record)
        for item_records in by_item.values():
            item_records.sort(key=lambda record: (record.history_date, record.history_id))
            previous = None
            for record in item_records:
                changes = []
                if record.history_type == "~" and previous is not None:
                    changes = visible_changes(record, previous)
                    if not changes:
                        previous = record
                        continue
                unpublished = published_at is None or record.history_date > published_at
                edits.append((position, Edit(record, previous, changes, unpublished)))
                previous = record
    edits.sort(key=lambda pair: (pair[1].when, -pair[0], pair[1].record.history_id), reverse=True)
    return [edit for _, edit in edits]


def content_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Every edit to a procedure's working copy, newest first, 50 to a page."""
    if not request.user.has_perm("procedures.view_procedure"):
        raise PermissionDenied
    procedure = get_object_or_404(Procedure, pk=pk)
    latest_version = procedure.versions.select_related("published_by").order_by("-number").first()
    edits = content_edits(procedure, published_at=latest_version.published_at if latest_version else None)
    page = Paginator(edits, EDITS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        **admin.site.each_context(request),
        "title": gettext("Content history"),
        "subtitle": procedure.name,
        "opts": Procedure._meta,
        "procedure": procedure,
        "latest_version": latest_version,
        "edit_count": len(edits),
        "unpublished_count": sum(edit.unpublished for edit in edits),
        "page": page,
    }
    return TemplateResponse(request, "admin/procedures/procedure/content_history.html", context)
