"""Preview a procedure's working copy as a patient would see it.

The content admin walks the unpublished draft through the real journey
templates, with a made-up patient and appointment. Nothing here writes to the
database: the case is a plain object, the forms are never bound, and only GET
is accepted. The templates' forms submit by GET to the next preview page, and
every link goes to another preview page or back to the admin, never to a
patient's link.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from consent import state
from consent.models import Acknowledgement, ChecklistAnswer, Decision, Signer, Status, Step
from consent.services import signing_statement
from journey import forms
from journey.views import answer_prompt, journey_context
from procedures.models import PatientAnswer, Procedure
from procedures.services import snapshot


@dataclass(frozen=True)
class Page:
    template: str
    step: Step | None
    next_page: str | None


# The journey's pages, in order, by the name the preview URL uses. The decision
# page's form leads to "sign"; a `decision` in the query picks the variant of
# the sign and done pages, as the patient's choice would.
PAGES = {
    "welcome": Page("consent/welcome.html", Step.WELCOME, "identity"),
    "identity": Page("consent/identity.html", Step.IDENTITY, "about"),
    "about": Page("consent/about.html", Step.ABOUT, "risks"),
    "risks": Page("consent/risks.html", Step.RISKS, "preparing"),
    "preparing": Page("consent/preparing.html", Step.PREPARING, "understanding"),
    "understanding": Page("consent/understanding.html", Step.UNDERSTANDING, "questions"),
    "questions": Page("consent/questions.html", Step.QUESTIONS, "review"),
    "review": Page("consent/review.html", Step.DECIDE, "decide"),
    "decide": Page("consent/decide.html", Step.DECIDE, "sign"),
    "sign": Page("consent/sign.html", Step.DECIDE, "done"),
    "done": Page("consent/done.html", None, None),
}

# The banner's list of every page, including each variant of the last two.
PAGE_MENU = [
    ("welcome", "", _("Welcome")),
    ("identity", "", _("Check it's you")),
    ("about", "", _("About the procedure")),
    ("risks", "", _("Risks")),
    ("preparing", "", _("Preparing")),
    ("understanding", "", _("Check your understanding")),
    ("questions", "", _("Your questions")),
    ("review", "", _("Check your answers")),
    ("decide", "", _("Your decision")),
    ("sign", Decision.CONSENT, _("Sign: giving consent")),
    ("sign", Decision.DECLINE, _("Sign: not giving consent")),
    ("done", Decision.CONSENT, _("Done: consent given")),
    ("done", Decision.DECLINE, _("Done: consent not given")),
    ("done", Decision.DISCUSS, _("Done: wants to talk first")),
]

DONE_STATUS = {
    Decision.CONSENT: Status.SIGNED,
    Decision.DECLINE: Status.DECLINED,
    Decision.DISCUSS: Status.NEEDS_DISCUSSION,
}


@dataclass(frozen=True)
class SamplePatient:
    full_name: str = "Sample Patient"


@dataclass(frozen=True)
class DraftVersion:
    """The version the working copy would become if published now."""

    number: int
    content: dict[str, Any]


@dataclass(frozen=True)
class SampleSignature:
    document_id: str
    signed_at: datetime.datetime


@dataclass(frozen=True)
class PreviewCase:
    """Stands in for a ConsentRequest: what the journey templates and `signing_statement` read.

    A plain object, so nothing can save it.
    """

    procedure_version: DraftVersion
    appointment_at: datetime.datetime
    progress: int
    status: str = Status.IN_PROGRESS
    clinician: str = "Dr Example"
    patient: SamplePatient = field(default_factory=SamplePatient)
    wants_discussion: bool = False

    @property
    def content(self) -> dict[str, Any]:
        return self.procedure_version.content

    @property
    def can_withdraw(self) -> bool:
        return state.may_withdraw(self.status, self.appointment_at)


@dataclass(frozen=True)
class PreviewInfo:
    """What the preview banner shows."""

    procedure: Procedure
    version_number: int
    change_url: str
    pages: list[dict[str, Any]]


def page_url(pk: int, name: str, decision: str = "") -> str:
    url = reverse("admin:procedures_procedure_preview_step", args=[pk, name])
    return f"{url}?decision={decision}" if decision else url


def sample_appointment() -> datetime.datetime:
    """A week from today at 09:00, local time."""
    day = timezone.localdate() + datetime.timedelta(days=7)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0)))


def progress_on(page: Page) -> int:
    """How far a patient has got when they first reach this page (the highest step completed)."""
    if page.step is None:
        return Step.DECIDE
    if page.step <= Step.IDENTITY:
        return 0
    if page.step == Step.DECIDE:
        return Step.QUESTIONS
    return page.step - 1


def sample_summary(content: dict[str, Any]) -> dict[str, Any]:
    """The review page's summary for a patient who ticked everything, with unsaved rows.

    The same shape as `ConsentRequest.answers_summary`.
    """
    now = timezone.now()
    return {
        "risks": [
            {
                "risk": risk,
                "row": Acknowledgement(
                    kind=Acknowledgement.Kind.RISK, acknowledged_at=now if risk["is_material"] else None
                ),
            }
            for risk in content["risks"]
        ],
        "steps": [
            {"step": step, "row": Acknowledgement(kind=Acknowledgement.Kind.STEP, acknowledged_at=now)}
            for step in content["preparation_steps"]
        ],
        "answers": [
            {"item": item, "answer": ChecklistAnswer(answer=item["expected_answer"] or PatientAnswer.NOT_SURE)}
            for item in content["checklist_items"]
            if item["patient_question"]
        ],
        "quiz": [{"question": q, "answer": None, "choice": correct_choice(q)} for q in content["questions"]],
        "asked": [],
    }


def correct_choice(question: dict[str, Any]) -> str:
    choices, number = question["choices"], question["correct_choice"]
    # A working copy isn't checked until it is published: don't fail on a number out of range.
    return choices[number - 1] if 1 <= number <= len(choices) else ""


def page_context(name: str, consent_request: PreviewCase, decision: str, urls: dict[str, str]) -> dict[str, Any]:
    """The page's own context, as its view in `journey.views` builds it for a patient who hasn't answered yet."""
    content = consent_request.content
    if name == "welcome":
        return {"verified": False, "continue_url": urls["identity"]}
    if name == "identity":
        return {"form": forms.DateOfBirthForm()}
    if name == "risks":
        form = forms.RisksForm(risks=content["risks"])
        cards = [
            {
                "risk": risk,
                "ack": form[f"ack_{risk['key']}"] if risk["is_material"] else None,
                "discuss": form[f"discuss_{risk['key']}"],
            }
            for risk in content["risks"]
        ]
        return {"form": form, "cards": cards}
    if name == "preparing":
        steps = content["preparation_steps"]
        questions = [item for item in content["checklist_items"] if item["patient_question"]]
        form = forms.PreparingForm(steps=steps, questions=questions)
        return {
            "form": form,
            "step_fields": [{"step": step, "ack": form[f"ack_{step['key']}"]} for step in steps],
            "question_fields": [
                {
                    "item": item,
                    "field": form[f"answer_{item['key']}"],
                    "prompt": answer_prompt(item),
                    "show_prompt": False,
                }
                for item in questions
            ],
        }
    if name == "understanding":
        form = forms.UnderstandingForm(questions=content["questions"])
        items = [
            {"question": question, "field": form[f"q_{question['key']}"], "wrong": False, "right": False}
            for question in content["questions"]
        ]
        return {"form": form, "items": items}
    if name == "questions":
        return {"form": forms.QuestionsForm(), "asked": []}
    if name == "review":
        return {"form": forms.ReviewForm(), "summary": sample_summary(content)}
    if name == "decide":
        return {"form": forms.DecisionForm(procedure_name=content["name"])}
    if name == "sign":
        form = forms.SignForm()
        # A drawing would otherwise travel in the next page's URL: far too long for a query string.
        form.fields["drawn_signature"].disabled = True
        statements = {
            signer: signing_statement(consent_request=consent_request, decision=decision, signer=signer)
            for signer in (Signer.PATIENT, Signer.REPRESENTATIVE)
        }
        return {"form": form, "decision": decision, "statements": statements}
    if name == "done":
        signed = consent_request.status in (Status.SIGNED, Status.DECLINED)
        return {
            "signature": SampleSignature("PRC-EXAMPLE", timezone.now()) if signed else None,
            "document": None,
        }
    return {}


@require_safe
def preview_procedure(request, pk, step="welcome"):
    """One page of the patient journey for the procedure's working copy, unpublished edits included."""
    if not request.user.has_perm("procedures.view_procedure"):
        raise PermissionDenied
    page = PAGES.get(step)
    if page is None:
        raise Http404("There is no such page in the patient journey.")
    procedure = get_object_or_404(Procedure, pk=pk)

    decision = request.GET.get("decision", "")
    if step == "sign" and decision == Decision.DISCUSS:
        # Choosing to talk first skips signing, as it does for a patient.
        return redirect(page_url(pk, "done", Decision.DISCUSS))
    if step not in ("sign", "done"):
        decision = ""
    elif decision not in DONE_STATUS:
        decision = Decision.CONSENT

    if set(request.GET) - {"decision"}:
        # The preview's forms submit what was entered by GET: drop it, so the address shows only the page.
        return redirect(page_url(pk, step, decision))

    latest = procedure.versions.aggregate(number=Max("number"))["number"] or 0
    consent_request = PreviewCase(
        procedure_version=DraftVersion(number=latest + 1, content=snapshot(procedure)),
        appointment_at=sample_appointment(),
        progress=progress_on(page),
        status=DONE_STATUS[decision] if step == "done" else Status.IN_PROGRESS,
    )
    urls = {name: page_url(pk, name) for name in PAGES}
    info = PreviewInfo(
        procedure=procedure,
        version_number=latest + 1,
        change_url=reverse("admin:procedures_procedure_change", args=[pk]),
        pages=[
            {
                "url": page_url(pk, name, variant),
                "label": str(label),
                "current": name == step and variant in ("", decision),
            }
            for name, variant, label in PAGE_MENU
        ],
    )
    context = journey_context(
        consent_request,
        None,
        page.step,
        urls=urls,
        page=step,
        preview=True,
        preview_info=info,
        next_url=urls[page.next_page] if page.next_page else None,
        **page_context(step, consent_request, decision, urls),
    )
    if step == "decide":
        context["back_url"] = urls["review"]
    elif step == "sign":
        context["back_url"] = urls["decide"]
    return render(request, page.template, context)
