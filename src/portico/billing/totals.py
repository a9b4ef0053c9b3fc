"""Invoice totals as EN 16931 / Peppol BIS 3.0 computes them.

Line net amounts are summed per VAT rate; each rate's VAT is rounded once on that sum
(BR-CO-17), the invoice VAT is the sum of those (BR-CO-14), gross = net + VAT (BR-CO-15).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from .money import ZERO, to_money


@dataclass(frozen=True)
class TaxBreakdown:
    rate: Decimal
    taxable: Decimal
    tax: Decimal

    @property
    def category(self) -> str:
        """UNCL 5305: S standard rate, Z zero rated."""
        return "S" if self.rate > 0 else "Z"


@dataclass(frozen=True)
class Totals:
    net: Decimal
    tax: Decimal
    gross: Decimal
    breakdown: tuple[TaxBreakdown, ...]


def compute_totals(lines: Iterable[tuple[Decimal, Decimal]]) -> Totals:
    """``lines`` are ``(net_amount, tax_rate_percent)`` pairs."""
    by_rate: dict[Decimal, Decimal] = {}
    for net, rate in lines:
        key = Decimal(rate).quantize(Decimal("0.01"))
        by_rate[key] = by_rate.get(key, ZERO) + to_money(net)
    breakdown = tuple(
        TaxBreakdown(rate, to_money(taxable), to_money(taxable * rate / 100))
        for rate, taxable in sorted(by_rate.items(), reverse=True)
    )
    net_total = to_money(sum((b.taxable for b in breakdown), ZERO))
    tax_total = to_money(sum((b.tax for b in breakdown), ZERO))
    return Totals(net_total, tax_total, net_total + tax_total, breakdown)
