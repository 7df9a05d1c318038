"""The ``reelkit emulator`` verb, added to the reelkit CLI through ``reelkit_register_commands``.

click is imported inside the hook: loading this plugin costs nothing until the CLI runs.
"""

from __future__ import annotations

import os
import textwrap
from typing import TYPE_CHECKING, Any

from reelkit.hookspecs import hookimpl

if TYPE_CHECKING:
    import click

    from .app import Emulator

#: ``REELKIT_POLL_INTERVAL`` suggested with the exports: emulated tasks finish in a few polls.
POLL_INTERVAL = "0.5"


@hookimpl
def reelkit_register_commands(cli: Any) -> None:
    cli.add_command(emulator_command())


def export_lines(emulator: Emulator, base_url: str) -> list[str]:
    """The shell lines printed at start: base URLs, a short poll interval, the credentials.

    Credentials a fake accepts in any non-empty value are printed for the variables that are not
    set already. Credentials a fake verifies against (the Volcengine secret jimeng checks each
    HMAC-V4 signature with) are always printed, with why: a key of your own would be refused.
    """
    lines = [
        f"export {name}={value}"
        for name, value in emulator.env(base_url, credentials=False).items()
    ]
    lines.append(f"export REELKIT_POLL_INTERVAL={POLL_INTERVAL}")
    missing = {k: v for k, v in emulator.credentials(exact=False).items() if not os.environ.get(k)}
    if missing:
        lines.append("# dummy credentials (these fakes accept any non-empty value):")
        lines.extend(f"export {name}={value}" for name, value in missing.items())
    for fake in emulator.fakes.values():
        if fake.exact_credentials:
            note = fake.credentials_note or f"{fake.name} needs exactly these values"
            lines.extend(textwrap.wrap(note + ":", 96, initial_indent="# ", subsequent_indent="# "))
            lines.extend(f"export {name}={value}" for name, value in fake.exact_credentials.items())
    return lines


def emulator_command() -> click.Command:
    import click

    from .config import DEFAULT_FAULTS, parse_faults

    def _faults(ctx: click.Context, param: click.Parameter, value: str) -> tuple[str, ...]:
        try:
            return parse_faults(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None

    @click.command("emulator")
    @click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
    @click.option("--port", default=8765, show_default=True, type=int, help="0 picks a free port.")
    @click.option(
        "--fault-rate",
        default=0.0,
        show_default=True,
        type=click.FloatRange(0.0, 1.0),
        help="Probability that a request gets an injected fault.",
    )
    @click.option(
        "--faults",
        default=",".join(DEFAULT_FAULTS),
        show_default=True,
        callback=_faults,
        help="Faults to draw from: 429,500,reset,slow,malformed,moderation,expired.",
    )
    @click.option("--seed", default=0, show_default=True, type=int, help="Seeds the fault RNG.")
    @click.option(
        "--polls",
        default=3,
        show_default=True,
        type=click.IntRange(min=0),
        help="Polls until a task is terminal.",
    )
    @click.option(
        "--slow-seconds",
        default=1.0,
        show_default=True,
        type=float,
        help="Delay of a 'slow' fault.",
    )
    @click.option(
        "--video-fps",
        default=8,
        show_default=True,
        type=click.IntRange(min=0),
        help="Frame rate of served MP4s (0 = each provider's real rate).",
    )
    @click.option("--url-ttl", default=None, type=float, help="Lifetime of result URLs in seconds.")
    @click.option("--provider", "providers", multiple=True, help="Serve only these providers.")
    @click.option("--print-env", is_flag=True, help="Print the export lines and exit.")
    def emulator(
        host: str,
        port: int,
        fault_rate: float,
        faults: tuple[str, ...],
        seed: int,
        polls: int,
        slow_seconds: float,
        video_fps: int,
        url_ttl: float | None,
        providers: tuple[str, ...],
        print_env: bool,
    ) -> None:
        """Serve loopback fakes of every provider API (until Ctrl-C).

        Prints the `export` lines that point reelkit at it; paste them into another shell.
        """
        from .app import create_app
        from .config import EmulatorConfig
        from .server import base_url_of, bind, make_server

        try:
            config = EmulatorConfig(
                polls_to_complete=polls,
                fault_rate=fault_rate,
                faults=faults,
                seed=seed,
                slow_seconds=slow_seconds,
                video_fps=video_fps or None,
                url_ttl=url_ttl,
                providers=providers or None,
            )
            app = create_app(config)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
        emulator = app.state.emulator
        if print_env:
            click.echo("\n".join(export_lines(emulator, f"http://{host}:{port}")))
            return
        try:
            sock = bind(host, port)
        except OSError as exc:
            raise click.ClickException(f"cannot listen on {host}:{port}: {exc}") from None
        base = base_url_of(sock)
        click.echo("\n".join(export_lines(emulator, base)))
        click.echo(
            f"reelkit emulator: serving {', '.join(emulator.providers)} on {base} "
            f"(stats: {base}/_emulator/stats); Ctrl-C stops it",
            err=True,
        )
        make_server(app, log_level="info").run(sockets=[sock])

    return emulator
