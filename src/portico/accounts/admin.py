from django.contrib import admin

from .models import Invitation, LoginAttempt, User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["email", "full_name", "is_staff", "is_active", "last_login"]
    search_fields = ["email", "full_name"]
    list_filter = ["is_staff", "is_active"]
    exclude = ["password", "groups", "user_permissions"]


@admin.register(LoginAttempt)
class LoginAttemptAdmin(admin.ModelAdmin):
    list_display = ["attempted_at", "email", "succeeded", "ip_address"]
    list_filter = ["succeeded"]
    search_fields = ["email"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["user", "sent_by", "sent_at", "accepted_at"]
