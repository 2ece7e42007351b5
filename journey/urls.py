"""The patient journey, reached only through the personal link /c/<token>/."""

from django.urls import path

from journey import views

app_name = "journey"

urlpatterns = [
    path("<str:token>/", views.welcome, name="welcome"),
    path("<str:token>/language/", views.choose_language, name="language"),
    path("<str:token>/identity/", views.identity, name="identity"),
    path("<str:token>/about/", views.about, name="about"),
    path("<str:token>/risks/", views.risks, name="risks"),
    path("<str:token>/preparing/", views.preparing, name="preparing"),
    path("<str:token>/understanding/", views.understanding, name="understanding"),
    path("<str:token>/questions/", views.questions, name="questions"),
    path("<str:token>/review/", views.review, name="review"),
    path("<str:token>/decide/", views.decide, name="decide"),
    path("<str:token>/sign/<str:decision>/", views.sign, name="sign"),
    path("<str:token>/done/", views.done, name="done"),
    path("<str:token>/withdraw/", views.withdraw, name="withdraw"),
    path("<str:token>/information.pdf", views.information_pdf, name="information_pdf"),
    path("<str:token>/records.pdf", views.consent_pdf, name="consent_pdf"),
    path("<str:token>/withdrawal.pdf", views.withdrawal_pdf, name="withdrawal_pdf"),
]
