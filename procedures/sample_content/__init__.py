"""Sample clinical content for the four demonstration procedures, read from the YAML files beside this module.

SAMPLE CONTENT: see README.md in this folder for the warning, the notes for reviewers and how the
files are written. Each procedure has one file in English, `<slug>.en.yaml`, and one per translation,
`<slug>.<language>.yaml` (the lumbar puncture has `lumbar-puncture.es.yaml`).

`SAMPLE_PROCEDURES` is what `procedures.services.load_sample_procedures` creates and publishes: one
dict per procedure, in the order of `SAMPLE_SLUGS`, with the procedure's texts and its `risks`,
`preparation_steps`, `checklist_items` and `questions` (lists of dicts of model fields; a question's
`choices` is a list), and, when it has any, `translations`: {language: the same texts, item by item
in the same order}. The files are read, and checked against the models, the first time it is used:
a mistake raises a `SampleContentError` that names the file, the item and the field.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models

from procedures.models import (
    CONTENT_LANGUAGES,
    ChecklistItem,
    ComprehensionQuestion,
    Picture,
    PreparationStep,
    Procedure,
    Risk,
)
from procedures.pictures import clean_picture
from procedures.translations import ITEM_FIELDS, PROCEDURE_FIELDS

SAMPLE_DIR = Path(__file__).resolve().parent
PICTURES_DIR = SAMPLE_DIR / "pictures"

# The sample procedures, in the order they are created.
SAMPLE_SLUGS = ("lumbar-puncture", "percutaneous-lumbar-fusion", "lumbar-sympathetic-block", "lumbar-laminectomy")

ENGLISH = "en"
SECTIONS = ("risks", "preparation_steps", "checklist_items", "questions")
OPTIONAL_SECTIONS = ("pictures",)
# The procedure's fields besides its texts, each left out when not given: who wrote and reviewed the
# leaflet, when it is to be reviewed (a date, 2027-12-01), and questions a patient may want to ask
# (a list, kept one per line). A translation may hold only the questions.
LEAFLET_FIELDS = ("author", "clinical_reviewer", "review_by")
# For the nurses' blood-thinner planning, not patients (so not in a published version): the procedure's
# bleeding-risk class (low, intermediate, high) and the guidance it comes from. English file only.
PLANNING_FIELDS = ("bleeding_risk", "bleeding_risk_source")
LIST_FIELDS = ("questions_to_ask",)
FILE_NAME = re.compile(r"^(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.(?P<language>[a-z]{2})\.yaml$")
THE_PROCEDURE = "the procedure"  # how a message names the file's top level


class SampleContentError(Exception):
    """A sample content file that cannot be used; the message names the file, the item and the field."""

    def __init__(self, path: Path, problem: str, *, item: str = "", field: str = "") -> None:
        self.path, self.item, self.field, self.problem = path, item, field, problem
        where = ", ".join(part for part in (item, f"field '{field}'" if field else "") if part)
        super().__init__(f"{path}: {where}: {problem}" if where else f"{path}: {problem}")


# What a file may hold for each field: REQUIRED (it must be there), ABSENT (left out of the file,
# left out of the dict), or the value filled in when it is left out.
REQUIRED: Any = object()
ABSENT: Any = object()


@dataclass(frozen=True)
class Spec:
    model: type[models.Model]
    fields: dict[str, Any]
    label: tuple[str, ...]  # the fields that name an item in a message, joined by ": "


SPECS = {
    "risks": Spec(
        Risk,
        {
            "title": REQUIRED,
            "description": REQUIRED,
            "frequency": REQUIRED,
            "frequency_n": None,
            "frequency_m": None,
            "severity": REQUIRED,
            "is_material": REQUIRED,
        },
        label=("title",),
    ),
    "preparation_steps": Spec(
        PreparationStep,
        {"instruction": REQUIRED, "timing": REQUIRED, "days_before": ABSENT},
        label=("timing", "instruction"),
    ),
    "checklist_items": Spec(
        ChecklistItem,
        {
            "text": REQUIRED,
            "category": REQUIRED,
            "required": REQUIRED,
            "allow_not_applicable": REQUIRED,
            "patient_question": "",
            "expected_answer": "",
            "patient_prompt": ABSENT,
            "ask_min_age": ABSENT,
            "ask_max_age": ABSENT,
            "ask_only_if_could_be_pregnant": ABSENT,
            "asks_about_blood_thinners": ABSENT,
        },
        label=("text",),
    ),
    "questions": Spec(
        ComprehensionQuestion,
        {"question": REQUIRED, "choices": REQUIRED, "correct_choice": REQUIRED, "explanation": REQUIRED},
        label=("question",),
    ),
    # file: a file in pictures/ beside this module; risk: the title of the risk it is shown with.
    "pictures": Spec(
        Picture,
        {"file": REQUIRED, "section": REQUIRED, "risk": ABSENT, "alt_text": REQUIRED, "caption": ""},
        label=("file",),
    ),
}
SPECS["risks"].fields.update({"severity_note": ABSENT, "source": ABSENT, "source_url": ABSENT})

# A translation holds a text exactly where its English item has one. These two may be empty in English
# (a checklist item that asks the patient nothing): left out, the question is "" and the prompt absent.
OPTIONAL_TRANSLATED_FIELDS = {"patient_question": "", "patient_prompt": ABSENT, "severity_note": ABSENT, "caption": ""}

TRANSLATION_HINT = " A translation holds only the words: everything else comes from the English file."

POSITIVE_INTEGER_FIELDS = (models.PositiveIntegerField, models.PositiveSmallIntegerField)


def read_sample_procedures(directory: Path = SAMPLE_DIR, slugs: tuple[str, ...] = SAMPLE_SLUGS) -> list[dict[str, Any]]:
    """Every sample procedure from the files in `directory`, in the order of `slugs`, with its translations."""
    languages = (ENGLISH, *CONTENT_LANGUAGES)
    for path in sorted(directory.iterdir()):
        if path.suffix not in (".yaml", ".yml"):
            continue
        match = FILE_NAME.match(path.name)
        if not match:
            raise SampleContentError(path, "must be named <slug>.<language>.yaml, e.g. lumbar-puncture.en.yaml.")
        if match["slug"] not in slugs:
            raise SampleContentError(path, f"is not a sample procedure; they are: {', '.join(slugs)} (SAMPLE_SLUGS).")
        if match["language"] not in languages:
            raise SampleContentError(path, f"is in a language Proceed does not hold; it holds: {', '.join(languages)}.")
    procedures = []
    for slug in slugs:
        path = directory / f"{slug}.{ENGLISH}.yaml"
        if not path.exists():
            raise SampleContentError(path, "is missing: every sample procedure has its English file.")
        procedure = read_procedure(path)
        translations = {
            language: read_translation(directory / f"{slug}.{language}.yaml", procedure)
            for language in CONTENT_LANGUAGES
            if (directory / f"{slug}.{language}.yaml").exists()
        }
        if translations:
            procedure = {"slug": slug, "translations": translations, **procedure}
        procedures.append(procedure)
    return procedures


def read_procedure(path: Path) -> dict[str, Any]:
    """One procedure in English from `<slug>.en.yaml`, checked against the models (translations aside)."""
    slug = _slug(path, ENGLISH)
    data = _read_yaml(path)
    procedure: dict[str, Any] = {"slug": slug, **_procedure_texts(path, data, language=ENGLISH)}
    for section in (*SECTIONS, *(name for name in OPTIONAL_SECTIONS if name in data)):
        spec = SPECS[section]
        rows = []
        for position, item in enumerate(_items(path, data, section)):
            where = _where(section, position, item)
            row = _fields(path, item, spec.fields, spec.model, where=where)
            if section == "pictures":
                _check_picture(path, row, procedure["risks"], where=where)
            else:
                _model_clean(path, spec.model, row, where=where)
            if section == "risks" and row.get("frequency_n") and not row.get("source"):
                raise SampleContentError(
                    path,
                    "is missing: a risk with an “about N in M” figure says where it comes from.",
                    item=where,
                    field="source",
                )
            rows.append(row)
        procedure[section] = rows
    return procedure


def _check_picture(path: Path, row: dict[str, Any], risks: list[dict[str, Any]], *, where: str) -> None:
    """The picture's file is in pictures/ and can be shown; a picture with a risk names one of the file's."""
    directory = path.parent / PICTURES_DIR.name
    file = directory / row["file"]
    if "/" in row["file"] or "\\" in row["file"] or not file.is_file():
        raise SampleContentError(path, f"names no file in {directory}.", item=where, field="file")
    try:
        clean_picture(file.read_bytes(), file.name)
    except ValidationError as error:
        raise SampleContentError(path, " ".join(error.messages), item=where, field="file") from error
    titles = [risk["title"] for risk in risks]
    if (row["section"] == "risk") != ("risk" in row):
        raise SampleContentError(
            path,
            "is needed exactly when the section is risk: the title of the risk it is shown with.",
            item=where,
            field="risk",
        )
    if "risk" in row and row["risk"] not in titles:
        raise SampleContentError(
            path, f"is not the title of one of this file's risks: {row['risk']!r}.", item=where, field="risk"
        )


def read_translation(path: Path, english: dict[str, Any]) -> dict[str, Any]:
    """A procedure's texts in another language from `<slug>.<language>.yaml`, item by item as in its English."""
    language = path.name.split(".")[-2]
    if language not in CONTENT_LANGUAGES:
        raise SampleContentError(
            path, f"is in a language Proceed does not hold; it holds: {', '.join(CONTENT_LANGUAGES)}."
        )
    if _slug(path, language) != english["slug"]:
        raise SampleContentError(path, f"does not translate {english['slug']}.{ENGLISH}.yaml.")
    data = _read_yaml(path)
    texts: dict[str, Any] = _procedure_texts(path, data, language=language)
    if "questions_to_ask" in texts and not english.get("questions_to_ask"):
        raise SampleContentError(
            path,
            "has text, but the English has none: leave it out here too.",
            item=THE_PROCEDURE,
            field="questions_to_ask",
        )
    if english.get("questions_to_ask") and len(texts.get("questions_to_ask", "").splitlines()) != len(
        english["questions_to_ask"].splitlines()
    ):
        raise SampleContentError(
            path,
            "must have the same questions as the English, one for each, in the same order.",
            item=THE_PROCEDURE,
            field="questions_to_ask",
        )
    for section in (*SECTIONS, *(name for name in OPTIONAL_SECTIONS if name in english)):
        if section in OPTIONAL_SECTIONS and section not in data:
            raise SampleContentError(path, "is missing: the English file has it.", item=THE_PROCEDURE, field=section)
        items, english_items = _items(path, data, section), english[section]
        if len(items) > len(english_items):
            last = len(english_items) - 1
            raise SampleContentError(
                path,
                f"translates no English item: the English has {len(english_items)} {section} ({section}[0] to "
                f"{section}[{last}]), and a translation has one entry for each, in the same order.",
                item=_where(section, len(english_items), items[len(english_items)]),
            )
        if len(items) < len(english_items):
            raise SampleContentError(
                path,
                f"is not translated: the English has {len(english_items)} {section}, this file {len(items)}. "
                "A translation has one entry for each English item, in the same order.",
                item=_where(section, len(items), english_items[len(items)]),
            )
        rows = []
        for position, (item, english_item) in enumerate(zip(items, english_items, strict=True)):
            rows.append(_translated_item(path, section, position, item, english_item, language))
        texts[section] = rows
    return texts


def _translated_item(
    path: Path, section: str, position: int, item: dict[str, Any], english_item: dict[str, Any], language: str
) -> dict[str, Any]:
    spec = SPECS[section]
    labelled = any(isinstance(item.get(name), str) and item[name] for name in spec.label)
    where = _where(section, position, item if labelled else english_item)
    fields = ITEM_FIELDS[section]
    allowed = {
        name: OPTIONAL_TRANSLATED_FIELDS[name]
        if name in OPTIONAL_TRANSLATED_FIELDS and not english_item.get(name)
        else REQUIRED
        for name in fields
    }
    names = {name: f"{name}_{language}" for name in fields}
    row = _fields(path, item, allowed, spec.model, where=where, model_names=names, hint=TRANSLATION_HINT)
    for name in fields:
        if row.get(name) and not english_item.get(name):
            raise SampleContentError(
                path,
                f"has text, but the English item has no {name}: leave it out here too.",
                item=where,
                field=name,
            )
    if "choices" in row and (problem := _choices_problem(row["choices"], english=english_item["choices"])):
        raise SampleContentError(path, problem, item=where, field="choices")
    return row


def _procedure_texts(path: Path, data: dict[str, Any], *, language: str) -> dict[str, Any]:
    """The file's top level: the procedure's texts, checked, after making sure it holds nothing else."""
    extra = (*LIST_FIELDS, *LEAFLET_FIELDS, *PLANNING_FIELDS) if language == ENGLISH else LIST_FIELDS
    expected = (*PROCEDURE_FIELDS, *extra, *SECTIONS, *OPTIONAL_SECTIONS)
    for name in data:
        if name not in expected:
            raise SampleContentError(
                path,
                f"is not a field here. The fields are: {', '.join(expected)}.",
                item=THE_PROCEDURE,
                field=str(name),
            )
    for section in SECTIONS:
        if section not in data:
            raise SampleContentError(path, "is missing (it is required).", item=THE_PROCEDURE, field=section)
    names = {} if language == ENGLISH else {name: f"{name}_{language}" for name in PROCEDURE_FIELDS}
    texts = {name: data[name] for name in PROCEDURE_FIELDS if name in data}
    allowed = dict.fromkeys(PROCEDURE_FIELDS, REQUIRED)
    row = _fields(path, texts, allowed, Procedure, where=THE_PROCEDURE, model_names=names)
    for name in LIST_FIELDS:
        if name in data:
            if problem := _lines_problem(data[name]):
                raise SampleContentError(path, problem, item=THE_PROCEDURE, field=name)
            row[name] = "\n".join(line.strip() for line in data[name])
    for name in LEAFLET_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name == "review_by":
            if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
                raise SampleContentError(
                    path, f"must be a date such as 2027-12-01, not {value!r}.", item=THE_PROCEDURE, field=name
                )
        elif problem := _value_problem(value, Procedure._meta.get_field(name), need_text=True):
            raise SampleContentError(path, problem, item=THE_PROCEDURE, field=name)
        row[name] = value
    for name in PLANNING_FIELDS:
        if name in data:
            if problem := _value_problem(data[name], Procedure._meta.get_field(name), need_text=True):
                raise SampleContentError(path, problem, item=THE_PROCEDURE, field=name)
            row[name] = data[name]
    return row


def _lines_problem(value: Any) -> str | None:
    """A list of one-line texts, such as the questions a patient may want to ask."""
    if not isinstance(value, list) or not value:
        return "must be a list, each entry on its own line starting with '- '."
    for number, line in enumerate(value, start=1):
        if not isinstance(line, str) or not line.strip() or "\n" in line.strip():
            return f"entry {number} must be one line of text, not {line!r}."
    return None


def _items(path: Path, data: dict[str, Any], section: str) -> list[dict[str, Any]]:
    items = data[section]
    if not isinstance(items, list) or not items:
        raise SampleContentError(
            path, "must be a list of at least one entry, each starting with '- '.", item=THE_PROCEDURE, field=section
        )
    for position, item in enumerate(items):
        if not isinstance(item, dict):
            raise SampleContentError(
                path, f"must hold fields (name: value, one per line), not {item!r}.", item=f"{section}[{position}]"
            )
    return items


def _fields(
    path: Path,
    data: dict[str, Any],
    allowed: dict[str, Any],
    model: type[models.Model],
    *,
    where: str,
    model_names: dict[str, str] | None = None,
    hint: str = "",
) -> dict[str, Any]:
    """The item's fields in `allowed`'s order, defaults filled in, each checked against its model field."""
    for name in data:
        if name not in allowed:
            raise SampleContentError(
                path, f"is not a field here. The fields are: {', '.join(allowed)}.{hint}", item=where, field=str(name)
            )
    row = {}
    for name, default in allowed.items():
        if name not in data:
            if default is REQUIRED:
                raise SampleContentError(path, "is missing (it is required).", item=where, field=name)
            if default is not ABSENT:
                row[name] = default
            continue
        value = data[name]
        if name == "choices":
            problem = _choices_problem(value)
        elif model is Picture and name in ("file", "risk"):  # a file name and a risk's title, checked later
            problem = None if isinstance(value, str) and value.strip() else "must be text."
        else:
            field = model._meta.get_field((model_names or {}).get(name, name))
            problem = _value_problem(value, field, need_text=default is REQUIRED)
        if problem:
            raise SampleContentError(path, problem, item=where, field=name)
        row[name] = value
    return row


def _value_problem(value: Any, field: models.Field, *, need_text: bool) -> str | None:
    """What is wrong with a value for this model field, in words; None when nothing is."""
    if value is None:
        return None if field.null else "is empty; give a value."
    if isinstance(field, models.BooleanField):
        return None if isinstance(value, bool) else f"must be true or false, not {value!r}."
    if isinstance(field, models.IntegerField):
        if isinstance(value, bool) or not isinstance(value, int):
            return f"must be a whole number, not {value!r}."
        if value < 0 and isinstance(field, POSITIVE_INTEGER_FIELDS):
            return f"must be 0 or more, not {value}."
        return None
    if isinstance(field, models.CharField | models.TextField):
        if not isinstance(value, str):
            quotes = ' Put it in quotes ("yes", "no"): unquoted, YAML reads yes and no as true and false.'
            return f"must be text, not {value!r}.{quotes if isinstance(value, bool) else ''}"
        if need_text and not value.strip():
            return "is empty; write the text."
        if field.max_length and len(value) > field.max_length:
            return f"is {len(value)} characters long; {field.max_length} at most."
        if field.choices and not (value == "" and field.blank):
            allowed = [str(choice) for choice, _ in field.choices]
            if value not in allowed:
                return f"{value!r} is not one of: {', '.join(allowed)}."
        return None
    raise NotImplementedError(f"no check for a {type(field).__name__}")  # a field added to SPECS needs one


def _choices_problem(value: Any, *, english: list[str] | None = None) -> str | None:
    """A question's answers: a list of one-line texts (as many as in English, for a translation)."""
    if not isinstance(value, list) or not value:
        return "must be a list of answers, each on its own line starting with '- '."
    for number, choice in enumerate(value, start=1):
        if not isinstance(choice, str) or not choice.strip():
            return f"answer {number} must be text, not {choice!r}."
        if "\n" in choice:
            return f"answer {number} must be on one line."
    if english is not None and len(value) != len(english):
        return f"has {len(value)} answers; the English has {len(english)}: the same answers, in the same order."
    return None


def _model_clean(path: Path, model: type[models.Model], row: dict[str, Any], *, where: str) -> None:
    """The model's own checks across fields: a band that fits the figure, ages in order, the correct answer."""
    values = {**row, "choices": "\n".join(row["choices"])} if "choices" in row else row
    try:
        model(**values).clean()
    except ValidationError as error:
        problems = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
        field, messages = next(iter(problems.items()))
        if field == NON_FIELD_ERRORS:
            field = "frequency_n" if model is Risk else ""  # Risk's: give both numbers of "about N in M", or neither
        raise SampleContentError(path, " ".join(messages), item=where, field=field) from error


def _where(section: str, position: int, item: Any) -> str:
    """How a message names an item: risks[3] 'Bleeding'."""
    label = ""
    if isinstance(item, dict):
        label = ": ".join(item[name] for name in SPECS[section].label if isinstance(item.get(name), str) and item[name])
        label = " ".join(label.split())
    if len(label) > 60:
        label = label[:58].rsplit(" ", 1)[0].rstrip(",;:") + "..."
    return f"{section}[{position}] '{label}'" if label else f"{section}[{position}]"


def _slug(path: Path, language: str) -> str:
    match = FILE_NAME.match(path.name)
    if not match or match["language"] != language:
        raise SampleContentError(path, f"must be named <slug>.{language}.yaml, e.g. lumbar-puncture.{language}.yaml.")
    if len(match["slug"]) > Procedure._meta.get_field("slug").max_length:
        raise SampleContentError(path, "has a name too long for a procedure's slug.")
    return match["slug"]


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
    except OSError as error:
        raise SampleContentError(path, f"cannot be read: {error.strerror}.") from error
    except UnicodeDecodeError as error:
        raise SampleContentError(path, "is not UTF-8 text.") from error
    except yaml.YAMLError as error:
        raise SampleContentError(path, f"is not valid YAML: {error}") from error
    if data is None:
        raise SampleContentError(path, "is empty.")
    if not isinstance(data, dict):
        raise SampleContentError(path, "must hold the procedure's fields (name: ..., summary: ..., risks: ...).")
    _refuse_a_field_given_twice(path, text)
    return data


def _refuse_a_field_given_twice(path: Path, text: str) -> None:
    """YAML would keep the last of a field given twice, silently; the usual cause is an item pasted without
    its "- ", whose fields land in the item above. Read from the document's structure, which builds nothing
    (the values come from `yaml.safe_load`)."""

    def check(mapping: yaml.MappingNode, where: str) -> None:
        seen = set()
        for key, _ in mapping.value:
            if key.value in seen:
                raise SampleContentError(
                    path,
                    f"is given twice (the second time on line {key.start_mark.line + 1}). If a new item starts "
                    "there, begin it with '- '.",
                    item=where,
                    field=str(key.value),
                )
            seen.add(key.value)

    root = yaml.compose(text, Loader=yaml.SafeLoader)
    check(root, THE_PROCEDURE)
    for key, value in root.value:
        if key.value in SPECS and isinstance(value, yaml.SequenceNode):
            for position, item in enumerate(value.value):
                if isinstance(item, yaml.MappingNode):
                    texts: dict[str, str] = {}
                    for name, node in item.value:  # the first of a field given twice names the item
                        if isinstance(node, yaml.ScalarNode):
                            texts.setdefault(name.value, node.value)
                    check(item, _where(key.value, position, texts))


def __getattr__(name: str) -> Any:
    # SAMPLE_PROCEDURES is read from the files when first used (not when this module is imported), then kept.
    if name == "SAMPLE_PROCEDURES":
        globals()[name] = procedures = read_sample_procedures()
        return procedures
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
