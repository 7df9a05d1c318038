"""Capabilities are data: what a provider and each of its models accept.

Plugins declare these frozen records (with the source of each fact in a comment next to it);
the core validates, clamps and selects from them before anything is translated. Listing them
never touches the network.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, Union

from attrs import field, frozen


class Mode(str, enum.Enum):
    """What a job does, inferred from the inputs a request carries."""

    T2V = "t2v"  # text only
    I2V = "i2v"  # first frame
    FIRST_LAST = "first_last"  # first and last frame
    REFERENCE = "reference"  # subject/style reference images
    EXTEND = "extend"  # continue an earlier job's video
    REMIX = "remix"  # re-prompt an earlier job
    EDIT = "edit"  # transform a source video

    def __str__(self) -> str:
        return self.value


class Audio(str, enum.Enum):
    """Whether a model's output has sound and whether the caller can choose."""

    NONE = "none"  # silent, always
    OPTIONAL = "optional"  # the request decides
    ALWAYS = "always"  # sound, always (e.g. Veo 3.x)

    def __str__(self) -> str:
        return self.value


@frozen
class Range:
    """A continuous range of seconds; requests outside it are clamped to the bounds.

    ``step`` (e.g. 1 for whole seconds) rounds inside the range, half up.
    """

    min: float
    max: float
    step: float | None = None

    def __attrs_post_init__(self) -> None:
        if not self.min <= self.max:
            raise ValueError(f"empty range {self.min}..{self.max}")
        if self.step is not None and self.step <= 0:
            raise ValueError("step must be positive")

    def contains(self, value: float) -> bool:
        return self.min <= value <= self.max and math.isclose(self.nearest(value), value)

    def nearest(self, value: float) -> float:
        if self.step is not None:
            steps = math.floor((value - self.min) / self.step + 0.5)
            value = self.min + steps * self.step
            value = round(value, 9)
        return float(min(max(value, self.min), self.max))

    def distance(self, value: float) -> float:
        return abs(self.nearest(value) - value)

    def describe(self) -> str:
        every = f" in steps of {_num(self.step)} s" if self.step else ""
        return f"{_num(self.min)}–{_num(self.max)} s{every}"

    @property
    def lowest(self) -> float:
        return self.min


def _sorted_floats(values: Iterable[float]) -> tuple[float, ...]:
    return tuple(sorted(float(x) for x in values))


@frozen
class Choices:
    """A discrete set of seconds; requests snap to the nearest value, a tie to the longer one."""

    values: tuple[float, ...] = field(converter=_sorted_floats)

    def __attrs_post_init__(self) -> None:
        if not self.values:
            raise ValueError("Choices needs at least one value")

    def contains(self, value: float) -> bool:
        return any(math.isclose(value, v) for v in self.values)

    def nearest(self, value: float) -> float:
        # Ties go to the longer duration: a user asking for 6 between 4 and 8 wants more, not less.
        return min(self.values, key=lambda v: (abs(v - value), -v))

    def distance(self, value: float) -> float:
        return abs(self.nearest(value) - value)

    def describe(self) -> str:
        return ", ".join(_num(v) for v in self.values) + " s"

    @property
    def lowest(self) -> float:
        return self.values[0]


Durations = Union[Range, Choices]


@frozen(kw_only=True)
class Variant:
    """One allowed combination of output settings within a mode.

    Several variants express coupled rules, e.g. Veo's "1080p and 4k require 8 s":
    ``Variant(resolutions=("720p",), durations=Choices((4, 6, 8)))`` and
    ``Variant(resolutions=("1080p", "4k"), durations=Choices((8,)))``.
    """

    resolutions: tuple[str, ...]
    aspect_ratios: tuple[str, ...]
    durations: Durations
    fps: tuple[int, ...] = (24,)
    # Provider-specific pixel sizes where they differ from the computed ones:
    # {("720p", "16:9"): "1280x720"}.
    sizes: Mapping[tuple[str, str], str] = field(factory=dict)
    # Sizes that name only an aspect ratio, at every resolution of the variant: Kling on Qiniu
    # takes any of its six sizes at either quality ({"16:9": ("1920x1080", "1280x720"), ...}),
    # the quality being set apart. Such a size is sent as given.
    aspect_sizes: Mapping[str, tuple[str, ...]] = field(factory=dict)
    note: str = ""

    def size_for(self, resolution: str, aspect_ratio: str) -> str:
        explicit = self.sizes.get((resolution, aspect_ratio))
        if explicit:
            return explicit
        w, h = dimensions(resolution, aspect_ratio)
        return f"{w}x{h}"


@frozen(kw_only=True)
class ModeSpec:
    """A mode a model offers, with the variants it accepts in that mode."""

    mode: Mode
    variants: tuple[Variant, ...]
    max_reference_images: int = 0
    min_reference_images: int = 0  # e.g. a gateway tier that needs 2–3 references
    # Can a first frame accompany reference images (or a source video) in this mode?
    accepts_first_frame: bool = False
    # EXTEND only, for chains of extensions (``extend_to``): the seconds one extension adds
    # (None: the applied duration), how many times a video may be extended, the longest source
    # an extension accepts and the longest result. None: the provider documents no limit.
    extension_adds_s: float | None = None
    max_extensions: int | None = None
    max_source_s: float | None = None
    max_total_s: float | None = None
    note: str = ""


@frozen(kw_only=True)
class ImageLimits:
    """What image inputs a model accepts. ``transports``: "url", "base64" and/or "upload"."""

    formats: tuple[str, ...] = ("jpeg", "png", "webp")
    transports: tuple[str, ...] = ("url", "base64")
    max_bytes: int | None = None
    max_side: int | None = None
    min_side: int | None = None
    # The first frame must have exactly the output's pixel size (Sora).
    must_match_size: bool = False


@frozen(kw_only=True)
class Param:
    """A provider-specific value a model accepts through ``params`` (``--param KEY=VALUE``).

    The core refuses undeclared keys and values of the wrong type *before* translation, so
    nothing unexpected reaches a paid endpoint. ``type`` is one of ``str``, ``int``, ``float``
    (ints accepted), ``bool``, ``list`` or ``dict``; ``choices`` narrows a scalar to a set.
    Deeper structure (a list of objects) is still checked by the plugin's translate.
    """

    name: str
    type: str
    description: str = ""
    choices: tuple[Any, ...] = ()

    def __attrs_post_init__(self) -> None:
        if self.type not in PARAM_TYPES:
            raise ValueError(f"Param {self.name!r}: type {self.type!r} is not one of {PARAM_TYPES}")


PARAM_TYPES = ("str", "int", "float", "bool", "list", "dict")


@frozen(kw_only=True)
class ModelInfo:
    """One model of one provider."""

    id: str
    modes: tuple[ModeSpec, ...]
    default_duration: float
    default_resolution: str
    default_aspect_ratio: str
    aliases: tuple[str, ...] = ()
    title: str = ""
    default_fps: int = 24
    fps_settable: bool = (
        False  # False: the provider renders at its own fps; a requested fps snaps to it
    )
    supports_seed: bool = False
    supports_negative_prompt: bool = False
    audio: Audio = Audio.NONE
    max_prompt_chars: int | None = None
    images: ImageLimits = ImageLimits()
    url_lifetime_s: float | None = None  # how long a result URL stays valid
    poll_interval_s: float | None = None  # overrides the provider's default
    deprecated_after: date | None = None
    notes: str = ""
    # Accepted ``params`` keys; any other key is an ``InvalidRequest`` before translation.
    params: tuple[Param, ...] = ()
    # Settings the provider derives from the inputs when they are omitted (xAI keeps a first
    # frame's own ratio; an explicit one stretches it): left unset by the caller, not sent.
    implicit_defaults: tuple[str, ...] = ()
    # What it costs (reelkit.pricing), with its source and date; None: nobody published it.
    price: Pricing | None = None

    def mode(self, mode: Mode) -> ModeSpec | None:
        for spec in self.modes:
            if spec.mode == mode:
                return spec
        return None

    @property
    def mode_names(self) -> tuple[str, ...]:
        return tuple(spec.mode.value for spec in self.modes)

    def names(self) -> tuple[str, ...]:
        return (self.id, *self.aliases)


@frozen(kw_only=True)
class ProviderInfo:
    """A provider: who it is, how to reach it, what it needs. Its models are registered beside it."""

    name: str
    title: str
    default_model: str
    aliases: tuple[str, ...] = ()
    # Lower runs first in auto-selection; `local` is always last.
    priority: int = 100
    # Alternatives of required variables: (("GEMINI_API_KEY",), ("GOOGLE_API_KEY",)) or
    # (("VOLC_ACCESSKEY", "VOLC_SECRETKEY"),). Empty: no credentials needed.
    credential_env: tuple[tuple[str, ...], ...] = ()
    base_url: str = ""
    base_url_env: tuple[str, ...] = ()  # first set one wins, after REELKIT_<NAME>_BASE_URL
    poll_interval_s: float = 5.0
    poll_interval_env: str | None = None
    timeout_s: float = 600.0  # the overall wait deadline
    http_timeout_s: float = 60.0  # one HTTP request
    timeout_env: str | None = None  # overrides http_timeout_s (e.g. JIMENG_VIDEO_API_TIMEOUT)
    max_polls: int | None = None
    max_polls_env: str | None = None
    # Jobs the provider runs at once on a default account; batches keep within it (config
    # ``max_concurrency`` overrides). None: undocumented, and batches use DEFAULT_CONCURRENCY.
    max_concurrency: int | None = None
    homepage: str = ""
    deprecation: str | None = None  # shown by `reelkit providers` and the docs
    # Plain settings read from the environment into ``ProviderConfig.options`` (option name,
    # variable): Vertex's (("project", "GOOGLE_CLOUD_PROJECT"), ...). Environment beats files.
    option_env: tuple[tuple[str, str], ...] = ()
    # Origins besides the base URL's that downloads may be signed for (Vertex: the Cloud
    # Storage API serving its gs:// outputs). Credentials never travel anywhere else.
    signed_origins: tuple[str, ...] = ()
    notes: str = ""

    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    @property
    def base_url_envs(self) -> tuple[str, ...]:
        return (f"REELKIT_{self.name.upper()}_BASE_URL", *self.base_url_env)


DEFAULT_CONCURRENCY = 4  # a batch's jobs in flight per provider when it documents no limit


# --- geometry -------------------------------------------------------------------------------

_RES = re.compile(r"^(\d{3,4})p$", re.IGNORECASE)
_NAMED_RES = {"2k": 1440, "4k": 2160, "8k": 4320}
_SIZE = re.compile(r"^\s*(\d{1,5})\s*[x*×]\s*(\d{1,5})\s*$", re.IGNORECASE)
#: The known scale of video resolutions (short sides, 144p to 8k). A resolution inside it (or
#: inside what a model declares) is fitted to the nearest one the model offers; one outside it
#: (9000p, a 1x1 size) has nothing near it and is refused.
SCALE = (144, 4320)


def resolution_height(resolution: str) -> int:
    """The short side in pixels: "720p" -> 720, "4k" -> 2160."""
    key = resolution.strip().lower()
    if key in _NAMED_RES:
        return _NAMED_RES[key]
    m = _RES.match(key)
    if not m:
        raise ValueError(f"not a resolution: {resolution!r} (use e.g. 480p, 720p, 1080p, 4k)")
    return int(m.group(1))


def aspect_value(aspect_ratio: str) -> float:
    """ "16:9" -> 1.777...; raises ValueError for anything that is not W:H."""
    try:
        w, h = aspect_ratio.split(":")
        value = float(w) / float(h)
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"not an aspect ratio: {aspect_ratio!r} (use e.g. 16:9)") from None
    if value <= 0:
        raise ValueError(f"not an aspect ratio: {aspect_ratio!r}")
    return value


def aspect_distance(a: str, b: str) -> float:
    """Distance between two aspect ratios on a log scale (16:9 is as far from 1:1 as 9:16)."""
    if a == b:
        return 0.0
    try:
        return abs(math.log(aspect_value(a)) - math.log(aspect_value(b)))
    except ValueError:
        return math.inf  # symbolic ratios ("adaptive") match only themselves


def parse_size(size: str) -> tuple[int, int]:
    m = _SIZE.match(size)
    if not m or not int(m.group(1)) or not int(m.group(2)):
        raise ValueError(f"not a size: {size!r} (use WIDTHxHEIGHT, e.g. 1280x720)")
    return int(m.group(1)), int(m.group(2))


def on_scale(height: int, declared: Iterable[str] = ()) -> bool:
    """Whether a short side lies on the known scale (``SCALE``), widened to the resolutions a
    model declares: only there does "the nearest resolution the model offers" mean anything."""
    heights = [*SCALE]
    for label in declared:
        try:
            heights.append(resolution_height(label))
        except ValueError:
            continue
    return min(heights) <= height <= max(heights)


def dimensions(resolution: str, aspect_ratio: str) -> tuple[int, int]:
    """Pixel size for a resolution (the short side) and an aspect ratio, both sides even."""
    short = resolution_height(resolution)
    try:
        ratio = aspect_value(aspect_ratio)
    except ValueError:
        ratio = 16 / 9  # symbolic ratios render at the common landscape shape
    if ratio >= 1:
        return _even(short * ratio), short
    return short, _even(short / ratio)


def _even(x: float) -> int:
    return max(2, int(round(x / 2)) * 2)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


# Last: prices build on the geometry above, and ModelInfo's annotations resolve to them.
from .pricing import Pricing  # noqa: E402
