"""Names of the staff groups; the groups themselves are made by a data migration."""

NURSES = "Nurses"
CONTENT_ADMINS = "Content admins"
