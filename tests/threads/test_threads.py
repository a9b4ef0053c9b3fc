"""The shared conversation: entries, attachments checked by content, the one timeline."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import RequestFactory

from portico.threads.models import Entry, OutboundMail, Visibility
from portico.threads.services import (
    add_attachment,
    add_comment,
    create_thread,
    record_outbound_mail,
    record_state_change,
)
from portico.threads.uploads import sniff_content_type

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"\x89PNG\r\n\x1a\n....", "image/png"),
        (b"\xff\xd8\xff\xe0....", "image/jpeg"),
        (b"%PDF-1.7\n", "application/pdf"),
        (b"PK\x03\x04....", "application/zip"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"plain notes\n", "text/plain"),
        (b"<html><body>hi</body></html>", None),
        (b"<svg onload=alert(1)>", None),
        (b"\x7fELF\x02\x01\x01\x00", None),
        (b"MZ\x90\x00\x03\x00\x00\x00", None),
    ],
)
def test_type_is_judged_by_content(content, expected):
    assert sniff_content_type(SimpleUploadedFile("file.png", content)) == expected


def test_attachment_is_stored_under_a_generated_name(alice):
    thread = create_thread()
    attachment = add_attachment(
        thread=thread, upload=SimpleUploadedFile("..\\..\\evil.txt", b"notes"), uploaded_by=alice
    )
    assert attachment.original_name == "evil.txt"
    assert "evil" not in attachment.file.name
    assert attachment.entry.kind == Entry.Kind.ATTACHMENT


def test_html_disguised_as_png_and_oversized_files_are_refused(alice, settings):
    thread = create_thread()
    with pytest.raises(ValidationError):
        add_attachment(
            thread=thread,
            upload=SimpleUploadedFile("x.png", b"<!doctype html><script>"),
            uploaded_by=alice,
        )
    settings.PORTICO_MAX_UPLOAD_BYTES = 10
    with pytest.raises(ValidationError, match="larger than"):
        add_attachment(
            thread=thread, upload=SimpleUploadedFile("a.txt", b"x" * 11), uploaded_by=alice
        )
    assert thread.attachments.count() == 0
    assert thread.entries.count() == 0


def test_comment_needs_text_or_a_file_and_internal_needs_staff(alice, sam):
    thread = create_thread()
    with pytest.raises(ValidationError):
        add_comment(thread=thread, author=alice, body="   ")
    with pytest.raises(ValidationError):
        add_comment(thread=thread, author=alice, body="x", visibility=Visibility.INTERNAL)
    note = add_comment(thread=thread, author=sam, body="x", visibility=Visibility.INTERNAL)
    assert note.is_internal
    assert list(thread.entries.public()) == []


def test_outbound_mail_gets_a_unique_reply_token_and_a_timeline_entry():
    thread = create_thread()
    first = record_outbound_mail(
        thread=thread, recipient="a@example.com", recipient_user=None, subject="S", body="B"
    )
    second = record_outbound_mail(
        thread=thread, recipient="b@example.com", recipient_user=None, subject="S", body="B"
    )
    assert first.reply_token != second.reply_token
    assert len(first.reply_token) >= 24
    assert OutboundMail.objects.count() == 2
    assert thread.entries.filter(kind=Entry.Kind.EMAIL_SENT).count() == 2


def _render(entries, *, show_internal: bool, user) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return render_to_string(
        "threads/_timeline.html",
        {
            "entries": entries,
            "show_internal": show_internal,
            "attachment_url_name": "service:attachment",
            "owner_key": "REQ-000001",
        },
        request=request,
    )


def test_one_timeline_template_hides_internal_entries_unless_staff(alice, sam):
    thread = create_thread()
    add_comment(thread=thread, author=alice, body="Customer words")
    add_comment(thread=thread, author=sam, body="Staff secret", visibility=Visibility.INTERNAL)
    record_state_change(thread, "new", "acknowledged", actor=sam, labels={"new": "New"})
    entries = list(thread.entries.select_related("author"))

    customer_view = _render(entries, show_internal=False, user=alice)
    staff_view = _render(entries, show_internal=True, user=sam)

    assert "Customer words" in customer_view and "Staff secret" not in customer_view
    assert "Staff secret" in staff_view and "Internal note" in staff_view
    assert "acknowledged" in customer_view
    assert "<time datetime=" in customer_view
