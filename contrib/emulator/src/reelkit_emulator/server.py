"""Serving the app over a real loopback socket: in a background thread (tests, benchmarks) or
in the foreground (the ``reelkit emulator`` verb)."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterable
from types import TracebackType
from typing import TYPE_CHECKING, Any

from .app import Emulator, create_app
from .config import EmulatorConfig
from .responses import ConnectionReset
from .tasks import Task

if TYPE_CHECKING:
    import uvicorn
    from starlette.applications import Starlette


class _DropInjectedResets(logging.Filter):
    """uvicorn logs every exception escaping the app; an injected reset is not worth a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, ConnectionReset)


_filter = _DropInjectedResets()


def quiet_injected_resets() -> None:
    logger = logging.getLogger("uvicorn.error")
    if _filter not in logger.filters:
        logger.addFilter(_filter)


def bind(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening socket; port 0 picks a free one (read it back from ``getsockname()``)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted sockets inherit this: without it, a response written in two pieces (headers, then
    # body) meets the client's delayed ACK and every request costs ~40 ms on loopback.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def make_server(app: Starlette, *, log_level: str = "warning") -> uvicorn.Server:
    import uvicorn

    quiet_injected_resets()
    config = uvicorn.Config(app, log_level=log_level, lifespan="off", access_log=False)
    return uvicorn.Server(config)


def base_url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class RunningServer:
    """An emulator served on a loopback port by a background thread. Stop it (or use ``with``)."""

    def __init__(self, app: Starlette, sock: socket.socket) -> None:
        self.app = app
        self.emulator: Emulator = app.state.emulator
        self.base_url = base_url_of(sock)
        self.port: int = sock.getsockname()[1]
        self._sock = sock
        self._server = make_server(app)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [sock]},
            name="reelkit-emulator",
            daemon=True,
        )

    def start(self, timeout: float = 10.0) -> RunningServer:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the reelkit emulator did not start")
            time.sleep(0.005)
        return self

    def url(self, provider: str) -> str:
        """The base URL of one fake, e.g. ``http://127.0.0.1:50123/sora``."""
        if provider not in self.emulator.fakes:
            raise KeyError(
                f"no emulator fake for {provider!r}; known: {', '.join(self.emulator.fakes)}"
            )
        return f"{self.base_url}/{provider}"

    def env(self, *, credentials: bool = True) -> dict[str, str]:
        """``REELKIT_<NAME>_BASE_URL`` for every fake (plus dummy credentials)."""
        return self.emulator.env(self.base_url, credentials=credentials)

    # --- test controls ------------------------------------------------------------------

    @property
    def config(self) -> EmulatorConfig:
        return self.emulator.config

    def stats(self) -> dict[str, dict[str, Any]]:
        """Counters keyed by provider (same JSON as ``GET /_emulator/stats``)."""
        return self.emulator.stats.snapshot()

    def reset(self) -> None:
        """Forget tasks, zero counters, restore the configured faults and the real clock."""
        self.emulator.reset()

    def faults(
        self,
        rate: float | None = None,
        kinds: Iterable[str] | str | None = None,
        seed: int | None = None,
    ) -> None:
        """Change random fault injection, e.g. ``faults(0.3, "429,500,reset,malformed", seed=1)``."""
        self.emulator.faults.configure(rate=rate, kinds=kinds, seed=seed)

    def inject(
        self,
        fault: str,
        *,
        provider: str | None = None,
        endpoint: str | None = None,
        times: int = 1,
    ) -> None:
        """Give the next ``times`` matching requests ``fault`` (e.g. ``inject("429",
        provider="sora", endpoint="poll")``). ``endpoint``: submit, poll, download or other."""
        self.emulator.faults.schedule(fault, provider=provider, endpoint=endpoint, times=times)

    def advance(self, seconds: float) -> None:
        """Move the emulator's clock forward (result links expire without waiting)."""
        self.emulator.clock.advance(seconds)

    def tasks(self, provider: str) -> list[Task]:
        """The provider's tasks, newest first."""
        return list(self.emulator.context(provider).store)

    def stop(self, timeout: float = 10.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)
        self._sock.close()

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def serve_in_thread(
    config: EmulatorConfig | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    app: Starlette | None = None,
) -> RunningServer:
    """Start the emulator on ``host:port`` (0 = a free port) in a daemon thread; returns once it
    accepts connections. ``server.base_url``, ``server.url("sora")``, ``server.stop()``."""
    app = app or create_app(config or EmulatorConfig())
    return RunningServer(app, bind(host, port)).start()
