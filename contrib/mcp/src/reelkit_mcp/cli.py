"""``reelkit mcp``: serve the tools over stdio (default) or streamable HTTP.

stdout belongs to the protocol on stdio: everything this command says goes to stderr.
"""

from __future__ import annotations

import socket
import sys
from pathlib import Path
from typing import Any

import click

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _money(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    if value is None:
        return None
    from reelkit.budget import Budget
    from reelkit.errors import InvalidRequest

    try:
        return Budget.parse(value, field=param.name or "amount")
    except InvalidRequest as exc:
        raise click.BadParameter(str(exc)) from None


def _names(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> tuple[str, ...]:
    # Repeatable and comma-separated (an environment variable holds "sora,veo").
    return tuple(n.strip() for item in value for n in item.split(",") if n.strip())


def command() -> click.Command:
    @click.command("mcp")
    @click.option(
        "--transport",
        type=click.Choice(["stdio", "streamable-http"]),
        default="stdio",
        show_default=True,
        help="stdio for a local agent; streamable-http for remote ones.",
    )
    @click.option("--host", default="127.0.0.1", show_default=True, help="HTTP: interface.")
    @click.option(
        "--port", default=8000, show_default=True, type=int, help="HTTP: port (0: a free one)."
    )
    @click.option("--path", "http_path", default="/mcp", show_default=True, help="HTTP: endpoint.")
    @click.option(
        "--max-cost-per-job",
        callback=_money,
        envvar="REELKIT_MCP_MAX_COST_PER_JOB",
        metavar="USD|'AMOUNT CUR'",
        help="Refuse any job whose estimate exceeds this.",
    )
    @click.option(
        "--budget",
        callback=_money,
        envvar="REELKIT_MCP_BUDGET",
        metavar="USD|'AMOUNT CUR'",
        help="Refuse jobs once the estimates of those this process submitted would exceed this.",
    )
    @click.option(
        "--allow-unpriced",
        is_flag=True,
        envvar="REELKIT_MCP_ALLOW_UNPRICED",
        help="Under a limit, allow jobs whose price is unknown (refused by default).",
    )
    @click.option(
        "--allow-provider",
        "providers",
        multiple=True,
        callback=_names,
        envvar="REELKIT_MCP_PROVIDERS",
        metavar="NAME",
        help="Only these providers (repeatable or comma-separated; default: every one).",
    )
    @click.option(
        "--output-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("~/reelkit-videos"),
        envvar="REELKIT_MCP_OUTPUT_DIR",
        show_default=True,
        help="Every video goes under this folder; an `output` outside it is refused.",
    )
    @click.option(
        "--log-level",
        type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
        default="WARNING",
        show_default=True,
        help="Server log level (stderr). Logs never show credentials.",
    )
    def mcp(
        transport: str,
        host: str,
        port: int,
        http_path: str,
        max_cost_per_job: Any,
        budget: Any,
        allow_unpriced: bool,
        providers: tuple[str, ...],
        output_dir: Path,
        log_level: str,
    ) -> None:
        """Serve reelkit to agents over the Model Context Protocol (docs/mcp.md).

        Credentials come from this process's environment and never appear in a tool result
        or a log line.
        """
        from reelkit.errors import ReelkitError

        from .server import build
        from .service import Service

        try:
            service = Service(
                output_dir=output_dir,
                max_cost_per_job=max_cost_per_job,
                budget=budget,
                allow_unpriced=allow_unpriced,
                providers=providers,
            )
        except ReelkitError as exc:
            raise click.UsageError(str(exc)) from None
        server = build(service, log_level=log_level)
        if transport == "stdio":
            server.run("stdio")
            return
        if host not in LOOPBACK:
            click.echo(
                f"reelkit mcp: warning: serving on {host} without authentication: anyone who can "
                "reach it can spend the budget",
                err=True,
            )
        import anyio

        anyio.run(_serve_http, server, host, port, http_path, log_level)

    return mcp


async def _serve_http(server: Any, host: str, port: int, path: str, log_level: str) -> None:
    import uvicorn

    from .server import scrub_logs

    app = server.streamable_http_app(streamable_http_path=path, host=host)
    sock = _bind(host, port)  # bound first, so --port 0 can say which port it got
    config = uvicorn.Config(app, log_level=log_level.lower(), access_log=False)
    scrub_logs()
    bound = sock.getsockname()
    shown = f"[{bound[0]}]" if ":" in bound[0] else bound[0]
    print(
        f"reelkit mcp: serving streamable HTTP on http://{shown}:{bound[1]}{path}", file=sys.stderr
    )
    sys.stderr.flush()
    await uvicorn.Server(config).serve(sockets=[sock])


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc}") from None
    sock.listen(128)
    return sock
