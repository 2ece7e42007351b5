"""Staff pages under /staff/ (nurses and clinicians; countersigning: clinicians only)."""

from django.urls import include, path

from staff import blood_thinners, case_views, countersign_views, records_views, staff_record_views
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
    path("requests/<uuid:public_id>/record-consent/", staff_record_views.record_consent, name="record_consent"),
    path("requests/<uuid:public_id>/scan", staff_record_views.scan, name="staff_record_scan"),
    path("requests/<uuid:public_id>/staff-record.pdf", staff_record_views.staff_record_pdf, name="staff_record_pdf"),
    path("requests/<uuid:public_id>/blood-thinners/", blood_thinners.blood_thinner_plan, name="blood_thinners"),
    path("questions/<int:question_id>/answer/", case_views.answer_question, name="answer_question"),
    path("requests/<uuid:public_id>/countersign/", countersign_views.countersign, name="countersign"),
    path("requests/<uuid:public_id>/clinician.pdf", countersign_views.clinician_pdf, name="clinician_pdf"),
    path("", include("staff.checklist_urls")),
]
