"""Fake of the OpenAI Videos API (Sora 2) under ``/sora``.

Facts: the project's OpenAI Videos reference notes, §0-1 (cited as §n), drawn from the API
reference (https://developers.openai.com/api/reference/resources/videos) and the ``openai``
SDK's types. Serves
``POST /v1/videos`` (JSON or multipart, ``input_reference`` file or object), ``GET /v1/videos``,
``GET|DELETE /v1/videos/{id}``, ``GET /v1/videos/{id}/content?variant=``, ``POST
/v1/videos/{id}/remix``, ``POST /v1/videos/edits`` and ``POST /v1/videos/extensions``.

Validation follows the API, not the SDK's lagging enums (§0.2): ``seconds`` is a *string* among
4/8/12/16/20, sizes per model (1080p only on sora-2-pro), unknown parameters are rejected, a
reference image must match ``size`` pixel for pixel (§0.5). Errors use OpenAI's envelope
``{"error": {"message", "type", "param", "code"}}``. The wording of messages the reference does
not quote (not found, not ready) is the emulator's own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from reelkit_emulator.provider import Endpoint, ProviderContext, ProviderFake
from reelkit_emulator.providers._openai import (
    STATUS,
    Fields,
    Upload,
    data_url_bytes,
    image_size,
    quoted,
    read_fields,
    task_error,
    type_name,
    unix,
)
from reelkit_emulator.responses import BodyError, Reject, bearer_token, json_response, openai_error
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
DEFAULT_MODEL, DEFAULT_SECONDS, DEFAULT_SIZE = "sora-2", "4", "720x1280"
CREATE_FIELDS = ("prompt", "model", "seconds", "size", "input_reference", "characters")
MAX_PROMPT = 32_000
MAX_IMAGE_URL = 20_971_520  # §1.3: image_url, a URL or base64 data URL
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")
VARIANTS = {"video": "mp4", "thumbnail": "webp", "spritesheet": "jpg"}
#: §1.2 extensions: each adds at most 20 s, at most 6 of them, at most 120 s in total.
MAX_EXTENSIONS, MAX_TOTAL_SECONDS = 6, 120
#: §1.5: "Download URLs expire after about 1 hour".
URL_TTL = 3600.0


# --- errors -----------------------------------------------------------------------------------


def invalid(
    message: str, param: str | None = None, code: str | None = None, status: int = 400
) -> Reject:
    return Reject(openai_error(status, message, param=param, code=code))


def not_found(video_id: str) -> Reject:
    return invalid(f"Video with id '{video_id}' not found.", "video_id", "not_found", 404)


def fault(status: int, headers: Mapping[str, str]) -> Response:
    if status == 429:
        message = (
            "Rate limit reached for videos in organization org-emulator on requests per min "
            "(RPM): Limit 375, Used 375, Requested 1. Please try again in 1s."
        )
        return openai_error(
            429, message, type="requests", code="rate_limit_exceeded", headers=headers
        )
    message = "The server had an error while processing your request. Sorry about that!"
    return openai_error(status, message, type="server_error", headers=headers)


def expired() -> Response:
    return openai_error(
        404, "The video's assets have expired and can no longer be downloaded.", code="expired"
    )


def authenticate(request: Request) -> None:
    if not bearer_token(request):
        raise invalid(
            "You didn't provide an API key. You need to provide your API key in an "
            "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY). "
            "You can obtain an API key from https://platform.openai.com/account/api-keys.",
            status=401,
        )


async def fields_of(request: Request) -> Fields:
    try:
        return await read_fields(request)
    except BodyError:
        raise invalid(
            "We could not parse the JSON body of your request. (HINT: This likely means you "
            "aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, "
            "but what was sent was not valid JSON.)"
        ) from None


# --- field rules ------------------------------------------------------------------------------


def reject_unknown(fields: Fields, allowed: tuple[str, ...]) -> None:
    for name in [*fields.values, *fields.files]:
        # multipart bracket-encodes nested objects: input_reference[image_url] (§1.3)
        if name.split("[", 1)[0] not in allowed:
            raise invalid(f"Unknown parameter: '{name}'.", name, "unknown_parameter")


def string_field(values: Mapping[str, Any], name: str, default: str | None = None) -> str | None:
    value = values.get(name, default)
    if value is not None and not isinstance(value, str):
        raise invalid(
            f"Invalid type for '{name}': expected a string, but got {type_name(value)} instead.",
            name,
            "invalid_type",
        )
    return value


def check_prompt(values: Mapping[str, Any]) -> str:
    if "prompt" not in values:
        raise invalid(
            "Missing required parameter: 'prompt'.", "prompt", "missing_required_parameter"
        )
    prompt = string_field(values, "prompt") or ""
    if not prompt:
        raise invalid(
            "Invalid 'prompt': string too short. Expected a string with minimum length 1, "
            "but got an empty string instead.",
            "prompt",
            "string_below_min_length",
        )
    if len(prompt) > MAX_PROMPT:
        raise invalid(
            f"Invalid 'prompt': string too long. Expected a string with maximum length "
            f"{MAX_PROMPT}, but got a string with length {len(prompt)} instead.",
            "prompt",
            "string_above_max_length",
        )
    return prompt


def check_choice(value: str, name: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise invalid(
            f"Invalid value: '{value}'. Supported values are: {quoted(allowed)}.",
            name,
            "invalid_value",
        )
    return value


def check_seconds(values: Mapping[str, Any], default: str | None) -> str:
    value = values.get("seconds", default)
    if not isinstance(value, str):
        # §0.4: an integer is rejected with exactly this message shape.
        raise invalid(
            f"Invalid type for 'seconds': expected one of {quoted(SECONDS, 'or')}, but got "
            f"{type_name(value)} instead.",
            "seconds",
            "invalid_type",
        )
    return check_choice(value, "seconds", SECONDS)


def check_model(values: Mapping[str, Any]) -> tuple[str, str]:
    """``(model as sent, model whose rules apply)``."""
    model = string_field(values, "model", DEFAULT_MODEL) or DEFAULT_MODEL
    return check_choice(model, "model", tuple(MODELS)), MODELS[model]


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
    """Validate the reference image (file part or JSON object, §1.3); returns what to keep."""
    upload: Upload | None = fields.files.get("input_reference")
    if upload is not None:
        check_reference_image(upload.data, upload.content_type or None, size)
        return {"file": upload.filename}
    value = fields.values.get("input_reference")
    nested = {k[16:-1]: v for k, v in fields.values.items() if k.startswith("input_reference[")}
    if value is None and nested:  # multipart bracket-encodes objects: input_reference[image_url]
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
    ref = value[key]
    if not isinstance(ref, str) or not ref:
        raise invalid(
            f"Invalid type for 'input_reference.{key}': expected a string, but got "
            f"{type_name(ref)} instead.",
            f"input_reference.{key}",
            "invalid_type",
        )
    if key == "image_url":
        if len(ref) > MAX_IMAGE_URL:
            raise invalid(
                f"Invalid 'input_reference.image_url': string too long. Expected a string with "
                f"maximum length {MAX_IMAGE_URL}, but got a string with length {len(ref)} instead.",
                "input_reference.image_url",
                "string_above_max_length",
            )
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


def check_characters(values: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    value = values.get("characters")
    if value is None:
        return None
    if not isinstance(value, list) or not all(
        isinstance(c, dict) and isinstance(c.get("id"), str) for c in value
    ):
        raise invalid(
            "Invalid 'characters': expected an array of objects with an 'id'.",
            "characters",
            "invalid_type",
        )
    if len(value) > 2:  # §1.3: at most 2 per video
        raise invalid(
            f"Invalid 'characters': array too long. Expected an array with maximum length 2, "
            f"but got an array with length {len(value)} instead.",
            "characters",
            "array_above_max_length",
        )
    return value


# --- the Video object -------------------------------------------------------------------------


def video_object(ctx: ProviderContext, task: Task) -> dict[str, Any]:
    status = STATUS[task.phase]
    expires_at = task.extra.get("expires_at")
    if task.succeeded and expires_at is not None and ctx.now() >= expires_at:
        status = "expired"  # §1.4: observed in the wild once the assets are gone
    return {
        "id": task.id,
        "object": "video",
        "created_at": unix(task.created_at),
        "status": status,
        "completed_at": unix(task.finished_at) if task.phase.terminal else None,
        "error": task_error(task),
        "expires_at": unix(expires_at),
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


def on_poll(ctx: ProviderContext, task: Task) -> None:
    if task.succeeded and "expires_at" not in task.extra:
        task.extra["expires_at"] = (task.finished_at or ctx.now()) + ctx.url_ttl


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
    authenticate(request)
    fields = await fields_of(request)
    values = fields.values
    reject_unknown(fields, CREATE_FIELDS)
    prompt = check_prompt(values)
    model, rules = check_model(values)
    seconds = check_seconds(values, DEFAULT_SECONDS)
    size = check_choice(string_field(values, "size", DEFAULT_SIZE) or "", "size", SIZES[rules])
    reference = check_input_reference(fields, size)
    characters = check_characters(values)
    return new_video(
        request,
        ctx,
        model=model,
        prompt=prompt,
        seconds=seconds,
        size=size,
        input_reference=reference,
        characters=characters,
    )


async def retrieve(request: Request, ctx: ProviderContext) -> Response:
    authenticate(request)
    video_id = request.path_params["video_id"]
    task = ctx.store.poll(video_id)
    if task is None:
        raise not_found(video_id)
    on_poll(ctx, task)
    return answer(ctx, task)


async def content(request: Request, ctx: ProviderContext) -> Response:
    authenticate(request)
    video_id = request.path_params["video_id"]
    variant = request.query_params.get("variant", "video")
    check_choice(variant, "variant", tuple(VARIANTS))
    task = ctx.store.get(video_id)
    if task is None:
        raise not_found(video_id)
    if not task.succeeded:
        raise invalid(
            f"Video '{video_id}' is not ready: its status is {STATUS[task.phase]}.",
            "video_id",
            "invalid_state",
        )
    on_poll(ctx, task)  # a client may download without having seen "completed"
    if ctx.now() >= task.extra["expires_at"]:
        return expired()
    ext = VARIANTS[variant]
    if ext == "mp4":
        return await ctx.video_response(task, f"{task.id}.mp4")
    return await ctx.image_response(task, ext)


async def list_videos(request: Request, ctx: ProviderContext) -> Response:
    """``GET /v1/videos?after=&limit=&order=`` (§1.2): a cursor page of the Video objects
    retrieve returns (prompt included), newest first unless ``order=asc``.

    ``after`` is the id of the last item of the previous page; ``has_more`` says whether a
    further page exists. Listing is not a poll: it advances no task and is not counted.
    """
    authenticate(request)
    query = request.query_params
    order = check_choice(query.get("order", "desc"), "order", ("asc", "desc"))
    try:
        limit = int(query.get("limit", "20"))
    except ValueError:
        raise invalid("Invalid 'limit': expected an integer.", "limit", "invalid_type") from None
    if not 1 <= limit <= 100:
        raise invalid(
            "Invalid 'limit': expected a value between 1 and 100.", "limit", "invalid_value"
        )
    tasks = list(ctx.store)  # newest first
    if order == "asc":
        tasks.reverse()
    after = query.get("after")
    if after:
        ids = [t.id for t in tasks]
        tasks = tasks[ids.index(after) + 1 :] if after in ids else []
    page = tasks[:limit]
    for task in page:
        on_poll(ctx, task)  # the same expires_at a retrieve would show
    return json_response(
        {
            "object": "list",
            "data": [video_object(ctx, t) for t in page],
            "first_id": page[0].id if page else None,
            "last_id": page[-1].id if page else None,
            "has_more": len(tasks) > limit,
        }
    )


async def delete(request: Request, ctx: ProviderContext) -> Response:
    authenticate(request)
    video_id = request.path_params["video_id"]
    task = ctx.store.get(video_id)
    if task is None:
        raise not_found(video_id)
    if not task.phase.terminal:  # §1.2: deletes a completed or failed video
        raise invalid(
            f"Video '{video_id}' is {STATUS[task.phase]}; only completed or failed videos can "
            "be deleted.",
            "video_id",
            "invalid_state",
        )
    ctx.store.delete(video_id)
    return json_response({"id": video_id, "object": "video.deleted", "deleted": True})


async def remix(request: Request, ctx: ProviderContext) -> Response:
    authenticate(request)
    fields = await fields_of(request)
    reject_unknown(fields, ("prompt",))
    prompt = check_prompt(fields.values)
    source = completed_source(ctx, request.path_params["video_id"], "remixed")
    return new_video(
        request,
        ctx,
        model=source.model,
        prompt=prompt,
        seconds=source.params["seconds"],
        size=source.video.size,
        remixed_from=source.id,
    )


def source_video(fields: Fields, ctx: ProviderContext, action: str) -> Task:
    value = fields.values.get("video")
    if not isinstance(value, dict) or not isinstance(value.get("id"), str):
        raise invalid(
            f"Invalid type for 'video': expected an object with an 'id', but got "
            f"{type_name(value)} instead.",
            "video",
            "invalid_type",
        )
    return completed_source(ctx, value["id"], action)


async def edit(request: Request, ctx: ProviderContext) -> Response:
    authenticate(request)
    fields = await fields_of(request)
    reject_unknown(fields, ("prompt", "video", "model"))
    prompt = check_prompt(fields.values)
    upload = fields.files.get("video")
    if upload is not None:  # §1.2: multipart with a video file
        model, _ = check_model(fields.values)
        seconds, size = probe_video(upload.data)
        return new_video(request, ctx, model=model, prompt=prompt, seconds=seconds, size=size)
    source = source_video(fields, ctx, "edited")
    return new_video(
        request,
        ctx,
        model=source.model,
        prompt=prompt,
        seconds=source.params["seconds"],
        size=source.video.size,
        edited_from=source.id,
    )


async def extend(request: Request, ctx: ProviderContext) -> Response:
    authenticate(request)
    fields = await fields_of(request)
    reject_unknown(fields, ("prompt", "seconds", "video"))
    prompt = check_prompt(fields.values)
    seconds = check_seconds(fields.values, DEFAULT_SECONDS)
    source = source_video(fields, ctx, "extended")
    chain = int(source.params.get("extensions", 0)) + 1
    total = int(source.params["seconds"]) + int(seconds)
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
        prompt=prompt,
        seconds=str(total),
        size=source.video.size,
        extended_from=source.id,
        extensions=chain,
    )


def probe_video(data: bytes) -> tuple[str, str]:
    """``(seconds, size)`` of an uploaded video, or a rejection if it is not one."""
    import io

    import av

    try:
        with av.open(io.BytesIO(data)) as container:
            stream = container.streams.video[0]
            duration = float(container.duration or 0) / 1_000_000
            return str(max(1, round(duration))), f"{stream.width}x{stream.height}"
    except (av.error.FFmpegError, IndexError, ValueError):
        raise invalid(
            "Invalid 'video': the file is not a readable video.", "video", "invalid_video"
        ) from None


FAKE = ProviderFake(
    name="sora",
    endpoints=[
        Endpoint("/v1/videos", create, ("POST",), "submit"),
        Endpoint("/v1/videos", list_videos, ("GET",), "other"),
        Endpoint("/v1/videos/edits", edit, ("POST",), "submit"),
        Endpoint("/v1/videos/extensions", extend, ("POST",), "submit"),
        Endpoint("/v1/videos/{video_id}", retrieve, ("GET",), "poll"),
        Endpoint("/v1/videos/{video_id}", delete, ("DELETE",), "other"),
        Endpoint("/v1/videos/{video_id}/content", content, ("GET",), "download"),
        Endpoint("/v1/videos/{video_id}/remix", remix, ("POST",), "submit"),
    ],
    credentials={"OPENAI_API_KEY": "emulator"},
    fault_response=fault,
    expired_response=expired,
    url_ttl=URL_TTL,
    natural_fps=24,
    description="OpenAI Videos API (Sora 2)",
)
