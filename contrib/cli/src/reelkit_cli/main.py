"""The ``reelkit`` command line (docs/design.md §1.4).

stdout carries the result (one JSON object with ``--json``); progress, notices and warnings go
to stderr. Exit status: 0 success, 2 bad usage or invalid request, 3 provider/job failure,
4 timeout, 5 missing credentials.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from .output import Reporter, cost_line, emit_json, summary

F = TypeVar("F", bound=Callable[..., Any])


def _client(**kwargs: Any) -> Any:
    from reelkit import Client

    return Client(**kwargs)


def _catalog(**kwargs: Any) -> Any:
    """What listing and planning use: no HTTP client, driver or journal is imported for them
    (``reelkit.catalog``; guarded by tests/test_cli_import_cost.py)."""
    from reelkit.catalog import Catalog

    return Catalog(**kwargs)


_verbose = [False]  # -v: tracebacks too


def _configure_logging(verbose: bool) -> None:
    _verbose[0] = verbose
    level = "DEBUG" if verbose else os.environ.get("REELKIT_LOG_LEVEL", "WARNING").upper()
    logger = logging.getLogger("reelkit")
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        click.echo(
            f"reelkit: error: REELKIT_LOG_LEVEL: unknown level {level!r} (allowed: DEBUG, INFO, WARNING, ERROR, CRITICAL)",
            err=True,
        )
        sys.exit(2)
    logger.setLevel(level)
    if not any(getattr(h, "_reelkit", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("reelkit: %(levelname)s: %(message)s"))
        handler._reelkit = True  # type: ignore[attr-defined]
        # The CLI prints adjustments itself (as warnings on stderr), once.
        handler.addFilter(lambda record: not getattr(record, "reelkit_adjustment", False))
        logger.addHandler(handler)
        logger.propagate = False


def _closed_pipe() -> None:
    """stdout's reader went away (``reelkit jobs list | head``): stop quietly, as Unix tools do."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # nothing left to flush into the closed pipe
    except (OSError, ValueError):
        pass
    sys.exit(141)  # 128 + SIGPIPE, what a shell reports for a tool its pipe cut short


def _fail(exc: Exception, as_json: bool) -> None:
    """Report an error (a traceback only with -v) and exit with the class's documented status."""
    if isinstance(exc, BrokenPipeError):
        _closed_pipe()
    from reelkit.errors import ReelkitError

    code = exc.exit_code if isinstance(exc, ReelkitError) else 3
    if _verbose[0]:
        import traceback

        from reelkit.redact import scrub_text

        click.echo(scrub_text("".join(traceback.format_exception(exc))), err=True, nl=False)
    if as_json:
        payload = (
            exc.to_dict()
            if isinstance(exc, ReelkitError)
            else {"error": type(exc).__name__, "message": str(exc)}
        )
        emit_json(payload)
    from reelkit.redact import scrub_text

    click.echo(f"reelkit: error: {scrub_text(str(exc))}", err=True)
    sys.exit(code)


def _parse_params(values: Sequence[str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for item in values:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{item!r} is not KEY=VALUE", param_hint="--param")
        try:
            params[key] = json.loads(raw)
        except ValueError:
            params[key] = raw
    return params


def request_options(func: F) -> F:
    """The options shared by ``generate`` and ``plan``, made from the one argument schema
    (``reelkit.arguments.Ask``): a new request field gets its flag here without a second list."""
    import attrs

    from reelkit.arguments import Ask

    options = []
    for field in attrs.fields(Ask):
        flags = field.metadata.get("cli")
        if not flags:
            continue
        kind = field.metadata.get("kind", "")
        extra: dict[str, Any] = {"help": field.metadata.get("help") or None}
        if kind == "seconds":
            extra["type"] = float
        elif kind in ("count", "seed"):
            extra["type"] = int
        elif kind == "flag":
            extra["default"] = None if "/" in flags[0] else False
            if "/" not in flags[0]:
                extra["is_flag"] = True
        elif kind in ("media", "media_list"):
            extra["metavar"] = "PATH|URL"
        elif kind == "params":
            extra["metavar"] = "KEY=VALUE"
        if kind in ("media_list", "params"):
            extra["multiple"] = True
        options.append(click.option(*flags, field.name, **extra))
    options += [
        click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout."),
        click.option(
            "-v", "--verbose", is_flag=True, help="Debug logging and tracebacks on stderr."
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _options(kwargs: dict[str, Any]) -> dict[str, Any]:
    kwargs = dict(kwargs)
    kwargs["params"] = _parse_params(kwargs.get("params") or ())
    kwargs["reference_images"] = tuple(kwargs.get("reference_images") or ())
    return {k: v for k, v in kwargs.items() if v is not None}


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="reelkit-cli")
def cli() -> None:
    """Generate AI video with any provider; offline with none."""


@cli.command()
@click.argument("prompt")
@request_options
@click.option(
    "-o", "--output", metavar="PATH", help="File, or directory to put it in (default ./videos/)."
)
@click.option("--dry-run", is_flag=True, help="Show what would be sent; send nothing.")
@click.option("--no-wait", is_flag=True, help="Submit and return the job id at once.")
@click.option("--timeout", type=float, help="Overall wait deadline in seconds.")
@click.option(
    "--force", is_flag=True, help="Submit even if an identical earlier job could be reused."
)
@click.option(
    "--extend-to",
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help="Chain extensions until the video is this long (models with an extend mode).",
)
def generate(
    prompt: str,
    as_json: bool,
    verbose: bool,
    dry_run: bool,
    no_wait: bool,
    extend_to: float | None,
    **kwargs: Any,
) -> None:
    """Generate a video from PROMPT (and optional images)."""
    _configure_logging(verbose)
    options = _options(kwargs)
    reporter = Reporter(quiet=as_json)
    if extend_to is not None:
        _extend(prompt, options, extend_to, as_json=as_json, dry_run=dry_run, no_wait=no_wait)
        return
    if dry_run:
        for sent_only in ("output", "timeout", "force"):
            options.pop(sent_only, None)
        try:
            with _catalog(plugins=[reporter]) as catalog:
                _show_plan(catalog.plan(prompt, **options), as_json, reporter)
        except Exception as exc:
            _fail(exc, as_json)
        return
    try:
        with _client(plugins=[reporter]) as client:
            if no_wait:
                job = client.submit(prompt, **options)
                result = job.result()
            else:
                with reporter.progress():
                    result = client.generate(prompt, **options)
    except Exception as exc:
        _fail(exc, as_json)
    if as_json:
        emit_json(result.to_dict())
    elif no_wait:
        click.echo(
            f"submitted {result.job_id} ({result.provider}/{result.model}, task {result.task_id})"
        )
        click.echo(f"follow it with: reelkit jobs wait {result.job_id}")
    else:
        click.echo(summary(result))


def _extend(
    prompt: str,
    options: dict[str, Any],
    extend_to: float,
    *,
    as_json: bool,
    dry_run: bool,
    no_wait: bool,
) -> None:
    """``generate --extend-to``: one shot whose extensions are chained, each a journalled job."""
    if no_wait:
        _fail(click.UsageError("--extend-to waits for every step; drop --no-wait"), as_json)
    options.pop("timeout", None)
    request = {"id": "video", "prompt": prompt, "extend_to": extend_to, **options}
    try:
        with _client() as client:
            planned = client.plan_many([request])
            if dry_run or planned.refused:
                data = planned.to_dict()
                if as_json:
                    emit_json(data)
                else:
                    item = planned.shots[0]
                    click.echo(
                        f"{item.plan.provider}/{item.plan.model}: {item.length:g} s in "
                        f"{item.steps + 1} jobs; cost: "
                        + (
                            "unknown"
                            if item.estimated is None
                            else f"{item.estimated:g} {item.currency}"
                        )
                    )
                    for a in item.adjustments:
                        click.echo(
                            f"reelkit: warning: {a.field}: {a.requested} -> {a.applied} ({a.reason})",
                            err=True,
                        )
                if planned.refused:
                    click.echo(f"reelkit: error: {planned.refused}", err=True)
                    sys.exit(2)
                return
            outcome = _run_one(client, planned)
    except Exception as exc:
        _fail(exc, as_json)
    if outcome.error is not None:
        _fail(outcome.error, as_json)
    if as_json:
        emit_json({**outcome.result.to_dict(), "path": outcome.path, "shot": outcome.to_dict()})
        return
    click.echo(summary(outcome.result))
    for k, step in enumerate(outcome.steps):
        what = "first job" if k == 0 else f"extension {k}"
        click.echo(
            f"  {what}: {step.job_id} ({step.duration} s): {cost_line(step.cost, step.billed)}"
        )


def _run_one(client: Any, planned: Any) -> Any:
    """One planned shot through the core's batch runner, on an AsyncClient like this one."""
    import asyncio

    from reelkit import AsyncClient
    from reelkit.batch import run_batch

    async def run() -> Any:
        async with AsyncClient(**client._made_with) as sibling:
            (outcome,) = await run_batch(sibling, planned, join=sibling._join)
            return outcome

    return asyncio.run(run())


@cli.command()
@click.argument("prompt")
@request_options
def plan(prompt: str, as_json: bool, verbose: bool, **kwargs: Any) -> None:
    """Show the provider, applied values, adjustments and exact HTTP request (no network)."""
    _configure_logging(verbose)
    reporter = Reporter(quiet=as_json)
    try:
        with _catalog() as catalog:
            _show_plan(catalog.plan(prompt, **_options(kwargs)), as_json, reporter)
    except Exception as exc:
        _fail(exc, as_json)


def _cost_dict(cost: Any) -> dict[str, Any] | None:
    if cost is None:
        return None
    return cost.to_dict() or {"estimated": None, "basis": cost.basis}


def _show_plan(plan: Any, as_json: bool, reporter: Reporter) -> None:
    reporter.plan(plan)
    _print_plan(plan, as_json)
    if plan.refused:  # what a real run would do: refuse and exit 2 (the JSON says "refused")
        click.echo(f"reelkit: error: {plan.refused}", err=True)
        sys.exit(2)


def _print_plan(plan: Any, as_json: bool) -> None:
    if as_json:
        emit_json(plan.to_dict())
        return
    data = plan.to_dict()
    click.echo(f"provider: {data['provider']}  model: {data['model']}  mode: {data['mode']}")
    click.echo(f"cost: {cost_line(_cost_dict(plan.cost))}")
    for key, value in data["request"].items():
        click.echo(f"  {key}: {value}")
    http = data["http"]
    click.echo(f"\n{http['method']} {http['url']}")
    for key, value in http["headers"].items():
        click.echo(f"{key}: {value}")
    if http["body"] is not None:
        click.echo("")
        click.echo(
            json.dumps(http["body"], indent=2, ensure_ascii=False)
            if not isinstance(http["body"], str)
            else http["body"]
        )


@cli.command()
@click.option("--json", "as_json", is_flag=True)
def providers(as_json: bool) -> None:
    """Installed providers: availability, priority, default model, credentials."""
    from reelkit.redact import scrub_text  # a password or ?key= in a base URL is never shown

    try:
        with _catalog() as client:
            rows = []
            for info in client.providers():
                rows.append(
                    {
                        "name": info.name,
                        "title": info.title,
                        "aliases": list(info.aliases),
                        "available": client.available(info.name),
                        "priority": info.priority,
                        "default_model": client.settings.default_model(info),
                        "credentials": [list(group) for group in info.credential_env],
                        "base_url": scrub_text(client.settings.provider_config(info).base_url),
                        "models": [m.id for m in client.capabilities(info.name)],
                        "deprecation": info.deprecation,
                    }
                )
    except Exception as exc:
        _fail(exc, as_json)
    if as_json:
        emit_json(rows)
        return
    from .output import providers_table

    providers_table(rows)


@cli.command()
@click.argument("provider")
@click.option("-m", "--model")
@click.option("--json", "as_json", is_flag=True)
def capabilities(provider: str, model: str | None, as_json: bool) -> None:
    """What a provider's models accept (durations, resolutions, modes, limits)."""
    from reelkit.docs import capability_rows, model_dict

    try:
        with _catalog() as client:
            models = client.capabilities(provider, model)
            name = client.host.provider(provider).info.name
    except Exception as exc:
        _fail(exc, as_json)
    if as_json:
        emit_json({"provider": name, "models": [model_dict(m) for m in models]})
        return
    from .output import capabilities_table

    capabilities_table(name, [capability_rows(m) for m in models], models)


@cli.command()
@click.option("--json", "as_json", is_flag=True)
def plugins(as_json: bool) -> None:
    """Installed plugins, versions, hooks and load errors."""
    with _catalog() as client:
        records = [r.to_dict() for r in client.plugins()]
    if as_json:
        emit_json(records)
        return
    for r in records:
        state = "ok" if r["loaded"] else "ERROR"
        click.echo(f"{r['name']:<12} {state:<6} {r['distribution'] or '-'} {r['version'] or ''}")
        if r["providers"]:
            click.echo(f"{'':<12} providers: {', '.join(r['providers'])}")
        if r["hooks"]:
            click.echo(f"{'':<12} hooks: {', '.join(r['hooks'])}")
        if r["error"]:
            click.echo(f"{'':<12} error: {r['error']}")


from .jobs import jobs  # noqa: E402  (the group lives in its own module)

cli.add_command(jobs)

from .spend import spend  # noqa: E402

cli.add_command(spend)

from .batch import batch  # noqa: E402

cli.add_command(batch)


def _add_plugin_commands() -> None:
    from reelkit.plugins import PluginHost

    host = PluginHost()
    host.load_all()
    try:
        host.hook.reelkit_register_commands(cli=cli)
    except Exception as exc:  # a plugin's command must not break the others
        click.echo(f"reelkit: warning: a plugin failed to add commands: {exc}", err=True)


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    builtin = {"generate", "plan", "providers", "capabilities", "plugins", "jobs", "spend", "batch"}
    if not args or args[0] not in builtin:  # plugin verbs only load when asked for (or for --help)
        _add_plugin_commands()
    from .output import WAITING, interrupted

    WAITING.clear()
    try:
        code = cli.main(args=args, prog_name="reelkit", standalone_mode=False)
    except (click.exceptions.Abort, KeyboardInterrupt):
        # A job being waited for keeps running at the provider; the journal knows it, and the
        # line says which job and the command that picks it up.
        click.echo("\n".join(interrupted()), err=True)
        sys.exit(130)
    except BrokenPipeError:
        _closed_pipe()
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    sys.exit(code if isinstance(code, int) else 0)
