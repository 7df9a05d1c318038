"""Type and range checks of a request's raw arguments: pure functions, run before anything is
built, chosen or paid for. Every refusal is an ``InvalidRequest(field, message, allowed=...)``.

The engine calls ONE function with the caller's arguments as given, field name to value::

    values = check_ask_types(raw)  # dict[str, Any], or raises InvalidRequest
    values = check_ask(ask)  # the same for an ``Ask``, with the kinds its fields declare

``check_ask_types(values: Mapping[str, object], kinds: Mapping[str, str] | None = None)
-> dict[str, Any]`` checks each given field by its kind (``kinds`` defaults to ``FIELD_KINDS``,
which mirrors the ``kind`` metadata of ``Ask``'s fields; pass that mapping instead to follow
``Ask`` exactly) and returns the values normalised: ``duration``/``timeout`` as ``float``,
``fps``/``seed`` as ``int``, ``reference_images`` as a tuple, ``params`` as a dict. ``None``
means "not given" and is returned as is (``()`` for a media list, ``{}`` for params), except
for ``prompt``, which must be a str. A key no kind names is refused. Media are only type-checked
here; ``reelkit.media.to_media`` reads and checks their content.

Kinds: ``text`` (a str without NUL characters or unpaired surrogates; may be empty), ``""`` (a
non-empty str: provider, model, aspect_ratio, ...), ``seconds`` (a finite number > 0, not a
bool), ``count`` (an int > 0), ``seed`` (an int, 0 ≤ seed < 2**32), ``flag`` (a bool),
``media`` (str, os.PathLike, bytes, bytearray, memoryview or ``Media``), ``money`` (a budget: a number of USD or "AMOUNT CUR", as a ``Budget``),
``media_list`` (a list
or tuple of media; a single str is refused, not split into characters), ``params`` (a mapping
with str keys) and ``path`` (str or os.PathLike).

Once the model is chosen, ``check_params(model, params) -> dict`` refuses keys the model does
not declare in ``ModelInfo.params`` and values of the wrong type or outside ``choices``. A
prompt's length against ``ModelInfo.max_prompt_chars`` is enforced by ``clamp`` (prompts are
never truncated), so it is not repeated here.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any, cast

import attrs

from .capabilities import ModelInfo, Param
from .errors import InvalidRequest
from .models import Media

__all__ = [
    "FIELD_KINDS",
    "SEED_LIMIT",
    "check_ask",
    "check_ask_types",
    "check_count",
    "check_flag",
    "check_media_input",
    "check_media_list",
    "check_money",
    "check_param",
    "check_params",
    "check_params_mapping",
    "check_path",
    "check_seconds",
    "check_seed",
    "check_string",
    "check_text",
]

SEED_LIMIT = 2**32  # seeds are unsigned 32-bit everywhere (Veo, Seedance, Jimeng); omit for random

FIELD_KINDS: Mapping[str, str] = {
    "prompt": "text",
    "provider": "",
    "model": "",
    "duration": "seconds",
    "aspect_ratio": "",
    "resolution": "",
    "size": "",
    "fps": "count",
    "seed": "seed",
    "negative_prompt": "text",
    "audio": "flag",
    "first_frame": "media",
    "last_frame": "media",
    "reference_images": "media_list",
    "video": "media",
    "continue_from": "",
    "remix_of": "",
    "params": "params",
    "output": "path",
    "strict": "flag",
    "timeout": "seconds",
    "force": "flag",
    "max_cost": "money",
    "allow_unpriced": "flag",
    "cheapest": "flag",
    "webhook_url": "",
    "caller": "",
}
REQUIRED = ("prompt",)
MEDIA = "a local file path, an http(s) URL, a data: URL, bytes or a reelkit.Media"
_BYTES = (bytes, bytearray, memoryview)


def check_ask_types(
    values: Mapping[str, object], kinds: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Every given field checked by its kind and normalised (see the module docstring)."""
    kinds = FIELD_KINDS if kinds is None else kinds
    unknown = [name for name in values if name not in kinds]
    if unknown:
        raise InvalidRequest(unknown[0], "is not a request argument", allowed=sorted(kinds))
    checked: dict[str, Any] = {}
    for name, kind in kinds.items():  # in declaration order: the first problem is reported
        if name not in values:
            continue
        value = values[name]
        if value is None and name not in REQUIRED:
            checked[name] = {"media_list": (), "params": {}}.get(kind)
            continue
        check = _CHECKS.get(kind)
        if check is None:
            raise ValueError(f"field {name!r} has an unknown kind {kind!r}")
        checked[name] = check(name, value)
    return checked


def check_ask(ask: object) -> dict[str, Any]:
    """``check_ask_types`` for an ``Ask`` (any attrs instance: kinds from its fields' ``kind``
    metadata) or for a mapping of raw values (kinds from ``FIELD_KINDS``)."""
    if isinstance(ask, Mapping):
        return check_ask_types(ask)
    if not attrs.has(type(ask)):
        raise TypeError(f"check_ask needs an Ask or a mapping, not {type(ask).__name__}")
    fields = attrs.fields(cast("type[attrs.AttrsInstance]", type(ask)))
    kinds = {f.name: f.metadata.get("kind", FIELD_KINDS.get(f.name, "")) for f in fields}
    return check_ask_types({f.name: getattr(ask, f.name) for f in fields}, kinds)


def check_text(field: str, value: object) -> str:
    """A str that can travel as UTF-8 JSON: no NUL characters, no unpaired surrogates."""
    if not isinstance(value, str):
        raise InvalidRequest(field, f"must be text, not {_type(value)}", allowed="a str")
    if "\x00" in value:
        raise InvalidRequest(
            field,
            f"contains a NUL character (at index {value.index(chr(0))})",
            allowed="text without NUL characters",
        )
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = ord(value[exc.start])
        raise InvalidRequest(
            field,
            f"contains an unpaired surrogate U+{bad:04X} (at index {exc.start}), which is not text",
            allowed="valid Unicode text",
        ) from None
    return value


def check_string(field: str, value: object) -> str:
    """A non-empty str (a name, a ratio, a size, a job id) that is valid text."""
    text = check_text(field, value)
    if not text.strip():
        raise InvalidRequest(field, "is empty", allowed="a non-empty str, or leave it out")
    return text


def check_seconds(field: str, value: object) -> float:
    """A finite number of seconds above zero (an int or a float, not a bool)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidRequest(
            field, f"{_show(value)} is not a number of seconds", allowed="a number above 0"
        )
    seconds = float(value)
    if not (math.isfinite(seconds) and seconds > 0):
        raise InvalidRequest(
            field, f"{_show(value)} is not a positive number of seconds", allowed="a number above 0"
        )
    return seconds


def check_count(field: str, value: object) -> int:
    """A whole number above zero (frames per second), not a bool and not a float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InvalidRequest(
            field, f"{_show(value)} is not a whole number", allowed="an integer above 0"
        )
    if int(value) <= 0:
        raise InvalidRequest(field, f"{int(value)} is not above 0", allowed="an integer above 0")
    return int(value)


def check_seed(field: str, value: object) -> int:
    """An unsigned 32-bit integer, not a bool, not a float, not a string of digits."""
    allowed = f"an integer from 0 to {SEED_LIMIT - 1}"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InvalidRequest(field, f"{_show(value)} is not an integer", allowed=allowed)
    if not 0 <= int(value) < SEED_LIMIT:
        raise InvalidRequest(field, f"{int(value)} is out of range", allowed=allowed)
    return int(value)


def check_flag(field: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise InvalidRequest(field, f"{_show(value)} is not true or false", allowed="a bool")
    return value


def check_media_input(field: str, value: object) -> Any:
    """An image or video input of an accepted type (its content is checked by ``to_media``)."""
    if isinstance(value, str):
        check_string(field, value)
    elif isinstance(value, _BYTES):
        if not len(value):
            raise InvalidRequest(field, "is empty (0 bytes)", allowed=MEDIA)
    elif not isinstance(value, (os.PathLike, Media)):
        raise InvalidRequest(field, f"{_type(value)} is not an image or video", allowed=MEDIA)
    return value


def check_media_list(field: str, value: object) -> tuple[Any, ...]:
    """A list or tuple of media inputs; each is checked as ``field[index]``."""
    single = isinstance(value, (str, os.PathLike, Media, *_BYTES))
    if single or isinstance(value, (Mapping, set, frozenset)) or not isinstance(value, Iterable):
        hint = f"; for one image pass [{_show(value)}]" if single else ""
        raise InvalidRequest(
            field, f"{_type(value)} is not a list of images{hint}", allowed=f"a list of {MEDIA}"
        )
    return tuple(check_media_input(f"{field}[{i}]", item) for i, item in enumerate(value))


def check_params_mapping(field: str, value: object) -> dict[str, Any]:
    """Provider-specific values: a mapping with non-empty str keys (checked per model later)."""
    if not isinstance(value, Mapping):
        raise InvalidRequest(
            field, f"{_type(value)} is not a mapping", allowed="a dict of name: value"
        )
    for key in value:
        if not isinstance(key, str) or not key.strip():
            raise InvalidRequest(field, f"key {key!r} is not a name", allowed="non-empty str keys")
    return dict(value)


def check_path(field: str, value: object) -> Any:
    """A file or directory to write to: a str or an os.PathLike."""
    if isinstance(value, str):
        check_string(field, value)
    elif not isinstance(value, os.PathLike):
        raise InvalidRequest(field, f"{_type(value)} is not a path", allowed="a str or os.PathLike")
    return value


def check_money(field: str, value: object) -> Any:
    """A budget: a number of USD >= 0, or text "AMOUNT CUR" ("30 CNY"); see reelkit.budget."""
    from .budget import Budget

    return Budget.parse(value, field)


_CHECKS: dict[str, Callable[[str, Any], Any]] = {
    "text": check_text,
    "": check_string,
    "seconds": check_seconds,
    "count": check_count,
    "seed": check_seed,
    "flag": check_flag,
    "media": check_media_input,
    "media_list": check_media_list,
    "params": check_params_mapping,
    "path": check_path,
    "money": check_money,
}


# --- params a model declares ---------------------------------------------------------------

_TYPE_WORDS = {
    "str": "a string",
    "int": "an integer",
    "float": "a number",
    "bool": "true or false",
    "list": "a list",
    "dict": "a mapping",
}


def check_params(model: ModelInfo, params: Mapping[str, Any] | None) -> dict[str, Any]:
    """``params`` checked against ``model.params``: no undeclared key, no value of a wrong type."""
    if params is None:
        return {}
    checked = check_params_mapping("params", params)
    declared = {param.name: param for param in model.params}
    for key, value in checked.items():
        param = declared.get(key)
        if param is None:
            raise InvalidRequest(
                f"params.{key}",
                f"{model.id} does not accept {key!r}",
                allowed=sorted(declared) or "no params",
            )
        checked[key] = check_param(param, value)
    return checked


def check_param(param: Param, value: object) -> Any:
    """One value of a declared ``Param``: its type (bools are not numbers) and its choices."""
    field, kind = f"params.{param.name}", param.type
    ok = {
        "str": isinstance(value, str),
        "int": isinstance(value, int) and not isinstance(value, bool),
        "float": isinstance(value, (int, float)) and not isinstance(value, bool),
        "bool": isinstance(value, bool),
        "list": isinstance(value, (list, tuple)),
        "dict": isinstance(value, Mapping),
    }[kind]
    if not ok:
        raise InvalidRequest(
            field, f"{_show(value)} is {_type(value)}", allowed=param.choices or _TYPE_WORDS[kind]
        )
    if kind == "str":
        check_text(field, value)
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidRequest(field, f"{value!r} is not a finite number", allowed="a finite number")
    if param.choices and value not in param.choices:
        raise InvalidRequest(
            field, f"{_show(value)} is not one of the choices", allowed=param.choices
        )
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Mapping):
        return dict(value)
    return value


def _type(value: object) -> str:
    name = type(value).__name__
    return "None" if value is None else f"{'an' if name[0] in 'aeiouAEIOU' else 'a'} {name}"


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
