"""Fake of Alibaba Wan video on DashScope (Alibaba Cloud Model Studio).

Facts (read 2026-12-02):
https://www.alibabacloud.com/help/en/model-studio/text-to-video-api-reference,
https://www.alibabacloud.com/help/en/model-studio/image-to-video-api-reference,
https://www.alibabacloud.com/help/en/model-studio/image-to-video-by-first-and-last-frame-api-reference,
https://www.alibabacloud.com/help/en/model-studio/manage-asynchronous-tasks and
https://www.alibabacloud.com/help/en/model-studio/error-code; the official SDK
(https://github.com/dashscope/dashscope-sdk-python, ``dashscope/aigc/video_synthesis.py``) is the
client the fidelity tests drive.

Served at ``/wan/api/v1/...``:

- ``POST /services/aigc/video-generation/video-synthesis`` (text: ``input.prompt`` +
  ``parameters.size`` "W*H"; first frame: ``input.img_url`` + ``parameters.resolution`` "720P");
- ``POST /services/aigc/image2video/video-synthesis`` (the ``kf2v`` models:
  ``input.first_frame_url`` + ``input.last_frame_url``);
- ``GET /tasks/{task_id}``.

Checks: ``Authorization: Bearer <any non-empty key>`` (else 401 ``InvalidApiKey``); a submit
without ``X-DashScope-Async: enable`` is refused (the reference says only that the header is
required and "Returns an error if not included":
https://docs.qwencloud.com/api-reference/video-generation/wan-image-to-video-first-last-frames/create-task;
the 403 ``AccessDenied`` "current user api does not support synchronous calls" used here is
DashScope's usual wording, not confirmed on a page read); the body per model (known model,
the model's own input fields and no other model's, its sizes or tiers, its durations, seed
range, ``audio`` only on wan2.5) with 400 ``InvalidParameter``. A submit answers
``{"output": {"task_id", "task_status": "PENDING"}, "request_id"}``; polls walk PENDING →
RUNNING → SUCCEEDED with ``output.video_url`` (24 h) and ``usage {duration, video_count}``.

Triggers: ``[emulator:moderation]`` ends FAILED with ``DataInspectionFailed``; ``[emulator:fail]``
FAILED with ``InternalError.Algo``; ``[emulator:expire]`` (and any task 24 h after it finished)
polls ``UNKNOWN``, which is also the answer for a task id never issued: DashScope deletes tasks
after 24 h and then no longer tells an expired id from a wrong one.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

import attrs
from starlette.requests import Request
from starlette.responses import Response

from reelkit_emulator.errors import ApiError, Dialect
from reelkit_emulator.provider import Endpoint, ProviderContext, ProviderFake
from reelkit_emulator.providers._volc import image_size
from reelkit_emulator.responses import BodyError, bearer_token, json_body, json_response
from reelkit_emulator.spec import Field, Problem, Schema, check
from reelkit_emulator.tasks import Outcome, Phase, Task, VideoSpec

URL_TTL_SECONDS = 24 * 3600  # "video_url ... is valid for 24 hours"
ASYNC_HEADER = "x-dashscope-async"

DASHSCOPE = Dialect(
    "dashscope",
    lambda e: {"request_id": str(uuid.uuid4()), "code": e.code, "message": e.message},
)


def invalid(message: str, code: str = "InvalidParameter") -> ApiError:
    return ApiError(status=400, code=code, message=message)


# --------------------------------------------------------------------------------------------
# Models: which input fields each takes, its sizes or tiers, its durations
# --------------------------------------------------------------------------------------------

SIZES_480 = ("832*480", "480*832", "624*624")
SIZES_720 = ("1280*720", "720*1280", "960*960", "1088*832", "832*1088")
SIZES_1080 = ("1920*1080", "1080*1920", "1440*1440", "1632*1248", "1248*1632")
#: Short side of each tier (image-led jobs keep the image's shape at about this size).
TIER_SHORT = {"480P": 480, "720P": 720, "1080P": 1080}


@attrs.frozen
class WanModel:
    kind: str  # t2v, i2v, kf2v
    durations: tuple[int, ...]
    sizes: tuple[str, ...] = ()  # t2v: parameters.size
    tiers: tuple[str, ...] = ()  # i2v, kf2v: parameters.resolution
    default: str = ""  # the default size or tier
    sound: bool = False  # wan2.5: audio / audio_url
    max_prompt: int = 800


MODELS: dict[str, WanModel] = {
    "wan2.5-t2v-preview": WanModel(
        "t2v",
        (5, 10),
        (*SIZES_480, *SIZES_720, *SIZES_1080),
        default="1920*1080",
        sound=True,
        max_prompt=2000,
    ),
    "wan2.2-t2v-plus": WanModel("t2v", (5,), (*SIZES_480, *SIZES_1080), default="1920*1080"),
    "wanx2.1-t2v-turbo": WanModel("t2v", (5,), (*SIZES_480, *SIZES_720), default="1280*720"),
    "wanx2.1-t2v-plus": WanModel("t2v", (5,), SIZES_720, default="1280*720"),
    "wan2.5-i2v-preview": WanModel(
        "i2v",
        (5, 10),
        tiers=("480P", "720P", "1080P"),
        default="1080P",
        sound=True,
        max_prompt=2000,
    ),
    "wan2.2-i2v-flash": WanModel("i2v", (5,), tiers=("480P", "720P"), default="720P"),
    "wanx2.1-i2v-turbo": WanModel("i2v", (5,), tiers=("480P", "720P"), default="720P"),
    "wanx2.1-i2v-plus": WanModel("i2v", (5,), tiers=("720P",), default="720P"),
    "wanx2.1-kf2v-plus": WanModel("kf2v", (5,), tiers=("720P",), default="720P"),
    "wan2.1-kf2v-plus": WanModel("kf2v", (5,), tiers=("720P",), default="720P"),
    "wan2.2-kf2v-flash": WanModel("kf2v", (5,), tiers=("480P", "720P", "1080P"), default="720P"),
}
#: The input fields each kind of model reads; any other model's are refused.
INPUTS = {
    "t2v": ("prompt", "negative_prompt", "audio_url"),
    "i2v": ("prompt", "negative_prompt", "img_url", "audio_url"),
    "kf2v": ("prompt", "negative_prompt", "first_frame_url", "last_frame_url", "template"),
}
_MEDIA_FIELDS = ("img_url", "first_frame_url", "last_frame_url", "audio_url")

TOP = Schema(
    [
        Field("model", required=True, blank_is_missing=True),
        Field("input", type="object", required=True),
        Field("parameters", type="object"),
    ],
    reject_unknown=False,
)
INPUT = Schema(
    [
        Field("prompt", max_len=2000),
        Field("negative_prompt", max_len=500),
        *(Field(name, min_len=1) for name in _MEDIA_FIELDS),
        Field("template"),
        Field("extend_prompt", type="boolean"),  # the SDK's deprecated flag, still accepted
    ],
    reject_unknown=False,
)
PARAMETERS = Schema(
    [
        Field("size"),
        Field("resolution"),
        Field("duration", type="integer"),
        Field("seed", type="integer", min=0, max=2147483647),
        Field("prompt_extend", type="boolean"),
        Field("watermark", type="boolean"),
        Field("audio", type="boolean"),
    ],
    reject_unknown=False,
)


def wording(p: Problem) -> ApiError:
    where = p.field
    if p.kind == "missing":
        if where == "model":
            return invalid(
                'Required parameter "model" missing from request.', "BadRequest.EmptyModel"
            )
        if where == "input":
            return invalid(
                "Required input parameter missing from request.", "BadRequest.EmptyInput"
            )
        return invalid(f"Field required: {where}")
    if p.kind == "type":
        return invalid(f"The parameter {where} is invalid: got {p.got}")
    if p.kind == "range":
        return invalid(f"The parameter {where} is out of range: {p.value}")
    if p.kind == "too_long" and p.spec is not None:
        return invalid(f"{where} exceeds {p.spec.max_len} characters")
    return invalid(f"The parameter {where} is invalid")


@attrs.frozen
class Job:
    model_id: str
    prompt: str
    duration: int
    width: int
    height: int
    sound: bool


def _media_ok(name: str, value: str) -> None:
    if not value.startswith(("https://", "http://", "oss://", "data:")):
        raise invalid(
            f"The provided URL of {name} is invalid: use http(s) or a base64 data URI", "InvalidURL"
        )
    if value.startswith("data:") and ";base64," not in value:
        raise invalid(f"{name}: a data URI must be base64-encoded")


def _image_shape(url: str) -> tuple[int, int] | None:
    """The pixel size of a data-URI image, when its header says (remote images: unknown)."""
    if not url.startswith("data:"):
        return None
    try:
        data = base64.b64decode(url.split(",", 1)[1], validate=False)
    except ValueError:
        return None
    found = image_size(data)
    return None if found is None else (found[1], found[2])


def _fit(shape: tuple[int, int] | None, tier: str) -> tuple[int, int]:
    """About the tier's pixel count, in the image's shape (16:9 when the shape is unknown)."""
    w, h = shape or (16, 9)
    short = TIER_SHORT[tier]
    if w >= h:
        return _even(short * w / h), short
    return short, _even(short * h / w)


def _even(x: float) -> int:
    return max(2, int(round(x / 2)) * 2)


def validate(body: Mapping[str, Any], *, keyframes_route: bool) -> Job:
    v = check(TOP, body, wording)
    model_id = v["model"]
    model = MODELS.get(model_id)
    if model is None:
        raise invalid(f"Model not exist: {model_id}", "InvalidParameter")
    if (model.kind == "kf2v") != keyframes_route:
        raise invalid(f"Model {model_id} is not supported by this API", "InvalidParameter")
    inputs = check(INPUT, v["input"], wording)
    params = check(PARAMETERS, v["parameters"] or {}, wording)
    for name in _MEDIA_FIELDS:
        if inputs[name] is not None and name not in INPUTS[model.kind]:
            raise invalid(f"{model_id} does not accept input.{name}")
        if inputs[name] is not None:
            _media_ok(name, inputs[name])
    prompt = inputs["prompt"] or ""
    if len(prompt) > model.max_prompt:
        raise invalid(f"input.prompt exceeds {model.max_prompt} characters")
    if inputs["audio_url"] is not None and not model.sound:
        raise invalid(f"{model_id} does not accept input.audio_url")
    if params["audio"] is not None and not model.sound:
        raise invalid(f"{model_id} does not accept parameters.audio")
    duration = params["duration"] if params["duration"] is not None else model.durations[0]
    if duration not in model.durations:
        raise invalid(
            f"The parameter duration must be one of {', '.join(map(str, model.durations))} for {model_id}"
        )
    sound = model.sound and params["audio"] is not False
    if model.kind == "t2v":
        if not prompt.strip():
            raise invalid("Field required: input.prompt")
        if params["resolution"] is not None:
            raise invalid(f"{model_id} takes parameters.size (width*height), not resolution")
        size = params["size"] or model.default
        if size not in model.sizes:
            raise invalid(
                f"The size {size} is not supported by {model_id}: {', '.join(model.sizes)}"
            )
        width, height = (int(x) for x in size.split("*"))
        return Job(model_id, prompt, duration, width, height, sound)
    if params["size"] is not None:
        raise invalid(f"{model_id} takes parameters.resolution (e.g. 720P), not size")
    tier = str(params["resolution"] or model.default).upper()
    if tier not in model.tiers:
        raise invalid(
            f"The resolution {tier} is not supported by {model_id}: {', '.join(model.tiers)}"
        )
    first = inputs["img_url"] if model.kind == "i2v" else inputs["first_frame_url"]
    if first is None:
        raise invalid(
            "Field required: input." + ("img_url" if model.kind == "i2v" else "first_frame_url")
        )
    if model.kind == "kf2v" and inputs["last_frame_url"] is None and inputs["template"] is None:
        raise invalid("Field required: input.last_frame_url")
    width, height = _fit(_image_shape(first), tier)
    return Job(model_id, prompt, duration, width, height, sound)


# --------------------------------------------------------------------------------------------
# The fake
# --------------------------------------------------------------------------------------------


def _authorise(request: Request) -> None:
    if not bearer_token(request):
        raise ApiError(status=401, code="InvalidApiKey", message="Invalid API-key provided.")


async def _submit(request: Request, ctx: ProviderContext, *, keyframes_route: bool) -> Response:
    _authorise(request)
    if request.headers.get(ASYNC_HEADER, "").strip().lower() != "enable":
        raise ApiError(
            status=403,
            code="AccessDenied",
            message="current user api does not support synchronous calls",
        )
    try:
        body = await json_body(request)
    except BodyError as exc:
        raise invalid(f"Request body is not valid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise invalid("The request body must be a JSON object")
    job = validate(body, keyframes_route=keyframes_route)
    task = ctx.create_task(
        request,
        model=job.model_id,
        prompt=job.prompt,
        video=VideoSpec(duration=job.duration, width=job.width, height=job.height),
        params=body,
        id_factory=lambda: str(uuid.uuid4()),
        extra={"job": job},
    )
    return json_response(
        {
            "request_id": str(uuid.uuid4()),
            "output": {"task_id": task.id, "task_status": "PENDING"},
        }
    )


async def _video_synthesis(request: Request, ctx: ProviderContext) -> Response:
    return await _submit(request, ctx, keyframes_route=False)


async def _image2video(request: Request, ctx: ProviderContext) -> Response:
    return await _submit(request, ctx, keyframes_route=True)


def _stamp(seconds: float | None) -> str | None:
    """``2025-09-29 14:18:52.123``: the tasks API's own time format."""
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def _status(task: Task) -> str:
    return {Phase.QUEUED: "PENDING", Phase.RUNNING: "RUNNING", Phase.SUCCEEDED: "SUCCEEDED"}.get(
        task.phase, "FAILED"
    )


async def _get(request: Request, ctx: ProviderContext) -> Response:
    _authorise(request)
    task_id = request.path_params["task_id"]
    task = ctx.store.poll(task_id)
    envelope: dict[str, Any] = {"request_id": str(uuid.uuid4())}
    if task is None or ctx.expired(task):
        # Gone after 24 h (or never issued): DashScope answers 200 with UNKNOWN.
        return json_response({**envelope, "output": {"task_id": task_id, "task_status": "UNKNOWN"}})
    output: dict[str, Any] = {
        "task_id": task.id,
        "task_status": _status(task),
        "submit_time": _stamp(task.created_at),
    }
    if task.phase.terminal:
        output["end_time"] = _stamp(task.finished_at)
    if task.phase is Phase.FAILED:
        if task.outcome is Outcome.MODERATION:
            output.update(
                code="DataInspectionFailed",
                message="Output data may contain inappropriate content.",
            )
        else:
            output.update(
                code="InternalError.Algo",
                message="An internal error has occured during execution, please try again later.",
            )
        return json_response({**envelope, "output": output})
    if task.phase is Phase.SUCCEEDED:
        job: Job = task.extra["job"]
        output["video_url"] = ctx.media_link(request, task).url
        output["orig_prompt"] = job.prompt
        envelope["usage"] = {"duration": job.duration, "video_count": 1, "SR": job.height}
    return json_response({**envelope, "output": output})


FAKE = ProviderFake(
    name="wan",
    endpoints=[
        Endpoint(
            "/api/v1/services/aigc/video-generation/video-synthesis",
            _video_synthesis,
            ("POST",),
            "submit",
        ),
        Endpoint(
            "/api/v1/services/aigc/image2video/video-synthesis", _image2video, ("POST",), "submit"
        ),
        Endpoint("/api/v1/tasks/{task_id}", _get, ("GET",), "poll"),
    ],
    credentials={"DASHSCOPE_API_KEY": "reelkit-emulator"},
    dialect=DASHSCOPE,
    rate_limited=ApiError(
        status=429,
        code="Throttling.RateQuota",
        message="Requests rate limit exceeded, please try again later.",
    ),
    server_error=ApiError(
        status=500,
        code="InternalError",
        message="An internal error has occured, please try again later or contact service support.",
    ),
    url_ttl=URL_TTL_SECONDS,
    natural_fps=24,
    description="Alibaba Wan video on DashScope (Model Studio)",
)
