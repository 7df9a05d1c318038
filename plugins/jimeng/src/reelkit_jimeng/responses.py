"""Parse submit and poll answers of the visual API (ref §1.5, §1.6, §2.1 gateway errors).

Business errors come with non-200 statuses *and* a JSON body whose ``code`` says what happened
(400/50411, 429/50429, 500/50500), so the body is read before the status. Gateway errors
(signing, permissions) have a different shape: ``ResponseMetadata.Error``.
``ref §n`` cites ``docs/reference/volcengine-kling.md`` section n.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, cast

import httpx

from reelkit.capabilities import ModelInfo
from reelkit.errors import (
    AuthenticationFailed,
    ContentFiltered,
    ProviderError,
    RateLimited,
    ReelkitError,
    ResponseFormatError,
)
from reelkit.models import Asset, Failed, JobHandle, JobStatus, Queued, Running, Succeeded
from reelkit.wire import error_for_status, expires_after, read_json, require, retry_after_seconds

from .capabilities import AUTO_MODEL, PROVIDER, URL_LIFETIME_S

SUCCESS = 10000

# ref §1.6 and seed 001 "Error Codes": moderation verdicts, by what was checked.
FILTER_CODES: dict[int, str] = {
    50411: "input image",
    50412: "input text",
    50413: "input text (sensitive or copyrighted words)",
    50511: "output image",
    50512: "output text",
    50513: "input video",
    50514: "input audio",
    50516: "output video",
    50517: "output audio",
    50518: "input image (copyright)",
    50519: "output image (copyright)",
}
# ref §1.6 "retry?" column: a new attempt may pass the *output* checks.
FILTER_RETRYABLE = frozenset({50511, 50516, 50517, 50519})
RATE_LIMIT_CODES = frozenset({50429, 50430})  # ref §1.6: QPS and concurrency limits
RETRYABLE_CODES = frozenset({50500, 50501})  # ref §1.6: internal (RPC) errors
# ref §2.1 gateway errors that mean "your credentials or signature": re-signing won't help.
AUTH_GATEWAY_CODES = frozenset(
    {
        "SignatureDoesNotMatch",
        "InvalidAccessKey",
        "InvalidCredential",
        "InvalidAuthorization",
        "AccessDenied",
        "MissingRequestInfo",
        "InvalidTimestamp",
    }
)


def _int_code(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def _read_body(response: httpx.Response) -> Mapping[str, Any]:
    try:
        body = read_json(response, PROVIDER)
    except ProviderError:
        if not response.is_success:
            raise error_for_status(response, PROVIDER) from None
        raise
    if not isinstance(body, Mapping):
        raise ResponseFormatError(PROVIDER, "code", status=response.status_code)
    return body


def _gateway_error(error: Mapping[str, Any], response: httpx.Response) -> ReelkitError:
    name = str(error.get("Code") or "")
    message = str(error.get("Message") or name or "gateway error")
    code = error.get("CodeN") or name or None
    if name in AUTH_GATEWAY_CODES:
        hint = " (check that the system clock is right)" if name == "InvalidTimestamp" else ""
        return AuthenticationFailed(f"{PROVIDER}: {name}: {message}{hint}")
    if name == "FlowLimitExceeded" or response.status_code == 429:
        return RateLimited(
            message, provider=PROVIDER, code=name, retry_after=retry_after_seconds(response)
        )
    return error_for_status(response, PROVIDER, message=message, code=code)


def business_error(code: int, message: str, response: httpx.Response) -> ReelkitError:
    """The typed error a non-10000 ``code`` means."""
    if code in FILTER_CODES:
        return ContentFiltered(
            f"{FILTER_CODES[code]} failed the content check: {message}",
            provider=PROVIDER,
            code=code,
            reasons=(FILTER_CODES[code],),
            billed=False,  # ref §1.6 [3P]: billing happens only when a video is returned
        )
    if code in RATE_LIMIT_CODES:
        return RateLimited(
            message, provider=PROVIDER, code=code, retry_after=retry_after_seconds(response)
        )
    if code in RETRYABLE_CODES:
        return ProviderError(
            message, provider=PROVIDER, code=code, status=response.status_code, retryable=True
        )
    if response.status_code in (401, 403):
        return AuthenticationFailed(f"{PROVIDER}: {message} [{code}]")
    status = response.status_code
    return ProviderError(
        message,
        provider=PROVIDER,
        code=code,
        status=status,
        retryable=status == 408 or status >= 500,
    )


def checked_body(response: httpx.Response) -> Mapping[str, Any]:
    """The body of a ``code == 10000`` answer; any other answer raises its typed error."""
    body = _read_body(response)
    metadata = body.get("ResponseMetadata")
    if isinstance(metadata, Mapping) and isinstance(metadata.get("Error"), Mapping):
        raise _gateway_error(metadata["Error"], response)
    code = _int_code(body.get("code"))
    if code is None:
        if not response.is_success:
            raise error_for_status(response, PROVIDER)
        raise ResponseFormatError(PROVIDER, "code", status=response.status_code)
    if code != SUCCESS:
        raise business_error(code, str(body.get("message") or f"error {code}"), response)
    return body


def _sent_req_key(response: httpx.Response, model: ModelInfo) -> str:
    try:
        sent = json.loads(response.request.content or b"{}")
    except (RuntimeError, ValueError):  # no request attached, or not JSON
        sent = {}
    req_key = sent.get("req_key") if isinstance(sent, Mapping) else None
    if isinstance(req_key, str) and req_key:
        return req_key
    if model.id != AUTO_MODEL:
        return model.id
    raise ResponseFormatError(PROVIDER, "req_key (of the submitted request)")


def parse_submit(model: ModelInfo, response: httpx.Response) -> JobHandle:
    body = checked_body(response)
    task_id = require(body, "data.task_id", PROVIDER, status=response.status_code)
    return JobHandle(
        provider=PROVIDER,
        model=model.id,
        task_id=str(task_id),
        # ref §1.4: the poll must repeat the submit's req_key.
        data={"req_key": _sent_req_key(response, model)},
    )


def parse_poll(job: JobHandle, response: httpx.Response) -> JobStatus:
    try:
        body = checked_body(response)
    except ContentFiltered as exc:
        # A verdict on this task (usually the output check): terminal, not an exception.
        code = _int_code(exc.code)
        return Failed(
            message=exc.message,
            code=exc.code,
            filtered=True,
            retryable=code in FILTER_RETRYABLE,
            reasons=tuple(exc.reasons),
            billed=exc.billed,
        )
    except ProviderError as exc:
        # Rate limits and 5xx codes are transient: raise so the core polls again. Any other
        # business code answered for this task is its outcome, recorded as a failure.
        if isinstance(exc, (RateLimited, ResponseFormatError)) or exc.retryable:
            raise
        if exc.code is None or _int_code(exc.code) is None:
            raise
        return Failed(message=exc.message, code=exc.code)
    data = require(body, "data", PROVIDER, status=response.status_code)
    status = str(require(data, "status", PROVIDER, status=response.status_code))
    if status == "in_queue":
        return Queued()
    if status == "done":
        url = data.get("video_url") if isinstance(data, Mapping) else None
        if not url:
            # ref §0.2: "done" only means finished; success needs a video_url.
            return Failed(
                message=f"finished without a video: {body.get('message') or 'no video_url'}",
                code="no_video",
            )
        video = Asset(
            url=str(url),
            kind="video",
            mime_type="video/mp4",
            expires_at=expires_after(URL_LIFETIME_S),  # ref §1.5: valid for 1 hour
        )
        metadata = {
            k: data[k] for k in ("aigc_meta_tagged",) if isinstance(data, Mapping) and k in data
        }
        if body.get("request_id"):
            metadata["request_id"] = body["request_id"]
        # cast: the core's `converter=tuple` hides the element type from mypy.
        return Succeeded(assets=cast(Any, (video,)), metadata=metadata)
    if status == "not_found":
        return Failed(
            message="task not found: it expired (tasks live 12 h) or the req_key differs from the submit's",
            code="not_found",
        )
    if status == "expired":
        return Failed(message="task expired; submit it again", code="expired")
    # "generating", "processing" (ref §1.5) and anything new: still working.
    return Running()
