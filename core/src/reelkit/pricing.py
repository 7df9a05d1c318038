"""Prices are data: what a model charges, with the page it was read from and the date.

A plugin declares a ``Pricing`` on each ``ModelInfo`` (``price=``); the core turns a plan into a
``CostEstimate`` without a network call. A price nobody published is *unknown*, never guessed:
a model without a ``Pricing``, or a ``Rate`` whose ``amount`` is ``None``, estimates to
``None``, and a budget then refuses the job unless the caller allows unpriced jobs.

How a table reads: rates are grouped by ``unit``; within a unit the *first* rate whose
conditions match the plan applies, and the estimate is the sum over units. So a per-second
price by resolution plus a per-input-image fee is two groups, and a table is ordered from the
most specific row to the most general.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from attrs import field, frozen

from .capabilities import Mode, dimensions, parse_size

if TYPE_CHECKING:
    from .models import Plan


class Unit(str, enum.Enum):
    """What a rate is charged per."""

    SECOND = "second"  # per second of output video (the duration asked for)
    REQUEST = "request"  # per job, whatever its length
    MILLION_TOKENS = "1M tokens"  # per million video tokens (see ``video_tokens``)
    INPUT_IMAGE = "input image"  # per image sent with the request (first, last, references)

    def __str__(self) -> str:
        return self.value


# Units that price the video itself: a table must match one of them for a known estimate.
PRIMARY_UNITS = (Unit.SECOND, Unit.REQUEST, Unit.MILLION_TOKENS)


def _mode_tuple(values: Any) -> tuple[Mode, ...]:
    return tuple(Mode(v) for v in values)


@frozen(kw_only=True)
class Rate:
    """One row of a price table: ``amount`` per ``unit`` for the plans it matches.

    Empty conditions match everything: ``resolutions=()`` is any resolution, ``audio=None``
    either, ``modes=()`` any mode, ``params={}`` any params (``{"mode": "pro"}`` matches a plan
    whose params carry ``mode="pro"``; a key the plan lacks matches the model's default only
    when ``default=True``). ``amount=None`` says this variant's price is not published.
    """

    amount: float | None
    unit: Unit = Unit.SECOND
    resolutions: tuple[str, ...] = ()
    audio: bool | None = None
    modes: tuple[Mode, ...] = field(default=(), converter=_mode_tuple)
    params: Mapping[str, Any] = field(factory=dict)
    default: bool = False  # also matches a plan that leaves the ``params`` keys unset
    note: str = ""

    def __attrs_post_init__(self) -> None:
        if self.amount is not None and (self.amount < 0 or not math.isfinite(self.amount)):
            raise ValueError(f"a rate must be a finite amount >= 0, not {self.amount!r}")

    def matches(self, plan: Plan) -> bool:
        request = plan.request
        if self.modes and plan.mode not in self.modes:
            return False
        if self.resolutions and (request.resolution or "").lower() not in {
            r.lower() for r in self.resolutions
        }:
            return False
        if self.audio is not None and bool(request.audio) != self.audio:
            return False
        for key, wanted in self.params.items():
            if key in request.params:
                if request.params[key] != wanted:
                    return False
            elif not self.default:
                return False
        return True

    def describe(self) -> str:
        """The conditions, for a basis line and the docs: "1080p, audio, mode=pro"."""
        parts = [*self.resolutions]
        if self.audio is not None:
            parts.append("audio" if self.audio else "no audio")
        parts += [f"{k}={v}" for k, v in self.params.items()]
        if self.modes:
            parts.append("/".join(m.value for m in self.modes))
        return ", ".join(parts)


@frozen(kw_only=True)
class Pricing:
    """A model's price table, in one currency, with where and when it was read."""

    currency: str
    rates: tuple[Rate, ...]
    source: str  # the official pricing page (a public URL), or the gateway's published list
    as_of: date  # the day the source was read
    note: str = ""

    def __attrs_post_init__(self) -> None:
        if not self.rates:
            raise ValueError("a Pricing needs at least one Rate (unpriced models have none)")
        if len(self.currency) != 3 or not self.currency.isupper():
            raise ValueError(f"currency must be an ISO 4217 code like USD, not {self.currency!r}")


@frozen(kw_only=True)
class CostEstimate:
    """What a plan will cost before it is sent; ``estimated`` is ``None`` when unknown."""

    estimated: float | None
    currency: str | None
    basis: str  # how it was computed, or why it is unknown
    source: str | None = None
    as_of: date | None = None

    @property
    def known(self) -> bool:
        return self.estimated is not None

    def to_dict(self) -> dict[str, Any] | None:
        if self.estimated is None:
            return None
        return {
            "estimated": self.estimated,
            "currency": self.currency,
            "basis": self.basis,
            "source": self.source,
            "as_of": self.as_of.isoformat() if self.as_of else None,
        }

    def describe(self) -> str:
        """One line for text output: "$3.20 (8 s × $0.40/s, 1080p, audio)" or "unknown (…)"."""
        if self.estimated is None:
            return f"unknown ({self.basis})"
        return f"{money(self.estimated, self.currency or '')} ({self.basis})"


FREE = "free"


def estimate(pricing: Pricing | None, plan: Plan) -> CostEstimate:
    """The cost of ``plan`` under ``pricing``: the sum of each unit's first matching rate."""
    if pricing is None:
        return CostEstimate(estimated=None, currency=None, basis="no published price")
    total = 0.0
    bases: list[str] = []
    priced_primary = False
    for unit in Unit:
        rate = next((r for r in pricing.rates if r.unit is unit and r.matches(plan)), None)
        if rate is None:
            continue
        if rate.amount is None:
            return CostEstimate(
                estimated=None,
                currency=pricing.currency,
                basis=f"no published price for {_conditions(plan)}",
                source=pricing.source,
                as_of=pricing.as_of,
            )
        quantity, shown = _quantity(unit, plan)
        if quantity == 0 and unit is Unit.INPUT_IMAGE:
            continue
        priced_primary = priced_primary or unit in PRIMARY_UNITS
        total += quantity * rate.amount
        rate_text = f"{money(rate.amount, pricing.currency)}/{_unit_short(unit)}"
        conditions = rate.describe()
        bases.append(f"{shown} × {rate_text}" + (f" ({conditions})" if conditions else ""))
    if not priced_primary:
        return CostEstimate(
            estimated=None,
            currency=pricing.currency,
            basis=f"no published price for {_conditions(plan)}",
            source=pricing.source,
            as_of=pricing.as_of,
        )
    return CostEstimate(
        estimated=round(total, 6),
        currency=pricing.currency,
        basis=" + ".join(bases),
        source=pricing.source,
        as_of=pricing.as_of,
    )


def video_tokens(width: int, height: int, fps: int, seconds: float) -> int:
    """Volcengine Ark's video token count: width × height × frames / 1024.

    The frame count is ``fps × seconds + 1`` (the first frame is extra): Ark's example
    ``usage.completion_tokens`` of 108,900 for 5 s of 1280x720 at 24 fps is 1280·720·121/1024
    (docs/reference/volcengine-kling.md §3.4).
    """
    frames = round(fps * seconds) + 1
    return int(width * height * frames // 1024)


def plan_pixels(plan: Plan) -> tuple[int, int]:
    r = plan.request
    if r.size:
        try:
            return parse_size(r.size)
        except ValueError:
            pass
    return dimensions(r.resolution or "720p", r.aspect_ratio or "16:9")


def _quantity(unit: Unit, plan: Plan) -> tuple[float, str]:
    r = plan.request
    seconds = float(r.duration or 0)
    if unit is Unit.SECOND:
        return seconds, f"{_num(seconds)} s"
    if unit is Unit.REQUEST:
        return 1.0, "1 request"
    if unit is Unit.INPUT_IMAGE:
        count = sum(1 for role, _ in r.media() if role.value != "video")
        return float(count), f"{count} image{'s' if count != 1 else ''}"
    width, height = plan_pixels(plan)
    tokens = video_tokens(width, height, int(r.fps or 24), seconds)
    return tokens / 1_000_000, f"{tokens:,} tokens"


def _unit_short(unit: Unit) -> str:
    return {
        Unit.SECOND: "s",
        Unit.REQUEST: "request",
        Unit.MILLION_TOKENS: "1M tokens",
        Unit.INPUT_IMAGE: "image",
    }[unit]


def _conditions(plan: Plan) -> str:
    r = plan.request
    parts = [plan.model, plan.mode.value, r.resolution or "", "audio" if r.audio else ""]
    return ", ".join(p for p in parts if p)


_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}


def money(amount: float, currency: str) -> str:
    """ "$0.40", "¥15" style: short, exact to the cent where it matters, never in float noise."""
    text = f"{amount:.4f}".rstrip("0")
    if text.endswith("."):
        text += "00"
    elif len(text.split(".")[1]) == 1:
        text += "0"
    symbol = _SYMBOLS.get(currency)
    return f"{symbol}{text}" if symbol else f"{text} {currency}"


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"
