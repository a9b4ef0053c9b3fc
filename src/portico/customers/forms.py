"""Forms for managing the users of an organisation: who they are and what they may do (A3, A4)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict

from portico.core.access import Scope
from portico.core.rights import Function, Right

from .models import Membership, Site
from .roles import ROLE_CHOICES, ROLE_TEMPLATES, rights_for_role
from .services import EMAIL_MAX_LENGTH, FULL_NAME_MAX_LENGTH, Grant, grant_errors

SITE_SCOPE_CHOICES = [("1", "All sites"), ("0", "Only the sites chosen below")]


def role_rights_within(scope: Scope, role: str) -> dict[str, int]:
    """A role template's rights, lowered to what the acting administrator holds."""
    return {f: min(value, int(scope.right(f))) for f, value in rights_for_role(role).items()}


def _as_bool(value: Any) -> bool:
    return str(value) in {"1", "True", "true", "on"}


class GrantForm(forms.Form):
    """The rights grid, the site scope and subsidiary reach, limited to what the actor holds."""

    role = forms.ChoiceField(
        label="Role template",
        required=False,
        choices=[("", "Custom"), *ROLE_CHOICES],
        help_text="Choose a role to fill in the rights below, then adjust them if needed.",
    )
    all_sites = forms.TypedChoiceField(
        label="Site access",
        choices=SITE_SCOPE_CHOICES,
        coerce=_as_bool,
        initial="1",
        widget=forms.RadioSelect,
    )
    sites = forms.ModelMultipleChoiceField(
        label="Sites",
        queryset=Site.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "You can only give access to sites you can see yourself.",
            "invalid_pk_value": "Choose sites from the list.",
        },
    )
    reaches_subsidiaries = forms.BooleanField(
        label="Also reaches the organisation's subsidiaries",
        required=False,
        help_text="They can switch to every subsidiary and see its data.",
    )

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope = scope
        for function in Function:
            self.fields[function.value] = forms.TypedChoiceField(
                label=function.label,
                choices=Right.choices,
                coerce=int,
                initial=Right.NONE,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": "Choose none, view, create or amend."},
            )
        self.fields["sites"].queryset = (  # type: ignore[attr-defined]
            Site.objects.visible_to(scope).filter(organisation=scope.organisation).order_by("name")
        )

    @classmethod
    def prefilled(cls, data: QueryDict, *, scope: Scope, **kwargs: Any) -> GrantForm:
        """An unbound form carrying what was typed, with the chosen role's rights filled in.

        This is the "Apply role" button for browsers without JavaScript: nothing is saved
        and no error is shown yet.
        """
        initial: dict[str, Any] = {name: data.get(name, "") for name in cls.base_fields}
        initial["all_sites"] = data.get("all_sites") or "1"
        initial["sites"] = data.getlist("sites")
        initial["reaches_subsidiaries"] = _as_bool(data.get("reaches_subsidiaries"))
        initial.update({f.value: data.get(f.value, Right.NONE) for f in Function})
        role = data.get("role", "")
        if role in ROLE_TEMPLATES:
            initial.update(role_rights_within(scope, role))
        return cls(initial=initial, scope=scope, **kwargs)

    # --- rendering helpers -------------------------------------------------------
    @property
    def can_grant_reach(self) -> bool:
        membership = self.scope.membership
        return membership is not None and membership.reaches_subsidiaries

    @property
    def role_templates(self) -> dict[str, dict[str, int]]:
        """Role rights within the actor's own, for the small script that pre-fills the grid."""
        return {role: role_rights_within(self.scope, role) for role in ROLE_TEMPLATES}

    def rights_rows(self) -> list[dict[str, Any]]:
        rows = []
        for function in Function:
            bound = self[function.value]
            value = str(bound.value())
            held = int(self.scope.right(function))
            options = [
                {
                    "id": f"{bound.auto_id}_{index}",
                    "value": right.value,
                    "label": right.label,
                    "checked": value == str(right.value),
                    "disabled": right.value > held,
                }
                for index, right in enumerate(Right)
            ]
            rows.append({"field": bound, "label": function.label, "options": options})
        return rows

    def site_options(self) -> list[dict[str, Any]]:
        bound = self["sites"]
        chosen = {str(v) for v in (bound.value() or [])}
        return [
            {
                "id": f"{bound.auto_id}_{index}",
                "value": site.pk,
                "label": site.name,
                "hint": site.address,
                "checked": str(site.pk) in chosen,
            }
            for index, site in enumerate(self.fields["sites"].queryset)  # type: ignore[attr-defined]
        ]

    @property
    def all_sites_chosen(self) -> bool:
        return _as_bool(self["all_sites"].value())

    # --- validation ----------------------------------------------------------------
    def grant(self) -> Grant:
        data = self.cleaned_data
        return Grant(
            rights={f.value: data[f.value] for f in Function},
            all_sites=data["all_sites"],
            sites=tuple(data.get("sites") or ()),
            reaches_subsidiaries=data["reaches_subsidiaries"],
            role=data.get("role", ""),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        grant_fields = ["role", "all_sites", "sites", "reaches_subsidiaries", *Function.values]
        if any(name in self.errors for name in grant_fields):
            return cleaned
        for field, messages in grant_errors(scope=self.scope, grant=self.grant()).items():
            for message in messages:
                self.add_error(field, message)
        return cleaned

    def add_service_errors(self, errors: dict[str | None, list[str]]) -> None:
        for field, messages in errors.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


class InviteForm(GrantForm):
    email = forms.EmailField(
        label="Email",
        max_length=EMAIL_MAX_LENGTH,
        help_text="They log in with this address and receive the welcome e-mail there.",
        error_messages={
            "required": "Enter the person's e-mail address.",
            "invalid": "Enter an e-mail address like name@example.com.",
            "max_length": f"An e-mail address has at most {EMAIL_MAX_LENGTH} characters.",
        },
    )
    full_name = forms.CharField(
        label="Full name",
        max_length=FULL_NAME_MAX_LENGTH,
        error_messages={
            "required": "Enter the person's full name.",
            "max_length": f"A name has at most {FULL_NAME_MAX_LENGTH} characters.",
        },
    )

    field_order = ["email", "full_name"]


def grant_initial(membership: Membership) -> dict[str, Any]:
    """The edit form's starting values: what the membership grants today."""
    return {
        **membership.rights(),
        "role": membership.role if membership.role in ROLE_TEMPLATES else "",
        "all_sites": "1" if membership.all_sites else "0",
        "sites": [site.pk for site in membership.sites.all()],
        "reaches_subsidiaries": membership.reaches_subsidiaries,
    }
