"""Fake of the OpenAI Videos API (Sora 2) under ``/sora``.

Follows the API reference (https://developers.openai.com/api/reference/resources/videos) and
``docs/reference/openai-videos.md`` §0-1 (cited as §n), not the ``openai`` SDK's lagging enums
(§0.2). Serves what reelkit's sora plugin and the ``openai`` SDK call: ``POST /v1/videos`` (JSON
or multipart, ``input_reference`` as a file or an object), ``GET /v1/videos`` (list),
``GET /v1/videos/{id}``, ``GET /v1/videos/{id}/content?variant=``, ``POST
/v1/videos/{id}/remix`` and ``POST /v1/videos/extensions``.

``seconds`` is a *string* among 4/8/12/16/20, sizes are per model (1080p only on sora-2-pro),
unknown parameters are rejected, a reference image must match ``size`` pixel for pixel (§0.5).
Errors use OpenAI's envelope; the wording of messages the reference does not quote (not found,
not ready) is the emulator's own. Results expire an hour after completion (§1.5): the Video
object then says ``expired`` and ``/content`` answers 404 ``expired``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
from starlette.requests import Request
from starlette.responses import Response

from reelkit_emulator.errors import OPENAI, ApiError
from reelkit_emulator.provider import Endpoint, ProviderContext, ProviderFake
from reelkit_emulator.providers._openai import (
    STATUS,
    Fields,
    data_url_bytes,
    image_size,
    read_fields,
    task_error,
    unix,
)
from reelkit_emulator.responses import BodyError, bearer_token, json_response
from reelkit_emulator.spec import Field, Problem, Schema, check, int_like, quoted, type_name
from reelkit_emulator.tasks import Task, VideoSpec, random_id

#: Snapshot and alias names -> the model whose rules apply (§1.3).
MODELS: Mapping[str, str] = {
    "sora-2": "sora-2",
    "sora-2-2025-10-06": "sora-2",
    "sora-2-2025-12-08": "sora-2",
    "sora-2-pro": "sora-2-pro",
    "sora-2-pro-2025-10-06": "sora-2-pro",
}
#: §1.3: the SDK says "4"/"8"/"12"; the March 2026 guide adds "16" and "20" for both models.
SECONDS = ("4", "8", "12", "16", "20")
SIZES: Mapping[str, tuple[str, ...]] = {
    "sora-2": ("720x1280", "1280x720"),
    "sora-2-pro": ("720x1280", "1280x720", "1024x1792", "1792x1024", "1920x1080", "1080x1920"),
}
MAX_IMAGE_URL = 20_971_520  # §1.3: image_url, a URL or base64 data URL
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")
VARIANTS = {"video": "mp4", "thumbnail": "webp", "spritesheet": "jpg"}
#: §1.2 extensions: each adds at most 20 s, at most 6 of them, at most 120 s in total.
MAX_EXTENSIONS, MAX_TOTAL_SECONDS = 6, 120
#: §1.5: "Download URLs expire after about 1 hour".
URL_TTL = 3600.0

# --- what the service accepts (§1.3) ---------------------------------------------------------

PROMPT = Field("prompt", required=True, min_len=1, max_len=32_000)
SECONDS_FIELD = Field("seconds", choices=SECONDS, default="4", nullable=False)
CREATE = Schema(
    [
        PROMPT,
        Field("model", choices=tuple(MODELS), default="sora-2"),
        SECONDS_FIELD,
        Field("size", choices=lambda v: SIZES[MODELS[v["model"]]], default="720x1280"),
        Field("input_reference", type="any"),  # a file or an object: checked below
        Field("characters", type="array", max_len=2),  # §1.3: at most 2 per video
    ],
    # multipart bracket-encodes nested objects: input_reference[image_url] (§1.3)
    base_name=lambda name: name.split("[", 1)[0],
)
REMIX = Schema([PROMPT])
EXTEND = Schema([PROMPT, SECONDS_FIELD, Field("video", type="object", required=True)])
VARIANT = Schema([Field("variant", choices=tuple(VARIANTS), default="video")], reject_unknown=False)
LIST = Schema(
    [
        Field("order", choices=("asc", "desc"), default="desc"),
        Field("limit", type="integer", coerce=int_like, min=1, max=100, default=20),
        Field("after"),
    ],
    reject_unknown=False,
)

_EXPECTED = {
    "string": "a string",
    "integer": "an integer",
    "array": "an array",
    "object": "an object",
}


def wording(p: Problem) -> ApiError:
    """OpenAI's validation messages (§0.4 quotes the ``invalid_type`` one)."""
    name = p.field
    if p.kind == "unknown":
        return invalid(f"Unknown parameter: '{name}'.", name, "unknown_parameter")
    if p.kind == "missing":
        return invalid(f"Missing required parameter: '{name}'.", name, "missing_required_parameter")
    if p.kind == "type":
        spec = p.spec
        if spec is not None and spec.choices is not None and not callable(spec.choices):
            expected = f"one of {quoted(spec.choices, 'or')}"
        else:
            expected = _EXPECTED.get(spec.type[0] if spec else "", "a string")
        return invalid(
            f"Invalid type for '{name}': expected {expected}, but got {p.got} instead.",
            name,
            "invalid_type",
        )
    if p.kind == "choice":
        return invalid(
            f"Invalid value: '{p.value}'. Supported values are: {quoted(p.names)}.",
            name,
            "invalid_value",
        )
    if p.kind == "range":
        spec = p.spec
        bounds = f"between {spec.min:g} and {spec.max:g}" if spec else "in range"
        return invalid(f"Invalid '{name}': expected a value {bounds}.", name, "invalid_value")
    what = "string" if isinstance(p.value, str) else "array"
    if p.kind == "too_short":
        return invalid(
            f"Invalid '{name}': {what} too short. Expected a {what} with minimum length "
            f"{p.spec.min_len if p.spec else 1}, but got an empty {what} instead.",
            name,
            f"{what}_below_min_length",
        )
    limit = p.spec.max_len if p.spec else 0
    return invalid(
        f"Invalid '{name}': {what} too long. Expected a{'n' if what == 'array' else ''} {what} "
        f"with maximum length {limit}, but got a{'n' if what == 'array' else ''} {what} with "
        f"length {len(p.value)} instead.",
        name,
        f"{what}_above_max_length",
    )


def invalid(
    message: str, param: str | None = None, code: str | None = None, status: int = 400
) -> ApiError:
    return ApiError(status=status, message=message, param=param, code=code)


def not_found(video_id: str) -> ApiError:
    return invalid(f"Video with id '{video_id}' not found.", "video_id", "not_found", 404)


def authenticate(request: Request) -> None:
    if not bearer_token(request):
        raise invalid(
            "You didn't provide an API key. You need to provide your API key in an "
            "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY). "
            "You can obtain an API key from https://platform.openai.com/account/api-keys.",
            status=401,
        )


async def fields_of(request: Request) -> Fields:
    authenticate(request)
    try:
        return await read_fields(request)
    except BodyError:
        raise invalid(
            "We could not parse the JSON body of your request. (HINT: This likely means you "
            "aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, "
            "but what was sent was not valid JSON.)"
        ) from None


# --- behaviour of its own: reference images and characters -----------------------------------


def check_reference_image(data: bytes, content_type: str | None, size: str) -> None:
    if content_type is not None and content_type not in IMAGE_TYPES:
        raise invalid(
            f"Invalid file 'input_reference': unsupported mimetype ('{content_type}'). "
            f"Supported file formats are {quoted(IMAGE_TYPES)}.",
            "input_reference",
            "invalid_value",
        )
    probe = image_size(data)
    if probe is None or probe[0] not in ("jpeg", "png", "webp"):
        raise invalid(
            "Invalid 'input_reference': the file is not a readable JPEG, PNG or WebP image.",
            "input_reference",
            "invalid_image",
        )
    if "x".join(map(str, probe[1])) != size:
        # §0.5, verbatim.
        raise invalid("Inpaint image must match the requested width and height", "input_reference")


def check_input_reference(fields: Fields, size: str) -> dict[str, Any] | None:
    """The reference image (a file part or a JSON object, §1.3); returns what to keep."""
    upload = fields.files.get("input_reference")
    if upload is not None:
        check_reference_image(upload.data, upload.content_type or None, size)
        return {"file": upload.filename}
    value = fields.values.get("input_reference")
    nested = {k[16:-1]: v for k, v in fields.values.items() if k.startswith("input_reference[")}
    if value is None and nested:
        value = nested
    if value is None:
        return None
    if not isinstance(value, dict):
        # §1.3 / §1.6: the current API wants an object (a file in multipart).
        expected = "a file" if fields.multipart else "an object"
        raise invalid(
            f"Invalid type for 'input_reference': expected {expected}, but got "
            f"{type_name(value)} instead.",
            "input_reference",
            "invalid_type",
        )
    keys = set(value) & {"file_id", "image_url"}
    if len(keys) != 1 or set(value) - keys:
        raise invalid(
            "Invalid 'input_reference': expected an object with exactly one of 'file_id' or "
            "'image_url'.",
            "input_reference",
            "invalid_value",
        )
    key = keys.pop()
    ref = check(
        Schema([Field(key, required=True, min_len=1, max_len=MAX_IMAGE_URL)]),
        value,
        lambda p: wording(attrs.evolve(p, field=f"input_reference.{key}")),
    )[key]
    if key == "image_url":
        data = data_url_bytes(ref)
        if data is not None:  # inline images are checked; remote ones cannot be fetched offline
            check_reference_image(data, None, size)
        elif not ref.startswith(("http://", "https://")):
            raise invalid(
                "Invalid 'input_reference.image_url': expected a URL or a base64 data URL.",
                "input_reference.image_url",
                "invalid_value",
            )
    return {key: ref if len(ref) < 200 else ref[:200] + "..."}


def check_characters(value: Any) -> None:
    if value is not None and not all(
        isinstance(c, dict) and isinstance(c.get("id"), str) for c in value
    ):
        raise invalid(
            "Invalid 'characters': expected an array of objects with an 'id'.",
            "characters",
            "invalid_type",
        )


# --- the Video object (§1.4) -----------------------------------------------------------------


def video_object(ctx: ProviderContext, task: Task) -> dict[str, Any]:
    # §1.4: "expired" is observed in the wild once the assets are gone.
    status = "expired" if ctx.expired(task) else STATUS[task.phase]
    return {
        "id": task.id,
        "object": "video",
        "created_at": unix(task.created_at),
        "status": status,
        "completed_at": unix(task.finished_at) if task.phase.terminal else None,
        "error": task_error(task),
        "expires_at": unix(task.expires_at),
        "model": task.model,
        "progress": task.progress,
        "prompt": task.prompt,
        "remixed_from_video_id": task.extra.get("remixed_from"),
        "seconds": task.params["seconds"],
        "size": task.video.size,
    }


def answer(ctx: ProviderContext, task: Task) -> Response:
    headers = {"x-request-id": random_id("req_", 32)}
    if not task.phase.terminal:
        # §1.5: the SDK's poll helper sleeps for this server hint.
        headers["openai-poll-after-ms"] = str(ctx.config.poll_hint_ms)
    return json_response(video_object(ctx, task), headers=headers)


def new_video(
    request: Request,
    ctx: ProviderContext,
    *,
    model: str,
    prompt: str,
    seconds: str,
    size: str,
    **extra: Any,
) -> Response:
    task = ctx.create_task(
        request,
        model=model,
        prompt=prompt,
        video=VideoSpec.parse(int(seconds), size),
        params={"seconds": seconds, **{k: v for k, v in extra.items() if v is not None}},
        id_factory=lambda: random_id("video_", 48),
        extra={k: v for k, v in extra.items() if k == "remixed_from" and v},
    )
    return answer(ctx, task)


def completed_source(ctx: ProviderContext, video_id: str, action: str) -> Task:
    task = ctx.store.get(video_id)
    if task is None:
        raise not_found(video_id)
    if not task.succeeded:
        raise invalid(
            f"Video '{video_id}' is {STATUS[task.phase]}; only completed videos can be {action}.",
            "video_id",
            "invalid_state",
        )
    return task


# --- handlers ---------------------------------------------------------------------------------


async def create(request: Request, ctx: ProviderContext) -> Response:
    fields = await fields_of(request)
    values = check(CREATE, {**fields.values, **fields.files}, wording)
    reference = check_input_reference(fields, values["size"])
    check_characters(values["characters"])
    return new_video(
        request,
        ctx,
        model=values["model"],
        prompt=values["prompt"],
        seconds=values["seconds"],
        size=values["size"],
        input_reference=reference,
        characters=values["characters"],
    )


async def retrieve(request: Request, ctx: ProviderContext) -> Response:
    authenticate(request)
    video_id = request.path_params["video_id"]
    task = ctx.store.poll(video_id)
    if task is None:
        raise not_found(video_id)
    return answer(ctx, task)


async def content(request: Request, ctx: ProviderContext) -> Response:
    authenticate(request)
    video_id = request.path_params["video_id"]
    variant = check(VARIANT, request.query_params, wording)["variant"]
    task = ctx.store.get(video_id)
    if task is None:
        raise not_found(video_id)
    if not task.succeeded:
        raise invalid(
            f"Video '{video_id}' is not ready: its status is {STATUS[task.phase]}.",
            "video_id",
            "invalid_state",
        )
    if ctx.expired(task):
        raise ctx.fake.expired.copy()
    ext = VARIANTS[variant]
    if ext == "mp4":
        return await ctx.video_response(task, f"{task.id}.mp4")
    return await ctx.image_response(task, ext)


async def list_videos(request: Request, ctx: ProviderContext) -> Response:
    """``GET /v1/videos?after=&limit=&order=`` (§1.2): a cursor page of the Video objects
    retrieve returns, newest first unless ``order=asc``. ``after`` is the id of the last item of
    the previous page. Listing is not a poll: it advances no task and is not counted."""
    authenticate(request)
    query = check(LIST, request.query_params, wording)
    tasks = list(ctx.store)  # newest first
    if query["order"] == "asc":
        tasks.reverse()
    if query["after"]:
        ids = [t.id for t in tasks]
        tasks = tasks[ids.index(query["after"]) + 1 :] if query["after"] in ids else []
    page = tasks[: query["limit"]]
    return json_response(
        {
            "object": "list",
            "data": [video_object(ctx, t) for t in page],
            "first_id": page[0].id if page else None,
            "last_id": page[-1].id if page else None,
            "has_more": len(tasks) > query["limit"],
        }
    )


async def remix(request: Request, ctx: ProviderContext) -> Response:
    values = check(REMIX, (await fields_of(request)).values, wording)
    source = completed_source(ctx, request.path_params["video_id"], "remixed")
    return new_video(
        request,
        ctx,
        model=source.model,
        prompt=values["prompt"],
        seconds=source.params["seconds"],
        size=source.video.size,
        remixed_from=source.id,
    )


async def extend(request: Request, ctx: ProviderContext) -> Response:
    values = check(EXTEND, (await fields_of(request)).values, wording)
    video = values["video"]
    if not isinstance(video.get("id"), str):
        raise invalid(
            "Invalid type for 'video': expected an object with an 'id'.", "video", "invalid_type"
        )
    source = completed_source(ctx, video["id"], "extended")
    chain = int(source.params.get("extensions", 0)) + 1
    total = int(source.params["seconds"]) + int(values["seconds"])
    if chain > MAX_EXTENSIONS or total > MAX_TOTAL_SECONDS:
        raise invalid(
            f"A video can be extended at most {MAX_EXTENSIONS} times and to at most "
            f"{MAX_TOTAL_SECONDS} seconds in total.",
            "seconds",
            "invalid_value",
        )
    # §1.4: for extensions ``seconds`` is the total stitched duration.
    return new_video(
        request,
        ctx,
        model=source.model,
        prompt=values["prompt"],
        seconds=str(total),
        size=source.video.size,
        extended_from=source.id,
        extensions=chain,
    )


FAKE = ProviderFake(
    name="sora",
    endpoints=[
        Endpoint("/v1/videos", create, ("POST",), "submit"),
        Endpoint("/v1/videos", list_videos, ("GET",), "other"),
        Endpoint("/v1/videos/extensions", extend, ("POST",), "submit"),
        Endpoint("/v1/videos/{video_id}", retrieve, ("GET",), "poll"),
        Endpoint("/v1/videos/{video_id}/content", content, ("GET",), "download"),
        Endpoint("/v1/videos/{video_id}/remix", remix, ("POST",), "submit"),
    ],
    credentials={"OPENAI_API_KEY": "emulator"},
    dialect=OPENAI,
    rate_limited=ApiError(
        status=429,
        message="Rate limit reached for videos in organization org-emulator on requests per min "
        "(RPM): Limit 375, Used 375, Requested 1. Please try again in 1s.",
        type="requests",
        code="rate_limit_exceeded",
    ),
    server_error=ApiError(
        status=500,
        message="The server had an error while processing your request. Sorry about that!",
        type="server_error",
    ),
    expired=invalid(
        "The video's assets have expired and can no longer be downloaded.",
        code="expired",
        status=404,
    ),
    url_ttl=URL_TTL,
    natural_fps=24,
    description="OpenAI Videos API (Sora 2)",
)
