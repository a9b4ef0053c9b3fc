from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Exists, OuterRef

from portico.core.access import Scope
from portico.customers.models import Site

from .models import Asset, ProductModel, WarrantyState


class AssetFilterForm(forms.Form):
    """The assets page's filter bar (E3); every value lives in the URL."""

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Serial, asset tag or location"}
        ),
    )
    site = forms.ModelChoiceField(
        label="Site", queryset=Site.objects.none(), required=False, empty_label="All sites"
    )
    model = forms.ModelChoiceField(
        label="Model",
        queryset=ProductModel.objects.none(),
        required=False,
        empty_label="All models",
    )
    warranty = forms.ChoiceField(
        label="Warranty",
        required=False,
        choices=[("", "Any warranty"), *WarrantyState.choices],
    )

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sites = Site.objects.visible_to(scope).order_by("name")
        if len(sites[:2]) < 2:
            del self.fields["site"]  # one site: nothing to choose
        else:
            self.fields["site"].queryset = sites  # type: ignore[attr-defined]
        visible = Asset.objects.visible_to(scope).filter(product_model=OuterRef("pk"))
        self.fields["model"].queryset = ProductModel.objects.filter(Exists(visible))  # type: ignore[attr-defined]

    def filter(self, assets: Any) -> Any:
        if not self.is_bound:
            return assets
        self.is_valid()  # a wrong value drops only its own filter
        data = self.cleaned_data
        if data.get("site"):
            assets = assets.filter(site=data["site"])
        if data.get("model"):
            assets = assets.filter(product_model=data["model"])
        if data.get("warranty"):
            assets = assets.with_warranty(data["warranty"])
        return assets.search(data.get("q") or "")

    @property
    def is_filtered(self) -> bool:
        if not self.is_bound:
            return False
        self.is_valid()
        return any(self.cleaned_data.values())


class AssetRegistrationForm(forms.Form):
    """A customer adds a machine (E3); an individual registers a product bought (E4)."""

    product_model = forms.ModelChoiceField(
        label="Model",
        queryset=ProductModel.objects.filter(is_active=True),
        empty_label="Choose the model",
    )
    serial_number = forms.CharField(
        label="Serial number",
        max_length=60,
        help_text="Usually on a label at the back or inside the front cover.",
    )
    purchased_on = forms.DateField(
        label="Purchase date",
        required=True,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="From your receipt: the warranty is counted from this date.",
    )
    site = forms.ModelChoiceField(label="Site", queryset=Site.objects.none(), empty_label=None)
    location = forms.CharField(
        label="Location within the site",
        max_length=200,
        required=False,
        help_text="e.g. 2nd floor, Finance",
    )
    asset_tag = forms.CharField(
        label="Asset tag",
        max_length=60,
        required=False,
        help_text="Your own inventory number, if you use one.",
    )

    def __init__(self, *args: Any, scope: Scope, individual: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sites = Site.objects.visible_to(scope).order_by("name")
        self.fields["site"].queryset = sites  # type: ignore[attr-defined]
        if individual:
            # A person registers a product at home: no sites, tags or floors to ask about.
            for name in ("location", "asset_tag"):
                del self.fields[name]
            only = sites.first()
            self.fields["site"].widget = forms.HiddenInput()
            self.fields["site"].initial = only.pk if only else None
        else:
            del self.fields["purchased_on"]
