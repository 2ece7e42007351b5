"""Publishing content: from the editable working copy to an immutable version."""

from __future__ import annotations

import datetime
import hashlib
import html
import json
import unicodedata
from typing import Any

import nh3
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from procedures import sample_content
from procedures.diff import StaleTranslation, material_changes, stale_translations
from procedures.models import (
    ChecklistItem,
    ComprehensionQuestion,
    Picture,
    PreparationStep,
    Procedure,
    ProcedureVersion,
    Risk,
)
from procedures.pictures import store_picture
from procedures.translations import LATER_SECTIONS, OPTIONAL_PROCEDURE_FIELDS, snapshot_translations

PROCEDURE_TEXT_FIELDS = ("name", "summary", "what_happens", "indications", "benefits", "alternatives", "recovery")


class PublishError(Exception):
    """Publishing was refused; the message says why and what to do."""


def strip_markup(text: str) -> str:
    """Remove every HTML tag (and script or style content), keeping the words.

    Patient-facing text is plain text with a small formatting subset (see
    `procedure_content.as_paragraphs`); HTML is never part of it.
    """
    return html.unescape(nh3.clean(text, tags=set()))


def normalise_text(text: str) -> str:
    """One clean spelling of the same text: no HTML, NFC Unicode, \\n line ends, no trailing spaces.

    A browser posts \\r\\n and may post decomposed accents; without this, saving a
    form unchanged would change the fingerprint.
    """
    text = strip_markup(text)
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def snapshot(procedure: Procedure) -> dict[str, Any]:
    """The procedure's content as plain data: what a published version stores."""
    content: dict[str, Any] = {field: normalise_text(getattr(procedure, field)) for field in PROCEDURE_TEXT_FIELDS}
    content["is_sample"] = procedure.is_sample
    # The parts added later are kept only when used, so content without them keeps its fingerprint.
    if questions := normalise_text(procedure.questions_to_ask):
        content["questions_to_ask"] = questions
    if leaflet := _leaflet(procedure):
        content["leaflet"] = leaflet
    content["risks"] = [_risk(risk) for risk in procedure.risks.all()]
    content["preparation_steps"] = [_preparation_step(step) for step in procedure.preparation_steps.all()]
    content["checklist_items"] = [_checklist_item(item) for item in procedure.checklist_items.all()]
    content["questions"] = [
        {
            "key": str(question.key),
            "question": normalise_text(question.question),
            "choices": [normalise_text(choice) for choice in question.choice_list()],
            "correct_choice": question.correct_choice,
            "explanation": normalise_text(question.explanation),
        }
        for question in procedure.questions.all()
    ]
    pictures = [_picture(picture) for picture in procedure.pictures.select_related("file", "risk")]
    if pictures:
        content["pictures"] = pictures
    translations = snapshot_translations(procedure, normalise_text)
    if translations:
        # Only when there is any: content in English alone keeps the fingerprint it always had.
        content["translations"] = translations
    return content


def _leaflet(procedure: Procedure) -> dict[str, str]:
    """Who wrote and reviewed the information, and when it is next to be reviewed (ISO date)."""
    leaflet = {
        "author": normalise_text(procedure.author),
        "clinical_reviewer": normalise_text(procedure.clinical_reviewer),
        "review_by": procedure.review_by.isoformat() if procedure.review_by else "",
    }
    return {name: value for name, value in leaflet.items() if value}


def _risk(risk: Risk) -> dict[str, Any]:
    row = {
        "key": str(risk.key),
        "title": normalise_text(risk.title),
        "description": normalise_text(risk.description),
        "frequency": risk.frequency,
        "frequency_n": risk.frequency_n,
        "frequency_m": risk.frequency_m,
        "severity": risk.severity,
        "is_material": risk.is_material,
    }
    for field in ("severity_note", "source", "source_url"):
        if value := normalise_text(getattr(risk, field)):
            row[field] = value
    return row


def _picture(picture: Picture) -> dict[str, Any]:
    row = {
        "key": str(picture.key),
        "file": picture.file.sha256,
        "content_type": picture.file.content_type,
        "width": picture.file.width,
        "height": picture.file.height,
        "section": picture.section,
        "alt_text": normalise_text(picture.alt_text),
    }
    if picture.risk is not None:
        row["risk"] = str(picture.risk.key)
    if caption := normalise_text(picture.caption):
        row["caption"] = caption
    return row


def _preparation_step(step: PreparationStep) -> dict[str, Any]:
    row = {"key": str(step.key), "instruction": normalise_text(step.instruction), "timing": normalise_text(step.timing)}
    if step.days_before is not None:  # only when set: content without it keeps the fingerprint it always had
        row["days_before"] = step.days_before
    return row


def _checklist_item(item: ChecklistItem) -> dict[str, Any]:
    row = {
        "key": str(item.key),
        "text": normalise_text(item.text),
        "category": item.category,
        "required": item.required,
        "allow_not_applicable": item.allow_not_applicable,
        "patient_question": normalise_text(item.patient_question),
        "expected_answer": item.expected_answer,
    }
    # Only when set: content that uses none of them keeps the fingerprint it always had.
    if item.patient_prompt.strip():
        row["patient_prompt"] = normalise_text(item.patient_prompt)
    if item.ask_min_age is not None:
        row["ask_min_age"] = item.ask_min_age
    if item.ask_max_age is not None:
        row["ask_max_age"] = item.ask_max_age
    if item.ask_only_if_could_be_pregnant:
        row["ask_only_if_could_be_pregnant"] = True
    if item.asks_about_blood_thinners:
        row["asks_about_blood_thinners"] = True
    return row


def _without_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {name: _without_keys(item) for name, item in value.items() if name != "key"}
    if isinstance(value, list):
        return [_without_keys(item) for item in value]
    return value


def canonical_form(content: dict[str, Any]) -> bytes:
    """The bytes the fingerprint is taken over.

    Sorted keys, no insignificant white space, UTF-8. Item keys (internal ids)
    are left out: the fingerprint identifies what a patient reads, so the same
    text in the same order always gives the same fingerprint.
    """
    if content.get("pictures"):  # a picture shown with a risk names it by its place, as keys are left out
        positions = {risk["key"]: position for position, risk in enumerate(content["risks"])}
        pictures = [
            {**row, "risk": positions.get(row["risk"])} if "risk" in row else row for row in content["pictures"]
        ]
        content = {**content, "pictures": pictures}
    return json.dumps(_without_keys(content), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def fingerprint(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_form(content)).hexdigest()


# What every published version must have; `publishing_problems` checks these, and the admin's
# Add page lists them (`publishing_requirements`), so the two never disagree.
REQUIRED_ITEMS = (
    ("risks", "risk"),
    ("preparation_steps", "preparation step"),
    ("checklist_items", "checklist item"),
    ("questions", "comprehension question"),
)


def _text_label(field: str) -> str:
    return str(Procedure._meta.get_field(field).verbose_name).capitalize()


def publishing_requirements() -> list[str]:
    """What a procedure needs before it can be published, in plain words (the rules of `publishing_problems`)."""
    texts = ", ".join(f"“{_text_label(field)}”" for field in PROCEDURE_TEXT_FIELDS)
    items = ", ".join(f"one {label}" for _relation, label in REQUIRED_ITEMS[:-1]) + f" and one {REQUIRED_ITEMS[-1][1]}"
    return [
        f"Every text filled in: {texts}.",
        f"At least {items}.",
        "Each item complete and consistent: for example, “about N in M” must fit the risk's band, a patient "
        "question needs the answer that needs no follow-up, and a comprehension question has 2 to 5 different "
        "answers and says which one is right.",
        "Every “about N in M” figure with its source.",
    ]


def publishing_problems(procedure: Procedure) -> list[str]:
    """Everything that stops the working copy from being published, in plain words."""
    problems = []
    if procedure.is_retired:
        problems.append(
            "This procedure is retired, so it can't be published. Restore it first (“Restore this procedure…” on "
            "its page), then publish."
        )
    for field in PROCEDURE_TEXT_FIELDS:
        if not getattr(procedure, field).strip():
            problems.append(f"“{_text_label(field)}” is empty.")
    for relation, label in REQUIRED_ITEMS:
        items = list(getattr(procedure, relation).all())
        if not items:
            problems.append(f"Add at least one {label}.")
        for item in items:
            try:
                item.full_clean(exclude=["procedure"])
            except ValidationError as error:
                for message in error.messages:
                    problems.append(f"{label.capitalize()} “{item}”: {message}")
    for risk in procedure.risks.all():
        if risk.frequency_n and risk.frequency_m and not risk.source.strip():
            problems.append(
                f"Risk “{risk}”: say where “about {risk.frequency_n:,} in {risk.frequency_m:,}” comes from "
                "(“Source of the figure”), or clear the figure and keep the band."
            )
    for picture in procedure.pictures.all():
        try:
            picture.full_clean(exclude=["procedure", "file"])
        except ValidationError as error:
            for message in error.messages:
                problems.append(f"Picture “{picture}”: {message}")
    return problems


def review_due(version: ProcedureVersion | None) -> datetime.date | None:
    """When the published information is next to be reviewed, if its leaflet says."""
    if version is None or not version.content.get("leaflet", {}).get("review_by"):
        return None
    return datetime.date.fromisoformat(version.content["leaflet"]["review_by"])


def overdue_review(version: ProcedureVersion | None, today: datetime.date | None = None) -> str | None:
    """A warning when the published information has passed its review date; None while it has not."""
    due = review_due(version)
    if due is None or due >= (today or timezone.localdate()):
        return None
    return gettext(
        "The published information for %(name)s was due for review on %(date)s. Ask the content team to review it "
        "and publish a new version."
    ) % {"name": version.content["name"], "date": date_format(due, "j F Y")}


def overdue_reviews(today: datetime.date | None = None) -> list[str]:
    """A warning for each procedure whose published information has passed its review date."""
    latest = ProcedureVersion.objects.filter(procedure=OuterRef("procedure")).order_by("-number").values("pk")[:1]
    versions = ProcedureVersion.objects.filter(pk=Subquery(latest)).order_by("procedure__name")
    return [warning for version in versions if (warning := overdue_review(version, today))]


def may_approve_content(user: AbstractBaseUser | None) -> bool:
    """Whether this user may publish content, or approve another editor's publishing."""
    return bool(user and user.is_active and user.has_perm("procedures.change_procedure"))


def publish_procedure(
    *,
    procedure: Procedure,
    published_by: AbstractBaseUser | None,
    change_summary: str,
    is_material: bool,
    material_override_by: AbstractBaseUser | None = None,
    material_override_reason: str = "",
) -> ProcedureVersion:
    """Snapshot the working copy into the next numbered, immutable version.

    A change the risks make material (`diff.material_changes`) is published as not material
    only with a second content admin's approval (`material_override_by`, who has already
    confirmed it is them) and a reason. Translations left unchanged while their English
    changed are marked on the working copy as needing an update (`translations_to_update`).
    """
    change_summary = change_summary.strip()
    material_override_reason = material_override_reason.strip()
    if not change_summary:
        raise PublishError("Write a short summary of what changed, so reviewers and nurses can see why.")
    if material_override_by is not None:
        if is_material:
            raise PublishError("A material change needs no approval to publish as material: clear the approval.")
        if not may_approve_content(material_override_by) or material_override_by == published_by:
            raise PublishError("The approval must come from a second content admin, not from the one publishing.")
        if not material_override_reason:
            raise PublishError("Say why these changes are not material, for the record.")
    with transaction.atomic():
        # Locking the procedure serialises publishers, so two can't take the same number.
        procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
        problems = publishing_problems(procedure)
        if problems:
            raise PublishError("This procedure can't be published yet: " + " ".join(problems))
        content = snapshot(procedure)
        content_fingerprint = fingerprint(content)
        latest = procedure.versions.order_by("-number").first()
        if latest and latest.fingerprint == content_fingerprint:
            raise PublishError(f"Nothing has changed since version {latest.number}, so there is nothing to publish.")
        reasons = material_changes(latest.content if latest else None, content)
        if reasons and not is_material and material_override_by is None:
            raise PublishError(
                "These changes are material, because they change what a patient agrees to: "
                + " ".join(reasons)
                + " Publish them as a material change, or ask a second content admin to approve publishing them "
                "as not material."
            )
        if material_override_by is not None and not reasons:
            raise PublishError("Nothing here makes the change material, so it needs no approval: clear the approval.")
        version = ProcedureVersion.objects.create(
            procedure=procedure,
            number=(latest.number + 1) if latest else 1,
            content=content,
            fingerprint=content_fingerprint,
            change_summary=change_summary,
            is_material=is_material,
            published_by=published_by,
            material_override_by=material_override_by,
            material_override_reason=material_override_reason,
        )
        mark_translations_to_update(procedure, stale_translations(latest.content if latest else None, content))
        return version


def mark_translations_to_update(procedure: Procedure, stale: list[StaleTranslation]) -> None:
    """Add newly stale translations to the procedure's list, each with its text as it is now."""
    if not stale:
        return
    marked = {
        (entry["language"], entry["section"], entry["key"], entry["field"])
        for entry in procedure.translations_to_update
    }
    for entry in stale:
        if (entry.language, entry.section, entry.key, entry.field) not in marked:
            procedure.translations_to_update.append(
                {**entry.as_dict(), "text": current_translation(procedure, entry.as_dict())}
            )
    procedure.save(update_fields=["translations_to_update"])


def current_translation(procedure: Procedure, entry: dict[str, str]) -> str | None:
    """The working copy's translation that a `translations_to_update` entry names; None if it is gone."""
    column = f"{entry['field']}_{entry['language']}"
    if not entry["section"]:
        return getattr(procedure, column, None)
    item = getattr(procedure, entry["section"]).filter(key=entry["key"]).first()
    return getattr(item, column, None) if item is not None else None


def settle_translations_to_update(procedure: Procedure, *, confirmed: set[int] = frozenset()) -> None:
    """Drop the marks whose translation was edited, or gone, or that an editor confirmed (by position)."""
    kept = [
        entry
        for position, entry in enumerate(procedure.translations_to_update)
        if position not in confirmed and current_translation(procedure, entry) == entry["text"]
    ]
    if kept != procedure.translations_to_update:
        procedure.translations_to_update = kept
        procedure.save(update_fields=["translations_to_update"])


SAMPLE_CHANGE_SUMMARY = "Sample content shipped with Proceed. The clinic's clinicians must review it before use."


def load_sample_procedures() -> list[tuple[Procedure, bool]]:
    """Create and publish the sample procedures that are not there yet.

    Idempotent: a procedure whose slug exists is left as it is (a clinic may
    have edited it), so running this twice changes nothing. The one exception:
    a sample procedure still exactly as shipped, with no translation yet, gets
    the sample's translations as a new version (how an existing installation
    receives the Spanish sample). Returns each sample procedure with whether it
    was created now.
    """
    results = []
    for data in sample_content.SAMPLE_PROCEDURES:  # read from the files on first use
        existing = Procedure.objects.filter(slug=data["slug"]).first()
        if existing:
            _add_sample_translations(existing, data)
            results.append((existing, False))
            continue
        with transaction.atomic():
            procedure = _create_procedure(data)
            _set_translations(procedure, data)
            publish_procedure(
                procedure=procedure, published_by=None, change_summary=SAMPLE_CHANGE_SUMMARY, is_material=False
            )
        results.append((procedure, True))
    return results


SAMPLE_TRANSLATION_SUMMARY = (
    "Translation of the sample content added ({languages}). Sample content: the clinic's clinicians and a "
    "qualified medical translator must review it before use."
)


def _add_sample_translations(procedure: Procedure, data: dict[str, Any]) -> bool:
    """Give an unedited, untranslated sample procedure the shipped translations; True if it was published."""
    if not procedure.is_sample or procedure.is_retired or not data.get("translations"):
        return False  # a retired sample stays retired: a clinic restores it before anything is published
    current = snapshot(procedure)
    if "translations" in current:
        return False  # someone has started translating it: theirs, left alone
    with transaction.atomic():
        shipped = _shipped_snapshot(data)
        shipped.pop("translations", None)
        if canonical_form(shipped) != canonical_form(current):
            return False  # the clinic edited the English: the shipped translation would not match it
        _set_translations(procedure, data)
        publish_procedure(
            procedure=procedure,
            published_by=None,
            change_summary=SAMPLE_TRANSLATION_SUMMARY.format(languages=", ".join(sorted(data["translations"]))),
            is_material=False,
        )
    return True


SECTIONS = ("risks", "preparation_steps", "checklist_items", "questions")


def _create_procedure(data: dict[str, Any]) -> Procedure:
    """The sample's working copy in English (translations are `_set_translations`)."""
    procedure = Procedure(slug=data["slug"], is_sample=True)
    _fill_procedure(procedure, data)
    return procedure


def _fill_procedure(procedure: Procedure, data: dict[str, Any]) -> None:
    """Give the working copy the sample's English texts and items (it has none of its own yet)."""
    for field in PROCEDURE_TEXT_FIELDS:
        setattr(procedure, field, data[field])
    procedure.questions_to_ask = data.get("questions_to_ask", "")
    for name in (*sample_content.LEAFLET_FIELDS, *sample_content.PLANNING_FIELDS):
        setattr(procedure, name, data.get(name, Procedure._meta.get_field(name).get_default()))
    procedure.full_clean()
    procedure.save()
    questions = [{**question, "choices": "\n".join(question["choices"])} for question in data["questions"]]
    for model, items in (
        (Risk, data["risks"]),
        (PreparationStep, data["preparation_steps"]),
        (ChecklistItem, data["checklist_items"]),
        (ComprehensionQuestion, questions),
    ):
        for position, fields in enumerate(items, start=1):
            child = model(procedure=procedure, order=position * 10, **fields)
            child.full_clean()
            child.save()
    risks = {risk.title: risk for risk in procedure.risks.all()}
    for position, fields in enumerate(data.get("pictures", []), start=1):
        file = sample_content.PICTURES_DIR / fields["file"]
        picture = Picture(
            procedure=procedure,
            order=position * 10,
            file=store_picture(file.read_bytes(), file.name),
            risk=risks[fields["risk"]] if "risk" in fields else None,
            **{name: value for name, value in fields.items() if name not in ("file", "risk")},
        )
        picture.full_clean()
        picture.save()


SAMPLE_UPDATE_SUMMARY = (
    "Sample content replaced by the version shipped with this release of Proceed (a clinical review: every "
    "serious risk named, a source for every figure, honest severity wording, pictures). Sample content: the "
    "clinic's clinicians must review it before use."
)


def prepare_sample_update(procedure: Procedure, data: dict[str, Any]) -> bool:
    """Put the shipped sample on a sample procedure's working copy, if no one has made it their own.

    Only a procedure every version of which the loader published (no person ever did), not retired, with
    no editor's notes (a person working on it; notes are not in the snapshot, so this asks), with no
    unpublished edits, and whose content differs from the shipped sample's: a clinic that edited or
    published it keeps its own. Its items are replaced (a corrected risk is a new one to acknowledge).
    True when the working copy now holds the shipped sample, to be published as a material change by
    the caller (`consent.services.update_untouched_samples`, which applies it to patients' requests).
    """
    versions = list(procedure.versions.all())
    if not procedure.is_sample or not versions or any(version.published_by_id for version in versions):
        return False
    if procedure.is_retired:
        return False  # retired by the clinic: never republished (nor un-retired) behind its back
    if has_editor_notes(procedure):
        return False  # an editor has written notes on it: theirs, and replacing the items would lose them
    latest = max(versions, key=lambda version: version.number)
    current = snapshot(procedure)
    if fingerprint(current) != latest.fingerprint:
        return False  # edits in progress: someone is working on it
    if canonical_form(current) == canonical_form(_shipped_snapshot(data)):
        return False  # already as shipped
    for relation in ("pictures", *SECTIONS):
        getattr(procedure, relation).all().delete()
    procedure.translations_to_update = []
    _fill_procedure(procedure, data)
    _set_translations(procedure, data)
    return True


def has_editor_notes(procedure: Procedure) -> bool:
    """Whether an editor has written an internal note on the procedure or any of its items."""
    return bool(procedure.editor_note.strip()) or any(
        getattr(procedure, relation).exclude(editor_note="").exists() for relation in ("pictures", *SECTIONS)
    )


def _shipped_snapshot(data: dict[str, Any]) -> dict[str, Any]:
    """What the shipped sample would snapshot, made and thrown away inside a savepoint."""
    with transaction.atomic():
        savepoint = transaction.savepoint()
        try:
            procedure = _create_procedure({**data, "slug": f"{data['slug']}-shipped-sample"})
            _set_translations(procedure, data)
            return snapshot(procedure)
        finally:
            transaction.savepoint_rollback(savepoint)


def _set_translations(procedure: Procedure, data: dict[str, Any]) -> None:
    """Put the sample's translations on the working copy, item by item in order."""
    for language, texts in data.get("translations", {}).items():
        for field in (*PROCEDURE_TEXT_FIELDS, *(name for name in OPTIONAL_PROCEDURE_FIELDS if name in texts)):
            setattr(procedure, f"{field}_{language}", texts[field])
        procedure.full_clean()
        procedure.save()
        for section in (*SECTIONS, *(name for name in LATER_SECTIONS if name in texts)):
            for item, row in zip(getattr(procedure, section).all(), texts[section], strict=True):
                for field, value in row.items():
                    setattr(item, f"{field}_{language}", "\n".join(value) if field == "choices" else value)
                item.full_clean(exclude=["procedure"])
                item.save()
