"""Audit events name an integration client as their actor, and an API call as their action."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0026_webhook_audit_codes_and_patient_public_id"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("created", "Request created"),
                    ("invited", "Invitation given"),
                    ("link_reissued", "New link issued"),
                    ("cancelled", "Request cancelled"),
                    ("expired", "Link expired"),
                    ("identity_verified", "Identity checked"),
                    ("identity_failed", "Wrong date of birth"),
                    ("locked", "Link locked"),
                    ("link_refused", "Link refused (finished case)"),
                    ("language_chosen", "Language chosen"),
                    ("step_completed", "Step completed"),
                    ("answers_saved", "Answers saved for later"),
                    ("step_shown_late", "Preparation step shown late"),
                    ("question_asked", "Question asked"),
                    ("discussion_requested", "Asked to talk before deciding"),
                    ("review_confirmed", "Answers reviewed"),
                    ("sign_draft_saved", "Signing page saved for later"),
                    ("signed", "Consent signed"),
                    ("declined", "Decision not to proceed signed"),
                    ("needs_discussion", "Chose to talk first"),
                    ("withdrawn", "Consent withdrawn"),
                    ("details_corrected", "Details corrected"),
                    ("patient_contact_updated", "Contact details updated"),
                    ("assigned", "Nurse assigned"),
                    ("note_added", "Note added"),
                    ("question_answered", "Question answered"),
                    ("checklist_marked", "Checklist item marked"),
                    ("checklist_corrected", "Checklist entry corrected"),
                    ("checklist_signed_off", "Checklist signed off"),
                    ("sign_off_refused", "Checklist sign-off refused"),
                    ("confirmed", "Consent confirmed on the day"),
                    ("content_published", "Content published"),
                    ("moved_to_new_version", "Moved to a new version"),
                    ("content_changed_since_signing", "Content changed since signing"),
                    ("reconsent_requested", "Re-consent requested"),
                    ("document_rendered", "Signed PDF record created"),
                    ("withdrawal_document_rendered", "Withdrawal record created"),
                    ("status_restored", "Status restored (migration)"),
                    ("procedure_retired", "Procedure retired"),
                    ("procedure_restored", "Procedure restored"),
                    ("staff_recorded_consent", "Consent recorded by staff (not a patient e-signature)"),
                    ("staff_recorded_refusal", "Refusal recorded by staff (not a patient e-signature)"),
                    ("staff_record_document_rendered", "Record of a staff-recorded decision created"),
                    ("blood_thinners_named", "Blood thinners named by the patient"),
                    ("blood_thinner_plan_confirmed", "Blood-thinner plan confirmed"),
                    ("countersigned", "Clinician's statement countersigned"),
                    ("countersign_refused", "Countersignature refused"),
                    ("clinician_document_rendered", "Clinician's part record created"),
                    ("records_exported", "Records exported"),
                    ("webhook_endpoint_registered", "Webhook endpoint registered"),
                    ("webhook_endpoint_changed", "Webhook endpoint changed"),
                    ("webhook_endpoint_disabled", "Webhook endpoint disabled"),
                    ("webhook_endpoint_reenabled", "Webhook endpoint re-enabled"),
                    ("api_call", "Integration API call"),
                ],
                max_length=50,
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="actor",
            field=models.CharField(
                choices=[
                    ("patient", "Patient (via their link)"),
                    ("staff", "Staff"),
                    ("system", "System"),
                    ("integration", "Integration client (API)"),
                ],
                max_length=20,
            ),
        ),
    ]
