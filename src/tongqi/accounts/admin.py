"""Configuration of the organisation and of users (system administrator only)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from tongqi.web.admin_site import ConfigAdmin

from . import services
from .models import District, Grid, OrgUnit, User


@admin.register(District)
class DistrictAdmin(ConfigAdmin):
    list_display = ("code", "name", "kind")
    search_fields = ("code", "name")


@admin.register(OrgUnit)
class OrgUnitAdmin(ConfigAdmin):
    list_display = ("name", "code", "kind", "parent", "escalation_to")
    list_filter = ("kind",)
    search_fields = ("name", "code")
    raw_id_fields = ("escalation_to",)


@admin.register(Grid)
class GridAdmin(ConfigAdmin):
    list_display = ("unit", "district", "meter_reader", "safety_inspector")
    list_filter = ("district",)
    raw_id_fields = ("meter_reader", "safety_inspector")


@admin.register(User)
class UserAdmin(ConfigAdmin):
    capability = "users.manage"
    list_display = ("username", "full_name", "role", "org_unit", "is_active", "last_login")
    list_filter = ("role", "is_active", "org_unit")
    search_fields = ("username", "full_name")
    fields = (
        "username",
        "full_name",
        "email",
        "role",
        "org_unit",
        "mobile",
        "absent_until",
        "cover",
        "is_active",
        "last_login",
        "date_joined",
        "password_changed_at",
    )
    readonly_fields = ("last_login", "date_joined", "password_changed_at")
    raw_id_fields = ("cover",)
    actions = ["disable_users", "end_sessions"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("org_unit")

    def save_model(self, request, obj, form, change):
        if change and "is_active" in form.changed_data:
            super().save_model(request, obj, form, change)
            services.user_set_active(user=obj, active=obj.is_active, reason="configuration")
            return
        if not change:
            obj.set_unusable_password()
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Disable the selected users and end their sessions"))
    def disable_users(self, request, queryset):
        for user in queryset:
            services.user_set_active(user=user, active=False, reason="disabled by administrator")
        messages.success(request, _("Users disabled."))

    @admin.action(description=_("End the selected users' sessions"))
    def end_sessions(self, request, queryset):
        n = sum(services.sessions_end(user=u) for u in queryset)
        messages.success(request, _("{n} sessions ended.").format(n=n))
