"""Login audit (A7): Django's auth signals are the one place every attempt passes through."""

from typing import Any

from allauth.account.signals import password_changed as password_changed_signal
from allauth.account.signals import password_reset as password_reset_signal
from allauth.mfa.signals import authentication_failed as mfa_authentication_failed
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from .auth import axes_username, client_ip, user_agent
from .models import LoginAttempt
from .services import password_changed, password_reset_by_email


@receiver(user_logged_in, dispatch_uid="portico.login_succeeded")
def record_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    LoginAttempt.objects.create(
        user=user,
        email=user.email,
        succeeded=True,
        ip_address=client_ip(request),
        user_agent=user_agent(request),
    )


@receiver(user_login_failed, dispatch_uid="portico.login_failed")
def record_failed_login(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    email = axes_username(request, credentials)
    user = get_user_model().objects.filter(email__iexact=email).first() if email else None
    LoginAttempt.objects.create(
        user=user,
        email=email[:254],
        succeeded=False,
        ip_address=client_ip(request),
        user_agent=user_agent(request),
    )


@receiver(mfa_authentication_failed, dispatch_uid="portico.two_factor_failed")
def record_failed_code(
    sender: Any, request: Any, user: Any, reauthentication: bool = False, **kwargs: Any
) -> None:
    """A right password with a wrong authenticator code is a failed login too."""
    if reauthentication:
        return
    LoginAttempt.objects.create(
        user=user,
        email=user.email,
        succeeded=False,
        ip_address=client_ip(request),
        user_agent=user_agent(request),
    )


@receiver(password_changed_signal, dispatch_uid="portico.password_changed")
def clear_temporary_password(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    password_changed(user=user)


@receiver(password_reset_signal, dispatch_uid="portico.password_reset")
def finish_password_reset(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    password_reset_by_email(user=user)
