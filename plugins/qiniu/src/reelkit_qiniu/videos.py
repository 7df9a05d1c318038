"""Qiniu's hooks, built on the shared OpenAI Videos dialect (``reelkit_openai_videos.dialect``).

Qiniu-specific: JSON only, images and videos as plain strings (never the object form, never
multipart); Kling's ``mode`` (std/pro), ``image_tail``, ``image_list`` roles and ``video_list``;
its longer status list; and the result URL in ``task_result.videos[].url`` (7 days).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import httpx

from reelkit.capabilities import Mode, ModelInfo
from reelkit.errors import InvalidRequest
from reelkit.models import Adjustment, Asset, JobHandle, Media, ProviderConfig, VideoRequest
from reelkit.wire import expires_after, json_request, not_sent, parse_timestamp, require
from reelkit_openai_videos import dialect
from reelkit_openai_videos.dialect import Phase
from reelkit_openai_videos.kling import MULTI_PROMPT_SHAPE

from .catalogue import (
    KLING_MODE_BY_RESOLUTION,
    KLING_SERVER_DEFAULTS,
    MAX_IMAGE_LIST,
    OMNI,
    PROVIDER,
    SORA_SERVER_DEFAULTS,
    SOUND,
    URL_LIFETIME_S,
)

#: seed 002 任务状态说明, plus the capitalised Veo values Qiniu also uses (docs/reference/openai-videos.md §0.8, §2.4).
QINIU_STATUSES: Mapping[str, Phase] = {
    **dialect.OPENAI_STATUSES,
    "initializing": Phase.QUEUED,  # 初始化中,任务已创建
    "queued": Phase.QUEUED,  # 排队中
    "in_progress": Phase.RUNNING,  # 处理中
    "running": Phase.RUNNING,  # Veo's "Running"
    "downloading": Phase.RUNNING,  # 下载中: Qiniu fetches the result
    "uploading": Phase.RUNNING,  # 上传中: ... and copies it to its own storage
    "unknown": Phase.QUEUED,  # Veo's "Unknown": not terminal
    "completed": Phase.SUCCEEDED,  # 已完成
    "failed": Phase.FAILED,  # 失败
    "cancelled": Phase.CANCELLED,  # 已取消
}

#: seed 002 video_list: "视频尺寸:宽高均需介于 720px(含)和 2160px(含)之间", MP4 and MOV only.
VIDEO_SIDES = (720, 2160)
VIDEO_FORMATS = ("mp4", "quicktime", "mov")


class QiniuVideos(dialect.VideosApi):
    provider = PROVIDER
    vocabulary = QINIU_STATUSES
    id_example = "qvideo-..."
    param_shapes: ClassVar[Mapping[str, dialect.ListShape]] = {"multi_prompt": MULTI_PROMPT_SHAPE}

    def translate(
        self, model: ModelInfo, request: VideoRequest, config: ProviderConfig
    ) -> httpx.Request:
        if request.mode is Mode.REMIX:
            # seed 002: only `prompt`; input_reference, seconds and size are not allowed (docs/reference/openai-videos.md §2.1).
            return self.remix(model, request, config)
        extras = self.extras(model, request)
        unsent: list[Adjustment] = []
        if model.id.startswith("sora"):
            body = _sora_body(model, request)
        else:
            body = _kling_body(model, request, extras, unsent)
        return not_sent(json_request("POST", self.videos_url(config), {**body, **extras}), unsent)

    def list_tasks_request(self, config: ProviderConfig, since: datetime) -> None:
        # No task list: Qiniu documents only POST /videos, GET /videos/:id and
        # POST /videos/:id/remix (seed 002, https://developer.qiniu.com/aitokenapi/13169; ref
        # §2.1 "No /content, no list, no delete are documented"). `jobs reconcile` cannot look.
        return None

    def assets(
        self, body: Mapping[str, Any], job: JobHandle, response: httpx.Response
    ) -> list[Asset]:
        # seed 002: task_result.videos[].url, valid for 7 days.
        videos = require(body, "task_result.videos", PROVIDER.name, status=response.status_code)
        require(videos, "0.url", PROVIDER.name, status=response.status_code)
        completed = parse_timestamp(body.get("completed_at"))
        return [
            Asset(
                url=str(video["url"]),
                kind="video",
                mime_type="video/mp4",
                expires_at=_url_expiry(str(video["url"]))
                or expires_after(URL_LIFETIME_S, start=completed),
                data={k: video[k] for k in ("id", "duration") if k in video},
            )
            for video in videos
            if isinstance(video, Mapping) and video.get("url")
        ]


def _sora_body(model: ModelInfo, request: VideoRequest) -> dict[str, Any]:
    body = dialect.sora_fields(model.id, request, SORA_SERVER_DEFAULTS)
    if request.first_frame is not None:
        dialect.check_frame_size(request, model)
        # seed 002: a plain URL string, not OpenAI's {"image_url": ...} object.
        body["input_reference"] = _url_only(request.first_frame, "first_frame")
    return body


def _kling_body(
    model: ModelInfo, request: VideoRequest, extras: dict[str, Any], unsent: list[Adjustment]
) -> dict[str, Any]:
    body: dict[str, Any] = dialect.sora_fields(model.id, request, KLING_SERVER_DEFAULTS)
    body["mode"] = KLING_MODE_BY_RESOLUTION.get(str(request.resolution), "pro")
    asked = extras.get("mode")
    if asked is not None and asked != body["mode"]:
        # The plan shows the resolution reelkit applied; a mode that contradicts it would render
        # another quality than the plan says (seed 002: std is 720p, pro 1080p).
        wanted = {m: r for r, m in KLING_MODE_BY_RESOLUTION.items()}.get(str(asked), "?")
        raise InvalidRequest(
            "params.mode",
            f"{asked} renders {wanted}, but the request's resolution is {request.resolution}",
            allowed=f"resolution {wanted} (mode follows it), or no mode",
        )
    body["negative_prompt"] = request.negative_prompt
    if model.id in SOUND and request.audio is not None:
        if request.audio and body["mode"] != "pro" and model.id == "kling-v2-6":
            raise InvalidRequest(
                "audio",
                "kling-v2-6 makes sound only in pro mode",
                allowed=["resolution 1080p with audio", "no audio at 720p"],
            )
        body["sound"] = "on" if request.audio else "off"
    if model.id in OMNI:
        _omni_media(model, request, body, extras, unsent)
    else:
        if request.first_frame is not None:
            body["input_reference"] = _url_only(request.first_frame, "first_frame")
        if request.last_frame is not None:
            body["image_tail"] = _url_only(request.last_frame, "last_frame")
    return body


def _omni_media(
    model: ModelInfo,
    request: VideoRequest,
    body: dict[str, Any],
    extras: dict[str, Any],
    unsent: list[Adjustment],
) -> None:
    images: list[dict[str, str]] = []
    if request.first_frame is not None:
        images.append({"image": _image_string(request.first_frame), "type": "first_frame"})
    if request.last_frame is not None:
        images.append({"image": _image_string(request.last_frame), "type": "end_frame"})
    images.extend({"image": _image_string(m)} for m in request.reference_images)
    if len(images) > MAX_IMAGE_LIST:
        raise InvalidRequest(
            "reference_images",
            f"{model.id} takes at most {MAX_IMAGE_LIST} images in image_list, frames included",
            allowed=f"at most {MAX_IMAGE_LIST} images",
        )
    body["image_list"] = images or None
    given = "refer_type" in extras
    refer_type = str(extras.pop("refer_type", "base"))
    if request.video is None:
        if given:
            raise InvalidRequest(
                "params.refer_type",
                "describes a reference video, and the request has none",
                allowed="a video (--video URL) with refer_type",
            )
        if request.audio and model.id == "kling-video-o1":
            raise InvalidRequest(
                "audio",
                "kling-video-o1 has sound only by keeping a reference video's own",
                allowed=["a video with audio", "no audio"],
            )
        return
    if refer_type not in ("base", "feature"):
        raise InvalidRequest(
            "params.refer_type", f"unknown {refer_type!r}", allowed=["base", "feature"]
        )
    if refer_type == "base" and request.first_frame is not None:
        # seed 002: "当参考视频为待编辑视频时,不能定义视频首尾帧"
        raise InvalidRequest(
            "first_frame",
            "cannot be combined with a video to edit (refer_type base)",
            allowed="refer_type feature",
        )
    body["video_list"] = [
        {
            "video_url": _video_url(request.video),
            "refer_type": refer_type,
            # seed 002: keep_original_sound yes/no, for both refer types.
            "keep_original_sound": None
            if request.audio is None
            else ("yes" if request.audio else "no"),
        }
    ]
    # seed 002's video_list example sends no seconds: the reference video sets the length.
    body["seconds"] = None
    unsent.extend(
        dialect.unsent(
            request,
            ("duration",),
            "with a reference video (video_list) the video sets the length; not sent",
        )
    )


def _url_only(medium: Media, field: str) -> str:
    if medium.url is None:
        raise InvalidRequest(
            field, "Qiniu takes this image only as a public URL", allowed="an http(s) URL"
        )
    return medium.url


def _image_string(medium: Media) -> str:
    # seed 002: a URL, or Base64 *without* a data: prefix.
    return medium.url if medium.url is not None else medium.base64()


def _video_url(medium: Media) -> str:
    if medium.url is None:
        raise InvalidRequest(
            "video", "Qiniu takes a reference video only as a public URL", allowed="an http(s) URL"
        )
    fmt = medium.format
    if fmt is not None and fmt not in VIDEO_FORMATS:
        raise InvalidRequest("video", f"{fmt} videos are not accepted", allowed=["mp4", "mov"])
    low, high = VIDEO_SIDES
    for side in (medium.width, medium.height):
        if side is not None and not low <= side <= high:
            raise InvalidRequest(
                "video",
                f"is {medium.width}x{medium.height}; both sides must lie in {low}–{high} px",
                allowed=f"{low}–{high} px",
            )
    return medium.url


def _url_expiry(url: str) -> datetime | None:
    """The signed CDN URL's own ``e=<unix>`` deadline (docs/reference/openai-videos.md §2.3), when it has one."""
    values = parse_qs(urlsplit(url).query).get("e")
    if not values or not values[0].isdigit():
        return None
    return datetime.fromtimestamp(int(values[0]), tz=timezone.utc)


API = QiniuVideos()
