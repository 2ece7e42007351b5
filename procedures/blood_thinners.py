"""The clinic's table of blood thinners: the sample rows shipped with Proceed, and loading them.

SAMPLE CONTENT, to be approved by the clinic's clinicians. The stop intervals are
transcribed from the summary table of the ASRA pain-procedure guidance (Narouze 2018,
below) for demonstration: check every row against the publication itself, and against
the clinic's own policy, before use. Each interval is the time from the last dose to the
procedure, in hours: 0 means "not stopped" ("No" in the guidance), and None that the
guidance gives no standard interval for that class ("shared assessment and risk
stratification"), so the nurse is told to ask the prescriber. Where the guidance gives a
range ("7 to 10 days") the table holds its lower end and the note gives the range.

For low-risk procedures the guidance leaves most anticoagulants and antiplatelets to a
shared assessment, so those cells are empty here, not guessed. The neuraxial guidance
(Horlocker 2018, cited in the lumbar puncture's notes) gives similar times for a
neuraxial puncture: warfarin 5 days with a normal INR, apixaban, rivaroxaban and
edoxaban 72 hours, dabigatran 72 to 120 hours by kidney function, enoxaparin 12 hours
(preventive) or 24 hours (treatment), low-dose unfractionated heparin 4 to 6 hours.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from procedures import sample_content
from procedures.models import BloodThinner, BloodThinnerKind, Procedure

NAROUZE_2018 = (
    "Narouze S, et al. Interventional spine and pain procedures in patients on antiplatelet and anticoagulant "
    "medications (second edition). Reg Anesth Pain Med. 2018;43(3):225-262 (summary table of recommendations)."
)
HORLOCKER_2018 = (
    "Horlocker TT, et al. Regional anesthesia in the patient receiving antithrombotic or thrombolytic therapy "
    "(fourth edition). Reg Anesth Pain Med. 2018;43(3):263-309."
)
SHARED = "Low-risk procedures: no standard interval (shared assessment and risk stratification): ask the prescriber."
DAY = 24

SAMPLE_BLOOD_THINNERS: list[dict[str, Any]] = [
    {
        "name": "Warfarin",
        "other_names": "Coumadin, Jantoven",
        "kind": BloodThinnerKind.ANTICOAGULANT,
        "stop_hours_low": None,
        "stop_hours_intermediate": 5 * DAY,
        "stop_hours_high": 5 * DAY,
        "note": "5 days, with a normal INR checked before the procedure. " + SHARED,
    },
    {
        "name": "Acenocoumarol",
        "other_names": "Sintrom",
        "kind": BloodThinnerKind.ANTICOAGULANT,
        "stop_hours_low": None,
        "stop_hours_intermediate": 3 * DAY,
        "stop_hours_high": 3 * DAY,
        "note": "3 days, with a normal INR checked before the procedure. " + SHARED,
    },
    {
        "name": "Apixaban",
        "other_names": "Eliquis",
        "kind": BloodThinnerKind.ANTICOAGULANT,
        "stop_hours_low": None,
        "stop_hours_intermediate": 3 * DAY,
        "stop_hours_high": 3 * DAY,
        "note": "3 days. Longer with poor kidney function: check creatinine clearance. " + SHARED,
    },
    {
        "name": "Rivaroxaban",
        "other_names": "Xarelto",
        "kind": BloodThinnerKind.ANTICOAGULANT,
        "stop_hours_low": None,
        "stop_hours_intermediate": 3 * DAY,
        "stop_hours_high": 3 * DAY,
        "note": "3 days. Longer with poor kidney function: check creatinine clearance. " + SHARED,
    },
    {
        "name": "Edoxaban",
        "other_names": "Lixiana, Savaysa",
        "kind": BloodThinnerKind.ANTICOAGULANT,
        "stop_hours_low": None,
        "stop_hours_intermediate": 3 * DAY,
        "stop_hours_high": 3 * DAY,
        "note": "3 days. Longer with poor kidney function: check creatinine clearance. " + SHARED,
    },
    {
        "name": "Dabigatran",
        "other_names": "Pradaxa",
        "kind": BloodThinnerKind.ANTICOAGULANT,
        "stop_hours_low": None,
        "stop_hours_intermediate": 4 * DAY,
        "stop_hours_high": 4 * DAY,
        "note": "4 to 5 days; 6 days with impaired kidney function: check creatinine clearance. " + SHARED,
    },
    {
        "name": "Enoxaparin, preventive dose",
        "other_names": "Lovenox, Clexane",
        "kind": BloodThinnerKind.ANTICOAGULANT,
        "stop_hours_low": 12,
        "stop_hours_intermediate": 12,
        "stop_hours_high": 12,
        "note": "12 hours after a preventive (prophylactic) dose. Check which dose the patient takes.",
    },
    {
        "name": "Enoxaparin, treatment dose",
        "other_names": "Lovenox, Clexane",
        "kind": BloodThinnerKind.ANTICOAGULANT,
        "stop_hours_low": 24,
        "stop_hours_intermediate": 24,
        "stop_hours_high": 24,
        "note": "24 hours after a treatment (therapeutic) dose. Check which dose the patient takes.",
    },
    {
        "name": "Dalteparin",
        "other_names": "Fragmin",
        "kind": BloodThinnerKind.ANTICOAGULANT,
        "stop_hours_low": 24,
        "stop_hours_intermediate": 24,
        "stop_hours_high": 24,
        "note": "24 hours.",
    },
    {
        "name": "Heparin injections under the skin",
        "other_names": "unfractionated heparin",
        "kind": BloodThinnerKind.ANTICOAGULANT,
        "stop_hours_low": 6,
        "stop_hours_intermediate": 6,
        "stop_hours_high": 24,
        "note": "Twice or three times a day under the skin: 6 hours (24 hours before a high-risk procedure). The "
        "neuraxial guidance (Horlocker 2018) gives 4 to 6 hours for low doses.",
    },
    {
        "name": "Clopidogrel",
        "other_names": "Plavix",
        "kind": BloodThinnerKind.ANTIPLATELET,
        "stop_hours_low": None,
        "stop_hours_intermediate": 7 * DAY,
        "stop_hours_high": 7 * DAY,
        "note": "7 days. Never stopped without the cardiologist's or prescriber's agreement after a recent heart "
        "stent. " + SHARED,
    },
    {
        "name": "Prasugrel",
        "other_names": "Effient, Efient",
        "kind": BloodThinnerKind.ANTIPLATELET,
        "stop_hours_low": None,
        "stop_hours_intermediate": 7 * DAY,
        "stop_hours_high": 7 * DAY,
        "note": "7 to 10 days (the table holds 7). Never stopped without the cardiologist's or prescriber's "
        "agreement after a recent heart stent. " + SHARED,
    },
    {
        "name": "Ticagrelor",
        "other_names": "Brilinta, Brilique",
        "kind": BloodThinnerKind.ANTIPLATELET,
        "stop_hours_low": None,
        "stop_hours_intermediate": 5 * DAY,
        "stop_hours_high": 5 * DAY,
        "note": "5 days. Never stopped without the cardiologist's or prescriber's agreement after a recent heart "
        "stent. " + SHARED,
    },
    {
        "name": "Aspirin",
        "other_names": "acetylsalicylic acid",
        "kind": BloodThinnerKind.ANTIPLATELET,
        "stop_hours_low": 0,
        "stop_hours_intermediate": None,
        "stop_hours_high": 6 * DAY,
        "note": "High-risk: 6 days when taken for primary prevention; taken after a heart attack, stroke or stent "
        "(secondary prevention), a shared assessment with the prescriber instead. Intermediate-risk: shared "
        "assessment and risk stratification. Low-risk: not stopped.",
    },
    {
        "name": "Cilostazol",
        "other_names": "Pletal",
        "kind": BloodThinnerKind.ANTIPLATELET,
        "stop_hours_low": 0,
        "stop_hours_intermediate": 0,
        "stop_hours_high": 2 * DAY,
        "note": "2 days before a high-risk procedure; not stopped otherwise.",
    },
    {
        "name": "Ibuprofen",
        "other_names": "Advil, Motrin, Nurofen",
        "kind": BloodThinnerKind.OTHER,
        "stop_hours_low": 0,
        "stop_hours_intermediate": 0,
        "stop_hours_high": 1 * DAY,
        "note": "High-risk: 5 half-lives (1 day). Otherwise not stopped; consider it in a patient at high risk of "
        "bleeding.",
    },
    {
        "name": "Naproxen",
        "other_names": "Aleve, Naprosyn",
        "kind": BloodThinnerKind.OTHER,
        "stop_hours_low": 0,
        "stop_hours_intermediate": 0,
        "stop_hours_high": 4 * DAY,
        "note": "High-risk: 5 half-lives (4 days). Otherwise not stopped; consider it in a patient at high risk "
        "of bleeding.",
    },
    {
        "name": "Diclofenac",
        "other_names": "Voltaren",
        "kind": BloodThinnerKind.OTHER,
        "stop_hours_low": 0,
        "stop_hours_intermediate": 0,
        "stop_hours_high": 1 * DAY,
        "note": "High-risk: 5 half-lives (1 day). Otherwise not stopped; consider it in a patient at high risk of "
        "bleeding.",
    },
    {
        "name": "Meloxicam",
        "other_names": "Mobic",
        "kind": BloodThinnerKind.OTHER,
        "stop_hours_low": 0,
        "stop_hours_intermediate": 0,
        "stop_hours_high": 4 * DAY,
        "note": "High-risk: 5 half-lives (4 days). Otherwise not stopped; consider it in a patient at high risk "
        "of bleeding.",
    },
]


def load_sample_blood_thinners() -> list[BloodThinner]:
    """Create the sample rows the table doesn't have yet (by name); returns those created.

    Idempotent, and a row the clinic has (edited, approved, retired or renamed) is never touched.
    """
    created = []
    with transaction.atomic():
        existing = set(BloodThinner.objects.values_list("name", flat=True))
        for row in SAMPLE_BLOOD_THINNERS:
            if row["name"] in existing:
                continue
            drug = BloodThinner(**row, source=NAROUZE_2018, is_sample=True)
            drug.full_clean()
            drug.save()
            created.append(drug)
    return created


def classify_sample_procedures() -> list[Procedure]:
    """Give a sample procedure with no bleeding-risk class the shipped one (how an existing installation
    receives it); a class or source the clinic has set is left as it is. Returns those classified."""
    classified = []
    for data in sample_content.SAMPLE_PROCEDURES:
        if not data.get("bleeding_risk"):
            continue
        procedure = Procedure.objects.filter(
            slug=data["slug"], is_sample=True, bleeding_risk="", bleeding_risk_source=""
        ).first()
        if procedure is None:
            continue
        procedure.bleeding_risk = data["bleeding_risk"]
        procedure.bleeding_risk_source = data.get("bleeding_risk_source", "")
        procedure.save(update_fields=["bleeding_risk", "bleeding_risk_source", "updated_at"])
        classified.append(procedure)
    return classified
