"""URLs of service supervision (mounted at /service/ by tongqi.urls)."""

from django.urls import path

from .views import callbacks, complaints, home, inspections, plan, public, windows

app_name = "service"
urlpatterns = [
    path("", home.home, name="home"),
    path("settings/", home.settings_view, name="settings"),
    # callbacks and surveys
    path("callbacks/", callbacks.callback_list, name="callbacks"),
    path("callbacks/export.xlsx", callbacks.callback_export, name="callbacks_export"),
    path("callbacks/<int:pk>/", callbacks.callback_detail, name="callback_detail"),
    path("callbacks/<int:pk>/resend/", callbacks.survey_resend, name="survey_resend"),
    path("surveys/", callbacks.survey_list, name="surveys"),
    path("surveys/export.xlsx", callbacks.survey_export, name="surveys_export"),
    path("s/<str:token>/", public.survey_public, name="survey_public"),
    # complaints
    path("complaints/", complaints.complaint_list, name="complaints"),
    path("complaints/export.xlsx", complaints.complaint_export, name="complaints_export"),
    path("complaints/new/", complaints.complaint_new, name="complaint_new"),
    path("complaints/end-of-day/", complaints.complaints_eod, name="complaints_eod"),
    path("complaints/<int:pk>/", complaints.complaint_detail, name="complaint_detail"),
    path("complaints/<int:pk>/phone/", complaints.complaint_phone, name="complaint_phone"),
    path("my/complaints/", complaints.my_complaints, name="my_complaints"),
    # inspections
    path("inspections/", inspections.inspection_list, name="inspections"),
    path("inspections/new/", inspections.inspection_new, name="inspection_new"),
    path("inspections/<int:pk>/", inspections.inspection_detail, name="inspection_detail"),
    path("rectifications/", inspections.rectification_list, name="rectifications"),
    path(
        "rectifications/<int:pk>/<str:action>/",
        inspections.rectification_action,
        name="rectification_action",
    ),
    # the action plan and the briefing
    path("plan/", plan.plan_list, name="plan"),
    path("plan/tasks/<int:pk>/", plan.plan_task, name="plan_task"),
    path("plan/evidence/<int:pk>/", plan.plan_evidence, name="plan_evidence"),
    path("briefing/", plan.briefing, name="briefing"),
    path("briefing/<str:period>.pdf", plan.briefing_pdf_view, name="briefing_pdf"),
    # windows
    path("windows/", windows.window_list, name="windows"),
    path("windows/new/", windows.window_edit, name="window_new"),
    path("windows/criteria/", windows.criteria_edit, name="criteria"),
    path("windows/<int:pk>/", windows.window_detail, name="window_detail"),
    path("windows/<int:pk>/edit/", windows.window_edit, name="window_edit"),
    path("windows/<int:pk>/evaluate/", windows.window_evaluate, name="window_evaluate"),
]
