from django.urls import path

from . import views

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/logins/", views.login_history, name="login_history"),
    path("profile/logins.csv", views.login_history_csv, name="login_history_csv"),
    path("welcome/<uidb64>/<token>/", views.welcome, name="welcome"),
]
