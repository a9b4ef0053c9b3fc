"""Forms for the profile (A9), the welcome link and allauth's login and password pages.

allauth's forms are subclassed only to speak the portal's words (sentence case, plain
hints, no placeholders repeating the label); the logic stays allauth's.
"""

import zoneinfo
from typing import Any

from allauth.account.forms import (
    ChangePasswordForm,
    LoginForm,
    ResetPasswordKeyForm,
    SignupForm,
)
from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.core.validators import RegexValidator

from .models import User

TIME_ZONE_CHOICES = [(tz, tz.replace("_", " ")) for tz in sorted(zoneinfo.available_timezones())]

PASSWORD_HINT = (
    "At least 10 characters. Avoid common passwords, only numbers, or anything like your "
    "e-mail address."
)

phone_validator = RegexValidator(
    r"^\+?[0-9 ()\-./]{3,}( ?(ext|x)\.? ?[0-9]{1,6})?$",
    "Enter a phone number using digits, spaces and + ( ) - only, e.g. +44 20 7946 0000.",
)


def _plain(form: forms.Form, labels: dict[str, str], hints: dict[str, str] | None = None) -> None:
    """Relabel fields, drop placeholders that only repeat the label, set plain hints."""
    for name, field in form.fields.items():
        field.widget.attrs.pop("placeholder", None)
        if name in labels:
            field.label = labels[name]
    for name, hint in (hints or {}).items():
        if name in form.fields:
            form.fields[name].help_text = hint


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        choices=TIME_ZONE_CHOICES,
        label="Time zone",
        error_messages={
            "invalid_choice": "Choose a time zone from the list, e.g. Europe/London.",
            "required": "Choose your time zone.",
        },
        help_text="Times in the portal are shown in this zone.",
    )

    class Meta:
        model = User
        fields = ["title", "full_name", "phone", "date_format", "language", "time_zone"]
        labels = {"full_name": "Full name", "date_format": "Date format"}
        help_texts = {
            "title": "For example Ms, Dr or Facilities manager.",
            "phone": "Used by engineers to reach you about a visit.",
            "date_format": "How dates are written everywhere in the portal.",
        }
        error_messages = {
            "date_format": {"invalid_choice": "Choose a date format from the list."},
            "language": {"invalid_choice": "Choose a language from the list."},
        }
        widgets = {
            "title": forms.TextInput(attrs={"autocomplete": "honorific-prefix"}),
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["full_name"].required = True
        self.fields["full_name"].error_messages["required"] = "Enter your full name."
        self.fields["phone"].validators.append(phone_validator)
        for name in ("title", "full_name", "phone"):
            field = self.fields[name]
            limit = field.max_length  # type: ignore[attr-defined]
            field.error_messages["max_length"] = (
                f"{field.label} must be {limit} characters or fewer."
            )

    def clean_full_name(self) -> str:
        return " ".join(self.cleaned_data["full_name"].split())


class WelcomePasswordForm(SetPasswordForm):
    """Choose the first password from the welcome link."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain(
            self,
            {"new_password1": "New password", "new_password2": "New password again"},
            {"new_password1": PASSWORD_HINT, "new_password2": ""},
        )


class PorticoLoginForm(LoginForm):
    """allauth's login form with the portal's labels: "Email" and "Password"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain(
            self,
            {"login": "Email", "password": "Password", "remember": "Keep me logged in"},
            {"password": ""},  # "Forgot password?" sits under the form instead
        )


class PorticoSignupForm(SignupForm):
    """B2C self-registration (A6): name, e-mail and password."""

    full_name = forms.CharField(
        label="Full name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={
            "required": "Enter your full name.",
            "max_length": "Full name must be 150 characters or fewer.",
        },
    )
    field_order = ["full_name", "email", "password1", "password2"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain(
            self,
            {"email": "Email", "password1": "Password", "password2": "Password again"},
            {"password1": PASSWORD_HINT, "email": "You will log in with this address."},
        )


class PorticoChangePasswordForm(ChangePasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain(
            self,
            {
                "oldpassword": "Current password",
                "password1": "New password",
                "password2": "New password again",
            },
            {"oldpassword": "", "password1": PASSWORD_HINT},
        )


class PorticoResetPasswordKeyForm(ResetPasswordKeyForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain(
            self,
            {"password1": "New password", "password2": "New password again"},
            {"password1": PASSWORD_HINT},
        )
