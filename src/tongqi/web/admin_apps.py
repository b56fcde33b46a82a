from django.contrib.admin.apps import AdminConfig


class TongqiAdminConfig(AdminConfig):
    """The Django admin, restricted to configuration and to the system administrator."""

    default_site = "tongqi.web.admin_site.TongqiAdminSite"
