"""Logging helpers: keep patients' link tokens out of every log line."""

from __future__ import annotations

import logging
import re

TOKEN_IN_PATH = re.compile(r"/c/[A-Za-z0-9_-]{16,}")


def redact(text: str) -> str:
    return TOKEN_IN_PATH.sub("/c/<token>", text)


class RedactPatientLinks(logging.Filter):
    """Replace /c/<token> in a record's message and arguments.

    Django logs the path of every 404 and every request the development server
    answers; a token is a key to a patient's case, so it must never be written.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: redact(v) if isinstance(v, str) else v for key, v in record.args.items()}
        if record.exc_info and not record.exc_text:
            # Formatters write the exception text as it is; format it now, redacted, so they use that.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            # Formatters of other handlers may read record.request.path; give them a safe copy.
            record.request_path = redact(request.path)
        return True
