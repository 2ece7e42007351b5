"""Every URL pattern of the project, visited by every role, with the outcome each must get.

The patterns are read from Django's resolver when the tests are collected, so a
new view cannot escape the matrix: a pattern without an entry in EXPECTATIONS
(or covered by the rule for the admin's own model pages) fails with a message
saying where to add one.

The roles are the fixed cast of STYLE.md: nobody signed in, the patient of
case A (their browser passed A's identity check), the patient of case B (passed
B's check, then tries A's pages), a nurse, a clinician, a content admin, a superuser, and an
integration client (no session: a bearer token with every scope, which only the API reads). Case
A is signed, with a question, a rendered PDF and audit events, so every page has
something to leak. Besides the status, every response to someone who must not
see a case is searched for that patient's name, record number, date of birth
and email, PDFs included.

The world is built once for the module inside a transaction that is rolled
back at the end (as Django's `setUpTestData` does); each test runs in its own
savepoint on top of it, so the ~1,000 checks stay fast.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import UUIDField
from django.shortcuts import resolve_url
from django.test import Client, RequestFactory, TestCase
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from consent.models import AuditEvent, ConsentDocument, ConsentRequest, Patient, PatientQuestion
from procedures.pictures import store_picture
from records import documents
from tests.conftest import PASSWORD, PATIENT_A, PATIENT_B, StaffClient, build_procedure, make_case, make_user, sign_case
from tests.integration_clients import make_integration_client

ROLES = ("anonymous", "patient_a", "patient_b", "nurse", "clinician", "content_admin", "superuser", "api_client")
STAFF_ROLES = ("nurse", "clinician", "content_admin", "superuser")
# The integration client has no session: outside the API it is anyone else without one.
NOT_SIGNED_IN = ("anonymous", "patient_a", "patient_b", "api_client")

# What would give case A's and case B's patient away.
CASE_A_DATA = ("Ana María López", "Ana Mar", "López", "MRN-A-1001", "1950-03-14", "14 March 1950", "ana@example.org")
CASE_B_DATA = ("Bob Brown", "MRN-B-2002", "1962-11-02", "2 November 1962")
# Whose data each role must never be shown. Nurses and superusers may see every case.
FORBIDDEN_DATA = {
    "anonymous": CASE_A_DATA + CASE_B_DATA,
    "patient_a": CASE_B_DATA,
    "patient_b": CASE_A_DATA,
    "content_admin": CASE_A_DATA + CASE_B_DATA,
    "nurse": (),
    "clinician": (),
    "superuser": (),
    "api_client": CASE_A_DATA + CASE_B_DATA,  # not its requests: case A was made by a nurse
}
# Whoever must get no PDF from any URL here (patient B only ever asks for A's pages and public ones).
SEES_NO_CASE = ("anonymous", "patient_b", "content_admin", "api_client")


# The world -----------------------------------------------------------------------------


@dataclass
class World:
    users: dict
    procedure: object
    case_a: object
    case_b: object
    question: PatientQuestion
    item_key: str
    sessions: dict  # role -> session id of a browser signed in (staff) or past the identity check (patients)
    totp_device_pk: int | None
    api_token: str = ""  # the integration client's bearer token
    objects: dict = field(default_factory=dict)  # admin model -> pk of one of its objects (as a string)
    missing_objects: set = field(default_factory=set)  # admin models with no object to show

    @property
    def token(self) -> str:
        return self.case_a.token


def _verified_session(case, date_of_birth) -> str:
    """The session id of a browser that passed the case's identity check."""
    browser = Client()
    response = browser.post(
        reverse("journey:identity", args=[case.token]),
        {"day": date_of_birth.day, "month": date_of_birth.month, "year": date_of_birth.year},
    )
    assert response.status_code == 302, "the identity check failed while building the access matrix's world"
    return browser.cookies[settings.SESSION_COOKIE_NAME].value


def _signed_in_session(user) -> str:
    """The session id of a staff browser signed in with both steps (the `client` fixture's force_login)."""
    browser = StaffClient()
    browser.force_login(user)
    return browser.cookies[settings.SESSION_COOKIE_NAME].value


def _build_world() -> World:
    from procedures.services import publish_procedure

    users = {
        "nurse": make_user(get_user_model(), "matrix.nurse", group="Nurses"),
        "clinician": make_user(get_user_model(), "matrix.clinician", group="Clinicians"),
        "content_admin": make_user(get_user_model(), "matrix.content", group="Content admins", is_staff=True),
        "superuser": make_user(get_user_model(), "matrix.super", is_staff=True, is_superuser=True),
    }
    procedure = build_procedure(slug="matrix-procedure", name="Matrix procedure")
    publish_procedure(procedure=procedure, published_by=None, change_summary="First", is_material=False)
    case_a = make_case(procedure, PATIENT_A, email="ana@example.org")
    case_b = make_case(procedure, PATIENT_B)
    # Signing renders the PDF once the transaction commits (as a task, or straight away).
    with TestCase.captureOnCommitCallbacks(execute=True):
        signature = sign_case(case_a)
    if not ConsentDocument.objects.filter(signature=signature).exists():
        documents.store_consent_document(signature)
    case_a.refresh()
    # Something behind each of the admin's security models: an authenticator and recovery codes,
    # and one failed and one successful password sign-in (django-axes records them).
    totp_device_pk = TOTPDevice.objects.create(user=users["superuser"], name="matrix", confirmed=True).pk
    StaticDevice.objects.create(user=users["superuser"], name="recovery", confirmed=True)
    sign_in = Client()
    sign_in.post(reverse("login"), {"username": "matrix.nurse", "password": "not the password"})
    sign_in.post(reverse("login"), {"username": "matrix.nurse", "password": PASSWORD})
    api_token = make_integration_client("Matrix scheduler").issued_token()
    world = World(
        api_token=api_token,
        users=users,
        procedure=procedure,
        case_a=case_a,
        case_b=case_b,
        question=PatientQuestion.objects.get(request=case_a.request),
        item_key=case_a.request.content["checklist_items"][0]["key"],
        sessions={
            "patient_a": _verified_session(case_a, PATIENT_A["date_of_birth"]),
            "patient_b": _verified_session(case_b, PATIENT_B["date_of_birth"]),
            **{role: _signed_in_session(user) for role, user in users.items()},
        },
        totp_device_pk=totp_device_pk,
    )
    for model in admin.site._registry:
        first = model._default_manager.order_by("pk").first()
        if first is None:
            world.missing_objects.add(model)
            world.objects[model] = str(uuid.uuid4() if isinstance(model._meta.pk, UUIDField) else 999_999)
        else:
            world.objects[model] = str(first.pk)
    # The user whose admin pages are probed: the nurse (not the superuser looking at them).
    world.objects[get_user_model()] = str(users["nurse"].pk)
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[World]:
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        yield _build_world()
        transaction.set_rollback(True)


def client_for(role: str, world: World, client: Client) -> Client:
    """The test client as `role`, with the role's session from the world (signing in once per module
    instead of once per test keeps the ~1,000 visits fast)."""
    if role in world.sessions:
        client.cookies = SimpleCookie({settings.SESSION_COOKIE_NAME: world.sessions[role]})
    if role == "api_client":
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {world.api_token}"
    return client


# Outcomes ----------------------------------------------------------------------------


def _body(response) -> bytes:
    # Reading a streamed body to its end closes it (the test client's wrapper does, without closing
    # the database connection as a bare response.close() would on PostgreSQL).
    return b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content


@dataclass(frozen=True)
class Outcome:
    """What a role must get. `check` returns a description of what is wrong, or None."""

    description: str
    check: Callable[[object, World, str], str | None]
    refusal: bool = False  # the role is kept out: a POST must be refused the same way

    def __str__(self) -> str:
        return self.description


def status(code: int, *, content_type: str | None = None, refusal: bool | None = None) -> Outcome:
    def check(response, world, url):
        if response.status_code != code:
            return f"expected {code}, got {response.status_code}{_location(response)}"
        if content_type and not response.get("Content-Type", "").startswith(content_type):
            return f"expected a {content_type} response, got {response.get('Content-Type')}"
        return None

    refusal = code in (403, 404) if refusal is None else refusal
    return Outcome(f"{code}" + (f" {content_type}" if content_type else ""), check, refusal=refusal)


def _location(response) -> str:
    return f" (to {response['Location']})" if response.has_header("Location") else ""


def redirect_to(target: str, *, with_next: bool | str = False, refusal: bool = True) -> Outcome:
    """A redirect to a named place (see `_place`). `with_next`: the URL it must come back to
    (True: the page asked for)."""

    def check(response, world, url):
        if response.status_code != 302:
            return f"expected a redirect to {target}, got {response.status_code}{_location(response)}"
        location = urlsplit(response["Location"])
        expected = _place(target, world, url)
        if location.path != expected:
            return f"expected a redirect to {expected} ({target}), got one to {response['Location']}"
        if with_next:
            back_to = url if with_next is True else _place(with_next, world, url)
            if parse_qs(location.query).get("next") != [back_to]:
                return f"expected the redirect to come back to {back_to} (?next=), got {response['Location']}"
        return None

    return Outcome(f"redirect to {target}", check, refusal=refusal)


def _place(target: str, world: World, url: str) -> str:
    return {
        "login": resolve_url(settings.LOGIN_URL),
        "admin_login": reverse("admin:login"),
        "admin_index": reverse("admin:index"),
        "home": reverse("home"),
        "two_factor": reverse("two_factor"),
        "identity": reverse("journey:identity", args=[world.token]),
        "done": reverse("journey:done", args=[world.token]),
    }[target]


def link_problem() -> Outcome:
    def check(response, world, url):
        if response.status_code != 404:
            return f"expected the 404 'link can't be used' page, got {response.status_code}{_location(response)}"
        names = [template.name for template in response.templates]
        if "consent/link_problem.html" not in names:
            return f"expected the 'link can't be used' page, got templates {names}"
        return None

    return Outcome("the 'link can't be used' page", check, refusal=True)


OK = status(200)
PDF = status(200, content_type="application/pdf")
FORBIDDEN = status(403)
NOT_FOUND = status(404)
POST_ONLY = status(405)  # let in, then told to POST: a GET changes nothing
LOGIN = redirect_to("login", with_next=True)
ADMIN_LOGIN = redirect_to("admin_login", with_next=True)
IDENTITY = redirect_to("identity")
DONE = redirect_to("done", refusal=False)


def everyone(outcome: Outcome) -> dict[str, Outcome]:
    return dict.fromkeys(ROLES, outcome)


def signed_in_staff(outcome: Outcome) -> dict[str, Outcome]:
    """Pages about one's own staff account: any signed-in staff member."""
    return {**dict.fromkeys(NOT_SIGNED_IN, LOGIN), **dict.fromkeys(STAFF_ROLES, outcome)}


def nurses_only(outcome: Outcome) -> dict[str, Outcome]:
    """/staff/: signed-out people (patients included) sign in first; content admins are refused. Clinicians
    work in the same workspace as nurses."""
    return {
        **dict.fromkeys(NOT_SIGNED_IN, LOGIN),
        "content_admin": FORBIDDEN,
        "nurse": outcome,
        "clinician": outcome,
        "superuser": outcome,
    }


def clinicians_only(outcome: Outcome) -> dict[str, Outcome]:
    """Countersigning: clinicians and superusers; nurses who aren't clinicians, and content admins, get a 403."""
    return {**nurses_only(outcome), "nurse": FORBIDDEN}


def admin_only(outcome: Outcome, superuser: Outcome | None = None) -> dict[str, Outcome]:
    """/admin/: anyone who isn't staff (nurses and clinicians are not) goes to the admin's sign-in."""
    return {
        **dict.fromkeys((*NOT_SIGNED_IN, "nurse", "clinician"), ADMIN_LOGIN),
        "content_admin": outcome,
        "superuser": superuser or outcome,
    }


UNAUTHORISED = status(401, content_type="application/json", refusal=True)


def api_clients_only(outcome: Outcome) -> dict[str, Outcome]:
    """/api/: a bearer token only. Everyone else, staff sessions included, gets a 401."""
    return {**everyone(UNAUTHORISED), "api_client": outcome}


def patient_a_only(outcome: Outcome) -> dict[str, Outcome]:
    """/c/<token A>/ after the identity check: only the browser that passed A's check gets in."""
    return {**everyone(IDENTITY), "patient_a": outcome}


def stored_picture_name() -> str:
    picture = store_picture(b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle r="4"/></svg>')
    return f"{picture.sha256}.svg"


# Which value fills each URL parameter, by parameter name.
PARAMETERS: dict[str, Callable[[World], str]] = {
    "token": lambda w: w.token,
    "public_id": lambda w: str(w.case_a.request.public_id),
    "question_id": lambda w: str(w.question.pk),
    "slug": lambda w: w.procedure.slug,
    "item_key": lambda w: w.item_key,
    "decision": lambda w: "consent",
    "step": lambda w: "risks",
    "pk": lambda w: str(w.procedure.pk),
}


@dataclass(frozen=True)
class Entry:
    outcomes: dict[str, Outcome]
    # Parameters that differ from PARAMETERS for this pattern.
    parameters: dict[str, Callable[[World], str]] = field(default_factory=dict)
    url: Callable[[World], str] | None = None  # for regular-expression patterns


# The expectation for every URL pattern, by its route as Django prints it. -------------------

EXPECTATIONS: dict[str, Entry] = {
    # Public pages.
    "": Entry(everyone(OK)),
    "accounts/login/": Entry(everyone(OK)),
    "accounts/logout/": Entry(everyone(POST_ONLY)),  # signing out is a POST; a GET reveals nothing
    # Signing in, second step: staff here are already past both steps, so they are sent on.
    "accounts/two-step/": Entry(
        {**dict.fromkeys(NOT_SIGNED_IN, LOGIN), **dict.fromkeys(STAFF_ROLES, redirect_to("home", refusal=False))}
    ),
    "accounts/two-step/set-up/": Entry(
        {**dict.fromkeys(NOT_SIGNED_IN, LOGIN), **dict.fromkeys(STAFF_ROLES, redirect_to("two_factor", refusal=False))}
    ),
    "accounts/two-step/recovery-codes/": Entry(signed_in_staff(OK)),
    "accounts/password/": Entry(signed_in_staff(OK)),
    "accounts/profile/": Entry(signed_in_staff(OK)),
    # The admin site's own pages.
    "admin/": Entry(admin_only(OK)),
    # The admin's sign-in hands over to the site's own (lockout, two steps), coming back to the admin.
    "admin/login/": Entry(
        {
            **dict.fromkeys(NOT_SIGNED_IN, redirect_to("login", with_next="admin_index", refusal=False)),
            "nurse": OK,  # signed in but not admin staff: the admin's own page says so
            "clinician": OK,
            "content_admin": redirect_to("admin_index", refusal=False),
            "superuser": redirect_to("admin_index", refusal=False),
        }
    ),
    "admin/logout/": Entry(
        {
            **dict.fromkeys((*NOT_SIGNED_IN, "nurse", "clinician"), redirect_to("admin_index")),
            **dict.fromkeys(("content_admin", "superuser"), POST_ONLY),
        }
    ),
    "admin/password_change/": Entry(admin_only(OK)),
    "admin/password_change/done/": Entry(admin_only(OK)),
    # No model has autocomplete fields: a request without them is refused, even a superuser's.
    "admin/autocomplete/": Entry(admin_only(status(403, refusal=False))),
    "admin/jsi18n/": Entry(admin_only(OK)),
    # "View on site" for a patient: patients have no page outside the journey, so there is nothing to show.
    "admin/r/<path:content_type_id>/<path:object_id>/": Entry(
        admin_only(NOT_FOUND),
        parameters={
            "content_type_id": lambda w: str(ContentType.objects.get_for_model(Patient).pk),
            "object_id": lambda w: str(w.case_a.request.patient_id),
        },
    ),
    # Any other address under /admin/: the sign-in for outsiders, "not found" for staff.
    "admin/(?P<url>.*)$": Entry(admin_only(NOT_FOUND), url=lambda w: "/admin/no-such-page/"),
    # The procedure admin's own pages (content admins' tools).
    "admin/procedures/procedure/<int:pk>/preview/": Entry(admin_only(OK)),
    "admin/procedures/procedure/<int:pk>/preview/<str:step>/": Entry(admin_only(OK)),
    "admin/procedures/procedure/<int:pk>/content-history/": Entry(admin_only(OK)),
    "admin/procedures/procedure/<int:pk>/publish/": Entry(admin_only(OK)),
    "admin/procedures/procedure/<int:pk>/retire/": Entry(admin_only(OK)),  # a confirmation page; POST retires
    "admin/procedures/procedure/<int:pk>/restore/": Entry(admin_only(OK)),  # here "nothing to restore"
    "admin/procedures/procedure/<int:pk>/learning/": Entry(admin_only(OK)),
    "admin/procedures/procedure/<int:pk>/learning/<int:number>/": Entry(
        admin_only(OK), parameters={"number": lambda w: "1"}
    ),
    # An authenticator's secret (its set-up key and QR code) is never shown in the admin, even to a
    # superuser (OTP_ADMIN_HIDE_SENSITIVE_DATA).
    "admin/otp_totp/totpdevice/<int:pk>/config/": Entry(
        admin_only(FORBIDDEN), parameters={"pk": lambda w: str(w.totp_device_pk)}
    ),
    "admin/otp_totp/totpdevice/<int:pk>/qrcode/": Entry(
        admin_only(FORBIDDEN), parameters={"pk": lambda w: str(w.totp_device_pk)}
    ),
    # The patient journey of case A (signed). Before the identity check only the welcome and
    # identity pages open, and they show nothing personal.
    "c/<str:token>/": Entry(everyone(OK)),
    "c/<str:token>/identity/": Entry(everyone(OK)),
    # The language picker on the welcome page: POST only, and it reveals nothing.
    "c/<str:token>/language/": Entry(everyone(POST_ONLY)),
    # A signed case's steps are closed: its patient is taken to the done page.
    "c/<str:token>/about/": Entry(patient_a_only(DONE)),
    "c/<str:token>/risks/": Entry(patient_a_only(DONE)),
    "c/<str:token>/preparing/": Entry(patient_a_only(DONE)),
    "c/<str:token>/understanding/": Entry(patient_a_only(DONE)),
    "c/<str:token>/questions/": Entry(patient_a_only(DONE)),
    "c/<str:token>/review/": Entry(patient_a_only(DONE)),
    "c/<str:token>/decide/": Entry(patient_a_only(DONE)),
    "c/<str:token>/sign/<str:decision>/": Entry(patient_a_only(DONE)),
    "c/<str:token>/done/": Entry(patient_a_only(OK)),
    "c/<str:token>/withdraw/": Entry(patient_a_only(OK)),
    "c/<str:token>/information.pdf": Entry(patient_a_only(PDF)),
    "c/<str:token>/records.pdf": Entry(patient_a_only(PDF)),
    # Case A is signed, not withdrawn: its patient is taken to the done page (the download is in
    # tests/test_withdrawal_record.py).
    "c/<str:token>/withdrawal.pdf": Entry(patient_a_only(DONE)),
    # The nurses' workspace.
    "staff/": Entry(nurses_only(OK)),
    "staff/requests/new/": Entry(nurses_only(OK)),
    "staff/procedures/": Entry(nurses_only(OK)),
    "staff/procedures/<slug:slug>/": Entry(nurses_only(OK)),
    "staff/requests/<uuid:public_id>/": Entry(nurses_only(OK)),
    "staff/requests/<uuid:public_id>/records.pdf": Entry(nurses_only(PDF)),
    # Nothing withdrawn in case A: a 404 for the nurse (the download is in tests/test_withdrawal_record.py).
    "staff/requests/<uuid:public_id>/withdrawal.pdf": Entry(nurses_only(NOT_FOUND)),
    "staff/requests/<uuid:public_id>/notes/": Entry(nurses_only(POST_ONLY)),
    "staff/requests/<uuid:public_id>/assign/": Entry(nurses_only(POST_ONLY)),
    "staff/requests/<uuid:public_id>/correct/": Entry(nurses_only(OK)),
    "staff/day/": Entry(nurses_only(OK)),
    # The records archive, and its CSV export (case A is signed: one row, audited).
    "staff/records/": Entry(nurses_only(OK)),
    "staff/records/export.csv": Entry(nurses_only(status(200, content_type="text/csv"))),
    "staff/requests/<uuid:public_id>/reissue/": Entry(nurses_only(OK)),
    "staff/requests/<uuid:public_id>/cancel/": Entry(nurses_only(OK)),
    "staff/requests/<uuid:public_id>/reconsent/": Entry(nurses_only(OK)),
    # Case A is e-signed: the form says why nothing more can be recorded; it has no scan or staff record.
    "staff/requests/<uuid:public_id>/record-consent/": Entry(nurses_only(OK)),
    "staff/requests/<uuid:public_id>/scan": Entry(nurses_only(NOT_FOUND)),
    "staff/requests/<uuid:public_id>/staff-record.pdf": Entry(nurses_only(NOT_FOUND)),
    "staff/questions/<int:question_id>/answer/": Entry(nurses_only(POST_ONLY)),
    # The clinician's statement of case A (signed, not yet countersigned): the countersign page for
    # clinicians only, and no clinician's part to download yet (the download is in tests/test_countersign.py).
    "staff/requests/<uuid:public_id>/countersign/": Entry(clinicians_only(OK)),
    "staff/requests/<uuid:public_id>/clinician.pdf": Entry(nurses_only(NOT_FOUND)),
    "staff/requests/<uuid:public_id>/checklist/": Entry(nurses_only(OK)),
    "staff/requests/<uuid:public_id>/checklist/sign-off/": Entry(nurses_only(OK)),
    "staff/requests/<uuid:public_id>/checklist/<uuid:item_key>/": Entry(nurses_only(POST_ONLY)),
    "staff/requests/<uuid:public_id>/checklist.pdf": Entry(nurses_only(PDF)),
    "staff/requests/<uuid:public_id>/confirm/": Entry(nurses_only(OK)),
    # Blood-thinner planning (case A names none: the page says so; the work is in tests/test_blood_thinners.py).
    "staff/requests/<uuid:public_id>/blood-thinners/": Entry(nurses_only(OK)),
    # Public: checking a sealed PDF, and the load balancers' health check. Never about a case.
    "verify/": Entry(everyone(OK)),
    # Public: a picture in procedure content, named by its SHA-256 (tests/test_content_pictures.py).
    "pictures/<str:name>": Entry(
        everyone(status(200, content_type="image/svg+xml")), parameters={"name": lambda w: stored_picture_name()}
    ),
    "healthz": Entry(everyone(OK)),
    # OAuth 2.0 (client credentials): the token endpoint and revocation take a POST with the client's
    # id and secret; a GET is refused (tests/test_integration_oauth.py has the real flow).
    "o/token/": Entry(everyone(POST_ONLY)),
    "o/revoke_token/": Entry(everyone(POST_ONLY)),
    # The scheduling API (tests/test_scheduling_api.py): POST and PATCH only, and case A is not the
    # client's own (a PATCH or cancel of it is a 404 there).
    "api/v1/consent-requests": Entry(api_clients_only(status(405, content_type="application/json"))),
    "api/v1/consent-requests/<uuid:public_id>": Entry(api_clients_only(status(405, content_type="application/json"))),
    "api/v1/consent-requests/<uuid:public_id>/cancel": Entry(
        api_clients_only(status(405, content_type="application/json"))
    ),
}


# The admin's own model pages, by rule. ------------------------------------------------------

# The models content admins edit and read; every other admin model (users, two-factor devices,
# sign-in attempts, tasks, and anything about patients) is refused to them.
CONTENT_ADMIN_APPS = {"procedures"}
GENERIC_ADMIN_VIEWS = {"changelist", "add", "history", "delete", "change", "password_change"}


@dataclass(frozen=True)
class AdminModelPage:
    model: type
    view: str  # changelist, add, history, delete, change, password_change, or "redirect" (the old change URL)


def admin_model_page(route: str, name: str | None) -> AdminModelPage | None:
    """The registered model and generic view a route belongs to, if it is one of the admin's own pages."""
    for model in admin.site._registry:
        prefix = f"admin/{model._meta.app_label}/{model._meta.model_name}/"
        if not route.startswith(prefix):
            continue
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if name and name.startswith(info) and name.removeprefix(info) in GENERIC_ADMIN_VIEWS:
            return AdminModelPage(model, name.removeprefix(info))
        if name is None and route == f"{prefix}<path:object_id>/":
            return AdminModelPage(model, "redirect")
    return None


def _denied_to_everyone(page: AdminModelPage, world: World) -> bool:
    """Actions the model's admin offers to no one (e.g. editing a published version): a 403 is right."""
    model_admin = admin.site._registry[page.model]
    request = RequestFactory().get("/admin/")
    request.user = world.users["superuser"]
    obj = page.model._default_manager.filter(pk=world.objects[page.model]).first()
    return {
        "add": lambda: not model_admin.has_add_permission(request),
        "delete": lambda: not model_admin.has_delete_permission(request, obj),
        "password_change": lambda: not model_admin.has_change_permission(request, obj),
    }.get(page.view, lambda: False)()


def admin_allowed(page: AdminModelPage) -> Outcome:
    def check(response, world, url):
        code = response.status_code
        if code == 200:
            return None
        if code == 302:
            target = urlsplit(response["Location"]).path
            if target.startswith(reverse("admin:index")) and target != reverse("admin:login"):
                return None  # e.g. the old change URL, or a page for an object that no longer exists
            return f"expected the admin page, got a redirect to {response['Location']}"
        if code == 403 and _denied_to_everyone(page, world):
            return None
        return f"expected the admin page, got {code}{_location(response)}"

    return Outcome("the admin page", check)


def admin_refused(page: AdminModelPage) -> Outcome:
    """A model content admins must not see: refused, whatever the page.

    Django's admin answers two pages before it checks permissions, showing nothing: the old
    change URL (<object_id>/) redirects to <object_id>/change/, which is then refused; and a
    page about an object that doesn't exist redirects to the admin's index.
    """

    def check(response, world, url):
        code = response.status_code
        if code in (403, 404):
            return None
        if code == 302:
            target = urlsplit(response["Location"]).path
            if page.view == "redirect" and target == url + "change/":
                return None
            if target == reverse("admin:index") and page.model in world.missing_objects:
                return None
        return f"expected the admin to refuse (403 or 404), got {code}{_location(response)}"

    return Outcome("refused (403 or 404)", check, refusal=True)


def generic_admin_entry(page: AdminModelPage) -> Entry:
    content = page.model._meta.app_label in CONTENT_ADMIN_APPS
    outcomes = admin_only(admin_allowed(page) if content else admin_refused(page), superuser=admin_allowed(page))
    parameters = {
        "object_id": lambda w: w.objects[page.model],
        "id": lambda w: w.objects[page.model],
    }
    return Entry(outcomes, parameters=parameters)


# Enumerating the patterns ------------------------------------------------------------------


def _walk(patterns, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str | None]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), (namespace + pattern.name) if pattern.name else None


APP_LIST = re.compile(r"\(\?P<app_label>([^)]*)\)")


@dataclass(frozen=True)
class Probe:
    """One URL to visit: a pattern, and (for the admin's app pages) which app."""

    route: str
    name: str | None
    app_label: str | None = None

    @property
    def id(self) -> str:
        return self.route + (f"[{self.app_label}]" if self.app_label else "")


def all_probes() -> list[Probe]:
    probes = []
    for route, name in _walk(get_resolver().url_patterns):
        found = APP_LIST.search(route) if name == "admin:app_list" else None
        if found:
            # One probe per app the admin lists, so a newly registered app is checked too.
            probes += [Probe(route, name, app_label) for app_label in found.group(1).split("|")]
        else:
            probes.append(Probe(route, name))
    return probes


PROBES = all_probes()


def entry_for(probe: Probe) -> Entry | None:
    if probe.name == "admin:app_list":
        content = probe.app_label in CONTENT_ADMIN_APPS
        outcomes = admin_only(OK if content else NOT_FOUND, superuser=OK)
        return Entry(outcomes, url=lambda w: reverse("admin:app_list", kwargs={"app_label": probe.app_label}))
    if probe.route in EXPECTATIONS:
        return EXPECTATIONS[probe.route]
    page = admin_model_page(probe.route, probe.name)
    return generic_admin_entry(page) if page else None


def missing_expectation_message(probe: Probe) -> str:
    return (
        f"The URL pattern {probe.route!r} (name {probe.name!r}) has no access expectation. Add an entry for it to "
        "EXPECTATIONS in tests/test_access_matrix.py saying what each role (anonymous, patient of case A, patient "
        "of case B, nurse, clinician, content admin, superuser) must get, e.g. Entry(nurses_only(OK)) for a "
        "nurse's page."
    )


PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def build_url(probe: Probe, entry: Entry, world: World) -> str:
    if entry.url:
        url = entry.url(world)
    else:
        if "(?P<" in probe.route or probe.route.startswith("^"):
            raise AssertionError(f"{probe.route!r} is a regular expression: give its Entry a `url`.")

        def fill(match: re.Match) -> str:
            name = match["name"]
            value = entry.parameters.get(name) or PARAMETERS.get(name)
            if value is None:
                raise AssertionError(
                    f"No value for the URL parameter <{name}> of {probe.route!r}: add one to PARAMETERS "
                    "(or to the pattern's Entry) in tests/test_access_matrix.py."
                )
            return quote(value(world), safe="/")

        url = "/" + PARAMETER.sub(fill, probe.route)
    # (Django drops a regular expression's leading ^ when it joins routes.)
    assert resolve(url).route.replace("^", "") == probe.route.replace("^", ""), f"{url} doesn't reach {probe.route!r}"
    return url


# The tests ----------------------------------------------------------------------------------


def test_every_url_pattern_has_an_expectation():
    missing = [missing_expectation_message(probe) for probe in PROBES if entry_for(probe) is None]

    assert not missing, "\n".join(missing)


def test_a_new_pattern_without_an_expectation_is_caught_with_what_to_do():
    new = Probe("staff/requests/<uuid:public_id>/new-thing/", "staff:new_thing")

    assert entry_for(new) is None
    assert "Add an entry for it to EXPECTATIONS" in missing_expectation_message(new)


def test_every_expectation_names_a_url_pattern():
    routes = {probe.route for probe in PROBES}

    stale = set(EXPECTATIONS) - routes

    assert not stale, f"EXPECTATIONS lists patterns that no longer exist; remove or rename them: {sorted(stale)}"


def test_every_admin_registration_is_covered_by_the_rule():
    routes = {probe.route for probe in PROBES}
    for model in admin.site._registry:
        prefix = f"admin/{model._meta.app_label}/{model._meta.model_name}/"
        assert any(route.startswith(prefix) for route in routes), model


def _check_no_data_leaks(role: str, response, body: bytes) -> list[str]:
    """Case data in the body or headers of a response to someone who may not see it.

    A PDF's text is compressed, so searching it proves little: whoever may see no case gets no PDF at all.
    """
    text = body.decode("utf-8", errors="replace")
    headers = " ".join(f"{key}: {value}" for key, value in response.items())
    problems = [
        f"{value!r} appears in the response to {role}" for value in FORBIDDEN_DATA[role] if value in text + headers
    ]
    if role in SEES_NO_CASE and (body.startswith(b"%PDF") or "pdf" in response.get("Content-Type", "")):
        problems.append(f"a PDF was sent to {role}")
    return problems


def visit(method: str, probe: Probe, role: str, world: World, client: Client):
    entry = entry_for(probe)
    assert entry is not None, missing_expectation_message(probe)
    url = build_url(probe, entry, world)
    client = client_for(role, world, client)
    response = getattr(client, method)(url)
    return entry.outcomes[role], url, response


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("probe", PROBES, ids=lambda probe: probe.id)
def test_access(db, world, client, probe, role):
    expected, url, response = visit("get", probe, role, world, client)

    body = _body(response)

    problems = [problem for problem in [expected.check(response, world, url)] if problem]
    problems += _check_no_data_leaks(role, response, body)
    assert not problems, f"GET {url} as {role}: expected {expected}; " + "; ".join(problems)


def _case_fingerprint(world: World) -> tuple:
    request = ConsentRequest.objects.get(pk=world.case_a.request.pk)
    return (
        request.status,
        request.progress,
        request.token_hash,
        AuditEvent.objects.filter(request=request).count(),
        PatientQuestion.objects.filter(request=request, answered_at__isnull=False).count(),
        request.checklist_complete,
    )


# The project's own views (the admin's generic model pages share one permission check with their GET).
REFUSALS = [
    (probe, role)
    for probe in PROBES
    if (entry := entry_for(probe)) is not None and admin_model_page(probe.route, probe.name) is None
    for role in ROLES
    if entry.outcomes[role].refusal
]


@pytest.mark.parametrize(("probe", "role"), REFUSALS, ids=[f"{probe.id}-{role}" for probe, role in REFUSALS])
def test_refused_on_get_means_refused_on_post(db, world, client, probe, role):
    """A role kept out of a page is kept out of its form too, and changes nothing."""
    before = _case_fingerprint(world)

    expected, url, response = visit("post", probe, role, world, client)

    body = _body(response)
    problems = [problem for problem in [expected.check(response, world, url)] if problem]
    problems += _check_no_data_leaks(role, response, body)
    assert not problems, f"POST {url} as {role}: expected {expected}; " + "; ".join(problems)
    assert _case_fingerprint(world) == before, f"POST {url} as {role} changed case A"


JOURNEY_PROBES = [probe for probe in PROBES if probe.route.startswith("c/<str:token>/")]


@pytest.mark.parametrize("role", ["anonymous", "patient_a", "nurse"])
@pytest.mark.parametrize("probe", JOURNEY_PROBES, ids=lambda probe: probe.id)
def test_an_unknown_token_gets_the_link_cant_be_used_page(db, world, client, probe, role):
    unknown = uuid.uuid4().hex + uuid.uuid4().hex
    url = build_url(probe, Entry({}, parameters={"token": lambda w: unknown}), world)

    response = client_for(role, world, client).get(url)

    body = _body(response)
    problem = link_problem().check(response, world, url)
    assert problem is None, f"GET {url} as {role}: {problem}"
    assert not _check_no_data_leaks("anonymous", response, body)


@pytest.mark.parametrize("dead_status", ["cancelled", "expired", "locked"])
def test_a_dead_link_gets_the_same_page_as_an_unknown_one(db, world, client, dead_status):
    ConsentRequest.objects.filter(pk=world.case_a.request.pk).update(status=dead_status)
    client = client_for("patient_a", world, client)

    for probe in JOURNEY_PROBES:
        url = build_url(probe, EXPECTATIONS[probe.route], world)
        response = client.get(url)
        body = _body(response)
        assert link_problem().check(response, world, url) is None, url
        assert not _check_no_data_leaks("anonymous", response, body), url


@pytest.mark.parametrize("role", ROLES)
def test_static_files_are_served_to_everyone(db, world, client, role):
    response = client_for(role, world, client).get(settings.STATIC_URL.rstrip("/") + "/css/proceed.css")

    assert response.status_code == 200
    assert b"Ana" not in _body(response)


def test_the_searched_for_data_is_on_the_pages_meant_to_show_it(db, world, client):
    """The leak checks look for the right strings: the nurse's case page shows them all."""
    url = reverse("staff:case", args=[world.case_a.request.public_id])

    text = _body(client_for("nurse", world, client).get(url)).decode()

    assert all(value in text for value in ("Ana María López", "MRN-A-1001")), (
        "the leak checks search for the wrong text"
    )


def test_patient_b_really_passed_bs_identity_check(db, world, client):
    """Patient B is refused A's pages because of whose check they passed, not for want of passing one."""
    response = client_for("patient_b", world, client).get(reverse("journey:about", args=[world.case_b.token]))

    assert response.status_code == 200
