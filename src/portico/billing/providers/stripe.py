"""Stripe behind the provider interface, with plain HTTPS calls (no SDK).

New cards go through Stripe Checkout (the card never touches the portal); saved cards are
charged with a confirmed PaymentIntent. Webhooks are verified with Stripe's scheme: the
``Stripe-Signature`` header carries ``t=<unix time>`` and one or more ``v1=<hex>``, each an
HMAC-SHA256 of ``"<t>.<raw body>"`` under the endpoint's signing secret.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any

from ..money import minor_units
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

# (method, url, form fields, headers) -> (HTTP status, decoded JSON body)
Transport = Callable[[str, str, Mapping[str, str] | None, Mapping[str, str]], tuple[int, Any]]

SIGNATURE_TOLERANCE_SECONDS = 300


def urllib_transport(
    method: str, url: str, data: Mapping[str, str] | None, headers: Mapping[str, str]
) -> tuple[int, Any]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, method=method, headers=dict(headers))  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")
    except (urllib.error.URLError, TimeoutError, ValueError) as error:
        raise PaymentProviderError("The payment provider could not be reached.") from error


def sign_payload(payload: bytes, secret: str, timestamp: int) -> str:
    """The ``Stripe-Signature`` header Stripe would send (also used by the tests)."""
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def _intent_result(intent: Mapping[str, Any]) -> ChargeResult:
    status = intent.get("status", "")
    reference = str(intent.get("id", ""))
    if status == "succeeded":
        return ChargeResult(ChargeResult.SUCCEEDED, reference)
    if status == "requires_action":
        url = ((intent.get("next_action") or {}).get("redirect_to_url") or {}).get("url", "")
        return ChargeResult(
            ChargeResult.REQUIRES_ACTION, reference, "Your bank asks you to confirm.", url
        )
    if status in ("processing", "requires_confirmation", "requires_capture"):
        return ChargeResult(ChargeResult.PENDING, reference)
    error = intent.get("last_payment_error") or {}
    return ChargeResult(
        ChargeResult.DECLINED, reference, error.get("message") or "The payment was declined."
    )


class StripeProvider(PaymentProvider):
    name = "stripe"
    collects_card_details = False
    can_save_cards = False

    def __init__(
        self,
        *,
        secret_key: str,
        webhook_secret: str,
        api_base: str = "https://api.stripe.com",
        transport: Transport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.secret_key = secret_key
        self.webhook_secret = webhook_secret
        self.api_base = api_base.rstrip("/")
        self.transport = transport
        self.clock = clock

    def _call(
        self, method: str, path: str, data: Mapping[str, str] | None = None, key: str = ""
    ) -> tuple[int, Any]:
        headers = {
            "Authorization": f"Bearer {self.secret_key}",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        if key:
            headers["Idempotency-Key"] = key
        # Looked up per call, so the tests can stand in for Stripe's HTTP API alone.
        transport = self.transport or urllib_transport
        return transport(method, f"{self.api_base}{path}", data, headers)

    def charge(self, request: ChargeRequest) -> ChargeResult:
        if request.card is not None:
            raise PaymentProviderError("Card numbers are entered on Stripe's page, not here.")
        amount = str(minor_units(request.amount, request.currency))
        metadata = {f"metadata[{k}]": v for k, v in request.metadata.items()}
        if request.token:
            status, body = self._call(
                "POST",
                "/v1/payment_intents",
                {
                    "amount": amount,
                    "currency": request.currency.lower(),
                    "payment_method": request.token,
                    "confirm": "true",
                    "return_url": request.return_url,
                    "description": request.description,
                    **metadata,
                },
                key=request.idempotency_key,
            )
            if status == 402 or (status >= 400 and "error" in body):
                error = body.get("error", {})
                intent = error.get("payment_intent") or {}
                return ChargeResult(
                    ChargeResult.DECLINED,
                    str(intent.get("id", "")),
                    error.get("message") or "The payment was declined.",
                )
            return _intent_result(body)
        status, body = self._call(
            "POST",
            "/v1/checkout/sessions",
            {
                "mode": "payment",
                "line_items[0][quantity]": "1",
                "line_items[0][price_data][currency]": request.currency.lower(),
                "line_items[0][price_data][unit_amount]": amount,
                "line_items[0][price_data][product_data][name]": request.description,
                "success_url": request.return_url,
                "cancel_url": request.cancel_url or request.return_url,
                "client_reference_id": request.metadata.get("payment", ""),
                **metadata,
            },
            key=request.idempotency_key,
        )
        if status >= 400 or "id" not in body:
            message = (body.get("error") or {}).get("message", "Stripe refused the payment.")
            raise PaymentProviderError(message)
        return ChargeResult(
            ChargeResult.REQUIRES_ACTION,
            str(body["id"]),
            "Continue on Stripe's secure page to pay.",
            str(body.get("url", "")),
        )

    def complete_action(self, reference: str, *, approved: bool = True) -> ChargeResult:
        if reference.startswith("cs_"):
            status, body = self._call(
                "GET", f"/v1/checkout/sessions/{urllib.parse.quote(reference)}"
            )
            if status >= 400:
                raise PaymentProviderError("Stripe could not find the payment.")
            return _session_result(body)
        status, body = self._call("GET", f"/v1/payment_intents/{urllib.parse.quote(reference)}")
        if status >= 400:
            raise PaymentProviderError("Stripe could not find the payment.")
        return _intent_result(body)

    def tokenise(self, card: Card) -> TokenisedCard:
        raise PaymentProviderError("Cards are saved on Stripe's page; the portal never sees them.")

    def verify_signature(self, payload: bytes, signature_header: str) -> None:
        if not self.webhook_secret:
            raise InvalidWebhook("No webhook signing secret is configured.")
        timestamp, signatures = None, []
        for item in signature_header.split(","):
            name, _, value = item.strip().partition("=")
            if name == "t" and value.isdigit():
                timestamp = int(value)
            elif name == "v1":
                signatures.append(value)
        if timestamp is None or not signatures:
            raise InvalidWebhook("The signature header is malformed.")
        if abs(self.clock() - timestamp) > SIGNATURE_TOLERANCE_SECONDS:
            raise InvalidWebhook("The signature is too old (or from the future).")
        expected = sign_payload(payload, self.webhook_secret, timestamp).split("v1=", 1)[1]
        if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
            raise InvalidWebhook("The signature does not match.")

    def parse_webhook(self, payload: bytes, signature_header: str) -> WebhookEvent:
        self.verify_signature(payload, signature_header)
        try:
            event = json.loads(payload)
            event_id, event_type = str(event["id"]), str(event["type"])
            obj = event["data"]["object"]
        except (ValueError, KeyError, TypeError) as error:
            raise InvalidWebhook("The event body is not a Stripe event.") from error
        result: ChargeResult | None = None
        if event_type.startswith("checkout.session."):
            result = _session_result(obj, event_type)
        elif event_type in ("payment_intent.succeeded", "payment_intent.payment_failed"):
            result = _intent_result(obj)
        reference = result.reference if result else str(obj.get("id", ""))
        return WebhookEvent(event_id, event_type, reference, result, event)


def _session_result(session: Mapping[str, Any], event_type: str = "") -> ChargeResult:
    reference = str(session.get("id", ""))
    if event_type == "checkout.session.expired" or session.get("status") == "expired":
        return ChargeResult(ChargeResult.DECLINED, reference, "The checkout expired unpaid.")
    if event_type == "checkout.session.async_payment_failed":
        return ChargeResult(ChargeResult.DECLINED, reference, "The payment failed.")
    if session.get("payment_status") in ("paid", "no_payment_required"):
        return ChargeResult(ChargeResult.SUCCEEDED, reference)
    return ChargeResult(ChargeResult.PENDING, reference)
