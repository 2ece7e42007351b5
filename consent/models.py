"""One patient's case: the request, the journey's answers, the signature and the record.

State changes happen only in `consent.services`; views never set `status`.
"""

from __future__ import annotations

import datetime
import unicodedata
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consent import state
from consent.state import Status
from consent.storage import private_storage
from procedures.immutable import ImmutableModel
from procedures.models import PatientAnswer, ProcedureVersion
from procedures.readability import estimated_minutes
from procedures.roles import staff_name
from procedures.translations import available_languages, localised


class Language(models.TextChoices):
    """The languages a patient can use. Each is labelled in its own language, so a patient finds theirs."""

    ENGLISH = "en", "English"
    SPANISH = "es", "Español"


# For staff, who may read only English: "Spanish (español)".
LANGUAGE_NAMES_IN_ENGLISH = {Language.ENGLISH: "English", Language.SPANISH: "Spanish"}


def language_for_staff(code: str) -> str:
    """The language's name as an English-reading nurse understands it, e.g. "Spanish (Español)"."""
    english = LANGUAGE_NAMES_IN_ENGLISH.get(code, code)
    own = Language(code).label if code in Language.values else code
    return english if english == own else f"{english} ({own})"


def language_marker_for_staff(*, language: str, preferred: str) -> str:
    """The dashboard's marker beside a name: the language the patient reads in, and the one their
    record prefers when that differs ("English · prefers Spanish (Español)"); nothing for English."""
    if preferred == language:
        return "" if language == Language.ENGLISH else language_for_staff(language)
    return f"{language_for_staff(language)} · prefers {language_for_staff(preferred)}"


def searchable(text: str) -> str:
    """Text as a search compares it, on any database: no accents, case folded ("Fernández" → "fernandez")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().split())


# Apostrophes join their words ("can't" is "cant"); any other punctuation or symbol parts them.
APOSTROPHES = str.maketrans("", "", "'’`´")


def normalise_question(text: str) -> str:
    """A patient's question as the clinic's "common questions" compare it: `searchable`, without
    punctuation ("Can I drive afterwards?" and "can i drive  afterwards" are the same question)."""
    kept = (ch if not unicodedata.category(ch).startswith(("P", "S")) else " " for ch in text.translate(APOSTROPHES))
    return searchable("".join(kept))


def normalise_mrn(value: str) -> str:
    """One spelling of a medical record number: upper case, with no spaces ("seed-000297 " and
    "SEED - 000297" are both "SEED-000297"). Every lookup and every new record uses it, so a number
    typed in another case or with stray spaces finds the same patient."""
    return "".join(value.split()).upper()


class PregnancyPossible(models.TextChoices):
    """What the patient's record says about whether they could be pregnant (asks a question or not)."""

    NOT_RECORDED = "", "Not recorded"
    YES = "yes", "Yes, could be pregnant"
    NO = "no", "No, cannot be pregnant"


class Patient(models.Model):
    full_name = models.CharField(max_length=200)
    date_of_birth = models.DateField()
    mrn = models.CharField("Medical record number", max_length=50, unique=True)
    # The patient's opaque id for other systems (webhooks' and FHIR's "Patient/<public_id>"): never the
    # record number, nor the database id (which would tell them how many patients there are).
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    preferred_language = models.CharField(max_length=10, choices=Language.choices, default=Language.ENGLISH)
    could_be_pregnant = models.CharField(
        "Could the patient be pregnant?", max_length=3, choices=PregnancyPossible.choices, blank=True, default=""
    )
    # The name as a search compares it (`searchable`): kept in step with `full_name` on every save.
    search_name = models.CharField(max_length=200, blank=True, editable=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["full_name"]

    def __str__(self) -> str:
        # Only the internal id: this string can reach logs (e.g. Django's DEBUG template records).
        return f"Patient {self.pk}"

    def save(self, *args, **kwargs):
        self.search_name = searchable(self.full_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "full_name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "search_name"}
        super().save(*args, **kwargs)


# Wrong dates of birth in a row after which the link refuses until a nurse issues a new one.
MAX_IDENTITY_ATTEMPTS = 5


class Step(models.IntegerChoices):
    """The patient journey, in order. Progress is the highest step completed."""

    WELCOME = 1, _("Welcome")
    IDENTITY = 2, _("Check it's you")
    ABOUT = 3, _("About the procedure")
    RISKS = 4, _("Risks")
    PREPARING = 5, _("Preparing")
    UNDERSTANDING = 6, _("Check your understanding")
    QUESTIONS = 7, _("Your questions")
    DECIDE = 8, _("Decide and sign")


class ConsentRequest(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="requests")
    procedure_version = models.ForeignKey(ProcedureVersion, on_delete=models.PROTECT, related_name="requests")
    appointment_at = models.DateTimeField()
    clinician = models.CharField("Responsible clinician", max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CREATED)
    # Only a SHA-256 of the invite token is kept: the token itself exists only in
    # the link given to the patient.
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    failed_identity_attempts = models.PositiveSmallIntegerField(default=0)
    progress = models.PositiveSmallIntegerField(choices=Step.choices, default=0)
    review_confirmed_at = models.DateTimeField(null=True, blank=True)
    wants_discussion = models.BooleanField("Asked to talk to someone before deciding", default=False)
    decided_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)
    cancel_reason = models.TextField(blank=True)
    # The nurse looking after the request (the dashboard's "Assigned to me").
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Kept by the services as entries are recorded, so the dashboard can show
    # "5 of 8" for thousands of rows without reading every entry.
    checklist_total = models.PositiveSmallIntegerField(default=0)
    checklist_complete = models.PositiveSmallIntegerField(default=0)
    # Set when a material change to the procedure is published after this request was signed.
    content_changed_at = models.DateTimeField(null=True, blank=True)
    # When a material change moved this unsigned request to a new version: what to tell the
    # patient when they come back ({"from": 1, "to": 2, "summary": "...", "changes": [...]}).
    content_update_notice = models.JSONField(default=dict, blank=True)
    # The language the patient reads the journey, their emails and their record in: the patient's
    # preferred language when the request is made, changed only by `services.choose_language`.
    language = models.CharField(max_length=10, choices=Language.choices, default=Language.ENGLISH)
    # What the patient typed and drew on the sign page before leaving it unsigned (going back, closing
    # the page), so nothing is lost: the sign form's fields by name. Emptied when they sign.
    sign_draft = models.JSONField(default=dict, blank=True, editable=False)
    # A re-consent request points at the signed request whose information changed materially.
    replaces = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by", editable=False
    )

    class Meta:
        ordering = ["appointment_at"]
        indexes = [
            models.Index(fields=["appointment_at", "status"]),
            models.Index(fields=["status", "appointment_at"]),
            # The records archive (/staff/records/): newest decision first, a page at a time after a
            # (decided_at, id) key, with or without one status.
            models.Index(fields=["decided_at", "id"], name="consent_req_decided_idx"),
            models.Index(fields=["status", "decided_at", "id"], name="consent_req_status_decided_idx"),
            models.Index(fields=["procedure_version", "decided_at", "id"], name="consent_req_vers_decided_idx"),
        ]

    def __str__(self) -> str:
        return f"Consent request {self.public_id}"

    @property
    def content(self) -> dict:
        """The version's content in English: what staff read."""
        return self.procedure_version.content

    @property
    def patient_content(self) -> dict:
        """The version's content in the language the patient uses: what the patient reads and signs."""
        return localised(self.procedure_version.content, self.language)

    @property
    def minutes_to_complete(self) -> int:
        """About how long the patient's journey takes, from the length of what they read, in their language."""
        return estimated_minutes(self.patient_content)

    @property
    def available_languages(self) -> list[str]:
        """The languages this request's version can be read in (English always)."""
        return available_languages(self.procedure_version.content)

    @property
    def language_for_staff(self) -> str:
        return language_for_staff(self.language)

    @property
    def preferred_language_missing(self) -> str | None:
        """The patient's preferred language when this version can't be read in it (so they read English)."""
        preferred = self.patient.preferred_language
        return None if preferred in self.available_languages else preferred

    @property
    def link_is_usable(self) -> bool:
        """Whether the link opens at all. A finished case is never locked by wrong dates of birth (its
        status is the record of a decision), but its link refuses after too many, like a locked one."""
        return (
            self.status not in state.DEAD_LINK
            and self.failed_identity_attempts < MAX_IDENTITY_ATTEMPTS
            and timezone.now() <= self.expires_at
        )

    # What the pages ask of a request, answered from the status table (consent.state) ----------

    @property
    def is_finished(self) -> bool:
        return self.status in state.FINISHED

    @property
    def is_open(self) -> bool:
        return self.status in state.OPEN

    @property
    def can_reissue_link(self) -> bool:
        """A new link for any case but a cancelled one; for a finished case it only reopens the way to its
        record (download, withdraw), never the journey."""
        return state.allows(state.Transition.REISSUE, self.status)

    @property
    def can_cancel(self) -> bool:
        return state.allows(state.Transition.CANCEL, self.status)

    @property
    def can_withdraw(self) -> bool:
        # Online withdrawal withdraws the patient's e-signature; a decision recorded by staff (a paper
        # form, say) is changed by calling the clinic.
        return state.may_withdraw(self.status, self.appointment_at) and not self.is_recorded_by_staff

    @property
    def can_record_by_staff(self) -> bool:
        """A nurse may record a consent or refusal taken outside the link (paper, in person, telephone)."""
        return state.allows(state.Transition.RECORD_CONSENT_BY_STAFF, self.status)

    @property
    def is_recorded_by_staff(self) -> bool:
        """The decision was recorded by staff (`StaffRecordedConsent`): there is no patient e-signature."""
        return hasattr(self, "staff_record")

    @property
    def can_confirm(self) -> bool:
        """The nurse may confirm on the day once the patient has signed and the checklist is signed off (and,
        where the clinic requires it, `PROCEED_REQUIRE_COUNTERSIGNATURE`, the clinician has countersigned)."""
        return (
            state.allows(state.Transition.CONFIRM, self.status)
            and hasattr(self, "checklist_sign_off")
            and not self.confirmation_awaits_countersignature
        )

    @property
    def is_countersignable(self) -> bool:
        """The patient (or their representative) e-signed consent and still consents: the clinician's
        statement belongs with it. (Consent recorded by staff on paper has no e-signature: not this.)"""
        signature = getattr(self, "signature", None)
        return self.status in state.CONSENTED and signature is not None and signature.decision == Decision.CONSENT

    @property
    def awaiting_countersignature(self) -> bool:
        """Consented with the patient's e-signature, and the clinician hasn't countersigned yet."""
        return self.is_countersignable and not hasattr(self, "countersignature")

    @property
    def confirmation_awaits_countersignature(self) -> bool:
        """The clinic requires the countersignature before the day-of confirmation, and it isn't there yet."""
        return settings.PROCEED_REQUIRE_COUNTERSIGNATURE and self.awaiting_countersignature

    @property
    def is_confirmation_day(self) -> bool:
        """The appointment's day in the clinic's time zone (or `PROCEED_CONFIRM_DAYS_BEFORE` days before it)."""
        day, today = timezone.localdate(self.appointment_at), timezone.localdate()
        return day - datetime.timedelta(days=settings.PROCEED_CONFIRM_DAYS_BEFORE) <= today <= day

    @property
    def needs_reconsent(self) -> bool:
        """Signed on a version that has since changed materially: a re-consent request may be sent."""
        return self.status in state.CONSENTED and self.content_changed_at is not None

    @property
    def age_at_appointment(self) -> int:
        born, day = self.patient.date_of_birth, timezone.localdate(self.appointment_at)
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def asks(self, item: dict) -> bool:
        """Whether this checklist item's question is put to this patient: it has one, their age at the
        appointment is in its range, and (if it asks) their record doesn't say they cannot be pregnant."""
        if not item["patient_question"]:
            return False
        age = self.age_at_appointment
        if item.get("ask_min_age") is not None and age < item["ask_min_age"]:
            return False
        if item.get("ask_max_age") is not None and age > item["ask_max_age"]:
            return False
        return not (
            item.get("ask_only_if_could_be_pregnant") and self.patient.could_be_pregnant == PregnancyPossible.NO
        )

    def step_due_on(self, step: dict) -> datetime.date | None:
        """The day a preparation step must be done by, for this appointment (None: no set day)."""
        if step.get("days_before") is None:
            return None
        return timezone.localdate(self.appointment_at) - datetime.timedelta(days=step["days_before"])

    def dated_steps(self, content: dict) -> list[dict]:
        """Each preparation step with its real date and whether that date has passed (in the clinic's time)."""
        today = timezone.localdate()
        rows = []
        for step in content["preparation_steps"]:
            due = self.step_due_on(step)
            rows.append({"step": step, "due_on": due, "overdue": due is not None and due < today})
        return rows

    def patient_questions(self, content: dict) -> list[dict]:
        """The checklist items whose question this patient is asked, from `content` (in any language)."""
        return [item for item in content["checklist_items"] if self.asks(item)]

    def saved_acknowledgements(self, kind: str) -> dict[str, Acknowledgement]:
        return {str(row.item_key): row for row in self.acknowledgements.filter(kind=kind)}

    def answers_summary(self, *, for_patient: bool = False) -> dict:
        """Everything the patient acknowledged, marked, answered and asked, item by item.

        The patient's review page (`for_patient`: in their language) and the nurse's
        case page (in English) both show this.
        """
        content = self.patient_content if for_patient else self.content
        risk_rows = self.saved_acknowledgements(Acknowledgement.Kind.RISK)
        step_rows = self.saved_acknowledgements(Acknowledgement.Kind.STEP)
        answers = {str(a.item_key): a for a in self.checklist_answers.all()}
        quiz = {str(a.question_key): a for a in self.quiz_answers.all()}
        return {
            "risks": [{"risk": risk, "row": risk_rows.get(risk["key"])} for risk in content["risks"]],
            "steps": [{"step": step, "row": step_rows.get(step["key"])} for step in content["preparation_steps"]],
            "answers": [{"item": item, "answer": answers.get(item["key"])} for item in self.patient_questions(content)],
            "quiz": [
                {"question": q, "answer": quiz.get(q["key"]), "choice": q["choices"][q["correct_choice"] - 1]}
                for q in content["questions"]
            ],
            "asked": list(self.questions.all()),
        }


class Acknowledgement(models.Model):
    """The patient's answer to one risk or preparation step of the version they saw."""

    class Kind(models.TextChoices):
        RISK = "risk", "Risk"
        STEP = "step", "Preparation step"

    request = models.ForeignKey(ConsentRequest, on_delete=models.CASCADE, related_name="acknowledgements")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    item_key = models.UUIDField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    wants_to_discuss = models.BooleanField(default=False)
    # A preparation step with a set day that the patient was shown only after that day had passed:
    # the day it was due and the day they saw it (flagged to the nurse).
    due_on = models.DateField(null=True, blank=True)
    shown_late_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "kind", "item_key"], name="one_acknowledgement_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} acknowledgement {self.item_key}"


class ChecklistAnswer(models.Model):
    """The patient's own answer to a checklist item's question ("Do you take blood thinners?")."""

    request = models.ForeignKey(ConsentRequest, on_delete=models.CASCADE, related_name="checklist_answers")
    item_key = models.UUIDField()
    answer = models.CharField(max_length=10, choices=PatientAnswer.choices)
    answered_at = models.DateTimeField(default=timezone.now)
    # Not the answer that needs no follow-up ("Yes" to a blood thinner, "Not sure"): the dashboard flags it.
    needs_attention = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "item_key"], name="one_answer_per_checklist_item")]

    def __str__(self) -> str:
        return f"Answer to checklist item {self.item_key}"


class BloodThinnerAnswer(models.Model):
    """A blood thinner the patient says they take, named after answering "Yes" or "Not sure" to the question
    that asks which (`ChecklistItem.asks_about_blood_thinners`). One row a medicine; a patient may name several.

    `medicine_key` names the medicine across saves ("drug:<id>", "other:<name as searched>", "not_sure"),
    so the nurse's confirmed instructions (`BloodThinnerInstruction`) stay attached to it. `name` keeps the
    name as the patient picked or typed it, even if the table's row is later removed.
    """

    class Kind(models.TextChoices):
        LISTED = "listed", "From the clinic's table"
        OTHER = "other", "Another medicine (typed by the patient)"
        NOT_SURE = "not_sure", "Not sure of the name"

    request = models.ForeignKey(ConsentRequest, on_delete=models.CASCADE, related_name="blood_thinner_answers")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    drug = models.ForeignKey(
        "procedures.BloodThinner", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    name = models.CharField(max_length=200, blank=True)
    medicine_key = models.CharField(max_length=250)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["request", "medicine_key"], name="one_answer_per_blood_thinner")]

    def __str__(self) -> str:
        return f"Blood thinner answer {self.pk}"


class BloodThinnerInstruction(ImmutableModel):
    """A nurse's record of the plan for one blood thinner, as the prescriber agreed it: the last dose's date,
    or "keep taking it". Never changed: a new plan is a new row that supersedes the last (history is kept).

    It keeps a copy of what it was based on (the appointment, the class, the table's interval and the date
    suggested then), so a later change of any of them can be seen. It is shown to the patient only while it
    is the latest for its medicine and the appointment is still the one it was confirmed for.
    """

    class Plan(models.TextChoices):
        STOP = "stop", "Stop: last dose on a date"
        CONTINUE = "continue", "Keep taking it (the prescriber agreed)"

    request = models.ForeignKey(ConsentRequest, on_delete=models.PROTECT, related_name="blood_thinner_instructions")
    medicine_key = models.CharField(max_length=250)
    medicine_name = models.CharField(max_length=200)
    plan = models.CharField(max_length=10, choices=Plan.choices)
    last_dose_on = models.DateField(null=True, blank=True)
    suggested_last_dose_on = models.DateField(null=True, blank=True)
    appointment_at = models.DateTimeField()
    bleeding_risk = models.CharField(max_length=20, blank=True)
    stop_hours = models.PositiveIntegerField(null=True, blank=True)
    from_sample_values = models.BooleanField(default=False)
    reason = models.TextField(blank=True, help_text="Why the plan differs from the suggestion.")
    prescriber = models.CharField(max_length=200, help_text="Who agreed the plan.")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(default=timezone.now)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )

    class Meta:
        ordering = ["confirmed_at", "id"]
        indexes = [models.Index(fields=["request", "medicine_key"])]

    def __str__(self) -> str:
        return f"Blood-thinner instruction {self.pk}"


class QuizAnswer(models.Model):
    request = models.ForeignKey(ConsentRequest, on_delete=models.CASCADE, related_name="quiz_answers")
    question_key = models.UUIDField()
    first_choice = models.PositiveSmallIntegerField()
    first_try_correct = models.BooleanField()
    latest_choice = models.PositiveSmallIntegerField()
    is_correct = models.BooleanField()
    attempts = models.PositiveSmallIntegerField(default=1)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "question_key"], name="one_answer_per_question")]

    def __str__(self) -> str:
        return f"Answer to question {self.question_key}"


class PatientQuestion(models.Model):
    MAX_LENGTH = 1000

    request = models.ForeignKey(ConsentRequest, on_delete=models.CASCADE, related_name="questions")
    text = models.TextField(max_length=MAX_LENGTH)
    asked_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reply_note = models.TextField(blank=True)
    # The text as `normalise_question` makes it, so the content admin's page counts the questions many
    # patients ask in the database (GROUP BY), not by reading every question. Set on save; bulk_create
    # skips save, so whoever bulk-creates sets it too.
    normalised_text = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["asked_at", "id"]
        indexes = [models.Index(fields=["request", "answered_at"])]

    def __str__(self) -> str:
        return f"Question {self.pk}"

    def save(self, *args, **kwargs):
        self.normalised_text = normalise_question(self.text)
        if kwargs.get("update_fields") is not None and "text" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "normalised_text"}
        super().save(*args, **kwargs)


class Decision(models.TextChoices):
    CONSENT = "consent", _("I agree to have this procedure")
    DECLINE = "decline", _("I do not want to have this procedure")
    DISCUSS = "discuss", _("I need to talk to someone first")


class Signer(models.TextChoices):
    PATIENT = "patient", _("I am the patient")
    REPRESENTATIVE = "representative", _("I am signing for the patient")


class Signature(ImmutableModel):
    """What the patient (or their representative) signed, exactly as they saw it.

    One per request (the one-to-one is what makes a double submit harmless).
    """

    request = models.OneToOneField(ConsentRequest, on_delete=models.PROTECT, related_name="signature")
    document_id = models.CharField(max_length=32, unique=True)
    decision = models.CharField(max_length=10, choices=Decision.choices)
    typed_name = models.CharField(max_length=200)
    drawn_signature = models.TextField(blank=True, help_text="A PNG data URL, when one was drawn.")
    signer = models.CharField(max_length=20, choices=Signer.choices)
    representative_name = models.CharField(max_length=200, blank=True)
    representative_relationship = models.CharField(max_length=100, blank=True)
    interpreter_name = models.CharField(max_length=200, blank=True)
    interpreter_language = models.CharField(max_length=100, blank=True)
    statement = models.TextField()
    procedure_version = models.ForeignKey(ProcedureVersion, on_delete=models.PROTECT, related_name="+")
    # The language the patient read the information and the statement in (with the version: what they saw).
    language = models.CharField(max_length=10, choices=Language.choices, default=Language.ENGLISH)
    signed_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return f"Signature {self.document_id}"


class ChecklistState(models.TextChoices):
    DONE = "done", "Done"
    NOT_APPLICABLE = "not_applicable", "Not applicable"
    PROBLEM = "problem", "Problem"


class ChecklistEntry(ImmutableModel):
    """A nurse's mark on one checklist item. Never edited: a change or correction is a new entry.

    The item's state is its latest entry. After sign-off a new entry is a
    correction, and points at the entry it corrects.
    """

    request = models.ForeignKey(ConsentRequest, on_delete=models.PROTECT, related_name="checklist_entries")
    item_key = models.UUIDField()
    state = models.CharField(max_length=20, choices=ChecklistState.choices)
    note = models.TextField(blank=True, help_text="Why it is not applicable, or what the problem is.")
    # Given when the mark goes against what the patient said (or a question still waits): why.
    override_reason = models.TextField(blank=True)
    corrects = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "id"]
        indexes = [models.Index(fields=["request", "item_key", "recorded_at"])]

    def __str__(self) -> str:
        return f"Checklist entry {self.pk}"


class ChecklistSignOff(ImmutableModel):
    """A nurse's sign-off of the whole checklist, after re-entering their password."""

    request = models.OneToOneField(ConsentRequest, on_delete=models.PROTECT, related_name="checklist_sign_off")
    signed_off_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_off_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Checklist sign-off {self.pk}"


class ConsentDocument(ImmutableModel):
    """The rendered PDF, sealed by the clinic. Written once; its SHA-256 is kept beside it.

    The file is in the "private" storage (mode 0600, outside public media, no URL).
    """

    signature = models.OneToOneField(Signature, on_delete=models.PROTECT, related_name="document")
    file = models.FileField(upload_to="consent-documents/", storage=private_storage)
    sha256 = models.CharField(max_length=64)
    page_count = models.PositiveSmallIntegerField()
    rendered_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Consent document {self.signature.document_id}"


class CaseNote(ImmutableModel):
    """A nurse's free-text note on a case. Never edited: a later note corrects an earlier one."""

    request = models.ForeignKey(ConsentRequest, on_delete=models.PROTECT, related_name="notes")
    text = models.TextField(max_length=2000)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["written_at", "id"]

    def __str__(self) -> str:
        return f"Case note {self.pk}"


class WithdrawalDocument(ImmutableModel):
    """The sealed record of a withdrawal of consent: its own PDF, naming and hashing the consent record
    it withdraws (which itself never changes). Written once, like `ConsentDocument`, in private storage."""

    request = models.OneToOneField(ConsentRequest, on_delete=models.PROTECT, related_name="withdrawal_document")
    document_id = models.CharField(max_length=32, unique=True)
    withdraws = models.OneToOneField(ConsentDocument, on_delete=models.PROTECT, related_name="withdrawal")
    file = models.FileField(upload_to="withdrawal-documents/", storage=private_storage)
    sha256 = models.CharField(max_length=64)
    page_count = models.PositiveSmallIntegerField()
    rendered_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Withdrawal document {self.document_id}"


class StaffRecordMethod(models.TextChoices):
    """How a consent (or refusal) recorded by staff was obtained, outside the patient's link."""

    PAPER = "paper", "Paper consent form"
    IN_PERSON_DEVICE = "in_person_device", "In person, on the clinic's tablet or device"
    IN_PERSON_INTERPRETER = "in_person_interpreter", "In person, with an interpreter"
    TELEPHONE_INTERPRETER = "telephone_interpreter", "By telephone, with an interpreter"
    TELEPHONE = "telephone", "By telephone"


# The methods that need an interpreter's name and language.
INTERPRETER_METHODS = frozenset({StaffRecordMethod.IN_PERSON_INTERPRETER, StaffRecordMethod.TELEPHONE_INTERPRETER})
# The methods whose evidence is a document: a scan is required.
SCAN_REQUIRED_METHODS = frozenset({StaffRecordMethod.PAPER})
# What the patient is told their decision was recorded from (their done page), in their language.
STAFF_RECORD_METHOD_FOR_PATIENT = {
    StaffRecordMethod.PAPER: _("a paper consent form"),
    StaffRecordMethod.IN_PERSON_DEVICE: _("a conversation in person, on the clinic's tablet or device"),
    StaffRecordMethod.IN_PERSON_INTERPRETER: _("a conversation in person, with an interpreter"),
    StaffRecordMethod.TELEPHONE_INTERPRETER: _("a telephone call, with an interpreter"),
    StaffRecordMethod.TELEPHONE: _("a telephone call"),
}


class RecordedDecision(models.TextChoices):
    """The decision a member of staff records (the same values as a signature's `Decision`)."""

    CONSENT = "consent", "Consent: the patient agreed to the procedure"
    DECLINE = "decline", "Refusal: the patient decided not to have the procedure"


class StaffRecordedConsent(ImmutableModel):
    """A consent or refusal obtained outside the link (on paper, in person, by telephone), recorded by staff.

    Never a patient e-signature, and never shown as one: the case, the dashboard, the PDFs and the
    audit say "recorded by staff". The scan of the paper form (if any) is in the private storage
    under a neutral name (`<document_id>.<ext>`), with its type, size, pages and SHA-256 beside it.
    One per request (the one-to-one is what makes a double submit harmless).
    """

    request = models.OneToOneField(ConsentRequest, on_delete=models.PROTECT, related_name="staff_record")
    document_id = models.CharField(max_length=32, unique=True)
    decision = models.CharField(max_length=10, choices=RecordedDecision.choices)
    method = models.CharField(max_length=30, choices=StaffRecordMethod.choices)
    obtained_by_name = models.CharField("Obtained by", max_length=200)
    obtained_by_role = models.CharField("Their role", max_length=100, blank=True)
    obtained_at = models.DateTimeField()
    interpreter_name = models.CharField(max_length=200, blank=True)
    interpreter_language = models.CharField(max_length=100, blank=True)
    representative_name = models.CharField(max_length=200, blank=True)
    representative_relationship = models.CharField(max_length=100, blank=True)
    note = models.TextField(blank=True, max_length=2000)
    # The version the request was on when it was recorded: the information the discussion was about.
    procedure_version = models.ForeignKey(ProcedureVersion, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    scan = models.FileField(upload_to="staff-recorded-scans/", storage=private_storage, blank=True)
    scan_content_type = models.CharField(max_length=50, blank=True)
    scan_size = models.PositiveIntegerField(null=True, blank=True)
    scan_pages = models.PositiveSmallIntegerField(null=True, blank=True)
    scan_sha256 = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"Staff-recorded consent {self.document_id}"

    @property
    def needs_interpreter(self) -> bool:
        return self.method in INTERPRETER_METHODS

    @property
    def method_for_patient(self) -> str:
        return str(STAFF_RECORD_METHOD_FOR_PATIENT.get(self.method, self.get_method_display()))


class StaffRecordDocument(ImmutableModel):
    """The sealed cover record of a consent recorded by staff ("Recorded by staff — not the patient's
    electronic signature"), naming and hashing the scan. Written once, like `WithdrawalDocument`."""

    record = models.OneToOneField(StaffRecordedConsent, on_delete=models.PROTECT, related_name="document")
    document_id = models.CharField(max_length=32, unique=True)
    file = models.FileField(upload_to="staff-record-documents/", storage=private_storage)
    sha256 = models.CharField(max_length=64)
    page_count = models.PositiveSmallIntegerField()
    rendered_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Staff record document {self.document_id}"


class Countersignature(ImmutableModel):
    """The health professional's statement on a consented request, signed after re-entering their password.

    Modelled on the "Statement of health professional" of NHS Consent Form 1. Everything the record shows
    is copied here when it is signed (the clinician's name, job title and registration; each part of the
    statement), so it never depends on editable text. One per request: the one-to-one is what makes a
    double submit harmless. The patient's own record is never touched; the clinician's part is its own
    sealed document (`ClinicianDocument`).
    """

    request = models.OneToOneField(ConsentRequest, on_delete=models.PROTECT, related_name="countersignature")
    document_id = models.CharField(max_length=32, unique=True)
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    clinician_name = models.CharField(max_length=200)
    job_title = models.CharField(max_length=200)
    registration = models.CharField("Professional registration", max_length=100)
    # The parts of the statement as signed: procedure, benefits, risks (as the patient saw them),
    # extra procedures, each flagged risk and each question with how it was addressed, the meaning.
    parts = models.JSONField()
    # The same statement as plain text, exactly as signed.
    statement = models.TextField()
    signed_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Countersignature {self.document_id}"


class ClinicianDocument(ImmutableModel):
    """The sealed PDF of the clinician's part: names the patient's record (document ID and SHA-256), which
    itself never changes. Written once, like `ConsentDocument`, in private storage."""

    countersignature = models.OneToOneField(Countersignature, on_delete=models.PROTECT, related_name="document")
    document_id = models.CharField(max_length=32, unique=True)
    patient_record = models.OneToOneField(ConsentDocument, on_delete=models.PROTECT, related_name="clinician_part")
    file = models.FileField(upload_to="clinician-documents/", storage=private_storage)
    sha256 = models.CharField(max_length=64)
    page_count = models.PositiveSmallIntegerField()
    rendered_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Clinician document {self.document_id}"


class AuditAction(models.TextChoices):
    """What an audit event records: one code per kind of state change."""

    CREATED = "created", "Request created"
    INVITED = "invited", "Invitation given"
    LINK_REISSUED = "link_reissued", "New link issued"
    CANCELLED = "cancelled", "Request cancelled"
    EXPIRED = "expired", "Link expired"
    IDENTITY_VERIFIED = "identity_verified", "Identity checked"
    IDENTITY_FAILED = "identity_failed", "Wrong date of birth"
    LOCKED = "locked", "Link locked"
    LINK_REFUSED = "link_refused", "Link refused (finished case)"
    LANGUAGE_CHOSEN = "language_chosen", "Language chosen"
    STEP_COMPLETED = "step_completed", "Step completed"
    ANSWERS_SAVED = "answers_saved", "Answers saved for later"
    STEP_SHOWN_LATE = "step_shown_late", "Preparation step shown late"
    QUESTION_ASKED = "question_asked", "Question asked"
    DISCUSSION_REQUESTED = "discussion_requested", "Asked to talk before deciding"
    REVIEW_CONFIRMED = "review_confirmed", "Answers reviewed"
    SIGN_DRAFT_SAVED = "sign_draft_saved", "Signing page saved for later"
    SIGNED = "signed", "Consent signed"
    DECLINED = "declined", "Decision not to proceed signed"
    NEEDS_DISCUSSION = "needs_discussion", "Chose to talk first"
    WITHDRAWN = "withdrawn", "Consent withdrawn"
    DETAILS_CORRECTED = "details_corrected", "Details corrected"
    PATIENT_CONTACT_UPDATED = "patient_contact_updated", "Contact details updated"
    ASSIGNED = "assigned", "Nurse assigned"
    NOTE_ADDED = "note_added", "Note added"
    QUESTION_ANSWERED = "question_answered", "Question answered"
    CHECKLIST_MARKED = "checklist_marked", "Checklist item marked"
    CHECKLIST_CORRECTED = "checklist_corrected", "Checklist entry corrected"
    CHECKLIST_SIGNED_OFF = "checklist_signed_off", "Checklist signed off"
    SIGN_OFF_REFUSED = "sign_off_refused", "Checklist sign-off refused"
    CONFIRMED = "confirmed", "Consent confirmed on the day"
    CONTENT_PUBLISHED = "content_published", "Content published"
    MOVED_TO_NEW_VERSION = "moved_to_new_version", "Moved to a new version"
    CONTENT_CHANGED_SINCE_SIGNING = "content_changed_since_signing", "Content changed since signing"
    RECONSENT_REQUESTED = "reconsent_requested", "Re-consent requested"
    DOCUMENT_RENDERED = "document_rendered", "Signed PDF record created"
    WITHDRAWAL_DOCUMENT_RENDERED = "withdrawal_document_rendered", "Withdrawal record created"
    STATUS_RESTORED = "status_restored", "Status restored (migration)"
    PROCEDURE_RETIRED = "procedure_retired", "Procedure retired"
    PROCEDURE_RESTORED = "procedure_restored", "Procedure restored"
    STAFF_RECORDED_CONSENT = "staff_recorded_consent", "Consent recorded by staff (not a patient e-signature)"
    STAFF_RECORDED_REFUSAL = "staff_recorded_refusal", "Refusal recorded by staff (not a patient e-signature)"
    STAFF_RECORD_DOCUMENT_RENDERED = "staff_record_document_rendered", "Record of a staff-recorded decision created"
    BLOOD_THINNERS_NAMED = "blood_thinners_named", "Blood thinners named by the patient"
    BLOOD_THINNER_PLAN_CONFIRMED = "blood_thinner_plan_confirmed", "Blood-thinner plan confirmed"
    COUNTERSIGNED = "countersigned", "Clinician's statement countersigned"
    COUNTERSIGN_REFUSED = "countersign_refused", "Countersignature refused"
    CLINICIAN_DOCUMENT_RENDERED = "clinician_document_rendered", "Clinician's part record created"
    RECORDS_EXPORTED = "records_exported", "Records exported"
    WEBHOOK_ENDPOINT_REGISTERED = "webhook_endpoint_registered", "Webhook endpoint registered"
    WEBHOOK_ENDPOINT_CHANGED = "webhook_endpoint_changed", "Webhook endpoint changed"
    WEBHOOK_ENDPOINT_DISABLED = "webhook_endpoint_disabled", "Webhook endpoint disabled"
    WEBHOOK_ENDPOINT_REENABLED = "webhook_endpoint_reenabled", "Webhook endpoint re-enabled"
    API_CALL = "api_call", "Integration API call"


class AuditEvent(ImmutableModel):
    """Append-only: who did what, when, from where, to which case.

    Events form a hash chain: each numbers itself one after the last
    (`sequence`), keeps the last event's hash (`previous_hash`) and the hash of
    its own content including that link (`hash`). Changing, removing or
    reordering an event breaks the chain from there on, which
    `manage.py verify_audit_chain` reports. Events are written through
    `consent.audit.audit`, which takes the chain's lock.
    """

    GENESIS_HASH = "0" * 64  # the previous_hash of the first event

    class Actor(models.TextChoices):
        PATIENT = "patient", "Patient (via their link)"
        STAFF = "staff", "Staff"
        SYSTEM = "system", "System"
        INTEGRATION = "integration", "Integration client (API)"

    request = models.ForeignKey(
        ConsentRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events"
    )
    actor = models.CharField(max_length=20, choices=Actor.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=50, choices=AuditAction.choices)
    message = models.CharField(max_length=300, help_text="What happened, in plain words, with no personal data.")
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sequence = models.PositiveBigIntegerField(unique=True, editable=False, help_text="Place in the audit chain.")
    previous_hash = models.CharField(max_length=64, editable=False, help_text="The hash of the event before.")
    hash = models.CharField(max_length=64, editable=False, help_text="SHA-256 of this event's canonical content.")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["request", "created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"

    def canonical_content(self) -> str:
        """The event as the chain hashes it: canonical JSON of every stored fact and the link before it.

        Values are normalised the way the database will give them back, so the
        hash made before the insert matches the hash recomputed from the row:
        an aware time in UTC to the microsecond, an IP address as Django stores
        it, `detail` as it comes back from JSON. The data migration that first
        filled the chain (consent 0004_audit_event_chain) holds a copy of this; change neither
        without a migration that keeps old events verifiable.
        """
        import datetime
        import json

        created_at = self.created_at
        if timezone.is_naive(created_at):  # as DateTimeField does on save, with a warning
            created_at = timezone.make_aware(created_at, timezone.get_default_timezone())
        content = {
            "sequence": self.sequence,
            "previous_hash": self.previous_hash,
            "request": self.request_id,
            "actor": self.actor,
            "user": self.user_id,
            "action": self.action,
            "message": self.message,
            "detail": json.loads(json.dumps(self.detail)),
            "ip": self._meta.get_field("ip_address").get_prep_value(self.ip_address) or None,
            "created_at": created_at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
        }
        return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)

    def compute_hash(self) -> str:
        """SHA-256 (hex) of `canonical_content()`; what `hash` must hold."""
        import hashlib

        return hashlib.sha256(self.canonical_content().encode()).hexdigest()

    @property
    def who(self) -> str:
        if self.user_id:
            return staff_name(self.user)
        return self.get_actor_display()
