"""Shot lists: a whole production in one file (TOML, or the same structure as JSON).

::

    [defaults]                 # any generate option, plus a style added to every prompt
    provider = "veo"
    duration = 8
    style = "35 mm film, warm evening light, the same red-coated heroine"

    [[shots]]
    id = "harbour"             # unique; names the shot in errors, the board and the manifest
    prompt = "A harbour at dusk, boats rocking"

    [[shots]]
    id = "harbour-long"
    prompt = "The camera keeps drifting over the water"
    continue_from = "harbour"  # extend another shot's result (it runs after that shot)
    extend_to = 22             # chain extensions until the video is this long

Image and video paths are relative to the file. Every error names the shot and the field, and
is raised before anything is planned or sent.
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from .arguments import ASK_FIELDS
from .errors import InvalidRequest
from .validation import FIELD_KINDS, check_ask_types

# Options a shot (or [defaults]) may set: the request's own fields, less those a batch decides.
SHOT_OPTIONS: tuple[str, ...] = tuple(
    name for name in ASK_FIELDS if name not in ("prompt", "output", "continue_from", "timeout")
)
_EXTRA = ("id", "prompt", "style", "continue_from", "extend_to", "output")
_ALIASES = {"image": "first_frame", "last_image": "last_frame", "tail_image": "last_frame"}
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_MEDIA = ("first_frame", "last_frame", "video")


@attrs.frozen(kw_only=True)
class Shot:
    """One request of a batch: the prompt and options, and what it builds on."""

    id: str
    prompt: str
    options: Mapping[str, Any] = attrs.field(factory=dict)
    continue_from: str | None = None  # another shot's id (or, from Python, a job id)
    extend_to: float | None = None  # seconds: chain extensions until the video is this long
    output: str | None = None  # a file; default: the batch's directory / "<id>.mp4"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "prompt": self.prompt,
            "options": {k: _shown(v) for k, v in self.options.items()},
            "continue_from": self.continue_from,
            "extend_to": self.extend_to,
            "output": self.output,
        }


def _shown(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"<{len(value)} bytes>"
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, (list, tuple)):
        return [_shown(v) for v in value]
    return value


def load(path: str | os.PathLike[str]) -> tuple[Shot, ...]:
    """Read and check a shot list (``.json``, else TOML)."""
    file = Path(path)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise InvalidRequest("shot_list", f"cannot read {file}: {exc.strerror or exc}") from None
    try:
        if file.suffix.lower() == ".json":
            data = json.loads(raw.decode("utf-8"))
        else:
            if sys.version_info >= (3, 11):
                import tomllib
            else:  # pragma: no cover
                import tomli as tomllib
            data = tomllib.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        kind = "JSON" if file.suffix.lower() == ".json" else "TOML"
        raise InvalidRequest("shot_list", f"{file} is not valid {kind}: {exc}") from None
    return parse(data, base=file.parent)


def parse(data: Any, *, base: Path | None = None) -> tuple[Shot, ...]:
    """Check a shot list's structure (``{"defaults": {...}, "shots": [{...}, ...]}``)."""
    if not isinstance(data, Mapping):
        raise InvalidRequest("shot_list", "must be a table with [defaults] and [[shots]]")
    unknown = sorted(set(data) - {"defaults", "shots"})
    if unknown:
        raise InvalidRequest("shot_list", f"unknown keys {unknown}", allowed="defaults, shots")
    defaults = data.get("defaults", {})
    if not isinstance(defaults, Mapping):
        raise InvalidRequest("defaults", "must be a table of generate options")
    style = defaults.get("style")
    if style is not None and not isinstance(style, str):
        raise InvalidRequest("defaults.style", "must be text")
    common = _options(
        "defaults", {k: v for k, v in defaults.items() if k != "style"}, base, shot=False
    )
    raw_shots = data.get("shots")
    if not isinstance(raw_shots, Sequence) or isinstance(raw_shots, str) or not raw_shots:
        raise InvalidRequest("shots", "must be a non-empty list of [[shots]] tables")
    shots: list[Shot] = []
    seen: set[str] = set()
    for index, item in enumerate(raw_shots):
        where = f"shots[{index}]"
        if not isinstance(item, Mapping):
            raise InvalidRequest(where, "must be a table with an id and a prompt")
        shot_id = item.get("id")
        if not isinstance(shot_id, str) or not _ID.match(shot_id):
            raise InvalidRequest(
                f"{where}.id",
                f"{shot_id!r} is not a shot id",
                allowed="1–64 letters, digits, '_', '.' or '-', unique in the list",
            )
        where = f"shots.{shot_id}"
        if shot_id in seen:
            raise InvalidRequest(f"{where}.id", "is used by two shots; ids must be unique")
        seen.add(shot_id)
        prompt = item.get("prompt")
        if not isinstance(prompt, str) or not prompt.strip():
            raise InvalidRequest(f"{where}.prompt", "is required: what the shot shows")
        own = _options(where, {k: v for k, v in item.items() if k not in _EXTRA}, base)
        extend_to = item.get("extend_to")
        if extend_to is not None and (
            isinstance(extend_to, bool)
            or not isinstance(extend_to, (int, float))
            or not math.isfinite(extend_to)
            or extend_to <= 0
        ):
            raise InvalidRequest(f"{where}.extend_to", f"{extend_to!r}", allowed="seconds > 0")
        source = item.get("continue_from")
        if source is not None and not isinstance(source, str):
            raise InvalidRequest(f"{where}.continue_from", "must be another shot's id")
        output = item.get("output")
        if output is not None and not isinstance(output, str):
            raise InvalidRequest(f"{where}.output", "must be a file path")
        shots.append(
            Shot(
                id=shot_id,
                prompt=with_style(prompt, style),
                options={**common, **own},
                continue_from=source,
                extend_to=None if extend_to is None else float(extend_to),
                output=str(_relative(base, output)) if output else None,
            )
        )
    check_dependencies(shots)
    return tuple(shots)


def check_dependencies(shots: Sequence[Shot]) -> None:
    """Every ``continue_from`` names an earlier-or-later shot of the list, with no cycle."""
    ids = {shot.id for shot in shots}
    by_id = {shot.id: shot for shot in shots}
    for shot in shots:
        if shot.continue_from is not None and shot.continue_from not in ids:
            raise InvalidRequest(
                f"shots.{shot.id}.continue_from",
                f"{shot.continue_from!r} is not a shot of this list",
                allowed=sorted(ids - {shot.id}),
            )
    for shot in shots:
        chain = [shot.id]
        current = shot
        while current.continue_from is not None:
            if current.continue_from in chain:
                loop = " -> ".join([*chain, current.continue_from])
                raise InvalidRequest(f"shots.{shot.id}.continue_from", f"forms a cycle: {loop}")
            chain.append(current.continue_from)
            current = by_id[current.continue_from]


def with_style(prompt: str, style: str | None) -> str:
    """The shared style anchor, appended to every prompt so the shots look alike."""
    if not style or not style.strip():
        return prompt
    prompt = prompt.rstrip()
    joiner = " " if prompt.endswith((".", "!", "?", "。")) else ". "
    return f"{prompt}{joiner}{style.strip()}"


def _options(
    where: str, raw: Mapping[str, Any], base: Path | None, *, shot: bool = True
) -> dict[str, Any]:
    values = {_ALIASES.get(k, k): v for k, v in raw.items()}
    allowed = SHOT_OPTIONS
    unknown = sorted(k for k in values if k not in allowed)
    if unknown:
        extra = (
            ", ".join(("id", "prompt", "continue_from", "extend_to", "output")) if shot else "style"
        )
        raise InvalidRequest(
            f"{where}.{unknown[0]}",
            "is not a shot option",
            allowed=", ".join(allowed) + ", " + extra,
        )
    for key in _MEDIA:
        if isinstance(values.get(key), str):
            values[key] = _media_path(base, values[key])
    if isinstance(values.get("reference_images"), (list, tuple)):
        values["reference_images"] = [
            _media_path(base, v) if isinstance(v, str) else v for v in values["reference_images"]
        ]
    kinds = {name: FIELD_KINDS[name] for name in values}
    try:
        checked = check_ask_types(values, kinds)
    except InvalidRequest as exc:
        raise InvalidRequest(f"{where}.{exc.field}", exc.reason, allowed=exc.allowed) from None
    return {k: v for k, v in checked.items() if v is not None}


def _media_path(base: Path | None, value: str) -> str:
    if re.match(r"^[a-z][a-z0-9+.-]*:", value, re.IGNORECASE) and not re.match(
        r"^[a-z]:[\\/]", value, re.IGNORECASE
    ):
        return value  # a URL (https:, data:), not a path
    return str(_relative(base, value))


def _relative(base: Path | None, value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() or base is None else base / path
