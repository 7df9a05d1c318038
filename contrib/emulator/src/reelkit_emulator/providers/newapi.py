"""Fake of a new-api style video gateway under ``/newapi``.

Facts: ``docs/reference/openai-videos.md`` §3-4 (stock QuantumNous/new-api, cited as
§3.n), seed ``003_f461b3432fdd20d8.txt`` (a deployment's ``/v1/videos`` and its catalogue: the
``video_url`` field, ``kling-video`` + ``model_name``) and seed ``004_abdb0dc460431c67.txt`` (the
``POST /v1/video/generations`` variant: Veo 3.1 tiers, ``image``/``images``/``last_image``/
``video``, ``duration`` 4/6/8, ``extra_body``). Serves:

- ``POST /v1/videos`` and ``POST /v1/video/generations`` (one submit flow, §3.1), JSON, form or
  multipart (§3.2); ids are ``task_`` + 32 characters, never the upstream's (§0.6);
- ``GET /v1/videos/{id}`` (the OpenAI-style object, §3.6) and ``GET /v1/video/generations/{id}``
  (``{"code": "success", "data": TaskDto}``, §3.6);
- ``GET /v1/videos/{id}/content`` (the proxied bytes, §3.7) and ``POST /v1/videos/{id}/remix``
  (sora tasks only, §3.1).

Errors come in new-api's two envelopes: the relay's ``{"code", "message", "data": null}`` (§3.8)
and the middleware's ``{"error": {"message", "type": "new_api_error", "code"}}`` (token and
channel checks). Sora sizes are checked only for exactly ``sora-2``/``sora-2-pro`` (§3.2).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from reelkit_emulator.provider import Endpoint, ProviderContext, ProviderFake
from reelkit_emulator.providers._openai import (
    STATUS,
    Fields,
    aspect_frame,
    read_fields,
    task_error,
    type_name,
    unix,
)
from reelkit_emulator.responses import (
    BodyError,
    Reject,
    bearer_token,
    code_message_error,
    json_response,
)
from reelkit_emulator.tasks import Phase, Task, VideoSpec, random_id

#: §3.2: validated only for these exact names; defaults 720x1280 and 4 s.
SORA_SIZES: Mapping[str, tuple[str, ...]] = {
    "sora-2": ("720x1280", "1280x720"),
    "sora-2-pro": ("720x1280", "1280x720", "1792x1024", "1024x1792"),
}
SORA_PREFIX = "sora-"
#: seed 004: the tier (resolution) and whether it is a fast tier (no multi-image reference).
VEO_TIERS: Mapping[str, tuple[str, bool]] = {
    "veo3.1-video-720p": ("720p", False),
    "veo3.1-video-1080p": ("1080p", False),
    "veo3.1-video-4k": ("4k", False),
    "veo3.1-fast-video-720p": ("720p", True),
    "veo3.1-fast-video-1080p": ("1080p", True),
    "veo3.1-fast-video-4k": ("4k", True),
}
VEO_DURATIONS = (4, 6, 8)
#: seed 003: kling-video needs one of these as model_name.
KLING_MODEL_NAMES = (
    "kling-v1", "kling-v1-5", "kling-v1-6", "kling-v2-master", "kling-v2-1",
    "kling-v2-1-master", "kling-v2-5-turbo", "kling-v2-6", "kling-v3",
)  # fmt: skip
KLING_MODES = ("t2v", "i2v", "multi_i2v", "extend")
#: seed 003's catalogue plus the models stock new-api advertises (§3.4).
OTHER_MODELS = frozenset(
    {
        "gemini-omni", "happyhorse-1.0", "happyhorse-1.0-i2v", "happyhorse-1.0-t2v",
        "happyhorse-1.0-r2v", "happyhorse-1.0-video-edit",
        "doubao-seedance-1-0-lite-i2v-250428", "doubao-seedance-1-0-lite-t2v-250428",
        "doubao-seedance-1-0-pro-250528", "doubao-seedance-1-0-pro-fast-251015",
        "doubao-seedance-1-5-pro-251215", "doubao-seedance-2-0-260128",
        "doubao-seedance-2-0-fast-260128",
        "veo3", "veo3-fast", "veo3-fast-frames", "veo3-frames", "veo3-pro", "veo3-pro-frames",
        "veo3.1", "veo3.1-4k", "veo3.1-components", "veo3.1-fast", "veo3.1-pro", "veo3.1-pro-4k",
        "veo-3.0-generate-001", "veo-3.0-fast-generate-001", "veo-3.1-generate-preview",
        "veo-3.1-fast-generate-preview",
        "kling-video", "kling-v1", "kling-v1-6", "kling-v2-master",
        "grok-imagine-1.0-video", "grok-imagine-video-1.5-preview", "grok-video-3",
        "viduq1", "viduq2", "viduq3-turbo", "vidu2.0", "vidu1.5",
        "hailuo-video", "MiniMax-Hailuo-2.3", "MiniMax-Hailuo-2.3-Fast", "MiniMax-Hailuo-02",
    }
)  # fmt: skip
RESOLUTIONS = {"480p": 480, "720p": 720, "1080p": 1080, "4k": 2160}
#: Upstream link lifetimes: Sora about 1 h, the others days (§3.7, §6.6).
SORA_TTL, OTHER_TTL = 3600.0, 7 * 86400.0


# --- errors ----------------------------------------------------------------------------------


def relay_error(status: int, code: str, message: str) -> Reject:
    """§3.8: the task relay's envelope."""
    return Reject(code_message_error(status, code, message))


def middleware_error(
    status: int, message: str, code: str = "", headers: Mapping[str, str] | None = None
) -> Response:
    """The token/channel middleware's envelope (new-api ``abortWithOpenAiMessage``)."""
    request_id = random_id("", 20)
    body = {
        "error": {
            "message": f"{message} (request id: {request_id})",
            "type": "new_api_error",
            "code": code,
        }
    }
    return json_response(body, status, headers)


def proxy_error(status: int, message: str, kind: str) -> Response:
    """§3.7: the content proxy's ``{"error": {"message", "type"}}``."""
    return json_response({"error": {"message": message, "type": kind}}, status)


def upstream_gone() -> Response:
    """§3.7: once the upstream link has expired, the content proxy fails like this."""
    return proxy_error(502, "Failed to fetch video content", "server_error")


def fault(status: int, headers: Mapping[str, str]) -> Response:
    if status == 429:  # §3.8: the 429 message is rewritten to this
        return code_message_error(429, "rate_limit", "当前分组上游负载已饱和，请稍后再试", headers)
    return code_message_error(
        status, "fail_to_fetch_task", "upstream error: do request failed", headers
    )


def authenticate(request: Request) -> None:
    if not bearer_token(request):
        raise Reject(middleware_error(401, "未提供令牌"))  # "no token provided"


def not_found() -> Reject:
    return relay_error(400, "task_not_exist", "task_not_exist")  # §3.6


# --- the unified request (§3.2) --------------------------------------------------------------


async def fields_of(request: Request) -> Fields:
    try:
        return await read_fields(request)
    except BodyError as exc:
        raise relay_error(400, "invalid_json", str(exc)) from None


def go_type_error(field: str, value: Any, want: str) -> Reject:
    """The Go unmarshal failure new-api relays as ``invalid_json`` (§3.2)."""
    go = {"an integer": "number", "a decimal": "number", "a string": "string", "an array": "array",
          "an object": "object", "a boolean": "bool"}.get(type_name(value), "value")  # fmt: skip
    return relay_error(
        400,
        "invalid_json",
        f"json: cannot unmarshal {go} into Go struct field TaskSubmitReq.{field} of type {want}",
    )


def _numeric(value: Any) -> bool:
    """An integer, or a string of digits (new-api's ``duration`` accepts both, §3.2)."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit())


def check_types(fields: Fields) -> None:
    """JSON-only type rules: ``seconds`` and ``input_reference`` are strings, ``duration`` a
    number or numeric string, ``metadata`` an object or a JSON string (§3.2)."""
    if fields.multipart:
        return
    v = fields.values
    # Stock new-api takes ``seconds`` as a string only; seed 003's deployment documents
    # "number|string". A Sora upstream rejects a numeric one either way (§0.4), so only Sora
    # models insist on the string.
    strings = ["model", "prompt", "mode", "image", "size", "input_reference"]
    if str(v.get("model", "")).startswith(SORA_PREFIX):
        strings.append("seconds")
    elif v.get("seconds") is not None and not _numeric(v["seconds"]):
        raise go_type_error("seconds", v["seconds"], "string")
    for name in strings:
        if name in v and v[name] is not None and not isinstance(v[name], str):
            raise go_type_error(name, v[name], "string")
    if "images" in v and not (
        isinstance(v["images"], list) and all(isinstance(i, str) for i in v["images"])
    ):
        raise go_type_error("images", v["images"], "[]string")
    if v.get("duration") is not None and not _numeric(v["duration"]):
        raise go_type_error("duration", v["duration"], "int")
    metadata = v.get("metadata")
    if isinstance(metadata, str):
        try:
            metadata = json.loads(metadata)
        except json.JSONDecodeError:
            raise relay_error(400, "invalid_json", "metadata is not valid JSON") from None
    if metadata is not None and not isinstance(metadata, dict):
        raise go_type_error("metadata", metadata, "map[string]interface {}")


def seconds_of(values: Mapping[str, Any], default: int) -> int:
    for name in ("seconds", "duration"):
        value = values.get(name)
        if value is not None and str(value).strip():
            try:
                return int(str(value).strip())
            except ValueError:
                raise relay_error(
                    400, "invalid_request", f"{name} must be a whole number of seconds"
                ) from None
    return default


def frame_of(values: Mapping[str, Any], default: str) -> str:
    """The output frame size: ``WxH`` as sent, or a resolution hint plus ``aspect_ratio``."""
    size = str(values.get("size") or values.get("resolution") or "").strip().lower()
    if not size:
        size = default
    if "x" in size:
        width, _, height = size.partition("x")
        if width.isdigit() and height.isdigit():
            return size
        raise relay_error(400, "invalid_size", f"size {size!r} is invalid")
    if size not in RESOLUTIONS:
        raise relay_error(
            400,
            "invalid_size",
            f"size {size!r} is invalid; use WxH or one of {', '.join(RESOLUTIONS)}",
        )
    aspect = str(values.get("aspect_ratio") or values.get("ratio") or "16:9")
    try:
        frame = aspect_frame(aspect, RESOLUTIONS[size])
    except ValueError:
        raise relay_error(400, "invalid_request", f"aspect_ratio {aspect!r} is invalid") from None
    return f"{frame[0]}x{frame[1]}"


def check_sora(model: str, values: Mapping[str, Any]) -> tuple[int, str]:
    size = str(values.get("size") or "720x1280")
    if model in SORA_SIZES and size not in SORA_SIZES[model]:
        raise relay_error(400, "invalid_size", f"{model} size is invalid")  # §3.2, verbatim
    return seconds_of(values, 4), size


def check_veo_tier(model: str, values: Mapping[str, Any]) -> tuple[int, str]:
    """Seed 004's rules (its 常见错误 list)."""
    tier, fast = VEO_TIERS[model]
    size = values.get("size")
    if size is not None and str(size).lower() != tier:
        raise relay_error(
            400, "invalid_request", f"size {size!r} does not match the model's tier {tier!r}"
        )
    aspect = values.get("aspect_ratio")
    if aspect is not None and aspect not in ("16:9", "9:16"):
        raise relay_error(
            400, "invalid_request", f"aspect_ratio must be 16:9 or 9:16, got {aspect!r}"
        )
    duration = values.get("duration")
    if duration is not None and seconds_of(values, 8) not in VEO_DURATIONS:
        raise relay_error(
            400, "invalid_request", f"duration must be one of 4, 6, 8, got {duration!r}"
        )
    images = values.get("images")
    if images is not None:
        if fast:
            raise relay_error(
                400, "invalid_request", f"{model} does not support multi-image reference (images)"
            )
        if not isinstance(images, list) or not 2 <= len(images) <= 3:
            raise relay_error(400, "invalid_request", "images must hold 2 to 3 image URLs")
    if values.get("last_image") and not values.get("image"):
        raise relay_error(400, "invalid_request", "last_image needs image (the first frame)")
    extra = values.get("extra_body")
    if extra is not None:
        if not isinstance(extra, dict):
            raise relay_error(400, "invalid_request", "extra_body must be an object")
        if "generate_audio" in extra and not isinstance(extra["generate_audio"], bool):
            raise relay_error(400, "invalid_request", "extra_body.generate_audio must be a boolean")
    seconds = 8 if values.get("video") else seconds_of(values, 8)
    return seconds, frame_of({**values, "size": tier}, tier)


def check_kling_video(values: Mapping[str, Any]) -> None:
    """Seed 003: ``kling-video`` needs ``model_name``; ``mode`` decides the other minimums."""
    name = values.get("model_name")
    if not name:
        raise relay_error(400, "invalid_request", "model_name is required for kling-video")
    if name not in KLING_MODEL_NAMES:
        raise relay_error(
            400,
            "invalid_request",
            f"model_name {name!r} is not supported; allowed: {', '.join(KLING_MODEL_NAMES)}",
        )
    mode = values.get("mode", "t2v")
    if mode not in KLING_MODES:
        raise relay_error(
            400, "invalid_request", f"mode must be one of {', '.join(KLING_MODES)}, got {mode!r}"
        )
    needs = {
        "i2v": ("image", "image_url", "input_reference"),
        "multi_i2v": ("image_list",),
        "extend": ("video_id",),
    }
    if mode in needs and not any(values.get(k) for k in needs[mode]):
        raise relay_error(400, "invalid_request", f"mode {mode} needs {' or '.join(needs[mode])}")


# --- answers ---------------------------------------------------------------------------------


def is_sora(task: Task) -> bool:
    return task.model.startswith(SORA_PREFIX)


def progress(task: Task) -> int:
    """new-api's stored progress: SUBMITTED 10, QUEUED 20, IN_PROGRESS from 30, done 100 (§3.5)."""
    if task.polls == 0 and not task.phase.terminal:
        return 0
    if task.phase is Phase.QUEUED:
        return 20
    if task.phase is Phase.RUNNING:
        return max(30, task.progress)
    return 100


def internal_status(task: Task) -> str:
    if task.polls == 0 and not task.phase.terminal:
        return "SUBMITTED"
    return {Phase.QUEUED: "QUEUED", Phase.RUNNING: "IN_PROGRESS", Phase.SUCCEEDED: "SUCCESS"}.get(
        task.phase, "FAILURE"
    )


def result_url(ctx: ProviderContext, request: Request, task: Task) -> str:
    """The upstream's result link (a signed, expiring media link), or for Sora the content proxy."""
    if is_sora(task):
        return f"{ctx.base_url(request)}/v1/videos/{task.id}/content"
    link = task.extra.get("link")
    if link is None:
        ttl = ctx.config.url_ttl if ctx.config.url_ttl is not None else OTHER_TTL
        link = task.extra["link"] = ctx.media_link(request, task, "video.mp4", ttl)
    return str(link.url)


def upstream_expires_at(ctx: ProviderContext, task: Task) -> float | None:
    if not task.succeeded or task.finished_at is None:
        return None
    ttl = (
        ctx.config.url_ttl
        if ctx.config.url_ttl is not None
        else (SORA_TTL if is_sora(task) else OTHER_TTL)
    )
    return task.finished_at + ttl


def video_object(ctx: ProviderContext, request: Request, task: Task) -> dict[str, Any]:
    """§3.6 ``dto.OpenAIVideo`` (plus seed 003/004's ``video_url``)."""
    body: dict[str, Any] = {
        "id": task.id,
        "task_id": task.id,
        "object": task.extra.get("object", "video"),
        "model": task.model,
        "status": STATUS[task.phase] if task.phase is not Phase.CANCELLED else "failed",
        "progress": progress(task),
        "created_at": unix(task.created_at),
        "seconds": str(int(task.video.duration)),
        "size": task.video.size,
    }
    if is_sora(task):
        body["prompt"] = task.prompt
        body["remixed_from_video_id"] = task.extra.get("remixed_from")
    if task.phase.terminal:
        body["completed_at"] = unix(task.finished_at)
    if task.succeeded:
        body["expires_at"] = unix(upstream_expires_at(ctx, task))
        if not is_sora(task):
            url = result_url(ctx, request, task)
            body["metadata"] = {"url": url}
            body["video_url"] = url
    error = task_error(task)
    if error:
        body["error"] = error
    return body


def task_dto(ctx: ProviderContext, request: Request, task: Task) -> dict[str, Any]:
    """§3.6 the native ``TaskDto``."""
    error = task_error(task)
    return {
        "id": task.seq,
        "created_at": unix(task.created_at),
        "updated_at": unix(task.updated_at),
        "task_id": task.id,
        "platform": task.extra.get("platform", "openai"),
        "user_id": 1,
        "group": "default",
        "channel_id": 1,
        "quota": 0,
        "action": task.extra.get("action", "textGenerate"),
        "status": internal_status(task),
        "fail_reason": error["message"] if error else "",
        "result_url": result_url(ctx, request, task) if task.succeeded else "",
        "submit_time": unix(task.created_at),
        "start_time": unix(task.created_at) if task.polls else 0,
        "finish_time": unix(task.finished_at) if task.phase.terminal else 0,
        "progress": f"{progress(task)}%",
        "properties": {"input": task.prompt},
        "username": "emulator",
        "data": None,
    }


def submit_answer(ctx: ProviderContext, request: Request, task: Task) -> Response:
    headers = {
        "X-New-Api-Other-Ratios": json.dumps({"seconds": int(task.video.duration), "size": 1})
    }
    if is_sora(task):  # §3.3: the upstream's object with the public id
        body = video_object(ctx, request, task)
    else:
        body = {
            "id": task.id,
            "task_id": task.id,
            "object": task.extra.get("object", "video"),
            "model": task.model,
            "status": "queued",
            "progress": 0,
            "created_at": unix(task.created_at),
        }
    return json_response(body, headers=headers)


# --- handlers --------------------------------------------------------------------------------


async def submit(request: Request, ctx: ProviderContext, *, object_name: str) -> Response:
    authenticate(request)
    fields = await fields_of(request)
    values = dict(fields.values)
    check_types(fields)
    model = values.get("model")
    if not model:
        raise relay_error(400, "missing_model", "model is required")
    known = (
        model in SORA_SIZES
        or model in VEO_TIERS
        or model in OTHER_MODELS
        or model.startswith(SORA_PREFIX)
    )
    if not known:
        raise Reject(
            middleware_error(
                503, f"当前分组 default 下对于模型 {model} 无可用渠道", "model_not_found"
            )
        )
    prompt = str(values.get("prompt") or "")
    if not prompt.strip():
        raise relay_error(400, "invalid_request", "prompt is required")
    if "input_reference" in fields.files:  # multipart file: becomes images[0]
        values["input_reference"] = fields.files["input_reference"].filename
    if model.startswith(SORA_PREFIX):
        seconds, size = check_sora(model, values)
    elif model in VEO_TIERS:
        seconds, size = check_veo_tier(model, values)
    else:
        if model == "kling-video":
            check_kling_video(values)
        default = 8 if model.startswith("veo") else 5
        seconds, size = seconds_of(values, default), frame_of(values, "1280x720")
    try:
        video = VideoSpec.parse(seconds, size)
    except ValueError:
        raise relay_error(400, "invalid_size", f"size {size!r} is invalid") from None
    if not 1 <= seconds <= 60 or not (16 <= video.width <= 4096 and 16 <= video.height <= 4096):
        raise relay_error(
            400, "invalid_request", f"unsupported duration/size: {seconds}s at {size}"
        )
    has_image = any(values.get(k) for k in ("image", "images", "input_reference", "image_url"))
    task = ctx.create_task(
        request,
        model=model,
        prompt=prompt,
        video=video,
        params={k: v for k, v in values.items() if isinstance(v, (str, int, float, bool))},
        id_factory=lambda: random_id("task_", 32),
        extra={"object": object_name, "action": "generate" if has_image else "textGenerate"},
    )
    return submit_answer(ctx, request, task)


async def create_video(request: Request, ctx: ProviderContext) -> Response:
    return await submit(request, ctx, object_name="video")


async def create_generation(request: Request, ctx: ProviderContext) -> Response:
    # seed 004's query example answers object "video.generation.job" for these tasks.
    return await submit(request, ctx, object_name="video.generation.job")


async def retrieve(request: Request, ctx: ProviderContext) -> Response:
    authenticate(request)
    task = ctx.store.poll(request.path_params["task_id"])
    if task is None:
        raise not_found()
    return json_response(video_object(ctx, request, task))


async def retrieve_native(request: Request, ctx: ProviderContext) -> Response:
    authenticate(request)
    task = ctx.store.poll(request.path_params["task_id"])
    if task is None:
        raise not_found()
    return json_response({"code": "success", "message": "", "data": task_dto(ctx, request, task)})


async def content(request: Request, ctx: ProviderContext) -> Response:
    authenticate(request)
    task = ctx.store.get(request.path_params["task_id"])
    if task is None:
        return proxy_error(404, "Task not found", "invalid_request_error")
    if not task.succeeded:
        status = internal_status(task)
        return proxy_error(
            400, f"Task is not completed yet, current status: {status}", "invalid_request_error"
        )
    expires_at = upstream_expires_at(ctx, task)
    if expires_at is not None and ctx.now() >= expires_at:
        return upstream_gone()
    response = await ctx.video_response(task, f"{task.id}.mp4")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


async def remix(request: Request, ctx: ProviderContext) -> Response:
    authenticate(request)
    fields = await fields_of(request)
    source = ctx.store.get(request.path_params["task_id"])
    if source is None:
        raise not_found()
    if not is_sora(source):  # §3.1: locked to the original (Sora) channel
        raise relay_error(
            400, "invalid_request", f"remix is not supported for model {source.model}"
        )
    if not source.succeeded:
        raise relay_error(400, "invalid_request", "only completed videos can be remixed")
    prompt = fields.values.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise relay_error(400, "invalid_request", "prompt is required")
    task = ctx.create_task(
        request,
        model=source.model,
        prompt=prompt,
        video=source.video,
        params=dict(source.params),
        id_factory=lambda: random_id("task_", 32),
        extra={"object": "video", "remixed_from": source.id, "action": "remix"},
    )
    return submit_answer(ctx, request, task)


FAKE = ProviderFake(
    name="newapi",
    endpoints=[
        Endpoint("/v1/videos", create_video, ("POST",), "submit"),
        Endpoint("/v1/video/generations", create_generation, ("POST",), "submit"),
        Endpoint("/v1/videos/{task_id}", retrieve, ("GET",), "poll"),
        Endpoint("/v1/video/generations/{task_id}", retrieve_native, ("GET",), "poll"),
        Endpoint("/v1/videos/{task_id}/content", content, ("GET",), "download", upstream_gone),
        Endpoint("/v1/videos/{task_id}/remix", remix, ("POST",), "submit"),
    ],
    credentials={"NEWAPI_API_KEY": "emulator"},
    fault_response=fault,
    url_ttl=OTHER_TTL,
    natural_fps=24,
    description="new-api style video gateway (/v1/videos and /v1/video/generations)",
)
