"""The home page and the patient journey.

Every journey page is reached through the personal link /c/<token>/ and goes
through `patient_page`, which finds the request, refuses dead links with one
page that reveals nothing (and open links of a retired procedure with another),
asks for the date of birth first, and keeps the patient from skipping ahead.
"""

from __future__ import annotations

import contextlib
import functools

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.access import is_content_admin, uses_staff_workspace
from config.client_ip import client_ip
from consent import blood_thinners, services, state
from consent.models import ConsentDocument, Decision, Language, Step, WithdrawalDocument
from consent.services import ConsentError, NameMismatch
from journey import forms
from journey.identity_check import limit_identity_checks, page_to_return_to
from records import documents
from records.responses import pdf_response

VERIFIED_SESSION_KEY = "verified_requests"
STEP_URLS = {
    Step.WELCOME: "journey:welcome",
    Step.IDENTITY: "journey:identity",
    Step.ABOUT: "journey:about",
    Step.RISKS: "journey:risks",
    Step.PREPARING: "journey:preparing",
    Step.UNDERSTANDING: "journey:understanding",
    Step.QUESTIONS: "journey:questions",
    Step.DECIDE: "journey:review",
}


def home(request):
    """What Proceed is; where patients and staff go from here."""
    return render(
        request,
        "home.html",
        {"is_nurse": uses_staff_workspace(request.user), "is_content_admin": is_content_admin(request.user)},
    )


def posted(request):
    """The submitted data on POST (even when empty, so an empty submit is validated), else None."""
    return request.POST if request.method == "POST" else None


def link_problem(request) -> HttpResponse:
    """The one page for an unknown, expired, locked or cancelled link: it says nothing about the case.

    So it is in the browser's language (Accept-Language), never the case's: the same for every link.
    """
    with translation.override(translation.get_language_from_request(request)):
        return render(request, "consent/link_problem.html", status=404)


def no_longer_available(request) -> HttpResponse:
    """An open request whose procedure was retired: the information is gone, and whom to call.

    Shown before the identity check on every page of the link; it says nothing about the case, not even
    the procedure's name. 410: the link worked, but what it led to is gone (until a content admin restores it).
    """
    return render(request, "consent/no_longer_available.html", status=410)


def answer_prompt(item: dict) -> str:
    """What to tell a patient whose answer to a checklist question needs follow-up, in their language."""
    return item.get("patient_prompt") or _(
        "Thank you for telling us. Please call %(clinic)s on %(phone)s before your appointment to talk about this."
    ) % {"clinic": settings.CLINIC_NAME, "phone": settings.CLINIC_PHONE}


def is_autosave(request) -> bool:
    """A tick or answer sent as it is made, by static/js/autosave.js."""
    return request.POST.get("action") == "autosave"


def saving_only(request) -> bool:
    """Keep the answers without finishing the page: autosave, or "Save and come back later"."""
    return request.POST.get("action") in ("autosave", "later")


def saved_for_later(request, page: str, token: str) -> HttpResponse:
    if is_autosave(request):
        return HttpResponse(status=204)
    messages.success(
        request, _("Saved. You can close this page now and come back later with the same link: your ticks are kept.")
    )
    return redirect(page, token)


def returning_to_review(request) -> bool:
    """Whether the patient came to this step from the review page's "Change" link (?from=review),
    carried through the form as a hidden field so an error on the way doesn't lose it."""
    return request.GET.get("from") == "review" or request.POST.get("return_to") == "review"


def saved_step_goes_to(request, consent_request, next_page: str, token: str):
    """After a step is saved: back to the review page when the patient came from it and every later
    step is still complete (they confirm the review again), else on to the next step."""
    if returning_to_review(request) and consent_request.progress >= Step.QUESTIONS:
        return redirect("journey:review", token)
    return redirect(next_page, token)


def step_url(consent_request, step: Step, token: str) -> str:
    return reverse(STEP_URLS[step], args=[token])


def next_step(consent_request) -> Step:
    """The first step the patient hasn't completed: where "continue" takes them."""
    return (
        Step(min(consent_request.progress + 1, Step.DECIDE))
        if consent_request.progress >= Step.IDENTITY
        else Step.IDENTITY
    )


def patient_page(step: Step | None = None, *, finished_ok: bool = False):
    """Guard a journey page.

    step: the journey step this page is (None for pages outside the steps).
    Pages after the identity check need it done in this browser session; a
    step can't be opened before the one before it is complete; a finished
    case (signed, declined, withdrawn) goes to its done page unless
    `finished_ok` (pages that serve finished cases, like the PDF download).
    """

    def decorator(view):
        @functools.wraps(view)
        @never_cache
        def wrapper(request, token, *args, **kwargs):
            consent_request = services.find_request_by_token(token)
            if consent_request is not None:
                consent_request = services.expire_if_due(consent_request)
            # Everything this page says (messages and redirects included) is in the patient's language.
            with translation.override(
                consent_request.language if consent_request is not None else settings.LANGUAGE_CODE
            ):
                response = guarded(request, consent_request, token, *args, **kwargs)
            # The link is the only key to the case: never send it anywhere as a Referer. Browsers then
            # post our forms with `Origin: null`, which config.security's CSRF middleware accepts on /c/.
            response["Referrer-Policy"] = "no-referrer"
            if consent_request is not None and consent_request.link_is_usable:
                response["Content-Language"] = consent_request.language
            return response

        def guarded(request, consent_request, token, *args, **kwargs):
            if consent_request is None or not consent_request.link_is_usable:
                response = link_problem(request)
            elif consent_request.is_open and consent_request.procedure_version.procedure.is_retired:
                response = no_longer_available(request)  # finished cases keep their record, retired or not
            elif step in (Step.WELCOME, Step.IDENTITY):
                response = view(request, consent_request, token, *args, **kwargs)
            elif str(consent_request.public_id) not in request.session.get(VERIFIED_SESSION_KEY, []):
                response = redirect("journey:identity", token)
            elif not consent_request.is_open and not finished_ok:
                response = redirect("journey:done", token)
            elif step is not None and step > next_step(consent_request):
                messages.info(request, _("Please finish this step first. Your answers so far are saved."))
                response = redirect(step_url(consent_request, next_step(consent_request), token))
            else:
                response = view(request, consent_request, token, *args, **kwargs)
            return response

        return wrapper

    return decorator


# The journey pages the templates link to, by URL name (`{{ urls.risks }}`). The sign page is
# reached only through the decision form, so it isn't here.
JOURNEY_PAGES = (
    "welcome",
    "language",
    "identity",
    "about",
    "risks",
    "preparing",
    "understanding",
    "questions",
    "review",
    "decide",
    "done",
    "withdraw",
    "information_pdf",
    "consent_pdf",
    "withdrawal_pdf",
)


def journey_urls(token: str) -> dict[str, str]:
    return {name: reverse(f"journey:{name}", args=[token]) for name in JOURNEY_PAGES}


# The pages a patient goes through, in order: what "Step N of M" counts. Checking the answers,
# deciding and signing are pages of their own, though they share the last step of progress.
NUMBERED_PAGES = (
    "welcome",
    "identity",
    "about",
    "risks",
    "preparing",
    "understanding",
    "questions",
    "review",
    "decide",
    "sign",
)


def journey_context(
    consent_request,
    token: str | None,
    step: Step | None,
    *,
    urls: dict[str, str] | None = None,
    page: str = "",
    **extra,
) -> dict:
    """What every journey template reads.

    `urls` is where the page's links go, by page name: the patient's own pages
    for their link unless given. The admin's preview gives its own (preview
    pages only), so the same templates never link a preview to a real case.
    """
    urls = journey_urls(token) if urls is None else urls
    # The patient reads the version in their language (the admin's preview has only English).
    content = getattr(consent_request, "patient_content", None) or consent_request.content
    context = {
        "consent_request": consent_request,
        "content": content,
        "urls": urls,
        "step": step,
        "step_count": len(NUMBERED_PAGES),
        "page_number": NUMBERED_PAGES.index(page or STEP_URLS[step].removeprefix("journey:")) + 1 if step else None,
        "steps": Step,
    }
    if step and step > Step.WELCOME:
        previous_page = STEP_URLS[Step(step - 1)].removeprefix("journey:")
        context["back_url"] = urls[previous_page] if step > Step.IDENTITY + 1 else None
    context.update(extra)
    return context


def language_choices(consent_request) -> list[dict]:
    """The languages the patient can pick, each named in its own language, the current one marked."""
    return [
        {"code": code, "label": Language(code).label, "current": code == consent_request.language}
        for code in consent_request.available_languages
        if code in Language.values
    ]


@patient_page(Step.WELCOME)
def welcome(request, consent_request, token):
    verified = str(consent_request.public_id) in request.session.get(VERIFIED_SESSION_KEY, [])
    continue_url = (
        step_url(consent_request, next_step(consent_request), token)
        if verified
        else reverse("journey:identity", args=[token])
    )
    if verified and consent_request.status in state.DECIDED and consent_request.progress >= Step.DECIDE:
        continue_url = reverse("journey:done", args=[token])
    choices = language_choices(consent_request)
    preferred = consent_request.patient.preferred_language
    return render(
        request,
        "consent/welcome.html",
        journey_context(
            consent_request,
            token,
            Step.WELCOME,
            verified=verified,
            continue_url=continue_url,
            # Once signed, the language is part of the record.
            language_choices=choices if len(choices) > 1 and not hasattr(consent_request, "signature") else [],
            # Told in the patient's own language when the information isn't available in it.
            missing_language=preferred if preferred not in consent_request.available_languages else None,
        ),
    )


@patient_page(Step.WELCOME)
@require_POST
def choose_language(request, consent_request, token):
    """The language picker on the welcome page: works without JavaScript, audited by the service."""
    form = forms.LanguageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please choose one of the languages listed."))
        return redirect("journey:welcome", token)
    try:
        consent_request = services.choose_language(
            consent_request=consent_request, language=form.cleaned_data["language"], ip=client_ip(request)
        )
    except ConsentError as error:
        messages.error(request, str(error))
    return redirect("journey:welcome", token)


@limit_identity_checks
@patient_page(Step.IDENTITY)
def identity(request, consent_request, token):
    form = forms.DateOfBirthForm(posted(request))
    if request.method == "POST" and form.is_valid():
        result = services.verify_identity(
            consent_request=consent_request, date_of_birth=form.cleaned_data["date_of_birth"], ip=client_ip(request)
        )
        if result.ok:
            # A new session id at the moment of trust, so an earlier one can't ride along.
            request.session.cycle_key()
            verified = request.session.get(VERIFIED_SESSION_KEY, [])
            request.session[VERIFIED_SESSION_KEY] = [*verified, str(consent_request.public_id)]
            consent_request.refresh_from_db()
            if consent_request.is_finished:
                return redirect("journey:done", token)
            # Back from an idle timeout: to the page they were on.
            return redirect(
                page_to_return_to(request, token) or step_url(consent_request, next_step(consent_request), token)
            )
        if result.attempts_left == 0:
            return link_problem(request)
        message = ngettext(
            "That date of birth doesn't match our records. Please check it and try again. You have %(count)d try left.",
            "That date of birth doesn't match our records. Please check it and try again. "
            "You have %(count)d tries left.",
            result.attempts_left,
        ) % {"count": result.attempts_left}
        if result.attempts_left == 1:
            message += " " + _(
                "If this one is wrong too, the link will lock. Then call %(clinic)s on %(phone)s and they "
                "will send you a new link."
            ) % {"clinic": settings.CLINIC_NAME, "phone": settings.CLINIC_PHONE}
        form.add_error(None, message)
    return render(request, "consent/identity.html", journey_context(consent_request, token, Step.IDENTITY, form=form))


@patient_page(Step.ABOUT)
def about(request, consent_request, token):
    if request.method == "POST":
        try:
            services.read_about(consent_request=consent_request, ip=client_ip(request))
        except ConsentError as error:
            messages.error(request, str(error))
            return redirect("journey:done", token)
        return saved_step_goes_to(request, consent_request, "journey:risks", token)
    return render(
        request,
        "consent/about.html",
        journey_context(consent_request, token, Step.ABOUT, return_to_review=returning_to_review(request)),
    )


@patient_page(Step.RISKS)
def risks(request, consent_request, token):
    risk_list = consent_request.patient_content["risks"]
    saved = consent_request.saved_acknowledgements("risk")
    initial = {}
    for key, row in saved.items():
        initial[f"ack_{key}"] = row.acknowledged_at is not None
        initial[f"discuss_{key}"] = row.wants_to_discuss
    form = forms.RisksForm(posted(request), risks=risk_list, initial=initial)
    if request.method == "POST" and form.is_valid() and saving_only(request):
        services.save_risk_answers(
            consent_request=consent_request,
            acknowledged=form.keys("ack"),
            to_discuss=form.keys("discuss"),
            ip=client_ip(request),
            finish=False,
        )
        return saved_for_later(request, "journey:risks", token)
    if request.method == "POST" and form.is_valid():
        missing = services.save_risk_answers(
            consent_request=consent_request,
            acknowledged=form.keys("ack"),
            to_discuss=form.keys("discuss"),
            ip=client_ip(request),
        )
        if not missing:
            return saved_step_goes_to(request, consent_request, "journey:preparing", token)
        for risk in risk_list:
            if risk["title"] in missing:
                form.add_error(
                    f"ack_{risk['key']}",
                    _("Please tick to show you understand: %(risk)s.") % {"risk": risk["title"]},
                )
    cards = [
        {
            "risk": risk,
            "ack": form[f"ack_{risk['key']}"] if risk["is_material"] else None,
            "discuss": form[f"discuss_{risk['key']}"],
        }
        for risk in risk_list
    ]
    return render(
        request,
        "consent/risks.html",
        journey_context(
            consent_request, token, Step.RISKS, form=form, cards=cards, return_to_review=returning_to_review(request)
        ),
    )


def saved_blood_thinners(consent_request) -> dict:
    """The "Which one?" answers as the preparing form's initial values."""
    rows = list(consent_request.blood_thinner_answers.all())
    other = next((row.name for row in rows if row.kind == "other"), "")
    return {
        "bt_drugs": [row.drug_id for row in rows if row.kind == "listed" and row.drug_id],
        "bt_other": bool(other),
        "bt_other_name": other,
        "bt_not_sure": any(row.kind == "not_sure" for row in rows),
    }


def named_blood_thinners(form) -> blood_thinners.Named:
    if "bt_drugs" not in form.fields:
        return blood_thinners.Named()
    data = form.cleaned_data
    # A name typed without ticking "Another medicine" still counts: without JavaScript that is easy to do.
    other = data["bt_other_name"] if data["bt_other"] or data["bt_other_name"] else ""
    return blood_thinners.Named(drugs=tuple(data["bt_drugs"]), other_name=other, not_sure=data["bt_not_sure"])


@patient_page(Step.PREPARING)
def preparing(request, consent_request, token):
    content = consent_request.patient_content
    steps = content["preparation_steps"]
    questions = consent_request.patient_questions(content)
    thinner_question = blood_thinners.blood_thinner_question(consent_request, content)
    initial = {
        f"ack_{key}": row.acknowledged_at is not None
        for key, row in consent_request.saved_acknowledgements("step").items()
    }
    initial.update({f"answer_{a.item_key}": a.answer for a in consent_request.checklist_answers.all()})
    if thinner_question:
        initial.update(saved_blood_thinners(consent_request))
    form = forms.PreparingForm(
        posted(request),
        steps=steps,
        questions=questions,
        blood_thinners=blood_thinners.offered() if thinner_question else None,
        initial=initial,
    )
    if request.method == "POST" and saving_only(request) and not form.is_valid():
        return HttpResponse(status=400) if is_autosave(request) else redirect("journey:preparing", token)
    if request.method == "POST" and form.is_valid():
        try:
            missing_steps, unanswered, thinner_missing = blood_thinners.save_preparation_answers(
                consent_request=consent_request,
                acknowledged=form.keys("ack"),
                answers=form.answers(),
                named=named_blood_thinners(form),
                ip=client_ip(request),
                finish=not saving_only(request),
            )
        except ConsentError as error:
            if is_autosave(request):
                return HttpResponse(status=400)
            form.add_error("bt_drugs" if "bt_drugs" in form.fields else None, str(error))
        else:
            if saving_only(request):
                return saved_for_later(request, "journey:preparing", token)
            if not missing_steps and not unanswered and not thinner_missing:
                for item in questions:
                    if form.answers().get(item["key"]) != item["expected_answer"]:
                        messages.warning(request, answer_prompt(item))  # said at once with JavaScript; here too
                return saved_step_goes_to(request, consent_request, "journey:understanding", token)
            for step in steps:
                if step["instruction"] in missing_steps:
                    form.add_error(f"ack_{step['key']}", _("Please tick to show you will do this."))
            for item in questions:
                if item["patient_question"] in unanswered:
                    form.add_error(f"answer_{item['key']}", _("Please choose an answer. “Not sure” is fine."))
            if thinner_missing:
                if form.cleaned_data.get("bt_other") and not form.cleaned_data.get("bt_other_name"):
                    form.add_error(
                        "bt_other_name", _("Type the medicine's name, or choose “I'm not sure of the name”.")
                    )
                else:
                    form.add_error("bt_drugs", thinner_missing)
    step_fields = [{**row, "ack": form[f"ack_{row['step']['key']}"]} for row in consent_request.dated_steps(content)]
    question_fields = [
        {
            "item": item,
            "field": form[f"answer_{item['key']}"],
            "prompt": answer_prompt(item),
            "show_prompt": form[f"answer_{item['key']}"].value() not in (None, "", item["expected_answer"]),
            "blood_thinners": thinner_question is not None and item["key"] == thinner_question["key"],
        }
        for item in questions
    ]
    return render(
        request,
        "consent/preparing.html",
        journey_context(
            consent_request,
            token,
            Step.PREPARING,
            form=form,
            step_fields=step_fields,
            question_fields=question_fields,
            return_to_review=returning_to_review(request),
        ),
    )


@patient_page(Step.UNDERSTANDING)
def understanding(request, consent_request, token):
    questions = consent_request.patient_content["questions"]
    saved = {str(a.question_key): a for a in consent_request.quiz_answers.all()}
    initial = {f"q_{key}": a.latest_choice for key, a in saved.items() if a.is_correct}
    form = forms.UnderstandingForm(posted(request), questions=questions, initial=initial)
    wrong: set[str] = set()
    answered: dict[str, int] = {}
    if request.method == "POST" and form.is_valid():
        answered = form.answers()
        not_yet_right = services.answer_quiz(consent_request=consent_request, answers=answered, ip=client_ip(request))
        if not not_yet_right:
            return saved_step_goes_to(request, consent_request, "journey:questions", token)
        wrong = {key for key in not_yet_right if key in answered}
        for question in questions:
            if question["key"] in not_yet_right and question["key"] not in answered:
                form.add_error(f"q_{question['key']}", _("Please choose an answer."))
    items = [
        {
            "question": question,
            "field": form[f"q_{question['key']}"],
            "wrong": question["key"] in wrong,
            "right": question["key"] in answered and question["key"] not in wrong,
        }
        for question in questions
    ]
    return render(
        request,
        "consent/understanding.html",
        journey_context(
            consent_request,
            token,
            Step.UNDERSTANDING,
            form=form,
            items=items,
            return_to_review=returning_to_review(request),
        ),
    )


@patient_page(Step.QUESTIONS)
def questions(request, consent_request, token):
    form = forms.QuestionsForm(posted(request), initial={"wants_discussion": consent_request.wants_discussion})
    if request.method == "POST" and form.is_valid():
        services.save_questions(
            consent_request=consent_request,
            text=form.cleaned_data["question"],
            wants_discussion=form.cleaned_data["wants_discussion"],
            ip=client_ip(request),
        )
        return redirect("journey:review", token)
    return render(
        request,
        "consent/questions.html",
        journey_context(
            consent_request,
            token,
            Step.QUESTIONS,
            form=form,
            asked=consent_request.questions.all(),
            return_to_review=returning_to_review(request),
        ),
    )


@patient_page(Step.DECIDE)
def review(request, consent_request, token):
    form = forms.ReviewForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.confirm_review(consent_request=consent_request, ip=client_ip(request))
        except services.AnswersIncomplete as missing:
            messages.error(request, str(missing))
            return redirect(step_url(consent_request, missing.step, token))
        return redirect("journey:decide", token)
    return render(
        request,
        "consent/review.html",
        journey_context(
            consent_request, token, Step.DECIDE, form=form, summary=consent_request.answers_summary(for_patient=True)
        ),
    )


@patient_page(Step.DECIDE)
def decide(request, consent_request, token):
    if not consent_request.review_confirmed_at:
        messages.info(request, _("Please check your answers before you decide."))
        return redirect("journey:review", token)
    form = forms.DecisionForm(posted(request), procedure_name=consent_request.patient_content["name"])
    if request.method == "POST" and form.is_valid():
        decision = form.cleaned_data["decision"]
        if decision == Decision.DISCUSS:
            services.need_to_talk(consent_request=consent_request, ip=client_ip(request))
            return redirect("journey:done", token)
        return redirect("journey:sign", token, decision)
    context = journey_context(consent_request, token, Step.DECIDE, form=form, page="decide")
    context["back_url"] = reverse("journey:review", args=[token])
    return render(request, "consent/decide.html", context)


@patient_page(Step.DECIDE, finished_ok=True)
def sign(request, consent_request, token, decision):
    if decision not in (Decision.CONSENT, Decision.DECLINE):
        raise Http404
    if hasattr(consent_request, "signature"):
        # Already signed: a second submit (back button, second tab) shows the same confirmation.
        return redirect("journey:done", token)
    if consent_request.is_finished:
        return redirect("journey:done", token)
    if not consent_request.review_confirmed_at:
        return redirect("journey:review", token)
    action = request.POST.get("action")
    if request.method == "POST" and action in ("back", "draft"):
        # Leaving the sign page unsigned: keep what was typed and drawn (see templates/consent/sign.html).
        with contextlib.suppress(ConsentError):  # nothing left to keep: the case moved on
            services.save_sign_draft(consent_request=consent_request, draft=request.POST, ip=client_ip(request))
        return HttpResponse(status=204) if action == "draft" else redirect("journey:decide", token)
    form = forms.SignForm(posted(request), initial=consent_request.sign_draft)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.sign(
                consent_request=consent_request,
                decision=decision,
                typed_name=data["typed_name"],
                signer=data["signer"],
                representative_name=data["representative_name"],
                representative_relationship=data["representative_relationship"],
                interpreter_name=data["interpreter_name"],
                interpreter_language=data["interpreter_language"],
                drawn_signature=data["drawn_signature"],
                ip=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
        except ConsentError as error:
            form.add_error("typed_name" if isinstance(error, NameMismatch) else None, str(error))
        else:
            return redirect("journey:done", token)
    statements = {
        signer: services.signing_statement(consent_request=consent_request, decision=decision, signer=signer)
        for signer in ("patient", "representative")
    }
    context = journey_context(
        consent_request, token, Step.DECIDE, form=form, decision=decision, statements=statements, page="sign"
    )
    # No "Back" link above the form: its "Back" button keeps what was entered (a link would lose it).
    context["back_url"] = None
    return render(request, "consent/sign.html", context)


@patient_page(None, finished_ok=True)
def done(request, consent_request, token):
    if consent_request.status not in state.DECIDED:
        return redirect(step_url(consent_request, next_step(consent_request), token))
    signature = getattr(consent_request, "signature", None)
    document = ConsentDocument.objects.filter(signature=signature).first() if signature else None
    return render(
        request,
        "consent/done.html",
        journey_context(
            consent_request,
            token,
            None,
            signature=signature,
            document=document,
            withdrawal_document=WithdrawalDocument.objects.filter(request=consent_request).first(),
            # Taken on paper, in person or by telephone: said as such, with no e-signed record to download.
            staff_record=getattr(consent_request, "staff_record", None),
            dated_steps=consent_request.dated_steps(consent_request.patient_content),
            blood_thinner_plans=blood_thinners.confirmed_for_patient(consent_request),
        ),
    )


@patient_page(None, finished_ok=True)
def withdraw(request, consent_request, token):
    form = forms.WithdrawForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_consent(
                consent_request=consent_request, reason=form.cleaned_data["reason"], ip=client_ip(request)
            )
        except ConsentError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Your consent has been withdrawn. The care team will contact you."))
        return redirect("journey:done", token)
    if not consent_request.can_withdraw:
        return redirect("journey:done", token)
    return render(request, "consent/withdraw.html", journey_context(consent_request, token, None, form=form))


@patient_page(None, finished_ok=True)
def information_pdf(request, consent_request, token):
    from records.pdf import render_information_pdf  # here: WeasyPrint is slow to load, and few ask for this

    version = consent_request.procedure_version
    suffix = "" if consent_request.language == Language.ENGLISH else f"-{consent_request.language}"
    filename = f"information-{version.procedure.slug}-version-{version.number}{suffix}.pdf"
    return pdf_response(render_information_pdf(consent_request), filename)


@patient_page(None, finished_ok=True)
def consent_pdf(request, consent_request, token):
    signature = getattr(consent_request, "signature", None)
    if signature is None and consent_request.is_recorded_by_staff:
        return redirect("journey:done", token)  # recorded by the clinic: its done page says so
    if signature is None:
        # Nothing is signed yet: back to where the patient is, with a word about why.
        messages.info(request, _("Your signed record will be ready to download once you have signed."))
        return redirect(step_url(consent_request, next_step(consent_request), token))
    if settings.PROCEED_TASK_BACKEND == "immediate":
        document = documents.render_document_safely(signature)  # development: render it now if pending
    else:  # the workers render it: a patient's request never does (the done page waits for it)
        document = ConsentDocument.objects.filter(signature=signature).first()
    if document is None:
        return render(request, "consent/pdf_pending.html", journey_context(consent_request, token, None), status=503)
    kind = "consent" if signature.decision == Decision.CONSENT else "decision"
    day = timezone.localdate(consent_request.appointment_at)
    filename = f"{kind}-{consent_request.procedure_version.procedure.slug}-{day:%Y-%m-%d}.pdf"
    return pdf_response(document.file.open("rb"), filename)


@patient_page(None, finished_ok=True)
def withdrawal_pdf(request, consent_request, token):
    """The sealed record of the patient's withdrawal (rendered now if still pending)."""
    if consent_request.withdrawn_at is None or not hasattr(consent_request, "signature"):
        messages.info(request, _("There is no withdrawal to download."))
        return redirect("journey:done", token)
    document = documents.render_withdrawal_document_safely(consent_request)
    if document is None:
        return render(request, "consent/pdf_pending.html", journey_context(consent_request, token, None), status=503)
    return pdf_response(document.file.open("rb"), f"withdrawal-{consent_request.procedure_version.procedure.slug}.pdf")
