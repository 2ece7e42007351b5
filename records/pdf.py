"""The signed PDF consent record and the unsigned information leaflet, drawn by WeasyPrint.

Both are Django templates (`templates/pdf/`) turned into PDF bytes. Rendering
never touches the network: `StaticFilesFetcher` serves only the app's own
static files and `data:` URLs (the content's pictures come as those) and
refuses everything else, and a render that
could not load a resource fails rather than produce an incomplete record.

The consent record is PDF/A-3b (an archival PDF with every font embedded) and
carries the clinic's seal (`records.seal.seal_pdf`), so any later change to
the file shows. The leaflet and the nurse's checklist are plain PDFs: they are
made again on demand, never kept as the record.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urljoin
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext

# pyHanko (the seal) takes a second or more to import. records.seal imports it only when
# needed, to keep the models light; importing it here instead loads it before a render is
# forked into its child process (records.render_limits), rather than in every child.
from pyhanko.pdf_utils import incremental_writer  # noqa: F401
from pyhanko.sign import signers  # noqa: F401
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from consent.models import (
    LANGUAGE_NAMES_IN_ENGLISH,
    Acknowledgement,
    ConsentDocument,
    ConsentRequest,
    Countersignature,
    Decision,
    Language,
    Signature,
    Signer,
    StaffRecordedConsent,
)
from procedures.models import PatientAnswer
from procedures.roles import staff_name
from procedures.translations import localised
from records.seal import clinic_seal_signer, seal_pdf

STATIC_SCHEME = "static:"
# The archival variant of the consent record: PDF/A-3b, which WeasyPrint writes with
# embedded fonts, an sRGB output intent and the XMP identification pyHanko keeps.
RECORD_PDF_VARIANT = "pdf/a-3b"
PNG_DATA_URL_PREFIX = "data:image/png;base64,"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")


class PdfRenderError(Exception):
    """The PDF could not be made completely; nothing is stored, so it can be rendered again."""


class RefusedURL(ValueError):
    """A URL the PDF renderer will not fetch: only the app's static files and data: URLs are allowed."""


# Fetching --------------------------------------------------------------------------


def pdf_base_url() -> str:
    """The base relative links in the PDF templates resolve against: the app's own address."""
    return settings.PROCEED_BASE_URL + "/"


def _static_prefixes() -> list[str]:
    """How a static file's URL can start: `static:`, the app's static URL, or its bare path."""
    static_url = settings.STATIC_URL  # Django adds the script prefix: "/static/"
    return [STATIC_SCHEME, urljoin(pdf_base_url(), static_url), static_url]


def static_name(url: str) -> str | None:
    """The static file a URL names (e.g. "css/pdf.css"), or None if it names no static file."""
    for prefix in _static_prefixes():
        if url.startswith(prefix):
            name = unquote(url[len(prefix) :].split("?", 1)[0].split("#", 1)[0])
            break
    else:
        return None
    parts = name.split("/")
    if not name or "\\" in name or "\x00" in name or any(part in ("", ".", "..") for part in parts):
        return None
    return name


def find_static_file(name: str) -> str | None:
    """The file on disk for a static name: from the app's sources, or collected (hashed) in STATIC_ROOT."""
    path = finders.find(name)
    if path:
        return path
    try:
        if staticfiles_storage.exists(name):
            return staticfiles_storage.path(name)
    except NotImplementedError:  # a storage that is not on this machine's disk
        return None
    return None


class StaticFilesFetcher(URLFetcher):
    """Serve only the app's static files (read from disk) and data: URLs; refuse anything else.

    Every refusal or failure is remembered in `failures`, so the caller can tell
    that the document is incomplete.
    """

    def __init__(self) -> None:
        # Only data: is allowed to reach WeasyPrint's own fetcher.
        super().__init__(allowed_protocols={"data"}, allow_redirects=False, timeout=5)
        self.failures: list[str] = []

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        try:
            return self._fetch(url, headers)
        except Exception as error:
            shown = url if not url.startswith("data:") else url[:40] + "…"
            self.failures.append(f"{shown} ({type(error).__name__})")
            raise

    def _fetch(self, url: str, headers: dict | None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        name = static_name(url)
        if name is None:
            raise RefusedURL(f"The PDF renderer only loads the app's own static files, not {url}")
        path = find_static_file(name)
        if path is None:
            raise RefusedURL(f"There is no static file {name}")
        with open(path, "rb") as file:
            body = file.read()
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if content_type.startswith("text/"):
            content_type += "; charset=utf-8"
        return URLFetcherResponse(url, body, {"Content-Type": content_type})


def html_to_pdf(html: str, *, pdf_variant: str | None = None) -> tuple[bytes, int]:
    """PDF bytes and page count for HTML, loading nothing but static files and data: URLs.

    `pdf_variant` is WeasyPrint's, e.g. "pdf/a-3b"; None gives a plain PDF.
    """
    fetcher = StaticFilesFetcher()
    document = HTML(string=html, base_url=pdf_base_url(), url_fetcher=fetcher).render()
    if fetcher.failures:
        raise PdfRenderError("Could not load: " + ", ".join(fetcher.failures))
    return document.write_pdf(pdf_variant=pdf_variant), len(document.pages)


def clinic_contacts() -> dict[str, str]:
    """Whom the patient calls, and when: what the PDFs print (the pages have the same, from settings)."""
    return {
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
        "emergency_number": settings.EMERGENCY_NUMBER,
        "out_of_hours_phone": settings.OUT_OF_HOURS_PHONE,
    }


def render_template(template: str, context: dict[str, Any] | Callable[[], dict[str, Any]], language: str = "") -> str:
    """Render in `language` (English unless given) and in the clinic's time zone, whatever the request activated.

    `context` may be a function, so labels it computes are in that language too.
    """
    with translation.override(language or settings.LANGUAGE_CODE), timezone.override(ZoneInfo(settings.TIME_ZONE)):
        return render_to_string(template, context() if callable(context) else context)


def language_lines(language: str) -> tuple[str, str]:
    """What the record says about its language: in that language, and (if not English) in English too.

    A clinician who reads only English can still tell that a Spanish record was given in Spanish.
    """
    with translation.override(language):
        own = gettext("Language: %(language)s") % {"language": Language(language).label}
    if language == Language.ENGLISH:
        return own, ""
    return own, f"The patient read the information and signed this record in {LANGUAGE_NAMES_IN_ENGLISH[language]}."


# The signed consent record ------------------------------------------------------------


def safe_signature_image(drawn_signature: str) -> str:
    """The drawn signature as a PNG data URL fit to embed, or "" if it is anything else."""
    if not drawn_signature.startswith(PNG_DATA_URL_PREFIX):
        return ""
    encoded = drawn_signature[len(PNG_DATA_URL_PREFIX) :]
    if not _BASE64.fullmatch(encoded):
        return ""
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return ""
    if not data.startswith(PNG_MAGIC):
        return ""
    return PNG_DATA_URL_PREFIX + encoded


@dataclass(frozen=True)
class RiskRow:
    risk: dict
    acknowledgement: Acknowledgement | None


@dataclass(frozen=True)
class StepRow:
    step: dict
    acknowledgement: Acknowledgement | None
    due_on: datetime.date | None = None


@dataclass(frozen=True)
class ChecklistRow:
    question: str
    answer: str
    answered_at: Any
    expected: str
    needs_follow_up: bool


@dataclass(frozen=True)
class QuizRow:
    question: str
    correct_answer: str
    answered: bool
    first_try_correct: bool
    first_answer: str
    attempts: int
    is_correct: bool


def _choice(question: dict, number: int) -> str:
    choices = question["choices"]
    return choices[number - 1] if 1 <= number <= len(choices) else gettext("answer %(number)s") % {"number": number}


def consent_context(signature: Signature) -> dict[str, Any]:
    request: ConsentRequest = signature.request
    version = signature.procedure_version
    # What the patient saw: the version, in the language they read it in.
    content = localised(version.content, signature.language)
    language_line, language_line_english = language_lines(signature.language)
    acknowledgements = {(a.kind, str(a.item_key)): a for a in request.acknowledgements.all()}
    checklist_answers = {str(a.item_key): a for a in request.checklist_answers.all()}
    quiz_answers = {str(a.question_key): a for a in request.quiz_answers.all()}

    checklist = []
    for item in request.patient_questions(content):
        answer = checklist_answers.get(item["key"])
        checklist.append(
            ChecklistRow(
                question=item["patient_question"],
                answer=str(answer.get_answer_display()) if answer else gettext("Not answered"),
                answered_at=answer.answered_at if answer else None,
                expected=str(PatientAnswer(item["expected_answer"]).label) if item["expected_answer"] else "",
                needs_follow_up=answer is None or answer.answer != item["expected_answer"],
            )
        )

    quiz = []
    for question in content["questions"]:
        answer = quiz_answers.get(question["key"])
        quiz.append(
            QuizRow(
                question=question["question"],
                correct_answer=_choice(question, question["correct_choice"]),
                answered=answer is not None,
                first_try_correct=bool(answer and answer.first_try_correct),
                first_answer=_choice(question, answer.first_choice) if answer else "",
                attempts=answer.attempts if answer else 0,
                is_correct=bool(answer and answer.is_correct),
            )
        )

    return {
        "verify_url": f"{settings.PROCEED_BASE_URL}/verify/",
        **clinic_contacts(),
        "signature": signature,
        "request": request,
        "patient": request.patient,
        "version": version,
        "content": content,
        "consented": signature.decision == Decision.CONSENT,
        "replaces": getattr(request.replaces, "signature", None) if request.replaces_id else None,
        "document_type": gettext("Consent record")
        if signature.decision == Decision.CONSENT
        else gettext("Record of decision"),
        "by_representative": signature.signer == Signer.REPRESENTATIVE,
        "signature_image": safe_signature_image(signature.drawn_signature),
        "risks": [RiskRow(risk, acknowledgements.get(("risk", risk["key"]))) for risk in content["risks"]],
        "steps": [
            StepRow(row["step"], acknowledgements.get(("step", row["step"]["key"])), row["due_on"])
            for row in request.dated_steps(content)
        ],
        "checklist": checklist,
        "quiz": quiz,
        "questions": list(request.questions.all()),
        # Up to the signature: the record shows how the decision was reached, and re-rendering it
        # later (after a withdrawal, say) gives the same document.
        "audit_events": list(request.audit_events.filter(created_at__lte=signature.signed_at).select_related("user")),
        "time_zone": settings.TIME_ZONE,
        "language_line": language_line,
        "language_line_english": language_line_english,
    }


def consent_pdf_html(signature: Signature) -> str:
    """The HTML the signed record is drawn from (also what tests inspect)."""
    return render_template("pdf/consent.html", lambda: consent_context(signature), signature.language)


def render_consent_pdf(signature: Signature) -> tuple[bytes, int]:
    """The signed consent record as sealed PDF/A-3b bytes, with its page count.

    Raises `records.seal.SigningNotConfigured` (before drawing anything) when
    the clinic's key or certificate is missing: the caller keeps the signature
    and the PDF stays pending until the key is in place.
    """
    signer = clinic_seal_signer()
    return render_sealed_pdf(consent_pdf_html(signature), signer=signer)


def render_sealed_pdf(html: str, *, signer=None) -> tuple[bytes, int]:
    """A record's HTML as sealed PDF/A-3b bytes, with its page count (the seal checked first)."""
    signer = signer or clinic_seal_signer()
    pdf, page_count = html_to_pdf(html, pdf_variant=RECORD_PDF_VARIANT)
    return seal_pdf(pdf, signer=signer), page_count


# The record of a withdrawal -------------------------------------------------------------


def withdrawal_pdf_html(request: ConsentRequest, *, document_id: str, withdraws: ConsentDocument) -> str:
    """The withdrawal's own record: what was withdrawn (named and hashed), when, by whom, and why."""
    signature = request.signature

    def context() -> dict[str, Any]:
        language_line, language_line_english = language_lines(signature.language)
        return {
            "verify_url": f"{settings.PROCEED_BASE_URL}/verify/",
            **clinic_contacts(),
            "document_id": document_id,
            "document_type": gettext("Withdrawal of consent"),
            "request": request,
            "patient": request.patient,
            "signature": signature,
            "version": signature.procedure_version,
            "content": localised(signature.procedure_version.content, signature.language),
            "withdraws": withdraws,
            "time_zone": settings.TIME_ZONE,
            "language_line": language_line,
            "language_line_english": language_line_english,
        }

    return render_template("pdf/withdrawal.html", context, signature.language)


# The cover record of a decision recorded by staff -------------------------------------------


def staff_record_pdf_html(record: StaffRecordedConsent, *, document_id: str) -> str:
    """The sealed cover record of a consent or refusal recorded by staff, naming and hashing its scan.

    In English, like the staff pages that make it: it is the clinic's record of what a member of staff
    saw and kept, never the patient's own signed record.
    """
    request = record.request

    def context() -> dict[str, Any]:
        return {
            "verify_url": f"{settings.PROCEED_BASE_URL}/verify/",
            **clinic_contacts(),
            "document_id": document_id,
            "document_type": "Consent recorded by staff"
            if record.decision == Decision.CONSENT
            else "Refusal recorded by staff",
            "record": record,
            "consented": record.decision == Decision.CONSENT,
            "request": request,
            "patient": request.patient,
            "version": record.procedure_version,
            "content": record.procedure_version.content,
            "recorded_by": staff_name(record.recorded_by),
            "time_zone": settings.TIME_ZONE,
        }

    return render_template("pdf/staff_record.html", context)


# The clinician's part ---------------------------------------------------------------------


def clinician_pdf_html(countersignature: Countersignature, *, document_id: str, patient_record: ConsentDocument) -> str:
    """The clinician's part: the statement of the health professional as signed, naming (and hashing) the
    patient's record, which stays as it is. In the clinic's language: it is the clinician's document."""
    request = countersignature.request
    signature = request.signature

    def context() -> dict[str, Any]:
        return {
            "verify_url": f"{settings.PROCEED_BASE_URL}/verify/",
            **clinic_contacts(),
            "document_id": document_id,
            "document_type": "Clinician's statement",
            "request": request,
            "patient": request.patient,
            "signature": signature,
            "version": signature.procedure_version,
            "countersignature": countersignature,
            "parts": countersignature.parts,
            "risks_to_discuss": [m for m in countersignature.parts["addressed"] if m["kind"] == "risk"],
            "questions": [m for m in countersignature.parts["addressed"] if m["kind"] == "question"],
            "patient_record": patient_record,
            "patient_language": LANGUAGE_NAMES_IN_ENGLISH.get(signature.language, signature.language),
            "time_zone": settings.TIME_ZONE,
        }

    return render_template("pdf/clinician.html", context)


# The unsigned information leaflet -----------------------------------------------------


def information_pdf_html(request: ConsentRequest) -> str:
    """The shareable information leaflet: the procedure's content and nothing about the patient."""
    version = request.procedure_version
    content = request.patient_content
    context = {
        **clinic_contacts(),
        "version": version,
        "content": content,
    }
    return render_template("pdf/information.html", context, content["language"])


def render_information_pdf(request: ConsentRequest) -> bytes:
    """What the patient can download before deciding, to read or share. Not a consent form."""
    pdf, _ = html_to_pdf(information_pdf_html(request))
    return pdf
