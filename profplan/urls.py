from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Профплан: региональный центр"
admin.site.site_title = "Профплан"
admin.site.index_title = "Планы профориентации школ КБР"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("monitoring/", include("monitoring.urls")),
    path("", include("plans.urls")),
]
