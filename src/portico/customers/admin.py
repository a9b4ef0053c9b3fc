from django.contrib import admin

from .models import Membership, Organisation, Site


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0
    fields = ["name", "street", "postcode", "city", "country"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "customer_number", "kind", "parent", "bill_to", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "customer_number"]
    autocomplete_fields = ["parent", "bill_to"]
    inlines = [SiteInline]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "city", "postcode"]
    search_fields = ["name", "city", "postcode", "organisation__name"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "all_sites", "reaches_subsidiaries"]
    search_fields = ["user__email", "organisation__name"]
    list_select_related = ["user", "organisation"]
    autocomplete_fields = ["user", "organisation"]
    filter_horizontal = ["sites"]
