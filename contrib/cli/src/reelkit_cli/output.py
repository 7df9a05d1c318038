"""What the CLI shows: JSON on stdout, progress and notices on stderr, tables for people."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import click

from reelkit import hookimpl


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def emit_json(data: Any) -> None:
    """One JSON object on stdout, nothing else there."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, default=_default) + "\n")
    sys.stdout.flush()


#: Text output shows this much of a prompt; ``--json`` always carries it whole.
PROMPT_SHOWN = 200


def short_prompt(prompt: str) -> str:
    """A prompt for a line of text: whole up to ``PROMPT_SHOWN`` characters, else its start and
    how long it is (a 100 KB prompt would bury everything else)."""
    if len(prompt) <= PROMPT_SHOWN:
        return prompt
    return f"{prompt[:PROMPT_SHOWN].rstrip()}… ({len(prompt):,} characters; --json has it whole)"


def seconds(duration: float | None) -> str:
    """ "1 second", "8 seconds", "4.5 seconds"."""
    if duration is None:
        return "unknown"
    value = f"{int(duration)}" if float(duration).is_integer() else f"{duration:g}"
    return f"{value} second{'' if value == '1' else 's'}"


def summary(result: Any) -> str:
    """The text summary, in the shape of the Jimeng seed's "Generated Video" block."""
    lines = [
        "Generated Video:",
        f"  {result.path or result.video_url}",
        "Generation Info:",
        f"- Prompt: {short_prompt(result.prompt)}",
        f"- Duration: {seconds(result.duration)}",
        f"- Mode: {result.mode} ({result.provider}/{result.model})",
        f"- Resolution: {result.resolution} ({result.size}, {result.aspect_ratio})",
        f"- FPS: {result.fps}",
        f"- Save Path: {result.path or '(not downloaded)'}",
        f"- Cost: {cost_line(result.cost, result.billed)}",
        f"- Job: {result.job_id}"
        + (" (reused an identical earlier result)" if getattr(result, "reused", False) else ""),
    ]
    return "\n".join(lines)


def cost_line(cost: Any, billed: Any = None) -> str:
    """ "$0.40 estimated: 4 s × $0.10/s (720p); billed $0.40" or "unknown (…)", one line."""
    from reelkit.pricing import money

    if not cost:
        text = "unknown"
    elif cost.get("estimated") is None:
        text = f"unknown ({cost.get('basis') or 'no published price'})"
    elif cost["estimated"] == 0:
        text = f"{money(0, cost.get('currency') or '')}, {cost['basis']}"
    else:
        text = f"{money(cost['estimated'], cost.get('currency') or '')} estimated: {cost['basis']}"
    if billed and billed.get("amount") is not None and not billed.get("estimated"):
        text += f"; billed {money(billed['amount'], billed.get('currency') or '')}"
    elif billed and billed.get("tokens") is not None:
        text += f"; billed {billed['tokens']:,} tokens"
    return text


class Reporter:
    """A reelkit plugin that turns job events into stderr lines and a progress display."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self._progress: Any = None
        self._task: Any = None
        self._started = time.monotonic()

    def _say(self, message: str) -> None:
        if self._progress is not None:
            self._progress.console.print(message, markup=False, highlight=False)
        else:
            click.echo(message, err=True)

    def plan(self, plan: Any) -> None:
        if plan.notice:
            self._say(f"reelkit: {plan.notice}")
        for adjustment in plan.adjustments:
            self._say(
                f"reelkit: warning: {adjustment.field}: {adjustment.requested} -> {adjustment.applied} ({adjustment.reason})"
            )

    def follow(self, job: Any) -> None:
        """Note a job about to be waited for (before any event about it arrives)."""
        state = job.record.state.value
        if state not in _FINISHED:
            WAITING[job.id] = (job.record.provider, _STAGES.get(state, "running"))

    @hookimpl
    def reelkit_job_event(self, event: Any) -> None:
        if event.kind in _FINISHED:
            WAITING.pop(event.job_id, None)
        elif event.kind != "timeout":
            WAITING[event.job_id] = (event.provider, _STAGES.get(event.kind, "running"))
        if event.kind == "planned":
            if event.data.get("notice"):
                self._say(f"reelkit: {event.data['notice']}")
            for a in event.data.get("adjustments", ()):
                self._say(
                    f"reelkit: warning: {a['field']}: {a['requested']} -> {a['applied']} ({a['reason']})"
                )
        elif event.kind == "retry":  # one line each: which job, what failed, why, when next
            self._say(f"reelkit: job {event.job_id}: {event.message}")
        elif event.kind in ("reused", "resumed", "unknown", "timeout") and event.message:
            self._say(f"reelkit: {event.message}")
        elif event.kind == "submitted" and not self.quiet:
            self._say(
                f"reelkit: job {event.job_id} submitted to {event.provider} ({event.message})"
            )
        if self._progress is not None and self._task is not None:
            done = event.progress if event.progress is not None else None
            label = {
                "polled": event.state.value if event.state else "",
                "downloading": "downloading",
            }.get(event.kind, event.kind)
            self._progress.update(
                self._task, description=f"{event.provider}: {label}", completed=(done or 0) * 100
            )

    @contextmanager
    def progress(self) -> Iterator[None]:
        if self.quiet or not sys.stderr.isatty():
            yield
            return
        from rich.console import Console
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        ) as progress:
            self._progress = progress
            self._task = progress.add_task("starting", total=100)
            try:
                yield
            finally:
                self._progress = None


def _console(console: Any = None) -> Any:
    """Where tables go: a terminal gets its width (cells wrap); anything else (a pipe, a file)
    gets every value whole, however wide the table becomes."""
    if console is not None:
        return console
    from rich.console import Console

    if sys.stdout.isatty():
        return Console()
    return Console(width=UNBOUNDED)


#: The width tables get when stdout is not a terminal: wide enough that no cell is cut.
UNBOUNDED = 100_000
#: Columns holding identifiers a user copies (names, model ids, variables): in a terminal a long
#: one folds onto the next line instead of ending in "…".
IDENTIFIERS = ("name", "default model", "credentials")


def providers_table(rows: Sequence[dict[str, Any]], console: Any = None) -> None:
    from rich.table import Table

    table = Table(title="reelkit providers (auto-selection order)")
    for column in ("name", "available", "priority", "default model", "credentials", "notes"):
        table.add_column(column, overflow="fold" if column in IDENTIFIERS else "ellipsis")
    for row in rows:
        creds = " or ".join(" + ".join(g) for g in row["credentials"]) or "none needed"
        notes = "deprecated (see docs)" if row["deprecation"] else ""
        table.add_row(
            row["name"] + (f" ({', '.join(row['aliases'])})" if row["aliases"] else ""),
            "yes" if row["available"] else "no",
            str(row["priority"]),
            row["default_model"],
            creds,
            notes,
        )
    _console(console).print(table)


def capabilities_table(
    provider: str,
    rows_per_model: Sequence[Sequence[dict[str, str]]],
    models: Sequence[Any],
    console: Any = None,
) -> None:
    from rich.table import Table

    console = _console(console)
    for model, rows in zip(models, rows_per_model, strict=True):
        aliases = f" (aliases: {', '.join(model.aliases)})" if model.aliases else ""
        table = Table(title=f"{provider} / {model.id}{aliases}")
        for column in ("mode", "resolutions", "aspect ratios", "durations", "fps", "notes"):
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(
                row["mode"],
                row["resolutions"],
                row["aspect_ratios"],
                row["durations"],
                row["fps"],
                row["notes"],
            )
        console.print(table)
        extras = [
            f"seed: {'yes' if model.supports_seed else 'no'}",
            f"negative prompt: {'yes' if model.supports_negative_prompt else 'no'}",
            f"audio: {model.audio.value}",
            f"image inputs: {', '.join(model.images.transports)} ({', '.join(model.images.formats)})",
        ]
        if model.url_lifetime_s:
            extras.append(f"result URL lives {model.url_lifetime_s / 3600:g} h")
        console.print("  " + "; ".join(extras))


#: The jobs this process is waiting for and has not finished: id -> (provider, stage), the stage
#: being "submitting", "running" or "downloading". What a Ctrl-C leaves behind (see ``main``).
WAITING: dict[str, tuple[str, str]] = {}
_STAGES = {"planned": "submitting", "submitting": "submitting", "succeeded": "downloading"}
_STAGES.update({"downloading": "downloading", "pending": "submitting"})
_FINISHED = ("downloaded", "failed", "cancelled", "reused")


def interrupted() -> list[str]:
    """What to say after Ctrl-C: each unfinished job, where it stands and the command that
    finishes it (nothing is resubmitted by any of them)."""
    lines = []
    for job_id, (provider, stage) in WAITING.items():
        if stage == "submitting":
            lines.append(
                f"reelkit: interrupted while submitting job {job_id} to {provider}; it may have "
                f"arrived: `reelkit jobs reconcile {job_id}` looks for it (nothing is resubmitted)"
            )
        elif stage == "downloading":
            lines.append(
                f"reelkit: interrupted; job {job_id} is done at {provider} but not downloaded: "
                f"`reelkit jobs resume {job_id}` downloads it"
            )
        else:
            lines.append(
                f"reelkit: interrupted; job {job_id} is still running at {provider}: "
                f"`reelkit jobs resume {job_id}` finishes it"
            )
    return lines or ["reelkit: interrupted"]
