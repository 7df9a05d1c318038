"""What the Runway API accepts, as data.

Sources, cited next to each fact (all read 2026-12-02):
- [sdk] the official ``runwayml`` SDK 5.24.0 (https://pypi.org/project/runwayml/5.24.0/, source
  https://github.com/runwayml/sdk-python), whose request types are generated from Runway's
  OpenAPI spec: ``types/text_to_video_create_params.py``, ``image_to_video_create_params.py``,
  ``video_to_video_create_params.py``, ``task_retrieve_response.py``, ``_client.py``;
- [ref] Runway's own API reference skill,
  https://github.com/runwayml/skills/blob/main/skills/rw-api-reference/SKILL.md (credits per
  second, statuses, size limits, formats, output URL lifetime, rate limits);
- [guide] https://docs.dev.runwayml.com/guides/using-the-api (base URL, SDK usage);
- [failures] https://docs.dev.runwayml.com/errors/task-failures/ (``failureCode`` families).

Models the SDK 5.24.0 no longer lists in its request types are not offered: ``gen3a_turbo`` and
``gen4_aleph`` (dropped in June 2026, sdk-python commit d106617) and ``veo3`` (still in 5.13.0,
gone by 5.24.0). Runway's third-party models on these endpoints (Kling, Seedance, Hailuo, Wan,
Grok, Gemini Omni, HappyHorse) are left out: reelkit reaches them through their own providers.
"""

from __future__ import annotations

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
    Range,
    Variant,
)
from reelkit.pricing import Pricing, Rate

BASE_URL = "https://api.dev.runwayml.com"  # [sdk] _client.py default base_url; [guide]
API_VERSION = "2024-11-06"  # [sdk] _client.py sends X-Runway-Version: 2024-11-06
VERSION_HEADER = "X-Runway-Version"
DEFAULT_MODEL = "gen4.5"

# [sdk] `ratio` is the output's pixel size as "W:H". reelkit keeps aspect ratio and resolution
# and maps each pair to Runway's pixel string.
GEN4_I2V_SIZES = {  # [sdk] gen4.5 / gen4_turbo image_to_video ratios
    ("720p", "16:9"): "1280x720",
    ("720p", "9:16"): "720x1280",
    ("720p", "4:3"): "1104x832",
    ("720p", "3:4"): "832x1104",
    ("720p", "1:1"): "960x960",
    ("720p", "21:9"): "1584x672",
}
GEN45_T2V_SIZES = {  # [sdk] gen4.5 text_to_video ratios: 1280:720, 720:1280
    ("720p", "16:9"): "1280x720",
    ("720p", "9:16"): "720x1280",
}
VEO_SIZES = {  # [sdk] veo3.1 / veo3.1_fast: 1280:720, 720:1280, 1920:1080, 1080:1920
    ("720p", "16:9"): "1280x720",
    ("720p", "9:16"): "720x1280",
    ("1080p", "16:9"): "1920x1080",
    ("1080p", "9:16"): "1080x1920",
}
# [sdk] gen4.5: "Must be an integer from 2 to 10"; gen4_turbo's `duration: int` names no range,
# and [ref] gives "2-10 seconds" for the Gen-4 family.
GEN4_DURATIONS = Range(2, 10, step=1)
VEO_DURATIONS = Choices((4, 6, 8))  # [sdk] veo3.1 duration: Literal[4, 6, 8]
# [sdk] aleph2 takes no duration: the output follows the input video. The range only bounds
# what reelkit records as requested; it is never sent.
EDIT_DURATIONS = Range(1, 30)

MAX_PROMPT_CHARS = 1000  # [sdk] promptText: "up to 1000 characters (measured in UTF-16 code units)"
# [sdk] promptImage / videoUri: "base64 data URI (... up to 5MB)"; [ref] size limits: images
# 16 MB by URL (Runway fetches those itself), 5 MB as a data URI. Local files and bytes travel
# as data URIs, so the limit is checked in translate on the encoded URI (which is what the 5 MB
# counts, read conservatively as MiB of the URI text), naming the field.
DATA_URI_MAX_BYTES = 5 * 1024 * 1024
# [ref] "Images: JPEG, PNG, WebP (no GIF)"; HTTPS URLs or data URIs.
IMAGES = ImageLimits(formats=("jpeg", "png", "webp"), transports=("url", "base64"))
# [sdk] task output URLs "will expire within 24-48 hours": reelkit assumes the shorter.
URL_LIFETIME_S = 24 * 3600.0

# --param KEY=VALUE: [sdk] contentModeration.publicFigureThreshold: "auto" | "low" (gen4.5,
# gen4_turbo, aleph2).
PUBLIC_FIGURE = Param(
    name="public_figure_threshold",
    type="str",
    choices=("auto", "low"),
    description="contentModeration.publicFigureThreshold: `low` is less strict about public figures",
)

# [ref] "Cost (credits/sec)", and "1 credit = $0.01"
# (https://docs.dev.runwayml.com/guides/pricing/ states $0.01 per credit; the page itself was not
# in the searchable corpus, so the per-model credits come from [ref], Runway's own table).
PRICING_URL = "https://github.com/runwayml/skills/blob/main/skills/rw-api-reference/SKILL.md"
PRICES_READ = date(2026, 12, 2)
USD_PER_CREDIT = 0.01
_NOTE = "Runway bills credits at $0.01; each finished task reports its cost.credits."


def _credits(*rates: Rate) -> Pricing:
    return Pricing(currency="USD", rates=rates, source=PRICING_URL, as_of=PRICES_READ, note=_NOTE)


def _per_second(credits: float, *, audio: bool | None = None) -> Rate:
    return Rate(amount=round(credits * USD_PER_CREDIT, 4), audio=audio)


PRICE_GEN45 = _credits(_per_second(12))  # [ref] gen4.5: 12 credits/s
PRICE_GEN4_TURBO = _credits(_per_second(5))  # [ref] gen4_turbo: 5 credits/s
# [ref] veo3.1: "20-40" credits/s, veo3.1_fast "10-15"; [sdk] audio: "Audio inclusion affects
# pricing". The two ends are read as without and with sound (the only price factor the schema
# names); reelkit always sends `audio` so the estimate matches what is asked.
PRICE_VEO31 = _credits(_per_second(20, audio=False), _per_second(40, audio=True))
PRICE_VEO31_FAST = _credits(_per_second(10, audio=False), _per_second(15, audio=True))
# aleph2 is not in [ref]'s table (its predecessor gen4_aleph was 15 credits/s): unknown.
PRICE_ALEPH2 = _credits(
    Rate(amount=None, note="aleph2's credits per second are not in Runway's published table")
)


def _variant(sizes: dict[tuple[str, str], str], durations: Range | Choices) -> Variant:
    resolutions = tuple(dict.fromkeys(res for res, _ in sizes))
    aspects = tuple(dict.fromkeys(aspect for _, aspect in sizes))
    return Variant(resolutions=resolutions, aspect_ratios=aspects, durations=durations, sizes=sizes)


def _veo_variants() -> tuple[Variant, ...]:
    return tuple(
        _variant({k: v for k, v in VEO_SIZES.items() if k[0] == res}, VEO_DURATIONS)
        for res in ("720p", "1080p")
    )


GEN45 = ModelInfo(
    id="gen4.5",
    aliases=("gen-4.5", "gen45"),
    title="Gen-4.5",
    modes=(
        ModeSpec(mode=Mode.T2V, variants=(_variant(GEN45_T2V_SIZES, GEN4_DURATIONS),)),
        ModeSpec(mode=Mode.I2V, variants=(_variant(GEN4_I2V_SIZES, GEN4_DURATIONS),)),
    ),
    default_duration=5,  # [guide] the getting-started example asks for 5 s
    default_resolution="720p",
    default_aspect_ratio="16:9",
    supports_seed=True,  # [sdk] seed: int
    audio=Audio.NONE,  # [sdk] no audio field on gen4.5
    max_prompt_chars=MAX_PROMPT_CHARS,
    images=IMAGES,
    url_lifetime_s=URL_LIFETIME_S,
    params=(PUBLIC_FIGURE,),
    price=PRICE_GEN45,
    notes="— a prompt is required, with or without a first frame.",
)

GEN4_TURBO = ModelInfo(
    id="gen4_turbo",
    aliases=("gen-4-turbo",),
    title="Gen-4 Turbo",
    modes=(ModeSpec(mode=Mode.I2V, variants=(_variant(GEN4_I2V_SIZES, GEN4_DURATIONS),)),),
    default_duration=5,
    default_resolution="720p",
    default_aspect_ratio="16:9",
    supports_seed=True,  # [sdk] seed: int
    max_prompt_chars=MAX_PROMPT_CHARS,
    images=IMAGES,
    url_lifetime_s=URL_LIFETIME_S,
    params=(PUBLIC_FIGURE,),
    price=PRICE_GEN4_TURBO,
    notes="— image-to-video only (Runway offers it on image_to_video alone).",
)


def _veo(model_id: str, title: str, price: Pricing) -> ModelInfo:
    return ModelInfo(
        id=model_id,
        title=title,
        modes=(
            ModeSpec(mode=Mode.T2V, variants=_veo_variants()),
            ModeSpec(mode=Mode.I2V, variants=_veo_variants()),
            # [sdk] promptImage: "a first frame and optionally a last frame" (position first|last)
            ModeSpec(mode=Mode.FIRST_LAST, variants=_veo_variants()),
        ),
        default_duration=8,  # the longest of 4, 6, 8 [sdk]
        default_resolution="720p",
        default_aspect_ratio="16:9",
        supports_seed=False,  # [sdk] no seed on veo3.1
        supports_negative_prompt=True,  # [sdk] negativePrompt
        audio=Audio.OPTIONAL,  # [sdk] audio: bool
        max_prompt_chars=MAX_PROMPT_CHARS,
        images=IMAGES,
        url_lifetime_s=URL_LIFETIME_S,
        price=price,
    )


VEO31 = _veo("veo3.1", "Veo 3.1 on Runway", PRICE_VEO31)
VEO31_FAST = _veo("veo3.1_fast", "Veo 3.1 Fast on Runway", PRICE_VEO31_FAST)

ALEPH2 = ModelInfo(
    id="aleph2",
    aliases=("aleph", "aleph-2"),
    title="Aleph 2.0 (video to video)",
    modes=(
        ModeSpec(
            mode=Mode.EDIT,
            variants=(
                Variant(
                    resolutions=("720p",),
                    aspect_ratios=("16:9", "9:16", "4:3", "3:4", "1:1", "21:9"),
                    durations=EDIT_DURATIONS,
                    note="duration, shape and size follow the source video; they are not sent",
                ),
            ),
            note="POST /v1/video_to_video (videoUri)",
        ),
    ),
    default_duration=5,
    default_resolution="720p",
    default_aspect_ratio="16:9",
    supports_seed=True,  # [sdk] seed: int
    max_prompt_chars=MAX_PROMPT_CHARS,
    images=IMAGES,
    url_lifetime_s=URL_LIFETIME_S,
    params=(PUBLIC_FIGURE,),
    price=PRICE_ALEPH2,
    notes="— the source video is an https URL or a data URI of at most 5 MB.",
)

PROVIDER = ProviderInfo(
    name="runway",
    title="Runway API",
    default_model=DEFAULT_MODEL,
    aliases=("runwayml",),
    priority=9,  # docs/design.md §1.8: the second wave follows the first eight (and vertex)
    credential_env=(("RUNWAYML_API_SECRET",),),  # [sdk] _client.py reads RUNWAYML_API_SECRET
    base_url=BASE_URL,
    poll_interval_s=5.0,  # [ref] the polling example waits 5 s between polls
    timeout_s=600.0,
    # [ref] tier 1 (the default) runs 1-2 tasks at once; more are THROTTLED, not refused.
    max_concurrency=1,
    homepage="https://docs.dev.runwayml.com/",
    # [sdk] output URLs expire within 24-48 h; no request field sets the frame rate, and none is
    # documented, so the models keep the core default of 24 fps (not settable).
    notes="Output URLs expire within 24-48 h: reelkit downloads them at once.",
)

MODELS: tuple[ModelInfo, ...] = (GEN45, GEN4_TURBO, VEO31, VEO31_FAST, ALEPH2)
