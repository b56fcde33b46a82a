"""URLs of the pricing app (mounted at /pricing/ by tongqi.urls)."""

from django.urls import path

from .views import catalogue, documents, portal, quotes, receivables

app_name = "pricing"
urlpatterns = [
    path("", catalogue.home, name="home"),
    # marketing's catalogue
    path("packages/", catalogue.package_list, name="packages"),
    path("packages/export.xlsx", catalogue.package_export, name="package_export"),
    path("packages/new/", catalogue.package_edit, name="package_new"),
    path("packages/<int:pk>/", catalogue.package_edit, name="package_edit"),
    path("price-lists/", catalogue.price_list_list, name="price_lists"),
    path("price-lists/new/", catalogue.price_list_edit, name="price_list_new"),
    path("price-lists/<int:pk>/", catalogue.price_list_detail, name="price_list"),
    path("price-lists/<int:pk>/edit/", catalogue.price_list_edit, name="price_list_edit"),
    path("price-lists/<int:pk>/delete/", catalogue.price_list_delete, name="price_list_delete"),
    path("policies/", catalogue.policy_list, name="policies"),
    path("policies/new/", catalogue.policy_edit, name="policy_new"),
    path("policies/<int:pk>/", catalogue.policy_edit, name="policy_edit"),
    path("contractors/", catalogue.contractor_list, name="contractors"),
    path("contractors/new/", catalogue.contractor_edit, name="contractor_new"),
    path("contractors/<int:pk>/", catalogue.contractor_edit, name="contractor"),
    path(
        "contractors/<int:pk>/qualifications/new/",
        catalogue.qualification_edit,
        name="qualification_new",
    ),
    path(
        "contractors/<int:pk>/qualifications/<int:qpk>/",
        catalogue.qualification_edit,
        name="qualification_edit",
    ),
    # quotes
    path("quotes/", quotes.quote_list, name="quotes"),
    path("quotes/export.xlsx", quotes.quote_export, name="quote_export"),
    path("quotes/<int:pk>/", quotes.quote_detail, name="quote_detail"),
    path("quotes/<int:pk>/pdf/", documents.quote_pdf, name="quote_pdf"),
    path("quotes/<int:pk>/issue/", quotes.quote_issue, name="quote_issue"),
    path("quotes/<int:pk>/discard/", quotes.quote_discard, name="quote_discard"),
    path("drawings/<int:pk>/", quotes.drawing_download, name="drawing"),
    path("applications/<int:pk>/quote/", quotes.builder, name="builder"),
    path("applications/<int:pk>/quote/preview/", quotes.builder_preview, name="builder_preview"),
    path("applications/<int:pk>/quote/drawings/", quotes.drawing_upload, name="drawing_upload"),
    path(
        "applications/<int:pk>/quote/drawings/<int:dpk>/delete/",
        quotes.drawing_delete,
        name="drawing_delete",
    ),
    path(
        "applications/<int:pk>/contractors/", portal.contractors_choose, name="contractors_choose"
    ),
    path(
        "applications/<int:pk>/rights-notice.pdf",
        documents.rights_notice_pdf,
        name="rights_pdf",
    ),
    path(
        "applications/<int:pk>/gas-on-certificate.pdf",
        documents.gas_on_pdf,
        name="gas_on_pdf",
    ),
    # the customer's confirmation
    path("portal/quotes/<int:pk>/", portal.portal_quote, name="portal_quote"),
    # 先通气、后缴费
    path("receivables/", receivables.receivable_list, name="receivables"),
    path("receivables/export.xlsx", receivables.receivable_export, name="receivable_export"),
    path("receivables/<int:pk>/", receivables.receivable_detail, name="receivable_detail"),
]
