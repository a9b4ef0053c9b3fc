"""An account's figures (B1), computed from invoices and payments on every request.

Nothing here is stored: balance, amount due and credit are sums over the rows that are the
truth, in a fixed handful of queries however many invoices the account has.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from portico.customers.models import Organisation

from . import conf
from .models import Invoice, Payment, PaymentAllocation
from .money import ZERO, to_money
from .services import billing_settings


@dataclass(frozen=True)
class AccountSummary:
    organisation: Organisation
    currency: str
    open_total: Decimal  # what the open invoices still owe
    amount_due: Decimal  # of which due now (due date reached)
    overdue: Decimal  # of which past the due date
    credit: Decimal  # paid but not yet applied to any invoice
    open_count: int
    overdue_count: int
    bill_day: int
    next_bill_date: date
    latest_invoice: Invoice | None
    billed_to: Organisation | None  # the parent invoiced for this account (B6)
    billed_accounts: list[Organisation]  # child accounts this account is invoiced for

    @property
    def balance(self) -> Decimal:
        """Owed minus credit: negative means the account is in credit."""
        return to_money(self.open_total - self.credit)

    @property
    def payments_enabled(self) -> bool:
        return conf.payments_enabled() and self.billed_to is None


def takes_payments(organisation: Organisation) -> bool:
    """The account pays in the portal: payments are on and no parent is billed for it (B6).
    The same answer as ``account_summary(organisation).payments_enabled``, without its sums."""
    return conf.payments_enabled() and not organisation.bill_to_id


def next_bill_date(bill_day: int, today: date) -> date:
    day = min(bill_day, calendar.monthrange(today.year, today.month)[1])
    if today.day < day:
        return today.replace(day=day)
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return date(year, month, min(bill_day, calendar.monthrange(year, month)[1]))


def account_summary(organisation: Organisation) -> AccountSummary:
    today = timezone.localdate()
    settings = billing_settings(organisation)
    currency = settings.currency
    billed_to = organisation.bill_to if organisation.bill_to_id else None
    # A child billed to its parent sees its own charges; the payer sees what it is billed.
    own = Q(account=organisation) if billed_to else Q(organisation=organisation)
    invoices = Invoice.objects.filter(own).issued()

    figures = (
        invoices.filter(status=Invoice.Status.OUTSTANDING, currency=currency)
        .with_balance()
        .aggregate(
            open_total=Sum("balance_raw"),
            amount_due=Sum("balance_raw", filter=Q(due_on__lte=today)),
            overdue=Sum("balance_raw", filter=Q(due_on__lt=today)),
            open_count=Count("id"),
            overdue_count=Count("id", filter=Q(due_on__lt=today)),
        )
    )
    credit = ZERO
    if billed_to is None:
        paid = Payment.objects.succeeded().filter(organisation=organisation, currency=currency)
        received = paid.aggregate(total=Sum("amount"))["total"] or ZERO
        applied = (
            PaymentAllocation.objects.filter(payment__in=paid).aggregate(total=Sum("amount"))[
                "total"
            ]
            or ZERO
        )
        credit = to_money(received - applied)
    latest = invoices.select_related("organisation").order_by("-issued_on", "-id").first()
    return AccountSummary(
        organisation=organisation,
        currency=currency,
        open_total=to_money(figures["open_total"] or ZERO),
        amount_due=to_money(figures["amount_due"] or ZERO),
        overdue=to_money(figures["overdue"] or ZERO),
        credit=credit,
        open_count=figures["open_count"],
        overdue_count=figures["overdue_count"],
        bill_day=settings.bill_day,
        next_bill_date=next_bill_date(settings.bill_day, today),
        latest_invoice=latest,
        billed_to=billed_to,
        billed_accounts=list(organisation.billed_accounts.order_by("name")),
    )
