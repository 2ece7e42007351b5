"""Filters that turn published content into HTML a patient can read.

The formatting subset editors may use (documented in the admin's help texts):
- a blank line starts a new paragraph;
- lines starting with "- " make a bulleted list;
- **double asterisks** make bold text.
Everything else is text: it is escaped, and the HTML made from it is passed
through nh3 with only <p>, <br>, <ul>, <li> and <strong> allowed.
"""

import base64
import datetime
import re

import nh3
from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from procedures.models import PICTURE_EXTENSIONS, PictureFile, describe_frequency, describe_severity

register = template.Library()

ALLOWED_TAGS = {"p", "br", "ul", "li", "strong"}
BOLD = re.compile(r"\*\*(.+?)\*\*")


def _inline(line: str) -> str:
    return BOLD.sub(r"<strong>\1</strong>", escape(line))


@register.filter
def as_paragraphs(text: str) -> str:
    blocks = [block.strip() for block in str(text).split("\n\n") if block.strip()]
    html = []
    for block in blocks:
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if all(line.startswith("- ") for line in lines):
            items = "".join(f"<li>{_inline(line[2:].strip())}</li>" for line in lines)
            html.append(f"<ul>{items}</ul>")
        else:
            html.append("<p>" + "<br>".join(_inline(line) for line in lines) + "</p>")
    # Escaped above already; the whitelist is a second guard on what can reach a page or the PDF.
    return mark_safe(nh3.clean("\n".join(html), tags=ALLOWED_TAGS, attributes={}))  # noqa: S308


@register.filter
def frequency_words(risk: dict) -> str:
    return describe_frequency(risk["frequency"], risk.get("frequency_n"), risk.get("frequency_m"))


@register.filter
def severity_words(risk: dict) -> str:
    return describe_severity(risk["severity"], risk.get("severity_note", ""))


@register.inclusion_tag("includes/content_pictures.html")
def pictures(content: dict, section: str, risk: dict | None = None, for_pdf: bool = False) -> dict:
    """The pictures shown in one section of the information ("what_happens"), or with one risk
    (`{% pictures content "risk" risk=risk %}`), in order; `for_pdf` loads them for the PDF renderer."""
    shown = [
        picture
        for picture in content.get("pictures", [])
        if picture["section"] == section and (risk is None or picture.get("risk") == risk["key"])
    ]
    return {"pictures": shown, "for_pdf": for_pdf}


@register.filter
def picture_url(picture: dict) -> str:
    """Where a browser loads the picture: its SHA-256 names it, so it is cached for good."""
    return reverse("picture", args=[f"{picture['file']}.{PICTURE_EXTENSIONS[picture['content_type']]}"])


@register.filter
def picture_pdf_src(picture: dict) -> str:
    """The picture itself, as a data: URL: a PDF's HTML is made whole before it is rendered, in a
    process that may not reach the database (`records.render_limits`)."""
    file = PictureFile.objects.filter(sha256=picture["file"]).first()
    if file is None:
        return ""  # the renderer then fails the document, rather than leave a picture out silently
    return f"data:{file.content_type};base64,{base64.b64encode(bytes(file.data)).decode()}"


@register.filter
def references(content: dict) -> list[dict]:
    """The sources of the risks' figures, each once, numbered in the order the risks cite them."""
    seen: dict[tuple[str, str], dict] = {}
    for risk in content.get("risks", []):
        if risk.get("source"):
            key = (risk["source"], risk.get("source_url", ""))
            seen.setdefault(key, {"number": len(seen) + 1, "source": key[0], "source_url": key[1]})
    return list(seen.values())


@register.filter
def reference_number(risk: dict, content: dict) -> int | None:
    """The number of this risk's source in `references`."""
    for reference in references(content):
        if (reference["source"], reference["source_url"]) == (risk.get("source"), risk.get("source_url", "")):
            return reference["number"]
    return None


@register.filter
def iso_date(value: str) -> datetime.date | None:
    """A date kept in a snapshot as text (2027-12-01), for Django's date filter."""
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None
