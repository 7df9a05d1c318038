"""Parse xAI answers: ``{"request_id"}`` at submit, the deferred status at poll, three error
shapes [veo-grok §2.3]:

- ``{"code": "Client specified an invalid argument", "error": "Incorrect API key provided: …"}``
- ``{"code": 429, "error": "You ran out of credits."}``
- ``{"error": {"code": …, "message": …}}`` (OpenAI-like)

Statuses: ``pending``, ``done``, ``expired``, ``failed``. A ``done`` job with
``video.respect_moderation: false`` carries no URL: the output was moderated.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

import httpx

from reelkit.errors import AuthenticationFailed, ProviderError, RateLimited, ReelkitError
from reelkit.models import (
    Asset,
    Charge,
    Failed,
    JobHandle,
    JobStatus,
    Queued,
    Running,
    Succeeded,
)
from reelkit.wire import error_for_status, expires_after, read_json, require, retry_after_seconds

from .capabilities import URL_LIFETIME_S

PROVIDER = "grok"
# "1 USD = 10,000,000,000 ticks (i.e. 1 tick = 1e-10 USD)": ``cost_in_usd_ticks`` in xAI's own
# proto, "Full price paid by the user for this request ... Also used for image gen, video gen"
# (https://github.com/xai-org/xai-proto/blob/main/proto/xai/api/v1/usage.proto); xai-sdk's
# cost.py divides by the same (USD_PER_TICK = 1e-10).
USD_TICKS = 10_000_000_000
CHARGE_BASIS = "usage.cost_in_usd_ticks"
_log = logging.getLogger(__name__)
# [veo-grok §2.3] error.code values worth trying again: service_unavailable, internal_error.
_RETRYABLE = frozenset({"service_unavailable", "internal_error", "unavailable", "internal"})
_MODERATION = re.compile(r"moderat|content polic|usage polic|safety", re.IGNORECASE)
_KEY = re.compile(r"(api key provided:\s*)\S+|xai-[A-Za-z0-9*._-]{4,}", re.IGNORECASE)
_NO_CREDITS = re.compile(r"credits|spending limit|billing", re.IGNORECASE)


def scrub(message: str) -> str:
    """xAI echoes (part of) the key in auth errors; never pass it on."""
    return _KEY.sub(lambda m: (m.group(1) or "") + "***", message)


def error_fields(body: Any) -> tuple[str | None, str | int | None]:
    """``(message, code)`` from any of the three error shapes."""
    if not isinstance(body, Mapping):
        return None, None
    err = body.get("error")
    if isinstance(err, Mapping):
        return _text(err.get("message")), err.get("code") or err.get("type")
    if isinstance(err, str):
        return err, body.get("code")
    return _text(body.get("message")), body.get("code")


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def error_from_response(response: httpx.Response) -> ReelkitError:
    response.read()
    try:
        body = response.json()
    except ValueError:
        body = None
    message, code = error_fields(body)
    if message is None:
        message = (
            response.text[:200].strip() or response.reason_phrase or f"HTTP {response.status_code}"
        )
    message = scrub(message)
    status = response.status_code
    if status in (400, 401, 403) and "api key" in message.lower():
        return AuthenticationFailed(f"{PROVIDER}: {message}")
    if status == 429 and _NO_CREDITS.search(message):
        # Out of credits is a 429 too, but waiting will not fix it.
        return ProviderError(message, provider=PROVIDER, code=code, status=429, retryable=False)
    if status == 429:
        return RateLimited(
            message, provider=PROVIDER, code=code, retry_after=retry_after_seconds(response)
        )
    return error_for_status(response, PROVIDER, message=message, code=code)


def parse_submit(model_id: str, response: httpx.Response, data: Mapping[str, Any]) -> JobHandle:
    if not response.is_success:
        raise error_from_response(response)
    body = read_json(response, PROVIDER)
    request_id = str(require(body, "request_id", PROVIDER, status=response.status_code))
    return JobHandle(provider=PROVIDER, model=model_id, task_id=request_id, data=dict(data))


def parse_status(job: JobHandle, response: httpx.Response, *, now: datetime) -> JobStatus:
    if not response.is_success:
        raise error_from_response(response)
    body = read_json(response, PROVIDER)
    if not isinstance(body, Mapping):
        raise ProviderError("poll answer is not a JSON object", provider=PROVIDER, retryable=True)
    video: Mapping[str, Any] = body["video"] if isinstance(body.get("video"), Mapping) else {}
    status = str(body.get("status") or "").lower()
    if not status:  # tolerate answers without a status: the video or the error says enough
        status = "done" if video else ("failed" if body.get("error") else "pending")

    if status == "pending":
        progress = body.get("progress")
        if isinstance(progress, (int, float)) and progress > 0:
            return Running(progress=min(float(progress) / 100, 1.0))
        return Queued()
    if status == "expired":
        return Failed(
            message="xAI expired the request before the video was fetched", code="expired"
        )
    if status == "failed":
        message, code = error_fields(body)
        text = scrub(message or "the video generation failed")
        filtered = bool(_MODERATION.search(text))
        return Failed(
            message=text,
            code=code,
            filtered=filtered,
            reasons=(text,) if filtered else (),
            retryable=str(code).lower() in _RETRYABLE,
            charge=charge(body),
        )
    if status == "done":
        return _done(body, video, now=now)
    return Running()  # xai-sdk warns on an unknown status and keeps polling [veo-grok §2.4]


def _done(body: Mapping[str, Any], video: Mapping[str, Any], *, now: datetime) -> JobStatus:
    if video.get("respect_moderation") is False:
        return Failed(
            message="xAI moderation blocked the video (respect_moderation: false)",
            code="moderated",
            filtered=True,
            reasons=("Video did not respect moderation rules",),
            # [veo-grok §2.1] one third-party note says the cost is incurred anyway; no xAI page
            # says so, so it stays unknown. What the answer itself reports is kept as the charge.
            billed=None,
            charge=charge(body),
        )
    url = require(body, "video.url", PROVIDER)
    metadata: dict[str, Any] = {"model": body.get("model")}
    if isinstance(video.get("duration"), (int, float)):
        metadata["duration"] = float(video["duration"])
    billed = charge(body)
    if billed is not None:
        metadata["cost_usd"] = billed.amount
    asset = Asset(
        url=str(url),
        mime_type="video/mp4",  # [veo-grok §2.3] the output is MP4
        expires_at=expires_after(URL_LIFETIME_S, start=now),
    )
    # cast: Succeeded's converter=tuple leaves mypy an unsolvable Iterable[_T_co].
    return Succeeded(
        assets=cast(Any, (asset,)),
        metadata={k: v for k, v in metadata.items() if v is not None},
        charge=billed,
    )


def charge(body: Mapping[str, Any]) -> Charge | None:
    """What xAI says it billed: ``usage.cost_in_usd_ticks`` in USD, or None without one.

    A malformed value is ignored (logged at debug): it never turns a finished job into a
    failure. Ticks are an int64, which JSON encoders may also write as a decimal string.
    """
    usage = body.get("usage")
    if not isinstance(usage, Mapping) or usage.get("cost_in_usd_ticks") is None:
        return None
    raw = usage["cost_in_usd_ticks"]
    ticks: float | None = None
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        ticks = float(raw)
    elif isinstance(raw, str) and raw.strip().isascii() and raw.strip().isdigit():
        ticks = float(int(raw))
    if ticks is None or ticks < 0 or not math.isfinite(ticks):
        _log.debug("grok: ignoring a malformed usage.cost_in_usd_ticks: %r", raw)
        return None
    return Charge(amount=ticks / USD_TICKS, currency="USD", basis=CHARGE_BASIS)
