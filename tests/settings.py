"""Test configuration: production settings plus the speed-ups tests need.

Kept out of config/settings.py so nothing here can leak into production.
"""

import os
import tempfile

# Tests run without a developer's .env and with a fixed key, so they behave the
# same on every machine and in CI.
os.environ["PROCEED_ENV_FILE"] = ""
os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-" + "k" * 20 + "-not-a-real-secret-" + "x" * 20)

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = tempfile.mkdtemp(prefix="proceed-test-media-")
SECURE_SSL_REDIRECT = False
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# PDFs render at once, in the process that signed (production's default is the worker's queue;
# the topology test, tests/topology/, runs that).
PROCEED_TASK_BACKEND = "immediate"
TASKS = {"default": {"BACKEND": TASK_BACKENDS[PROCEED_TASK_BACKEND]}}  # noqa: F405
# Serve static files straight from the apps and packages, as in development.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Signed PDFs: records in a temporary private folder, sealed with a throwaway self-signed
# pair made once per test run (as `make_dev_signing_certificate` makes one). Both are
# passed on in the environment, so a child process that renders a PDF seals and stores
# it exactly as the test process does.
from records.seal import DEV_CERT_NAME, DEV_KEY_NAME, write_signing_pair  # noqa: E402

if not os.environ.get("PROCEED_TEST_SIGNING_DIR"):
    _signing_dir = tempfile.mkdtemp(prefix="proceed-test-signing-")
    write_signing_pair(_signing_dir, common_name=f"{CLINIC_NAME} (tests)", organization=CLINIC_NAME)  # noqa: F405
    os.environ["PROCEED_TEST_SIGNING_DIR"] = _signing_dir
    os.environ["PROCEED_TEST_PRIVATE_ROOT"] = tempfile.mkdtemp(prefix="proceed-test-private-")
PROCEED_PRIVATE_ROOT = os.environ["PROCEED_TEST_PRIVATE_ROOT"]
PROCEED_SIGNING_KEY = os.path.join(os.environ["PROCEED_TEST_SIGNING_DIR"], DEV_KEY_NAME)
PROCEED_SIGNING_CERT = os.path.join(os.environ["PROCEED_TEST_SIGNING_DIR"], DEV_CERT_NAME)
PROCEED_SIGNING_KEY_PASSWORD = ""
