"""Fake of Qiniu's OpenAI-compatible video API (``api.qnaigc.com/v1/videos``) under ``/qiniu``.

Facts: Qiniu's AI-token docs (https://developer.qiniu.com/aitokenapi/13169 and /13216, /13217),
as summarised in ``docs/reference/openai-videos.md`` §2 (cited as §2.n). Serves ``POST
/v1/videos``, ``GET /v1/videos/{id}`` and ``POST /v1/videos/{id}/remix`` (sora models only);
there is no ``/content``: a completed task carries ``task_result.videos[].url``, a signed link
valid 7 days (§2.3).

JSON only (§2.1); images and videos are URL (or raw base64) strings. Each model accepts only the
parameters §2.2 lists for it; ``seconds`` is a string; ``size`` is checked per model. For Kling
``size`` only picks the orientation and ``mode`` the resolution (std = 720p, pro = 1080p;
kling-video-o1 always 1080p), which decides the served MP4's frame size. Status words:
initializing, queued, in_progress, downloading, uploading, completed, failed, cancelled (§2.3).
No ``progress`` field (§2.3). Errors:
``{"error": {"message", "type": "invalid_request_error", "code": "invalid_request"}}`` (§2.3).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Mapping
from typing import Any

import attrs
from starlette.requests import Request
from starlette.responses import Response

from reelkit_emulator.errors import KODO, QINIU, ApiError
from reelkit_emulator.provider import Endpoint, ProviderContext, ProviderFake
from reelkit_emulator.providers._openai import (
    STATUS,
    aspect_frame,
    read_fields,
    size_aspect,
    task_error,
    unix,
)
from reelkit_emulator.responses import BodyError, bearer_token, is_json, json_response
from reelkit_emulator.spec import Field, Problem, Schema, check
from reelkit_emulator.tasks import Phase, Task, VideoSpec

MAX_PROMPT = 2500  # §2.2: Qiniu caps the prompt at 2500 characters
SORA_SIZES = ("1280x720", "720x1280")
SORA_PRO_SIZES = (*SORA_SIZES, "1024x1792", "1792x1024")  # §2.2
KLING_SIZES = ("1920x1080", "1080x1920", "1280x720", "720x1280", "1080x1080", "720x720")  # §2.2
KLING_SECONDS = ("5", "10")
KLING_V3_SECONDS = tuple(str(s) for s in range(3, 16))  # §2.2: "3"..."15"
IMAGE_LIST_MAX = 7  # §2.2 (an older page says 4, extra images ignored)
#: §2.3: links expire after 7 days; the example's expires_at is completed_at + 1 day.
URL_TTL = 7 * 86400.0
EXPIRES_AFTER = 86400


@attrs.frozen(kw_only=True)
class Model:
    """One model's rules: its parameters (besides model, prompt, seconds, size) and choices."""

    fields: frozenset[str]
    seconds: tuple[str, ...] = KLING_SECONDS
    default_seconds: str = "5"
    sizes: tuple[str, ...] = KLING_SIZES
    default_size: str = "1920x1080"
    modes: tuple[str, ...] = ("std", "pro")
    default_mode: str | None = "std"
    needs_input_reference: bool = False
    remix: bool = False
    always_1080p: bool = False

    @property
    def kling(self) -> bool:
        return bool(self.modes)


_KLING = frozenset({"input_reference", "image_tail", "negative_prompt", "mode"})
_OMNI = frozenset({"image_list", "video_list", "mode"})
_MOTION = frozenset(
    {"sound", "image_url", "video_url", "character_orientation", "keep_original_sound"}
)
#: §2.2: seconds 4/8/12 (default 4), size 1280x720 / 720x1280 (default 720x1280), remix.
_SORA = Model(
    fields=frozenset({"input_reference"}),
    seconds=("4", "8", "12"),
    default_seconds="4",
    sizes=SORA_SIZES,
    default_size="720x1280",
    modes=(),
    default_mode=None,
    remix=True,
)

MODELS: Mapping[str, Model] = {
    "sora-2": _SORA,
    "sora-2-pro": attrs.evolve(_SORA, sizes=SORA_PRO_SIZES),
    # §2.2: i2v only (input_reference required), image_tail for the last frame, negative_prompt
    "kling-v2-1": Model(fields=_KLING, needs_input_reference=True),
    "kling-v2-5-turbo": Model(fields=_KLING),
    "kling-v2-6": Model(fields=_KLING | _MOTION),  # §2.2: adds sound and motion control
    # §2.2: image_list (first_frame / end_frame), video_list (feature / base); only pro in practice
    "kling-video-o1": Model(fields=_OMNI, always_1080p=True),
    "kling-v3": Model(
        fields=frozenset({"input_reference", "sound", "mode"}),
        seconds=KLING_V3_SECONDS,
        default_mode="pro",
    ),
    "kling-v3-omni": Model(
        fields=_OMNI | {"multi_shot", "shot_type", "multi_prompt", "sound"},
        seconds=KLING_V3_SECONDS,
        default_mode="pro",
    ),
}
#: What every model takes (§2.2); each model adds its own parameters (``Model.fields``).
_COMMON = (
    Field("model", required=True, blank_is_missing=True, choices=tuple(MODELS)),
    Field("prompt", required=True, blank_is_missing=True, max_len=MAX_PROMPT),
    Field(
        "seconds",
        choices=lambda v: MODELS[v["model"]].seconds,
        default=lambda v: MODELS[v["model"]].default_seconds,
    ),
    Field(
        "size",
        choices=lambda v: MODELS[v["model"]].sizes,
        default=lambda v: MODELS[v["model"]].default_size,
    ),
)
#: Each parameter a model may take, and how it is checked (media strings: see below).
_PARAMS = {
    "mode": Field(
        "mode",
        choices=lambda v: MODELS[v["model"]].modes,
        default=lambda v: MODELS[v["model"]].default_mode,
    ),
    "input_reference": Field("input_reference", type="any"),
    "image_tail": Field("image_tail", type="any"),
    "negative_prompt": Field("negative_prompt", max_len=MAX_PROMPT),
    "sound": Field("sound", choices=("on", "off")),
    "image_list": Field("image_list", type="array"),
    "video_list": Field("video_list", type="array", max_len=1),  # §2.2: at most 1 video
}
_MODEL = Schema([_COMMON[0]], reject_unknown=False)


def schema(model: Model) -> Schema:
    own = [_PARAMS.get(name, Field(name, type="any")) for name in sorted(model.fields)]
    return Schema([*_COMMON, *own], requires=(("image_tail", "input_reference"),))


def wording(p: Problem) -> ApiError:
    model = p.values.get("model", "")
    if p.kind == "unknown":
        names = ", ".join(sorted(p.names))
        return invalid(f"parameter(s) {names} not supported by model {model}")
    if p.kind == "missing":
        return invalid(f"{p.field} is required")
    if p.kind == "type":
        return invalid(f"{p.field} must be a string, got {p.got}")
    if p.kind == "choice" and p.field == "model":
        return invalid(f"model {p.value!r} is not supported; supported: {', '.join(MODELS)}")
    if p.kind == "choice":
        allowed = ", ".join(map(str, p.names))
        return invalid(f"invalid {p.field} {p.value!r} for model {model}; allowed: {allowed}")
    if p.kind == "too_long" and p.field == "video_list":
        return invalid(f"video_list holds at most 1 video, got {len(p.value)}")
    if p.kind == "too_long":
        limit = p.spec.max_len if p.spec else 0
        return invalid(f"{p.field} is too long: {len(p.value)} characters, at most {limit}")
    if p.kind == "requires":
        return invalid(f"{p.field} needs {p.names[0]} (the first frame)")
    return invalid(f"{p.field} is invalid")


def invalid(message: str, status: int = 400) -> ApiError:
    return ApiError(status=status, message=message)


def authenticate(request: Request) -> None:
    # §2.1: "Authorization: Bearer <key>"; Qiniu's kling examples send the bare key, which works.
    if not bearer_token(request, allow_bare=True):
        raise invalid("invalid api key: missing Authorization header", 401)


async def body_of(request: Request) -> dict[str, Any]:
    authenticate(request)
    if not is_json(request):  # §2.1: application/json only, no multipart
        raise invalid("Content-Type must be application/json")
    try:
        return (await read_fields(request, allow_form=False)).values
    except BodyError as exc:
        raise invalid(str(exc)) from None


# --- behaviour of its own: media strings, image and video lists -------------------------------


def media_string(value: Any, name: str, *, base64_ok: bool = True) -> str:
    """A URL, or raw base64 without a ``data:`` prefix (§2.2 image_list)."""
    if not isinstance(value, str) or not value:
        raise invalid(f"{name} must be a non-empty string (an image URL or base64)")
    if value.startswith(("http://", "https://")):
        return value
    if value.startswith("data:"):
        raise invalid(f"{name}: send the base64 string without a data: prefix")
    if not base64_ok:
        raise invalid(f"{name} must be a publicly reachable http(s) URL")
    return value


def check_image_list(items: list[Any] | None) -> list[dict[str, Any]]:
    if items is None:
        return []
    if not all(isinstance(i, dict) for i in items):
        raise invalid('image_list must be an array of objects like {"image": "<url>"}')
    kept = items[:IMAGE_LIST_MAX]  # §2.2: images beyond the limit are ignored
    types = []
    for index, item in enumerate(kept):
        media_string(item.get("image"), f"image_list[{index}].image")
        kind = item.get("type")
        if kind is not None and kind not in ("first_frame", "end_frame"):
            raise invalid(
                f"image_list[{index}].type must be first_frame or end_frame, got {kind!r}"
            )
        types.append(kind)
    if types.count("first_frame") > 1 or types.count("end_frame") > 1:
        raise invalid("image_list may hold at most one first_frame and one end_frame")
    if "end_frame" in types and "first_frame" not in types:  # §2.2: end_frame cannot be used alone
        raise invalid("image_list: an end_frame needs a first_frame")
    return kept


def check_video_list(items: list[Any] | None, images: list[dict[str, Any]]) -> None:
    if not items:
        return
    if not all(isinstance(i, dict) for i in items):
        raise invalid('video_list must be an array of objects like {"video_url": "<url>"}')
    for index, item in enumerate(items):
        media_string(item.get("video_url"), f"video_list[{index}].video_url", base64_ok=False)
        refer = item.get("refer_type", "base")
        if refer not in ("feature", "base"):
            raise invalid(f"video_list[{index}].refer_type must be feature or base, got {refer!r}")
        sound = item.get("keep_original_sound")
        if sound is not None and sound not in ("yes", "no"):
            raise invalid(
                f"video_list[{index}].keep_original_sound must be yes or no, got {sound!r}"
            )
        # §2.2: a video to edit (base) cannot be combined with first/end frames
        if refer == "base" and any(i.get("type") for i in images):
            raise invalid(
                "video_list: a base video cannot be combined with first_frame/end_frame images"
            )


def frame_size(model: Model, size: str, mode: str | None) -> str:
    if not model.kling:
        return size
    short = 1080 if (model.always_1080p or mode == "pro") else 720
    width, height = aspect_frame(size_aspect(size), short)
    return f"{width}x{height}"


# --- the video object ------------------------------------------------------------------------

_ids = itertools.count()


def new_id() -> str:
    """``qvideo-<user>-<19-digit ns timestamp>`` (§2.1)."""
    return f"qvideo-emulator-{time.time_ns() + next(_ids)}"


def status_word(ctx: ProviderContext, task: Task) -> str:
    """Running polls show in_progress, and near the end Qiniu's copy steps (§2.3)."""
    if task.phase is not Phase.RUNNING:
        return STATUS[task.phase]
    store = ctx.store
    running = max(1, store.polls_to_complete - 1 - store.queued_polls)
    index = task.polls - store.queued_polls - 1
    if index > 0 and index == running - 1:
        return "uploading"
    if index > 0 and index == running - 2:
        return "downloading"
    return "in_progress"


def video_object(ctx: ProviderContext, request: Request, task: Task) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": task.id,
        "object": "video",
        "model": task.model,
        "status": status_word(ctx, task),
        "created_at": unix(task.created_at),
        "updated_at": unix(task.updated_at),
        "seconds": task.params["seconds"],
        "size": task.params["size"],
    }
    if task.params.get("mode"):
        body["mode"] = task.params["mode"]
    if task.extra.get("remixed_from"):
        body["remixed_from_video_id"] = task.extra["remixed_from"]
    if task.phase.terminal:
        body["completed_at"] = unix(task.finished_at)
    if task.succeeded:
        link = ctx.media_link(request, task, "1.mp4")  # expires with the result (§2.3)
        body["expires_at"] = unix(task.finished_at) + EXPIRES_AFTER  # type: ignore[operator]
        body["task_result"] = {
            "videos": [{"id": f"{task.id}-1", "url": link.url, "duration": task.params["seconds"]}]
        }
    error_obj = task_error(task)
    if error_obj:
        body["error"] = error_obj
    return body


# --- handlers --------------------------------------------------------------------------------


async def create(request: Request, ctx: ProviderContext) -> Response:
    body = await body_of(request)
    model = MODELS[check(_MODEL, body, wording)["model"]]
    values = check(schema(model), body, wording)
    reference = values.get("input_reference")
    if reference is not None:
        media_string(reference, "input_reference")
    elif model.needs_input_reference:
        raise invalid(
            f"input_reference is required for model {values['model']} (image-to-video only)"
        )
    if values.get("image_tail") is not None:
        media_string(values["image_tail"], "image_tail")
    images = check_image_list(values.get("image_list"))
    check_video_list(values.get("video_list"), images)
    mode = values.get("mode")
    task = ctx.create_task(
        request,
        model=values["model"],
        prompt=values["prompt"],
        video=VideoSpec.parse(int(values["seconds"]), frame_size(model, values["size"], mode)),
        params={"seconds": values["seconds"], "size": values["size"], "mode": mode},
        id_factory=new_id,
    )
    return json_response(video_object(ctx, request, task))


async def retrieve(request: Request, ctx: ProviderContext) -> Response:
    authenticate(request)
    task = ctx.store.poll(request.path_params["video_id"])
    if task is None:
        raise invalid(f"video {request.path_params['video_id']} not found", 404)
    return json_response(video_object(ctx, request, task))


async def remix(request: Request, ctx: ProviderContext) -> Response:
    body = await body_of(request)
    extra = sorted(set(body) - {"prompt"})
    if extra:  # §2.1: input_reference, seconds and size are not allowed on a remix
        raise invalid(f"parameter(s) {', '.join(extra)} not allowed on remix; only prompt")
    prompt = check(Schema([_COMMON[1]]), body, wording)["prompt"]
    source_id = request.path_params["video_id"]
    source = ctx.store.get(source_id)
    if source is None:
        raise invalid(f"video {source_id} not found", 404)
    if not MODELS[source.model].remix:
        raise invalid(f"remix is only available for sora models, not {source.model}")
    if not source.succeeded:
        raise invalid(f"video {source_id} is not completed; only completed videos can be remixed")
    task = ctx.create_task(
        request,
        model=source.model,
        prompt=prompt,
        video=source.video,
        params=dict(source.params),
        id_factory=new_id,
        extra={"remixed_from": source.id},
    )
    return json_response(video_object(ctx, request, task))


FAKE = ProviderFake(
    name="qiniu",
    endpoints=[
        Endpoint("/v1/videos", create, ("POST",), "submit"),
        Endpoint("/v1/videos/{video_id}", retrieve, ("GET",), "poll"),
        Endpoint("/v1/videos/{video_id}/remix", remix, ("POST",), "submit"),
    ],
    credentials={"QINIU_API_KEY": "emulator"},
    dialect=QINIU,
    rate_limited=invalid("rate limit exceeded", 429).evolve(
        type="rate_limit_error", code="rate_limit_exceeded"
    ),
    server_error=invalid("internal server error", 500).evolve(
        type="server_error", code="internal_error"
    ),
    # Kodo's answer to a private link past its ``e=`` deadline.
    expired=KODO.error(401, "token out of date"),
    url_ttl=URL_TTL,
    natural_fps=24,
    description="Qiniu AI video API (Kling and Sora models, OpenAI-compatible)",
)
