"""Users, invitations and login attempts in the back office (A1, A7)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import password_validation
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest

from portico.backoffice import services
from portico.backoffice.options import CappedCountPaginator, ReadOnlyStaffAdmin, StaffModelAdmin
from portico.customers.admin import UserMembershipInline
from portico.customers.models import Membership

from .models import Invitation, LoginAttempt, User

TEMPORARY_PASSWORD_HELP = (
    "Optional. Leave empty to e-mail a welcome link so they choose their own password. "
    "A temporary password is never e-mailed: tell them yourself; they must change it when "
    "they first log in."
)


class _EmailUnique:
    """E-mail addresses are logins: unique whatever their case."""

    instance: User
    cleaned_data: dict[str, Any]

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        taken = User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError("A user with this e-mail address already exists.")
        return email


class _TemporaryPassword:
    instance: User
    cleaned_data: dict[str, Any]

    def clean_temporary_password(self) -> str:
        password = self.cleaned_data.get("temporary_password") or ""
        if password:
            candidate = User(email=self.cleaned_data.get("email") or self.instance.email)
            password_validation.validate_password(password, candidate)
        return password


class UserAddForm(_EmailUnique, _TemporaryPassword, forms.ModelForm):
    temporary_password = forms.CharField(
        label="Temporary password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=TEMPORARY_PASSWORD_HELP,
    )

    class Meta:
        model = User
        fields = ["email", "full_name", "is_staff"]


class UserChangeForm(_EmailUnique, _TemporaryPassword, forms.ModelForm):
    temporary_password = forms.CharField(
        label="New temporary password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Optional. Replaces their password; they must change it when they next log in.",
    )

    class Meta:
        model = User
        fields = [
            "email",
            "title",
            "full_name",
            "phone",
            "is_active",
            "is_staff",
            "date_format",
            "language",
            "time_zone",
        ]


def login_status(user: User) -> str:
    if not user.is_active:
        return "Deactivated"
    if not user.has_usable_password():
        return "Invited"
    if user.must_change_password:
        return "Temporary password"
    return "Active"


@admin.register(User)
class UserAdmin(StaffModelAdmin):
    list_display = ["email", "full_name", "organisations", "status", "is_staff", "last_login"]
    search_fields = ["email", "full_name"]
    list_filter = ["is_staff", "is_active", "must_change_password"]
    ordering = ["email"]
    actions = ["send_welcome_email"]
    readonly_fields = ["status", "must_change_password", "last_login", "date_joined"]
    add_fieldsets = [(None, {"fields": ["email", "full_name", "is_staff", "temporary_password"]})]
    fieldsets = [
        (None, {"fields": ["email", "title", "full_name", "phone"]}),
        (
            "Login",
            {
                "fields": [
                    "status",
                    "is_active",
                    "is_staff",
                    "temporary_password",
                    "must_change_password",
                    "last_login",
                    "date_joined",
                ]
            },
        ),
        ("Preferences", {"fields": ["date_format", "language", "time_zone"]}),
    ]
    inlines = [UserMembershipInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        memberships = Membership.objects.select_related("organisation").order_by(
            "organisation__name"
        )
        return super().get_queryset(request).prefetch_related(Prefetch("memberships", memberships))

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.add_fieldsets if obj is None else self.fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [] if obj is None else self.readonly_fields

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        return [] if obj is None else self.inlines

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        kwargs["form"] = UserChangeForm if obj is not None else UserAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    @admin.display(description="Organisations")
    def organisations(self, user: User) -> str:
        return ", ".join(m.organisation.name for m in user.memberships.all()) or "—"

    @admin.display(description="Status")
    def status(self, user: User) -> str:
        return login_status(user)

    def save_form(self, request: HttpRequest, form: Any, change: bool) -> Any:
        if change:
            return super().save_form(request, form, change)
        data = form.cleaned_data
        # A new login goes through the service: it records and queues the welcome e-mail.
        return services.create_user(
            actor=request.user,  # type: ignore[arg-type]
            email=data["email"],
            full_name=data["full_name"],
            is_staff=data["is_staff"],
            temporary_password=data["temporary_password"],
        )

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if not change:
            return  # saved by services.create_user in save_form
        super().save_model(request, obj, form, change)
        password = form.cleaned_data.get("temporary_password")
        if password:
            services.set_temporary_password(actor=request.user, user=obj, password=password)  # type: ignore[arg-type]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        if change:
            super().save_related(request, form, formsets, change)

    def response_add(self, request: HttpRequest, obj: User, post_url_continue: Any = None) -> Any:
        if obj.has_usable_password():
            messages.info(request, f"Tell {obj.email} their temporary password yourself.")
        else:
            messages.info(
                request, f"A welcome e-mail with a one-time link is on its way to {obj.email}."
            )
        return super().response_add(request, obj, post_url_continue)

    @admin.action(description="Send welcome e-mail")
    def send_welcome_email(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        outcome = services.resend_welcomes(actor=request.user, users=list(queryset))  # type: ignore[arg-type]
        if outcome.sent:
            self.message_user(
                request,
                f"Welcome e-mail sent to {', '.join(u.email for u in outcome.sent)}.",
                messages.SUCCESS,
            )
        if outcome.skipped:
            self.message_user(
                request,
                "Not sent to "
                + ", ".join(u.email for u in outcome.skipped)
                + ": they have chosen a password already or are deactivated. "
                "They can use “Forgot password?” on the login page.",
                messages.WARNING,
            )


@admin.register(LoginAttempt)
class LoginAttemptAdmin(ReadOnlyStaffAdmin):
    list_display = ["attempted_at", "email", "succeeded", "ip_address", "user_agent"]
    list_filter = ["succeeded"]
    search_fields = ["email", "ip_address"]
    # No date_hierarchy: its year links aggregate the whole table on every load.
    paginator = CappedCountPaginator
    show_full_result_count = False


class AcceptedFilter(admin.SimpleListFilter):
    title = "accepted"
    parameter_name = "accepted"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Password set"), ("no", "Waiting")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> Any:
        if self.value() == "yes":
            return queryset.filter(accepted_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(accepted_at__isnull=True)
        return queryset


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyStaffAdmin):
    list_display = ["user", "sent_by", "sent_at", "accepted_at"]
    list_filter = [AcceptedFilter]
    list_select_related = ["user", "sent_by"]
    search_fields = ["user__email", "user__full_name"]
    date_hierarchy = "sent_at"
