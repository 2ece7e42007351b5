"""Seed fake patients and consent requests in every status, for demos and benchmarks.

Fast on purpose (20,000 requests in well under a minute on SQLite): rows are
written with `bulk_create` with the values the services would have left,
rather than walked through the services one by one. What each status implies
is kept consistent: a signed request has a signature with the exact statement,
a confirmed one a signed-off checklist, a locked one five failed identity
checks, and `checklist_complete` counts the checklist entries written.

Signed PDFs are not rendered (that takes over half a second each): every
seeded signature starts with its PDF pending, as after a failed render. Pass
`--render-pdfs` to render all but one in twenty (slow; for demos), or run
`manage.py render_pending_documents`.

The patients are fake but look real, so this refuses to run unless DEBUG is on
or `--force` is given.
"""

from __future__ import annotations

import datetime
import random
import secrets
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from consent import services, state
from consent.audit import lock_audit_chain
from consent.integrity import SIGNATURE_DIGEST_KEY, signature_digest
from consent.models import (
    Acknowledgement,
    AuditEvent,
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
    normalise_question,
    searchable,
)
from procedures.models import PatientAnswer, ProcedureVersion
from procedures.sample_content import SAMPLE_PROCEDURES
from procedures.services import load_sample_procedures
from records import documents

MRN_PREFIX = "SEED-"
SEED_NURSE_USERNAME = "seed-nurse"
BATCH_SIZE = 500
CHUNK_SIZE = 2000  # requests made and written at a time
LEFT_PENDING_ONE_IN = 20  # with --render-pdfs
PATIENT_HOURS = (7, 22)  # local hours people do things in, mostly
NURSE_HOURS = (8, 18)

# fmt: off
FIRST_NAMES = [
    "Margaret", "John", "Aisha", "David", "Siobhán", "Peter", "Mei", "Robert", "Fatima", "James",
    "Olga", "Thomas", "Priya", "William", "Grace", "Kwame", "Elizabeth", "Tomasz", "Ruth", "Ahmed",
    "Susan", "Hamish", "Yusuf", "Patricia", "Chinedu", "Barbara", "Dylan", "Zoë", "George", "Nadia",
    "Brian", "Irene", "Rajesh", "Eileen", "Samuel", "Agnieszka", "Michael", "Hannah", "Oluwaseun", "Doreen",
]
SPANISH_FIRST_NAMES = ["José", "María", "Carmen", "Javier", "Lucía", "Alejandro", "Rosa", "Andrés"]
LAST_NAMES = [
    "Smith", "Jones", "Patel", "Williams", "O'Neill", "Nguyen", "Okafor", "Kowalski", "Brown", "Taylor",
    "Khan", "Evans", "Murphy", "Chen", "Davies", "Mensah", "Wilson", "Hughes", "Ali", "Campbell",
    "Thompson", "Singh", "MacDonald", "Roberts", "Novak", "Walker", "Ahmed", "Edwards", "Lewis", "Green",
    "Van der Berg", "Morris", "Achterberg", "Fitzgerald-Hale", "Ibrahim", "Cooper", "Rossi", "Hall",
]
SPANISH_LAST_NAMES = ["García", "Fernández", "López", "Martínez", "Rodríguez", "Sánchez", "Pérez", "Gómez"]
CLINICIANS = ["Dr Priya Shah", "Dr Tom Evans", "Dr Amara Nwosu", "Mr Daniel Fraser", "Dr Helen Wu", "Ms Kate Byrne"]
RELATIONSHIPS = ["Daughter", "Son", "Wife", "Husband", "Partner", "Legal guardian"]
USER_AGENTS = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPad; CPU OS 16_7 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36",
]
PATIENT_QUESTIONS = [
    "Can I drive myself home afterwards?",
    "How long will I need off work?",
    "Do I need to stop my aspirin before the procedure?",
    "Can my daughter come in with me?",
    "Will it hurt? I am quite nervous about needles.",
    "Can I eat breakfast on the morning of the procedure?",
    "How soon will I get the results?",
    "I have a cold at the moment. Is that a problem?",
    "Is there parking at the clinic?",
    "Can I take my usual painkillers the night before?",
]
REPLY_NOTES = [
    "Phoned, explained.", "Phoned and answered; patient happy.", "Answered by email.", "Discussed in clinic.",
]
PROBLEM_NOTES = ["Patient unsure; checking with GP.", "Result not back yet.", "Needs confirming on the day."]
NOT_APPLICABLE_NOTE = "Not applicable for this patient."
WITHDRAWAL_REASONS = [
    "I have changed my mind.", "I would like more time to think.", "I am having it done elsewhere.", "",
]

# How often each status occurs, by when the appointment is. Requests far ahead
# are mostly still waiting for the patient; those in the past mostly confirmed.
WEIGHTS_FAR_AHEAD = {
    Status.CREATED: 10, Status.INVITED: 32, Status.OPENED: 7, Status.IN_PROGRESS: 14, Status.SIGNED: 22,
    Status.DECLINED: 2, Status.NEEDS_DISCUSSION: 5, Status.WITHDRAWN: 1, Status.LOCKED: 2, Status.CANCELLED: 3,
}
WEIGHTS_NEAR_AHEAD = {
    Status.CREATED: 3, Status.INVITED: 12, Status.OPENED: 4, Status.IN_PROGRESS: 10, Status.SIGNED: 50,
    Status.DECLINED: 3, Status.NEEDS_DISCUSSION: 6, Status.WITHDRAWN: 2, Status.LOCKED: 2, Status.CANCELLED: 3,
}
WEIGHTS_TODAY = {
    Status.INVITED: 4, Status.IN_PROGRESS: 5, Status.SIGNED: 40, Status.CONFIRMED: 30, Status.DECLINED: 3,
    Status.NEEDS_DISCUSSION: 5, Status.WITHDRAWN: 2, Status.LOCKED: 2, Status.CANCELLED: 3,
}
WEIGHTS_PAST = {
    Status.INVITED: 5, Status.IN_PROGRESS: 3, Status.SIGNED: 8, Status.CONFIRMED: 50, Status.DECLINED: 4,
    Status.NEEDS_DISCUSSION: 3, Status.WITHDRAWN: 3, Status.EXPIRED: 14, Status.LOCKED: 2, Status.CANCELLED: 6,
}
# fmt: on


@dataclass
class Planned:
    """One request about to be written, with what will hang off it once it has a primary key."""

    request: ConsentRequest
    version: ProcedureVersion
    children: list = field(default_factory=list)  # callables: (request) -> None, run after the bulk insert


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isascii() and (c.isalnum() or c in ".-"))


class Seeder:
    """Makes the rows. `rng` decides everything except the secrets (link tokens, document ids)."""

    def __init__(self, *, rng: random.Random, versions: list[ProcedureVersion], nurse, now: datetime.datetime):
        self.rng = rng
        self.versions = versions
        self.nurse = nurse
        self.now = now
        self.today = timezone.localdate(now)
        self.statements: dict[tuple[int, str, str], str] = {}
        self.document_ids: set[str] = set()
        self.rows: dict[type, list] = {
            model: []
            for model in (
                Acknowledgement,
                ChecklistAnswer,
                QuizAnswer,
                PatientQuestion,
                Signature,
                ChecklistEntry,
                ChecklistSignOff,
                AuditEvent,
            )
        }

    def flush(self) -> None:
        """Write the rows made so far that hang off requests (which must be written already)."""
        self._chain_audit_events(self.rows[AuditEvent])
        for model, rows in self.rows.items():
            model.objects.bulk_create(rows, batch_size=BATCH_SIZE)
            rows.clear()

    @staticmethod
    def _chain_audit_events(events: list[AuditEvent]) -> None:
        """Link the events onto the end of the audit chain, in order, as `consent.audit.audit` would."""
        if not events:
            return
        last_sequence, last_hash = lock_audit_chain()
        for sequence, event in enumerate(events, start=last_sequence + 1):
            event.sequence = sequence
            event.previous_hash = last_hash
            event.hash = last_hash = event.compute_hash()

    # Times -------------------------------------------------------------------------

    def _between(
        self, start: datetime.datetime, end: datetime.datetime, hours: tuple[int, int] = PATIENT_HOURS
    ) -> datetime.datetime:
        """A moment between start and end, moved into waking (or working) hours where that stays between them."""
        if end <= start:
            return start
        moment = start + datetime.timedelta(seconds=self.rng.uniform(0, (end - start).total_seconds()))
        local = timezone.localtime(moment)
        if hours[0] <= local.hour < hours[1]:
            return moment
        minutes = self.rng.randrange(hours[0] * 60, hours[1] * 60)
        moved = local.replace(hour=minutes // 60, minute=minutes % 60)
        return moved if start <= moved <= end else moment

    def _appointment(self, days_back: int, days_ahead: int) -> tuple[int, datetime.datetime]:
        day_offset = self.rng.randint(-days_back, days_ahead)
        minutes = self.rng.randrange(8 * 60, 17 * 60, 15)  # 08:00 to 16:45, every quarter hour
        day = self.today + datetime.timedelta(days=day_offset)
        naive = datetime.datetime.combine(day, datetime.time(minutes // 60, minutes % 60))
        return day_offset, timezone.make_aware(naive)

    # Patients ------------------------------------------------------------------------

    def patients(self, count: int, first_number: int) -> list[Patient]:
        rng = self.rng
        patients = []
        for number in range(first_number, first_number + count):
            spanish = rng.random() < 0.08
            first = rng.choice(SPANISH_FIRST_NAMES if spanish else FIRST_NAMES)
            last = rng.choice(SPANISH_LAST_NAMES if spanish or rng.random() < 0.04 else LAST_NAMES)
            born = datetime.date(1935, 1, 1) + datetime.timedelta(days=rng.randrange(0, 71 * 365))
            patients.append(
                Patient(
                    full_name=f"{first} {last}",
                    search_name=searchable(f"{first} {last}"),  # bulk_create skips Patient.save
                    date_of_birth=born,
                    mrn=f"{MRN_PREFIX}{number:06d}",
                    email=f"{_ascii(first).lower()}.{_ascii(last).lower()}@example.org" if rng.random() < 0.6 else "",
                    phone=f"07700 900{rng.randrange(1000):03d}" if rng.random() < 0.5 else "",
                    preferred_language=Language.SPANISH if spanish and rng.random() < 0.7 else Language.ENGLISH,
                )
            )
        return patients

    # Requests ------------------------------------------------------------------------

    def _status(self, day_offset: int, appointment_at: datetime.datetime) -> str:
        if day_offset < 0:
            weights = WEIGHTS_PAST
        elif day_offset == 0:
            weights = WEIGHTS_TODAY
        elif day_offset <= 7:
            weights = WEIGHTS_NEAR_AHEAD
        else:
            weights = WEIGHTS_FAR_AHEAD
        status = self.rng.choices(list(weights), weights=list(weights.values()))[0]
        # Consent is confirmed on the day, shortly before; a link expires a day after the appointment.
        if status == Status.CONFIRMED and appointment_at - datetime.timedelta(minutes=45) > self.now:
            status = Status.SIGNED
        if status == Status.EXPIRED and services.link_expiry(appointment_at) > self.now:
            status = Status.INVITED
        return status

    def request(self, patient: Patient, days_back: int, days_ahead: int) -> Planned:
        rng = self.rng
        version = rng.choice(self.versions)
        day_offset, appointment_at = self._appointment(days_back, days_ahead)
        status = self._status(day_offset, appointment_at)
        latest_created = min(self.now - datetime.timedelta(minutes=30), appointment_at - datetime.timedelta(days=1))
        created_at = self._between(latest_created - datetime.timedelta(days=10), latest_created, NURSE_HOURS)
        # Everything the patient and nurses did happened after creation, before now and the appointment.
        active_until = min(self.now, appointment_at) - datetime.timedelta(minutes=5)
        request = ConsentRequest(
            patient=patient,
            procedure_version=version,
            appointment_at=appointment_at,
            clinician=rng.choice(CLINICIANS),
            created_by=self.nurse,
            created_at=created_at,
            status=status,
            token_hash=services.hash_token(secrets.token_urlsafe(32)),  # the token itself is thrown away
            expires_at=services.link_expiry(appointment_at),
            checklist_total=len(version.content["checklist_items"]),
        )
        planned = Planned(request=request, version=version)
        self._audit(
            planned,
            "created",
            f"Request created for version {version.number} of the procedure information",
            at=created_at,
            staff=True,
        )
        if status == Status.CREATED:
            return planned
        invited_at = created_at + datetime.timedelta(minutes=rng.randint(1, 20))
        how = "sent by email" if patient.email else "shown to staff to give to the patient"
        self._audit(planned, "invited", f"Invitation {how}", at=invited_at, staff=True)

        if status == Status.LOCKED:
            request.failed_identity_attempts = 5
            locked_at = self._between(invited_at, active_until)
            self._audit(planned, "locked", "Link locked after too many wrong dates of birth", at=locked_at)
            return planned
        request.progress = self._progress(status)
        if request.progress >= Step.IDENTITY:
            opened_at = self._between(invited_at, active_until)
            self._audit(planned, "identity_verified", "Identity checked", at=opened_at, patient=True)
            answered_at = self._journey(planned, opened_at, active_until)
        else:
            opened_at = answered_at = invited_at
        if status in state.FINISHED:
            self._sign(planned, answered_at, active_until)
        if status == Status.NEEDS_DISCUSSION:
            request.wants_discussion = True
            self._audit(
                planned,
                "needs_discussion",
                "Chose to talk to someone before deciding",
                at=self._between(answered_at, active_until),
                patient=True,
            )
        if status == Status.CONFIRMED:
            # Checked and signed off before consent was confirmed on the day.
            active_until = min(active_until, request.confirmed_at - datetime.timedelta(minutes=2))
        self._checklist(planned, active_until)
        if status == Status.EXPIRED:
            self._audit(planned, "expired", "The link expired", at=min(self.now, request.expires_at))
        if status == Status.CANCELLED:
            self._audit(
                planned,
                "cancelled",
                "Request cancelled",
                at=self._between(opened_at, active_until, NURSE_HOURS),
                staff=True,
            )
        return planned

    def _progress(self, status: str) -> int:
        if status in state.FINISHED:
            return Step.DECIDE
        return {
            Status.INVITED: 0,
            Status.OPENED: Step.IDENTITY,
            Status.IN_PROGRESS: self.rng.randint(Step.ABOUT, Step.QUESTIONS),
            Status.NEEDS_DISCUSSION: Step.QUESTIONS,
            Status.EXPIRED: self.rng.choice([0, 0, Step.IDENTITY, Step.RISKS]),
            Status.CANCELLED: self.rng.choice([0, 0, Step.ABOUT]),
        }[status]

    def _journey(self, planned: Planned, start: datetime.datetime, end: datetime.datetime) -> datetime.datetime:
        """The patient's answers, step by step, as far as the request's progress; returns when they answered."""
        rng, request, content = self.rng, planned.request, planned.version.content
        progress = request.progress
        at = self._between(start, end)

        def acknowledgements(kind: str, keys: list[str], to_discuss: str | None = None):
            planned.children.append(
                lambda r: self.rows[Acknowledgement].extend(
                    Acknowledgement(
                        request=r, kind=kind, item_key=key, acknowledged_at=at, wants_to_discuss=key == to_discuss
                    )
                    for key in keys
                )
            )

        if progress >= Step.RISKS:
            risks = [risk["key"] for risk in content["risks"]]
            acknowledgements(Acknowledgement.Kind.RISK, risks, rng.choice(risks) if rng.random() < 0.06 else None)
        if progress >= Step.PREPARING:
            acknowledgements(Acknowledgement.Kind.STEP, [step["key"] for step in content["preparation_steps"]])
            answers = {}
            for item in content["checklist_items"]:
                if item["patient_question"]:
                    roll = rng.random()
                    if roll < 0.88:
                        answers[item["key"]] = item["expected_answer"]
                    elif roll < 0.95:
                        answers[item["key"]] = PatientAnswer.NOT_SURE
                    else:
                        answers[item["key"]] = (
                            PatientAnswer.YES if item["expected_answer"] == "no" else PatientAnswer.NO
                        )
            planned.children.append(
                lambda r: self.rows[ChecklistAnswer].extend(
                    ChecklistAnswer(request=r, item_key=key, answer=answer, answered_at=at)
                    for key, answer in answers.items()
                )
            )
        if progress >= Step.UNDERSTANDING:
            quiz = []
            for question in content["questions"]:
                correct = question["correct_choice"]
                missed = rng.random() < 0.07
                wrong = rng.choice([n for n in range(1, len(question["choices"]) + 1) if n != correct] or [correct])
                quiz.append(
                    dict(
                        question_key=question["key"],
                        first_choice=wrong if missed else correct,
                        first_try_correct=not missed,
                        latest_choice=correct,
                        is_correct=True,
                        attempts=2 if missed else 1,
                        answered_at=at,
                    )
                )
            planned.children.append(lambda r: self.rows[QuizAnswer].extend(QuizAnswer(request=r, **q) for q in quiz))
        if progress >= Step.QUESTIONS:
            if rng.random() < 0.07:
                request.wants_discussion = True
            asked = rng.sample(PATIENT_QUESTIONS, k=rng.choice([1, 1, 1, 2])) if rng.random() < 0.2 else []
            questions = []
            for text in asked:
                answered = rng.random() < 0.5
                questions.append(
                    dict(
                        text=text,
                        normalised_text=normalise_question(text),  # bulk_create skips PatientQuestion.save
                        asked_at=at,
                        answered_at=self._between(at, self.now, NURSE_HOURS) if answered else None,
                        answered_by=self.nurse if answered else None,
                        reply_note=rng.choice(REPLY_NOTES) if answered else "",
                    )
                )
                self._audit(planned, "question_asked", "Asked the care team a question", at=at, patient=True)
            planned.children.append(
                lambda r: self.rows[PatientQuestion].extend(PatientQuestion(request=r, **q) for q in questions)
            )
            request.review_confirmed_at = at
        return at

    def _statement(self, version: ProcedureVersion, request: ConsentRequest, decision: str, signer: str) -> str:
        key = (version.pk, decision, signer)
        if key not in self.statements:
            self.statements[key] = services.signing_statement(consent_request=request, decision=decision, signer=signer)
        return self.statements[key]

    def _document_id(self) -> str:
        while True:
            document_id = "PRC-" + secrets.token_hex(5).upper()
            if document_id not in self.document_ids:
                self.document_ids.add(document_id)
                return document_id

    def _sign(self, planned: Planned, start: datetime.datetime, end: datetime.datetime) -> None:
        rng, request, patient = self.rng, planned.request, planned.request.patient
        decision = Decision.DECLINE if request.status == Status.DECLINED else Decision.CONSENT
        signer = Signer.REPRESENTATIVE if rng.random() < 0.05 else Signer.PATIENT
        representative = f"{rng.choice(FIRST_NAMES)} {patient.full_name.split()[-1]}"
        interpreted = patient.preferred_language == Language.SPANISH and rng.random() < 0.6
        signed_at = self._between(start, end)
        document_id = self._document_id()
        fields = dict(
            document_id=document_id,
            decision=decision,
            typed_name=representative if signer == Signer.REPRESENTATIVE else patient.full_name,
            signer=signer,
            representative_name=representative if signer == Signer.REPRESENTATIVE else "",
            representative_relationship=rng.choice(RELATIONSHIPS) if signer == Signer.REPRESENTATIVE else "",
            interpreter_name=f"{rng.choice(SPANISH_FIRST_NAMES)} {rng.choice(SPANISH_LAST_NAMES)}"
            if interpreted
            else "",
            interpreter_language="Spanish" if interpreted else "",
            statement=self._statement(planned.version, request, decision, signer),
            procedure_version=planned.version,
            signed_at=signed_at,
            ip_address=f"203.0.113.{rng.randrange(1, 255)}",
            user_agent=rng.choice(USER_AGENTS),
        )
        planned.children.append(lambda r: self.rows[Signature].append(Signature(request=r, **fields)))
        request.decided_at = signed_at
        consented = decision == Decision.CONSENT
        self._audit(
            planned,
            "signed" if consented else "declined",
            "Signed consent" if consented else "Signed a decision not to have the procedure",
            at=signed_at,
            patient=True,
            detail={
                "document_id": document_id,
                "signer": signer,
                SIGNATURE_DIGEST_KEY: signature_digest(Signature(**fields)),  # as `services.sign` records it
            },
        )
        if request.status == Status.WITHDRAWN:
            request.withdrawn_at = self._between(signed_at, end)
            request.withdrawal_reason = rng.choice(WITHDRAWAL_REASONS)
            self._audit(planned, "withdrawn", "Withdrew consent", at=request.withdrawn_at, patient=True)
        if request.status == Status.CONFIRMED:
            on_the_day = max(signed_at, request.appointment_at - datetime.timedelta(minutes=60))
            request.confirmed_at = self._between(on_the_day, min(self.now, request.appointment_at), NURSE_HOURS)
            request.confirmed_by = self.nurse

    def _checklist(self, planned: Planned, end: datetime.datetime) -> None:
        """Nurse entries for the first items (nurses work down the list), consistent with checklist_complete."""
        rng, request = self.rng, planned.request
        items = planned.version.content["checklist_items"]
        days_ahead = (timezone.localdate(request.appointment_at) - self.today).days
        if request.status == Status.CONFIRMED:
            marked = len(items)
        elif request.status in (Status.SIGNED, Status.IN_PROGRESS, Status.NEEDS_DISCUSSION) and days_ahead <= 2:
            marked = rng.randint(0, len(items))
        elif request.status in (Status.SIGNED, Status.DECLINED) and rng.random() < 0.4:
            marked = rng.randint(0, max(len(items) // 2, 1))
        else:
            marked = 0
        entries = []
        start = request.created_at
        for item in items[:marked]:
            if request.status != Status.CONFIRMED and rng.random() < 0.05:
                state, note = ChecklistState.PROBLEM, rng.choice(PROBLEM_NOTES)
            elif item["allow_not_applicable"] and rng.random() < 0.15:
                state, note = ChecklistState.NOT_APPLICABLE, NOT_APPLICABLE_NOTE
            else:
                state, note = ChecklistState.DONE, ""
            start = self._between(start, end, NURSE_HOURS)
            entries.append(
                dict(item_key=item["key"], state=state, note=note, recorded_by=self.nurse, recorded_at=start)
            )
            label = ChecklistState(state).label.lower()
            self._audit(
                planned,
                "checklist_marked",
                f"Marked a checklist item as {label}",
                at=start,
                staff=True,
                detail={"item": item["key"], "state": state},
            )
        request.checklist_complete = sum(entry["state"] != ChecklistState.PROBLEM for entry in entries)
        planned.children.append(
            lambda r: self.rows[ChecklistEntry].extend(ChecklistEntry(request=r, **e) for e in entries)
        )
        if request.status == Status.CONFIRMED:
            signed_off_at = self._between(start, request.confirmed_at, NURSE_HOURS)
            planned.children.append(
                lambda r: self.rows[ChecklistSignOff].append(
                    ChecklistSignOff(request=r, signed_off_by=self.nurse, signed_off_at=signed_off_at)
                )
            )
            self._audit(planned, "checklist_signed_off", "Checklist signed off", at=signed_off_at, staff=True)
            self._audit(
                planned,
                "confirmed",
                "Consent confirmed with the patient on the day",
                at=request.confirmed_at,
                staff=True,
            )

    def _audit(self, planned, action, message, *, at, staff=False, patient=False, detail=None) -> None:
        actor = AuditEvent.Actor.STAFF if staff else AuditEvent.Actor.PATIENT if patient else AuditEvent.Actor.SYSTEM
        ip = "203.0.113.9" if patient else None
        planned.children.append(
            lambda r: self.rows[AuditEvent].append(
                AuditEvent(
                    request=r,
                    actor=actor,
                    user=self.nurse if staff else None,
                    action=action,
                    message=message,
                    detail=detail or {},
                    ip_address=ip,
                    created_at=at,
                )
            )
        )


class Command(BaseCommand):
    help = (
        "Create fake patients and consent requests in every status, for demos and benchmarks "
        "(development only: refuses to run unless DEBUG is on or --force is given)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=300, help="How many requests to create (default 300).")
        parser.add_argument("--days-back", type=int, default=3, help="Earliest appointment, in days before today.")
        parser.add_argument("--days-ahead", type=int, default=21, help="Latest appointment, in days after today.")
        parser.add_argument("--seed", type=int, default=None, help="Seed for the same names, times and statuses.")
        parser.add_argument(
            "--render-pdfs",
            action="store_true",
            help="Render the signed PDFs too, all but one in twenty (slow: for demos).",
        )
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (only ever on a scratch database)."
        )

    def handle(self, *args, count, days_back, days_ahead, seed, render_pdfs, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo_requests writes fake patients, so it only runs with DJANGO_DEBUG=1. "
                "To seed a scratch database with DEBUG off (e.g. for a benchmark), add --force."
            )
        if count < 1:
            raise CommandError("--count must be at least 1.")
        if days_back < 0 or days_ahead < 0:
            raise CommandError("--days-back and --days-ahead must be 0 or more.")
        started = time.monotonic()

        load_sample_procedures()
        slugs = {data["slug"] for data in SAMPLE_PROCEDURES}
        versions = []
        for slug in sorted(slugs):
            version = ProcedureVersion.objects.filter(procedure__slug=slug).order_by("-number").first()
            if version is not None:
                versions.append(version)
        if not versions:
            raise CommandError("No published sample procedure to make requests for.")

        statuses: Counter[str] = Counter()
        signature_count = 0
        to_render: list[Signature] = []
        with transaction.atomic():
            nurse = self._nurse()
            rng = random.Random(seed)  # noqa: S311  (made-up demo data; the link tokens come from `secrets`)
            seeder = Seeder(rng=rng, versions=versions, nurse=nurse, now=timezone.now())
            first_number = self._next_mrn_number()
            # In chunks, so 20,000 requests don't all sit in memory at once.
            for offset in range(0, count, CHUNK_SIZE):
                patients = seeder.patients(min(CHUNK_SIZE, count - offset), first_number=first_number + offset)
                Patient.objects.bulk_create(patients, batch_size=BATCH_SIZE)
                planned = [seeder.request(patient, days_back, days_ahead) for patient in patients]
                ConsentRequest.objects.bulk_create([p.request for p in planned], batch_size=BATCH_SIZE)
                for plan in planned:
                    for add_child in plan.children:
                        add_child(plan.request)
                statuses.update(plan.request.status for plan in planned)
                signature_count += len(seeder.rows[Signature])
                if render_pdfs:
                    to_render.extend(seeder.rows[Signature])
                seeder.flush()

        rendered = self._render(to_render)
        self.stdout.write(
            f"Seeded {count} requests ({len(statuses)} statuses, {signature_count} signatures, "
            f"{signature_count - rendered} PDFs pending) for {count} fake patients "
            f"in {time.monotonic() - started:.1f}s."
        )

    def _nurse(self):
        """The demo nurse if there is one, else an inactive account that can't sign in, to own the entries."""
        User = get_user_model()
        nurse = User.objects.filter(username="nurse").first()
        if nurse is None:
            nurse, created = User.objects.get_or_create(
                username=SEED_NURSE_USERNAME, defaults={"first_name": "Seed", "last_name": "Nurse", "is_active": False}
            )
            if created:
                nurse.set_unusable_password()
                nurse.save(update_fields=["password"])
        return nurse

    def _next_mrn_number(self) -> int:
        last = Patient.objects.filter(mrn__startswith=MRN_PREFIX).order_by("-mrn").values_list("mrn", flat=True).first()
        return int(last.removeprefix(MRN_PREFIX)) + 1 if last else 1

    def _render(self, signatures: list[Signature]) -> int:
        """Render the signed PDFs, except one in twenty left pending (as after a failed render) for the flag."""
        rendered = 0
        for number, signature in enumerate(signatures):
            if number % LEFT_PENDING_ONE_IN and documents.render_document_safely(signature) is not None:
                rendered += 1
        return rendered
