"""Fake of Volcengine Ark / BytePlus ModelArk Seedance video tasks (``/api/v3/contents/...``).

Facts: the Ark and ModelArk API references (https://docs.byteplus.com/en/docs/ModelArk/1520757
create, /1521309 retrieve; list and delete on the Video_Generation_API page) as summarised in
``docs/reference/volcengine-kling.md`` §3 (endpoints, create body, per-model limits,
get/list/delete, error codes, what the official SDK sends, the model ids).

Served at ``/seedance/api/v3/contents/generations/tasks``: ``POST`` creates (``{"id":
"cgt-<time>-<5>"}``), ``GET /{id}`` polls (``queued`` -> ``running`` -> ``succeeded``, with
``content.video_url`` valid 24 h and ``usage``), ``GET`` lists (``page_num``/``page_size`` in
[1, 500], ``filter.status|task_ids|model|service_tier``, last 7 days, newest first) and
``DELETE /{id}`` cancels a queued task, deletes a finished one and refuses running or cancelled
ones. Every answer needs ``Authorization: Bearer <any non-empty key>`` (else 401
``AuthenticationError``); errors are ``{"error": {"code", "message", "param", "type"}}``.

The official SDK sends every optional field as explicit ``null``: null means "not set" here.
Body parameters are validated strictly per model (reference §0.7, §3.2, §3.5: modes and roles,
resolutions, ratios, durations or ``frames``, ``seed``/``camera_fixed`` where allowed,
``generate_audio`` and ``draft`` on 1.5 pro, reference images/videos/audios on 2.x); the legacy
``--flags`` in the prompt text are parsed leniently for 1.x models (a bad value silently
becomes the default). Model ids are accepted with the ``doubao-`` (Volcengine) or ``dreamina-``
(BytePlus 2.x) prefix or none (BytePlus 1.x); ``ep-...`` endpoint ids count as 1.0 pro.

Triggers (prompt markers):

- ``[emulator:moderation]``: ends ``failed`` with ``OutputVideoSensitiveContentDetected``;
- ``[emulator:fail]``: ends ``failed`` with ``InternalServiceError``;
- ``[emulator:expire]``: ends ``expired``; a task still unfinished ``execution_expires_after``
  seconds after creation (emulator clock) also polls ``expired`` (reference §3.2);
- ``[emulator:input-moderation]``: the create answers 400 ``InputTextSensitiveContentDetected``;
- injected faults: ``429`` answers ``RateLimitExceeded.EndpointRPMExceeded``, ``500``
  ``InternalServiceError``.

``callback_url`` is called back once (``reelkit_emulator.callbacks``); not emulated: its
retries, ``QuotaExceeded`` for too many queued tasks.
"""

from __future__ import annotations

import random
import string
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

import attrs
from starlette.requests import Request
from starlette.responses import Response

from reelkit_emulator.callbacks import call_back_later
from reelkit_emulator.errors import ARK, ApiError, ark_request_id
from reelkit_emulator.provider import Endpoint, ProviderContext, ProviderFake
from reelkit_emulator.providers._ark import (
    FAILURE_ERROR,
    INPUT_MODERATED,
    INPUT_MODERATION_MARKER,
    MODERATION_ERROR,
    RATIOS,
    closest_ratio,
    invalid,
    parse_content,
    task_not_found,
    wording,
)
from reelkit_emulator.responses import BodyError, bearer_token, json_body, json_response
from reelkit_emulator.spec import Field, Schema, check, int_like
from reelkit_emulator.tasks import Outcome, Task, VideoSpec

#: ``content.video_url`` and ``last_frame_url`` lifetime (reference §3.4: 24 h).
URL_TTL_SECONDS = 24 * 3600
#: ``list`` only returns tasks from the last 7 days (reference §3.1).
LIST_WINDOW_SECONDS = 7 * 24 * 3600
STATUSES = ("queued", "running", "succeeded", "failed", "cancelled", "expired")
FPS = 24


# --------------------------------------------------------------------------------------------
# Errors: ``{"error": {"code", "message", "param", "type"}}`` (reference §3.3, §3.6)
# --------------------------------------------------------------------------------------------


def new_task_id(now: float, rng: random.Random | None = None) -> str:
    """``cgt-20250331175019-abcde``: a timestamp and five random characters."""
    r = rng or random
    stamp = datetime.fromtimestamp(now, timezone.utc).strftime("%Y%m%d%H%M%S")
    tail = "".join(r.choice(string.ascii_lowercase + string.digits) for _ in range(5))
    return f"cgt-{stamp}-{tail}"


# --------------------------------------------------------------------------------------------
# Models (reference §3.5; 2.x rows are third-party reports)
# --------------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class SeedanceModel:
    version: str  # "1.0", "1.5" or "2.x": which pixel table and which body params apply
    t2v: bool = True
    first_frame: bool = True
    first_last: bool = True
    #: Maximum reference images / videos / audios (0: the mode is not supported).
    ref_images: int = 0
    ref_videos: int = 0
    ref_audios: int = 0
    audio_only_refs: bool = False
    resolutions: tuple[str, ...] = ("480p", "720p", "1080p")
    default_resolution: str = "720p"
    min_duration: int = 2
    max_duration: int = 12
    auto_duration: bool = False  # duration -1 lets the model choose
    frames: bool = True  # the ``frames`` parameter (25 + 4n)
    seed: bool = True
    camera_fixed: bool = True
    generate_audio: bool = False
    draft: bool = False
    extra_formats: tuple[str, ...] = ()

    @property
    def legacy_flags(self) -> bool:
        return self.version in ("1.0", "1.5")


_V1 = SeedanceModel(version="1.0")
#: 2.x: references, no frames/seed/camera_fixed, audio (third-party reports).
_V2 = SeedanceModel(
    version="2.x", ref_images=9, ref_videos=3, ref_audios=3, min_duration=4, max_duration=15,
    frames=False, seed=False, camera_fixed=False, generate_audio=True,
)  # fmt: skip
_evolve = attrs.evolve

#: Keyed by the model id without its platform prefix (``doubao-`` on Volcengine, ``dreamina-``
#: for BytePlus 2.x, none for BytePlus 1.x).
MODELS: dict[str, SeedanceModel] = {
    "seedance-1-0-lite-t2v-250428": _evolve(_V1, first_frame=False, first_last=False),
    "seedance-1-0-lite-i2v-250428": _evolve(_V1, t2v=False, ref_images=4),
    "seedance-1-0-pro-250528": _evolve(_V1, default_resolution="1080p"),
    "seedance-1-0-pro-fast-251015": _evolve(_V1, first_last=False, default_resolution="1080p"),
    # 1080p: newer BytePlus pixel tables list it (the older text says unsupported).
    "seedance-1-5-pro-251215": SeedanceModel(
        version="1.5",
        min_duration=4,
        auto_duration=True,
        frames=False,
        generate_audio=True,
        draft=True,
        extra_formats=("heic", "heif"),
    ),
    "seedance-2-0-260128": _evolve(_V2, resolutions=("480p", "720p", "1080p", "4k")),
    "seedance-2-0-fast-260128": _evolve(_V2, resolutions=("480p", "720p")),
    "seedance-2-0-mini-260615": _evolve(_V2, resolutions=("480p", "720p")),
    "seedance-2-5-260628": _evolve(
        _V2,
        ref_images=30,
        ref_videos=10,
        ref_audios=10,
        audio_only_refs=True,
        resolutions=("480p", "720p"),
        max_duration=30,
    ),
}
#: What an endpoint id (``ep-...``) stands for: the emulator cannot know, so it assumes 1.0 pro.
ENDPOINT_MODEL = "seedance-1-0-pro-250528"


def resolve_model(model: str, endpoints: Mapping[str, str] | None = None) -> SeedanceModel | None:
    if model.startswith("ep-"):
        return MODELS.get((endpoints or {}).get(model, ENDPOINT_MODEL))
    for prefix in ("doubao-", "dreamina-"):
        if model.startswith(prefix):
            model = model[len(prefix) :]
            break
    return MODELS.get(model)


def _sizes(table: str) -> dict[str, dict[str, tuple[int, int]]]:
    """``"480p 16:9=864x480 ..."`` lines -> ``{resolution: {ratio: (width, height)}}``."""
    out: dict[str, dict[str, tuple[int, int]]] = {}
    for line in table.strip().splitlines():
        resolution, *cells = line.split()
        for cell in cells:
            ratio, _, size = cell.partition("=")
            width, _, height = size.partition("x")
            out.setdefault(resolution, {})[ratio] = (int(width), int(height))
    return out


#: Pixel sizes (reference §3.5); 2.x is assumed to use the 1.5 table. 4k is 16:9-scaled 2160p.
_SIZES_10 = _sizes("""
480p 16:9=864x480 4:3=736x544 1:1=640x640 3:4=544x736 9:16=480x864 21:9=960x416
720p 16:9=1248x704 4:3=1120x832 1:1=960x960 3:4=832x1120 9:16=704x1248 21:9=1504x640
1080p 16:9=1920x1088 4:3=1664x1248 1:1=1440x1440 3:4=1248x1664 9:16=1088x1920 21:9=2176x928
""")
_SIZES_15 = _sizes("""
480p 16:9=864x496 4:3=752x560 1:1=640x640 3:4=560x752 9:16=496x864 21:9=992x432
720p 16:9=1280x720 4:3=1112x834 1:1=960x960 3:4=834x1112 9:16=720x1280 21:9=1470x630
1080p 16:9=1920x1080 4:3=1664x1248 1:1=1440x1440 3:4=1248x1664 9:16=1080x1920 21:9=2206x946
4k 16:9=3840x2160 4:3=3328x2496 1:1=2880x2880 3:4=2496x3328 9:16=2160x3840 21:9=4412x1892
""")


def frame_size(model: SeedanceModel, resolution: str, ratio: str) -> tuple[int, int]:
    table = _SIZES_10 if model.version == "1.0" else _SIZES_15
    return table[resolution][ratio]


# --------------------------------------------------------------------------------------------
# What the create body accepts (reference §3.2)
# --------------------------------------------------------------------------------------------

_TOP = Schema(
    [
        Field("model", required=True, blank_is_missing=True),
        Field("content", type="array", required=True),
    ],
    reject_unknown=False,
)


def parameters(model: SeedanceModel) -> Schema:
    """The output parameters, in the body or (1.x) as legacy ``--flags`` in the text."""
    return Schema(
        [
            Field("resolution", choices=model.resolutions),
            Field("ratio", choices=RATIOS),
            Field("frames", type="integer"),
            Field("duration", type="integer"),
            Field("seed", type="integer", min=-1, max=2**32 - 1),
            Field("camera_fixed", type="boolean"),
            Field("watermark", type="boolean"),
            Field("generate_audio", type="boolean"),
            Field("draft", type="boolean"),
            Field("return_last_frame", type="boolean"),
            Field("service_tier", choices=("default", "flex"), default="default"),
            Field("execution_expires_after", type="integer", min=3600, max=259200, default=172800),
            Field("callback_url"),
        ],
        reject_unknown=False,
    )


@attrs.frozen
class CreateSpec:
    """A validated create body: what the task renders and echoes back."""

    model_id: str
    model: SeedanceModel
    mode: str  # t2v, first_frame, first_last, reference
    prompt: str
    resolution: str
    ratio: str
    duration: int | None
    frames: int | None
    seed: int
    camera_fixed: bool
    watermark: bool
    generate_audio: bool | None
    draft: bool
    return_last_frame: bool
    service_tier: str
    execution_expires_after: int
    callback_url: str | None
    width: int
    height: int

    @property
    def seconds(self) -> float:
        if self.frames is not None:
            return round(self.frames / FPS, 3)
        return float(self.duration or 5)

    @property
    def total_frames(self) -> int:
        return self.frames if self.frames is not None else int(self.seconds) * FPS + 1

    @property
    def tokens(self) -> int:
        # 108900 for 5 s (121 frames) at 1280x720 (reference §3.4): width*height*frames/1024.
        return self.width * self.height * self.total_frames // 1024


def validate_create(
    body: Any,
    *,
    endpoints: Mapping[str, str] | None = None,
    draft_lookup: Mapping[str, Any] | None = None,
) -> CreateSpec:
    """Validate a create body the way Ark rejects it. The official SDK sends every optional
    field as explicit ``null``: null means "not set". ``draft_lookup`` maps known task ids to
    their :class:`CreateSpec` (for ``draft_task``)."""
    if not isinstance(body, dict):
        raise invalid("body", "the request body must be a JSON object")
    top = check(_TOP, body, wording)
    model_id, content = top["model"], top["content"]
    model = resolve_model(model_id, endpoints)
    if model is None:
        raise ApiError(
            status=404,
            code="InvalidEndpointOrModel.NotFound",
            message=f"The model or endpoint {model_id} does not exist or you do not have access "
            "to it.",
            param="model",
        )
    if not content:
        raise invalid("content", "must be a non-empty array")

    c = parse_content(content, model, model_id, draft_lookup)
    text, flags, firsts, mode, draft_from = c.text, c.flags, c.firsts, c.mode, c.draft_from
    merged = {**flags, **{k: v for k, v in body.items() if v is not None}}
    p = check(parameters(model), merged, wording)
    resolution = p["resolution"]
    if resolution is None:
        resolution = draft_from.resolution if draft_from is not None else model.default_resolution
    if resolution not in model.resolutions:
        raise invalid("resolution", f"must be one of {', '.join(model.resolutions)}")
    if mode == "reference" and model.version == "1.0" and resolution == "1080p":
        raise invalid("resolution", "reference-image mode does not support 1080p")
    ratio = p["ratio"]
    if ratio is None:
        t2v_10 = mode == "t2v" and model.version == "1.0"
        ratio = "16:9" if mode == "reference" or t2v_10 else "adaptive"
    if mode == "reference" and model.version == "1.0" and ratio == "adaptive":
        raise invalid("ratio", "reference-image mode does not support adaptive")
    frames, duration = p["frames"], p["duration"]
    if frames is not None:
        if not model.frames:
            raise invalid("frames", f"not supported by {model_id}; use duration")
        if not 29 <= frames <= 289 or (frames - 25) % 4:
            raise invalid("frames", "must be an integer of the form 25+4n in [29, 289]")
        duration = None  # frames takes priority
    elif duration is not None:
        auto = duration == -1 and model.auto_duration
        if not (model.min_duration <= duration <= model.max_duration or auto):
            span = f"{model.min_duration}-{model.max_duration}"
            minus_one = " or -1" if model.auto_duration else ""
            raise invalid("duration", f"must be an integer in {span}{minus_one}")
    else:
        duration = 5
    for name, allowed in (
        ("seed", model.seed),
        ("camera_fixed", model.camera_fixed),
        ("generate_audio", model.generate_audio),
        ("draft", model.draft or not p["draft"]),
    ):
        if p[name] is not None and not allowed:
            raise invalid(name, f"not supported by {model_id}")
    if p["camera_fixed"] is not None and mode == "reference":
        raise invalid("camera_fixed", "not supported in reference-image mode")
    if p["draft"]:
        if resolution != "480p":
            raise invalid("resolution", "draft videos are 480p only")
        if p["return_last_frame"]:
            raise invalid("return_last_frame", "not supported for drafts")
        if p["service_tier"] == "flex":
            raise invalid("service_tier", "flex is not supported for drafts")
    callback = p["callback_url"]
    if callback is not None and not callback.startswith(("http://", "https://")):
        raise invalid("callback_url", "must be an http(s) URL")
    if ratio == "adaptive":
        known = next((r for r in firsts if r), None)
        applied_ratio = closest_ratio(known) if known else "16:9"
    else:
        applied_ratio = ratio
    if duration == -1:
        duration = 5  # "the model chooses"
    width, height = frame_size(model, resolution, applied_ratio)
    return CreateSpec(
        model_id=model_id,
        model=model,
        mode=mode,
        prompt=text,
        resolution=resolution,
        ratio=ratio,
        duration=duration,
        frames=frames,
        seed=-1 if p["seed"] is None else p["seed"],
        camera_fixed=bool(p["camera_fixed"]),
        watermark=bool(p["watermark"]),
        generate_audio=(p["generate_audio"] is not False) if model.generate_audio else None,
        draft=bool(p["draft"]),
        return_last_frame=bool(p["return_last_frame"]),
        service_tier=p["service_tier"],
        execution_expires_after=p["execution_expires_after"],
        callback_url=callback,
        width=width,
        height=height,
    )


LIST = Schema(
    [
        Field("page_num", type="integer", coerce=int_like, min=1, max=500, default=1),
        Field("page_size", type="integer", coerce=int_like, min=1, max=500, default=10),
        Field("filter.status", choices=STATUSES),
        Field("filter.model"),
        Field("filter.service_tier", choices=("default", "flex")),
    ],
    reject_unknown=False,
)


# --------------------------------------------------------------------------------------------
# The fake
# --------------------------------------------------------------------------------------------

TASKS = "/api/v3/contents/generations/tasks"


def _ok(body: Any) -> Response:
    return json_response(body, 200, {"x-request-id": ark_request_id()})


def _authorise(request: Request) -> None:
    if not bearer_token(request):
        raise ApiError(
            status=401,
            code="AuthenticationError",
            message="The API key or AK/SK in the request is missing or invalid.",
        )


def _status(ctx: ProviderContext, task: Task) -> str:
    """Ark's status words are the task phases' own (queued ... expired, reference §3.4)."""
    return "expired" if ctx.expired(task) else task.phase.value


def _task_body(request: Request, ctx: ProviderContext, task: Task) -> dict[str, Any]:
    spec: CreateSpec = task.extra["spec"]
    status = _status(ctx, task)
    body: dict[str, Any] = {
        "id": task.id,
        "model": spec.model_id,
        "status": status,
        "error": None,
        "seed": task.extra["seed"],
        "resolution": spec.resolution,
        "ratio": task.extra["ratio"],
    }
    # Only one of duration / frames comes back, matching what was sent (reference §3.4).
    if spec.frames is not None:
        body["frames"] = spec.frames
    else:
        body["duration"] = spec.duration
    body["framespersecond"] = FPS
    if spec.generate_audio is not None:
        body["generate_audio"] = spec.generate_audio
    if spec.model.draft:
        body["draft"] = spec.draft
        if task.extra.get("draft_task_id"):
            body["draft_task_id"] = task.extra["draft_task_id"]
    body["service_tier"] = spec.service_tier
    body["execution_expires_after"] = spec.execution_expires_after
    if status == "succeeded":
        content = {"video_url": ctx.media_link(request, task).url}
        if spec.return_last_frame:
            content["last_frame_url"] = ctx.media_link(request, task, "last_frame.png").url
        body["content"] = content
        body["usage"] = {"completion_tokens": spec.tokens, "total_tokens": spec.tokens}
    elif status == "failed":
        body["error"] = dict(
            MODERATION_ERROR if task.outcome is Outcome.MODERATION else FAILURE_ERROR
        )
    body["created_at"] = int(task.created_at)
    body["updated_at"] = int(task.updated_at)
    return body


def _expire_if_overdue(ctx: ProviderContext, task: Task) -> None:
    """A task still unfinished after ``execution_expires_after`` seconds becomes ``expired``."""
    spec: CreateSpec = task.extra["spec"]
    if ctx.now() - task.created_at > spec.execution_expires_after:
        ctx.store.expire(task.id)


async def _create(request: Request, ctx: ProviderContext) -> Response:
    _authorise(request)
    try:
        body = await json_body(request)
    except BodyError as exc:
        raise invalid("body", str(exc)) from None
    drafts = {
        t.id: t.extra["spec"]
        for t in ctx.store
        if t.succeeded and t.extra.get("spec") is not None and t.extra["spec"].draft
    }
    spec = validate_create(body, draft_lookup=drafts)
    if INPUT_MODERATION_MARKER in spec.prompt:
        raise INPUT_MODERATED.copy()
    ratio = spec.ratio
    if ratio == "adaptive":
        ratio = next(
            r
            for r in RATIOS
            if frame_size(spec.model, spec.resolution, r) == (spec.width, spec.height)
        )
    draft_ids = [
        item["draft_task"]["id"]
        for item in body["content"]
        if isinstance(item, dict) and item.get("type") == "draft_task"
    ]
    task = ctx.create_task(
        request,
        model=spec.model_id,
        prompt=spec.prompt,
        video=VideoSpec(duration=spec.seconds, width=spec.width, height=spec.height),
        params=body,
        id_factory=lambda: new_task_id(ctx.now()),
        extra={
            "spec": spec,
            "ratio": ratio,
            "seed": spec.seed if spec.seed != -1 else random.randrange(2**31),
            "draft_task_id": draft_ids[0] if draft_ids else None,
        },
    )
    if spec.callback_url:
        call_back_later(ctx, task.id, spec.callback_url, lambda t: _task_body(request, ctx, t))
    return _ok({"id": task.id})


async def _get(request: Request, ctx: ProviderContext) -> Response:
    _authorise(request)
    task_id = request.path_params["id"]
    known = ctx.store.get(task_id)
    if known is not None:
        _expire_if_overdue(ctx, known)
    task = ctx.store.poll(task_id)
    if task is None:
        raise task_not_found(task_id)
    return _ok(_task_body(request, ctx, task))


async def _list(request: Request, ctx: ProviderContext) -> Response:
    _authorise(request)
    query = check(LIST, request.query_params, wording)
    task_ids = request.query_params.getlist("filter.task_ids")
    since = ctx.now() - LIST_WINDOW_SECONDS
    matches = []
    for task in ctx.store:  # newest first
        if task.created_at < since:
            continue
        _expire_if_overdue(ctx, task)
        spec: CreateSpec = task.extra["spec"]
        if query["filter.status"] and _status(ctx, task) != query["filter.status"]:
            continue
        if task_ids and task.id not in task_ids:
            continue
        if query["filter.model"] and spec.model_id != query["filter.model"]:
            continue
        tier = query["filter.service_tier"]
        if tier and spec.service_tier != tier:
            continue
        matches.append(task)
    size = query["page_size"]
    start = (query["page_num"] - 1) * size
    page = matches[start : start + size]
    return _ok({"total": len(matches), "items": [_task_body(request, ctx, t) for t in page]})


async def _delete(request: Request, ctx: ProviderContext) -> Response:
    """``queued`` -> cancelled; finished -> record deleted; running/cancelled -> refused."""
    _authorise(request)
    task_id = request.path_params["id"]
    task = ctx.store.get(task_id)
    if task is None:
        raise task_not_found(task_id)
    _expire_if_overdue(ctx, task)
    status = _status(ctx, task)
    if status == "queued":
        ctx.store.cancel(task_id)
    elif status in ("succeeded", "failed", "expired"):
        ctx.store.delete(task_id)
    else:
        message = f"The task {task_id} is {status} and cannot be cancelled or deleted."
        raise ApiError(status=400, code="InvalidParameter", message=message, param="id")
    return _ok({})


FAKE = ProviderFake(
    name="seedance",
    endpoints=[
        Endpoint(TASKS, _create, methods=("POST",), kind="submit"),
        Endpoint(TASKS, _list, methods=("GET",), kind="other"),
        Endpoint(TASKS + "/{id}", _get, methods=("GET",), kind="poll"),
        Endpoint(TASKS + "/{id}", _delete, methods=("DELETE",), kind="other"),
    ],
    credentials={"ARK_API_KEY": "reelkit-emulator"},
    dialect=ARK,
    rate_limited=ApiError(
        status=429,
        code="RateLimitExceeded.EndpointRPMExceeded",
        message="The Requests Per Minute (RPM) limit of the associated endpoint for your account "
        "has been exceeded.",
    ),
    server_error=ApiError(status=500, code=FAILURE_ERROR["code"], message=FAILURE_ERROR["message"]),
    # Links are signed afresh on every poll; each lives 24 h (reference §3.4).
    results_expire=False,
    url_ttl=URL_TTL_SECONDS,
    natural_fps=FPS,
    description="Volcengine Ark / BytePlus ModelArk Seedance video tasks",
)
