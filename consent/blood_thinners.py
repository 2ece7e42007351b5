"""Blood thinners: which ones the patient takes, the suggested last dose, and the plan the nurse confirms.

The patient answers the checklist question that asks about blood thinners
(`ChecklistItem.asks_about_blood_thinners`) and, when the answer is "Yes" or "Not
sure", names the medicines: rows of the clinic's table (`procedures.BloodThinner`),
another medicine by its name, or "I'm not sure of the name".

For each one the nurse sees a *suggestion* (`plan_for`): the table's stop interval
for the procedure's bleeding-risk class (`Procedure.bleeding_risk`, read from the
working copy, so a correction applies at once) gives a suggested last-dose day.
The rule, stated on the nurse's page too: the interval is the time from the last
dose to the appointment (as ASRA phrases it), and it must be met whatever time of
day the dose is taken, so the last dose is on the day *before* the day that holds
"appointment minus interval". Friday 09:00 and 3 days (72 hours): 72 hours before
is Tuesday 09:00, so the last dose is on Monday. It is worked out in the clinic's
time zone. A suggested day that is today or already past is "too soon": flagged
loudly on the case page, the checklist page and the dashboard.

Only a plan the nurse confirms (`confirm_plan`, with the prescriber who agreed it)
reaches the patient, on their done page and the checklist PDF. A plan is for one
appointment: when the appointment moves, the plan stops being shown to the patient
and the request is flagged for the plan to be confirmed again (nothing is
recomputed silently). Every change is audited; audit messages never name a medicine.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from consent import services, state
from consent.audit import audit
from consent.models import (
    AuditAction,
    AuditEvent,
    BloodThinnerAnswer,
    BloodThinnerInstruction,
    ConsentRequest,
    searchable,
)
from procedures.models import BleedingRisk, BloodThinner, PatientAnswer, describe_stop_hours

# A last dose confirmed more than this many days before the appointment is refused as a mistake:
# no blood thinner in the guidance is stopped for so long.
MAX_DAYS_BEFORE = 30
MAX_NAME_LENGTH = 200


class PlanRefused(services.ConsentError):
    """The nurse's plan can't be recorded; `field` is the form field the message belongs to (or None)."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class AlreadyConfirmed(services.ConsentError):
    """The same plan was confirmed already (a second press of the button): nothing was recorded."""


# The patient's answers -------------------------------------------------------------------------------


def blood_thinner_question(consent_request: ConsentRequest, content: dict) -> dict | None:
    """The checklist question put to this patient that asks which blood thinner, if there is one."""
    return next(
        (item for item in consent_request.patient_questions(content) if item.get("asks_about_blood_thinners")), None
    )


def offered() -> QuerySet[BloodThinner]:
    """The clinic's blood thinners a patient can choose from: the active rows."""
    return BloodThinner.objects.filter(active=True).order_by("name")


@dataclass(frozen=True)
class Named:
    """What the patient chose under "Which one?": rows of the table, another medicine's name, or not sure."""

    drugs: tuple[BloodThinner, ...] = ()
    other_name: str = ""
    not_sure: bool = False

    @property
    def is_empty(self) -> bool:
        return not self.drugs and not self.other_name.strip() and not self.not_sure


def medicine_key(*, drug: BloodThinner | None = None, other_name: str = "", not_sure: bool = False) -> str:
    if drug is not None:
        return f"drug:{drug.pk}"
    if not_sure:
        return "not_sure"
    return f"other:{searchable(other_name)}"[:250]


def save_preparation_answers(
    *,
    consent_request: ConsentRequest,
    acknowledged: set[str],
    answers: dict[str, str],
    named: Named,
    ip: str | None,
    finish: bool = True,
) -> tuple[list[str], list[str], str | None]:
    """The preparing page's save (`services.save_preparation_answers`) with the blood thinners named, in one
    transaction. Returns the steps unticked, the questions unanswered, and what is missing from "Which one?"
    (a message for the patient, or None). Nothing is lost: what was named is kept even when the page isn't
    finished. A named medicine that is no longer offered is refused with a plain message, and nothing saved.
    """
    retired = [drug for drug in named.drugs if not drug.active]
    if retired:
        raise services.ConsentError(
            _("%(name)s is no longer on our list. Please choose again, or type its name under “Another medicine”.")
            % {"name": retired[0].name}
        )
    if len(named.other_name) > MAX_NAME_LENGTH:
        raise services.ConsentError(_("Please keep the medicine's name under 200 characters."))
    question = blood_thinner_question(consent_request, consent_request.patient_content)
    takes_one = question is not None and answers.get(question["key"]) in (PatientAnswer.YES, PatientAnswer.NOT_SURE)
    missing = None
    if takes_one and named.is_empty:
        missing = _("Please choose the blood thinner you take, type its name, or choose “I'm not sure of the name”.")
    with transaction.atomic():
        # With "Which one?" unanswered the page is kept, not finished, so the step isn't completed.
        missing_steps, unanswered = services.save_preparation_answers(
            consent_request=consent_request,
            acknowledged=acknowledged,
            answers=answers,
            ip=ip,
            finish=finish and missing is None,
        )
        if question is not None:
            _replace_named(services.lock_request(consent_request), named if takes_one else Named(), ip)
        return missing_steps, unanswered, missing


def _replace_named(consent_request: ConsentRequest, named: Named, ip: str | None) -> None:
    """Keep exactly the medicines named now (a medicine named before keeps its row, and its plans)."""
    wanted: dict[str, dict] = {}
    for drug in named.drugs:
        wanted[medicine_key(drug=drug)] = {"kind": BloodThinnerAnswer.Kind.LISTED, "drug": drug, "name": drug.name}
    if other := " ".join(named.other_name.split()):
        wanted[medicine_key(other_name=other)] = {"kind": BloodThinnerAnswer.Kind.OTHER, "drug": None, "name": other}
    if named.not_sure:
        wanted[medicine_key(not_sure=True)] = {"kind": BloodThinnerAnswer.Kind.NOT_SURE, "drug": None, "name": ""}
    existing = {row.medicine_key: row for row in consent_request.blood_thinner_answers.all()}
    if set(existing) == set(wanted):
        return
    consent_request.blood_thinner_answers.exclude(medicine_key__in=wanted).delete()
    for key, fields in wanted.items():
        if key not in existing:
            BloodThinnerAnswer.objects.create(request=consent_request, medicine_key=key, **fields)
    kinds = [fields["kind"] for fields in wanted.values()]
    counts = {kind.value: kinds.count(kind) for kind in BloodThinnerAnswer.Kind}
    audit(
        consent_request=consent_request,
        action=AuditAction.BLOOD_THINNERS_NAMED,
        # Counts only: which medicine a patient takes is health data, kept out of the audit trail's words.
        message=(
            f"Blood thinners named: {counts['listed']} from the clinic's list, {counts['other']} typed in"
            + (", not sure of a name" if counts["not_sure"] else "")
            if wanted
            else "Blood thinners named earlier were cleared"
        ),
        actor=AuditEvent.Actor.PATIENT,
        ip=ip,
        detail=counts,
    )


# The suggestion -------------------------------------------------------------------------------------


class Basis:
    """Why the suggestion is what it is."""

    STOP = "stop"  # a last-dose day is suggested
    CONTINUE = "continue"  # the table says it is usually continued for this class
    NO_STANDARD = "no_standard"  # the table has no standard interval for this class
    NO_CLASS = "no_class"  # the procedure has no bleeding-risk class
    NOT_IN_TABLE = "not_in_table"  # typed by the patient, not sure of the name, or the row was removed


def suggested_last_dose(appointment_at: datetime.datetime, hours: int) -> tuple[datetime.date, datetime.datetime]:
    """The last day a dose may be taken at any time so that `hours` pass before the appointment, and the
    latest moment itself (both in the clinic's time zone). See the module's docstring for the rule."""
    latest = timezone.localtime(appointment_at) - datetime.timedelta(hours=hours)
    return latest.date() - datetime.timedelta(days=1), latest


@dataclass
class Suggestion:
    answer: BloodThinnerAnswer
    name: str
    basis: str
    drug: BloodThinner | None = None
    stop_hours: int | None = None
    last_dose_on: datetime.date | None = None
    latest_dose_at: datetime.datetime | None = None
    too_late: bool = False  # the suggested last dose is already past
    last_dose_today: bool = False
    latest: BloodThinnerInstruction | None = None  # the latest confirmed plan, for whatever appointment
    history: list[BloodThinnerInstruction] = field(default_factory=list)

    @property
    def medicine_key(self) -> str:
        return self.answer.medicine_key

    @property
    def interval_text(self) -> str:
        return describe_stop_hours(self.stop_hours)

    @property
    def confirmed(self) -> BloodThinnerInstruction | None:
        """The plan that stands: the latest one, confirmed for the appointment as it is now."""
        if self.latest is not None and self.latest.appointment_at == self.answer.request.appointment_at:
            return self.latest
        return None

    @property
    def needs_reconfirmation(self) -> bool:
        """A plan was confirmed, but for an appointment that has since moved."""
        return self.latest is not None and self.confirmed is None

    @property
    def urgent(self) -> bool:
        """Too late, or the last dose is today, and no plan stands yet."""
        return self.confirmed is None and (self.too_late or self.last_dose_today)


def _suggest(answer: BloodThinnerAnswer, bleeding_risk: str, appointment_at, today: datetime.date) -> Suggestion:
    drug = answer.drug if answer.kind == BloodThinnerAnswer.Kind.LISTED else None
    name = drug.name if drug is not None else answer.name
    if drug is None:
        return Suggestion(answer=answer, name=name, basis=Basis.NOT_IN_TABLE)
    if bleeding_risk not in BleedingRisk.values:
        return Suggestion(answer=answer, name=name, basis=Basis.NO_CLASS, drug=drug)
    hours = drug.stop_hours(bleeding_risk)
    if hours is None:
        return Suggestion(answer=answer, name=name, basis=Basis.NO_STANDARD, drug=drug)
    if hours == 0:
        return Suggestion(answer=answer, name=name, basis=Basis.CONTINUE, drug=drug, stop_hours=0)
    day, latest = suggested_last_dose(appointment_at, hours)
    return Suggestion(
        answer=answer,
        name=name,
        basis=Basis.STOP,
        drug=drug,
        stop_hours=hours,
        last_dose_on=day,
        latest_dose_at=latest,
        too_late=day < today,
        last_dose_today=day == today,
    )


def plan_for(consent_request: ConsentRequest, today: datetime.date | None = None) -> list[Suggestion]:
    """Each medicine the patient named, with its suggestion and its confirmed plans (latest last)."""
    today = today or timezone.localdate()
    procedure = consent_request.procedure_version.procedure
    answers = list(consent_request.blood_thinner_answers.select_related("drug"))
    instructions: dict[str, list[BloodThinnerInstruction]] = {}
    for row in consent_request.blood_thinner_instructions.select_related("confirmed_by"):
        instructions.setdefault(row.medicine_key, []).append(row)
    suggestions = []
    for answer in answers:
        answer.request = consent_request  # no query for the appointment
        suggestion = _suggest(answer, procedure.bleeding_risk, consent_request.appointment_at, today)
        suggestion.history = instructions.get(answer.medicine_key, [])
        superseded = {row.supersedes_id for row in suggestion.history}
        suggestion.latest = next((row for row in reversed(suggestion.history) if row.pk not in superseded), None)
        suggestions.append(suggestion)
    return suggestions


def plans_to_confirm(consent_request: ConsentRequest) -> bool:
    return any(s.confirmed is None for s in plan_for(consent_request))


def needs_planning(consent_request: ConsentRequest) -> bool:
    """Whether the request may still go ahead (so its plan matters)."""
    return consent_request.status not in state.CHECKLIST_CLOSED


def confirmed_for_patient(consent_request: ConsentRequest) -> list[BloodThinnerInstruction]:
    """The plans the patient is told about: confirmed for the appointment as it is now, for medicines they
    still name. A suggestion never reaches them; nor does a plan for an appointment that has moved."""
    if not needs_planning(consent_request):
        return []
    return [s.confirmed for s in plan_for(consent_request) if s.confirmed is not None]


# The nurse's confirmation ---------------------------------------------------------------------------


def confirm_plan(
    *,
    consent_request: ConsentRequest,
    medicine_key: str,
    plan: str,
    last_dose_on: datetime.date | None,
    prescriber: str,
    reason: str = "",
    medicine_name: str = "",
    user: AbstractBaseUser,
    ip: str | None = None,
) -> BloodThinnerInstruction:
    """Record the plan for one medicine, as the prescriber agreed it: a new instruction superseding the last.

    Refused, with a plain message, for a request that won't go ahead, a medicine the patient no longer names,
    a last dose after the appointment or more than MAX_DAYS_BEFORE days before it, a plan that differs from
    the suggestion with no reason, and a plan already confirmed as it is (`AlreadyConfirmed`).
    """
    prescriber, reason, medicine_name = prescriber.strip(), reason.strip(), " ".join(medicine_name.split())
    with transaction.atomic():
        consent_request = services.lock_request(consent_request)
        if not needs_planning(consent_request):
            raise PlanRefused(
                f"This request is {consent_request.get_status_display().lower()}: there is no procedure to plan for."
            )
        today = timezone.localdate()
        appointment_day = timezone.localdate(consent_request.appointment_at)
        if appointment_day < today:
            raise PlanRefused("The appointment has passed: there is nothing left to plan. Add a note instead.")
        suggestion = next((s for s in plan_for(consent_request, today) if s.medicine_key == medicine_key), None)
        if suggestion is None:
            raise PlanRefused(
                "The patient no longer names this medicine (they changed their answers). Reload the page to see "
                "what they take now."
            )
        name = suggestion.name or medicine_name
        if suggestion.answer.kind == BloodThinnerAnswer.Kind.NOT_SURE:
            if not medicine_name:
                raise PlanRefused(
                    "The patient wasn't sure of the name: type the medicine's name, as the patient or the "
                    "prescriber told you.",
                    field="medicine_name",
                )
            name = medicine_name
        if not prescriber:
            raise PlanRefused("Say which prescriber agreed this plan.", field="prescriber")
        if plan == BloodThinnerInstruction.Plan.STOP:
            if last_dose_on is None:
                raise PlanRefused("Give the date of the last dose.", field="last_dose_on")
            if last_dose_on > appointment_day:
                raise PlanRefused(
                    f"The last dose must be on or before the appointment ({appointment_day:%A %-d %B %Y}). "
                    "Check the date.",
                    field="last_dose_on",
                )
            if last_dose_on < appointment_day - datetime.timedelta(days=MAX_DAYS_BEFORE):
                raise PlanRefused(
                    f"That is more than {MAX_DAYS_BEFORE} days before the appointment "
                    f"({appointment_day:%-d %B %Y}): no blood thinner is stopped for so long. Check the date.",
                    field="last_dose_on",
                )
        elif plan == BloodThinnerInstruction.Plan.CONTINUE:
            last_dose_on = None
        else:
            raise PlanRefused("Choose whether the patient stops this medicine or keeps taking it.", field="plan")
        changed = _differs_from_suggestion(suggestion, plan, last_dose_on)
        if changed and not reason:
            raise PlanRefused(
                "This differs from the suggestion: say why (for example, what the prescriber decided).",
                field="reason",
            )
        latest = suggestion.latest
        if (
            latest is not None
            and latest.appointment_at == consent_request.appointment_at
            and (latest.plan, latest.last_dose_on, latest.prescriber, latest.medicine_name)
            == (plan, last_dose_on, prescriber, name)
        ):
            raise AlreadyConfirmed("This plan is already confirmed, exactly as it is: nothing was changed.")
        instruction = BloodThinnerInstruction.objects.create(
            request=consent_request,
            medicine_key=medicine_key,
            medicine_name=name,
            plan=plan,
            last_dose_on=last_dose_on,
            suggested_last_dose_on=suggestion.last_dose_on,
            appointment_at=consent_request.appointment_at,
            bleeding_risk=consent_request.procedure_version.procedure.bleeding_risk,
            stop_hours=suggestion.stop_hours,
            from_sample_values=bool(suggestion.drug and suggestion.drug.is_sample),
            reason=reason if changed else "",
            prescriber=prescriber,
            confirmed_by=user,
            supersedes=latest,
        )
        if plan == BloodThinnerInstruction.Plan.STOP:
            what = f"last dose on {last_dose_on:%-d %B %Y}"
        else:
            what = "keep taking it"
        audit(
            consent_request=consent_request,
            action=AuditAction.BLOOD_THINNER_PLAN_CONFIRMED,
            message=(
                f"Blood-thinner plan {'re-confirmed' if latest else 'confirmed'}: {what}"
                + (" (differs from the suggestion)" if changed else "")
            ),
            user=user,
            ip=ip,
            detail={
                "instruction": instruction.pk,
                "plan": plan,
                "last_dose_on": last_dose_on.isoformat() if last_dose_on else None,
                "suggested": suggestion.last_dose_on.isoformat() if suggestion.last_dose_on else None,
                "differs": changed,
                "supersedes": latest.pk if latest else None,
            },
        )
        return instruction


def _differs_from_suggestion(suggestion: Suggestion, plan: str, last_dose_on: datetime.date | None) -> bool:
    """Whether the plan departs from a suggestion the table made (none made: the prescriber's plan stands)."""
    if suggestion.basis == Basis.STOP:
        return plan != BloodThinnerInstruction.Plan.STOP or last_dose_on != suggestion.last_dose_on
    if suggestion.basis == Basis.CONTINUE:
        return plan != BloodThinnerInstruction.Plan.CONTINUE
    return False


# The dashboard ----------------------------------------------------------------------------------------


def unplanned_answers(request_ref=None) -> QuerySet[BloodThinnerAnswer]:
    """Medicines named with no plan standing (none confirmed, or confirmed for an appointment since moved).
    `request_ref`: the request, e.g. OuterRef("pk") in the dashboard's query."""
    standing = BloodThinnerInstruction.objects.filter(
        request=OuterRef("request"),
        medicine_key=OuterRef("medicine_key"),
        appointment_at=OuterRef("request__appointment_at"),
        superseded_by__isnull=True,
    )
    answers = BloodThinnerAnswer.objects.exclude(Exists(standing))
    return answers.filter(request=request_ref) if request_ref is not None else answers


def urgent_requests(request_ids: list[int], today: datetime.date | None = None) -> dict[int, str]:
    """Of these requests, those with a medicine whose suggested last dose is past ("too_late") or today
    ("today") and no plan standing, for a dashboard page (one query). Too late wins over today."""
    if not request_ids:
        return {}
    today = today or timezone.localdate()
    rows = (
        unplanned_answers()
        .filter(request_id__in=request_ids, kind=BloodThinnerAnswer.Kind.LISTED, drug__isnull=False)
        .select_related("drug")
        .annotate(
            appointment=F("request__appointment_at"),
            bleeding_risk=F("request__procedure_version__procedure__bleeding_risk"),
        )
    )
    urgent: dict[int, str] = {}
    for answer in rows:
        suggestion = _suggest(answer, answer.bleeding_risk, answer.appointment, today)
        if suggestion.too_late:
            urgent[answer.request_id] = "too_late"
        elif suggestion.last_dose_today:
            urgent.setdefault(answer.request_id, "today")
    return urgent
