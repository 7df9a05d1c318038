"""Fake of the Kling AI video API, direct (``/v1/videos/text2video``, ``/image2video`` and the
unified ``/omni-video``).

Facts: ``docs/reference/volcengine-kling.md`` §4 (hosts and auth §4.1, endpoints §4.2, request
fields §4.3, capability map §4.4, responses §4.5, error codes §4.6), and Kling's API reference,
https://app.klingai.com/global/dev/document-api/apiReference/model/textToVideo, as its public
copies quote it (read 2026-12-02).

Credentials are verified as Kling verifies them. ``Authorization: Bearer <token>`` where the
token is either an HS256 JWT ``{"iss": AK, "exp", "nbf"}`` signed with the secret key, or the
single API key of newer accounts (any non-empty value that is not a JWT). A JWT's signature is
checked with the secrets the fake knows: :data:`DEFAULT_SECRET_KEY` (what ``reelkit emulator``
prints) and ``$REELKIT_EMULATOR_KLING_SECRET_KEY`` or ``$KLING_SECRET_KEY`` as set when the app
started. Failures answer 401 with ``1001`` (no header), ``1002`` (bad token or signature),
``1003`` (``nbf`` in the future) or ``1004`` (expired). ``exp``/``nbf`` are checked against real
time, as the client signs with real time (``.advance()`` moves only result lifetimes).

Every answer is the envelope ``{code, message, request_id, data}``. Bodies are validated:
``model_name`` (1203, 404), ``prompt`` (required for text2video, ≤2500), ``duration`` a
*string* from the model's set, ``mode`` std|pro, ``aspect_ratio``, ``cfg_scale`` in [0, 1] and
not on v2.x models, ``camera_control`` (kling-v1 std 5 s text2video; ``simple`` with exactly one
non-zero axis in [-10, 10]), ``image`` (a URL or base64 *without* a ``data:`` prefix),
``image_tail`` (needs ``image``; pro except on kling-v1, 5 s there), ``sound`` on|off (v2-6 only
in pro); on ``omni-video``, ``image_list`` entries ``{image_url, type?}`` (first_frame,
end_frame; an end frame needs a first frame; ≤7) and ``aspect_ratio`` unless a first frame is
given. A violation is 400 with ``1201``. Tasks walk ``submitted → processing → succeed`` and
are queried on their own path family (or by ``external_task_id``); results are
``task_result.videos[{id, url, duration}]``, kept 30 days. std renders 720p, pro 1080p (kling-v1:
720p). Faults: 429 ``1302``, 500 ``5000``; ``[emulator:moderation]`` ends ``failed`` with a
content-safety message.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import random
import time
import uuid
import weakref
from collections.abc import Mapping
from typing import Any

import attrs
from starlette.requests import Request
from starlette.responses import Response

from reelkit_emulator.errors import ApiError, Dialect
from reelkit_emulator.provider import Endpoint, ProviderContext, ProviderFake
from reelkit_emulator.providers._volc import image_size
from reelkit_emulator.responses import BodyError, json_body, json_response
from reelkit_emulator.spec import Field, Problem, Schema, check
from reelkit_emulator.tasks import Outcome, Phase, Task, VideoSpec

DEFAULT_ACCESS_KEY = "reelkit-emulator-kling-ak"
DEFAULT_SECRET_KEY = "reelkit-emulator-kling-secret"
#: §4.5: "Generated media is deleted after 30 days".
URL_TTL_SECONDS = 30 * 24 * 3600
ASPECT_RATIOS = ("16:9", "9:16", "1:1")
CAMERA_TYPES = ("simple", "down_back", "forward_up", "right_turn_forward", "left_turn_forward")
CAMERA_AXES = ("horizontal", "vertical", "pan", "tilt", "roll", "zoom")
MODERATION_MESSAGE = "Failure to pass the content security review"  # the fake's own wording


@attrs.frozen
class KlingModel:
    t2v: bool = True
    durations: tuple[str, ...] = ("5", "10")
    cfg_scale: bool = False  # §4.3: "not supported on v2.x"
    sound: bool = False
    sound_needs_pro: bool = False
    v1: bool = False  # 720p in both modes; tail frame and camera control rules of its own


MODELS: dict[str, KlingModel] = {
    "kling-v1": KlingModel(cfg_scale=True, v1=True),
    "kling-v1-6": KlingModel(cfg_scale=True),
    "kling-v2-1": KlingModel(t2v=False),
    "kling-v2-5-turbo": KlingModel(),
    "kling-v2-6": KlingModel(sound=True, sound_needs_pro=True),
    "kling-v3": KlingModel(durations=tuple(str(n) for n in range(3, 16)), sound=True),
}
#: ``POST /v1/videos/omni-video`` (https://apidoc.cometapi.com/id/api/video/kling/omni-video,
#: read 2026-12-02): model_name kling-video-o1 (default) or kling-v3-omni.
OMNI_MODELS: dict[str, KlingModel] = {
    "kling-video-o1": KlingModel(),
    "kling-v3-omni": KlingModel(durations=tuple(str(n) for n in range(3, 16)), sound=True),
}


def _request_id() -> str:
    return str(uuid.uuid4())


KLING = Dialect(
    "kling",
    lambda e: {"code": e.code, "message": e.message, "request_id": e.extra["request_id"]},
    prepare=lambda e: attrs.evolve(e, extra={**e.extra, "request_id": _request_id()}),
)


def error(status: int, code: int, message: str) -> ApiError:
    return ApiError(status=status, code=code, message=message)


def illegal(message: str) -> ApiError:
    """§4.6: 400 / 1201, an illegal parameter value."""
    return error(400, 1201, message)


def envelope(data: Any) -> Response:
    return json_response(
        {"code": 0, "message": "SUCCEED", "request_id": _request_id(), "data": data}
    )


# --- credentials ----------------------------------------------------------------------------


@attrs.frozen
class KlingSettings:
    secrets: tuple[str, ...] = (DEFAULT_SECRET_KEY,)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> KlingSettings:
        env = os.environ if environ is None else environ
        extra = env.get("REELKIT_EMULATOR_KLING_SECRET_KEY") or env.get("KLING_SECRET_KEY")
        return cls(secrets=tuple(dict.fromkeys(s for s in (extra, DEFAULT_SECRET_KEY) if s)))


_settings: weakref.WeakKeyDictionary[ProviderContext, KlingSettings] = weakref.WeakKeyDictionary()


def configure(ctx: ProviderContext, settings: KlingSettings) -> None:
    """Give one running app its own settings (tests, host applications)."""
    _settings[ctx] = settings


def settings_for(ctx: ProviderContext) -> KlingSettings:
    found = _settings.get(ctx)
    if found is None:
        found = _settings[ctx] = KlingSettings.from_env()
    return found


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _unauthorized(code: int, message: str) -> ApiError:
    return error(401, code, message)


def verify_token(token: str, secrets: tuple[str, ...], now: float) -> None:
    """A JWT must be HS256, signed with a known secret, and inside ``nbf``..``exp``; any other
    non-empty token is an API key (Kling looks it up; the fake accepts it)."""
    parts = token.split(".")
    if len(parts) != 3:
        return  # an API key
    try:
        header = json.loads(_b64decode(parts[0]))
        payload = json.loads(_b64decode(parts[1]))
        signature = _b64decode(parts[2])
    except (ValueError, binascii.Error):
        raise _unauthorized(1002, "Authorization is invalid: the token is malformed") from None
    if not isinstance(header, dict) or header.get("alg") != "HS256":
        raise _unauthorized(1002, "Authorization is invalid: alg must be HS256")
    if not isinstance(payload, dict) or not payload.get("iss"):
        raise _unauthorized(1002, "Authorization is invalid: iss (the access key) is missing")
    signed = f"{parts[0]}.{parts[1]}".encode("ascii")
    if not any(
        hmac.compare_digest(hmac.new(s.encode(), signed, hashlib.sha256).digest(), signature)
        for s in secrets
    ):
        raise _unauthorized(1002, "Authorization is invalid: signature verification failed")
    exp, nbf = payload.get("exp"), payload.get("nbf")
    if not isinstance(exp, (int, float)) or not isinstance(nbf, (int, float)):
        raise _unauthorized(1002, "Authorization is invalid: exp and nbf are required")
    if now < nbf:
        raise _unauthorized(1003, "Authorization is not yet valid")
    if now >= exp:
        raise _unauthorized(1004, "Authorization has expired")


def _authorise(request: Request, ctx: ProviderContext) -> None:
    header = request.headers.get("authorization", "").strip()
    scheme, _, token = header.partition(" ")
    if not header:
        raise _unauthorized(1001, "Authorization is empty")
    if scheme != "Bearer" or not token.strip():
        raise _unauthorized(1002, "Authorization is invalid: expected 'Bearer <token>'")
    verify_token(token.strip(), settings_for(ctx).secrets, time.time())


# --- bodies ---------------------------------------------------------------------------------


def wording(p: Problem) -> ApiError:
    if p.kind == "choice" and p.field == "model_name":
        return error(404, 1203, f"model_name {p.value!r} does not exist")
    if p.kind == "missing":
        return error(400, 1200, f"{p.field} is required")
    if p.kind == "type":
        kind = p.spec.type[0] if p.spec is not None else "valid"
        return illegal(f"{p.field} must be a {kind}, got {p.got}")
    if p.kind == "choice":
        return illegal(f"{p.field} must be one of {', '.join(map(str, p.names))}")
    if p.kind == "range":
        return illegal(f"{p.field} must lie in [0, 1]")
    if p.kind == "too_long":
        return illegal(f"{p.field} must be at most 2500 characters")
    return illegal(f"{p.field} is invalid")


def _durations(values: Mapping[str, Any]) -> tuple[str, ...]:
    return {**MODELS, **OMNI_MODELS}[values["model_name"]].durations


_COMMON = [
    Field("model_name", default="kling-v1", choices=tuple(MODELS)),  # §4.3: default kling-v1
    Field("negative_prompt", max_len=2500),
    Field("cfg_scale", type="number", min=0, max=1),
    Field("mode", choices=("std", "pro"), default="std"),
    Field("duration", choices=_durations, default="5"),  # a string: "5", not 5
    Field("camera_control", type="object"),
    Field("sound", choices=("on", "off")),
    Field("callback_url"),
    Field("external_task_id"),
]
TEXT2VIDEO = Schema(
    [
        Field("prompt", required=True, blank_is_missing=True, max_len=2500),
        Field("aspect_ratio", choices=ASPECT_RATIOS, default="16:9"),
        *_COMMON,
    ],
    reject_unknown=False,
)
IMAGE2VIDEO = Schema(
    [
        Field("prompt", max_len=2500, default=""),
        Field("image", required=True, blank_is_missing=True),
        Field("image_tail"),
        *_COMMON,
    ],
    reject_unknown=False,
    requires=(("image_tail", "image"),),
    exclusive=(("image_tail", "camera_control"),),
)


OMNI = Schema(
    [
        Field("model_name", default="kling-video-o1", choices=tuple(OMNI_MODELS)),
        Field("prompt", required=True, blank_is_missing=True, max_len=2500),
        Field("image_list", type="array", max_len=7),  # 7 without a reference video
        Field("mode", choices=("std", "pro"), default="pro"),
        Field("aspect_ratio", choices=ASPECT_RATIOS),
        Field("duration", choices=_durations, default="5"),
        Field("sound", choices=("on", "off")),
        Field("callback_url"),
        Field("external_task_id"),
    ],
    reject_unknown=False,
)


def validate_omni(body: Mapping[str, Any]) -> tuple[dict[str, Any], VideoSpec]:
    """Typed ``image_list`` entries pin frames (end_frame needs first_frame); without a first
    frame the aspect ratio is required."""
    v = check(OMNI, body, wording)
    if not isinstance(body.get("duration", "5"), str):
        raise illegal('duration must be a string such as "5"')
    model = OMNI_MODELS[v["model_name"]]
    if v["sound"] is not None and not model.sound:
        raise illegal(f"sound is not supported by {v['model_name']}")
    kinds = []
    size = None
    for i, item in enumerate(v["image_list"] or ()):
        if not isinstance(item, dict) or "image_url" not in item:
            raise illegal(f"image_list[{i}] must be an object with image_url")
        kind = item.get("type")
        if kind not in (None, "first_frame", "end_frame"):
            raise illegal(f"image_list[{i}].type must be first_frame or end_frame")
        found = _image(f"image_list[{i}].image_url", item["image_url"])
        if kind == "first_frame":
            size = found
        kinds.append(kind)
    if "end_frame" in kinds and "first_frame" not in kinds:
        raise illegal("an end_frame needs a first_frame")
    if "first_frame" not in kinds and v["aspect_ratio"] is None:
        raise illegal("aspect_ratio is required without a first_frame")
    aspect = v["aspect_ratio"] or "16:9"
    if size is not None:
        ratio = size[0] / size[1]
        aspect = "16:9" if ratio > 1.2 else "9:16" if ratio < 0.83 else "1:1"
    width, height = frame_size(v["mode"], aspect, False)
    return v, VideoSpec(duration=float(v["duration"]), width=width, height=height)


def _camera(value: Mapping[str, Any], v: Mapping[str, Any], family: str) -> None:
    model = MODELS[v["model_name"]]
    if not (model.v1 and family == "text2video" and v["mode"] == "std" and v["duration"] == "5"):
        raise illegal("camera_control is only supported by kling-v1 text2video in std mode, 5 s")
    kind = value.get("type")
    if kind not in CAMERA_TYPES:
        raise illegal(f"camera_control.type must be one of {', '.join(CAMERA_TYPES)}")
    config = value.get("config")
    if kind != "simple":
        if config is not None:
            raise illegal("camera_control.config is only used with type simple")
        return
    if not isinstance(config, dict) or set(config) - set(CAMERA_AXES):
        raise illegal(f"camera_control.config takes {', '.join(CAMERA_AXES)}")
    numbers = list(config.values())
    if any(
        isinstance(n, bool) or not isinstance(n, (int, float)) or not -10 <= n <= 10
        for n in numbers
    ):
        raise illegal("camera_control.config values must lie in [-10, 10]")
    if sum(1 for n in numbers if n != 0) != 1:
        raise illegal("camera_control.config needs exactly one non-zero value")


def _image(where: str, value: Any) -> tuple[int, int] | None:
    """A URL, or raw base64 of a JPEG/PNG ≥300 px (§4.3); the decoded size, if known."""
    if not isinstance(value, str):
        raise illegal(f"{where} must be a string")
    if value.startswith(("https://", "http://")):
        return None
    if value.startswith("data:"):
        raise illegal(f"{where}: base64 must not carry a data: prefix")
    try:
        data = base64.b64decode(value, validate=True)
    except (ValueError, binascii.Error):
        raise illegal(f"{where} is neither a URL nor base64") from None
    found = image_size(data)
    if found is None:
        raise illegal(f"{where} must be a JPEG or PNG")
    _, width, height = found
    if width and height and min(width, height) < 300:
        raise illegal(f"{where} must be at least 300 px on each side")
    return (width, height) if width and height else None


def frame_size(quality: str, aspect: str, v1: bool) -> tuple[int, int]:
    short = 720 if v1 or quality == "std" else 1080
    a, b = (int(x) for x in aspect.split(":"))
    if a >= b:
        return int(round(short * a / b / 2)) * 2, short
    return short, int(round(short * b / a / 2)) * 2


def validate(family: str, body: Mapping[str, Any]) -> tuple[dict[str, Any], VideoSpec]:
    v = check(TEXT2VIDEO if family == "text2video" else IMAGE2VIDEO, body, wording)
    model = MODELS[v["model_name"]]
    if family == "text2video" and not model.t2v:
        raise illegal(f"{v['model_name']} does not support text2video")
    if not isinstance(body.get("duration", "5"), str):
        raise illegal('duration must be a string such as "5"')
    if v["cfg_scale"] is not None and not model.cfg_scale:
        raise illegal(f"cfg_scale is not supported by {v['model_name']}")
    if v["camera_control"] is not None:
        _camera(v["camera_control"], v, family)
    if v["sound"] is not None and not model.sound:
        raise illegal(f"sound is not supported by {v['model_name']}")
    if v["sound"] == "on" and model.sound_needs_pro and v["mode"] != "pro":
        raise illegal(f"{v['model_name']} generates sound only in pro mode")
    aspect = v.get("aspect_ratio") or "16:9"
    if family == "image2video":
        size = _image("image", v["image"])
        if v["image_tail"] is not None:
            _image("image_tail", v["image_tail"])
            if model.v1 and v["duration"] != "5":
                raise illegal("image_tail on kling-v1 needs duration 5")
            if not model.v1 and v["mode"] != "pro":
                raise illegal(f"image_tail on {v['model_name']} needs mode pro")
        if size is not None:  # the output follows the image (nearest supported shape)
            ratio = size[0] / size[1]
            aspect = "16:9" if ratio > 1.2 else "9:16" if ratio < 0.83 else "1:1"
    width, height = frame_size(v["mode"], aspect, model.v1)
    return v, VideoSpec(duration=float(v["duration"]), width=width, height=height)


# --- routes -----------------------------------------------------------------------------------


def _task_id() -> str:
    return str(random.randrange(10**17, 10**18))  # "867283741759111202": 18 digits


def _ms(seconds: float) -> int:
    return int(seconds * 1000)


async def _submit(request: Request, ctx: ProviderContext, family: str) -> Response:
    _authorise(request, ctx)
    try:
        body = await json_body(request)
    except BodyError as exc:
        raise error(400, 1200, f"invalid request body: {exc}") from None
    if not isinstance(body, dict):
        raise error(400, 1200, "the request body must be a JSON object")
    values, video = validate_omni(body) if family == "omni-video" else validate(family, body)
    external = values["external_task_id"]
    if external is not None and any(t.extra.get("external_task_id") == external for t in ctx.store):
        raise illegal(f"external_task_id {external!r} already exists")  # §4.3: unique per user
    task = ctx.create_task(
        request,
        model=values["model_name"],
        prompt=values["prompt"] or "",
        video=video,
        params=body,
        id_factory=_task_id,
        extra={"family": family, "external_task_id": external},
    )
    return envelope(
        {
            "task_id": task.id,
            "task_status": "submitted",
            "task_info": {"external_task_id": external} if external else {},
            "created_at": _ms(task.created_at),
            "updated_at": _ms(task.updated_at or task.created_at),
        }
    )


async def _text2video(request: Request, ctx: ProviderContext) -> Response:
    return await _submit(request, ctx, "text2video")


async def _image2video(request: Request, ctx: ProviderContext) -> Response:
    return await _submit(request, ctx, "image2video")


async def _omni(request: Request, ctx: ProviderContext) -> Response:
    return await _submit(request, ctx, "omni-video")


def _find(ctx: ProviderContext, family: str, key: str) -> Task | None:
    task = ctx.store.get(key)
    if task is None:
        task = next((t for t in ctx.store if t.extra.get("external_task_id") == key), None)
    if task is None or task.extra.get("family") != family:
        return None  # §4.2: a task is found only on the family it was created on
    return ctx.store.poll(task.id)


async def _query(request: Request, ctx: ProviderContext) -> Response:
    _authorise(request, ctx)
    family = request.path_params["family"]
    task = _find(ctx, family, request.path_params["task_id"])
    if task is None:
        raise error(404, 1203, "task does not exist")
    data: dict[str, Any] = {
        "task_id": task.id,
        "task_status": "submitted",
        "task_status_msg": "",
        "task_info": {"external_task_id": task.extra["external_task_id"]}
        if task.extra.get("external_task_id")
        else {},
        "created_at": _ms(task.created_at),
        "updated_at": _ms(task.updated_at or task.created_at),
    }
    if task.phase is Phase.RUNNING:
        data["task_status"] = "processing"
    elif task.phase.terminal and task.succeeded:
        video = {
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, task.id)),
            "url": ctx.media_link(request, task).url,
            "duration": f"{task.video.duration:g}",
        }
        data.update(task_status="succeed", task_result={"videos": [video]})
    elif task.phase.terminal:
        message = (
            MODERATION_MESSAGE
            if task.outcome is Outcome.MODERATION
            else "Video generation failed, please try again later"
        )
        data.update(task_status="failed", task_status_msg=message)
    return envelope(data)


FAKE = ProviderFake(
    name="kling",
    endpoints=[
        Endpoint("/v1/videos/text2video", _text2video, ("POST",), "submit"),
        Endpoint("/v1/videos/image2video", _image2video, ("POST",), "submit"),
        Endpoint("/v1/videos/omni-video", _omni, ("POST",), "submit"),
        Endpoint("/v1/videos/{family:str}/{task_id:str}", _query, ("GET",), "poll"),
    ],
    exact_credentials={
        "KLING_ACCESS_KEY": DEFAULT_ACCESS_KEY,
        "KLING_SECRET_KEY": DEFAULT_SECRET_KEY,
    },
    credentials_note=(
        "kling verifies each request's HS256 JWT, so it must know the secret it was signed "
        "with: export exactly these (or use KLING_API_KEY alone, any value)"
    ),
    dialect=KLING,
    rate_limited=error(429, 1302, "Rate limit exceeded, please slow down"),
    server_error=error(500, 5000, "Server internal error"),
    url_ttl=URL_TTL_SECONDS,
    natural_fps=24,
    # The secrets are read when the app starts, never from a later environment.
    on_start=lambda ctx: configure(ctx, KlingSettings.from_env()),
    description="Kling AI video API (direct, JWT or API key)",
)
