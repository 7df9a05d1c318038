"""Budgets that fail closed: a job whose estimate exceeds the limit is refused before anything
is sent, and so is a job whose price is unknown, unless the caller allows unpriced jobs.

A budget is an amount in a currency (USD unless named: ``5``, ``"5 USD"``, ``"30 CNY"``). An
estimate in another currency is compared only through an exchange rate the user configured
(``[exchange_rates]`` in the config: ``CNY = 0.14`` means 1 CNY = 0.14 of the budget's
currency); without one the price is unknown *in the budget's currency* and refused alike, never
converted at a guessed rate.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from attrs import frozen

from .errors import BudgetExceeded, InvalidRequest
from .pricing import CostEstimate, money

_BUDGET = re.compile(r"^\s*(?:([A-Za-z]{3})\s*)?([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]{3})?\s*$")


@frozen
class Budget:
    amount: float
    currency: str = "USD"

    @classmethod
    def parse(cls, value: object, field: str = "max_cost") -> Budget:
        """A number (USD) or text like ``"5"``, ``"5 USD"``, ``"USD 5"``, ``"30 CNY"``."""
        if isinstance(value, Budget):
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise InvalidRequest(
                field, f"must be an amount, not {type(value).__name__}", allowed=_ALLOWED
            )
        if isinstance(value, (int, float)):
            amount, currency = float(value), "USD"
        else:
            m = _BUDGET.match(value)
            if not m or (m.group(1) and m.group(3)):
                raise InvalidRequest(field, f"{value!r} is not an amount", allowed=_ALLOWED)
            amount = float(m.group(2))
            currency = (m.group(1) or m.group(3) or "USD").upper()
        if not math.isfinite(amount) or amount < 0:
            raise InvalidRequest(field, f"{value!r} is not an amount ≥ 0", allowed=_ALLOWED)
        return cls(amount, currency)

    def describe(self) -> str:
        return money(self.amount, self.currency)


_ALLOWED = 'a number of USD ≥ 0, or "AMOUNT CUR" such as "5 USD" or "30 CNY"'


def in_currency(estimate: CostEstimate, currency: str, rates: Mapping[str, float]) -> float | None:
    """The estimate in ``currency``, through a configured rate if needed; None if unknown."""
    if estimate.estimated is None or estimate.currency is None:
        return None
    if estimate.estimated == 0:
        return 0.0  # free is free in every currency
    if estimate.currency == currency:
        return estimate.estimated
    rate = rates.get(estimate.currency)
    return None if rate is None else estimate.estimated * rate


def refusal(
    estimate: CostEstimate | None,
    budget: Budget | None,
    *,
    allow_unpriced: bool,
    rates: Mapping[str, float],
    what: str,
) -> BudgetExceeded | None:
    """Why ``what`` may not be sent under ``budget``, or None if it may."""
    if budget is None:
        return None
    if estimate is None or estimate.estimated is None:
        if allow_unpriced:
            return None
        why = estimate.basis if estimate is not None else "no published price"
        return BudgetExceeded(
            f"{what}: the price is unknown ({why}) and a budget of {budget.describe()} is set; "
            "nothing was sent. Allow it with --allow-unpriced (allow_unpriced=True), or set its "
            'price in the config ([providers.NAME.models."ID".price])',
            estimate=estimate,
            limit=budget,
        )
    amount = in_currency(estimate, budget.currency, rates)
    if amount is None:
        if allow_unpriced:
            return None
        return BudgetExceeded(
            f"{what}: priced in {estimate.currency} ({estimate.describe()}) but the budget is in "
            f"{budget.currency}, and no exchange rate is configured; nothing was sent. Set the "
            f"budget in {estimate.currency} (--max-cost '{_num(estimate.estimated or 0)} "
            f"{estimate.currency}'), or configure [exchange_rates] {estimate.currency} = "
            f"<{budget.currency} per {estimate.currency}>",
            estimate=estimate,
            limit=budget,
        )
    if amount > budget.amount + 1e-9:
        converted = (
            "" if estimate.currency == budget.currency else f" = {money(amount, budget.currency)}"
        )
        return BudgetExceeded(
            f"{what}: estimated {estimate.describe()}{converted}, over the budget of "
            f"{budget.describe()}; nothing was sent",
            estimate=estimate,
            limit=budget,
        )
    return None


def _num(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")
