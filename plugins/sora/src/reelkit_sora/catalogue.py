"""What the OpenAI Videos API offers: the provider and its Sora 2 models, as data.

Sources: ``docs/reference/openai-videos.md`` (cited by section) and the seed
seed 000 (docs/reference/seeds.md) (Sora in auto-selection: priority 3, ``sora-2``, "4, 8, or 12s
(discrete)", default 4 s).
"""

from __future__ import annotations

from datetime import date

from reelkit.capabilities import (
    Audio,
    Choices,
    ImageLimits,
    ModelInfo,
    ProviderInfo,
    Variant,
)
from reelkit.pricing import Pricing, Rate
from reelkit_openai_videos.sora import (
    CHARACTERS,
    sora_modes,
    sora_variants,
)

#: OpenAI's shutdown date for the Videos API and every Sora 2 model (§0.1).
SHUTDOWN = date(2026, 9, 24)

DEPRECATION = (
    "OpenAI deprecated the Videos API and every Sora 2 model on 2026-03-24 and scheduled the "
    "shutdown of api.openai.com/v1/videos for 2026-09-24. The plugin keeps working against any "
    "OpenAI-compatible base URL: set REELKIT_SORA_BASE_URL (or OPENAI_BASE_URL)."
)

PROVIDER = ProviderInfo(
    name="sora",
    title="OpenAI Sora (Videos API)",
    default_model="sora-2",  # seed 000: default model sora-2
    aliases=("openai",),  # docs/design.md §1.2
    priority=3,  # seed 000: "OpenAI Sora (priority 3)"
    credential_env=(("OPENAI_API_KEY",),),
    base_url="https://api.openai.com/v1",  # §1.1
    base_url_env=("OPENAI_BASE_URL",),  # after REELKIT_SORA_BASE_URL; may or may not end in /v1
    # OpenAI advises polling every 10–20 s (§1.5); server hints (openai-poll-after-ms) win.
    poll_interval_s=10.0,
    # Generation "usually 3–5 minutes" (§1.5); Qiniu quotes 10–15 min for 12 s clips (seed 002).
    timeout_s=1800.0,
    homepage="https://developers.openai.com/api/docs/guides/video-generation",
    deprecation=DEPRECATION,
    notes="JSON create (seconds as a string); local image bytes are uploaded as multipart.",
)

# --- durations (§1.3): the SDK types say 4/8/12; the March 2026 guide adds 16 and 20 -----------
CLASSIC = Choices((4, 8, 12))  # seed 000 and the SDK's typed enum
EXTENDED = Choices((4, 8, 12, 16, 20))  # developers.openai.com guide, March 2026 (§0.2)

#: ``prompt``: 1–32000 characters (§1.3; https://developers.openai.com/api/reference/resources/videos).
MAX_PROMPT_CHARS = 32_000

_IMAGES = ImageLimits(
    formats=("jpeg", "png", "webp"),  # §1.3: a jpg/png/webp file
    transports=("url", "base64", "upload"),  # URL or data URL in JSON; bytes as a multipart file
    must_match_size=True,  # §0.5: "Inpaint image must match the requested width and height"
)


# --- prices ---------------------------------------------------------------------------------
#: OpenAI's model page, read 2026-12-02 in its de-DE localisation (it now marks Sora 2 as shut
#: down, as of 2026-09-24): "Video generation, Per second, Portrait: 720x1280 Landscape: 1280x720,
#: $0.10", and its quick comparison at those sizes: "Sora 2 Pro $0.30, Sora 2 $0.10".
PRICE_SOURCE = "https://developers.openai.com/de-DE/api/docs/models/sora-2"
PRICE_AS_OF = date(2026, 12, 2)

#: Billed per second of video; sound is always on, so no audio condition. An extension bills its
#: own seconds; a remix keeps its source's length, which the plan may not know.
SORA_2_PRICE = Pricing(
    currency="USD",
    rates=(Rate(amount=0.10, resolutions=("720p",), note="720x1280 or 1280x720"),),
    source=PRICE_SOURCE,
    as_of=PRICE_AS_OF,
)
SORA_2_PRO_PRICE = Pricing(
    currency="USD",
    rates=(
        Rate(amount=0.30, resolutions=("720p",), note="720x1280 or 1280x720"),
        # The page read shows no price for 1792x1024 / 1024x1792 or 1920x1080 / 1080x1920
        # (third-party pages quote $0.50 for 1024p, not an official source): unknown.
        Rate(amount=None, resolutions=("1024p", "1080p"), note="not on the page read"),
    ),
    source=PRICE_SOURCE,
    as_of=PRICE_AS_OF,
    note="720p only: the larger sizes' prices were not on the official page read",
)


def _model(
    model_id: str,
    variants: tuple[Variant, ...],
    *,
    title: str,
    price: Pricing,
    notes: str = "",
) -> ModelInfo:
    return ModelInfo(
        id=model_id,
        title=title,
        modes=sora_modes(variants),
        default_duration=4,  # §1.3: seconds defaults to "4"; seed 000: default 4 s
        default_resolution="720p",
        # The API defaults to 720x1280; reelkit defaults every provider to landscape 16:9 and
        # always sends the size, so nothing depends on the server's default.
        default_aspect_ratio="16:9",
        audio=Audio.ALWAYS,  # Sora 2 renders sound with the picture; there is no switch
        max_prompt_chars=MAX_PROMPT_CHARS,  # §1.3, the API reference
        images=_IMAGES,
        url_lifetime_s=3600.0,  # §1.5: "Download URLs expire after about 1 hour"
        deprecated_after=SHUTDOWN,  # §0.1
        notes=notes,
        params=(CHARACTERS,),  # §1.3
        price=price,
    )


_SNAPSHOT = "dated 2025-10 snapshot: 4, 8 or 12 s"

MODELS: tuple[ModelInfo, ...] = (
    # `sora-2` has pointed at sora-2-2025-12-08 since 2026-01-13 (§1.1), so the price of `sora-2`
    # is that snapshot's; dated snapshots take their model's price (no separate one was found).
    _model("sora-2", sora_variants(EXTENDED, "720p"), title="Sora 2", price=SORA_2_PRICE),
    _model(
        "sora-2-pro",
        sora_variants(EXTENDED, "720p", "1024p", "1080p"),
        title="Sora 2 Pro",
        price=SORA_2_PRO_PRICE,
    ),
    _model(
        "sora-2-2025-12-08",
        sora_variants(EXTENDED, "720p"),
        title="Sora 2 (2025-12-08 snapshot)",
        price=SORA_2_PRICE,
    ),
    # Dated 2025-10 snapshots predate the 16/20 s and 1080p additions of March 2026 (§0.2);
    # that they still lack them is an inference, so they keep the SDK's typed values.
    _model(
        "sora-2-2025-10-06",
        sora_variants(CLASSIC, "720p", note=_SNAPSHOT),
        title="Sora 2 (2025-10-06 snapshot)",
        price=SORA_2_PRICE,
    ),
    _model(
        "sora-2-pro-2025-10-06",
        sora_variants(CLASSIC, "720p", "1024p", note=_SNAPSHOT),
        title="Sora 2 Pro (2025-10-06 snapshot)",
        price=SORA_2_PRO_PRICE,
    ),
)
