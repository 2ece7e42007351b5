"""The four sample procedures: complete, plain, labelled, and loaded idempotently."""

import re
import statistics

import pytest
import textstat
from django.core.management import call_command
from django.urls import reverse

from procedures.models import SEVERITY_EXPLANATIONS, Procedure, ProcedureVersion, describe_severity
from procedures.readability import MARKUP
from procedures.sample_content import SAMPLE_PROCEDURES
from procedures.services import SAMPLE_CHANGE_SUMMARY, load_sample_procedures
from procedures.templatetags.procedure_content import severity_words

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
    assert len(content["questions"]) == 4
    assert content["questions_to_ask"].count("\n") >= 3
    assert content["leaflet"]["author"] and content["leaflet"]["review_by"]
    assert "clinical_reviewer" not in content["leaflet"]  # sample content: no clinician has reviewed it
    assert content["pictures"] and all(picture["alt_text"] and picture["caption"] for picture in content["pictures"])


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
def test_sample_text_reads_at_grade_eight_or_below_and_six_on_average(procedure):
    texts = [procedure[field] for field in LONG_TEXT_FIELDS]
    texts += [risk["description"] for risk in procedure["risks"]]
    texts += [risk["severity_note"] for risk in procedure["risks"] if risk.get("severity_note")]
    texts += [step["instruction"] for step in procedure["preparation_steps"]]
    texts += [question["explanation"] for question in procedure["questions"]]
    texts += [question["question"] for question in procedure["questions"]]
    texts += [picture[field] for picture in procedure["pictures"] for field in ("alt_text", "caption")]
    texts.append(procedure["questions_to_ask"])

    grades = [textstat.flesch_kincaid_grade(MARKUP.sub("", text)) for text in texts]

    assert max(grades) <= 8, [text for text, grade in zip(texts, grades, strict=True) if grade > 8]
    assert statistics.mean(grades) <= 6


# The words a risk may use about how common it is: only its own band's.
BAND_WORDS = {
    "very_common": {"very common", "very commonly"},
    "common": {"common", "commonly"},
    "uncommon": {"uncommon", "uncommonly"},
    "rare": {"rare", "rarely"},
    "very_rare": {"very rare", "very rarely"},
}
BAND_WORD = re.compile(r"\b(very common(?:ly)?|very rare(?:ly)?|uncommon(?:ly)?|common(?:ly)?|rare(?:ly)?)\b", re.I)
# A promise that the harm goes away, and signs that a risk's harm can last.
PROMISE = re.compile(r"\b(gets? better|go(?:es)? away|wears? off|recover|heals?|settles?|fades?)\b", re.I)
LASTING = re.compile(
    r"\b(lasting|permanent|for good|another operation|more surgery|death|die|paraly|not join|may not|"
    r"does not help|not fully|can stay|may stay|may last|can last)",
    re.I,
)


@pytest.mark.parametrize("procedure", SAMPLE_PROCEDURES, ids=lambda procedure: procedure["slug"])
def test_every_figure_has_its_source_and_every_band_word_matches_the_band(procedure):
    for risk in procedure["risks"]:
        if risk.get("frequency_n"):
            assert len(risk.get("source", "")) > 20, risk["title"]
        for field in ("title", "description", "severity_note"):
            for word in BAND_WORD.findall(risk.get(field) or ""):
                assert word.lower() in BAND_WORDS[risk["frequency"]], (risk["title"], field, word)


@pytest.mark.parametrize("procedure", SAMPLE_PROCEDURES, ids=lambda procedure: procedure["slug"])
def test_no_moderate_or_serious_risk_promises_a_recovery_it_cannot(procedure):
    for severity in ("moderate", "serious"):
        assert not PROMISE.search(str(SEVERITY_EXPLANATIONS[severity])), severity  # the bands' own wording
    for risk in procedure["risks"]:
        if risk["severity"] == "minor":
            continue
        wording = describe_severity(risk["severity"], risk.get("severity_note", ""))
        if LASTING.search(f"{risk['title']} {risk['description']}"):
            # A risk whose harm can last may say it often gets better only if it says, there too, that it may not.
            assert not PROMISE.search(wording) or LASTING.search(wording), (risk["title"], wording)


def test_the_moderate_band_no_longer_promises_that_every_such_risk_gets_better(loaded):
    lumbar_fusion = Procedure.objects.get(slug="percutaneous-lumbar-fusion").current_version.content
    bones = next(risk for risk in lumbar_fusion["risks"] if risk["title"] == "Bones not joining")

    assert "usually gets better" not in severity_words(bones)
    assert severity_words(bones).startswith("Moderate: ")


@pytest.mark.parametrize("procedure", SAMPLE_PROCEDURES, ids=lambda procedure: procedure["slug"])
def test_the_warning_signs_say_when_to_call_an_ambulance_and_when_the_clinic_and_name_no_number(procedure):
    recovery = procedure["recovery"]
    emergency, _, clinic = recovery.partition("Call the clinic")

    assert "Call an ambulance or go to the emergency room now" in emergency
    assert re.search(r"bladder|bowel", emergency)
    assert clinic and "out-of-hours" in clinic
    patient_facing = str(
        {name: value for name, value in procedure.items() if name != "risks"}
        | {"risks": [{k: v for k, v in risk.items() if not k.startswith("source")} for risk in procedure["risks"]]}
    )
    phone = r"\(\d{3}\)|\b\d{3}[ .-]\d{3}[ .-]\d{4}\b|\b\d{5} \d{6}\b|\b(911|999)\b|\b[Cc]all (112|000)\b"
    assert not re.search(phone, patient_facing)  # the numbers are settings, shown beside the content


@pytest.mark.parametrize("procedure", SAMPLE_PROCEDURES, ids=lambda procedure: procedure["slug"])
def test_blood_thinners_are_raised_as_soon_as_the_link_arrives_with_every_group_named(procedure):
    step = procedure["preparation_steps"][0]
    text = step["instruction"].lower()

    # No set day: the patient acts at once; one who takes them says so, and the nurse sees the answer.
    assert step["timing"] == "As soon as you get this" and "days_before" not in step
    for drug in ("warfarin", "apixaban", "edoxaban", "heparin", "clopidogrel", "prasugrel", "ticagrelor"):
        assert drug in text, drug
    assert "on your own" in text


@pytest.mark.parametrize("slug", ["percutaneous-lumbar-fusion", "lumbar-laminectomy", "lumbar-sympathetic-block"])
def test_medicines_that_need_holding_before_an_anesthetic_or_sedation_are_raised(slug):
    procedure = next(procedure for procedure in SAMPLE_PROCEDURES if procedure["slug"] == slug)
    text = " ".join(step["instruction"] for step in procedure["preparation_steps"]).lower()

    assert "glp-1" in text and "sglt2" in text


@pytest.mark.parametrize("procedure", SAMPLE_PROCEDURES, ids=lambda procedure: procedure["slug"])
def test_the_quiz_tests_understanding_with_believable_answers(procedure):
    questions = procedure["questions"]
    asked = [" ".join([question["question"], *question["choices"]]).lower() for question in questions]

    assert all(3 <= len(question["choices"]) <= 4 for question in questions)
    assert len({question["correct_choice"] for question in questions}) >= 3  # the right answer moves about
    assert any(re.search(r"bladder|bowel|pass urine|between your legs", text) for text in asked)
    assert any("blood thinner" in text for text in asked)
    assert any(re.search(r"how many|how likely|how common", text) for text in asked)
    for question in questions:
        assert not re.search(r"marathon|exactly one|always permanent", " ".join(question["choices"]).lower())


def sample(slug):
    return next(procedure for procedure in SAMPLE_PROCEDURES if procedure["slug"] == slug)


def risk_titled(procedure, start):
    return next(risk for risk in procedure["risks"] if risk["title"].startswith(start))


@pytest.mark.parametrize("slug", ["percutaneous-lumbar-fusion", "lumbar-laminectomy"])
def test_the_operations_state_death_stroke_and_the_risks_of_lying_face_down(slug):
    procedure = sample(slug)
    titles = [risk["title"] for risk in procedure["risks"]]

    death = risk_titled(procedure, "Death")
    assert death["severity"] == "serious" and death["is_material"] and death["frequency"] in ("uncommon", "rare")
    assert risk_titled(procedure, "Stroke")["frequency"] == "uncommon"
    for start in ("Loss of sight", "Numbness or sore skin from lying", "Chest or urine infection", "Confusion"):
        assert any(title.startswith(start) for title in titles), start
    assert any("wrong level" in title.lower() for title in titles)
    assert any("Sign In" in item["text"] for item in procedure["checklist_items"])


def test_the_laminectomy_names_instability_and_repeat_surgery_honestly():
    procedure = sample("lumbar-laminectomy")
    unstable = risk_titled(procedure, "Spine becoming less stable")
    again = risk_titled(procedure, "Needing another back operation")

    assert unstable["frequency"] == "common" and unstable["is_material"] and "fusion" in unstable["severity_note"]
    assert (again["frequency_n"], again["frequency_m"]) == (1, 4) and "Atlas" in again["source"]
    assert any(item["category"] == "other" and "smok" in item["text"].lower() for item in procedure["checklist_items"])


def test_the_fusion_names_next_level_surgery_non_union_and_the_limits_of_fusion_for_back_pain():
    procedure = sample("percutaneous-lumbar-fusion")
    next_level = risk_titled(procedure, "Wear at the levels next to the fusion")

    assert (next_level["frequency_n"], next_level["frequency_m"]) == (1, 5) and "Sears" in next_level["source"]
    assert risk_titled(procedure, "Bones not joining")["is_material"]
    for start in ("Pain where bone is taken from your hip", "Not being able to pass urine"):
        assert risk_titled(procedure, start)["is_material"]
    assert "badly worn disc" not in procedure["indications"]
    assert "NICE" in procedure["indications"]


def test_the_sympathetic_block_names_its_worst_risks_and_those_of_its_medicines():
    procedure = sample("lumbar-sympathetic-block")
    text = " ".join(f"{risk['title']} {risk['description']}" for risk in procedure["risks"]).lower()

    for words in ("breathing", "heart stop", "paraly", "steroid", "blood sugar", "groin", "sexual", "sedation"):
        assert words in text, words
    kidney = risk_titled(procedure, "Harm to the kidney")
    assert kidney["is_material"] and kidney["severity"] != "minor"
    categories = " ".join(item["text"].lower() for item in procedure["checklist_items"])
    assert "diabetes" in categories and "steroid" in categories


def test_the_lumbar_puncture_names_its_rarer_harms_and_the_needle_the_headache_depends_on():
    procedure = sample("lumbar-puncture")
    headache = risk_titled(procedure, "Headache after the procedure")
    titles = [risk["title"] for risk in procedure["risks"]]

    assert "pencil-point" in headache["description"] and "cutting" in headache["description"]
    assert "Nath" in headache["source"]
    assert "Which needle will you use?" in procedure["questions_to_ask"]
    assert {"Bleeding around the brain", "Double vision or a change in hearing"} <= set(titles)
    assert (
        risk_titled(procedure, "Skin infection")["frequency"] != risk_titled(procedure, "Infection around")["frequency"]
    )
    clotting = next(item for item in procedure["checklist_items"] if item["category"] == "tests")
    assert clotting["allow_not_applicable"] and "Where indicated" in clotting["text"]
    everything = str(procedure).lower()
    assert "drink plenty" not in everything and "very unlikely" not in everything


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
    r"\bclear fluids\b": "such as water",
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
    assert words["Headache after the procedure"] == "Common: about 1 in 20 people"
    assert words["Back pain or bruising"] == "Very common: about 1 in 6 people"
    assert words["Brief pain or tingling in a leg"] == "Common: about 1 in 20 people"
    assert words["Skin infection where the needle went in"] == "Rare: up to 1 in 1,000 people"
    for procedure in Procedure.objects.all():
        for risk in procedure.current_version.content["risks"]:
            assert "between" not in frequency_words(risk)
    with translation.override("es"):
        risk = next(risk for risk in lumbar["risks"] if risk["title"] == "Skin infection where the needle went in")
        assert frequency_words(risk) == "Raro: hasta 1 de cada 1.000 personas"
