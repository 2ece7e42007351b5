"""What the consent domain announces, for the parts of Proceed that act on it.

The domain doesn't know how its records are rendered: `records` listens (see `records.apps`) and
renders the sealed PDF. Each is sent only once the change is committed.
"""

from django.dispatch import Signal

# A patient signed (consent or a decision not to proceed). Argument: signature.
consent_signed = Signal()

# A patient withdrew a signed consent. Argument: consent_request.
consent_withdrawn = Signal()

# Staff recorded a consent or refusal taken outside the link. Argument: record (a StaffRecordedConsent).
consent_recorded_by_staff = Signal()

# A clinician countersigned a patient's consent (the statement of the health professional).
# Argument: countersignature.
consent_countersigned = Signal()

# A nurse created a request. Argument: consent_request.
request_created = Signal()

# A nurse confirmed consent with the patient on the day. Argument: consent_request.
consent_confirmed = Signal()

# A nurse signed the checklist off. Argument: consent_request.
checklist_signed_off = Signal()
