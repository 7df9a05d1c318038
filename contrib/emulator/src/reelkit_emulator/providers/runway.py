"""Fake of the Runway API (``/v1/text_to_video``, ``/v1/image_to_video``, ``/v1/video_to_video``,
``/v1/tasks/{id}``).

Facts (read 2026-12-02): the official ``runwayml`` SDK 5.24.0 (https://pypi.org/project/runwayml/,
https://github.com/runwayml/sdk-python; request types generated from Runway's OpenAPI spec),
Runway's API reference skill
(https://github.com/runwayml/skills/blob/main/skills/rw-api-reference/SKILL.md: statuses, limits,
credits, output URL lifetime) and https://docs.dev.runwayml.com/errors/task-failures/
(``failureCode`` families).

Served at ``/runway/v1/...``. Every request needs ``Authorization: Bearer <any non-empty key>``
(else 401) and ``X-Runway-Version: 2024-11-06`` (a missing or unknown version is a 400, as the
API refuses it). Bodies are checked per endpoint and model against the SDK's types: required
fields, the model's ``ratio`` values and durations, ``promptImage`` as an https / ``runway://``
URL, a base64 data URI of at most 5 MB or a list of ``{uri, position}`` (``last`` on Veo only,
never alone), fields a model does not take (``seed`` on Veo, ``audio`` on Gen-4.5). A refusal
is ``{"error": "...", "issues": [{"path", "message"}]}`` (the shape is the fake's: Runway
publishes no error schema).

A submit answers ``{"id": "<uuid>"}``. ``GET /v1/tasks/{id}`` walks ``PENDING`` (or
``THROTTLED`` while an older task of the account is unfinished: tier 1 runs one at a time, and
``[emulator:throttle]`` in the prompt forces it), ``RUNNING`` with ``progress`` 0-1, then
``SUCCEEDED`` with ``output: [url]`` and ``cost.credits``. ``DELETE`` cancels an unfinished task
(it then polls ``CANCELLED``, 0 credits) or deletes a finished one (it then is a 404); both 204.

Triggers: ``[emulator:moderation]`` ends ``FAILED`` with ``SAFETY.OUTPUT.VIDEO``;
``[emulator:fail]`` ends ``FAILED`` with ``INTERNAL.BAD_OUTPUT.CODE01``; ``[emulator:expire]``
succeeds with an expired link. Faults: ``429`` (the daily limit) and ``500`` in the same shape.
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
from reelkit_emulator.responses import BodyError, bearer_token, json_body, json_response
from reelkit_emulator.tasks import Outcome, Phase, Task, VideoSpec

API_VERSION = "2024-11-06"  # sdk _client.py
#: Output URLs "will expire within 24-48 hours" (sdk task_retrieve_response): the short end.
URL_TTL_SECONDS = 24 * 3600
DATA_URI_MAX = 5 * 1024 * 1024  # sdk: data URIs "up to 5MB"
MAX_PROMPT = 1000  # sdk: promptText "up to 1000 characters (measured in UTF-16 code units)"
MAX_SEED = 4294967295
THROTTLE_MARKER = "[emulator:throttle]"

GEN4_I2V_RATIOS = ("1280:720", "720:1280", "1104:832", "832:1104", "960:960", "1584:672")
VEO_RATIOS = ("1280:720", "720:1280", "1080:1920", "1920:1080")


def _runway_body(e: ApiError) -> Any:
    body: dict[str, Any] = {"error": e.message}
    if e.param:
        body["issues"] = [{"path": e.param.split("."), "message": e.message}]
    return body


RUNWAY = Dialect("runway", _runway_body)


def invalid(message: str, path: str | None = None) -> ApiError:
    return ApiError(status=400, message=message, param=path)


@attrs.frozen
class ModelRule:
    """What one model accepts on one endpoint [sdk]."""

    ratios: tuple[str, ...] | None  # None: no ratio field
    durations: tuple[int, ...] | None  # None: no duration field
    duration_required: bool
    prompt_required: bool
    fields: frozenset[str]  # optional fields besides model, promptText, ratio, duration, media
    positions: tuple[str, ...] = ("first",)  # promptImage list positions
    ratio_required: bool = True
    credits: float = 0.0  # per second [ref]
    credits_audio: float | None = None


_GEN4 = frozenset({"seed", "contentModeration"})
_VEO = frozenset({"audio", "negativePrompt"})
_GEN_RANGE = tuple(range(2, 11))

RULES: dict[str, dict[str, ModelRule]] = {
    "text_to_video": {
        "gen4.5": ModelRule(
            ratios=("1280:720", "720:1280"), durations=_GEN_RANGE, duration_required=True,
            prompt_required=True, fields=_GEN4, credits=12,
        ),
        "veo3.1": ModelRule(
            ratios=VEO_RATIOS, durations=(4, 6, 8), duration_required=False,
            prompt_required=True, fields=_VEO, credits=20, credits_audio=40,
        ),
        "veo3.1_fast": ModelRule(
            ratios=VEO_RATIOS, durations=(4, 6, 8), duration_required=False,
            prompt_required=True, fields=_VEO, credits=10, credits_audio=15,
        ),
    },
    "image_to_video": {
        "gen4.5": ModelRule(
            ratios=GEN4_I2V_RATIOS, durations=_GEN_RANGE, duration_required=True,
            prompt_required=True, fields=_GEN4, credits=12,
        ),
        "gen4_turbo": ModelRule(
            ratios=GEN4_I2V_RATIOS, durations=_GEN_RANGE, duration_required=False,
            prompt_required=False, fields=_GEN4, credits=5,
        ),
        "veo3.1": ModelRule(
            ratios=VEO_RATIOS, durations=(4, 6, 8), duration_required=False,
            prompt_required=False, fields=_VEO, positions=("first", "last"), credits=20,
            credits_audio=40,
        ),
        "veo3.1_fast": ModelRule(
            ratios=VEO_RATIOS, durations=(4, 6, 8), duration_required=False,
            prompt_required=False, fields=_VEO, positions=("first", "last"), credits=10,
            credits_audio=15,
        ),
    },
    "video_to_video": {
        # aleph2's `ratio` is a deprecated free string; its price is unpublished (the fake
        # bills gen4_aleph's 15 credits/s).
        "aleph2": ModelRule(
            ratios=None, durations=None, duration_required=False, prompt_required=False,
            fields=frozenset({"seed", "contentModeration", "ratio", "keyframes"}),
            ratio_required=False, credits=15,
        ),
    },
}  # fmt: skip
_DEFAULT_DURATION = {"veo3.1": 8, "veo3.1_fast": 8, "gen4_turbo": 5}


@attrs.frozen
class RunwayJob:
    endpoint: str
    model: str
    prompt: str
    duration: int
    width: int
    height: int
    credits: int


def _uri(value: Any, path: str, kind: str) -> str:
    """An https / runway:// URL, or a base64 data URI of ``kind`` (image, video) ≤ 5 MB."""
    if not isinstance(value, str) or not value:
        raise invalid(f"{path} must be a non-empty string", path)
    if value.startswith(("https://", "runway://")):
        return value
    if value.startswith("http://"):
        raise invalid(f"{path}: only HTTPS URLs are accepted", path)
    if value.startswith("data:"):
        head, sep, data = value.partition(",")
        if not sep or not head.endswith(";base64") or not head[5:].startswith(f"{kind}/"):
            raise invalid(f"{path} must be a base64 data URI of an {kind}", path)
        if len(value) > DATA_URI_MAX:
            raise invalid(f"{path}: data URIs may be at most 5MB", path)
        try:
            base64.b64decode(data, validate=True)
        except ValueError:
            raise invalid(f"{path} is not valid base64", path) from None
        return value
    raise invalid(f"{path} must be an HTTPS URL, a Runway upload URI or a data URI", path)


def _prompt_image(value: Any, rule: ModelRule) -> None:
    if isinstance(value, str):
        _uri(value, "promptImage", "image")
        return
    if not isinstance(value, list) or not value:
        raise invalid("promptImage must be a string or a non-empty array", "promptImage")
    seen = []
    for i, item in enumerate(value):
        where = f"promptImage.{i}"
        if not isinstance(item, dict) or set(item) - {"uri", "position"}:
            raise invalid(f"{where} must be an object with uri and position", where)
        if item.get("position") not in rule.positions:
            raise invalid(
                f"{where}.position must be one of {', '.join(rule.positions)}", f"{where}.position"
            )
        _uri(item.get("uri"), f"{where}.uri", "image")
        seen.append(item["position"])
    if len(set(seen)) != len(seen):
        raise invalid("promptImage positions must be unique", "promptImage")
    if "first" not in seen:
        raise invalid(
            "this model does not support generating with only a last frame", "promptImage"
        )


def _integer(body: Mapping[str, Any], name: str) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(f"{name} must be an integer", name)
    return value


def validate(endpoint: str, body: Mapping[str, Any]) -> RunwayJob:
    """Check a submit body [sdk] and say what it makes."""
    model = body.get("model")
    rules = RULES[endpoint]
    if model not in rules:
        raise invalid(f"model must be one of {', '.join(rules)} on /v1/{endpoint}", "model")
    rule = rules[model]
    media = {"text_to_video": None, "image_to_video": "promptImage", "video_to_video": "videoUri"}
    known = {"model", "promptText", "ratio", "duration", *rule.fields}
    if media[endpoint]:
        known.add(str(media[endpoint]))
    unknown = sorted(set(body) - known)
    if unknown:
        raise invalid(f"Unrecognized key(s) in object: {', '.join(unknown)}", unknown[0])
    prompt = body.get("promptText")
    if prompt is not None and (not isinstance(prompt, str) or not prompt.strip()):
        raise invalid("promptText must be a non-empty string", "promptText")
    if prompt is None and rule.prompt_required:
        raise invalid("promptText is required", "promptText")
    if prompt is not None and len(prompt.encode("utf-16-le")) // 2 > MAX_PROMPT:
        raise invalid(f"promptText must be at most {MAX_PROMPT} characters", "promptText")
    ratio = body.get("ratio")
    if rule.ratios is not None:
        if ratio is None and rule.ratio_required:
            raise invalid("ratio is required", "ratio")
        if ratio not in rule.ratios:
            raise invalid(f"ratio must be one of {', '.join(rule.ratios)}", "ratio")
    duration = _integer(body, "duration")
    if rule.durations is not None:
        if duration is None and rule.duration_required:
            raise invalid("duration is required", "duration")
        if duration is not None and duration not in rule.durations:
            allowed = ", ".join(map(str, rule.durations))
            raise invalid(f"duration must be one of {allowed}", "duration")
    seed = _integer(body, "seed")
    if seed is not None and not 0 <= seed <= MAX_SEED:
        raise invalid(f"seed must be between 0 and {MAX_SEED}", "seed")
    if "audio" in body and not isinstance(body["audio"], bool):
        raise invalid("audio must be a boolean", "audio")
    moderation = body.get("contentModeration")
    if moderation is not None and (
        not isinstance(moderation, dict)
        or set(moderation) - {"publicFigureThreshold"}
        or moderation.get("publicFigureThreshold", "auto") not in ("auto", "low")
    ):
        raise invalid(
            "contentModeration.publicFigureThreshold must be auto or low", "contentModeration"
        )
    if endpoint == "image_to_video":
        if body.get("promptImage") is None:
            raise invalid("promptImage is required", "promptImage")
        _prompt_image(body["promptImage"], rule)
    if endpoint == "video_to_video":
        if body.get("videoUri") is None:
            raise invalid("videoUri is required", "videoUri")
        _uri(body["videoUri"], "videoUri", "video")
    seconds = duration or _DEFAULT_DURATION.get(model, 5)
    width, height = (int(x) for x in str(ratio or "1280:720").split(":"))
    per_second = rule.credits_audio if body.get("audio") and rule.credits_audio else rule.credits
    return RunwayJob(
        endpoint=endpoint,
        model=model,
        prompt=prompt or "",
        duration=seconds,
        width=width,
        height=height,
        credits=int(per_second * seconds),
    )


# --- the fake ------------------------------------------------------------------------------


def _authorise(request: Request) -> None:
    if not bearer_token(request):
        raise ApiError(status=401, message="An API key is required (Authorization: Bearer ...)")
    version = request.headers.get("x-runway-version")
    if version is None:
        raise invalid("You must specify a X-Runway-Version header", "X-Runway-Version")
    if version != API_VERSION:
        raise invalid(f"Unsupported API version: {version!r}", "X-Runway-Version")


async def _submit(request: Request, ctx: ProviderContext, endpoint: str) -> Response:
    _authorise(request)
    try:
        body = await json_body(request)
    except BodyError as exc:
        raise invalid(str(exc)) from None
    if not isinstance(body, dict):
        raise invalid("the request body must be a JSON object")
    job = validate(endpoint, body)
    task = ctx.create_task(
        request,
        model=job.model,
        prompt=job.prompt,
        video=VideoSpec(duration=job.duration, width=job.width, height=job.height),
        params=body,
        id_factory=lambda: str(uuid.uuid4()),
        extra={"job": job},
    )
    return json_response({"id": task.id})


async def _text_to_video(request: Request, ctx: ProviderContext) -> Response:
    return await _submit(request, ctx, "text_to_video")


async def _image_to_video(request: Request, ctx: ProviderContext) -> Response:
    return await _submit(request, ctx, "image_to_video")


async def _video_to_video(request: Request, ctx: ProviderContext) -> Response:
    return await _submit(request, ctx, "video_to_video")


def _iso(seconds: float) -> str:
    stamp = datetime.fromtimestamp(seconds, tz=timezone.utc)
    return stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _throttled(ctx: ProviderContext, task: Task) -> bool:
    """Over tier 1's concurrency of one [ref]: an older task of the account is unfinished."""
    if THROTTLE_MARKER in task.prompt:
        return True
    return any(t.seq < task.seq and not t.phase.terminal for t in ctx.store)


def _not_found(task_id: str) -> ApiError:
    return ApiError(status=404, message=f"Task {task_id} not found")


async def _get(request: Request, ctx: ProviderContext) -> Response:
    _authorise(request)
    task_id = request.path_params["id"]
    task = ctx.store.poll(task_id)
    if task is None:
        raise _not_found(task_id)
    job: RunwayJob = task.extra["job"]
    base: dict[str, Any] = {"id": task.id, "createdAt": _iso(task.created_at)}
    estimated = {"estimatedCost": {"credits": job.credits}}
    if task.phase is Phase.QUEUED:
        status = "THROTTLED" if _throttled(ctx, task) else "PENDING"
        return json_response({**base, "status": status, **estimated})
    if task.phase is Phase.RUNNING:
        progress = round(task.progress / 100, 2)
        return json_response({**base, "status": "RUNNING", "progress": progress, **estimated})
    if task.phase is Phase.CANCELLED:
        return json_response({**base, "status": "CANCELLED", "cost": {"credits": 0}})
    cost = {"cost": {"credits": job.credits}}
    if task.outcome is Outcome.MODERATION:
        failure = {"failure": "The output was flagged by content moderation.",
                   "failureCode": "SAFETY.OUTPUT.VIDEO"}  # fmt: skip
        return json_response({**base, "status": "FAILED", **failure, "cost": {"credits": 0}})
    if task.outcome is Outcome.FAILED:
        failure = {"failure": "An unexpected error occurred.",
                   "failureCode": "INTERNAL.BAD_OUTPUT.CODE01"}  # fmt: skip
        return json_response({**base, "status": "FAILED", **failure, "cost": {"credits": 0}})
    output = [ctx.media_link(request, task).url]
    return json_response({**base, "status": "SUCCEEDED", "output": output, **cost})


async def _delete(request: Request, ctx: ProviderContext) -> Response:
    """Unfinished: cancelled (refunded here). Finished or cancelled: deleted. 204 either way."""
    _authorise(request)
    task_id = request.path_params["id"]
    task = ctx.store.get(task_id)
    if task is None:
        raise _not_found(task_id)
    if task.phase.terminal:
        ctx.store.delete(task_id)
    else:
        ctx.store.cancel(task_id)
    return Response(status_code=204)


FAKE = ProviderFake(
    name="runway",
    endpoints=[
        Endpoint("/v1/text_to_video", _text_to_video, ("POST",), "submit"),
        Endpoint("/v1/image_to_video", _image_to_video, ("POST",), "submit"),
        Endpoint("/v1/video_to_video", _video_to_video, ("POST",), "submit"),
        Endpoint("/v1/tasks/{id}", _get, ("GET",), "poll"),
        Endpoint("/v1/tasks/{id}", _delete, ("DELETE",), "other"),
    ],
    credentials={"RUNWAYML_API_SECRET": "reelkit-emulator"},
    dialect=RUNWAY,
    rate_limited=ApiError(
        status=429, message="You have exceeded your daily generation limit. Try again later."
    ),
    server_error=ApiError(status=500, message="An internal error occurred."),
    url_ttl=URL_TTL_SECONDS,
    natural_fps=24,
    description="Runway API (Gen-4.5, Gen-4 Turbo, Veo 3.1, Aleph 2)",
)
