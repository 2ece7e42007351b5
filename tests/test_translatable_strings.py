"""Every user-facing word in a template goes through Django's translation machinery.

For each template in the directories below, the template is split with Django's own Lexer.
Text outside {% translate %} / {% blocktranslate %} is put back together (with every other
tag and variable replaced by a placeholder) and read as HTML: any text a person would see, and
any human-readable attribute (aria-label, title, alt, placeholder, the label of a submit
button), must not contain words. Literal English passed to `|default:"..."` or to
`{% qr_svg %}` is caught too.

To cover more templates (for example the patient journey after the merge), add their
directories to TRANSLATED_TEMPLATE_DIRS or single files to TRANSLATED_TEMPLATE_FILES.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType

TEMPLATES_ROOT = Path(settings.BASE_DIR) / "templates"

# Directories (relative to templates/) whose every template must be fully translatable.
TRANSLATED_TEMPLATE_DIRS = (
    "staff",
    "account",
    "verify",
    "admin",
    "registration",
    "includes",
    "procedures",
    "consent",
)
# Single templates outside those directories.
TRANSLATED_TEMPLATE_FILES = (
    "pdf/checklist.html",
    "500.html",
    "403_csrf.html",
    "home.html",
    "base.html",
    "pdf/consent.html",
    "pdf/information.html",
)

TEMPLATE_SUFFIXES = {".html", ".txt"}  # .txt: plain-text e-mails are read the same way
# Blocks whose content is a CSS class name or similar, never shown to a person.
NON_TEXT_BLOCKS = {"body_class"}
HUMAN_ATTRIBUTES = {"aria-label", "aria-description", "aria-roledescription", "title", "alt", "placeholder"}
BUTTON_INPUT_TYPES = {"submit", "button", "reset"}
PLACEHOLDER = "\ue000"  # a private-use character: not a letter, so it never looks like a word
LETTER = re.compile(r"[^\W\d_]")
EDGE_PLACEHOLDERS = re.compile(r"^(\{…\} ?)+|( ?\{…\})+$")
LITERAL_DEFAULT = re.compile(r"""\|default(?:_if_none)?:(["'])(?P<text>.*?)\1""")
LITERAL_TAG_ARGUMENT = re.compile(r"""^qr_svg\s.*?(["'])(?P<text>.*?)\1""")
# Text handed to an included template (`{% include ... with label="..." %}`); class names are not text.
LITERAL_TEXT_KEYWORD = re.compile(r"""\b(?:label|title|text|heading|message|hint)=(["'])(?P<text>.*?)\1""")


def owned_templates() -> list[Path]:
    paths = [TEMPLATES_ROOT / name for name in TRANSLATED_TEMPLATE_FILES]
    for directory in TRANSLATED_TEMPLATE_DIRS:
        paths.extend(
            sorted(path for path in (TEMPLATES_ROOT / directory).rglob("*") if path.suffix in TEMPLATE_SUFFIXES)
        )
    return paths


def has_words(text: str) -> bool:
    return bool(LETTER.search(text))


def readable(text: str) -> str:
    """The text as a report shows it: other tags and variables as {…}."""
    return EDGE_PLACEHOLDERS.sub("", " ".join(text.replace(PLACEHOLDER, " {…} ").split()))


class _VisibleText(HTMLParser):
    """Collects the text and human-readable attribute values a person would see or hear."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._skip_depth = 0  # inside <script> or <style>

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in {"script", "style"}:
            self._skip_depth += 1
        for name, value in attrs:
            if name in HUMAN_ATTRIBUTES and value and has_words(value):
                self.problems.append(f"{name}={readable(value)!r} on <{tag}>")
        is_button_input = tag == "input" and (attributes.get("type") or "").lower() in BUTTON_INPUT_TYPES
        value = attributes.get("value")
        if is_button_input and value and has_words(value):
            self.problems.append(f"value={readable(value)!r} on a submit button")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in {"script", "style"}:
            self._skip_depth -= 1

    def handle_endtag(self, tag):
        if tag in {"script", "style"} and self._skip_depth:
            self._skip_depth -= 1

    def handle_data(self, data):
        if not self._skip_depth and has_words(data):
            self.problems.append(f"text {readable(data)!r}")


def untranslated_strings(source: str) -> list[str]:
    """What in this template source a person would read that does not go through translation."""
    skeleton: list[str] = []
    problems: list[str] = []
    open_blocks: list[str] = []  # names of the {% block %} tags we are inside
    in_blocktranslate = in_comment = False
    for token in Lexer(source).tokenize():
        content = token.contents
        if token.token_type == TokenType.COMMENT:
            continue
        if token.token_type == TokenType.TEXT:
            skipped = in_blocktranslate or in_comment or NON_TEXT_BLOCKS.intersection(open_blocks)
            skeleton.append(PLACEHOLDER if skipped else content)
            continue
        name, *arguments = content.split() or [""]
        if token.token_type == TokenType.BLOCK:
            if name in {"blocktranslate", "blocktrans"}:
                in_blocktranslate = True
            elif name in {"endblocktranslate", "endblocktrans"}:
                in_blocktranslate = False
            elif name in {"comment", "endcomment"}:
                in_comment = name == "comment"
            elif name == "block":
                open_blocks.append(arguments[0])
            elif name == "endblock" and open_blocks:
                open_blocks.pop()
            match = LITERAL_TAG_ARGUMENT.match(content)
            if match and has_words(match.group("text")):
                problems.append(f"literal tag argument {match.group('text')!r}")
            for match in LITERAL_TEXT_KEYWORD.finditer(content):
                if has_words(match.group("text")):
                    problems.append(f"literal tag argument {match.group('text')!r}")
        for match in LITERAL_DEFAULT.finditer(content):
            if has_words(match.group("text")):
                problems.append(f"literal default {match.group('text')!r}")
        skeleton.append(PLACEHOLDER)
    parser = _VisibleText()
    parser.feed("".join(skeleton))
    parser.close()
    return problems + parser.problems


@pytest.mark.parametrize("path", owned_templates(), ids=lambda path: str(path.relative_to(TEMPLATES_ROOT)))
def test_every_user_facing_string_in_the_template_is_translatable(path):
    assert untranslated_strings(path.read_text(encoding="utf-8")) == []


def test_the_template_list_is_not_empty_and_covers_the_staff_pages():
    names = {str(path.relative_to(TEMPLATES_ROOT)) for path in owned_templates()}
    assert {"staff/index.html", "account/second_step.html", "verify/verify.html", "pdf/checklist.html"} <= names
    assert all(path.is_file() for path in owned_templates())


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<p>Sign out</p>", ["text 'Sign out'"]),
        ("{% block title %}Appointments{% endblock %}", ["text 'Appointments'"]),
        ("{% block body_class %}wide{% endblock %}{% block content %}Welcome{% endblock %}", ["text 'Welcome'"]),
        ("{% comment %}Note{% endcomment %}<h1>Welcome</h1>", ["text 'Welcome'"]),
        ("<p>{{ count }} appointment{{ count|pluralize }}</p>", ["text 'appointment'"]),
        ('<nav aria-label="Staff"></nav>', ["aria-label='Staff' on <nav>"]),
        ('<img src="x.png" alt="Clinic logo">', ["alt='Clinic logo' on <img>"]),
        ('<input type="submit" value="Publish version {{ n }}">', ["value='Publish version' on a submit button"]),
        ('<input name="q" placeholder="Search">', ["placeholder='Search' on <input>"]),
        ('<b>{{ answer|default:"Not answered yet" }}</b>', ["literal default 'Not answered yet'"]),
        ('{% qr_svg link "QR code of your link" %}', ["literal tag argument 'QR code of your link'"]),
        (
            '{% include "x.html" with label="Withdraw my consent" class="btn disabled" %}',
            ["literal tag argument 'Withdraw my consent'"],
        ),
    ],
)
def test_the_check_reports_english_that_skips_translation(source, expected):
    assert untranslated_strings(source) == expected


@pytest.mark.parametrize(
    "source",
    [
        "{% load i18n %}<p>{% translate 'Sign out' %}</p>",
        "{% load i18n %}<p>{% blocktranslate trimmed count n=n %}{{ n }} item{% plural %}{{ n }} items"
        "{% endblocktranslate %}</p>",
        '{% load i18n %}<nav aria-label="{% translate "Staff" %}"></nav>',
        '<input type="hidden" name="next" value="{{ next }}"><div class="text-bg-light border"></div>',
        "{% block body_class %}proceed-page-wide{% endblock %}{# a note for developers #}",
        "{% comment %}A note for developers.{% endcomment %}<p>&larr; · ✓ — 12:30</p>",
        "{% block body_class %}{% if wide %}proceed-wide{% endif %}{% endblock %}",
        "<style>body { color: red; }</style><p>{{ name }}</p>",
        "{{ answer|default:'—' }}",
        '{% load i18n %}{% include "x.html" with label=_("Withdraw my consent") class="btn disabled" %}',
    ],
)
def test_the_check_accepts_translated_text_markup_and_symbols(source):
    assert untranslated_strings(source) == []
