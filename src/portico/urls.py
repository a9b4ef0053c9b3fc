from django.conf import settings
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
    path("threads/", include("portico.threads.urls")),
    path("branding.css", core_views.branding_css, name="branding_css"),
    path("healthz", core_views.healthz, name="healthz"),
    path("backoffice/", admin.site.urls),
]

if settings.DEBUG:
    from django.views.static import serve

    urlpatterns += [
        path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}),
    ]
