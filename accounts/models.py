"""What Proceed keeps about a member of staff beyond Django's user: how they are named on a record."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class StaffProfile(models.Model):
    """A member of staff's job title and professional registration, as a countersignature records them.

    Each person keeps their own on their account page (`accounts:profile`); superusers can edit any in
    the admin. The countersign form is pre-filled from it and saves what the clinician typed back here.
    A signed record keeps its own copy: changing the profile later never changes a countersignature.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile")
    job_title = models.CharField(max_length=200, blank=True, help_text="For example: Consultant in pain medicine.")
    registration = models.CharField(
        "Professional registration",
        max_length=100,
        blank=True,
        help_text="The register and your number on it, for example: GMC 7654321.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Staff profile {self.pk}"


def profile_of(user) -> StaffProfile:
    """The user's profile, unsaved and empty if they have none yet."""
    return StaffProfile.objects.filter(user=user).first() or StaffProfile(user=user)


def save_profile(user, *, job_title: str, registration: str) -> StaffProfile:
    """Keep the job title and registration the user gave (on their account page, or when countersigning)."""
    profile, _ = StaffProfile.objects.update_or_create(
        user=user, defaults={"job_title": job_title.strip(), "registration": registration.strip()}
    )
    return profile
