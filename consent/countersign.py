"""The clinician's statement and countersignature: the health professional's part of the consent.

Modelled on the "Statement of health professional" of NHS Consent Form 1: the procedure, its intended
benefits, the serious or frequently occurring risks (here, the material risks the patient was shown and
acknowledged, from the version they signed, in the order they saw them), any extra procedures that may
become necessary, and, for each risk the patient flagged and each question they asked, how it was
addressed. The clinician signs it after entering their password again; the name, job title,
registration, time and the meaning of the signature are kept with it, as text.

`statement_draft` is what the countersign page shows before signing; `countersign` signs it. The
patient's own record never changes: once the countersignature is committed, `consent_countersigned`
is sent and `records` renders the clinician's part as a second sealed PDF that names the patient's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone, translation

from consent import signals, state
from consent.audit import audit
from consent.models import Acknowledgement, AuditAction, ConsentRequest, Countersignature, Decision
from consent.services import ConsentError, lock_request, new_document_id, require_password
from procedures.models import Severity, describe_frequency
from procedures.roles import staff_name

MAX_TEXT = 2000  # characters of any one part the clinician writes
MAX_JOB_TITLE = 200
MAX_REGISTRATION = 100

# What the signature means, signed with every countersignature (after the NHS form's own words).
MEANING = (
    "I have explained the procedure to the patient. In particular, I have explained the intended benefits, "
    "the serious or frequently occurring risks, and any extra procedures which may become necessary during "
    "the procedure, as set out in this statement. I have also discussed what the procedure is likely to "
    "involve, the benefits and risks of the available alternatives (including no treatment), and the "
    "particular concerns of this patient: each risk they wanted to talk about and each question they asked, "
    "addressed as recorded here."
)


class AlreadyCountersigned(ConsentError):
    """The request has its countersignature already (a second clinician, or the same form sent twice)."""

    def __init__(self, message: str, *, countersignature: Countersignature):
        super().__init__(message)
        self.countersignature = countersignature


class WrongPassword(ConsentError):
    """The password typed to countersign isn't the user's (shown beside the password box)."""


class StatementIncomplete(ConsentError):
    """A part of the statement is missing; `missing` names each by its key in the form (see `StatementDraft`)."""

    def __init__(self, message: str, *, missing: dict[str, str]):
        super().__init__(message)
        self.missing = missing


@dataclass(frozen=True)
class Matter:
    """A risk the patient flagged or a question they asked: what the clinician says was done about it."""

    key: str  # "risk:<uuid>" or "question:<id>", the form's and the stored statement's key
    kind: str  # "risk" or "question"
    text: str  # the risk's title, or the question as the patient wrote it
    suggested: str = ""  # how it was addressed, as far as the record knows (the nurse's reply note)


@dataclass(frozen=True)
class StatementDraft:
    """The statement before signing, from the version the patient signed: what the countersign page shows."""

    procedure: str
    version: int
    patient_document_id: str
    benefits: str
    risks: list[dict]  # {"title", "frequency", "severity"}: the material risks, in the order the patient saw them
    matters: list[Matter]


def already_countersigned(countersignature: Countersignature) -> str:
    """What a second attempt is told: who countersigned, and when; nothing more is recorded."""
    when = timezone.localtime(countersignature.signed_at)
    return (
        f"This consent was already countersigned by {countersignature.clinician_name} on {when:%-d %B %Y at %H:%M}. "
        "Nothing more was recorded."
    )


def may_countersign(consent_request: ConsentRequest) -> str:
    """Why this request can't be countersigned, in plain words; "" if it can."""
    signature = getattr(consent_request, "signature", None)
    if consent_request.status not in state.CONSENTED:
        return (
            f"This request is {consent_request.get_status_display().lower()}: only a consent the patient "
            "signed and still stands by can be countersigned."
        )
    if signature is None or signature.decision != Decision.CONSENT:
        return "The patient did not e-sign consent on this request, so there is no statement to countersign here."
    return ""


def statement_draft(consent_request: ConsentRequest) -> StatementDraft:
    """The statement's parts as the record has them: from the signed version (in English, the staff's
    language), the patient's flagged risks and their questions (with the nurse's reply note, if any)."""
    signature = consent_request.signature
    content = signature.procedure_version.content
    flagged = {
        str(row.item_key)
        for row in consent_request.acknowledgements.filter(kind=Acknowledgement.Kind.RISK, wants_to_discuss=True)
    }
    with translation.override(settings.LANGUAGE_CODE):  # the statement is in the clinic's language
        risks = [
            {
                "title": risk["title"],
                "frequency": str(
                    describe_frequency(risk["frequency"], risk.get("frequency_n"), risk.get("frequency_m"))
                ),
                "severity": str(Severity(risk["severity"]).label),
            }
            for risk in content["risks"]
            if risk.get("is_material")
        ]
    matters = [
        Matter(key=f"risk:{risk['key']}", kind="risk", text=risk["title"])
        for risk in content["risks"]
        if risk["key"] in flagged
    ]
    matters += [
        Matter(key=f"question:{question.pk}", kind="question", text=question.text, suggested=question.reply_note)
        for question in consent_request.questions.all()
    ]
    return StatementDraft(
        procedure=content["name"],
        version=signature.procedure_version.number,
        patient_document_id=signature.document_id,
        benefits=content.get("benefits", ""),
        risks=risks,
        matters=matters,
    )


def _clean(value: str, limit: int) -> str:
    return "\n".join(line.rstrip() for line in str(value).strip().splitlines())[:limit]


def statement_text(parts: Mapping) -> str:
    """The statement as plain text, exactly as it is signed and stored."""
    lines = [
        "Statement of health professional",
        f"Procedure: {parts['procedure']} (information version {parts['version']})",
        f"The patient's consent record: document {parts['patient_document_id']}",
        f"Intended benefits: {parts['benefits']}",
        "Serious or frequently occurring risks (the material risks shown to the patient):",
        *[f"- {risk['title']} ({risk['frequency']}; {risk['severity'].lower()})" for risk in parts["risks"]],
        *([] if parts["risks"] else ["- None listed in the information the patient signed"]),
        f"Any extra procedures which may become necessary during the procedure: {parts['extra_procedures']}",
    ]
    risks = [matter for matter in parts["addressed"] if matter["kind"] == "risk"]
    questions = [matter for matter in parts["addressed"] if matter["kind"] == "question"]
    if risks:
        lines.append("Risks the patient wanted to talk about, and how each was addressed:")
        lines += [f"- {matter['text']}: {matter['how']}" for matter in risks]
    if questions:
        lines.append("The patient's questions, and how each was addressed:")
        lines += [f"- “{matter['text']}”: {matter['how']}" for matter in questions]
    lines.append(parts["meaning"])
    lines.append(
        f"Signed by {parts['clinician_name']}, {parts['job_title']}, {parts['registration']}, at {parts['signed_at']}"
    )
    return "\n".join(lines)


def countersign(
    *,
    consent_request: ConsentRequest,
    user: AbstractBaseUser,
    password: str,
    job_title: str,
    registration: str,
    benefits: str,
    extra_procedures: str,
    addressed: Mapping[str, str],
    ip: str | None = None,
) -> Countersignature:
    """Countersign the patient's consent with the statement of the health professional.

    `addressed` maps each flagged risk and each question (`Matter.key`) to how it was addressed; every
    one needs an answer. The password is checked again first (a wrong one is refused and audited, like
    the checklist's sign-off). Only a consent the patient e-signed and still stands by can be
    countersigned, once: a second attempt (another clinician, or the same form sent twice) raises
    `AlreadyCountersigned` and records nothing.
    """
    require_password(
        user=user,
        password=password,
        consent_request=consent_request,
        refused=AuditAction.COUNTERSIGN_REFUSED,
        ip=ip,
        error=WrongPassword,
    )
    with transaction.atomic():
        consent_request = lock_request(consent_request)
        existing = Countersignature.objects.filter(request=consent_request).first()
        if existing:
            raise AlreadyCountersigned(already_countersigned(existing), countersignature=existing)
        if refusal := may_countersign(consent_request):
            raise ConsentError(refusal)
        draft = statement_draft(consent_request)
        written = {
            "job_title": _clean(job_title, MAX_JOB_TITLE),
            "registration": _clean(registration, MAX_REGISTRATION),
            "benefits": _clean(benefits, MAX_TEXT),
            "extra_procedures": _clean(extra_procedures, MAX_TEXT),
        }
        how = {matter.key: _clean(addressed.get(matter.key, ""), MAX_TEXT) for matter in draft.matters}
        missing = {name: name for name, value in written.items() if not value}
        missing |= {key: key for key, value in how.items() if not value}
        if missing:
            raise StatementIncomplete("Complete every part of the statement before you countersign.", missing=missing)
        signed_at = timezone.now()
        parts = {
            "procedure": draft.procedure,
            "version": draft.version,
            "patient_document_id": draft.patient_document_id,
            "benefits": written["benefits"],
            "risks": draft.risks,
            "extra_procedures": written["extra_procedures"],
            "addressed": [
                {"key": matter.key, "kind": matter.kind, "text": matter.text, "how": how[matter.key]}
                for matter in draft.matters
            ],
            "meaning": MEANING,
            "clinician_name": staff_name(user),
            "job_title": written["job_title"],
            "registration": written["registration"],
            "signed_at": f"{timezone.localtime(signed_at):%Y-%m-%d %H:%M %Z}",
        }
        countersignature = Countersignature.objects.create(
            request=consent_request,
            document_id=new_document_id(),
            clinician=user,
            clinician_name=parts["clinician_name"],
            job_title=parts["job_title"],
            registration=parts["registration"],
            parts=parts,
            statement=statement_text(parts),
            signed_at=signed_at,
            ip_address=ip,
        )
        audit(
            consent_request=consent_request,
            action=AuditAction.COUNTERSIGNED,
            message=f"Clinician's statement countersigned (document {countersignature.document_id})",
            user=user,
            ip=ip,
            detail={"document_id": countersignature.document_id, "consent_document_id": draft.patient_document_id},
            at=signed_at,
        )
        # Once committed, the clinician's part is rendered as its own sealed PDF (records.apps); a receiver
        # that fails leaves it pending, never the countersignature lost.
        transaction.on_commit(
            lambda: signals.consent_countersigned.send(sender=Countersignature, countersignature=countersignature),
            robust=True,
        )
    return countersignature
