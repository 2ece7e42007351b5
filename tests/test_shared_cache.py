"""The shared cache (Redis): limits that hold across every server, and a plain page when it is down.

Needs the Redis on 127.0.0.1:6379 (this machine's and CI's); it uses database 14 and a key prefix of its
own, and deletes only its own keys. Without Redis these tests are skipped, except in CI where they fail.
"""

from __future__ import annotations

import os
import uuid

import pytest
import redis
from django.test import Client

REDIS = "redis://127.0.0.1:6379/14"


def redis_cache(prefix: str, location: str = REDIS) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": prefix,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


@pytest.fixture
def shared_cache(settings):
    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip("no Redis on 127.0.0.1:6379")
    prefix = f"proceed-test-{uuid.uuid4().hex[:8]}"
    settings.CACHES = redis_cache(prefix)
    yield prefix
    client = redis.Redis.from_url(REDIS)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


WRONG = {"day": 1, "month": 1, "year": 1990}


def test_the_date_of_birth_limit_counts_every_server_process_together(shared_cache, settings, case_a):
    """Two browsers stand for two app servers: each Django process talks to the same Redis."""
    servers = [Client(), Client()]
    for attempt in range(settings.PROCEED_IDENTITY_CHECKS_PER_IP):
        servers[attempt % 2].post(f"{case_a.url}identity/", WRONG, REMOTE_ADDR="198.51.100.7")
        type(case_a.request).objects.filter(pk=case_a.request.pk).update(failed_identity_attempts=0, status="invited")

    refused = [server.post(f"{case_a.url}identity/", WRONG, REMOTE_ADDR="198.51.100.7") for server in servers]
    another_address = servers[0].post(f"{case_a.url}identity/", WRONG, REMOTE_ADDR="203.0.113.50")

    assert [response.status_code for response in refused] == [429, 429]
    assert another_address.status_code == 200
    keys = list(redis.Redis.from_url(REDIS).scan_iter(f"{shared_cache}:*"))
    assert keys, "the counter is in Redis, under this installation's prefix"


def test_with_redis_down_a_date_of_birth_check_asks_to_try_again_and_nothing_else_breaks(settings, case_a, caplog):
    settings.CACHES = redis_cache("proceed-test-down", location="redis://127.0.0.1:1/0")  # nothing listens there
    client = Client()

    response = client.post(f"{case_a.url}identity/", {"day": 14, "month": 3, "year": 1950})
    welcome = client.get(case_a.url)

    assert response.status_code == 503
    assert response["Retry-After"] == "120"
    page = response.content.decode()
    assert "Please try again in a few minutes" in page and "Nothing you saved before is lost" in page
    assert welcome.status_code == 200  # pages that count nothing keep working
    assert "shared cache could not be reached" in caplog.text
    assert "1950" not in caplog.text  # nothing the patient sent is logged


def test_with_redis_down_staff_sign_in_asks_to_try_again(settings, nurse):
    settings.CACHES = redis_cache("proceed-test-down", location="redis://127.0.0.1:1/0")

    response = Client().post("/accounts/login/", {"username": nurse.username, "password": "wrong"})

    assert response.status_code == 503
    assert "Please try again in a few minutes" in response.content.decode()


def test_healthz_says_whether_the_shared_cache_answers(shared_cache, client, db):
    assert client.get("/healthz").json()["cache"] == "ok"


def test_healthz_reports_redis_down_without_taking_the_server_out_of_the_load_balancer(settings, client, db):
    settings.CACHES = redis_cache("proceed-test-down", location="redis://127.0.0.1:1/0")

    response = client.get("/healthz")

    assert response.status_code == 200  # every page but the ones that count attempts still works
    assert response.json()["cache"] == "error"
