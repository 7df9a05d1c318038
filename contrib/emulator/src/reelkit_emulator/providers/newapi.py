"""Fake of a new-api style video gateway under ``/newapi``.

Facts: ``docs/reference/openai-videos.md`` §3 (stock QuantumNous/new-api,
https://github.com/QuantumNous/new-api, cited as §3.n) and §4 (the ``POST
/v1/video/generations`` style of new-api-derived gateways: Veo 3.1 tiers, ``image``/``images``/
``last_image``/``video``, ``duration`` 4/6/8, ``extra_body``; https://docs.uniall.ai/models/video/veo-3-1).
Serves what reelkit's newapi plugin calls:

- ``POST /v1/videos`` and ``POST /v1/video/generations`` (one submit flow, §3.1), JSON, form or
  multipart (§3.2); ids are ``task_`` + 32 characters, never the upstream's (§0.6);
- ``GET /v1/videos/{id}`` (the OpenAI-style object, §3.6, plus a ``video_url``);
- ``GET /v1/videos/{id}/content`` (the proxied bytes, §3.7) and ``POST /v1/videos/{id}/remix``
  (sora tasks only, §3.1).

Errors come in new-api's envelopes: the relay's ``{"code", "message", "data": null}`` (§3.8),
the middleware's ``{"error": {"message", "type": "new_api_error", "code"}}`` (token and channel
checks) and the content proxy's ``{"error": {"message", "type"}}`` (§3.7). Sora sizes are checked
only for exactly ``sora-2``/``sora-2-pro`` (§3.2).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from reelkit_emulator.errors import NEWAPI_MIDDLEWARE, NEWAPI_PROXY, NEWAPI_RELAY, ApiError
from reelkit_emulator.provider import Endpoint, ProviderContext, ProviderFake
from reelkit_emulator.providers._openai import (
    STATUS,
    Fields,
    aspect_frame,
    read_fields,
    task_error,
    unix,
)
from reelkit_emulator.responses import BodyError, bearer_token, json_response
from reelkit_emulator.spec import Field, Problem, Schema, check, int_like
from reelkit_emulator.tasks import Phase, Task, VideoSpec, random_id

#: §3.2: validated only for these exact names; defaults 720x1280 and 4 s.
SORA_SIZES: Mapping[str, tuple[str, ...]] = {
    "sora-2": ("720x1280", "1280x720"),
    "sora-2-pro": ("720x1280", "1280x720", "1792x1024", "1024x1792"),
}
SORA_PREFIX = "sora-"
#: §4: the tier (resolution) and whether it is a fast tier (no multi-image reference).
VEO_TIERS: Mapping[str, tuple[str, bool]] = {
    "veo3.1-video-720p": ("720p", False),
    "veo3.1-video-1080p": ("1080p", False),
    "veo3.1-video-4k": ("4k", False),
    "veo3.1-fast-video-720p": ("720p", True),
    "veo3.1-fast-video-1080p": ("1080p", True),
    "veo3.1-fast-video-4k": ("4k", True),
}
VEO_DURATIONS = (4, 6, 8)  # §4: duration int 4/6/8
#: A deployment's ``kling-video`` takes one of these as ``model_name`` (its own catalogue, not
#: in the public references; §3.4 lists the stock Kling names).
KLING_MODEL_NAMES = (
    "kling-v1", "kling-v1-5", "kling-v1-6", "kling-v2-master", "kling-v2-1",
    "kling-v2-1-master", "kling-v2-5-turbo", "kling-v2-6", "kling-v3",
)  # fmt: skip
KLING_MODES = ("t2v", "i2v", "multi_i2v", "extend")
#: Models a deployment routes (§3.4's stock channels plus §4's Veo names); others answer 503.
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


def relay_error(status: int, code: str, message: str) -> ApiError:
    """§3.8: the task relay's envelope."""
    return ApiError(status=status, code=code, message=message)


def not_found() -> ApiError:
    return relay_error(400, "task_not_exist", "task_not_exist")  # §3.6


def authenticate(request: Request) -> None:
    if not bearer_token(request):
        raise NEWAPI_MIDDLEWARE.error(401, "未提供令牌")  # "no token provided"


#: §3.7: once the upstream link has expired, the content proxy fails like this.
UPSTREAM_GONE = NEWAPI_PROXY.error(502, "Failed to fetch video content", type="server_error")

# --- what the gateway accepts (§3.2 ``TaskSubmitReq``, §4) ------------------------------------

#: Go types of the JSON fields, for the unmarshal error new-api relays as ``invalid_json``.
_GO_TYPES = {"images": "[]string", "duration": "int", "metadata": "map[string]interface {}"}
_GO_NAMES = {"an integer": "number", "a decimal": "number", "a string": "string",
             "an array": "array", "an object": "object", "a boolean": "bool"}  # fmt: skip


def _numeric(value: Any) -> Any:
    """An integer, or a string of digits (new-api's ``duration`` accepts both, §3.2)."""
    return value if int_like(value) is not None else None


def _metadata(value: Any) -> Any:
    """An object, or a JSON string holding one (§3.2)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            raise relay_error(400, "invalid_json", "metadata is not valid JSON") from None
    return value


def _types(sora: bool) -> Schema:
    """JSON-only type rules. Stock new-api takes ``seconds`` as a string only; deployments
    document "number|string". A Sora upstream rejects a numeric one either way (§0.4), so only
    Sora models insist on the string."""
    seconds = (
        Field("seconds") if sora else Field("seconds", type=("string", "integer"), coerce=_numeric)
    )
    strings = [Field(n) for n in ("model", "prompt", "mode", "image", "size", "input_reference")]
    return Schema(
        [
            *strings,
            seconds,
            Field("images", type="array"),
            Field("duration", type="integer", coerce=_numeric),
            Field("metadata", type="object", coerce=_metadata),
        ],
        reject_unknown=False,
    )


def go_wording(p: Problem) -> ApiError:
    want = _GO_TYPES.get(p.field, "string")
    go = _GO_NAMES.get(p.got, "value")
    return relay_error(
        400,
        "invalid_json",
        f"json: cannot unmarshal {go} into Go struct field TaskSubmitReq.{p.field} of type {want}",
    )


def wording(p: Problem) -> ApiError:
    """The relay's own checks (§3.8, §4): ``invalid_request`` with what was wrong."""
    if p.kind == "choice" and p.field == "size":
        return relay_error(
            400,
            "invalid_request",
            f"size {p.value!r} does not match the model's tier {p.names[0]!r}",
        )
    if p.kind == "choice":
        allowed = ", ".join(map(str, p.names))
        return relay_error(
            400, "invalid_request", f"{p.field} must be one of {allowed}, got {p.value!r}"
        )
    if p.kind in ("too_short", "too_long"):
        return relay_error(400, "invalid_request", f"{p.field} must hold 2 to 3 image URLs")
    if p.kind == "requires":
        return relay_error(
            400, "invalid_request", f"{p.field} needs {p.names[0]} (the first frame)"
        )
    if p.kind == "missing":
        return relay_error(
            400, "invalid_request", f"{p.field} is required for {p.values.get('model')}"
        )
    return relay_error(
        400,
        "invalid_request",
        f"{p.field} must be {p.spec.type[0] if p.spec else 'valid'}, got {p.got}",
    )


def veo_tier(model: str) -> Schema:
    """§4: the tier fixes the resolution; ``images`` are 2-3 references (none on fast tiers)."""
    tier, _ = VEO_TIERS[model]
    return Schema(
        [
            Field("size", choices=(tier,), coerce=lambda v: str(v).lower()),
            Field("aspect_ratio", choices=("16:9", "9:16")),
            Field("duration", choices=VEO_DURATIONS, coerce=int_like, type="integer"),
            Field("images", type="array", min_len=2, max_len=3),
            Field("last_image", type="any"),
            Field("extra_body", type="object"),
        ],
        reject_unknown=False,
        requires=(("last_image", "image"),),
    )


EXTRA_BODY = Schema([Field("generate_audio", type="boolean")], reject_unknown=False)

KLING_VIDEO = Schema(
    [
        Field("model_name", required=True, blank_is_missing=True, choices=KLING_MODEL_NAMES),
        Field("mode", choices=KLING_MODES, default="t2v"),
    ],
    reject_unknown=False,
)
#: ``kling-video``: what each ``mode`` needs besides a prompt.
KLING_NEEDS = {
    "i2v": ("image", "image_url", "input_reference"),
    "multi_i2v": ("image_list",),
    "extend": ("video_id",),
}


def seconds_of(values: Mapping[str, Any], default: int) -> int:
    for name in ("seconds", "duration"):
        value = values.get(name)
        if value is not None and str(value).strip():
            number = int_like(value)
            if number is None:
                raise relay_error(
                    400, "invalid_request", f"{name} must be a whole number of seconds"
                )
            return number
    return default


def frame_of(values: Mapping[str, Any], default: str) -> str:
    """The output frame size: ``WxH`` as sent, or a resolution hint plus ``aspect_ratio``."""
    size = str(values.get("size") or values.get("resolution") or "").strip().lower() or default
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
    tier, fast = VEO_TIERS[model]
    if fast and values.get("images") is not None:
        raise relay_error(
            400, "invalid_request", f"{model} does not support multi-image reference (images)"
        )
    checked = check(veo_tier(model), values, wording)
    if checked["extra_body"] is not None:
        check(
            EXTRA_BODY,
            checked["extra_body"],
            lambda p: wording(p).evolve(message=f"extra_body.{p.field} must be a boolean"),
        )
    seconds = 8 if values.get("video") else seconds_of(values, 8)
    return seconds, frame_of({**values, "size": tier}, tier)


def check_kling_video(values: Mapping[str, Any]) -> None:
    checked = check(KLING_VIDEO, values, wording)
    needs = KLING_NEEDS.get(checked["mode"], ())
    if needs and not any(values.get(k) for k in needs):
        raise relay_error(
            400, "invalid_request", f"mode {checked['mode']} needs {' or '.join(needs)}"
        )


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
    """The upstream's result link (signed, expiring with the result), or Sora's content proxy."""
    if is_sora(task):
        return f"{ctx.base_url(request)}/v1/videos/{task.id}/content"
    return ctx.media_link(request, task, "video.mp4").url


def video_object(ctx: ProviderContext, request: Request, task: Task) -> dict[str, Any]:
    """§3.6 ``dto.OpenAIVideo`` (plus the ``video_url`` that §4-style gateways add)."""
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
        body["expires_at"] = unix(task.expires_at)
        if not is_sora(task):
            url = result_url(ctx, request, task)
            body["metadata"] = {"url": url}
            body["video_url"] = url
    error = task_error(task)
    if error:
        body["error"] = error
    return body


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


async def fields_of(request: Request) -> Fields:
    authenticate(request)
    try:
        return await read_fields(request)
    except BodyError as exc:
        raise relay_error(400, "invalid_json", str(exc)) from None


def known_model(model: str) -> bool:
    return (
        model in SORA_SIZES
        or model in VEO_TIERS
        or model in OTHER_MODELS
        or model.startswith(SORA_PREFIX)
    )


async def submit(request: Request, ctx: ProviderContext, *, object_name: str) -> Response:
    fields = await fields_of(request)
    values = dict(fields.values)
    if not fields.multipart:
        sora = str(values.get("model", "")).startswith(SORA_PREFIX)
        check(_types(sora), values, go_wording)
    model = values.get("model")
    if not model:
        raise relay_error(400, "missing_model", "model is required")
    if not known_model(model):
        raise NEWAPI_MIDDLEWARE.error(
            503, f"当前分组 default 下对于模型 {model} 无可用渠道", code="model_not_found"
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
        seconds = seconds_of(values, 8 if model.startswith("veo") else 5)
        size = frame_of(values, "1280x720")
    try:
        video = VideoSpec.parse(seconds, size)
    except ValueError:
        raise relay_error(400, "invalid_size", f"size {size!r} is invalid") from None
    if not 1 <= seconds <= 60 or not (16 <= video.width <= 4096 and 16 <= video.height <= 4096):
        raise relay_error(
            400, "invalid_request", f"unsupported duration/size: {seconds}s at {size}"
        )
    task = ctx.create_task(
        request,
        model=model,
        prompt=prompt,
        video=video,
        params={k: v for k, v in values.items() if isinstance(v, (str, int, float, bool))},
        id_factory=lambda: random_id("task_", 32),
        extra={"object": object_name},
        ttl=SORA_TTL if model.startswith(SORA_PREFIX) else OTHER_TTL,
    )
    return submit_answer(ctx, request, task)


async def create_video(request: Request, ctx: ProviderContext) -> Response:
    return await submit(request, ctx, object_name="video")


async def create_generation(request: Request, ctx: ProviderContext) -> Response:
    # §4-style gateways answer object "video.generation.job" for these tasks.
    return await submit(request, ctx, object_name="video.generation.job")


async def retrieve(request: Request, ctx: ProviderContext) -> Response:
    authenticate(request)
    task = ctx.store.poll(request.path_params["task_id"])
    if task is None:
        raise not_found()
    return json_response(video_object(ctx, request, task))


async def content(request: Request, ctx: ProviderContext) -> Response:
    """§3.7: the gateway proxies the upstream's bytes, in its own error shape."""
    authenticate(request)
    task = ctx.store.get(request.path_params["task_id"])
    if task is None:
        raise NEWAPI_PROXY.error(404, "Task not found", type="invalid_request_error")
    if not task.succeeded:
        message = f"Task is not completed yet, current status: {internal_status(task)}"
        raise NEWAPI_PROXY.error(400, message, type="invalid_request_error")
    if ctx.expired(task):
        raise UPSTREAM_GONE.copy()
    response = await ctx.video_response(task, f"{task.id}.mp4")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


async def remix(request: Request, ctx: ProviderContext) -> Response:
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
        extra={"object": "video", "remixed_from": source.id},
        ttl=SORA_TTL,
    )
    return submit_answer(ctx, request, task)


FAKE = ProviderFake(
    name="newapi",
    endpoints=[
        Endpoint("/v1/videos", create_video, ("POST",), "submit"),
        Endpoint("/v1/video/generations", create_generation, ("POST",), "submit"),
        Endpoint("/v1/videos/{task_id}", retrieve, ("GET",), "poll"),
        Endpoint("/v1/videos/{task_id}/content", content, ("GET",), "download", UPSTREAM_GONE),
        Endpoint("/v1/videos/{task_id}/remix", remix, ("POST",), "submit"),
    ],
    credentials={"NEWAPI_API_KEY": "emulator"},
    dialect=NEWAPI_RELAY,
    # §3.8: the 429 message is rewritten to this.
    rate_limited=relay_error(429, "rate_limit", "当前分组上游负载已饱和，请稍后再试"),
    server_error=relay_error(500, "fail_to_fetch_task", "upstream error: do request failed"),
    url_ttl=OTHER_TTL,
    natural_fps=24,
    description="new-api style video gateway (/v1/videos and /v1/video/generations)",
)
