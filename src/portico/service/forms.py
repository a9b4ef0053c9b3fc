"""Forms of the customer pages: raising a request, the list filters, comments, Respond."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.choices import BaseChoiceIterator

from portico.accounts.models import User
from portico.assets.models import Asset
from portico.core.access import Scope
from portico.core.prepared import PreparedQuery
from portico.core.renderers import FixedChoices, PlainSelect
from portico.customers.models import Site

from .models import Category, ExtraField, Priority, ServiceRequest
from .services import on_behalf_choices


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; the service checks each by content."""

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def files_field(label: str = "Attachments") -> forms.FileField:
    return MultipleFileField(
        label=label,
        required=False,
        widget=MultipleFileInput(attrs={"multiple": True, "data-dropzone-input": True}),
        help_text="Photos, PDFs, text or office documents. You can choose several files.",
    )


class ScopedForm(forms.Form):
    def _field(self, name: str) -> Any:
        """A field whose queryset or choices depend on the scope (typed loosely on purpose)."""
        return self.fields[name]


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name()


class AssetChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        tag = f" · tag {obj.asset_tag}" if obj.asset_tag else ""
        return f"{obj.product_model} — {obj.serial_number}{tag} ({obj.site.name})"


class RequestForm(ScopedForm):
    """T1. The service re-validates everything; this form shapes the page and the input."""

    submission_key = forms.CharField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(max_length=200, help_text="A few words, e.g. “Paper jam in tray 2”.")
    description = forms.CharField(
        label="Fault description",
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What happens, any error code on the display, since when.",
    )
    category = forms.ModelChoiceField(
        queryset=Category.objects.none(), required=False, empty_label="Choose a category"
    )
    priority = forms.ChoiceField(choices=Priority.choices, initial=Priority.NORMAL)
    site = forms.ModelChoiceField(
        queryset=Site.objects.none(), required=False, empty_label="Choose a site"
    )
    asset = AssetChoiceField(
        label="Machine",
        queryset=Asset.objects.none(),
        required=False,
        empty_label="No particular machine",
    )
    contact_name = forms.CharField(label="Contact person", max_length=150, required=False)
    contact_phone = forms.CharField(
        label="Contact phone",
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    additional_notes = forms.CharField(
        label="Additional notes",
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For the engineer: who to contact on site, access restrictions, parking.",
    )
    on_behalf_of = PersonChoiceField(
        label="On behalf of",
        queryset=User.objects.none(),
        required=False,
        empty_label="Myself",
        help_text="Raise it for a colleague: they get the updates too.",
        error_messages={
            "invalid_choice": "Choose a colleague who can see service requests at this site."
        },
    )
    attachments = files_field()

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope = scope
        self._field("category").queryset = Category.objects.filter(is_active=True)
        self._field("site").queryset = Site.objects.visible_to(scope).order_by("name")
        self.fields["site"].required = scope.site_ids is not None
        assets = Asset.objects.visible_to(scope).select_related("site", "product_model")
        site_id = self.data.get("site") or self.initial.get("site")
        if site_id and str(site_id).isdigit():
            assets = assets.filter(site_id=site_id)
        self._field("asset").queryset = assets.order_by("site__name", "serial_number")
        self._field("on_behalf_of").queryset = (
            self._colleagues(scope).exclude(pk=scope.user.pk).order_by("full_name", "email")
        )
        if not self.is_bound and not self.initial.get("submission_key"):
            self.initial["submission_key"] = uuid.uuid4().hex
        self.extra_fields = list(
            ExtraField.objects.filter(Q(category__isnull=True) | Q(category__is_active=True))
            .select_related("category")
            .order_by("position", "label")
        )
        for field in self.extra_fields:
            self.fields[f"extra_{field.key}"] = self._extra_field(field)
        extra_names = [f"extra_{field.key}" for field in self.extra_fields]
        self.order_fields(
            ["submission_key", "title", "description", "category", *extra_names, "priority"]
        )

    def _colleagues(self, scope: Scope) -> Any:
        """Who the request may be raised for: colleagues who will see it at the chosen site.

        Before a site is chosen, everyone who may view requests is offered; the submitted
        site (or the machine's) narrows the choice, and the service checks it again.
        """
        site_id = self.data.get("site") or self.initial.get("site")
        asset_id = self.data.get("asset") or self.initial.get("asset")
        site = None
        if site_id and str(site_id).isdigit():
            site = Site.objects.visible_to(scope).filter(pk=site_id).first()
        elif asset_id and str(asset_id).isdigit():
            asset = Asset.objects.visible_to(scope).select_related("site").filter(pk=asset_id)
            site = getattr(asset.first(), "site", None)
        if site is not None:
            return on_behalf_choices(site.organisation_id, site)
        # Submitted without a site, the request is seen only by colleagues with every site.
        return on_behalf_choices(scope.organisation, None, any_site=not self.is_bound)

    @staticmethod
    def _extra_field(field: ExtraField) -> forms.Field:
        hint = field.help_text
        if field.category is not None:
            need = "Needed" if field.is_required else "Asked"
            hint = f"{hint} {need} for {field.category.name} requests.".strip()
        common: dict[str, Any] = {
            "label": field.label,
            "help_text": hint,
            # Category-specific fields are checked by the service for that category only.
            "required": field.is_required and field.category is None,
        }
        if field.kind == ExtraField.Kind.CHOICE:
            choices = [("", "Choose…")] + [(c, c) for c in field.choice_list()]
            return forms.ChoiceField(choices=choices, **common)
        if field.kind == ExtraField.Kind.DATE:
            return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
        return forms.CharField(max_length=500, **common)

    def extra_values(self) -> dict[str, Any]:
        return {
            field.key: self.cleaned_data.get(f"extra_{field.key}") for field in self.extra_fields
        }


SORTS = {
    "number": "number",
    "title": "title",
    "site": "site__name",
    "status": "state",
    "priority": "priority_rank",
    "created": "created_at",
    "updated": "updated_at",
}
STATUS_OPEN = "open"


class ReadOnce(BaseChoiceIterator):
    """Choices read when the select is drawn or a value is checked, not for every use of
    the form, and then kept. Drawing a select goes through its choices three times, and a
    callable's choices are read and normalised again on each (a third of the filter bar's
    time)."""

    def __init__(self, read: Callable[[], list[tuple[Any, str]]]) -> None:
        self.read = read
        self.kept: list[tuple[Any, str]] | None = None

    def __iter__(self) -> Iterator[tuple[Any, str]]:
        if self.kept is None:
            self.kept = list(self.read())
        return iter(self.kept)


@cache
def site_choices() -> PreparedQuery[tuple[int, str]]:
    """(id, name) of the sites a scope sees, by name; compiled once (``core.prepared``)."""
    return PreparedQuery(
        Site,
        lambda organisations, sites: (
            Site.objects.visible_in(organisations, sites).order_by("name").values_list("pk", "name")
        ),
    )


@cache
def category_choices() -> PreparedQuery[tuple[int, str]]:
    """(id, name) of every category, in the back office's order."""
    return PreparedQuery(Category, lambda: Category.objects.values_list("pk", "name"))


class RequestFilterForm(ScopedForm):
    """T2. Every value lives in the URL, so a list can be bookmarked and shared."""

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Number, asset tag, serial, site or title"}
        ),
    )
    status = forms.ChoiceField(
        required=False,
        widget=PlainSelect,
        choices=FixedChoices(
            [("", "Any status"), (STATUS_OPEN, "All open"), *ServiceRequest.State.choices]
        ),
    )
    priority = forms.ChoiceField(
        required=False,
        widget=PlainSelect,
        choices=FixedChoices([("", "Any priority"), *Priority.choices]),
    )
    # Sites and categories as (id, name) pairs: a filter needs no instances.
    site = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, widget=PlainSelect)
    category = forms.TypedChoiceField(
        required=False,
        widget=PlainSelect,
        coerce=int,
        empty_value=None,
    )
    created_from = forms.DateField(
        label="Created from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    created_to = forms.DateField(
        label="Created to", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field("site").choices = ReadOnce(
            lambda: [("", "Any site"), *site_choices()(*scope.reach)]
        )
        self._field("category").choices = ReadOnce(
            lambda: [("", "Any category"), *category_choices()()]
        )


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Add a comment",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    attachments = files_field()


class UploadForm(forms.Form):
    attachments = files_field("Add files")


class RespondForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your response",
        widget=forms.RadioSelect,
        choices=[
            ("approve", "Approve"),
            ("decline", "Decline"),
            ("question", "Ask a question"),
        ],
    )
    reason = forms.CharField(
        label="Reason for declining",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when you decline.",
    )
    question = forms.CharField(
        label="Your question",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when you ask a question.",
    )
