from django.contrib import admin

from .admin_site import ConfigAdmin
from .models import SyntheticRun


@admin.register(SyntheticRun)
class SyntheticRunAdmin(ConfigAdmin):
    """The runs of ``tongqi generate``: read only (a record of what was made)."""

    list_display = ("started_at", "seed", "requested", "applications", "seconds", "finished_at")
    readonly_fields = (
        "seed",
        "requested",
        "applications",
        "first_application_id",
        "last_application_id",
        "rows",
        "options",
        "started_at",
        "finished_at",
        "seconds",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
