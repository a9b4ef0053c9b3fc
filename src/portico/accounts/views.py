from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.tokens import default_token_generator
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.views.decorators.cache import never_cache

from portico.core.access import PortalRequest, portal_view
from portico.core.exports import stream_csv
from portico.core.rights import SIGNED_IN, Function, Right

from . import services
from .forms import ProfileForm, WelcomePasswordForm


@portal_view(SIGNED_IN)
def profile(request: PortalRequest) -> HttpResponse:
    # A fresh copy: an invalid form must not change request.user for the rest of the page.
    user = get_user_model().objects.get(pk=request.user.pk)
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your profile has been saved.")
        return redirect("profile")
    successes = request.user.login_attempts.filter(succeeded=True).order_by("-attempted_at", "-id")
    context = {
        "form": form,
        "has_two_factor": services.has_two_factor(request.user),
        # The newest success is this session; the one before tells the user something.
        "previous_login": next(iter(successes[1:2]), None),
        "payments_right": request.portal_scope.can(Function.PAYMENTS, Right.VIEW),
    }
    return render(request, "accounts/profile.html", context)


@portal_view(SIGNED_IN)
def login_history(request: PortalRequest) -> HttpResponse:
    attempts = request.user.login_attempts.order_by("-attempted_at", "-id")
    page = Paginator(attempts, 25).get_page(request.GET.get("page"))
    return render(request, "accounts/login_history.html", {"page": page})


@portal_view(SIGNED_IN)
def login_history_csv(request: PortalRequest) -> StreamingHttpResponse:
    attempts = request.user.login_attempts.order_by("-attempted_at", "-id")
    rows = (
        [
            a.attempted_at.isoformat(),
            "Success" if a.succeeded else "Failed",
            a.ip_address or "",
            a.user_agent,
        ]
        for a in attempts.iterator(chunk_size=500)
    )
    return stream_csv(
        "login-history.csv",
        ["Time (UTC)", "Outcome", "IP address", "Device"],
        rows,
    )


@never_cache
def welcome(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The one-time link from the welcome e-mail: choose a password, then you are in (A1)."""
    user_model = get_user_model()
    try:
        user = user_model.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)))
    except (user_model.DoesNotExist, ValueError, TypeError, OverflowError):
        user = None
    if user is None or not user.is_active or not default_token_generator.check_token(user, token):
        return render(request, "accounts/welcome_invalid.html", status=400)
    form = WelcomePasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.accept_welcome(user=user, password=form.cleaned_data["new_password1"])
        login(request, user, backend="allauth.account.auth_backends.AuthenticationBackend")
        messages.success(request, "Your password is set. Welcome!")
        return redirect("home")
    return render(request, "accounts/welcome.html", {"form": form, "invited": user})
