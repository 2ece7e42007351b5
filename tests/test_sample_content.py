"""The four sample procedures: complete, plain, labelled, and loaded idempotently."""

import pytest
import textstat
from django.core.management import call_command
from django.urls import reverse

from procedures.models import Procedure, ProcedureVersion
from procedures.sample_content import SAMPLE_PROCEDURES
from procedures.services import SAMPLE_CHANGE_SUMMARY, load_sample_procedures

SLUGS = ["lumbar-puncture", "percutaneous-lumbar-fusion", "lumbar-sympathetic-block", "lumbar-laminectomy"]
LONG_TEXT_FIELDS = ["summary", "what_happens", "indications", "benefits", "alternatives", "recovery"]


def state_of_content():
    """Everything the loader could touch, to compare before and after."""
    return [
        (
            procedure.slug,
            procedure.updated_at,
            [(v.number, v.fingerprint, v.published_at) for v in procedure.versions.all()],
            list(procedure.risks.values_list("pk", "key", "title")),
            list(procedure.preparation_steps.values_list("pk", "key")),
            list(procedure.checklist_items.values_list("pk", "key")),
            list(procedure.questions.values_list("pk", "key")),
        )
        for procedure in Procedure.objects.order_by("slug")
    ]


@pytest.fixture
def loaded(db):
    call_command("load_sample_content", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_loader_publishes_four_sample_procedures_as_version_one(loaded):
    assert sorted(Procedure.objects.values_list("slug", flat=True)) == sorted(SLUGS)
    for procedure in Procedure.objects.all():
        version = procedure.current_version
        assert procedure.is_sample
        assert version.number == 1
        assert version.content["is_sample"] is True
        assert version.change_summary == SAMPLE_CHANGE_SUMMARY


def test_running_the_loader_twice_changes_nothing(loaded):
    before = state_of_content()

    results = load_sample_procedures()

    assert [created for _, created in results] == [False] * 4
    assert state_of_content() == before
    assert ProcedureVersion.objects.count() == 4


def test_loader_leaves_a_clinic_edited_procedure_alone(loaded):
    Procedure.objects.filter(slug="lumbar-puncture").update(summary="Our own wording.")
    load_sample_procedures()

    assert Procedure.objects.get(slug="lumbar-puncture").summary == "Our own wording."


@pytest.mark.parametrize("slug", SLUGS)
def test_each_sample_procedure_has_what_a_patient_needs(loaded, slug):
    content = Procedure.objects.get(slug=slug).current_version.content

    for field in LONG_TEXT_FIELDS:
        assert content[field].strip(), f"{field} is empty"
    assert "no treatment" in content["alternatives"].lower()
    assert len(content["risks"]) >= 5
    assert sum(risk["is_material"] for risk in content["risks"]) >= 1
    assert {risk["severity"] for risk in content["risks"]} >= {"minor", "serious"}
    assert len(content["preparation_steps"]) >= 4
    assert all(step["timing"] for step in content["preparation_steps"])
    assert len(content["checklist_items"]) >= 6
    assert len(content["questions"]) == 3


def test_lumbar_puncture_is_corrected_from_the_seed(loaded):
    content = Procedure.objects.get(slug="lumbar-puncture").current_version.content
    titles = " ".join(risk["title"].lower() for risk in content["risks"])
    text = " ".join(content[field] for field in LONG_TEXT_FIELDS).lower()
    categories = {item["category"] for item in content["checklist_items"]}

    assert "headache" in titles
    assert "from the spinal cord" not in text
    assert "below" in text and "spinal cord" in text
    assert {"medication", "tests", "allergies", "identity"} <= categories


@pytest.mark.parametrize("slug", ["percutaneous-lumbar-fusion", "lumbar-laminectomy"])
def test_operations_under_anaesthetic_check_fasting_and_a_driver(loaded, slug):
    content = Procedure.objects.get(slug=slug).current_version.content

    assert {"fasting", "transport"} <= {item["category"] for item in content["checklist_items"]}


def test_laminectomy_is_not_called_a_hip_operation(loaded):
    content = Procedure.objects.get(slug="lumbar-laminectomy").current_version.content

    assert "hip lumbar" not in str(content).lower()


@pytest.mark.parametrize("procedure", SAMPLE_PROCEDURES, ids=lambda procedure: procedure["slug"])
def test_sample_text_reads_at_grade_eight_or_below(procedure):
    texts = [procedure[field] for field in LONG_TEXT_FIELDS]
    texts += [risk["description"] for risk in procedure["risks"]]
    texts += [step["instruction"] for step in procedure["preparation_steps"]]
    texts += [question["explanation"] for question in procedure["questions"]]

    texts += [question["question"] for question in procedure["questions"]]

    grades = [textstat.flesch_kincaid_grade(text) for text in texts]

    assert max(grades) <= 8, [text for text, grade in zip(texts, grades, strict=True) if grade > 8]


def test_content_admin_sees_the_four_procedures_with_their_items_in_the_admin(client, content_admin, loaded):
    client.force_login(content_admin)

    changelist = client.get(reverse("admin:procedures_procedure_changelist")).content.decode()
    procedure = Procedure.objects.get(slug="lumbar-puncture")
    change = client.get(reverse("admin:procedures_procedure_change", args=[procedure.pk])).content.decode()

    for name in [
        "Lumbar puncture",
        "Lower back fusion through small cuts",
        "Lumbar sympathetic block",
        "Lumbar laminectomy",
    ]:
        assert name in changelist
    assert "Sample: review before use" in changelist
    assert "your clinic&#x27;s clinicians must review it before use" in change
    for inline in ["risks-TOTAL_FORMS", "preparation_steps-TOTAL_FORMS", "checklist_items-TOTAL_FORMS"]:
        assert inline in change
    assert 'name="questions-TOTAL_FORMS"' in change
    assert procedure.risks.first().title in change
    assert procedure.questions.first().question in change


def test_nurse_cannot_reach_the_content_admin(client, nurse, loaded):
    client.force_login(nurse)

    response = client.get(reverse("admin:procedures_procedure_changelist"))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def patient_texts(content: dict) -> list[tuple[str, str]]:
    """Every text a patient reads in a procedure's content, named by where it is."""
    texts = [(field, content[field]) for field in ("name", *LONG_TEXT_FIELDS)]
    for risk in content["risks"]:
        texts += [(f"risk {risk['title']}", risk["title"]), (f"risk {risk['title']}", risk["description"])]
    texts += [("preparation step", step["instruction"]) for step in content["preparation_steps"]]
    texts += [("checklist question", item["patient_question"]) for item in content["checklist_items"]]
    for question in content["questions"]:
        texts += [(f"quiz {question['question']}", text) for text in (question["question"], *question["choices"])]
        texts.append((f"quiz {question['question']}", question["explanation"]))
    return texts


# A medical word a patient may not know, and words that, in the same text, explain it.
JARGON = {
    r"\bpercutaneous\b": "through the skin",
    r"\blamina\b": "bone at the back",
    r"\bdura\b": "covering",
    r"\bCRPS\b": "long-lasting pain",
    r"\bRSD\b": "never: the old name is written out",
    r"\bCT\b": "X-ray",
    r"\bMRI\b": "magnet",
    r"\bCSF\b": "fluid",
}


@pytest.mark.parametrize("procedure", SAMPLE_PROCEDURES, ids=lambda procedure: procedure["slug"])
def test_medical_words_are_explained_where_a_patient_first_meets_them_and_kept_out_of_names(procedure):
    import re

    unexplained, met = [], set()
    for where, text in patient_texts(procedure):  # in the order the patient reads them
        for word, explanation in JARGON.items():
            flags = 0 if word == r"\bCT\b" else re.IGNORECASE
            if word not in met and re.search(word, text, flags):
                met.add(word)
                if explanation not in text:
                    unexplained.append((where, word.replace("\\b", "")))
    assert unexplained == []
    for title in [procedure["name"], *(risk["title"] for risk in procedure["risks"])]:
        assert not any(re.search(word, title, re.IGNORECASE) for word in JARGON), title


def test_the_lumbar_puncture_quiz_says_where_the_fluid_is_as_the_information_does():
    lumbar = next(procedure for procedure in SAMPLE_PROCEDURES if procedure["slug"] == "lumbar-puncture")
    spanish_texts = lumbar["translations"]["es"]
    question = lumbar["questions"][0]
    right = question["choices"][question["correct_choice"] - 1]
    assert "around your brain and spinal cord" in lumbar["summary"]
    assert (
        "around your brain and spinal cord" in right and "around your brain and spinal cord" in question["explanation"]
    )
    assert not any("around the nerves" in choice for choice in question["choices"])

    spanish = spanish_texts["questions"][0]
    right = spanish["choices"][question["correct_choice"] - 1]
    assert "rodea el cerebro y la médula espinal" in spanish_texts["summary"]
    assert "alrededor del cerebro y la médula espinal" in right
    assert "rodea el cerebro y la médula espinal" in spanish["explanation"]


def test_risks_with_a_known_figure_say_about_n_in_m_and_the_others_give_one_figure_not_a_range(loaded):
    from django.utils import translation

    from procedures.templatetags.procedure_content import frequency_words

    lumbar = Procedure.objects.get(slug="lumbar-puncture").current_version.content
    words = {risk["title"]: frequency_words(risk) for risk in lumbar["risks"]}
    assert words["Headache after the procedure"] == "Very common: about 1 in 5 people"
    assert words["Back pain or bruising"] == "Very common: about 1 in 4 people"
    assert words["Brief pain or tingling in a leg"] == "Common: about 1 in 10 people"
    assert words["Infection"] == "Rare: up to 1 in 1,000 people"
    for procedure in Procedure.objects.all():
        for risk in procedure.current_version.content["risks"]:
            assert "between" not in frequency_words(risk)
    with translation.override("es"):
        risk = next(risk for risk in lumbar["risks"] if risk["title"] == "Infection")
        assert frequency_words(risk) == "Raro: hasta 1 de cada 1.000 personas"
