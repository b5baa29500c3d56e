from django.urls import path

from . import views

app_name = "second_factor"

urlpatterns = [
    path("", views.settings_page, name="settings"),
    path("code/", views.verify, name="verify"),
    path("setup/", views.enrol, name="enrol"),
    path("off/", views.turn_off, name="off"),
    path("recovery-codes/", views.recovery_codes, name="recovery-codes"),
    path(
        "recovery-codes/download/",
        views.recovery_codes_download,
        name="recovery-codes-download",
    ),
    path("recovery-codes/new/", views.recovery_codes_new, name="recovery-codes-new"),
]
