"""Staff profiles in the admin, for whoever manages accounts (superusers: no group is given these permissions)."""

from __future__ import annotations

from django.contrib import admin

from accounts.models import StaffProfile


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "job_title", "registration", "updated_at")
    search_fields = ("user__username", "user__first_name", "user__last_name", "job_title", "registration")
    raw_id_fields = ("user",)
