"""What the clinic learns: per version, the questions patients got wrong first time, the risks and steps
they asked to talk about and the questions many asked, counts under 5 suppressed (issue 17, point 6)."""

from __future__ import annotations

import datetime
import hashlib
import importlib
import itertools
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consent.learning import share, shown, version_figures
from consent.models import (
    Acknowledgement,
    ConsentRequest,
    Patient,
    PatientQuestion,
    QuizAnswer,
    normalise_question,
)
from procedures.models import ComprehensionQuestion, Risk
from procedures.services import publish_procedure
from tests.conftest import PATIENT_A, make_case, make_user

FEWER = "fewer than 5"
SERIAL = itertools.count(1)


def add_patients(
    version,
    count: int,
    *,
    wrong_first: int = 0,
    wrong_choice: int = 2,
    flag_risks: int = 0,
    flag_steps: int = 0,
    asked: tuple[str, ...] = (),
    status: str = "signed",
    name: str = "Patient",
) -> list[ConsentRequest]:
    """`count` requests on `version`, each with the answers the journey leaves: the first `wrong_first`
    chose `wrong_choice` first on every question, the first `flag_risks` asked to talk about every risk
    (`flag_steps`: every step), and each asked the care team every question in `asked`."""
    now = timezone.now()
    numbers = [next(SERIAL) for _ in range(count)]
    patients = Patient.objects.bulk_create(
        Patient(full_name=f"{name} {n}", date_of_birth=datetime.date(1950, 1, 1), mrn=f"LEARN-{n}") for n in numbers
    )
    requests = ConsentRequest.objects.bulk_create(
        ConsentRequest(
            patient=patient,
            procedure_version=version,
            appointment_at=now + datetime.timedelta(days=3),
            clinician="Dr Rivera",
            status=status,
            token_hash=hashlib.sha256(f"learning-{n}".encode()).hexdigest(),
            expires_at=now + datetime.timedelta(days=4),
        )
        for n, patient in zip(numbers, patients, strict=True)
    )
    content = version.content
    quiz, acks, questions = [], [], []
    for index, request in enumerate(requests):
        for question in content["questions"]:
            wrong = index < wrong_first
            first = wrong_choice if wrong else question["correct_choice"]
            quiz.append(
                QuizAnswer(
                    request=request,
                    question_key=question["key"],
                    first_choice=first,
                    first_try_correct=not wrong,
                    latest_choice=question["correct_choice"],
                    is_correct=True,
                    attempts=2 if wrong else 1,
                )
            )
        for kind, items, flagged in (
            ("risk", content["risks"], flag_risks),
            ("step", content["preparation_steps"], flag_steps),
        ):
            for item in items:
                acks.append(
                    Acknowledgement(
                        request=request,
                        kind=kind,
                        item_key=item["key"],
                        acknowledged_at=now,
                        wants_to_discuss=index < flagged,
                    )
                )
        for text in asked:
            questions.append(PatientQuestion(request=request, text=text, normalised_text=normalise_question(text)))
    QuizAnswer.objects.bulk_create(quiz)
    Acknowledgement.objects.bulk_create(acks)
    PatientQuestion.objects.bulk_create(questions)
    return requests


def learning_url(procedure, number=None) -> str:
    if number is None:
        return reverse("admin:procedures_procedure_learning", args=[procedure.pk])
    return reverse("admin:procedures_procedure_learning_version", args=[procedure.pk, number])


def text_of(response) -> str:
    return " ".join(response.content.decode().split())


# The one rule for small counts ---------------------------------------------------------------


@pytest.mark.parametrize(("count", "expected"), [(0, "0"), (1, FEWER), (4, FEWER), (5, "5"), (120, "120")])
def test_a_count_from_1_to_4_is_shown_as_fewer_than_5(count, expected):
    assert shown(count) == expected


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (0, 10, 0),  # nobody: safe to say
        (1, 10, None),  # made from a suppressed count
        (4, 10, None),
        (5, 10, 50),
        (5, 15, 33),
        (0, 4, None),  # a share of fewer than 5 patients
        (4, 4, None),
        (5, 5, 100),
    ],
)
def test_a_share_made_from_a_suppressed_count_or_of_fewer_than_5_patients_is_hidden(part, whole, expected):
    assert share(part, whole) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Can I drive afterwards?", "can i drive afterwards"),
        ("  can   I DRIVE afterwards!! ", "can i drive afterwards"),
        ("¿Puedo conducir después?", "puedo conducir despues"),
        ("Can't I eat?", "cant i eat"),
        ("Pain—how long (days)?", "pain how long days"),
    ],
)
def test_questions_are_compared_without_case_accents_punctuation_or_extra_spaces(text, expected):
    assert normalise_question(text) == expected


def test_the_migration_fills_in_existing_questions_the_same_way():
    """Questions asked before this change get their compared form from the migration's frozen copy."""
    [path] = Path(settings.BASE_DIR, "consent", "migrations").glob("*_patient_question_normalised_text.py")
    migration = importlib.import_module(f"consent.migrations.{path.stem}")  # found by name: numbers change at merge
    texts = ["Can I drive afterwards?", "¿Puedo conducir después?", "Can't I eat?", "Pain—how long (days)?", "½ dose"]

    assert [migration.normalise_question(text) for text in texts] == [normalise_question(text) for text in texts]


def test_a_saved_question_keeps_its_compared_form(case_a):
    question = PatientQuestion.objects.create(request=case_a.request, text="Can I DRIVE afterwards?")
    question.text = "Will it hurt?"
    question.save(update_fields=["text"])

    question.refresh_from_db()
    assert question.normalised_text == "will it hurt"


# The figures of one version --------------------------------------------------------------------


def test_the_figures_count_wrong_first_answers_the_misleading_choice_and_flags(published_procedure):
    version = published_procedure.current_version
    add_patients(version, 12, wrong_first=6, flag_risks=5, flag_steps=2)

    figures = version_figures(version)

    assert figures.patients == 12
    [question] = figures.questions
    assert (question.answered, question.wrong_first, question.wrong_share) == (12, 6, 50)
    assert question.misleading_answer == "Run a marathon"
    [risk] = figures.risks
    assert (risk.answered, risk.flagged_shown, risk.flagged_share) == (12, "5", 42)
    [step] = figures.steps
    assert (step.answered, step.flagged_shown, step.flagged_share) == (12, FEWER, None)


def test_a_misleading_answer_chosen_by_fewer_than_5_patients_is_not_named(published_procedure):
    version = published_procedure.current_version
    add_patients(version, 20, wrong_first=4)

    [question] = version_figures(version).questions

    assert (question.wrong_first_shown, question.wrong_share, question.misleading_answer) == (FEWER, None, None)


def test_a_row_fewer_than_5_patients_answered_shows_too_few_patients_yet(client, content_admin, published_procedure):
    version = published_procedure.current_version
    add_patients(version, 4, wrong_first=4, flag_risks=4)
    client.force_login(content_admin)

    figures = version_figures(version)
    page = text_of(client.get(learning_url(published_procedure)))

    assert all(row.too_few for row in figures.questions + figures.risks + figures.steps)
    assert page.count("Too few patients yet") == 3
    assert "Run a marathon" not in page.split("Wrong answer chosen most")[1]
    assert "(100%)" not in page and "(0%)" not in page


def test_patients_are_the_requests_on_the_version_now_whatever_their_status(published_procedure):
    first = published_procedure.current_version
    add_patients(first, 5, status="declined", wrong_first=5)
    add_patients(first, 3, status="cancelled")
    add_patients(first, 2, status="in_progress")
    ComprehensionQuestion.objects.create(
        procedure=published_procedure,
        question="When can you eat?",
        choices="After an hour\nNever",
        correct_choice=1,
        explanation="Wait an hour.",
    )
    second = publish_procedure(procedure=published_procedure, published_by=None, change_summary="Q", is_material=False)
    add_patients(second, 6)

    on_first, on_second = version_figures(first), version_figures(second)

    assert on_first.patients == 10
    assert [(q.answered, q.wrong_first) for q in on_first.questions] == [(10, 5)]
    assert on_second.patients == 6
    assert [(q.question, q.answered) for q in on_second.questions] == [
        ("What should you do if you get a headache?", 6),
        ("When can you eat?", 6),
    ]


def test_a_question_5_different_patients_asked_in_the_same_words_is_common(published_procedure):
    version = published_procedure.current_version
    add_patients(version, 2, asked=("Can I drive afterwards?", "Will it hurt?"))
    add_patients(version, 2, asked=("can i drive  AFTERWARDS",))
    add_patients(version, 1, asked=("Can I drive afterwards!",))
    add_patients(version, 4, asked=("How long does it take?",))
    [repeater] = add_patients(version, 1)
    for _ in range(5):
        PatientQuestion.objects.create(request=repeater, text="Is the doctor kind?")

    figures = version_figures(version)

    assert [(common.text, common.patients) for common in figures.common_questions] == [("Can I drive afterwards!", 5)]
    assert (figures.patients_asking, figures.questions_asked) == (10, 16)


def test_the_figures_take_the_same_few_queries_however_many_patients(published_procedure):
    version = published_procedure.current_version
    add_patients(version, 6, wrong_first=2, flag_risks=1, asked=("Will it hurt?",))
    with CaptureQueriesContext(connection) as few:
        version_figures(version)
    add_patients(version, 60, wrong_first=20, flag_risks=10, asked=("Will it hurt?", "Can I drive?"))

    with CaptureQueriesContext(connection) as many:
        figures = version_figures(version)

    assert figures.patients == 66
    assert len(few) == len(many) <= 6


def test_sorting_by_what_is_shown_gives_no_hidden_count_away(published_procedure):
    Risk.objects.create(
        procedure=published_procedure,
        title="Bleeding",
        description="You may bleed a little.",
        frequency="rare",
        severity="minor",
        order=2,
    )
    ComprehensionQuestion.objects.create(
        procedure=published_procedure,
        question="When can you eat?",
        choices="After an hour\nNever",
        correct_choice=1,
        explanation="Wait an hour.",
        order=2,
    )
    version = publish_procedure(procedure=published_procedure, published_by=None, change_summary="2", is_material=True)
    headache, bleeding = (risk["key"] for risk in version.content["risks"])
    add_patients(version, 10, wrong_first=6)
    rows = Acknowledgement.objects.filter(request__procedure_version=version, kind="risk")
    # Bleeding flagged by 3 patients, headache by 1: both "fewer than 5", so they keep the version's order.
    for key, flagged in ((headache, 1), (bleeding, 3)):
        keep = list(rows.filter(item_key=key).values_list("pk", flat=True)[:flagged])
        rows.filter(pk__in=keep).update(wants_to_discuss=True)
    eat = version.content["questions"][1]["key"]
    QuizAnswer.objects.filter(request__procedure_version=version, question_key=eat).update(
        first_try_correct=False, first_choice=2
    )

    figures = version_figures(version)

    assert [risk.title for risk in figures.risks_most_flagged_first] == ["Headache", "Bleeding"]
    assert [q.question for q in figures.questions_most_missed_first] == [
        "When can you eat?",  # 100% wrong first time
        "What should you do if you get a headache?",  # 60%
    ]


# The page ---------------------------------------------------------------------------------------


def test_the_page_shows_each_text_beside_its_figures_worst_first(client, content_admin, published_procedure):
    version = published_procedure.current_version
    add_patients(version, 12, wrong_first=6, flag_risks=5, asked=("Can I drive afterwards?",), name="Zebedee")
    client.force_login(content_admin)

    response = client.get(learning_url(published_procedure))

    page = text_of(response)
    assert response.status_code == 200
    assert "What patients found hard: Test procedure" in page
    assert "Patients whose request is on version 1: <strong>12</strong>" in page
    assert "What should you do if you get a headache?" in page and "Right answer: Lie flat and drink fluids" in page
    assert "6 (50%)" in page and "“Run a marathon” (6 patients)" in page
    assert "Headache" in page and "5 (42%)" in page
    assert "Can I drive afterwards?" in page and "Questions 5 or more patients asked" in page
    assert "A count of 0 is shown as 0" in page
    assert "Most often wrong" in page and "Most often flagged" in page
    assert "Zebedee" not in page and "LEARN-" not in page and "1950" not in page


def test_a_question_fewer_than_5_patients_asked_is_never_shown(client, content_admin, published_procedure):
    version = published_procedure.current_version
    add_patients(version, 4, asked=("Is my neighbour Mrs Smith having this too?",))
    client.force_login(content_admin)

    page = text_of(client.get(learning_url(published_procedure)))

    assert "Mrs Smith" not in page
    assert "Patients who asked the care team a question: fewer than 5. Questions asked in all: fewer than 5." in page
    assert "No question has been asked by 5 or more patients in the same words yet" in page


def test_the_version_picker_lists_every_version_and_opens_an_earlier_one(client, content_admin, published_procedure):
    first = published_procedure.current_version
    add_patients(first, 5, wrong_first=5)
    published_procedure.questions.update(question="What helps a headache after the test?")
    publish_procedure(procedure=published_procedure, published_by=None, change_summary="Clearer", is_material=True)
    client.force_login(content_admin)

    current = text_of(client.get(learning_url(published_procedure)))
    earlier = text_of(client.get(learning_url(published_procedure, 1)))

    assert "Patients whose request is on version 2: <strong>0</strong> (the version patients see now)" in current
    assert "What helps a headache after the test?" in current and "No patient has answered it yet" in current
    assert f'href="{learning_url(published_procedure, 1)}"' in current
    assert "Patients whose request is on version 1: <strong>5</strong>." in earlier
    assert "What should you do if you get a headache?" in earlier and "5 (100%)" in earlier
    assert f'href="{learning_url(published_procedure, 2)}"' in earlier


def test_a_version_that_does_not_exist_is_a_404(client, content_admin, published_procedure):
    client.force_login(content_admin)

    assert client.get(learning_url(published_procedure, 7)).status_code == 404
    assert client.get(reverse("admin:procedures_procedure_learning", args=[999_999])).status_code == 404


def test_a_procedure_never_published_has_nothing_to_learn_yet(client, content_admin, procedure):
    client.force_login(content_admin)

    response = client.get(learning_url(procedure))

    assert response.status_code == 200
    assert "Not published yet." in text_of(response)


def test_staff_without_the_content_permission_are_refused(client, django_user_model, published_procedure):
    client.force_login(make_user(django_user_model, "stan.staff", is_staff=True))

    assert client.get(learning_url(published_procedure)).status_code == 403


def test_the_page_takes_the_same_queries_however_many_patients(client, content_admin, published_procedure):
    version = published_procedure.current_version
    add_patients(version, 5, wrong_first=5, asked=("Will it hurt?",) * 1)
    client.force_login(content_admin)
    client.get(learning_url(published_procedure))
    with CaptureQueriesContext(connection) as few:
        client.get(learning_url(published_procedure))
    add_patients(version, 50, wrong_first=10, flag_risks=10, asked=("Will it hurt?", "Can I drive?"))

    with CaptureQueriesContext(connection) as many:
        client.get(learning_url(published_procedure))

    assert len(few) == len(many)


def test_viewing_the_figures_changes_nothing_and_writes_no_audit_event(client, content_admin, published_procedure):
    from consent.models import AuditEvent

    add_patients(published_procedure.current_version, 6)
    before = AuditEvent.objects.count()
    client.force_login(content_admin)

    client.get(learning_url(published_procedure))

    assert AuditEvent.objects.count() == before


def test_the_procedure_page_and_the_content_history_link_to_the_figures(client, content_admin, published_procedure):
    client.force_login(content_admin)

    change = client.get(reverse("admin:procedures_procedure_change", args=[published_procedure.pk])).content.decode()
    history = client.get(
        reverse("admin:procedures_procedure_content_history", args=[published_procedure.pk])
    ).content.decode()

    assert f'href="{learning_url(published_procedure)}"' in change
    assert f'href="{learning_url(published_procedure, 1)}"' in change  # from the published version's row
    assert f'href="{learning_url(published_procedure)}"' in history


# The publish page -------------------------------------------------------------------------------


def test_the_publish_page_shows_the_replaced_versions_figures_beside_each_changed_item(
    client, content_admin, published_procedure
):
    version = published_procedure.current_version
    add_patients(version, 40, wrong_first=12, flag_risks=3, flag_steps=6)
    published_procedure.risks.update(description="You may get a headache for a day or two.")
    published_procedure.questions.update(question="What helps a headache after the test?")
    published_procedure.preparation_steps.update(instruction="Bring all your medicines.")
    ComprehensionQuestion.objects.create(
        procedure=published_procedure,
        question="When can you eat?",
        choices="After an hour\nNever",
        correct_choice=1,
        explanation="Wait an hour.",
    )
    client.force_login(content_admin)

    page = text_of(client.get(reverse("admin:procedures_procedure_publish", args=[published_procedure.pk])))

    assert "On version 1: 12 of 40 patients got this wrong first time (30%)." in page
    assert "On version 1: fewer than 5 of 40 patients asked to talk about this." in page  # the risk
    assert "On version 1: 6 of 40 patients asked to talk about this (15%)." in page  # the step
    assert page.count("On version 1:") == 3  # nothing beside the added question
    assert f'<a href="{learning_url(published_procedure, 1)}">All of version 1\'s figures</a>' in page


def test_the_publish_page_says_too_few_patients_yet_for_a_version_few_patients_had(
    client, content_admin, published_procedure
):
    add_patients(published_procedure.current_version, 3, wrong_first=3)
    published_procedure.questions.update(question="What helps a headache after the test?")
    client.force_login(content_admin)

    page = text_of(client.get(reverse("admin:procedures_procedure_publish", args=[published_procedure.pk])))

    assert "On version 1: too few patients yet to say how they did." in page
    assert "got this wrong" not in page


def test_the_publish_page_of_a_procedure_never_published_shows_no_figures(client, content_admin, procedure):
    client.force_login(content_admin)

    page = text_of(client.get(reverse("admin:procedures_procedure_publish", args=[procedure.pk])))

    assert "On version" not in page and "figures" not in page


def test_a_real_journey_counts_on_the_version_it_is_on(client, content_admin, published_procedure):
    """Through the services, not bulk rows: a patient's answers and question reach the figures."""
    from consent import services

    case = make_case(published_procedure, PATIENT_A)
    request = case.request
    content = request.content
    services.verify_identity(consent_request=request, date_of_birth=PATIENT_A["date_of_birth"], ip=None)
    services.save_risk_answers(
        consent_request=request,
        acknowledged={risk["key"] for risk in content["risks"]},
        to_discuss={risk["key"] for risk in content["risks"]},
        ip=None,
    )
    services.answer_quiz(consent_request=request, answers={q["key"]: 2 for q in content["questions"]}, ip=None)
    services.save_questions(consent_request=request, text="Can I drive afterwards?", wants_discussion=False, ip=None)

    figures = version_figures(request.procedure_version)

    assert [(q.answered, q.wrong_first) for q in figures.questions] == [(1, 1)]
    assert [(r.answered, r.flagged) for r in figures.risks] == [(1, 1)]
    assert (figures.patients_asking, figures.questions_asked) == (1, 1)
    assert PatientQuestion.objects.get(request=request).normalised_text == "can i drive afterwards"
