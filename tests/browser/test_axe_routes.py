"""Every named URL pattern is checked by axe in test_axe.py, or listed there with the reason it is not."""

from tests.browser.audit import named_routes
from tests.browser.test_axe import (
    BLOOD_THINNER_ROUTES,
    CLINICIAN_ROUTES,
    CONTENT_ADMIN_ROUTES,
    NOT_CHECKED,
    PATIENT_ROUTES,
    RETIRE_ROUTES,
    STAFF_ROUTES,
    _django_admin_page,
)


def test_every_named_route_is_checked_by_axe_or_listed_with_a_reason():
    checked = (
        PATIENT_ROUTES | STAFF_ROUTES | CLINICIAN_ROUTES | CONTENT_ADMIN_ROUTES | RETIRE_ROUTES | BLOOD_THINNER_ROUTES
    )
    unaccounted = sorted(
        name
        for name in named_routes()
        if name not in checked and name not in NOT_CHECKED and not _django_admin_page(name)
    )
    assert not unaccounted, (
        f"new pages with no accessibility check: {unaccounted}. Visit them in tests/browser/test_axe.py "
        "(PATIENT_ROUTES, STAFF_ROUTES, CLINICIAN_ROUTES or CONTENT_ADMIN_ROUTES) or list them in NOT_CHECKED "
        "with the reason."
    )
    stale = sorted((checked | set(NOT_CHECKED)) - named_routes())
    assert not stale, f"routes listed in tests/browser/test_axe.py that no longer exist: {stale}"
