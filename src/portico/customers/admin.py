"""Organisations (with their hierarchy), sites and memberships in the back office (A1, A3–A5)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html_join

from portico.backoffice.options import StaffModelAdmin, StaffStackedInline, StaffTabularInline
from portico.core.rights import Function

from .models import Membership, Organisation, Site
from .roles import ROLE_CHOICES, rights_for_role

RIGHT_FIELDS = [f.value for f in Function]


class MembershipAdminForm(forms.ModelForm):
    """A membership as staff edit it; "Apply role template" fills every right on save."""

    apply_role = forms.ChoiceField(
        label="Apply role template",
        choices=[("", "— keep the rights below —"), *ROLE_CHOICES],
        required=False,
        help_text="When chosen, every right below is replaced by the template's on save.",
    )

    class Meta:
        model = Membership
        fields = [
            "user",
            "organisation",
            "role",
            *RIGHT_FIELDS,
            "all_sites",
            "sites",
            "reaches_subsidiaries",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in RIGHT_FIELDS:
            if name in self.fields:
                self.fields[name].required = False  # a role template may fill them

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        role = cleaned.get("apply_role")
        if role:
            cleaned.update(rights_for_role(role))
            cleaned["role"] = role
            self.instance.role = role
        else:
            for name in RIGHT_FIELDS:
                if name not in self.fields or name in self.errors:
                    continue  # not edited on this form (e.g. the organisation's one-line view)
                if cleaned.get(name) in (None, ""):
                    self.add_error(name, "Choose a right, or apply a role template.")
        organisation = cleaned.get("organisation") or getattr(self.instance, "organisation", None)
        sites = list(cleaned.get("sites") or [])
        if organisation is not None:
            foreign = [s.name for s in sites if s.organisation_id != organisation.pk]
            if foreign:
                self.add_error(
                    "sites", f"These sites belong to another organisation: {', '.join(foreign)}."
                )
        if cleaned.get("all_sites") is False and not sites:
            self.add_error("sites", "Choose at least one site, or tick “all sites”.")
        return cleaned


MEMBERSHIP_FIELDSETS: list[Any] = [
    (None, {"fields": ["apply_role", "role"]}),
    (
        "Rights (none / view / create / amend)",
        {
            "fields": [
                ("tickets", "orders", "meters", "rmas"),
                ("assets", "documents", "kb", "users"),
                ("invoices", "payments", "usage"),
            ]
        },
    ),
    ("Sites and reach", {"fields": ["all_sites", "sites", "reaches_subsidiaries"]}),
]


class UserMembershipInline(StaffStackedInline):
    """The organisations a user belongs to, on the user's page."""

    model = Membership
    form = MembershipAdminForm
    extra = 0
    autocomplete_fields = ["organisation", "sites"]
    readonly_fields = ["role"]
    fieldsets = [
        (None, {"fields": ["organisation", "apply_role", "role"]}),
        *MEMBERSHIP_FIELDSETS[1:],
    ]
    verbose_name = "membership"
    verbose_name_plural = "memberships (organisations this user belongs to)"


class OrganisationMembershipInline(StaffTabularInline):
    """The people of an organisation, one line each; every right is edited on the membership."""

    model = Membership
    form = MembershipAdminForm
    extra = 0
    autocomplete_fields = ["user"]
    fields = [
        "user",
        "apply_role",
        "role",
        "rights_held",
        "all_sites",
        "sites",
        "reaches_subsidiaries",
    ]
    readonly_fields = ["role", "rights_held"]
    show_change_link = True
    parent: Organisation | None = None

    @admin.display(description="Rights")
    def rights_held(self, membership: Membership) -> str:
        return membership.rights_summary() if membership.pk else "—"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        return super().get_queryset(request).select_related("user").prefetch_related("sites")

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        self.parent = obj
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "sites":
            kwargs["queryset"] = (
                Site.objects.filter(organisation=self.parent)
                if self.parent
                else Site.objects.none()
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class SiteInline(StaffTabularInline):
    model = Site
    extra = 0
    fields = ["name", "street", "postcode", "city", "country"]


class ParentFilter(admin.SimpleListFilter):
    """Filter by enterprise: its direct subsidiaries, or the top-level organisations."""

    title = "parent"
    parameter_name = "parent"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        parents = Organisation.objects.filter(subsidiaries__isnull=False).distinct()
        return [("none", "Top level (no parent)")] + [(str(o.pk), o.name) for o in parents]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Organisation]) -> Any:
        value = self.value()
        if value == "none":
            return queryset.filter(parent__isnull=True)
        if value and value.isdigit():
            return queryset.filter(parent_id=int(value))
        return queryset


@admin.register(Organisation)
class OrganisationAdmin(StaffModelAdmin):
    list_display = [
        "hierarchy",
        "customer_number",
        "kind",
        "parent",
        "depth_shown",
        "site_count",
        "status",
    ]
    list_filter = [ParentFilter, "kind", "status"]
    search_fields = ["name", "customer_number"]
    autocomplete_fields = ["parent", "bill_to"]
    ordering = ["path"]
    list_select_related = ["parent", "bill_to"]
    readonly_fields = ["depth_shown", "subsidiary_links", "created_at"]
    fieldsets = [
        (None, {"fields": ["name", "customer_number", "kind", "status"]}),
        (
            "Hierarchy and billing",
            {
                "fields": [
                    "parent",
                    "depth_shown",
                    "subsidiary_links",
                    "subsidiaries_share_data",
                    "bill_to",
                ]
            },
        ),
        ("Security", {"fields": ["require_two_factor", "created_at"]}),
    ]
    inlines = [SiteInline, OrganisationMembershipInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organisation]:
        return super().get_queryset(request).annotate(site_total=Count("sites", distinct=True))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # an organisation is closed (status), never deleted: invoices point at it

    @admin.display(description="Organisation", ordering="path")
    def hierarchy(self, organisation: Organisation) -> str:
        # Indented with em spaces: the CSP forbids inline styles, and the admin has no class for it.
        if not organisation.depth:
            return organisation.name
        return "\u2003" * (organisation.depth - 1) + "↳ " + organisation.name

    @admin.display(description="Depth")
    def depth_shown(self, organisation: Organisation) -> int:
        return organisation.depth

    @admin.display(description="Sites", ordering="site_total")
    def site_count(self, organisation: Organisation) -> int:
        return getattr(organisation, "site_total", 0)

    @admin.display(description="Subsidiaries")
    def subsidiary_links(self, organisation: Organisation) -> str:
        subsidiaries = organisation.subsidiaries.order_by("name") if organisation.pk else []
        links = format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:customers_organisation_change", args=[s.pk]), s.name)
                for s in subsidiaries
            ),
        )
        return links or "—"


@admin.register(Site)
class SiteAdmin(StaffModelAdmin):
    list_display = ["name", "organisation", "city", "postcode", "country"]
    list_filter = ["organisation"]
    search_fields = ["name", "city", "postcode", "organisation__name"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]


@admin.register(Membership)
class MembershipAdmin(StaffModelAdmin):
    form = MembershipAdminForm
    list_display = ["user", "organisation", "role", "all_sites", "reaches_subsidiaries"]
    list_filter = ["role", "reaches_subsidiaries", "all_sites"]
    search_fields = ["user__email", "user__full_name", "organisation__name"]
    list_select_related = ["user", "organisation"]
    autocomplete_fields = ["user", "organisation", "sites"]
    readonly_fields = ["role"]
    fieldsets = [(None, {"fields": ["user", "organisation"]}), *MEMBERSHIP_FIELDSETS]
