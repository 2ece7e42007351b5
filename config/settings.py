"""Proceed's one settings module, driven by environment variables.

Every variable is listed in the README's configuration table. With nothing set,
the app runs on a local SQLite file with DEBUG off; `make run` switches DEBUG on
for the local demo.
"""

from __future__ import annotations

import zoneinfo
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv
from xstatic.pkg import bootstrap as xstatic_bootstrap

from config.env import env_bool, env_int, env_list, env_redis_cache, env_s3_storage_options, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

# A local, git-ignored .env (written by `make` for development) fills in what the
# real environment leaves unset. PROCEED_ENV_FILE names another file; empty: none.
ENV_FILE = env_str("PROCEED_ENV_FILE", str(BASE_DIR / ".env"))
if ENV_FILE:
    load_dotenv(ENV_FILE, override=False)

DEBUG = env_bool("DJANGO_DEBUG", default=False)

# Used only when DEBUG is on and no key is given: a local demo needs no set-up,
# while production (DEBUG off) refuses to start without a real key.
DEVELOPMENT_SECRET_KEY = "development-only-insecure-key-never-use-in-production"  # noqa: S105
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Production needs a long random secret key: "
            "generate one with `python -c 'import secrets; print(secrets.token_urlsafe(50))'` "
            "and set DJANGO_SECRET_KEY, or set DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = DEVELOPMENT_SECRET_KEY
elif not DEBUG and (
    len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 5
    or SECRET_KEY.startswith("django-insecure")
    or SECRET_KEY == DEVELOPMENT_SECRET_KEY
):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is too weak for production: use at least 50 random characters, "
        "e.g. from `python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
    )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "config.apps.ProceedAdminConfig",  # django.contrib.admin, its site requiring two-step sign-in
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "django_tasks",
    "django_tasks_db",
    # The domain: clinical content, then consent (its models, status rules and services).
    "procedures",
    "consent",
    # The sealed records (PDFs, the seal, rendering tasks, /verify/), then one app per audience.
    "records",
    "accounts",
    "journey",
    "staff",
    "editor",
    # Other systems (an EHR): OAuth 2.0 clients (client credentials only), the scheduling API, signed
    # event webhooks.
    "oauth2_provider",
    "integrations",
    "demo",  # the demo accounts and requests of `make run` (management commands only)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.security.PrivateResponseMiddleware",  # no-store on all but static files; no-referrer on /c/
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "config.security.PatientLinkCsrfViewMiddleware",  # Django's, allowing the patient pages' no-referrer posts
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "config.idle_timeout.IdleTimeoutMiddleware",  # idle staff signed out, idle patients re-checked
    "config.cache_outage.SharedCacheOutageMiddleware",  # Redis down: "try again in a few minutes", not a 500
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into its lockout response.
    "axes.middleware.AxesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.clinic",
            ],
        },
    },
]

# SQLite file by default so a fresh clone runs at once; PostgreSQL (psycopg 3)
# in production and CI through DATABASE_URL, e.g.
# postgres://proceed:secret@db.example.org:5432/proceed
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
try:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0))
    }
except ValueError as error:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL Proceed understands: {error}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several server processes on one SQLite file: a transaction that reads and then writes
    # (every identity check and journey step) would fail at once with "database is locked"
    # when another process wrote meanwhile. IMMEDIATE takes the write lock when the
    # transaction starts, so writers queue (up to `timeout` seconds) instead; WAL lets
    # readers carry on while one process writes. Found by `make bench` (docs/performance.md).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # django-axes first, so a locked-out account is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# English is the default everywhere (staff pages, emails to staff, the admin). A patient's pages,
# emails and consent record are in the language stored on their consent request: the journey
# activates it itself (journey.views.patient_page); there is no language in any URL.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/London")
if TIME_ZONE not in zoneinfo.available_timezones():
    raise ImproperlyConfigured(
        f"TIME_ZONE={TIME_ZONE!r} is not a time zone name, e.g. Europe/London or America/New_York."
    )
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Bootstrap as installed from PyPI (XStatic-Bootstrap), served under /static/vendor/bootstrap/.
    ("vendor/bootstrap", xstatic_bootstrap.BASE_DIR),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "media/"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Shown to patients on every page and on the PDF, so they know whom to call.
CLINIC_NAME = env_str("PROCEED_CLINIC_NAME", "Riverside Spine Clinic")
CLINIC_PHONE = env_str("PROCEED_CLINIC_PHONE", "(555) 010-0100")
CLINIC_EMAIL = env_str("PROCEED_CLINIC_EMAIL", "spine.clinic@example.org")
# When to call which, shown beside every procedure's warning signs and in the PDFs: the emergency
# number for an emergency, the clinic in office hours, the out-of-hours line at night and weekends.
# The defaults are the demo's (the sample content is American English); set them for your clinic.
EMERGENCY_NUMBER = env_str("PROCEED_EMERGENCY_NUMBER", "911")
OUT_OF_HOURS_PHONE = env_str("PROCEED_OUT_OF_HOURS_PHONE", "(555) 010-0199")

# Patient links: where they point, and how long after the appointment they keep working
# (so the patient can still download their record on the day).
PROCEED_BASE_URL = env_str("PROCEED_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
PROCEED_LINK_HOURS_AFTER_APPOINTMENT = env_int("PROCEED_LINK_HOURS_AFTER_APPOINTMENT", 24, minimum=0)
# Consent is confirmed with the patient on the appointment's day (clinic time); this many days
# before it too, for a clinic that confirms at a pre-admission visit (0: on the day only).
PROCEED_CONFIRM_DAYS_BEFORE = env_int("PROCEED_CONFIRM_DAYS_BEFORE", 0, minimum=0)
# The largest scan of a paper consent form a nurse may upload (PDF, JPEG or PNG), in bytes. A larger
# one is refused, by its size, before it is read into memory.
PROCEED_SCAN_MAX_BYTES = env_int("PROCEED_SCAN_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)
# Whether the nurse's day-of confirmation waits for the clinician's countersignature (the statement of
# the health professional) of a consent the patient e-signed. Off: the countersignature is shown and
# flagged, but nothing waits for it.
PROCEED_REQUIRE_COUNTERSIGNATURE = env_bool("PROCEED_REQUIRE_COUNTERSIGNATURE", default=False)

# Webhooks (integrations/webhooks.py): an endpoint must be https on a public address (server-side
# request forgery); on, http and private or loopback addresses are allowed too (tests, a receiver on
# the clinic's own network). Each send waits this long to connect, then this long for the answer.
PROCEED_WEBHOOKS_ALLOW_PRIVATE = env_bool("PROCEED_WEBHOOKS_ALLOW_PRIVATE", default=False)
PROCEED_WEBHOOKS_CONNECT_TIMEOUT_SECONDS = 5
PROCEED_WEBHOOKS_READ_TIMEOUT_SECONDS = 10

EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", f"{CLINIC_NAME} <noreply@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Behind a TLS-terminating proxy in production; see the README's deployment notes.
if env_bool("DJANGO_BEHIND_HTTPS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Nothing personal is ever passed to a logger: log object ids and event names only.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_patient_links": {"()": "config.logging.RedactPatientLinks"}},
    "formatters": {"plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_patient_links"]}
    },
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # Replace Django's default handlers, which would print request paths without our filter.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Background tasks and rendering limits
# The signed PDF is rendered by a background task (django-tasks). "immediate" (the
# default with DJANGO_DEBUG, for `make run` and tests) runs it at once in the process that
# signed; "database" (the default otherwise) queues it in the database for
# `manage.py proceed_worker` (`make worker`), which may run on several servers at once. A failed
# render is retried by the task itself (records/tasks.py), a render a killed worker left is queued
# again by the workers' sweep (records/worker.py), and `manage.py render_pending_documents`
# renders anything left.
TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
# Without DJANGO_DEBUG the default is "database": a patient's signing request never renders the PDF.
PROCEED_TASK_BACKEND = env_str("PROCEED_TASK_BACKEND", "immediate" if DEBUG else "database").strip().lower()
if PROCEED_TASK_BACKEND not in TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"PROCEED_TASK_BACKEND={PROCEED_TASK_BACKEND!r} is not a task backend. Use one of: {', '.join(TASK_BACKENDS)}."
    )
TASKS = {"default": {"BACKEND": TASK_BACKENDS[PROCEED_TASK_BACKEND]}}
# Each render runs in a child process that is killed after this many seconds, and may use
# at most this many MB of memory beyond what it starts with (WeasyPrint can loop on hostile CSS).
PROCEED_RENDER_TIMEOUT_SECONDS = env_int("PROCEED_RENDER_TIMEOUT_SECONDS", 60, minimum=1)
PROCEED_RENDER_MEMORY_MB = env_int("PROCEED_RENDER_MEMORY_MB", 1024, minimum=64)
# Load balancers probe /healthz over plain HTTP: answer rather than redirect to HTTPS.
SECURE_REDIRECT_EXEMPT = [*globals().get("SECURE_REDIRECT_EXEMPT", []), r"^healthz$"]

# Security headers and cookies
# Content-Security-Policy (django-csp 4): everything from our own origin, no inline
# script or style anywhere (templates load static files only), images also as data:
# URLs (the drawn signature is a PNG data URL; Bootstrap's form icons are data: SVGs).
# The directives are written out rather than imported from csp.constants so this
# section needs no import.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
    },
}
# Patient pages (/c/) send no Referer at all (config.security); everywhere else only to ourselves.
SECURE_REFERRER_POLICY = "same-origin"
# HSTS "preload" has effect only on a registrable domain submitted to hstspreload.org;
# served from a clinic's subdomain (consent.example.org) it changes nothing, so it is on
# by default. Turn it off if the site is on an apex domain you don't want preloaded.
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=not DEBUG)
# Lax, not Strict: a Strict session cookie is not sent when a patient opens their link
# from a webmail page (or a nurse follows a link to a case), so that first page would
# start a new, empty session and replace the cookie, losing the patient's identity check
# and signing the nurse out. Lax still keeps both cookies off every cross-site POST.
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Forms carry the CSRF token ({% csrf_token %}); no script reads the cookie.
CSRF_COOKIE_HTTPONLY = True
# With secure cookies, the __Host- prefix makes browsers accept the cookie only over HTTPS,
# for this exact host and path "/": a man-in-the-middle on plain HTTP, or a sibling
# subdomain, can't plant or overwrite one. Proceed sets no cookie domain or path.
if SESSION_COOKIE_SECURE:
    SESSION_COOKIE_NAME = "__Host-sessionid"
if CSRF_COOKIE_SECURE:
    CSRF_COOKIE_NAME = "__Host-csrftoken"
# Django's deploy check W003 looks for its own CSRF middleware by name, and so misses
# our subclass of it (config.security.PatientLinkCsrfViewMiddleware); that also skips
# W016 (CSRF cookie not secure), which tests/test_security_headers.py checks instead.
SILENCED_SYSTEM_CHECKS = [*globals().get("SILENCED_SYSTEM_CHECKS", []), "security.W003"]

# Signed PDFs ---------------------------------------------------------------------------
# Consent records are PDF/A-3b sealed with the clinic's certificate (PAdES) and kept
# outside any public folder, in the "private" storage: files of mode 0600 that no URL
# serves (consent.storage). Paths default to var/ in the project, which git ignores;
# `make run` puts a self-signed development pair in var/signing/.
PROCEED_PRIVATE_ROOT = Path(env_str("PROCEED_PRIVATE_ROOT") or BASE_DIR / "var" / "private")
# PROCEED_STORAGE=s3 keeps them in S3-compatible object storage instead, which every server of a
# deployment reaches (consent.storage.PrivateS3Storage): encrypted, never overwritten, and with
# PROCEED_RECORD_RETENTION_DAYS on a bucket with Object Lock, undeletable until then.
PROCEED_STORAGE = env_str("PROCEED_STORAGE", "local").strip().lower()
PROCEED_RECORD_RETENTION_DAYS = env_int("PROCEED_RECORD_RETENTION_DAYS", 0, minimum=0)
if PROCEED_STORAGE == "local":
    STORAGES["private"] = {"BACKEND": "consent.storage.PrivateFileSystemStorage"}
elif PROCEED_STORAGE == "s3":
    STORAGES["private"] = {"BACKEND": "consent.storage.PrivateS3Storage", "OPTIONS": env_s3_storage_options()}
else:
    raise ImproperlyConfigured(f"PROCEED_STORAGE={PROCEED_STORAGE!r} is not a storage. Use local or s3.")
PROCEED_SIGNING_KEY = Path(env_str("PROCEED_SIGNING_KEY") or BASE_DIR / "var" / "signing" / "seal-key.pem")
PROCEED_SIGNING_CERT = Path(env_str("PROCEED_SIGNING_CERT") or BASE_DIR / "var" / "signing" / "seal-cert.pem")
# Only if the key file is encrypted; better kept in the environment than in a file.
PROCEED_SIGNING_KEY_PASSWORD = env_str("PROCEED_SIGNING_KEY_PASSWORD")

# Staff authentication ------------------------------------------------------------------
# Staff sign in with a password (hashed with argon2, PASSWORD_HASHERS above) and then a code
# from an authenticator app (TOTP, django-otp), set up at their first sign-in together with
# ten single-use recovery codes. Until both steps are done, staff pages and the admin send
# the session to the code step (accounts.access, config.admin_site). Pages: accounts.views.
#
# Lockout (django-axes): this many wrong passwords for one username from one address lock
# that pair for this many minutes. A correct password then does not get in either.
PROCEED_SIGN_IN_FAILURE_LIMIT = env_int("PROCEED_SIGN_IN_FAILURE_LIMIT", 5, minimum=1)
PROCEED_SIGN_IN_LOCKOUT_MINUTES = env_int("PROCEED_SIGN_IN_LOCKOUT_MINUTES", 15, minimum=1)
AXES_FAILURE_LIMIT = PROCEED_SIGN_IN_FAILURE_LIMIT
AXES_COOLOFF_TIME = PROCEED_SIGN_IN_LOCKOUT_MINUTES / 60  # axes reads a float as hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
# Rate limits per client address (django-ratelimit), counted in the default cache: Redis when
# REDIS_URL is set, shared by every process on every server; otherwise this process's memory,
# which is right for `make run` but counts separately in each worker (`check --deploy` warns).
# Sessions stay in the database, so a Redis outage signs no one out (config.cache_outage).
PROCEED_CACHE_KEY_PREFIX = env_str("PROCEED_CACHE_KEY_PREFIX", "proceed")
REDIS_URL = env_str("REDIS_URL").strip()
CACHES = {
    "default": env_redis_cache("REDIS_URL", key_prefix=PROCEED_CACHE_KEY_PREFIX)
    or {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
PROCEED_RATE_LIMIT_MINUTES = 10
# Dates of birth tried on patients' links, across all links, per address.
PROCEED_IDENTITY_CHECKS_PER_IP = env_int("PROCEED_IDENTITY_CHECKS_PER_IP", 20, minimum=1)
# Failed staff sign-ins per address, across all usernames (a clinic may share one address).
PROCEED_SIGN_IN_FAILURES_PER_IP = env_int("PROCEED_SIGN_IN_FAILURES_PER_IP", 30, minimum=1)
# Idle sessions (config.idle_timeout): staff are signed out; patients give their date of birth again.
PROCEED_STAFF_IDLE_MINUTES = env_int("PROCEED_STAFF_IDLE_MINUTES", 15, minimum=1)
PROCEED_PATIENT_IDLE_MINUTES = env_int("PROCEED_PATIENT_IDLE_MINUTES", 30, minimum=1)
# How Proceed is named in the authenticator app.
OTP_TOTP_ISSUER = "Proceed"  # short, so the QR code stays easy to scan
# The admin's device pages never show a device's secret key.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# The integration API (integrations/): OAuth 2.0 client credentials through django-oauth-toolkit.
# Access tokens are short-lived (no refresh tokens: a client asks for a new one); client secrets
# are stored hashed; each client is granted only its own allowed scopes (integrations.oauth).
PROCEED_API_TOKEN_SECONDS = env_int("PROCEED_API_TOKEN_SECONDS", 600, minimum=60)
PROCEED_API_RATE_LIMIT = env_int("PROCEED_API_RATE_LIMIT", 120, minimum=1)  # per client per minute, by default
OAUTH2_PROVIDER = {
    "SCOPES": {
        "fhir.read": "Read patients, consents and documents (FHIR R4)",
        "requests.write": "Create, move and cancel consent requests",
        "webhooks": "Manage webhook endpoints",
    },
    "ACCESS_TOKEN_EXPIRE_SECONDS": PROCEED_API_TOKEN_SECONDS,
    "OAUTH2_VALIDATOR_CLASS": "integrations.oauth.ClientCredentialsValidator",
    # RFC 9700 (the OAuth 2.0 Security BCP), ahead of DOT 4.0's defaults: no implicit or password
    # grant, no plain PKCE, tokens only in the Authorization header, `iss` in responses, tokens stored
    # hashed, refresh-token replay revokes the family, https redirect URIs only (Proceed uses none).
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
}
# DOT's own models (named so that a migration pointing at them resolves).
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"

# Client addresses behind a reverse proxy (see config/client_ip.py): how many proxies
# in front of the app append to X-Forwarded-For. 0: no proxy, use the connection's address.
PROCEED_TRUSTED_PROXY_COUNT = env_int("PROCEED_TRUSTED_PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_ip"
