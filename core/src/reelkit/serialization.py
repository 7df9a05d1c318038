"""The core's cattrs converter: records to JSON-ready data and back (journal, ``--json``).

Serialisation stays out of the domain classes. Bytes travel as base64, datetimes as ISO-8601,
and poll outcomes as a tagged union (``{"type": "Succeeded", ...}``), never guessed from shape.
"""

from __future__ import annotations

import base64
import types
import typing
from datetime import datetime
from typing import Any

import cattrs
from cattrs.strategies import configure_tagged_union

from .capabilities import Choices, Range
from .models import Failed, Queued, Running, Succeeded

converter = cattrs.Converter(omit_if_default=True)

converter.register_unstructure_hook(bytes, lambda b: base64.b64encode(b).decode("ascii"))
converter.register_structure_hook(bytes, lambda v, _: base64.b64decode(v))
_SCALARS = (str, int, float, bool, type(None))


def _scalar_union(t: Any) -> bool:
    args = typing.get_args(t)
    return typing.get_origin(t) in (typing.Union, types.UnionType) and all(
        a in _SCALARS for a in args
    )


# ``code: str | int | None`` and the like: JSON scalars pass through as they are.
converter.register_structure_hook_func(_scalar_union, lambda v, _: v)
converter.register_unstructure_hook(datetime, lambda d: d.isoformat())
converter.register_structure_hook(datetime, lambda v, _: datetime.fromisoformat(v))
configure_tagged_union(Queued | Running | Succeeded | Failed, converter)
configure_tagged_union(Range | Choices, converter)


def unstructure(value: Any) -> Any:
    return converter.unstructure(value)


def structure(data: Any, cls: Any) -> Any:
    return converter.structure(data, cls)
