"""A URL whose converter rewrites its value: row URLs must not splice keys into it."""

from django.http import HttpResponse
from django.urls import path, register_converter


class Upper:
    regex = "[A-Za-z0-9_.~-]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value.upper()


register_converter(Upper, "upper")

urlpatterns = [path("shout/<upper:key>/", lambda request, key: HttpResponse(key), name="shout")]
