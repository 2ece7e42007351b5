"""Content history: every edit to a procedure's working copy, with who, when, before and after."""

from __future__ import annotations

import datetime
from html import escape
from typing import Any

import pytest
from django.db import connection
from django.forms import CheckboxInput
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from editor.history import EDITS_PER_PAGE, word_diff
from procedures.models import PreparationStep, Procedure, Risk
from procedures.services import publish_procedure
from tests.conftest import build_procedure, make_user

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)

OLD_DESCRIPTION = "You may get a headache when you sit up.\nIt usually goes within a week."
NEW_DESCRIPTION = (
    "You may get a headache when you stand up.\nLying flat and drinking fluids helps. It usually goes within a week."
)


def history_url(procedure_or_pk) -> str:
    pk = getattr(procedure_or_pk, "pk", procedure_or_pk)
    return reverse("admin:procedures_procedure_content_history", args=[pk])


def change_url(procedure) -> str:
    return reverse("admin:procedures_procedure_change", args=[procedure.pk])


def form_data(response) -> dict[str, Any]:
    """What a browser would post back from an admin change form left as it is.

    Read from the rendered form and its inline formsets, so it follows the admin
    as fields are added. Text goes back with \\r\\n line ends, as browsers send it.
    """
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms.append(inline.formset.management_form)
        forms.extend(inline.formset.forms)
    data = {}
    for form in forms:
        for name, field in form.fields.items():
            bound = form[name]
            value = bound.value()
            if isinstance(field.widget, CheckboxInput):
                if value:
                    data[bound.html_name] = "on"
            elif value is None:
                data[bound.html_name] = ""
            else:
                data[bound.html_name] = str(value).replace("\r\n", "\n").replace("\n", "\r\n")
    return data


def add_row(data: dict[str, Any], prefix: str, **fields) -> None:
    """Fill in one more inline form, as "Add another …" does."""
    number = int(data[f"{prefix}-TOTAL_FORMS"])
    for name, value in fields.items():
        data[f"{prefix}-{number}-{name}"] = value
    data[f"{prefix}-TOTAL_FORMS"] = str(number + 1)


def save(client, url: str, data: dict[str, Any]) -> None:
    response = client.post(url, data)
    errors = response.context and [
        response.context["adminform"].form.errors,
        *[inline.formset.errors for inline in response.context["inline_admin_formsets"]],
    ]
    assert response.status_code == 302, errors


def create_through_admin(client) -> Procedure:
    add_url = reverse("admin:procedures_procedure_add")
    data = form_data(client.get(add_url))
    data.update(
        name="Lumbar puncture",
        slug="lumbar-puncture",
        summary="A thin needle takes a little fluid from your lower back.",
        what_happens="You lie on your side.\n\nThe doctor numbs your skin.",
        indications="To look for infection or bleeding.",
        benefits="It can find the cause of your symptoms.",
        alternatives="No treatment: the cause stays unknown.",
        recovery="Lie down for an hour.",
    )
    add_row(
        data,
        "risks",
        order="10",
        title="Headache after the procedure",
        description=OLD_DESCRIPTION,
        frequency="common",
        frequency_n="",
        frequency_m="",
        severity="minor",
        is_material="on",
    )
    add_row(data, "preparation_steps", order="10", timing="Morning of", instruction="Bring a list of your medicines.")
    add_row(data, "checklist_items", order="10", text="Two identifiers checked", category="identity", required="on")
    add_row(
        data,
        "questions",
        order="10",
        question="What helps a headache afterwards?",
        choices="Lying flat\nRunning",
        correct_choice="1",
        explanation="Lying flat helps.",
    )
    save(client, add_url, data)
    return Procedure.objects.get(slug="lumbar-puncture")


def edit_through_admin(client, procedure, change) -> None:
    data = form_data(client.get(change_url(procedure)))
    change(data)
    save(client, change_url(procedure), data)


def test_admin_edits_are_listed_with_who_when_before_and_after(client, content_admin, time_machine, settings):
    settings.PROCEED_STAFF_IDLE_MINUTES = 24 * 60  # the clock jumps hours between edits here
    client.force_login(content_admin)
    time_machine.move_to(START)
    procedure = create_through_admin(client)
    time_machine.move_to(START + HOUR)
    publish_procedure(procedure=procedure, published_by=content_admin, change_summary="First", is_material=False)

    time_machine.move_to(START + 2 * HOUR)
    edit_through_admin(client, procedure, lambda data: data.update({"risks-0-description": NEW_DESCRIPTION}))
    time_machine.move_to(START + 3 * HOUR)
    edit_through_admin(client, procedure, lambda data: data.update({"preparation_steps-0-DELETE": "on"}))
    time_machine.move_to(START + 4 * HOUR)
    edit_through_admin(
        client,
        procedure,
        lambda data: add_row(
            data,
            "questions",
            order="20",
            question="When can you drive again?",
            choices="The next day\nStraight away",
            correct_choice="1",
            explanation="Wait until the next day.",
        ),
    )
    assert not PreparationStep.objects.filter(procedure=procedure).exists()

    response = client.get(history_url(procedure))

    assert response.status_code == 200
    edits = [(edit.action, edit.item, edit.who, edit.unpublished) for edit in response.context["page"].object_list]
    # Saving the form also saves the procedure and re-sends every text with \r\n
    # line ends; those saves change nothing a person can see, so are not listed.
    assert edits == [
        ("Created", "Comprehension question “When can you drive again?”", "carl.content", True),
        ("Deleted", "Preparation step “Morning of: Bring a list of your medicines.”", "carl.content", True),
        ("Changed", "Risk “Headache after the procedure”", "carl.content", True),
        ("Created", "Comprehension question “What helps a headache afterwards?”", "carl.content", False),
        ("Created", "Checklist item “Two identifiers checked”", "carl.content", False),
        ("Created", "Preparation step “Morning of: Bring a list of your medicines.”", "carl.content", False),
        ("Created", "Risk “Headache after the procedure”", "carl.content", False),
        ("Created", "Procedure “Lumbar puncture”", "carl.content", False),
    ]
    changed_risk = response.context["page"].object_list[2]
    assert [change.label for change in changed_risk.field_changes] == ["Description"]

    html = response.content.decode()
    assert escape(OLD_DESCRIPTION) in html
    assert escape(NEW_DESCRIPTION) in html
    assert "<del>sit</del> <ins>stand</ins>" in html
    assert "<ins>Lying flat and drinking fluids helps.</ins>" in html
    assert "Bring a list of your medicines." in html  # what the deleted step said
    assert html.count(">Unpublished</span>") == 3
    assert "3 edits since then are marked “Unpublished”" in html


def test_edits_without_a_signed_in_user_are_by_the_system(client, content_admin, procedure):
    client.force_login(content_admin)

    response = client.get(history_url(procedure))

    assert {edit.who for edit in response.context["page"].object_list} == {"System"}
    assert "Not published yet." in response.content.decode()


def test_changes_show_labels_and_choice_names_not_field_names(client, content_admin, procedure):
    risk = procedure.risks.get()
    risk.frequency, risk.frequency_n, risk.frequency_m, risk.is_material = "very_common", 1, 5, False
    risk._history_user = content_admin
    risk.save()
    client.force_login(content_admin)

    response = client.get(history_url(procedure))

    latest = response.context["page"].object_list[0]
    assert [(change.label, change.before, change.after) for change in latest.field_changes] == [
        ("How common", "Common", "Very common"),
        ("In M", "20", "5"),
        ("Patient must acknowledge", "Yes", "No"),
    ]


def test_saving_only_different_line_ends_is_not_an_edit(client, content_admin, procedure):
    client.force_login(content_admin)
    before = len(client.get(history_url(procedure)).context["page"].object_list)
    procedure.what_happens = procedure.what_happens.replace("\n", "\r\n") + "  "
    procedure.save()

    response = client.get(history_url(procedure))

    assert len(response.context["page"].object_list) == before


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ("Rest for a day.", "Rest for two days.", "Rest for <del>a day.</del> <ins>two days.</ins>"),
        ("Lie flat.", "Lie flat.\nDrink water.", "Lie flat.\n<ins>Drink water.</ins>"),
        ("Stop aspirin now.", "Stop aspirin.", "Stop <del>aspirin now.</del> <ins>aspirin.</ins>"),
        ("Take <b>two</b> & rest", "Take <i>one</i> & rest", "Take <del>&lt;b&gt;two&lt;/b&gt;</del> <ins>&lt;i&gt;"),
    ],
)
def test_word_diff_marks_removed_and_added_words_and_escapes_the_text(before, after, expected):
    assert expected in word_diff(before, after)


def test_long_history_is_paginated_and_bad_page_numbers_are_handled(client, content_admin, procedure):
    risk = procedure.risks.get()
    for number in range(60):
        risk.description = f"Edit number {number}."
        risk.save()
    client.force_login(content_admin)
    total = 60 + 5  # the edits, and the procedure and its four items being created

    first = client.get(history_url(procedure))
    second = client.get(history_url(procedure), {"page": 2})
    not_a_number = client.get(history_url(procedure), {"page": "last-one"})
    too_far = client.get(history_url(procedure), {"page": 99})

    assert len(first.context["page"].object_list) == EDITS_PER_PAGE
    assert len(second.context["page"].object_list) == total - EDITS_PER_PAGE
    assert "Edit number 59." in first.content.decode()
    assert "Older edits" in first.content.decode()
    assert not_a_number.context["page"].number == 1
    assert too_far.status_code == 200
    assert too_far.context["page"].number == 2


def make_edits(procedure, users, count: int) -> None:
    """Edits by several users, across item types, including deletions."""
    risk = procedure.risks.get()
    for number in range(count):
        risk._history_user = users[number % len(users)]
        if number % 10 == 9:
            step = PreparationStep(procedure=procedure, instruction=f"Step {number}.", timing="Before")
            step._history_user = risk._history_user
            step.save()
            step.delete()
        else:
            risk.description = f"You may get a headache (edit {number})."
            risk.save()


def test_queries_do_not_grow_with_the_number_of_edits(client, content_admin, superuser):
    few, many = build_procedure(slug="few"), build_procedure(slug="many")
    make_edits(few, [content_admin, superuser], 5)
    make_edits(many, [content_admin, superuser], 40)
    client.force_login(content_admin)

    counts = []
    for procedure in (few, many):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(history_url(procedure))
        assert response.status_code == 200
        counts.append(len(queries))

    assert len(response.context["page"].object_list) > 40
    assert counts[0] == counts[1]


def test_a_nurse_is_sent_to_the_admin_sign_in(client, nurse, procedure):
    client.force_login(nurse)

    response = client.get(history_url(procedure))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_staff_without_permission_to_view_procedures_get_a_403(client, django_user_model, procedure):
    client.force_login(make_user(django_user_model, "stan.staff", is_staff=True))

    assert client.get(history_url(procedure)).status_code == 403


def test_an_unknown_procedure_is_a_404(client, content_admin, procedure):
    client.force_login(content_admin)

    assert client.get(history_url(procedure.pk + 1000)).status_code == 404


@pytest.mark.parametrize("user", ["content_admin", "superuser"])
def test_content_admins_and_superusers_see_the_history(client, request, user, procedure):
    client.force_login(request.getfixturevalue(user))

    response = client.get(history_url(procedure))

    assert response.status_code == 200
    assert "Content history: Test procedure" in response.content.decode()


def test_the_change_form_links_to_the_history(client, content_admin, procedure):
    client.force_login(content_admin)

    response = client.get(change_url(procedure))

    assert history_url(procedure) in response.content.decode()


def test_deleted_items_stay_in_the_history(client, content_admin, procedure):
    Risk.objects.filter(procedure=procedure).delete()
    client.force_login(content_admin)

    response = client.get(history_url(procedure))

    latest = response.context["page"].object_list[0]
    assert (latest.action, latest.item) == ("Deleted", "Risk “Headache”")


def test_an_edit_to_content_written_before_history_was_kept_shows_what_it_says_now(client, content_admin, procedure):
    Risk.history.filter(procedure_id=procedure.pk).delete()  # as for content that predates the history
    risk = procedure.risks.get()
    risk.description = "You may get a headache. Lie flat."
    risk.save()
    client.force_login(content_admin)

    response = client.get(history_url(procedure))

    latest = response.context["page"].object_list[0]
    assert (latest.action, latest.item, latest.previous) == ("Changed", "Risk “Headache”", None)
    html = response.content.decode()
    assert "what it said before this change is not known" in html
    assert "You may get a headache. Lie flat." in html


def test_long_item_names_are_shortened_on_one_line(client, content_admin, procedure):
    step = procedure.preparation_steps.get()
    step.instruction = "Stop taking blood thinners\nsuch as warfarin, apixaban or rivaroxaban, " * 3
    step.save()
    client.force_login(content_admin)

    response = client.get(history_url(procedure))

    item = response.context["page"].object_list[0].item
    assert item.startswith("Preparation step “Morning of: Stop taking blood thinners such as warfarin")
    assert item.endswith("…”")
    assert "\n" not in item
