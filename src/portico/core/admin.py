from django.contrib import admin

from .models import Branding


@admin.register(Branding)
class BrandingAdmin(admin.ModelAdmin):
    fields = [
        "product_name",
        "provider_name",
        "logo",
        "primary_colour",
        "accent_colour",
        "support_email",
        "labels",
    ]
