"""Root URLs. Each app mounts its own ``urls.py``; the API collects each app's ``api.py``."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from tongqi.api import v1

urlpatterns = [
    path("", include("tongqi.web.urls")),
    path("accounts/", include("tongqi.accounts.urls")),
    path("config/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", v1.urls()),
    path("audit/", include("tongqi.audit.urls")),
    path("calendar/", include("tongqi.sla.urls")),
    path("integration/", include("tongqi.integration.urls")),
    path("", include("tongqi.applications.urls")),
    path("pricing/", include("tongqi.pricing.urls")),
    path("works/", include("tongqi.works.urls")),
    path("service/", include("tongqi.service.urls")),
    path("retrofit/", include("tongqi.retrofit.urls")),
    path("reports/", include("tongqi.reports.urls")),
]

handler400 = "tongqi.web.views.error_400"
handler403 = "tongqi.web.views.error_403"
handler404 = "tongqi.web.views.error_404"
handler500 = "tongqi.web.views.error_500"

if settings.DEBUG:  # pragma: no cover - uploaded files are served by the web server in production
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
