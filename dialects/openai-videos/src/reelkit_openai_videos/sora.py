"""The Sora 2 models' shapes, as OpenAI and every gateway that serves Sora take them.

Each Sora resolution's exact pixel sizes, the modes of a Sora model (with or without
extensions, which gateways that copy the API may lack) and the one ``--param`` OpenAI's create
adds to reelkit's own fields, ``characters``. ``reelkit-sora`` declares OpenAI's models with
them; ``reelkit-qiniu`` and ``reelkit-newapi`` declare the Sora models they relay. Source of
every fact: ``docs/reference/openai-videos.md`` (section numbers in the comments).
"""

from __future__ import annotations

from reelkit.capabilities import Choices, Mode, ModeSpec, Param, Variant

__all__ = ["CHARACTERS", "CHARACTERS_MAX", "SORA_SIZES", "sora_modes", "sora_variants"]

# --- sizes (§1.3): the exact pixel sizes of each Sora resolution -------------------------------
#: resolution -> (aspect ratios, {(resolution, ratio): size}). 1792x1024 is 7:4, not 16:9: say
#: so rather than pretend (sora-2-pro only); 1920x1080 came with the 2026 guide (§1.3).
SORA_SIZES: dict[str, tuple[tuple[str, str], dict[tuple[str, str], str]]] = {
    "720p": (("16:9", "9:16"), {("720p", "16:9"): "1280x720", ("720p", "9:16"): "720x1280"}),
    "1024p": (("7:4", "4:7"), {("1024p", "7:4"): "1792x1024", ("1024p", "4:7"): "1024x1792"}),
    "1080p": (("16:9", "9:16"), {("1080p", "16:9"): "1920x1080", ("1080p", "9:16"): "1080x1920"}),
}


def sora_variants(durations: Choices, *resolutions: str, note: str = "") -> tuple[Variant, ...]:
    """One variant per Sora resolution, with its exact sizes (shared with Sora on gateways)."""
    return tuple(
        Variant(
            resolutions=(resolution,),
            aspect_ratios=SORA_SIZES[resolution][0],
            durations=durations,
            sizes=SORA_SIZES[resolution][1],
            note=note,
        )
        for resolution in resolutions
    )


def sora_modes(variants: tuple[Variant, ...], *, extend: bool = True) -> tuple[ModeSpec, ...]:
    """Sora's modes; gateways that copy the API may lack extensions (``extend=False``)."""
    modes = [
        ModeSpec(mode=Mode.T2V, variants=variants),
        # input_reference: one image, exactly the video's size (§0.5, §1.3).
        ModeSpec(
            mode=Mode.I2V, variants=variants, note="the image must be exactly the video's size"
        ),
        # POST /videos/{id}/remix {"prompt"}: model, seconds and size come from the source (§1.2).
        ModeSpec(
            mode=Mode.REMIX,
            variants=variants,
            note="duration and size are inherited from the source video",
        ),
    ]
    if extend:
        # POST /videos/extensions {"prompt", "seconds", "video": {"id"}}: each extension adds
        # 4–20 s, at most 6 extensions, 120 s in total; no image references (§1.2, openai/skills).
        modes.append(
            ModeSpec(
                mode=Mode.EXTEND,
                variants=variants,
                max_extensions=6,  # §1.2: at most 6 extensions, 120 s in total
                max_total_s=120.0,
                note="adds a segment of the given length",
            )
        )
    return tuple(modes)


#: OpenAI's create takes ``prompt``, ``model``, ``seconds``, ``size``, ``input_reference`` and
#: ``characters`` (§1.3; https://developers.openai.com/api/reference/resources/videos). reelkit
#: sets all but ``characters`` from its own fields, so that is the one ``--param``. Remixes take
#: only a prompt and extensions no characters (§1.2), so translate refuses it there.
CHARACTERS = Param(
    name="characters",
    type="list",
    description=(
        'Characters to cast, [{"id": "char_..."}] (at most 2; name each verbatim in the '
        "prompt). Not with a remix or an extension."
    ),
)
#: At most 2 characters per video, each ``{"id": ...}`` (§1.3).
CHARACTERS_MAX = 2
