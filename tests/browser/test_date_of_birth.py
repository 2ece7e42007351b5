"""The date of birth at large text and on a narrow phone: every label and field whole, none overlapping."""

from __future__ import annotations

import pytest

from consent.models import ConsentRequest
from tests.browser.helpers import new_case, submit

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# For each label and field of the date: whether its text is cut, whether it leaves the screen,
# and which of them overlap. Each field must show its widest digits, drawn in its own font.
LAYOUT_JS = """
() => {
  const problems = [];
  const viewport = document.documentElement.clientWidth;
  const boxes = [];
  const measure = document.createElement("span");
  measure.style.cssText = "position:absolute;visibility:hidden;white-space:nowrap";
  document.body.appendChild(measure);
  for (const el of document.querySelectorAll("fieldset label, #id_day, #id_month, #id_year")) {
    const box = el.getBoundingClientRect();
    const name = el.id || el.getAttribute("for") + " label";
    if (box.left < 0 || box.right > viewport + 1) problems.push(`${name} leaves the screen`);
    if (el.tagName === "LABEL" && el.scrollWidth > el.clientWidth + 1) problems.push(`${name} is cut`);
    if (el.tagName === "INPUT") {
      const style = getComputedStyle(el);
      measure.style.font = style.font;
      measure.textContent = el.id === "id_year" ? "1958" : "28";
      const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      if (measure.getBoundingClientRect().width > room + 1) problems.push(`${name} can't show its digits`);
    }
    boxes.push([name, box]);
  }
  measure.remove();
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, p] = boxes[i], [b, q] = boxes[j];
      if (p.left < q.right - 1 && q.left < p.right - 1 && p.top < q.bottom - 1 && q.top < p.bottom - 1)
        problems.push(`${a} overlaps ${b}`);
    }
  if (document.documentElement.scrollWidth > viewport) problems.push("the page scrolls sideways");
  return problems;
}
"""


@pytest.mark.parametrize("width", [320, 390])
@pytest.mark.parametrize("language", ["en", "es"])
def test_the_date_of_birth_fields_wrap_whole_at_200_percent_text(new_page, published_procedure, width, language):
    case = new_case(published_procedure)
    ConsentRequest.objects.filter(pk=case.request.pk).update(language=language)  # the page follows it
    page = new_page(viewport={"width": width, "height": 800})
    page.goto(case.url + "identity/")
    page.evaluate("() => { document.documentElement.style.fontSize = '200%'; }")
    assert page.evaluate(LAYOUT_JS) == []
    # After an error the fields keep what was typed and still fit.
    page.fill("#id_day", "31")
    page.fill("#id_month", "9")
    page.fill("#id_year", "1958")
    submit(page)
    page.wait_for_selector("#error-summary")
    page.evaluate("() => { document.documentElement.style.fontSize = '200%'; }")
    assert page.input_value("#id_day") == "31" and page.input_value("#id_year") == "1958"
    assert page.evaluate(LAYOUT_JS) == []
