"""Build the ``predictLongRunning`` body from a clamped request.

Shape [veo-grok §1.2, verified against google-genai 2.34.0 ``_GenerateVideosParameters_to_mldev``]:
``instances[0]`` holds ``prompt``, ``image``, ``lastFrame``, ``referenceImages`` and ``video``;
``parameters`` holds ``sampleCount``, ``durationSeconds`` (an int), ``aspectRatio``,
``resolution``, ``negativePrompt`` and the optional ``personGeneration``/``enhancePrompt``.
``seed``, ``generateAudio`` and ``fps`` are never sent: the Gemini API refuses them [veo-grok §0.4].
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from attrs import frozen

from reelkit.capabilities import Mode, ModelInfo
from reelkit.errors import InvalidRequest, UnsupportedMode
from reelkit.models import SourceJob, VideoRequest

from .capabilities import (
    ASPECTS,
    EXTENSION_SECONDS,
    MAX_EXTENSION_INPUT_S,
    MAX_EXTENSIONS,
    MAX_REFERENCE_IMAGES,
    PERSON_GENERATION,
    SENDS_RESOLUTION,
)
from .images import image_object

if TYPE_CHECKING:
    import httpx

    from reelkit.models import ProviderConfig

PROVIDER_NAMES = frozenset({"veo", "google", "gemini"})

# --param KEY=VALUE pass-through: reelkit name -> wire name (the models declare these names in
# ``capabilities.PARAMS``). [veo-grok §1.4] personGeneration depends on mode and region, so it is
# omitted unless asked for.
_PARAMS: Mapping[str, str] = {
    "person_generation": "personGeneration",
    "personGeneration": "personGeneration",
    "enhance_prompt": "enhancePrompt",  # [veo-grok §1.4] sent by the SDK on the Gemini API
    "enhancePrompt": "enhancePrompt",
}


def api_root(base_url: str) -> str:
    """``{base}/v1beta``, accepting a base URL that already ends in ``/v1beta``."""
    base = base_url.rstrip("/")
    return base if base.endswith("/v1beta") else base + "/v1beta"


def submit_url(base_url: str, model_id: str) -> str:
    return f"{api_root(base_url)}/models/{model_id}:predictLongRunning"


def build_request(
    model: ModelInfo, request: VideoRequest, config: ProviderConfig, *, now: datetime
) -> httpx.Request:
    from reelkit.wire import json_request

    body = build_body(model, request, now=now)
    return json_request("POST", submit_url(config.base_url, model.id), body)


def build_body(model: ModelInfo, request: VideoRequest, *, now: datetime | None) -> dict[str, Any]:
    """The JSON body. ``now=None`` skips the source-expiry check (for a request already sent)."""
    mode = request.mode or Mode.T2V
    if model.mode(mode) is None:
        raise UnsupportedMode("mode", f"{model.id} does not offer {mode}", allowed=model.mode_names)

    prompt = request.prompt.strip()
    if mode in (Mode.T2V, Mode.REFERENCE) and not prompt:
        raise InvalidRequest("prompt", f"{mode} on Veo needs a prompt")  # [veo-grok §1.5]
    instance: dict[str, Any] = {"prompt": prompt or None}
    parameters: dict[str, Any] = {
        "sampleCount": 1,  # [veo-grok §1.3] one video per request on Veo 3.x
        "durationSeconds": _seconds(request.duration),
        "aspectRatio": request.aspect_ratio,
        "resolution": request.resolution if model.id in SENDS_RESOLUTION else None,
        "negativePrompt": request.negative_prompt or None,
    }

    if mode in (Mode.I2V, Mode.FIRST_LAST):
        if request.first_frame is None:
            raise InvalidRequest(
                "first_frame",
                f"{mode} needs a first frame (Veo uses lastFrame only together with image)",
            )
        instance["image"] = image_object(request.first_frame, "first_frame")
        if mode is Mode.FIRST_LAST:
            if request.last_frame is None:
                raise InvalidRequest("last_frame", "first_last needs a last frame")
            instance["lastFrame"] = image_object(request.last_frame, "last_frame")
    elif mode is Mode.REFERENCE:
        _check_reference(request, prompt)
        instance["referenceImages"] = [
            # [veo-grok §1.2] the SDK serialises the enum as upper-case "ASSET"; STYLE is Vertex only.
            {"image": image_object(img, f"reference_images[{i}]"), "referenceType": "ASSET"}
            for i, img in enumerate(request.reference_images)
        ]
    elif mode is Mode.EXTEND:
        source = extension_source(request, now=now)
        instance["video"] = {"uri": source.uri, "encoding": "video/mp4"}
        # [veo-grok §3.3] MassGen's bug: defaulting to 16:9 fails for 9:16 sources. The API requires
        # the source's aspect ratio, so it wins over the (possibly defaulted) request value.
        parameters["aspectRatio"] = source.aspect_ratio or request.aspect_ratio
        parameters["resolution"] = "720p"  # [veo-grok §1.4] "Only 720p for extension"
    elif mode is not Mode.T2V:
        raise UnsupportedMode("mode", f"{model.id} does not offer {mode}", allowed=model.mode_names)

    parameters.update(_params(request.params, model))
    return {"instances": [instance], "parameters": parameters}


def _seconds(duration: float | None) -> int | None:
    # [veo-grok §1.2] the SDK sends durationSeconds as an int.
    return None if duration is None else round(duration)


def _check_reference(request: VideoRequest, prompt: str) -> None:
    if not request.reference_images:
        raise InvalidRequest("reference_images", "reference mode needs at least one image")
    if len(request.reference_images) > MAX_REFERENCE_IMAGES:
        raise InvalidRequest(
            "reference_images",
            f"Veo takes at most {MAX_REFERENCE_IMAGES} reference images, got "
            f"{len(request.reference_images)}",
            allowed=f"1–{MAX_REFERENCE_IMAGES}",
        )
    for name, medium in (("first_frame", request.first_frame), ("last_frame", request.last_frame)):
        if medium is not None:
            raise InvalidRequest(
                name,
                "Veo does not accept a first or last frame together with reference images "
                "[google-genai docstring]; drop one of them",
            )


def _params(params: Mapping[str, Any], model: ModelInfo) -> dict[str, Any]:
    out: dict[str, Any] = {}
    declared = [p.name for p in model.params]
    for key, value in params.items():
        name = key.split(".", 1)[1] if key.split(".", 1)[0] in PROVIDER_NAMES else key
        wire = _PARAMS.get(name) if name in declared else None
        if wire is None:
            raise InvalidRequest(
                f"params.{key}", f"unknown Veo parameter for {model.id}", allowed=declared
            )
        if wire == "personGeneration":
            if value not in PERSON_GENERATION:
                raise InvalidRequest(
                    f"params.{key}", f"bad value {value!r}", allowed=PERSON_GENERATION
                )
            out[wire] = value
        else:
            out[wire] = _boolean(f"params.{key}", value)
    return out


def _boolean(field: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise InvalidRequest(field, f"not a boolean: {value!r}", allowed="true, false")


# --- extension ----------------------------------------------------------------------------


@frozen
class ExtensionSource:
    """The Veo video an extension continues, with what the journal knows about it."""

    uri: str
    aspect_ratio: str | None
    extensions: int  # how many extensions the source already went through
    source_duration: float | None

    @property
    def estimated_duration(self) -> float | None:
        # [veo-grok §1.5] the output is one combined video, about 7 s longer than the input.
        if self.source_duration is None:
            return None
        return self.source_duration + EXTENSION_SECONDS


def extension_source(request: VideoRequest, *, now: datetime | None) -> ExtensionSource:
    """Where an extension starts from: ``continue_from`` (a Veo job) or a ``video`` URI."""
    src = request.continue_from
    if src is not None:
        return _from_job(src, now=now)
    if request.video is not None:
        if request.video.url is None:
            raise InvalidRequest(
                "video",
                "the Gemini API extends a video only by the URI of an earlier Veo result, "
                "not by uploaded bytes [google-genai: 'Gemini Developer API does not support "
                "video bytes']",
                allowed="continue_from=<a Veo job> or video=<its files/...:download URI>",
            )
        return ExtensionSource(request.video.url, None, 0, None)
    raise InvalidRequest(
        "continue_from", "an extension needs the Veo job to continue", allowed="a Veo job id"
    )


def _from_job(src: SourceJob, *, now: datetime | None) -> ExtensionSource:
    label = src.job_id or src.task_id
    if src.provider is not None and src.provider not in PROVIDER_NAMES:
        raise InvalidRequest(
            "continue_from",
            f"job {label} was made by {src.provider}; the Gemini API extends only videos Veo "
            "generated",
            allowed="a Veo job from the last 2 days",
        )
    data = src.data or {}
    uri = src.video_url or data.get("video_uri")
    if not uri and src.task_id.startswith(("https://", "http://")):
        uri = src.task_id  # `-p veo --continue-from https://…/files/abc:download?alt=media`
    if not uri:
        raise InvalidRequest(
            "continue_from", f"job {label} has no video URI yet; wait until it has succeeded"
        )
    if now is not None and src.expires_at is not None and src.expires_at <= now:
        raise InvalidRequest(
            "continue_from",
            f"the video of job {label} expired at {src.expires_at.isoformat()}: Veo keeps "
            "outputs for 2 days only, so it can no longer be extended; generate it again",
            allowed="a Veo job from the last 2 days",
        )
    resolution = src.resolution or data.get("resolution")
    if resolution is not None and str(resolution).lower() != "720p":
        raise InvalidRequest(
            "continue_from",
            f"Veo extends only 720p videos; job {label} is {resolution}",
            allowed="720p",
        )
    aspect = src.aspect_ratio or data.get("aspect_ratio")
    if aspect is not None and aspect not in ASPECTS:
        raise InvalidRequest(
            "continue_from",
            f"Veo extends only 16:9 or 9:16 videos; job {label} is {aspect}",
            allowed=ASPECTS,
        )
    extensions = int(data.get("extensions", 0) or 0)
    if extensions >= MAX_EXTENSIONS:
        raise InvalidRequest(
            "continue_from",
            f"job {label} has already been extended {extensions} times",
            allowed=f"at most {MAX_EXTENSIONS} extensions",
        )
    known = data.get("estimated_duration")
    duration = float(known) if known is not None else src.duration
    if duration is not None and duration > MAX_EXTENSION_INPUT_S:
        raise InvalidRequest(
            "continue_from",
            f"the video of job {label} is about {duration:g} s; Veo extends inputs up to "
            f"{MAX_EXTENSION_INPUT_S:g} s",
            allowed=f"≤{MAX_EXTENSION_INPUT_S:g} s",
        )
    return ExtensionSource(str(uri), aspect, extensions, duration)
