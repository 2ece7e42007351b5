"""Staff pages under /staff/ (nurses only)."""

from django.urls import include, path

from staff import case_views, records_views
from staff import views as staff_views

app_name = "staff"

urlpatterns = [
    path("", staff_views.index, name="index"),
    path("requests/new/", staff_views.new_request, name="new_request"),
    path("procedures/", staff_views.procedures, name="procedures"),
    path("procedures/<slug:slug>/", staff_views.procedure, name="procedure"),
    path("requests/<uuid:public_id>/", case_views.case, name="case"),
    path("requests/<uuid:public_id>/records.pdf", case_views.case_pdf, name="case_pdf"),
    path("requests/<uuid:public_id>/withdrawal.pdf", case_views.withdrawal_pdf, name="withdrawal_pdf"),
    path("requests/<uuid:public_id>/notes/", case_views.add_note, name="add_note"),
    path("requests/<uuid:public_id>/assign/", case_views.assign, name="assign"),
    path("requests/<uuid:public_id>/correct/", case_views.correct, name="correct"),
    path("day/", staff_views.day_list, name="day_list"),
    path("records/", records_views.records, name="records"),
    path("records/export.csv", records_views.records_export, name="records_export"),
    path("requests/<uuid:public_id>/reissue/", case_views.reissue, name="reissue"),
    path("requests/<uuid:public_id>/cancel/", case_views.cancel, name="cancel"),
    path("requests/<uuid:public_id>/reconsent/", case_views.reconsent, name="reconsent"),
    path("questions/<int:question_id>/answer/", case_views.answer_question, name="answer_question"),
    path("", include("staff.checklist_urls")),
]
