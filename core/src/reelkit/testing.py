"""The contract suite for provider plugins, as a pytest plugin (``-p reelkit.testing``, automatic).

A plugin author gets registration sanity, a translate for every declared mode, the Hypothesis
clamping properties over their models and an import-cost check by subclassing one class::

    from reelkit.testing import ProviderContract

    class TestContract(ProviderContract):
        plugin = "reelkit_myprovider"       # the module your entry point names

First-party plugins use it exactly this way. The clamping properties are plain functions too
(``check_clamp_properties``), so the core's own tests run them over every model of every
installed plugin found through entry points.
"""

from __future__ import annotations

import importlib
import math
import struct
import subprocess
import sys
import zlib
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any, ClassVar

import attrs

from .capabilities import (
    Audio,
    Mode,
    ModelInfo,
    ModeSpec,
    ProviderInfo,
    Variant,
    aspect_distance,
    parse_size,
    resolution_height,
)
from .clamping import clamp
from .errors import InvalidRequest
from .models import Credentials, Media, SourceJob, VideoRequest

try:  # pytest and hypothesis are test-time dependencies only
    import pytest
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - imported outside a test run
    pytest = None  # type: ignore[assignment]

#: Modules a provider plugin must not import at import time.
HEAVY_MODULES = (
    "av",
    "numpy",
    "PIL",
    "click",
    "rich",
    "openai",
    "google.genai",
    "volcengine",
    "litellm",
)


# --- media for tests ---------------------------------------------------------------------------


def assert_video(result: Any) -> None:
    """A finished ``Result``: downloaded, with a file on disk that is an MP4 (``ftyp`` box)."""
    from pathlib import Path

    assert result.status == "downloaded", result
    assert result.path is not None, result
    assert Path(result.path).read_bytes()[4:8] == b"ftyp", result.path


def png_bytes(
    width: int = 64, height: int = 64, rgb: tuple[int, int, int] = (200, 80, 40)
) -> bytes:
    """A valid PNG of a flat colour, made without an imaging library."""
    row = b"\x00" + bytes(rgb) * width
    raw = row * height

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def sample_image(model: ModelInfo, size: str | None = None) -> Media:
    """An image the model can take: bytes if it accepts them (sized to ``size`` if it must match)."""
    limits = model.images
    if {"base64", "upload"} & set(limits.transports):
        width, height = parse_size(size) if (size and limits.must_match_size) else (64, 64)
        if limits.min_side:
            scale = (
                math.ceil(limits.min_side / min(width, height))
                if min(width, height) < limits.min_side
                else 1
            )
            width, height = width * scale, height * scale
        fmt = "png" if "png" in limits.formats else limits.formats[0]
        data = png_bytes(width, height)
        return Media(data=data, mime_type=f"image/{fmt}", width=width, height=height)
    return Media(url="https://example.com/frame.png", mime_type="image/png")  # remote: size unknown


def sample_source(model: ModelInfo) -> SourceJob:
    later = datetime.now(timezone.utc) + timedelta(days=1)
    return SourceJob(
        task_id="task_source_123",
        job_id="rk_source",
        model=model.id,
        video_url="https://example.com/source.mp4",
        expires_at=later,
        duration=model.default_duration,
        data={},
    )


def request_for(model: ModelInfo, spec: ModeSpec, **values: Any) -> VideoRequest:
    """A minimal request that asks for ``spec.mode``."""
    variant = spec.variants[0]
    size = variant.size_for(variant.resolutions[0], variant.aspect_ratios[0])
    image = sample_image(model, size)
    inputs: dict[str, Any] = {}
    mode = spec.mode
    if mode in (Mode.I2V, Mode.FIRST_LAST):
        inputs["first_frame"] = image
    if mode is Mode.FIRST_LAST:
        inputs["last_frame"] = image
    if mode is Mode.REFERENCE:
        inputs["reference_images"] = (sample_image(model),) * max(1, spec.min_reference_images)
    if mode is Mode.EXTEND:
        inputs["continue_from"] = sample_source(model)
    if mode is Mode.REMIX:
        inputs["remix_of"] = sample_source(model)
    if mode is Mode.EDIT:
        inputs["video"] = Media(url="https://example.com/source.mp4", mime_type="video/mp4")
    if model.images.must_match_size and "first_frame" in inputs:
        inputs.setdefault("size", size)
    return VideoRequest(prompt="A lighthouse in a storm, cinematic", **{**inputs, **values})


# --- the clamping properties ----------------------------------------------------------------


def within(applied: VideoRequest, model: ModelInfo) -> Variant:
    """Assert ``applied`` lies inside the model's capabilities; return the variant it fits."""
    assert applied.mode is not None
    spec = model.mode(applied.mode)
    assert spec is not None, f"{model.id}: applied mode {applied.mode} is not offered"
    fits = [v for v in spec.variants if _fits(applied, v, model)]
    assert fits, f"{model.id}: {applied} fits no variant of {spec.mode.value}"
    assert applied.seed is None or model.supports_seed
    assert applied.negative_prompt is None or model.supports_negative_prompt
    if model.audio is Audio.ALWAYS:
        assert applied.audio is True
    if model.audio is Audio.NONE:
        assert applied.audio is False
    assert len(applied.reference_images) <= max(spec.max_reference_images, 0)
    return fits[0]


def _fits(r: VideoRequest, v: Variant, model: ModelInfo) -> bool:
    return (
        r.resolution in v.resolutions
        and r.aspect_ratio in v.aspect_ratios
        and r.duration is not None
        and v.durations.contains(r.duration)
        and (r.fps in v.fps if v.fps else r.fps == model.default_fps)
        and r.size == v.size_for(r.resolution or "", r.aspect_ratio or "")
    )


_COMPARED = (
    "resolution",
    "aspect_ratio",
    "size",
    "duration",
    "fps",
    "seed",
    "negative_prompt",
    "audio",
)


def changed_fields(requested: VideoRequest, applied: VideoRequest) -> set[str]:
    changed = set()
    for name in _COMPARED:
        asked = getattr(requested, name)
        if asked is None:
            continue
        if name in ("resolution", "aspect_ratio") and requested.size is not None:
            continue  # a size decides both; its own adjustment covers them
        got = getattr(applied, name)
        if name == "size":
            same = parse_size(asked) == parse_size(got)
        elif name == "duration":
            same = math.isclose(asked, got)
        elif name == "resolution":  # "2160p" is "4k": normalised, not adjusted
            height = _height(asked)
            same = asked.lower() == got.lower() or (height is not None and height == _height(got))
        elif name == "aspect_ratio":  # "7:3" is "21:9": normalised, not adjusted
            same = asked == got or aspect_distance(asked, got) < 1e-9
        else:
            same = asked == got
        if not same:
            changed.add(name)
    if len(applied.reference_images) != len(requested.reference_images):
        changed.add("reference_images")
    return changed


def _height(resolution: str) -> int | None:
    try:
        return resolution_height(resolution)
    except ValueError:
        return None


def check_clamp_properties(model: ModelInfo, request: VideoRequest) -> None:
    """The clamping properties of docs/design.md §2.5 for one request.

    Inside, idempotent, one adjustment per change.
    """
    try:
        applied, adjustments = clamp(request, model)
    except InvalidRequest:
        return  # a typed refusal (e.g. a symbolic ratio typo) is allowed; silence is not
    within(applied, model)
    fields = [a.field for a in adjustments]
    assert len(fields) == len(set(fields)), f"duplicate adjustments: {fields}"
    assert set(fields) == changed_fields(request, applied), (fields, request, applied)
    again, more = clamp(applied, model)
    assert more == [], f"not idempotent: {more}"
    assert again == applied
    refused: InvalidRequest | None = None
    try:
        clamp(request, model, strict=True)
    except InvalidRequest as exc:
        refused = exc
    assert (refused is not None) == bool(adjustments), (
        f"strict mode disagrees: {refused} vs {adjustments}"
    )


def check_valid_unchanged(model: ModelInfo, spec: ModeSpec, variant: Variant, pick: Any) -> None:
    resolution = pick(variant.resolutions)
    aspect_ratio = pick(variant.aspect_ratios)
    base = variant.durations
    duration = base.nearest(pick(_duration_pool(base)))
    fps = pick(variant.fps) if (variant.fps and model.fps_settable) else None
    request = request_for(
        model, spec, resolution=resolution, aspect_ratio=aspect_ratio, duration=duration, fps=fps
    )
    if model.images.must_match_size:
        request = attrs.evolve(request, size=None)
        if request.first_frame is not None:
            size = variant.size_for(resolution, aspect_ratio)
            request = attrs.evolve(request, first_frame=sample_image(model, size))
    applied, adjustments = clamp(request, model)
    assert adjustments == [], f"a valid request was adjusted: {adjustments}"
    assert (applied.resolution, applied.aspect_ratio, applied.duration) == (
        resolution,
        aspect_ratio,
        duration,
    )


def priced_variants(model: ModelInfo) -> Iterator[VideoRequest]:
    """One applied request per priced choice the model advertises: every mode, variant,
    resolution and audio choice, with each declared ``params`` choice a price table names."""
    audio_choices = {Audio.NONE: (None,), Audio.ALWAYS: (True,), Audio.OPTIONAL: (True, False)}
    named = {k for r in (model.price.rates if model.price else ()) for k in r.params}
    tiers: list[dict[str, Any]] = [{}]
    for param in model.params:
        if param.name in named and param.choices:
            tiers += [{param.name: choice} for choice in param.choices]
    for spec in model.modes:
        for variant in spec.variants:
            for resolution in variant.resolutions:
                for audio in audio_choices[model.audio]:
                    for params in tiers:
                        request = request_for(
                            model,
                            spec,
                            resolution=resolution,
                            aspect_ratio=variant.aspect_ratios[0],
                            duration=variant.durations.lowest,
                            audio=audio,
                            params=params,
                        )
                        try:
                            applied, _ = clamp(request, model)
                        except InvalidRequest:
                            continue  # a combination the model refuses costs nothing
                        yield applied


def check_priced(model: ModelInfo) -> None:
    """Every advertised variant has a price or says it is unknown, never an accidental gap:
    with a ``Pricing``, some primary-unit rate (per second, request or token) matches each
    one (``amount=None`` saying "unpublished" counts), and every estimate is finite, >= 0."""
    from .models import Plan
    from .pricing import PRIMARY_UNITS, estimate

    if model.price is None:
        return  # unknown for every variant, explicitly
    for applied in priced_variants(model):
        plan = Plan(
            provider="contract",
            model=model.id,
            mode=applied.mode or Mode.T2V,
            request=applied,
            adjustments=(),
        )
        matched = [r for r in model.price.rates if r.unit in PRIMARY_UNITS and r.matches(plan)]
        assert matched, (
            f"{model.id}: no rate prices {plan.mode.value} at {applied.resolution}"
            f" audio={applied.audio} params={dict(applied.params)}; add one (amount=None if"
            " unpublished)"
        )
        cost = estimate(model.price, plan)
        if cost.estimated is not None:
            assert math.isfinite(cost.estimated) and cost.estimated >= 0, cost


#: The output settings a request names that every plugin must carry or report.
CARRIED = ("duration", "resolution", "aspect_ratio")


def wire_scalars(request: Any) -> set[str]:
    """Every scalar a translated request carries (JSON body, form fields, query), lowercased."""
    import json as _json

    found: set[str] = {v.lower() for _, v in request.url.params.multi_items()}

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item)
        elif value is not None:
            found.add(str(value).lower())

    request.read()
    try:
        walk(_json.loads(request.content))
    except ValueError:  # multipart or text: its words
        text = request.content.decode("utf-8", "replace").lower()
        found.update(text.replace('"', " ").split())
    return found


def carried_by_default(setting: str, applied: VideoRequest, spec: ModeSpec, sent: set[str]) -> bool:
    """Whether ``sent`` shows ``setting``: its value; for the geometry, the pixel size (as
    ``WxH``, ``W*H`` or its two sides); for a duration, its seconds. A setting of which the mode
    offers one value needs no field."""
    value = getattr(applied, setting)
    if setting == "duration":
        seconds = float(value or 0)
        return bool({str(int(seconds)), f"{seconds:g}", str(seconds), f"{int(seconds)}s"} & sent)
    offered = {
        x
        for v in spec.variants
        for x in (v.resolutions if setting == "resolution" else v.aspect_ratios)
    }
    size = str(applied.size or "").lower()
    sides = set(size.split("x")) if "x" in size else set()
    shown = {str(value).lower(), size, size.replace("x", "*")}
    return len(offered) == 1 or bool(shown & sent) or (bool(sides) and sides <= sent)


def check_carried_or_reported(
    host: Any,
    provider: ProviderInfo,
    model: ModelInfo,
    config: Any,
    *,
    carried: Any = carried_by_default,
    values: dict[str, Any] | None = None,
) -> int:
    """For every mode and variant of ``model``: ask for a duration, resolution and aspect ratio
    the variant offers (so clamping changes nothing), translate, and check that each is on the
    wire (``carried``) or reported: an adjustment of clamping's, or ``reelkit.wire.not_sent``
    from translate. A value equal to the source job's own (a remix, an extension) needs
    neither. Returns how many requests were checked."""
    from . import wire

    checked = 0
    for spec in model.modes:
        for variant in spec.variants:
            resolution, ratio = variant.resolutions[-1], variant.aspect_ratios[-1]
            size = variant.size_for(resolution, ratio)
            request = request_for(
                model,
                spec,
                duration=variant.durations.lowest,
                resolution=resolution,
                aspect_ratio=ratio,
                **(values or {}),
            )
            if request.first_frame is not None and model.images.must_match_size:
                request = attrs.evolve(request, first_frame=sample_image(model, size), size=size)
            applied, adjustments = clamp(request, model)
            if applied.mode is not spec.mode:
                continue  # another mode won: covered by its own turn
            http = host.call(
                provider.name, "reelkit_translate", model=model, request=applied, config=config
            )
            reported = {a.field for a in adjustments} | {
                a.field for a in wire.reported_not_sent(http)
            }
            sent = wire_scalars(http)
            source = applied.continue_from or applied.remix_of
            for setting in CARRIED:
                if setting in reported:
                    continue
                if source is not None and getattr(source, setting, None) == getattr(
                    applied, setting
                ):
                    continue
                assert carried(setting, applied, spec, sent), (
                    f"{provider.name}/{model.id} {spec.mode.value}: {setting}="
                    f"{getattr(applied, setting)!r} is neither sent nor reported (sent: "
                    f"{sorted(sent)[:40]})"
                )
            checked += 1
    return checked


def _duration_pool(durations: Any) -> list[float]:
    if hasattr(durations, "values"):
        return list(durations.values)
    return [durations.min, durations.max, (durations.min + durations.max) / 2]


def check_monotonic(model: ModelInfo, spec: ModeSpec, d1: float, d2: float, **values: Any) -> None:
    low, high = sorted((d1, d2))
    a, _ = clamp(request_for(model, spec, duration=low, **values), model)
    b, _ = clamp(request_for(model, spec, duration=high, **values), model)
    if (a.resolution, a.aspect_ratio) == (b.resolution, b.aspect_ratio):
        assert a.duration is not None and b.duration is not None
        assert a.duration <= b.duration + 1e-9, f"{low}->{a.duration} but {high}->{b.duration}"


if pytest is not None:
    RESOLUTIONS = ["360p", "480p", "540p", "720p", "1080p", "1440p", "2k", "4k", "1024p"]
    RATIOS = ["16:9", "9:16", "1:1", "4:3", "3:4", "21:9", "9:21", "3:2", "2:3", "adaptive"]

    @st.composite
    def requests(draw: Any, model: ModelInfo, spec: ModeSpec) -> VideoRequest:
        """Any request for ``spec.mode``: in range, out of range, unsupported or absent values."""
        base = request_for(model, spec)
        declared_res = sorted({r for v in spec.variants for r in v.resolutions})
        declared_ar = sorted({a for v in spec.variants for a in v.aspect_ratios})
        sizes = sorted(
            {
                v.size_for(r, a)
                for v in spec.variants
                for r in v.resolutions
                for a in v.aspect_ratios
            }
        )
        values: dict[str, Any] = {
            "duration": draw(
                st.one_of(st.none(), st.floats(min_value=0.1, max_value=120, allow_nan=False))
            ),
            "resolution": draw(st.one_of(st.none(), st.sampled_from(RESOLUTIONS + declared_res))),
            "aspect_ratio": draw(st.one_of(st.none(), st.sampled_from(RATIOS[:-1] + declared_ar))),
            "fps": draw(st.one_of(st.none(), st.integers(min_value=1, max_value=120))),
            "seed": draw(st.one_of(st.none(), st.integers(min_value=0, max_value=2**31 - 1))),
            "negative_prompt": draw(st.one_of(st.none(), st.just("blurry"))),
            "audio": draw(st.one_of(st.none(), st.booleans())),
        }
        if base.reference_images:
            values["reference_images"] = base.reference_images * draw(
                st.integers(min_value=1, max_value=6)
            )
        if draw(st.booleans()):
            values.update(size=draw(st.sampled_from(sizes)), resolution=None, aspect_ratio=None)
        return attrs.evolve(base, **values)

    def model_modes(models: list[ModelInfo]) -> Iterator[tuple[ModelInfo, ModeSpec]]:
        for model in models:
            for spec in model.modes:
                yield model, spec

    class ProviderContract:
        """Subclass in a plugin's tests and set ``plugin`` (the entry point's module)."""

        plugin: str = ""
        #: Extra request values per (model id, mode) when a mode needs them, e.g. params.
        mode_values: ClassVar[dict[tuple[str, str], dict[str, Any]]] = {}
        #: Provider options (its reelkit.toml section) under which every declared mode works,
        #: for a mode a deployment switches on (new-api's ``remix = true``).
        options: ClassVar[dict[str, Any]] = {}

        def _registered(self) -> list[tuple[ProviderInfo, list[ModelInfo]]]:
            module = importlib.import_module(self.plugin)
            found: list[tuple[ProviderInfo, list[ModelInfo]]] = []
            module.reelkit_register_providers(
                register=lambda provider, models: found.append((provider, list(models)))
            )
            return found

        def _host(self) -> Any:
            from .plugins import PluginHost

            return PluginHost(plugins=[importlib.import_module(self.plugin)], entry_points=False)

        def test_registration_is_sane(self) -> None:
            found = self._registered()
            assert found, f"{self.plugin} registers no provider"
            for provider, models in found:
                ids = [n for m in models for n in m.names()]
                assert len(ids) == len(set(ids)), f"{provider.name}: duplicate model names {ids}"
                assert provider.default_model in ids, (
                    f"{provider.name}: default model not registered"
                )
                assert provider.name == provider.name.lower() and provider.name.isidentifier()
                for model in models:
                    assert model.modes, f"{model.id} declares no mode"
                    for spec in model.modes:
                        assert spec.variants, f"{model.id}/{spec.mode} has no variant"
                        if spec.mode is Mode.REFERENCE:
                            assert spec.max_reference_images >= 1
                    applied, _ = clamp(request_for(model, model.modes[0]), model)
                    within(applied, model)

        def _config(self, provider: ProviderInfo) -> Any:
            """A config the contract translates under: the provider's own URL (or a gateway's
            stand-in), never a real state directory."""
            from .models import ProviderConfig

            return ProviderConfig(
                name=provider.name,
                base_url=provider.base_url or "https://gateway.example.com",
                poll_interval_s=provider.poll_interval_s,
                timeout_s=provider.timeout_s,
                options={"state_dir": "/nonexistent/reelkit-contract", **self.options},
            )

        def test_translate_every_mode(self) -> None:
            host = self._host()
            for provider, models in self._registered():
                config = self._config(provider)
                for model, spec in model_modes(models):
                    values = self.mode_values.get((model.id, spec.mode.value), {})
                    applied, _ = clamp(request_for(model, spec, **values), model)
                    request = host.call(
                        provider.name,
                        "reelkit_translate",
                        model=model,
                        request=applied,
                        config=config,
                    )
                    assert request is not None, (
                        f"{provider.name}/{model.id}: no translation for {spec.mode.value}"
                    )
                    assert request.method in ("POST", "PUT", "GET")
                    names = provider.credential_env[0] if provider.credential_env else ()
                    auth = host.call(
                        provider.name,
                        "reelkit_auth",
                        credentials=Credentials(dict.fromkeys(names, "test-secret-value")),
                        config=config,
                    )
                    if auth is not None:
                        request.extensions["reelkit_preview"] = True  # reelkit.wire.PREVIEW
                        signed = next(auth.sync_auth_flow(request))
                        assert "test-secret-value" not in repr(auth)
                        assert signed is not None

        @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
        @given(data=st.data())
        def test_clamp_properties(self, data: Any) -> None:
            models = [m for _, ms in self._registered() for m in ms]
            model, spec = data.draw(st.sampled_from(list(model_modes(models))))
            check_clamp_properties(model, data.draw(requests(model, spec)))

        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
        @given(data=st.data())
        def test_valid_requests_pass_unchanged(self, data: Any) -> None:
            models = [m for _, ms in self._registered() for m in ms]
            model, spec = data.draw(st.sampled_from(list(model_modes(models))))
            variant = data.draw(st.sampled_from(spec.variants))
            check_valid_unchanged(
                model, spec, variant, lambda xs: data.draw(st.sampled_from(list(xs)))
            )

        def carried(
            self, setting: str, applied: VideoRequest, spec: ModeSpec, sent: set[str]
        ) -> bool:
            """Whether the wire carries ``setting``; override for a dialect that encodes it
            otherwise (a frame count for seconds, a mode key for the resolution)."""
            return carried_by_default(setting, applied, spec, sent)

        def test_requested_settings_are_sent_or_reported(self) -> None:
            """Clamped, never silently: every duration, resolution and aspect ratio asked for
            is on the wire or reported as an adjustment naming it."""
            host = self._host()
            for provider, models in self._registered():
                config = self._config(provider)
                for model in models:
                    for spec in model.modes:
                        values = self.mode_values.get((model.id, spec.mode.value), {})
                        check_carried_or_reported(
                            host,
                            provider,
                            attrs.evolve(model, modes=(spec,)),
                            config,
                            carried=self.carried,
                            values=values,
                        )

        def test_every_variant_is_priced_or_unknown(self) -> None:
            for _, models in self._registered():
                for model in models:
                    check_priced(model)

        def test_import_is_light(self) -> None:
            code = (
                f"import sys, {self.plugin}; heavy = {HEAVY_MODULES!r}; "
                "print(','.join(m for m in heavy if m in sys.modules))"
            )
            out = subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            )
            assert out.stdout.strip() == "", f"import {self.plugin} pulls in {out.stdout.strip()}"

else:  # pragma: no cover

    class ProviderContract:  # type: ignore[no-redef]
        """Needs pytest and hypothesis."""


__all__ = [
    "HEAVY_MODULES",
    "ProviderContract",
    "assert_video",
    "check_carried_or_reported",
    "check_clamp_properties",
    "check_monotonic",
    "check_priced",
    "check_valid_unchanged",
    "png_bytes",
    "priced_variants",
    "request_for",
    "sample_image",
    "within",
]
