"""The ``reelkit emulator`` verb, added to the reelkit CLI through ``reelkit_register_commands``.

click is imported inside the hook: loading this plugin costs nothing until the CLI runs.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from reelkit.hookspecs import hookimpl

if TYPE_CHECKING:
    import click

    from .provider import ProviderFake

#: ``REELKIT_POLL_INTERVAL`` suggested with the exports: emulated tasks finish in a few polls.
POLL_INTERVAL = "0.5"


@hookimpl
def reelkit_register_commands(cli: Any) -> None:
    cli.add_command(emulator_command())


def export_lines(
    env: dict[str, str], credentials: dict[str, str], fakes: Iterable[ProviderFake] = ()
) -> list[str]:
    """The shell lines printed at start: base URLs, a short poll interval, dummy credentials for
    the variables that are not set already, and, always, the credentials a fake verifies a
    signature with (any other secret would fail), with the reason."""
    lines = [f"export {name}={value}" for name, value in env.items()]
    lines.append(f"export REELKIT_POLL_INTERVAL={POLL_INTERVAL}")
    signed = [fake for fake in fakes if fake.signed_with]
    exact = {name for fake in signed for name in fake.signed_with}
    missing = {k: v for k, v in credentials.items() if not os.environ.get(k) and k not in exact}
    if missing:
        lines.append("# dummy credentials (the emulator accepts any non-empty value):")
        lines.extend(f"export {name}={value}" for name, value in missing.items())
    for fake in signed:
        *ids, secret = fake.signed_with
        own = "" if not ids else f"{ids[0].split('_')[0]}_* "
        lines += [
            f"# {fake.name}: every request is signed with {secret} (HMAC) and the emulator checks",
            "# the signature, so it must know that secret. Keep these lines after any "
            f"{own}keys of",
            "# your own (another secret gets SignatureDoesNotMatch)"
            + (", or start the emulator with" if fake.signing_secret_env else "."),
        ]
        if fake.signing_secret_env:
            lines.append(f"# {fake.signing_secret_env} set to your secret instead.")
        lines.extend(f"export {name}={fake.credentials[name]}" for name in (*ids, secret))
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
        credentials: dict[str, str] = {}
        for fake in emulator.fakes.values():
            credentials.update(fake.credentials)
        if print_env:
            base = f"http://{host}:{port}"
            click.echo(
                "\n".join(
                    export_lines(
                        emulator.env(base, credentials=False), credentials, emulator.fakes.values()
                    )
                )
            )
            return
        try:
            sock = bind(host, port)
        except OSError as exc:
            raise click.ClickException(f"cannot listen on {host}:{port}: {exc}") from None
        base = base_url_of(sock)
        click.echo(
            "\n".join(
                export_lines(
                    emulator.env(base, credentials=False), credentials, emulator.fakes.values()
                )
            )
        )
        click.echo(
            f"reelkit emulator: serving {', '.join(emulator.providers)} on {base} "
            f"(stats: {base}/_emulator/stats); Ctrl-C stops it",
            err=True,
        )
        make_server(app, log_level="info").run(sockets=[sock])

    return emulator
