"""Parse MiniMax answers. Errors arrive as HTTP 200 with a non-zero ``base_resp.status_code``
[errors], so every answer is checked for one before anything else is read.

- submit: ``{"task_id", "base_resp": {"status_code": 0, "status_msg": "success"}}`` [t2v];
- query: ``{"task_id", "status": Preparing|Queueing|Processing|Success|Fail, "file_id",
  "video_width", "video_height", "base_resp"}`` [intro];
- the video itself: ``GET /v1/files/retrieve_content?file_id=`` on the same host [files].

Codes [errors]: 1000 unknown error, 1001 request timeout, 1024 internal error (retry later),
1002 rate limit, 1004 not authorized, 1008 insufficient balance. Also mapped, as reelkit's
issue for this provider lists them (they are not in the rows of the error page that were
readable): 1026 / 1027 sensitive input / output, 1033 system error, 2013 invalid parameters,
2049 invalid API key. MiniMax's CLI (https://github.com/MiniMax-AI/cli, ``src/errors/api.ts``)
adds 1039 (sensitivity filter) and 1028 / 1030 (quota exhausted); it also reads 1002 as a
sensitivity filter, which contradicts the error page: the page wins here (a rate limit).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, cast

import httpx

from reelkit.errors import (
    AuthenticationFailed,
    ContentFiltered,
    InvalidRequest,
    ProviderError,
    RateLimited,
    ReelkitError,
)
from reelkit.models import Asset, Failed, JobHandle, JobStatus, Queued, Running, Succeeded
from reelkit.wire import error_for_status, read_json, require, retry_after_seconds

from .translate import content_url

PROVIDER = "minimax"
RATE_LIMITED = 1002
AUTH = frozenset({1004, 2049})
BALANCE = frozenset({1008, 1028, 1030})
SENSITIVE = frozenset({1026, 1027, 1039})
INVALID = 2013
RETRYABLE = frozenset({1000, 1001, 1024, 1033})
QUEUED = frozenset({"preparing", "queueing", "queued"})
_MODERATION = re.compile(r"sensitive|moderat|violat|safety", re.IGNORECASE)
_KEY = re.compile(r"(?:sk-|eyJ)[A-Za-z0-9._-]{8,}")


def scrub(message: str) -> str:
    """Never pass on anything that looks like a key or a JWT (MiniMax keys are JWTs)."""
    return _KEY.sub("***", message)


def base_resp(body: Any) -> tuple[int, str]:
    """``(status_code, status_msg)``; an answer without ``base_resp`` counts as success."""
    resp = body.get("base_resp") if isinstance(body, Mapping) else None
    if not isinstance(resp, Mapping):
        return 0, ""
    code = resp.get("status_code", 0)
    try:
        number = int(code)
    except (TypeError, ValueError):
        number = -1  # a code that is not a number is an error we cannot name
    return number, scrub(str(resp.get("status_msg") or ""))


def error_for_code(code: int, message: str, response: httpx.Response) -> ReelkitError:
    """The typed error a non-zero ``base_resp.status_code`` means (HTTP status aside)."""
    text = message or f"status_code {code}"
    if code == RATE_LIMITED:
        return RateLimited(
            text, provider=PROVIDER, code=code, retry_after=retry_after_seconds(response)
        )
    if code in AUTH:
        return AuthenticationFailed(f"{PROVIDER}: {text} [{code}]")
    if code in SENSITIVE:
        return ContentFiltered(text, provider=PROVIDER, code=code, reasons=(text,), billed=False)
    if code == INVALID:
        return InvalidRequest("request", f"MiniMax refused the parameters: {text} [{code}]")
    if code in BALANCE:
        return ProviderError(
            f"{text} (top up the account or plan)", provider=PROVIDER, code=code, retryable=False
        )
    return ProviderError(text, provider=PROVIDER, code=code, retryable=code in RETRYABLE)


def checked(response: httpx.Response) -> Mapping[str, Any]:
    """The JSON object of a 2xx answer whose ``base_resp`` says success, else the typed error."""
    if not response.is_success:
        response.read()
        try:
            _, message = base_resp(response.json())
        except ValueError:
            message = ""
        raise error_for_status(response, PROVIDER, message=message or None)
    body = read_json(response, PROVIDER)
    if not isinstance(body, Mapping):
        raise ProviderError("the answer is not a JSON object", provider=PROVIDER, retryable=True)
    code, message = base_resp(body)
    if code != 0 and not _is_task_failure(body):
        raise error_for_code(code, message, response)
    return body


def _is_task_failure(body: Mapping[str, Any]) -> bool:
    """A query answer that reports the *task* failed (its base_resp says why)."""
    return str(body.get("status") or "").lower() == "fail"


def parse_submit(model_id: str, response: httpx.Response) -> JobHandle:
    body = checked(response)
    task_id = require(body, "task_id", PROVIDER, status=response.status_code)
    if not str(task_id).strip():
        raise ProviderError("the answer's task_id is empty", provider=PROVIDER)
    return JobHandle(provider=PROVIDER, model=model_id, task_id=str(task_id))


def parse_status(response: httpx.Response) -> JobStatus:
    body = checked(response)
    status = str(require(body, "status", PROVIDER, status=response.status_code)).lower()
    if status in QUEUED:
        return Queued()
    if status == "processing":
        return Running()
    if status == "fail":
        code, message = base_resp(body)
        text = message or "MiniMax reports the video generation failed"
        filtered = code in SENSITIVE or bool(_MODERATION.search(text))
        return Failed(
            message=text,
            code=code or "fail",
            filtered=filtered,
            reasons=(text,) if filtered else (),
            retryable=code in RETRYABLE,
        )
    if status == "success":
        return _success(body, response)
    return Running()  # a status MiniMax adds later: keep polling rather than fail a paid job


def _success(body: Mapping[str, Any], response: httpx.Response) -> JobStatus:
    file_id = str(require(body, "file_id", PROVIDER, status=response.status_code))
    metadata: dict[str, Any] = {}
    width, height = body.get("video_width"), body.get("video_height")
    if isinstance(width, int) and isinstance(height, int) and width > 0 and height > 0:
        metadata["size"] = f"{width}x{height}"
    asset = Asset(
        url=content_url(_base_of(response.request.url), file_id),
        mime_type="video/mp4",
        data={"file_id": file_id},
    )
    # cast: Succeeded's converter=tuple leaves mypy an unsolvable Iterable[_T_co].
    return Succeeded(assets=cast(Any, (asset,)), metadata=metadata)


def _base_of(url: httpx.URL) -> str:
    """The base URL the query went to (a prefix such as the emulator's ``/minimax`` kept)."""
    path = url.path
    cut = path.find("/v1/")
    prefix = path[:cut] if cut >= 0 else ""
    return str(url.copy_with(path=prefix or "/", query=None)).rstrip("/")
