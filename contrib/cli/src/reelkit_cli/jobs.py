"""``reelkit jobs``: the journal, from any process."""

from __future__ import annotations

from typing import Any

import click

from .output import Reporter, emit_json, short_prompt, summary


def _client(**kwargs: Any) -> Any:
    from reelkit import Client

    return Client(**kwargs)


def _fail(exc: Exception, as_json: bool) -> None:
    from .main import _fail as fail

    fail(exc, as_json)


@click.group()
def jobs() -> None:
    """List, inspect, finish, cancel and download journalled jobs."""


@jobs.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.option("-n", "--limit", type=int, default=None, help="Newest N jobs.")
def list_jobs(as_json: bool, limit: int | None) -> None:
    """Jobs, newest first."""
    try:
        with _client() as client:
            results = [client._engine.result(r) for r in client.records(limit)]
    except Exception as exc:
        _fail(exc, as_json)
    if as_json:
        emit_json([r.to_dict() for r in results])
        return
    if not results:
        click.echo("no jobs yet")
    for r in results:
        click.echo(
            f"{r.job_id}  {r.status:<10} {r.provider}/{r.model:<24} {r.duration}s {r.size}  {r.prompt[:40]!r}"
        )


@jobs.command()
@click.argument("job")
@click.option("--json", "as_json", is_flag=True)
def show(job: str, as_json: bool) -> None:
    """One job, as generate --json shows it, plus the error that ended it."""
    try:
        with _client() as client:
            result = client.result(job)
            record = client._engine.journal.get(job)
    except Exception as exc:
        _fail(exc, as_json)
    data = result.to_dict()
    if record.error:
        data["error"] = dict(record.error)
    if as_json:
        emit_json(data)
        return
    data["prompt"] = short_prompt(result.prompt)
    if record.error:
        data["error"] = record.error.get("message")
    for key, value in data.items():
        if value is None or value == [] or value == {}:
            continue  # not known (yet), or nothing to say: no "task_id: None" lines
        click.echo(f"{key}: {_plain(value)}")


def _plain(value: Any) -> str:
    """A value for a line of text: mappings as ``key=value`` without the unset ones, lists
    joined by ``; ``, never a Python repr."""
    if isinstance(value, dict):
        return ", ".join(f"{k}={_plain(v)}" for k, v in value.items() if v is not None)
    if isinstance(value, (list, tuple)):
        return "; ".join(_plain(v) for v in value)
    return str(value)


def _finish(
    job_ids: list[str], as_json: bool, timeout: float | None, *, as_list: bool = False
) -> None:
    reporter = Reporter(quiet=as_json)
    results = []
    failures = 0
    with _client(plugins=[reporter]) as client:
        for job_id in job_ids:
            try:
                job = client.resume(job_id)
                reporter.follow(job)
                with reporter.progress():
                    results.append(job.wait(timeout=timeout))
            except Exception as exc:
                if not as_list:
                    _fail(exc, as_json)
                failures += 1
                click.echo(f"reelkit: {job_id}: {exc}", err=True)
    if as_json:
        emit_json([r.to_dict() for r in results] if as_list else results[0].to_dict())
    else:
        for result in results:
            click.echo(summary(result))
    if failures:
        raise SystemExit(3)


@jobs.command()
@click.argument("job")
@click.option("--json", "as_json", is_flag=True)
@click.option("--timeout", type=float)
def wait(job: str, as_json: bool, timeout: float | None) -> None:
    """Poll JOB until it finishes, then download it (never resubmits)."""
    _finish([job], as_json, timeout)


@jobs.command()
@click.argument("job", required=False)
@click.option(
    "--all", "all_jobs", is_flag=True, help="Every job that is still running or not downloaded."
)
@click.option("--json", "as_json", is_flag=True)
@click.option("--timeout", type=float)
def resume(job: str | None, all_jobs: bool, as_json: bool, timeout: float | None) -> None:
    """Finish JOB (or --all unfinished jobs) after a crash: poll on, never resubmit."""
    from reelkit.models import JobState

    if bool(job) == all_jobs:
        raise click.UsageError("give a JOB or --all")
    if job:
        _finish([job], as_json, timeout)
        return
    try:
        with _client() as client:
            records = client.records()
    except Exception as exc:
        _fail(exc, as_json)
    # A pending job may still be submitting in another process: following it waits for that.
    pending = [
        r.id
        for r in records
        if r.state.pollable or r.state in (JobState.SUCCEEDED, JobState.PENDING)
    ]
    for r in records:
        if r.state is JobState.UNKNOWN:
            click.echo(
                f"reelkit: {r.id}: submit outcome unknown; not resubmitted "
                f"(`reelkit jobs reconcile {r.id}` looks for it)",
                err=True,
            )
        elif r.state is JobState.UNRECOGNISED:
            click.echo(
                f"reelkit: {r.id}: state {r.raw_state!r} is unknown to this reelkit; skipped",
                err=True,
            )
    if not pending:
        if as_json:
            emit_json([])
        else:
            click.echo("nothing to resume")
        return
    _finish(pending, as_json, timeout, as_list=True)


@jobs.command()
@click.argument("job")
@click.option("--json", "as_json", is_flag=True)
def cancel(job: str, as_json: bool) -> None:
    """Cancel JOB at the provider, where the provider allows it."""
    try:
        with _client() as client:
            result = client.job(job).cancel().result()
    except Exception as exc:
        _fail(exc, as_json)
    if as_json:
        emit_json(result.to_dict())
    else:
        click.echo(f"{result.job_id}: {result.status}")


@jobs.command()
@click.argument("job")
@click.option("-o", "--output", metavar="PATH")
@click.option("--json", "as_json", is_flag=True)
def download(job: str, output: str | None, as_json: bool) -> None:
    """Download JOB's video (again), e.g. to another place with -o."""
    try:
        with _client() as client:
            result = client.job(job).download(output)
    except Exception as exc:
        _fail(exc, as_json)
    if as_json:
        emit_json(result.to_dict())
    else:
        click.echo(result.path)


@jobs.command()
@click.argument("job")
@click.argument("task_id")
@click.option("--json", "as_json", is_flag=True)
def adopt(job: str, task_id: str, as_json: bool) -> None:
    """Link JOB, whose submit outcome is unknown, to the provider's TASK_ID (no resubmission).

    Take the id from the provider's console (or from $REELKIT_HOME/recovery.jsonl), then
    `reelkit jobs resume JOB` finishes it.
    """
    try:
        with _client() as client:
            result = client.adopt(job, task_id).result()
    except Exception as exc:
        _fail(exc, as_json)
    if as_json:
        emit_json(result.to_dict())
    else:
        click.echo(f"{result.job_id}: adopted task {result.task_id}; finish it with:")
        click.echo(f"  reelkit jobs resume {result.job_id}")


@jobs.command()
@click.argument("job", required=False)
@click.option("--all", "all_jobs", is_flag=True, help="Every job whose submit outcome is unknown.")
@click.option("--json", "as_json", is_flag=True)
def reconcile(job: str | None, all_jobs: bool, as_json: bool) -> None:
    """Find the task an unknown submit created, in the provider's task list, and adopt it.

    Supported where the provider lists recent tasks (sora, seedance); elsewhere it says so, and
    `reelkit jobs adopt JOB TASK_ID` links the task by hand. Nothing is ever resubmitted.
    """
    from reelkit.models import JobState

    if bool(job) == all_jobs:
        raise click.UsageError("give a JOB or --all")
    outcomes = []
    try:
        with _client() as client:
            ids = [job] if job else [r.id for r in client.records(states=(JobState.UNKNOWN,))]
            for job_id in ids:
                outcomes.append(client.reconcile(job_id))
    except Exception as exc:
        _fail(exc, as_json)
    if as_json:
        data = [o.to_dict() for o in outcomes]
        emit_json(data[0] if job else data)
        return
    if not outcomes:
        click.echo("no job has an unknown submit outcome")
    for outcome in outcomes:
        click.echo(f"{outcome.job_id}: {outcome.outcome}: {outcome.message}")
        for candidate in outcome.candidates:
            click.echo(f"  candidate: {candidate}")
