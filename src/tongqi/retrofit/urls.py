"""URLs of the retrofit app (mounted at /retrofit/ by tongqi.urls)."""

from django.urls import path

from . import views

app_name = "retrofit"
P = "<int:pk>/"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("export.xlsx", views.project_export, name="export"),
    path("summary/", views.summary, name="summary"),
    path("summary/export.xlsx", views.summary_export, name="summary_export"),
    path("issues/", views.issue_board, name="issue_board"),
    path("issues/export.xlsx", views.issue_board_export, name="issue_board_export"),
    path("households/template.xlsx", views.import_template, name="import_template"),
    path("new/", views.project_create, name="create"),
    path(P, views.project_detail, name="detail"),
    path(P + "edit/", views.project_edit, name="edit"),
    path(P + "action/<str:action>/", views.project_action, name="action"),
    path(P + "stages/export.xlsx", views.stages_export, name="stages_export"),
    path(P + "stages/<str:stage>/", views.stage_edit, name="stage_edit"),
    path(P + "contacts/new/", views.contact_add, name="contact_add"),
    path(P + "contacts/<int:cid>/delete/", views.contact_delete, name="contact_delete"),
    path(P + "events/", views.project_events, name="events"),
    path(P + "households/", views.household_list, name="households"),
    path(P + "households/export.xlsx", views.household_export, name="households_export"),
    path(P + "households/new/", views.household_create, name="household_create"),
    path(P + "households/import/", views.household_import, name="household_import"),
    path(P + "households/bulk/", views.household_bulk, name="household_bulk"),
    path(P + "households/<int:hid>/", views.household_detail, name="household"),
    path(P + "households/<int:hid>/edit/", views.household_edit, name="household_edit"),
    path(P + "households/<int:hid>/phone/", views.household_phone, name="household_phone"),
    path(
        P + "households/<int:hid>/action/<str:action>/",
        views.household_action,
        name="household_action",
    ),
    path(P + "issues/", views.project_issues, name="issues"),
    path(P + "issues/export.xlsx", views.project_issues_export, name="issues_export"),
    path(P + "issues/new/", views.issue_create, name="issue_create"),
    path(P + "issues/<int:iid>/", views.issue_detail, name="issue"),
    path(P + "issues/<int:iid>/edit/", views.issue_edit, name="issue_edit"),
    path(P + "issues/<int:iid>/<str:action>/", views.issue_action, name="issue_action"),
    path(P + "notices/", views.notice_list, name="notices"),
    path(P + "notices/export.xlsx", views.notice_export, name="notices_export"),
    path(P + "notices/generate/", views.notice_generate, name="notice_generate"),
    path(P + "notices/print.pdf", views.notices_pdf, name="notices_pdf"),
    path(P + "notices/<int:nid>.pdf", views.notice_pdf, name="notice_pdf"),
    path(P + "notices/<int:nid>/deliver/", views.notice_deliver, name="notice_deliver"),
    path(P + "notices/<int:nid>/void/", views.notice_void, name="notice_void"),
    path(P + "materials/", views.material_list, name="materials"),
    path(P + "materials/export.xlsx", views.material_export, name="materials_export"),
    path(P + "materials/<int:mid>/download/", views.material_download, name="material_download"),
    path(P + "materials/<int:mid>/delete/", views.material_delete, name="material_delete"),
]
