"""Filters that turn published content into HTML a patient can read.

The formatting subset editors may use (documented in the admin's help texts):
- a blank line starts a new paragraph;
- lines starting with "- " make a bulleted list;
- **double asterisks** make bold text.
Everything else is text: it is escaped, and the HTML made from it is passed
through nh3 with only <p>, <br>, <ul>, <li> and <strong> allowed.
"""

import re

import nh3
from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from procedures.models import SEVERITY_EXPLANATIONS, Severity, describe_frequency

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
    severity = Severity(risk["severity"])
    return f"{severity.label}: {SEVERITY_EXPLANATIONS[severity]}"
