"""The caller's arguments, declared once.

``Ask`` is the one schema of a request's arguments: ``Client``'s keyword arguments (the
``Options`` TypedDict mirrors it, and a test keeps the two equal), the type checks of
``reelkit.validation`` and the CLI's flags (``metadata["cli"]``) all follow from it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:  # kept light: the CLI builds its flags from this module
    from .budget import Budget
    from .media import MediaInput


def _arg(default: Any = None, *, help: str = "", cli: tuple[str, ...] = (), kind: str = "") -> Any:
    return attrs.field(default=default, metadata={"help": help, "cli": cli, "kind": kind})


@attrs.frozen(kw_only=True)
class Ask:
    """The caller's arguments, as given (docs/design.md §1.3)."""

    prompt: str = attrs.field(metadata={"help": "What the video shows.", "kind": "text"})
    provider: str | None = _arg(
        help="Provider name or alias (default: auto-select).", cli=("-p", "--provider")
    )
    model: str | None = _arg(
        help="Model id or alias (default: the provider's).", cli=("-m", "--model")
    )
    duration: float | None = _arg(help="Seconds.", cli=("-d", "--duration"), kind="seconds")
    aspect_ratio: str | None = _arg(help="e.g. 16:9, 9:16, 1:1.", cli=("--aspect-ratio",))
    resolution: str | None = _arg(help="e.g. 480p, 720p, 1080p, 4k.", cli=("--resolution",))
    size: str | None = _arg(help="WIDTHxHEIGHT, e.g. 1280x720.", cli=("--size",))
    fps: int | None = _arg(help="Frames per second.", cli=("--fps",), kind="count")
    seed: int | None = _arg(
        help="Random seed (where the model takes one).", cli=("--seed",), kind="seed"
    )
    negative_prompt: str | None = _arg(
        help="What to avoid.", cli=("--negative-prompt",), kind="text"
    )
    audio: bool | None = _arg(
        help="Ask for sound (where the model lets you choose).",
        cli=("--audio/--no-audio",),
        kind="flag",
    )
    first_frame: MediaInput | None = _arg(help="First frame.", cli=("--image",), kind="media")
    last_frame: MediaInput | None = _arg(
        help="Last frame.", cli=("--last-image", "--tail-image"), kind="media"
    )
    reference_images: Sequence[MediaInput] = _arg(
        (), help="Reference image (repeatable).", cli=("--reference-image",), kind="media_list"
    )
    video: MediaInput | None = _arg(help="Source video to edit.", cli=("--video",), kind="media")
    continue_from: str | None = _arg(
        help="Extend an earlier job's video.", cli=("--continue-from",)
    )
    remix_of: str | None = _arg(help="Remix an earlier job.", cli=("--remix",))
    params: Mapping[str, Any] = attrs.field(
        factory=dict,
        metadata={
            "help": "Provider-specific value (KEY=VALUE, repeatable).",
            "cli": ("--param",),
            "kind": "params",
        },
    )
    output: str | os.PathLike[str] | None = _arg(
        help="File, or directory to put it in (default ./videos/).", kind="path"
    )
    strict: bool = _arg(
        False, help="Refuse to adjust values: error instead.", cli=("--strict",), kind="flag"
    )
    timeout: float | None = _arg(help="Overall wait deadline in seconds.", kind="seconds")
    force: bool = _arg(
        False, help="Submit even if an identical earlier job could be reused.", kind="flag"
    )
    max_cost: float | str | Budget | None = _arg(
        help="Refuse the job if its estimate exceeds this (USD, or e.g. '30 CNY'); "
        "default $REELKIT_MAX_COST.",
        cli=("--max-cost",),
        kind="money",
    )
    allow_unpriced: bool = _arg(
        False,
        help="With a budget set, allow a job whose price is unknown.",
        cli=("--allow-unpriced",),
        kind="flag",
    )
    cheapest: bool = _arg(
        False,
        help="Auto-select the cheapest qualifying provider instead of the first.",
        cli=("--cheapest",),
        kind="flag",
    )
    webhook_url: str | None = _arg(
        help="http(s) URL that receives a signed Standard Webhooks event when the job ends "
        "(secret: $REELKIT_WEBHOOK_SECRET).",
        cli=("--webhook-url",),
    )
    caller: str | None = _arg(
        help="Who asks (a label, e.g. a gateway key's name): recorded with the job; identical "
        "requests are shared only between jobs of the same caller."
    )


ASK_FIELDS: tuple[str, ...] = tuple(f.name for f in attrs.fields(Ask))
