"""Parse DashScope answers [t2v], [tasks] (see ``capabilities``).

- submit: ``{"output": {"task_id", "task_status": "PENDING"}, "request_id"}``;
- poll: ``output.task_status`` PENDING, RUNNING, SUCCEEDED (``output.video_url``, valid 24 h;
  ``usage.duration``, ``usage.video_count``), FAILED (``output.code``, ``output.message``),
  CANCELED, or UNKNOWN: the task id is unknown, which after 24 h means it expired;
- errors: ``{"request_id", "code", "message"}`` with the HTTP status: 400 InvalidParameter,
  400 DataInspectionFailed (moderation), 400 Arrearage, 401 InvalidApiKey, 403 AccessDenied,
  429 Throttling…, 500 InternalError (https://www.alibabacloud.com/help/en/model-studio/error-code,
  read 2026-12-02).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

import httpx

from reelkit.errors import (
    AuthenticationFailed,
    ContentFiltered,
    ProviderError,
    RateLimited,
    ReelkitError,
)
from reelkit.models import Asset, Failed, JobHandle, JobStatus, Queued, Running, Succeeded
from reelkit.wire import error_for_status, expires_after, read_json, require, retry_after_seconds

from .capabilities import URL_LIFETIME_S

PROVIDER = "wan"
_KEY = re.compile(r"sk-[A-Za-z0-9*._-]{4,}")
_MODERATION_CODES = ("DataInspectionFailed", "DataInspection", "IPInfringementSuspect")
# Worth trying again later: the service's own transient failures.
_RETRYABLE = ("InternalError", "ServiceUnavailable", "RequestTimeOut", "Throttling")


def scrub(message: str) -> str:
    """Never pass on anything that looks like a DashScope key (``sk-…``)."""
    return _KEY.sub("sk-***", message)


def error_fields(body: Any) -> tuple[str | None, str | None]:
    """``(message, code)`` from ``{"code", "message"}`` at the top or under ``output``."""
    if not isinstance(body, Mapping):
        return None, None
    source = body.get("output") if isinstance(body.get("output"), Mapping) else body
    assert isinstance(source, Mapping)
    message, code = source.get("message"), source.get("code")
    if message is None and code is None and source is not body:
        message, code = body.get("message"), body.get("code")
    return (None if message is None else str(message)), (None if code is None else str(code))


def is_moderation(code: str | None) -> bool:
    return code is not None and code.startswith(_MODERATION_CODES)


def error_from_response(response: httpx.Response) -> ReelkitError:
    response.read()
    try:
        body = response.json()
    except ValueError:
        body = None
    message, code = error_fields(body)
    message = scrub(
        message or response.text[:200].strip() or response.reason_phrase or "no message"
    )
    status = response.status_code
    if status == 401 or code == "InvalidApiKey":
        return AuthenticationFailed(f"{PROVIDER}: {message} [{code}]")
    if status == 429 or (code is not None and code.startswith("Throttling")):
        if code is not None and code.endswith("AllocationQuota"):
            # A quota for the period, not a burst: waiting seconds will not lift it.
            return ProviderError(message, provider=PROVIDER, code=code, status=status)
        return RateLimited(
            message, provider=PROVIDER, code=code, retry_after=retry_after_seconds(response)
        )
    if is_moderation(code):
        return ContentFiltered(message, provider=PROVIDER, code=code, reasons=(message,))
    if status == 403 and "synchronous" in message.lower():
        # The submit lacked ``X-DashScope-Async: enable``: a bug here, not a credentials problem.
        return ProviderError(message, provider=PROVIDER, code=code, status=status)
    return error_for_status(response, PROVIDER, message=message, code=code)


def parse_submit(model_id: str, response: httpx.Response, data: Mapping[str, Any]) -> JobHandle:
    if not response.is_success:
        raise error_from_response(response)
    body = read_json(response, PROVIDER)
    task_id = str(require(body, "output.task_id", PROVIDER, status=response.status_code))
    return JobHandle(provider=PROVIDER, model=model_id, task_id=task_id, data=dict(data))


def parse_status(job: JobHandle, response: httpx.Response, *, now: datetime) -> JobStatus:
    if not response.is_success:
        raise error_from_response(response)
    body = read_json(response, PROVIDER)
    status = str(require(body, "output.task_status", PROVIDER)).upper()
    output: Mapping[str, Any] = body["output"]
    if status == "PENDING":
        return Queued()
    if status == "RUNNING":
        return Running()
    if status == "SUCCEEDED":
        return _succeeded(body, output, now=now)
    if status == "UNKNOWN":
        # Terminal, as the SDK's own wait() treats it ([sdk] client/base_api.py): polling on
        # cannot bring back a task DashScope has deleted.
        return Failed(
            message=(
                f"DashScope no longer knows task {job.task_id}: task ids and their results "
                "last 24 hours, so it expired (or was never created in this region)"
            ),
            code="UNKNOWN",
        )
    if status in ("CANCELED", "CANCELLED"):
        return Failed(message="the task was canceled", code="CANCELED")
    if status == "FAILED":
        message, code = error_fields(body)
        text = scrub(message or "the video generation failed")
        filtered = is_moderation(code)
        return Failed(
            message=text,
            code=code,
            filtered=filtered,
            reasons=(text,) if filtered else (),
            retryable=code is not None and code.startswith(_RETRYABLE),
        )
    return Running()  # a status this version does not know: keep polling until the deadline


def _succeeded(body: Mapping[str, Any], output: Mapping[str, Any], *, now: datetime) -> JobStatus:
    url = require(body, "output.video_url", PROVIDER)
    metadata: dict[str, Any] = {}
    usage = body.get("usage")
    if isinstance(usage, Mapping):
        for key in ("duration", "video_duration"):
            value = usage.get(key)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                metadata["duration"] = float(value)
                break
        if isinstance(usage.get("video_count"), int):
            metadata["video_count"] = usage["video_count"]
    for key in ("actual_prompt", "orig_prompt"):
        if isinstance(output.get(key), str):
            metadata[key] = output[key]
    asset = Asset(
        url=str(url),
        mime_type="video/mp4",  # [t2v] "MP4 (H.264 encoding)"
        expires_at=expires_after(URL_LIFETIME_S, start=now),
    )
    # cast: Succeeded's converter=tuple leaves mypy an unsolvable Iterable[_T_co].
    return Succeeded(assets=cast(Any, (asset,)), metadata=metadata)
