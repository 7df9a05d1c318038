"""The operator's guardrails, set when the server starts and never by an agent.

- ``max_cost_per_job``: no job whose estimate exceeds it is sent;
- ``budget``: the estimates of the jobs this server process submits add up to at most this;
- both fail closed: a job whose price is unknown (or in a currency with no configured exchange
  rate) is refused under either limit, unless the operator passed ``allow_unpriced``;
- ``providers``: only these providers may be planned or used;
- ``output_dir``: every file the server writes goes under it.

Budget accounting is by estimate (what ``plan.cost`` says before the submit): the bill may
differ, but it arrives only after the money is spent. A job's estimate is *reserved* before its
submit and kept once the provider may have taken it; it is released when nothing was bought
(refused, rejected before sending, or an identical earlier job reused). Checking and reserving
happen with no ``await`` in between, so concurrent calls cannot both spend the last dollar.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from reelkit import budget as budgets
from reelkit.budget import Budget
from reelkit.models import Plan
from reelkit.pricing import money


class Refused(Exception):
    """A guardrail said no, and nothing was sent. ``label`` names the kind for the agent:
    ``BudgetExceeded`` (the message names the estimate and the limit) or ``Refused``."""

    def __init__(self, message: str, *, label: str = "Refused") -> None:
        super().__init__(message)
        self.label = label


@attrs.define
class Guard:
    output_dir: Path
    max_cost_per_job: Budget | None = None
    budget: Budget | None = None
    allow_unpriced: bool = False
    providers: frozenset[str] | None = None  # canonical names; None: every installed provider
    rates: Mapping[str, float] = attrs.field(factory=dict)
    committed: float = 0.0  # in the budget's currency
    unpriced: int = 0
    _reserved: dict[int, float] = attrs.field(factory=dict)
    _tokens: itertools.count[int] = attrs.field(factory=itertools.count)

    @property
    def currency(self) -> str:
        return (self.budget or self.max_cost_per_job or Budget(0)).currency

    @property
    def remaining(self) -> float | None:
        if self.budget is None:
            return None
        return max(0.0, self.budget.amount - self.committed - sum(self._reserved.values()))

    # --- providers -------------------------------------------------------------------------

    def check_provider(self, name: str) -> None:
        if self.providers is not None and name not in self.providers:
            raise Refused(
                f"provider {name!r} is not allowed by this server (allowed: "
                f"{', '.join(sorted(self.providers))}); nothing was sent"
            )

    # --- money -----------------------------------------------------------------------------

    def refusal(self, plan: Plan) -> str | None:
        """Why this server would not send ``plan``, or None."""
        what = f"{plan.provider}/{plan.model}"
        checks = [(self.max_cost_per_job, "the server's per-job limit (--max-cost-per-job)")]
        if self.budget is not None:
            remaining = Budget(self.remaining or 0.0, self.budget.currency)
            spent = money(self.budget.amount - remaining.amount, self.budget.currency)
            checks.append(
                (
                    remaining,
                    f"the server's remaining budget (--budget {self.budget.describe()}, "
                    f"{spent} committed by this server)",
                )
            )
        for limit, name in checks:
            refused = budgets.refusal(
                plan.cost,
                limit,
                allow_unpriced=self.allow_unpriced,
                rates=self.rates,
                what=what,
            )
            if refused is not None:
                return f"refused by {name}: {refused}"
        return None

    def reserve(self, plan: Plan) -> int:
        """Check ``plan`` and hold its estimate against the budget; raise ``Refused`` if over."""
        refused = self.refusal(plan)
        if refused is not None:
            raise Refused(refused, label="BudgetExceeded")
        amount = self._amount(plan)
        token = next(self._tokens)
        self._reserved[token] = amount or 0.0
        return token

    def commit(self, token: int, plan: Plan) -> None:
        """The provider may have taken the job: its estimate counts from now on."""
        amount = self._reserved.pop(token, None)
        if amount is None:
            return
        self.committed += amount
        if self._amount(plan) is None:
            self.unpriced += 1

    def release(self, token: int) -> None:
        """Nothing was bought: give the reservation back."""
        self._reserved.pop(token, None)

    # --- shot lists --------------------------------------------------------------------------

    def shot_amount(self, item: Any) -> float | None:
        """A planned shot's estimate (all its jobs) in the budget's currency; None if unknown."""
        if item.estimated is None:
            return None
        if item.currency in (None, self.currency) or item.estimated == 0:
            return float(item.estimated)
        rate = self.rates.get(item.currency)
        return None if rate is None else item.estimated * rate

    def shot_refusal(self, shot_id: str, amount: float | None) -> str | None:
        if amount is None:
            if self.allow_unpriced or (self.budget is None and self.max_cost_per_job is None):
                return None
            return f"shot {shot_id}: its price is unknown and this server has a budget; nothing was sent"
        if self.max_cost_per_job is not None and amount > self.max_cost_per_job.amount + 1e-9:
            return (
                f"shot {shot_id}: estimated {money(amount, self.currency)}, over the server's "
                f"per-job limit (--max-cost-per-job {self.max_cost_per_job.describe()}); nothing was sent"
            )
        return None

    def hold(self, amount: float) -> int:
        """Hold a whole shot list's estimate; ``Refused`` if over the remaining budget."""
        remaining = self.remaining
        if remaining is not None and amount > remaining + 1e-9:
            raise Refused(
                f"the shot list is estimated at {money(amount, self.currency)}, over the "
                f"server's remaining budget of {money(remaining, self.currency)}; nothing was sent",
                label="BudgetExceeded",
            )
        token = next(self._tokens)
        self._reserved[token] = amount
        return token

    def settle(self, token: int) -> None:
        self.committed += self._reserved.pop(token, 0.0)

    def _amount(self, plan: Plan) -> float | None:
        if plan.cost is None:
            return None
        return budgets.in_currency(plan.cost, self.currency, self.rates)

    # --- files -----------------------------------------------------------------------------

    def output(self, requested: str | None) -> str:
        """Where a job's file goes: ``requested`` resolved inside the output directory."""
        root = self.output_dir
        if requested is None or not requested.strip():
            return str(root) + os.sep  # a folder: the core names the file
        path = Path(requested).expanduser()
        if not path.is_absolute():
            path = root / path
        resolved = path.resolve()
        if resolved != root and root not in resolved.parents:
            raise Refused(
                f"output {requested!r} is outside the server's output directory {root}; "
                "give a name or folder inside it"
            )
        folder = requested.endswith(("/", os.sep)) or resolved == root
        return str(resolved) + (os.sep if folder else "")
