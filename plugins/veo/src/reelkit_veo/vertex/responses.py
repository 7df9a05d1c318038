"""Parse Vertex's operation: ``{"name"}`` at submit, ``fetchPredictOperation`` at each poll.

[vertex-ref, genai-vertex] Done: ``error`` (google.rpc.Status), or ``response.videos[]`` of
``{gcsUri, mimeType}`` (with ``storageUri``) or ``{bytesBase64Encoded, mimeType}`` (without),
or, when the safety filter blocked them, ``raiMediaFilteredCount``/``raiMediaFilteredReasons``
and no videos. HTTP errors are Google's ``{"error": {"code", "message", "status"}}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast
from urllib.parse import quote

import httpx

from reelkit.errors import AuthenticationFailed, ReelkitError, ResponseFormatError
from reelkit.models import Asset, Failed, JobHandle, JobStatus, Running, Succeeded
from reelkit.wire import read_json, require
from reelkit_veo import responses as veo

from .capabilities import NAME


def error_from_response(response: httpx.Response) -> ReelkitError:
    error = veo.error_from_response(response, NAME)
    if response.status_code in (401, 403) and not isinstance(error, AuthenticationFailed):
        # Vertex answers a missing or expired token 401 UNAUTHENTICATED and a missing IAM
        # role (aiplatform.endpoints.predict) 403 PERMISSION_DENIED.
        return AuthenticationFailed(f"{NAME}: {error}")
    return error


def parse_submit(model_id: str, response: httpx.Response, data: Mapping[str, Any]) -> JobHandle:
    if not response.is_success:
        raise error_from_response(response)
    body = read_json(response, NAME)
    name = str(require(body, "name", NAME, status=response.status_code))
    return JobHandle(provider=NAME, model=model_id, task_id=name, data={"operation": name, **data})


def storage_url(storage_host: str, gcs_uri: str) -> str:
    """``gs://bucket/a/b.mp4`` -> the JSON API's ``/storage/v1/b/bucket/o/a%2Fb.mp4?alt=media``."""
    bucket, _, obj = gcs_uri.removeprefix("gs://").partition("/")
    if not bucket or not obj:
        raise ResponseFormatError(NAME, "response.videos.0.gcsUri")
    return f"{storage_host}/storage/v1/b/{quote(bucket, safe='')}/o/{quote(obj, safe='')}?alt=media"


def parse_operation(job: JobHandle, response: httpx.Response) -> JobStatus:
    if not response.is_success:
        raise error_from_response(response)
    body = read_json(response, NAME)
    if not isinstance(body, Mapping):
        raise ResponseFormatError(NAME, "name", status=response.status_code)
    if not body.get("done"):
        return Running()
    error = body.get("error")
    if isinstance(error, Mapping):
        code = error.get("status") or error.get("code")
        return Failed(
            message=str(error.get("message") or "the operation failed"),
            code=code,
            retryable=code in veo._RETRYABLE or error.get("code") in veo._RETRYABLE,
        )
    result = veo._mapping(body.get("response"))
    videos = veo._list(result.get("videos"))
    assets = [a for a in (_asset(v) for v in videos) if a is not None]
    if assets:
        metadata: dict[str, Any] = {"operation": body.get("name", job.task_id)}
        if job.data.get("estimated_duration") is not None:
            metadata["estimated_duration"] = job.data["estimated_duration"]
        return Succeeded(assets=cast(Any, assets), metadata=metadata)
    if videos:
        raise ResponseFormatError(NAME, "response.videos.0.gcsUri")
    reasons = result.get("raiMediaFilteredReasons")
    reasons = tuple(str(r) for r in reasons) if isinstance(reasons, list) else ()
    count = result.get("raiMediaFilteredCount")
    if reasons or (isinstance(count, int) and count > 0):
        return Failed(
            message=reasons[0] if reasons else f"{count} video(s) blocked by the safety filter",
            code="rai_media_filtered",
            filtered=True,
            reasons=reasons,
            billed=False,  # as on the Gemini API: blocked videos are not charged (reelkit_veo)
            retryable=any("audio" in r.lower() for r in reasons),
        )
    return Failed(
        message="the operation finished without a video and without a filter reason",
        code="no_video",
        retryable=True,
    )


def _asset(video: Any) -> Asset | None:
    video = veo._mapping(video)
    mime = str(video.get("mimeType") or video.get("encoding") or "video/mp4")
    uri = video.get("gcsUri")
    if isinstance(uri, str) and uri.startswith("gs://"):
        # The download maps it onto the Cloud Storage API; an extension sends it back as is.
        return Asset(url=uri, mime_type=mime, data={"gcs_uri": uri})
    inline = video.get("bytesBase64Encoded")
    if isinstance(inline, str) and inline:
        # The video itself, inline: an RFC 2397 data URL the core writes out like a download.
        return Asset(url=f"data:{mime};base64,{inline}", mime_type=mime)
    return None
