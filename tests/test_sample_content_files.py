"""The sample content as data files: read exactly as it was written, and every mistake named where it is."""

import shutil

import pytest
import yaml

from procedures import sample_content
from procedures.sample_content import (
    SAMPLE_DIR,
    SAMPLE_SLUGS,
    SampleContentError,
    read_sample_procedures,
)
from procedures.services import load_sample_procedures

# The fingerprint of each sample procedure's first published version, loaded from the files. They may
# change only when the sample content changes, and then in the same commit (last: the clinical review
# of issue 15, with sources, severity wording, pictures and the leaflet's details; then issue 17's
# `asks_about_blood_thinners` on each sample's blood-thinner question).
PUBLISHED_FINGERPRINTS = {
    "lumbar-puncture": "2e2815cca42d69f02df859a00250c1bef9e7af3d3b106a718ec4bce35e3ed416",
    "percutaneous-lumbar-fusion": "81d1eebde1c841f685506fde8c38ee12b82f362d3b6435693a3e7caeb765892e",
    "lumbar-sympathetic-block": "6fd626727ce7f34424431f339eb9e0e8801a078d85679d61f42d083580517212",
    "lumbar-laminectomy": "ba6baf08c578a6dca06b69f88f9f9e567f3b258c639a64872d721701a3ef5b3d",
}


def test_the_sample_procedures_published_from_the_files_have_the_recorded_fingerprints(db):
    published = {procedure.slug: procedure.current_version.fingerprint for procedure, _ in load_sample_procedures()}

    assert published == PUBLISHED_FINGERPRINTS


def test_the_files_give_one_procedure_per_slug_in_order_and_spanish_for_the_lumbar_puncture():
    procedures = sample_content.SAMPLE_PROCEDURES

    assert [procedure["slug"] for procedure in procedures] == list(SAMPLE_SLUGS)
    assert {procedure["slug"]: sorted(procedure.get("translations", {})) for procedure in procedures} == {
        "lumbar-puncture": ["es"],
        "percutaneous-lumbar-fusion": [],
        "lumbar-sympathetic-block": [],
        "lumbar-laminectomy": [],
    }
    assert read_sample_procedures() == procedures


def test_each_file_stands_on_its_own_says_it_is_sample_content_and_keeps_paragraphs_as_written():
    files = sorted(SAMPLE_DIR.glob("*.yaml"))
    assert [path.name for path in files] == sorted(
        [f"{slug}.en.yaml" for slug in SAMPLE_SLUGS] + ["lumbar-puncture.es.yaml"]
    )
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert "SAMPLE CONTENT" in text.split("\n\n")[0], path.name
        # No anchors or aliases: a clinician reads each file without looking anywhere else.
        events = list(yaml.parse(text, Loader=yaml.SafeLoader))
        assert not any(isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) for event in events)
    lumbar = sample_content.SAMPLE_PROCEDURES[0]
    assert lumbar["what_happens"].startswith("A doctor or a specially trained nurse will do the procedure.")
    assert "You stay awake the whole time.\n\n- You lie on your side" in lumbar["what_happens"]
    assert not lumbar["what_happens"].endswith("\n")


@pytest.fixture
def samples(tmp_path):
    """A copy of the sample files to break, one mistake at a time."""
    for path in SAMPLE_DIR.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    shutil.copytree(SAMPLE_DIR / "pictures", tmp_path / "pictures")
    return tmp_path


def edit(directory, name, after, old, new):
    """Replace the first `old` that follows `after` in the file."""
    path = directory / name
    text = path.read_text(encoding="utf-8")
    start = text.index(after)
    at = text.index(old, start)
    path.write_text(text[:at] + new + text[at + len(old) :], encoding="utf-8")


def error_for(directory):
    with pytest.raises(SampleContentError) as raised:
        read_sample_procedures(directory)
    return raised.value


EN = "lumbar-puncture.en.yaml"
ES = "lumbar-puncture.es.yaml"
FUSION = "percutaneous-lumbar-fusion.en.yaml"

# One mistake each: (file, where in it, the text, what it becomes, the item, the field, the problem).
# fmt: off
BROKEN = {
    "a required field missing": (
        EN, "- title: Needing another try", "    severity: minor\n", "",
        "risks[3] 'Needing another try'", "severity", "is missing",
    ),
    "a field the item cannot have": (
        EN, "- title: Skin infection", "    frequency: rare\n", "    frequency: rare\n    likelihood: low\n",
        "risks[4] 'Skin infection where the needle went in'", "likelihood", "is not a field here",
    ),
    "text where a number goes": (
        EN, "- title: Headache after the procedure", "frequency_n: 1", "frequency_n: one",
        "risks[0] 'Headache after the procedure'", "frequency_n", "must be a whole number",
    ),
    "text where true or false goes": (
        EN, "- title: Nerve damage", "is_material: true", "is_material: always",
        "risks[9] 'Nerve damage'", "is_material", "must be true or false",
    ),
    "a severity that is not one of the model's": (
        EN, "- title: Bleeding inside the spine", "severity: serious", "severity: grave",
        "risks[6] 'Bleeding inside the spine'", "severity", "'grave' is not one of: minor, moderate, serious",
    ),
    "a frequency band that is not one of the model's": (
        EN, "- title: Back pain or bruising", "frequency: very_common", "frequency: often",
        "risks[1] 'Back pain or bruising'", "frequency", "'often' is not one of: very_common, common, uncommon",
    ),
    "a band that does not fit the figure (the model's own check)": (
        EN, "- title: Headache after the procedure", "frequency: common", "frequency: rare",
        "risks[0] 'Headache after the procedure'", "frequency", "About 1 in 20 is common, not rare",
    ),
    "a checklist category that is not one of the model's": (
        EN, "- text: Patient identity confirmed", "category: identity", "category: identification",
        "checklist_items[0] 'Patient identity confirmed with two identifiers (full...'", "category",
        "'identification' is not one of: identity, allergies",
    ),
    "an expected answer that is neither yes nor no": (
        EN, "- text: Transport home arranged", 'expected_answer: "yes"', 'expected_answer: "maybe"',
        "checklist_items[7] 'Transport home arranged; the patient is advised not to...'", "expected_answer",
        "'maybe' is not one of: yes, no",
    ),
    "an expected answer without its quotes, which YAML reads as false": (
        EN, "- text: Pregnancy status checked", 'expected_answer: "no"', "expected_answer: no",
        "checklist_items[6] 'Pregnancy status checked for anyone who could be pregnant...'", "expected_answer",
        'must be text, not False. Put it in quotes ("yes", "no")',
    ),
    "a negative number of days": (
        FUSION, "- timing: The day before", "days_before: 1", "days_before: -1",
        "preparation_steps[4] 'The day before: Have a shower or bath. Use the special...'", "days_before",
        "must be 0 or more",
    ),
    "a title too long for the model": (
        FUSION, "- title: Bleeding", "- title: Bleeding", "- title: Bleeding" + " and more" * 30,
        "risks[10] 'Bleeding and more and more and more and more and more and...'", "title",
        "is 278 characters long; 200 at most",
    ),
    "a correct answer that is not one of the answers (the model's own check)": (
        EN, "- question: About how many people get a headache", "correct_choice: 4", "correct_choice: 7",
        "questions[3] 'About how many people get a headache when a pencil-point...'", "correct_choice",
        "Choose a number from 1 to 4",
    ),
    "a procedure text misspelt": (
        FUSION, "", "benefits: |-", "benefit: |-",
        "the procedure", "benefit", "is not a field here. The fields are: name, summary",
    ),
    "a new risk pasted without its '- '": (
        FUSION, "  - title: Nausea or a sore throat", "  - title: Nausea", "    title: Nausea",
        "risks[0] 'Pain after the operation'", "title", "is given twice (the second time on line",
    ),
    "a translated risk with a field that is not translated": (
        ES, "- title: Dolor de espalda o moretón", "    description:", "    severity: minor\n    description:",
        "risks[1] 'Dolor de espalda o moretón'", "severity",
        "The fields are: title, description, severity_note. A translation holds only the words",
    ),
    "a translated prompt where the English item has none": (
        ES, "# checklist_items[7]", "?\n", "?\n    patient_prompt: Llame a la clínica.\n",
        "checklist_items[7] 'Transport home arranged; the patient is advised not to...'", "patient_prompt",
        "has text, but the English item has no patient_prompt",
    ),
    "a translated question left empty where the English item asks one": (
        ES, "# checklist_items[5]", "- patient_question: ¿", '- patient_question: ""  # was: ¿',
        "checklist_items[5] 'No fever and no skin infection, rash or broken skin over...'", "patient_question",
        "is empty; write the text",
    ),
    "a translated question with an answer fewer than the English": (
        ES, "- question: ¿Qué saca", "      - Una pequeña muestra de médula ósea de la espalda\n", "",
        "questions[0] '¿Qué saca de su cuerpo una punción lumbar?'", "choices",
        "has 3 answers; the English has 4",
    ),
    "a figure without its source": (
        EN, "- title: Back pain or bruising", "    source: ", "    note: ",
        "risks[1] 'Back pain or bruising'", "note", "is not a field here",
    ),
    "a review date that is not a date": (
        EN, "", "review_by: 2027-12-01", "review_by: next December",
        "the procedure", "review_by", "must be a date such as 2027-12-01, not 'next December'",
    ),
    "a picture whose file is not there": (
        EN, "pictures:", "file: lumbar-puncture-needle.svg", "file: lumbar-puncture-needle.png",
        "pictures[0] 'lumbar-puncture-needle.png'", "file", "names no file in",
    ),
    "a picture with a risk but no risk named": (
        EN, "pictures:", "section: summary", "section: risk",
        "pictures[0] 'lumbar-puncture-needle.svg'", "risk", "is needed exactly when the section is risk",
    ),
    "a picture with a risk the file does not have": (
        EN, "pictures:", "section: summary", "section: risk\n    risk: Headache afterward",
        "pictures[0] 'lumbar-puncture-needle.svg'", "risk", "is not the title of one of this file's risks",
    ),
    "a picture without its text for people who cannot see it, in Spanish": (
        ES, "pictures:", "  - alt_text: ", "  - caption_alt: ",
        "pictures[0] 'lumbar-puncture-needle.svg'", "caption_alt", "is not a field here",
    ),
}
# fmt: on


@pytest.mark.parametrize("case", BROKEN.values(), ids=BROKEN.keys())
def test_a_broken_file_is_refused_with_a_message_naming_the_file_the_item_and_the_field(samples, case):
    name, after, old, new, item, field, problem = case
    edit(samples, name, after, old, new)

    error = error_for(samples)

    assert (error.path.name, error.item, error.field) == (name, item, field)
    assert str(error).startswith(f"{samples / name}: {item}, field '{field}': ")
    assert problem in str(error)


def test_a_figure_left_without_its_source_is_refused(samples):
    edit(samples, EN, "- title: Back pain or bruising", "    source: ", "    # source: ")
    edit(samples, EN, "- title: Back pain or bruising", "    source_url: ", "    # source_url: ")

    error = error_for(samples)

    assert (error.path.name, error.item, error.field) == (EN, "risks[1] 'Back pain or bruising'", "source")
    assert "a risk with an “about N in M” figure says where it comes from" in str(error)


def test_a_translation_with_a_question_to_ask_missing_is_refused(samples):
    edit(samples, ES, "questions_to_ask:", "  - ¿Qué aguja van a usar?\n", "")

    error = error_for(samples)

    assert (error.path.name, error.field) == (ES, "questions_to_ask")
    assert "the same questions as the English, one for each" in str(error)


def test_a_translation_with_an_entry_for_no_english_item_is_refused(samples):
    path = samples / ES
    text = path.read_text(encoding="utf-8")
    extra = "  - title: Otro riesgo\n    description: |-\n      Un riesgo que el inglés no tiene.\n\n"
    path.write_text(text.replace("# Preparation steps", extra + "# Preparation steps"), encoding="utf-8")

    error = error_for(samples)

    assert (error.path.name, error.item) == (ES, "risks[11] 'Otro riesgo'")
    assert "translates no English item: the English has 11 risks (risks[0] to risks[10])" in str(error)


def test_a_translation_with_an_english_item_left_untranslated_is_refused(samples):
    path = samples / ES
    text = path.read_text(encoding="utf-8")
    start = text.index("  # questions[3]")
    path.write_text(text[:start] + text[text.index("\n# Questions a patient may want") :], encoding="utf-8")

    error = error_for(samples)

    assert (error.path.name, error.item) == (
        ES,
        "questions[3] 'About how many people get a headache when a pencil-point...'",
    )
    assert "is not translated: the English has 4 questions, this file 3" in str(error)


def test_a_procedure_text_left_out_is_named(samples):
    path = samples / FUSION
    text = path.read_text(encoding="utf-8")
    start = text.index("benefits: |-")
    path.write_text(text[:start] + text[text.index("alternatives: |-") :], encoding="utf-8")

    error = error_for(samples)

    assert (error.path.name, error.item, error.field) == (FUSION, "the procedure", "benefits")
    assert "is missing (it is required)" in str(error)


def test_a_file_that_is_not_yaml_says_where(samples):
    edit(samples, EN, "- title: Skin infection", "    frequency: rare\n", '    frequency: "rare\n')

    error = error_for(samples)

    assert error.path.name == EN
    assert "is not valid YAML" in str(error) and "line" in str(error)


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("lumbar-puncture.fr.yaml", "is in a language Proceed does not hold"),
        ("knee-injection.en.yaml", "is not a sample procedure"),
        ("Lumbar Puncture.yaml", "must be named <slug>.<language>.yaml"),
    ],
)
def test_a_file_that_would_be_left_unread_is_refused(samples, name, problem):
    shutil.copy(samples / EN, samples / name)

    error = error_for(samples)

    assert error.path.name == name
    assert problem in str(error)
