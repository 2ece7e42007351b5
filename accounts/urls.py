"""Staff accounts under /accounts/: sign in (password, then a code), sign out, set-up, password, your details."""

from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views as account_views

urlpatterns = [
    path("login/", account_views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("two-step/", account_views.second_step, name="two_factor"),
    path("two-step/set-up/", account_views.set_up_authenticator, name="two_factor_setup"),
    path("two-step/recovery-codes/", account_views.recovery_codes, name="recovery_codes"),
    path("password/", account_views.ChangePasswordView.as_view(), name="password_change"),
    path("profile/", account_views.profile, name="profile"),
]
