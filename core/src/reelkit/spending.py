"""What was spent, from the journal: estimates and billed amounts, summed.

A job counts once the provider may have taken its submit: accepted (a task id recorded), or
``unknown`` (the answer was lost; it may be billed). A job refused before sending is not in the
journal; one reused from an identical earlier job bought nothing; one the provider rejected at
submit (no task id, failed) cost nothing. ``billed`` sums what providers reported (or, for a
failure the provider documents billing without an amount, its estimate, flagged). Amounts in
another currency than the report's are converted only through configured exchange rates;
without one they are reported apart, under ``unconverted``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

from .errors import InvalidRequest
from .journal import CostRow
from .models import JobState

BY = ("provider", "model", "day", "state")
_SINCE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$", re.IGNORECASE)
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_since(text: str | None, *, now: float | None = None) -> float | None:
    """``7d``, ``24h``, ``30m``, ``2w`` ago, or an ISO date/time (``2026-11-01``), as epoch s."""
    if text is None or not str(text).strip():
        return None
    now = time.time() if now is None else now
    m = _SINCE.match(str(text))
    if m:
        return now - float(m.group(1)) * _SECONDS[m.group(2).lower()]
    try:
        moment = datetime.fromisoformat(str(text).strip())
    except ValueError:
        raise InvalidRequest(
            "since", f"{text!r} is not a duration or a date", allowed="e.g. 7d, 24h, 2026-11-01"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def counted(row: CostRow) -> bool:
    if row.reused:
        return False
    return row.accepted or row.state in (JobState.UNKNOWN, JobState.PENDING)


def _bucket() -> dict[str, Any]:
    return {"estimated": 0.0, "billed": 0.0, "jobs": 0, "billed_jobs": 0, "unpriced": 0}


def summarise(
    rows: Iterable[CostRow],
    *,
    by: str | None = None,
    currency: str = "USD",
    rates: Mapping[str, float] | None = None,
    since: float | None = None,
) -> dict[str, Any]:
    """``{"currency", "estimated", "billed", "jobs", "billed_jobs", "unpriced", "by": {...},
    "unconverted": {CUR: {...}}}``; ``by`` groups by provider, model, day (UTC) or state."""
    if by is not None and by not in BY:
        raise InvalidRequest("by", f"{by!r} is not a grouping", allowed=BY)
    rates = dict(rates or {})
    total = _bucket()
    groups: dict[str, dict[str, Any]] = {}
    unconverted: dict[str, dict[str, Any]] = {}
    for row in rows:
        if not counted(row):
            continue
        key = _key(row, by) if by else None
        targets = [total] + ([groups.setdefault(key, _bucket())] if key is not None else [])
        for bucket in targets:
            bucket["jobs"] += 1
        estimated = _amount(row.cost, "estimated", currency, rates)
        if estimated is _UNPRICED:
            for bucket in targets:
                bucket["unpriced"] += 1
        elif isinstance(estimated, tuple):  # another currency, no rate
            other = unconverted.setdefault(estimated[0], _bucket())
            other["estimated"] += estimated[1]
            other["jobs"] += 1
        else:
            for bucket in targets:
                bucket["estimated"] += estimated
        billed = _amount(row.billed, "amount", currency, rates)
        if billed is _UNPRICED:
            continue
        if isinstance(billed, tuple):
            other = unconverted.setdefault(billed[0], _bucket())
            other["billed"] += billed[1]
            other["billed_jobs"] += 1
            continue
        for bucket in targets:
            bucket["billed"] += billed
            bucket["billed_jobs"] += 1
    report: dict[str, Any] = {
        "currency": currency,
        **_rounded(total),
        "since": datetime.fromtimestamp(since, timezone.utc).isoformat() if since else None,
        "by": {k: _rounded(v) for k, v in sorted(groups.items())} if by else None,
    }
    if unconverted:
        report["unconverted"] = {k: _rounded(v) for k, v in sorted(unconverted.items())}
    return report


_UNPRICED = object()


def _amount(
    value: Mapping[str, Any] | None, key: str, currency: str, rates: Mapping[str, float]
) -> Any:
    """A float in ``currency``, ``(CUR, amount)`` when not convertible, or ``_UNPRICED``."""
    if not value or not isinstance(value.get(key), (int, float)):
        return _UNPRICED
    amount = float(value[key])
    cur = value.get("currency") or currency
    if cur == currency or amount == 0:
        return amount
    if cur in rates:
        return amount * rates[cur]
    return (cur, amount)


def _key(row: CostRow, by: str) -> str:
    if by == "day":
        return datetime.fromtimestamp(row.created_at, timezone.utc).date().isoformat()
    if by == "model":
        return f"{row.provider}/{row.model}"
    if by == "state":
        return row.state.value
    return row.provider


def _rounded(bucket: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "estimated": round(bucket["estimated"], 6),
        "billed": round(bucket["billed"], 6),
        "jobs": bucket["jobs"],
        "billed_jobs": bucket["billed_jobs"],
        "unpriced": bucket["unpriced"],
    }
