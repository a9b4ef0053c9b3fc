"""The Stripe adapter: only Stripe's HTTP API is faked; the webhook is signed as Stripe signs."""

from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from portico.billing.models import Invoice, Payment, StripeEvent
from portico.billing.providers import stripe as stripe_module
from portico.billing.providers.base import ChargeRequest, ChargeResult, InvalidWebhook
from portico.billing.providers.stripe import StripeProvider, sign_payload
from portico.billing.summary import account_summary
from tests.billing.helpers import issue, with_balance
from tests.utils import changed_tables, database_fingerprint

SECRET = "whsec_test_secret"


class FakeStripe:
    """Stands in for api.stripe.com: records each request, answers like Stripe."""

    def __init__(self):
        self.requests: list[tuple[str, str, dict, dict]] = []
        self.answers: dict[str, tuple[int, dict]] = {}

    def __call__(self, method, url, data, headers):
        self.requests.append((method, url, dict(data or {}), dict(headers)))
        path = url.split("api.stripe.test", 1)[1]
        for prefix, answer in self.answers.items():
            if path.startswith(prefix):
                return answer
        return 404, {"error": {"message": "No such route"}}


@pytest.fixture
def fake_stripe(monkeypatch, settings):
    fake = FakeStripe()
    monkeypatch.setattr(stripe_module, "urllib_transport", fake)
    settings.PORTICO_PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = "sk_test_123"
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    settings.STRIPE_API_BASE = "https://api.stripe.test"
    return fake


def provider(**kwargs) -> StripeProvider:
    return StripeProvider(
        secret_key="sk_test_123",
        webhook_secret=SECRET,
        api_base="https://api.stripe.test",
        **kwargs,
    )


def event(event_id: str, type_: str, obj: dict) -> bytes:
    return json.dumps({"id": event_id, "type": type_, "data": {"object": obj}}).encode()


def post_webhook(payload: bytes, signature: str | None = None):
    signature = signature or sign_payload(payload, SECRET, int(time.time()))
    return Client().post(
        reverse("billing:stripe_webhook"),
        payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature,
    )


# --- The adapter ------------------------------------------------------------------------------


def test_a_saved_card_is_charged_with_a_confirmed_payment_intent(fake_stripe):
    fake_stripe.answers["/v1/payment_intents"] = (200, {"id": "pi_1", "status": "succeeded"})

    result = provider().charge(
        ChargeRequest(
            amount=Decimal("120.50"),
            currency="GBP",
            idempotency_key="key-123456789012",
            description="Payment",
            token="pm_card_visa",
        )
    )

    assert result == ChargeResult(ChargeResult.SUCCEEDED, "pi_1")
    method, url, data, headers = fake_stripe.requests[0]
    assert (method, url) == ("POST", "https://api.stripe.test/v1/payment_intents")
    assert data["amount"] == "12050" and data["currency"] == "gbp"
    assert data["payment_method"] == "pm_card_visa" and data["confirm"] == "true"
    assert headers["Idempotency-Key"] == "key-123456789012"
    assert headers["Authorization"] == "Bearer sk_test_123"


def test_a_card_error_is_a_decline(fake_stripe):
    fake_stripe.answers["/v1/payment_intents"] = (
        402,
        {"error": {"message": "Your card was declined.", "payment_intent": {"id": "pi_2"}}},
    )
    result = provider().charge(
        ChargeRequest(Decimal("1.00"), "GBP", "k" * 16, "x", token="pm_card_declined")
    )
    assert result.status == ChargeResult.DECLINED
    assert result.message == "Your card was declined."


def test_signature_checks():
    payload = b'{"id": "evt_1"}'
    now = int(time.time())
    good = sign_payload(payload, SECRET, now)
    provider().verify_signature(payload, good)  # does not raise
    provider().verify_signature(payload, f"t={now},v1=deadbeef,{good.split(',')[1]}")

    for header in (
        sign_payload(payload, "whsec_other", now),  # another secret
        sign_payload(payload + b" ", SECRET, now),  # another body
        sign_payload(payload, SECRET, now - 3600),  # replayed an hour later
        "t=abc,v1=00",
        "",
    ):
        with pytest.raises(InvalidWebhook):
            provider().verify_signature(payload, header)


# --- Through the portal and the webhook -------------------------------------------------------


@pytest.mark.django_db
def test_checkout_then_webhook_pays_the_invoice_exactly_once(fake_stripe, foundation, alice_client):
    invoice = issue(foundation, amounts=("100.00",))
    fake_stripe.answers["/v1/checkout/sessions"] = (
        200,
        {"id": "cs_test_1", "url": "https://checkout.stripe.test/c/pay/cs_test_1"},
    )

    response = alice_client.post(
        reverse("billing:make_payment"),
        {
            "amount": "120.00",
            "currency": "GBP",
            "idempotency_key": "s" * 32,
            "payment_method": "new",
            "invoices": [invoice.number],
        },
    )

    assert response["Location"] == "https://checkout.stripe.test/c/pay/cs_test_1"
    payment = Payment.objects.get()
    assert (payment.status, payment.provider_reference) == ("requires_action", "cs_test_1")
    sent = fake_stripe.requests[0][2]
    assert sent["line_items[0][price_data][unit_amount]"] == "12000"
    assert "card_number" not in sent

    payload = event(
        "evt_1",
        "checkout.session.completed",
        {"id": "cs_test_1", "payment_status": "paid", "status": "complete"},
    )
    first = post_webhook(payload)
    after_first = database_fingerprint()
    replay = post_webhook(payload)

    assert first.status_code == 200 and first.content == b"ok"
    assert replay.status_code == 200 and replay.content == b"duplicate"
    assert changed_tables(after_first, database_fingerprint()) == []
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert payment.allocations.count() == 1
    assert with_balance(invoice).status == Invoice.Status.PAID
    assert StripeEvent.objects.get().payment == payment
    assert account_summary(foundation.acme).balance == 0


@pytest.mark.django_db
def test_a_forged_webhook_changes_nothing(fake_stripe, foundation):
    invoice = issue(foundation, amounts=("100.00",))
    payment = Payment.objects.create(
        organisation=foundation.acme,
        amount=Decimal("120.00"),
        provider="stripe",
        provider_reference="cs_test_2",
        status="requires_action",
        idempotency_key="f" * 32,
    )
    payload = event(
        "evt_2", "checkout.session.completed", {"id": "cs_test_2", "payment_status": "paid"}
    )
    before = database_fingerprint()

    forged = post_webhook(payload, sign_payload(payload, "whsec_guess", int(time.time())))
    unsigned = Client().post(
        reverse("billing:stripe_webhook"), payload, content_type="application/json"
    )

    assert forged.status_code == unsigned.status_code == 400
    assert changed_tables(before, database_fingerprint()) == []
    payment.refresh_from_db()
    assert payment.status == "requires_action"
    assert with_balance(invoice).balance == Decimal("120.00")


@pytest.mark.django_db
def test_a_failed_payment_event_pays_nothing(fake_stripe, foundation):
    issue(foundation, amounts=("100.00",))
    payment = Payment.objects.create(
        organisation=foundation.acme,
        amount=Decimal("120.00"),
        provider="stripe",
        provider_reference="pi_9",
        status="requires_action",
        idempotency_key="g" * 32,
    )
    payload = event(
        "evt_3",
        "payment_intent.payment_failed",
        {
            "id": "pi_9",
            "status": "requires_payment_method",
            "last_payment_error": {"message": "No"},
        },
    )

    assert post_webhook(payload).status_code == 200

    payment.refresh_from_db()
    assert payment.status == Payment.Status.FAILED
    assert not payment.allocations.exists()


@pytest.mark.django_db
def test_an_event_for_an_unknown_payment_is_acknowledged_once(fake_stripe):
    payload = event(
        "evt_4", "payment_intent.succeeded", {"id": "pi_unknown", "status": "succeeded"}
    )
    assert post_webhook(payload).content == b"ok"
    assert post_webhook(payload).content == b"duplicate"
    assert StripeEvent.objects.count() == 1
