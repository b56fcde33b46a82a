"""URLs of the reports app (mounted by tongqi.urls at /reports/)."""

from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.home, name="home"),
    path("charts/<slug:name>.svg", views.chart, name="chart"),
    path("applications/", views.applications, name="applications"),
    path("applications/export.xlsx", views.export, name="export"),
]
