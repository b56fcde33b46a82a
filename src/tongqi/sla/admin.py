from django.contrib import admin

from tongqi.web.admin_site import ConfigAdmin

from .models import PauseReason


@admin.register(PauseReason)
class PauseReasonAdmin(ConfigAdmin):
    """Whether each pause reason stops the clock (SPEC §3: configurable)."""

    capability = "calendar.manage"
    list_display = ("code", "stops_clock", "customer_side")
    list_editable = ("stops_clock", "customer_side")
