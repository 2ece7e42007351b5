"""Django's {# #} comments end on their own line: one spanning lines is shown to the reader as text."""

from pathlib import Path

from django.conf import settings


def test_no_template_has_a_comment_that_spans_lines():
    spanning = [
        f"{path.relative_to(settings.BASE_DIR)}:{number}"
        for path in sorted(Path(settings.BASE_DIR, "templates").rglob("*.*"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if "{#" in line and "#}" not in line.split("{#", 1)[1]
    ]
    assert spanning == [], "use {% comment %} … {% endcomment %} for comments over several lines"
