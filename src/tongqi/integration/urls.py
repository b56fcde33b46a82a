"""URLs of the integration app (mounted at /integration/ by tongqi.urls)."""

from django.urls import path

from . import views

app_name = "integration"
urlpatterns = [
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read-all", views.notification_read_all, name="notifications_read_all"),
    path("notifications/preferences", views.notification_preferences, name="preferences"),
    path("notifications/<int:pk>/open", views.notification_open, name="notification_open"),
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke", views.token_revoke, name="token_revoke"),
    path("licence/<str:uscc>", views.licence_lookup, name="licence"),
]
