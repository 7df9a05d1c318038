"""What Seedance on Volcengine Ark (and BytePlus ModelArk) accepts, as data, with sources.

Sources: ``docs/reference/seeds.md`` §003 ("seed 003", a new-api deployment's model list: the
seven public model ids) and ``docs/reference/volcengine-kling.md`` ("ref §n": endpoints, body
params, per-model limits, pixel tables, errors). Facts marked [3P] in the reference (Seedance 2.x) are marked here too.
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
from reelkit.pricing import Pricing, Rate, Unit

PROVIDER = "seedance"
# ref §3.1 / §6: the official SDK's base is ".../api/v3"; the plugin appends "/api/v3" to a base
# without it, so both spellings work (BytePlus: https://ark.ap-southeast.bytepluses.com).
DEFAULT_BASE_URL = "https://ark.cn-beijing.volces.com"
BYTEPLUS_BASE_URL = "https://ark.ap-southeast.bytepluses.com"
API_PREFIX = "/api/v3"
TASKS_PATH = "/contents/generations/tasks"  # ref §3.1: create, get, list, delete
URL_LIFETIME_S = 24 * 3600.0  # ref §3.4: video_url and last_frame_url are valid for 24 h

RATIOS = ("16:9", "4:3", "1:1", "3:4", "9:16", "21:9")  # ref §3.2 `ratio`
ADAPTIVE = "adaptive"  # ref §3.2: follows the image (I2V); 1.5 pro T2V picks from the prompt
FPS = (24,)  # ref §3.2: "fps only 24"

# ref §3.5 pixel tables: (resolution, ratio) -> size, per generation.
_SIZES_10 = {
    ("480p", "16:9"): "864x480",
    ("480p", "4:3"): "736x544",
    ("480p", "1:1"): "640x640",
    ("480p", "3:4"): "544x736",
    ("480p", "9:16"): "480x864",
    ("480p", "21:9"): "960x416",
    ("720p", "16:9"): "1248x704",
    ("720p", "4:3"): "1120x832",
    ("720p", "1:1"): "960x960",
    ("720p", "3:4"): "832x1120",
    ("720p", "9:16"): "704x1248",
    ("720p", "21:9"): "1504x640",
    ("1080p", "16:9"): "1920x1088",
    ("1080p", "4:3"): "1664x1248",
    ("1080p", "1:1"): "1440x1440",
    ("1080p", "3:4"): "1248x1664",
    ("1080p", "9:16"): "1088x1920",
    ("1080p", "21:9"): "2176x928",
}
_SIZES_15 = {
    ("480p", "16:9"): "864x496",
    ("480p", "4:3"): "752x560",
    ("480p", "1:1"): "640x640",
    ("480p", "3:4"): "560x752",
    ("480p", "9:16"): "496x864",
    ("480p", "21:9"): "992x432",
    ("720p", "16:9"): "1280x720",
    ("720p", "4:3"): "1112x834",
    ("720p", "1:1"): "960x960",
    ("720p", "3:4"): "834x1112",
    ("720p", "9:16"): "720x1280",
    ("720p", "21:9"): "1470x630",
    # "1080p ... (newer table)": newer BytePlus pixel tables; older text says unsupported.
    ("1080p", "16:9"): "1920x1080",
    ("1080p", "4:3"): "1664x1248",
    ("1080p", "1:1"): "1440x1440",
    ("1080p", "3:4"): "1248x1664",
    ("1080p", "9:16"): "1080x1920",
    ("1080p", "21:9"): "2206x946",
}

# ref §3.2 image constraints: short side >300 px, long side <6000 px, <30 MB, ratio 0.4–2.5
# (checked in translate), base64 as a data: URL.
_FORMATS = ("jpeg", "png", "webp", "bmp", "tiff", "gif")
IMAGES = ImageLimits(
    formats=_FORMATS,
    transports=("url", "base64"),
    max_bytes=30 * 1024 * 1024 - 1,
    max_side=5999,
    min_side=301,
)
IMAGES_15 = ImageLimits(  # ref §3.2: "1.5 pro adds HEIC/HEIF"
    formats=(*_FORMATS, "heic", "heif"),
    transports=("url", "base64"),
    max_bytes=30 * 1024 * 1024 - 1,
    max_side=5999,
    min_side=301,
)
MIN_IMAGE_RATIO, MAX_IMAGE_RATIO = 0.4, 2.5

#: Body params (``--param NAME=VALUE``) as the core checks them before translate (ref §3.2,
#: "new method" and top-level fields); ``params.py`` checks ranges and formats in depth.
PARAM_SPECS: dict[str, Param] = {
    p.name: p
    for p in (
        # ref §3.2: Ark POSTs the task body on every status change.
        Param(
            name="callback_url",
            type="str",
            description="http(s) URL Ark POSTs the task to on status changes",
        ),
        # ref §3.2: default false; content.last_frame_url, a PNG without watermark.
        Param(
            name="return_last_frame",
            type="bool",
            description="also return the last frame as a PNG (content.last_frame_url)",
        ),
        Param(name="watermark", type="bool", description="add Ark's watermark (default false)"),
        # ref §3.2: default or flex (offline, 50 % price, TPD quota).
        Param(
            name="service_tier",
            type="str",
            description="flex: offline at half price (TPD quota); default: online",
            choices=("default", "flex"),
        ),
        # ref §3.2: [3600, 259200] s, default 172800; then the task becomes `expired`.
        Param(
            name="execution_expires_after",
            type="int",
            description="seconds a task may wait before it expires: 3600–259200 (default 172800)",
        ),
        # ref §3.1: "An endpoint ID (ep-…) can be used as model".
        Param(
            name="endpoint_id",
            type="str",
            description="an ep-… inference endpoint to send as the model",
        ),
        # ref §3.2: default false; not in reference mode; [3P] rejected on 2.x.
        Param(
            name="camera_fixed",
            type="bool",
            description="keep the camera still (not with reference images)",
        ),
        # ref §3.2: 1.5 pro; 480p only, no return_last_frame, no flex.
        Param(
            name="draft",
            type="bool",
            description="a cheap 480p preview (no last frame, no flex)",
        ),
    )
}
#: Every model takes these; camera_fixed: not on 2.x ([3P] rejected); draft: 1.5 pro only.
COMMON_PARAMS = frozenset(
    {
        "callback_url",
        "return_last_frame",
        "watermark",
        "service_tier",
        "execution_expires_after",
        "endpoint_id",
    }
)
_CAMERA = frozenset({"camera_fixed"})


def _params(extra: frozenset[str]) -> tuple[Param, ...]:
    names = COMMON_PARAMS | extra
    return tuple(p for name, p in PARAM_SPECS.items() if name in names)


def _variant(
    resolutions: tuple[str, ...],
    ratios: tuple[str, ...],
    seconds: range,
    sizes: Mapping[tuple[str, str], str],
) -> Variant:
    return Variant(
        resolutions=resolutions,
        aspect_ratios=ratios,
        durations=Choices(tuple(seconds)),  # integer seconds (ref §3.2 "duration (int s)")
        fps=FPS,
        sizes={k: v for k, v in sizes.items() if k[0] in resolutions and k[1] in ratios},
    )


def _spec(
    mode: Mode, variant: Variant, *, max_reference_images: int = 0, note: str = ""
) -> ModeSpec:
    return ModeSpec(
        mode=mode, variants=(variant,), max_reference_images=max_reference_images, note=note
    )


_ALL = ("480p", "720p", "1080p")
_D10 = range(2, 13)  # ref §3.2/§3.5: 1.0 series 2–12 s
_D15 = range(4, 13)  # ref §3.2/§3.5: 1.5 pro 4–12 s (−1 "model chooses" is not exposed)
_D20 = range(4, 16)  # ref §3.5 [3P]: 2.x 4–15 s

# ref §3.2: T2V on 1.0 defaults to 16:9 (no adaptive); image modes default to adaptive.
_T2V_10 = RATIOS
_IMG = (ADAPTIVE, *RATIOS)

# --- prices ------------------------------------------------------------------------------------
# Ark bills a video by its output tokens: "推理费用 = 按token付费单价 × 视频token用量", tokens
# ≈ width × height × fps × seconds / 1024 (reelkit.pricing.video_tokens); the billed count is the
# task's usage.completion_tokens, and "仅对成功生成的视频计费" (failed tasks are free).
# The table is Volcengine Ark's, in CNY, for the default base URL (ark.cn-beijing.volces.com);
# BytePlus ModelArk bills in USD at its own rates, which these tables do not model. Page text read
# via the public mirror github.com/Hajimi-Commune/VolcanoArkDocs (scraped 2025-12-18).
PRICE_PAGE = "https://www.volcengine.com/docs/82379/1544106"  # 模型服务价格, "视频生成模型"
PRICES_READ = date(2026, 12, 2)
_ARK_NOTE = (
    "Volcengine Ark CNY list price per million output tokens; BytePlus ModelArk (USD) differs."
)
# https://www.volcengine.com/docs/82379/1366799 "离线推理": service_tier=flex costs "仅为在线推理的
# 50%" (the create-task reference says the same of flex); default is the online tier.
_FLEX = {"service_tier": "flex"}
_ONLINE = {"service_tier": "default"}


def _token_price(online: float) -> Pricing:
    """One price for every mode and resolution ("文生视频与图生视频同价"), halved on flex."""
    return Pricing(
        currency="CNY",
        rates=(
            Rate(amount=online / 2, unit=Unit.MILLION_TOKENS, params=_FLEX, note="offline"),
            Rate(amount=online, unit=Unit.MILLION_TOKENS, params=_ONLINE, default=True),
        ),
        source=PRICE_PAGE,
        as_of=PRICES_READ,
        note=_ARK_NOTE,
    )


def _unpublished(why: str) -> Pricing:
    return Pricing(
        currency="CNY",
        rates=(Rate(amount=None, unit=Unit.MILLION_TOKENS, note=why),),
        source=PRICE_PAGE,
        as_of=PRICES_READ,
        note=_ARK_NOTE,
    )


# The model pages: "文生视频与图生视频同价，15 元/百万 token" (1.0 pro,
# https://www.volcengine.com/docs/82379/1587798), 4.2 (1.0 pro fast, .../1901652) and 10
# (1.0 lite, t2v and i2v alike, .../1553576); the price page lists the same online prices.
PRICE_PRO = _token_price(15.0)
PRICE_PRO_FAST = _token_price(4.2)
PRICE_LITE = _token_price(10.0)
# 1.5 pro and 2.x are not on the price page as read (it lists the three 1.0 models only), and no
# other official Volcengine page stating their CNY price was found; resellers quote separate
# audio / silent and online / flex prices for 1.5 pro, so one figure per model would be wrong.
PRICE_PRO_15 = _unpublished("not on the official price page as read; audio changes the price")
PRICE_V2 = _unpublished("not on the official price page as read")


def _model(
    model_id: str,
    aliases: tuple[str, ...],
    title: str,
    modes: tuple[ModeSpec, ...],
    *,
    default_resolution: str,
    audio: Audio = Audio.NONE,
    seed: bool = True,
    images: ImageLimits = IMAGES,
    extra_params: frozenset[str] = frozenset(),
    notes: str = "",
    price: Pricing | None = None,
) -> ModelInfo:
    has_adaptive = any(ADAPTIVE in v.aspect_ratios for s in modes for v in s.variants)
    return ModelInfo(
        id=model_id,
        aliases=aliases,
        title=title,
        modes=modes,
        default_duration=5,  # Ark's default duration (ref §3.4 example: "5 s at 720p")
        default_resolution=default_resolution,
        # "adaptive" where the model has it: image modes then follow the image (Ark's default),
        # and text modes without it fall back to their first ratio, 16:9 (ref §3.2 `ratio`).
        default_aspect_ratio=ADAPTIVE if has_adaptive else "16:9",
        default_fps=24,
        supports_seed=seed,  # ref §3.2: seed −1 … 2^32−1; [3P] rejected on 2.0
        audio=audio,
        images=images,
        url_lifetime_s=URL_LIFETIME_S,
        # ref §3.2 and seed 003 give no prompt length for Seedance, so none is declared.
        max_prompt_chars=None,
        params=_params(extra_params),
        notes=notes,
        price=price,
    )


# Seed 003 lists the seven ids; ref §3.5 gives their modes, resolutions and durations.
LITE_T2V = _model(
    "doubao-seedance-1-0-lite-t2v-250428",
    ("seedance-1.0-lite-t2v", "seedance-1-0-lite-t2v-250428"),
    "Seedance 1.0 lite, text to video",
    (_spec(Mode.T2V, _variant(_ALL, _T2V_10, _D10, _SIZES_10)),),
    default_resolution="720p",  # ref §3.2: "Default 720p for lite and 1.5 pro"
    extra_params=_CAMERA,
    price=PRICE_LITE,
)
LITE_I2V = _model(
    "doubao-seedance-1-0-lite-i2v-250428",
    ("seedance-1.0-lite-i2v", "seedance-1-0-lite-i2v-250428"),
    "Seedance 1.0 lite, image to video",
    (
        _spec(Mode.I2V, _variant(_ALL, _IMG, _D10, _SIZES_10)),
        _spec(Mode.FIRST_LAST, _variant(_ALL, _IMG, _D10, _SIZES_10)),
        # ref §3.2: 1–4 reference images, only on 1.0-lite-i2v; no 1080p, no adaptive.
        _spec(
            Mode.REFERENCE,
            _variant(("480p", "720p"), RATIOS, _D10, _SIZES_10),
            max_reference_images=4,
            note="no camera_fixed in reference mode",
        ),
    ),
    default_resolution="720p",
    extra_params=_CAMERA,
    price=PRICE_LITE,
)
PRO = _model(
    "doubao-seedance-1-0-pro-250528",
    ("seedance-1.0-pro", "seedance-1-0-pro-250528"),
    "Seedance 1.0 pro",
    (
        _spec(Mode.T2V, _variant(_ALL, _T2V_10, _D10, _SIZES_10)),
        _spec(Mode.I2V, _variant(_ALL, _IMG, _D10, _SIZES_10)),
        _spec(Mode.FIRST_LAST, _variant(_ALL, _IMG, _D10, _SIZES_10)),
    ),
    default_resolution="1080p",  # ref §3.2: "1080p for pro and pro-fast"
    extra_params=_CAMERA,
    price=PRICE_PRO,
)
PRO_FAST = _model(
    "doubao-seedance-1-0-pro-fast-251015",
    ("seedance-1.0-pro-fast", "seedance-1-0-pro-fast-251015"),
    "Seedance 1.0 pro fast",
    (
        _spec(Mode.T2V, _variant(_ALL, _T2V_10, _D10, _SIZES_10)),
        _spec(Mode.I2V, _variant(_ALL, _IMG, _D10, _SIZES_10)),  # ref §3.5: "T2V, first only"
    ),
    default_resolution="1080p",
    extra_params=_CAMERA,
    price=PRICE_PRO_FAST,
)
PRO_15 = _model(
    "doubao-seedance-1-5-pro-251215",
    ("seedance-1.5-pro", "seedance-1-5-pro-251215"),
    "Seedance 1.5 pro (with audio)",
    (
        _spec(Mode.T2V, _variant(_ALL, _IMG, _D15, _SIZES_15)),
        _spec(Mode.I2V, _variant(_ALL, _IMG, _D15, _SIZES_15)),
        _spec(Mode.FIRST_LAST, _variant(_ALL, _IMG, _D15, _SIZES_15)),
    ),
    default_resolution="720p",
    audio=Audio.OPTIONAL,  # ref §3.2 generate_audio: default true, 1.5 pro / 2.x only
    images=IMAGES_15,
    extra_params=_CAMERA | {"draft"},
    notes="1080p per the newer BytePlus pixel table (older text: 480p/720p only). "
    "--param draft=true renders a cheap 480p preview.",
    price=PRICE_PRO_15,
)
_V2_MODES_NOTE = "[3P] reference: up to 9 images; a first frame cannot be mixed with references"
V2 = _model(
    "doubao-seedance-2-0-260128",
    ("seedance-2.0", "dreamina-seedance-2-0-260128"),
    "Seedance 2.0 [3P limits]",
    (
        _spec(Mode.T2V, _variant(_ALL, _IMG, _D20, _SIZES_15)),
        _spec(Mode.I2V, _variant(_ALL, _IMG, _D20, _SIZES_15)),
        _spec(Mode.FIRST_LAST, _variant(_ALL, _IMG, _D20, _SIZES_15)),
        _spec(
            Mode.REFERENCE,
            _variant(_ALL, _IMG, _D20, _SIZES_15),
            max_reference_images=9,
            note=_V2_MODES_NOTE,
        ),
    ),
    default_resolution="720p",
    audio=Audio.OPTIONAL,
    seed=False,  # [3P]: seed, camera_fixed and frames are rejected on 2.0
    notes="4k is reported [3P] but not offered here.",
    price=PRICE_V2,
)
V2_FAST = _model(
    "doubao-seedance-2-0-fast-260128",
    ("seedance-2.0-fast", "dreamina-seedance-2-0-fast-260128"),
    "Seedance 2.0 fast [3P limits]",
    (
        _spec(Mode.T2V, _variant(("480p", "720p"), _IMG, _D20, _SIZES_15)),
        _spec(Mode.I2V, _variant(("480p", "720p"), _IMG, _D20, _SIZES_15)),
        _spec(Mode.FIRST_LAST, _variant(("480p", "720p"), _IMG, _D20, _SIZES_15)),
        _spec(
            Mode.REFERENCE,
            _variant(("480p", "720p"), _IMG, _D20, _SIZES_15),
            max_reference_images=9,
            note=_V2_MODES_NOTE,
        ),
    ),
    default_resolution="720p",
    audio=Audio.OPTIONAL,
    seed=False,
    price=PRICE_V2,
)

MODELS: tuple[ModelInfo, ...] = (PRO, PRO_FAST, LITE_T2V, LITE_I2V, PRO_15, V2, V2_FAST)

#: Which optional body params each model takes beyond COMMON_PARAMS (from its declarations).
EXTRA_PARAMS: dict[str, frozenset[str]] = {
    m.id: frozenset(p.name for p in m.params) - COMMON_PARAMS for m in MODELS
}

#: ref §3.1: BytePlus ModelArk ids: no "doubao-" prefix for 1.x, "dreamina-" for 2.x [3P].
BYTEPLUS_IDS: dict[str, str] = {
    m.id: ("dreamina-" if m in (V2, V2_FAST) else "") + m.id.removeprefix("doubao-") for m in MODELS
}

PROVIDER_INFO = ProviderInfo(
    name=PROVIDER,
    # docs/design.md §1.2 ranks grok, veo, sora; then the vendors' own APIs, then resellers
    priority=4,
    title="Seedance on Volcengine Ark / BytePlus ModelArk",
    default_model=PRO.id,  # T2V, first frame and first+last: the widest 1.x model (ref §3.5)
    aliases=("ark", "doubao"),
    credential_env=(("ARK_API_KEY",),),  # ref §3.1: Authorization: Bearer $ARK_API_KEY
    base_url=DEFAULT_BASE_URL,
    poll_interval_s=5.0,
    # docs/reference/volcengine-kling.md §3.5: default-tier concurrency 5 (lite), 10 (pro); the
    # lower keeps a batch within every model's limit.
    max_concurrency=5,
    # ref §5: tasks "can sit in queued for a long time"; 15 minutes before reelkit stops waiting
    # (the task keeps running; `reelkit jobs resume` picks it up).
    timeout_s=900.0,
    homepage="https://www.volcengine.com/docs/82379",
    notes="BytePlus ModelArk: set REELKIT_SEEDANCE_BASE_URL="
    + BYTEPLUS_BASE_URL
    + " (ids are mapped).",
)
