"""Portal (customers), workbench (staff) and counter pages. Mounted at the site root."""

from django.urls import path

from .views import counter, portal, workbench

app_name = "applications"
urlpatterns = [
    # customer portal (PC, phone, kiosk)
    path("portal/", portal.home, name="portal_home"),
    path("portal/apply/", portal.apply, name="portal_apply"),
    path("portal/apply/licence/", portal.licence_prefill, name="licence_prefill"),
    path("portal/privacy/", portal.privacy_notice, name="privacy_notice"),
    path("portal/applications/<int:pk>/", portal.detail, name="portal_detail"),
    path("portal/applications/<int:pk>/edit/", portal.apply, name="portal_edit"),
    path(
        "portal/applications/<int:pk>/acceptance/",
        portal.request_acceptance,
        name="portal_request_acceptance",
    ),
    path("portal/applications/<int:pk>/cancel/", portal.cancel, name="portal_cancel"),
    path(
        "portal/applications/<int:pk>/commitments/<int:commitment_pk>/",
        portal.supply,
        name="portal_supply",
    ),
    path(
        "portal/applications/<int:pk>/files/<int:attachment_pk>/",
        portal.attachment,
        name="portal_attachment",
    ),
    # staff workbench
    path("workbench/", workbench.workbench, name="workbench"),
    path("workbench/export.xlsx", workbench.export, name="export"),
    path("workbench/counts/", workbench.tab_counts, name="workbench_counts"),
    path("workbench/applications/<int:pk>/", workbench.detail, name="detail"),
    path("workbench/applications/<int:pk>/pii/", workbench.reveal_pii, name="reveal_pii"),
    path(
        "workbench/applications/<int:pk>/files/<int:attachment_pk>/",
        workbench.attachment,
        name="attachment",
    ),
    path(
        "workbench/applications/<int:pk>/commitments/<int:commitment_pk>/",
        workbench.fulfil,
        name="fulfil",
    ),
    path("workbench/applications/<int:pk>/<slug:action>/", workbench.act, name="act"),
    # service counter
    path("counter/", counter.home, name="counter"),
    path("counter/new/", counter.new, name="counter_new"),
]
