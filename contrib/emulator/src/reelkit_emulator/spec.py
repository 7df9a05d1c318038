"""Declarative field specs: what a request body may hold, checked by one generic validator.

A fake describes its body as a :class:`Schema` of :class:`Field` rows (type, required,
choices, ranges, lengths, defaults; choices may depend on fields checked earlier, e.g. sizes per
model) plus groups of mutually exclusive fields and fields that need another. :func:`check`
walks the body in field order and, at the first violation, asks the fake's *wording* — a
function ``(Problem) -> ApiError`` — how its service phrases it, so each fake keeps its API's
exact messages while the checking itself lives here once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs

from .errors import ApiError

#: Problem kinds, in the order a body is checked.
KINDS = (
    "unknown",
    "missing",
    "type",
    "choice",
    "range",
    "too_short",
    "too_long",
    "exclusive",
    "requires",
)

Choices = Sequence[Any] | Callable[[Mapping[str, Any]], Sequence[Any]]


def type_name(value: Any) -> str:
    """How a JSON value's type is spoken of: "an integer", "a string", "null", ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a decimal"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


#: JSON type names a field may declare, and the Python values that satisfy each.
_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "any": lambda v: True,
}


def _types(value: str | Iterable[str]) -> tuple[str, ...]:
    names = (value,) if isinstance(value, str) else tuple(value)
    unknown = [n for n in names if n not in _TYPES]
    if unknown:
        raise ValueError(f"unknown field type(s) {unknown}; allowed: {list(_TYPES)}")
    return names


@attrs.frozen
class Field:
    """One body field. ``None`` (absent or JSON null) means "not set" unless ``nullable=False``."""

    name: str
    type: tuple[str, ...] = attrs.field(default=("string",), converter=_types)
    required: bool = False
    #: A blank string counts as missing (for required text such as prompts).
    blank_is_missing: bool = False
    #: Allowed values, or ``(values checked so far) -> allowed values`` (per-model tables).
    choices: Choices | None = None
    #: Inclusive bounds of a number.
    min: float | None = None
    max: float | None = None
    #: Bounds of a string's or an array's length.
    min_len: int | None = None
    max_len: int | None = None
    #: The value when not set, or ``(values checked so far) -> value`` (per-model defaults).
    default: Any = None
    #: Turns the raw value into the checked one first (e.g. digit strings to integers); it
    #: returns ``None`` for a value it cannot convert, which then fails the type check.
    coerce: Callable[[Any], Any] | None = None
    #: JSON null is a value of the wrong type rather than "not set".
    nullable: bool = True


@attrs.frozen
class Problem:
    """The first thing wrong with a body: what the wording functions phrase."""

    kind: str
    field: str
    value: Any = None
    #: The field's spec (``None`` for problems of several fields: unknown, exclusive).
    spec: Field | None = None
    #: unknown: the unexpected names; choice: the allowed values; exclusive/requires: the others.
    names: tuple[Any, ...] = ()
    #: What was checked so far (e.g. the model, for per-model wording); for ``unknown``, which
    #: is checked first, the body as sent.
    values: Mapping[str, Any] = attrs.field(factory=dict)

    @property
    def got(self) -> str:
        return type_name(self.value)


Wording = Callable[[Problem], ApiError]


def _fields(value: Iterable[Field]) -> tuple[Field, ...]:
    return tuple(value)


def _name_set(value: Iterable[str]) -> frozenset[str]:
    return frozenset(value)


@attrs.frozen
class Schema:
    """A body: its fields in the order they are checked, and rules across fields."""

    fields: tuple[Field, ...] = attrs.field(converter=_fields)
    #: Reject names not among ``fields`` (besides ``allow``).
    reject_unknown: bool = True
    #: More names that are allowed but not checked here.
    allow: frozenset[str] = attrs.field(default=frozenset(), converter=_name_set)
    #: Groups of which at most one may be set.
    exclusive: tuple[tuple[str, ...], ...] = ()
    #: ``(a, b)``: ``a`` may only be set together with ``b``.
    requires: tuple[tuple[str, str], ...] = ()
    #: How a name is matched against the fields (e.g. multipart's ``field[key]`` -> ``field``).
    base_name: Callable[[str], str] = attrs.field(default=lambda name: name)

    def names(self) -> frozenset[str]:
        return frozenset(f.name for f in self.fields) | self.allow

    def extend(self, *fields: Field, **changes: Any) -> Schema:
        """This schema with more (or replaced) fields, e.g. one model's own parameters."""
        replaced = {f.name: f for f in fields}
        kept = [replaced.pop(f.name, f) for f in self.fields]
        return attrs.evolve(self, fields=(*kept, *replaced.values()), **changes)


def check(schema: Schema, body: Mapping[str, Any], wording: Wording) -> dict[str, Any]:
    """The body's values (defaults filled in, coerced) or the fake's :class:`ApiError`."""
    if schema.reject_unknown:
        known = schema.names()
        unknown = tuple(n for n in body if schema.base_name(n) not in known)
        if unknown:
            problem = Problem("unknown", unknown[0], body[unknown[0]], names=unknown, values=body)
            raise wording(problem)
    values: dict[str, Any] = {}
    for spec in schema.fields:
        values[spec.name] = _check_field(spec, body, values, wording)
    for group in schema.exclusive:
        present = tuple(n for n in group if values.get(n, body.get(n)) is not None)
        if len(present) > 1:
            raise wording(Problem("exclusive", present[1], names=present, values=values))
    for name, needed in schema.requires:
        if (
            values.get(name, body.get(name)) is not None
            and values.get(needed, body.get(needed)) is None
        ):
            raise wording(
                Problem("requires", name, values.get(name), names=(needed,), values=values)
            )
    return values


def _check_field(
    spec: Field, body: Mapping[str, Any], values: Mapping[str, Any], wording: Wording
) -> Any:
    def fail(kind: str, value: Any, names: tuple[Any, ...] = ()) -> ApiError:
        return wording(Problem(kind, spec.name, value, spec, names, dict(values)))

    present = spec.name in body
    value = body.get(spec.name)
    if value is None and not (present and not spec.nullable):
        if spec.required:
            raise fail("missing", value)
        return spec.default(values) if callable(spec.default) else spec.default
    if spec.coerce is not None:
        converted = spec.coerce(value)
        if converted is None:
            raise fail("type", value)
        value = converted
    if not any(_TYPES[t](value) for t in spec.type):
        raise fail("type", value)
    if spec.blank_is_missing and isinstance(value, str) and not value.strip():
        raise fail("missing", value)
    if spec.choices is not None:
        allowed = spec.choices(values) if callable(spec.choices) else spec.choices
        if value not in allowed:
            raise fail("choice", value, tuple(allowed))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if (spec.min is not None and value < spec.min) or (
            spec.max is not None and value > spec.max
        ):
            raise fail("range", value)
    if isinstance(value, (str, list)):
        if spec.min_len is not None and len(value) < spec.min_len:
            raise fail("too_short", value)
        if spec.max_len is not None and len(value) > spec.max_len:
            raise fail("too_long", value)
    return value


def int_like(value: Any) -> int | None:
    """An integer, or a string of digits as one (APIs that accept ``"8"`` for 8)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def quoted(values: Iterable[Any], conjunction: str = "and") -> str:
    """``'4', '8', and '12'`` (the list style of OpenAI's messages)."""
    items = [f"'{v}'" for v in values]
    if len(items) <= 2:
        return f" {conjunction} ".join(items)
    return ", ".join(items[:-1]) + f", {conjunction} " + items[-1]
