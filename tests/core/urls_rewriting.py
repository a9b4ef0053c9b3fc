"""URLs whose converters rewrite their value: row URLs must not splice keys into them."""

from django.http import HttpResponse
from django.urls import path, register_converter


class Upper:
    regex = "[A-Za-z0-9_.~-]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value.upper()


class Lower(Upper):
    """Leaves the placeholder as it is: only the second probe shows the rewriting."""

    def to_url(self, value: str) -> str:
        return value.lower()


register_converter(Upper, "upper")
register_converter(Lower, "lower")

urlpatterns = [
    path("shout/<upper:key>/", lambda request, key: HttpResponse(key), name="shout"),
    path("hush/<lower:key>/", lambda request, key: HttpResponse(key), name="hush"),
]
