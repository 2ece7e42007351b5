from django.contrib import admin
from django.urls import include, path

from consent import views as consent_views

admin.site.site_header = "Proceed content administration"
admin.site.site_title = "Proceed admin"
admin.site.index_title = "Clinical content"

urlpatterns = [
    path("", consent_views.home, name="home"),
    path("accounts/", include("consent.account_urls")),
    path("admin/", admin.site.urls),
    path("c/", include("consent.urls")),
    path("staff/", include("consent.staff_urls")),
    path("verify/", include("consent.verify_views")),  # public: check a sealed consent record PDF
    path("healthz", include("consent.health")),  # for load balancers: no sign-in, nothing personal
]
