"""The fixed cast every test draws on: staff in each role and a small procedure."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from procedures.models import ChecklistItem, ComprehensionQuestion, PreparationStep, Procedure, Risk
from procedures.roles import CONTENT_ADMINS, NURSES

PASSWORD = "correct horse battery staple"


def make_user(django_user_model, username, *, group=None, is_staff=False, is_superuser=False):
    user = django_user_model.objects.create_user(
        username=username, password=PASSWORD, is_staff=is_staff, is_superuser=is_superuser
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def nurse(django_user_model):
    return make_user(django_user_model, "nina.nurse", group=NURSES)


@pytest.fixture
def content_admin(django_user_model):
    return make_user(django_user_model, "carl.content", group=CONTENT_ADMINS, is_staff=True)


@pytest.fixture
def superuser(django_user_model):
    return make_user(django_user_model, "sam.super", is_staff=True, is_superuser=True)


def build_procedure(slug="test-procedure", name="Test procedure") -> Procedure:
    """A small, complete procedure: everything publishing needs, one of each item."""
    procedure = Procedure.objects.create(
        name=name,
        slug=slug,
        summary="A short test of how publishing works.",
        what_happens="A nurse helps you lie down.\n\nThe doctor does the test.",
        indications="To find out what is wrong.",
        benefits="You get an answer.",
        alternatives="- No treatment: nothing changes.\n- A scan instead.",
        recovery="Rest for a day.",
    )
    Risk.objects.create(
        procedure=procedure,
        title="Headache",
        description="You may get a headache.",
        frequency="common",
        frequency_n=1,
        frequency_m=20,
        severity="minor",
        is_material=True,
    )
    PreparationStep.objects.create(procedure=procedure, instruction="Bring your medicines.", timing="Morning of")
    ChecklistItem.objects.create(
        procedure=procedure,
        text="Blood thinners held",
        category="medication",
        patient_question="Do you take blood thinners?",
        expected_answer="no",
    )
    ComprehensionQuestion.objects.create(
        procedure=procedure,
        question="What should you do if you get a headache?",
        choices="Lie flat and drink fluids\nRun a marathon",
        correct_choice=1,
        explanation="Lying flat and drinking fluids helps.",
    )
    return procedure


@pytest.fixture
def procedure(db):
    return build_procedure()


def pytest_report_header(config):
    from django.conf import settings

    database = settings.DATABASES["default"]
    return f"database: {database['ENGINE'].rsplit('.', 1)[-1]} ({database.get('HOST') or 'local file'})"
