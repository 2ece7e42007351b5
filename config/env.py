"""Strict readers for environment variables.

A bad value stops the app at start-up with a message that names the variable,
rather than surfacing later as a confusing error (or, worse, as a silently
insecure default).
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a yes/no value. Use one of: 1, 0, true, false, yes, no, on, off."
    )


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be at least {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


REDIS_SCHEMES = ("redis", "rediss", "unix")


def env_redis_cache(name: str, *, key_prefix: str) -> dict | None:
    """Django's RedisCache for the URL in `name` (None when unset), or a start-up error naming it.

    Short socket timeouts: with Redis down, a page that counts in the cache answers at once
    ("try again in a few minutes", config.cache_outage) instead of hanging.
    """
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    try:
        url = urlsplit(raw)
        url.port  # noqa: B018 (parsing the port raises on a bad one)
    except ValueError:
        url = None
    database = url.path.lstrip("/") if url else ""
    if (
        url is None
        or url.scheme not in REDIS_SCHEMES
        or (url.scheme != "unix" and not url.hostname)
        or (url.scheme != "unix" and database and not database.isdigit())
    ):
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a Redis URL. Use redis://host:6379/0 (rediss:// for TLS, "
            "unix:///path/to/redis.sock for a socket); the number at the end is the Redis database."
        )
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": raw,
        "KEY_PREFIX": key_prefix,
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }


S3_ENCRYPTION = ("AES256", "aws:kms", "none")


def env_s3_storage_options() -> dict:
    """consent.storage.PrivateS3Storage's options from PROCEED_S3_*, or a start-up error naming the variable."""
    bucket = os.environ.get("PROCEED_S3_BUCKET", "").strip()
    if not bucket:
        raise ImproperlyConfigured("PROCEED_STORAGE=s3 needs PROCEED_S3_BUCKET: the bucket's name.")
    endpoint = os.environ.get("PROCEED_S3_ENDPOINT_URL", "").strip() or None
    if endpoint and urlsplit(endpoint).scheme not in ("http", "https"):
        raise ImproperlyConfigured(
            f"PROCEED_S3_ENDPOINT_URL={endpoint!r} is not a URL. Use e.g. https://s3.example.org or http://minio:9000."
        )
    encryption = os.environ.get("PROCEED_S3_SSE", "AES256").strip() or "AES256"
    if encryption not in S3_ENCRYPTION:
        raise ImproperlyConfigured(f"PROCEED_S3_SSE={encryption!r} is not one of: {', '.join(S3_ENCRYPTION)}.")
    kms_key = os.environ.get("PROCEED_S3_KMS_KEY_ID", "").strip()
    if encryption == "aws:kms" and not kms_key:
        raise ImproperlyConfigured("PROCEED_S3_SSE=aws:kms needs PROCEED_S3_KMS_KEY_ID: the key's ID or ARN.")
    prefix = os.environ.get("PROCEED_S3_PREFIX", "proceed/").strip().strip("/")
    options = {
        "bucket_name": bucket,
        "endpoint_url": endpoint,
        "region_name": os.environ.get("PROCEED_S3_REGION", "").strip() or None,
        "location": prefix,
        "server_side_encryption": encryption,
        "kms_key_id": kms_key,
        "retention_days": env_int("PROCEED_RECORD_RETENTION_DAYS", 0, minimum=0),
    }
    key_id = os.environ.get("PROCEED_S3_ACCESS_KEY_ID", "").strip()
    secret = os.environ.get("PROCEED_S3_SECRET_ACCESS_KEY", "").strip()
    if bool(key_id) != bool(secret):
        raise ImproperlyConfigured(
            "Set both PROCEED_S3_ACCESS_KEY_ID and PROCEED_S3_SECRET_ACCESS_KEY, or neither (to use the "
            "server's own role)."
        )
    if key_id:
        options |= {"access_key": key_id, "secret_key": secret}
    return options
