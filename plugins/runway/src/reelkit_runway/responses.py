"""Parse Runway answers: ``{"id"}`` at submit, the task at poll [sdk ``task_retrieve_response``].

Statuses: ``PENDING`` and ``THROTTLED`` (over the account's concurrency, queued by Runway, not
refused [ref]) are ``Queued``; ``RUNNING`` (with ``progress`` 0-1) is ``Running``;
``SUCCEEDED`` carries ``output`` URLs that expire within 24-48 h; ``FAILED`` carries ``failure``
and ``failureCode``; ``CANCELLED`` is a cancelled or deleted task. Terminal tasks report
``cost.credits``, kept as the job's charge ($0.01 a credit).

``failureCode`` families [failures]: ``SAFETY.INPUT.*`` / ``SAFETY.OUTPUT.*`` are moderation
(not to be retried), ``INTERNAL.BAD_OUTPUT.*`` and ``INTERNAL*`` may succeed on another try,
``ASSET.INVALID`` is a bad input.

HTTP errors [ref]: 400 validation (``{"error": "...", "issues": [...]}``), 401 a bad key, 429
the daily generation limit, 502/503/504 overload.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

import httpx

from reelkit.errors import AuthenticationFailed, ProviderError, ReelkitError
from reelkit.models import Asset, Charge, Failed, JobHandle, JobStatus, Queued, Running, Succeeded
from reelkit.wire import error_for_status, expires_after, read_json, require

from .capabilities import URL_LIFETIME_S, USD_PER_CREDIT

PROVIDER = "runway"
CHARGE_BASIS = "cost.credits"
_log = logging.getLogger(__name__)
QUEUED = frozenset({"PENDING", "THROTTLED"})


def error_message(body: Any) -> tuple[str | None, str | None]:
    """``(message, first issue)`` from ``{"error": "..."}`` or ``{"error": {"message"}}``."""
    if not isinstance(body, Mapping):
        return None, None
    err = body.get("error")
    message = err.get("message") if isinstance(err, Mapping) else err
    issue = None
    issues = body.get("issues")
    if isinstance(issues, list) and issues and isinstance(issues[0], Mapping):
        path = issues[0].get("path")
        where = ".".join(str(p) for p in path) if isinstance(path, list) else None
        text = issues[0].get("message")
        issue = f"{where}: {text}" if where and text else (str(text) if text else None)
    return (None if message is None else str(message)), issue


def error_from_response(response: httpx.Response) -> ReelkitError:
    response.read()
    try:
        body = response.json()
    except ValueError:
        body = None
    message, issue = error_message(body)
    if message is None:
        message = (
            response.text[:200].strip() or response.reason_phrase or f"HTTP {response.status_code}"
        )
    if issue:
        message = f"{message} ({issue})"
    if response.status_code == 401:
        return AuthenticationFailed(f"{PROVIDER}: {message}")
    return error_for_status(response, PROVIDER, message=message)


def parse_submit(model_id: str, response: httpx.Response) -> JobHandle:
    if not response.is_success:
        raise error_from_response(response)
    body = read_json(response, PROVIDER)
    task_id = str(require(body, "id", PROVIDER, status=response.status_code))
    return JobHandle(provider=PROVIDER, model=model_id, task_id=task_id)


def parse_task(response: httpx.Response, *, now: datetime) -> JobStatus:
    if not response.is_success:
        raise error_from_response(response)
    body = read_json(response, PROVIDER)
    if not isinstance(body, Mapping):
        raise ProviderError("poll answer is not a JSON object", provider=PROVIDER, retryable=True)
    status = str(require(body, "status", PROVIDER)).upper()
    if status in QUEUED:
        return Queued()
    if status == "RUNNING":
        progress = body.get("progress")
        if isinstance(progress, (int, float)) and not isinstance(progress, bool):
            return Running(progress=min(max(float(progress), 0.0), 1.0))
        return Running()
    if status == "SUCCEEDED":
        url = require(body, "output.0", PROVIDER)
        asset = Asset(
            url=str(url), mime_type="video/mp4", expires_at=expires_after(URL_LIFETIME_S, start=now)
        )
        # cast: Succeeded's converter=tuple leaves mypy an unsolvable Iterable[_T_co].
        return Succeeded(assets=cast(Any, (asset,)), charge=charge(body))
    if status == "CANCELLED":
        return Failed(
            message="the task was cancelled or deleted", code="cancelled", charge=charge(body)
        )
    if status == "FAILED":
        return _failed(body)
    return Running()  # a status this version does not know yet: keep polling


def _failed(body: Mapping[str, Any]) -> Failed:
    code = body.get("failureCode")
    code = str(code) if code is not None else None
    message = str(body.get("failure") or "the generation failed")
    filtered = bool(code and code.startswith("SAFETY"))
    return Failed(
        message=message,
        code=code,
        filtered=filtered,
        reasons=(code or message,) if filtered else (),
        # [failures] INTERNAL.BAD_OUTPUT.* and other INTERNAL errors may pass on a new try;
        # SAFETY.* "You should not retry these generations"; ASSET.INVALID needs other input.
        retryable=bool(code and code.startswith("INTERNAL")),
        charge=charge(body),
    )


def parse_cancel(response: httpx.Response) -> JobStatus:
    """``DELETE /v1/tasks/{id}`` answers 204 with no body [sdk ``tasks.delete`` -> None]."""
    if not response.is_success:
        raise error_from_response(response)
    return Failed(message="cancelled by the user", code="cancelled")


def charge(body: Mapping[str, Any]) -> Charge | None:
    """``cost.credits`` of a terminal task in USD, or None; a malformed value is ignored."""
    cost = body.get("cost")
    raw = cost.get("credits") if isinstance(cost, Mapping) else None
    if raw is None:
        return None
    if (
        isinstance(raw, bool)
        or not isinstance(raw, (int, float))
        or raw < 0
        or not math.isfinite(raw)
    ):
        _log.debug("runway: ignoring a malformed cost.credits: %r", raw)
        return None
    return Charge(amount=round(raw * USD_PER_CREDIT, 4), currency="USD", basis=CHARGE_BASIS)
