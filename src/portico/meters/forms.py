from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from django import forms
from django.utils import timezone

MAX_DIGITS = 15
# What people type between thousands: "123,456", "123 456", "123.456", "123_456".
SEPARATORS = re.compile(r"[\s,._'\u00a0\u202f]")


class MeterValueField(forms.CharField):
    """A whole, non-negative count; thousands separators are allowed."""

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = SEPARATORS.sub("", super().to_python(value) or "")
        if not text:
            return None
        if not text.isdigit() or len(text) > MAX_DIGITS:
            raise forms.ValidationError("Enter the number shown on the meter, digits only.")
        return int(text)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.update(inputmode="numeric", autocomplete="off", spellcheck="false")
        return attrs


class ReadingRowForm(forms.Form):
    """One row of the readings grid: the new value, its date, and a confirmation after a caution."""

    value = MeterValueField(label="New reading", required=False)
    read_on = forms.DateField(
        label="Reading date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    confirm = forms.BooleanField(label="Confirm this reading", required=False)
    # The value the caution was about: a confirmation counts only for that value.
    cautioned = forms.IntegerField(required=False, widget=forms.HiddenInput)

    @property
    def has_entry(self) -> bool:
        return self.is_valid() and self.cleaned_data["value"] is not None

    def read_at(self) -> datetime:
        """The reading's moment: now for today (or no date), midday for another day."""
        read_on: date | None = self.cleaned_data.get("read_on")
        if read_on is None or read_on == timezone.localdate():
            return timezone.now()
        return timezone.make_aware(datetime.combine(read_on, time(12, 0)))

    def is_confirmed(self) -> bool:
        data = self.cleaned_data
        return bool(data.get("confirm")) and data.get("cautioned") == data.get("value")


class MachineSearchForm(forms.Form):
    q = forms.CharField(
        label="Find a machine",
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Serial number, asset tag or location"}
        ),
    )
