"""Every write to a conversation. Owners (service requests, RMAs, orders) call these inside
their own transactions; nothing here decides access — the owner was fetched through its scope."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from .models import Attachment, Entry, OutboundMail, Thread, Visibility
from .uploads import sniff_content_type


def create_thread() -> Thread:
    return Thread.objects.create()


def add_entry(
    *,
    thread: Thread,
    kind: str,
    author: Any | None,
    body: str = "",
    visibility: str = Visibility.PUBLIC,
    data: dict[str, Any] | None = None,
) -> Entry:
    return Entry.objects.create(
        thread=thread,
        kind=kind,
        author=author if getattr(author, "pk", None) else None,
        body=body,
        visibility=visibility,
        data=data or {},
    )


def record_state_change(
    thread: Thread,
    old: str,
    new: str,
    *,
    actor: Any | None,
    labels: dict[str, str] | None = None,
    note: str = "",
) -> Entry:
    labels = labels or {}
    return add_entry(
        thread=thread,
        kind=Entry.Kind.STATE_CHANGE,
        author=actor,
        body=note,
        data={
            "from": old,
            "to": new,
            "from_label": labels.get(old, old),
            "to_label": labels.get(new, new),
        },
    )


@transaction.atomic
def add_comment(
    *,
    thread: Thread,
    author: Any,
    body: str,
    visibility: str = Visibility.PUBLIC,
    files: list[UploadedFile] | None = None,
) -> Entry:
    """A comment, optionally with attachments. Customers can only post public comments."""
    body = body.strip()
    files = files or []
    if not body and not files:
        raise ValidationError("Write a comment or attach a file.")
    if visibility == Visibility.INTERNAL and not getattr(author, "is_staff", False):
        raise ValidationError("Only provider staff can add internal notes.")
    entry = add_entry(
        thread=thread,
        kind=Entry.Kind.COMMENT,
        author=author,
        body=body,
        visibility=visibility,
    )
    for upload in files:
        add_attachment(
            thread=thread, upload=upload, uploaded_by=author, entry=entry, visibility=visibility
        )
    return entry


def validate_upload(upload: UploadedFile) -> str:
    """Check size and real type (by content, not by name); return the detected content type."""
    limit = settings.PORTICO_MAX_UPLOAD_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            f"“{upload.name}” is larger than the {limit // (1024 * 1024)} MB limit."
        )
    content_type = sniff_content_type(upload)
    if content_type is None:
        raise ValidationError(
            f"“{upload.name}” is not a file type we accept (images, PDF, text, office documents, "
            "ZIP)."
        )
    return content_type


@transaction.atomic
def add_attachment(
    *,
    thread: Thread,
    upload: UploadedFile,
    uploaded_by: Any,
    entry: Entry | None = None,
    visibility: str = Visibility.PUBLIC,
) -> Attachment:
    content_type = validate_upload(upload)
    name = (upload.name or "file").replace("\\", "/").rsplit("/", 1)[-1][:200] or "file"
    if entry is None:
        entry = add_entry(
            thread=thread,
            kind=Entry.Kind.ATTACHMENT,
            author=uploaded_by,
            body=name,
            visibility=visibility,
        )
    attachment = Attachment(
        thread=thread,
        entry=entry,
        original_name=name,
        content_type=content_type,
        size=upload.size or 0,
        visibility=visibility,
        uploaded_by=uploaded_by if getattr(uploaded_by, "pk", None) else None,
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    return attachment


def new_reply_token() -> str:
    return secrets.token_urlsafe(24)


def record_outbound_mail(
    *,
    thread: Thread,
    recipient: str,
    recipient_user: Any | None,
    subject: str,
    body: str,
    visibility: str = Visibility.PUBLIC,
) -> OutboundMail:
    """Record an e-mail about the thread on its timeline (the e-mail history, H3)."""
    entry = add_entry(
        thread=thread,
        kind=Entry.Kind.EMAIL_SENT,
        author=None,
        body=body,
        visibility=visibility,
        data={"to": recipient, "subject": subject},
    )
    return OutboundMail.objects.create(
        thread=thread,
        entry=entry,
        recipient=recipient,
        recipient_user=recipient_user,
        subject=subject,
        reply_token=new_reply_token(),
    )
