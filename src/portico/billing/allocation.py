"""The allocation rule, as a pure function so it can be tested on its own (B4).

A payment is applied to open balances in the order given (the chosen invoices, else the
oldest first); what is left over is credit. Never more than a balance, never a negative part.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TypeVar

from .money import ZERO, to_money

K = TypeVar("K")


def plan_allocation(
    amount: Decimal, balances: Sequence[tuple[K, Decimal]]
) -> tuple[list[tuple[K, Decimal]], Decimal]:
    """Return ``([(key, applied), …], remainder)`` for paying ``amount`` into ``balances``."""
    remaining = to_money(amount)
    if remaining < 0:
        raise ValueError("A payment cannot be negative.")
    plan: list[tuple[K, Decimal]] = []
    for key, balance in balances:
        if remaining <= 0:
            break
        open_balance = to_money(balance)
        if open_balance <= 0:
            continue
        applied = min(open_balance, remaining)
        plan.append((key, applied))
        remaining -= applied
    return plan, max(remaining, ZERO)
