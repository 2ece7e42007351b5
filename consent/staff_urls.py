"""Staff pages under /staff/ (nurses only)."""

from django.urls import path

from consent import staff_views

app_name = "staff"

urlpatterns = [
    path("", staff_views.index, name="index"),
    path("requests/new/", staff_views.new_request, name="new_request"),
    path("requests/<uuid:public_id>/", staff_views.case, name="case"),
    path("requests/<uuid:public_id>/consent.pdf", staff_views.case_pdf, name="case_pdf"),
]
