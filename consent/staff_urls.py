"""Staff pages under /staff/ (nurses only)."""

from django.urls import path

from consent import staff_views

app_name = "staff"

urlpatterns = [
    path("", staff_views.index, name="index"),
    path("requests/new/", staff_views.new_request, name="new_request"),
]
