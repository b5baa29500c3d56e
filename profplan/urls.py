from django.contrib import admin
from django.urls import include, path

from . import health, views

admin.site.site_header = "Профплан: региональный центр"
admin.site.site_title = "Профплан"
admin.site.index_title = "Планы профориентации школ КБР"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("session/keepalive/", views.session_keepalive, name="session-keepalive"),
    path("session/", views.session_status, name="session-status"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("monitoring/", include("monitoring.urls")),
    path("", include("plans.urls")),
]

handler400 = "profplan.views.bad_request"
handler403 = "profplan.views.permission_denied"
handler404 = "profplan.views.page_not_found"
handler500 = "profplan.views.server_error"
