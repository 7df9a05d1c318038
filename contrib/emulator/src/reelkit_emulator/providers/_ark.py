"""Ark's error wording and its ``content`` items, for the seedance fake.

Facts: ``docs/reference/volcengine-kling.md`` §3.2-3.3 and §3.6 (the create body's ``content``
array: ``text``, ``image_url`` with roles, 2.x reference ``video_url``/``audio_url``, 1.5 pro
``draft_task``; legacy ``--flags`` in the text; ``InvalidParameter.<Param>`` errors), from
https://docs.byteplus.com/en/docs/ModelArk/1520757.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from reelkit_emulator.errors import ApiError
from reelkit_emulator.providers._volc import image_size
from reelkit_emulator.spec import Problem

if TYPE_CHECKING:
    from reelkit_emulator.providers.seedance import SeedanceModel

RATIOS = ("16:9", "4:3", "1:1", "3:4", "9:16", "21:9", "adaptive")

# --- errors: ``{"error": {"code", "message", "param", "type"}}`` (§3.3, §3.6) -----------------


def _camel(param: str) -> str:
    head = param.split(".")[0].split("[")[0]
    return "".join(part.capitalize() for part in head.split("_"))


def invalid(param: str, detail: str) -> ApiError:
    return ApiError(
        status=400,
        code=f"InvalidParameter.{_camel(param)}" if param else "InvalidParameter",
        message=f"The parameter `{param}` specified in the request is not valid: {detail}.",
        param=param,
    )


def missing(param: str) -> ApiError:
    return ApiError(
        status=400,
        code="MissingParameter",
        message="The request failed because it is missing one or multiple required parameters: "
        f"{param}.",
        param=param,
    )


def task_not_found(task_id: str) -> ApiError:
    message = f"The specified task {task_id} is not found."
    return ApiError(status=404, code="ResourceNotFound", message=message, param="id")


_TYPE_WORDS = {"boolean": "a boolean", "integer": "an integer", "string": "a string"}


def wording(p: Problem) -> ApiError:
    spec = p.spec
    if p.kind == "missing":
        return missing(p.field)
    if p.kind == "choice":
        return invalid(p.field, f"must be one of {', '.join(map(str, p.names))}")
    if p.kind == "range" and spec is not None:
        return invalid(p.field, f"must be an integer in [{spec.min:.0f}, {spec.max:.0f}]")
    if p.kind == "type" and spec is not None and spec.type[0] in _TYPE_WORDS:
        return invalid(p.field, f"must be {_TYPE_WORDS[spec.type[0]]}")
    return invalid(p.field, "is not valid")


_IMAGE_FORMATS = ("jpeg", "jpg", "png", "webp", "bmp", "tiff", "gif")
_DATA_URI = re.compile(r"^data:image/([a-z0-9.+-]+);base64,(.*)$", re.DOTALL)
_FLAG = re.compile(r"--(\w+)\s+(\S+)")
_FLAG_NAMES = {
    "resolution": "resolution", "rs": "resolution", "ratio": "ratio", "rt": "ratio",
    "duration": "duration", "dur": "duration", "frames": "frames", "framespersecond": "fps",
    "fps": "fps", "seed": "seed", "camerafixed": "camera_fixed", "cf": "camera_fixed",
    "watermark": "watermark", "wm": "watermark",
}  # fmt: skip
_ROLES = {
    "image_url": ("first_frame", "last_frame", "reference_image"),
    "video_url": ("reference_video",),
    "audio_url": ("reference_audio",),
}


MODERATION_ERROR = {
    "code": "OutputVideoSensitiveContentDetected",
    "message": "The request failed because the output video may contain sensitive information.",
}
FAILURE_ERROR = {
    "code": "InternalServiceError",
    "message": "The service encountered an unexpected internal error.",
}
#: A prompt with this marker is refused at create: 400 ``InputTextSensitiveContentDetected``.
INPUT_MODERATION_MARKER = "[emulator:input-moderation]"
INPUT_MODERATED = ApiError(
    status=400,
    code="InputTextSensitiveContentDetected",
    message="The request failed because the input text may contain sensitive information.",
)


@attrs.frozen
class Content:
    """What the ``content`` items ask for."""

    text: str
    #: Legacy ``--flags`` from the text (1.x), values that fit only.
    flags: Mapping[str, Any]
    #: Aspect ratios of the first-frame images (None where the image could not be read).
    firsts: Sequence[float | None]
    mode: str  # t2v, first_frame, first_last, reference (or the draft's)
    draft_from: Any


def parse_content(
    content: list[Any], model: SeedanceModel, model_id: str, draft_lookup: Mapping[str, Any] | None
) -> Content:
    """Check every item and the combination; ``draft_lookup`` maps finished draft task ids to
    their specs."""
    texts: list[str] = []
    firsts: list[float | None] = []
    lasts: list[float | None] = []
    refs = {"image_url": 0, "video_url": 0, "audio_url": 0}
    draft_from: Any = None
    for i, item in enumerate(content):
        if not isinstance(item, dict):
            raise invalid(f"content[{i}]", "must be an object")
        kind = item.get("type")
        role = item.get("role")
        if kind == "text":
            if not isinstance(item.get("text"), str):
                raise invalid(f"content[{i}].text", "must be a string")
            texts.append(item["text"])
        elif kind in _ROLES:
            if kind != "image_url" and model.version != "2.x":
                raise invalid(f"content[{i}].type", f"{kind} is only supported by Seedance 2.x")
            if role is not None and role not in _ROLES[kind]:
                raise invalid(
                    f"content[{i}].role", f"must be one of {', '.join(_ROLES[kind])}, got {role!r}"
                )
            if kind == "image_url":
                image_ratio = _check_image_url(i, item, model)
                if role in (None, "first_frame"):
                    firsts.append(image_ratio)
                elif role == "last_frame":
                    lasts.append(image_ratio)
                else:
                    refs["image_url"] += 1
            else:
                holder = item.get(kind)
                if not isinstance(holder, dict) or not isinstance(holder.get("url"), str):
                    raise invalid(f"content[{i}].{kind}", "must be an object with a url")
                if role is None:
                    raise missing(f"content[{i}].role")
                refs[kind] += 1
        elif kind == "draft_task":
            holder = item.get("draft_task")
            if not isinstance(holder, dict) or not isinstance(holder.get("id"), str):
                raise invalid(f"content[{i}].draft_task", "must be an object with an id")
            if not model.draft:
                raise invalid(f"content[{i}].type", "draft_task is only supported by 1.5 pro")
            draft_from = (draft_lookup or {}).get(holder["id"])
            if draft_from is None:
                raise invalid(f"content[{i}].draft_task.id", f"unknown task {holder['id']}")
        else:
            raise invalid(
                f"content[{i}].type",
                f"must be text, image_url, video_url, audio_url or draft_task, got {kind!r}",
            )
    if len(texts) > 1:
        raise invalid("content", "at most one text item")

    text = texts[0] if texts else ""
    flags: dict[str, Any] = {}
    if model.legacy_flags:
        text, raw_flags = _parse_flags(text)
        flags = _lenient(raw_flags, model)

    n_refs = sum(refs.values())
    image_roles = [
        it.get("role") for it in content if isinstance(it, dict) and it.get("type") == "image_url"
    ]
    if len(image_roles) > 1 and None in image_roles:
        # One image may omit its role (first frame); with several, every role is required.
        raise missing("content.role")
    if len(firsts) > 1 or len(lasts) > 1:
        raise invalid("content", "at most one first_frame and one last_frame image")
    if lasts and not firsts:
        raise invalid("content", "a last_frame image needs a first_frame image")
    if n_refs and (firsts or lasts):
        raise invalid("content", "reference media cannot be combined with first/last frames")

    if n_refs:
        mode = "reference"
        if not model.ref_images:
            raise invalid("content", f"model {model_id} does not support reference images")
        for kind, limit in (
            ("image_url", model.ref_images),
            ("video_url", model.ref_videos),
            ("audio_url", model.ref_audios),
        ):
            if refs[kind] > limit:
                raise invalid("content", f"at most {limit} reference {kind.split('_')[0]}s")
        if refs["audio_url"] and not (refs["image_url"] or refs["video_url"]):
            if not model.audio_only_refs:
                raise invalid("content", "reference audio needs a reference image or video")
    elif lasts:
        mode = "first_last"
    elif firsts:
        mode = "first_frame"
    elif draft_from is not None:
        mode = draft_from.mode
    else:
        mode = "t2v"
    supported = {
        "t2v": model.t2v,
        "first_frame": model.first_frame,
        "first_last": model.first_last,
        "reference": bool(model.ref_images),
    }
    if not supported[mode]:
        names = [m for m, ok in supported.items() if ok]
        raise invalid("content", f"model {model_id} does not support {mode}; it supports {names}")
    if mode == "t2v" and not text.strip() and draft_from is None:
        raise missing("content.text")

    return Content(text=text, flags=flags, firsts=firsts, mode=mode, draft_from=draft_from)


def _check_image_url(index: int, item: dict[str, Any], model: SeedanceModel) -> float | None:
    """Check an ``image_url`` item; return the image's aspect ratio when it can be read."""
    where = f"content[{index}].image_url"
    holder = item.get("image_url")
    if not isinstance(holder, dict) or not isinstance(holder.get("url"), str) or not holder["url"]:
        raise invalid(where, "must be an object with a non-empty url")
    url: str = holder["url"]
    if url.startswith(("http://", "https://", "asset://")):
        return None
    match = _DATA_URI.match(url)
    if not match:
        raise invalid(
            where,
            "url must be http(s) or data:image/<format>;base64,<data> with a lowercase format",
        )
    fmt = match.group(1)
    if fmt not in _IMAGE_FORMATS + model.extra_formats:
        allowed = ", ".join(_IMAGE_FORMATS + model.extra_formats)
        raise invalid(where, f"image format {fmt!r} is not supported; one of {allowed}")
    try:
        raw = base64.b64decode(match.group(2), validate=True)
    except (binascii.Error, ValueError):
        raise invalid(where, "the base64 data is not valid") from None
    if len(raw) >= 30 * 1024 * 1024:
        raise invalid(where, "images must be smaller than 30 MB")
    info = image_size(raw)
    if info and info[1] and info[2]:
        _, w, h = info
        if not 0.4 <= w / h <= 2.5:
            raise invalid(where, f"aspect ratio {w}x{h} must lie in [0.4, 2.5]")
        if min(w, h) <= 300 or max(w, h) >= 6000:
            raise invalid(where, f"{w}x{h}: short side must be > 300 px, long side < 6000 px")
        return w / h
    return None


def _parse_flags(text: str) -> tuple[str, dict[str, str]]:
    flags = {_FLAG_NAMES[k.lower()]: v for k, v in _FLAG.findall(text) if k.lower() in _FLAG_NAMES}
    prompt = _FLAG.sub(lambda m: "" if m.group(1).lower() in _FLAG_NAMES else m.group(0), text)
    return " ".join(prompt.split()), flags


def _lenient(flags: dict[str, str], model: SeedanceModel) -> dict[str, Any]:
    """Legacy text flags: values that do not fit are dropped (the default applies)."""
    out: dict[str, Any] = {}
    if flags.get("resolution", "").lower() in model.resolutions:
        out["resolution"] = flags["resolution"].lower()
    if flags.get("ratio") in RATIOS:
        out["ratio"] = flags["ratio"]
    for name in ("duration", "frames", "seed"):
        with contextlib.suppress(KeyError, ValueError):
            out[name] = int(flags[name])
    for name in ("camera_fixed", "watermark"):
        if flags.get(name, "").lower() in ("true", "false"):
            out[name] = flags[name].lower() == "true"
    return out


def closest_ratio(value: float) -> str:
    def as_float(r: str) -> float:
        a, b = r.split(":")
        return int(a) / int(b)

    return min((r for r in RATIOS if r != "adaptive"), key=lambda r: abs(as_float(r) - value))
