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
# Serve static files straight from the apps and packages, as in development.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
