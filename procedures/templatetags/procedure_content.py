"""Filters that turn published content into HTML a patient can read.

Content is plain text: paragraphs separated by a blank line, and lists as lines
starting with "- ". Everything is escaped; nothing an editor types becomes markup.
"""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from procedures.models import SEVERITY_EXPLANATIONS, Severity, describe_frequency

register = template.Library()


@register.filter
def as_paragraphs(text: str) -> str:
    blocks = [block.strip() for block in str(text).split("\n\n") if block.strip()]
    html = []
    for block in blocks:
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if all(line.startswith("- ") for line in lines):
            items = "".join(f"<li>{escape(line[2:].strip())}</li>" for line in lines)
            html.append(f"<ul>{items}</ul>")
        else:
            html.append("<p>" + "<br>".join(escape(line) for line in lines) + "</p>")
    return mark_safe("\n".join(html))  # noqa: S308  every piece of text above is escaped


@register.filter
def frequency_words(risk: dict) -> str:
    return describe_frequency(risk["frequency"], risk.get("frequency_n"), risk.get("frequency_m"))


@register.filter
def severity_words(risk: dict) -> str:
    severity = Severity(risk["severity"])
    return f"{severity.label}: {SEVERITY_EXPLANATIONS[severity]}"
