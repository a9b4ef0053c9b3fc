"""The built-in sandbox provider: test cards, no network, for the embedded mode and demos.

4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined, 4000 0027 6000 3184 needs a
second step (the portal's "Confirm payment" page stands in for the bank's check).
"""

from __future__ import annotations

import hashlib
import secrets

from .base import (
    Card,
    ChargeRequest,
    ChargeResult,
    InvalidWebhook,
    PaymentProvider,
    TokenisedCard,
    WebhookEvent,
)

SUCCESS_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"
SECOND_STEP_CARD = "4000002760003184"
TEST_CARDS = {
    SUCCESS_CARD: "success",
    DECLINED_CARD: "declined",
    SECOND_STEP_CARD: "action",
}
DECLINED_MESSAGE = "Your card was declined. Try another card or contact your bank."


class SandboxProvider(PaymentProvider):
    name = "sandbox"
    collects_card_details = True
    can_save_cards = True

    def _outcome(self, request: ChargeRequest) -> str:
        if request.token:
            parts = request.token.split("_")
            return parts[2] if len(parts) > 3 and parts[:2] == ["tok", "sbx"] else "declined"
        if request.card is None:
            return "declined"
        return TEST_CARDS.get(request.card.number, "declined")

    def charge(self, request: ChargeRequest) -> ChargeResult:
        # The same key gives the same reference, as a real provider's idempotency does.
        digest = hashlib.sha256(request.idempotency_key.encode()).hexdigest()[:24]
        reference = f"sbx_{digest}"
        outcome = self._outcome(request)
        brand = request.card.brand if request.card else ""
        last4 = request.card.last4 if request.card else ""
        if outcome == "success":
            return ChargeResult(ChargeResult.SUCCEEDED, reference, "", "", brand, last4)
        if outcome == "action":
            return ChargeResult(
                ChargeResult.REQUIRES_ACTION,
                reference,
                "Your bank asks you to confirm this payment.",
                "",
                brand,
                last4,
            )
        return ChargeResult(ChargeResult.DECLINED, reference, DECLINED_MESSAGE, "", brand, last4)

    def complete_action(self, reference: str, *, approved: bool = True) -> ChargeResult:
        if approved:
            return ChargeResult(ChargeResult.SUCCEEDED, reference)
        return ChargeResult(
            ChargeResult.DECLINED, reference, "The payment was not confirmed. Nothing was charged."
        )

    def tokenise(self, card: Card) -> TokenisedCard:
        outcome = TEST_CARDS.get(card.number, "declined")
        token = f"tok_sbx_{outcome}_{secrets.token_hex(8)}"
        return TokenisedCard(token, card.brand, card.last4, card.exp_month, card.exp_year)

    def parse_webhook(self, payload: bytes, signature_header: str) -> WebhookEvent:
        raise InvalidWebhook("The sandbox provider sends no webhooks.")
