"""What MiniMax Hailuo video (the v1 API) accepts, as data.

Sources, cited next to each fact (all read 2026-12-02):
- [intro] https://platform.minimax.io/docs/api-reference/video-generation-intro (the models, the
  four kinds of task, and the three-step flow: create, query, file);
- [t2v] https://platform.minimax.io/docs/api-reference/video-generation-t2v.md (OpenAPI of
  ``POST /v1/video_generation``: server ``https://api.minimax.io``, bearer auth);
- [files] https://platform.minimax.io/docs/api-reference/file-management-retrieve-content.md and
  https://platform.minimaxi.com/docs/api-reference/file-management-retrieve-content.md (the
  same API on the mainland host ``https://api.minimaxi.com``);
- [errors] https://platform.minimax.io/docs/api-reference/errorcode.md;
- [3P] third-party pages that document the same fields, used where the official page's text
  was not readable: https://docs.comfy.org/built-in-nodes/MinimaxHailuoVideoNode (768P is
  1366x768, 1080P is 1920x1080, 1080P only for 6 s), https://docs.unifically.com/models/video/minimax/hailuo
  (512P only for image-to-video on Hailuo-02, end frames only at 768P/1080P),
  https://docs.metriqual.com/docs/video-minimax (the 01 models: 6 s at 720P, 2000-character
  prompts).

- [v2] the v2 API, ``POST /v2/video_generation`` with a role-tagged ``content`` array and
  ``GET /v2/query/video_generation/{task_id}``
  (https://platform.minimax.io/docs/api-reference/video-generation-v2-create.md), whose full
  schema was read in MiniMax's own CLI, https://github.com/MiniMax-AI/cli (``src/video/v2.ts``,
  ``src/types/api.ts``, ``src/client/endpoints.ts`` at commit 8992722a): model MiniMax-H3,
  roles first_frame / last_frame / reference_image / reference_video / reference_audio, 4–15 s,
  ratios adaptive, 21:9, 16:9, 4:3, 1:1, 3:4, 9:16, prompts up to 7000 characters.
"""

from __future__ import annotations

from datetime import date

from reelkit.capabilities import (
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
from reelkit.pricing import Pricing, Rate, Unit

GLOBAL_BASE_URL = "https://api.minimax.io"  # [t2v] servers
MAINLAND_BASE_URL = "https://api.minimaxi.com"  # [files] the mainland (minimaxi) page's servers
DEFAULT_MODEL = "MiniMax-Hailuo-2.3"  # [intro] the newest model listed first

HAILUO_23 = "MiniMax-Hailuo-2.3"
HAILUO_23_FAST = "MiniMax-Hailuo-2.3-Fast"  # [intro] "New Image-to-video model"
HAILUO_02 = "MiniMax-Hailuo-02"  # [intro] "higher resolution (1080P), longer duration (10s)"
H3 = "MiniMax-H3"  # [v2] the only model MiniMax's CLI sends to /v2 (H3-Max is not modelled)
#: Models served by the v2 endpoints; every other model goes to /v1.
V2_MODELS = frozenset({H3})

# MiniMax outputs 16:9 from text; image-led tasks follow the image (no aspect field exists) [t2v].
ASPECTS = ("16:9",)
SIX_OR_TEN = Choices((6, 10))  # [3P] duration 6 or 10 on the Hailuo models
SIX = Choices((6,))  # [3P] "1080P only supports 6 s"; the 01 models make 6 s clips

#: reelkit's resolution names → MiniMax's wire values ("768P") [t2v].
WIRE_RESOLUTIONS = {
    "512p": "512P",
    "720p": "720P",
    "768p": "768P",
    "1080p": "1080P",
    "2k": "2K",
}

# [t2v] first_frame_image, last_frame_image and subject_reference[].image take a public URL or a
# base64 data URL. Formats and size limits were not readable in the pages read: the usual three.
IMAGES = ImageLimits(formats=("jpeg", "png", "webp"), transports=("url", "base64"))
MAX_PROMPT_CHARS = 2000  # [3P] "max 2000 chars"

PROMPT_OPTIMIZER = Param(
    name="prompt_optimizer",
    type="bool",
    description="let MiniMax rewrite the prompt (`prompt_optimizer`, default true)",
)
FAST_PRETREATMENT = Param(
    name="fast_pretreatment",
    type="bool",
    description="shorten the prompt optimisation step (`fast_pretreatment`, Hailuo models)",
)
WATERMARK = Param(
    name="aigc_watermark", type="bool", description="add MiniMax's AIGC watermark to the video"
)
CALLBACK_URL = Param(
    name="callback_url",
    type="str",
    description="a URL MiniMax notifies of status changes (`callback_url`); reelkit still polls",
)
LEGACY_PARAMS = (PROMPT_OPTIMIZER, WATERMARK, CALLBACK_URL)
HAILUO_PARAMS = (PROMPT_OPTIMIZER, FAST_PRETREATMENT, WATERMARK, CALLBACK_URL)
PARAM_NAMES = tuple(p.name for p in HAILUO_PARAMS)

# The pay-as-you-go price page (per video, by model × resolution × duration) could not be read
# through the tools available when this was written; every row is unknown rather than guessed.
PRICING_URL = "https://platform.minimax.io/docs/guides/pricing-paygo"
PRICES_READ = date(2026, 12, 2)
PRICE = Pricing(
    currency="USD",
    rates=(
        Rate(
            amount=None,
            unit=Unit.REQUEST,
            note="MiniMax prices each video by model, resolution and duration; not read yet",
        ),
    ),
    source=PRICING_URL,
    as_of=PRICES_READ,
    note="unknown: use --allow-unpriced; the mainland site bills in CNY at its own rates",
)


def _hailuo(*, low: tuple[str, ...] = ("768p",)) -> tuple[Variant, ...]:
    """[3P] 6 or 10 s below 1080P; 1080P only for 6 s."""
    return (
        Variant(resolutions=low, aspect_ratios=ASPECTS, durations=SIX_OR_TEN),
        Variant(resolutions=("1080p",), aspect_ratios=ASPECTS, durations=SIX),
    )


LEGACY = (Variant(resolutions=("720p",), aspect_ratios=ASPECTS, durations=SIX),)
_IMAGE_NOTE = "the video takes the first frame's aspect ratio"


def _model(
    model_id: str,
    *,
    title: str,
    modes: tuple[ModeSpec, ...],
    legacy: bool = False,
    notes: str = "",
) -> ModelInfo:
    return ModelInfo(
        id=model_id,
        title=title,
        modes=modes,
        default_duration=6,  # [3P] the API's default duration
        default_resolution="720p" if legacy else "768p",  # [3P] 768P default; 01 models 720P
        default_aspect_ratio="16:9",
        fps_settable=False,  # [t2v] no fps, seed or negative prompt fields
        supports_seed=False,
        supports_negative_prompt=False,
        max_prompt_chars=MAX_PROMPT_CHARS,
        images=IMAGES,
        # The result is fetched from the API itself (files/retrieve_content), not from a
        # temporary link, so no URL lifetime applies [files].
        url_lifetime_s=None,
        params=LEGACY_PARAMS if legacy else HAILUO_PARAMS,
        implicit_defaults=("aspect_ratio",),  # never sent: there is no such field
        price=PRICE,
        notes=notes,
    )


def _t2v(variants: tuple[Variant, ...]) -> ModeSpec:
    return ModeSpec(mode=Mode.T2V, variants=variants)


def _i2v(variants: tuple[Variant, ...]) -> ModeSpec:
    return ModeSpec(mode=Mode.I2V, variants=variants, note=_IMAGE_NOTE)


# --- v2: MiniMax-H3 ------------------------------------------------------------------------

ADAPTIVE = "adaptive"  # [v2] the video follows the frames / references
H3_RATIOS = ("16:9", "21:9", "4:3", "1:1", "3:4", "9:16")  # [v2] text-to-video needs one
H3_DURATIONS = Range(4, 15, step=1)  # [v2] "an integer from 4 to 15 seconds"
# [v2] the CLI sends 2K (its default and, in that version, the only value it allows); 768P is
# documented by third parties (https://replicate.com/minimax/h3: "768P or 2K").
H3_RESOLUTIONS = ("768p", "2k")
MAX_H3_PROMPT_CHARS = 7000  # [v2] "text content must not exceed 7000 characters"
MAX_H3_REFERENCE_IMAGES = 9  # [v2] up to 9 reference images, 3 videos, 3 audios, 12 in all
MAX_H3_REFERENCE_MEDIA = 3
REFERENCE_VIDEOS = Param(
    name="reference_videos",
    type="list",
    description="≤3 video URLs sent as reference_video (not with first/last frames)",
)
REFERENCE_AUDIOS = Param(
    name="reference_audios",
    type="list",
    description="≤3 audio URLs sent as reference_audio (with reference images or videos)",
)
H3_PARAMS = (REFERENCE_VIDEOS, REFERENCE_AUDIOS, CALLBACK_URL)


def _h3_variants(ratios: tuple[str, ...]) -> tuple[Variant, ...]:
    return (Variant(resolutions=H3_RESOLUTIONS, aspect_ratios=ratios, durations=H3_DURATIONS),)


H3_MODEL = ModelInfo(
    id=H3,
    title="MiniMax H3 (Hailuo 03, v2 API)",
    modes=(
        ModeSpec(mode=Mode.T2V, variants=_h3_variants(H3_RATIOS)),
        # [v2] with frames the ratio is "adaptive": the video follows the image.
        ModeSpec(mode=Mode.I2V, variants=_h3_variants((ADAPTIVE,)), note=_IMAGE_NOTE),
        ModeSpec(mode=Mode.FIRST_LAST, variants=_h3_variants((ADAPTIVE,)), note=_IMAGE_NOTE),
        ModeSpec(
            mode=Mode.REFERENCE,
            variants=_h3_variants((ADAPTIVE, *H3_RATIOS)),
            max_reference_images=MAX_H3_REFERENCE_IMAGES,
            min_reference_images=1,
            accepts_first_frame=False,  # [v2] frame and reference inputs cannot be mixed
            note="sent as reference_image items; params reference_videos / reference_audios",
        ),
    ),
    default_duration=5,  # [v2] the CLI's default
    default_resolution="2k",  # [v2] the CLI's default
    default_aspect_ratio=ADAPTIVE,  # text-to-video, which has no adaptive, takes 16:9
    fps_settable=False,
    supports_seed=False,  # [v2] no seed, negative prompt or audio switch in the request
    supports_negative_prompt=False,
    max_prompt_chars=MAX_H3_PROMPT_CHARS,
    images=IMAGES,
    url_lifetime_s=None,  # [v2] task.content.url: its lifetime is not documented
    params=H3_PARAMS,
    price=PRICE,
    notes="— the v2 API: POST /v2/video_generation with a role-tagged content array.",
)

MODELS: tuple[ModelInfo, ...] = (
    _model(HAILUO_23, title="Hailuo 2.3", modes=(_t2v(_hailuo()), _i2v(_hailuo()))),
    _model(HAILUO_23_FAST, title="Hailuo 2.3 Fast", modes=(_i2v(_hailuo()),)),
    _model(
        HAILUO_02,
        title="Hailuo 02",
        modes=(
            _t2v(_hailuo()),
            _i2v(_hailuo(low=("512p", "768p"))),  # [3P] 512P only with a first frame
            # [intro] "Start / End to Video"; [3P] end frames only at 768P and 1080P.
            ModeSpec(mode=Mode.FIRST_LAST, variants=_hailuo(), note=_IMAGE_NOTE),
        ),
    ),
    _model("T2V-01-Director", title="T2V-01 Director", modes=(_t2v(LEGACY),), legacy=True),
    _model("T2V-01", title="T2V-01", modes=(_t2v(LEGACY),), legacy=True),
    _model("I2V-01-Director", title="I2V-01 Director", modes=(_i2v(LEGACY),), legacy=True),
    _model("I2V-01", title="I2V-01", modes=(_i2v(LEGACY),), legacy=True),
    _model("I2V-01-live", title="I2V-01 live", modes=(_i2v(LEGACY),), legacy=True),
    _model(
        "S2V-01",
        title="S2V-01 (subject reference)",
        modes=(
            ModeSpec(
                mode=Mode.REFERENCE,
                variants=LEGACY,
                max_reference_images=1,  # [3P] "Single reference image"
                min_reference_images=1,
                note="one image of the subject (a character), sent as subject_reference",
            ),
        ),
        legacy=True,
    ),
    H3_MODEL,
)

PROVIDER = ProviderInfo(
    name="minimax",
    title="MiniMax Hailuo video",
    default_model=DEFAULT_MODEL,
    aliases=("hailuo",),  # docs/design.md §1.8
    priority=11,  # docs/design.md §1.8: after the first eight, in the second wave's order
    credential_env=(("MINIMAX_API_KEY",),),  # [t2v] "Bearer API_key"
    base_url=GLOBAL_BASE_URL,
    # The variable MiniMax's own MCP server reads for the region's host
    # (https://github.com/MiniMax-AI/MiniMax-MCP, README): https://api.minimaxi.com for mainland.
    base_url_env=("MINIMAX_API_HOST",),
    poll_interval_s=10.0,  # MiniMax's guide polls every 10 s (mirrored in [3P] gateway docs)
    timeout_s=1200.0,  # a 10 s 1080P-class job takes minutes; 20 min before handing back
    homepage="https://platform.minimax.io/docs/api-reference/video-generation-intro",
    notes=f"Mainland China: REELKIT_MINIMAX_BASE_URL (or MINIMAX_API_HOST) = {MAINLAND_BASE_URL}.",
)
