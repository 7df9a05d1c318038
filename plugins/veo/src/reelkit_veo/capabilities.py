"""What Google Veo on the Gemini API accepts, as data.

Sources, cited next to each fact:
- [seed 000] ``docs/reference/seeds.md`` §000, MassGen's video skill (priority 2, default model,
  16:9 default, 20 s polls, 10 min cap, Veo 3.1 audio, extension constraints);
- [veo-grok §n] ``docs/reference/veo-grok.md`` section n (Gemini API docs "Veo API parameters and
  specifications" and "Model versions", page updated 2026-06-22, and google-genai 2.34.0);
- [pricing] https://ai.google.dev/gemini-api/docs/pricing (prices, read 2026-12-02).
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
    Variant,
)
from reelkit.pricing import Pricing, Rate

BASE_URL = "https://generativelanguage.googleapis.com"  # [veo-grok §1.1]
DEFAULT_MODEL = "veo-3.1-generate-preview"  # [seed 000] "Default Model"

# [veo-grok §1.4] aspectRatio: "16:9" (default, also [seed 000]) or "9:16", on every model.
ASPECTS = ("16:9", "9:16")
# [veo-grok §1.4, §0.5] Veo 3.x durations are discrete 4/6/8 s; the seed's "continuous 4–8" would
# send 5 or 7, which the API rejects, so requests snap (and the clamp reports it).
VEO3_DURATIONS = Choices((4, 6, 8))
EIGHT = Choices((8,))  # [veo-grok §1.4] "must be 8" with 1080p/4k, reference images, extension
VEO2_DURATIONS = Choices((5, 6, 8))  # [veo-grok §1.4] Veo 2: 5, 6 or 8 s

MAX_REFERENCE_IMAGES = 3  # [veo-grok §1.5] referenceImages: up to 3 asset images
# [veo-grok §1.5] each extension adds about 7 s; up to 20 extensions; input video at most 141 s.
EXTENSION_SECONDS = 7.0
MAX_EXTENSIONS = 20
MAX_EXTENSION_INPUT_S = 141.0
URL_LIFETIME_S = 2 * 24 * 3600.0  # [veo-grok §0.6, §1.7] outputs are kept 2 days

# [veo-grok §1.2] images travel only as {bytesBase64Encoded, mimeType}: the Gemini API has no URL or
# https form for images (gcsUri is Vertex only; js-genai #1270 is an open request for URLs).
# Up to 20 MB (Veo 2 model card). Formats: the documented examples use PNG and JPEG.
IMAGES = ImageLimits(formats=("jpeg", "png"), transports=("base64",), max_bytes=20 * 1000 * 1000)

# [veo-grok §1.2] "Text prompt limit: 1,024 tokens for all Veo 3.x models" (Gemini API docs "Model
# versions", https://ai.google.dev/gemini-api/docs/video). reelkit cannot count Gemini tokens
# offline, so it bounds characters instead. Google's rule of thumb is "a token is about 4
# characters" (https://ai.google.dev/gemini-api/docs/tokens), i.e. ~4,096 characters; prose with
# long words runs above 4 characters per token, so the bound is twice that, 8,192 characters:
# conservative in that it never refuses a prompt Veo could plausibly accept, while an absurd one
# (a 1 MB paste) never reaches the paid endpoint. Between ~4k and 8k characters Google's own
# INVALID_ARGUMENT may still answer. Veo 2 documents no limit, so it declares none.
VEO3_PROMPT_TOKENS = 1024
CHARS_PER_TOKEN_BOUND = 8
VEO3_MAX_PROMPT_CHARS = VEO3_PROMPT_TOKENS * CHARS_PER_TOKEN_BOUND

# --param KEY=VALUE pass-through (parameters.*), on every model [veo-grok §1.2, §1.4]. The allowed
# personGeneration values depend on model, mode and region, so it is sent only when asked for.
PERSON_GENERATION = ("allow_all", "allow_adult", "dont_allow")
_PERSON = "who may appear: allow_all (t2v), allow_adult (image modes, EU/UK/CH/MENA), dont_allow"
_ENHANCE = "let Google rewrite the prompt (enhancePrompt; sent by google-genai, not in the table)"
PARAMS: tuple[Param, ...] = (
    Param(name="person_generation", type="str", description=_PERSON, choices=PERSON_GENERATION),
    Param(name="enhance_prompt", type="bool", description=_ENHANCE),
    # The wire spellings work too (translate maps both to the same field).
    Param(
        name="personGeneration",
        type="str",
        description="same as person_generation",
        choices=PERSON_GENERATION,
    ),
    Param(name="enhancePrompt", type="bool", description="same as enhance_prompt"),
)

# [veo-grok §0.4, §1.2] google-genai 2.34 refuses seed, generate_audio and fps before sending.
_NOTE_SEED = "seed, fps and an audio switch are Vertex-only: dropped with an adjustment."

# [pricing] The Gemini API's own table, "Paid Tier, per second in USD" (the page then said "Last
# updated 2026-09-24 UTC"). It lists only "video with audio" prices: Veo 3.x on the Gemini API
# always has sound (audio=Audio.ALWAYS, so every plan carries audio=True). A price is per second
# of the requested duration in every mode: the page prices video, not modes. An extension asks
# for 8 s and adds about 7 s, so its estimate may be 1 s high.
PRICING_URL = "https://ai.google.dev/gemini-api/docs/pricing"
PRICES_READ = date(2026, 12, 2)
_CHARGED = 'the page: "You will only be charged if your video is successfully generated."'


def _with_audio(*rows: tuple[tuple[str, ...], float]) -> Pricing:
    return Pricing(
        currency="USD",
        rates=tuple(Rate(amount=usd, resolutions=res, audio=True) for res, usd in rows),
        source=PRICING_URL,
        as_of=PRICES_READ,
        note=_CHARGED,
    )


# "Veo 3.1 Standard video with audio price (default)": $0.40 (720p and 1080p), $0.60 (4k).
PRICE_31 = _with_audio((("720p", "1080p"), 0.40), (("4k",), 0.60))
# "Veo 3.1 Fast video with audio price (default)": $0.10 (720p), $0.12 (1080p), $0.30 (4k).
PRICE_31_FAST = _with_audio((("720p",), 0.10), (("1080p",), 0.12), (("4k",), 0.30))
# "Veo 3.1 Lite video with audio price (default)": $0.05 (720p), $0.08 (1080p), "(4k output not
# supported)" (the catalogue declares no 4k for Lite either).
PRICE_31_LITE = _with_audio((("720p",), 0.05), (("1080p",), 0.08))
# Veo 3, Veo 3 Fast and Veo 2 were shut down on 2026-06-30 (Gemini API changelog, 2026-06-15,
# https://ai.google.dev/gemini-api/docs/changelog; https://ai.google.dev/gemini-api/docs/deprecations)
# and the pricing page no longer lists them: no current price.
PRICE_SHUT_DOWN = Pricing(
    currency="USD",
    rates=(Rate(amount=None, note="shut down 2026-06-30; no longer on the pricing page"),),
    source=PRICING_URL,
    as_of=PRICES_READ,
    note="Veo 3, Veo 3 Fast and Veo 2 were shut down on the Gemini API on 2026-06-30.",
)


def _veo31_variants(*, four_k: bool) -> tuple[Variant, ...]:
    # [veo-grok §1.4] 3.1/3.1 Fast: 720p at 4/6/8 s; 1080p and 4k only at 8 s. Lite: no 4k.
    return (
        Variant(resolutions=("720p",), aspect_ratios=ASPECTS, durations=VEO3_DURATIONS),
        Variant(
            resolutions=("1080p", "4k") if four_k else ("1080p",),
            aspect_ratios=ASPECTS,
            durations=EIGHT,
            note="1080p and 4k require 8 s" if four_k else "1080p requires 8 s",
        ),
    )


def _reference_variant(*, four_k: bool) -> tuple[Variant, ...]:
    # [veo-grok §1.4, §1.5] reference images require 8 s; no resolution restriction is documented.
    return (
        Variant(
            resolutions=("720p", "1080p", "4k") if four_k else ("720p", "1080p"),
            aspect_ratios=ASPECTS,
            durations=EIGHT,
            note="reference images require 8 s",
        ),
    )


_EXTEND = ModeSpec(
    mode=Mode.EXTEND,
    # [veo-grok §1.4, §1.5, seed 000] extension: 720p only, 16:9 or 9:16 (the source's),
    # durationSeconds 8; the result is one combined video, about 7 s longer than the source.
    variants=(
        Variant(
            resolutions=("720p",),
            aspect_ratios=ASPECTS,
            durations=EIGHT,
            note="720p, the source's aspect ratio; adds about 7 s to the source",
        ),
    ),
    # [veo-grok §1.5] "Each call adds about 7 s, up to 20 times, for an output of up to 148 s";
    # input ≤141 s.
    extension_adds_s=7.0,
    max_extensions=20,
    max_source_s=141.0,
    max_total_s=148.0,
    note="continue_from a Veo job made in the last 2 days; up to 20 extensions, input ≤141 s",
)


def _veo31(model_id: str, *, title: str, aliases: tuple[str, ...], price: Pricing) -> ModelInfo:
    core = _veo31_variants(four_k=True)
    return ModelInfo(
        id=model_id,
        aliases=aliases,
        title=title,
        modes=(
            ModeSpec(mode=Mode.T2V, variants=core),
            ModeSpec(mode=Mode.I2V, variants=core),  # [veo-grok §1.5] `image`
            ModeSpec(
                mode=Mode.FIRST_LAST, variants=core
            ),  # [veo-grok §1.5] `lastFrame`, 3.1 family
            ModeSpec(
                mode=Mode.REFERENCE,
                variants=_reference_variant(four_k=True),
                max_reference_images=MAX_REFERENCE_IMAGES,
                # [veo-grok §1.5] the SDK docstring: image/video/lastFrame not supported with references
                accepts_first_frame=False,
                note="asset references only on the Gemini API; a prompt is required",
            ),
            _EXTEND,
        ),
        default_duration=8,  # [seed 000] default duration 8 s
        default_resolution="720p",  # [veo-grok §1.4] 720p is the API default
        default_aspect_ratio="16:9",  # [seed 000] "defaults to 16:9 aspect ratio"
        default_fps=24,  # [veo-grok §1.3] MP4 at 24 fps
        fps_settable=False,  # [veo-grok §0.4] fps refused on the Gemini API
        supports_seed=False,  # [veo-grok §0.4] seed refused on the Gemini API
        supports_negative_prompt=True,  # [veo-grok §1.2, §1.4] parameters.negativePrompt
        audio=Audio.ALWAYS,  # [veo-grok §0.4, seed 000] audio is always on for Veo 3/3.1
        images=IMAGES,
        url_lifetime_s=URL_LIFETIME_S,
        max_prompt_chars=VEO3_MAX_PROMPT_CHARS,  # 1,024 tokens [veo-grok §1.2], see above
        params=PARAMS,
        price=price,
        notes="— prompts up to 1,024 tokens; " + _NOTE_SEED,  # [veo-grok §1.2]
    )


def _veo31_lite() -> ModelInfo:
    core = _veo31_variants(four_k=False)
    return ModelInfo(
        id="veo-3.1-lite-generate-preview",  # [veo-grok §1.3] Preview (Mar 2026)
        aliases=("veo-3.1-lite",),
        title="Veo 3.1 Lite (preview)",
        modes=(
            # [veo-grok §1.3] Lite: text and image input, lastFrame accepted; no referenceImages,
            # no extension, no 4k.
            ModeSpec(mode=Mode.T2V, variants=core),
            ModeSpec(mode=Mode.I2V, variants=core),
            ModeSpec(mode=Mode.FIRST_LAST, variants=core),
        ),
        default_duration=8,
        default_resolution="720p",
        default_aspect_ratio="16:9",
        fps_settable=False,
        supports_seed=False,
        supports_negative_prompt=True,
        audio=Audio.ALWAYS,  # [veo-grok §0.4] audio always on for Veo 3.x
        images=IMAGES,
        url_lifetime_s=URL_LIFETIME_S,
        max_prompt_chars=VEO3_MAX_PROMPT_CHARS,  # 1,024 tokens on all Veo 3.x [veo-grok §1.2]
        params=PARAMS,
        price=PRICE_31_LITE,
        notes="— no 4k, no reference images, no extension; " + _NOTE_SEED,  # [veo-grok §1.3]
    )


def _veo30(model_id: str, *, title: str, aliases: tuple[str, ...]) -> ModelInfo:
    # [veo-grok §1.4] Veo 3: 720p, or 1080p in 16:9 only; 4/6/8 s, 8 s with 1080p.
    variants = (
        Variant(resolutions=("720p",), aspect_ratios=ASPECTS, durations=VEO3_DURATIONS),
        Variant(
            resolutions=("1080p",),
            aspect_ratios=("16:9",),
            durations=EIGHT,
            note="1080p: 16:9 and 8 s only",
        ),
    )
    return ModelInfo(
        id=model_id,
        aliases=aliases,
        title=title,
        # [veo-grok §1.4, §1.5] Veo 3 documents text-to-video and image-to-video only.
        modes=(
            ModeSpec(mode=Mode.T2V, variants=variants),
            ModeSpec(mode=Mode.I2V, variants=variants),
        ),
        default_duration=8,
        default_resolution="720p",
        default_aspect_ratio="16:9",
        fps_settable=False,
        supports_seed=False,
        supports_negative_prompt=True,
        audio=Audio.ALWAYS,  # [veo-grok §0.4] audio always on for Veo 3
        images=IMAGES,
        url_lifetime_s=URL_LIFETIME_S,
        max_prompt_chars=VEO3_MAX_PROMPT_CHARS,  # 1,024 tokens on all Veo 3.x [veo-grok §1.2]
        params=PARAMS,
        price=PRICE_SHUT_DOWN,
        notes="— marked deprecated in the Gemini docs; " + _NOTE_SEED,  # [veo-grok §1.3]
    )


def _veo20() -> ModelInfo:
    # [veo-grok §1.3, §1.4] Veo 2: silent, 720p (the resolution parameter is unsupported and not
    # sent), 5/6/8 s, text and image input.
    variants = (Variant(resolutions=("720p",), aspect_ratios=ASPECTS, durations=VEO2_DURATIONS),)
    return ModelInfo(
        id="veo-2.0-generate-001",
        aliases=("veo-2", "veo-2.0"),
        title="Veo 2 (deprecated)",
        modes=(
            ModeSpec(mode=Mode.T2V, variants=variants),
            ModeSpec(mode=Mode.I2V, variants=variants),
        ),
        default_duration=8,
        default_resolution="720p",
        default_aspect_ratio="16:9",
        fps_settable=False,
        supports_seed=False,
        supports_negative_prompt=True,
        audio=Audio.NONE,  # [veo-grok §1.3] silent
        images=IMAGES,
        url_lifetime_s=URL_LIFETIME_S,
        max_prompt_chars=None,  # [veo-grok §1.2, §1.3] no prompt limit is documented for Veo 2
        params=PARAMS,
        price=PRICE_SHUT_DOWN,
        notes="— marked deprecated in the Gemini docs; " + _NOTE_SEED,  # [veo-grok §1.3]
    )


PROVIDER = ProviderInfo(
    name="veo",
    title="Google Veo (Gemini API)",
    default_model=DEFAULT_MODEL,
    aliases=("google", "gemini"),  # docs/design.md §1.2
    priority=2,  # [seed 000] "Google Veo (priority 2)"
    credential_env=(
        ("GEMINI_API_KEY",),
        ("GOOGLE_API_KEY",),
    ),  # docs/design.md §1.2, [veo-grok §3.1]
    base_url=BASE_URL,
    poll_interval_s=20.0,  # [seed 000] "Custom polling every 20s"
    timeout_s=600.0,  # [seed 000] "(up to 10 min)"
    homepage="https://ai.google.dev/gemini-api/docs/video",
    notes=(
        "Long-running operations on the Gemini API (paid tier only). google-genai 3.x dropped "
        "Veo on the Gemini API in Nov 2026; the REST flow used here is still documented, but "
        "whether it keeps serving is unverified [veo-grok §0.3]."
    ),
)

MODELS: tuple[ModelInfo, ...] = (
    _veo31(DEFAULT_MODEL, title="Veo 3.1 (preview)", aliases=("veo-3.1",), price=PRICE_31),
    _veo31(
        "veo-3.1-fast-generate-preview",
        title="Veo 3.1 Fast (preview)",
        aliases=("veo-3.1-fast",),
        price=PRICE_31_FAST,
    ),
    _veo31_lite(),
    _veo30("veo-3.0-generate-001", title="Veo 3 (deprecated)", aliases=("veo-3", "veo-3.0")),
    _veo30(
        "veo-3.0-fast-generate-001",
        title="Veo 3 Fast (deprecated)",
        aliases=("veo-3-fast", "veo-3.0-fast"),
    ),
    _veo20(),
)

# Models whose API takes the `resolution` parameter ([veo-grok §1.4]: Veo 2 does not).
SENDS_RESOLUTION = frozenset(m.id for m in MODELS if m.id != "veo-2.0-generate-001")
