"""Helpers for the account tests: logging in through the real login form."""

from __future__ import annotations

import re

from django.core import mail
from django.test import Client

LOGIN_URL = "/accounts/login/"


def log_in(client: Client, email: str, password: str, **extra):
    """POST the login form as a browser would (axes and allauth see a real attempt)."""
    return client.post(LOGIN_URL, {"login": email, "password": password}, **extra)


def link_in_last_mail(pattern: str = r"https?://\S+") -> str:
    """The first link in the most recent e-mail, as a path the test client can open."""
    body = mail.outbox[-1].body
    match = re.search(pattern, body)
    assert match, f"no link in: {body}"
    return re.sub(r"^https?://[^/]+", "", match.group(0))
