"""The clinical content: a procedure's working copy and its published versions.

Admins edit the working copy (Procedure and its risks, preparation steps,
checklist items and comprehension questions). Patients only ever see a
ProcedureVersion: an immutable snapshot made by `services.publish_procedure`.
"""

from __future__ import annotations

import uuid
from fractions import Fraction

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from procedures.immutable import ImmutableModel

# Patient content can be held in these languages besides English (which is always complete):
# each patient-facing field has a `<field>_<language>` twin. See `procedures.translations`.
CONTENT_LANGUAGES = ("es",)


class Frequency(models.TextChoices):
    VERY_COMMON = "very_common", pgettext_lazy("how common a risk is", "Very common")
    COMMON = "common", pgettext_lazy("how common a risk is", "Common")
    UNCOMMON = "uncommon", pgettext_lazy("how common a risk is", "Uncommon")
    RARE = "rare", pgettext_lazy("how common a risk is", "Rare")
    VERY_RARE = "very_rare", pgettext_lazy("how common a risk is", "Very rare")


# The usual convention, as a range of "N in M" for each band. Each boundary
# (1 in 10, 1 in 100, ...) belongs to both bands it separates.
FREQUENCY_RANGES: dict[str, tuple[Fraction, Fraction]] = {
    Frequency.VERY_COMMON: (Fraction(1, 10), Fraction(1)),
    Frequency.COMMON: (Fraction(1, 100), Fraction(1, 10)),
    Frequency.UNCOMMON: (Fraction(1, 1000), Fraction(1, 100)),
    Frequency.RARE: (Fraction(1, 10000), Fraction(1, 1000)),
    Frequency.VERY_RARE: (Fraction(0), Fraction(1, 10000)),
}

FREQUENCY_EXPLANATIONS = {
    Frequency.VERY_COMMON: _("more than 1 in 10 people"),
    Frequency.COMMON: _("between 1 in 10 and 1 in 100 people"),
    Frequency.UNCOMMON: _("between 1 in 100 and 1 in 1,000 people"),
    Frequency.RARE: _("between 1 in 1,000 and 1 in 10,000 people"),
    Frequency.VERY_RARE: _("fewer than 1 in 10,000 people"),
}


# What a patient reads when no "about N in M" figure is known: one figure, the band's upper edge,
# rather than a range ("between 1 in 10 and 1 in 100") that is hard to read beside "about 1 in 5".
FREQUENCY_FOR_PATIENTS = {
    Frequency.VERY_COMMON: _("more than 1 in 10 people"),
    Frequency.COMMON: _("up to 1 in 10 people"),
    Frequency.UNCOMMON: _("up to 1 in 100 people"),
    Frequency.RARE: _("up to 1 in 1,000 people"),
    Frequency.VERY_RARE: _("fewer than 1 in 10,000 people"),
}


def band_for(n: int, m: int) -> list[str]:
    """The bands that "about n in m" falls in (two at a boundary)."""
    ratio = Fraction(n, m)
    return [band for band, (low, high) in FREQUENCY_RANGES.items() if low <= ratio <= high]


def describe_frequency(band: str, n: int | None, m: int | None) -> str:
    """How common, in words a patient understands: "Common: about 1 in 20 people", or with no
    figure known, "Common: up to 1 in 10 people"."""
    label = Frequency(band).label
    if n and m:
        return _("%(band)s: about %(n)s in %(m)s people") % {
            "band": label,
            "n": number_format(n, force_grouping=True),
            "m": number_format(m, force_grouping=True),
        }
    return _("%(band)s: %(explanation)s") % {"band": label, "explanation": FREQUENCY_FOR_PATIENTS[band]}


class Severity(models.TextChoices):
    MINOR = "minor", pgettext_lazy("how serious a risk is", "Minor")
    MODERATE = "moderate", pgettext_lazy("how serious a risk is", "Moderate")
    SERIOUS = "serious", pgettext_lazy("how serious a risk is", "Serious")


# Each band's default wording, shown where a risk has no wording of its own (`Risk.severity_note`).
# None promises a recovery: a moderate risk may not go away (pain not eased, bones not joining), so
# a risk that usually gets better says so in its own words.
SEVERITY_EXPLANATIONS = {
    Severity.MINOR: _("Usually mild and gets better by itself or with simple treatment."),
    Severity.MODERATE: _("May need treatment or a longer recovery."),
    Severity.SERIOUS: _("Can need urgent treatment, and may have lasting effects."),
}


def describe_severity(severity: str, note: str = "") -> str:
    """How serious, in words a patient understands: the band, then the risk's own words or the band's."""
    band = Severity(severity)
    return f"{band.label}: {note.strip() or SEVERITY_EXPLANATIONS[band]}"


class ChecklistCategory(models.TextChoices):
    IDENTITY = "identity", "Identity"
    ALLERGIES = "allergies", "Allergies"
    MEDICATION = "medication", "Medication"
    TESTS = "tests", "Tests and results"
    FASTING = "fasting", "Fasting"
    PREGNANCY = "pregnancy", "Pregnancy"
    TRANSPORT = "transport", "Transport and support at home"
    IMAGING = "imaging", "Imaging"
    SITE = "site", "Site marking"
    CONSENT = "consent", "Consent"
    OTHER = "other", "Other"


class BleedingRisk(models.TextChoices):
    """How likely a procedure is to cause serious bleeding, as the ASRA pain-procedure guidance classes it
    (Narouze S, et al. Reg Anesth Pain Med. 2018;43(3):225-262): the class picks the stop interval of a
    blood thinner in the clinic's table (`BloodThinner`). Planning data for staff, never shown to patients."""

    LOW = "low", "Low"
    INTERMEDIATE = "intermediate", "Intermediate"
    HIGH = "high", "High"


class PatientAnswer(models.TextChoices):
    YES = "yes", pgettext_lazy("answer to a question", "Yes")
    NO = "no", pgettext_lazy("answer to a question", "No")
    NOT_SURE = "not_sure", pgettext_lazy("answer to a question", "Not sure")


# An editor's note to other editors, on a procedure and on each of its items. Never part of a published
# version (`services.snapshot` leaves it out), so no patient page, PDF or record can show it.
EDITOR_NOTE_VERBOSE_NAME = "Internal note for editors"
EDITOR_NOTE_HELP = "Never shown to patients or in records."


def editor_note_field() -> models.TextField:
    return models.TextField(EDITOR_NOTE_VERBOSE_NAME, blank=True, help_text=EDITOR_NOTE_HELP)


class Procedure(models.Model):
    """The working copy of a procedure's content, edited by content admins."""

    name = models.CharField(max_length=200, help_text="The name patients will see, e.g. “Lumbar puncture”.")
    slug = models.SlugField(
        max_length=100,
        unique=True,
        help_text="Short identifier used by staff tools, e.g. “lumbar-puncture”. Never shown to patients.",
    )
    summary = models.TextField(help_text="One or two sentences: what this procedure is.")
    what_happens = models.TextField("What happens", help_text="What happens on the day, step by step, in plain words.")
    indications = models.TextField("Why it is done", help_text="The reasons this procedure is offered.")
    benefits = models.TextField(help_text="What the patient can expect to gain.")
    alternatives = models.TextField(help_text="Other options, always including what happens with no treatment.")
    recovery = models.TextField(help_text="What recovery is like, and the warning signs that need urgent help.")
    # Spanish: the same texts, for patients who read Spanish. Offered only when every one is filled in.
    name_es = models.CharField("Name (Spanish)", max_length=200, blank=True)
    summary_es = models.TextField("Summary (Spanish)", blank=True)
    what_happens_es = models.TextField("What happens (Spanish)", blank=True)
    indications_es = models.TextField("Why it is done (Spanish)", blank=True)
    benefits_es = models.TextField("Benefits (Spanish)", blank=True)
    alternatives_es = models.TextField("Alternatives (Spanish)", blank=True)
    recovery_es = models.TextField("Recovery (Spanish)", blank=True)
    questions_to_ask = models.TextField(
        "Questions you may want to ask",
        blank=True,
        help_text="Questions a patient may want to ask their care team, one per line. Shown on the patient's "
        "pages and in the information leaflet.",
    )
    questions_to_ask_es = models.TextField("Questions you may want to ask (Spanish)", blank=True)
    # About the leaflet itself: printed in the information leaflet, and the review date is watched.
    author = models.CharField(
        "Written by", max_length=200, blank=True, help_text="Who wrote this information, e.g. a team or a person."
    )
    clinical_reviewer = models.CharField(
        max_length=200,
        blank=True,
        help_text="The clinician who reviewed this information and approved it for patients, with their role.",
    )
    review_by = models.DateField(
        "Review by",
        null=True,
        blank=True,
        help_text="When this information must next be reviewed. After this date the admin and the nurses' "
        "dashboard warn that the published version is overdue for review.",
    )
    # Translations whose English changed in a published version while they stayed as they were:
    # [{"language", "section", "key", "field", "label", "text"}], "text" being the translation then.
    # Kept until the translation is edited or an editor confirms it is still right.
    translations_to_update = models.JSONField(default=list, blank=True, editable=False)
    is_sample = models.BooleanField(
        "Sample content",
        default=False,
        help_text="Sample content shipped with Proceed. Your clinicians must review it before use.",
    )
    editor_note = editor_note_field()
    # Retired: no new requests, and open links say the information is no longer available
    # (`consent.retire`). Restoring clears these; the audit chain keeps who did both, when and why.
    retired_at = models.DateTimeField("Retired on", null=True, blank=True, editable=False)
    retired_reason = models.TextField("Why it was retired", blank=True, editable=False)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name="Retired by",
    )
    # For the nurses' blood-thinner planning (consent.blood_thinners), not for patients: read from the
    # working copy when a suggestion is made, so it is not part of a published version's content.
    bleeding_risk = models.CharField(
        "Bleeding-risk class",
        max_length=20,
        choices=BleedingRisk.choices,
        blank=True,
        help_text="For blood-thinner planning (ASRA pain-procedure classes: low, intermediate, high). It picks "
        "each blood thinner's stop interval in the clinic's table. Empty: no date is suggested and the nurse is "
        "told to ask the prescriber. Takes effect at once for every request; never shown to patients.",
    )
    bleeding_risk_source = models.TextField(
        "Source of the bleeding-risk class",
        blank=True,
        help_text="The guidance the class comes from (authors, title, journal, year), shown to nurses with it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("admin:procedures_procedure_change", args=[self.pk])

    @property
    def current_version(self) -> ProcedureVersion | None:
        return self.versions.order_by("-number").first()

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class ContentItem(models.Model):
    """Common shape of the items a procedure has: ordered, with a stable key.

    The key survives edits and publishing, so a later version can tell which of
    a patient's acknowledgements still refer to unchanged content.
    """

    key = models.UUIDField(default=uuid.uuid4, editable=False)
    order = models.PositiveIntegerField(default=0, help_text="Lower numbers come first.")
    editor_note = editor_note_field()

    class Meta:
        abstract = True
        ordering = ["order", "id"]


class Risk(ContentItem):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="risks")
    title = models.CharField(max_length=200, help_text="Short name of the risk, e.g. “Headache afterwards”.")
    description = models.TextField(help_text="What it is and what can be done about it, in plain words.")
    title_es = models.CharField("Title (Spanish)", max_length=200, blank=True)
    description_es = models.TextField("Description (Spanish)", blank=True)
    frequency = models.CharField(
        "How common",
        max_length=20,
        choices=Frequency.choices,
        help_text="Very common: more than 1 in 10. Common: 1 in 10 to 1 in 100. Uncommon: 1 in 100 to "
        "1 in 1,000. Rare: 1 in 1,000 to 1 in 10,000. Very rare: fewer than 1 in 10,000.",
    )
    frequency_n = models.PositiveIntegerField(
        "About N", null=True, blank=True, help_text="Where a figure is known: the N of “about N in M people”."
    )
    frequency_m = models.PositiveIntegerField(
        "in M", null=True, blank=True, help_text="The M of “about N in M people”."
    )
    severity = models.CharField("How serious", max_length=20, choices=Severity.choices)
    severity_note = models.CharField(
        "How serious, in this risk's own words",
        max_length=300,
        blank=True,
        help_text="Shown after the band instead of its default wording, which for a moderate risk is “May need "
        "treatment or a longer recovery.” Use it where the default is not true of this risk or says too little, "
        "e.g. “Can mean another operation.”",
    )
    severity_note_es = models.CharField("How serious, in its own words (Spanish)", max_length=300, blank=True)
    source = models.TextField(
        "Source of the figure",
        blank=True,
        help_text="Where “about N in M” comes from: authors, title, journal or body, and year. Required to "
        "publish a figure. Printed in the information leaflet's references.",
    )
    source_url = models.URLField("Link to the source", max_length=500, blank=True)
    is_material = models.BooleanField(
        "Patient must acknowledge",
        default=True,
        help_text="A material risk: the patient ticks it individually before they can continue.",
    )

    history = HistoricalRecords()

    class Meta(ContentItem.Meta):
        pass

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        n, m = self.frequency_n, self.frequency_m
        if (n is None) != (m is None):
            raise ValidationError("Give both numbers of “about N in M people”, or neither.")
        if n is None:
            return
        if n < 1 or m < 1 or n > m:
            raise ValidationError({"frequency_n": "N must be at least 1 and no more than M."})
        if self.frequency and self.frequency not in band_for(n, m):
            bands = " or ".join(Frequency(b).label.lower() for b in band_for(n, m))
            raise ValidationError(
                {
                    "frequency": f"About {n:,} in {m:,} is {bands}, not {Frequency(self.frequency).label.lower()} "
                    f"({FREQUENCY_EXPLANATIONS[self.frequency]}). Change the band or the numbers."
                }
            )


class PreparationStep(ContentItem):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="preparation_steps")
    instruction = models.TextField(help_text="What the patient must do, in plain words.")
    timing = models.CharField(
        "When", max_length=100, help_text="When to do it, e.g. “7 days before” or “Morning of the procedure”."
    )
    days_before = models.PositiveSmallIntegerField(
        "Days before the appointment",
        null=True,
        blank=True,
        help_text="When it must be done by: 7 for a week before, 1 for the day before, 0 for the day itself. "
        "Patients see the real date (“by Thursday 10 December”). Leave empty for steps with no set day, such as "
        "those after the procedure.",
    )
    instruction_es = models.TextField("Instruction (Spanish)", blank=True)
    timing_es = models.CharField("When (Spanish)", max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta(ContentItem.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.timing}: {self.instruction[:60]}"


class ChecklistItem(ContentItem):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="checklist_items")
    text = models.CharField(max_length=300, help_text="What the nurse verifies before the procedure.")
    category = models.CharField(max_length=20, choices=ChecklistCategory.choices)
    required = models.BooleanField(default=True, help_text="Sign-off is blocked while a required item is open.")
    allow_not_applicable = models.BooleanField(
        "“Not applicable” allowed", default=False, help_text="E.g. pregnancy status for a male patient."
    )
    patient_question = models.CharField(
        max_length=300,
        blank=True,
        help_text="Optional yes / no / not sure question put to the patient; the answer shows beside this item.",
    )
    patient_question_es = models.CharField("Question to the patient (Spanish)", max_length=300, blank=True)
    patient_prompt = models.CharField(
        "What to tell a patient whose answer needs follow-up",
        max_length=400,
        blank=True,
        help_text="Shown at once to a patient whose answer is not the one that needs no follow-up, e.g. "
        "“Please call the clinic before you stop or change any medicine.” Left empty, they are asked to call the "
        "clinic before the appointment.",
    )
    patient_prompt_es = models.CharField("What to tell the patient (Spanish)", max_length=400, blank=True)
    ask_min_age = models.PositiveSmallIntegerField(
        "Ask only from age", null=True, blank=True, help_text="Age at the appointment. Empty: any age."
    )
    ask_max_age = models.PositiveSmallIntegerField(
        "Ask only up to age", null=True, blank=True, help_text="Age at the appointment. Empty: any age."
    )
    ask_only_if_could_be_pregnant = models.BooleanField(
        "Ask only if the record says the patient could be pregnant",
        default=False,
        help_text="Not asked when the patient's record says they cannot be pregnant; asked when it says they "
        "could, or says nothing. The nurse's checklist item stays either way.",
    )
    expected_answer = models.CharField(
        max_length=10,
        blank=True,
        choices=[(PatientAnswer.YES, "Yes"), (PatientAnswer.NO, "No")],
        help_text="The answer that needs no follow-up. Any other answer flags the item for the nurse.",
    )
    asks_about_blood_thinners = models.BooleanField(
        "Follow-up: ask which blood thinner",
        default=False,
        help_text="A patient who answers “Yes” or “Not sure” is asked which blood thinner they take (from the "
        "clinic's table of blood thinners), and the nurse gets a suggested last-dose date to confirm.",
    )

    history = HistoricalRecords()

    class Meta(ContentItem.Meta):
        pass

    def __str__(self) -> str:
        return self.text

    def clean(self) -> None:
        if self.ask_min_age is not None and self.ask_max_age is not None and self.ask_min_age > self.ask_max_age:
            raise ValidationError({"ask_max_age": "The upper age must be at least the lower one."})
        if self.patient_question and not self.expected_answer:
            raise ValidationError({"expected_answer": "Say which answer needs no follow-up."})
        if self.expected_answer and not self.patient_question:
            raise ValidationError({"patient_question": "Write the question, or clear the expected answer."})
        if self.asks_about_blood_thinners and self.expected_answer != PatientAnswer.NO:
            raise ValidationError(
                {
                    "asks_about_blood_thinners": "Only a question whose answer needing no follow-up is “No” (“Do you "
                    "take a blood thinner?”) can ask which blood thinner."
                }
            )


class ComprehensionQuestion(ContentItem):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="questions")
    question = models.CharField(max_length=300)
    choices = models.TextField(help_text="The possible answers, one per line (2 to 5).")
    correct_choice = models.PositiveSmallIntegerField(
        help_text="The number of the correct answer: 1 for the first line, 2 for the second, and so on."
    )
    explanation = models.TextField(help_text="Shown when the patient answers wrongly, before they try again.")
    question_es = models.CharField("Question (Spanish)", max_length=300, blank=True)
    choices_es = models.TextField(
        "Answers (Spanish)", blank=True, help_text="The same answers in Spanish, one per line, in the same order."
    )
    explanation_es = models.TextField("Explanation (Spanish)", blank=True)

    history = HistoricalRecords()

    class Meta(ContentItem.Meta):
        pass

    def __str__(self) -> str:
        return self.question

    def choice_list(self, language: str = "en") -> list[str]:
        text = self.choices if language == "en" else getattr(self, f"choices_{language}")
        return [line.strip() for line in text.splitlines() if line.strip()]

    def clean(self) -> None:
        choices = self.choice_list()
        if not 2 <= len(choices) <= 5:
            raise ValidationError({"choices": f"Give 2 to 5 answers, one per line (there are {len(choices)})."})
        if len({c.casefold() for c in choices}) != len(choices):
            raise ValidationError({"choices": "Two answers are the same. Make each answer different."})
        if self.correct_choice is not None and not 1 <= self.correct_choice <= len(choices):
            raise ValidationError(
                {"correct_choice": f"Choose a number from 1 to {len(choices)}: one of the answers above."}
            )
        for language in CONTENT_LANGUAGES:
            translated = self.choice_list(language)
            if translated and len(translated) != len(choices):
                raise ValidationError(
                    {
                        f"choices_{language}": f"Give the same {len(choices)} answers as in English, one per line "
                        f"and in the same order (there are {len(translated)})."
                    }
                )


class PictureSection(models.TextChoices):
    SUMMARY = "summary", "What it is (the summary)"
    WHAT_HAPPENS = "what_happens", "What happens"
    INDICATIONS = "indications", "Why it is done"
    BENEFITS = "benefits", "Benefits"
    ALTERNATIVES = "alternatives", "Alternatives"
    RECOVERY = "recovery", "Recovery"
    RISK = "risk", "With a risk"


PICTURE_EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/svg+xml": "svg"}


class PictureFile(ImmutableModel):
    """A picture's bytes, cleaned (`procedures.pictures.clean_picture`) and named by their SHA-256.

    Kept in the database beside the published versions that show it, never changed or deleted, so
    a consent record's version always has its pictures, on every server and in every backup.
    """

    sha256 = models.CharField(max_length=64, unique=True, editable=False)
    content_type = models.CharField(max_length=40, editable=False)
    data = models.BinaryField(editable=False)
    width = models.PositiveIntegerField(editable=False)
    height = models.PositiveIntegerField(editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "picture file"

    def __str__(self) -> str:
        return f"{self.content_type} {self.width}×{self.height} {self.sha256[:12]}"

    @property
    def extension(self) -> str:
        return PICTURE_EXTENSIONS[self.content_type]


class Picture(ContentItem):
    """A picture shown in one section of the procedure's information, or with one risk."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="pictures")
    file = models.ForeignKey(PictureFile, on_delete=models.PROTECT, related_name="+")
    section = models.CharField(
        "Shown with", max_length=20, choices=PictureSection.choices, default=PictureSection.WHAT_HAPPENS
    )
    risk = models.ForeignKey(
        Risk,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="pictures",
        help_text="For a picture shown with a risk: which one.",
    )
    alt_text = models.CharField(
        "Text for people who cannot see the picture",
        max_length=400,
        help_text="What the picture shows, in one or two plain sentences. Read aloud by screen readers.",
    )
    caption = models.TextField(
        blank=True, help_text="Shown under the picture, e.g. what each number in the drawing points to."
    )
    alt_text_es = models.CharField("Text for people who cannot see it (Spanish)", max_length=400, blank=True)
    caption_es = models.TextField("Caption (Spanish)", blank=True)

    history = HistoricalRecords()

    class Meta(ContentItem.Meta):
        pass

    def __str__(self) -> str:
        return self.alt_text

    def clean(self) -> None:
        if self.section == PictureSection.RISK and self.risk_id is None:
            raise ValidationError({"risk": "Choose the risk this picture is shown with."})
        if self.section != PictureSection.RISK and self.risk_id is not None:
            raise ValidationError({"risk": "Clear the risk, or choose “With a risk” for where it is shown."})
        if self.risk_id is not None and self.procedure_id is not None and self.risk.procedure_id != self.procedure_id:
            raise ValidationError({"risk": "Choose one of this procedure's risks."})


class ProcedureVersion(ImmutableModel):
    """An immutable published snapshot of a procedure's content.

    `content` is the canonical snapshot (see `services.snapshot`); `fingerprint`
    is the SHA-256 of its canonical form. Patients see, and consent records
    point at, versions only, never the editable working copy.
    """

    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField()
    fingerprint = models.CharField(max_length=64)
    change_summary = models.TextField()
    is_material = models.BooleanField(
        "Material change",
        help_text="A material change moves unsigned requests to this version and flags signed ones.",
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(default=timezone.now)
    # A change the risks make material, published as not material: only with a second content
    # admin's approval, recorded here with their reason.
    material_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="Published as not material with the approval of",
    )
    material_override_reason = models.TextField("Why it is not material", blank=True)

    class Meta:
        ordering = ["procedure", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="unique_version_number_per_procedure")
        ]

    def __str__(self) -> str:
        return f"{self.content['name']}, version {self.number}"

    @property
    def short_fingerprint(self) -> str:
        return self.fingerprint[:12]


class BloodThinnerKind(models.TextChoices):
    ANTICOAGULANT = "anticoagulant", "Anticoagulant"
    ANTIPLATELET = "antiplatelet", "Antiplatelet"
    OTHER = "other", "Other (e.g. an anti-inflammatory painkiller)"


STOP_HOURS_HELP = (
    "Hours between the last dose and the procedure for a {risk}-risk procedure: 72 for 3 days, 12 for 12 hours. "
    "0: usually continued (not stopped). Empty: no standard interval; the nurse is told to ask the prescriber."
)


class BloodThinner(models.Model):
    """One row of the clinic's table of blood thinners: how long before a procedure each is usually stopped,
    by the procedure's bleeding-risk class. Patients pick from the active rows; the nurses' suggestions
    (consent.blood_thinners) come from it, always for the prescriber to confirm.

    A stop interval is kept in hours, which says "12 hours" and "5 days" (120) alike: 0 means the drug is
    usually continued, and empty that there is no standard interval (a shared decision with the prescriber).
    """

    name = models.CharField(
        "Generic name", max_length=100, unique=True, help_text="As patients and prescribers know it, e.g. “Apixaban”."
    )
    other_names = models.CharField(
        "Other names",
        max_length=300,
        blank=True,
        help_text="Brand names a patient may know it by, separated by commas, e.g. “Eliquis”. Shown to patients "
        "beside the generic name.",
    )
    kind = models.CharField(max_length=20, choices=BloodThinnerKind.choices)
    stop_hours_low = models.PositiveIntegerField(
        "Stop before a low-risk procedure (hours)", null=True, blank=True, help_text=STOP_HOURS_HELP.format(risk="low")
    )
    stop_hours_intermediate = models.PositiveIntegerField(
        "Stop before an intermediate-risk procedure (hours)",
        null=True,
        blank=True,
        help_text=STOP_HOURS_HELP.format(risk="intermediate"),
    )
    stop_hours_high = models.PositiveIntegerField(
        "Stop before a high-risk procedure (hours)",
        null=True,
        blank=True,
        help_text=STOP_HOURS_HELP.format(risk="high"),
    )
    note = models.TextField(
        "Note for the nurse",
        blank=True,
        help_text="What else matters, e.g. “5 days with a normal INR” or “Depends on kidney function: check "
        "creatinine clearance”. Shown with every suggestion.",
    )
    source = models.TextField(help_text="The guidance the intervals come from: authors, title, journal, year.")
    is_sample = models.BooleanField(
        "Sample values",
        default=False,
        help_text="Shipped with Proceed from published guidance: sample content, to be approved by the clinic's "
        "clinicians. Untick once they have approved this row.",
    )
    approved_by = models.CharField(
        max_length=200, blank=True, help_text="The clinician who approved this row for the clinic, with their role."
    )
    approved_on = models.DateField(null=True, blank=True)
    active = models.BooleanField(
        default=True, help_text="Offered to patients. Untick to retire a drug the clinic no longer lists."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = "blood thinner"

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """How a patient finds it: "Apixaban (Eliquis)"."""
        return f"{self.name} ({self.other_names})" if self.other_names.strip() else self.name

    def stop_hours(self, bleeding_risk: str) -> int | None:
        """The stop interval for a procedure of this class: hours, 0 (continued) or None (no standard one)."""
        return getattr(self, f"stop_hours_{bleeding_risk}") if bleeding_risk in BleedingRisk.values else None


def describe_stop_hours(hours: int | None) -> str:
    """A stop interval in words for staff: "3 days (72 hours)", "12 hours", "usually continued"."""
    if hours is None:
        return "no standard interval"
    if hours == 0:
        return "usually continued"
    if hours % 24 == 0:
        days = hours // 24
        return f"{days} day{'s' if days != 1 else ''} ({hours} hours)"
    return f"{hours} hours"
