"""A one-page URL configuration for tests that switch ROOT_URLCONF."""

from django.http import HttpResponse
from django.urls import path

urlpatterns = [path("only/", lambda request: HttpResponse("only"), name="only")]
