import zoneinfo

from django import forms
from django.contrib.auth.forms import SetPasswordForm

from .models import User

TIME_ZONE_CHOICES = [(tz, tz.replace("_", " ")) for tz in sorted(zoneinfo.available_timezones())]


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(choices=TIME_ZONE_CHOICES, label="Time zone")

    class Meta:
        model = User
        fields = ["title", "full_name", "phone", "date_format", "language", "time_zone"]
        labels = {"full_name": "Full name", "date_format": "Date format"}
        help_texts = {"phone": "Used by engineers to reach you about a visit."}


class WelcomePasswordForm(SetPasswordForm):
    """Choose the first password from the welcome link."""
