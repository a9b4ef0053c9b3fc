"""Billing settings: Django settings first, then environment variables, then embedded defaults.

The lead may move these into settings.py; until then each reads ``PORTICO_*`` / ``STRIPE_*``
from the environment so the embedded mode needs nothing configured.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings


def _get(name: str, default: Any) -> Any:
    if hasattr(settings, name):
        return getattr(settings, name)
    return os.environ.get(name, default)


def _bool(name: str, default: bool) -> bool:
    value = _get(name, None)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def payments_enabled() -> bool:
    """Whether customers may pay in the portal ("Make payment" shows only then)."""
    return _bool("PORTICO_PAYMENTS_ENABLED", True)


def payment_provider_name() -> str:
    """``sandbox`` (embedded default, test cards) or ``stripe``."""
    return str(_get("PORTICO_PAYMENT_PROVIDER", "sandbox")).strip().lower()


def default_currency() -> str:
    return str(_get("PORTICO_CURRENCY", "GBP")).upper()


def stripe_secret_key() -> str:
    return str(_get("STRIPE_SECRET_KEY", ""))


def stripe_webhook_secret() -> str:
    return str(_get("STRIPE_WEBHOOK_SECRET", ""))


def stripe_api_base() -> str:
    return str(_get("STRIPE_API_BASE", "https://api.stripe.com"))


def seller() -> dict[str, str]:
    """The provider as the seller on invoices and e-invoices (Peppol BT-27 … BT-40)."""
    return {
        "street": str(_get("PORTICO_SELLER_STREET", "1 Provider Way")),
        "city": str(_get("PORTICO_SELLER_CITY", "London")),
        "postcode": str(_get("PORTICO_SELLER_POSTCODE", "EC2A 4NE")),
        "country": str(_get("PORTICO_SELLER_COUNTRY", "GB")),
        "vat_id": str(_get("PORTICO_SELLER_VAT_ID", "GB123456789")),
        "company_id": str(_get("PORTICO_SELLER_COMPANY_ID", "01234567")),
        "iban": str(_get("PORTICO_SELLER_IBAN", "GB33BUKB20201555555555")),
        "endpoint": str(_get("PORTICO_SELLER_ENDPOINT", "billing@provider.example")),
    }
