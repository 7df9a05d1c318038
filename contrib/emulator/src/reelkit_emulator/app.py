"""The ASGI application: every provider fake under its own prefix, plus ``/_emulator/*``.

``create_app(config)`` returns a Starlette app; ``app.state.emulator`` is the :class:`Emulator`
holding the shared state (stats, faults, clock, tasks) that tests inspect and reset.

Control routes (no provider prefix, never faulted, not counted):

- ``GET /_emulator`` — providers, their prefixes and the configuration
- ``GET /_emulator/stats`` — counters keyed by provider name
- ``POST /_emulator/reset`` — forget tasks, zero counters, restore faults and clock
- ``GET|POST /_emulator/faults`` — read or change ``{"rate", "faults", "seed"}``; a ``"schedule"``
  list of ``{"fault", "provider"?, "endpoint"?, "times"?}`` queues deterministic faults
- ``POST /_emulator/clock?advance=SECONDS`` — move the clock (expires result links)
- ``GET /_emulator/blob?bytes=N`` — N bytes streamed, for download benchmarks
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from .clock import Clock
from .config import EmulatorConfig
from .faults import FaultInjector
from .media import LinkSigner, MediaCache, blob_response
from .provider import ProviderContext, ProviderFake
from .providers import discover
from .stats import Stats

#: Largest ``/_emulator/blob`` body (16 GiB): big enough for any benchmark, small enough to stop typos.
MAX_BLOB = 16 << 30


class Emulator:
    """The shared state behind one app: fakes, counters, faults, clock, media."""

    def __init__(self, config: EmulatorConfig, fakes: Iterable[ProviderFake]) -> None:
        self.config = config
        self.fakes: dict[str, ProviderFake] = {}
        for fake in fakes:
            if fake.name in self.fakes:
                raise ValueError(f"two provider fakes are named {fake.name!r}")
            self.fakes[fake.name] = fake
        self.clock = Clock()
        self.stats = Stats(self.fakes)
        self.faults = FaultInjector(config.fault_rate, config.faults, config.seed)
        self.media = MediaCache(config.resolved_cache_dir())
        signer = LinkSigner(config.secret)
        self.contexts: dict[str, ProviderContext] = {
            name: ProviderContext(
                fake,
                config=config,
                clock=self.clock,
                stats=self.stats,
                faults=self.faults,
                media=self.media,
                signer=signer,
            )
            for name, fake in self.fakes.items()
        }

    @property
    def providers(self) -> tuple[str, ...]:
        return tuple(self.fakes)

    def context(self, provider: str) -> ProviderContext:
        return self.contexts[provider]

    def reset(self) -> None:
        """Forget every task, zero the counters, restore configured faults and the real clock."""
        for ctx in self.contexts.values():
            ctx.store.reset()
        self.stats.reset()
        self.faults.reset()
        self.clock.reset()

    def env(self, base_url: str, *, credentials: bool = True) -> dict[str, str]:
        """Environment that points reelkit at this emulator served at ``base_url``."""
        base = base_url.rstrip("/")
        env = {fake.base_url_env: f"{base}/{name}" for name, fake in self.fakes.items()}
        if credentials:
            env.update(self.credentials())
        return env

    def credentials(self, *, exact: bool | None = None) -> dict[str, str]:
        """The credentials every fake accepts (``exact``: only those it verifies against, or
        only the any-value ones; None: both)."""
        out: dict[str, str] = {}
        for fake in self.fakes.values():
            if exact is not True:
                out.update(fake.credentials)
            if exact is not False:
                out.update(fake.exact_credentials)
        return out

    def describe(self) -> dict[str, Any]:
        c = self.config
        return {
            "providers": {
                n: {"prefix": f"/{n}", "env": f.base_url_env} for n, f in self.fakes.items()
            },
            "config": {
                "polls_to_complete": c.polls_to_complete,
                "queued_polls": c.queued_polls,
                "fault_rate": self.faults.rate,
                "faults": list(self.faults.kinds),
                "seed": self.faults.seed,
                "video_fps": c.video_fps,
                "url_ttl": c.url_ttl,
            },
        }

    # --- control routes -----------------------------------------------------------------

    def routes(self) -> list[BaseRoute]:
        routes: list[BaseRoute] = [
            Route("/_emulator", self._info, methods=["GET"]),
            Route("/_emulator/stats", self._stats, methods=["GET"]),
            Route("/_emulator/reset", self._reset, methods=["POST"]),
            Route("/_emulator/faults", self._faults, methods=["GET", "POST"]),
            Route("/_emulator/clock", self._clock, methods=["POST"]),
            Route("/_emulator/blob", self._blob, methods=["GET"]),
        ]
        for ctx in self.contexts.values():
            routes.extend(ctx.routes())
        return routes

    async def _info(self, request: Request) -> Response:
        return JSONResponse(self.describe())

    async def _stats(self, request: Request) -> Response:
        return JSONResponse(self.stats.snapshot())

    async def _reset(self, request: Request) -> Response:
        self.reset()
        return JSONResponse({"reset": True})

    async def _faults(self, request: Request) -> Response:
        if request.method == "POST":
            try:
                body = await request.json()
                self.faults.configure(
                    rate=body.get("rate"), kinds=body.get("faults"), seed=body.get("seed")
                )
                for item in body.get("schedule", ()):
                    self.faults.schedule(
                        item["fault"],
                        provider=item.get("provider"),
                        endpoint=item.get("endpoint"),
                        times=int(item.get("times", 1)),
                    )
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                return JSONResponse({"error": str(exc)}, status_code=400)
        f = self.faults
        return JSONResponse({"rate": f.rate, "faults": list(f.kinds), "seed": f.seed})

    async def _clock(self, request: Request) -> Response:
        try:
            self.clock.advance(float(request.query_params.get("advance", "0")))
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse({"now": self.clock.now()})

    async def _blob(self, request: Request) -> Response:
        raw = request.query_params.get("bytes", "")
        if not raw.isdigit() or int(raw) > MAX_BLOB:
            return JSONResponse(
                {"error": f"bytes must be an integer in 0..{MAX_BLOB}"}, status_code=400
            )
        return blob_response(int(raw))


def create_app(
    config: EmulatorConfig | None = None, *, fakes: Sequence[ProviderFake] | None = None
) -> Starlette:
    """The emulator as an ASGI app. ``fakes`` replaces the built-in fakes (e.g. a third-party
    plugin's own); ``config.providers`` selects among them by name."""
    config = config or EmulatorConfig()
    chosen = list(fakes) if fakes is not None else discover()
    if config.providers is not None:
        known = {f.name for f in chosen}
        unknown = sorted(set(config.providers) - known)
        if unknown:
            raise ValueError(
                f"no emulator fake for {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        chosen = [f for f in chosen if f.name in config.providers]
    emulator = Emulator(config, chosen)
    app = Starlette(routes=emulator.routes())
    app.state.emulator = emulator
    return app
