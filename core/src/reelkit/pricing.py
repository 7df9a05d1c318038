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
    from .models import Charge, Plan


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

    def describe_for(self, plan: Plan) -> str:
        """The conditions this plan met, for its basis line: "1080p, audio, mode=pro"."""
        parts = [plan.request.resolution or ""] if self.resolutions else []
        if self.audio is not None:
            parts.append("audio" if self.audio else "no audio")
        parts += [f"{k}={plan.request.params.get(k, v)}" for k, v in self.params.items()]
        if self.modes:
            parts.append(plan.mode.value)
        return ", ".join(p for p in parts if p)

    def describe(self) -> str:
        """The conditions, for the docs' price tables: "1080p/4k, audio, mode=pro"."""
        parts = ["/".join(self.resolutions)] if self.resolutions else []
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
        return f"{money(self.estimated, self.currency or '')} = {self.basis}"


FREE = "free"


def estimate(pricing: Pricing | None, plan: Plan) -> CostEstimate:
    """The cost of ``plan`` under ``pricing``: the sum of each unit's first matching rate."""
    if pricing is None:
        return CostEstimate(estimated=None, currency=None, basis="no published price")
    total = 0.0
    bases: list[str] = []
    notes: list[str] = []
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
        if rate.note:
            notes.append(rate.note)
        rate_text = f"{money(rate.amount, pricing.currency)}/{_unit_short(unit)}"
        conditions = rate.describe_for(plan)
        bases.append(f"{shown} × {rate_text}" + (f" ({conditions})" if conditions else ""))
    if not priced_primary:
        return CostEstimate(
            estimated=None,
            currency=pricing.currency,
            basis=f"no published price for {_conditions(plan)}",
            source=pricing.source,
            as_of=pricing.as_of,
        )
    basis = " + ".join(bases)
    if total == 0:  # "1 request × $0.00/request" says less than why it is free
        basis = "free" + (f" ({'; '.join(notes)})" if notes else "")
    return CostEstimate(
        estimated=round(total, 6),
        currency=pricing.currency,
        basis=basis,
        source=pricing.source,
        as_of=pricing.as_of,
    )


def video_tokens(width: int, height: int, fps: int, seconds: float) -> int:
    """Volcengine Ark's video token estimate: width × height × fps × seconds / 1024.

    Ark's price page (https://www.volcengine.com/docs/82379/1544106, "视频生成模型") gives
    "视频token用量 ≈ (宽 × 高 × 帧率 × 时长)/1024" and prices its examples so: 5 s of 1248x704
    at 24 fps is 102,960 tokens. The billed count is the task's ``usage.completion_tokens``,
    which may be a frame more (the API reference's 108,900 for 5 s of 720p is 1280·720·121/1024).
    """
    frames = round(fps * seconds)
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
    if plan.mode is Mode.REMIX and r.remix_of is not None and r.remix_of.duration:
        seconds = float(r.remix_of.duration)  # a remix is as long as its source, whatever asked
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


# --- prices from the config files --------------------------------------------------------

_SHORTHANDS = {
    "per_second": Unit.SECOND,
    "per_request": Unit.REQUEST,
    "per_million_tokens": Unit.MILLION_TOKENS,
    "per_input_image": Unit.INPUT_IMAGE,
}
_RATE_KEYS = ("amount", "unit", "resolutions", "audio", "modes", "params", "default", "note")


def pricing_from_config(table: Any, where: str) -> Pricing:
    """``[providers.X.models."id".price]``: ``currency``, then ``per_second = 0.12`` (or
    ``per_request``, ``per_million_tokens``, ``per_input_image``) or ``rates = [{amount, unit,
    resolutions, audio, modes, params}]``; optional ``source`` and ``as_of`` (a TOML date).
    It replaces the plugin's table for that model."""
    from .errors import InvalidRequest

    if not isinstance(table, Mapping):
        raise InvalidRequest(where, "must be a table", allowed="currency, per_second, rates, ...")
    allowed = ("currency", "rates", "source", "as_of", "note", *_SHORTHANDS)
    unknown = sorted(set(table) - set(allowed))
    if unknown:
        raise InvalidRequest(where, f"unknown keys {unknown}", allowed=allowed)
    try:
        rates = [
            Rate(amount=None if table[key] is None else float(table[key]), unit=unit)
            for key, unit in _SHORTHANDS.items()
            if key in table
        ]
        for i, row in enumerate(table.get("rates", ())):
            if not isinstance(row, Mapping) or set(row) - set(_RATE_KEYS):
                raise ValueError(f"rates[{i}] must be a table of {', '.join(_RATE_KEYS)}")
            fields = dict(row)
            fields["unit"] = Unit(fields.get("unit", "second"))
            for key in ("resolutions", "modes"):
                if key in fields:
                    fields[key] = tuple(fields[key])
            rates.insert(i, Rate(**fields))  # explicit rows come before the shorthands
        as_of = table.get("as_of", date.today())
        if not isinstance(as_of, date):
            raise ValueError("as_of must be a TOML date (as_of = 2026-12-01)")
        return Pricing(
            currency=str(table.get("currency", "USD")).upper(),
            rates=tuple(rates),
            source=str(table.get("source", "your reelkit config")),
            as_of=as_of,
            note=str(table.get("note", "")),
        )
    except (TypeError, ValueError) as exc:
        raise InvalidRequest(where, str(exc), allowed="see docs/guide.md, Costs") from None


# --- what was billed -----------------------------------------------------------------------


def billed(
    pricing: Pricing | None, record: Any, charge: Charge | None, *, failed: bool
) -> dict[str, Any] | None:
    """The journal's ``billed`` value for a finished job (``record`` is its ``JobRecord``).

    The provider's own amount wins. Tokens alone are priced with the model's token rate for the
    job's plan. A failure the provider documents billing (``failed``) with no amount reported
    counts at its estimate, marked ``"estimated": true``. Otherwise None: nothing reported.
    """
    from .models import Plan

    out: dict[str, Any] = {"on_failure": failed} if failed else {}
    if charge is not None and charge.amount is not None:
        return {
            **out,
            "amount": round(charge.amount, 10),
            "currency": charge.currency or (pricing.currency if pricing else None),
            "tokens": charge.tokens,
            "basis": charge.basis,
        }
    if charge is not None and charge.tokens is not None and pricing is not None:
        plan = Plan(
            provider=record.provider,
            model=record.model,
            mode=Mode(record.mode),
            request=record.request,
            adjustments=(),
        )
        rate = next(
            (r for r in pricing.rates if r.unit is Unit.MILLION_TOKENS and r.matches(plan)), None
        )
        if rate is not None and rate.amount is not None:
            return {
                **out,
                "amount": round(charge.tokens / 1_000_000 * rate.amount, 10),
                "currency": pricing.currency,
                "tokens": charge.tokens,
                "basis": f"{charge.basis or 'tokens'}: {charge.tokens:,} tokens × "
                f"{money(rate.amount, pricing.currency)}/1M tokens",
            }
    if charge is not None and charge.tokens is not None:
        return {**out, "amount": None, "currency": None, "tokens": charge.tokens,
                "basis": charge.basis}  # fmt: skip
    if failed:
        cost = record.cost or {}
        return {
            **out,
            "amount": cost.get("estimated"),
            "currency": cost.get("currency"),
            "estimated": True,
            "basis": "the provider bills this failure; no amount reported, so the estimate",
        }
    return None
