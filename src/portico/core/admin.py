"""Branding in the back office (H5): one row of the provider's look and words."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from portico.backoffice.options import StaffModelAdmin

from .branding import DEFAULT_LABELS
from .models import HEX_COLOUR, Branding

LABEL_PREFIX = "label__"
LABEL_MAX_LENGTH = 60
# Links and the active menu tab use the primary colour on white; WCAG AA asks 4.5:1.
MINIMUM_CONTRAST = 4.5


def _luminance(hex_colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_with_white(hex_colour: str) -> float:
    return 1.05 / (_luminance(hex_colour) + 0.05)


def _label_field(key: str, default: str) -> forms.CharField:
    kind = "Menu" if key.startswith("nav_") else "Text"
    return forms.CharField(
        label=f"{kind}: {default}",
        required=False,
        max_length=LABEL_MAX_LENGTH,
        help_text=f"Default: “{default}” (key {key}). Leave empty to keep it.",
        widget=forms.TextInput(attrs={"placeholder": default}),
    )


class BrandingFormBase(forms.ModelForm):
    """Colours checked for format and contrast; labels as one field per word, not raw JSON."""

    extra_labels = forms.CharField(
        label="Other labels",
        required=False,
        help_text='Labels not listed above, as JSON: {"key": "text"}.',
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = Branding
        fields = [
            "product_name",
            "provider_name",
            "logo",
            "primary_colour",
            "accent_colour",
            "support_email",
        ]
        help_texts = {
            "primary_colour": "# and six hex digits, e.g. #1d4ed8. Used for the header, "
            "buttons and links, so it must be dark enough to read on white.",
            "accent_colour": "# and six hex digits, e.g. #0f766e.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(self.instance.labels or {})
        for key in DEFAULT_LABELS:
            self.fields[LABEL_PREFIX + key].initial = labels.pop(key, "")
        self.fields["extra_labels"].initial = (
            json.dumps(labels, ensure_ascii=False) if labels else ""
        )

    def _clean_colour(self, name: str) -> str:
        value = (self.cleaned_data.get(name) or "").strip().lower()
        if not HEX_COLOUR.match(value):
            raise forms.ValidationError(
                "Enter a colour as # followed by six hex digits, e.g. #1d4ed8."
            )
        return value

    def clean_primary_colour(self) -> str:
        value = self._clean_colour("primary_colour")
        ratio = contrast_with_white(value)
        if ratio < MINIMUM_CONTRAST:
            raise forms.ValidationError(
                f"This colour is too light: links in it on white reach {ratio:.1f}:1 "
                f"contrast, and at least {MINIMUM_CONTRAST}:1 is needed. Choose a darker shade."
            )
        return value

    def clean_accent_colour(self) -> str:
        return self._clean_colour("accent_colour")

    def clean_extra_labels(self) -> dict[str, str]:
        text = (self.cleaned_data.get("extra_labels") or "").strip()
        try:
            value = json.loads(text) if text else {}
        except ValueError:
            value = None
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise forms.ValidationError('Write the labels as {"key": "text", …}.')
        too_long = [k for k, v in value.items() if len(v) > LABEL_MAX_LENGTH]
        if too_long:
            raise forms.ValidationError(
                f"A label has at most {LABEL_MAX_LENGTH} characters: {', '.join(too_long)}."
            )
        return value

    def save(self, commit: bool = True) -> Branding:
        labels = dict(self.cleaned_data.get("extra_labels") or {})
        for key, default in DEFAULT_LABELS.items():
            text = (self.cleaned_data.get(LABEL_PREFIX + key) or "").strip()
            if text and text != default:
                labels[key] = text
        self.instance.labels = labels
        return super().save(commit)


# The label fields are declared on the class so the admin's fieldsets can name them.
BrandingForm = type(
    "BrandingForm",
    (BrandingFormBase,),
    {LABEL_PREFIX + key: _label_field(key, default) for key, default in DEFAULT_LABELS.items()},
)


LABEL_FIELDS: list[Any] = [*(LABEL_PREFIX + key for key in DEFAULT_LABELS), "extra_labels"]


@admin.register(Branding)
class BrandingAdmin(StaffModelAdmin):
    form = BrandingForm
    fieldsets = [
        ("Names", {"fields": ["product_name", "provider_name", "support_email"]}),
        ("Look", {"fields": ["logo", "primary_colour", "accent_colour"]}),
        (
            "Menu labels and button texts",
            {
                "fields": LABEL_FIELDS,
                "description": "Words shown in the portal. Empty fields use the default.",
            },
        ),
    ]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return super().has_add_permission(request) and not Branding.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # One row: the list would only ever show it, so go straight to its form.
        if Branding.objects.filter(pk=1).exists():
            return HttpResponseRedirect(reverse("admin:core_branding_change", args=[1]))
        return HttpResponseRedirect(reverse("admin:core_branding_add"))
