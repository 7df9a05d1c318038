"""The new-api style gateway provider and its model catalogue, as data.

Sources: seed 003 (docs/reference/seeds.md) ("seed 003": a deployment's ``/v1/videos``, its
model list and modes), seed 004 (docs/reference/seeds.md) ("seed 004": Veo 3.1 tiers on
``/v1/video/generations``), ``docs/reference/openai-videos.md`` §3–§4 ("ref §3.x": stock new-api) and,
for what an upstream model accepts, ``docs/reference/volcengine-kling.md`` (Seedance, Kling) and
``docs/reference/veo-grok.md`` (Veo, Grok).

Where the seeds state a capability it is used as stated. Where they do not, the capability is a
*permissive default* (marked "permissive" below and in the docs): wide enough that the gateway,
not reelkit, is the one to refuse. Tighten them for a deployment with capability overrides.
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
from reelkit_openai_videos.kling import MULTI_SHOT
from reelkit_openai_videos.sora import CHARACTERS, sora_variants

from .wires import GEMINI_OMNI, GROK, KLING, SEED003, SEEDANCE, SORA, Wire

PROVIDER = ProviderInfo(
    name="newapi",
    # docs/design.md §1.2 ranks grok, veo, sora; then the vendors' own APIs, then resellers
    priority=7,
    title="new-api style OpenAI-compatible video gateway",
    default_model="sora-2",  # seed 003: the model field's example value
    aliases=("gateway",),  # docs/design.md §1.2
    credential_env=(("NEWAPI_API_KEY",),),
    # No default: every deployment has its own address. REELKIT_NEWAPI_BASE_URL is required
    # (docs/design.md §1.2); without it translate raises InvalidRequest naming the variable.
    base_url="",
    # ref §3.5: the gateway refreshes task status every 15 s; polling faster gains nothing.
    poll_interval_s=15.0,
    timeout_s=1800.0,
    homepage="https://github.com/QuantumNous/new-api",
    notes=(
        "Set REELKIT_NEWAPI_BASE_URL. The /v1/video/generations variant (seed 004) is chosen with "
        'dialect = "generations" under [providers.newapi] in reelkit.toml. Remix and the task list '
        "are off, as on the documented deployment: remix = true / list = true there enable them."
    ),
)

# --- what a deployment offers: per-deployment capabilities ----------------------------------
#: Endpoints beyond create, retrieve and content that deployments differ on, each switched by
#: a key under [providers.newapi] in reelkit.toml; the defaults are the documented deployment's.
#: Seed 003 (a new-api deployment's "建立影片" reference, read 2026-12-02): "目前不對外提供:
#: GET /v1/videos, POST /v1/videos/{video_id}/remix", so neither is offered by default; reelkit
#: refuses a remix before sending (FeatureNotOffered) and `jobs reconcile` has no list to read.
#: Stock new-api routes POST /v1/videos/{video_id}/remix (router/video-router.go in
#: https://github.com/QuantumNous/new-api, docs/reference/openai-videos.md §3.1, tree of
#: 2026-06-06), so `remix = true` suits it; that tree routes no GET /v1/videos (§3.1), so
#: `list = true` is for a deployment that adds the OpenAI list.
FEATURES: Mapping[str, bool] = {"remix": False, "list": False}

# --- prices -------------------------------------------------------------------------------
# A new-api gateway bills what its operator sets: per-model ratios or fixed prices, times the
# user's group ratio, in quota (stock new-api's setting/ratio_setting and model/option.go in
# https://github.com/QuantumNous/new-api). No deployment of it documented here publishes a
# price list: seed 004's "计费说明" names what the price depends on (tier, speed, resolution,
# length, audio) and no amount; seed 003 names none. So every model is unpriced (estimates are
# unknown) unless the configuration gives the deployment's own price for a model.
PRICE: Pricing | None = None

#: Which wire each model's upstream family reads on ``/v1/videos`` (see ``wires``).
WIRES: dict[str, Wire] = {}
#: Models documented on ``/v1/video/generations`` (seed 004) use that dialect unless configured.
GENERATIONS_BY_DEFAULT: set[str] = set()

_IMAGES = ImageLimits(transports=("url", "base64"))  # ref §3.2: image / images take URL or base64

# --- --param values (ModelInfo.params), per upstream family ---------------------------------
# Each value becomes a top-level field of the gateway's JSON (a mapping merges one level deep
# into what reelkit already put there). Only fields reelkit sets from none of its own arguments
# are declared: model, prompt, seconds/duration, size, aspect ratio, resolution, images, video,
# negative_prompt, seed and audio are always reelkit's.

#: new-api's TaskSubmitReq.metadata: "vendor extras merged into the upstream body" (ref §3.2;
#: QuantumNous/new-api relay/common/relay_info.go). reelkit puts negative_prompt, seed and
#: generate_audio there for most families; yours are merged in.
METADATA = Param(
    name="metadata",
    type="dict",
    description="Vendor fields the gateway merges into the upstream request.",
)

#: seed 003 "常用相容參數" (the deployment's common compatible fields) that no reelkit argument
#: sets, plus metadata ("動態擴充欄位容器", the dynamic extension container). The seed lists the
#: names without values, so they are free strings.
SEED003_PARAMS = (
    METADATA,
    Param(name="quality", type="str", description="The deployment's quality hint."),
    Param(name="function_mode", type="str", description="The deployment's function mode."),
    Param(name="callback_url", type="str", description="URL the gateway calls when done."),
    Param(name="external_task_id", type="str", description="Your own id for the task."),
)

#: Stock new-api's Doubao adaptor reads everything beyond content and duration from metadata:
#: ratio, resolution, generate_audio, seed (reelkit's), and camera_fixed, watermark,
#: return_last_frame, service_tier, draft, frames, callback_url (ref §3.4; relay/channel/task/
#: doubao/adaptor.go). Ark validates those names strictly (volcengine-kling.md §3.2).
SEEDANCE_PARAMS = (
    Param(
        name="metadata",
        type="dict",
        description=(
            "Ark fields: camera_fixed, watermark, return_last_frame, service_tier, draft, "
            "frames, callback_url."
        ),
    ),
)

#: seed 004: extra_body carries generate_audio, negative_prompt and seed (all reelkit's); more
#: upstream fields can be merged into it.
GENERATIONS_PARAMS = (
    Param(
        name="extra_body",
        type="dict",
        description="More upstream fields, merged into extra_body (seed 004).",
    ),
)

#: seed 003 "Kling 常用擴充參數": model_name, negative_prompt, sound, image_list and video_id are
#: reelkit's; cfg_scale, camera_control and watermark_info are not. Kling's own API also takes
#: callback_url and external_task_id (Kling API reference, text to video:
#: https://app.klingai.com/global/dev/document-api/apiReference/model/textToVideo), and stock
#: new-api merges metadata into the Kling body (ref §3.4).
KLING_PARAMS = (
    METADATA,
    Param(name="watermark_info", type="dict", description='Kling watermark: {"enabled": true}.'),
    Param(name="callback_url", type="str", description="URL Kling calls when the task ends."),
    Param(name="external_task_id", type="str", description="Your own id for the task."),
)
#: Kling: cfg_scale in [0, 1] (default 0.5), "not supported on v2.x" (Kling API reference).
CFG_SCALE = Param(name="cfg_scale", type="float", description="Prompt adherence, 0–1 (v1 only).")
#: Kling: camera_control {type, config?} only on kling-v1 text-to-video (std, 5 s) and
#: kling-v1-5 image-to-video (pro, 5 s) (Kling API reference).
CAMERA_CONTROL = Param(
    name="camera_control",
    type="dict",
    description='Camera move: {"type": "simple", "config": {"zoom": 5}} or a preset type.',
)
#: Kling v3 additions (vercel/ai packages/klingai/src/klingai-video-model-options.ts):
#: multi-shot, voices (at most 2, need sound on) and elements (at most 3, image-to-video).
KLING_V3_PARAMS = (
    *MULTI_SHOT,
    Param(
        name="voice_list",
        type="list",
        description='Voices: [{"voice_id": "..."}], at most 2; needs audio.',
    ),
    Param(
        name="element_list",
        type="list",
        description='Elements: [{"element_id": "..."}], at most 3; image-to-video only.',
    ),
)
#: The item shapes of the list params above (the same limits as Kling's API).
LIST_LIMITS: dict[str, tuple[str, int, int | None]] = {
    "voice_list": ("voice_id", 2, None),
    "element_list": ("element_id", 3, None),
}

#: OpenAI documents a prompt of 1–32000 characters (https://developers.openai.com/api/reference/
#: resources/videos); new-api passes Sora requests through unchanged (ref §3.4).
SORA_PROMPT_CHARS = 32_000
#: Kling: "prompt: required, ≤2500 characters" (Kling API reference, text to video).
KLING_PROMPT_CHARS = 2500
_WIDE = ("16:9", "9:16", "1:1")


def _variant(
    resolutions: tuple[str, ...],
    aspects: tuple[str, ...],
    durations: Choices | Range,
    note: str = "",
) -> Variant:
    return Variant(resolutions=resolutions, aspect_ratios=aspects, durations=durations, note=note)


def _model(
    model_id: str,
    wire: Wire,
    modes: Mapping[Mode, tuple[Variant, ...]],
    *,
    title: str,
    default_duration: float,
    default_resolution: str,
    max_references: int = 0,
    audio: Audio = Audio.OPTIONAL,
    seed: bool = True,
    negative_prompt: bool = True,
    images: ImageLimits = _IMAGES,
    aliases: tuple[str, ...] = (),
    notes: str = "",
    generations: bool = False,
    params: tuple[Param, ...] = SEED003_PARAMS,
    max_prompt_chars: int | None = None,
) -> ModelInfo:
    WIRES[model_id] = wire
    if generations:
        GENERATIONS_BY_DEFAULT.add(model_id)
    specs = tuple(
        ModeSpec(
            mode=mode,
            variants=variants,
            max_reference_images=max_references if mode in (Mode.REFERENCE, Mode.EDIT) else 0,
            # Per deployment (FEATURES): refused before sending unless configured.
            note="only where the deployment offers it: remix = true under [providers.newapi]"
            if mode is Mode.REMIX
            else "",
        )
        for mode, variants in modes.items()
    )
    return ModelInfo(
        id=model_id,
        title=title,
        aliases=aliases,
        modes=specs,
        default_duration=default_duration,
        default_resolution=default_resolution,
        default_aspect_ratio="16:9",
        audio=audio,
        supports_seed=seed,
        supports_negative_prompt=negative_prompt,
        images=images,
        notes=notes,
        params=params,
        max_prompt_chars=max_prompt_chars,
        price=PRICE,
    )


def _same(
    modes: tuple[Mode, ...], variants: tuple[Variant, ...]
) -> dict[Mode, tuple[Variant, ...]]:
    return dict.fromkeys(modes, variants)


# --- Sora (seed 003 §4.2; ref §3.2: new-api validates sizes and rejects 1080p) ----------------
_SORA_SECONDS = Choices((4, 8, 12))  # ref §3.2: the gateway's Sora validation; default 4 s
_SORA_IMAGES = ImageLimits(transports=("url", "base64", "upload"), must_match_size=True)
# remix: stock new-api (ref §3.1); seed 003's deployment lacks it, so it is off unless
# configured (FEATURES["remix"]): a remix is then refused before sending.
_SORA_MODES = (Mode.T2V, Mode.I2V, Mode.REMIX)


def _sora(model_id: str, variants: tuple[Variant, ...], title: str) -> ModelInfo:
    return _model(
        model_id,
        SORA,
        _same(_SORA_MODES, variants),
        title=title,
        default_duration=4,
        default_resolution="720p",
        audio=Audio.ALWAYS,
        seed=False,
        negative_prompt=False,
        images=_SORA_IMAGES,
        # The passthrough keeps unknown keys (ref §3.4): OpenAI's characters reach OpenAI.
        params=(CHARACTERS,),
        max_prompt_chars=SORA_PROMPT_CHARS,
    )


# --- Veo on /v1/videos (seed 003 §4.1; permissive: Veo's own 4/6/8 s, 16:9 and 9:16, ≤3 refs) --
_VEO_SECONDS = Choices((4, 6, 8))  # docs/reference/veo-grok.md §0.5
_VEO_MODES = (Mode.T2V, Mode.I2V, Mode.FIRST_LAST, Mode.REFERENCE)


def _veo(model_id: str, resolutions: tuple[str, ...]) -> ModelInfo:
    variants = (_variant(resolutions, ("16:9", "9:16"), _VEO_SECONDS, "permissive"),)
    return _model(
        model_id,
        SEED003,
        _same(_VEO_MODES, variants),
        title=f"Veo ({model_id})",
        default_duration=8,
        default_resolution=resolutions[0],
        max_references=3,
        audio=Audio.ALWAYS,  # Veo 3.x always has sound on the Gemini API (veo-grok.md §0.4)
        notes="permissive defaults; seed 003 names the model but not its limits",
    )


# --- Veo 3.1 tiers on /v1/video/generations (seed 004) -------------------------------------
def _veo_tier(model_id: str, resolution: str, *, fast: bool) -> ModelInfo:
    durations = Choices((4, 6, 8))  # seed 004: duration 4, 6 or 8
    t2v = (_variant((resolution,), ("16:9", "9:16"), durations, "the tier fixes the resolution"),)
    # Image-to-video and extension "may not follow" aspect_ratio (seed 004): it is not sent.
    other = t2v
    modes: dict[Mode, tuple[Variant, ...]] = {
        Mode.T2V: t2v,
        Mode.I2V: other,
        Mode.FIRST_LAST: other,  # image + last_image
        Mode.EXTEND: other,  # video (URL) continues an earlier video; duration not used
    }
    if not fast:  # seed 004: the fast tiers have no multi-image reference
        modes[Mode.REFERENCE] = other  # images: 2–3 URLs
    return _model(
        model_id,
        SEED003,
        modes,
        title=f"Veo 3.1 {'Fast ' if fast else ''}{resolution}",
        default_duration=8,
        default_resolution=resolution,
        max_references=3,
        audio=Audio.OPTIONAL,  # extra_body.generate_audio, upstream default true
        images=ImageLimits(transports=("url",)),  # seed 004: image / images / last_image are URLs
        generations=True,
        params=GENERATIONS_PARAMS,
        notes="seed 004: 2–3 reference images; resolution fixed by the tier",
    )


# --- Seedance (seed 003 §4.3; limits from docs/reference/volcengine-kling.md §3.5) ----------------
_SEEDANCE_RATIOS = ("16:9", "4:3", "1:1", "3:4", "9:16", "21:9")


def _seedance(
    model_id: str,
    modes: tuple[Mode, ...],
    resolutions: tuple[str, ...],
    durations: Range,
    *,
    default_resolution: str,
    references: int = 0,
    audio: Audio = Audio.NONE,
    seed: bool = True,
) -> ModelInfo:
    variants = (_variant(resolutions, _SEEDANCE_RATIOS, durations),)
    table = _same(modes, variants)
    if (
        Mode.REFERENCE in table
        and "1080p" in resolutions
        and model_id.startswith("doubao-seedance-1-0")
    ):
        # volcengine-kling.md §3.2: the reference mode of 1.0-lite-i2v does not support 1080p.
        table[Mode.REFERENCE] = (
            _variant(("480p", "720p"), _SEEDANCE_RATIOS, durations, "no 1080p with references"),
        )
    return _model(
        model_id,
        SEEDANCE,
        table,
        title=f"Seedance ({model_id})",
        default_duration=5,
        default_resolution=default_resolution,
        max_references=references,
        audio=audio,
        seed=seed,
        negative_prompt=False,
        images=ImageLimits(
            formats=("jpeg", "png", "webp", "bmp", "tiff", "gif"), transports=("url", "base64")
        ),
        params=SEEDANCE_PARAMS,
        # No prompt limit: the Ark references give none for Seedance's text item.
    )


_S1 = Range(2, 12, step=1)  # 1.0 series: 2–12 s
_S15 = Range(4, 12, step=1)  # 1.5 pro: 4–12 s
_S2 = Range(4, 15, step=1)  # 2.0: 4–15 s
_ALL_RES = ("480p", "720p", "1080p")

# --- Kling through kling-video + model_name (seed 003 §4.5; docs/reference/volcengine-kling.md §4) --
_KLING_5_10 = Choices((5, 10))
_KLING_V3 = Range(3, 15, step=1)


def _kling(
    model_name: str,
    modes: tuple[Mode, ...],
    resolution: str,
    *,
    durations: Choices | Range = _KLING_5_10,
    audio: Audio = Audio.NONE,
    aliases: tuple[str, ...] = (),
    params: tuple[Param, ...] = (),
) -> ModelInfo:
    # The gateway's kling-video has no quality field of its own (its `mode` is the generation
    # mode), so each model declares the one resolution it renders by default
    # (docs/reference/volcengine-kling.md §4.4).
    variants = (_variant((resolution,), _WIDE, durations),)
    return _model(
        model_name,
        KLING,
        _same(modes, variants),
        title=f"Kling {model_name} (kling-video)",
        default_duration=5,
        default_resolution=resolution,
        max_references=4,  # multi-image2video: image_list of at most 4 (docs/reference/volcengine-kling.md §4.3)
        audio=audio,
        seed=False,
        images=ImageLimits(
            formats=("jpeg", "png"),
            transports=("url", "base64"),
            max_bytes=10 * 1024 * 1024,
            min_side=300,
        ),
        aliases=aliases,
        params=(*KLING_PARAMS, *params),
        max_prompt_chars=KLING_PROMPT_CHARS,
    )


_T2V_I2V = (Mode.T2V, Mode.I2V)

# --- Grok (seed 003 §4.4; limits from docs/reference/veo-grok.md §2.2) ----------------------------
_GROK_RATIOS = ("16:9", "9:16", "1:1", "4:3", "3:4", "3:2", "2:3")


def _grok(model_id: str, *, hd: bool) -> ModelInfo:
    durations = Range(1, 15, step=1)
    wide = (
        _variant(("480p", "720p", "1080p") if hd else ("480p", "720p"), _GROK_RATIOS, durations),
    )
    capped = (
        _variant(("480p", "720p"), _GROK_RATIOS, durations, "reference-to-video is capped at 720p"),
    )
    return _model(
        model_id,
        GROK,
        {Mode.T2V: wide, Mode.I2V: wide, Mode.REFERENCE: capped},
        title=f"Grok Imagine ({model_id})",
        default_duration=8,
        default_resolution="720p",
        max_references=7,
        audio=Audio.ALWAYS,  # generate_audio defaults to true upstream; the gateway shows no switch
        seed=False,
        negative_prompt=False,
        # Stock new-api has no Grok adaptor (ref §3.4): seed 003's deployment serves it, so its
        # common compatible fields apply.
        params=SEED003_PARAMS,
    )


# --- the permissive families: gemini-omni, vidu, hailuo, happyhorse (seed 003) ---------------
def _permissive(
    model_id: str,
    wire: Wire,
    modes: tuple[Mode, ...],
    durations: Choices | Range,
    resolutions: tuple[str, ...] = ("720p", "1080p"),
    *,
    title: str,
    default_duration: float = 5,
) -> ModelInfo:
    variants = (_variant(resolutions, _WIDE, durations, "permissive"),)
    return _model(
        model_id,
        wire,
        _same(modes, variants),
        title=title,
        default_duration=default_duration,
        default_resolution=resolutions[0],
        max_references=3,
        notes="permissive defaults; seed 003 names the model but not its limits",
    )


_HAPPYHORSE = Range(1, 15, step=1)

MODELS: tuple[ModelInfo, ...] = (
    _sora("sora-2", sora_variants(_SORA_SECONDS, "720p"), "Sora 2 (via new-api)"),
    _sora(
        "sora-2-pro",
        # ref §3.2: sora-2-pro adds 1792x1024 / 1024x1792; 1080p sizes are rejected.
        sora_variants(_SORA_SECONDS, "720p", "1024p"),
        "Sora 2 Pro (via new-api)",
    ),
    *(
        _veo(m, ("720p", "1080p"))
        for m in (
            "veo3",
            "veo3-fast",
            "veo3-frames",
            "veo3-fast-frames",
            "veo3-pro",
            "veo3-pro-frames",
            "veo3.1",
            "veo3.1-fast",
            "veo3.1-pro",
            "veo3.1-components",
        )
    ),
    _veo("veo3.1-4k", ("4k",)),
    _veo("veo3.1-pro-4k", ("4k",)),
    *(_veo_tier(f"veo3.1-video-{r}", r, fast=False) for r in ("720p", "1080p", "4k")),
    *(_veo_tier(f"veo3.1-fast-video-{r}", r, fast=True) for r in ("720p", "1080p", "4k")),
    _seedance(
        "doubao-seedance-1-0-lite-t2v-250428", (Mode.T2V,), _ALL_RES, _S1, default_resolution="720p"
    ),
    _seedance(
        "doubao-seedance-1-0-lite-i2v-250428",
        (Mode.I2V, Mode.FIRST_LAST, Mode.REFERENCE),
        _ALL_RES,
        _S1,
        default_resolution="720p",
        references=4,
    ),
    _seedance(
        "doubao-seedance-1-0-pro-250528",
        (Mode.T2V, Mode.I2V, Mode.FIRST_LAST),
        _ALL_RES,
        _S1,
        default_resolution="1080p",
    ),
    _seedance(
        "doubao-seedance-1-0-pro-fast-251015", _T2V_I2V, _ALL_RES, _S1, default_resolution="1080p"
    ),
    _seedance(
        "doubao-seedance-1-5-pro-251215",
        (Mode.T2V, Mode.I2V, Mode.FIRST_LAST),
        ("480p", "720p"),
        _S15,
        default_resolution="720p",
        audio=Audio.OPTIONAL,
    ),
    _seedance(
        "doubao-seedance-2-0-260128",
        (Mode.T2V, Mode.I2V, Mode.FIRST_LAST, Mode.REFERENCE),
        _ALL_RES,
        _S2,
        default_resolution="720p",
        references=9,
        audio=Audio.OPTIONAL,
        seed=False,  # seed is rejected on 2.0
    ),
    _seedance(
        "doubao-seedance-2-0-fast-260128",
        (Mode.T2V, Mode.I2V, Mode.FIRST_LAST, Mode.REFERENCE),
        ("480p", "720p"),
        _S2,
        default_resolution="720p",
        references=9,
        audio=Audio.OPTIONAL,
        seed=False,
    ),
    # Kling: model_name values of seed 003; modes and resolutions per volcengine-kling.md §4.3–4.4
    # (multi_i2v needs kling-v1-6; extend works on v1, v1-5 and v1-6).
    _kling(
        "kling-v1",
        (Mode.T2V, Mode.I2V, Mode.EXTEND),
        "720p",
        params=(CFG_SCALE, CAMERA_CONTROL),
    ),
    _kling("kling-v1-5", (Mode.I2V, Mode.EXTEND), "720p", params=(CFG_SCALE, CAMERA_CONTROL)),
    _kling(
        "kling-v1-6",
        (Mode.T2V, Mode.I2V, Mode.REFERENCE, Mode.EXTEND),
        "720p",
        params=(CFG_SCALE,),
    ),
    _kling("kling-v2-master", _T2V_I2V, "720p"),
    _kling("kling-v2-1", (Mode.I2V,), "720p"),
    _kling("kling-v2-1-master", _T2V_I2V, "1080p"),
    _kling("kling-v2-5-turbo", _T2V_I2V, "1080p"),
    _kling("kling-v2-6", _T2V_I2V, "720p", audio=Audio.OPTIONAL, aliases=("kling-video",)),
    _kling(
        "kling-v3",
        _T2V_I2V,
        "720p",
        durations=_KLING_V3,
        audio=Audio.OPTIONAL,
        params=KLING_V3_PARAMS,
    ),
    _grok("grok-imagine-1.0-video", hd=False),
    _grok("grok-imagine-video-1.5-preview", hd=True),
    _grok("grok-video-3", hd=False),
    # seed 003 "Gemini Omni": t2v / r2v / edit; "自動匹配到 4 / 6 / 8 / 10 秒檔".
    _permissive(
        "gemini-omni",
        GEMINI_OMNI,
        (Mode.T2V, Mode.REFERENCE, Mode.EDIT),
        Choices((4, 6, 8, 10)),
        ("720p",),
        title="Gemini Omni",
        default_duration=8,
    ),
    _permissive(
        "viduq3-turbo",
        SEED003,
        (Mode.T2V, Mode.I2V, Mode.FIRST_LAST, Mode.REFERENCE),
        Range(1, 10, step=1),
        title="Vidu Q3 Turbo",
    ),
    _permissive(
        "hailuo-video",
        SEED003,
        _T2V_I2V,
        Choices((6, 10)),
        ("768p", "1080p"),
        title="MiniMax Hailuo",
        default_duration=6,
    ),
    _permissive(
        "happyhorse-1.0",
        SEED003,
        (Mode.T2V, Mode.I2V, Mode.REFERENCE, Mode.EDIT),
        _HAPPYHORSE,
        title="HappyHorse 1.0",
    ),
    _permissive(
        "happyhorse-1.0-t2v", SEED003, (Mode.T2V,), _HAPPYHORSE, title="HappyHorse 1.0 (t2v)"
    ),
    _permissive(
        "happyhorse-1.0-i2v", SEED003, (Mode.I2V,), _HAPPYHORSE, title="HappyHorse 1.0 (i2v)"
    ),
    _permissive(
        "happyhorse-1.0-r2v", SEED003, (Mode.REFERENCE,), _HAPPYHORSE, title="HappyHorse 1.0 (r2v)"
    ),
    _permissive(
        "happyhorse-1.0-video-edit",
        SEED003,
        (Mode.EDIT,),
        _HAPPYHORSE,
        title="HappyHorse 1.0 (video edit)",
    ),
)
