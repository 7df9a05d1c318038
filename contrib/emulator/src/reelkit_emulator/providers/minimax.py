"""Fake of MiniMax Hailuo video, the v1 API (``/v1/video_generation``, query, files).

Facts (read 2026-12-02): https://platform.minimax.io/docs/api-reference/video-generation-intro
(models; create → query → file), https://platform.minimax.io/docs/api-reference/video-generation-t2v.md
(``POST /v1/video_generation``, bearer auth), https://platform.minimax.io/docs/api-reference/video-generation-download
(``GET /v1/files/retrieve`` → ``file.download_url``),
https://platform.minimax.io/docs/api-reference/file-management-retrieve-content.md (the bytes),
https://platform.minimax.io/docs/api-reference/errorcode.md (``base_resp`` codes). Duration ×
resolution rules come from third-party pages documenting the same fields
(https://docs.comfy.org/built-in-nodes/MinimaxHailuoVideoNode,
https://docs.unifically.com/models/video/minimax/hailuo). No official Python SDK exists.

Served at ``/minimax/v1/...`` with ``Authorization: Bearer <any non-empty key>``. Errors are
MiniMax's: **HTTP 200** with ``{"base_resp": {"status_code": <non-zero>, "status_msg"}}``
(the injected 429 and 500 faults too: 1002 rate limit, 1000 unknown error):

- no key → 1004; a body that is not JSON, an unknown field, a wrong type, a model the task
  does not fit, a duration × resolution the model does not make → 2013;
- ``POST /v1/video_generation`` → ``{"task_id": "<digits>", "base_resp": {0, "success"}}``;
- ``GET /v1/query/video_generation?task_id=`` walks ``Preparing`` (first poll), ``Queueing``
  (later queued polls), ``Processing``, then ``Success`` with ``file_id``, ``video_width``,
  ``video_height`` — or ``Fail`` (``[emulator:fail]``: base_resp 1000; moderation: 1027);
- ``GET /v1/files/retrieve?file_id=`` → ``{"file": {"file_id", "bytes", "created_at",
  "filename", "purpose": "video_generation", "download_url"}}``: a signed, expiring link to a
  real MP4 (9 h, as MiniMax's video query pages say of their download links);
- ``GET /v1/files/retrieve_content?file_id=`` → the MP4 itself (bearer auth).

And the v2 API for MiniMax-H3 (schema as MiniMax's own CLI sends and checks it,
https://github.com/MiniMax-AI/cli ``src/video/v2.ts``, ``src/types/api.ts``):

- ``POST /v2/video_generation`` ``{model, content, resolution, duration, ratio, callback_url?}``:
  exactly one non-empty ``text`` item (≤7000 characters), images as ``first_frame`` /
  ``last_frame`` / ``reference_image``, videos as ``reference_video``, audios as
  ``reference_audio`` (≤9 images, ≤3 videos, ≤3 audios); frames and references never mixed;
  audio only with a reference image or video; 4–15 s; ``768P`` or ``2K``; text-to-video needs a
  concrete ratio → ``{"task_id", "base_resp"}`` (refusals: 2013, as on v1);
- ``GET /v2/query/video_generation/{task_id}`` → ``{"task": {"id", "model", "status": queued |
  running | succeeded | failed, "content": {"url"}, "error": {"code", "message"}, "resolution",
  "duration", "ratio", "usage"}, "base_resp"}``; the URL is a signed link to the MP4.

Unknown body fields are refused (stricter than MiniMax may be: it keeps plugins honest).
Image-led tasks render 16:9 (the real service follows the image's shape).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

import attrs
from starlette.requests import Request
from starlette.responses import Response

from reelkit_emulator.errors import ApiError, Dialect
from reelkit_emulator.provider import Endpoint, ProviderContext, ProviderFake
from reelkit_emulator.responses import BodyError, bearer_token, json_body, json_response
from reelkit_emulator.spec import Field, Problem, Schema, check
from reelkit_emulator.tasks import Outcome, Phase, Task, VideoSpec

#: "The download link is valid for 9 hours" (MiniMax's video query pages).
URL_TTL_SECONDS = 9 * 3600
OK = {"status_code": 0, "status_msg": "success"}
UNKNOWN, RATE_LIMIT, UNAUTHORISED, SENSITIVE_OUTPUT, INVALID = 1000, 1002, 1004, 1027, 2013


def _base_resp(e: ApiError) -> Any:
    return {**e.extra, "base_resp": {"status_code": e.code, "status_msg": e.message}}


#: MiniMax's envelope: the HTTP status is 200 and the error is in ``base_resp``.
MINIMAX = Dialect("minimax", _base_resp)


def refused(code: int, message: str, **extra: Any) -> ApiError:
    return ApiError(status=200, code=code, message=message, extra=extra)


def invalid(message: str) -> ApiError:
    return refused(INVALID, f"invalid params, {message}", task_id="")


# --------------------------------------------------------------------------------------------
# Models: which tasks each one does, and its duration × resolution rules
# --------------------------------------------------------------------------------------------


@attrs.frozen
class MiniMaxModel:
    tasks: tuple[str, ...]  # t2v, i2v, fl2v, s2v
    #: resolution -> the durations it allows, per task (the Hailuo models)
    sizes: Mapping[str, Mapping[str, tuple[int, ...]]]
    default_resolution: str


_HAILUO = {"768P": (6, 10), "1080P": (6,)}
_LEGACY = {"720P": (6,)}
MODELS: dict[str, MiniMaxModel] = {
    "MiniMax-Hailuo-2.3": MiniMaxModel(("t2v", "i2v"), {"t2v": _HAILUO, "i2v": _HAILUO}, "768P"),
    "MiniMax-Hailuo-2.3-Fast": MiniMaxModel(("i2v",), {"i2v": _HAILUO}, "768P"),
    "MiniMax-Hailuo-02": MiniMaxModel(
        ("t2v", "i2v", "fl2v"),
        {"t2v": _HAILUO, "i2v": {"512P": (6, 10), **_HAILUO}, "fl2v": _HAILUO},
        "768P",
    ),
    "T2V-01-Director": MiniMaxModel(("t2v",), {"t2v": _LEGACY}, "720P"),
    "T2V-01": MiniMaxModel(("t2v",), {"t2v": _LEGACY}, "720P"),
    "I2V-01-Director": MiniMaxModel(("i2v",), {"i2v": _LEGACY}, "720P"),
    "I2V-01": MiniMaxModel(("i2v",), {"i2v": _LEGACY}, "720P"),
    "I2V-01-live": MiniMaxModel(("i2v",), {"i2v": _LEGACY}, "720P"),
    "S2V-01": MiniMaxModel(("s2v",), {"s2v": _LEGACY}, "720P"),
}
#: The frame size of each resolution (16:9; 768P is 1366x768, 1080P 1920x1080).
FRAMES = {"512P": (910, 512), "720P": (1280, 720), "768P": (1366, 768), "1080P": (1920, 1080)}

CREATE = Schema(
    [
        Field("model", required=True, blank_is_missing=True, choices=tuple(MODELS)),
        Field("prompt", type="string", default="", max_len=2000),
        Field("prompt_optimizer", type="boolean", default=True),
        Field("fast_pretreatment", type="boolean", default=False),
        Field("duration", type="integer"),
        Field("resolution", type="string", choices=tuple(FRAMES)),
        Field("first_frame_image", type="string", min_len=1),
        Field("last_frame_image", type="string", min_len=1),
        Field("subject_reference", type="array", min_len=1, max_len=1),
        Field("callback_url", type="string", min_len=1),
        Field("aigc_watermark", type="boolean", default=False),
    ]
)


def wording(p: Problem) -> ApiError:
    if p.kind == "unknown":
        return invalid(f"unknown parameter {', '.join(map(str, p.names))}")
    if p.kind == "missing":
        return invalid(f"{p.field} is required")
    if p.kind == "choice":
        return invalid(f"{p.field} {p.value!r} is not one of {', '.join(map(str, p.names))}")
    if p.kind == "type" and p.spec is not None:
        return invalid(f"{p.field} must be of type {p.spec.type[0]}")
    if p.kind == "too_long" and p.field == "prompt":
        return invalid("prompt exceeds 2000 characters")
    return invalid(f"{p.field} is invalid")


def _image(where: str, value: Any) -> None:
    """A public URL or a base64 data URL of an image."""
    if not isinstance(value, str) or not value.startswith(("https://", "http://", "data:image/")):
        raise invalid(f"{where} must be an image URL or a data:image/...;base64 URL")
    if value.startswith("data:") and ";base64," not in value:
        raise invalid(f"{where} data URL must be base64-encoded")


@attrs.frozen
class VideoJob:
    model_id: str
    task: str
    prompt: str
    duration: int
    resolution: str


def validate(body: Any) -> VideoJob:
    if not isinstance(body, dict):
        raise invalid("the request body must be a JSON object")
    v = check(CREATE, body, wording)
    model = MODELS[v["model"]]
    first, last, subject = v["first_frame_image"], v["last_frame_image"], v["subject_reference"]
    for where, value in (("first_frame_image", first), ("last_frame_image", last)):
        if value is not None:
            _image(where, value)
    if subject is not None:
        item = subject[0]
        images = item.get("image") if isinstance(item, dict) else None
        if not isinstance(item, dict) or item.get("type") != "character":
            raise invalid('subject_reference items must be {"type": "character", "image": [...]}')
        if not isinstance(images, list) or len(images) != 1:
            raise invalid("subject_reference[0].image must hold exactly one image")
        _image("subject_reference[0].image[0]", images[0])
    if subject is not None:
        task = "s2v"
    elif last is not None:
        task = "fl2v"
    elif first is not None:
        task = "i2v"
    else:
        task = "t2v"
    if task == "fl2v" and first is None:
        raise invalid("last_frame_image needs first_frame_image")
    if task not in model.tasks:
        needs = {"i2v": "first_frame_image", "s2v": "subject_reference"}
        wanted = next((needs[t] for t in model.tasks if t in needs), None)
        raise invalid(
            f"{v['model']} does not support this task"
            + (f": it needs {wanted}" if wanted and task == "t2v" else "")
        )
    if task == "t2v" and not v["prompt"].strip():
        raise invalid("prompt is required for text-to-video")
    sizes = model.sizes[task]
    resolution = v["resolution"] or model.default_resolution
    if resolution not in sizes:
        raise invalid(f"{v['model']} does not support resolution {resolution} for this task")
    duration = 6 if v["duration"] is None else v["duration"]
    if duration not in sizes[resolution]:
        allowed = ", ".join(map(str, sizes[resolution]))
        raise invalid(f"{v['model']} at {resolution} supports duration {allowed}, got {duration}")
    if v["fast_pretreatment"] and not v["model"].startswith("MiniMax-Hailuo"):
        raise invalid(f"fast_pretreatment is not supported by {v['model']}")
    return VideoJob(v["model"], task, v["prompt"], duration, resolution)


# --------------------------------------------------------------------------------------------
# The fake
# --------------------------------------------------------------------------------------------


def _authorise(request: Request) -> None:
    if not bearer_token(request):
        raise refused(
            UNAUTHORISED,
            "login fail: Please carry the API secret key in the 'Authorization' field of the "
            "request header",
        )


def _digits(n: int = 15) -> str:
    return str(secrets.randbelow(9 * 10 ** (n - 1)) + 10 ** (n - 1))


async def _handled(ctx: ProviderContext, work: Any) -> Response:
    """Run ``work``; a MiniMax refusal is an HTTP 200 answer, counted as ``rejected``."""
    try:
        return await work()  # type: ignore[no-any-return]
    except ApiError as error:
        if error.status != 200:
            raise
        ctx.stats.incr("rejected")
        return error.render(MINIMAX)


async def _create(request: Request, ctx: ProviderContext) -> Response:
    async def work() -> Response:
        _authorise(request)
        try:
            body = await json_body(request)
        except BodyError as exc:
            raise invalid(str(exc)) from None
        job = validate(body)
        width, height = FRAMES[job.resolution]
        task = ctx.create_task(
            request,
            model=job.model_id,
            prompt=job.prompt,
            video=VideoSpec(duration=job.duration, width=width, height=height),
            params=body,
            id_factory=_digits,
            extra={"job": job, "file_id": _digits(15)},
        )
        return json_response({"task_id": task.id, "base_resp": OK})

    return await _handled(ctx, work)


def _status(task: Task) -> str:
    if task.phase is Phase.QUEUED:
        return "Preparing" if task.polls <= 1 else "Queueing"
    if task.phase is Phase.RUNNING:
        return "Processing"
    return "Success" if task.succeeded else "Fail"


async def _query(request: Request, ctx: ProviderContext) -> Response:
    async def work() -> Response:
        _authorise(request)
        task_id = request.query_params.get("task_id") or ""
        task = ctx.store.poll(task_id)
        if task is None:
            raise invalid(f"task_id {task_id!r} not found")
        status = _status(task)
        answer: dict[str, Any] = {"task_id": task.id, "status": status, "file_id": ""}
        if status == "Fail":
            moderated = task.outcome is Outcome.MODERATION
            code = SENSITIVE_OUTPUT if moderated else UNKNOWN
            message = "output video is sensitive" if moderated else "video generation failed"
            return json_response(
                {**answer, "base_resp": {"status_code": code, "status_msg": message}}
            )
        if status == "Success":
            answer.update(
                file_id=task.extra["file_id"],
                video_width=task.video.width,
                video_height=task.video.height,
            )
        return json_response({**answer, "base_resp": OK})

    return await _handled(ctx, work)


def _file_task(request: Request, ctx: ProviderContext) -> Task:
    file_id = request.query_params.get("file_id") or ""
    for task in ctx.store:
        if task.succeeded and task.extra.get("file_id") == file_id:
            if ctx.expired(task):
                raise refused(INVALID, f"file {file_id} has expired")
            return task
    raise invalid(f"file_id {file_id!r} not found")


async def _retrieve(request: Request, ctx: ProviderContext) -> Response:
    async def work() -> Response:
        _authorise(request)
        task = _file_task(request, ctx)
        file = {
            "file_id": int(task.extra["file_id"]),
            "bytes": 0,
            "created_at": int(task.created_at),
            "filename": "output_aigc.mp4",
            "purpose": "video_generation",
            "download_url": ctx.media_link(request, task, "output_aigc.mp4").url,
        }
        return json_response({"file": file, "base_resp": OK})

    return await _handled(ctx, work)


async def _content(request: Request, ctx: ProviderContext) -> Response:
    async def work() -> Response:
        _authorise(request)
        return await ctx.video_response(_file_task(request, ctx), "output_aigc.mp4")

    return await _handled(ctx, work)


# --------------------------------------------------------------------------------------------
# v2: MiniMax-H3
# --------------------------------------------------------------------------------------------

H3_RATIOS = ("adaptive", "21:9", "16:9", "4:3", "1:1", "3:4", "9:16")
H3_FRAMES = {"768P": 768, "2K": 1440}
CREATE_V2 = Schema(
    [
        Field("model", required=True, choices=("MiniMax-H3",)),
        Field("content", type="array", required=True, min_len=1),
        Field("resolution", required=True, choices=tuple(H3_FRAMES)),
        Field("duration", type="integer", required=True, min=4, max=15),
        Field("ratio", choices=H3_RATIOS, default="adaptive"),
        Field("callback_url", type="string", min_len=1),
    ]
)
_ROLES = {
    "image_url": ("first_frame", "last_frame", "reference_image"),
    "video_url": ("reference_video",),
    "audio_url": ("reference_audio",),
}


def _v2_wording(p: Problem) -> ApiError:
    if p.kind == "range":
        return invalid("duration must be an integer from 4 to 15")
    return wording(p)


def validate_v2(body: Any) -> VideoJob:
    if not isinstance(body, dict):
        raise invalid("the request body must be a JSON object")
    v = check(CREATE_V2, body, _v2_wording)
    texts, roles = [], []
    for i, item in enumerate(v["content"]):
        kind = item.get("type") if isinstance(item, dict) else None
        if kind == "text":
            texts.append(item.get("text") if isinstance(item.get("text"), str) else "")
            continue
        if kind not in _ROLES:
            raise invalid(f"content[{i}].type must be text, image_url, video_url or audio_url")
        media = item.get(kind)
        url = media.get("url") if isinstance(media, dict) else None
        if not isinstance(url, str) or not url.startswith(
            ("https://", "http://", "data:", "mm_file://")
        ):
            raise invalid(f"content[{i}].{kind}.url must be a URL, a data URI or mm_file://")
        role = item.get("role", "first_frame" if kind == "image_url" else None)
        if role not in _ROLES[kind]:
            raise invalid(f"content[{i}].role must be one of {', '.join(_ROLES[kind])}")
        roles.append(role)
    if len(texts) != 1 or not texts[0].strip():
        raise invalid("content needs exactly one non-empty text item")
    if len(texts[0]) > 7000:
        raise invalid("text content must not exceed 7000 characters")
    frames = [r for r in roles if r in ("first_frame", "last_frame")]
    refs = [r for r in roles if r.startswith("reference_")]
    if frames and refs:
        raise invalid("frame inputs and reference inputs cannot be used together")
    if max((frames.count(r) for r in ("first_frame", "last_frame")), default=0) > 1:
        raise invalid("at most one first_frame and one last_frame")
    counts = {r: refs.count(r) for r in ("reference_image", "reference_video", "reference_audio")}
    if (
        counts["reference_image"] > 9
        or counts["reference_video"] > 3
        or counts["reference_audio"] > 3
    ):
        raise invalid("up to 9 reference images, 3 reference videos and 3 reference audios")
    if counts["reference_audio"] and not (counts["reference_image"] or counts["reference_video"]):
        raise invalid("reference audio requires a reference image or video")
    if not roles and v["ratio"] == "adaptive":
        raise invalid("text-to-video requires a concrete ratio; adaptive is not supported")
    task = "fl2v" if "last_frame" in frames else "i2v" if frames else "ref" if refs else "t2v"
    return VideoJob(v["model"], task, texts[0], v["duration"], v["resolution"])


def _h3_frame(resolution: str, ratio: str) -> tuple[int, int]:
    """The short side is the resolution's; "adaptive" renders 16:9 here."""
    a, b = (16, 9) if ratio == "adaptive" else (int(x) for x in ratio.split(":"))
    short = H3_FRAMES[resolution]
    long = int(round(short * max(a, b) / min(a, b) / 2)) * 2
    return (long, short) if a >= b else (short, long)


async def _create_v2(request: Request, ctx: ProviderContext) -> Response:
    async def work() -> Response:
        _authorise(request)
        try:
            body = await json_body(request)
        except BodyError as exc:
            raise invalid(str(exc)) from None
        job = validate_v2(body)
        width, height = _h3_frame(job.resolution, body.get("ratio") or "adaptive")
        task = ctx.create_task(
            request,
            model=job.model_id,
            prompt=job.prompt,
            video=VideoSpec(duration=job.duration, width=width, height=height),
            params=body,
            id_factory=_digits,
            extra={"job": job},
        )
        return json_response({"task_id": task.id, "base_resp": OK})

    return await _handled(ctx, work)


async def _query_v2(request: Request, ctx: ProviderContext) -> Response:
    async def work() -> Response:
        _authorise(request)
        task_id = request.path_params["task_id"]
        task = ctx.store.poll(task_id)
        if task is None:
            raise invalid(f"task_id {task_id!r} not found")
        job: VideoJob = task.extra["job"]
        status = {Phase.QUEUED: "queued", Phase.RUNNING: "running"}.get(
            task.phase, "succeeded" if task.succeeded else "failed"
        )
        answer: dict[str, Any] = {
            "id": task.id,
            "model": task.model,
            "status": status,
            "resolution": job.resolution,
            "duration": job.duration,
            "ratio": task.params.get("ratio") or "adaptive",
            "task_type": job.task,
            "created_at": int(task.created_at),
        }
        if status == "failed":
            moderated = task.outcome is Outcome.MODERATION
            answer["error"] = {
                "code": "content_sensitive" if moderated else "internal_error",
                "message": "output video is sensitive" if moderated else "video generation failed",
            }
        elif status == "succeeded":
            answer["content"] = {"url": ctx.media_link(request, task, "output.mp4").url}
            answer["usage"] = {"output_seconds": job.duration, "total_seconds": job.duration}
        return json_response({"task": answer, "base_resp": OK})

    return await _handled(ctx, work)


FAKE = ProviderFake(
    name="minimax",
    endpoints=[
        Endpoint("/v1/video_generation", _create, ("POST",), "submit"),
        Endpoint("/v1/query/video_generation", _query, ("GET",), "poll"),
        Endpoint("/v1/files/retrieve", _retrieve, ("GET",), "other"),
        Endpoint(
            "/v1/files/retrieve_content",
            _content,
            ("GET",),
            "download",
            expired=refused(INVALID, "file has expired"),
        ),
        Endpoint("/v2/video_generation", _create_v2, ("POST",), "submit"),
        Endpoint("/v2/query/video_generation/{task_id}", _query_v2, ("GET",), "poll"),
    ],
    credentials={"MINIMAX_API_KEY": "reelkit-emulator"},
    dialect=MINIMAX,
    rate_limited=refused(RATE_LIMIT, "rate limit exceeded, please retry later"),
    server_error=refused(UNKNOWN, "unknown error, please retry later"),
    url_ttl=URL_TTL_SECONDS,
    natural_fps=24,
    description="MiniMax Hailuo video (v1, and v2 for MiniMax-H3)",
)
