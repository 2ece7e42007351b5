"""Seed the benchmark's own database with a realistic clinic, fast, through the real models.

    DJANGO_SETTINGS_MODULE=bench.settings python -m bench.seed --patients 10000 --requests 20000 \
        --manifest var/bench/manifest.json [--add]

What it makes:
- the four sample procedures, published by the real publishing service (fingerprints and all);
- nurses (in the Nurses group) with a known password and a confirmed TOTP authenticator whose
  key the load tool knows, so it signs in through the real two pages;
- patients, and consent requests across every status, soonest appointments next week, most
  in the past (a clinic's history); started requests carry their acknowledgements, quiz
  answers, questions, signatures and sealed-record rows as the journey would have left them.

Rows are written with bulk_create in batches, bypassing the per-row services (which audit each
change): that is only speed. The audit chain is left empty and stays consistent, because the
measured journeys append to it through the real services. Every request's link token is
derived from its number (`token_for`), so the load tool, which reads the manifest written
here, knows the raw links while the database keeps only their SHA-256, as in production.

--add appends requests (numbered after those already there) to grow the dashboard's data
without seeding again; the upcoming appointments stay as they were, the history grows. With
--decided, every request added is a decided one (signed, confirmed, declined or withdrawn, in the
history's proportions) with its signature (one in twenty by a representative) and record row:
the records archive's data (bench/archive_timing.py).
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import random
import time
from pathlib import Path

from consent import state  # plain data: importing it needs no settings

BATCH = 2000
TOKEN_SALT = "proceed-bench"  # noqa: S105 - makes the bench's tokens its own; nothing secret about them
NURSE_PASSWORD = "bench-nurse-password-1"  # noqa: S105  (the bench database's own accounts)
NURSES = 400  # each run signs its nurses in afresh, and a TOTP code works once per device: 20 runs before one recurs
# The load tool's patients, the first requests seeded (fewer when seeding few requests):
PAGE_POOL = 300  # in-progress lumbar puncture requests at the sign step, for the page benchmarks
JOURNEY_POOL = 2500  # fresh lumbar puncture invitations, one whole journey each
UPCOMING_DAYS = 14


def token_for(number: int) -> str:
    """The raw link token of request `number` (43 URL-safe characters, like secrets.token_urlsafe(32))."""
    import base64

    digest = hashlib.sha256(f"{TOKEN_SALT}-{number}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def totp_key_for(number: int) -> str:
    return hashlib.sha256(f"{TOKEN_SALT}-totp-{number}".encode()).hexdigest()[:40]


def date_of_birth_for(number: int) -> datetime.date:
    return datetime.date(1935, 1, 1) + datetime.timedelta(days=(number * 7919) % 25000)


FIRST = ["Alex", "Sam", "Jo", "Priya", "Tom", "Maria", "Wei", "Amara", "Liam", "Noor", "Ewa", "Kofi"]
LAST = ["Morgan", "Shah", "Okafor", "Nowak", "Smith", "Garcia", "Chen", "Jones", "Ahmed", "Byrne"]


def name_for(number: int) -> str:
    return f"{FIRST[number % len(FIRST)]} {LAST[(number // 7) % len(LAST)]} {number}"


# Upcoming requests' statuses (weights), and the history's.
UPCOMING = {
    "created": 8,
    "invited": 30,
    "opened": 6,
    "in_progress": 14,
    "signed": 25,
    "declined": 2,
    "needs_discussion": 5,
    "withdrawn": 1,
    "locked": 1,
    "cancelled": 2,
    "expired": 1,
}
HISTORY = {"confirmed": 55, "signed": 10, "declined": 4, "withdrawn": 2, "expired": 15, "cancelled": 12, "locked": 2}
# Past the first page: the finished statuses (consent.state), and two open ones.
STARTED = state.FINISHED | {state.Status.IN_PROGRESS, state.Status.NEEDS_DISCUSSION}
SIGNED = state.FINISHED
DECIDED_HISTORY = {status: weight for status, weight in HISTORY.items() if status in SIGNED}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--upcoming-per-day", type=int, default=40)
    parser.add_argument("--manifest", default="var/bench/manifest.json")
    parser.add_argument("--add", action="store_true", help="append requests to an already seeded database")
    parser.add_argument("--no-pools", action="store_true", help="no load-tool patients (the dashboard-growth data)")
    parser.add_argument(
        "--decided", action="store_true", help="with --add: only decided requests, each with its signature"
    )
    args = parser.parse_args(argv)
    global PAGE_POOL, JOURNEY_POOL
    PAGE_POOL, JOURNEY_POOL = (
        (0, 0)
        if args.no_pools
        else (
            min(PAGE_POOL, args.requests // 10),
            min(JOURNEY_POOL, args.requests // 4),
        )
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    started = time.monotonic()
    if args.add:
        added = add_history(args.requests, decided=args.decided)
        analyze()
        print(f"seed: added {added} requests in {time.monotonic() - started:.1f} s")
        return
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    manifest = seed(args.patients, args.requests, args.upcoming_per_day)
    analyze()
    Path(args.manifest).parent.mkdir(parents=True, exist_ok=True)
    Path(args.manifest).write_text(json.dumps(manifest))
    print(
        f"seed: {args.patients} patients, {args.requests} requests, {NURSES} nurses "
        f"in {time.monotonic() - started:.1f} s"
    )


def analyze() -> None:
    """Planner statistics for the freshly loaded tables, as PostgreSQL's autovacuum keeps them in production."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _lumbar_puncture():
    from procedures.models import Procedure

    return Procedure.objects.get(slug="lumbar-puncture").current_version


def seed(patient_count: int, request_count: int, upcoming_per_day: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from consent.models import Patient, searchable
    from procedures.models import Procedure
    from procedures.roles import NURSES as NURSES_GROUP
    from procedures.services import load_sample_procedures

    load_sample_procedures()
    versions = [p.current_version for p in Procedure.objects.order_by("pk")]
    lumbar = _lumbar_puncture()
    User = get_user_model()
    password = make_password(NURSE_PASSWORD)  # one argon2 hash for all: hashing 120 would take a minute
    with transaction.atomic():
        users = User.objects.bulk_create(
            [User(username=f"nurse{n:03d}", password=password, first_name=f"Nurse {n}") for n in range(NURSES)]
        )
        Group.objects.get(name=NURSES_GROUP).user_set.add(*users)
        TOTPDevice.objects.bulk_create(
            [
                TOTPDevice(user=user, name="Authenticator app", key=totp_key_for(n), confirmed=True)
                for n, user in enumerate(users)
            ]
        )
        patients = []
        for n in range(patient_count):
            patients.append(
                Patient(
                    full_name=name_for(n),
                    search_name=searchable(name_for(n)),  # bulk_create skips Patient.save
                    date_of_birth=date_of_birth_for(n),
                    mrn=f"B{n:07d}",
                    email=f"patient{n}@example.org" if n % 3 else "",
                )
            )
        Patient.objects.bulk_create(patients, batch_size=BATCH)
    patient_ids = list(Patient.objects.order_by("pk").values_list("pk", flat=True))
    upcoming = min(request_count, upcoming_per_day * UPCOMING_DAYS)
    _make_requests(0, request_count, patient_ids, versions, lumbar, upcoming=upcoming, creator=users[0], pools=True)
    return _manifest(lumbar, patient_ids, request_count)


def add_history(count: int, *, decided: bool = False) -> int:
    from django.contrib.auth import get_user_model

    from consent.models import ConsentRequest, Patient
    from procedures.models import Procedure

    first = ConsentRequest.objects.count()
    versions = [p.current_version for p in Procedure.objects.order_by("pk")]
    patient_ids = list(Patient.objects.order_by("pk").values_list("pk", flat=True))
    creator = get_user_model().objects.order_by("pk").first()
    _make_requests(
        first,
        count,
        patient_ids,
        versions,
        _lumbar_puncture(),
        upcoming=0,
        creator=creator,
        pools=False,
        decided=decided,
    )
    return count


def _choose(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _make_requests(first, count, patient_ids, versions, lumbar, *, upcoming, creator, pools, decided=False) -> None:
    """Requests numbered first .. first+count-1: `upcoming` of them in the next two weeks, the rest history.

    With `pools`, the first PAGE_POOL are lumbar puncture requests at the sign step and the
    next JOURNEY_POOL fresh invitations, for the load tool's patients. With `decided`, the
    history is decided requests only, each with its signature and record row.
    """
    from django.db import transaction
    from django.utils import timezone

    from consent.models import ConsentRequest

    rng = random.Random(first)  # noqa: S311  (the same data every run, nothing secret)
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    today_9am = now.replace(hour=9)
    done = 0
    while done < count:
        batch = []
        for number in range(first + done, first + min(count, done + BATCH)):
            index = number - first
            pool = "pages" if pools and index < PAGE_POOL else None
            if pools and PAGE_POOL <= index < PAGE_POOL + JOURNEY_POOL:
                pool = "journey"
            if index < upcoming or pool:
                # Appointments through the next two weeks, clinic hours.
                slot = index % (UPCOMING_DAYS * 16)
                at = today_9am + datetime.timedelta(days=1 + slot // 16, minutes=30 * (slot % 16))
                status = {"pages": "in_progress", "journey": "invited"}.get(pool) or _choose(rng, UPCOMING)
            else:
                at = today_9am - datetime.timedelta(days=1 + rng.randrange(3 * 365), minutes=30 * rng.randrange(16))
                status = _choose(rng, DECIDED_HISTORY if decided else HISTORY)
            version = lumbar if pool else versions[number % len(versions)]
            progress = 0
            if status in STARTED:
                progress = 8
            elif status == "opened":
                progress = 2
            row = ConsentRequest(
                patient_id=patient_ids[number % len(patient_ids)],
                procedure_version=version,
                appointment_at=at,
                clinician="Dr Priya Shah",
                created_by=creator,
                created_at=at - datetime.timedelta(days=10),
                status=status,
                token_hash=hashlib.sha256(token_for(number).encode()).hexdigest(),
                expires_at=at + datetime.timedelta(hours=24),
                progress=progress,
                review_confirmed_at=at - datetime.timedelta(days=2) if progress == 8 else None,
                wants_discussion=status == "needs_discussion",
                decided_at=at - datetime.timedelta(days=2) if status in SIGNED else None,
                checklist_total=len(version.content["checklist_items"]),
                checklist_complete=len(version.content["checklist_items"]) if status == "confirmed" else 0,
            )
            row.bench_started = status in STARTED and (pool == "pages" or index < upcoming)
            batch.append(row)
        with transaction.atomic():
            ConsentRequest.objects.bulk_create(batch, batch_size=BATCH)
            # Reload to get the ids (SQLite and PostgreSQL both return them, but keep it portable).
            by_hash = dict(
                ConsentRequest.objects.filter(token_hash__in=[r.token_hash for r in batch]).values_list(
                    "token_hash", "pk"
                )
            )
            for row in batch:
                row.pk = by_hash[row.token_hash]
            _journey_rows([r for r in batch if r.bench_started], rng)
            if decided:
                _signature_rows([r for r in batch if r.status in SIGNED and not r.bench_started], representatives=True)
        done += len(batch)


def _journey_rows(requests, rng: random.Random) -> None:
    """What the patient's journey leaves behind: acknowledgements, answers, questions, signature, record."""
    from consent.models import Acknowledgement, ChecklistAnswer, PatientQuestion, QuizAnswer, normalise_question

    acks, answers, quiz, questions = [], [], [], []
    for request in requests:
        content = request.procedure_version.content
        at = request.appointment_at - datetime.timedelta(days=3)
        for risk in content["risks"]:
            acks.append(
                Acknowledgement(
                    request_id=request.pk,
                    kind="risk",
                    item_key=risk["key"],
                    acknowledged_at=at,
                    wants_to_discuss=rng.random() < 0.03,
                )
            )
        for step in content["preparation_steps"]:
            acks.append(Acknowledgement(request_id=request.pk, kind="step", item_key=step["key"], acknowledged_at=at))
        for item in content["checklist_items"]:
            if item["patient_question"]:
                answers.append(
                    ChecklistAnswer(request_id=request.pk, item_key=item["key"], answer="no", answered_at=at)
                )
        for question in content["questions"]:
            first_ok = rng.random() < 0.85
            quiz.append(
                QuizAnswer(
                    request_id=request.pk,
                    question_key=question["key"],
                    first_choice=question["correct_choice"] if first_ok else 1 + question["correct_choice"] % 2,
                    first_try_correct=first_ok,
                    latest_choice=question["correct_choice"],
                    is_correct=True,
                    attempts=1 if first_ok else 2,
                    answered_at=at,
                )
            )
        if rng.random() < 0.15:
            text = "Can I drive home afterwards?"
            questions.append(
                PatientQuestion(request_id=request.pk, text=text, normalised_text=normalise_question(text), asked_at=at)
            )
    Acknowledgement.objects.bulk_create(acks, batch_size=BATCH)
    ChecklistAnswer.objects.bulk_create(answers, batch_size=BATCH)
    QuizAnswer.objects.bulk_create(quiz, batch_size=BATCH)
    PatientQuestion.objects.bulk_create(questions, batch_size=BATCH)
    _signature_rows([request for request in requests if request.status in SIGNED])


def _signature_rows(requests, *, representatives: bool = False) -> None:
    """Each decided request's signature and sealed-record row (`representatives`: one in twenty signed
    by a representative)."""
    from consent.models import ConsentDocument, Signature

    signatures = []
    for request in requests:
        at = request.appointment_at - datetime.timedelta(days=3)
        by_representative = representatives and request.pk % 20 == 0
        signatures.append(
            Signature(
                request_id=request.pk,
                document_id=f"BENCH{request.pk:010d}",
                decision="decline" if request.status == "declined" else "consent",
                typed_name="(seeded)",
                signer="representative" if by_representative else "patient",
                representative_name="(seeded representative)" if by_representative else "",
                statement="I have read and understood the information about this procedure.",
                procedure_version_id=request.procedure_version_id,
                signed_at=request.decided_at or at,
                ip_address="10.0.0.1",
                user_agent="bench",
            )
        )
    Signature.objects.bulk_create(signatures, batch_size=BATCH)
    if signatures:
        # Every seeded record row points at one placeholder file: the dashboard reads only that a
        # record exists (the load never downloads a seeded one; journeys render their own).
        ids = dict(
            Signature.objects.filter(document_id__in=[s.document_id for s in signatures]).values_list(
                "document_id", "pk"
            )
        )
        ConsentDocument.objects.bulk_create(
            [
                ConsentDocument(
                    signature_id=ids[s.document_id],
                    file="consent-documents/bench-seeded.pdf",
                    sha256="0" * 64,
                    page_count=3,
                    rendered_at=s.signed_at,
                )
                for s in signatures
            ],
            batch_size=BATCH,
        )


def _manifest(lumbar, patient_ids, request_count) -> dict:
    """What the load tool needs: the pools' links and answers, the nurses, the content's keys."""
    from consent.models import Patient

    def patient(number):
        pk = patient_ids[number % len(patient_ids)]
        return pk

    names = dict(Patient.objects.values_list("pk", "full_name"))
    dobs = dict(Patient.objects.values_list("pk", "date_of_birth"))

    def entry(number):
        pk = patient(number)
        return {"token": token_for(number), "dob": dobs[pk].isoformat(), "name": names[pk]}

    content = lumbar.content
    pages_end = min(PAGE_POOL, request_count)
    journey_end = min(PAGE_POOL + JOURNEY_POOL, request_count)
    return {
        "pages": [entry(n) for n in range(pages_end)],
        "journey": [entry(n) for n in range(pages_end, journey_end)],
        "nurses": [{"username": f"nurse{n:03d}", "totp_key": totp_key_for(n)} for n in range(NURSES)],
        "nurse_password": NURSE_PASSWORD,
        "content": {
            "risks": [r["key"] for r in content["risks"] if r["is_material"]],
            "steps": [s["key"] for s in content["preparation_steps"]],
            "checklist_questions": [i["key"] for i in content["checklist_items"] if i["patient_question"]],
            "quiz": {q["key"]: q["correct_choice"] for q in content["questions"]},
        },
    }


if __name__ == "__main__":
    main()
