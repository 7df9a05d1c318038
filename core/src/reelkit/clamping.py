"""Clamping: fit a request into a model's capabilities, reporting every change.

A pure function of ``(VideoRequest, ModelInfo)``. Continuous ranges clamp to their bounds,
discrete sets snap to the nearest value (a tie snaps to the longer duration), surplus reference
images are dropped, and settings the model cannot take are removed. Each change yields exactly
one ``Adjustment``. What no adjustment can fix (an unsupported mode, a prompt over the limit, an
image in the wrong format) raises a typed error; prompts are never truncated silently.

A resolution (or a size's short side) is fitted only on the known scale, 144p to 8k widened to
what the model declares (``capabilities.on_scale``); off it (9000p, 1x1) nothing offered is
"nearest", so it is an ``InvalidRequest`` listing what is offered. The same value written
otherwise (7:3 for 21:9, 2160p for 4k) is normalised without an adjustment.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import attrs

from .capabilities import (
    SCALE,
    Audio,
    Mode,
    ModelInfo,
    ModeSpec,
    Range,
    Variant,
    aspect_distance,
    aspect_value,
    on_scale,
    parse_size,
    resolution_height,
)
from .errors import InvalidRequest
from .inputs import check_frame_size, check_media, check_prompt
from .models import Adjustment, VideoRequest
from .modes import infer_mode

__all__ = ["clamp", "infer_mode"]


def clamp(
    request: VideoRequest, model: ModelInfo, *, strict: bool = False
) -> tuple[VideoRequest, list[Adjustment]]:
    """Fit ``request`` into ``model``; return the applied request and the adjustments made.

    With ``strict=True`` any adjustment raises ``InvalidRequest`` naming the field and what is
    allowed instead.
    """
    spec = infer_mode(request, model)
    check_prompt(request, model, spec.mode)
    check_media(request, model)

    targets = _targets(request, model, spec)
    variant = min(spec.variants, key=lambda v: _variant_distance(v, targets))

    resolution = _nearest_resolution(variant.resolutions, targets.resolution)
    aspect_ratio = min(
        variant.aspect_ratios, key=lambda a: aspect_distance(a, targets.aspect_ratio)
    )
    duration = variant.durations.nearest(targets.duration)
    fps = _applied_fps(variant, model, targets.fps)
    size = variant.size_for(resolution, aspect_ratio)
    if request.size is not None and any(
        _same_size(request.size, s) for s in variant.aspect_sizes.get(aspect_ratio, ())
    ):
        size = request.size  # it names the aspect ratio alone, at any resolution: sent as given

    adjustments: list[Adjustment] = []

    def adjust(name: str, requested: Any, applied: Any, reason: str, allowed: str) -> None:
        adjustments.append(
            Adjustment(
                field=name, requested=requested, applied=applied, reason=reason, allowed=allowed
            )
        )

    where = f"{model.id} ({spec.mode.value})"
    if request.size is not None:
        if not _same_size(request.size, size):
            adjust(
                "size",
                request.size,
                size,
                f"{where} does not offer {request.size}",
                _allowed_sizes(spec),
            )
    else:
        if request.resolution is not None and not _same_resolution(request.resolution, resolution):
            adjust(
                "resolution",
                request.resolution,
                resolution,
                _why(where, request.resolution, variant),
                _allowed_res(spec),
            )
        # 7:3 is 21:9 and 2160p is 4k: the same value, normalised without an adjustment.
        if request.aspect_ratio is not None and not _same_ratio(request.aspect_ratio, aspect_ratio):
            adjust(
                "aspect_ratio",
                request.aspect_ratio,
                aspect_ratio,
                _why(where, request.aspect_ratio, variant),
                _allowed_ar(spec),
            )
    if request.duration is not None and not math.isclose(request.duration, duration):
        kind = (
            "clamped to the range"
            if isinstance(variant.durations, Range)
            else "snapped to the nearest"
        )
        adjust(
            "duration",
            _plain(request.duration),
            _plain(duration),
            f"{where} takes {variant.durations.describe()}{_note(variant)}; {kind}",
            variant.durations.describe(),
        )
    if request.fps is not None and request.fps != fps:
        reason = (
            f"{where} renders at {fps} fps; fps is not settable"
            if not model.fps_settable
            else f"{where} takes {', '.join(map(str, variant.fps))} fps"
        )
        adjust(
            "fps", request.fps, fps, reason, ", ".join(map(str, variant.fps)) or "provider default"
        )

    seed = request.seed
    if seed is not None and not model.supports_seed:
        adjust("seed", seed, None, f"{model.id} does not accept a seed; not sent", "none")
        seed = None
    negative = request.negative_prompt
    if negative is not None and not model.supports_negative_prompt:
        adjust(
            "negative_prompt",
            negative,
            None,
            f"{model.id} does not accept a negative prompt; not sent",
            "none",
        )
        negative = None
    audio = _applied_audio(request.audio, model)
    if request.audio is not None and audio != request.audio:
        state = "always has sound" if model.audio is Audio.ALWAYS else "is silent"
        adjust(
            "audio",
            request.audio,
            audio,
            f"{model.id} {state}",
            str(model.audio == Audio.ALWAYS).lower(),
        )

    references = request.reference_images
    if spec.mode is Mode.REFERENCE and len(references) < spec.min_reference_images:
        raise InvalidRequest(
            "reference_images",
            f"{where} needs at least {spec.min_reference_images} reference images, got {len(references)}",
            allowed=f"{spec.min_reference_images}–{spec.max_reference_images}",
        )
    limit = spec.max_reference_images
    if len(references) > limit:  # a reference mode always takes at least one (contract suite)
        adjust(
            "reference_images",
            len(references),
            limit,
            f"{where} takes at most {limit} reference images; the rest are dropped",
            f"at most {limit}",
        )
        references = references[:limit]

    applied = attrs.evolve(
        request,
        # Clamping an applied request again keeps what its first clamp found unset (idempotent).
        unset=tuple(dict.fromkeys((*request.unset, *targets.unset))),
        duration=duration,
        resolution=resolution,
        aspect_ratio=aspect_ratio,
        size=size,
        fps=fps,
        seed=seed,
        negative_prompt=negative,
        audio=audio,
        reference_images=tuple(references),
        mode=spec.mode,
    )
    check_frame_size(applied, model)

    if strict and adjustments:
        first = adjustments[0]
        raise InvalidRequest(
            first.field,
            f"{first.requested!r} is not accepted by {where}; strict mode makes no adjustments",
            allowed=first.allowed,
        )
    return applied, adjustments


@attrs.frozen
class _Targets:
    resolution: str
    aspect_ratio: str
    duration: float
    fps: int
    unset: tuple[str, ...] = ()  # the settings the caller left to reelkit


def _targets(request: VideoRequest, model: ModelInfo, spec: ModeSpec) -> _Targets:
    resolution = request.resolution
    aspect_ratio = request.aspect_ratio
    if resolution is not None:
        _valid_resolution(resolution, spec)
    if aspect_ratio is not None:
        _valid_aspect(aspect_ratio, spec)
    if request.size is not None:
        _valid_size(request.size, spec, f"{model.id} ({spec.mode.value})")
        size_res, size_ar = _size_to_geometry(request.size, spec, resolution, aspect_ratio)
        if resolution is not None and resolution.lower() != size_res.lower():
            raise InvalidRequest(
                "size",
                f"{request.size} conflicts with resolution {resolution}",
                allowed="give one of them",
            )
        if aspect_ratio is not None and aspect_distance(aspect_ratio, size_ar) > 1e-6:
            raise InvalidRequest(
                "size",
                f"{request.size} conflicts with aspect_ratio {aspect_ratio}",
                allowed="give one of them",
            )
        resolution, aspect_ratio = size_res, size_ar
    source = request.continue_from or request.remix_of
    if source is not None:  # an extension or remix keeps its source's shape unless told otherwise
        resolution = resolution or source.resolution
        aspect_ratio = aspect_ratio or source.aspect_ratio
    frame = request.first_frame
    if (
        model.images.must_match_size
        and frame is not None
        and resolution is None
        and aspect_ratio is None
    ):
        if frame.width and frame.height:  # the frame decides the shape when the caller did not
            resolution, aspect_ratio = _size_to_geometry(f"{frame.width}x{frame.height}", spec)
    if aspect_ratio is None and frame is not None and frame.width and frame.height:
        # Follow the first frame's shape rather than stretch it, unless the model's default is a
        # symbolic ratio it offers for this (e.g. "adaptive": the provider follows the image).
        symbolic = _is_symbolic(model.default_aspect_ratio) and any(
            model.default_aspect_ratio in v.aspect_ratios for v in spec.variants
        )
        if not symbolic:
            ratio = Fraction(frame.width, frame.height).limit_denominator(32)
            aspect_ratio = f"{ratio.numerator}:{ratio.denominator}"
    if request.duration is not None and not (
        request.duration > 0 and math.isfinite(request.duration)
    ):
        raise InvalidRequest(
            "duration", f"{request.duration!r} is not a positive number of seconds"
        )
    if request.fps is not None and request.fps <= 0:
        raise InvalidRequest("fps", f"{request.fps!r} is not a positive frame rate")
    unset = tuple(
        name
        for name, given in (
            ("duration", request.duration),
            ("resolution", request.resolution or request.size),
            ("aspect_ratio", request.aspect_ratio or request.size),
            ("size", request.size or request.resolution or request.aspect_ratio),
        )
        if given is None
    )
    return _Targets(
        unset=unset,
        resolution=resolution or model.default_resolution,
        aspect_ratio=aspect_ratio or model.default_aspect_ratio,
        duration=request.duration if request.duration is not None else model.default_duration,
        fps=request.fps or model.default_fps,
    )


def _variant_distance(variant: Variant, t: _Targets) -> tuple[float, float, float, float, float]:
    # Keep the resolution first, then the aspect ratio, then the duration (docs/design.md §2.5); a
    # duration tie between variants goes to the longer one, as within a variant.
    res = min(_res_distance(r, t.resolution) for r in variant.resolutions)
    ar = min(aspect_distance(a, t.aspect_ratio) for a in variant.aspect_ratios)
    dur = variant.durations.distance(t.duration)
    fps = min((abs(f - t.fps) for f in variant.fps), default=0)
    return (res, ar, round(dur, 9), -variant.durations.nearest(t.duration), fps)


def _res_distance(a: str, b: str) -> float:
    if a.lower() == b.lower():
        return 0.0
    try:
        return abs(math.log(resolution_height(a) / resolution_height(b)))
    except ValueError:
        return math.inf


def _nearest_resolution(options: Sequence[str], target: str) -> str:
    # The label asked for if offered ("2k" over "1440p"); a tie goes to the larger, as durations do.
    return min(
        options,
        key=lambda r: (_res_distance(r, target), r.lower() != target.lower(), -_height_or_zero(r)),
    )


def _height_or_zero(resolution: str) -> int:
    try:
        return resolution_height(resolution)
    except ValueError:
        return 0


def _applied_fps(variant: Variant, model: ModelInfo, target: int) -> int:
    if not variant.fps:
        return model.default_fps
    if not model.fps_settable:
        # The provider renders at its own rate: the model's default if the variant has it.
        return model.default_fps if model.default_fps in variant.fps else variant.fps[0]
    return min(variant.fps, key=lambda f: (abs(f - target), -f))


def _applied_audio(requested: bool | None, model: ModelInfo) -> bool | None:
    if model.audio is Audio.ALWAYS:
        return True
    if model.audio is Audio.NONE:
        return False
    return requested


def _size_to_geometry(
    size: str, spec: ModeSpec, resolution: str | None = None, aspect_ratio: str | None = None
) -> tuple[str, str]:
    try:
        width, height = parse_size(size)
    except ValueError as exc:
        raise InvalidRequest("size", str(exc), allowed=_allowed_sizes(spec)) from None
    # The provider's own sizes first ("1792x1024" is sora's 1024p). Several labels can share one
    # size (a symbolic "adaptive" renders as 16:9): prefer the one the caller also named.
    matches = [
        (r, a)
        for variant in spec.variants
        for r in variant.resolutions
        for a in variant.aspect_ratios
        if _same_size(variant.size_for(r, a), size)
    ]
    for r, a in matches:
        if (resolution is None or r.lower() == resolution.lower()) and (
            aspect_ratio is None or a == aspect_ratio
        ):
            return r, a
    # Then sizes that name only an aspect ratio (Variant.aspect_sizes), at any resolution of
    # their variant: 1280x720 with resolution 1080p is Kling-on-Qiniu's landscape pro.
    aspect_only = [
        (r, a)
        for variant in spec.variants
        for a, sizes in variant.aspect_sizes.items()
        if any(_same_size(s, size) for s in sizes)
        for r in variant.resolutions
    ]
    for r, a in aspect_only:
        if (resolution is None or r.lower() == resolution.lower()) and (
            aspect_ratio is None or a == aspect_ratio
        ):
            return r, a
    if matches or aspect_only:
        return (matches or aspect_only)[0]
    ratio = Fraction(width, height).limit_denominator(32)
    return f"{min(width, height)}p", f"{ratio.numerator}:{ratio.denominator}"


def _is_symbolic(aspect_ratio: str) -> bool:
    try:
        aspect_value(aspect_ratio)
    except ValueError:
        return True
    return False


def _same_size(a: str, b: str) -> bool:
    try:
        return parse_size(a) == parse_size(b)
    except ValueError:
        return False


def _same_resolution(a: str, b: str) -> bool:
    return a.lower() == b.lower() or _res_distance(a, b) == 0.0


def _same_ratio(a: str, b: str) -> bool:
    return a == b or aspect_distance(a, b) < 1e-9


def _declared_resolutions(spec: ModeSpec) -> list[str]:
    return [r for v in spec.variants for r in v.resolutions]


def _valid_resolution(value: str, spec: ModeSpec) -> None:
    """A label that parses and lies on the known scale; anything else has no nearest value."""
    try:
        height = resolution_height(value)
    except ValueError as exc:
        raise InvalidRequest("resolution", str(exc), allowed=_allowed_res(spec)) from None
    if not on_scale(height, _declared_resolutions(spec)):
        raise InvalidRequest(
            "resolution",
            f"{value} is outside every known video resolution ({_scale_text()}), so nothing "
            "offered is near it",
            allowed=_allowed_res(spec),
        )


def _valid_size(size: str, spec: ModeSpec, where: str) -> None:
    """A size is fitted to the nearest offered one only when its short side is on the scale."""
    try:
        width, height = parse_size(size)
    except ValueError as exc:
        raise InvalidRequest("size", str(exc), allowed=_allowed_sizes(spec)) from None
    offered = any(
        _same_size(v.size_for(r, a), size)
        for v in spec.variants
        for r in v.resolutions
        for a in v.aspect_ratios
    )
    if not offered and not on_scale(min(width, height), _declared_resolutions(spec)):
        raise InvalidRequest(
            "size",
            f"{size} is not offered by {where}, and its short side ({min(width, height)} px) is "
            f"outside every known video resolution ({_scale_text()}), so nothing offered is "
            "near it",
            allowed=_allowed_sizes(spec),
        )


def _scale_text() -> str:
    low, high = SCALE
    return f"{low}p to {high}p, that is 8k" if high == 4320 else f"{low}p to {high}p"


def _valid_aspect(value: str, spec: ModeSpec) -> None:
    if any(value == a for v in spec.variants for a in v.aspect_ratios):
        return  # symbolic ratios a model declares ("adaptive") are fine
    try:
        aspect_value(value)
    except ValueError as exc:
        raise InvalidRequest("aspect_ratio", str(exc), allowed=_allowed_ar(spec)) from None


def _why(where: str, requested: str, variant: Variant) -> str:
    return f"{where} does not offer {requested}{_note(variant)}; using the nearest it offers"


def _note(variant: Variant) -> str:
    return f" ({variant.note})" if variant.note else ""


def _allowed_res(spec: ModeSpec) -> str:
    return ", ".join(dict.fromkeys(r for v in spec.variants for r in v.resolutions))


def _allowed_ar(spec: ModeSpec) -> str:
    return ", ".join(dict.fromkeys(a for v in spec.variants for a in v.aspect_ratios))


def _allowed_sizes(spec: ModeSpec) -> str:
    return ", ".join(
        dict.fromkeys(
            v.size_for(r, a) for v in spec.variants for r in v.resolutions for a in v.aspect_ratios
        )
    )


def _plain(x: float) -> float | int:
    return int(x) if float(x).is_integer() else x
