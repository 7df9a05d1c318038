"""Sora's hooks, built from the shared dialect: what is Sora-specific lives here.

Sora-specific: the JSON object form of ``input_reference`` (multipart when uploading bytes),
remix and extensions by video id, ``characters`` as the one ``--param``, the result behind the
authenticated ``GET /videos/{id}/content`` rather than a URL in the Video object, and the task
list ``GET /videos`` that ``reelkit jobs reconcile`` searches.

Bare ``§n`` citations are sections of docs/reference/openai-videos.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

import httpx

from reelkit.capabilities import Mode, ModelInfo
from reelkit.errors import InvalidRequest
from reelkit.models import Asset, JobHandle, ProviderConfig, TaskSummary, VideoRequest
from reelkit.wire import expires_after, json_request, not_sent, parse_timestamp
from reelkit_openai_videos import dialect
from reelkit_openai_videos.sora import CHARACTERS_MAX

from .catalogue import PROVIDER


class SoraVideos(dialect.VideosApi):
    provider = PROVIDER
    id_example = "video_..."
    param_shapes: ClassVar[Mapping[str, dialect.ListShape]] = {
        "characters": dialect.ListShape("id", CHARACTERS_MAX)  # §1.3: [{"id"}], at most 2
    }

    def translate(
        self, model: ModelInfo, request: VideoRequest, config: ProviderConfig
    ) -> httpx.Request:
        if request.mode is Mode.REMIX:
            return self.remix(model, request, config)
        api = self.videos_url(config)
        if request.mode is Mode.EXTEND:
            source = self.source_id(request, "continue_from")
            # §1.2: an extension is {"prompt", "seconds", "video": {"id"}}: no characters.
            self.refuse_extras(model, request, "an extension")
            body = {
                "prompt": request.prompt,
                "seconds": dialect.seconds(request.duration),
                "video": {"id": source},
            }
            return not_sent(
                json_request("POST", f"{api}/extensions", body),
                dialect.unsent(
                    request,
                    ("resolution", "aspect_ratio"),
                    "an extension keeps its source video's size; not sent",
                    allowed="the source's (leave it out)",
                    inherited=dialect.source_settings(request.continue_from),
                ),
            )
        extras = self.extras(model, request)

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

    def assets(
        self, body: Mapping[str, Any], job: JobHandle, response: httpx.Response
    ) -> list[Asset]:
        # §1.5: the bytes are behind GET /videos/{id}/content; expires_at says until when.
        expires = parse_timestamp(body.get("expires_at")) or expires_after(3600.0)
        base = self.poll_url(response).rsplit("/", 1)[0]
        return [
            Asset(
                url=dialect.content_url(base, job.task_id, variant),
                kind=kind,
                mime_type=mime,
                expires_at=expires,
            )
            for variant, kind, mime in (
                ("video", "video", "video/mp4"),
                ("thumbnail", "thumbnail", "image/webp"),
            )
        ]

    def download_request(
        self, job: JobHandle, asset: Asset, config: ProviderConfig
    ) -> httpx.Request:
        # The SDK's download_content sends ``accept: application/binary`` (§1.1); the core adds
        # the bearer token because the URL is on the provider's own origin.
        return httpx.Request("GET", asset.url, headers={"accept": "application/binary"})

    def list_tasks_request(self, config: ProviderConfig, since: datetime) -> httpx.Request:
        """``GET /videos?limit=100&order=desc``: the newest 100 Video objects (§1.2).

        The list has no time filter (only ``after``, ``limit``, ``order``), so ``since`` is not
        sent: :meth:`parse_task_list` returns the whole page and ``reelkit jobs reconcile``
        drops the tasks created before ``since``. One page of the newest 100 covers any
        reconcile window short of a hundred newer jobs.
        """
        return dialect.list_request(self.videos_url(config), limit=100, order="desc")

    def parse_task_list(self, response: httpx.Response) -> list[TaskSummary]:
        # §1.2 / §1.4: {object: "list", data: [Video], first_id, last_id, has_more}; each Video
        # has id, model, created_at (epoch seconds), status and prompt.
        return dialect.parse_video_list(response, self.name)


API = SoraVideos()
