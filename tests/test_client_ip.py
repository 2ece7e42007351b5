"""Client addresses behind a reverse proxy: trusted only as far as the proxies we run."""

import pytest
from django.test import RequestFactory

from config.client_ip import client_ip


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "198.51.100.7", "10.0.0.1"),  # no proxy configured: a client's header is ignored
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # the client's own claim (left) is not trusted
        (2, "6.6.6.6, 198.51.100.7, 192.0.2.1", "198.51.100.7"),
        (1, "", "10.0.0.1"),
        (1, "not-an-address", "10.0.0.1"),
        (2, "198.51.100.7", "10.0.0.1"),  # fewer entries than proxies: fall back
    ],
)
def test_the_client_address_comes_from_the_trusted_proxies_only(settings, proxies, forwarded, expected):
    settings.PROCEED_TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected


def test_behind_a_proxy_each_patient_has_their_own_identity_check_limit(client, settings, case_a):
    settings.PROCEED_TRUSTED_PROXY_COUNT = 1
    wrong = {"day": 1, "month": 1, "year": 1990}

    for _ in range(settings.PROCEED_IDENTITY_CHECKS_PER_IP):
        client.post(f"{case_a.url}identity/", wrong, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
        type(case_a.request).objects.filter(pk=case_a.request.pk).update(failed_identity_attempts=0, status="invited")
    limited = client.post(f"{case_a.url}identity/", wrong, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    other_patient = client.post(
        f"{case_a.url}identity/", wrong, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.50"
    )

    assert limited.status_code == 429
    assert other_patient.status_code == 200
