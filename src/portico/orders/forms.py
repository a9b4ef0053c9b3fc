from __future__ import annotations

import secrets
from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from portico.assets.models import Asset, Supply
from portico.core.access import Scope
from portico.customers.models import Site

from .models import SupplyOrder
from .services import MAX_QUANTITY

NOT_FITTING = (
    "One of the chosen items does not fit this machine. Choose from the list, or use "
    "“Request an item” to ask for something else."
)


class NewOrderForm(forms.Form):
    """E5: the supplies that fit the machine, each with a tick box and a quantity."""

    supplies = forms.ModelMultipleChoiceField(
        label="Items",
        queryset=Supply.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": NOT_FITTING, "invalid_pk_value": NOT_FITTING},
    )
    delivery_site = forms.ModelChoiceField(
        label="Deliver to", queryset=Site.objects.none(), empty_label=None
    )
    notes = forms.CharField(
        label="Notes",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Anything the driver or our team should know, e.g. who receives the delivery.",
    )
    # One-time key: submitting the same form twice creates one order.
    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, asset: Asset, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fitting = Supply.objects.filter(fits=asset.product_model_id, is_active=True).order_by(
            "kind", "item_code"
        )
        self.fields["supplies"].queryset = fitting  # type: ignore[attr-defined]
        self.supply_list = list(fitting)
        for supply in self.supply_list:
            self.fields[self.quantity_name(supply)] = forms.IntegerField(
                label=f"Quantity of {supply.description}",
                required=False,
                initial=1,
                widget=forms.NumberInput(
                    attrs={"min": 1, "max": MAX_QUANTITY, "inputmode": "numeric"}
                ),
            )
        sites = Site.objects.visible_to(scope).filter(organisation_id=asset.organisation_id)
        self.fields["delivery_site"].queryset = sites.order_by("name")  # type: ignore[attr-defined]
        self.fields["delivery_site"].initial = asset.site_id
        if not self.is_bound:
            self.fields["submission_key"].initial = secrets.token_hex(16)

    @staticmethod
    def quantity_name(supply: Supply) -> str:
        return f"quantity_{supply.pk}"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        ticked = data.get("supplies")
        if "supplies" in self.errors:
            return data
        if not ticked:
            self.add_error("supplies", "Tick at least one item to order.")
            return data
        quantities = {}
        for supply in ticked:
            name = self.quantity_name(supply)
            quantity = data.get(name)
            if name in self.errors:
                continue
            if quantity is None:
                quantity = 1
            if not 1 <= quantity <= MAX_QUANTITY:
                self.add_error(name, f"Enter a quantity from 1 to {MAX_QUANTITY}.")
                continue
            quantities[supply.pk] = quantity
        data["quantities"] = quantities
        return data

    def full_clean(self) -> None:
        super().full_clean()
        # Quantities of items left unticked do not matter: drop their errors.
        if hasattr(self, "cleaned_data"):
            ticked = {s.pk for s in self.cleaned_data.get("supplies") or []}
            for supply in self.supply_list:
                name = self.quantity_name(supply)
                if supply.pk not in ticked and name in self.errors:
                    del self.errors[name]

    def rows(self, forecasts: dict[int, Any] | None = None) -> list[dict[str, Any]]:
        """One row per fitting supply for the template: the supply, tick, quantity, forecast."""
        ticked = {str(v) for v in (self["supplies"].value() or [])}
        return [
            {
                "supply": supply,
                "checked": str(supply.pk) in ticked,
                "quantity": self[self.quantity_name(supply)],
                "forecast": (forecasts or {}).get(supply.pk),
            }
            for supply in self.supply_list
        ]


class ItemRequestForm(forms.Form):
    message = forms.CharField(
        label="What do you need?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Describe the item, e.g. its name or code, colour and how many you need.",
    )


class OrderFilterForm(forms.Form):
    """The orders tab's filter bar; every value lives in the URL."""

    q = forms.CharField(
        label="Order number",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "e.g. ORD-000123"}),
    )
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *SupplyOrder.Status.choices]
    )
    site = forms.ModelChoiceField(
        label="Delivery site", queryset=Site.objects.none(), required=False, empty_label="All sites"
    )
    date_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    asset = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sites = Site.objects.visible_to(scope).order_by("name")
        if len(sites[:2]) < 2:
            del self.fields["site"]  # one site: nothing to choose
        else:
            self.fields["site"].queryset = sites  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date must be on or after the start date.")
        return data

    def filter(self, orders: QuerySet[SupplyOrder]) -> QuerySet[SupplyOrder]:
        if not self.is_bound:
            return orders
        self.is_valid()  # a wrong value drops only its own filter
        data = self.cleaned_data
        if data.get("q"):
            orders = orders.filter(number__icontains=data["q"].strip())
        if data.get("status"):
            orders = orders.filter(status=data["status"])
        if data.get("site"):
            orders = orders.filter(site=data["site"])
        # Whole local days, as ranges on the indexed column.
        if data.get("date_from"):
            start = timezone.make_aware(datetime.combine(data["date_from"], time.min))
            orders = orders.filter(created_at__gte=start)
        if data.get("date_to"):
            end = timezone.make_aware(
                datetime.combine(data["date_to"] + timedelta(days=1), time.min)
            )
            orders = orders.filter(created_at__lt=end)
        return orders

    @property
    def is_filtered(self) -> bool:
        if not self.is_bound:
            return False
        self.is_valid()
        return any(v for k, v in self.cleaned_data.items() if k != "asset")
