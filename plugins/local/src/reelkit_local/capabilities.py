"""What the ``local`` provider is and what it can render.

Every fact here is a property of ``reelkit_local.render`` (the source of each is the code named
in the comment), not of a remote service, and ``tests/test_render.py`` measures them.
"""

from __future__ import annotations

from datetime import date

from reelkit.capabilities import (
    Audio,
    ImageLimits,
    Mode,
    ModelInfo,
    ModeSpec,
    ProviderInfo,
    Range,
    Variant,
)
from reelkit.pricing import Pricing, Rate, Unit

NAME = "local"
BASE_URL = "local://render"
MODEL_ID = "local-title-card"

PROVIDER = ProviderInfo(
    name=NAME,
    title="Local renderer (offline)",
    default_model=MODEL_ID,
    # docs/design.md §1.2: the embedded default, always last in auto-selection.
    priority=1000,
    credential_env=(),  # nothing to sign: the transport renders in-process
    base_url=BASE_URL,  # served by reelkit_local.transport, never by the network
    # A render takes seconds, not minutes: poll often so `generate` returns promptly.
    poll_interval_s=0.2,
    timeout_s=300.0,  # a 30 s 1080p cross-fade takes about a minute on two busy cores
    notes=(
        "Renders a real H.264 MP4 on this machine without network or keys: an animated title "
        "card of the prompt, a Ken Burns move over a first frame, or a cross-fade from a first "
        "to a last frame. Chosen only when no credentialed provider qualifies."
    ),
)

# Output geometry: render.RenderSpec takes any even size; these are the named shapes the
# renderer's tests cover (sizes from reelkit.capabilities.dimensions, e.g. 720p 16:9 = 1280x720).
RESOLUTIONS = ("480p", "720p", "1080p")
ASPECT_RATIOS = ("16:9", "9:16", "1:1", "4:3", "3:4", "21:9")
# render.frame_count: exactly round(duration * fps) frames, so any length in the range works;
# 30 s keeps a 1080p render well under a minute on two cores.
DURATIONS = Range(1, 30)
FPS = (24, 25, 30)  # render._encode: constant frame rate, any of these exactly

_VARIANT = Variant(
    resolutions=RESOLUTIONS,
    aspect_ratios=ASPECT_RATIOS,
    durations=DURATIONS,
    fps=FPS,
    note="every combination renders exactly as asked",
)

TITLE_CARD = ModelInfo(
    id=MODEL_ID,
    aliases=("local", "title-card"),
    title="Title card / Ken Burns / cross-fade",
    modes=(
        ModeSpec(mode=Mode.T2V, variants=(_VARIANT,), note="animated title card of the prompt"),
        ModeSpec(
            mode=Mode.I2V, variants=(_VARIANT,), note="slow pan and zoom over the first frame"
        ),
        ModeSpec(
            mode=Mode.FIRST_LAST,
            variants=(_VARIANT,),
            note="cross-fade from the first frame to the last, with slight motion",
        ),
    ),
    default_duration=5.0,
    default_resolution="720p",
    default_aspect_ratio="16:9",
    default_fps=24,
    fps_settable=True,
    # render.RenderSpec.effective_seed: the seed picks palette, motion and pan direction.
    supports_seed=True,
    supports_negative_prompt=False,  # there is nothing to steer away from
    audio=Audio.NONE,  # render._encode writes a single video stream
    # render._Camera decodes with Pillow (EXIF orientation applied). No URLs: the local
    # provider never touches the network, so images travel as bytes inside the request.
    images=ImageLimits(
        formats=("jpeg", "png", "webp"),
        transports=("base64", "upload"),
        max_bytes=50 * 1024 * 1024,
        max_side=16384,
    ),
    url_lifetime_s=None,  # results stay in the state directory until removed
    # Rendered by this process on this machine: no provider bills it (README.md, "offline").
    price=Pricing(
        currency="USD",
        rates=(Rate(amount=0.0, unit=Unit.REQUEST, note="rendered offline"),),
        source="docs/providers/local.md",
        as_of=date(2026, 12, 2),
    ),
    notes=(
        "Deterministic: the same prompt, seed and settings give the same video. The prompt is "
        "shown as text, not interpreted."
    ),
)

MODELS = (TITLE_CARD,)
