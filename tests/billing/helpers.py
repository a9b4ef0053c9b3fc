"""Building blocks for billing tests: issued invoices through the real services."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from portico.billing import services
from portico.billing.models import Invoice, InvoiceLine
from portico.billing.services import LineInput


def issue(
    foundation,
    organisation=None,
    *,
    amounts: tuple[str, ...] = ("100.00",),
    days_ago: int = 10,
    account=None,
    tax_rate: str = "20.00",
) -> Invoice:
    """An issued invoice with one part line per net amount (VAT 20% unless told)."""
    organisation = organisation or foundation.acme
    lines = [
        LineInput(f"Part {i}", Decimal(amount), tax_rate=Decimal(tax_rate), reference="REQ-000007")
        for i, amount in enumerate(amounts, start=1)
    ]
    invoice = services.create_invoice(
        organisation=organisation, account=account, actor=foundation.users["sam"], lines=lines
    )
    issued_on = timezone.localdate() - timedelta(days=days_ago)
    return services.issue_invoice(
        invoice=invoice, actor=foundation.users["sam"], issued_on=issued_on
    )


def with_balance(invoice: Invoice) -> Invoice:
    return Invoice.objects.with_balance().get(pk=invoice.pk)


def service_invoice(foundation) -> Invoice:
    """Parts, labour and a subscription line: the detail page's breakdown has both kinds."""
    lines = [
        LineInput("Fuser unit", Decimal("142.50"), kind=InvoiceLine.Kind.PART, reference="REQ-1"),
        LineInput(
            "Engineer on site",
            Decimal("85.00"),
            Decimal("1.5"),
            kind=InvoiceLine.Kind.LABOUR,
            unit=InvoiceLine.Unit.HOUR,
            reference="REQ-1",
        ),
        LineInput("Print plan", Decimal("50.00"), kind=InvoiceLine.Kind.SUBSCRIPTION),
        LineInput("Zero-rated book", Decimal("10.00"), tax_rate=Decimal("0")),
    ]
    invoice = services.create_invoice(
        organisation=foundation.acme, actor=foundation.users["sam"], lines=lines
    )
    return services.issue_invoice(
        invoice=invoice, actor=foundation.users["sam"], issued_on=date(2026, 3, 5)
    )
