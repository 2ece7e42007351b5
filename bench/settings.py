"""Settings for the benchmark deployment: production settings, with only what a loopback bench needs changed.

Everything comes from `config.settings` with DEBUG off (WhiteNoise's compressed manifest
storage, the cached template loader, argon2, axes, ratelimit, CSP, idle timeouts ...).
The differences, each needed because the load runs over plain HTTP on 127.0.0.1:

- The database is the bench's own, BENCH_DATABASE_URL (set by bench/run.py: a SQLite file
  under var/bench/, or a `<name>_bench` database on the DATABASE_URL server), parsed by the
  production settings exactly as DATABASE_URL would be. Never the developer's database.
- Production runs behind a TLS-terminating proxy; the bench talks to gunicorn directly
  over HTTP, as that proxy would. So no redirect to HTTPS, and the cookies are not marked
  Secure (a client keeps a Secure cookie off plain HTTP), hence not `__Host-` prefixed
  either. Cookie attributes cost nothing measurable; every check behind them still runs.
- PROCEED_TRUSTED_PROXY_COUNT=1, as the README tells production behind one proxy: the
  load tool sends each simulated patient's own address in X-Forwarded-For, as the proxy
  would, so the per-address rate limit on dates of birth counts each patient separately
  (20 patients on one real address would otherwise trip it, as they would in production
  behind a NAT).
- ROOT_URLCONF adds one bench-only page, /bench/bare/, a view returning a fixed string,
  as the yardstick of what this server does for a request with no application work.
"""

import os

from django.core.exceptions import ImproperlyConfigured

BENCH_DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "")
if "bench" not in BENCH_DATABASE_URL.rsplit("/", 1)[-1]:
    raise ImproperlyConfigured(
        "bench.settings needs BENCH_DATABASE_URL naming the bench's own database (its name contains 'bench'); "
        "run `make bench`."
    )
os.environ["DATABASE_URL"] = BENCH_DATABASE_URL

from config.settings import *  # noqa: E402, F403
from config.settings import BASE_DIR, LOGGING  # noqa: E402

ROOT_URLCONF = "bench.urls"
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SESSION_COOKIE_NAME = "sessionid"
CSRF_COOKIE_NAME = "csrftoken"
PROCEED_TRUSTED_PROXY_COUNT = 1
STATIC_ROOT = BASE_DIR / "var" / "bench" / "static"
PROCEED_PRIVATE_ROOT = BASE_DIR / "var" / "bench" / "private"
if os.environ.get("BENCH_STATIC_PLAIN"):
    # `make bench-smoke` only: compressing every static file takes longer than the whole smoke run.
    STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}}  # noqa: F405
# Keep the server's console quiet under load: warnings and errors still print.
LOGGING["root"]["level"] = "WARNING"
LOGGING["loggers"]["django"]["level"] = "WARNING"
