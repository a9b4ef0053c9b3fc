"""Make payment (B4): allocation, idempotency, tampering, rights, sandbox test cards."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from portico.billing.models import Invoice, Payment, PaymentAllocation, SavedPaymentMethod
from portico.billing.providers.sandbox import DECLINED_CARD, SECOND_STEP_CARD, SUCCESS_CARD
from portico.billing.summary import account_summary
from tests.billing.helpers import issue, with_balance
from tests.utils import changed_tables, database_fingerprint

pytestmark = pytest.mark.django_db

KEY = "a" * 32


def card_form(amount: str, *, key: str = KEY, card: str = SUCCESS_CARD, **extra) -> dict:
    return {
        "amount": amount,
        "currency": "GBP",
        "idempotency_key": key,
        "payment_method": "new",
        "card_number": card,
        "expiry": "12/39",
        "cvc": "123",
        "holder_name": "Alice Archer",
        **extra,
    }


@pytest.fixture
def open_invoices(foundation):
    # 120.00 and 240.00 gross; the first is the older.
    return [
        issue(foundation, amounts=("100.00",), days_ago=50),
        issue(foundation, amounts=("200.00",), days_ago=20),
    ]


def pay(client, data):
    return client.post(reverse("billing:make_payment"), data)


def test_alice_pays_the_oldest_invoice_by_choosing_it(alice_client, open_invoices):
    oldest = open_invoices[0]

    response = pay(alice_client, card_form("120.00", invoices=[oldest.number]))

    payment = Payment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("billing:payment", args=[payment.pk])
    assert payment.status == Payment.Status.SUCCEEDED
    assert payment.card_last4 == "4242"
    assert with_balance(oldest).status == Invoice.Status.PAID
    assert with_balance(open_invoices[1]).balance == Decimal("240.00")
    assert account_summary(oldest.organisation).balance == Decimal("240.00")
    receipt = alice_client.get(response["Location"]).content.decode()
    assert oldest.number in receipt and "Paid" in receipt and "£240.00" in receipt


def test_an_amount_without_invoices_pays_the_oldest_first_and_the_rest_is_credit(
    alice_client, open_invoices
):
    pay(alice_client, card_form("400.00"))

    assert [with_balance(i).status for i in open_invoices] == ["paid", "paid"]
    summary = account_summary(open_invoices[0].organisation)
    assert summary.credit == Decimal("40.00")
    assert summary.balance == Decimal("-40.00")


def test_a_partial_amount_pays_part_of_the_oldest(alice_client, open_invoices):
    pay(alice_client, card_form("50.00"))

    oldest = with_balance(open_invoices[0])
    assert oldest.status == Invoice.Status.OUTSTANDING
    assert oldest.balance == Decimal("70.00")
    assert PaymentAllocation.objects.get().invoice == oldest


def test_several_chosen_invoices_are_paid_together(alice_client, open_invoices):
    numbers = [i.number for i in open_invoices]

    pay(alice_client, card_form("360.00", invoices=numbers))

    assert Payment.objects.get().allocations.count() == 2
    assert account_summary(open_invoices[0].organisation).balance == 0


def test_a_double_click_with_the_same_key_charges_once(alice_client, open_invoices):
    first = pay(alice_client, card_form("120.00"))
    second = pay(alice_client, card_form("120.00"))

    assert Payment.objects.count() == 1
    assert PaymentAllocation.objects.count() == 1
    assert first["Location"] == second["Location"]
    assert with_balance(open_invoices[1]).balance == Decimal("240.00")


def test_the_same_key_with_another_amount_is_refused(alice_client, open_invoices):
    pay(alice_client, card_form("120.00"))
    before = database_fingerprint()

    response = pay(alice_client, card_form("240.00"))

    assert response.status_code == 200
    assert "already submitted with a different amount" in response.content.decode()
    assert changed_tables(before, database_fingerprint()) == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("amount", "1.00", "must be the balance of the invoices you chose"),
        ("currency", "USD", "taken in GBP"),
        ("amount", "-5.00", "Ensure this value is greater than or equal to 0.01"),
        ("amount", "0.001", "Ensure that there are no more than 2 decimal places"),
        ("idempotency_key", "short", "This form has expired"),
    ],
)
def test_tampered_fields_are_refused_and_change_nothing(
    alice_client, open_invoices, field, value, message
):
    data = card_form("120.00", invoices=[open_invoices[0].number])
    data[field] = value
    before = database_fingerprint()

    response = pay(alice_client, data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert changed_tables(before, database_fingerprint()) == []


def test_another_organisations_invoice_is_refused_and_changes_nothing(
    foundation, alice_client, open_invoices
):
    globex_invoice = issue(foundation, foundation.globex, amounts=("10.00",))
    before = database_fingerprint()

    response = pay(alice_client, card_form("12.00", invoices=[globex_invoice.number]))

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert changed_tables(before, database_fingerprint()) == []
    assert with_balance(globex_invoice).balance == Decimal("12.00")


def test_a_paid_invoice_cannot_be_paid_again(alice_client, open_invoices):
    pay(alice_client, card_form("120.00", invoices=[open_invoices[0].number]))
    before = database_fingerprint()

    response = pay(
        alice_client, card_form("120.00", key="b" * 32, invoices=[open_invoices[0].number])
    )

    assert "Select a valid choice" in response.content.decode()
    assert changed_tables(before, database_fingerprint()) == []


def test_bob_sees_invoices_but_cannot_pay(bob_client, open_invoices):
    before = database_fingerprint()

    assert bob_client.get(reverse("billing:invoices")).status_code == 200
    assert bob_client.get(reverse("billing:make_payment")).status_code == 403
    response = pay(bob_client, card_form("120.00", invoices=[open_invoices[0].number]))

    assert response.status_code == 403
    assert changed_tables(before, database_fingerprint()) == []
    overview = bob_client.get(reverse("billing:overview")).content.decode()
    assert "Make payment" not in overview


def test_a_declined_card_records_a_failed_payment_and_allocates_nothing(
    alice_client, open_invoices
):
    response = pay(alice_client, card_form("120.00", card=DECLINED_CARD))

    payment = Payment.objects.get()
    assert payment.status == Payment.Status.FAILED
    assert response["Location"] == reverse("billing:make_payment")
    assert not PaymentAllocation.objects.exists()
    assert "declined" in alice_client.get(response["Location"]).content.decode()


def test_a_card_needing_a_second_step_pays_once_confirmed(alice_client, open_invoices):
    response = pay(alice_client, card_form("120.00", card=SECOND_STEP_CARD))
    payment = Payment.objects.get()
    assert payment.status == Payment.Status.REQUIRES_ACTION
    assert response["Location"] == reverse("billing:payment_confirm", args=[payment.pk])
    assert not PaymentAllocation.objects.exists()

    confirm = alice_client.post(response["Location"], {"decision": "approve"})
    again = alice_client.post(response["Location"], {"decision": "approve"})

    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert confirm.status_code == again.status_code == 302
    assert PaymentAllocation.objects.count() == 1
    assert with_balance(open_invoices[0]).status == Invoice.Status.PAID


def test_a_rejected_second_step_pays_nothing(alice_client, open_invoices):
    pay(alice_client, card_form("120.00", card=SECOND_STEP_CARD))
    payment = Payment.objects.get()

    alice_client.post(reverse("billing:payment_confirm", args=[payment.pk]), {"decision": "no"})

    payment.refresh_from_db()
    assert payment.status == Payment.Status.FAILED
    assert not PaymentAllocation.objects.exists()


def test_saving_the_card_keeps_only_a_token(alice_client, open_invoices):
    pay(alice_client, card_form("120.00", save_card="on"))

    method = SavedPaymentMethod.objects.get()
    assert method.last4 == "4242"
    assert method.token.startswith("tok_sbx_")
    assert SUCCESS_CARD not in repr(list(SavedPaymentMethod.objects.values_list()))
    assert SUCCESS_CARD not in repr(list(Payment.objects.values_list()))

    pay(alice_client, {**card_form("240.00", key="c" * 32), "payment_method": f"saved:{method.pk}"})

    assert Payment.objects.filter(method=Payment.Method.SAVED_CARD, status="succeeded").count() == 1
    assert account_summary(open_invoices[0].organisation).balance == 0


def test_payment_methods_page_adds_and_removes_cards(alice_client, foundation):
    response = alice_client.post(
        reverse("billing:payment_method_add"),
        {"card_number": "4242 4242 4242 4242", "expiry": "04/38", "cvc": "999"},
    )
    assert response.status_code == 302
    method = SavedPaymentMethod.objects.get(organisation=foundation.acme)
    page = alice_client.get(reverse("billing:payment_methods")).content.decode()
    assert "Visa ending 4242" in page and "4242 4242 4242 4242" not in page

    alice_client.post(reverse("billing:payment_method_remove", args=[method.pk]))

    assert not SavedPaymentMethod.objects.exists()


def test_carol_cannot_remove_acmes_card_or_see_acmes_payment(foundation, carol_client):
    acme_method = SavedPaymentMethod.objects.create(
        organisation=foundation.acme,
        provider="sandbox",
        token="tok_sbx_success_1",
        brand="Visa",
        last4="4242",
        exp_month=1,
        exp_year=2040,
    )
    payment = Payment.objects.create(
        organisation=foundation.acme,
        amount=Decimal("1.00"),
        provider="sandbox",
        idempotency_key="k" * 20,
        status="succeeded",
    )
    before = database_fingerprint()

    assert (
        carol_client.post(
            reverse("billing:payment_method_remove", args=[acme_method.pk])
        ).status_code
        == 404
    )
    assert carol_client.get(reverse("billing:payment", args=[payment.pk])).status_code == 404
    assert (
        carol_client.post(reverse("billing:payment_confirm", args=[payment.pk])).status_code == 404
    )
    assert changed_tables(before, database_fingerprint()) == []


def test_payments_are_off_when_the_provider_disables_them(alice_client, open_invoices, settings):
    settings.PORTICO_PAYMENTS_ENABLED = False

    overview = alice_client.get(reverse("billing:overview")).content.decode()
    response = pay(alice_client, card_form("120.00"))

    assert "Make payment" not in overview
    assert response.status_code == 302
    assert not Payment.objects.exists()


def test_a_child_account_cannot_pay_its_parents_invoices(foundation, petra_client):
    north = foundation.initech_north
    issue(foundation, foundation.initech, account=north)
    petra_client.post(reverse("customers:change_account"), {"organisation": north.pk})

    overview = petra_client.get(reverse("billing:overview")).content.decode()
    response = pay(petra_client, card_form("120.00"))

    assert "Initech Group</strong> is invoiced for this account" in overview
    assert "Make payment" not in overview
    assert response.status_code == 302
    assert not Payment.objects.exists()
