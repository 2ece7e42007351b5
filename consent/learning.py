"""What the clinic learns from patients' answers, one published version at a time.

For the content admins, so they see which texts to rewrite: per comprehension question how many
patients got it wrong first time (and which wrong answer misled most), per risk and preparation
step how many asked to talk about it, and the questions many patients asked. Counts only, never
who: a count from 1 to 4 is shown as "fewer than 5" (`shown`), a share made from one is hidden
(`share`), and a figure about fewer than 5 patients is not shown at all ("too few patients yet").

"Patients" are the requests on the version now, whatever their status (a patient who declined,
or whose request was cancelled, learned something too); each request counts once. A request
moved here by a material change keeps its answers about what did not change, so they count
here; its answers about what changed were reset when it moved.

The figures come from six aggregate queries (GROUP BY item), whatever the number of requests: the
index on the request's version and the unique constraints on (request, ...) of the answers' tables
are what they use. With 200,000 requests, 50,000 of them on one version (900,000 acknowledgements),
they took 2 to 3 s on SQLite on a busy machine, most of it grouping the acknowledgements; an index
covering the counted columns did not make it faster.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Min, Q
from django.utils.translation import gettext

from consent.models import Acknowledgement, ConsentRequest, PatientQuestion, QuizAnswer
from procedures.models import ProcedureVersion

# The smallest count shown as it is. 0 is shown too: that no patient did something says nothing
# about any one of them.
SMALLEST_SHOWN = 5


def is_suppressed(count: int) -> bool:
    """A count small enough to point at a few people: 1 to 4."""
    return 0 < count < SMALLEST_SHOWN


def shown(count: int) -> str:
    """A count as the clinic may see it: 1 to 4 as "fewer than 5"; 0 and 5 or more as they are."""
    return gettext("fewer than %(count)s") % {"count": SMALLEST_SHOWN} if is_suppressed(count) else str(count)


def share(part: int, whole: int) -> int | None:
    """`part` as a whole percentage of `whole`, or None when either count is too small to show
    (a share of fewer than 5 patients, or one made from a suppressed count, would give it away)."""
    if whole < SMALLEST_SHOWN or is_suppressed(part):
        return None
    return round(100 * part / whole)


@dataclass(frozen=True)
class QuestionFigures:
    """One comprehension question: how many patients answered it, how many got it wrong first time."""

    key: str
    question: str
    choices: list[str]
    correct_choice: int
    answered: int
    wrong_first: int
    # The wrong answer most often chosen first (its number, from 1) and by how many patients.
    misleading_choice: int | None = None
    misleading_count: int = 0

    @property
    def too_few(self) -> bool:
        return self.answered < SMALLEST_SHOWN

    @property
    def wrong_first_shown(self) -> str:
        return shown(self.wrong_first)

    @property
    def wrong_share(self) -> int | None:
        return None if self.too_few else share(self.wrong_first, self.answered)

    @property
    def misleading_answer(self) -> str | None:
        """The text of the wrong answer that misled most, only when enough patients chose it to show."""
        if self.too_few or self.misleading_choice is None or self.misleading_count < SMALLEST_SHOWN:
            return None
        if not 0 < self.misleading_choice <= len(self.choices):
            return None
        return self.choices[self.misleading_choice - 1]

    @property
    def correct_answer(self) -> str:
        return self.choices[self.correct_choice - 1] if 0 < self.correct_choice <= len(self.choices) else ""


@dataclass(frozen=True)
class ItemFigures:
    """One risk or preparation step: how many patients answered it, how many asked to talk about it."""

    key: str
    title: str
    answered: int
    flagged: int

    @property
    def too_few(self) -> bool:
        return self.answered < SMALLEST_SHOWN

    @property
    def flagged_shown(self) -> str:
        return shown(self.flagged)

    @property
    def flagged_share(self) -> int | None:
        return None if self.too_few else share(self.flagged, self.answered)


@dataclass(frozen=True)
class CommonQuestion:
    """A question asked, in the same words, by at least SMALLEST_SHOWN different patients."""

    text: str
    patients: int


@dataclass
class VersionFigures:
    version: ProcedureVersion
    patients: int  # requests on the version now, every status
    questions: list[QuestionFigures]  # in the version's order
    risks: list[ItemFigures]
    steps: list[ItemFigures]
    patients_asking: int  # patients who asked the care team at least one question
    questions_asked: int
    common_questions: list[CommonQuestion] = field(default_factory=list)  # most asked first

    @property
    def patients_shown(self) -> str:
        return shown(self.patients)

    @property
    def patients_asking_shown(self) -> str:
        return shown(self.patients_asking)

    @property
    def questions_asked_shown(self) -> str:
        return shown(self.questions_asked)

    def question(self, key: str) -> QuestionFigures | None:
        return next((figures for figures in self.questions if figures.key == key), None)

    def risk(self, key: str) -> ItemFigures | None:
        return next((figures for figures in self.risks if figures.key == key), None)

    def step(self, key: str) -> ItemFigures | None:
        return next((figures for figures in self.steps if figures.key == key), None)

    @property
    def questions_most_missed_first(self) -> list[QuestionFigures]:
        """The questions to look at first: those with a share shown, the highest first, then the rest in
        the version's order. Sorted by what is shown only, so the order gives no hidden count away."""
        return _worst_first(self.questions, lambda figures: figures.wrong_share)

    @property
    def risks_most_flagged_first(self) -> list[ItemFigures]:
        return _worst_first(self.risks, lambda figures: figures.flagged_share)

    @property
    def steps_most_flagged_first(self) -> list[ItemFigures]:
        return _worst_first(self.steps, lambda figures: figures.flagged_share)


def _worst_first(rows: list, shown_share) -> list:
    order = {id(row): position for position, row in enumerate(rows)}
    return sorted(rows, key=lambda row: (shown_share(row) is None, -(shown_share(row) or 0), order[id(row)]))


def version_figures(version: ProcedureVersion) -> VersionFigures:
    """How the patients on `version` did, in six queries whatever their number."""
    content = version.content
    on_version = Q(request__procedure_version=version)

    quiz = {
        str(row["question_key"]): row
        for row in QuizAnswer.objects.filter(on_version)
        .values("question_key")
        .annotate(answered=Count("pk"), wrong_first=Count("pk", filter=Q(first_try_correct=False)))
        .order_by()
    }
    misleading: dict[str, tuple[int, int]] = {}  # question key -> (wrong first choice, patients)
    for row in (
        QuizAnswer.objects.filter(on_version, first_try_correct=False)
        .values("question_key", "first_choice")
        .annotate(patients=Count("pk"))
        .order_by("question_key", "-patients", "first_choice")
    ):
        misleading.setdefault(str(row["question_key"]), (row["first_choice"], row["patients"]))
    # By key alone: a risk's and a step's keys are different UUIDs, and grouping on one column is about
    # twice as fast on SQLite as on (kind, key) (about 900,000 rows for 50,000 requests on one version).
    acknowledgements = {
        str(row["item_key"]): row
        for row in Acknowledgement.objects.filter(on_version)
        .values("item_key")
        .annotate(answered=Count("pk"), flagged=Count("pk", filter=Q(wants_to_discuss=True)))
        .order_by()
    }
    asked = PatientQuestion.objects.filter(on_version).aggregate(
        patients=Count("request", distinct=True), questions=Count("pk")
    )
    common = (
        PatientQuestion.objects.filter(on_version)
        .exclude(normalised_text="")
        .values("normalised_text")
        .annotate(patients=Count("request", distinct=True), text=Min("text"))
        .filter(patients__gte=SMALLEST_SHOWN)
        .order_by("-patients", "normalised_text")
    )

    def item(entry: dict, title: str) -> ItemFigures:
        row = acknowledgements.get(entry["key"], {})
        return ItemFigures(entry["key"], title, row.get("answered", 0), row.get("flagged", 0))

    questions = []
    for entry in content.get("questions", []):
        row = quiz.get(entry["key"], {})
        choice, count = misleading.get(entry["key"], (None, 0))
        questions.append(
            QuestionFigures(
                key=entry["key"],
                question=entry["question"],
                choices=list(entry["choices"]),
                correct_choice=entry["correct_choice"],
                answered=row.get("answered", 0),
                wrong_first=row.get("wrong_first", 0),
                misleading_choice=choice,
                misleading_count=count,
            )
        )
    return VersionFigures(
        version=version,
        patients=ConsentRequest.objects.filter(procedure_version=version).count(),
        questions=questions,
        risks=[item(risk, risk["title"]) for risk in content.get("risks", [])],
        steps=[item(step, _step_title(step)) for step in content.get("preparation_steps", [])],
        patients_asking=asked["patients"],
        questions_asked=asked["questions"],
        common_questions=[CommonQuestion(" ".join(row["text"].split()), row["patients"]) for row in common],
    )


def _step_title(step: dict) -> str:
    timing = step.get("timing") or ""
    return f"{timing}: {step['instruction']}" if timing else step["instruction"]
