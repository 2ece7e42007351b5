"""Security headers, cookies, CSRF on the patient link, and the deploy check.

What a browser is told about every response: the Content-Security-Policy, that
no page may be framed, where a Referer may go (nowhere, from a patient's link),
that nothing showing health data may be cached; that forms are protected
against cross-site posts even when the patient's browser sends `Origin: null`;
and that production settings pass `manage.py check --deploy`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import PATIENT_A, StaffClient

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "q8Zr1Kp0xV3mN7sW2bY5cT9gH4jL6fD1aE8uI0oP3kQ7wR2tS5yU"
PRODUCTION_ENVIRONMENT = {
    "PATH": os.environ["PATH"],
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "PROCEED_ENV_FILE": "",  # ignore any developer's local .env
    "DJANGO_SECRET_KEY": STRONG_KEY,
    "DJANGO_ALLOWED_HOSTS": "consent.example.org",
    # What every real deployment sets (config.checks warns otherwise: see the tests below).
    "REDIS_URL": "redis://127.0.0.1:6379/15",
    "PROCEED_EMERGENCY_NUMBER": "999",
}
EXPECTED_CSP = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "object-src": {"'none'"},
    "frame-ancestors": {"'none'"},
    "base-uri": {"'none'"},
    "form-action": {"'self'"},
}
DOB = PATIENT_A["date_of_birth"]
# Our own page for a refused form (templates/403_csrf.html), not Django's technical one.
CSRF_FAILED = b"For your security, we couldn't accept that form."


def csp_directives(response) -> dict[str, set[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = set(values)
    return directives


def csrf_token_in(response) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


def dob_post(**extra) -> dict:
    return {"day": DOB.day, "month": DOB.month, "year": DOB.year, **extra}


@pytest.fixture
def nurse_client(nurse):
    client = StaffClient()
    client.force_login(nurse)
    return client


@pytest.fixture
def admin_client(content_admin):
    client = StaffClient()
    client.force_login(content_admin)
    return client


# Content-Security-Policy and framing -------------------------------------------------


@pytest.fixture(params=["home", "patient", "staff"])
def page_response(request, case_a, nurse_client):
    url = {"home": "/", "patient": f"{case_a.url}identity/", "staff": "/staff/"}[request.param]
    response = (nurse_client if request.param == "staff" else Client()).get(url)
    assert response.status_code == 200
    return response


def test_every_page_has_the_content_security_policy(page_response):
    directives = csp_directives(page_response)

    for name, values in EXPECTED_CSP.items():
        assert directives.get(name) == values, name


def test_no_page_allows_inline_or_eval_code(page_response):
    policy = page_response["Content-Security-Policy"]

    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy
    assert "'unsafe-hashes'" not in policy


def test_no_page_may_be_framed(page_response):
    assert page_response["X-Frame-Options"] == "DENY"
    assert csp_directives(page_response)["frame-ancestors"] == {"'none'"}


def test_the_admin_has_the_same_policy(admin_client):
    response = admin_client.get("/admin/procedures/procedure/")

    assert response.status_code == 200
    assert csp_directives(response) == EXPECTED_CSP


# Referrer-Policy ----------------------------------------------------------------------


@pytest.mark.parametrize("page", ["", "identity/", "information.pdf"])
def test_patient_pages_send_no_referrer_at_all(client, case_a, page):
    client.post(f"{case_a.url}identity/", dob_post())

    response = client.get(f"{case_a.url}{page}")

    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer"


def test_a_dead_or_mistyped_patient_link_sends_no_referrer_either(client, db):
    for url in ["/c/not-a-real-token-at-all-000000000000000/", "/c/not-a-real-token/no-such-page/"]:
        response = client.get(url)

        assert response.status_code == 404
        assert response["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/staff/", "/admin/"])
def test_other_pages_send_a_referrer_only_to_this_site(client, nurse, url):
    client.force_login(nurse)

    assert client.get(url)["Referrer-Policy"] == "same-origin"


# Caching ------------------------------------------------------------------------------


def assert_not_cached(response):
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert "no-store" in cache_control
    assert "public" not in cache_control
    assert response["Pragma"] == "no-cache"


def test_patient_pages_are_not_cached(client, case_a):
    assert_not_cached(client.get(case_a.url))
    assert_not_cached(client.post(f"{case_a.url}identity/", dob_post()))
    assert_not_cached(client.get(f"{case_a.url}about/"))


def test_patient_pdfs_are_not_cached(client, signed_case):
    client.post(f"{signed_case.url}identity/", dob_post())

    for pdf in ["records.pdf", "information.pdf"]:
        response = client.get(f"{signed_case.url}{pdf}")

        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert_not_cached(response)


def test_staff_pages_and_pdfs_are_not_cached(nurse_client, signed_case):
    from records.documents import render_document_safely

    assert render_document_safely(signed_case.request.signature) is not None  # rendering waits for a commit
    case_url = f"/staff/requests/{signed_case.request.public_id}/"
    for url in ["/staff/", case_url, f"{case_url}checklist/", "/staff/procedures/"]:
        response = nurse_client.get(url)

        assert response.status_code == 200, url
        assert_not_cached(response)
    for url in [f"{case_url}records.pdf", f"{case_url}checklist.pdf"]:
        response = nurse_client.get(url)

        assert response.status_code == 200, url
        assert response["Content-Type"] == "application/pdf"
        assert_not_cached(response)


def test_admin_pages_are_not_cached(admin_client, published_procedure):
    for url in ["/admin/", "/admin/procedures/procedure/", f"/admin/procedures/procedure/{published_procedure.pk}/"]:
        response = admin_client.get(url, follow=True)

        assert response.status_code == 200, url
        assert_not_cached(response)


def test_account_pages_are_not_cached(client):
    assert_not_cached(client.get("/accounts/login/"))


def test_errors_are_not_cached(client):
    assert_not_cached(client.get("/staff/requests/00000000-0000-0000-0000-000000000000/"))
    assert_not_cached(client.get("/no-such-page/"))


def test_static_files_stay_cacheable(client):
    response = client.get(f"{settings.STATIC_URL}css/proceed.css")

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "Pragma" not in response


# CSRF on the patient link under no-referrer ------------------------------------------------
# With `Referrer-Policy: no-referrer`, browsers post the journey's forms with `Origin: null`
# and no Referer. Those posts must work, and only there, and only with the CSRF token.


def csrf_client() -> Client:
    return StaffClient(enforce_csrf_checks=True)


@pytest.mark.parametrize("secure", [False, True], ids=["http", "https"])
def test_patient_post_with_origin_null_and_the_token_succeeds(case_a, secure):
    client = csrf_client()
    token = csrf_token_in(client.get(f"{case_a.url}identity/", secure=secure))

    response = client.post(
        f"{case_a.url}identity/", dob_post(csrfmiddlewaretoken=token), secure=secure, HTTP_ORIGIN="null"
    )

    assert response.status_code == 302
    assert response["Location"].endswith("/about/")
    # And the next step, as the browser posts it (nothing to fill in but the token).
    response = client.post(f"{case_a.url}about/", {"csrfmiddlewaretoken": token}, secure=secure, HTTP_ORIGIN="null")
    assert response.status_code == 302
    assert response["Location"].endswith("/risks/")


@pytest.mark.parametrize("secure", [False, True], ids=["http", "https"])
def test_patient_post_with_origin_null_but_no_token_is_refused(case_a, secure):
    client = csrf_client()
    client.get(f"{case_a.url}identity/", secure=secure)

    response = client.post(f"{case_a.url}identity/", dob_post(), secure=secure, HTTP_ORIGIN="null")

    assert response.status_code == 403
    assert CSRF_FAILED in response.content
    assert case_a.refresh().failed_identity_attempts == 0


@pytest.mark.parametrize("secure", [False, True], ids=["http", "https"])
def test_patient_post_with_origin_null_but_no_csrf_cookie_is_refused(case_a, secure):
    # What a cross-site post looks like: the SameSite cookie stays behind.
    token = csrf_token_in(csrf_client().get(f"{case_a.url}identity/", secure=secure))

    response = csrf_client().post(
        f"{case_a.url}identity/", dob_post(csrfmiddlewaretoken=token), secure=secure, HTTP_ORIGIN="null"
    )

    assert response.status_code == 403
    assert CSRF_FAILED in response.content


@pytest.mark.parametrize("secure", [False, True], ids=["http", "https"])
def test_patient_post_from_a_foreign_origin_is_refused(case_a, secure):
    client = csrf_client()
    token = csrf_token_in(client.get(f"{case_a.url}identity/", secure=secure))

    response = client.post(
        f"{case_a.url}identity/",
        dob_post(csrfmiddlewaretoken=token),
        secure=secure,
        HTTP_ORIGIN="https://attacker.example",
    )

    assert response.status_code == 403
    assert CSRF_FAILED in response.content


def test_patient_post_over_https_with_a_foreign_referer_is_refused(case_a):
    client = csrf_client()
    token = csrf_token_in(client.get(f"{case_a.url}identity/", secure=True))

    response = client.post(
        f"{case_a.url}identity/",
        dob_post(csrfmiddlewaretoken=token),
        secure=True,
        HTTP_ORIGIN="null",
        HTTP_REFERER="https://attacker.example/page",
    )

    assert response.status_code == 403
    assert CSRF_FAILED in response.content


def test_a_refused_form_gets_a_plain_page_that_says_what_to_do(case_a):
    response = csrf_client().post(f"{case_a.url}identity/", dob_post(), HTTP_ORIGIN="null")
    text = response.content.decode()

    assert response.status_code == 403
    assert "Please go back, reload the page, and try again." in text
    assert f"call {settings.CLINIC_NAME} on" in text
    assert "CSRF" not in text
    assert "<style" not in text


@pytest.mark.parametrize("secure", [False, True], ids=["http", "https"])
def test_staff_post_with_origin_null_is_refused(nurse, secure):
    client = csrf_client()
    client.force_login(nurse)
    token = csrf_token_in(client.get("/staff/requests/new/", secure=secure))

    response = client.post("/staff/requests/new/", {"csrfmiddlewaretoken": token}, secure=secure, HTTP_ORIGIN="null")

    assert response.status_code == 403
    assert CSRF_FAILED in response.content


@pytest.mark.parametrize("secure", [False, True], ids=["http", "https"])
def test_sign_in_post_with_origin_null_is_refused(nurse, secure):
    client = csrf_client()
    token = csrf_token_in(client.get("/accounts/login/", secure=secure))

    response = client.post(
        "/accounts/login/",
        {"csrfmiddlewaretoken": token, "username": nurse.username, "password": "x"},
        secure=secure,
        HTTP_ORIGIN="null",
    )

    assert response.status_code == 403
    assert CSRF_FAILED in response.content


def test_staff_post_over_https_without_origin_or_referer_is_refused(nurse):
    # Django's strict HTTPS Referer check is unchanged outside the patient link.
    client = csrf_client()
    client.force_login(nurse)
    token = csrf_token_in(client.get("/staff/requests/new/", secure=True))

    response = client.post("/staff/requests/new/", {"csrfmiddlewaretoken": token}, secure=True)

    assert response.status_code == 403
    assert CSRF_FAILED in response.content


def test_staff_post_from_this_site_still_works(nurse):
    client = csrf_client()
    client.force_login(nurse)
    token = csrf_token_in(client.get("/staff/requests/new/", secure=True))

    response = client.post(
        "/staff/requests/new/",
        {"csrfmiddlewaretoken": token},
        secure=True,
        HTTP_ORIGIN="https://testserver",
    )

    assert response.status_code == 200  # the form again, with its errors: CSRF passed
    assert CSRF_FAILED not in response.content


# Sessions ------------------------------------------------------------------------------------


def test_the_identity_check_starts_a_new_session(client, case_a):
    client.get(f"{case_a.url}identity/")
    before = client.session.session_key

    client.post(f"{case_a.url}identity/", dob_post())

    assert client.session.session_key != before


# Production settings ---------------------------------------------------------------------------


def run_in_production(*args: str, environment: dict[str, str] = PRODUCTION_ENVIRONMENT) -> subprocess.CompletedProcess:
    # A deployment names the clinic's sealing key and certificate; the test run's own pair will do.
    signing = {
        "PROCEED_SIGNING_KEY": str(settings.PROCEED_SIGNING_KEY),
        "PROCEED_SIGNING_CERT": str(settings.PROCEED_SIGNING_CERT),
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**environment, **signing},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_nothing_with_production_settings():
    result = run_in_production("manage.py", "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout
    assert "?: (" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("change", "warning"),
    [
        ({"REDIS_URL": ""}, "proceed.W001"),
        ({"PROCEED_TASK_BACKEND": "immediate"}, "proceed.W002"),
        ({"PROCEED_EMERGENCY_NUMBER": ""}, "proceed.W003"),
    ],
    ids=["no shared cache", "PDFs rendered in the request", "no emergency number"],
)
def test_check_deploy_warns_about_what_a_real_deployment_needs(change, warning):
    environment = {**PRODUCTION_ENVIRONMENT, **change}
    for name in [name for name, value in change.items() if not value]:
        del environment[name]  # unset, as a deployment that forgot it
    result = run_in_production("manage.py", "check", "--deploy", environment=environment)

    assert warning in result.stdout + result.stderr
    assert [line for line in (result.stdout + result.stderr).splitlines() if "(proceed.W" in line] == [
        line for line in (result.stdout + result.stderr).splitlines() if f"({warning})" in line
    ]


SHOW_SECURITY_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
names = ["SESSION_COOKIE_NAME", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE",
         "SESSION_COOKIE_DOMAIN", "SESSION_COOKIE_PATH", "CSRF_COOKIE_NAME", "CSRF_COOKIE_SECURE",
         "CSRF_COOKIE_HTTPONLY", "CSRF_COOKIE_SAMESITE", "CSRF_COOKIE_DOMAIN", "CSRF_COOKIE_PATH",
         "CSRF_USE_SESSIONS", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
         "SECURE_SSL_REDIRECT", "SECURE_REFERRER_POLICY", "X_FRAME_OPTIONS", "MIDDLEWARE",
         "SILENCED_SYSTEM_CHECKS"]
print(json.dumps({name: getattr(settings, name) for name in names}))
"""


def production_settings() -> dict:
    result = run_in_production("-c", SHOW_SECURITY_SETTINGS)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_cookies_are_secure_httponly_samesite_and_host_only():
    production = production_settings()

    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    assert production["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert production["CSRF_COOKIE_SECURE"] is True  # what check --deploy's W016 would check (see W003 below)
    assert production["CSRF_COOKIE_HTTPONLY"] is True
    assert production["CSRF_COOKIE_SAMESITE"] == "Lax"
    # __Host- cookies: browsers take them only if Secure, with Path=/ and no Domain.
    assert production["SESSION_COOKIE_NAME"] == "__Host-sessionid"
    assert production["CSRF_COOKIE_NAME"] == "__Host-csrftoken"
    for cookie in ("SESSION", "CSRF"):
        assert production[f"{cookie}_COOKIE_DOMAIN"] is None
        assert production[f"{cookie}_COOKIE_PATH"] == "/"


def test_production_uses_https_with_hsts():
    production = production_settings()

    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_HSTS_SECONDS"] >= 31536000
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SECURE_HSTS_PRELOAD"] is True
    assert production["SECURE_REFERRER_POLICY"] == "same-origin"
    assert production["X_FRAME_OPTIONS"] == "DENY"


def test_only_our_csrf_middleware_check_is_silenced():
    """W003 looks for Django's CSRF middleware by name; ours is a subclass, so the check is silenced.

    This test is what W003 would have checked: CSRF protection is on, by our
    subclass of Django's middleware, and Django's own is not there twice.
    """
    from django.middleware.csrf import CsrfViewMiddleware

    from config.security import PatientLinkCsrfViewMiddleware

    production = production_settings()

    assert production["SILENCED_SYSTEM_CHECKS"] == ["security.W003"]
    assert "config.security.PatientLinkCsrfViewMiddleware" in production["MIDDLEWARE"]
    assert "django.middleware.csrf.CsrfViewMiddleware" not in production["MIDDLEWARE"]
    assert issubclass(PatientLinkCsrfViewMiddleware, CsrfViewMiddleware)
    assert production["CSRF_USE_SESSIONS"] is False


# No inline code in templates -------------------------------------------------------------------

TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]
# Emails are read in a mail client, never served under our CSP, and mail clients drop
# <style> blocks and stylesheets: inline style attributes are the only styling that works.
NOT_SERVED_AS_PAGES = [ROOT / "templates" / "consent" / "email"]
INLINE_CODE = {
    "an inline <script>": re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    'a style="..." attribute': re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "a <style> block": re.compile(r"<style\b", re.IGNORECASE),
    "an inline event handler": re.compile(r"\son[a-z]+\s*=\s*[\"']", re.IGNORECASE),
    "a javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def served_templates() -> list[Path]:
    found = []
    for directory in TEMPLATE_DIRS:
        for path in sorted(directory.rglob("*.html")):
            if not any(path.is_relative_to(skipped) for skipped in NOT_SERVED_AS_PAGES):
                found.append(path)
    return found


def test_the_template_scan_finds_the_templates():
    names = {path.relative_to(ROOT).as_posix() for path in served_templates()}

    assert {"templates/base.html", "templates/consent/sign.html", "templates/pdf/checklist.html"} <= names
    assert "templates/consent/email/invite.html" not in names


@pytest.mark.parametrize("what", list(INLINE_CODE))
def test_no_template_has_inline_code_the_policy_would_block(what):
    pattern = INLINE_CODE[what]
    offenders = []
    for path in served_templates():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}")

    assert not offenders, f"{what} (move it to a file under static/):\n" + "\n".join(offenders)


def test_the_checklist_pdf_stylesheet_is_a_static_file():
    from records.pdf import find_static_file

    assert find_static_file("css/pdf-checklist.css") is not None
