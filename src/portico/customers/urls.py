from django.urls import path

from . import views

app_name = "customers"
urlpatterns = [
    path("switch/", views.change_account, name="change_account"),
]
