"""URLs of the works app (mounted at /works/ by tongqi.urls)."""

from django.urls import path

from . import views

app_name = "works"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("export.xlsx", views.project_export, name="export"),
    path("workbench/", views.workbench, name="workbench"),
    path("projects/new/", views.project_create, name="create"),
    path("projects/<int:pk>/", views.project_detail, name="detail"),
    path("projects/<int:pk>/edit/", views.project_edit, name="edit"),
    path("projects/<int:pk>/do/<slug:action>/", views.project_transition, name="transition"),
    path("projects/<int:pk>/approvals/<slug:kind>/", views.approval_edit, name="approval"),
    path(
        "projects/<int:pk>/approvals/<slug:kind>/remove/",
        views.approval_remove,
        name="approval_remove",
    ),
    path("projects/<int:pk>/notes/", views.project_note, name="note"),
    path("projects/<int:pk>/link/", views.project_link, name="link"),
    path("projects/<int:pk>/unlink/<int:app_pk>/", views.project_unlink, name="unlink"),
    path("projects/<int:pk>/sync-clocks/", views.project_sync, name="sync"),
    path("applications/<int:app_pk>/link/", views.application_link, name="app_link"),
    path("applications/<int:app_pk>/unlink/", views.application_unlink, name="app_unlink"),
    path("report/", views.report, name="report"),
    path("report/export.xlsx", views.report_export, name="report_export"),
    path("report/snapshot/", views.report_snapshot, name="report_snapshot"),
    path("planning/", views.planning, name="planning"),
    path("planning/export.xlsx", views.planning_export, name="planning_export"),
]
