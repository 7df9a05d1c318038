"""What the Kling AI API (direct, ``/v1/videos/...``) accepts, as data.

Sources, cited next to each fact:
- [volcengine-kling §n] ``docs/reference/volcengine-kling.md`` section 4.n (Kling's official API reference as
  mirrored by inference-sh/grid, vercel/ai ``@ai-sdk/klingai`` and the repository's notes);
- [t2v] Kling's API reference, text to video,
  https://app.klingai.com/global/dev/document-api/apiReference/model/textToVideo (the field
  list as its public copies quote it, read 2026-12-02);
- [auth] https://tryagi.github.io/KlingAI/guides/authentication (read 2026-12-02): HS256 JWT,
  ``iss`` the access key, ``exp`` at most 30 min ahead, ``nbf`` now − 5 s;
- [camera] https://docs.comfy.org/ko/built-in-nodes/KlingCameraControlT2VNode and the Kling
  schema Comfy Router publishes for kling-v1-5 (read 2026-12-02): camera_control types and the
  six config axes, each in [-10, 10];
- [omni] Kling's "Video Omni" page (``POST /v1/videos/omni-video``) as CometAPI documents its
  relay of it, https://apidoc.cometapi.com/id/api/video/kling/omni-video (read 2026-12-02):
  ``image_list`` entries with an optional ``type`` first_frame | end_frame, at most 7 images
  without a reference video, std | pro, aspect_ratio 16:9 | 9:16 | 1:1 required without a first
  frame, 5 or 10 s for text and first-frame video;
- [qiniu] ``plugins/qiniu/src/reelkit_qiniu/catalogue.py`` (the Kling models Qiniu relays: the
  same ids, modes and limits).
"""

from __future__ import annotations

from collections.abc import Mapping

from reelkit.capabilities import (
    Audio,
    Choices,
    ImageLimits,
    Mode,
    ModelInfo,
    ModeSpec,
    Param,
    ProviderInfo,
    Range,
    Variant,
)
from reelkit.pricing import Pricing

#: [volcengine-kling §4.1] the international host (vercel/ai's default); mainland accounts use Beijing.
BASE_URL = "https://api-singapore.klingai.com"
#: ``[providers.kling] region = "beijing"`` in reelkit.toml picks the mainland host [volcengine-kling §4.1]
#: (a mismatched region shows up as auth errors); ``REELKIT_KLING_BASE_URL`` overrides both.
REGIONS: Mapping[str, str] = {
    "singapore": BASE_URL,
    "beijing": "https://api-beijing.klingai.com",
}
DEFAULT_MODEL = "kling-v2-5-turbo"  # [qiniu] the one model with t2v, i2v and first/last frame

#: [volcengine-kling §4.1] the JWT lives 30 min (``exp = now + 1800``) and is valid from ``now - 5``.
JWT_LIFETIME_S = 1800
JWT_LEEWAY_S = 5

ASPECTS = ("16:9", "9:16", "1:1")  # [volcengine-kling §4.3] aspect_ratio: 16:9 (default), 9:16, 1:1
FIVE_TEN = Choices((5, 10))  # [volcengine-kling §4.3] duration is a string, "5" (default) or "10"
THREE_TO_FIFTEEN = Range(3, 15, step=1)  # [volcengine-kling §4.3] v3 takes "3"…"15" (third-party)
MAX_PROMPT = 2500  # [volcengine-kling §4.3], [t2v]: prompt and negative_prompt ≤2500 characters
#: [volcengine-kling §4.5] "Generated media is deleted after 30 days"; §6: Kling URL TTL 30 days.
URL_LIFETIME_S = 30 * 24 * 3600.0
#: [volcengine-kling §4.3] image: jpg/jpeg/png, ≤10 MB, ≥300 px, sent as a URL or raw base64 (no data:).
IMAGES = ImageLimits(
    formats=("jpeg", "png"), transports=("url", "base64"), max_bytes=10 * 1024 * 1024, min_side=300
)
#: [volcengine-kling §4.3] ``mode`` std is 720p, pro 1080p on every model that offers both [volcengine-kling §4.4].
MODE_BY_RESOLUTION: Mapping[str, str] = {"720p": "std", "1080p": "pro"}

# --- params (``--param KEY=VALUE``), checked by the core's types, then in depth in translate ---
CALLBACK_URL = Param(
    name="callback_url",
    type="str",
    description="Kling POSTs each status change of the task here (callback_url).",
)
EXTERNAL_TASK_ID = Param(
    name="external_task_id",
    type="str",
    description="Your own task id, unique per account; Kling does not dedupe submits by it.",
)
CFG_SCALE = Param(
    name="cfg_scale",
    type="float",
    # [volcengine-kling §4.3] [0, 1], default 0.5; "not supported on v2.x"
    description="Prompt adherence in [0, 1] (Kling's default 0.5); kling-v1 and v1-6 only.",
)
CAMERA_CONTROL = Param(
    name="camera_control",
    type="dict",
    # [volcengine-kling §4.3] in text-to-video only kling-v1 std 5 s supports it.
    description='{"type": "simple", "config": {"zoom": 5}} or a preset type; kling-v1, t2v, std, 5 s.',
)
#: kling-v1 renders 720p in both modes [volcengine-kling §4.4], so its mode cannot follow the resolution.
V1_MODE = Param(
    name="mode",
    type="str",
    choices=("std", "pro"),
    description="kling-v1 quality mode (both 720p); std is Kling's default.",
)
CAMERA_TYPES = ("simple", "down_back", "forward_up", "right_turn_forward", "left_turn_forward")
CAMERA_AXES = ("horizontal", "vertical", "pan", "tilt", "roll", "zoom")  # [camera]
CAMERA_RANGE = (-10.0, 10.0)  # [camera] each axis in [-10, 10]

COMMON_PARAMS = (CALLBACK_URL, EXTERNAL_TASK_ID)

# --- prices -------------------------------------------------------------------------------
# Kling bills the API in prepaid resource-pack "units" deducted per task (the query answer's
# ``final_unit_deduction``, [volcengine-kling §4.5]), not in a currency per second. On 2026-12-02 the
# official "Billing Info" / "Prepaid Resource Packs" pages (app.klingai.com/global/dev, linked
# from the API reference) were not readable here, and the third-party tables found (credits
# per 5 s std/pro clip, per-second USD from resellers) disagree with each other and are not
# Kling's. So every model is unpriced: estimates are unknown, never guessed. What a finished
# task reports as deducted is kept in the result's metadata (``unit_deduction``).
PRICE: Pricing | None = None


def _variants(
    resolutions: tuple[str, ...],
    durations: Choices | Range = FIVE_TEN,
    *,
    fps: int = 24,
    note: str = "",
) -> tuple[Variant, ...]:
    return (
        Variant(
            resolutions=resolutions,
            aspect_ratios=ASPECTS,
            durations=durations,
            fps=(fps,),
            note=note,
        ),
    )


def _modes(
    resolutions: tuple[str, ...],
    durations: Choices | Range = FIVE_TEN,
    *,
    t2v: bool = True,
    first_last: tuple[str, ...] | None = ("1080p",),
    tail_durations: Choices | Range | None = None,
    fps: int = 24,
) -> tuple[ModeSpec, ...]:
    specs = []
    if t2v:
        specs.append(
            ModeSpec(
                mode=Mode.T2V,
                variants=_variants(resolutions, durations, fps=fps),
                note="POST /v1/videos/text2video",
            )
        )
    specs.append(
        ModeSpec(
            mode=Mode.I2V,
            variants=_variants(
                resolutions, durations, fps=fps, note="the video keeps the image's shape"
            ),
            note="POST /v1/videos/image2video (image)",
        )
    )
    if first_last is not None:
        # [volcengine-kling §4.3] image_tail (the end frame) needs image; on pro for most models [volcengine-kling §4.4].
        specs.append(
            ModeSpec(
                mode=Mode.FIRST_LAST,
                variants=_variants(
                    first_last,
                    tail_durations or durations,
                    fps=fps,
                    note="a last frame (image_tail) needs pro mode"
                    if first_last == ("1080p",)
                    else "image_tail on 5 s clips",
                ),
                note="POST /v1/videos/image2video (image + image_tail)",
            )
        )
    return tuple(specs)


def _model(
    model_id: str,
    *,
    title: str,
    modes: tuple[ModeSpec, ...],
    default_resolution: str,
    params: tuple[Param, ...] = COMMON_PARAMS,
    audio: Audio = Audio.NONE,
    negative_prompt: bool = True,
    fps: int = 24,
    notes: str = "",
) -> ModelInfo:
    return ModelInfo(
        id=model_id,
        title=title,
        modes=modes,
        default_duration=5,  # [volcengine-kling §4.3] duration default "5"
        default_resolution=default_resolution,
        default_aspect_ratio="16:9",  # [volcengine-kling §4.3] aspect_ratio default 16:9
        default_fps=fps,  # [volcengine-kling §4.4] the capability map's frame rates; not settable
        fps_settable=False,
        supports_seed=False,  # [volcengine-kling §4.3] no seed field
        supports_negative_prompt=negative_prompt,
        audio=audio,
        max_prompt_chars=MAX_PROMPT,
        images=IMAGES,
        url_lifetime_s=URL_LIFETIME_S,
        params=params,
        # [volcengine-kling §4.3] image2video has no aspect_ratio: the output follows the image, so an
        # aspect ratio nobody asked for is not reported as dropped.
        implicit_defaults=("aspect_ratio",),
        price=PRICE,
        notes=notes,
    )


SD_HD = ("720p", "1080p")

CLASSIC: tuple[ModelInfo, ...] = (
    _model(
        "kling-v1",
        title="Kling V1",
        # [volcengine-kling §4.4] v1: std and pro, 720p, 30 fps; [volcengine-kling §4.3] image_tail on v1 std/pro 5 s.
        modes=_modes(("720p",), first_last=("720p",), tail_durations=Choices((5,)), fps=30),
        default_resolution="720p",
        params=(V1_MODE, CFG_SCALE, CAMERA_CONTROL, *COMMON_PARAMS),
        fps=30,
        notes="— through --param: camera_control (text-to-video, std, 5 s) and cfg_scale.",
    ),
    _model(
        "kling-v1-6",
        title="Kling V1.6",
        modes=_modes(SD_HD),  # [volcengine-kling §4.4] v1-6: 720p (std) / 1080p (pro)
        default_resolution="720p",
        params=(CFG_SCALE, *COMMON_PARAMS),
        notes="— through --param: cfg_scale.",
    ),
    _model(
        "kling-v2-1",
        title="Kling V2.1",
        # [volcengine-kling §4.4] v2-1: I2V only; tail frame on pro only.
        modes=_modes(SD_HD, t2v=False),
        default_resolution="720p",
    ),
    _model(
        "kling-v2-5-turbo",
        title="Kling V2.5 Turbo",
        modes=_modes(
            SD_HD
        ),  # [volcengine-kling §4.4] tail frame on pro only; [qiniu] std 720p, pro 1080p
        default_resolution="720p",
    ),
    _model(
        "kling-v2-6",
        title="Kling V2.6",
        modes=_modes(SD_HD),
        default_resolution="720p",
        # [volcengine-kling §4.3] sound on|off on v2.6+ and pro; [volcengine-kling §4.4] std has no audio.
        audio=Audio.OPTIONAL,
        notes="— sound only in pro mode (1080p).",
    ),
    _model(
        "kling-v3",
        title="Kling V3",
        # [volcengine-kling §4.3] v3: "3"…"15" s, sound; first/last frame is not listed for it.
        modes=_modes(SD_HD, THREE_TO_FIFTEEN, first_last=None),
        default_resolution="1080p",
        audio=Audio.OPTIONAL,
    ),
)

#: [omni] at most 7 images in image_list when no reference video is given.
MAX_OMNI_IMAGES = 7
#: The unified endpoint's models ([omni]: model_name kling-video-o1 (default) or kling-v3-omni).
OMNI_MODELS = frozenset({"kling-video-o1", "kling-v3-omni"})


def _omni_modes(durations: Choices | Range) -> tuple[ModeSpec, ...]:
    variants = _variants(SD_HD, durations)
    note = "POST /v1/videos/omni-video"
    return (
        ModeSpec(mode=Mode.T2V, variants=variants, note=note),
        ModeSpec(mode=Mode.I2V, variants=variants, note=note + " (image_list first_frame)"),
        ModeSpec(mode=Mode.FIRST_LAST, variants=variants, note=note + " (first_frame + end_frame)"),
        ModeSpec(
            mode=Mode.REFERENCE,
            variants=variants,
            max_reference_images=MAX_OMNI_IMAGES,
            note=note + " (image_list; refer to them as <<<image_1>>>, …)",
        ),
    )


OMNI: tuple[ModelInfo, ...] = (
    _model(
        "kling-video-o1",
        title="Kling O1 (unified omni endpoint)",
        modes=_omni_modes(FIVE_TEN),  # [omni] 5 or 10 s for text and first-frame video
        default_resolution="1080p",
        negative_prompt=False,  # [omni] lists no negative_prompt
    ),
    _model(
        "kling-v3-omni",
        title="Kling V3 Omni (unified omni endpoint)",
        modes=_omni_modes(THREE_TO_FIFTEEN),  # [qiniu] kling-v3-omni: 3–15 s, sound
        default_resolution="1080p",
        negative_prompt=False,  # [omni] lists no negative_prompt
        audio=Audio.OPTIONAL,
    ),
)
MODELS: tuple[ModelInfo, ...] = CLASSIC + OMNI

PROVIDER = ProviderInfo(
    name="kling",
    title="Kling AI (direct API)",
    default_model=DEFAULT_MODEL,
    # docs/design.md §1.8: kling joins after the first eight providers in auto-selection.
    priority=10,
    # [auth], [volcengine-kling §4.1]: an access/secret key pair signs an HS256 JWT; the newer single API
    # key is a plain bearer. The pair comes first (see docs/providers/kling.md).
    credential_env=(("KLING_ACCESS_KEY", "KLING_SECRET_KEY"), ("KLING_API_KEY",)),
    base_url=BASE_URL,
    # Kling tasks take minutes ([qiniu]: 2–15 min per clip); querying costs no concurrency
    # (Kling's "Concurrency Rules" page: only task creation counts).
    poll_interval_s=10.0,
    timeout_s=1800.0,
    homepage="https://app.klingai.com/global/dev/document-api/apiReference/model/textToVideo",
    notes='Region: [providers.kling] region = "beijing" for mainland accounts.',
)
