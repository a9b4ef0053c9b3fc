from django.urls import path

from . import views

app_name = "customers"
urlpatterns = [
    path("switch/", views.change_account, name="change_account"),
    path("users/", views.users, name="users"),
    path("users/invite/", views.invite_user, name="invite_user"),
    path("users/<int:pk>/", views.edit_member, name="edit_member"),
    path("users/<int:pk>/remove/", views.remove_member, name="remove_member"),
    path("users/<int:pk>/welcome/", views.resend_welcome, name="resend_welcome"),
]
