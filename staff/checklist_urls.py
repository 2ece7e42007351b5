"""The nurse's checklist, its sign-off and PDF, and the day-of confirmation.

Included into the `staff` namespace by `staff.urls`, so the names are
`staff:checklist`, `staff:checklist_item` and so on.
"""

from django.urls import path

from staff import checklist_views

urlpatterns = [
    path("requests/<uuid:public_id>/checklist/", checklist_views.checklist, name="checklist"),
    path(
        "requests/<uuid:public_id>/checklist/sign-off/",
        checklist_views.sign_off,
        name="checklist_sign_off",
    ),
    path(
        "requests/<uuid:public_id>/checklist/<uuid:item_key>/",
        checklist_views.checklist_item,
        name="checklist_item",
    ),
    path("requests/<uuid:public_id>/checklist.pdf", checklist_views.checklist_pdf, name="checklist_pdf"),
    path("requests/<uuid:public_id>/confirm/", checklist_views.confirm, name="confirm"),
]
