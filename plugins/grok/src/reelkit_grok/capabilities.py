"""What xAI Grok Imagine video accepts, as data.

Sources, cited next to each fact:
- [seed 000] ``docs/reference/seeds.md`` §000, MassGen's video skill (priority 1, default model,
  1–15 s clamped, default 5 s, 480p/720p, 10 min polling cap);
- [veo-grok §n] ``docs/reference/veo-grok.md`` section n (docs.x.ai video pages, xai-sdk 1.21.0,
  Vercel ``@ai-sdk/xai``);
- [pricing] https://docs.x.ai/developers/pricing (prices, read 2026-12-02).
"""

from __future__ import annotations

from datetime import date

from reelkit.capabilities import (
    Audio,
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

BASE_URL = "https://api.x.ai"  # [veo-grok §2.1] base https://api.x.ai/v1
DEFAULT_MODEL = "grok-imagine-video"  # [seed 000] "Default Model"
MODEL_15 = "grok-imagine-video-1.5"  # [veo-grok §0.9, §2.1]

# [veo-grok §2.2] aspect_ratio: 1:1, 16:9 (default), 9:16, 4:3, 3:4, 3:2, 2:3.
ASPECTS = ("16:9", "9:16", "1:1", "4:3", "3:4", "3:2", "2:3")
# [seed 000] "Continuous range 1-15s (clamped to bounds)"; [veo-grok §2.2] duration is an int,
# 1–15 s.
DURATIONS = Range(1, 15, step=1)
# [veo-grok §2.2] on extensions `duration` is the length added: 1–10 s (SDK default 6).
EXTENSION_DURATIONS = Range(1, 10, step=1)
# [veo-grok §2.2] edits take no duration: the output matches the input, which is effectively ≤8.7 s.
EDIT_DURATIONS = Range(1, 8.7)
# [veo-grok §2.2] extension input: 2–30 s per the SDK 1.21 docstring (older notes say 2–15 s).
EXTENSION_INPUT_S = (2.0, 30.0)

MAX_REFERENCE_IMAGES = 7  # [veo-grok §2.2] reference_images: 1–7 (Vercel schema)
MAX_KEYFRAMES = 4  # [veo-grok §2.2] keyframes: ≤4, 0 < t < duration, ≥1/3 s apart (1.5 only)
MAX_REFERENCE_AUDIOS = 3  # [veo-grok §2.2] reference_audios: ≤3 preset voices (1.5 only)
URL_LIFETIME_S = 24 * 3600.0  # [veo-grok §0.8, §2.3] video.url is "valid for 24 hours"

# [veo-grok §2.2] images: public https URLs or base64 data URIs, as {"url": …}; 20 MiB each (a
# third-party note). Formats are not documented; JPEG appears in the docs' data-URI example.
IMAGES = ImageLimits(
    formats=("jpeg", "png", "webp"), transports=("url", "base64"), max_bytes=20 * 1024 * 1024
)

SD = ("480p", "720p")  # [seed 000] "480p, 720p"; [veo-grok §2.2] 480p is the API default
HD = ("480p", "720p", "1080p")  # [veo-grok §0.9, §2.2] 1080p on 1.5, text- and image-to-video only

# --param KEY=VALUE pass-through, checked by the core before translate (and in depth there).
# [veo-grok §2.2] `user`: an end-user id (Vercel passes it through); `storage_options`: persist the
# result to the xAI Files API, {"filename", "expires_after"?, "public_url"}. Both go into the
# body on every endpoint (generations, edits, extensions).
USER = Param(name="user", type="str", description="end-user id passed to xAI (`user`)")
STORAGE_OPTIONS = Param(
    name="storage_options",
    type="dict",
    description='persist the result to the xAI Files API: {"filename", "public_url", …}',
)
# [veo-grok §2.2] 1.5 only, generations only: ≤4 {image: {url}, timestamp_s}, 0 < t < duration, ≥1/3 s
# apart; ≤3 preset voices, reference-to-video only. The structure is checked in translate.
KEYFRAMES = Param(
    name="keyframes",
    type="list",
    description="≤4 pinned frames [{url, timestamp_s}], 0 < t < duration, ≥1/3 s apart",
)
REFERENCE_AUDIOS = Param(
    name="reference_audios",
    type="list",
    description='≤3 preset voice ids for reference-to-video, e.g. ["eve"] (`<AUDIO_0>`…)',
)
BASE_PARAMS = (USER, STORAGE_OPTIONS)
PARAMS_15 = (*BASE_PARAMS, KEYFRAMES, REFERENCE_AUDIOS)

_SOURCE_NOTE = "duration, aspect ratio and resolution follow the source video; they are not sent"

# [pricing] xAI's price list (the page then said "Last updated: September 21, 2026"): video is
# priced per second of output by resolution, with no split for sound (generate_audio), so no row
# sets ``audio``. The list as read names no per-input-image fee ([veo-grok §2.1] cites a
# third-party $0.002 an image that no xAI page confirmed), so none is added. Edits and extensions
# also take a video as input, and how that input is billed is not published: unknown.
PRICING_URL = "https://docs.x.ai/developers/pricing"
PRICES_READ = date(2026, 12, 2)
_VIDEO_INPUT = Rate(
    amount=None,
    modes=(Mode.EDIT, Mode.REMIX, Mode.EXTEND),
    note="how xAI bills the input video of an edit or extension is not published",
)


def _per_second(*rows: tuple[str, float]) -> Pricing:
    return Pricing(
        currency="USD",
        rates=(_VIDEO_INPUT, *(Rate(amount=usd, resolutions=(res,)) for res, usd in rows)),
        source=PRICING_URL,
        as_of=PRICES_READ,
        note="xAI reports what it billed (usage.cost_in_usd_ticks); reelkit records that too.",
    )


PRICE_BASE = _per_second(("480p", 0.05), ("720p", 0.07))  # grok-imagine-video
PRICE_15 = _per_second(("480p", 0.08), ("720p", 0.14), ("1080p", 0.25))  # grok-imagine-video-1.5


def _variants(resolutions: tuple[str, ...], durations: Range = DURATIONS) -> tuple[Variant, ...]:
    return (Variant(resolutions=resolutions, aspect_ratios=ASPECTS, durations=durations),)


def _edit_modes() -> tuple[ModeSpec, ...]:
    # [veo-grok §2.1, §2.4] /v1/videos/edits transforms a video (edit input ≤8.7 s, output ≤720p);
    # /v1/videos/extensions adds 1–10 s to it. reelkit maps `video` (edit) and `remix_of`
    # (re-prompt an earlier job's video) to edits, and `continue_from` to extensions: never
    # conflated (MassGen sent continue_from to /edits [veo-grok §3.3]).
    edit = Variant(
        resolutions=SD, aspect_ratios=ASPECTS, durations=EDIT_DURATIONS, note=_SOURCE_NOTE
    )
    extend = Variant(
        resolutions=SD,
        aspect_ratios=ASPECTS,
        durations=EXTENSION_DURATIONS,
        note="duration is the length added; aspect ratio and resolution follow the source",
    )
    return (
        ModeSpec(mode=Mode.EDIT, variants=(edit,), note="POST /v1/videos/edits"),
        ModeSpec(mode=Mode.REMIX, variants=(edit,), note="an edit of the earlier job's video"),
        ModeSpec(
            mode=Mode.EXTEND,
            variants=(extend,),
            # [veo-grok §2.1] extension input is 2–30 s (xai-sdk 1.21 docstring); the duration
            # asked is the length added.
            max_source_s=30.0,
            note="POST /v1/videos/extensions",
        ),
    )


def _model(
    model_id: str,
    *,
    aliases: tuple[str, ...],
    title: str,
    modes: tuple[ModeSpec, ...],
    params: tuple[Param, ...],
    price: Pricing,
    notes: str,
) -> ModelInfo:
    return ModelInfo(
        id=model_id,
        aliases=aliases,
        title=title,
        modes=modes,
        default_duration=5,  # [seed 000] "Default Duration 5s" (the SDK's own default is 8)
        default_resolution="480p",  # [veo-grok §2.2] the API's default resolution
        default_aspect_ratio="16:9",  # [veo-grok §2.2] default 16:9
        # [veo-grok §2.2] no fps field; xAI does not document the frame rate (24 is assumed).
        fps_settable=False,
        supports_seed=False,  # [veo-grok §2.2] no seed field
        supports_negative_prompt=False,  # [veo-grok §2.2] no negative prompt field
        audio=Audio.OPTIONAL,  # [veo-grok §2.2] generate_audio: bool, default true
        images=IMAGES,
        url_lifetime_s=URL_LIFETIME_S,
        # [veo-grok §2.2, §2.3] no prompt length is documented ("prompt too long" is only named as a
        # cause of `invalid_argument`), so none is declared.
        max_prompt_chars=None,
        params=params,
        # [veo-grok §2.1] "Image-to-video defaults to the input image's aspect ratio; setting
        # aspect_ratio explicitly stretches the image" (and text-to-video's default is 16:9,
        # the model's own): an aspect ratio nobody asked for is never sent.
        implicit_defaults=("aspect_ratio",),
        price=price,
        notes=notes,
    )


BASE_MODEL = _model(
    DEFAULT_MODEL,
    aliases=("grok-imagine", "grok-video"),
    title="Grok Imagine video",
    modes=(
        ModeSpec(mode=Mode.T2V, variants=_variants(SD)),
        ModeSpec(mode=Mode.I2V, variants=_variants(SD)),  # [veo-grok §2.2] image: {url}
        ModeSpec(
            mode=Mode.REFERENCE,
            variants=_variants(SD),  # [veo-grok §2.2] reference-to-video is capped at 720p
            max_reference_images=MAX_REFERENCE_IMAGES,
            # [veo-grok §2.2] `image` + `reference_images` → 400 on the base model.
            accepts_first_frame=False,
            note="refer to the images in the prompt as `<IMAGE_1>`, `<IMAGE_2>`, …",
        ),
        *_edit_modes(),
    ),
    params=BASE_PARAMS,
    price=PRICE_BASE,
    notes="— a first frame together with reference images is refused (HTTP 400).",
)

GROK_15 = _model(
    MODEL_15,
    aliases=("grok-imagine-1.5",),
    title="Grok Imagine video 1.5",
    modes=(
        ModeSpec(mode=Mode.T2V, variants=_variants(HD)),
        ModeSpec(mode=Mode.I2V, variants=_variants(HD)),
        # [veo-grok §2.2] last_frame pins the last frame (1.5 only); with image it interpolates.
        ModeSpec(mode=Mode.FIRST_LAST, variants=_variants(HD)),
        ModeSpec(
            mode=Mode.REFERENCE,
            variants=_variants(SD),  # [veo-grok §2.2] reference-to-video is capped at 720p
            max_reference_images=MAX_REFERENCE_IMAGES,
            # [veo-grok §2.2] on 1.5, `image` with references pins the first frame (SDK docstring).
            accepts_first_frame=True,
            note="refer to the images as `<IMAGE_1>`, …; params reference_audios: preset voices",
        ),
        *_edit_modes(),
    ),
    params=PARAMS_15,
    price=PRICE_15,
    notes="— params: keyframes (≤4 of {url, timestamp_s}), reference_audios (≤3 voice ids).",
)

PROVIDER = ProviderInfo(
    name="grok",
    title="xAI Grok Imagine video",
    default_model=DEFAULT_MODEL,
    aliases=("xai",),  # docs/design.md §1.2
    priority=1,  # [seed 000] "Grok (priority 1)"
    credential_env=(("XAI_API_KEY",),),  # docs/design.md §1.2, [seed 000]
    base_url=BASE_URL,
    poll_interval_s=5.0,  # [veo-grok §2.5] "every 2–5 s (the docs examples use 5 s)"
    # [seed 000] "up to 10 min timeout"; [veo-grok §2.4] DEFAULT_VIDEO_TIMEOUT 10 min
    timeout_s=600.0,
    homepage="https://docs.x.ai/developers/model-capabilities/video/generation",
    notes="Result URLs are temporary (24 h): reelkit downloads them at once [veo-grok §2.3].",
)

MODELS: tuple[ModelInfo, ...] = (BASE_MODEL, GROK_15)
