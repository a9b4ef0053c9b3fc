"""People who log in, their preferences (A9) and their login history (A7)."""

from __future__ import annotations

import zoneinfo
from functools import cache
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from portico.core.prepared import PreparedQuery


class DateFormat(models.TextChoices):
    DMY_SLASH = "d/m/Y", "31/12/2026"
    MDY_SLASH = "m/d/Y", "12/31/2026"
    ISO = "Y-m-d", "2026-12-31"
    DMY_DOT = "d.m.Y", "31.12.2026"
    LONG = "j M Y", "31 Dec 2026"


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError("Choose a time zone from the list, e.g. Europe/London.")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        # People created by staff (or the demo) are vouched for: their address counts as
        # verified. Self-registered users go through allauth's sign-up and verify by e-mail.
        from allauth.account.models import EmailAddress

        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)

    def get(self, *args: Any, **kwargs: Any) -> User:
        """The ORM's ``get``. ``get(pk=…)``, which loads the user of every signed-in request
        (``ModelBackend.get_user``, with the id from the session), runs a query compiled
        once (``core.prepared``) instead of compiling it each time."""
        key = kwargs.get("pk")
        if type(key) is str and key.isascii() and key.isdigit():
            key = int(key)
        if args or self._db is not None or len(kwargs) != 1 or type(key) is not int:
            return super().get(*args, **kwargs)
        found = user_by_pk()(key)
        if not found:
            raise self.model.DoesNotExist(
                f"{self.model._meta.object_name} matching query does not exist."
            )
        return found[0]


@cache
def user_by_pk() -> PreparedQuery[User]:
    return PreparedQuery(User, lambda pk: User.objects.filter(pk=pk))


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("Email", unique=True, max_length=254)
    title = models.CharField(max_length=40, blank=True, help_text="e.g. Ms, Dr, Facilities manager")
    full_name = models.CharField(max_length=150, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    date_format = models.CharField(
        max_length=10, choices=DateFormat.choices, default=DateFormat.DMY_SLASH
    )
    language = models.CharField(max_length=10, choices=settings.LANGUAGES, default="en")
    time_zone = models.CharField(
        max_length=64, default=settings.TIME_ZONE, validators=[validate_time_zone]
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        "Provider staff", default=False, help_text="Works in the back office."
    )
    must_change_password = models.BooleanField(
        default=False, help_text="Set when an administrator chose a temporary password."
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return (self.full_name.split() or [self.email])[0]


class LoginAttempt(models.Model):
    """Every login attempt, successful or not (A7)."""

    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="login_attempts"
    )
    email = models.CharField(max_length=254, blank=True)
    succeeded = models.BooleanField()
    attempted_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-attempted_at", "-id"]
        indexes = [models.Index(fields=["user", "-attempted_at"])]

    def __str__(self) -> str:
        outcome = "succeeded" if self.succeeded else "failed"
        return f"{self.email} {outcome} at {self.attempted_at:%Y-%m-%d %H:%M}"


class Invitation(models.Model):
    """A welcome e-mail with a one-time link to set a password (A1)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    sent_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"Welcome to {self.user.email} sent {self.sent_at:%Y-%m-%d}"
