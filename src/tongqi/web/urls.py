from django.urls import path

from . import views

app_name = "web"
urlpatterns = [
    path("", views.index, name="index"),
    path("healthz", views.healthz, name="healthz"),
    path("kiosk/", views.kiosk, name="kiosk"),
    path("verify/<str:token>", views.verify_document, name="verify"),
]
