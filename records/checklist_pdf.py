"""The nurse's pre-procedure checklist: what each item stands at, and its printable PDF record.

`checklist_overview` gathers the checklist of one request (items, the patient's
own answers, every entry and what each correction corrects, the sign-off) for
both the checklist page and the PDF, so the two always say the same thing.
The PDF is drawn like the consent record (`records.pdf`): WeasyPrint, only the
app's static files, and a footer on every page.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext

from consent import blood_thinners
from consent.models import (
    ChecklistAnswer,
    ChecklistEntry,
    ChecklistSignOff,
    ChecklistState,
    ConsentRequest,
)
from procedures.models import ChecklistCategory, PatientAnswer
from procedures.roles import staff_name
from records.pdf import html_to_pdf, render_template


@dataclass(frozen=True)
class RecordedEntry:
    """One entry on one item, numbered from 1 per item, with the entry it corrects (if it is a correction)."""

    number: int
    entry: ChecklistEntry
    corrects: RecordedEntry | None

    @property
    def state(self) -> str:
        return self.entry.state

    @property
    def state_label(self) -> str:
        return self.entry.get_state_display()

    @property
    def note(self) -> str:
        return self.entry.note

    @property
    def override_reason(self) -> str:
        return self.entry.override_reason

    @property
    def who(self) -> str:
        return staff_name(self.entry.recorded_by)

    @property
    def at(self) -> datetime.datetime:
        return self.entry.recorded_at

    @property
    def is_complete(self) -> bool:
        return self.entry.state in (ChecklistState.DONE, ChecklistState.NOT_APPLICABLE)


@dataclass
class ItemRow:
    item: dict
    entries: list[RecordedEntry]
    answer: ChecklistAnswer | None

    @property
    def key(self) -> str:
        return self.item["key"]

    @property
    def current(self) -> RecordedEntry | None:
        return self.entries[-1] if self.entries else None

    @property
    def earlier(self) -> list[RecordedEntry]:
        """The entries before the current one, newest first."""
        return list(reversed(self.entries[:-1]))

    @property
    def is_complete(self) -> bool:
        return self.current is not None and self.current.is_complete

    @property
    def is_open_required(self) -> bool:
        return self.item["required"] and not self.is_complete

    @property
    def has_problem(self) -> bool:
        return self.current is not None and self.current.state == ChecklistState.PROBLEM

    @property
    def category_label(self) -> str:
        category = self.item["category"]
        return ChecklistCategory(category).label if category in ChecklistCategory.values else category.title()

    @property
    def answer_label(self) -> str:
        return self.answer.get_answer_display() if self.answer else ""

    @property
    def expected_label(self) -> str:
        expected = self.item["expected_answer"]
        return PatientAnswer(expected).label if expected in PatientAnswer.values else ""

    @property
    def answer_needs_checking(self) -> bool:
        """The patient answered something other than the answer that needs no follow-up."""
        return self.answer is not None and self.answer.answer != self.item["expected_answer"]


@dataclass
class CategoryGroup:
    category: str
    label: str
    rows: list[ItemRow] = field(default_factory=list)


@dataclass
class ChecklistOverview:
    rows: list[ItemRow]
    groups: list[CategoryGroup]
    sign_off: ChecklistSignOff | None

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def complete(self) -> int:
        return sum(row.is_complete for row in self.rows)

    @property
    def open_required(self) -> list[ItemRow]:
        return [row for row in self.rows if row.is_open_required]

    @property
    def problems(self) -> list[ItemRow]:
        return [row for row in self.rows if row.has_problem]

    @property
    def signed_off(self) -> bool:
        return self.sign_off is not None


CATEGORY_ORDER = {value: index for index, value in enumerate(ChecklistCategory.values)}


def checklist_overview(consent_request: ConsentRequest) -> ChecklistOverview:
    """Every item of the request's checklist with its entries (oldest first) and the patient's answer.

    Items are grouped by category in the usual order of checks (identity first),
    keeping the content's own order within a category.
    """
    answers = {str(answer.item_key): answer for answer in consent_request.checklist_answers.all()}
    entries_by_item: dict[str, list[ChecklistEntry]] = defaultdict(list)
    for entry in consent_request.checklist_entries.select_related("recorded_by").order_by("recorded_at", "id"):
        entries_by_item[str(entry.item_key)].append(entry)

    rows = []
    for item in consent_request.content["checklist_items"]:
        recorded: list[RecordedEntry] = []
        by_pk: dict[int, RecordedEntry] = {}
        for number, entry in enumerate(entries_by_item.get(item["key"], []), start=1):
            row_entry = RecordedEntry(number=number, entry=entry, corrects=by_pk.get(entry.corrects_id))
            by_pk[entry.pk] = row_entry
            recorded.append(row_entry)
        rows.append(ItemRow(item=item, entries=recorded, answer=answers.get(item["key"])))

    groups: dict[str, CategoryGroup] = {}
    for row in rows:
        category = row.item["category"]
        if category not in groups:
            groups[category] = CategoryGroup(category=category, label=row.category_label)
        groups[category].rows.append(row)
    ordered = sorted(groups.values(), key=lambda group: CATEGORY_ORDER.get(group.category, len(CATEGORY_ORDER)))
    sign_off = ChecklistSignOff.objects.select_related("signed_off_by").filter(request=consent_request).first()
    return ChecklistOverview(rows=rows, groups=ordered, sign_off=sign_off)


# The printable record ------------------------------------------------------------------


def checklist_context(consent_request: ConsentRequest) -> dict:
    signature = getattr(consent_request, "signature", None)
    staff_record = getattr(consent_request, "staff_record", None)
    overview = checklist_overview(consent_request)
    return {
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
        "request": consent_request,
        "patient": consent_request.patient,
        "version": consent_request.procedure_version,
        "content": consent_request.content,
        "signature": signature,
        "staff_record": staff_record,
        # The footer names the signed (or staff-recorded) document when there is one, else the request.
        "record_id": (
            gettext("document %(document_id)s") % {"document_id": (signature or staff_record).document_id}
            if signature or staff_record
            else gettext("request %(public_id)s") % {"public_id": consent_request.public_id}
        ),
        "overview": overview,
        "signed_off_by": staff_name(overview.sign_off.signed_off_by) if overview.sign_off else "",
        "confirmed_by": staff_name(consent_request.confirmed_by) if consent_request.confirmed_by_id else "",
        # Only confirmed plans are printed as instructions; a suggestion never is.
        "blood_thinners": [
            {"s": plan, "confirmed_by": staff_name(plan.confirmed.confirmed_by) if plan.confirmed else ""}
            for plan in blood_thinners.plan_for(consent_request)
        ],
        "printed_at": timezone.now(),
        "time_zone": settings.TIME_ZONE,
    }


def checklist_pdf_html(consent_request: ConsentRequest) -> str:
    """The HTML the checklist record is drawn from (also what tests inspect)."""
    return render_template("pdf/checklist.html", checklist_context(consent_request))


def render_checklist_pdf(consent_request: ConsentRequest) -> bytes:
    """The checklist as it stands now, as PDF bytes: a printout, not a stored record."""
    pdf, _ = html_to_pdf(checklist_pdf_html(consent_request))
    return pdf
