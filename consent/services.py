"""Every state change of a consent request, each in one function.

Each function runs in a transaction, re-reads the request with
`select_for_update()`, checks its guard (raising `ConsentError` with a message
a person can act on), changes state and writes an AuditEvent. Audit messages
and details never hold personal data: they name the case by its id only.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from consent import signals, state
from consent.audit import audit
from consent.integrity import SIGNATURE_DIGEST_KEY, signature_digest
from consent.models import (
    MAX_IDENTITY_ATTEMPTS,
    Acknowledgement,
    AuditAction,
    AuditEvent,
    CaseNote,
    ChecklistAnswer,
    ChecklistEntry,
    ChecklistSignOff,
    ChecklistState,
    ConsentRequest,
    Decision,
    Language,
    Patient,
    PatientQuestion,
    QuizAnswer,
    Signature,
    Signer,
    Status,
    Step,
    language_for_staff,
    normalise_mrn,
)
from consent.state import CHECKLIST_CLOSED, Transition
from procedures import sample_content
from procedures.diff import content_diff
from procedures.models import Procedure, ProcedureVersion
from procedures.roles import NURSES
from procedures.services import SAMPLE_UPDATE_SUMMARY, prepare_sample_update, publish_procedure
from procedures.translations import available_languages

logger = logging.getLogger(__name__)

MAX_APPOINTMENT_AHEAD = datetime.timedelta(days=2 * 366)
MAX_DRAWN_SIGNATURE_LENGTH = 200_000  # characters of a PNG data URL: far more than a drawn signature needs


class ConsentError(Exception):
    """A request can't make this change now; the message says why and what to do."""


class AnotherOpenRequest(ConsentError):
    """The patient already has an open request for this procedure (another appointment): confirm to make one more."""

    def __init__(self, message: str, *, existing: ConsentRequest):
        super().__init__(message)
        self.existing = existing


class NameMismatch(ConsentError):
    """The typed name doesn't match the record (the sign page shows it beside the name field)."""


# Links ---------------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)  # 256 bits
    return token, hash_token(token)


def link_expiry(appointment_at: datetime.datetime) -> datetime.datetime:
    return appointment_at + datetime.timedelta(hours=settings.PROCEED_LINK_HOURS_AFTER_APPOINTMENT)


def find_request_by_token(token: str) -> ConsentRequest | None:
    return (
        ConsentRequest.objects.select_related("patient", "procedure_version__procedure")
        .filter(token_hash=hash_token(token))
        .first()
    )


def patient_link(token: str) -> str:
    return f"{settings.PROCEED_BASE_URL}/c/{token}/"


def lock_request(consent_request: ConsentRequest) -> ConsentRequest:
    return (
        ConsentRequest.objects.select_for_update()
        .select_related("patient", "procedure_version")
        .get(pk=consent_request.pk)
    )


# Creating and inviting -----------------------------------------------------------


def find_or_create_patient(
    *,
    mrn: str,
    full_name: str,
    date_of_birth: datetime.date,
    email: str = "",
    phone: str = "",
    preferred_language: str = "en",
    could_be_pregnant: str = "",
    user: AbstractBaseUser | None = None,
    ip: str | None = None,
    actor: str | None = None,
) -> Patient:
    """The patient with this record number, or a new one.

    An existing record whose name or date of birth differ is refused rather
    than silently used: a typo in a record number must not attach a request to
    the wrong person. A new email or phone given for an existing patient
    replaces the old one (blank leaves it), so an invitation goes where the
    patient now is.
    """
    mrn = normalise_mrn(mrn)
    patient = Patient.objects.filter(mrn=mrn).first()
    if patient is None:
        return Patient.objects.create(
            mrn=mrn,
            full_name=" ".join(full_name.split()),
            date_of_birth=date_of_birth,
            email=email,
            phone=phone,
            preferred_language=preferred_language,
            could_be_pregnant=could_be_pregnant,
        )
    if not names_match(patient.full_name, full_name) or patient.date_of_birth != date_of_birth:
        raise ConsentError(
            "A patient with this record number already exists with a different name or date of birth. "
            "Check the record number, name and date of birth against the patient's notes."
        )
    given = (("email", email), ("phone", phone), ("could_be_pregnant", could_be_pregnant))
    updates = {name: value for name, value in given if value and getattr(patient, name) != value}
    if updates:
        for name, value in updates.items():
            setattr(patient, name, value)
        patient.save(update_fields=list(updates))
        audit(
            consent_request=None,
            action=AuditAction.PATIENT_CONTACT_UPDATED,
            message=f"Patient details updated ({', '.join(updates)})",
            user=user,
            actor=actor,
            ip=ip,
            detail={"patient": patient.pk, "fields": list(updates)},
        )
    return patient


def create_consent_request(
    *,
    patient: Patient,
    procedure: Procedure,
    appointment_at: datetime.datetime,
    clinician: str,
    created_by: AbstractBaseUser | None,
    ip: str | None = None,
    confirm_another: bool = False,
    actor: str | None = None,
) -> tuple[ConsentRequest, str]:
    """A new request pinned to the procedure's current published version; returns it and its token.

    A second open request for the same patient and procedure (another appointment) is made only when
    `confirm_another` says the nurse meant it. `actor` names who made it when no user did (an
    integration client: `AuditEvent.Actor.INTEGRATION`), as in the other services that take it.
    """
    version = procedure.current_version
    if version is None:
        raise ConsentError(f"{procedure.name} has no published version yet. Ask a content admin to publish it.")
    if Procedure.objects.filter(pk=procedure.pk, retired_at__isnull=False).exists():  # as it is now, not as passed
        raise ConsentError(
            f"{procedure.name} has been retired, so no new requests can be made for it. If it should be used "
            "again, ask a content admin to restore it."
        )
    if appointment_at <= timezone.now():
        raise ConsentError("The appointment must be in the future.")
    if appointment_at > timezone.now() + MAX_APPOINTMENT_AHEAD:
        raise ConsentError("The appointment is more than two years away. Check the year of the appointment date.")
    duplicate = ConsentRequest.objects.filter(
        patient=patient,
        procedure_version__procedure=procedure,
        appointment_at=appointment_at,
        status__in=state.OPEN,
    ).exists()
    if duplicate:
        # Pressing the button twice (or reloading the result page) must not make a second open request.
        raise ConsentError(
            "This patient already has an open request for this procedure at this appointment, so no new one "
            "was made. If the patient has lost the link, reissue it from their request instead."
        )
    other = (
        ConsentRequest.objects.filter(patient=patient, procedure_version__procedure=procedure, status__in=state.OPEN)
        .order_by("appointment_at")
        .first()
    )
    if other and not confirm_another:
        when = timezone.localtime(other.appointment_at)
        raise AnotherOpenRequest(
            f"This patient already has an open request for {procedure.name}, for the appointment on "
            f"{when:%-d %B %Y at %H:%M}. If they need another as well, tick “Create another request anyway” and "
            "press “Create request” again; if the appointment moved, change it on that request instead.",
            existing=other,
        )
    token, token_hash = _new_token()
    # The patient's preferred language, if this version has all of its content in it; else English
    # (the patient can't then pick it either).
    language = patient.preferred_language
    if language not in available_languages(version.content):
        language = Language.ENGLISH
    with transaction.atomic():
        consent_request = ConsentRequest.objects.create(
            patient=patient,
            procedure_version=version,
            appointment_at=appointment_at,
            clinician=clinician.strip(),
            created_by=created_by,
            token_hash=token_hash,
            expires_at=link_expiry(appointment_at),
            checklist_total=len(version.content["checklist_items"]),
            language=language,
        )
        audit(
            consent_request=consent_request,
            action=AuditAction.CREATED,
            message=f"Request created for version {version.number} of the procedure information, "
            f"in {language_for_staff(language)}",
            user=created_by,
            actor=actor,
            ip=ip,
        )
        transaction.on_commit(
            lambda: signals.request_created.send(sender=ConsentRequest, consent_request=consent_request), robust=True
        )
    return consent_request, token


def mark_invited(
    *,
    consent_request: ConsentRequest,
    how: str,
    user: AbstractBaseUser | None = None,
    ip: str | None = None,
    actor: str | None = None,
):
    """The link has been given to the patient (by email, on paper, or shown to them)."""
    with transaction.atomic():
        consent_request = lock_request(consent_request)
        if state.move(consent_request, Transition.INVITE):
            consent_request.save(update_fields=["status"])
        audit(
            consent_request=consent_request,
            action=AuditAction.INVITED,
            message=f"Invitation {how}",
            user=user,
            actor=actor,
            ip=ip,
        )
    return consent_request


def send_invite_email(
    *,
    consent_request: ConsentRequest,
    token: str,
    user: AbstractBaseUser | None = None,
    ip=None,
    actor: str | None = None,
):
    """Email the patient their personal link (plain text and HTML)."""
    patient = consent_request.patient
    if not patient.email:
        raise ConsentError("This patient has no email address. Give them the link or the printed letter instead.")
    context = {
        "patient": patient,
        "procedure_name": consent_request.patient_content["name"],
        "minutes": consent_request.minutes_to_complete,
        "appointment_at": consent_request.appointment_at,
        "link": patient_link(token),
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
    }
    # In the patient's language, whatever language the nurse's page is in.
    with translation.override(consent_request.language):
        message = EmailMultiAlternatives(
            subject=_("Getting ready for your appointment at %(clinic)s") % {"clinic": settings.CLINIC_NAME},
            body=render_to_string("consent/email/invite.txt", context),
            to=[patient.email],
        )
        message.attach_alternative(render_to_string("consent/email/invite.html", context), "text/html")
    message.send()
    return mark_invited(consent_request=consent_request, how="sent by email", user=user, ip=ip, actor=actor)


def reissue_link(*, consent_request: ConsentRequest, user: AbstractBaseUser | None, ip: str | None = None) -> str:
    """A new link; the old one stops working at once. Unlocks a locked link.

    A finished case (signed, declined, withdrawn, confirmed) keeps its status: its new link leads
    to its record, never back into the journey.
    """
    token, token_hash = _new_token()
    with transaction.atomic():
        consent_request = lock_request(consent_request)
        if not state.allows(Transition.REISSUE, consent_request.status):
            raise ConsentError(
                f"This request is {consent_request.get_status_display().lower()}, so its link can't be reissued. "
                "Create a new request if the patient needs to consent again."
            )
        if consent_request.appointment_at <= timezone.now():
            raise ConsentError("The appointment has passed. Create a new request with the new appointment.")
        consent_request.token_hash = token_hash
        consent_request.failed_identity_attempts = 0
        consent_request.expires_at = link_expiry(consent_request.appointment_at)
        state.move(consent_request, Transition.REISSUE)
        consent_request.save(update_fields=["token_hash", "failed_identity_attempts", "expires_at", "status"])
        audit(
            consent_request=consent_request,
            action=AuditAction.LINK_REISSUED,
            message="A new link was issued; the old link no longer works",
            user=user,
            ip=ip,
        )
    return token


def cancel_request(
    *,
    consent_request: ConsentRequest,
    user: AbstractBaseUser | None,
    ip: str | None = None,
    reason: str = "",
    actor: str | None = None,
) -> ConsentRequest:
    """Cancel an open request; its link stops working. The reason (the staff form requires one) is kept on it."""
    with transaction.atomic():
        consent_request = lock_request(consent_request)
        if not state.allows(Transition.CANCEL, consent_request.status):
            raise ConsentError(
                f"This request is {consent_request.get_status_display().lower()} and can't be cancelled."
            )
        state.move(consent_request, Transition.CANCEL)
        consent_request.cancel_reason = reason.strip()[:1000]
        consent_request.save(update_fields=["status", "cancel_reason"])
        audit(
            consent_request=consent_request,
            action=AuditAction.CANCELLED,
            message="Request cancelled",
            user=user,
            actor=actor,
            ip=ip,
        )
    return consent_request


def expire_if_due(consent_request: ConsentRequest) -> ConsentRequest:
    """Open requests whose link has run out become expired (checked when the link is used)."""
    if consent_request.is_open and timezone.now() > consent_request.expires_at:
        with transaction.atomic():
            consent_request = lock_request(consent_request)
            if timezone.now() > consent_request.expires_at and state.move(consent_request, Transition.EXPIRE):
                consent_request.save(update_fields=["status"])
                audit(
                    consent_request=consent_request,
                    action=AuditAction.EXPIRED,
                    message="The link expired",
                    actor=AuditEvent.Actor.SYSTEM,
                )
    return consent_request


# The patient's journey ------------------------------------------------------------


@dataclass(frozen=True)
class IdentityCheck:
    ok: bool
    attempts_left: int


def verify_identity(*, consent_request: ConsentRequest, date_of_birth: datetime.date, ip: str | None) -> IdentityCheck:
    """Compare the date of birth. A correct one clears the count of wrong ones; five wrong ones in a
    row lock an open case's link, and make a finished case's link refuse without touching its status."""
    with transaction.atomic():
        consent_request = lock_request(consent_request)
        if not consent_request.link_is_usable:
            return IdentityCheck(ok=False, attempts_left=0)
        if consent_request.patient.date_of_birth == date_of_birth:
            fields = ["progress"]
            if state.move(consent_request, Transition.OPEN):
                fields.append("status")
            earlier_failures = consent_request.failed_identity_attempts
            if earlier_failures:
                consent_request.failed_identity_attempts = 0
                fields.append("failed_identity_attempts")
            consent_request.progress = max(consent_request.progress, Step.IDENTITY)
            consent_request.save(update_fields=fields)
            audit(
                consent_request=consent_request,
                action=AuditAction.IDENTITY_VERIFIED,
                message="Identity checked"
                + (f"; the count of {earlier_failures} wrong dates of birth was cleared" if earlier_failures else ""),
                actor=AuditEvent.Actor.PATIENT,
                ip=ip,
            )
            return IdentityCheck(ok=True, attempts_left=MAX_IDENTITY_ATTEMPTS)
        consent_request.failed_identity_attempts += 1
        attempts_left = MAX_IDENTITY_ATTEMPTS - consent_request.failed_identity_attempts
        audit(
            consent_request=consent_request,
            action=AuditAction.IDENTITY_FAILED,
            message=(
                f"Wrong date of birth entered ({consent_request.failed_identity_attempts} of {MAX_IDENTITY_ATTEMPTS})"
            ),
            actor=AuditEvent.Actor.PATIENT,
            ip=ip,
        )
        fields = ["failed_identity_attempts"]
        if attempts_left <= 0 and consent_request.status in state.FINISHED:
            audit(
                consent_request=consent_request,
                action=AuditAction.LINK_REFUSED,
                message="The link refuses after too many wrong dates of birth; the decision recorded is unchanged",
                actor=AuditEvent.Actor.SYSTEM,
                ip=ip,
            )
        elif attempts_left <= 0 and state.move(consent_request, Transition.LOCK):
            fields.append("status")
            audit(
                consent_request=consent_request,
                action=AuditAction.LOCKED,
                message="Link locked after too many wrong dates of birth",
                actor=AuditEvent.Actor.SYSTEM,
                ip=ip,
            )
        consent_request.save(update_fields=fields)
        return IdentityCheck(ok=False, attempts_left=max(attempts_left, 0))


def _journey_request(consent_request: ConsentRequest) -> ConsentRequest:
    """Lock the request and make sure the patient may still change their answers."""
    consent_request = lock_request(consent_request)
    if not consent_request.link_is_usable or not consent_request.is_open:
        raise ConsentError(_("Your answers can't be changed now. Please call the clinic if something is wrong."))
    return consent_request


def choose_language(*, consent_request: ConsentRequest, language: str, ip: str | None) -> ConsentRequest:
    """The patient picks the language they read the journey, their emails and their record in.

    Only a language the request's version fully has can be chosen (English always).
    After signing, the language is part of the record and can't change.
    """
    if language not in Language.values:
        raise ConsentError(_("Please choose one of the languages listed."))
    with transaction.atomic():
        consent_request = lock_request(consent_request)
        if language not in consent_request.available_languages:
            raise ConsentError(
                _(
                    "Sorry, the information about this procedure is not available in %(language)s yet. "
                    "Please choose another language, or call the clinic."
                )
                % {"language": Language(language).label}
            )
        if consent_request.language == language:
            return consent_request
        if hasattr(consent_request, "signature") or not consent_request.link_is_usable:
            raise ConsentError(_("The language can't be changed now. Please call the clinic if you need help."))
        old = consent_request.language
        consent_request.language = language
        consent_request.save(update_fields=["language"])
        audit(
            consent_request=consent_request,
            action=AuditAction.LANGUAGE_CHOSEN,
            message=f"Chose to read in {language_for_staff(language)} (was {language_for_staff(old)})",
            actor=AuditEvent.Actor.PATIENT,
            ip=ip,
            detail={"from": old, "to": language},
        )
    return consent_request


def _complete_step(consent_request: ConsentRequest, step: Step, ip: str | None, *, changed: bool = True) -> None:
    fields = ["progress"]
    consent_request.progress = max(consent_request.progress, step)
    if state.move(consent_request, Transition.START):
        fields.append("status")
    if changed and consent_request.review_confirmed_at:
        # They changed an answer after reviewing: they must review again.
        consent_request.review_confirmed_at = None
        fields.append("review_confirmed_at")
    consent_request.save(update_fields=fields)
    with translation.override("en"):  # the audit trail is in English, for staff
        message = f"Completed “{step.label}”"
    audit(
        consent_request=consent_request,
        action=AuditAction.STEP_COMPLETED,
        message=message,
        actor=AuditEvent.Actor.PATIENT,
        ip=ip,
    )


def read_about(*, consent_request: ConsentRequest, ip: str | None) -> None:
    with transaction.atomic():
        consent_request = _journey_request(consent_request)
        _complete_step(consent_request, Step.ABOUT, ip, changed=False)


def _save_acknowledgements(
    consent_request: ConsentRequest, kind: str, keys: Iterable[str], ticked: set[str], discuss: set[str]
) -> None:
    now = timezone.now()
    existing = {str(a.item_key): a for a in consent_request.acknowledgements.filter(kind=kind)}
    for key in keys:
        row = existing.get(key) or Acknowledgement(request=consent_request, kind=kind, item_key=key)
        if key in ticked:
            row.acknowledged_at = row.acknowledged_at or now
        else:
            row.acknowledged_at = None
        row.wants_to_discuss = key in discuss
        row.save()


def _saved_unfinished(consent_request: ConsentRequest, page: str, ip: str | None) -> None:
    """Answers kept without finishing the page (a tick saved as it is made, or "save and come back
    later"). A change after the review means reviewing again, as when a page is finished."""
    if consent_request.review_confirmed_at:
        consent_request.review_confirmed_at = None
        consent_request.save(update_fields=["review_confirmed_at"])
    message = f"Answers on the {page} page saved"
    # Ticks saved one by one as they are made: one event for a run of them on a page, not one a tick.
    last = consent_request.audit_events.order_by("-sequence").only("action", "message", "created_at").first()
    recent = timezone.now() - datetime.timedelta(minutes=15)
    if last and last.action == AuditAction.ANSWERS_SAVED and last.message == message and last.created_at >= recent:
        return
    audit(
        consent_request=consent_request,
        action=AuditAction.ANSWERS_SAVED,
        message=message,
        actor=AuditEvent.Actor.PATIENT,
        ip=ip,
    )


def _note_steps_shown_late(consent_request: ConsentRequest, content: dict, ip: str | None) -> None:
    """Steps whose day had passed when the patient saw them are kept for the nurse, once each, audited."""
    today = timezone.localdate()
    late = {str(row["step"]["key"]): row["due_on"] for row in consent_request.dated_steps(content) if row["overdue"]}
    if not late:
        return
    rows = consent_request.acknowledgements.filter(kind=Acknowledgement.Kind.STEP, shown_late_on__isnull=True)
    for row in rows:
        due = late.get(str(row.item_key))
        if due is None:
            continue
        row.due_on, row.shown_late_on = due, today
        row.save(update_fields=["due_on", "shown_late_on"])
        audit(
            consent_request=consent_request,
            action=AuditAction.STEP_SHOWN_LATE,
            message=f"A preparation step due {due:%-d %B} was shown on {today:%-d %B}",
            actor=AuditEvent.Actor.PATIENT,
            ip=ip,
            detail={"step": str(row.item_key), "due": due.isoformat(), "shown": today.isoformat()},
        )


def save_risk_answers(
    *,
    consent_request: ConsentRequest,
    acknowledged: set[str],
    to_discuss: set[str],
    ip: str | None,
    finish: bool = True,
) -> list[str]:
    """Keep every tick given; return the titles of material risks still unticked.

    `finish=False` only keeps them: the step is not completed even if every risk is ticked.
    """
    with transaction.atomic():
        consent_request = _journey_request(consent_request)
        risks = consent_request.patient_content["risks"]
        _save_acknowledgements(
            consent_request, Acknowledgement.Kind.RISK, [r["key"] for r in risks], acknowledged, to_discuss
        )
        missing = [r["title"] for r in risks if r["is_material"] and r["key"] not in acknowledged]
        if not finish:
            _saved_unfinished(consent_request, "risks", ip)
        elif not missing:
            _complete_step(consent_request, Step.RISKS, ip)
    return missing


def save_preparation_answers(
    *,
    consent_request: ConsentRequest,
    acknowledged: set[str],
    answers: dict[str, str],
    ip: str | None,
    finish: bool = True,
) -> tuple[list[str], list[str]]:
    """Keep every tick and answer given; return the steps unticked and the questions unanswered.

    `finish=False` only keeps them: the step is not completed even if everything is there.
    """
    with transaction.atomic():
        consent_request = _journey_request(consent_request)
        content = consent_request.patient_content
        steps = content["preparation_steps"]
        _save_acknowledgements(
            consent_request, Acknowledgement.Kind.STEP, [s["key"] for s in steps], acknowledged, set()
        )
        _note_steps_shown_late(consent_request, content, ip)
        questions = consent_request.patient_questions(content)
        for item in questions:
            if item["key"] in answers:
                ChecklistAnswer.objects.update_or_create(
                    request=consent_request,
                    item_key=item["key"],
                    defaults={
                        "answer": answers[item["key"]],
                        "answered_at": timezone.now(),
                        "needs_attention": answers[item["key"]] != item["expected_answer"],
                    },
                )
        missing_steps = [s["instruction"] for s in steps if s["key"] not in acknowledged]
        unanswered = [item["patient_question"] for item in questions if item["key"] not in answers]
        if not finish:
            _saved_unfinished(consent_request, "preparing", ip)
        elif not missing_steps and not unanswered:
            _complete_step(consent_request, Step.PREPARING, ip)
    return missing_steps, unanswered


def answer_quiz(*, consent_request: ConsentRequest, answers: dict[str, int], ip: str | None) -> set[str]:
    """Record the answers; return the keys of questions not yet answered correctly.

    The first answer to each question is kept for ever (first-try misses are
    flagged to the nurse); later tries only update the latest answer.
    """
    with transaction.atomic():
        consent_request = _journey_request(consent_request)
        questions = consent_request.content["questions"]
        existing = {str(a.question_key): a for a in consent_request.quiz_answers.all()}
        for question in questions:
            key = question["key"]
            if key not in answers:
                continue
            choice = answers[key]
            correct = choice == question["correct_choice"]
            row = existing.get(key)
            if row is None:
                existing[key] = QuizAnswer.objects.create(
                    request=consent_request,
                    question_key=key,
                    first_choice=choice,
                    first_try_correct=correct,
                    latest_choice=choice,
                    is_correct=correct,
                )
            elif not row.is_correct or row.latest_choice != choice:
                row.latest_choice, row.is_correct, row.attempts = choice, correct, row.attempts + 1
                row.answered_at = timezone.now()
                row.save(update_fields=["latest_choice", "is_correct", "attempts", "answered_at"])
        not_yet_right = {q["key"] for q in questions if not (q["key"] in existing and existing[q["key"]].is_correct)}
        if not not_yet_right:
            _complete_step(consent_request, Step.UNDERSTANDING, ip)
    return not_yet_right


def save_questions(*, consent_request: ConsentRequest, text: str, wants_discussion: bool, ip: str | None) -> None:
    text = text.strip()
    with transaction.atomic():
        consent_request = _journey_request(consent_request)
        if text:
            PatientQuestion.objects.create(request=consent_request, text=text[: PatientQuestion.MAX_LENGTH])
            audit(
                consent_request=consent_request,
                action=AuditAction.QUESTION_ASKED,
                message="Asked the care team a question",
                actor=AuditEvent.Actor.PATIENT,
                ip=ip,
            )
        if consent_request.wants_discussion != wants_discussion:
            consent_request.wants_discussion = wants_discussion
            consent_request.save(update_fields=["wants_discussion"])
            audit(
                consent_request=consent_request,
                action=AuditAction.DISCUSSION_REQUESTED if wants_discussion else "discussion_not_needed",
                message="Would like to talk to someone before deciding"
                if wants_discussion
                else "No longer needs to talk to someone before deciding",
                actor=AuditEvent.Actor.PATIENT,
                ip=ip,
            )
        _complete_step(consent_request, Step.QUESTIONS, ip, changed=bool(text))


class AnswersIncomplete(ConsentError):
    """A page finished earlier has lost an answer (a tick taken back since): go back to it."""

    def __init__(self, message: str, *, step: Step):
        super().__init__(message)
        self.step = step


def incomplete_step(consent_request: ConsentRequest) -> Step | None:
    """The first finished page whose answers are no longer all there, e.g. a material risk unticked after the
    risks page was done (ticks are saved as they are made); None when every answer is in place."""
    content = consent_request.patient_content
    risks = consent_request.saved_acknowledgements(Acknowledgement.Kind.RISK)
    if any(
        r["is_material"] and not (risks.get(r["key"]) and risks[r["key"]].acknowledged_at) for r in content["risks"]
    ):
        return Step.RISKS
    steps = consent_request.saved_acknowledgements(Acknowledgement.Kind.STEP)
    if any(not (steps.get(s["key"]) and steps[s["key"]].acknowledged_at) for s in content["preparation_steps"]):
        return Step.PREPARING
    answered = {str(key) for key in consent_request.checklist_answers.values_list("item_key", flat=True)}
    if any(item["key"] not in answered for item in consent_request.patient_questions(content)):
        return Step.PREPARING
    return None


def confirm_review(*, consent_request: ConsentRequest, ip: str | None) -> None:
    with transaction.atomic():
        consent_request = _journey_request(consent_request)
        if consent_request.progress < Step.QUESTIONS:
            raise ConsentError(_("Please finish the earlier steps first."))
        if (step := incomplete_step(consent_request)) is not None:
            raise AnswersIncomplete(
                _("Some answers on this page are missing. Please tick or answer each one, then check your answers."),
                step=step,
            )
        consent_request.review_confirmed_at = timezone.now()
        consent_request.content_update_notice = {}
        consent_request.save(update_fields=["review_confirmed_at", "content_update_notice"])
        audit(
            consent_request=consent_request,
            action=AuditAction.REVIEW_CONFIRMED,
            message="Confirmed their answers are correct",
            actor=AuditEvent.Actor.PATIENT,
            ip=ip,
        )


# Deciding and signing -------------------------------------------------------------


def normalise_name(name: str) -> str:
    """Case, accents and spaces removed: “  José  O'Neil ” and “jose o'neil” match."""
    decomposed = unicodedata.normalize("NFKD", name)
    without_accents = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(without_accents.casefold().split())


def names_match(a: str, b: str) -> bool:
    return normalise_name(a) == normalise_name(b)


def signing_statement(*, consent_request: ConsentRequest, decision: str, signer: str) -> str:
    """The exact words signed, in the patient's language. Shown beside the button and stored verbatim."""
    # The admin's preview passes a stand-in for a request, which has only the English content.
    content = getattr(consent_request, "patient_content", None) or consent_request.content
    names = {"name": content["name"].lower(), "version": consent_request.procedure_version.number}
    with translation.override(content.get("language", Language.ENGLISH)):
        lines = [
            _("I have read the information about %(name)s (version %(version)s of the information).") % names,
            _(
                "I understand what it involves, its benefits, its risks, and the other choices, "
                "including not having it."
            ),
            _("I have had the chance to ask questions."),
        ]
        if decision == Decision.CONSENT:
            lines.append(_("I agree to have a %(name)s.") % names)
            lines.append(_("I understand that I can change my mind at any time before the procedure starts."))
        else:
            lines.append(_("I have decided not to have a %(name)s.") % names)
            lines.append(_("I understand that I can talk to the care team again if I change my mind."))
        if signer == Signer.REPRESENTATIVE:
            lines.append(_("I am signing for the patient, and I am allowed to make this decision for them."))
    return "\n".join(lines)


SIGN_DRAFT_FIELDS = (
    "signer",
    "typed_name",
    "representative_name",
    "representative_relationship",
    "interpreter_name",
    "interpreter_language",
    "drawn_signature",
)


def save_sign_draft(*, consent_request: ConsentRequest, draft: dict[str, str], ip: str | None) -> None:
    """Keep what the patient typed and drew on the sign page, so leaving it unsigned loses nothing.

    Only the sign form's fields, each cut to its length; a drawing that isn't one of ours is dropped.
    """
    kept = {name: str(draft.get(name, ""))[:200] for name in SIGN_DRAFT_FIELDS if name != "drawn_signature"}
    drawing = str(draft.get("drawn_signature", ""))
    if drawing.startswith("data:image/png;base64,") and len(drawing) <= MAX_DRAWN_SIGNATURE_LENGTH:
        kept["drawn_signature"] = drawing
    with transaction.atomic():
        consent_request = _journey_request(consent_request)
        if hasattr(consent_request, "signature") or kept == consent_request.sign_draft:
            return
        consent_request.sign_draft = kept
        consent_request.save(update_fields=["sign_draft"])
        audit(
            consent_request=consent_request,
            action=AuditAction.SIGN_DRAFT_SAVED,
            message="Sign page left unsigned; what was entered is kept",
            actor=AuditEvent.Actor.PATIENT,
            ip=ip,
        )


def new_document_id() -> str:
    return "PRC-" + secrets.token_hex(5).upper()


def sign(
    *,
    consent_request: ConsentRequest,
    decision: str,
    typed_name: str,
    signer: str,
    representative_name: str = "",
    representative_relationship: str = "",
    interpreter_name: str = "",
    interpreter_language: str = "",
    drawn_signature: str = "",
    ip: str | None,
    user_agent: str = "",
) -> Signature:
    """Record the patient's signed decision (consent or decline) in one transaction.

    Submitting twice (double click, back button, two tabs) returns the
    signature already made instead of making another.
    """
    if decision not in (Decision.CONSENT, Decision.DECLINE):
        raise ConsentError(_("Choose whether you agree to the procedure or not."))
    if drawn_signature and (
        not drawn_signature.startswith("data:image/png;base64,") or len(drawn_signature) > MAX_DRAWN_SIGNATURE_LENGTH
    ):
        # A signed record can never be corrected, so refuse rather than store something the PDF can't show.
        raise ConsentError(
            _("The drawn signature couldn't be read. Clear the drawing and try again, or just type your name.")
        )
    with transaction.atomic():
        consent_request = lock_request(consent_request)
        existing = Signature.objects.filter(request=consent_request).first()
        if existing:
            return existing
        transition = Transition.SIGN if decision == Decision.CONSENT else Transition.DECLINE
        if not consent_request.link_is_usable or not state.allows(transition, consent_request.status):
            raise ConsentError(_("This link can no longer be used to sign. Please call the clinic."))
        if (
            consent_request.progress < Step.QUESTIONS
            or not consent_request.review_confirmed_at
            or incomplete_step(consent_request)
        ):
            raise ConsentError(_("Please check your answers on the review page before you sign."))
        expected = consent_request.patient.full_name if signer == Signer.PATIENT else representative_name
        if not names_match(typed_name, expected):
            raise NameMismatch(_("The name you typed doesn't match. Type the full name exactly as on the record."))
        signature = Signature.objects.create(
            request=consent_request,
            document_id=new_document_id(),
            decision=decision,
            typed_name=" ".join(typed_name.split()),
            drawn_signature=drawn_signature,
            signer=signer,
            representative_name=representative_name.strip() if signer == Signer.REPRESENTATIVE else "",
            representative_relationship=representative_relationship.strip() if signer == Signer.REPRESENTATIVE else "",
            interpreter_name=interpreter_name.strip(),
            interpreter_language=interpreter_language.strip(),
            statement=signing_statement(consent_request=consent_request, decision=decision, signer=signer),
            procedure_version=consent_request.procedure_version,
            language=consent_request.patient_content["language"],
            ip_address=ip,
            user_agent="".join(ch for ch in user_agent if ch.isprintable())[:500],
        )
        state.move(consent_request, transition)
        consent_request.progress = Step.DECIDE
        consent_request.decided_at = signature.signed_at
        consent_request.sign_draft = {}  # the signature holds what was signed; the draft is done with
        consent_request.save(update_fields=["status", "progress", "decided_at", "sign_draft"])
        audit(
            consent_request=consent_request,
            action=AuditAction.SIGNED if decision == Decision.CONSENT else "declined",
            message=(
                f"Signed consent (document {signature.document_id})"
                if decision == Decision.CONSENT
                else f"Signed a decision not to have the procedure (document {signature.document_id})"
            ),
            actor=AuditEvent.Actor.PATIENT,
            ip=ip,
            # The row's digest, sealed into the audit chain: `verify_records` finds a later change to the row.
            detail={
                "document_id": signature.document_id,
                "signer": signer,
                SIGNATURE_DIGEST_KEY: signature_digest(signature),
            },
            at=signature.signed_at,
        )
        # Only once the signature is committed, so whoever renders the record always finds it; if a
        # receiver fails, the signature still stands and the PDF stays pending (robust: logged, not raised).
        transaction.on_commit(lambda: signals.consent_signed.send(sender=Signature, signature=signature), robust=True)
    return signature


def need_to_talk(*, consent_request: ConsentRequest, ip: str | None) -> ConsentRequest:
    """The patient wants to talk to someone before deciding."""
    with transaction.atomic():
        consent_request = _journey_request(consent_request)
        state.move(consent_request, Transition.ASK_TO_TALK)
        consent_request.wants_discussion = True
        consent_request.save(update_fields=["status", "wants_discussion"])
        audit(
            consent_request=consent_request,
            action=AuditAction.NEEDS_DISCUSSION,
            message="Chose to talk to someone before deciding",
            actor=AuditEvent.Actor.PATIENT,
            ip=ip,
        )
    return consent_request


def withdraw_consent(*, consent_request: ConsentRequest, reason: str, ip: str | None) -> ConsentRequest:
    """Before the appointment the patient can withdraw a signed consent. The signed PDF stays."""
    with transaction.atomic():
        consent_request = lock_request(consent_request)
        if state.already_done(Transition.WITHDRAW, consent_request.status):
            return consent_request
        if not state.allows(Transition.WITHDRAW, consent_request.status):
            raise ConsentError(_("There is no signed consent to withdraw."))
        if consent_request.is_recorded_by_staff:  # taken on paper or in person: changed with the clinic
            raise ConsentError(
                _("Your consent was recorded by the clinic, so it can't be withdrawn here. Please call the clinic.")
            )
        if timezone.now() >= consent_request.appointment_at:
            raise ConsentError(
                _("Your appointment time has passed, so consent can't be withdrawn here. Please call the clinic.")
            )
        state.move(consent_request, Transition.WITHDRAW)
        consent_request.withdrawn_at = timezone.now()
        consent_request.withdrawal_reason = reason.strip()[:1000]
        consent_request.save(update_fields=["status", "withdrawn_at", "withdrawal_reason"])
        audit(
            consent_request=consent_request,
            action=AuditAction.WITHDRAWN,
            message="Withdrew consent",
            actor=AuditEvent.Actor.PATIENT,
            ip=ip,
        )
        # The withdrawal gets its own sealed record once it is committed (the consent record never changes).
        transaction.on_commit(
            lambda: signals.consent_withdrawn.send(sender=ConsentRequest, consent_request=consent_request), robust=True
        )
    return consent_request


# The nurse's side ------------------------------------------------------------------


PATIENT_CORRECTABLE = ("full_name", "date_of_birth", "email", "phone", "preferred_language", "could_be_pregnant")


def correct_details(
    *,
    consent_request: ConsentRequest,
    patient_fields: dict,
    appointment_at: datetime.datetime,
    clinician: str,
    reason: str,
    user: AbstractBaseUser | None,
    ip: str | None = None,
    actor: str | None = None,
    only_if_undecided: bool = False,
) -> list[str]:
    """Correct the patient's details and this request's appointment; returns the labels of what changed.

    `only_if_undecided` (a scheduling system moving an appointment): refused once the patient has
    decided, checked under the request's lock, so a decision made in the same instant is never moved.

    The reason is required. Old and new values go in the audit event's detail (staff-only, never its
    message). A new date of birth clears every open link's count of wrong dates (and unlocks a link
    locked by them); a new appointment moves the link's expiry. Nothing signed is re-rendered: the
    sealed record keeps what was true when it was signed.
    """
    reason = reason.strip()
    if not reason:
        raise ConsentError("Say why the details are corrected, for the record.")
    with transaction.atomic():
        consent_request = lock_request(consent_request)
        if consent_request.status == Status.CANCELLED:
            raise ConsentError("This request is cancelled: its details can't be changed.")
        if only_if_undecided and consent_request.is_finished:
            raise ConsentError(
                f"This request is {consent_request.get_status_display().lower()}, so its appointment can't be moved "
                "here. For a new appointment after a decision, create a new request."
            )
        patient = Patient.objects.select_for_update().get(pk=consent_request.patient_id)
        changes: dict[str, list] = {}
        for name in PATIENT_CORRECTABLE:
            new = patient_fields.get(name, getattr(patient, name))
            if name == "full_name":
                new = " ".join(str(new).split())
            if new != getattr(patient, name):
                changes[name] = [str(getattr(patient, name)), str(new)]
                setattr(patient, name, new)
        clinician = " ".join(clinician.split())
        # To the minute: the form gives hours and minutes, the stored time may carry seconds.
        if appointment_at.replace(second=0, microsecond=0) != consent_request.appointment_at.replace(
            second=0, microsecond=0
        ):
            if appointment_at <= timezone.now():
                raise ConsentError("The new appointment must be in the future. Check the date and the time.")
            changes["appointment_at"] = [consent_request.appointment_at.isoformat(), appointment_at.isoformat()]
        if clinician and clinician != consent_request.clinician:
            changes["clinician"] = [consent_request.clinician, clinician]
        if not changes:
            raise ConsentError("Nothing was changed. Change a detail, or go back to the request.")
        if any(name in changes for name in PATIENT_CORRECTABLE):
            patient.save()
        if "date_of_birth" in changes:
            for open_request in patient.requests.select_for_update().filter(status__in=state.OPEN | {Status.LOCKED}):
                had_failures = open_request.failed_identity_attempts
                open_request.failed_identity_attempts = 0
                unlocked = state.move(open_request, Transition.UNLOCK)
                open_request.save(update_fields=["failed_identity_attempts", "status"])
                if open_request.pk != consent_request.pk and (had_failures or unlocked):
                    # Each request whose link changed says so in its own trail, not only the one corrected.
                    audit(
                        consent_request=open_request,
                        action=AuditAction.DETAILS_CORRECTED,
                        message="The patient's date of birth was corrected on another request"
                        + ("; the locked link works again" if unlocked else "; the count of wrong dates was cleared"),
                        user=user,
                        actor=actor,
                        ip=ip,
                        detail={"corrected_on": str(consent_request.public_id)},
                    )
        if "appointment_at" in changes:
            consent_request.appointment_at = appointment_at
            consent_request.expires_at = link_expiry(appointment_at)
        if "clinician" in changes:
            consent_request.clinician = clinician
        consent_request.save(update_fields=["appointment_at", "expires_at", "clinician"])
        labels = [CORRECTION_LABELS[name] for name in changes]
        audit(
            consent_request=consent_request,
            action=AuditAction.DETAILS_CORRECTED,
            message=f"Corrected {', '.join(labels)}",
            user=user,
            actor=actor,
            ip=ip,
            detail={"changes": changes, "reason": reason[:500], "after_signing": hasattr(consent_request, "signature")},
        )
    return labels


CORRECTION_LABELS = {
    "full_name": "name",
    "date_of_birth": "date of birth",
    "email": "email",
    "phone": "phone",
    "preferred_language": "preferred language",
    "could_be_pregnant": "could be pregnant",
    "appointment_at": "appointment",
    "clinician": "clinician",
}


def assign_request(
    *, consent_request: ConsentRequest, assignee: AbstractBaseUser | None, user: AbstractBaseUser, ip: str | None = None
) -> ConsentRequest:
    """Give the request to a nurse to look after (None: to nobody)."""
    can_look_after = assignee is None or (
        assignee.is_active and (assignee.is_superuser or assignee.groups.filter(name=NURSES).exists())
    )
    if not can_look_after:
        raise ConsentError("Choose a nurse from the list: that account can't look after requests.")
    with transaction.atomic():
        consent_request = lock_request(consent_request)
        if consent_request.assigned_to_id == (assignee.pk if assignee else None):
            return consent_request
        consent_request.assigned_to = assignee
        consent_request.save(update_fields=["assigned_to"])
        audit(
            consent_request=consent_request,
            action=AuditAction.ASSIGNED,
            message="Assigned to a nurse" if assignee else "No longer assigned to a nurse",
            user=user,
            ip=ip,
            detail={"assignee": assignee.pk if assignee else None},
        )
    return consent_request


def add_case_note(
    *, consent_request: ConsentRequest, text: str, user: AbstractBaseUser, ip: str | None = None
) -> CaseNote:
    """A nurse's note on the case (kept as written; the audit says only that one was added)."""
    text = text.strip()
    if not text:
        raise ConsentError("Write the note first.")
    with transaction.atomic():
        consent_request = lock_request(consent_request)
        note = CaseNote.objects.create(request=consent_request, text=text[:2000], written_by=user)
        audit(
            consent_request=consent_request,
            action=AuditAction.NOTE_ADDED,
            message="Added a case note",
            user=user,
            ip=ip,
            detail={"note": note.pk},
        )
    return note


def answer_patient_question(
    *, question: PatientQuestion, reply_note: str, user: AbstractBaseUser, ip: str | None = None
) -> PatientQuestion:
    """Mark a patient's question as answered, with a note of the reply."""
    reply_note = reply_note.strip()
    if not reply_note:
        raise ConsentError("Write a short note of how the question was answered (for example, “Phoned, explained”).")
    with transaction.atomic():
        lock_request(question.request)
        question = PatientQuestion.objects.select_for_update().get(pk=question.pk)
        if question.answered_at:
            raise ConsentError("This question has already been marked as answered.")
        question.answered_at, question.answered_by, question.reply_note = timezone.now(), user, reply_note[:2000]
        question.save(update_fields=["answered_at", "answered_by", "reply_note"])
        audit(
            consent_request=question.request,
            action=AuditAction.QUESTION_ANSWERED,
            message="Marked a patient question as answered",
            user=user,
            ip=ip,
            detail={"question": question.pk},
        )
    return question


def checklist_items(consent_request: ConsentRequest) -> dict[str, dict]:
    return {item["key"]: item for item in consent_request.content["checklist_items"]}


def latest_checklist_entries(consent_request: ConsentRequest) -> dict[str, ChecklistEntry]:
    """Each item's current entry (its latest), by item key."""
    latest: dict[str, ChecklistEntry] = {}
    for entry in consent_request.checklist_entries.select_related("recorded_by").order_by("recorded_at", "id"):
        latest[str(entry.item_key)] = entry
    return latest


def _is_complete(entry: ChecklistEntry | None) -> bool:
    return entry is not None and entry.state in (ChecklistState.DONE, ChecklistState.NOT_APPLICABLE)


def open_required_items(consent_request: ConsentRequest) -> list[str]:
    """The text of every required item that is not done or not applicable."""
    latest = latest_checklist_entries(consent_request)
    return [
        item["text"]
        for key, item in checklist_items(consent_request).items()
        if item["required"] and not _is_complete(latest.get(key))
    ]


class ChecklistContradiction(ConsentError):
    """The mark goes against the patient's own answer, or a question still waits: it needs a reason."""


def contradicting_marks(item: dict, *, answer_needs_attention: bool, question_waits: bool) -> set[str]:
    """The marks on `item` that would go against the patient: "not applicable" where their answer needs
    follow-up, "done" on consent while a question of theirs waits. The page offers the "why" box for
    these; `checklist_contradiction` refuses them without one."""
    marks = set()
    if item["patient_question"] and answer_needs_attention:
        marks.add(ChecklistState.NOT_APPLICABLE)
    if item["category"] == "consent" and question_waits:
        marks.add(ChecklistState.DONE)
    return marks


def checklist_contradiction(consent_request: ConsentRequest, item: dict, state: str) -> str:
    """What a mark would go against, in plain words; "" when nothing."""
    answer = consent_request.checklist_answers.filter(item_key=item["key"], needs_attention=True).first()
    question_waits = consent_request.questions.filter(answered_at__isnull=True).exists()
    if state not in contradicting_marks(item, answer_needs_attention=answer is not None, question_waits=question_waits):
        return ""
    if state == ChecklistState.NOT_APPLICABLE:
        return f"The patient answered “{answer.get_answer_display()}” to “{item['patient_question']}”."
    return "A question from the patient is still waiting for an answer."


def record_checklist_entry(
    *,
    consent_request: ConsentRequest,
    item_key: str,
    state: str,
    note: str = "",
    user: AbstractBaseUser,
    ip: str | None = None,
    override_reason: str = "",
) -> ChecklistEntry:
    """Record a nurse's mark on one item. After sign-off it is a correction of the current entry.

    A mark that goes against the patient's own answer ("not applicable" to a blood thinner they said
    they take), or "done" on consent while their question waits, needs `override_reason`.
    """
    note, override_reason = note.strip(), override_reason.strip()
    with transaction.atomic():
        consent_request = lock_request(consent_request)
        if consent_request.status in CHECKLIST_CLOSED:  # (`state` here is the mark)
            raise ConsentError(
                f"This request is {consent_request.get_status_display().lower()}, so its checklist is closed."
            )
        item = checklist_items(consent_request).get(str(item_key))
        if item is None:
            raise ConsentError("That checklist item isn't part of this procedure. Reload the page and try again.")
        if state not in ChecklistState.values:
            raise ConsentError("Choose done, not applicable or problem.")
        if state == ChecklistState.NOT_APPLICABLE and not item["allow_not_applicable"]:
            raise ConsentError(f"“{item['text']}” can't be marked not applicable: mark it done, or record a problem.")
        if state == ChecklistState.NOT_APPLICABLE and not note:
            raise ConsentError(f"Say why “{item['text']}” is not applicable.")
        if state == ChecklistState.PROBLEM and not note:
            raise ConsentError(f"Describe the problem with “{item['text']}”.")
        contradiction = checklist_contradiction(consent_request, item, state)
        if contradiction and not override_reason:
            raise ChecklistContradiction(
                f"{contradiction} To record “{item['text']}” as {ChecklistState(state).label.lower()} anyway, "
                "say why in “Why, if this goes against the patient's answer”."
            )
        latest = latest_checklist_entries(consent_request)
        current = latest.get(str(item_key))
        signed_off = hasattr(consent_request, "checklist_sign_off")
        if current and current.state == state and current.note == note:
            return current
        entry = ChecklistEntry.objects.create(
            request=consent_request,
            item_key=item_key,
            state=state,
            note=note[:2000],
            override_reason=override_reason[:2000] if contradiction else "",
            corrects=current if signed_off else None,
            recorded_by=user,
        )
        latest[str(item_key)] = entry
        consent_request.checklist_complete = sum(
            _is_complete(latest.get(key)) for key in checklist_items(consent_request)
        )
        consent_request.save(update_fields=["checklist_complete"])
        label = ChecklistState(state).label.lower()
        # The item's wording names it in the timeline (it is the clinic's text, nothing about the patient).
        item_text = item["text"]
        item_text = item_text if len(item_text) <= 140 else item_text[:139] + "…"
        audit(
            consent_request=consent_request,
            action=AuditAction.CHECKLIST_CORRECTED if signed_off else "checklist_marked",
            message=f"{'Corrected' if signed_off else 'Marked'} “{item_text}” as {label}",
            user=user,
            ip=ip,
            detail={"item": str(item_key), "state": state, "entry": entry.pk},
        )
    return entry


class ChecklistMark(NamedTuple):
    """One item's mark as the nurse sent it with the others."""

    item_key: str
    state: str
    note: str = ""
    override_reason: str = ""


class ChecklistMarksRefused(ConsentError):
    """Some marks sent together can't be recorded, so none were. `refusals` maps each item key to why."""

    def __init__(self, refusals: dict[str, ConsentError]):
        self.refusals = refusals
        super().__init__(" ".join(dict.fromkeys(str(error) for error in refusals.values())))


def record_checklist_marks(
    *, consent_request: ConsentRequest, marks: Iterable[ChecklistMark], user: AbstractBaseUser, ip: str | None = None
) -> list[ChecklistEntry]:
    """Record every mark the nurse saved at once, each as `record_checklist_entry` would, or none of them.

    All or nothing, so the checklist never holds half of what the nurse meant: every refusal is
    collected (not just the first) and raised together, and the page shows each beside its item.
    """
    entries, refusals = [], {}
    with transaction.atomic():
        for mark in marks:
            try:
                with transaction.atomic():
                    entries.append(
                        record_checklist_entry(consent_request=consent_request, user=user, ip=ip, **mark._asdict())
                    )
            except ConsentError as error:
                refusals[str(mark.item_key)] = error
        if refusals:
            raise ChecklistMarksRefused(refusals)
    return entries


def require_password(
    *,
    user: AbstractBaseUser,
    password: str,
    consent_request: ConsentRequest,
    refused: str,
    ip: str | None,
    error: type[ConsentError] = ConsentError,
) -> None:
    """Re-authentication before a member of staff signs something: their password, typed again. A wrong
    one is refused (`error`) and audited on the request as `refused`, before anything else is looked at."""
    if user.check_password(password):
        return
    label = AuditAction(refused).label
    audit(consent_request=consent_request, action=refused, message=f"{label}: wrong password", user=user, ip=ip)
    raise error("That password isn't right. Enter the password you sign in with.")


def sign_off_checklist(
    *, consent_request: ConsentRequest, user: AbstractBaseUser, password: str, ip: str | None = None
) -> ChecklistSignOff:
    """Sign the checklist off, after the nurse re-enters their password.

    Every required item must be done or not applicable; the message names those that aren't.
    """
    require_password(
        user=user, password=password, consent_request=consent_request, refused=AuditAction.SIGN_OFF_REFUSED, ip=ip
    )
    with transaction.atomic():
        consent_request = lock_request(consent_request)
        if hasattr(consent_request, "checklist_sign_off"):
            raise ConsentError("This checklist has already been signed off. Record a correction instead.")
        if consent_request.status in (Status.CANCELLED, Status.EXPIRED):
            raise ConsentError(
                f"This request is {consent_request.get_status_display().lower()}; its checklist can't be signed off."
            )
        open_items = open_required_items(consent_request)
        if open_items:
            raise ConsentError("These required items are not done yet: " + "; ".join(open_items) + ".")
        sign_off = ChecklistSignOff.objects.create(request=consent_request, signed_off_by=user)
        audit(
            consent_request=consent_request,
            action=AuditAction.CHECKLIST_SIGNED_OFF,
            message="Checklist signed off",
            user=user,
            ip=ip,
        )
        transaction.on_commit(
            lambda: signals.checklist_signed_off.send(sender=ConsentRequest, consent_request=consent_request),
            robust=True,
        )
    return sign_off


@dataclass(frozen=True)
class OpenMatter:
    """Something still open that the nurse must acknowledge before confirming consent on the day."""

    key: str
    text: str


def open_matters(consent_request: ConsentRequest, summary: dict | None = None) -> list[OpenMatter]:
    """Everything the patient raised or the checklist found that is still open, in plain words: the
    case page's "Needs attention" and what the day-of confirmation asks to be ticked.
    `summary` is the request's `answers_summary()`, if the caller has it already."""
    content = consent_request.content
    summary = summary or consent_request.answers_summary()
    latest = latest_checklist_entries(consent_request)
    matters = [
        OpenMatter(f"question:{q.pk}", f"Unanswered question: “{q.text[:200]}”")
        for q in summary["asked"]
        if not q.answered_at
    ]
    if consent_request.wants_discussion:
        matters.append(OpenMatter("discussion", "The patient asked to talk to someone before deciding."))
    for entry in summary["risks"]:
        if entry["row"] and entry["row"].wants_to_discuss:
            matters.append(
                OpenMatter(f"risk:{entry['risk']['key']}", f"Wants to talk about the risk: {entry['risk']['title']}")
            )
    for entry in summary["quiz"]:
        if entry["answer"] and not entry["answer"].first_try_correct:
            matters.append(
                OpenMatter(
                    f"quiz:{entry['question']['key']}", f"Got this wrong at first: “{entry['question']['question']}”"
                )
            )
    for entry in summary["answers"]:
        if entry["answer"] and entry["answer"].needs_attention:
            matters.append(
                OpenMatter(
                    f"answer:{entry['item']['key']}",
                    f"Patient said “{entry['answer'].get_answer_display()}” to: {entry['item']['patient_question']} "
                    f"(checklist: {entry['item']['text']})",
                )
            )
    for item in content["checklist_items"]:
        current = latest.get(item["key"])
        if current and current.state == ChecklistState.PROBLEM:
            matters.append(OpenMatter(f"problem:{item['key']}", f"Checklist problem: {item['text']} — {current.note}"))
    return matters


def confirm_on_the_day(
    *, consent_request: ConsentRequest, user: AbstractBaseUser, ip: str | None = None, acknowledged: Iterable[str] = ()
) -> ConsentRequest:
    """The nurse confirms, on the day, that the patient still consents.

    Only on the appointment's day (clinic time; `PROCEED_CONFIRM_DAYS_BEFORE` earlier), and only once
    every open matter (`open_matters`) has been acknowledged by its key.
    """
    with transaction.atomic():
        consent_request = lock_request(consent_request)
        if state.already_done(Transition.CONFIRM, consent_request.status):
            return consent_request
        if not state.allows(Transition.CONFIRM, consent_request.status):
            raise ConsentError(
                f"This request is {consent_request.get_status_display().lower()}, not consented: "
                "consent can only be confirmed once the patient has signed."
            )
        if not hasattr(consent_request, "checklist_sign_off"):
            raise ConsentError("Sign off the checklist before confirming consent.")
        if consent_request.confirmation_awaits_countersignature:  # PROCEED_REQUIRE_COUNTERSIGNATURE
            raise ConsentError(
                "Awaiting the clinician's countersignature. The clinician who obtained consent countersigns it "
                "(the clinician's statement, on the request's page) before consent is confirmed on the day."
            )
        open_items = open_required_items(consent_request)
        if open_items:
            # A correction after sign-off can reopen an item.
            raise ConsentError("A correction has reopened required items: " + "; ".join(open_items) + ".")
        if not consent_request.is_confirmation_day:
            day = timezone.localdate(consent_request.appointment_at)
            raise ConsentError(
                f"Consent is confirmed with the patient on the day of the appointment ({day:%A %-d %B %Y}), "
                "not before or after it."
            )
        unacknowledged = [m.text for m in open_matters(consent_request) if m.key not in set(acknowledged)]
        if unacknowledged:
            raise ConsentError(
                "Tick each open matter to show you have dealt with it before confirming: " + " ".join(unacknowledged)
            )
        state.move(consent_request, Transition.CONFIRM)
        consent_request.confirmed_at, consent_request.confirmed_by = timezone.now(), user
        consent_request.save(update_fields=["status", "confirmed_at", "confirmed_by"])
        audit(
            consent_request=consent_request,
            action=AuditAction.CONFIRMED,
            message="Consent confirmed with the patient on the day",
            user=user,
            ip=ip,
        )
        transaction.on_commit(
            lambda: signals.consent_confirmed.send(sender=ConsentRequest, consent_request=consent_request), robust=True
        )
    return consent_request


# Publishing content that patients are reading --------------------------------------

# A material change moves unsigned requests onto the new version (`Transition.MOVE_TO_VERSION`), and
# flags consented ones for the nurse: the patient agreed to an earlier version.


@dataclass(frozen=True)
class PublishResult:
    version: ProcedureVersion
    moved: int
    flagged: int


def update_untouched_samples(ip=None) -> list[PublishResult]:
    """Bring each sample procedure no one has made their own up to the shipped sample, as a material change.

    How an installation receives corrected sample content: `procedures.services.prepare_sample_update`
    decides which are untouched and puts the shipped content on them; publishing it here moves unsigned
    requests to it and flags signed ones, as any material change does.
    """
    results = []
    for data in sample_content.SAMPLE_PROCEDURES:
        procedure = Procedure.objects.filter(slug=data["slug"]).first()
        if procedure is None:
            continue
        with transaction.atomic():
            procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
            if prepare_sample_update(procedure, data):
                results.append(
                    publish_content(
                        procedure=procedure, user=None, change_summary=SAMPLE_UPDATE_SUMMARY, is_material=True, ip=ip
                    )
                )
    return results


def publish_content(
    *,
    procedure: Procedure,
    user: AbstractBaseUser | None,
    change_summary: str,
    is_material: bool,
    material_override_by: AbstractBaseUser | None = None,
    material_override_reason: str = "",
    ip=None,
) -> PublishResult:
    """Publish the working copy; if the change is material, apply it to patients' requests.

    Material: requests not yet signed move to the new version, keeping every
    answer about unchanged content; signed ones keep their version and PDF and
    are flagged for the nurse. Not material: only new requests use it.
    """
    with transaction.atomic():
        version = publish_procedure(
            procedure=procedure,
            published_by=user,
            change_summary=change_summary,
            is_material=is_material,
            material_override_by=material_override_by,
            material_override_reason=material_override_reason,
        )
        audit(
            consent_request=None,
            action=AuditAction.CONTENT_PUBLISHED,
            message=f"Published version {version.number} of procedure {procedure.pk}"
            + (" (material)" if is_material else "")
            + (", approved as not material by a second content admin" if material_override_by else ""),
            user=user,
            ip=ip,
            detail={
                "procedure": procedure.pk,
                "version": version.number,
                "material": is_material,
                "approved_by": material_override_by.pk if material_override_by else None,
            },
        )
        moved = flagged = 0
        if is_material:
            earlier = ConsentRequest.objects.filter(procedure_version__procedure=procedure).exclude(
                procedure_version=version
            )
            # Lock every affected request up front, in one order, before writing any audit event:
            # locking them one by one between audit writes could deadlock with a patient signing.
            list(earlier.select_for_update().order_by("pk").values_list("pk", flat=True))
            for consent_request in earlier.filter(status__in=state.where(Transition.MOVE_TO_VERSION)):
                _move_to_version(consent_request, version, user=user, ip=ip)
                moved += 1
            for consent_request in earlier.filter(status__in=state.CONSENTED, content_changed_at__isnull=True):
                consent_request = lock_request(consent_request)
                consent_request.content_changed_at = timezone.now()
                consent_request.save(update_fields=["content_changed_at"])
                audit(
                    consent_request=consent_request,
                    action=AuditAction.CONTENT_CHANGED_SINCE_SIGNING,
                    message=f"Version {version.number} of the information changed materially after signing",
                    user=user,
                    ip=ip,
                )
                flagged += 1
    return PublishResult(version=version, moved=moved, flagged=flagged)


def request_reconsent(
    *, consent_request: ConsentRequest, user: AbstractBaseUser, ip: str | None = None
) -> tuple[ConsentRequest, str]:
    """A new request on the current version for a patient who signed an earlier, materially changed one."""
    if not consent_request.needs_reconsent:
        raise ConsentError("Only a signed request whose information has since changed materially needs re-consent.")
    if consent_request.replaced_by.filter(status__in=state.OPEN).exists():
        raise ConsentError(
            "A re-consent request for this is already open. Open it from this request to see where it is, or "
            "reissue its link if the patient has lost it."
        )
    with transaction.atomic():
        new_request, token = create_consent_request(
            patient=consent_request.patient,
            procedure=consent_request.procedure_version.procedure,
            appointment_at=consent_request.appointment_at,
            clinician=consent_request.clinician,
            created_by=user,
            ip=ip,
        )
        new_request.replaces = consent_request
        new_request.save(update_fields=["replaces"])
        audit(
            consent_request=consent_request,
            action=AuditAction.RECONSENT_REQUESTED,
            message=f"Re-consent requested on version {new_request.procedure_version.number} of the information",
            user=user,
            ip=ip,
            detail={"new_request": str(new_request.public_id)},
        )
    return new_request, token


def _move_to_version(consent_request: ConsentRequest, version: ProcedureVersion, *, user, ip) -> None:
    """Put an unsigned request on a new version, resetting only what refers to changed content."""
    consent_request = lock_request(consent_request)
    old_version = consent_request.procedure_version
    diff = content_diff(old_version.content, version.content)
    changed = {
        section: diff.changed_keys(section)
        for section in ("risks", "preparation_steps", "checklist_items", "questions")
    }
    consent_request.acknowledgements.filter(kind=Acknowledgement.Kind.RISK, item_key__in=changed["risks"]).delete()
    consent_request.acknowledgements.filter(
        kind=Acknowledgement.Kind.STEP, item_key__in=changed["preparation_steps"]
    ).delete()
    consent_request.checklist_answers.filter(item_key__in=changed["checklist_items"]).delete()
    consent_request.quiz_answers.filter(question_key__in=changed["questions"]).delete()

    # Send the patient back to the first step whose content changed.
    touched = {item.section for item in diff.items}
    first_changed = min(
        [Step.ABOUT] * bool(diff.procedure_fields)
        + [Step.RISKS] * ("risks" in touched)
        + [Step.PREPARING] * bool({"preparation_steps", "checklist_items"} & touched)
        + [Step.UNDERSTANDING] * ("questions" in touched),
        default=Step.DECIDE,
    )
    if consent_request.progress >= first_changed:
        consent_request.progress = max(first_changed - 1, Step.IDENTITY)

    consent_request.procedure_version = version
    language_dropped = consent_request.language not in available_languages(version.content)
    if language_dropped:
        # The new version lacks the patient's language: English rather than a page in two languages.
        consent_request.language = Language.ENGLISH
    consent_request.review_confirmed_at = None
    consent_request.checklist_total = len(version.content["checklist_items"])
    latest = latest_checklist_entries(consent_request)
    consent_request.checklist_complete = sum(_is_complete(latest.get(key)) for key in checklist_items(consent_request))
    consent_request.content_update_notice = {
        "from": old_version.number,
        "to": version.number,
        "summary": version.change_summary,
        "changes": [change.label for change in diff.procedure_fields] + [item.label for item in diff.items],
    }
    consent_request.save(
        update_fields=[
            "procedure_version",
            "progress",
            "review_confirmed_at",
            "checklist_total",
            "checklist_complete",
            "content_update_notice",
            "language",
        ]
    )
    audit(
        consent_request=consent_request,
        action=AuditAction.MOVED_TO_NEW_VERSION,
        message=f"Moved from version {old_version.number} to version {version.number} of the information "
        f"(material change); answers about changed content were reset"
        + ("; the new version is not in the patient's language, so they now read it in English" * language_dropped),
        user=user,
        ip=ip,
        detail={"from": old_version.number, "to": version.number, "reset": {k: len(v) for k, v in changed.items()}},
    )
