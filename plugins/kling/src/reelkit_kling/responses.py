"""Parse Kling's answers: one envelope ``{code, message, request_id, data}`` for everything
([volcengine-kling §4.5, §4.6] in ``docs/reference/volcengine-kling.md``).

``code`` 0 is success; ``data.task_status`` walks ``submitted → processing → succeed | failed``
(``succeed``, not "succeeded"); results are in ``data.task_result.videos[{id, url, duration}]``
and are deleted after 30 days. Error codes and their HTTP statuses:

| code | HTTP | meaning | reelkit |
|---|---|---|---|
| 1000–1004 | 401 | authentication (1003 not yet valid, 1004 expired) | ``AuthenticationFailed`` |
| 1100–1102 | 429 | account exception, arrears, resource pack exhausted | ``ProviderError`` (final) |
| 1103 | 403 | no permission for the model | ``ProviderError`` (final) |
| 1200–1203 | 400/404 | invalid parameters, method or model | ``ProviderError`` (final) |
| 1300, 1301 | 400 | platform or content-safety policy | ``ContentFiltered`` |
| 1302, 1303 | 429 | rate limit, concurrency over the resource pack | ``RateLimited`` |
| 1304 | 429 | IP whitelist | ``ProviderError`` (final) |
| 5000–5002 | 500–504 | server error, unavailable, timeout | ``ProviderError`` (retryable) |
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

import httpx

from reelkit.errors import (
    AuthenticationFailed,
    ContentFiltered,
    ProviderError,
    RateLimited,
    ReelkitError,
    ResponseFormatError,
)
from reelkit.models import Asset, Failed, JobHandle, JobStatus, Queued, Running, Succeeded
from reelkit.wire import (
    error_for_status,
    expires_after,
    parse_timestamp,
    read_json,
    require,
    retry_after_seconds,
)

from .capabilities import URL_LIFETIME_S

if TYPE_CHECKING:
    from reelkit.callbacks import Callback

PROVIDER = "kling"
#: A failed task's ``task_status_msg`` that names moderation ("risk control", content safety).
_MODERATION = re.compile(r"risk|safety|security|policy|moderat|sensitive|违规|审核|风控", re.I)


def error_from_code(code: Any, message: str, response: httpx.Response) -> ReelkitError:
    """The typed error of one Kling business code (any HTTP status)."""
    status = response.status_code
    number = code if isinstance(code, int) and not isinstance(code, bool) else None
    if number is None and isinstance(code, str) and code.isdigit():
        number = int(code)
    if number is not None:
        if 1000 <= number <= 1004:
            return AuthenticationFailed(f"{PROVIDER}: {message} [{number}]")
        if number in (1302, 1303):
            return RateLimited(
                message, provider=PROVIDER, code=number, retry_after=retry_after_seconds(response)
            )
        if number in (1300, 1301):
            return ContentFiltered(
                message, provider=PROVIDER, code=number, reasons=(message,), billed=False
            )
        if 5000 <= number <= 5999:
            return ProviderError(
                message, provider=PROVIDER, code=number, status=status, retryable=True
            )
        if 1100 <= number <= 1304:
            return ProviderError(
                message, provider=PROVIDER, code=number, status=status, retryable=False
            )
    return error_for_status(response, PROVIDER, message=message, code=code)


def _envelope(response: httpx.Response) -> Mapping[str, Any]:
    """The body of an answer, or the typed error it carries (by code, else by HTTP status)."""
    if not response.is_success:
        response.read()
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, Mapping) and body.get("code") is not None:
            message = str(body.get("message") or f"HTTP {response.status_code}")
            raise error_from_code(body.get("code"), message, response)
        text = response.text[:200].strip() or response.reason_phrase
        raise error_for_status(response, PROVIDER, message=text)
    body = read_json(response, PROVIDER)
    if not isinstance(body, Mapping):
        raise ProviderError("answer is not a JSON object", provider=PROVIDER, retryable=True)
    code = body.get("code", 0)
    if code not in (0, "0", None):
        raise error_from_code(code, str(body.get("message") or "error"), response)
    return body


def parse_submit(model_id: str, response: httpx.Response, data: Mapping[str, Any]) -> JobHandle:
    body = _envelope(response)
    task_id = str(require(body, "data.task_id", PROVIDER, status=response.status_code))
    return JobHandle(provider=PROVIDER, model=model_id, task_id=task_id, data=dict(data))


def parse_status(job: JobHandle, response: httpx.Response, *, now: datetime) -> JobStatus:
    body = _envelope(response)
    data = require(body, "data", PROVIDER)
    if not isinstance(data, Mapping):
        raise ProviderError("data is not an object", provider=PROVIDER, retryable=True)
    return task_status(data, now=now)


def parse_callback(body: bytes, *, now: datetime) -> Callback:
    """Kling POSTs the task object (the query answer's ``data``: task_id, task_status,
    task_result ...) to ``callback_url`` on each status change ([volcengine-kling §4.3]
    callback_url). Kling documents no signature on it: the core's per-job token in the callback
    URL is the check."""
    import json

    from reelkit.callbacks import Callback

    try:
        data = json.loads(body)
    except ValueError:
        raise ResponseFormatError(PROVIDER, "callback body (JSON)") from None
    if not isinstance(data, Mapping):
        raise ResponseFormatError(PROVIDER, "callback body (a task object)")
    if isinstance(data.get("data"), Mapping):  # tolerate an enveloped body too
        data = data["data"]
    task_id = str(require(data, "task_id", PROVIDER))
    return Callback(task_id=task_id, status=task_status(data, now=now))


def task_status(data: Mapping[str, Any], *, now: datetime) -> JobStatus:
    """A task object (the query's ``data``, or a callback body) as a reelkit status."""
    status = str(require(data, "task_status", PROVIDER)).lower()
    if status == "submitted":
        return Queued()
    if status == "succeed":
        return _succeeded(data, now=now)
    if status == "failed":
        text = str(data.get("task_status_msg") or "the video generation failed")
        filtered = bool(_MODERATION.search(text))
        return Failed(
            message=text, code="failed", filtered=filtered, reasons=(text,) if filtered else ()
        )
    return Running()  # processing, or a status Kling adds later: keep polling


def _succeeded(data: Mapping[str, Any], *, now: datetime) -> JobStatus:
    url = str(require(data, "task_result.videos.0.url", PROVIDER))
    video = data["task_result"]["videos"][0]
    metadata: dict[str, Any] = {"video_id": video.get("id")}
    with contextlib.suppress(TypeError, ValueError):
        metadata["duration"] = float(video.get("duration"))  # "5.042": a string of seconds
    units = data.get("final_unit_deduction")
    if units is not None:
        metadata["unit_deduction"] = units  # resource-pack units, not a currency
    # The media lives 30 days from when the task finished (updated_at, in ms).
    finished = parse_timestamp(data.get("updated_at")) or now
    asset = Asset(
        url=url, mime_type="video/mp4", expires_at=expires_after(URL_LIFETIME_S, start=finished)
    )
    return Succeeded(
        assets=cast(Any, (asset,)), metadata={k: v for k, v in metadata.items() if v is not None}
    )
