"""What Qiniu's OpenAI-compatible ``/v1/videos`` offers: Kling and Sora models, as data.

Sources: seed 002 (docs/reference/seeds.md) (Qiniu's "视频生成 (openai兼容)" page, cited as
"seed 002") and ``docs/reference/openai-videos.md`` §2 (cited as "ref §2.x"), which adds the newer
Kling ids and the upstream Kling limits.
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
from reelkit_openai_videos.sora import sora_modes, sora_variants

PROVIDER = ProviderInfo(
    name="qiniu",
    # docs/design.md §1.2 ranks grok, veo, sora; then the vendors' own APIs, then resellers
    priority=6,
    title="Qiniu AI inference (Kling and Sora, OpenAI-compatible)",
    default_model="kling-v2-5-turbo",  # the one Kling model here with t2v, i2v and first/last frame
    # docs/design.md §1.2: no alias; "kling" names the direct Kling provider (reelkit-kling).
    aliases=(),
    credential_env=(("QINIU_API_KEY",),),
    base_url="https://api.qnaigc.com/v1",  # seed 002: 接入点; overseas: https://openai.sufy.com/v1
    # seed 002 FAQ: 2–15 minutes per clip; the third-party SDK polls every 3 s (ref §2.4).
    poll_interval_s=10.0,
    timeout_s=1800.0,
    homepage="https://developer.qiniu.com/aitokenapi/13169",
    notes="JSON only: images and videos travel as URLs (image_list also as bare base64).",
)

#: seed 002: "生成的视频会在 7 天后过期"; ref §2.3: the URL's ``e=`` is completed_at + 604800.
URL_LIFETIME_S = 7 * 24 * 3600.0

#: seed 002 (https://developer.qiniu.com/aitokenapi/13169): prompt "最大 2500 字符", also for
#: remix; the same as Kling's own API ("prompt ≤2500 characters", Kling API reference, text to
#: video: https://app.klingai.com/global/dev/document-api/apiReference/model/textToVideo).
MAX_PROMPT = 2500

# --- --param values (ModelInfo.params) ----------------------------------------------------
# Only what Qiniu documents beyond reelkit's own fields (model, prompt, seconds, size,
# input_reference, image_tail, image_list, video_list, negative_prompt, sound are set by reelkit).
# Sora on Qiniu documents nothing more (seed 002): it declares no params.

#: seed 002 mode (https://developer.qiniu.com/aitokenapi/13169, read 2026-12-02): std (720p)
#: or pro (1080p). reelkit sends the mode of the chosen resolution
#: (``resolution="1080p"`` is ``"mode": "pro"``); a ``mode`` given here must agree with it, so the
#: plan never shows one quality while the wire asks for the other (checked in translate).
KLING_MODE = Param(
    name="mode",
    type="str",
    choices=("std", "pro"),
    description="Kling quality mode: std is 720p, pro 1080p; must agree with the resolution.",
)
#: seed 002 FAQ: "kling-video-o1 模型目前仅支持 pro 模式".
O1_MODE = Param(
    name="mode", type="str", choices=("pro",), description="Kling quality mode (O1: pro only)."
)
#: seed 002 video_list.refer_type: feature (a style/content reference) or base (the video to
#: edit, the default). reelkit's own key: it goes into video_list, and needs a video.
REFER_TYPE = Param(
    name="refer_type",
    type="str",
    choices=("base", "feature"),
    description="How the reference video is used: base (edit it, default) or feature.",
)
#: ref §2.2 (Qiniu's Kling page, https://developer.qiniu.com/aitokenapi/13217): kling-v2-6
#: motion control takes image_url + video_url + character_orientation + keep_original_sound.
MOTION_CONTROL = (
    Param(name="image_url", type="str", description="Motion control: the character image URL."),
    Param(name="video_url", type="str", description="Motion control: the motion video URL."),
    Param(
        name="character_orientation",
        type="str",
        choices=("image", "video"),
        description="Motion control: follow the image's or the video's orientation.",
    ),
    Param(
        name="keep_original_sound",
        type="str",
        choices=("yes", "no"),
        description="Motion control: keep the motion video's sound.",
    ),
)
#: ref §2.2: kling-v3-omni multi-shot (declared once for every gateway: reelkit_openai_videos.kling).

# --- prices -------------------------------------------------------------------------------
# Qiniu resells these models at its own prices (CNY), and no list of them could be found: on
# 2026-12-02 qiniu.com and developer.qiniu.com were searched ("七牛 视频生成 价格/计费"); the
# video pages https://developer.qiniu.com/aitokenapi/13169 and /13217 state no price, and
# /13331 (预估账单查询) reports an API key's running totals, not per-job prices. Kling's and
# OpenAI's own list prices are not Qiniu's. So every model is unpriced: estimates are unknown,
# never guessed, until a price is configured. Their task objects carry no cost or usage field
# either, so no charge is parsed.
PRICE: Pricing | None = None

# --- Sora on Qiniu ------------------------------------------------------------------------

_SORA_SECONDS = Choices((4, 8, 12))  # seed 002: sora-2 可选值 4、8、12 (default 4)
# seed 002: sora-2 1280x720 / 720x1280; ref §2.2: sora-2-pro adds 1024x1792 / 1792x1024.
_SORA_2 = sora_variants(_SORA_SECONDS, "720p")
_SORA_2_PRO = sora_variants(_SORA_SECONDS, "720p", "1024p")
_SORA_IMAGES = ImageLimits(
    transports=("url",),  # seed 002: input_reference "仅支持图片 URL,不支持 Base64"
    must_match_size=True,  # seed 002: "图片尺寸必须与 size 参数一致"
)


#: What Qiniu applies to a field left out (seed 002, https://developer.qiniu.com/aitokenapi/13169,
#: read 2026-12-02: "seconds ... 默认值 4", "size ... 默认值 720x1280"). A setting the caller left
#: to reelkit that equals it is left out too, so the page's first example, {"model", "prompt"},
#: is what reelkit sends for a bare prompt. (docs/reference/openai-videos.md §2.2 gives 1280x720
#: as sora-2's default; the page's table, and OpenAI's own default that it relays, say 720x1280.)
SORA_SERVER_DEFAULTS: Mapping[str, str] = {"seconds": "4", "size": "720x1280"}
#: Kling's seconds default on Qiniu: 5 (seed 002's kling-video-o1 answer to a create without
#: seconds says "seconds": "5"; docs/reference/openai-videos.md §2.2: "default 5"; read
#: 2026-12-02). Kling's size is always sent: the examples send it, and its default is portrait.
KLING_SERVER_DEFAULTS: Mapping[str, str] = {"seconds": "5"}


def _sora(model_id: str, variants: tuple[Variant, ...], title: str, notes: str = "") -> ModelInfo:
    return ModelInfo(
        id=model_id,
        title=title,
        # seed 002: t2v, i2v and POST /videos/:id/remix {"prompt"}; no extensions.
        modes=sora_modes(variants, extend=False),
        default_duration=4,  # seed 002: seconds default 4
        default_resolution="720p",
        # seed 002 (read 2026-12-02): size default 720x1280, portrait; reelkit's default is the
        # server's, so leaving the size out (as the page's first example does) renders the same.
        default_aspect_ratio="9:16",
        audio=Audio.ALWAYS,  # ref §2.2: sora-2 "has audio"
        max_prompt_chars=MAX_PROMPT,  # seed 002: 2500, stricter than OpenAI's 32000
        images=_SORA_IMAGES,
        url_lifetime_s=URL_LIFETIME_S,
        notes=notes,
        price=PRICE,
    )


# --- Kling on Qiniu -----------------------------------------------------------------------
# seed 002 (https://developer.qiniu.com/aitokenapi/13169, read 2026-12-02): for Kling models
# "size 字段仅控制视频的宽高比例(横屏/竖屏/正方形),视频分辨率品质由 mode 字段控制": the size sets
# only the orientation, and each of the six documented sizes (1920x1080, 1080x1920, 1280x720,
# 720x1280, 1080x1080, 720x720) is accepted by every Kling model at either quality; the quality
# is `mode`: std = 720p, pro = 1080p (docs/reference/openai-videos.md §2.2). So reelkit's
# resolution is the mode, and a size the caller gives is sent as given (its own example sends
# kling-v2-1 "size": "1280x720" with "mode": "pro"); without one, the resolution's own size.
KLING_ASPECTS = ("16:9", "9:16", "1:1")
KLING_ASPECT_SIZES: Mapping[str, tuple[str, ...]] = {
    "16:9": ("1920x1080", "1280x720"),
    "9:16": ("1080x1920", "720x1280"),
    "1:1": ("1080x1080", "720x720"),
}
KLING_MODE_BY_RESOLUTION: Mapping[str, str] = {"720p": "std", "1080p": "pro"}

_FIVE_TEN = Choices((5, 10))  # seed 002: kling 系列可选值 5、10
_THREE_TO_FIFTEEN = Range(3, 15, step=1)  # ref §2.2: kling-v3 / v3-omni seconds "3"…"15"


def _kling_variants(
    resolutions: tuple[str, ...], durations: Choices | Range, note: str = ""
) -> tuple[Variant, ...]:
    return (
        Variant(
            resolutions=resolutions,
            aspect_ratios=KLING_ASPECTS,
            durations=durations,
            aspect_sizes=KLING_ASPECT_SIZES,  # seed 002: size sets only the orientation
            note=note,
        ),
    )


_KLING_CLASSIC_IMAGES = ImageLimits(
    formats=("jpeg", "png"),  # ref §2.2 (upstream Kling): jpg/png, ≤10 MB, ≥300 px
    transports=("url",),  # seed 002: input_reference and image_tail are public URLs
    max_bytes=10 * 1024 * 1024,
    min_side=300,
)
_KLING_LIST_IMAGES = ImageLimits(
    formats=("jpeg", "png"),  # seed 002 image_list: .jpg/.jpeg/.png, ≤10MB, ≥300px
    transports=("url", "base64"),  # seed 002: URL, or Base64 without the data: prefix
    max_bytes=10 * 1024 * 1024,
    min_side=300,
)

#: seed 002: image_list "最多支持 4 张图片".
MAX_IMAGE_LIST = 4


def _kling(
    model_id: str,
    *,
    title: str,
    modes: tuple[ModeSpec, ...],
    default_resolution: str,
    default_duration: float = 5,
    audio: Audio = Audio.NONE,
    negative_prompt: bool = False,
    images: ImageLimits = _KLING_CLASSIC_IMAGES,
    params: tuple[Param, ...] = (KLING_MODE,),
    notes: str = "",
) -> ModelInfo:
    return ModelInfo(
        id=model_id,
        title=title,
        modes=modes,
        default_duration=default_duration,  # seed 002: seconds default; kling 5
        default_resolution=default_resolution,
        default_aspect_ratio="16:9",
        audio=audio,
        supports_negative_prompt=negative_prompt,  # ref §2.2: kling-v2-1 (and siblings) take it
        max_prompt_chars=MAX_PROMPT,
        images=images,
        url_lifetime_s=URL_LIFETIME_S,
        notes=notes,
        params=params,
        price=PRICE,
    )


def _classic_modes(
    durations: Choices | Range, *, t2v: bool, first_last: bool
) -> tuple[ModeSpec, ...]:
    both = _kling_variants(("720p", "1080p"), durations)
    modes = [ModeSpec(mode=Mode.I2V, variants=both)]
    if t2v:
        modes.insert(0, ModeSpec(mode=Mode.T2V, variants=both))
    if first_last:
        # Kling capability map (docs/reference/volcengine-kling.md §4.4): a tail frame on pro only.
        modes.append(
            ModeSpec(
                mode=Mode.FIRST_LAST,
                variants=_kling_variants(
                    ("1080p",), durations, "a last frame needs pro mode (1080p)"
                ),
            )
        )
    return tuple(modes)


# kling-video-o1: pro only, "输出的所有视频都是 1080P" (seed 002 FAQ).
_O1 = _kling_variants(("1080p",), _FIVE_TEN, "kling-video-o1 renders 1080p (pro) only")
_V3_OMNI = _kling_variants(("720p", "1080p"), _THREE_TO_FIFTEEN)


def _omni_modes(variants: tuple[Variant, ...]) -> tuple[ModeSpec, ...]:
    return (
        ModeSpec(mode=Mode.T2V, variants=variants),
        # image_list [{"image", "type": "first_frame"}] (seed 002 "多图首尾帧生视频")
        ModeSpec(mode=Mode.I2V, variants=variants),
        ModeSpec(mode=Mode.FIRST_LAST, variants=variants),
        # image_list [{"image"}] without a type: images as visual references (seed 002 "图生视频")
        ModeSpec(mode=Mode.REFERENCE, variants=variants, max_reference_images=MAX_IMAGE_LIST),
        # video_list [{"video_url", "refer_type": base|feature, "keep_original_sound"}]: one video,
        # MP4/MOV, 3–10 s, 720–2160 px, ≤200 MB (seed 002); references may accompany it.
        ModeSpec(
            mode=Mode.EDIT,
            variants=variants,
            max_reference_images=MAX_IMAGE_LIST,
            note="one reference video by URL: refer_type base (edit, default) or feature",
        ),
    )


MODELS: tuple[ModelInfo, ...] = (
    _sora("sora-2", _SORA_2, "OpenAI Sora 2 (via Qiniu)"),
    _sora(
        "sora-2-pro",
        _SORA_2_PRO,
        "OpenAI Sora 2 Pro (via Qiniu)",
        notes="Listed as coming soon on the 2025-12 page; served per later Qiniu docs (ref §2.2).",
    ),
    _kling(
        "kling-video-o1",
        title="Kling O1 (可灵 O1)",
        modes=_omni_modes(_O1),
        default_resolution="1080p",
        # Sound only by keeping a reference video's own (keep_original_sound, seed 002).
        audio=Audio.OPTIONAL,
        images=_KLING_LIST_IMAGES,
        params=(O1_MODE, REFER_TYPE),
        notes="image_list (first_frame/end_frame roles or plain references) and video_list.",
    ),
    _kling(
        "kling-v2-1",
        title="Kling V2.1 (可灵 V2.1)",
        # ref §2.2: "i2v and first/last frame only; no pure t2v (input_reference required)".
        modes=_classic_modes(_FIVE_TEN, t2v=False, first_last=True),
        default_resolution="720p",
        negative_prompt=True,
    ),
    _kling(
        "kling-v2-5-turbo",
        title="Kling V2.5 Turbo (可灵 V2.5 Turbo)",
        modes=_classic_modes(_FIVE_TEN, t2v=True, first_last=True),  # seed 002 example: image_tail
        default_resolution="720p",
        negative_prompt=True,
    ),
    _kling(
        "kling-v2-6",
        title="Kling V2.6",
        # ref §2.2: t2v, i2v, first/last frame, sound on/off (the doc calls it "~kling-v2-9").
        modes=_classic_modes(_FIVE_TEN, t2v=True, first_last=True),
        default_resolution="720p",
        audio=Audio.OPTIONAL,
        negative_prompt=True,
        params=(KLING_MODE, *MOTION_CONTROL),
        notes="sound on/off; Kling makes sound in pro mode (1080p) only.",
    ),
    _kling(
        "kling-v3",
        title="Kling V3",
        # ref §2.2: t2v, i2v, sound; seconds 3–15 (default 5); mode default pro.
        modes=_classic_modes(_THREE_TO_FIFTEEN, t2v=True, first_last=False),
        default_resolution="1080p",
        audio=Audio.OPTIONAL,
    ),
    _kling(
        "kling-v3-omni",
        title="Kling V3 Omni",
        # ref §2.2: t2v, i2v, first/last frame, v2v, sound, multi-shot (multi_shot, shot_type
        # and multi_prompt through --param); mode default pro.
        modes=_omni_modes(_V3_OMNI),
        default_resolution="1080p",
        audio=Audio.OPTIONAL,
        images=_KLING_LIST_IMAGES,
        params=(KLING_MODE, REFER_TYPE, *MULTI_SHOT),
    ),
)

#: Models whose images travel in ``image_list`` and videos in ``video_list`` (seed 002, ref §2.2).
OMNI = frozenset({"kling-video-o1", "kling-v3-omni"})
#: Models with the ``sound`` on/off switch (ref §2.2).
SOUND = frozenset({"kling-v2-6", "kling-v3", "kling-v3-omni"})
