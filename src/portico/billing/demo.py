"""Demo data for billing, loaded by `portico demo` on top of the foundation.

Acme: 18 monthly invoices (older ones paid, last month's overdue, this month's and a service
invoice outstanding, one voided duplicate), bank and card payments, usage on four devices.
Initech Group is invoiced for Initech North and Initech South. Globex has a few invoices.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from portico.core.access import build_scope
from portico.customers.demo import Foundation
from portico.customers.models import Organisation

from . import services
from .models import BillingAccount, Invoice, InvoiceLine, Payment, UsageRecord
from .providers import Card, SandboxProvider
from .providers.sandbox import SUCCESS_CARD
from .services import LineInput

K = InvoiceLine.Kind


def _months_back(today: date, count: int, day: int) -> list[date]:
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        months.append(date(year, month, day))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return list(reversed(months))


def _monthly_lines(month: date, rng: random.Random, devices: int) -> list[LineInput]:
    pages = rng.randint(800, 6000)
    colour = rng.randint(200, 1800)
    return [
        LineInput(
            f"Managed print service, {devices} devices ({month:%B %Y})",
            Decimal("85.00") * devices,
            kind=K.SUBSCRIPTION,
            unit=InvoiceLine.Unit.MONTH,
        ),
        LineInput(
            "Mono pages over allowance",
            Decimal("0.008"),
            Decimal(pages),
            kind=K.USAGE,
            unit=InvoiceLine.Unit.PAGE,
        ),
        LineInput(
            "Colour pages",
            Decimal("0.045"),
            Decimal(colour),
            kind=K.USAGE,
            unit=InvoiceLine.Unit.PAGE,
        ),
    ]


def _service_lines(reference: str) -> list[LineInput]:
    return [
        LineInput("Fuser unit, 110V", Decimal("142.50"), kind=K.PART, reference=reference),
        LineInput("Pick-up roller kit", Decimal("38.00"), Decimal(2), K.PART, reference=reference),
        LineInput(
            "Engineer on site",
            Decimal("85.00"),
            Decimal("1.5"),
            K.LABOUR,
            unit=InvoiceLine.Unit.HOUR,
            reference=reference,
        ),
        LineInput(
            "Travel",
            Decimal("35.00"),
            kind=K.LABOUR,
            unit=InvoiceLine.Unit.EACH,
            reference=reference,
        ),
    ]


def _issue(staff, organisation, lines, issued_on, account=None, **extra) -> Invoice:
    invoice = services.create_invoice(
        organisation=organisation, account=account, actor=staff, lines=lines, **extra
    )
    return services.issue_invoice(invoice=invoice, actor=staff, issued_on=issued_on)


def _pay(staff, invoice: Invoice, method: str = Payment.Method.BANK_TRANSFER) -> Payment:
    assert invoice.issued_on is not None
    return services.record_offline_payment(
        organisation=invoice.organisation,
        amount=invoice.balance,
        actor=staff,
        method=method,
        reference=f"BACS {invoice.number}",
        received_on=invoice.issued_on + timedelta(days=18),
        invoices=[invoice],
    )


def _usage(organisation: Organisation, identifiers: list[str], months: list[date], rng) -> None:
    records = []
    for month in months:
        for identifier in identifiers:
            records.append(
                UsageRecord(
                    organisation=organisation,
                    product="Mono print pages",
                    usage_identifier=identifier,
                    quantity=Decimal(rng.randint(400, 3200)),
                    unit="pages",
                    period_start=month,
                    recorded_on=month,
                )
            )
            records.append(
                UsageRecord(
                    organisation=organisation,
                    product="Colour print pages",
                    usage_identifier=identifier,
                    quantity=Decimal(rng.randint(50, 900)),
                    unit="pages",
                    period_start=month,
                    recorded_on=month,
                )
            )
        records.append(
            UsageRecord(
                organisation=organisation,
                product="Scan to e-mail",
                usage_identifier="scan@" + organisation.customer_number.lower() + ".example",
                quantity=Decimal(rng.randint(20, 400)),
                unit="scans",
                period_start=month,
                recorded_on=month,
            )
        )
    UsageRecord.objects.bulk_create(records)


def _device_serials(organisation: Organisation, fallback: list[str]) -> list[str]:
    try:
        from portico.assets.models import Asset

        serials = list(
            Asset.objects.filter(organisation=organisation)
            .order_by("pk")
            .values_list("serial_number", flat=True)[:4]
        )
    except Exception:
        serials = []
    return serials or fallback


def load(foundation: Foundation) -> None:
    rng = random.Random(2026)
    staff = foundation.users["sam"]
    today = timezone.localdate()
    acme, globex, initech = foundation.acme, foundation.globex, foundation.initech

    BillingAccount.objects.create(organisation=acme, bill_day=5, payment_terms_days=30)
    BillingAccount.objects.create(organisation=globex, bill_day=15, payment_terms_days=14)
    BillingAccount.objects.create(organisation=initech, bill_day=1, payment_terms_days=30)

    # --- Acme: 18 months -----------------------------------------------------------------
    months = _months_back(today.replace(day=1), 18, 5)
    months = [m for m in months if m <= today] or months
    acme_invoices = []
    for index, month in enumerate(months):
        invoice = _issue(staff, acme, _monthly_lines(month, rng, 6), month)
        acme_invoices.append(invoice)
        if index == 6:
            duplicate = _issue(staff, acme, _monthly_lines(month, rng, 6), month)
            services.void_invoice(
                invoice=duplicate, actor=staff, reason=f"Issued twice: see {invoice.number}"
            )
    # Everything but the last two months is paid; every fourth by card in the portal.
    alice_scope = build_scope(foundation.users["alice"])
    for index, invoice in enumerate(acme_invoices[:-2]):
        if index % 4 == 3:
            services.make_payment(
                scope=alice_scope,
                actor=foundation.users["alice"],
                amount=invoice.balance,
                currency=invoice.currency,
                idempotency_key=f"demo-card-{invoice.number}",
                invoices=[Invoice.objects.with_balance().get(pk=invoice.pk)],
                card=Card(SUCCESS_CARD, 12, today.year + 2, "123", "Alice Archer"),
                provider=SandboxProvider(),
            )
        else:
            _pay(staff, invoice, Payment.Method.DIRECT_DEBIT if index % 2 else "bank_transfer")
    # A service visit billed separately, outstanding and not yet due.
    _issue(
        staff,
        acme,
        _service_lines("REQ-000042"),
        max(months[-1], today - timedelta(days=6)),
        buyer_reference="PO-7781",
    )
    # A part payment on last month's (now overdue) invoice.
    if len(acme_invoices) >= 2:
        overdue = acme_invoices[-2]
        services.record_offline_payment(
            organisation=acme,
            amount=Decimal("100.00"),
            actor=staff,
            method=Payment.Method.CHEQUE,
            reference="Cheque 100482",
            received_on=today - timedelta(days=3),
            invoices=[overdue],
        )
    acme_serials = _device_serials(acme, ["CNB1K40211", "CNB1K40388", "VNB3R12007", "JPBH9Q0154"])
    _usage(acme, acme_serials, [m.replace(day=1) for m in months], rng)

    # --- Globex ------------------------------------------------------------------------------
    globex_invoices = [
        _issue(staff, globex, _monthly_lines(month.replace(day=15), rng, 2), month.replace(day=15))
        for month in _months_back(today.replace(day=1), 4, 1)
        if month.replace(day=15) <= today
    ]
    for invoice in globex_invoices[:-1]:
        _pay(staff, invoice)
    _usage(globex, ["GLX-7700-01"], [m.replace(day=1) for m in months[-4:]], rng)

    # --- Initech Group, billed for North and South (B6) --------------------------------------
    group_months = _months_back(today.replace(day=1), 3, 1)
    for child in (foundation.initech_north, foundation.initech_south):
        for month in group_months:
            invoice = _issue(
                staff,
                initech,
                _monthly_lines(month, rng, 3),
                month,
                account=child,
                period_start=month,
                period_end=(month + timedelta(days=32)).replace(day=1) - timedelta(days=1),
            )
            if month != group_months[-1]:
                _pay(staff, invoice)
        _usage(child, [f"{child.customer_number}-MFP-1"], group_months, rng)
    _issue(staff, initech, _monthly_lines(group_months[-1], rng, 1), group_months[-1])
