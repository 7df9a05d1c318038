"""Build Vertex's ``predictLongRunning`` and ``fetchPredictOperation`` requests.

The body is Veo's (``reelkit_veo.translate``, the same instance and parameter names) plus what
Vertex takes and the Gemini API refuses [vertex-ref, genai-vertex in ``capabilities``]:
``parameters.seed``, ``parameters.generateAudio`` and ``parameters.storageUri``, and video inputs
as ``{gcsUri|bytesBase64Encoded, mimeType}`` (an extension may start from a ``gs://`` output or
from the bytes of a local file).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from reelkit.capabilities import Audio, Mode, ModelInfo
from reelkit.errors import ConfigurationError, InvalidRequest, UnsupportedMode
from reelkit.models import VideoRequest
from reelkit_veo import translate as veo
from reelkit_veo.capabilities import ASPECTS, MAX_EXTENSIONS
from reelkit_veo.images import image_object

from .capabilities import (
    API_VERSION,
    BASE_URL,
    DEFAULT_LOCATION,
    MAX_SEED,
    NAME,
    PROJECT_ENV,
    SENDS_RESOLUTION,
    STORAGE_URL,
)

if TYPE_CHECKING:
    import httpx

    from reelkit.models import ProviderConfig

PROVIDER_NAMES = frozenset({NAME})
_STORAGE_KEYS = ("storage_uri", "storageUri")


def location(config: ProviderConfig) -> str:
    return str(config.options.get("location") or DEFAULT_LOCATION).strip()


def project(config: ProviderConfig) -> str:
    value = str(config.options.get("project") or "").strip()
    if not value:
        raise ConfigurationError(
            PROJECT_ENV,
            "Vertex AI needs the Google Cloud project to bill; set GOOGLE_CLOUD_PROJECT "
            "(or `project` under [providers.vertex]), and GOOGLE_CLOUD_LOCATION for the region",
            allowed="a project id, e.g. my-project-123",
        )
    return value


def host(config: ProviderConfig) -> str:
    """The endpoint: an override as given, else the location's own host ("global" has none)."""
    base = (config.base_url or BASE_URL).rstrip("/")
    if base.endswith("/" + API_VERSION):
        base = base[: -len(API_VERSION) - 1]
    if base != BASE_URL:
        return base
    where = location(config)
    return BASE_URL if where == "global" else f"https://{where}-aiplatform.googleapis.com"


def storage_host(config: ProviderConfig) -> str:
    """The Cloud Storage API: the real one, or the override's origin (the emulator serves both)."""
    base = (config.base_url or BASE_URL).rstrip("/")
    return STORAGE_URL if base.startswith(BASE_URL) else host(config)


def model_path(config: ProviderConfig, model_id: str) -> str:
    return (
        f"{host(config)}/{API_VERSION}/projects/{project(config)}/locations/{location(config)}"
        f"/publishers/google/models/{model_id}"
    )


def build_request(model: ModelInfo, request: VideoRequest, config: ProviderConfig) -> httpx.Request:
    from reelkit.wire import json_request

    body = build_body(model, request)
    return json_request("POST", model_path(config, model.id) + ":predictLongRunning", body)


def poll_request(config: ProviderConfig, operation: str) -> httpx.Request:
    """``fetchPredictOperation`` on the publisher model the operation belongs to, as
    google-genai polls Veo on Vertex (``operations._fetch_predict_videos_operation``)."""
    from reelkit.wire import json_request

    resource = operation.split("/operations/", 1)[0]
    url = f"{host(config)}/{API_VERSION}/{resource}:fetchPredictOperation"
    return json_request("POST", url, {"operationName": operation})


def build_body(model: ModelInfo, request: VideoRequest) -> dict[str, Any]:
    mode = request.mode or Mode.T2V
    if model.mode(mode) is None:
        raise UnsupportedMode("mode", f"{model.id} does not offer {mode}", allowed=model.mode_names)
    prompt = request.prompt.strip()
    if mode in (Mode.T2V, Mode.REFERENCE) and not prompt:
        raise InvalidRequest("prompt", f"{mode} on Veo needs a prompt")
    instance: dict[str, Any] = {"prompt": prompt or None}
    parameters: dict[str, Any] = {
        "sampleCount": 1,
        "durationSeconds": None if request.duration is None else round(request.duration),
        "aspectRatio": request.aspect_ratio,
        "resolution": request.resolution if model.id in SENDS_RESOLUTION else None,
        "negativePrompt": request.negative_prompt or None,
        "seed": _seed(request.seed),
        # [vertex-ref] generateAudio: sound unless the caller switched it off (Veo 3.x).
        "generateAudio": None if model.audio is Audio.NONE else request.audio is not False,
    }
    if mode in (Mode.I2V, Mode.FIRST_LAST):
        if request.first_frame is None:
            raise InvalidRequest("first_frame", f"{mode} needs a first frame")
        instance["image"] = image_object(request.first_frame, "first_frame")
        if mode is Mode.FIRST_LAST:
            if request.last_frame is None:
                raise InvalidRequest("last_frame", "first_last needs a last frame")
            instance["lastFrame"] = image_object(request.last_frame, "last_frame")
    elif mode is Mode.REFERENCE:
        veo._check_reference(request, prompt)
        instance["referenceImages"] = [
            {"image": image_object(img, f"reference_images[{i}]"), "referenceType": "ASSET"}
            for i, img in enumerate(request.reference_images)
        ]
    elif mode is Mode.EXTEND:
        video, aspect = _extension_video(request)
        instance["video"] = video
        parameters["aspectRatio"] = aspect or request.aspect_ratio
        parameters["resolution"] = "720p"  # Veo extends 720p only (reelkit_veo.capabilities)
    elif mode is not Mode.T2V:
        raise UnsupportedMode("mode", f"{model.id} does not offer {mode}", allowed=model.mode_names)
    parameters.update(_params(request.params, model))
    return {"instances": [instance], "parameters": parameters}


def _seed(seed: int | None) -> int | None:
    if seed is not None and not 0 <= seed <= MAX_SEED:
        raise InvalidRequest("seed", f"{seed} is not a uint32", allowed=f"0–{MAX_SEED}")
    return seed


def _params(params: Mapping[str, Any], model: ModelInfo) -> dict[str, Any]:
    own: dict[str, Any] = {}
    out: dict[str, Any] = {}
    for key, value in params.items():
        name = key.split(".", 1)[1] if key.split(".", 1)[0] in PROVIDER_NAMES else key
        if name in _STORAGE_KEYS:
            uri = str(value).strip()
            if not uri.startswith("gs://") or len(uri) <= len("gs://"):
                raise InvalidRequest(
                    f"params.{key}", f"not a gs:// URI: {uri!r}", allowed="gs://bucket/prefix"
                )
            out["storageUri"] = uri
        else:
            own[name] = value
    out.update(veo._params(own, model))  # personGeneration, enhancePrompt: Veo's checks
    return out


def _extension_video(request: VideoRequest) -> tuple[dict[str, Any], str | None]:
    """The ``video`` object an extension continues, and the source's aspect ratio if known."""
    src = request.continue_from
    if src is not None:
        label = src.job_id or src.task_id
        if src.provider is not None and src.provider not in PROVIDER_NAMES:
            raise InvalidRequest(
                "continue_from",
                f"job {label} was made by {src.provider}; Vertex extends Veo videos it made "
                "(a vertex job), or a Veo video in Cloud Storage (continue_from=gs://...)",
                allowed="a vertex job, or a gs:// URI of a Veo video",
            )
        data = src.data or {}
        uri = str(data.get("gcs_uri") or src.video_url or "")
        if not uri and src.task_id.startswith("gs://"):
            uri = src.task_id  # `-p vertex --continue-from gs://bucket/video.mp4`
        video: dict[str, Any]
        if uri.startswith("gs://"):
            video = {"gcsUri": uri, "mimeType": "video/mp4"}
        elif uri.startswith("data:") and ";base64," in uri:
            # The source came back inline: its bytes go back the same way.
            head, _, payload = uri.partition(",")
            mime = head.removeprefix("data:").split(";", 1)[0] or "video/mp4"
            video = {"bytesBase64Encoded": payload, "mimeType": mime}
        else:
            raise InvalidRequest(
                "continue_from",
                f"job {label} has no video to extend yet; wait until it has succeeded",
                allowed="a finished vertex job, or a gs:// URI of a Veo video",
            )
        resolution = src.resolution or data.get("resolution")
        if resolution is not None and str(resolution).lower() != "720p":
            raise InvalidRequest(
                "continue_from",
                f"Veo extends only 720p videos; job {label} is {resolution}",
                allowed="720p",
            )
        if int(data.get("extensions", 0) or 0) >= MAX_EXTENSIONS:
            raise InvalidRequest(
                "continue_from",
                f"job {label} was extended too often",
                allowed=f"at most {MAX_EXTENSIONS}",
            )
        aspect = src.aspect_ratio or data.get("aspect_ratio")
        if aspect is not None and aspect not in ASPECTS:
            raise InvalidRequest("continue_from", f"job {label} is {aspect}", allowed=ASPECTS)
        return video, aspect
    medium = request.video
    if medium is None:
        raise InvalidRequest(
            "continue_from",
            "an extension needs a video",
            allowed="a vertex job, or a gs:// URI of a Veo video",
        )
    if medium.data is not None:
        return {
            "bytesBase64Encoded": medium.base64(),
            "mimeType": medium.mime_type or "video/mp4",
        }, None
    if medium.url and medium.url.startswith("gs://"):
        return {"gcsUri": medium.url, "mimeType": "video/mp4"}, None
    raise InvalidRequest(
        "video",
        f"Vertex takes a video as bytes or a gs:// URI, not {medium.url}",
        allowed="a local path or gs://",
    )
