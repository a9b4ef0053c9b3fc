"""The one interface every payment provider implements (B4).

The portal never sees more of a provider than this: charge, finish a second step, turn a
card into a token, and read a signed webhook. Card numbers pass through a charge or a
tokenisation and are never stored.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


class PaymentProviderError(Exception):
    """The provider could not be reached or answered nonsense; nothing was confirmed."""


class InvalidWebhook(Exception):
    """A webhook whose signature, timestamp or body cannot be trusted."""


@dataclass(frozen=True)
class Card:
    number: str
    exp_month: int
    exp_year: int
    cvc: str
    holder_name: str = ""

    @property
    def last4(self) -> str:
        return self.number[-4:]

    @property
    def brand(self) -> str:
        if self.number.startswith("4"):
            return "Visa"
        if self.number[:2] in {"51", "52", "53", "54", "55"} or self.number[:2] == "22":
            return "Mastercard"
        if self.number[:2] in {"34", "37"}:
            return "Amex"
        return "Card"


@dataclass(frozen=True)
class ChargeRequest:
    amount: Decimal
    currency: str
    idempotency_key: str
    description: str
    return_url: str = ""
    cancel_url: str = ""
    card: Card | None = None
    token: str = ""
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ChargeResult:
    SUCCEEDED = "succeeded"
    DECLINED = "declined"
    REQUIRES_ACTION = "requires_action"
    PENDING = "pending"

    status: str
    reference: str
    message: str = ""
    action_url: str = ""
    card_brand: str = ""
    card_last4: str = ""


@dataclass(frozen=True)
class TokenisedCard:
    token: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int


@dataclass(frozen=True)
class WebhookEvent:
    id: str
    type: str
    reference: str  # the provider reference of the payment it concerns
    result: ChargeResult | None  # what it says about that payment, if anything
    raw: dict[str, Any] = field(default_factory=dict)


class PaymentProvider(ABC):
    name: str
    # True: the portal's own form collects the card (sandbox). False: the provider's hosted
    # page does (Stripe Checkout), so card numbers never touch the portal.
    collects_card_details: bool = False
    can_save_cards: bool = False

    @abstractmethod
    def charge(self, request: ChargeRequest) -> ChargeResult: ...

    @abstractmethod
    def complete_action(self, reference: str, *, approved: bool = True) -> ChargeResult:
        """Look up (or, in the sandbox, finish) the second step of a charge."""

    @abstractmethod
    def tokenise(self, card: Card) -> TokenisedCard: ...

    @abstractmethod
    def parse_webhook(self, payload: bytes, signature_header: str) -> WebhookEvent:
        """Verify the signature and return the event, or raise ``InvalidWebhook``."""
