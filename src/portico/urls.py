from django.contrib import admin
from django.urls import include, path

from portico.core import views as core_views

urlpatterns = [
    path("", include("portico.home.urls")),
    path("accounts/", include("portico.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("account/", include("portico.customers.urls")),
    path("", include("portico.assets.urls")),
    path("orders/", include("portico.orders.urls")),
    path("meters/", include("portico.meters.urls")),
    path("requests/", include("portico.service.urls")),
    path("billing/", include("portico.billing.urls")),
    path("branding.css", core_views.branding_css, name="branding_css"),
    path("branding/logo", core_views.branding_logo, name="branding_logo"),
    path("healthz", core_views.healthz, name="healthz"),
    path("backoffice/workspace/", include("portico.service.workspace_urls")),
    path("backoffice/", admin.site.urls),
]
