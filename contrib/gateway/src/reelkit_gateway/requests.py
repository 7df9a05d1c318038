"""A ``POST /v1/videos`` body (JSON or multipart) as ``reelkit`` options.

OpenAI's fields: ``prompt``, ``model`` (``provider/model``, or any model id or alias),
``seconds``, ``size`` and ``input_reference`` (an uploaded image, or in JSON an image URL or
``{"image_url": URL}``), which becomes the first frame. The official SDK merges ``extra_body``
into the body itself, so reelkit's own options arrive beside them (``EXTRA``); in multipart a
mapping arrives as ``params[key]`` fields and a list as ``key[]`` fields, as the SDK sends them.

Media from a caller are bytes or http(s)/data: URLs only: a path would read the server's files.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reelkit.errors import InvalidRequest
from reelkit.validation import FIELD_KINDS

OPENAI = ("prompt", "model", "seconds", "size", "input_reference")
#: reelkit options a caller may give (in ``extra_body``). Not ``force`` (the gateway never pays
#: twice), ``allow_unpriced`` (the operator's ``--allow-unpriced``), ``output``, ``timeout`` or
#: ``caller`` (the gateway's own), nor ``continue_from``/``remix_of`` (job ids: the remix route).
EXTRA = (
    "provider",
    "duration",
    "aspect_ratio",
    "resolution",
    "fps",
    "seed",
    "negative_prompt",
    "audio",
    "first_frame",
    "last_frame",
    "reference_images",
    "video",
    "params",
    "strict",
    "max_cost",
    "cheapest",
    "webhook_url",
)
_MEDIA = ("first_frame", "last_frame", "video")
_URL_SCHEMES = ("http://", "https://", "data:")


def options(
    fields: Mapping[str, Any], files: Mapping[str, bytes], *, providers: Mapping[str, str]
) -> tuple[str, dict[str, Any]]:
    """``(prompt, options for AsyncClient.submit)``; ``providers`` maps every installed
    provider name and alias to its name (to split ``provider/model``)."""
    unknown = sorted(set(fields) - set(OPENAI) - set(EXTRA))
    if unknown:
        raise InvalidRequest(unknown[0], "is not a field of this API", allowed=OPENAI + EXTRA)
    prompt = fields.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise InvalidRequest("prompt", "is required", allowed="a non-empty text")
    out: dict[str, Any] = {}
    for name in EXTRA:
        if name in fields and fields[name] is not None:
            out[name] = fields[name]
    model = fields.get("model")
    if model is not None:
        if not isinstance(model, str) or not model.strip():
            raise InvalidRequest("model", "must be text", allowed="provider/model, or a model id")
        prefix, slash, rest = model.partition("/")
        if slash and prefix in providers and rest:
            if "provider" in out and providers.get(str(out["provider"])) != providers[prefix]:
                raise InvalidRequest(
                    "provider", f"names another provider than model {model!r}", allowed=prefix
                )
            out["provider"], out["model"] = providers[prefix], rest
        else:
            out["model"] = model
    if fields.get("seconds") is not None:
        if "duration" in out:
            raise InvalidRequest("duration", "give seconds or duration, not both")
        out["duration"] = _number(fields["seconds"], "seconds")
    if fields.get("size") is not None:
        out["size"] = fields["size"]
    reference = files.get("input_reference")
    if reference is None:
        reference = fields.get("input_reference")
        if isinstance(reference, Mapping):
            reference = reference.get("image_url")
    if reference is not None:
        if "first_frame" in out:
            raise InvalidRequest("first_frame", "give input_reference or first_frame, not both")
        out["first_frame"] = reference
    for name in _MEDIA:
        if name in out:
            _check_media(name, out[name])
    if "reference_images" in out:
        images = out["reference_images"]
        if not isinstance(images, (list, tuple)):
            raise InvalidRequest("reference_images", "must be a list", allowed="[URL, ...]")
        for i, image in enumerate(images):
            _check_media(f"reference_images[{i}]", image)
    return prompt, out


def _check_media(field: str, value: Any) -> None:
    if isinstance(value, bytes):
        return
    if not isinstance(value, str) or not value.startswith(_URL_SCHEMES):
        raise InvalidRequest(
            field, "must be an uploaded file or an http(s) or data: URL", allowed=_URL_SCHEMES
        )


def _number(value: Any, field: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise InvalidRequest(field, f"{value!r} is not a number", allowed="e.g. 4, 8") from None


def from_form(items: list[tuple[str, Any]]) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Multipart fields as the SDK encodes them, typed by the ``Ask`` field kinds."""
    fields: dict[str, Any] = {}
    files: dict[str, bytes] = {}
    for key, value in items:
        if isinstance(value, bytes):
            files[key] = value
            continue
        if key.endswith("[]"):
            fields.setdefault(key[:-2], []).append(value)
        elif "[" in key and key.endswith("]"):
            outer, _, inner = key[:-1].partition("[")
            fields.setdefault(outer, {})[inner] = _scalar(value)
        else:
            fields[key] = _typed(key, value)
    return fields, files


def _typed(key: str, value: str) -> Any:
    kind = FIELD_KINDS.get(key, "")
    if kind == "flag":
        if value.lower() in ("true", "1"):
            return True
        if value.lower() in ("false", "0"):
            return False
        raise InvalidRequest(key, f"{value!r} is not a boolean", allowed=("true", "false"))
    if kind in ("count", "seed"):
        try:
            return int(value)
        except ValueError:
            raise InvalidRequest(key, f"{value!r} is not an integer") from None
    if kind == "seconds":
        return _number(value, key)
    return value


def _scalar(value: str) -> Any:
    # A provider param from a form: numbers and booleans as such (the model's param types check).
    lowered = value.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value
