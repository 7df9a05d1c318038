"""Sora's hooks, built from the shared dialect: what is Sora-specific lives here.

Sora-specific: the JSON object form of ``input_reference`` (multipart when uploading bytes),
remix and extensions by video id, and the result behind the authenticated
``GET /videos/{id}/content`` rather than a URL in the Video object.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from reelkit.capabilities import Mode, ModelInfo
from reelkit.errors import InvalidRequest
from reelkit.models import Asset, JobHandle, JobStatus, ProviderConfig, VideoRequest
from reelkit.wire import expires_after, json_request, parse_timestamp, read_json

from . import dialect
from .catalogue import PROVIDER

NAMES = PROVIDER.names()
BASE_URL_ENV = PROVIDER.base_url_envs[0]  # REELKIT_SORA_BASE_URL


def videos_url(config: ProviderConfig) -> str:
    return dialect.api_url(config.base_url, "/videos", env=BASE_URL_ENV)


def translate(model: ModelInfo, request: VideoRequest, config: ProviderConfig) -> httpx.Request:
    api = videos_url(config)
    extras = dialect.extra_fields(request.params, NAMES)
    if request.mode is Mode.REMIX:
        source = _source(request.remix_of, "remix_of")
        return dialect.remix_request(api, source, request.prompt, **extras)
    if request.mode is Mode.EXTEND:
        source = _source(request.continue_from, "continue_from")
        body = {
            "prompt": request.prompt,
            "seconds": dialect.seconds(request.duration),
            "video": {"id": source},
            **extras,
        }
        return json_request("POST", f"{api}/extensions", body)

    fields: dict[str, Any] = dialect.sora_fields(model.id, request)
    frame = request.first_frame
    if frame is None:
        return json_request("POST", api, {**fields, **extras})
    dialect.check_frame_size(request, model)
    upload = str(config.options.get("upload", "multipart"))
    if frame.data is not None and upload != "data_url":
        # Bytes travel as a file part, exactly as the official SDK sends them (§1.3).
        part = (
            dialect.upload_name(frame, "input_reference"),
            frame.data,
            frame.mime_type or "application/octet-stream",
        )
        return dialect.multipart_request(
            "POST", api, {**fields, **extras}, {"input_reference": part}
        )
    reference = dialect.image_reference(frame)
    if len(reference["image_url"]) > dialect.MAX_IMAGE_URL_CHARS:
        raise InvalidRequest(
            "first_frame",
            "is too large to send inline as a data URL",
            allowed=f'at most {dialect.MAX_IMAGE_URL_CHARS} characters, or upload = "multipart"',
        )
    return json_request("POST", api, {**fields, "input_reference": reference, **extras})


def _source(source: Any, field: str) -> str:
    task_id = getattr(source, "task_id", None)
    if not task_id:
        raise InvalidRequest(field, "needs the id of an earlier Sora video", allowed="video_...")
    return str(task_id)


def parse_submit(model: ModelInfo, request: VideoRequest, response: httpx.Response) -> JobHandle:
    return dialect.submit_handle(response, provider=PROVIDER.name, model=model.id)


def poll_request(job: JobHandle, config: ProviderConfig) -> httpx.Request:
    return dialect.retrieve_request(videos_url(config), job.task_id)


def parse_poll(job: JobHandle, response: httpx.Response) -> JobStatus:
    dialect.raise_for_error(response, PROVIDER.name)
    body = read_json(response, PROVIDER.name)
    video_url = str(response.request.url.copy_with(query=None))  # .../videos/{id}

    def assets(obj: Mapping[str, Any]) -> list[Asset]:
        # §1.5: the bytes are behind GET /videos/{id}/content; expires_at says until when.
        expires = parse_timestamp(obj.get("expires_at")) or expires_after(3600.0)
        base = video_url.rsplit("/", 1)[0]
        return [
            Asset(
                url=dialect.content_url(base, job.task_id, "video"),
                kind="video",
                mime_type="video/mp4",
                expires_at=expires,
            ),
            Asset(
                url=dialect.content_url(base, job.task_id, "thumbnail"),
                kind="thumbnail",
                mime_type="image/webp",
                expires_at=expires,
            ),
        ]

    return dialect.parse_video(
        body,
        response,
        provider=PROVIDER.name,
        # A compatible base URL may be a gateway: accept the gateways' vocabulary too.
        vocabulary=dialect.GATEWAY_STATUSES,
        assets=assets,
    )


def download_request(job: JobHandle, asset: Asset, config: ProviderConfig) -> httpx.Request:
    # The SDK's download_content sends ``accept: application/binary`` (§1.1); the core adds the
    # bearer token because the URL is on the provider's own origin.
    return httpx.Request("GET", asset.url, headers={"accept": "application/binary"})
