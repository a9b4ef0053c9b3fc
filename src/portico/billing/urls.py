from django.urls import path

from . import views, webhooks

app_name = "billing"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("invoices/", views.invoice_list, name="invoices"),
    path("invoices/export.csv", views.invoice_export_csv, name="invoices_csv"),
    path("invoices/export.xlsx", views.invoice_export_xlsx, name="invoices_xlsx"),
    path("invoices/<str:invoice_number>/", views.invoice_detail, name="invoice"),
    path("invoices/<str:invoice_number>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("invoices/<str:invoice_number>/e-invoice.xml", views.invoice_ubl, name="invoice_ubl"),
    path("invoices/<str:invoice_number>/notes/", views.invoice_add_note, name="invoice_note"),
    path("pay/", views.make_payment, name="make_payment"),
    path("pay/return/", views.payment_return, name="payment_return"),
    path("payments/<int:payment_id>/", views.payment_detail, name="payment"),
    path("payments/<int:payment_id>/confirm/", views.payment_confirm, name="payment_confirm"),
    path("payment-methods/", views.payment_methods, name="payment_methods"),
    path("payment-methods/add/", views.payment_method_add, name="payment_method_add"),
    path(
        "payment-methods/<int:payment_method_id>/remove/",
        views.payment_method_remove,
        name="payment_method_remove",
    ),
    path("usage/", views.usage, name="usage"),
    path("usage/export.csv", views.usage_export_csv, name="usage_csv"),
    path("webhooks/stripe/", webhooks.stripe_webhook, name="stripe_webhook"),
]
