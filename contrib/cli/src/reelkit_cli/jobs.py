"""``reelkit jobs``: the journal, from any process."""

from __future__ import annotations

from typing import Any

import click

from .output import Reporter, emit_json, summary


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
    with _client() as client:
        results = [client._engine.result(r) for r in client.records(limit)]
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
    """One job as ``generate --json`` shows it."""
    try:
        with _client() as client:
            result = client.result(job)
            record = client._engine.journal.get(job)
    except Exception as exc:
        _fail(exc, as_json)
    if as_json:
        emit_json(result.to_dict())
        return
    for key, value in result.to_dict().items():
        click.echo(f"{key}: {value}")
    if record.error:
        click.echo(f"error: {record.error.get('message')}")


def _finish(
    job_ids: list[str], as_json: bool, timeout: float | None, *, as_list: bool = False
) -> None:
    reporter = Reporter(quiet=as_json)
    results = []
    failures = 0
    with _client(plugins=[reporter]) as client:
        for job_id in job_ids:
            try:
                with reporter.progress():
                    results.append(client.resume(job_id).wait(timeout=timeout))
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
    with _client() as client:
        pending = [
            r.id for r in client.records() if r.state.pollable or r.state is JobState.SUCCEEDED
        ]
        unknown = [
            r.id for r in client.records() if r.state in (JobState.PENDING, JobState.UNKNOWN)
        ]
    for job_id in unknown:
        click.echo(
            f"reelkit: {job_id}: submit outcome unknown; not resubmitted (check the provider)",
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
