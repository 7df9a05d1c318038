"""``reelkit batch FILE``: plan a shot list, then run it in parallel under a budget.

Planning comes first and sends nothing (clamping, adjustments and the cost of every shot and of
the whole); ``--dry-run`` stops there and an over-budget batch stops there too (exit 2). Then
the shots run concurrently; a board on stderr shows each one, and ``DIR/manifest.json`` records
each shot's job, state, file, delivered duration and cost. Running the same file again resumes:
finished shots are reused, running ones followed, nothing is submitted twice.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import click

from reelkit.hookspecs import hookimpl

from .output import emit_json


class Board:
    """Each shot's row: state, progress, elapsed, cost. A live table on a terminal's stderr, a
    line per change otherwise. Also a reelkit plugin: job events carry the shot they ran in."""

    def __init__(self, shot_ids: list[str], *, quiet: bool) -> None:
        self.rows: dict[str, dict[str, Any]] = {
            i: {"state": "planned", "progress": None, "started": None, "cost": None, "note": ""}
            for i in shot_ids
        }
        self.quiet = quiet
        self.live: Any = None
        self.manifest: Manifest | None = None

    def update(self, shot_id: str, state: str, info: Any) -> None:
        row = self.rows[shot_id]
        if state == "running" and row["started"] is None:
            row["started"] = time.monotonic()
        if state == "step":
            total = info.get("of") or 0
            row["note"] = f"step {info.get('step', 0)}/{total}" if total else ""
            state = "running"
        row["state"] = state
        if info.get("cost") is not None:
            row["cost"] = info["cost"]
        if info.get("message"):
            row["note"] = str(info["message"])[:120]
        if info.get("path"):
            row["note"] = str(info["path"])
        self._show(shot_id)

    @hookimpl
    def reelkit_job_event(self, event: Any) -> None:
        from reelkit.batch import CURRENT_SHOT

        shot_id = CURRENT_SHOT.get()
        if shot_id is None or shot_id not in self.rows:
            return
        if event.progress is not None:
            self.rows[shot_id]["progress"] = event.progress
        if event.kind in ("reused", "resumed", "retry"):
            self.rows[shot_id]["note"] = event.message[:120]
        if self.live is not None:
            self.live.update(self._table())

    def _show(self, shot_id: str) -> None:
        if self.live is not None:
            self.live.update(self._table())
        elif not self.quiet:
            row = self.rows[shot_id]
            note = f" — {row['note']}" if row["note"] else ""
            click.echo(f"reelkit: {shot_id}: {row['state']}{note}", err=True)

    def _table(self) -> Any:
        from rich.table import Table

        from reelkit.pricing import money

        table = Table(box=None, pad_edge=False)
        for column in ("shot", "state", "progress", "elapsed", "cost", "note"):
            table.add_column(column, overflow="fold")
        now = time.monotonic()
        for shot_id, row in self.rows.items():
            progress = "" if row["progress"] is None else f"{row['progress'] * 100:.0f}%"
            elapsed = "" if row["started"] is None else f"{now - row['started']:.0f} s"
            cost = row["cost"]
            if isinstance(cost, dict):
                amount = cost.get("billed") or cost.get("estimated")
                cost = None if amount is None else money(amount, cost.get("currency") or "USD")
            elif isinstance(cost, (int, float)):
                cost = money(cost, "USD")
            table.add_row(shot_id, row["state"], progress, elapsed, cost or "", row["note"])
        return table


class Manifest:
    """``DIR/manifest.json``, rewritten atomically whenever a shot ends."""

    def __init__(self, path: Path, source: str, planned: Any) -> None:
        self.path = path
        self.data: dict[str, Any] = {
            "shot_list": source,
            "planned": planned.to_dict(),
            "shots": [
                {"id": s.shot.id, "state": "pending", "job_id": None, "path": None}
                for s in planned.shots
            ],
            "totals": {},
        }

    def record(self, outcome: Any) -> None:
        entry = outcome.to_dict()
        self.data["shots"] = [entry if s["id"] == entry["id"] else s for s in self.data["shots"]]
        self.write()

    def finish(self, outcomes: list[Any]) -> dict[str, Any]:
        self.data["shots"] = [o.to_dict() for o in outcomes]
        delivered = [o for o in outcomes if o.delivered]
        estimated: float | None = 0.0
        billed = 0.0
        for o in outcomes:
            cost = o.cost()
            estimated = (
                None
                if estimated is None or cost["estimated"] is None
                else estimated + cost["estimated"]
            )
            billed += cost["billed"]
        self.data["totals"] = {
            "shots": len(outcomes),
            "delivered": len(delivered),
            "failed": len(outcomes) - len(delivered),
            "estimated": None if estimated is None else round(estimated, 6),
            "billed": round(billed, 6),
            "duration": round(sum(o.result.duration or 0 for o in delivered if o.result), 3),
        }
        self.write()
        return self.data

    def write(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temp = self.path.with_name(f".{self.path.name}.part")
        temp.write_text(json.dumps(self.data, indent=2, default=str), encoding="utf-8")
        os.replace(temp, self.path)


@click.command()
@click.argument("shot_list", type=click.Path(dir_okay=False))
@click.option("--budget", metavar="USD", help='Refuse the whole batch over this (or "30 CNY").')
@click.option("--allow-unpriced", is_flag=True, help="With a budget, allow shots of unknown price.")
@click.option("--concurrency", type=click.IntRange(min=1), help="Jobs in flight at most, overall.")
@click.option("--dry-run", is_flag=True, help="Plan every shot and its cost; send nothing.")
@click.option(
    "-o", "--output", "output_dir", metavar="DIR", help="Where the videos and manifest go."
)
@click.option("--concat", "concat_to", metavar="OUT.mp4", help="Join the delivered shots.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout.")
@click.option("-v", "--verbose", is_flag=True, help="Debug logging and tracebacks on stderr.")
def batch(
    shot_list: str,
    budget: str | None,
    allow_unpriced: bool,
    concurrency: int | None,
    dry_run: bool,
    output_dir: str | None,
    concat_to: str | None,
    as_json: bool,
    verbose: bool,
) -> None:
    """Plan SHOT_LIST (TOML or JSON), then generate every shot in parallel."""
    from reelkit import shots as shot_lists

    from .main import _client, _configure_logging, _fail

    _configure_logging(verbose)
    directory = Path(output_dir or Path(shot_list).with_suffix("").name + "-videos").resolve()
    try:
        shots = shot_lists.load(shot_list)
        with _client() as client:
            planned = client.plan_many(shots, budget=budget, allow_unpriced=allow_unpriced)
    except Exception as exc:
        _fail(exc, as_json)
    if dry_run or planned.refused:
        _show_plan(planned, as_json)
        if planned.refused:
            click.echo(f"reelkit: error: {planned.refused}", err=True)
            sys.exit(2)
        return
    if not as_json:
        _show_plan(planned, as_json=False, err=True)
    board = Board([s.shot.id for s in planned.shots], quiet=as_json)
    manifest = Manifest(directory / "manifest.json", str(Path(shot_list).resolve()), planned)
    manifest.write()

    def update(shot_id: str, state: str, info: Any) -> None:
        board.update(shot_id, state, info)

    try:
        import asyncio  # only a run needs it; loading the CLI does not

        outcomes = asyncio.run(_run(planned, directory, concurrency, board, manifest, update))
    except KeyboardInterrupt:
        # Submitted jobs keep running at their providers and the journal knows them: running
        # the same file again follows them (and reuses finished ones) instead of paying twice.
        click.echo(
            f"\nreelkit: interrupted; submitted shots keep running. Resume with: "
            f"reelkit batch {shot_list} -o {directory}",
            err=True,
        )
        sys.exit(130)
    except Exception as exc:
        _fail(exc, as_json)
    data = manifest.finish(outcomes)
    delivered = all(o.delivered for o in outcomes)
    if concat_to and delivered:
        try:
            with _client() as client:
                client.host.load_all()
                joined = client.host.hook.reelkit_join_clips(
                    clips=[o.path for o in outcomes], output=concat_to
                )
            if joined is None:
                raise click.UsageError('--concat needs a clip joiner: pip install "reelkit[local]"')
            data["concat"] = str(joined)
            manifest.write()
        except Exception as exc:
            _fail(exc, as_json)
    elif concat_to:
        click.echo("reelkit: not joined: some shots were not delivered", err=True)
    if as_json:
        emit_json({**data, "manifest": str(manifest.path)})
    else:
        totals = data["totals"]
        click.echo(
            f"{totals['delivered']}/{totals['shots']} shots delivered "
            f"({totals['duration']} s); manifest: {manifest.path}"
            + (f"; joined: {data['concat']}" if data.get("concat") else "")
        )
        for o in outcomes:
            if o.error is not None:
                click.echo(f"  {o.shot.id}: {o.error}", err=True)
    sys.exit(0 if delivered else 3)


async def _run(
    planned: Any, directory: Path, concurrency: int | None, board: Board, manifest: Manifest,
    update: Any,
) -> list[Any]:  # fmt: skip
    from reelkit import AsyncClient
    from reelkit.batch import run_batch

    def on_update(shot_id: str, state: str, info: Any) -> None:
        update(shot_id, state, info)

    async with AsyncClient(plugins=[board]) as client:
        live = None
        if sys.stderr.isatty() and not board.quiet:
            from rich.console import Console
            from rich.live import Live

            live = Live(board._table(), console=Console(stderr=True), refresh_per_second=4)
            live.start()
            board.live = live
        try:
            outcomes = await run_batch(
                client,
                planned,
                output_dir=directory,
                concurrency=concurrency,
                on_update=on_update,
                join=client._join,
            )
        finally:
            if live is not None:
                live.stop()
                board.live = None
        for outcome in outcomes:
            manifest.record(outcome)
        return outcomes


def _show_plan(planned: Any, as_json: bool, err: bool = False) -> None:
    from reelkit.pricing import money

    if as_json:
        emit_json(planned.to_dict())
        return
    for item in planned.shots:
        if item.estimated is None:
            cost = "unknown"
        else:
            cost = money(item.estimated, item.currency or "USD")
        steps = f", {item.steps} extension{'s' if item.steps != 1 else ''}" if item.steps else ""
        length = f"{item.length:g} s" if item.length else "?"
        reused = " (already delivered: free)" if item.reused and not item.steps else ""
        click.echo(
            f"{item.shot.id}: {item.plan.provider}/{item.plan.model} {item.plan.mode.value}, "
            f"{length}{steps}, {cost}{reused}",
            err=err,
        )
        for a in item.adjustments:
            click.echo(f"  {a.field}: {a.requested} -> {a.applied} ({a.reason})", err=err)
    total = "unknown" if planned.estimated is None else money(planned.estimated, planned.currency)
    click.echo(f"total: {total} for {len(planned.shots)} shots", err=err)
