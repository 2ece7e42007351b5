"""The content admin's procedure page at a desktop size: short enough to find things, nothing hidden from
the keyboard or without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from procedures.models import Procedure
from procedures.services import load_sample_procedures
from tests.browser.helpers import sign_in_staff

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
DESKTOP = {"width": 1366, "height": 768}


@pytest.mark.parametrize("javascript", [True, False])
def test_the_procedure_page_folds_each_kind_of_item_and_each_translation(new_page, content_admin, javascript):
    load_sample_procedures()
    lumbar = Procedure.objects.get(slug="lumbar-puncture")
    page = new_page(viewport=DESKTOP, java_script_enabled=javascript)
    sign_in_staff(page, content_admin, "/admin/")
    page.goto(f"/admin/procedures/procedure/{lumbar.pk}/change/")

    height = page.evaluate("() => document.documentElement.scrollHeight")
    print(f"procedure change page: {height} px tall at 1366x768")  # 17,946 px before the folding
    assert height < 6000

    # Each kind of item opens from its heading, with the English showing and the Spanish still folded.
    page.locator("#risks-group summary").first.click()
    expect(page.locator("#id_risks-0-title")).to_be_visible()
    expect(page.locator("#id_risks-0-title_es")).to_be_hidden()
    page.locator("#risks-0 details summary").first.click()
    expect(page.locator("#id_risks-0-title_es")).to_be_visible()
    # No Django "History" (noisy) beside "Content history".
    tools = page.locator(".object-tools a").all_text_contents()
    assert [" ".join(tool.split()) for tool in tools] == [
        "Preview as a patient",
        "Publish…",
        "Content history",
        "Retire this procedure…",
        "What patients found hard",
    ]


def test_the_versions_list_fits_a_1366_px_screen_with_every_column(new_page, content_admin):
    load_sample_procedures()
    page = new_page(viewport=DESKTOP)
    sign_in_staff(page, content_admin, "/admin/procedures/procedureversion/")
    page.goto("/admin/procedures/procedureversion/")
    table, room = page.evaluate(
        "() => [document.querySelector('#result_list').scrollWidth,"
        " document.querySelector('#changelist .results').clientWidth]"
    )
    assert table <= room, f"the table is {table} px wide in {room} px: its last columns are cut off"
    expect(page.locator("th.column-signed_consents")).to_be_visible()
    expect(page.locator("td.field-change_summary").first).to_be_in_viewport()
