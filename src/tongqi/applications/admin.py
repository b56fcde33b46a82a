from django.contrib import admin

from tongqi.web.admin_site import ConfigAdmin

from .models import CategoryLimit


@admin.register(CategoryLimit)
class CategoryLimitAdmin(ConfigAdmin):
    """Time limits per project category, effective-dated (new acceptances use the new limit)."""

    list_display = ("category", "days", "effective_from", "document")
    list_filter = ("category",)
