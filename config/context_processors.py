from django.conf import settings


def clinic(request):
    """The clinic's name and contact details, shown on every page."""
    return {
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
        "clinic_email": settings.CLINIC_EMAIL,
        "emergency_number": settings.EMERGENCY_NUMBER,
        "out_of_hours_phone": settings.OUT_OF_HOURS_PHONE,
    }
