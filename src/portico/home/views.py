from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portico.core.access import portal_view
from portico.core.rights import SIGNED_IN


@portal_view(SIGNED_IN)
def home(request: HttpRequest) -> HttpResponse:
    """Greets the user and links to what their rights let them use (H1)."""
    return render(request, "home/home.html")
