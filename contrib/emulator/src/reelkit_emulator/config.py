"""Emulator settings: one frozen record shared by the app, the CLI verb and the pytest fixture."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import attrs

#: Every fault the emulator can inject (``--faults``).
FAULT_KINDS: tuple[str, ...] = ("429", "500", "reset", "slow", "malformed", "moderation", "expired")

#: The faults drawn when ``fault_rate`` is set and ``faults`` is not.
DEFAULT_FAULTS: tuple[str, ...] = ("429", "500", "reset", "slow", "malformed")


def parse_faults(value: str | Iterable[str]) -> tuple[str, ...]:
    """``"429,500,reset"`` (or an iterable) -> ``("429", "500", "reset")``, validated."""
    items = value.split(",") if isinstance(value, str) else list(value)
    kinds = tuple(dict.fromkeys(k.strip().lower() for k in items if k.strip()))
    unknown = [k for k in kinds if k not in FAULT_KINDS]
    if unknown:
        raise ValueError(
            f"unknown fault(s) {', '.join(unknown)}; allowed: {', '.join(FAULT_KINDS)}"
        )
    return kinds


def _check_rate(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name} must lie in [0, 1], got {value}")


def _check_faults(
    _: object, attribute: attrs.Attribute[tuple[str, ...]], value: tuple[str, ...]
) -> None:
    parse_faults(value)


def _names(value: Iterable[str] | None) -> tuple[str, ...] | None:
    return None if value is None else tuple(value)


@attrs.frozen(kw_only=True)
class EmulatorConfig:
    """How the emulator behaves. Every field has a test-friendly default."""

    #: A task is terminal at this poll (1 = the first poll already answers "succeeded").
    polls_to_complete: int = attrs.field(default=3, validator=attrs.validators.ge(0))
    #: The first ``queued_polls`` polls still answer "queued"; later ones "running" with progress.
    queued_polls: int = attrs.field(default=1, validator=attrs.validators.ge(0))
    #: Probability that a request gets one of ``faults`` instead of its normal answer.
    fault_rate: float = attrs.field(default=0.0, validator=_check_rate)
    faults: tuple[str, ...] = attrs.field(
        default=DEFAULT_FAULTS, converter=parse_faults, validator=_check_faults
    )
    #: Seeds the fault RNG (one stream per provider, so providers do not disturb each other).
    seed: int = 0
    #: How long a "slow" fault delays the answer.
    slow_seconds: float = 1.0
    #: Seconds after a submit asking for a callback (Seedance's ``callback_url``) that the task
    #: finishes on its own and is POSTed there, as the real service does when it is done.
    callback_after_s: float = attrs.field(default=0.5, validator=attrs.validators.ge(0))
    #: The ``Retry-After`` seconds a 429 fault carries.
    retry_after: int = 1
    #: Server poll hint (ms) for fakes whose service sends one (sora's ``openai-poll-after-ms``).
    poll_hint_ms: int = 250
    #: Frame rate of the served MP4s. Low keeps renders fast; ``None`` uses each provider's own
    #: output rate (24 fps for most). Duration and frame size always match the request.
    video_fps: int | None = 8
    #: Overrides every provider's result-URL lifetime (seconds); ``None`` keeps the real ones.
    url_ttl: float | None = None
    #: Where rendered MP4s are cached; ``None`` = ``$XDG_CACHE_HOME/reelkit-emulator``.
    cache_dir: Path | None = attrs.field(default=None, converter=attrs.converters.optional(Path))
    #: Serve only these providers (names); ``None`` = every installed fake.
    providers: tuple[str, ...] | None = attrs.field(default=None, converter=_names)
    #: Key that signs result URLs (they carry an expiry and a token, like real CDN links).
    secret: str = "reelkit-emulator"

    def resolved_cache_dir(self) -> Path:
        if self.cache_dir is not None:
            return self.cache_dir
        import os

        root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return Path(root) / "reelkit-emulator"
