"""The nurse dashboard's one query: appointments in a date range, with every flag the table shows.

`dashboard_rows` returns a queryset whose rows carry everything the table
needs as plain columns and annotations, so a page of 50 rows costs one query
(plus the paginator's count) however many rows there are. Each count is a
correlated subquery on an indexed foreign key rather than a join, so one
request with many questions never multiplies the others' rows. The procedure
version's content (a large JSON document) is never loaded: only its name is
extracted, by the database.

`row_flags` turns one row into the flags shown in plain words. The filter
conditions in `_flag_conditions` and `row_flags` must agree; a test checks
that they do for every flag.
"""

from __future__ import annotations

import datetime
import functools
import uuid
from dataclasses import dataclass

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce
from django.template import Context, Template
from django.template.loader import get_template
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

from consent import blood_thinners, state
from consent.models import (
    Acknowledgement,
    ChecklistAnswer,
    ChecklistEntry,
    ChecklistSignOff,
    ChecklistState,
    ConsentRequest,
    Countersignature,
    Decision,
    PatientQuestion,
    QuizAnswer,
    Signature,
    StaffRecordedConsent,
    Status,
    language_marker_for_staff,
    normalise_mrn,
    searchable,
)
from procedures.models import ProcedureVersion

DEFAULT_DAYS_AHEAD = 7
MAX_RANGE_DAYS = 92  # about three months: more than a nurse plans ahead, small enough to stay fast
PAGE_SIZE = 50


class Flag:
    """The flag filter's values."""

    QUESTIONS = "questions"
    ANSWERS = "answers"
    LATE_STEPS = "late_steps"
    CHECKLIST_PROBLEMS = "checklist_problems"
    QUIZ_MISSES = "quiz_misses"
    NEEDS_DISCUSSION = "needs_discussion"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    LOCKED = "locked"
    EXPIRED = "expired"
    CONTENT_CHANGED = "content_changed"
    PDF_PENDING = "pdf_pending"
    BLOOD_THINNER = "blood_thinner"
    AWAITING_CLINICIAN = "awaiting_clinician"


FLAG_CHOICES: list[tuple[str, str | Promise]] = [
    (Flag.QUESTIONS, _("Questions waiting")),
    (Flag.ANSWERS, _("Answers needing follow-up")),
    (Flag.LATE_STEPS, _("Preparation shown after its date")),
    (Flag.CHECKLIST_PROBLEMS, _("Checklist problems")),
    (Flag.QUIZ_MISSES, _("Quiz missed at first try")),
    (Flag.NEEDS_DISCUSSION, _("Needs discussion")),
    (Flag.DECLINED, _("Declined")),
    (Flag.WITHDRAWN, _("Withdrawn")),
    (Flag.LOCKED, _("Link locked")),
    (Flag.EXPIRED, _("Link expired")),
    (Flag.CONTENT_CHANGED, _("Content changed since signing")),
    (Flag.PDF_PENDING, _("PDF pending")),
    (Flag.BLOOD_THINNER, _("Blood thinner: plan to confirm")),
    (Flag.AWAITING_CLINICIAN, _("Awaiting clinician")),
]

# Bootstrap's text-bg-* tones for the status badge. The badge always carries the
# status in words; the colour only helps the eye.
STATUS_TONES: dict[str, str] = {
    Status.CREATED: "light",
    Status.INVITED: "light",
    Status.OPENED: "info",
    Status.IN_PROGRESS: "info",
    Status.SIGNED: "success",
    Status.CONFIRMED: "success",
    Status.NEEDS_DISCUSSION: "warning",
    Status.DECLINED: "danger",
    Status.WITHDRAWN: "danger",
    Status.LOCKED: "danger",
    Status.EXPIRED: "secondary",
    Status.CANCELLED: "secondary",
}


@dataclass(frozen=True)
class RowFlag:
    key: str
    text: str
    tone: str  # a Bootstrap text-bg-* tone; the text says it all on its own


def default_range(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """Today and the next seven days."""
    today = today or timezone.localdate()
    return today, today + datetime.timedelta(days=DEFAULT_DAYS_AHEAD)


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _count(queryset: QuerySet) -> Coalesce:
    """The number of rows of `queryset` (already filtered to one request), as a correlated subquery."""
    counted = queryset.order_by().values("request").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _flag_conditions(now: datetime.datetime) -> dict[str, Q]:
    return {
        Flag.QUESTIONS: Q(questions_waiting__gt=0),
        Flag.ANSWERS: Q(answer_needs_attention=True),
        Flag.LATE_STEPS: Q(step_shown_late=True),
        Flag.CHECKLIST_PROBLEMS: Q(checklist_problem=True),
        Flag.QUIZ_MISSES: Q(quiz_misses__gt=0),
        Flag.NEEDS_DISCUSSION: Q(status=Status.NEEDS_DISCUSSION) | Q(wants_discussion=True) | Q(risk_to_discuss=True),
        Flag.DECLINED: Q(status=Status.DECLINED),
        Flag.WITHDRAWN: Q(status=Status.WITHDRAWN),
        Flag.LOCKED: Q(status=Status.LOCKED),
        # A link runs out at `expires_at`, but the status only changes when it is next used.
        Flag.EXPIRED: Q(status=Status.EXPIRED) | Q(status__in=state.OPEN, expires_at__lt=now),
        # Until a re-consent is requested: then the new request carries the matter.
        Flag.CONTENT_CHANGED: Q(content_changed_at__isnull=False, reconsent_requested=False),
        Flag.PDF_PENDING: Q(pdf_pending=True),
        # A blood thinner named with no plan standing, on a request that may still go ahead.
        Flag.BLOOD_THINNER: Q(blood_thinner_to_plan=True) & ~Q(status__in=state.CHECKLIST_CLOSED),
        # As `ConsentRequest.awaiting_countersignature`: e-signed consent that still stands, not countersigned.
        Flag.AWAITING_CLINICIAN: Q(status__in=state.CONSENTED, consent_e_signed=True, countersigned=False),
    }


def dashboard_rows(
    *,
    start: datetime.date,
    end: datetime.date,
    status: str | None = None,
    flag: str | None = None,
    search: str = "",
    now: datetime.datetime | None = None,
    assigned_to=None,
) -> QuerySet[ConsentRequest]:
    """Requests with an appointment on a local day from `start` to `end` (inclusive), soonest first.

    The range is turned into two aware datetimes at local midnight, so the
    database compares the indexed `appointment_at` column directly.
    """
    now = now or timezone.now()
    request = OuterRef("pk")
    search = " ".join(search.split())
    in_range = Q(
        appointment_at__gte=_local_midnight(start), appointment_at__lt=_local_midnight(end + datetime.timedelta(days=1))
    )
    rows = (
        ConsentRequest.objects.filter(Q() if search else in_range)
        .select_related("patient")
        .only(
            "public_id",
            "appointment_at",
            "status",
            "expires_at",
            "wants_discussion",
            "checklist_total",
            "checklist_complete",
            "content_changed_at",
            "language",
            "patient__full_name",
            "patient__preferred_language",
            "patient__mrn",
        )
        .annotate(
            # The name in the version the patient was shown (as the case page says it), read by the
            # database: the rest of the content never reaches Python. A correlated subquery, so the
            # database reads the (large) content only for the page's rows, after sorting and
            # limiting; as a join it read every row's content in the date range first (`make bench`).
            procedure_name=Subquery(
                ProcedureVersion.objects.filter(pk=OuterRef("procedure_version_id"))
                .annotate(name=KeyTextTransform("name", "content"))
                .values("name")[:1]
            ),
            questions_waiting=_count(PatientQuestion.objects.filter(request=request, answered_at__isnull=True)),
            quiz_misses=_count(QuizAnswer.objects.filter(request=request, first_try_correct=False)),
            risk_to_discuss=Exists(
                Acknowledgement.objects.filter(request=request, kind=Acknowledgement.Kind.RISK, wants_to_discuss=True)
            ),
            pdf_pending=Exists(Signature.objects.filter(request=request, document__isnull=True)),
            # Taken on paper, in person or by telephone: its status badge says "recorded by staff".
            staff_recorded=Exists(StaffRecordedConsent.objects.filter(request=request)),
            consent_e_signed=Exists(Signature.objects.filter(request=request, decision=Decision.CONSENT)),
            countersigned=Exists(Countersignature.objects.filter(request=request)),
            answer_needs_attention=Exists(ChecklistAnswer.objects.filter(request=request, needs_attention=True)),
            reconsent_requested=Exists(ConsentRequest.objects.filter(replaces=request)),
            checklist_problem=Exists(_latest_entries_in_problem()),
            checklist_signed_off=Exists(ChecklistSignOff.objects.filter(request=request)),
            step_shown_late=Exists(Acknowledgement.objects.filter(request=request, shown_late_on__isnull=False)),
            blood_thinner_to_plan=Exists(blood_thinners.unplanned_answers(request)),
        )
    )
    if status:
        rows = rows.filter(status=status)
    if assigned_to is not None:
        rows = rows.filter(assigned_to=assigned_to)
    if flag:
        rows = rows.filter(_flag_conditions(now)[flag])
    if search:
        # A search looks at every date: the patient may be booked outside the range shown.
        rows = rows.filter(
            Q(patient__search_name__contains=searchable(search)) | Q(patient__mrn__contains=normalise_mrn(search))
        )
    return rows.order_by("appointment_at", "id")


def _latest_entries_in_problem() -> QuerySet:
    """The request's checklist entries that are in "problem" and are their item's latest entry."""
    later = ChecklistEntry.objects.filter(request=OuterRef("request"), item_key=OuterRef("item_key")).filter(
        Q(recorded_at__gt=OuterRef("recorded_at")) | Q(recorded_at=OuterRef("recorded_at"), pk__gt=OuterRef("pk"))
    )
    return ChecklistEntry.objects.filter(request=OuterRef("pk"), state=ChecklistState.PROBLEM).exclude(Exists(later))


def row_flags(row: ConsentRequest, now: datetime.datetime | None = None) -> list[RowFlag]:
    """Every flag the row has, in plain words, from the columns `dashboard_rows` fetched (no queries)."""
    now = now or timezone.now()
    flags: list[RowFlag] = []
    if row.questions_waiting:
        flags.append(
            RowFlag(
                Flag.QUESTIONS,
                ngettext("%(count)s question waiting", "%(count)s questions waiting", row.questions_waiting)
                % {"count": row.questions_waiting},
                "warning",
            )
        )
    if row.answer_needs_attention:
        # "Yes" to a blood thinner, "Not sure" about pregnancy: the nurse follows it up.
        flags.append(RowFlag(Flag.ANSWERS, gettext("Answer needs follow-up"), "warning"))
    if row.checklist_problem:
        flags.append(RowFlag(Flag.CHECKLIST_PROBLEMS, gettext("Checklist problem"), "danger"))
    if row.step_shown_late:
        flags.append(RowFlag(Flag.LATE_STEPS, gettext("Preparation shown after its date"), "warning"))
    if row.quiz_misses:
        flags.append(
            RowFlag(
                Flag.QUIZ_MISSES,
                ngettext(
                    "Missed %(count)s quiz question first time",
                    "Missed %(count)s quiz questions first time",
                    row.quiz_misses,
                )
                % {"count": row.quiz_misses},
                "warning",
            )
        )
    if row.status == Status.NEEDS_DISCUSSION or row.wants_discussion or row.risk_to_discuss:
        flags.append(RowFlag(Flag.NEEDS_DISCUSSION, gettext("Needs discussion"), "warning"))
    if row.status == Status.DECLINED:
        flags.append(RowFlag(Flag.DECLINED, gettext("Declined"), "danger"))
    if row.status == Status.WITHDRAWN:
        flags.append(RowFlag(Flag.WITHDRAWN, gettext("Withdrawn"), "danger"))
    if row.status == Status.LOCKED:
        flags.append(RowFlag(Flag.LOCKED, gettext("Link locked"), "danger"))
    if row.status == Status.EXPIRED or (row.status in state.OPEN and row.expires_at < now):
        flags.append(RowFlag(Flag.EXPIRED, gettext("Link expired"), "secondary"))
    if row.content_changed_at and not row.reconsent_requested:
        flags.append(RowFlag(Flag.CONTENT_CHANGED, gettext("Content changed since signing"), "danger"))
    if row.pdf_pending:
        flags.append(RowFlag(Flag.PDF_PENDING, gettext("PDF pending"), "secondary"))
    if row.blood_thinner_to_plan and row.status not in state.CHECKLIST_CLOSED:
        # `blood_thinner_urgent` is set for a page's rows by `prepare_rows` (one query for the page).
        urgent = getattr(row, "blood_thinner_urgent", None)
        if urgent == "too_late":
            flags.append(RowFlag(Flag.BLOOD_THINNER, gettext("Blood thinner: too late to stop in time"), "danger"))
        elif urgent == "today":
            flags.append(RowFlag(Flag.BLOOD_THINNER, gettext("Blood thinner: last dose is today"), "danger"))
        else:
            flags.append(RowFlag(Flag.BLOOD_THINNER, gettext("Blood thinner: plan to confirm"), "warning"))
    if row.status in state.CONSENTED and row.consent_e_signed and not row.countersigned:
        flags.append(RowFlag(Flag.AWAITING_CLINICIAN, gettext("Awaiting clinician"), "warning"))
    return flags


def shown_flags(
    row: ConsentRequest, now: datetime.datetime | None = None, status_label: str | None = None
) -> list[RowFlag]:
    """The flags worth a badge beside the status badge: those that don't just repeat it.

    A declined request's status already says "Declined"; the flag filter still finds it.
    """
    status_label = status_label if status_label is not None else str(Status(row.status).label)
    return [flag for flag in row_flags(row, now) if flag.text != status_label]


def prepare_rows(rows, now: datetime.datetime) -> list[ConsentRequest]:
    """Attach to each row every word and link its table row shows, ready to print (no queries).

    The table is the page's main cost, and each template tag or filter costs far more per row
    than the same work done here once: so the case link is built from one `reverse`, the
    status words and the language names are translated once per page, and the dates
    are formatted here, in the current time zone and language, exactly as the `date` and
    `time` filters would. `starts_day` marks the first row of each day (the day's heading).
    """
    placeholder = uuid.UUID(int=0)
    case_url = reverse("staff:case", args=[placeholder]).split(str(placeholder))
    status_labels = {value: str(label) for value, label in Status.choices}
    recorded_by_staff = gettext("Recorded by staff")
    days: dict[datetime.date, tuple[str, str]] = {}
    languages: dict[tuple[str, str], str] = {}
    prepared = []
    previous_day = None
    rows = list(rows)
    urgent = blood_thinners.urgent_requests([row.pk for row in rows if row.blood_thinner_to_plan])
    for row in rows:
        row.blood_thinner_urgent = urgent.get(row.pk)
        local = timezone.localtime(row.appointment_at)
        day = local.date()
        row.starts_day = day != previous_day
        if day not in days:
            days[day] = (dateformat.format(local, "l j F Y"), dateformat.format(local, "D j M"))
        row.day_label, row.day_short = days[day]
        previous_day = day
        row.time_iso = local.isoformat()
        row.time_label = f"{local:%H:%M}"  # the time filter's "H:i"
        row.case_url = f"{case_url[0]}{row.public_id}{case_url[1]}"
        languages_key = (row.language, row.patient.preferred_language)
        if languages_key not in languages:
            languages[languages_key] = language_marker_for_staff(
                language=row.language, preferred=row.patient.preferred_language
            )
        row.language_label = languages[languages_key]
        row.status_label = status_labels.get(row.status, row.status)
        row.status_tone = STATUS_TONES.get(row.status, "light")
        row.staff_recorded_label = recorded_by_staff if getattr(row, "staff_recorded", False) else ""
        row.checklist_label = (
            (
                gettext("%(done)s of %(total)s, signed off")
                if row.checklist_signed_off
                else gettext("%(done)s of %(total)s")
            )
            % {"done": row.checklist_complete, "total": row.checklist_total}
            if row.checklist_total
            else ""
        )
        row.flags = shown_flags(row, now, row.status_label)
        row.flags_shown = [(flag.tone, flag.text) for flag in row.flags]
        row.status_badge = f"{row.status_tone} border" if row.status_tone == "light" else row.status_tone
        prepared.append(row)
    return prepared


# The table's rows: templates/staff/includes/dashboard_rows.html, compiled once and rendered with a
# plain Context. Inside the page's own template the loop ran with the request's whole context (its
# processors and layers) behind every lookup, which was most of the page's time.
@functools.cache
def _rows_template() -> Template:
    return get_template("staff/includes/dashboard_rows.html").template


def rows_html(rows: list[ConsentRequest]) -> SafeString:
    """The table's bodies for rows from `prepare_rows`: one <tbody> a day, headed by the day."""
    context = Context({"rows": rows, "no_checklist": pgettext("no checklist items", "None")})
    return _rows_template().render(context)
