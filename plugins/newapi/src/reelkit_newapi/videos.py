"""new-api's hooks, built on the shared OpenAI Videos dialect (``reelkit_openai_videos.dialect``).

new-api-specific: a required base URL; two create routes (``/v1/videos``, and seed 004's
``/v1/video/generations``, chosen by configuration); one body builder driven by each model's
:class:`~reelkit_newapi.wires.Wire`; the gateway's own ``task_xxx`` ids and error envelope
``{"code", "message", "data"}``; both status vocabularies (OpenAI's and the native
``NOT_START``…``FAILURE``); and a result in ``video_url``, ``metadata.url`` or the ``/content``
proxy.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

import attrs
import httpx

from reelkit.capabilities import Audio, Mode, ModelInfo
from reelkit.errors import InvalidRequest
from reelkit.models import (
    Adjustment,
    Asset,
    Charge,
    JobHandle,
    JobStatus,
    Media,
    ProviderConfig,
    Succeeded,
    VideoRequest,
)
from reelkit.wire import json_request, not_sent, parse_timestamp
from reelkit_openai_videos import dialect
from reelkit_openai_videos.kling import MULTI_PROMPT_SHAPE
from reelkit_openai_videos.sora import CHARACTERS_MAX

from .catalogue import FEATURES, GENERATIONS_BY_DEFAULT, LIST_LIMITS, PROVIDER, WIRES
from .wires import GENERATIONS, SEEDANCE, Wire

log = logging.getLogger(__name__)

BASE_URL_ENV = PROVIDER.base_url_envs[0]  # REELKIT_NEWAPI_BASE_URL

#: The create routes (ref §3.1; seed 004). Polling is ``GET /v1/videos/{id}`` for both.
ROUTES: Mapping[str, str] = {"videos": "/videos", "generations": "/video/generations"}

#: seed 004: "images (2–3 URLs, multi-reference)".
MIN_REFERENCES: Mapping[str, int] = {m: 2 for m in GENERATIONS_BY_DEFAULT}


def api(config: ProviderConfig, path: str) -> str:
    return dialect.api_url(config.base_url, path, env=BASE_URL_ENV)


def dialect_for(model: ModelInfo, config: ProviderConfig) -> str:
    """``dialect`` under ``[providers.newapi]`` in reelkit.toml, else the model's documented one."""
    chosen = config.options.get("dialect")
    if chosen is None:
        return "generations" if model.id in GENERATIONS_BY_DEFAULT else "videos"
    if chosen not in ROUTES:
        raise InvalidRequest(
            "dialect", f"unknown new-api dialect {chosen!r}", allowed=sorted(ROUTES)
        )
    return str(chosen)


class NewapiVideos(dialect.VideosApi):
    provider = PROVIDER
    id_example = "task_..."
    # OpenAI's values, new-api's "unknown" and the native NOT_START…FAILURE (ref §3.5, §3.6).
    vocabulary = dialect.GATEWAY_STATUSES
    param_shapes: ClassVar[Mapping[str, dialect.ListShape]] = {
        "characters": dialect.ListShape("id", CHARACTERS_MAX),  # OpenAI: [{"id"}], at most 2
        "multi_prompt": MULTI_PROMPT_SHAPE,
        **{name: dialect.ListShape(*limits) for name, limits in LIST_LIMITS.items()},
    }

    def offers(self, config: ProviderConfig, feature: str) -> bool:
        """Does this deployment offer ``feature`` (``remix``, ``list``)? Config, else the
        documented deployment's default (``catalogue.FEATURES``)."""
        return dialect.feature_enabled(config.options, feature, FEATURES, provider=self.name)

    def list_tasks_request(self, config: ProviderConfig, since: datetime) -> httpx.Request | None:
        # Off by default: stock new-api routes no GET /v1/videos (router/video-router.go in
        # https://github.com/QuantumNous/new-api; ref §3.1 "Not implemented: GET /v1/videos
        # (list)"), and seed 003's deployment says "目前不對外提供: GET /v1/videos". A deployment
        # that adds OpenAI's list enables it with `list = true` (the OpenAI page, §1.2).
        if not self.offers(config, "list"):
            return None
        return dialect.list_request(api(config, "/videos"), limit=100, order="desc")

    def translate(
        self, model: ModelInfo, request: VideoRequest, config: ProviderConfig
    ) -> httpx.Request:
        name = dialect_for(model, config)
        if request.mode is Mode.REMIX:
            if not self.offers(config, "remix"):
                # seed 003: "目前不對外提供: POST /v1/videos/{video_id}/remix".
                raise dialect.FeatureNotOffered(
                    "remix_of",
                    "remix",
                    what="remix (POST /v1/videos/{video_id}/remix)",
                    provider=self.name,
                    why="the documented deployment lists it as not offered",
                )
            return self.remix(model, request, config)
        extras = self.extras(model, request)
        _check_ranges(extras)
        wire = GENERATIONS if name == "generations" else WIRES[model.id]
        url = api(config, ROUTES[name])
        body = _merge(build_body(model, request, wire), extras)
        unsent = unsent_by(model, request, wire)
        frame = request.first_frame
        if model.images.must_match_size:
            dialect.check_frame_size(request, model)
        if wire.upload_first_frame and frame is not None and frame.data is not None:
            # The Sora passthrough takes a file part; JSON carries only a string (docs/reference/openai-videos.md §3.2, §6.1).
            field = wire.first_frame or "input_reference"
            body.pop(field, None)
            part = (
                dialect.upload_name(frame, "input_reference"),
                frame.data,
                frame.mime_type or "application/octet-stream",
            )
            return not_sent(dialect.multipart_request("POST", url, body, {field: part}), unsent)
        return not_sent(json_request("POST", url, body), unsent)

    def parse_poll(self, job: JobHandle, response: httpx.Response) -> JobStatus:
        status = super().parse_poll(job, response)
        if isinstance(status, Succeeded) and WIRES.get(job.model) is SEEDANCE:
            charge = token_charge(self.video_object(response.json()))
            if charge is not None:
                return attrs.evolve(status, charge=charge)
        return status

    def video_object(self, body: Any) -> Mapping[str, Any]:
        """The task object, also from the native envelope ``{"code": "success", "data": {...}}``."""
        if (
            isinstance(body, Mapping)
            and "status" not in body
            and isinstance(body.get("data"), Mapping)
        ):
            return body["data"]  # type: ignore[no-any-return]
        return super().video_object(body)

    def assets(
        self, body: Mapping[str, Any], job: JobHandle, response: httpx.Response
    ) -> list[Asset]:
        expires = parse_timestamp(body.get("expires_at"))
        for path in URL_FIELDS:
            url = _lookup(body, path)
            # data: URLs (Vertex) are served decoded by the proxy instead (docs/reference/openai-videos.md §3.7).
            if isinstance(url, str) and url.startswith(("http://", "https://")):
                return [Asset(url=url, kind="video", mime_type="video/mp4", expires_at=expires)]
        # Gemini/Veo upstreams expose no URL at all: the authenticated proxy is the only way (§0.6).
        videos_url = self.poll_url(response).rsplit("/", 1)[0]
        return [
            Asset(
                url=dialect.content_url(videos_url, job.task_id, None),
                kind="video",
                mime_type="video/mp4",
                expires_at=expires,
                data={"proxy": True},
            )
        ]


def token_charge(body: Mapping[str, Any]) -> Charge | None:
    """Ark's video tokens, as the gateway relays them in ``usage.completion_tokens``.

    new-api's Video object carries "the token usage reported by upstream video providers"
    (``dto.OpenAIVideoUsage`` in dto/openai_video.go, https://github.com/QuantumNous/new-api);
    its Doubao adaptor copies Ark's ``usage`` there, and Ark's completion tokens are the video
    tokens it bills (docs/reference/volcengine-kling.md §3.4). Only tokens: what the gateway
    charged is quota, whose worth is the operator's setting (``QuotaPerUnit``, 500,000 per USD
    by default but changeable, model/option.go), so it is never turned into money here.
    """
    usage = body.get("usage")
    if usage is None:
        return None
    tokens = usage.get("completion_tokens") if isinstance(usage, Mapping) else None
    if isinstance(tokens, bool) or not isinstance(tokens, int) or tokens < 0:
        log.debug("newapi: ignoring malformed usage %r", usage)
        return None
    return Charge(tokens=tokens, basis="usage.completion_tokens")


def _check_ranges(extras: Mapping[str, Any]) -> None:
    """Kling's cfg_scale lies in [0, 1] (Kling API reference, text to video)."""
    value = extras.get("cfg_scale")
    if value is not None and not 0 <= value <= 1:
        raise InvalidRequest("params.cfg_scale", f"{value} is out of range", allowed="0–1")


def unsent_by(model: ModelInfo, request: VideoRequest, wire: Wire) -> list[Adjustment]:
    """The settings the caller asked for that ``wire`` has no field for in this mode.

    A duration in a mode that sends none (an extension: the provider fixes its length, seed
    004 "视频续写不使用"); an aspect ratio or a resolution neither a field nor the pixel size
    carries, unless the mode offers only that one value (then the model renders it anyway).
    """
    mode = request.mode or Mode.T2V
    spec = model.mode(mode)
    offered: dict[str, set[str]] = {
        "resolution": {r for v in spec.variants for r in v.resolutions} if spec else set(),
        "aspect_ratio": {a for v in spec.variants for a in v.aspect_ratios} if spec else set(),
    }
    carried = {
        "duration": mode not in wire.no_duration_in,
        "resolution": wire.size in ("pixels", "label") or bool(wire.resolution_field),
        "aspect_ratio": wire.size == "pixels"
        or (
            bool(wire.aspect_ratio_field)
            and (wire.aspect_ratio_modes is None or mode in wire.aspect_ratio_modes)
        ),
    }
    names = [
        name
        for name, sent in carried.items()
        if not sent and (name == "duration" or len(offered[name]) > 1)
    ]
    # An extension keeps its source's shape: repeating it loses nothing (not its duration,
    # which is the length added).
    inherited = dialect.source_settings(request.continue_from) if mode is Mode.EXTEND else {}
    inherited.pop("duration", None)
    return dialect.unsent(
        request,
        names,
        f"{model.id} on this gateway takes no {{field}} in {mode.value}; not sent",
        inherited=inherited,
    )


def build_body(model: ModelInfo, request: VideoRequest, wire: Wire) -> dict[str, Any]:
    """The JSON body for ``request`` as ``wire`` says this model's upstream reads it."""
    mode = request.mode or Mode.T2V
    body: dict[str, Any] = {"model": wire.wire_model or model.id, "prompt": request.prompt}
    if wire.model_name:
        body["model_name"] = model.id
    if wire.modes:
        body["mode"] = wire.modes.get(mode)
    if mode not in wire.no_duration_in and request.duration is not None:
        whole = int(round(request.duration))
        body[wire.duration_field] = str(whole) if wire.duration_as == "str" else whole

    extras: dict[str, Any] = {}
    geometry: dict[str, Any] = {}
    if wire.size == "pixels":
        body["size"] = request.size
    elif wire.size == "label":
        body["size"] = request.resolution
    if wire.aspect_ratio_field and (
        wire.aspect_ratio_modes is None or mode in wire.aspect_ratio_modes
    ):
        geometry[wire.aspect_ratio_field] = request.aspect_ratio
    if wire.resolution_field and request.resolution:
        geometry[wire.resolution_field] = (
            request.resolution.upper() if wire.resolution_upper else request.resolution
        )
    (extras if wire.geometry_in_extras else body).update(geometry)

    _media(model, request, wire, body, extras)

    extras["negative_prompt"] = request.negative_prompt
    extras["seed"] = request.seed
    if wire.audio_field and request.audio is not None and model.audio is Audio.OPTIONAL:
        extras[wire.audio_field] = wire.audio_values[0] if request.audio else wire.audio_values[1]
    extras = {k: v for k, v in extras.items() if v is not None}
    if wire.extras == "top":
        body.update(extras)
    elif extras:
        body[wire.extras] = extras
    return body


def _media(
    model: ModelInfo,
    request: VideoRequest,
    wire: Wire,
    body: dict[str, Any],
    extras: dict[str, Any],
) -> None:
    mode = request.mode or Mode.T2V
    if request.first_frame is not None and wire.first_frame:
        body[wire.first_frame] = _image(request.first_frame, wire)
    if request.last_frame is not None and wire.last_frame:
        body[wire.last_frame] = _image(request.last_frame, wire)
    references = [_image(m, wire) for m in request.reference_images]
    minimum = MIN_REFERENCES.get(model.id, 1) if mode is Mode.REFERENCE else 0
    if len(references) < minimum:
        raise InvalidRequest(
            "reference_images",
            f"{model.id} needs at least {minimum} reference images",
            allowed=f"{minimum}–3 images",
        )
    if references and wire.references:
        body[wire.references] = (
            [{"image": r} for r in references]
            if wire.reference_items == "image_list"
            else references
        )
    if wire.frames_as_content:
        # Role-tagged content items, as Ark reads them (volcengine-kling.md §3.2).
        roles = [("first_frame", request.first_frame), ("last_frame", request.last_frame)]
        roles += [("reference_image", m) for m in request.reference_images]
        content = [
            {"type": "image_url", "image_url": {"url": _image(m, wire)}, "role": role}
            for role, m in roles
            if m is not None
        ]
        extras["content"] = content or None
    if request.video is not None:
        if not wire.video:
            raise InvalidRequest(
                "video",
                f"{model.id} takes no source video on this gateway",
                allowed=model.mode_names,
            )
        if request.video.url is None:
            raise InvalidRequest(
                "video", "the gateway takes a source video only as a URL", allowed="an http(s) URL"
            )
        body[wire.video] = request.video.url
    if mode is Mode.EXTEND:
        body[wire.extend_field or "video"] = _extension_source(request, wire)


def _extension_source(request: VideoRequest, wire: Wire) -> str:
    source = request.continue_from
    if wire.extend_value == "video_url":
        if source is None or not source.video_url:
            raise InvalidRequest(
                "continue_from",
                "needs the URL of the earlier video (seed 004: video)",
                allowed="a finished job with a video URL",
            )
        return source.video_url
    if source is None or not source.task_id:
        raise InvalidRequest(
            "continue_from", "needs the gateway's id of the earlier video", allowed="task_..."
        )
    return source.task_id


def _image(medium: Media, wire: Wire) -> str:
    if medium.url is not None:
        return medium.url
    return medium.base64() if wire.base64 == "bare" else medium.data_url()


def _merge(body: dict[str, Any], extras: Mapping[str, Any]) -> dict[str, Any]:
    """``--param`` values win; mapping values (``metadata``, ``extra_body``) merge one level deep."""
    merged = dict(body)
    for key, value in extras.items():
        current = merged.get(key)
        merged[key] = (
            {**current, **value}
            if isinstance(current, Mapping) and isinstance(value, Mapping)
            else value
        )
    return merged


#: Where gateways put the finished video, in order of preference (seed 003: video_url first;
#: ref §3.6: metadata.url for non-Sora upstreams, result_url on the native route).
URL_FIELDS = ("video_url", "url", "metadata.url", "result_url", "task_result.videos.0.url")


def _lookup(obj: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(obj, Mapping):
            obj = obj.get(part)
        elif isinstance(obj, list) and part.isdigit() and int(part) < len(obj):
            obj = obj[int(part)]
        else:
            return None
    return obj


API = NewapiVideos()
