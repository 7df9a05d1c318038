"""What Jimeng Video 3.0 accepts, as data, with the source of each fact beside it.

Sources: ``docs/reference/seeds.md`` §001 ("seed 001", the Jimeng agent skill: mode names, CLI
options, environment variables, the error table) and ``docs/reference/volcengine-kling.md``
("ref §n": req_keys, body fields, limits, responses).

How models map to ``req_key`` values
------------------------------------
The visual API has one ``req_key`` per (quality tier, input kind): eight of them. reelkit
registers

* one model per ``req_key`` (its id *is* the req_key) with the seed's mode name as alias, so
  ``-m t2v_720p`` addresses exactly ``jimeng_t2v_v30`` and refuses an image it cannot take;
* one default model, ``jimeng-video-3.0``, that offers every 720p/1080p mode and picks the
  req_key from the inputs (none / first frame / first + last frame), the resolution and, for
  camera-motion templates, the ``template_id`` param.

The Pro tier (``jimeng_ti2v_v30_pro``) is never picked by inference: it costs more than the
1080p tier for the same resolution (ref §1.6, ≈1 vs ≈0.63 RMB/s), so it is chosen by name.
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
from reelkit.pricing import Pricing, Rate, Unit

PROVIDER = "jimeng"
DEFAULT_BASE_URL = "https://visual.volcengineapi.com"  # seed 001 "API Configuration"; ref §1.1
API_VERSION = "2022-08-31"  # seed 001; ref §1.1
SUBMIT_ACTION = "CVSync2AsyncSubmitTask"  # seed 001; ref §1.1
POLL_ACTION = "CVSync2AsyncGetResult"  # seed 001; ref §1.1
AUTO_MODEL = "jimeng-video-3.0"

# ref §1.3: frames = 24·n + 1, only 121 (5 s) and 241 (10 s) are accepted; no `duration` field.
FRAMES_BY_SECONDS = {5.0: 121, 10.0: 241}
DURATIONS = Choices((5, 10))
# ref §1.3: aspect_ratio exists for text-to-video only; default 16:9.
T2V_RATIOS = ("16:9", "4:3", "1:1", "3:4", "9:16", "21:9")
# ref §1.2: image-to-video takes the image's shape (Pro centre-crops to the closest ratio).
FOLLOWS_IMAGE = ("adaptive",)
# The API has no fps field and frames = 24·n + 1 (ref §1.3), so output is 24 fps; the seed's
# `--fps 24|25|30` therefore snaps to 24 (seed 001 "FPS Options" lists 24 as the default).
FPS = (24,)
# ref §1.3 "Output sizes for 3.0 Pro (1080P class)"; the 1080P tier shares the class.
SIZES_1080P = {
    ("1080p", "21:9"): "2176x928",
    ("1080p", "16:9"): "1920x1088",
    ("1080p", "4:3"): "1664x1248",
    ("1080p", "1:1"): "1440x1440",
    ("1080p", "3:4"): "1248x1664",
    ("1080p", "9:16"): "1088x1920",
}

# ref §1.3: recamera (camera-motion template) parameters, both required.
RECAMERA_TEMPLATES = (
    "hitchcock_dolly_in",
    "hitchcock_dolly_out",
    "robo_arm",
    "dynamic_orbit",
    "central_orbit",
    "crane_push",
    "quick_pull_back",
    "counterclockwise_swivel",
    "clockwise_swivel",
    "handheld",
    "rapid_push_pull",
)
CAMERA_STRENGTHS = ("weak", "medium", "strong")
#: ``--param`` values of the camera-motion (recamera) req_key, ref §1.3: the only body fields
#: beyond reelkit's own arguments. Declared by the models that can reach that req_key.
RECAMERA_PARAMS: tuple[Param, ...] = (
    Param(
        name="template_id",
        type="str",
        description="camera-motion template (720p, one first frame); needs camera_strength",
        choices=RECAMERA_TEMPLATES,
    ),
    Param(
        name="camera_strength",
        type="str",
        description="strength of the camera-motion template; needs template_id",
        choices=CAMERA_STRENGTHS,
    ),
)

# ref §1.3 (binary_data_base64): JPEG/PNG only, ≤4.7 MB, ≤4096×4096, short side ≥320,
# long:short ≤3 (the ratio is checked in translate). The seed's "15MB" is the URL-fetch limit of
# an older page; the stricter documented value wins because it is what the API enforces on bytes.
IMAGES = ImageLimits(
    formats=("jpeg", "png"),
    transports=("url", "base64"),
    max_bytes=int(4.7 * 1024 * 1024),
    max_side=4096,
    min_side=320,
)
MAX_IMAGE_RATIO = 3.0
MAX_PROMPT_CHARS = 800  # ref §1.3: ≤400 recommended, 800 maximum
URL_LIFETIME_S = 3600.0  # ref §0.1 and §1.5: video_url is valid for 1 hour (not the seed's 24 h)

# Price: unknown. No official Volcengine page stating the 3.0 tiers' price was found (searched
# for the 即梦AI video pricing under https://www.volcengine.com/docs/85621 and the Volcengine
# pricing pages, 2026-12-02). The per-second figures in docs/reference/volcengine-kling.md §1.6
# (≈0.28 / 0.63 / 1 CNY/s for 720P / 1080P / Pro) are third-party, so they are not used.
PRICE = Pricing(
    currency="CNY",
    rates=(Rate(amount=None, unit=Unit.SECOND, note="no official price found"),),
    source="https://www.volcengine.com/docs/85621/1777001",  # the 3.0 docs; no price stated
    as_of=date(2026, 12, 2),
    note="Billing is reported (third-party) to happen only when a video is returned.",
)


def _t2v(resolution: str) -> Variant:
    sizes = SIZES_1080P if resolution == "1080p" else {}
    return Variant(
        resolutions=(resolution,),
        aspect_ratios=T2V_RATIOS,
        durations=DURATIONS,
        fps=FPS,
        sizes=sizes,
    )


def _i2v(resolution: str) -> Variant:
    return Variant(
        resolutions=(resolution,),
        aspect_ratios=FOLLOWS_IMAGE,
        durations=DURATIONS,
        fps=FPS,
        note="the output takes the image's aspect ratio",
    )


def _modes(mode_resolutions: dict[Mode, tuple[str, ...]]) -> tuple[ModeSpec, ...]:
    specs = []
    for mode, resolutions in mode_resolutions.items():
        make = _t2v if mode is Mode.T2V else _i2v
        note = (
            "last frame must have the first frame's aspect ratio" if mode is Mode.FIRST_LAST else ""
        )
        specs.append(ModeSpec(mode=mode, variants=tuple(make(r) for r in resolutions), note=note))
    return tuple(specs)


def _model(
    req_key: str,
    seed_mode: str,
    title: str,
    modes: dict[Mode, tuple[str, ...]],
    *,
    params: tuple[Param, ...] = (),
    notes: str = "",
) -> ModelInfo:
    resolution = next(iter(modes.values()))[0]
    return ModelInfo(
        id=req_key,
        aliases=(seed_mode,),
        title=title,
        modes=_modes(modes),
        default_duration=5,  # seed 001 "--duration ... (default: 5)"; ref §1.3 frames default 121
        default_resolution=resolution,
        default_aspect_ratio="16:9" if Mode.T2V in modes else "adaptive",
        default_fps=24,
        supports_seed=True,  # ref §1.3: seed, default -1 (random)
        audio=Audio.NONE,
        max_prompt_chars=MAX_PROMPT_CHARS,
        images=IMAGES,
        url_lifetime_s=URL_LIFETIME_S,
        params=params,
        notes=notes,
        price=PRICE,
    )


# ref §1.2: the eight req_keys of the 3.0 family (note the official spellings: no `_720p`
# suffix, and `..._v30_1080` without a trailing `p` for the image modes).
PRO = _model(
    "jimeng_ti2v_v30_pro",
    "ti2v_pro",
    "Jimeng Video 3.0 Pro (text or first frame, 1080p)",
    {Mode.T2V: ("1080p",), Mode.I2V: ("1080p",)},
    notes="Prompt optional with a first frame; the image is centre-cropped to the closest ratio.",
)
T2V_1080P = _model(
    "jimeng_t2v_v30_1080p",
    "t2v_1080p",
    "Jimeng Video 3.0 1080p, text to video",
    {Mode.T2V: ("1080p",)},
)
I2V_FIRST_1080P = _model(
    "jimeng_i2v_first_v30_1080",
    "i2v_first_1080p",
    "Jimeng Video 3.0 1080p, first frame",
    {Mode.I2V: ("1080p",)},
)
I2V_FIRST_TAIL_1080P = _model(
    "jimeng_i2v_first_tail_v30_1080",
    "i2v_first_tail_1080p",
    "Jimeng Video 3.0 1080p, first and last frame",
    {Mode.FIRST_LAST: ("1080p",)},
)
T2V_720P = _model(
    "jimeng_t2v_v30", "t2v_720p", "Jimeng Video 3.0 720p, text to video", {Mode.T2V: ("720p",)}
)
I2V_FIRST_720P = _model(
    "jimeng_i2v_first_v30",
    "i2v_first_720p",
    "Jimeng Video 3.0 720p, first frame",
    {Mode.I2V: ("720p",)},
)
I2V_FIRST_TAIL_720P = _model(
    "jimeng_i2v_first_tail_v30",
    "i2v_first_tail_720p",
    "Jimeng Video 3.0 720p, first and last frame",
    {Mode.FIRST_LAST: ("720p",)},
)
I2V_RECAMERA_720P = _model(
    "jimeng_i2v_recamera_v30",
    "i2v_recamera_720p",
    "Jimeng Video 3.0 720p, camera-motion template",
    {Mode.I2V: ("720p",)},
    params=RECAMERA_PARAMS,
    notes="Needs --param template_id=... and --param camera_strength=weak|medium|strong.",
)

#: The default: every 720p/1080p mode, req_key inferred (see the module docstring).
AUTO = ModelInfo(
    id=AUTO_MODEL,
    aliases=("jimeng-3.0",),
    title="Jimeng Video 3.0 (req_key chosen from inputs and resolution)",
    modes=_modes(
        {
            Mode.T2V: ("720p", "1080p"),
            Mode.I2V: ("720p", "1080p"),
            Mode.FIRST_LAST: ("720p", "1080p"),
        }
    ),
    default_duration=5,  # seed 001
    default_resolution="720p",  # seed 001: the default mode is t2v_720p
    default_aspect_ratio="16:9",  # ref §1.3
    default_fps=24,
    supports_seed=True,
    audio=Audio.NONE,
    max_prompt_chars=MAX_PROMPT_CHARS,
    images=IMAGES,
    url_lifetime_s=URL_LIFETIME_S,
    # A first frame at 720p with the recamera params picks jimeng_i2v_recamera_v30 (translate).
    params=RECAMERA_PARAMS,
    notes="A first frame at 720p with --param template_id=... uses the camera-motion template.",
    price=PRICE,
)

MODELS: tuple[ModelInfo, ...] = (
    AUTO,
    PRO,
    T2V_1080P,
    I2V_FIRST_1080P,
    I2V_FIRST_TAIL_1080P,
    T2V_720P,
    I2V_FIRST_720P,
    I2V_FIRST_TAIL_720P,
    I2V_RECAMERA_720P,
)

#: The default model's choice of req_key by (mode, resolution); recamera is chosen by param.
AUTO_REQ_KEYS: dict[tuple[Mode, str], str] = {
    (Mode.T2V, "720p"): T2V_720P.id,
    (Mode.I2V, "720p"): I2V_FIRST_720P.id,
    (Mode.FIRST_LAST, "720p"): I2V_FIRST_TAIL_720P.id,
    (Mode.T2V, "1080p"): T2V_1080P.id,
    (Mode.I2V, "1080p"): I2V_FIRST_1080P.id,
    (Mode.FIRST_LAST, "1080p"): I2V_FIRST_TAIL_1080P.id,
}
RECAMERA_REQ_KEY = I2V_RECAMERA_720P.id
PRO_REQ_KEY = PRO.id

PROVIDER_INFO = ProviderInfo(
    name=PROVIDER,
    # docs/design.md §1.2 ranks grok, veo, sora; then the vendors' own APIs, then resellers
    priority=5,
    title="Volcengine Jimeng Video 3.0",
    default_model=AUTO_MODEL,
    aliases=("volcengine",),
    # docs/design.md §1.2: one alternative that needs both keys (seed 001 "Configure Environment Variables").
    credential_env=(("VOLC_ACCESSKEY", "VOLC_SECRETKEY"),),
    base_url=DEFAULT_BASE_URL,
    base_url_env=("JIMENG_VIDEO_API_URL",),  # seed 001, after REELKIT_JIMENG_BASE_URL
    poll_interval_s=5.0,  # seed 001: JIMENG_VIDEO_POLL_INTERVAL default 5
    # docs/reference/volcengine-kling.md §1: default (free) video concurrency 1, 2 when paid.
    max_concurrency=1,
    poll_interval_env="JIMENG_VIDEO_POLL_INTERVAL",
    # The overall wait: the seed polls 120 times every 5 s (seed 001), i.e. 10 minutes, and
    # says generation takes "2-10 minutes".
    timeout_s=600.0,
    # seed 001: JIMENG_VIDEO_API_TIMEOUT "Request timeout seconds (default: 300)", per request.
    http_timeout_s=300.0,
    timeout_env="JIMENG_VIDEO_API_TIMEOUT",
    max_polls=120,  # seed 001: JIMENG_VIDEO_MAX_POLL_ATTEMPTS default 120
    max_polls_env="JIMENG_VIDEO_MAX_POLL_ATTEMPTS",
    homepage="https://www.volcengine.com/docs/85621/1777001",
    notes="HMAC-SHA256 V4 signed (region cn-north-1, service cv); result URLs live 1 hour.",
)
