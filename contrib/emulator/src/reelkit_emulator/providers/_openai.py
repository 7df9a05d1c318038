"""Helpers shared by the OpenAI-style fakes (sora, qiniu, newapi): status words, failure
objects, create bodies in JSON or multipart, images and frame sizes.

Facts: ``docs/reference/openai-videos.md`` (cited as §n), drawn from
https://developers.openai.com/api/reference/resources/videos.
"""

from __future__ import annotations

import base64
import binascii
import io
import math
from collections.abc import Mapping
from typing import Any

import attrs
from starlette.datastructures import UploadFile
from starlette.requests import Request

from reelkit_emulator.responses import BodyError, is_multipart, json_body
from reelkit_emulator.spec import type_name
from reelkit_emulator.tasks import Outcome, Phase, Task

#: The OpenAI Video object's status words (§1.4).
STATUS: Mapping[Phase, str] = {
    Phase.QUEUED: "queued",
    Phase.RUNNING: "in_progress",
    Phase.SUCCEEDED: "completed",
    Phase.FAILED: "failed",
    Phase.CANCELLED: "cancelled",
    Phase.EXPIRED: "expired",
}

#: ``Video.error`` of a moderated job, as OpenAI and Qiniu relay it (§1.4, §2.3).
MODERATION_ERROR = {
    "code": "moderation_blocked",
    "message": "Your request was blocked by our moderation system.",
}
#: ``Video.error`` of a generic failure (the emulator's wording; the real one is undocumented).
FAILURE_ERROR = {
    "code": "video_generation_failed",
    "message": "Video generation failed. Please try again.",
}


def task_error(task: Task) -> dict[str, str] | None:
    """The ``error`` object of a failed task, else None."""
    if task.phase is not Phase.FAILED:
        return None
    return dict(MODERATION_ERROR if task.outcome is Outcome.MODERATION else FAILURE_ERROR)


def unix(seconds: float | None) -> int | None:
    return None if seconds is None else int(seconds)


# --- create bodies ----------------------------------------------------------------------------


@attrs.frozen
class Upload:
    """A file part of a multipart body."""

    filename: str
    content_type: str
    data: bytes


@attrs.frozen
class Fields:
    """A create body, whichever encoding carried it."""

    values: dict[str, Any]
    files: dict[str, Upload]
    multipart: bool


async def read_fields(request: Request, *, allow_form: bool = True) -> Fields:
    """JSON, or (when ``allow_form``) multipart / urlencoded form fields and files."""
    content_type = request.headers.get("content-type", "").lower()
    is_form = content_type.startswith("application/x-www-form-urlencoded")
    if allow_form and (is_multipart(request) or is_form):
        try:
            form = await request.form()
        except Exception as exc:  # python-multipart raises several types on bad bodies
            raise BodyError(f"invalid form body: {exc}") from None
        values: dict[str, Any] = {}
        files: dict[str, Upload] = {}
        for key, item in form.multi_items():
            if isinstance(item, UploadFile):
                files[key] = Upload(
                    filename=item.filename or "",
                    content_type=(item.content_type or "").lower(),
                    data=await item.read(),
                )
            else:
                values[key] = item
        return Fields(values=values, files=files, multipart=True)
    body = await json_body(request)
    if not isinstance(body, dict):
        raise BodyError(f"the body must be a JSON object, got {type_name(body)}")
    return Fields(values=body, files={}, multipart=False)


# --- images -----------------------------------------------------------------------------------


def data_url_bytes(value: str) -> bytes | None:
    """The bytes of a ``data:image/...;base64,`` URL; None if it is not one or is not base64."""
    if not value.startswith("data:"):
        return None
    header, _, payload = value.partition(",")
    if ";base64" not in header:
        return None
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        return None


def image_size(data: bytes) -> tuple[str, tuple[int, int]] | None:
    """``(format, (width, height))`` of an encoded image, or None if it is not one."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            return (image.format or "").lower(), image.size
    except (UnidentifiedImageError, OSError, ValueError):
        return None


# --- frame sizes ------------------------------------------------------------------------------


def aspect_frame(aspect: str, short_side: int) -> tuple[int, int]:
    """Frame size for an aspect ratio ``"16:9"`` at a short side (720 -> 1280x720), even sides."""
    w, h = (int(v) for v in aspect.split(":"))
    if w <= 0 or h <= 0:
        raise ValueError(f"bad aspect ratio {aspect!r}")
    width: float = short_side * w / h if w >= h else short_side
    height: float = short_side if w >= h else short_side * h / w
    return 2 * math.ceil(width / 2), 2 * math.ceil(height / 2)


def size_aspect(size: str) -> str:
    """The orientation class of ``"WxH"``: ``16:9``, ``9:16`` or ``1:1`` (Kling's reading, §3.4)."""
    w, h = (int(v) for v in size.lower().split("x"))
    return "16:9" if w > h else "9:16" if w < h else "1:1"
