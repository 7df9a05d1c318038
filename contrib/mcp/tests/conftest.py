"""The MCP server as agents run it: a real subprocess, spoken to by the SDK's own client, against
the provider emulator (no mocks).

The ``reelkit_emulator`` fixture points this test's environment at the emulator (base URLs,
dummy credentials, a short poll interval, a per-test ``REELKIT_HOME``); the server subprocess
inherits that environment, plus canary credentials that no tool result or log may show.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters, stdio_client

from reelkit_emulator import EmulatorConfig
from reelkit_emulator.server import RunningServer

#: Credentials the server holds; the tests assert they appear in no response and no log line.
CANARIES = {
    "XAI_API_KEY": "canary-secret-xai-7f3a9c1e5b",
    "OPENAI_API_KEY": "canary-secret-openai-2d8e4f6a0c",
}

#: A safety net for a hung server only; no test asserts how long anything takes.
CALL_TIMEOUT_S = 120.0


@pytest.fixture(scope="session")
def reelkit_emulator_config(tmp_path_factory: pytest.TempPathFactory) -> EmulatorConfig:
    # Renders are reused across sessions (the parent of basetemp outlives one session).
    return EmulatorConfig(
        cache_dir=tmp_path_factory.getbasetemp().parent / "reelkit-emulator-cache"
    )


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def output_dir(tmp_path: Path) -> Path:
    return tmp_path / "videos"


@pytest.fixture
def server_env(reelkit_emulator: RunningServer, tmp_path: Path) -> dict[str, str]:
    """The emulator's environment (set by its fixture) plus canary credentials and debug logs."""
    env = dict(os.environ)
    env.update(CANARIES)
    env["REELKIT_LOG_LEVEL"] = "DEBUG"  # the chattiest logs must still hold no secret
    env.pop("REELKIT_MAX_COST", None)
    return env


Connect = Callable[..., contextlib.AbstractAsyncContextManager[Client]]


@pytest.fixture
def connect(server_env: dict[str, str], output_dir: Path, tmp_path: Path) -> Connect:
    """``async with connect(*flags, env={...}) as client``: ``python -m reelkit_mcp`` over stdio.

    The server's stderr goes to ``tmp_path / "server.log"`` (read it with ``server_log``).
    """

    @contextlib.asynccontextmanager
    async def run(*flags: str, env: dict[str, str] | None = None) -> AsyncIterator[Client]:
        params = StdioServerParameters(
            command=sys.executable,
            args=[
                "-m",
                "reelkit_mcp",
                "--output-dir",
                str(output_dir),
                "--log-level",
                "DEBUG",
                *flags,
            ],
            env={**server_env, **(env or {})},
            cwd=str(tmp_path),
        )
        with (tmp_path / "server.log").open("a", encoding="utf-8") as log:
            async with Client(
                stdio_client(params, errlog=log), read_timeout_seconds=CALL_TIMEOUT_S
            ) as client:
                yield client

    return run


@pytest.fixture
def server_log(tmp_path: Path) -> Callable[[], str]:
    def read() -> str:
        path = tmp_path / "server.log"
        return path.read_text(encoding="utf-8") if path.exists() else ""

    return read


@pytest.fixture
def canaries() -> dict[str, str]:
    return dict(CANARIES)
