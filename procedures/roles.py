"""Names of the staff groups; the groups themselves are made by a data migration."""

NURSES = "Nurses"
# Doctors and other health professionals who obtain consent: they countersign the patient's consent
# with the statement of the health professional, and use the nurses' workspace.
CLINICIANS = "Clinicians"
CONTENT_ADMINS = "Content admins"


def staff_name(user) -> str:
    """How a member of staff is named on pages and records: their full name, or their username if none is set."""
    return user.get_full_name() or user.get_username()
