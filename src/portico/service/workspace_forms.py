"""Forms of the agents' workspace: the queue's filter bar and one small form per action."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from portico.core.renderers import FixedChoices, PlainSelect

from .forms import files_field
from .models import Priority, ServiceRequest, WorkLine

OPEN = "open"
ALL = "all"
MINE = "me"
UNASSIGNED = "unassigned"


class QueueFilterForm(forms.Form):
    """The filter bar; every value lives in the URL so a filtered queue can be bookmarked."""

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "accesskey": "s",
                "placeholder": "Number, title or organisation",
            }
        ),
    )
    state = forms.ChoiceField(
        label="State",
        required=False,
        widget=PlainSelect,
        choices=FixedChoices(
            [(OPEN, "Open (any)"), *ServiceRequest.State.choices, (ALL, "All states")]
        ),
    )
    priority = forms.ChoiceField(
        label="Priority",
        required=False,
        widget=PlainSelect,
        choices=FixedChoices([("", "Any priority"), *Priority.choices]),
    )
    # Typed, not a <select>: one option per organisation would grow with every sign-up.
    organisation = forms.CharField(
        label="Organisation",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "Name or customer number"}),
    )
    assigned = forms.ChoiceField(
        label="Assigned",
        required=False,
        widget=PlainSelect,
        choices=FixedChoices(
            [("", "Anyone"), (MINE, "Assigned to me"), (UNASSIGNED, "Unassigned")]
        ),
    )

    def filters(self) -> dict[str, Any]:
        """The cleaned filters, with the defaults of an unfiltered queue."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {
            "q": (data.get("q") or "").strip(),
            "state": data.get("state") or OPEN,
            "priority": data.get("priority") or "",
            "organisation": (data.get("organisation") or "").strip(),
            "assigned": data.get("assigned") or "",
        }


class CommentForm(forms.Form):
    """A public reply or an internal note; the button pressed says which."""

    PUBLIC = "public"
    INTERNAL = "internal"

    body = forms.CharField(
        label="Message",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4, "accesskey": "r"}),
    )
    attachments = files_field()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("body") or "").strip() and not data.get("attachments"):
            raise forms.ValidationError("Write a message or attach a file.")
        # The submit button pressed ("Reply to customer" or "Add internal note") decides; a
        # post without it (replayed, scripted) must not turn an intended note into a reply.
        visibility = self.data.get(self.add_prefix("visibility"))
        if visibility not in (self.PUBLIC, self.INTERNAL):
            raise forms.ValidationError(
                "Choose “Reply to customer” or “Add internal note” to send the message."
            )
        data["internal"] = visibility == self.INTERNAL
        return data


class StateForm(forms.Form):
    """Only the transitions the table allows from the current state are offered."""

    new_state = forms.ChoiceField(label="New state")
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=2000,
        help_text="Shown to the customer on the timeline.",
    )

    def __init__(self, *args: Any, service_request: ServiceRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = ServiceRequest.TRANSITIONS.get(service_request.state, set())
        choices = [
            (value, label) for value, label in ServiceRequest.State.choices if value in allowed
        ]
        self.fields["new_state"].choices = choices  # type: ignore[attr-defined]
        self.has_choices = bool(choices)


def staff_users() -> Any:
    return (
        get_user_model()
        .objects.filter(is_staff=True, is_active=True)
        .only("pk", "full_name", "email")
        .order_by("full_name", "email")
    )


class StaffChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name()


class AssignForm(forms.Form):
    technicians = StaffChoiceField(
        label="Technicians",
        required=False,
        queryset=staff_users(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked to unassign.",
    )


class ScheduleForm(forms.Form):
    when = forms.DateTimeField(
        label="Visit date and time",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class RecommendationForm(forms.Form):
    description = forms.CharField(
        label="Recommendation",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: replace the fuser unit.",
    )
    amount = forms.DecimalField(
        label="Quoted amount (GBP)",
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.00"),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )


class WorkLineForm(forms.Form):
    kind = forms.ChoiceField(label="Kind", choices=WorkLine.Kind.choices)
    description = forms.CharField(label="Description", max_length=200)
    quantity = forms.DecimalField(
        label="Quantity",
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.01"),
        initial=Decimal("1"),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    hours = forms.DecimalField(
        label="Hours",
        required=False,
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text="Labour only.",
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    unit_price = forms.DecimalField(
        label="Unit price (GBP)",
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.00"),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == WorkLine.Kind.LABOUR and not data.get("hours"):
            self.add_error("hours", "Enter the hours worked for a labour line.")
        return data
