"""Serving an attachment: the one way every case page hands a file back."""

from __future__ import annotations

from django.http import FileResponse

from .models import Attachment


def attachment_response(attachment: Attachment) -> FileResponse:
    """Always a download under its original name, never rendered by the browser: the type was
    checked by content on upload, and the headers stop sniffing and scripting besides."""
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
