from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from consent import views as consent_views

admin.site.site_header = "Proceed content administration"
admin.site.site_title = "Proceed admin"
admin.site.index_title = "Clinical content"

urlpatterns = [
    path("", consent_views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(template_name="registration/login.html"), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("c/", include("consent.urls")),
    path("staff/", include("consent.staff_urls")),
]
