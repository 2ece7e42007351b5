"""The fixed cast every test draws on: staff in each role and a small procedure."""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from config.idle_timeout import LAST_ACTIVITY_KEY
from procedures.models import ChecklistItem, ComprehensionQuestion, PreparationStep, Procedure, Risk
from procedures.roles import CLINICIANS, CONTENT_ADMINS, NURSES
from procedures.services import publish_procedure

PASSWORD = "correct horse battery staple"


class StaffClient(Client):
    """A test client whose `force_login` also passes the second factor.

    Staff must use a TOTP device (two-factor) before any staff page opens. Tests
    that are not about signing in skip both steps: the user gets a confirmed
    authenticator device, and the session is marked as verified with it, as
    `django_otp.login` does after a correct code.
    """

    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session[LAST_ACTIVITY_KEY] = int(time.time())  # as a real sign-in's response sets it
        session.save()


def totp_code(device: TOTPDevice) -> str:
    """The code the user's authenticator app shows right now."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift):06d}"


@pytest.fixture
def client():
    """pytest-django's `client`, signing staff in with a verified second factor (see StaffClient)."""
    return StaffClient()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate limits count in the cache: each test starts with none used, so tests can't trip each other's."""
    cache.clear()
    yield
    cache.clear()


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
def clinician(django_user_model):
    return make_user(django_user_model, "cleo.clinician", group=CLINICIANS)


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
        source="Test Headache Study. Journal of Tests. 2020;1:1-2.",
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


def add_spanish(procedure: Procedure) -> Procedure:
    """Fill in every Spanish text of the test procedure (see tests.conftest.build_procedure)."""
    procedure.name_es = "Prueba de ejemplo"
    procedure.summary_es = "Una prueba corta para ver cómo funciona la publicación."
    procedure.what_happens_es = "Una enfermera le ayuda a acostarse.\n\nEl médico hace la prueba."
    procedure.indications_es = "Para saber qué le pasa."
    procedure.benefits_es = "Usted obtiene una respuesta."
    procedure.alternatives_es = "- Ningún tratamiento: nada cambia.\n- Una imagen en su lugar."
    procedure.recovery_es = "Descanse un día."
    procedure.save()
    risk = procedure.risks.get()
    risk.title_es, risk.description_es = "Dolor de cabeza", "Puede tener dolor de cabeza."
    risk.save()
    step = procedure.preparation_steps.get()
    step.instruction_es, step.timing_es = "Traiga sus medicamentos.", "La mañana del procedimiento"
    step.save()
    item = procedure.checklist_items.get()
    item.patient_question_es = "¿Toma medicamentos para hacer la sangre más líquida?"
    item.save()
    question = procedure.questions.get()
    question.question_es = "¿Qué debe hacer si tiene dolor de cabeza?"
    question.choices_es = "Acostarse y beber líquidos\nCorrer un maratón"
    question.explanation_es = "Acostarse y beber líquidos ayuda."
    question.save()
    return procedure


@pytest.fixture
def procedure(db):
    return build_procedure()


@pytest.fixture
def published_procedure(procedure):
    publish_procedure(procedure=procedure, published_by=None, change_summary="First", is_material=False)
    return procedure


@dataclass
class Case:
    """A patient's request and the token of their link (only the test knows it)."""

    request: object
    token: str

    @property
    def url(self) -> str:
        return f"/c/{self.token}/"

    def refresh(self):
        self.request.refresh_from_db()
        return self.request


PATIENT_A = {"mrn": "MRN-A-1001", "full_name": "Ana María López", "date_of_birth": datetime.date(1950, 3, 14)}
PATIENT_B = {"mrn": "MRN-B-2002", "full_name": "Bob Brown", "date_of_birth": datetime.date(1962, 11, 2)}


def make_case(procedure, patient_fields, *, days_ahead=7, email="") -> Case:
    from consent.services import create_consent_request, find_or_create_patient

    patient = find_or_create_patient(**patient_fields, email=email)
    request, token = create_consent_request(
        patient=patient,
        procedure=procedure,
        appointment_at=timezone.now() + datetime.timedelta(days=days_ahead),
        clinician="Dr Rivera",
        created_by=None,
    )
    return Case(request=request, token=token)


@pytest.fixture
def case_a(published_procedure):
    return make_case(published_procedure, PATIENT_A, email="ana@example.org")


@pytest.fixture
def case_b(published_procedure):
    return make_case(published_procedure, PATIENT_B)


def complete_journey(case: Case, ip="203.0.113.9") -> None:
    """Walk a case through every step up to (not including) signing, through the services."""
    from consent import services

    request = case.request
    content = request.content
    assert services.verify_identity(consent_request=request, date_of_birth=request.patient.date_of_birth, ip=ip).ok
    services.read_about(consent_request=request, ip=ip)
    services.save_risk_answers(
        consent_request=request, acknowledged={r["key"] for r in content["risks"]}, to_discuss=set(), ip=ip
    )
    services.save_preparation_answers(
        consent_request=request,
        acknowledged={s["key"] for s in content["preparation_steps"]},
        answers={i["key"]: i["expected_answer"] for i in content["checklist_items"] if i["patient_question"]},
        ip=ip,
    )
    services.answer_quiz(
        consent_request=request, answers={q["key"]: q["correct_choice"] for q in content["questions"]}, ip=ip
    )
    services.save_questions(consent_request=request, text="Can I drive afterwards?", wants_discussion=False, ip=ip)
    services.confirm_review(consent_request=request, ip=ip)
    case.refresh()


def sign_case(case: Case, decision="consent"):
    from consent import services

    complete_journey(case)
    return services.sign(
        consent_request=case.request,
        decision=decision,
        typed_name=case.request.patient.full_name,
        signer="patient",
        ip="203.0.113.9",
        user_agent="pytest",
    )


@pytest.fixture
def signed_case(case_a):
    sign_case(case_a)
    case_a.refresh()
    return case_a


def pytest_report_header(config):
    from django.conf import settings

    database = settings.DATABASES["default"]
    return f"database: {database['ENGINE'].rsplit('.', 1)[-1]} ({database.get('HOST') or 'local file'})"
