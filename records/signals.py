"""What the records announce, for the parts of Proceed that act on them (see `integrations`).

Sent only once the change is committed.
"""

from django.dispatch import Signal

# A sealed PDF was stored for the first time (a consent record, a withdrawal, a staff record's cover or
# the clinician's part). Arguments: document (the model row), document_id, consent_request.
document_stored = Signal()
