from django.contrib import admin
from django.urls import include, path

from journey import pictures
from journey import views as consent_views

admin.site.site_header = "Proceed content administration"
admin.site.site_title = "Proceed admin"
admin.site.index_title = "Clinical content"

urlpatterns = [
    path("", consent_views.home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("c/", include("journey.urls")),
    path("pictures/<str:name>", pictures.picture, name="picture"),  # public: procedure content, by hash
    path("staff/", include("staff.urls")),
    path("verify/", include("records.verify_views")),  # public: check a sealed consent record PDF
    path("healthz", include("config.health")),  # for load balancers: no sign-in, nothing personal
    path("o/", include("integrations.oauth_urls")),  # OAuth 2.0 token endpoint (client credentials only)
    path("api/v1/", include("integrations.api_urls")),  # integrations: bearer tokens only, never a session
]
