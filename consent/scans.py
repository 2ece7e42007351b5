"""Checking a scan of a paper consent form before it is kept: by its content, never by its name.

A scan is a PDF, a JPEG or a PNG, and nothing else. What it is comes from its bytes: a PDF must start
with `%PDF-` and open in pypdf (not encrypted, with at least one page); a JPEG or PNG must open and
verify in Pillow as the format its first bytes say. A name whose extension says something else (a
picture named `scan.pdf`, a program renamed to `.pdf`) is refused, so a nurse notices they chose the
wrong file. The size is checked first, from the upload's own count, before anything is read.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from PIL import Image
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from consent.services import ConsentError

PDF_MAGIC = b"%PDF-"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"

# What each kind is called, its content type and its stored file's extension.
KINDS = {
    "pdf": ("PDF", "application/pdf", "pdf"),
    "jpeg": ("JPEG picture", "image/jpeg", "jpg"),
    "png": ("PNG picture", "image/png", "png"),
}
# File name extensions and the kind each promises.
EXTENSIONS = {"pdf": "pdf", "jpg": "jpeg", "jpeg": "jpeg", "jpe": "jpeg", "png": "png"}

NOT_A_SCAN = (
    "This file isn't a PDF, JPEG or PNG, so it can't be kept as the scan. "
    "Scan the form again as a PDF (or photograph it as a JPEG or PNG) and choose that file."
)


class ScanRefused(ConsentError):
    """The uploaded file can't be kept as the scan; the message says why and what to do."""


@dataclass(frozen=True)
class CheckedScan:
    data: bytes
    kind: str  # "pdf", "jpeg" or "png"
    content_type: str
    extension: str
    pages: int


def max_bytes() -> int:
    return settings.PROCEED_SCAN_MAX_BYTES


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def check_scan(upload) -> CheckedScan:
    """The upload's bytes with what they are, or `ScanRefused` saying why not.

    `upload` is a Django uploaded file (it has `size`, `name` and `read`); its declared content type
    is ignored (the browser guesses it from the name).
    """
    size = upload.size or 0
    if size == 0:
        raise ScanRefused("The file is empty. Scan the form again and choose the new file.")
    if size > max_bytes():
        raise ScanRefused(
            f"The file is {_megabytes(size)}; the most is {_megabytes(max_bytes())}. "
            "Scan it again at a lower resolution (150 to 300 dpi is plenty) or in black and white, "
            "and choose that file."
        )
    upload.seek(0)
    data = upload.read()
    if not data:
        raise ScanRefused("The file is empty. Scan the form again and choose the new file.")
    kind = _kind_of(data)
    if kind is None:
        raise ScanRefused(NOT_A_SCAN)
    _check_name(upload.name or "", kind)
    pages = _check_pdf(data) if kind == "pdf" else _check_picture(data, kind)
    _label, content_type, extension = KINDS[kind]
    return CheckedScan(data=data, kind=kind, content_type=content_type, extension=extension, pages=pages)


def _kind_of(data: bytes) -> str | None:
    if data.startswith(PDF_MAGIC):
        return "pdf"
    if data.startswith(PNG_MAGIC):
        return "png"
    if data.startswith(JPEG_MAGIC):
        return "jpeg"
    return None


def _check_name(name: str, kind: str) -> None:
    """A name whose extension promises another kind of file than its content is refused."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if not extension:
        return  # a scanner's file with no extension: judged by its content alone
    promised = EXTENSIONS.get(extension)
    if promised != kind:
        raise ScanRefused(
            f"This file is named as a .{extension[:10]} file but it is a {KINDS[kind][0]}. "
            "Check that you chose the right file (its name and its content must agree), and choose it again."
        )


def _check_pdf(data: bytes) -> int:
    """The PDF's page count; refused if it is encrypted, can't be read, or has no pages."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise ScanRefused(
                "This PDF is protected by a password, so it can't be kept as the scan. "
                "Scan the form again without a password and choose that file."
            )
        pages = len(reader.pages)
    except ScanRefused:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError, OSError):
        pages = 0
    if pages < 1:
        raise ScanRefused(
            "This PDF can't be read (it may be damaged or only partly saved). "
            "Scan the form again and choose the new file."
        )
    return pages


def _check_picture(data: bytes, kind: str) -> int:
    """A JPEG or PNG that opens, verifies and decodes as the format its first bytes say; one page."""
    expected = {"jpeg": "JPEG", "png": "PNG"}[kind]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format != expected:
                    raise ScanRefused(NOT_A_SCAN)
                image.verify()
            with Image.open(io.BytesIO(data)) as image:  # verify() leaves the image unusable: open it again
                image.load()
    except ScanRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ScanRefused(
            "This picture has far too many pixels. Take the photo or scan again at a normal resolution "
            "and choose that file."
        ) from None
    except Exception:  # Pillow raises many kinds for a damaged file
        raise ScanRefused(
            f"This {KINDS[kind][0]} can't be opened (it may be damaged or only partly saved). "
            "Scan or photograph the form again and choose the new file."
        ) from None
    return 1
