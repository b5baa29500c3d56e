from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("", views.home, name="home"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/survey/", views.survey, name="survey"),
    path("recommendations/", views.recommendations, name="recommendations"),
    path("recommendations/send/", views.recommendation_send, name="recommendation-send"),
    path(
        "recommendations/<int:pk>/acknowledge/",
        views.recommendation_acknowledge,
        name="recommendation-acknowledge",
    ),
    path(
        "recommendations/<int:pk>/answer/",
        views.recommendation_answer,
        name="recommendation-answer",
    ),
    path("plans/<int:plan_id>/indicators/", views.plan_indicators, name="plan-indicators"),
    path("plans/<int:plan_id>/self-analysis/", views.self_analysis, name="self-analysis"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/xlsx/", views.dashboard_download, name="dashboard-xlsx"),
]
