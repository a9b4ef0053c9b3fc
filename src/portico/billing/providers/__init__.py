"""Payment providers behind one interface; ``get_provider()`` returns the configured one."""

from __future__ import annotations

from .. import conf
from .base import (
    Card,
    ChargeRequest,
    ChargeResult,
    InvalidWebhook,
    PaymentProvider,
    PaymentProviderError,
    TokenisedCard,
    WebhookEvent,
)
from .sandbox import SandboxProvider
from .stripe import StripeProvider

__all__ = [
    "Card",
    "ChargeRequest",
    "ChargeResult",
    "InvalidWebhook",
    "PaymentProvider",
    "PaymentProviderError",
    "SandboxProvider",
    "StripeProvider",
    "TokenisedCard",
    "WebhookEvent",
    "get_provider",
    "stripe_provider",
]


def stripe_provider() -> StripeProvider:
    return StripeProvider(
        secret_key=conf.stripe_secret_key(),
        webhook_secret=conf.stripe_webhook_secret(),
        api_base=conf.stripe_api_base(),
    )


def get_provider(name: str | None = None) -> PaymentProvider:
    name = name or conf.payment_provider_name()
    if name == "stripe":
        return stripe_provider()
    return SandboxProvider()
