"""Allocation rules, property-based: a payment never over-pays an invoice, the rest is credit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portico.billing import services
from portico.billing.allocation import plan_allocation
from portico.billing.models import Invoice, Payment, PaymentAllocation
from portico.billing.money import ZERO, to_money
from portico.billing.summary import account_summary
from tests.billing.helpers import issue, with_balance

cents = st.integers(min_value=1, max_value=500_000).map(lambda c: Decimal(c) / 100)


@given(amount=cents, balances=st.lists(cents, max_size=8))
def test_plan_never_exceeds_a_balance_and_keeps_the_rest_as_credit(amount, balances):
    plan, credit = plan_allocation(amount, list(enumerate(balances)))

    for key, applied in plan:
        assert ZERO < applied <= balances[key]
    assert sum((a for _, a in plan), ZERO) + credit == amount
    assert credit >= 0
    if credit > 0:  # money is left over only when every balance was paid in full
        assert sum(balances, ZERO) < amount
        assert [a for _, a in plan] == list(balances)


@given(amount=cents, balances=st.lists(cents, min_size=1, max_size=8))
def test_plan_pays_the_oldest_first(amount, balances):
    plan, _ = plan_allocation(amount, list(enumerate(balances)))

    keys = [key for key, _ in plan]
    assert keys == list(range(len(keys)))  # a prefix, in order
    for key, applied in plan[:-1]:
        assert applied == balances[key]  # all but the last are paid in full


def test_a_negative_payment_is_refused():
    with pytest.raises(ValueError):
        plan_allocation(Decimal("-1"), [])


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    invoice_nets=st.lists(st.integers(1, 50_000), min_size=1, max_size=4),
    payments=st.lists(st.integers(1, 80_000), min_size=1, max_size=4),
)
def test_payments_in_the_database_obey_the_rules(foundation, invoice_nets, payments):
    Payment.objects.all().delete()
    PaymentAllocation.objects.all().delete()
    Invoice.objects.all().delete()
    invoices = [
        issue(foundation, amounts=(str(Decimal(n) / 100),), days_ago=40 - i)
        for i, n in enumerate(invoice_nets)
    ]
    for amount in payments:
        services.record_offline_payment(
            organisation=foundation.acme,
            amount=Decimal(amount) / 100,
            actor=foundation.users["sam"],
        )

    for invoice in invoices:
        invoice = with_balance(invoice)
        assert ZERO <= invoice.amount_paid <= invoice.gross_total
        assert (invoice.status == Invoice.Status.PAID) == (invoice.balance == 0)
    total_paid = to_money(Decimal(sum(payments)) / 100)
    allocated = PaymentAllocation.objects.aggregate(s=Sum("amount"))["s"] or ZERO
    summary = account_summary(foundation.acme)
    assert allocated == total_paid - summary.credit
    for payment in Payment.objects.all():
        applied = payment.allocations.aggregate(s=Sum("amount"))["s"] or ZERO
        assert applied <= payment.amount
    # Credit exists only when nothing is left to pay (it is applied as soon as it can be).
    assert summary.credit == 0 or summary.open_count == 0
    gross = sum((i.gross_total for i in invoices), ZERO)
    assert summary.balance == gross - total_paid


@pytest.mark.django_db
def test_oldest_invoice_is_paid_first(foundation):
    old = issue(foundation, amounts=("100.00",), days_ago=60)
    new = issue(foundation, amounts=("100.00",), days_ago=5)

    services.record_offline_payment(
        organisation=foundation.acme, amount=Decimal("150.00"), actor=foundation.users["sam"]
    )

    assert with_balance(old).status == Invoice.Status.PAID
    assert with_balance(new).balance == Decimal("90.00")  # 120.00 gross, 30.00 paid


@pytest.mark.django_db
def test_credit_pays_the_next_invoice_when_it_is_issued(foundation):
    services.record_offline_payment(
        organisation=foundation.acme, amount=Decimal("200.00"), actor=foundation.users["sam"]
    )
    assert account_summary(foundation.acme).credit == Decimal("200.00")

    invoice = issue(foundation, amounts=("100.00",))

    assert with_balance(invoice).status == Invoice.Status.PAID
    summary = account_summary(foundation.acme)
    assert summary.credit == Decimal("80.00")
    assert summary.balance == Decimal("-80.00")


@pytest.mark.django_db
def test_voiding_a_part_paid_invoice_turns_the_payment_into_credit(foundation):
    invoice = issue(foundation, amounts=("100.00",))
    services.record_offline_payment(
        organisation=foundation.acme,
        amount=Decimal("50.00"),
        actor=foundation.users["sam"],
        invoices=[invoice],
    )

    services.void_invoice(invoice=invoice, actor=foundation.users["sam"], reason="Wrong account")

    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.VOIDED
    assert invoice.void_reason == "Wrong account"
    summary = account_summary(foundation.acme)
    assert summary.credit == Decimal("50.00")
    assert summary.open_total == 0
