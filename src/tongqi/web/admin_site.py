"""The configuration console (Django admin) for the system administrator only.

Separation of duties (三权分立): the administrator configures the organisation, users, packages,
calendar and API clients, but business records (applications, complaints) are not registered
here at all, and the audit log is read only through the auditor's pages.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tongqi.accounts.roles import Cap


class TongqiAdminSite(admin.AdminSite):
    site_header = _("TongQi configuration")
    site_title = _("TongQi configuration")
    index_title = _("Configuration")

    def has_permission(self, request):
        user = request.user
        return bool(user.is_active and user.is_authenticated and user.can(Cap.CONFIG_MANAGE))


class ConfigAdmin(admin.ModelAdmin):
    """Base ModelAdmin: permissions follow our capabilities, not Django's per-model perms."""

    capability = Cap.CONFIG_MANAGE

    def _allowed(self, request) -> bool:
        return bool(request.user.is_authenticated and request.user.can(self.capability))

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)
