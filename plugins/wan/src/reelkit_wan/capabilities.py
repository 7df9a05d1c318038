"""What Alibaba Wan video on DashScope (Alibaba Cloud Model Studio) accepts, as data.

Sources, cited next to each fact (all read 2026-12-02):
- [t2v] https://www.alibabacloud.com/help/en/model-studio/text-to-video-api-reference
  (endpoints per region, ``X-DashScope-Async``, 24 h task ids, sizes, durations, the wan2.1
  prices) and its mirror https://docs.qwencloud.com/api-reference/video-generation/wan-text-to-video/create-task;
- [i2v] https://www.alibabacloud.com/help/en/model-studio/image-to-video-api-reference
  (``img_url``, resolution tiers, image limits, the wan2.1 i2v prices);
- [kf2v] https://www.alibabacloud.com/help/en/model-studio/image-to-video-by-first-and-last-frame-api-reference
  and https://docs.qwencloud.com/api-reference/video-generation/wan-image-to-video-first-last-frames/create-task
  (``POST /services/aigc/image2video/video-synthesis``, first/last frame URLs, 720P, 5 s, 30 fps);
- [tasks] https://www.alibabacloud.com/help/en/model-studio/manage-asynchronous-tasks
  (``GET /api/v1/tasks/{task_id}``, statuses, results kept 24 h);
- [sdk] https://github.com/dashscope/dashscope-sdk-python ``dashscope/aigc/video_synthesis.py``
  and ``dashscope/common/env.py`` (model names, ``kf2v`` → task ``image2video``, the
  ``DASHSCOPE_HTTP_BASE_URL`` variable, Beijing as the default host);
- [3p] third-party mirrors of the official parameter tables, used only where the official page
  was not readable in full: https://novita.ai/docs/api-reference/model-apis-wan2.5-t2v (sizes per
  tier, 5/10 s, 2000-character prompts), https://doc.vtrix.ai/docs/api/qwen/wan22-t2v-plus and
  https://doc.vtrix.ai/docs/api/qwen/wan22-i2v-flash (wan2.2 tiers, fixed 5 s, 800 characters).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from reelkit.capabilities import (
    Audio,
    Choices,
    ImageLimits,
    Mode,
    ModelInfo,
    ModeSpec,
    Param,
    ProviderInfo,
    Variant,
)
from reelkit.pricing import Pricing, Rate

# [t2v] "Use the same region for model, endpoint URL, and API key. Cross-region calls fail."
REGIONS: Mapping[str, str] = {
    "beijing": "https://dashscope.aliyuncs.com",  # [t2v] China (Beijing); [sdk] the default
    "singapore": "https://dashscope-intl.aliyuncs.com",  # [t2v] Singapore
    "virginia": "https://dashscope-us.aliyuncs.com",  # [t2v] US (Virginia)
}
# The region ids Alibaba Cloud itself uses, accepted as synonyms ([sdk] env.py: "cn-beijing").
REGION_IDS: Mapping[str, str] = {
    "cn-beijing": "beijing",
    "ap-southeast-1": "singapore",
    "us-east-1": "virginia",
}
BASE_URL = REGIONS["beijing"]
TASK_LIFETIME_S = 24 * 3600.0  # [t2v] "The task_id is valid for 24 hours"; [tasks] kept 24 h
URL_LIFETIME_S = 24 * 3600.0  # [t2v] video_url "is valid for 24 hours"

# [t2v] parameters.size is "width*height"; the tiers and their sizes ([3p] novita lists them):
SIZES_480 = {("480p", "16:9"): "832x480", ("480p", "9:16"): "480x832", ("480p", "1:1"): "624x624"}
SIZES_720 = {
    ("720p", "16:9"): "1280x720",
    ("720p", "9:16"): "720x1280",
    ("720p", "1:1"): "960x960",
    ("720p", "4:3"): "1088x832",
    ("720p", "3:4"): "832x1088",
}
SIZES_1080 = {
    ("1080p", "16:9"): "1920x1080",
    ("1080p", "9:16"): "1080x1920",
    ("1080p", "1:1"): "1440x1440",
    ("1080p", "4:3"): "1632x1248",
    ("1080p", "3:4"): "1248x1632",
}
_TIERS = {"480p": SIZES_480, "720p": SIZES_720, "1080p": SIZES_1080}
#: Aspect ratios an image-led job may report: the output follows the image's own shape
#: ([i2v] "keeps the aspect ratio close to img_url"); reelkit sends no ratio for those.
IMAGE_ASPECTS = ("16:9", "9:16", "1:1", "4:3", "3:4")

FIVE = Choices((5,))  # [t2v]/[i2v]/[kf2v] wan2.2 and wan2.1: "fixed at 5 seconds"
FIVE_OR_TEN = Choices((5, 10))  # [t2v] wan2.5: "5 seconds, 10 seconds"

# [i2v] img_url: public HTTP(S) URL or "data:{MIME_type};base64,{data}"; JPEG, JPG, PNG (no
# alpha), BMP, WEBP; 360–2000 px a side; ≤10 MB.
IMAGES = ImageLimits(
    formats=("jpeg", "png", "bmp", "webp"),
    transports=("url", "base64"),
    max_bytes=10 * 1024 * 1024,
    max_side=2000,
    min_side=360,
)

# --param KEY=VALUE, checked by the core before translate.
PROMPT_EXTEND = Param(
    name="prompt_extend",
    type="bool",
    description="let DashScope rewrite the prompt (the API's default is true)",
)
WATERMARK = Param(name="watermark", type="bool", description='add the "AI generated" watermark')
AUDIO_URL = Param(
    name="audio_url",
    type="str",
    description="wan2.5: a wav/mp3 (3–30 s, ≤15 MB) the video is synchronised to",
)
BASE_PARAMS = (PROMPT_EXTEND, WATERMARK)
AUDIO_PARAMS = (*BASE_PARAMS, AUDIO_URL)

# Prices. [t2v]/[i2v] (the version of those pages dated May 2025, international deployment)
# list wan2.1 at $0.036/s (turbo) and $0.10/s (plus). Model Studio's per-second prices for
# wan2.5 and wan2.2, by resolution and region, were not readable on an official page (a
# third-party relay, https://docs.crazyrouter.com/en/video/wan, quotes Beijing's in CNY): unknown.
PRICES_READ = date(2026, 12, 2)
T2V_PRICE_URL = "https://www.alibabacloud.com/help/en/model-studio/text-to-video-api-reference"
I2V_PRICE_URL = "https://www.alibabacloud.com/help/en/model-studio/image-to-video-api-reference"
KF2V_PRICE_URL = "https://www.alibabacloud.com/help/en/model-studio/image-to-video-by-first-and-last-frame-api-reference"
_REGION_NOTE = "international (Singapore) price; Beijing and Virginia bill their own rates"


def _flat(usd: float, source: str) -> Pricing:
    return Pricing(
        currency="USD",
        rates=(Rate(amount=usd),),
        source=source,
        as_of=PRICES_READ,
        note=_REGION_NOTE,
    )


def _unknown(resolutions: tuple[str, ...], source: str) -> Pricing:
    """No official price was read for these models: the page named is where it would be."""
    return Pricing(
        currency="USD",
        rates=(
            Rate(
                amount=None,
                resolutions=resolutions,
                note="per-second price by resolution and region not read from an official page",
            ),
        ),
        source=source,
        as_of=PRICES_READ,
    )


def text_variants(resolutions: tuple[str, ...], durations: Choices) -> tuple[Variant, ...]:
    """One variant per tier: each tier has its own sizes (480P has no 4:3)."""
    out = []
    for tier in resolutions:
        sizes = _TIERS[tier]
        out.append(
            Variant(
                resolutions=(tier,),
                aspect_ratios=tuple(a for _, a in sizes),
                durations=durations,
                sizes=sizes,
            )
        )
    return tuple(out)


def image_variants(
    resolutions: tuple[str, ...], durations: Choices, *, fps: int = 24
) -> tuple[Variant, ...]:
    return (
        Variant(
            resolutions=resolutions,
            aspect_ratios=IMAGE_ASPECTS,
            durations=durations,
            fps=(fps,),
            note="the output keeps the first frame's shape; only the resolution tier is sent",
        ),
    )


def _model(
    model_id: str,
    *,
    title: str,
    modes: tuple[ModeSpec, ...],
    default_resolution: str,
    max_prompt: int,
    audio: Audio = Audio.NONE,
    fps: int = 24,
    price: Pricing,
    aliases: tuple[str, ...] = (),
    notes: str = "",
) -> ModelInfo:
    return ModelInfo(
        id=model_id,
        aliases=aliases,
        title=title,
        modes=modes,
        default_duration=5,  # [t2v] duration "Default is 5" ([sdk] docstring too)
        default_resolution=default_resolution,
        default_aspect_ratio="16:9",  # [t2v] the default sizes are 16:9 (1920*1080, 1280*720)
        default_fps=fps,
        fps_settable=False,  # [t2v] no fps field: "Fixed specifications"
        supports_seed=True,  # [t2v] parameters.seed, 0–2147483647
        supports_negative_prompt=True,  # [t2v] input.negative_prompt, ≤500 characters
        audio=audio,
        images=IMAGES,
        url_lifetime_s=URL_LIFETIME_S,
        max_prompt_chars=max_prompt,
        params=AUDIO_PARAMS if audio is Audio.OPTIONAL else BASE_PARAMS,
        price=price,
        notes=notes,
    )


WAN25_T2V = _model(
    "wan2.5-t2v-preview",
    title="Wan 2.5 text-to-video (preview)",
    # [t2v] wan2.5: 480P/720P/1080P, 5 or 10 s, 24 fps, sound (auto or audio_url).
    modes=(
        ModeSpec(mode=Mode.T2V, variants=text_variants(("480p", "720p", "1080p"), FIVE_OR_TEN)),
    ),
    default_resolution="1080p",  # [3p] novita: "Default value: 1920*1080 (1080P)"
    max_prompt=2000,  # [3p] novita: "maximum length of 2000 characters"
    audio=Audio.OPTIONAL,
    price=_unknown(("480p", "720p", "1080p"), T2V_PRICE_URL),
)
WAN25_I2V = _model(
    "wan2.5-i2v-preview",
    title="Wan 2.5 image-to-video (preview)",
    modes=(
        ModeSpec(mode=Mode.I2V, variants=image_variants(("480p", "720p", "1080p"), FIVE_OR_TEN)),
    ),
    default_resolution="1080p",  # [i2v] resolution defaults to 1080P on wan2.5
    max_prompt=2000,
    audio=Audio.OPTIONAL,
    price=_unknown(("480p", "720p", "1080p"), I2V_PRICE_URL),
)
WAN22_T2V_PLUS = _model(
    "wan2.2-t2v-plus",
    title="Wan 2.2 text-to-video plus",
    # [3p] vtrix: "all 480P and 1080P resolutions", "fixed at 5 seconds", default 1920*1080.
    modes=(ModeSpec(mode=Mode.T2V, variants=text_variants(("480p", "1080p"), FIVE)),),
    default_resolution="1080p",
    max_prompt=800,  # [3p] "For wan2.2 and wan2.1 series, maximum length is 800 characters"
    price=_unknown(("480p", "1080p"), T2V_PRICE_URL),
)
WAN22_I2V_FLASH = _model(
    "wan2.2-i2v-flash",
    title="Wan 2.2 image-to-video flash",
    # [3p] vtrix: resolution "480P, 720P", "Default: 720P"; duration fixed at 5 s.
    modes=(ModeSpec(mode=Mode.I2V, variants=image_variants(("480p", "720p"), FIVE)),),
    default_resolution="720p",
    max_prompt=800,
    price=_unknown(("480p", "720p"), I2V_PRICE_URL),
)
WANX21_T2V_TURBO = _model(
    "wanx2.1-t2v-turbo",
    aliases=("wan2.1-t2v-turbo",),  # [t2v] (May 2025) spells it wan2.1-…; [sdk] wanx2.1-…
    title="Wan 2.1 text-to-video turbo",
    modes=(ModeSpec(mode=Mode.T2V, variants=text_variants(("480p", "720p"), FIVE)),),
    default_resolution="720p",
    max_prompt=800,
    price=_flat(0.036, T2V_PRICE_URL),  # [t2v] "$0.036/second"
)
WANX21_T2V_PLUS = _model(
    "wanx2.1-t2v-plus",
    aliases=("wan2.1-t2v-plus",),
    title="Wan 2.1 text-to-video plus",
    modes=(ModeSpec(mode=Mode.T2V, variants=text_variants(("720p",), FIVE)),),
    default_resolution="720p",
    max_prompt=800,
    price=_flat(0.10, T2V_PRICE_URL),  # [t2v] "$0.10/second"
)
WANX21_I2V_TURBO = _model(
    "wanx2.1-i2v-turbo",
    aliases=("wan2.1-i2v-turbo",),
    title="Wan 2.1 image-to-video turbo",
    modes=(ModeSpec(mode=Mode.I2V, variants=image_variants(("480p", "720p"), FIVE)),),
    default_resolution="720p",
    max_prompt=800,
    price=_flat(0.036, I2V_PRICE_URL),  # [i2v] "$0.036/second"
)
WANX21_KF2V_PLUS = _model(
    "wanx2.1-kf2v-plus",
    aliases=("wan2.1-kf2v-plus",),  # [kf2v] spells it wan2.1-kf2v-plus; [sdk] wanx2.1-kf2v-plus
    title="Wan 2.1 first-and-last-frame to video plus",
    # [kf2v] "Resolution options: 720P Video duration: 5 seconds ... 30 fps"
    modes=(ModeSpec(mode=Mode.FIRST_LAST, variants=image_variants(("720p",), FIVE, fps=30)),),
    default_resolution="720p",
    max_prompt=800,
    fps=30,
    price=_unknown(("720p",), KF2V_PRICE_URL),
)
WAN22_KF2V_FLASH = _model(
    "wan2.2-kf2v-flash",
    title="Wan 2.2 first-and-last-frame to video flash",
    # [kf2v] (qwencloud) lists the model, its example sends resolution 480P; the 720P/1080P tiers
    # come from a relay's copy (https://docs.powertokens.ai/en/zmodelVideo/ali/video-first-last-frame2).
    modes=(
        ModeSpec(
            mode=Mode.FIRST_LAST, variants=image_variants(("480p", "720p", "1080p"), FIVE, fps=30)
        ),
    ),
    default_resolution="720p",
    max_prompt=800,
    fps=30,
    price=_unknown(("480p", "720p", "1080p"), KF2V_PRICE_URL),
)

#: The default: Wan 2.5 for text and for a first frame. DashScope names a model per kind of job
#: (wan2.5-t2v-preview, wan2.5-i2v-preview); this entry sends whichever the request's mode needs.
WAN25 = ModelInfo(
    id="wan2.5",
    aliases=("wan2.5-preview", "wan"),
    title="Wan 2.5 (preview): text or first frame",
    modes=(*WAN25_T2V.modes, *WAN25_I2V.modes),
    default_duration=5,
    default_resolution="1080p",
    default_aspect_ratio="16:9",
    fps_settable=False,
    supports_seed=True,
    supports_negative_prompt=True,
    audio=Audio.OPTIONAL,
    images=IMAGES,
    url_lifetime_s=URL_LIFETIME_S,
    max_prompt_chars=2000,
    params=AUDIO_PARAMS,
    price=_unknown(("480p", "720p", "1080p"), T2V_PRICE_URL),
    notes="— sends wan2.5-t2v-preview for text and wan2.5-i2v-preview for a first frame.",
)
#: What each reelkit model sends as ``model`` for each mode (by default its own id).
WIRE_MODELS: Mapping[tuple[str, Mode], str] = {
    ("wan2.5", Mode.T2V): WAN25_T2V.id,
    ("wan2.5", Mode.I2V): WAN25_I2V.id,
}

PROVIDER = ProviderInfo(
    name="wan",
    title="Alibaba Wan video (DashScope / Model Studio)",
    default_model=WAN25.id,
    aliases=("dashscope", "alibaba"),
    priority=12,
    credential_env=(("DASHSCOPE_API_KEY",),),  # [t2v] "Authorization: Bearer $DASHSCOPE_API_KEY"
    base_url=BASE_URL,
    # [sdk] env.py: the official SDK's own base URL variable (it ends in /api/v1; both forms work).
    base_url_env=("DASHSCOPE_HTTP_BASE_URL",),
    # [tasks] "Rate limit: 20 QPS"; the SDK's wait() polls every few seconds; jobs take 1–5 min.
    poll_interval_s=5.0,
    timeout_s=900.0,  # [t2v] "tasks take 1–5 minutes"; queues can add more
    # [t2v] (the May 2025 version) "Number of concurrent tasks: 2" per model on a default account.
    max_concurrency=2,
    homepage="https://www.alibabacloud.com/help/en/model-studio/text-to-video-api-reference",
    notes="Region: [providers.wan] region = beijing | singapore | virginia (keys are per region).",
)

MODELS: tuple[ModelInfo, ...] = (
    WAN25,
    WAN25_T2V,
    WAN25_I2V,
    WAN22_T2V_PLUS,
    WAN22_I2V_FLASH,
    WANX21_T2V_TURBO,
    WANX21_T2V_PLUS,
    WANX21_I2V_TURBO,
    WANX21_KF2V_PLUS,
    WAN22_KF2V_FLASH,
)
