"""Render and queue e-mails from templates, always after the transaction commits."""

from typing import Any

from django.db import transaction
from django.template.loader import render_to_string

from .models import Branding
from .tasks import send_email


def queue_templated_email(template: str, *, to: list[str], context: dict[str, Any]) -> None:
    """Render ``<template>_subject.txt`` / ``_body.txt`` / ``_body.html`` and send after commit."""
    context = {"branding": Branding.current(), **context}
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    body = render_to_string(f"{template}_body.txt", context)
    html = render_to_string(f"{template}_body.html", context)
    transaction.on_commit(lambda: send_email.enqueue(subject=subject, body=body, to=to, html=html))
