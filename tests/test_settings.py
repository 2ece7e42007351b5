"""The settings module, loaded fresh in a subprocess with a controlled environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "q8Zr1Kp0xV3mN7sW2bY5cT9gH4jL6fD1aE8uI0oP3kQ7wR2tS5yU"

SHOW_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({"DEBUG": settings.DEBUG, "ENGINE": db["ENGINE"], "NAME": str(db["NAME"]),
                  "HOST": db.get("HOST", ""), "TIME_ZONE": settings.TIME_ZONE,
                  "ALLOWED_HOSTS": settings.ALLOWED_HOSTS, "CLINIC_NAME": settings.CLINIC_NAME,
                  "EMAIL_BACKEND": settings.EMAIL_BACKEND}))
"""


def load_settings(**environment):
    """Import config.settings in a fresh interpreter with only these variables set."""
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PROCEED_ENV_FILE": "",  # ignore any developer's local .env
        **environment,
    }
    return subprocess.run(
        [sys.executable, "-c", SHOW_SETTINGS], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def loaded(**environment):
    result = load_settings(**environment)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_debug_is_off_unless_set():
    assert loaded(DJANGO_SECRET_KEY=STRONG_KEY)["DEBUG"] is False


def test_debug_can_be_switched_on_for_development_without_a_key():
    assert loaded(DJANGO_DEBUG="1")["DEBUG"] is True


def test_production_refuses_to_start_without_a_secret_key():
    result = load_settings()

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize("weak_key", ["short", "django-insecure-" + "a" * 50, "a" * 60])
def test_production_refuses_a_weak_secret_key(weak_key):
    result = load_settings(DJANGO_SECRET_KEY=weak_key)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is too weak" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DJANGO_DEBUG", "maybe", "DJANGO_DEBUG='maybe' is not a yes/no value"),
        ("TIME_ZONE", "Mars/Olympus", "TIME_ZONE='Mars/Olympus' is not a time zone name"),
        ("DJANGO_EMAIL_PORT", "twenty-five", "DJANGO_EMAIL_PORT='twenty-five' is not a whole number"),
        ("DATABASE_URL", "nonsense://x", "DATABASE_URL is not a database URL"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(variable, value, message):
    result = load_settings(DJANGO_SECRET_KEY=STRONG_KEY, **{variable: value})

    assert result.returncode != 0
    assert message in result.stderr


def test_sqlite_file_is_the_default_database():
    settings = loaded(DJANGO_SECRET_KEY=STRONG_KEY)

    assert settings["ENGINE"] == "django.db.backends.sqlite3"
    assert settings["NAME"] == str(ROOT / "db.sqlite3")


def test_database_url_selects_postgresql():
    settings = loaded(DJANGO_SECRET_KEY=STRONG_KEY, DATABASE_URL="postgres://proceed@db.example.org:5432/proceed")

    assert settings["ENGINE"] == "django.db.backends.postgresql"
    assert (settings["HOST"], settings["NAME"]) == ("db.example.org", "proceed")


def test_environment_configures_hosts_time_zone_clinic_and_email():
    settings = loaded(
        DJANGO_SECRET_KEY=STRONG_KEY,
        DJANGO_ALLOWED_HOSTS="consent.example.org, www.example.org",
        TIME_ZONE="America/New_York",
        PROCEED_CLINIC_NAME="Northside Pain Clinic",
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    )

    assert settings["ALLOWED_HOSTS"] == ["consent.example.org", "www.example.org"]
    assert settings["TIME_ZONE"] == "America/New_York"
    assert settings["CLINIC_NAME"] == "Northside Pain Clinic"
    assert settings["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"


def test_email_goes_to_the_console_by_default():
    assert loaded(DJANGO_SECRET_KEY=STRONG_KEY)["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


def test_local_env_file_fills_in_unset_variables(tmp_path):
    env_file = tmp_path / "local.env"
    env_file.write_text("DJANGO_DEBUG=1\nPROCEED_CLINIC_NAME=From the file\n")

    settings = loaded(PROCEED_ENV_FILE=str(env_file), PROCEED_CLINIC_NAME="From the environment")

    assert settings["DEBUG"] is True
    assert settings["CLINIC_NAME"] == "From the environment"


def test_sqlite_writers_wait_for_each_other_instead_of_failing(tmp_path, django_db_blocker):
    """Several server processes on one SQLite file: the second writer waits for the first.

    Without BEGIN IMMEDIATE, two transactions that each read and then write fail at once with
    "database is locked" (`make bench` showed identity checks failing so under 20 patients).
    """
    import threading
    import time

    from django.conf import settings
    from django.db.utils import ConnectionHandler

    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("SQLite only")
    django_db_blocker.unblock()  # a file of its own, not the test database
    path = str(tmp_path / "shared.sqlite3")
    handler = ConnectionHandler({"default": {**database, "NAME": path, "TEST": {}}})
    first = handler["default"]
    with first.cursor() as cursor:
        cursor.execute("CREATE TABLE counter (n INTEGER)")
        cursor.execute("INSERT INTO counter VALUES (0)")
    errors = []

    def read_then_write():
        # Each thread has its own connection to the file, like a separate server process, and
        # starts its transaction as transaction.atomic() does.
        connection = ConnectionHandler({"default": {**database, "NAME": path, "TEST": {}}})["default"]
        try:
            connection.ensure_connection()
            connection._start_transaction_under_autocommit()
            cursor = connection.cursor()
            cursor.execute("SELECT n FROM counter")
            value = cursor.fetchone()[0]
            time.sleep(0.3)
            cursor.execute("UPDATE counter SET n = %s", [value + 1])
            connection.commit()
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=read_then_write) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    with first.cursor() as cursor:
        cursor.execute("SELECT n FROM counter")
        assert cursor.fetchone()[0] == 2  # neither update was lost
    first.close()
    django_db_blocker.restore()
