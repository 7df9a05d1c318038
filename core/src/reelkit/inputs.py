"""The inputs a model can take: the prompt's length, images' transport, format, bytes and
sides, a first frame that must match the video's size. Pure checks run by ``clamp``; what no
adjustment can fix is an ``InvalidRequest`` naming the field and what is allowed."""

from __future__ import annotations

from .capabilities import Mode, ModelInfo, parse_size
from .errors import InvalidRequest
from .models import Media, Role, VideoRequest


def check_prompt(request: VideoRequest, model: ModelInfo, mode: Mode) -> None:
    if mode is Mode.T2V and not request.prompt.strip():
        raise InvalidRequest("prompt", "text-to-video needs a non-empty prompt")
    limit = model.max_prompt_chars
    if limit is not None and len(request.prompt) > limit:
        raise InvalidRequest(
            "prompt",
            f"{len(request.prompt)} characters is over {model.id}'s limit; prompts are never truncated",
            allowed=f"at most {limit} characters",
        )


def check_media(request: VideoRequest, model: ModelInfo) -> None:
    limits = model.images
    for role, medium in request.media():
        name = "reference_images" if role is Role.REFERENCE_IMAGE else role.value
        if role is not Role.VIDEO:
            check_image(name, medium, model)
        elif medium.is_remote and "url" not in limits.transports:
            raise InvalidRequest(
                name, f"{model.id} cannot fetch a video URL", allowed=limits.transports
            )


def check_image(name: str, medium: Media, model: ModelInfo) -> None:
    limits = model.images
    if medium.is_remote and "url" not in limits.transports:
        raise InvalidRequest(
            name,
            f"{model.id} does not take image URLs; pass a local file or bytes",
            allowed=limits.transports,
        )
    if not medium.is_remote and not {"base64", "upload"} & set(limits.transports):
        raise InvalidRequest(name, f"{model.id} takes only image URLs", allowed=limits.transports)
    fmt = medium.format
    if (
        fmt is not None
        and fmt not in limits.formats
        and not (fmt == "jpg" and "jpeg" in limits.formats)
    ):
        raise InvalidRequest(
            name, f"{fmt} images are not accepted by {model.id}", allowed=limits.formats
        )
    if (
        limits.max_bytes is not None
        and medium.data is not None
        and len(medium.data) > limits.max_bytes
    ):
        raise InvalidRequest(
            name,
            f"{len(medium.data)} bytes is over {model.id}'s limit",
            allowed=f"at most {limits.max_bytes} bytes",
        )
    if medium.width and medium.height:
        longest, shortest = max(medium.width, medium.height), min(medium.width, medium.height)
        if limits.max_side is not None and longest > limits.max_side:
            raise InvalidRequest(
                name,
                f"{medium.width}x{medium.height} is too large",
                allowed=f"sides up to {limits.max_side} px",
            )
        if limits.min_side is not None and shortest < limits.min_side:
            raise InvalidRequest(
                name,
                f"{medium.width}x{medium.height} is too small",
                allowed=f"sides of at least {limits.min_side} px",
            )


def check_frame_size(applied: VideoRequest, model: ModelInfo) -> None:
    frame = applied.first_frame
    if not model.images.must_match_size or frame is None or not (frame.width and frame.height):
        return
    assert applied.size is not None
    if (frame.width, frame.height) != parse_size(applied.size):
        raise InvalidRequest(
            "first_frame",
            f"is {frame.width}x{frame.height} but {model.id} needs a first frame of the video's size",
            allowed=applied.size,
        )
