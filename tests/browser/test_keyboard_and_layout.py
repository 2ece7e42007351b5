"""Beyond axe: the journey by keyboard alone, visible focus, 44 px targets, 200% text, announced errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from consent.models import Signature
from tests.browser.helpers import PATIENT, new_case, submit, walk_to_sign, walk_to_withdraw
from tests.browser.test_journey import pdf_text

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


# Keyboard only ---------------------------------------------------------------------------


def tab_to(page, selector: str, *, backwards: bool = False, presses: int = 80) -> None:
    """Press Tab (or Shift+Tab) until the element matching `selector` has the focus."""
    for _ in range(presses):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} could not be reached with the keyboard on {page.url}")


def tab_and_press(page, selector: str, key: str) -> None:
    tab_to(page, selector)
    page.keyboard.press(key)


def continue_with_keyboard(page, url_part: str) -> None:
    tab_and_press(page, "main form button[type=submit]", "Enter")
    page.wait_for_url(f"**/{url_part}")


def tick_every_box(page, selector: str) -> None:
    for box_id in page.locator(selector).evaluate_all("els => els.map(e => e.id)"):
        tab_and_press(page, f"#{box_id}", "Space")
        assert page.locator(f"#{box_id}").is_checked()


def test_the_journey_can_be_completed_with_the_keyboard_alone(new_page, published_procedure):
    page = new_page()
    case = new_case(published_procedure)
    dob = PATIENT["date_of_birth"]
    page.goto(case.url)

    tab_and_press(page, "main a.btn-primary", "Enter")  # Start
    page.wait_for_url("**/identity/")
    tab_to(page, "#id_day")
    page.keyboard.type(str(dob.day))
    tab_to(page, "#id_month")
    page.keyboard.type(str(dob.month))
    tab_to(page, "#id_year")
    page.keyboard.type(str(dob.year))
    page.keyboard.press("Enter")
    page.wait_for_url("**/about/")
    continue_with_keyboard(page, "risks/")
    tick_every_box(page, "main input[name^=ack_]")
    continue_with_keyboard(page, "preparing/")
    tick_every_box(page, "main input[name^=ack_]")
    # A radio group is one Tab stop; the arrow keys choose within it ("No" is the second answer).
    for name in dict.fromkeys(page.locator("main input[type=radio]").evaluate_all("els => els.map(e => e.name)")):
        tab_to(page, f"main input[name='{name}']")
        page.keyboard.press("ArrowDown")
        assert page.locator(f"main input[name='{name}']").nth(1).is_checked()
    continue_with_keyboard(page, "understanding/")
    for name in dict.fromkeys(page.locator("main input[type=radio]").evaluate_all("els => els.map(e => e.name)")):
        tab_to(page, f"main input[name='{name}']")
        page.keyboard.press("Space")  # the first answer is the right one
    continue_with_keyboard(page, "questions/")
    tab_to(page, "#id_question")
    page.keyboard.type("Can I drive home?")
    continue_with_keyboard(page, "review/")
    tab_and_press(page, "#id_confirmed", "Space")
    continue_with_keyboard(page, "decide/")
    tab_and_press(page, "#id_decision_0", "Space")
    continue_with_keyboard(page, "sign/consent/")

    # Signing: the drawing pad is optional and needs a pointer; the typed name is the signature.
    tab_to(page, "#id_typed_name")
    page.keyboard.type(PATIENT["full_name"])
    tab_to(page, "main form button[type=submit]")
    tab_to(page, "#id_typed_name", backwards=True)  # Shift+Tab goes back the same way
    page.keyboard.press("Enter")
    page.wait_for_url("**/done/")

    tab_to(page, "main a[href$='records.pdf']")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    text = pdf_text(Path(download.value.path()).read_bytes())
    assert PATIENT["full_name"] in text
    assert "No signature was drawn. The typed name below is the signature." in text
    assert not Signature.objects.get(request__patient__mrn=PATIENT["mrn"]).drawn_signature


# Focus, targets and 200% text on every journey page --------------------------------------------

# Whether a colour pair reaches a contrast ratio, computed in the page (WCAG's relative luminance).
CONTRAST_JS = """
(pair) => {
  const parse = c => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = c => { const [r, g, b] = parse(c).slice(0, 3).map(v => { v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const [a, b] = pair.map(lum).sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}
"""

# The focus indicator of the focused element: its outline or box-shadow, the colour behind it.
FOCUS_STYLE_JS = """
(element) => {
  const s = getComputedStyle(element);
  let back = "rgb(255, 255, 255)";
  for (let e = element.parentElement; e; e = e.parentElement) {
    const c = getComputedStyle(e).backgroundColor;
    if (c && c !== "rgba(0, 0, 0, 0)" && c !== "transparent") { back = c; break; }
  }
  return {outline: s.outlineStyle !== "none" ? parseFloat(s.outlineWidth) : 0, outlineColor: s.outlineColor,
          shadow: s.boxShadow, background: back,
          name: element.tagName + (element.id ? "#" + element.id : "") + " "
                + (element.innerText || element.name || "").trim().slice(0, 40)};
}
"""


def focus_problems(page) -> list[str]:
    """Tab through the page; every element that takes the focus must show a 2 px+ indicator of 3:1 contrast."""
    problems = []
    page.locator("body").focus()
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    seen = set()
    for _ in range(120):
        page.keyboard.press("Tab")
        element = page.evaluate_handle("() => document.activeElement")
        key = page.evaluate("e => e === document.body ? null : e.outerHTML.slice(0, 200)", element)
        if key is None or key in seen:
            break
        seen.add(key)
        focused = page.evaluate(FOCUS_STYLE_JS, element)
        page.evaluate("e => e.blur()", element)
        unfocused = page.evaluate(FOCUS_STYLE_JS, element)
        page.evaluate("e => e.focus({focusVisible: true})", element)
        outline_ok = (
            focused["outline"] >= 2
            and unfocused["outline"] < focused["outline"]
            and page.evaluate(CONTRAST_JS, [focused["outlineColor"], focused["background"]]) >= 3
        )
        if not outline_ok:
            problems.append(f"{focused['name']}: focused outline {focused['outline']}px {focused['outlineColor']}")
    assert seen, f"nothing on {page.url} takes the keyboard focus"
    return problems


# Sizes of what can be tapped: buttons, fields, and checkboxes and radios with their labels, links that
# stand alone. Links inside a sentence are excepted (WCAG 2.5.8's inline exception).
TARGETS_JS = """
() => {
  const small = [];
  const visible = r => r.width > 2 && r.height > 2;
  const inSentence = a => [...a.parentElement.childNodes].some(
    n => n !== a && n.nodeType === 3 && n.textContent.trim());
  for (const e of document.querySelectorAll("a[href], button, input:not([type=hidden]), select, textarea, summary")) {
    if (e.closest(".visually-hidden-focusable")) continue;  // the skip link, sized when it has the focus
    let box = e.getBoundingClientRect();
    if (!visible(box)) continue;
    if (e.tagName === "A" && inSentence(e)) continue;
    if (e.type === "checkbox" || e.type === "radio") {
      for (const label of e.labels) {
        const l = label.getBoundingClientRect();
        const left = Math.min(box.left, l.left), top = Math.min(box.top, l.top);
        box = {width: Math.max(box.right, l.right) - left, height: Math.max(box.bottom, l.bottom) - top};
      }
    }
    if (box.width < 44 - 0.5 || box.height < 44 - 0.5) {
      const text = (e.innerText || e.value || e.name || "").trim().slice(0, 30);
      const size = `${Math.round(box.width)}x${Math.round(box.height)}`;
      small.push(`${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""} "${text}" ${size}`);
    }
  }
  return small;
}
"""


def zoomed_overflow(page) -> str | None:
    """At 200% text (the root font size doubled), whether the page scrolls sideways."""
    page.evaluate("() => { document.documentElement.style.fontSize = '200%'; }")
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth,"
        " [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right >"
        " document.documentElement.clientWidth + 1).slice(0, 3).map(e => e.tagName + '.' + e.className)]"
    )
    page.evaluate("() => { document.documentElement.style.fontSize = ''; }")
    scroll, client, wide = widths
    return None if scroll <= client else f"{scroll}px of content in {client}px: {wide}"


def test_journey_pages_show_focus_have_large_targets_and_reflow_at_200_percent_text(page, published_procedure):
    focus, targets, zoom = {}, {}, {}

    def check(page, name):
        if problems := focus_problems(page):
            focus[name] = problems
        if small := page.evaluate(TARGETS_JS):
            targets[name] = small
        if overflow := zoomed_overflow(page):
            zoom[name] = overflow

    case = new_case(published_procedure)
    walk_to_withdraw(page, case, visit=check)
    page.goto("/c/not-a-real-link/")
    check(page, "link problem")

    assert not focus, f"focus not visible enough: {focus}"
    assert not targets, f"targets smaller than 44x44 CSS px: {targets}"
    assert not zoom, f"sideways scrolling at 200% text, 390 px wide: {zoom}"


# Errors are announced -----------------------------------------------------------------------------

ERRORS_JS = """
() => {
  const problems = [];
  const summary = document.querySelector("#error-summary, main [role=alert]");
  if (!summary || !summary.innerText.trim()) problems.push("no error summary");
  else if (summary.getAttribute("role") !== "alert" && document.activeElement !== summary)
    problems.push("the error summary is neither an alert nor focused");
  // Fields with their own errors (an error about the whole form, such as a date of birth that
  // does not match, is in the summary only).
  const invalid = [...document.querySelectorAll(".is-invalid, [aria-invalid=true]")];
  for (const field of invalid) {
    if (field.getAttribute("aria-invalid") !== "true") problems.push(`${field.id}: no aria-invalid`);
    const ids = (field.getAttribute("aria-describedby") || "").split(/\\s+/).filter(Boolean);
    const texts = ids.map(id => document.getElementById(id)).filter(Boolean).map(e => e.innerText.trim());
    if (!texts.some(Boolean)) problems.push(`${field.id}: aria-describedby names no error text`);
  }
  return problems;
}
"""


def test_errors_are_tied_to_their_fields_and_announced(page, new_page, published_procedure, nurse):
    found = {}

    def check(page, name):
        if "with errors" in name and (problems := page.evaluate(ERRORS_JS)):
            found[name] = problems

    case = new_case(published_procedure)
    walk_to_sign(page, case, visit=check)
    submit(page)
    expect(page.locator("#error-summary")).to_be_visible()
    check(page, "sign with errors")

    from tests.browser.helpers import sign_in_staff

    staff = new_page(viewport={"width": 1280, "height": 900})
    sign_in_staff(staff, nurse)
    staff.goto("/staff/requests/new/")
    staff.get_by_role("button", name="Create request").click()
    expect(staff.locator("main [role=alert]")).to_be_visible()
    check(staff, "new request with errors")

    assert not found, f"errors not announced or not tied to their fields: {found}"
    # The checks above saw fields with errors, not only summaries.
    assert page.locator("#id_typed_name").get_attribute("aria-invalid") == "true"
    assert staff.locator("#id_mrn").get_attribute("aria-invalid") == "true"
