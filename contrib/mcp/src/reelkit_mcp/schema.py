"""Tool parameters derived from reelkit's one request schema, ``reelkit.arguments.Ask``.

Every ``Ask`` field becomes a keyword parameter of the request tools, typed from its
``metadata["kind"]`` and described by its ``metadata["help"]``: a new request field reaches
the agents without a second list here (a test fails on a field whose kind this module does not
map, and on a field neither mapped nor excluded).

Two fields are left to the operator, never to the agent: ``force`` (pay again for an identical
job: the server never pays twice) and ``allow_unpriced`` (lifting the fail-closed budget is the
operator's ``--allow-unpriced``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from typing import Annotated, Any, TypeVar, Union

import attrs
from pydantic import Field

from reelkit.arguments import Ask

MEDIA = "A local file path, an http(s) URL or a data: URL."

#: Ask fields no agent may set, and why (docs/mcp.md repeats this).
EXCLUDED: dict[str, str] = {
    "force": "the server never pays twice for an identical request",
    "allow_unpriced": "lifting the fail-closed budget is the operator's --allow-unpriced",
    "caller": "who asks is the host application's label (the gateway's key names), not an agent's",
    "webhook_url": "the server sends requests to no address an agent names",
}

#: The Python type of each ``kind`` of Ask field, as the agent sends it (JSON).
KINDS: dict[str, Any] = {
    "": str,
    "text": str,
    "seconds": float,
    "count": int,
    "seed": int,
    "flag": bool,
    "media": str,
    "media_list": list[str],
    "params": dict[str, Any],
    "path": str,
    "money": Union[float, str],
}

#: Extra words for the agent, where the CLI's help assumes a command line.
_NOTES: dict[str, str] = {
    "params": 'Provider-specific values as a JSON object, e.g. {"veo.person_generation": '
    '"allow_adult"}.',
    "output": "A file name or a folder, relative to the server's output directory (or an "
    "absolute path inside it); default: the output directory.",
    "max_cost": "Refuse the job if its estimate exceeds this: a number of USD, or text like "
    "'30 CNY'. The server's own limits apply as well.",
    "timeout": "With wait=true: seconds to wait for the video before returning the job as it "
    "stands (it keeps running; wait_for_job finishes it).",
}


def ask_fields(*, omit: Iterable[str] = ()) -> list[attrs.Attribute[Any]]:
    """The Ask fields an agent may set, minus ``omit``, in declaration order."""
    skip = set(EXCLUDED) | set(omit)
    return [f for f in attrs.fields(Ask) if f.name not in skip]


def python_type(field: attrs.Attribute[Any]) -> Any:
    kind = field.metadata.get("kind", "")
    if kind not in KINDS:
        raise TypeError(
            f"Ask.{field.name} has kind {kind!r}, which reelkit_mcp.schema does not map to a "
            "JSON type; add it to KINDS"
        )
    return KINDS[kind]


def description(field: attrs.Attribute[Any]) -> str:
    text = str(field.metadata.get("help") or "")
    kind = field.metadata.get("kind", "")
    if field.name in _NOTES:
        text = _NOTES[field.name]
    if kind == "media":
        text = f"{text} {MEDIA}"
    elif kind == "media_list":
        text = f"Reference images. Each: {MEDIA[0].lower()}{MEDIA[1:]}"
    return text.strip()


def parameters(*, omit: Iterable[str] = ()) -> list[inspect.Parameter]:
    """Keyword-only parameters, one per Ask field: ``prompt`` required, the rest optional."""
    out = []
    for field in ask_fields(omit=omit):
        kind = python_type(field)
        described = Field(description=description(field))
        if field.name == "prompt":
            annotation: Any = Annotated[str, Field(description=description(field), min_length=1)]
            default: Any = inspect.Parameter.empty
        elif isinstance(field.default, bool):  # strict, cheapest: plain booleans
            annotation, default = Annotated[bool, described], field.default
        else:  # unset means "as reelkit decides": the core's own default
            annotation, default = Annotated[Union[kind, None], described], None
        out.append(
            inspect.Parameter(
                field.name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
            )
        )
    return out


F = TypeVar("F", bound=Callable[..., Any])


def with_parameters(func: F, extra: list[inspect.Parameter]) -> F:
    """Give ``func(ctx, ..., **arguments)`` a signature with ``extra`` in place of ``**arguments``
    (after ``ctx``, before the function's own keyword parameters).

    The SDK builds a tool's input schema from ``inspect.signature`` and finds the ``Context``
    parameter through ``__annotations__``; both are set, so the schema follows ``Ask`` while the
    body receives the values as ``**arguments``.
    """
    # eval_str: a set __signature__ is used as it is, so its annotations must be objects.
    signature = inspect.signature(func, eval_str=True)
    own = [
        p.replace(kind=inspect.Parameter.KEYWORD_ONLY)
        for p in signature.parameters.values()
        if p.kind is not p.VAR_KEYWORD
    ]
    first = [p for p in own if p.name == "ctx"]  # the Context, then the request, then the rest
    rest = [p for p in own if p.name != "ctx"]
    func.__signature__ = signature.replace(parameters=[*first, *extra, *rest])  # type: ignore[attr-defined]
    func.__annotations__ = {
        **{k: v for k, v in func.__annotations__.items() if k != "arguments"},
        **{p.name: p.annotation for p in extra},
    }
    return func


def options(arguments: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The prompt and the ``Client`` keyword arguments of a tool call (unset values dropped)."""
    known = {f.name for f in ask_fields()}
    values = {k: v for k, v in arguments.items() if k in known and v is not None}
    prompt = values.pop("prompt")
    if "reference_images" in values:
        values["reference_images"] = tuple(values["reference_images"])
    return prompt, values
