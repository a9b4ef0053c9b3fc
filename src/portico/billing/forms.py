"""Forms of the billing pages: filters (values in the URL), payment, card, note."""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from .models import Invoice, SavedPaymentMethod
from .providers import Card

SORTS = {
    "number": ("number", "id"),
    "-number": ("-number", "-id"),
    "issued": ("issued_on", "id"),
    "-issued": ("-issued_on", "-id"),
    "due": ("due_on", "id"),
    "-due": ("-due_on", "-id"),
    "total": ("gross_total", "id"),
    "-total": ("-gross_total", "-id"),
    "balance": ("balance_raw", "id"),
    "-balance": ("-balance_raw", "-id"),
}


class InvoiceFilterForm(forms.Form):
    STATUS_CHOICES = [
        ("", "All statuses"),
        ("outstanding", "Outstanding"),
        ("overdue", "Overdue"),
        ("paid", "Paid"),
        ("voided", "Voided"),
    ]
    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False)
    issued_from = forms.DateField(
        label="Issued from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    issued_to = forms.DateField(
        label="Issued to", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    q = forms.CharField(
        label="Invoice number",
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "e.g. INV-2026-000012"}),
    )
    sort = forms.ChoiceField(
        choices=[(key, key) for key in SORTS], required=False, widget=forms.HiddenInput
    )

    def filter(self, invoices: QuerySet[Invoice]) -> QuerySet[Invoice]:
        data = self.cleaned_data if self.is_valid() else {}
        status = data.get("status")
        today = timezone.localdate()
        if status == "overdue":
            invoices = invoices.filter(status=Invoice.Status.OUTSTANDING, due_on__lt=today)
        elif status:
            invoices = invoices.filter(status=status)
        if data.get("issued_from"):
            invoices = invoices.filter(issued_on__gte=data["issued_from"])
        if data.get("issued_to"):
            invoices = invoices.filter(issued_on__lte=data["issued_to"])
        if data.get("q"):
            invoices = invoices.filter(number__icontains=data["q"].strip())
        return invoices.order_by(*SORTS.get(data.get("sort") or "", SORTS["-issued"]))

    @property
    def current_sort(self) -> str:
        return (self.cleaned_data.get("sort") if self.is_valid() else "") or "-issued"


class InvoiceChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.number)


class PaymentForm(forms.Form):
    """Pay chosen invoices, or an amount applied to the oldest invoice first (B4)."""

    invoices = InvoiceChoiceField(
        queryset=Invoice.objects.none(),
        to_field_name="number",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Invoices to pay",
    )
    amount = forms.DecimalField(
        label="Amount",
        max_digits=12,
        decimal_places=2,
        min_value=0.01,
        help_text="With no invoice chosen, the amount pays the oldest invoice first; "
        "anything over your balance is kept as credit.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    currency = forms.CharField(max_length=3, widget=forms.HiddenInput)
    idempotency_key = forms.CharField(max_length=64, widget=forms.HiddenInput)
    payment_method = forms.ChoiceField(label="Pay with", widget=forms.RadioSelect)
    card_number = forms.CharField(
        label="Card number",
        required=False,
        max_length=23,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "cc-number"}),
    )
    expiry = forms.CharField(
        label="Expiry date",
        required=False,
        max_length=7,
        help_text="MM/YY",
        widget=forms.TextInput(attrs={"autocomplete": "cc-exp", "placeholder": "MM/YY"}),
    )
    cvc = forms.CharField(
        label="Security code",
        required=False,
        max_length=4,
        help_text="The 3 digits on the back of the card.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "cc-csc"}),
    )
    holder_name = forms.CharField(
        label="Name on card",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "cc-name"}),
    )
    save_card = forms.BooleanField(label="Save this card for next time", required=False)

    NEW_CARD = "new"

    def __init__(
        self,
        *args: Any,
        payable: QuerySet[Invoice],
        saved_methods: list[SavedPaymentMethod],
        collects_card_details: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.payable = payable
        self.collects_card_details = collects_card_details
        self.fields["invoices"].queryset = payable  # type: ignore[attr-defined]
        choices = [(f"saved:{m.pk}", m.label) for m in saved_methods]
        new_label = "A new card" if collects_card_details else "Card, on the secure payment page"
        choices.append((self.NEW_CARD, new_label))
        self.fields["payment_method"].choices = choices  # type: ignore[attr-defined]
        self.fields["payment_method"].initial = choices[0][0]
        self.saved_methods = {f"saved:{m.pk}": m for m in saved_methods}
        if not collects_card_details:
            for name in ("card_number", "expiry", "cvc", "holder_name", "save_card"):
                del self.fields[name]

    @staticmethod
    def new_key() -> str:
        return uuid.uuid4().hex

    def clean_idempotency_key(self) -> str:
        key = self.cleaned_data["idempotency_key"]
        if not re.fullmatch(r"[A-Za-z0-9_-]{16,64}", key):
            raise forms.ValidationError("This form has expired. Reload the page and try again.")
        return key

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        method = data.get("payment_method")
        data["saved_method"] = self.saved_methods.get(method or "")
        data["card"] = None
        if method == self.NEW_CARD and self.collects_card_details:
            data["card"] = self._card(data)
        return data

    def _card(self, data: dict[str, Any]) -> Card | None:
        number = re.sub(r"[\s-]", "", data.get("card_number") or "")
        if not number:
            self.add_error("card_number", "Enter the card number.")
        elif not number.isdigit() or not 12 <= len(number) <= 19 or not luhn_valid(number):
            self.add_error("card_number", "Enter a valid card number, like 4242 4242 4242 4242.")
        month_year = parse_expiry(data.get("expiry") or "")
        if month_year is None:
            self.add_error("expiry", "Enter the expiry date as MM/YY, like 04/29.")
        cvc = (data.get("cvc") or "").strip()
        if not re.fullmatch(r"\d{3,4}", cvc):
            self.add_error("cvc", "Enter the 3 or 4 digit security code.")
        if self.errors or month_year is None:
            return None
        return Card(number, month_year[0], month_year[1], cvc, data.get("holder_name") or "")


def luhn_valid(number: str) -> bool:
    total = 0
    for index, digit in enumerate(reversed(number)):
        value = int(digit)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def parse_expiry(text: str, today: date | None = None) -> tuple[int, int] | None:
    match = re.fullmatch(r"\s*(\d{1,2})\s*/\s*(\d{2}|\d{4})\s*", text)
    if not match:
        return None
    month, year = int(match.group(1)), int(match.group(2))
    year = year + 2000 if year < 100 else year
    today = today or timezone.localdate()
    if not 1 <= month <= 12 or (year, month) < (today.year, today.month):
        return None
    return month, year


class CardForm(forms.Form):
    """Add a card to the account's saved payment methods: tokenised, never stored."""

    card_number = PaymentForm.base_fields["card_number"]
    expiry = PaymentForm.base_fields["expiry"]
    cvc = PaymentForm.base_fields["cvc"]
    holder_name = PaymentForm.base_fields["holder_name"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["card"] = PaymentForm._card(self, data)  # type: ignore[arg-type]
        return data


class NoteForm(forms.Form):
    body = forms.CharField(
        label="Add a note",
        max_length=2000,
        help_text="Only people in your organisation see notes.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class UsagePeriodForm(forms.Form):
    period = forms.ChoiceField(label="Select period", required=False)

    def __init__(self, *args: Any, periods: list[date], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [  # type: ignore[attr-defined]
            (p.strftime("%Y-%m"), p.strftime("%B %Y")) for p in periods
        ]
