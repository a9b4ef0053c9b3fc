"""Views that serve the shell itself rather than customer data."""

import mimetypes

from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from .models import Branding


def _on_colour(hex_colour: str) -> str:
    """Black or white text, whichever reaches the higher WCAG contrast on the colour."""
    r, g, b = (int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return "#ffffff" if (1.05 / (luminance + 0.05)) >= ((luminance + 0.05) / 0.05) else "#111827"


@require_GET
@cache_control(max_age=60, public=True)
def branding_css(request: HttpRequest) -> HttpResponse:
    """The provider's colours as CSS custom properties: branding is data, not a build."""
    branding = Branding.current()
    css = render_to_string(
        "core/branding.css",
        {
            "primary": branding.primary_colour,
            "accent": branding.accent_colour,
            "on_primary": _on_colour(branding.primary_colour),
            "on_accent": _on_colour(branding.accent_colour),
        },
    )
    return HttpResponse(css, content_type="text/css; charset=utf-8")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_GET
@cache_control(max_age=300, public=True)
def branding_logo(request: HttpRequest) -> FileResponse:
    """The provider's logo. Uploaded files are never served from a public media URL."""
    branding = Branding.current()
    if not branding.logo:
        raise Http404("No logo.")
    content_type = mimetypes.guess_type(branding.logo.name)[0] or "application/octet-stream"
    response = FileResponse(branding.logo.open("rb"), content_type=content_type)
    # An SVG opened directly must not run script in the portal's origin.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response
