"""Parse Gemini API answers: the operation at submit and poll, and Google's error shape.

[veo-grok §1.6] Start: ``{"name": "models/…/operations/…"}``. Poll: ``done`` absent or false while
running; on ``done`` either ``error`` (google.rpc.Status), or
``response.generateVideoResponse.generatedSamples[].video.uri``, or — when the RAI filter
blocked the output — ``raiMediaFilteredCount``/``raiMediaFilteredReasons`` and no samples.
HTTP errors: ``{"error": {"code": 429, "message": …, "status": "RESOURCE_EXHAUSTED",
"details": […]}}``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

import httpx

from reelkit.errors import (
    AuthenticationFailed,
    RateLimited,
    ReelkitError,
    ResponseFormatError,
)
from reelkit.models import Asset, Failed, JobHandle, JobStatus, Running, Succeeded
from reelkit.wire import error_for_status, expires_after, read_json, require, retry_after_seconds

from .capabilities import URL_LIFETIME_S

PROVIDER = "veo"

# google.rpc.Code values where trying again later may help: DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED,
# ABORTED, INTERNAL, UNAVAILABLE.
_RETRYABLE = frozenset({4, 8, 10, 13, 14}) | frozenset(
    {"DEADLINE_EXCEEDED", "RESOURCE_EXHAUSTED", "ABORTED", "INTERNAL", "UNAVAILABLE"}
)
_DELAY = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")


def error_from_response(response: httpx.Response, provider: str = PROVIDER) -> ReelkitError:
    """The typed error of a non-2xx Google answer (the Gemini API's, or Vertex's: ``provider``)."""
    response.read()
    err: Mapping[str, Any] = {}
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, Mapping) and isinstance(body.get("error"), Mapping):
        err = body["error"]
    message = str(err.get("message") or response.reason_phrase or f"HTTP {response.status_code}")
    status = err.get("status")
    code = status or err.get("code")
    details = _list(err.get("details"))
    reasons = {d.get("reason") for d in details if isinstance(d, Mapping)}

    if response.status_code == 429 or status == "RESOURCE_EXHAUSTED":
        retry_after = retry_after_seconds(response)
        if retry_after is None:
            retry_after = _retry_delay(details)
        return RateLimited(message, provider=provider, code=code, retry_after=retry_after)
    # Google answers a bad key with 400 INVALID_ARGUMENT and reason API_KEY_INVALID.
    if "API_KEY_INVALID" in reasons or status == "UNAUTHENTICATED":
        return AuthenticationFailed(f"{provider}: {message} [{code}]")
    return error_for_status(response, provider, message=message, code=code)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _retry_delay(details: list[Any]) -> float | None:
    # google.rpc.RetryInfo: {"@type": "...RetryInfo", "retryDelay": "30s"}
    for detail in details:
        if isinstance(detail, Mapping) and isinstance(detail.get("retryDelay"), str):
            m = _DELAY.match(detail["retryDelay"])
            if m:
                return float(m.group(1))
    return None


def parse_submit(model_id: str, response: httpx.Response, data: Mapping[str, Any]) -> JobHandle:
    """The handle of a started operation; ``data`` carries what the request decided."""
    if not response.is_success:
        raise error_from_response(response)
    body = read_json(response, PROVIDER)
    name = str(require(body, "name", PROVIDER, status=response.status_code))
    return JobHandle(
        provider=PROVIDER, model=model_id, task_id=name, data={"operation": name, **data}
    )


def parse_operation(job: JobHandle, response: httpx.Response, *, now: datetime) -> JobStatus:
    """Map one poll of the operation to a status (raises for HTTP trouble)."""
    if not response.is_success:
        raise error_from_response(response)
    body = read_json(response, PROVIDER)
    if not isinstance(body, Mapping):
        raise ResponseFormatError(PROVIDER, "name", status=response.status_code)
    if not body.get("done"):
        return Running()

    error = body.get("error")
    if isinstance(error, Mapping):
        code = error.get("status") or error.get("code")
        return Failed(
            message=str(error.get("message") or "the operation failed"),
            code=code,
            retryable=code in _RETRYABLE or error.get("code") in _RETRYABLE,
        )

    generated = _mapping(_mapping(body.get("response")).get("generateVideoResponse"))
    samples = _list(generated.get("generatedSamples"))

    expires_at = expires_after(URL_LIFETIME_S, start=now)
    assets: list[Asset] = []
    for sample in samples:
        video = _mapping(_mapping(sample).get("video"))
        uri = video.get("uri")
        if uri:
            assets.append(
                Asset(
                    url=str(uri),
                    mime_type=str(video.get("encoding") or "video/mp4"),
                    expires_at=expires_at,
                    # Extension needs this URI later [veo-grok §1.5]; the journal keeps it.
                    data={"video_uri": str(uri)},
                )
            )
    if assets:
        metadata: dict[str, Any] = {"operation": body.get("name", job.task_id)}
        estimated = job.data.get("estimated_duration")
        if estimated is not None:
            metadata["estimated_duration"] = estimated
        # cast: Succeeded's converter=tuple leaves mypy an unsolvable Iterable[_T_co].
        return Succeeded(assets=cast(Any, assets), metadata=metadata)
    if samples:
        # Samples without a URI (e.g. inline bytes) are not a shape the Gemini API documents.
        raise ResponseFormatError(
            PROVIDER, "response.generateVideoResponse.generatedSamples.0.video.uri"
        )

    reasons = generated.get("raiMediaFilteredReasons")
    reasons = tuple(str(r) for r in reasons) if isinstance(reasons, list) else ()
    count = generated.get("raiMediaFilteredCount")
    if reasons or (isinstance(count, int) and count > 0):
        return Failed(
            message=reasons[0] if reasons else f"{count} video(s) blocked by the safety filter",
            code="rai_media_filtered",
            filtered=True,
            reasons=reasons,
            # [veo-grok §1.6] "You will not be charged if your video is blocked from generating."
            billed=False,
            # [veo-grok §4] audio-filter blocks are frequent false positives that a retry often clears.
            retryable=any("audio" in r.lower() for r in reasons),
        )
    # python-genai #1559/#1560: "response is None or missing generated_videos" does happen.
    return Failed(
        message="the operation finished without a video and without a filter reason",
        code="no_video",
        retryable=True,
    )
