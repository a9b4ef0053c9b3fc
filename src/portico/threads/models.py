"""The conversation every case owns: an ordered timeline of entries, attachments, e-mails.

Service requests (and later RMAs and supply orders) each own one ``Thread``. Entries and
attachments are always reached through their owner (``request.thread.entries``), so access is
decided by the owner's ``visible_to`` and never by an entry or attachment id alone.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Thread(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Thread {self.pk}"


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public"
    INTERNAL = "internal", "Internal (staff only)"


class EntryQuerySet(models.QuerySet):
    def public(self) -> EntryQuerySet:
        return self.filter(visibility=Visibility.PUBLIC)


class Entry(models.Model):
    class Kind(models.TextChoices):
        COMMENT = "comment", "Comment"
        STATE_CHANGE = "state_change", "State change"
        EMAIL_SENT = "email_sent", "E-mail sent"
        EMAIL_RECEIVED = "email_received", "E-mail received"
        ATTACHMENT = "attachment", "Attachment added"
        RECOMMENDATION = "recommendation", "Recommendation"
        DECISION = "decision", "Decision"
        SYSTEM = "system", "System note"

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(blank=True, max_length=20000)
    # Kind-specific facts: {"from": "new", "to": "acknowledged"}, {"to": [...], "subject": ...}
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["thread", "created_at", "id"])]
        verbose_name_plural = "entries"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on thread {self.thread_id}"

    @property
    def is_internal(self) -> bool:
        return self.visibility == Visibility.INTERNAL


def attachment_path(instance: Attachment, filename: str) -> str:
    # Stored under a generated name: the uploader's file name never reaches the file system.
    return f"attachments/{instance.thread_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="attachments")
    entry = models.ForeignKey(
        Entry, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class OutboundMail(models.Model):
    """One e-mail sent about a thread, to one recipient, with the token replies come back on."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="mails")
    entry = models.ForeignKey(
        Entry, null=True, blank=True, on_delete=models.SET_NULL, related_name="mails"
    )
    recipient = models.EmailField()
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.CharField(max_length=300)
    reply_token = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.subject} → {self.recipient}"
