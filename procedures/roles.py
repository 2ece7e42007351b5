"""Names of the staff groups; the groups themselves are made by a data migration."""

NURSES = "Nurses"
CONTENT_ADMINS = "Content admins"


def staff_name(user) -> str:
    """How a member of staff is named on pages and records: their full name, or their username if none is set."""
    return user.get_full_name() or user.get_username()
