from django.apps import AppConfig


class RecordsConfig(AppConfig):
    """The sealed records: PDFs of each consent, withdrawal and checklist, the clinic's seal, /verify/."""

    name = "records"

    def ready(self):
        # Imported once the apps are ready (models can't load earlier). The seal registers its checks.
        from consent import signals
        from records import seal, tasks  # noqa: F401

        # Each signed decision and each withdrawal gets its sealed PDF, rendered by a background task.
        signals.consent_signed.connect(tasks.enqueue_consent_document, dispatch_uid="records.consent_signed")
        signals.consent_withdrawn.connect(tasks.enqueue_withdrawal_document, dispatch_uid="records.consent_withdrawn")
        signals.consent_recorded_by_staff.connect(
            tasks.enqueue_staff_record_document, dispatch_uid="records.consent_recorded_by_staff"
        )
        # A countersignature gets the clinician's part, its own sealed PDF (the patient's never changes).
        signals.consent_countersigned.connect(
            tasks.enqueue_clinician_document, dispatch_uid="records.consent_countersigned"
        )
