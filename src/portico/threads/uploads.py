"""What an uploaded file really is, judged by its first bytes rather than its name."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile

# (magic prefix, content type). Office formats are ZIP (docx/xlsx) or OLE (doc/xls) containers.
SIGNATURES: list[tuple[bytes, str]] = [
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),
]
TEXT_LIKE_MARKERS = (b"<html", b"<!doctype", b"<script", b"<svg", b"<?xml", b"<body", b"<iframe")


def sniff_content_type(upload: UploadedFile) -> str | None:
    """The detected type, or None when the content is not an accepted kind.

    WebP is RIFF....WEBP. Plain text is accepted when it decodes as UTF-8 and carries no
    markup that a browser could run; it is always served as text/plain and as a download.
    """
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    for magic, content_type in SIGNATURES:
        if head.startswith(magic):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    lowered = head.lower()
    if any(marker in lowered for marker in TEXT_LIKE_MARKERS):
        return None
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        # A multi-byte character may be cut at the 2048-byte boundary.
        try:
            head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return None
    if b"\x00" in head:
        return None
    return "text/plain"
