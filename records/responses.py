"""One way to hand a PDF to the browser: as a download, with a name that holds no personal data."""

from __future__ import annotations

import io

from django.core.files import File
from django.http import FileResponse


def pdf_response(data: bytes | File, filename: str) -> FileResponse:
    """A PDF (bytes just rendered, or a stored file opened for reading) as an attachment."""
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    return FileResponse(stream, as_attachment=True, filename=filename, content_type="application/pdf")
