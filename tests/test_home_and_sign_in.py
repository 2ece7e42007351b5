"""The home page, the base template and staff sign-in."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD, totp_code


def test_home_page_says_what_proceed_is_and_sends_patients_to_their_link(client, settings):
    settings.CLINIC_PHONE = "0161 496 0000"

    response = client.get("/")

    assert response.status_code == 200
    text = response.content.decode()
    assert "Getting ready for your procedure" in text
    assert "open the personal link your clinic sent you" in text
    assert "0161 496 0000" in text
    assert reverse("login") in text


def test_pages_use_only_assets_served_by_the_app(client):
    text = client.get("/").content.decode()

    references = re.findall(r'(?:src|href)="([^"]+)"', text)
    assert references, "the page should reference its stylesheets"
    assert not [ref for ref in references if ref.startswith(("http:", "https:", "//"))]
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in references


@pytest.mark.parametrize("asset", ["vendor/bootstrap/css/bootstrap.min.css", "css/proceed.css"])
def test_stylesheets_are_installed_and_served(client, asset):
    assert finders.find(asset), f"{asset} is not installed"

    response = client.get(f"/static/{asset}")

    assert response.status_code == 200


def test_staff_sign_in_page_is_styled_with_the_rest(client):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert b"Staff sign-in" in response.content
    assert b"bootstrap.min.css" in response.content


def test_wrong_password_gets_a_plain_message_and_keeps_the_username(client, nurse):
    response = client.post(reverse("login"), {"username": nurse.username, "password": "wrong"})

    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content
    assert f'value="{nurse.username}"'.encode() in response.content


def test_content_admin_signs_in_and_is_offered_the_content_editor(client, content_admin):
    device = TOTPDevice.objects.create(user=content_admin, name="Phone", confirmed=True)
    client.post(reverse("login"), {"username": content_admin.username, "password": PASSWORD})

    response = client.post(reverse("two_factor"), {"code": totp_code(device)}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("home")
    assert b"Edit procedure content" in response.content


def test_nurse_is_not_offered_the_content_editor(client, nurse):
    client.force_login(nurse)

    assert b"Edit procedure content" not in client.get("/").content


def test_nurse_is_offered_the_patients_requests(client, nurse):
    client.force_login(nurse)

    text = client.get("/").content.decode()

    assert "Patients' requests" in text
    assert reverse("staff:index") in text


def test_content_admin_is_not_offered_the_patients_requests(client, content_admin):
    client.force_login(content_admin)

    assert reverse("staff:index") not in client.get("/").content.decode()
