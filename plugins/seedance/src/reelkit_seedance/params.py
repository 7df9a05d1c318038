"""``--param NAME=VALUE`` for Seedance: names and types checked before anything is sent.

Ark validates body params strictly (ref §0.7), so a typo here would cost a round trip and an
opaque ``InvalidParameter``; reelkit names the parameter and what it takes instead. The models
declare these names and types (``capabilities.PARAM_SPECS``), so the core refuses unknown keys
and wrong types first; this module checks ranges and formats, and still takes the string forms
("true", "3600") when called directly.
``ref §n`` cites ``docs/reference/volcengine-kling.md`` section n.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from attrs import frozen

from reelkit.errors import InvalidRequest

from .capabilities import COMMON_PARAMS, EXTRA_PARAMS

_TRUE = ("true", "1", "yes", "on")
_FALSE = ("false", "0", "no", "off")


def _bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
        return value.strip().lower() in _TRUE
    raise InvalidRequest(f"params.{name}", f"{value!r} is not a boolean", allowed="true, false")


def _int_in(low: int, high: int) -> Callable[[str, Any], int]:
    def parse(name: str, value: Any) -> int:
        number: int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
            number = int(value)
        if number is None or not low <= number <= high:
            raise InvalidRequest(
                f"params.{name}",
                f"{value!r} is not accepted",
                allowed=f"an integer from {low} to {high}",
            )
        return number

    return parse


def _url(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.startswith(("https://", "http://")):
        raise InvalidRequest(
            f"params.{name}", f"{value!r} is not an http(s) URL", allowed="http(s) URL"
        )
    return value


def _choice(*options: str) -> Callable[[str, Any], str]:
    def parse(name: str, value: Any) -> str:
        if value not in options:
            raise InvalidRequest(f"params.{name}", f"{value!r} is not accepted", allowed=options)
        return str(value)

    return parse


def _endpoint(name: str, value: Any) -> str:
    # ref §3.1: "An endpoint ID (ep-…) can be used as model".
    if not isinstance(value, str) or not value.startswith("ep-") or len(value) < 4:
        raise InvalidRequest(f"params.{name}", f"{value!r} is not an endpoint id", allowed="ep-...")
    return value


# ref §3.2 top-level fields and output-spec params.
PARSERS: dict[str, Callable[[str, Any], Any]] = {
    "callback_url": _url,
    "return_last_frame": _bool,
    "watermark": _bool,
    "camera_fixed": _bool,
    "draft": _bool,
    "service_tier": _choice("default", "flex"),
    "execution_expires_after": _int_in(3600, 259200),
    "endpoint_id": _endpoint,
}

#: Params that have a first-class reelkit argument instead.
REDIRECTS = {
    "generate_audio": "--audio/--no-audio (audio=True/False)",
    "seed": "--seed",
    "duration": "-d/--duration",
    "resolution": "--resolution",
    "ratio": "--aspect-ratio",
    "model": "-m/--model (or --param endpoint_id=ep-...)",
}


@frozen
class Params:
    callback_url: str | None = None
    return_last_frame: bool | None = None
    watermark: bool | None = None
    camera_fixed: bool | None = None
    draft: bool | None = None
    service_tier: str | None = None
    execution_expires_after: int | None = None
    endpoint_id: str | None = None


def parse_params(model_id: str, params: Mapping[str, Any]) -> Params:
    """Validate ``request.params`` for ``model_id``; raise ``InvalidRequest`` naming the key."""
    allowed = sorted(COMMON_PARAMS | EXTRA_PARAMS.get(model_id, frozenset()))
    values: dict[str, Any] = {}
    for name, value in params.items():
        if name in REDIRECTS:
            raise InvalidRequest(
                f"params.{name}", "set it with its own option", allowed=REDIRECTS[name]
            )
        if name not in allowed:
            known = name in PARSERS
            message = f"{model_id} does not take it" if known else "unknown parameter for seedance"
            raise InvalidRequest(f"params.{name}", message, allowed=allowed)
        if value is None:
            continue
        values[name] = PARSERS[name](name, value)
    return Params(**values)
