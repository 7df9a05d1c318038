"""``reelkit serve``: the OpenAI-compatible Videos API on ``--host``/``--port``.

Callers need a key (config ``[gateway.keys.NAME]`` or ``$REELKIT_GATEWAY_KEYS``). With none
configured the gateway refuses to start, unless it is bound to loopback *and* ``--no-auth`` is
given: anyone who can reach an open gateway spends the operator's provider credit, so an open
one is only ever reachable from this machine, and only when asked for by name.
"""

from __future__ import annotations

import ipaddress
import socket
import sys
from pathlib import Path

import click

LOOPBACK_NAMES = ("localhost",)


def _loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def command() -> click.Command:
    @click.command("serve")
    @click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
    @click.option("--port", default=8000, show_default=True, type=int, help="Port (0: a free one).")
    @click.option(
        "--no-auth",
        is_flag=True,
        help="Serve without caller keys (only on a loopback --host, and only with no keys set).",
    )
    @click.option(
        "--output-dir",
        type=click.Path(file_okay=False, path_type=Path),
        help="Where videos are saved (default: $REELKIT_HOME/gateway-videos).",
    )
    @click.option(
        "--allow-unpriced",
        is_flag=True,
        help="Under a key's budget, allow jobs whose price is unknown (refused by default).",
    )
    @click.option(
        "--adopt-after",
        default=60.0,
        show_default=True,
        type=float,
        help="Seconds without progress after which a GET follows a job its replica left.",
    )
    @click.option(
        "--new-key",
        is_flag=True,
        help="Print a fresh caller key and the config lines that admit it, then exit.",
    )
    @click.option(
        "--workers",
        "use_workers",
        is_flag=True,
        envvar="REELKIT_SERVE_WORKERS",
        help="Only record and enqueue jobs: `reelkit worker` processes submit, poll and download "
        "them (needs a PostgreSQL journal and reelkit[worker]).",
    )
    @click.option("--log-level", default="info", show_default=True, help="uvicorn's log level.")
    def serve(
        host: str,
        port: int,
        no_auth: bool,
        output_dir: Path | None,
        allow_unpriced: bool,
        adopt_after: float,
        new_key: bool,
        use_workers: bool,
        log_level: str,
    ) -> None:
        """Serve the OpenAI Videos API (/v1/videos) in front of every installed provider."""
        if new_key:
            from .keys import new_key as make_key

            key, line = make_key()
            click.echo(f"key (give it to the caller, store it nowhere else): {key}")
            click.echo(f'config:\n[gateway.keys.NAME]\nhash = "{line}"')
            return
        run(
            host=host,
            port=port,
            no_auth=no_auth,
            output_dir=output_dir,
            allow_unpriced=allow_unpriced,
            adopt_after=adopt_after,
            use_workers=use_workers,
            log_level=log_level,
        )

    return serve


def run(
    *,
    host: str,
    port: int,
    no_auth: bool,
    output_dir: Path | None,
    allow_unpriced: bool,
    adopt_after: float,
    log_level: str,
    use_workers: bool = False,
) -> None:
    import uvicorn

    from reelkit import AsyncClient
    from reelkit.config import Settings
    from reelkit.errors import ReelkitError

    from .app import Gateway, create_app
    from .keys import Keys

    try:
        settings = Settings.load()
        keys = Keys.load(settings.env, settings.files)
    except ReelkitError as exc:
        raise click.ClickException(str(exc)) from None
    if keys and no_auth:
        raise click.UsageError("--no-auth with caller keys configured: remove one or the other")
    if not keys and not no_auth:
        raise click.UsageError(
            "no caller keys: configure [gateway.keys.NAME] (reelkit serve --new-key) or "
            "REELKIT_GATEWAY_KEYS=key1,key2; or, on a loopback --host only, pass --no-auth"
        )
    if no_auth and not _loopback(host):
        raise click.UsageError(f"--no-auth serves only on loopback, not on {host}")
    if use_workers:
        try:
            import reelkit_worker  # noqa: F401
        except ImportError:
            raise click.UsageError(
                "--workers needs the worker package: pip install 'reelkit[worker]'"
            ) from None
        from reelkit.journal.urls import is_postgres

        url = settings.env.get("REELKIT_JOURNAL_URL") or settings.files.get("journal")
        if not isinstance(url, str) or not is_postgres(url.strip()):
            raise click.UsageError(
                "--workers needs a PostgreSQL journal (REELKIT_JOURNAL_URL=postgresql://...), "
                "the one the workers use"
            )
    target = output_dir or settings.home / "gateway-videos"
    target.mkdir(parents=True, exist_ok=True)

    async def make() -> Gateway:
        client = AsyncClient()
        dispatcher = None
        if use_workers:
            from reelkit_worker.dispatch import WorkerDispatcher

            dispatcher = WorkerDispatcher(client)
        return Gateway(
            client,
            keys,
            dispatcher=dispatcher,
            output_dir=target,
            auth=not no_auth,
            allow_unpriced=allow_unpriced,
            adopt_after=adopt_after,
        )

    app = create_app(make)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    bound_host, bound_port = sock.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    config = uvicorn.Config(app, log_level=log_level, access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    print(
        f"reelkit serve: OpenAI Videos API on http://{shown}:{bound_port}/v1 "
        f"({'no auth, loopback only' if no_auth else f'{len(keys)} caller key(s)'}"
        f"{'; jobs go to reelkit worker' if use_workers else ''})",
        file=sys.stderr,
        flush=True,
    )
    server.run(sockets=[sock])
