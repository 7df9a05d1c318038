"""Fake of the Volcengine visual API as Jimeng video uses it (``CVSync2Async*``).

Facts: the Jimeng 3.0 video pages (https://www.volcengine.com/docs/85621/1777001 and the 720P /
1080P pages listed in ``docs/reference/volcengine-kling.md`` §7) as summarised in that
reference's §1 (API, req_keys, shapes, error codes) and §2 (V4 signing, gateway errors, test
vectors; the signing itself is :mod:`._volc`).

Served at ``/jimeng`` and ``/jimeng/`` with ``?Action=CVSync2AsyncSubmitTask|CVSync2AsyncGetResult
&Version=2022-08-31`` (POST, JSON). Order of checks, as the gateway does them: ``Action`` and
``Version`` (``MissingParameter`` / ``InvalidActionOrVersion``), then the HMAC-SHA256 V4 signature
over the exact path, query, signed headers and body bytes received (region ``cn-north-1``,
service ``cv``; failures answer ``{"ResponseMetadata": {..., "Error": {"Code", "CodeN",
"Message"}}}``), then the body (HTTP 400, ``code`` 50215 with the reason appended to the
message). Polls answer ``in_queue`` -> ``generating`` -> ``done`` with a ``video_url`` valid for
one hour; an unknown task, one polled with another ``req_key``, or one older than 12 h answers
``not_found``.

Secret keys: the real service knows each account's secret; the emulator must too, so it can
verify the signature. Any non-empty access key is accepted, but the signature must verify with
(1) that key's own secret when ``$REELKIT_EMULATOR_VOLC_SECRETS`` (a JSON object ``{"AK": "SK"}``)
lists it, else (2) ``$REELKIT_EMULATOR_VOLC_SECRETKEY`` or ``$VOLC_SECRETKEY`` (as set where
the emulator runs) or :data:`DEFAULT_SECRET_KEY` (``reelkit-emulator-secret``). So a client must
sign with one of those: ``reelkit emulator`` always prints ``export VOLC_ACCESSKEY=...`` and
``export VOLC_SECRETKEY=reelkit-emulator-secret`` for that reason. The environment is read
when the app is created (``reelkit emulator`` starts, or the pytest fixture's session server);
:func:`configure` gives a running app other :class:`JimengSettings`. The ``X-Date`` must be within 15 minutes of the real
UTC clock (not the emulator's movable clock, which only ages tasks and links).

Triggers (prompt markers):

- ``[emulator:moderation]``: the last poll answers HTTP 400, 50511 "Post Img Risk Not Pass";
- ``[emulator:fail]``: the last poll answers HTTP 400, 50215;
- ``[emulator:expire]``: the last poll answers ``data.status: "expired"``;
- ``[emulator:input-moderation]``: the submit answers HTTP 400, 50412 "Text Risk Not Pass";
- ``[emulator:code=NNNNN]``: the submit answers that documented business code (50411, 50413,
  50429, 50430, 50501, ...) with its documented HTTP status;
- injected faults: ``429`` answers 50429 (HTTP 429), ``500`` answers 50500 (HTTP 500);
- ``$REELKIT_EMULATOR_JIMENG_CONCURRENCY=N``: with N unfinished tasks, a submit answers 50430.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import random
import re
import weakref
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

import attrs
from starlette.requests import Request
from starlette.responses import Response

from reelkit_emulator.errors import VOLC_BUSINESS, ApiError, volc_envelope
from reelkit_emulator.provider import Endpoint, ProviderContext, ProviderFake
from reelkit_emulator.providers._volc import _gateway, gateway_error, image_size, verify_signature
from reelkit_emulator.responses import json_response
from reelkit_emulator.spec import Field, Problem, Schema, check
from reelkit_emulator.tasks import Outcome, Phase, VideoSpec

VERSION = "2022-08-31"
SUBMIT_ACTION = "CVSync2AsyncSubmitTask"
RESULT_ACTION = "CVSync2AsyncGetResult"
#: Secret used for every access key when neither a mapping nor an environment variable gives one.
DEFAULT_SECRET_KEY = "reelkit-emulator-secret"
#: The AK the emulator exports (any non-empty AK is accepted).
DEFAULT_ACCESS_KEY = "AKLTreelkitemulator"
#: The ``video_url`` lifetime (reference §0.1 and §1.5: one hour, not 24 h).
VIDEO_URL_TTL = timedelta(hours=1)
#: A task older than this polls as ``not_found`` (reference §1.5).
TASK_RETENTION = timedelta(hours=12)


# --------------------------------------------------------------------------------------------
# Business errors: the usual envelope with a non-200 status (reference §1.5, §1.6)
# --------------------------------------------------------------------------------------------

# code -> (HTTP status, message) from the official business error table.
BUSINESS_ERRORS: dict[int, tuple[int, str]] = {
    50411: (400, "Pre Img Risk Not Pass"),
    50511: (400, "Post Img Risk Not Pass"),
    50412: (400, "Text Risk Not Pass"),
    50512: (400, "Post Text Risk Not Pass"),
    50413: (400, "Post Text Risk Not Pass"),
    50516: (400, "Post Video Risk Not Pass"),
    50517: (400, "Post Audio Risk Not Pass"),
    50518: (400, "Pre Img Risk Not Pass: Copyright"),
    50519: (400, "Post Img Risk Not Pass: Copyright"),
    50520: (400, "Risk Internal Error"),
    50521: (400, "Antidirt Internal Error"),
    50522: (400, "Image Copyright Internal Error"),
    50215: (400, "Input invalid for this service."),
    50429: (429, "Request Has Reached API Limit, Please Try Later"),
    50430: (429, "Request Has Reached API Concurrent Limit, Please Try Later"),
    50500: (500, "Internal Error"),
    50501: (500, "Internal RPC Error"),
}


def business_error(code: int, detail: str = "") -> ApiError:
    """The documented status and message for ``code``; ``detail`` is the emulator's hint."""
    status, message = BUSINESS_ERRORS[code]
    return ApiError(
        status=status, code=code, message=f"{message} ({detail})" if detail else message
    )


def invalid(detail: str) -> ApiError:
    # 50215 "Input invalid for this service." is what the service answers for a bad req_key or
    # parameters (observed by several integrations; see reference §1.6 "other products").
    return business_error(50215, detail)


def new_task_id(rng: random.Random | None = None) -> str:
    """A numeric string like ``7392616336519610409``."""
    r = rng or random
    return str(r.randrange(7_000_000_000_000_000_000, 7_999_999_999_999_999_999))


# --------------------------------------------------------------------------------------------
# req_keys and what a submit accepts (reference §1.2, §1.3)
# --------------------------------------------------------------------------------------------


@attrs.frozen
class ReqKey:
    req_key: str
    #: The reference's mode name (``t2v_720p``...).
    mode: str
    min_images: int
    max_images: int
    #: "1080p" or "720p": the output class.
    resolution: str
    #: Whether ``aspect_ratio`` is honoured (T2V only; I2V follows the image).
    aspect_ratio: bool = False
    recamera: bool = False


#: Every documented Jimeng 3.0 req_key (reference §1.2; note the missing ``p`` on I2V 1080).
REQ_KEYS: dict[str, ReqKey] = {
    k.req_key: k
    for k in (
        ReqKey("jimeng_ti2v_v30_pro", "ti2v_pro", 0, 1, "1080p", aspect_ratio=True),
        ReqKey("jimeng_t2v_v30_1080p", "t2v_1080p", 0, 0, "1080p", aspect_ratio=True),
        ReqKey("jimeng_i2v_first_v30_1080", "i2v_first_1080p", 1, 1, "1080p"),
        ReqKey("jimeng_i2v_first_tail_v30_1080", "i2v_first_tail_1080p", 2, 2, "1080p"),
        ReqKey("jimeng_t2v_v30", "t2v_720p", 0, 0, "720p", aspect_ratio=True),
        ReqKey("jimeng_i2v_first_v30", "i2v_first_720p", 1, 1, "720p"),
        ReqKey("jimeng_i2v_first_tail_v30", "i2v_first_tail_720p", 2, 2, "720p"),
        ReqKey("jimeng_i2v_recamera_v30", "i2v_recamera_720p", 1, 1, "720p", recamera=True),
    )
}

ASPECT_RATIOS = ("16:9", "4:3", "1:1", "3:4", "9:16", "21:9")
#: frames = 24·n + 1: 121 is 5 s, 241 is 10 s (there is no ``duration`` field).
FRAMES = {121: 5, 241: 10}
FPS = 24
MAX_PROMPT_CHARS = 800
TEMPLATES = (
    "hitchcock_dolly_in", "hitchcock_dolly_out", "robo_arm", "dynamic_orbit", "central_orbit",
    "crane_push", "quick_pull_back", "counterclockwise_swivel", "clockwise_swivel", "handheld",
    "rapid_push_pull",
)  # fmt: skip
CAMERA_STRENGTHS = ("weak", "medium", "strong")
MAX_IMAGE_BYTES = int(4.7 * 1024 * 1024)

#: 1080P-class output sizes (reference §1.3, 3.0 Pro table).
SIZES_1080P = {
    "21:9": (2176, 928),
    "16:9": (1920, 1088),
    "4:3": (1664, 1248),
    "1:1": (1440, 1440),
    "3:4": (1248, 1664),
    "9:16": (1088, 1920),
}
#: 720P-class sizes: not in the Jimeng docs; the ByteDance Seedance 1.0 720p table is used.
SIZES_720P = {
    "21:9": (1504, 640),
    "16:9": (1248, 704),
    "4:3": (1120, 832),
    "1:1": (960, 960),
    "3:4": (832, 1120),
    "9:16": (704, 1248),
}


SUBMIT = Schema(
    [
        Field("req_key", required=True, blank_is_missing=True, choices=tuple(REQ_KEYS)),
        Field("image_urls", type="array"),
        Field("binary_data_base64", type="array"),
        Field("prompt", default="", max_len=MAX_PROMPT_CHARS),
        Field("seed", type="integer", min=-1, max=2**32 - 1, default=-1),
        Field("frames", type="integer", choices=tuple(FRAMES), default=121),
        Field("aspect_ratio", choices=ASPECT_RATIOS, default="16:9"),
    ],
    reject_unknown=False,
    exclusive=(("image_urls", "binary_data_base64"),),
)
RECAMERA = SUBMIT.extend(
    Field("template_id", required=True, choices=TEMPLATES),
    Field("camera_strength", required=True, choices=CAMERA_STRENGTHS),
)
GET_RESULT = Schema(
    [
        Field("req_key", required=True, choices=tuple(REQ_KEYS)),
        Field("task_id", required=True, blank_is_missing=True),
        Field("req_json"),
    ],
    reject_unknown=False,
)


def wording(p: Problem) -> ApiError:
    name, spec = p.field, p.spec
    if p.kind == "missing" and spec is not None and spec.choices and not callable(spec.choices):
        return invalid(f"{name} is required: one of {', '.join(map(str, spec.choices))}")
    if p.kind == "missing":
        return invalid(f"{name} is required")
    if p.kind == "choice" and name == "req_key":
        return invalid(f"unknown req_key {p.value!r}; one of {', '.join(REQ_KEYS)}")
    if p.kind == "choice" and name == "frames":
        return invalid(f"frames must be 121 (5 s) or 241 (10 s), got {p.value!r}")
    if p.kind == "choice":
        return invalid(f"{name} must be one of {', '.join(map(str, p.names))}, got {p.value!r}")
    if name == "seed":
        return invalid("seed must be an integer from -1 to 4294967295")
    if p.kind == "too_long":
        return invalid(f"{name} has {len(p.value)} characters; at most {MAX_PROMPT_CHARS}")
    if p.kind == "exclusive":
        return invalid("send image_urls or binary_data_base64, not both")
    kind = spec.type[0] if spec else "valid"
    return invalid(f"{name} must be {'an' if kind[0] in 'aeio' else 'a'} {kind}")


@attrs.frozen
class SubmitSpec:
    """A validated submit body: what the task will render."""

    req_key: str
    prompt: str
    frames: int
    aspect_ratio: str
    width: int
    height: int
    image_count: int

    @property
    def duration(self) -> int:
        return FRAMES[self.frames]


def _check_image_bytes(index: int, encoded: Any) -> tuple[int, int]:
    where = f"binary_data_base64[{index}]"
    if not isinstance(encoded, str) or not encoded:
        raise invalid(f"{where} must be a non-empty base64 string")
    if encoded.startswith("data:"):
        raise invalid(f"{where} must be raw base64 without a data: prefix")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise invalid(f"{where} is not valid base64") from None
    if len(raw) > MAX_IMAGE_BYTES:
        raise invalid(f"{where} is {len(raw)} bytes; the limit is 4.7 MB")
    info = image_size(raw)
    if info is None:
        raise invalid(f"{where} must be a JPEG or PNG image")
    _, width, height = info
    if width and height:
        if max(width, height) > 4096:
            raise invalid(f"{where} is {width}x{height}; at most 4096x4096")
        if min(width, height) < 320:
            raise invalid(f"{where} is {width}x{height}; the short side must be >= 320")
        if max(width, height) / min(width, height) > 3:
            raise invalid(f"{where} is {width}x{height}; long:short must be <= 3")
    return width, height


def _closest_ratio(width: int, height: int) -> str:
    def ratio(text: str) -> float:
        a, b = text.split(":")
        return int(a) / int(b)

    return min(ASPECT_RATIOS, key=lambda r: abs(ratio(r) - width / height))


def validate_submit(body: Any) -> SubmitSpec:
    """Validate a ``CVSync2AsyncSubmitTask`` body; every problem is a 50215."""
    if not isinstance(body, dict):
        raise invalid("the body must be a JSON object")
    key = REQ_KEYS.get(
        check(Schema([SUBMIT.fields[0]], reject_unknown=False), body, wording)["req_key"]
    )
    assert key is not None
    v = check(RECAMERA if key.recamera else SUBMIT, body, wording)
    dims: list[tuple[int, int]] = []
    if v["image_urls"] is not None:
        for i, url in enumerate(v["image_urls"]):
            if not isinstance(url, str) or not url.startswith(("http://", "https://")):
                raise invalid(f"image_urls[{i}] must be a public http(s) URL")
        dims = [(0, 0)] * len(v["image_urls"])
    elif v["binary_data_base64"] is not None:
        dims = [_check_image_bytes(i, b) for i, b in enumerate(v["binary_data_base64"])]
    count = len(dims)
    if not key.min_images <= count <= key.max_images:
        low, high = key.min_images, key.max_images
        allowed = str(low) if low == high else f"{low} to {high}"
        raise invalid(f"{key.req_key} takes {allowed} image(s), got {count}")
    if count == 2 and all(w and h for w, h in dims):
        (w1, h1), (w2, h2) = dims
        if abs(w1 / h1 - w2 / h2) > 0.01:
            raise invalid("the tail image must have the same aspect ratio as the first")
    prompt = v["prompt"]
    if not prompt.strip() and not (key.req_key == "jimeng_ti2v_v30_pro" and count == 1):
        raise invalid(f"prompt is required for {key.req_key}")
    ratio = v["aspect_ratio"]
    if count:
        # Image-to-video follows the first image's ratio (centre crop to the closest one).
        w, h = dims[0]
        ratio = _closest_ratio(w, h) if w and h else "16:9"
    width, height = (SIZES_1080P if key.resolution == "1080p" else SIZES_720P)[ratio]
    return SubmitSpec(
        req_key=key.req_key,
        prompt=prompt,
        frames=v["frames"],
        aspect_ratio=ratio,
        width=width,
        height=height,
        image_count=count,
    )


# --------------------------------------------------------------------------------------------
# The fake
# --------------------------------------------------------------------------------------------

#: A prompt with this marker is refused at submit: HTTP 400, 50412 "Text Risk Not Pass".
INPUT_MODERATION_MARKER = "[emulator:input-moderation]"
#: ``[emulator:code=50413]`` in a prompt: the submit answers that business error.
CODE_MARKER = re.compile(r"\[emulator:code=(\d{5})\]")


@attrs.define
class JimengSettings:
    """Per-app settings, read from the environment when the app is created.

    - ``REELKIT_EMULATOR_VOLC_SECRETS``: a JSON object ``{"AK": "SK", ...}``; a listed AK is
      verified with its own secret only.
    - ``REELKIT_EMULATOR_VOLC_SECRETKEY`` (else ``VOLC_SECRETKEY``): the secret for every other
      AK, besides :data:`DEFAULT_SECRET_KEY` (what ``reelkit emulator`` exports).
    - ``REELKIT_EMULATOR_JIMENG_CONCURRENCY``: unfinished tasks allowed at once; beyond it a
      submit answers 429 / 50430 (default: no limit; the real free tier allows 1).
    """

    secrets: Mapping[str, str] = attrs.field(factory=dict)
    default_secrets: tuple[str, ...] = (DEFAULT_SECRET_KEY,)
    concurrency: int | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> JimengSettings:
        env = os.environ if environ is None else environ
        secrets: dict[str, str] = {}
        raw = env.get("REELKIT_EMULATOR_VOLC_SECRETS")
        if raw:
            loaded = json.loads(raw)
            if not isinstance(loaded, dict):
                raise ValueError("REELKIT_EMULATOR_VOLC_SECRETS must be a JSON object")
            secrets = {str(k): str(v) for k, v in loaded.items()}
        extra = env.get("REELKIT_EMULATOR_VOLC_SECRETKEY") or env.get("VOLC_SECRETKEY")
        defaults = tuple(dict.fromkeys(s for s in (extra, DEFAULT_SECRET_KEY) if s))
        limit = env.get("REELKIT_EMULATOR_JIMENG_CONCURRENCY")
        return cls(
            secrets=secrets, default_secrets=defaults, concurrency=int(limit) if limit else None
        )

    def candidates(self, access_key: str) -> tuple[str, ...]:
        if not access_key:
            return ()
        if access_key in self.secrets:
            return (self.secrets[access_key],)
        return self.default_secrets


_settings: weakref.WeakKeyDictionary[ProviderContext, JimengSettings] = weakref.WeakKeyDictionary()


def settings_for(ctx: ProviderContext) -> JimengSettings:
    found = _settings.get(ctx)
    if found is None:
        found = _settings[ctx] = JimengSettings.from_env()
    return found


def configure(ctx: ProviderContext, settings: JimengSettings) -> None:
    """Give one running app its own settings (tests, host applications)."""
    _settings[ctx] = settings


def _verify(
    request: Request, body: bytes, settings: JimengSettings, action: str, version: str
) -> None:
    """A request signed with any candidate secret of its access key is genuine."""

    def attempt(secret_for: Callable[[str], str | None]) -> None:
        verify_signature(
            method=request.method,
            path=request.url.path,
            raw_query=request.url.query,
            headers=request.headers,
            body=body,
            secret_for=secret_for,
        )

    keys: list[str] = []

    def first(access_key: str) -> str | None:
        keys.append(access_key)
        found = settings.candidates(access_key)
        return found[0] if found else None

    try:
        attempt(first)
        return
    except ApiError as exc:
        error = exc
    if error.code == "SignatureDoesNotMatch" and keys:
        for secret in settings.candidates(keys[0])[1:]:
            try:
                attempt(lambda _access_key, s=secret: s)  # type: ignore[misc]
                return
            except ApiError:
                pass
    raise gateway_error(error, action=action, version=version)


def _success(data: Any) -> Response:
    return json_response(volc_envelope(code=10000, message="Success", data=data))


async def _dispatch(request: Request, ctx: ProviderContext) -> Response:
    """Checks in the gateway's order: Action and Version, the signature, then the body."""
    query = request.query_params
    action, version = query.get("Action") or "", query.get("Version") or ""
    for name, value in (("Action", action), ("Version", version)):
        if not value:
            error = _gateway("MissingParameter", f"no {name} in the query", name)
            raise gateway_error(error, action=action, version=version)
    if action not in (SUBMIT_ACTION, RESULT_ACTION) or version != VERSION:
        hint = f"this fake serves {SUBMIT_ACTION} and {RESULT_ACTION} at Version={VERSION}"
        error = _gateway("InvalidActionOrVersion", hint, action, version)
        raise gateway_error(error, action=action, version=version)
    settings = settings_for(ctx)
    raw = await request.body()
    _verify(request, raw, settings, action, version)
    try:
        body = json.loads(raw) if raw else None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise invalid("the body is not valid JSON") from None
    if action == SUBMIT_ACTION:
        return _submit(request, ctx, body, settings)
    return _result(request, ctx, body)


def _submit(
    request: Request, ctx: ProviderContext, body: Any, settings: JimengSettings
) -> Response:
    spec = validate_submit(body)
    if INPUT_MODERATION_MARKER in spec.prompt:
        raise business_error(50412)
    forced = CODE_MARKER.search(spec.prompt)
    if forced and int(forced.group(1)) in BUSINESS_ERRORS:
        raise business_error(int(forced.group(1)))
    if settings.concurrency is not None:
        busy = sum(1 for t in ctx.store if not t.phase.terminal)
        if busy >= settings.concurrency:
            raise business_error(50430)
    task = ctx.create_task(
        request,
        model=spec.req_key,
        prompt=spec.prompt,
        video=VideoSpec(duration=spec.duration, width=spec.width, height=spec.height),
        params=body,
        id_factory=new_task_id,
        extra={"aspect_ratio": spec.aspect_ratio},
    )
    return _success({"task_id": task.id})


def _result(request: Request, ctx: ProviderContext, body: Any) -> Response:
    """``CVSync2AsyncGetResult`` (reference §1.4)."""
    if not isinstance(body, dict):
        raise invalid("the body must be a JSON object")
    query = check(GET_RESULT, body, wording)
    task = ctx.store.get(query["task_id"])
    too_old = task is not None and ctx.now() - task.created_at > TASK_RETENTION.total_seconds()
    if task is None or task.model != query["req_key"] or too_old:
        # Unknown, forgotten (12 h) or asked with another req_key: all answer not_found.
        return _success({"status": "not_found", "video_url": ""})
    task = ctx.store.poll(task.id) or task
    if task.phase is Phase.QUEUED:
        return _success({"status": "in_queue", "video_url": ""})
    if task.phase is Phase.RUNNING:
        return _success({"status": "generating", "video_url": ""})
    if ctx.expired(task):  # "expired: resubmit the task" (reference §1.5)
        return _success({"status": "expired", "video_url": ""})
    if task.outcome is Outcome.MODERATION:
        raise business_error(50511)
    if task.phase is Phase.FAILED:
        raise invalid("generation failed")
    link = ctx.media_link(request, task)
    return _success(
        {"aigc_meta_tagged": True, "status": "done", "video_url": link.url, "resp_data": ""}
    )


def _action_kind(request: Request) -> str:
    """Submit and poll share one URL; the ``Action`` query parameter tells them apart."""
    return "poll" if request.query_params.get("Action") == RESULT_ACTION else "submit"


FAKE = ProviderFake(
    name="jimeng",
    endpoints=[
        Endpoint("/", _dispatch, methods=("POST",), kind="submit", classify=_action_kind),
    ],
    exact_credentials={"VOLC_ACCESSKEY": DEFAULT_ACCESS_KEY, "VOLC_SECRETKEY": DEFAULT_SECRET_KEY},
    credentials_note=(
        "jimeng verifies each request's HMAC-V4 signature, so it must know the secret the "
        "request was signed with: export exactly these (a VOLC_SECRETKEY of your own, exported "
        "after these lines, gets SignatureDoesNotMatch)"
    ),
    dialect=VOLC_BUSINESS,
    rate_limited=business_error(50429),
    server_error=business_error(50500),
    url_ttl=VIDEO_URL_TTL.total_seconds(),
    # Each poll signs a fresh link (valid 1 h); tasks are forgotten after 12 h (reference §1.5).
    results_expire=False,
    natural_fps=FPS,
    on_start=settings_for,
    description="Volcengine visual API (Jimeng 3.0 video), HMAC-V4 signed",
)
