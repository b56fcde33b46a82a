from django.contrib.auth.decorators import login_required
from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("kiosk-reset/", views.kiosk_reset, name="kiosk_reset"),
    path("register/", views.register, name="register"),
    path("home/", views.home, name="home"),
    path("workbench/", views.workbench, name="workbench"),
    path("otp/", views.otp, name="otp"),
    path("password/", login_required(views.PasswordChangeView.as_view()), name="password_change"),
]
