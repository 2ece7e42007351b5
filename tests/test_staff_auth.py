"""Staff sign-in: argon2, lockout, two-step sign-in (TOTP) with recovery codes, idle timeouts,
log-out everywhere on a password change, new session ids, and the identity check's rate limit."""

from __future__ import annotations

import base64
import datetime
import io
import os
import re
import subprocess
import sys
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from config import settings as production_settings
from consent.models import Status
from tests.conftest import PASSWORD, PATIENT_A, StaffClient, totp_code
from tests.test_settings import ROOT, load_settings

LOGIN = reverse("login")
TWO_STEP = reverse("two_factor")
SET_UP = reverse("two_factor_setup")
RECOVERY = reverse("recovery_codes")
STAFF = reverse("staff:index")
START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
LOCKED_MESSAGE = (
    "Too many wrong passwords. For your security this account is locked for 15 minutes. "
    "Ask your administrator if you need in sooner."
)


@pytest.fixture
def clock(time_machine):
    """A frozen clock that tests move on by hand."""
    time_machine.move_to(START, tick=False)
    return time_machine


def sign_in(client, user, password=PASSWORD, *, next_url=None, **extra):
    data = {"username": user.username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN, data, **extra)


def text(response) -> str:
    return response.content.decode()


def set_up_authenticator(client) -> tuple[TOTPDevice, list[str]]:
    """After the password: scan (read the device), confirm a code, read the recovery codes shown."""
    page = client.get(SET_UP)
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user_id=client.session[SESSION_KEY], confirmed=False)
    response = client.post(SET_UP, {"code": totp_code(device)}, follow=True)
    assert response.redirect_chain[0][0].startswith(RECOVERY)
    codes = re.findall(r"<li>([a-z2-7]{4} [a-z2-7]{4})</li>", text(response))
    return device, codes


def goes_to(url: str) -> tuple[str, str | None]:
    """A redirect's page and its `next`, however the query string was encoded."""
    parts = urlsplit(url)
    return parts.path, parse_qs(parts.query).get("next", [None])[0]


def is_verified(client) -> bool:
    return DEVICE_ID_SESSION_KEY in client.session


def confirmed_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)


# Passwords -------------------------------------------------------------------------------------


def test_passwords_are_hashed_with_argon2_in_production(django_user_model, db):
    with override_settings(PASSWORD_HASHERS=production_settings.PASSWORD_HASHERS):
        user = django_user_model.objects.create_user(username="ann", password=PASSWORD)

        assert user.password.startswith("argon2")
        assert user.check_password(PASSWORD)


# Lockout ---------------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_with_a_plain_message(client, nurse):
    responses = [sign_in(client, nurse, "wrong password") for _ in range(5)]

    assert [r.status_code for r in responses[:4]] == [200] * 4
    assert "Please enter a correct username and password" in text(responses[3])
    assert responses[4].status_code == 429
    assert LOCKED_MESSAGE in text(responses[4])
    assert "bootstrap.min.css" in text(responses[4])  # the site's own page, not a bare message


def test_a_locked_account_refuses_even_the_right_password(client, nurse):
    for _ in range(5):
        sign_in(client, nurse, "wrong password")

    response = sign_in(client, nurse)

    assert response.status_code == 429
    assert LOCKED_MESSAGE in text(response)
    assert SESSION_KEY not in client.session


def test_the_lock_lifts_after_15_minutes(client, nurse, clock):
    for _ in range(5):
        sign_in(client, nurse, "wrong password")
    clock.shift(datetime.timedelta(minutes=14))
    assert sign_in(client, nurse).status_code == 429

    clock.shift(datetime.timedelta(minutes=16))
    response = sign_in(client, nurse)

    assert response.status_code == 302
    assert response["Location"].startswith(TWO_STEP)


def test_the_lock_is_for_one_username_from_one_address(client, nurse, content_admin):
    for _ in range(5):
        sign_in(client, nurse, "wrong password")

    assert sign_in(StaffClient(), content_admin).status_code == 302
    assert sign_in(StaffClient(REMOTE_ADDR="198.51.100.7"), nurse).status_code == 302


def test_a_right_password_clears_earlier_failures(client, nurse):
    for _ in range(4):
        sign_in(client, nurse, "wrong password")
    assert sign_in(client, nurse).status_code == 302
    client.logout()

    for _ in range(4):
        assert sign_in(client, nurse, "wrong password").status_code == 200


def test_the_admin_sign_in_goes_through_the_same_sign_in_and_lockout(client, content_admin):
    response = client.get(reverse("admin:index"), follow=True)

    assert goes_to(response.redirect_chain[-1][0]) == (LOGIN, "/admin/")
    assert client.post(reverse("admin:login"), {"username": content_admin.username, "password": PASSWORD}).status_code
    assert SESSION_KEY not in client.session  # the admin's own form is not a way around the sign-in
    for _ in range(5):
        locked = sign_in(client, content_admin, "wrong", next_url="/admin/")
    assert locked.status_code == 429
    assert LOCKED_MESSAGE in text(locked)


def test_many_failures_from_one_address_across_usernames_are_slowed_down(client, settings, db):
    settings.PROCEED_SIGN_IN_FAILURES_PER_IP = 3
    for number in range(3):
        assert client.post(LOGIN, {"username": f"guess{number}", "password": "x"}).status_code == 200

    response = client.post(LOGIN, {"username": "guess9", "password": "x"})

    assert response.status_code == 429
    assert "Too many sign-in attempts from this connection. Please wait 10 minutes" in text(response)
    assert StaffClient(REMOTE_ADDR="198.51.100.7").post(LOGIN, {"username": "a", "password": "x"}).status_code == 200


# Two-step sign-in --------------------------------------------------------------------------


def test_first_sign_in_walks_through_authenticator_set_up_then_shows_recovery_codes(client, nurse):
    response = sign_in(client, nurse, next_url=STAFF, follow=True)

    assert [url for url, _ in response.redirect_chain] == [
        f"{TWO_STEP}?next={quote(STAFF, safe='')}",
        f"{SET_UP}?next={quote(STAFF, safe='')}",
    ]
    page = text(response)
    assert "Set up two-step sign-in" in page
    device = TOTPDevice.objects.get(user=nurse)
    assert device.confirmed is False
    assert "<svg" in page  # the QR code, drawn by the app
    key = base64.b32encode(device.bin_key).decode()
    assert " ".join(key[i : i + 4] for i in range(0, len(key), 4)) in page
    assert "Proceed" in device.config_url and nurse.username in device.config_url
    assert client.get(STAFF)["Location"].startswith(TWO_STEP)

    confirmed = client.post(f"{SET_UP}?next={STAFF}", {"code": totp_code(device)}, follow=True)

    assert confirmed.redirect_chain == [(f"{RECOVERY}?next={quote(STAFF, safe='')}", 302)]
    codes = re.findall(r"<li>([a-z2-7]{4} [a-z2-7]{4})</li>", text(confirmed))
    assert len(codes) == 10 == len(set(codes))
    assert "They are shown only this once" in text(confirmed)
    assert f'href="{STAFF}"' in text(confirmed)
    device.refresh_from_db()
    assert device.confirmed
    assert is_verified(client)
    assert client.get(STAFF).status_code == 200


def test_recovery_codes_are_shown_only_once(client, nurse):
    sign_in(client, nurse)
    _, codes = set_up_authenticator(client)

    again = text(client.get(RECOVERY))

    assert not any(code in again for code in codes)
    assert "Make 10 new recovery codes" in again


def test_making_new_recovery_codes_replaces_the_old_ones(client, nurse):
    sign_in(client, nurse)
    _, old_codes = set_up_authenticator(client)

    new_codes = re.findall(r"<li>([a-z2-7]{4} [a-z2-7]{4})</li>", text(client.post(RECOVERY)))

    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    assert StaticToken.objects.filter(device__user=nurse).count() == 10


def test_a_wrong_code_at_set_up_is_refused_and_not_shown_back(client, nurse):
    sign_in(client, nurse)
    client.get(SET_UP)

    response = client.post(SET_UP, {"code": "123 456"})

    assert response.status_code == 200
    assert "That code didn&#x27;t match" in text(response)
    assert "123 456" not in text(response)
    assert not TOTPDevice.objects.get(user=nurse).confirmed
    assert not is_verified(client)


def test_the_set_up_page_shows_the_same_key_on_reload(client, nurse):
    sign_in(client, nurse)
    client.get(SET_UP)
    client.get(SET_UP)

    assert TOTPDevice.objects.filter(user=nurse).count() == 1


def test_with_an_authenticator_the_code_is_asked_for_after_the_password(client, nurse, clock):
    device = confirmed_device(nurse)

    response = sign_in(client, nurse, next_url=STAFF, follow=True)

    assert response.redirect_chain[-1][0] == f"{TWO_STEP}?next={quote(STAFF, safe='')}"
    assert "Enter your code" in text(response)
    assert not is_verified(client)

    done = client.post(f"{TWO_STEP}?next={STAFF}", {"code": totp_code(device)})

    assert done["Location"] == STAFF
    assert is_verified(client)
    assert client.get(STAFF).status_code == 200


def test_a_wrong_code_is_refused_with_a_plain_message(client, nurse, clock):
    device = confirmed_device(nurse)
    sign_in(client, nurse)
    right = totp_code(device)
    wrong = f"{(int(right) + 1) % 1000000:06d}"

    response = client.post(TWO_STEP, {"code": wrong})

    assert response.status_code == 200
    assert "That code didn&#x27;t work" in text(response)
    assert wrong not in text(response)
    assert not is_verified(client)
    assert client.get(STAFF)["Location"].startswith(TWO_STEP)


def test_after_a_wrong_code_the_next_try_must_wait_a_little(client, nurse, clock):
    device = confirmed_device(nurse)
    sign_in(client, nurse)
    client.post(TWO_STEP, {"code": "000000"})

    response = client.post(TWO_STEP, {"code": totp_code(device)})

    assert "Too many wrong codes. Please wait 1 second," in text(response)
    assert not is_verified(client)
    clock.shift(datetime.timedelta(seconds=2))
    assert client.post(TWO_STEP, {"code": totp_code(device)}).status_code == 302


def test_a_recovery_code_signs_in_once(client, nurse, clock):
    sign_in(client, nurse)
    _, codes = set_up_authenticator(client)
    client.logout()

    sign_in(client, nurse)
    first = client.post(TWO_STEP, {"code": codes[0].upper()}, follow=True)

    assert is_verified(client)
    assert "You used a recovery code" in text(first) and "You have 9 left" in text(first)

    client.logout()
    clock.shift(datetime.timedelta(seconds=10))
    sign_in(client, nurse)
    reused = client.post(TWO_STEP, {"code": codes[0]})

    assert reused.status_code == 200
    assert "That code didn&#x27;t work" in text(reused)
    assert not is_verified(client)
    clock.shift(datetime.timedelta(seconds=2))  # a wrong code makes the next wait a second
    assert client.post(TWO_STEP, {"code": codes[1].replace(" ", "")}).status_code == 302


def test_a_password_alone_cannot_add_a_second_authenticator(client, nurse):
    confirmed_device(nurse)
    sign_in(client, nurse)

    response = client.get(SET_UP)

    assert response.status_code == 302 and response["Location"].startswith(TWO_STEP)
    assert TOTPDevice.objects.filter(user=nurse).count() == 1


@pytest.mark.parametrize("url", [STAFF, "/staff/procedures/", "/admin/", "/admin/procedures/procedure/"])
def test_a_session_without_the_second_step_cannot_reach_staff_pages_or_the_admin(client, superuser, url):
    confirmed_device(superuser)
    sign_in(client, superuser)

    response = client.get(url, follow=True)

    assert response.redirect_chain[-1][0] == f"{TWO_STEP}?next={quote(url, safe='')}"
    assert "Enter your code" in text(response)


@pytest.mark.parametrize("url", [RECOVERY, reverse("password_change")])
def test_account_pages_need_both_steps_too(client, nurse, url):
    assert client.get(url)["Location"].startswith(LOGIN)
    sign_in(client, nurse)
    assert client.get(url)["Location"].startswith(TWO_STEP)


def test_the_code_step_needs_the_password_first(client, db):
    assert client.get(TWO_STEP)["Location"].startswith(LOGIN)
    assert client.get(SET_UP)["Location"].startswith(LOGIN)


def test_after_both_steps_the_admin_opens_for_a_content_admin(client, content_admin):
    device = confirmed_device(content_admin)
    sign_in(client, content_admin, next_url="/admin/")

    response = client.post(f"{TWO_STEP}?next=/admin/", {"code": totp_code(device)}, follow=True)

    assert response.redirect_chain[-1][0] == "/admin/"
    assert response.status_code == 200
    assert "Clinical content" in text(response)


def test_next_may_not_point_to_another_site(client, nurse):
    device = confirmed_device(nurse)
    sign_in(client, nurse)

    response = client.post(f"{TWO_STEP}?next=https://evil.example.org/", {"code": totp_code(device)})

    assert response["Location"] == reverse("home")


# Session ids ----------------------------------------------------------------------------------


def test_a_new_session_id_at_sign_in_and_again_after_the_code(client, nurse):
    device = confirmed_device(nurse)
    client.get(LOGIN)
    session = client.session
    session["something"] = "before sign-in"
    session.save()
    anonymous_key = client.session.session_key

    sign_in(client, nurse)
    after_password = client.session.session_key
    client.post(TWO_STEP, {"code": totp_code(device)})
    after_code = client.session.session_key

    assert len({anonymous_key, after_password, after_code}) == 3


# Idle timeout ----------------------------------------------------------------------------------


def test_idle_staff_are_signed_out_after_15_minutes_and_come_back_after_signing_in(client, nurse, clock):
    client.force_login(nurse)
    assert client.get(STAFF).status_code == 200

    clock.shift(datetime.timedelta(minutes=17))
    response = client.get(f"{STAFF}?q=lopez", follow=True)

    assert goes_to(response.redirect_chain[0][0]) == (LOGIN, f"{STAFF}?q=lopez")
    assert "You were signed out after 15 minutes without activity. Sign in to carry on." in text(response)
    assert SESSION_KEY not in client.session


def test_active_staff_stay_signed_in(client, nurse, clock):
    client.force_login(nurse)
    for _ in range(6):
        clock.shift(datetime.timedelta(minutes=10))
        assert client.get(STAFF).status_code == 200


def test_the_staff_idle_limit_is_a_setting(client, nurse, clock, settings):
    settings.PROCEED_STAFF_IDLE_MINUTES = 60
    client.force_login(nurse)
    client.get(STAFF)

    clock.shift(datetime.timedelta(minutes=50))

    assert client.get(STAFF).status_code == 200


def verify_patient(client, case):
    dob = PATIENT_A["date_of_birth"]
    return client.post(f"{case.url}identity/", {"day": dob.day, "month": dob.month, "year": dob.year})


def test_idle_patients_give_their_date_of_birth_again_and_return_to_their_page(client, case_a, clock):
    verify_patient(client, case_a)
    client.post(f"{case_a.url}about/")
    risks = f"{case_a.url}risks/"
    assert client.get(risks).status_code == 200

    clock.shift(datetime.timedelta(minutes=32))
    response = client.get(risks, follow=True)

    assert response.redirect_chain == [(f"{case_a.url}identity/", 302)]
    assert "please give your date of birth again" in text(response)
    assert "Your answers so far are saved" in text(response)

    back = verify_patient(client, case_a)

    assert back["Location"] == risks


def test_a_patient_post_after_the_timeout_is_not_saved_and_they_return_to_the_page(client, case_a, clock):
    verify_patient(client, case_a)
    client.post(f"{case_a.url}about/")
    risks = f"{case_a.url}risks/"
    keys = {f"ack_{risk['key']}": "on" for risk in case_a.request.content["risks"] if risk["is_material"]}

    clock.shift(datetime.timedelta(minutes=32))
    response = client.post(risks, keys, follow=True)

    assert response.redirect_chain[-1][0] == f"{case_a.url}identity/"
    assert "what you just sent was not" in text(response)
    assert case_a.refresh().progress < 4
    assert verify_patient(client, case_a)["Location"] == risks
    assert client.post(risks, keys)["Location"].endswith("/preparing/")


def test_patients_are_not_timed_out_within_30_minutes(client, case_a, clock):
    verify_patient(client, case_a)
    clock.shift(datetime.timedelta(minutes=28))

    assert client.get(f"{case_a.url}about/").status_code == 200
    assert case_a.refresh().status != Status.LOCKED


# Password change -------------------------------------------------------------------------------


def test_changing_the_password_signs_out_every_other_session(nurse):
    here, elsewhere = StaffClient(), StaffClient()
    here.force_login(nurse)
    elsewhere.force_login(nurse)
    assert elsewhere.get(STAFF).status_code == 200
    new_password = "a brand new long passphrase"

    response = here.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
        follow=True,
    )

    assert "Your password is changed" in text(response)
    assert here.get(STAFF).status_code == 200
    assert elsewhere.get(STAFF)["Location"].startswith(LOGIN)
    nurse.refresh_from_db()
    assert nurse.check_password(new_password)


def test_the_password_page_checks_the_old_password(client, nurse):
    client.force_login(nurse)

    response = client.post(
        reverse("password_change"),
        {"old_password": "not it", "new_password1": "another long phrase", "new_password2": "another long phrase"},
    )

    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in text(response)
    assert "bootstrap.min.css" in text(response)


# Identity check rate limit ---------------------------------------------------------------------


def test_the_identity_check_is_rate_limited_per_address_across_links(client, case_a, case_b):
    # Incomplete dates: refused by the form, so they don't count against either link's five tries.
    for case in [case_a] * 10 + [case_b] * 10:
        assert client.post(f"{case.url}identity/", {"day": "1"}).status_code == 200

    response = client.post(f"{case_a.url}identity/", {"day": "1"})

    assert response.status_code == 429
    assert "Too many attempts from this connection. Please wait 10 minutes, or call the clinic." in text(response)
    assert verify_patient(client, case_a).status_code == 429
    assert case_a.refresh().failed_identity_attempts == 0
    assert verify_patient(StaffClient(REMOTE_ADDR="198.51.100.7"), case_a).status_code == 302


def test_reading_the_identity_page_is_not_rate_limited(client, case_a):
    for _ in range(25):
        assert client.get(f"{case_a.url}identity/").status_code == 200


def test_a_nurse_who_passed_both_steps_is_told_the_admin_is_not_for_them(client, nurse):
    client.force_login(nurse)

    response = client.get("/admin/", follow=True)

    assert response.status_code == 200
    assert "not authorized to access this page" in text(response)


# The demo ---------------------------------------------------------------------------------------


def test_demo_accounts_start_without_an_authenticator_and_the_print_out_says_so(db, settings):
    settings.DEBUG = True
    out = io.StringIO()

    call_command("setup_demo", stdout=out)

    assert "first sign-in shows a QR code" in out.getvalue()
    assert not TOTPDevice.objects.exists()


# Settings ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("PROCEED_STAFF_IDLE_MINUTES", "0", "PROCEED_STAFF_IDLE_MINUTES='0' must be at least 1"),
        ("PROCEED_PATIENT_IDLE_MINUTES", "half an hour", "PROCEED_PATIENT_IDLE_MINUTES='half an hour' is not"),
        ("PROCEED_SIGN_IN_FAILURE_LIMIT", "0", "PROCEED_SIGN_IN_FAILURE_LIMIT='0' must be at least 1"),
    ],
)
def test_bad_sign_in_settings_stop_the_app_with_a_message_naming_the_variable(variable, value, message):
    result = load_settings(DJANGO_DEBUG="1", **{variable: value})

    assert result.returncode != 0
    assert message in result.stderr


def test_sign_in_limits_come_from_the_environment():
    script = (
        "import django; from django.conf import settings; django.setup(); "
        "print(settings.PROCEED_STAFF_IDLE_MINUTES, settings.PROCEED_PATIENT_IDLE_MINUTES, "
        "settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME * 60)"
    )
    environment = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PROCEED_ENV_FILE": "",
        "DJANGO_DEBUG": "1",
        "PROCEED_STAFF_IDLE_MINUTES": "10",
        "PROCEED_PATIENT_IDLE_MINUTES": "45",
        "PROCEED_SIGN_IN_FAILURE_LIMIT": "7",
        "PROCEED_SIGN_IN_LOCKOUT_MINUTES": "30",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )

    assert result.stdout.split() == ["10", "45", "7", "30.0"]
