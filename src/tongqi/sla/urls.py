from django.urls import path

from . import views

app_name = "sla"
urlpatterns = [
    path("", views.calendar_page, name="calendar"),
    path("overrides/", views.override_add, name="override_add"),
    path("overrides/<str:day>/remove/", views.override_remove, name="override_remove"),
    path("import/", views.import_csv, name="import"),
    path("confirm/", views.confirm_year, name="confirm"),
]
