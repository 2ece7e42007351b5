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
                  "EMAIL_BACKEND": settings.EMAIL_BACKEND, "CACHES": settings.CACHES,
                  "PRIVATE_STORAGE": settings.STORAGES["private"], "TASKS": settings.TASKS}))
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
        ("REDIS_URL", "127.0.0.1:6379", "REDIS_URL='127.0.0.1:6379' is not a Redis URL"),
        ("REDIS_URL", "redis://:6379/0", "REDIS_URL='redis://:6379/0' is not a Redis URL"),
        ("REDIS_URL", "redis://cache:port/0", "REDIS_URL='redis://cache:port/0' is not a Redis URL"),
        ("REDIS_URL", "redis://cache:6379/zero", "REDIS_URL='redis://cache:6379/zero' is not a Redis URL"),
        ("PROCEED_TASK_BACKEND", "celery", "PROCEED_TASK_BACKEND='celery' is not a task backend"),
        ("PROCEED_STORAGE", "nfs", "PROCEED_STORAGE='nfs' is not a storage. Use local or s3."),
        ("PROCEED_STORAGE", "s3", "PROCEED_STORAGE=s3 needs PROCEED_S3_BUCKET"),
        ("PROCEED_RECORD_RETENTION_DAYS", "-1", "PROCEED_RECORD_RETENTION_DAYS='-1' must be at least 0"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(variable, value, message):
    result = load_settings(DJANGO_SECRET_KEY=STRONG_KEY, **{variable: value})

    assert result.returncode != 0
    assert message in result.stderr


S3 = {"PROCEED_STORAGE": "s3", "PROCEED_S3_BUCKET": "records"}


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"PROCEED_S3_ENDPOINT_URL": "minio:9000"}, "PROCEED_S3_ENDPOINT_URL='minio:9000' is not a URL"),
        ({"PROCEED_S3_SSE": "yes"}, "PROCEED_S3_SSE='yes' is not one of: AES256, aws:kms, none"),
        ({"PROCEED_S3_SSE": "aws:kms"}, "PROCEED_S3_SSE=aws:kms needs PROCEED_S3_KMS_KEY_ID"),
        ({"PROCEED_S3_ACCESS_KEY_ID": "AKIA123"}, "Set both PROCEED_S3_ACCESS_KEY_ID and PROCEED_S3_SECRET_ACCESS_KEY"),
    ],
)
def test_bad_object_storage_settings_stop_start_up_naming_the_variable(environment, message):
    result = load_settings(DJANGO_SECRET_KEY=STRONG_KEY, **S3, **environment)

    assert result.returncode != 0
    assert message in result.stderr


def test_the_shared_cache_object_storage_and_worker_come_from_the_environment():
    settings = loaded(
        DJANGO_SECRET_KEY=STRONG_KEY,
        REDIS_URL="rediss://cache.example.org:6380/2",
        PROCEED_CACHE_KEY_PREFIX="hospital-a",
        **S3,
        PROCEED_S3_ENDPOINT_URL="https://objects.example.org",
        PROCEED_S3_REGION="eu-west-2",
        PROCEED_S3_SSE="aws:kms",
        PROCEED_S3_KMS_KEY_ID="key-1",
        PROCEED_RECORD_RETENTION_DAYS="3650",
    )

    cache = settings["CACHES"]["default"]
    assert cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert (cache["LOCATION"], cache["KEY_PREFIX"]) == ("rediss://cache.example.org:6380/2", "hospital-a")
    storage = settings["PRIVATE_STORAGE"]
    assert storage["BACKEND"] == "consent.storage.PrivateS3Storage"
    assert storage["OPTIONS"] | {} == {
        "bucket_name": "records",
        "endpoint_url": "https://objects.example.org",
        "region_name": "eu-west-2",
        "location": "proceed",
        "server_side_encryption": "aws:kms",
        "kms_key_id": "key-1",
        "retention_days": 3650,
    }
    assert settings["TASKS"]["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"  # never in the request


def test_make_run_keeps_a_memory_cache_a_folder_and_rendering_at_once():
    settings = loaded(DJANGO_DEBUG="1")

    assert settings["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert settings["PRIVATE_STORAGE"]["BACKEND"] == "consent.storage.PrivateFileSystemStorage"
    assert settings["TASKS"]["default"]["BACKEND"] == "django_tasks.backends.immediate.ImmediateBackend"


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
