"""``reelkit serve`` as deployed: a real process (uvicorn on a free loopback port) in front of
the provider emulator, spoken to by the official ``openai`` SDK. No mocks.

The ``reelkit_emulator`` fixture points this test's environment at the emulator (base URLs,
dummy credentials, a short poll interval, a per-test ``REELKIT_HOME``); the gateway process
inherits it, plus a webhook secret, development caller keys and canary credentials that no
response or log line may show.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from reelkit_emulator import EmulatorConfig
from reelkit_emulator.server import RunningServer

#: Caller keys of REELKIT_GATEWAY_KEYS (named dev-1 and dev-2 by the gateway).
DEV_KEYS = ("key-one-3b9f1c7d2e8a", "key-two-6c0d4e2f9a1b")
#: Credentials the gateway holds; no response body or log line may show them.
CANARIES = {"OPENAI_API_KEY": "canary-secret-openai-5e1a7c9d3b", "ARK_API_KEY": "canary-ark-8d2b6f"}
WEBHOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#: A safety net for a server that never comes up, not a speed check.
STARTUP_SAFETY_S = 120.0


@pytest.fixture(scope="session")
def reelkit_emulator_config(tmp_path_factory: pytest.TempPathFactory) -> EmulatorConfig:
    # Renders are reused across sessions (the parent of basetemp outlives one session).
    return EmulatorConfig(
        cache_dir=tmp_path_factory.getbasetemp().parent / "reelkit-emulator-cache"
    )


class Gateway:
    def __init__(self, process: subprocess.Popen[bytes], url: str, log: Path) -> None:
        self.process = process
        self.url = url  # http://127.0.0.1:PORT
        self.log = log

    @property
    def base_url(self) -> str:
        return self.url + "/v1"

    def logs(self) -> str:
        return self.log.read_text("utf-8", "replace")


Start = Callable[..., Gateway]


@pytest.fixture
def gateway_env(reelkit_emulator: RunningServer) -> dict[str, str]:
    env = dict(os.environ)
    env.update(CANARIES)
    env["REELKIT_GATEWAY_KEYS"] = ",".join(DEV_KEYS)
    env["REELKIT_WEBHOOK_SECRET"] = WEBHOOK_SECRET
    env["REELKIT_WEBHOOK_RETRY_SCALE"] = "0.01"  # retries within a second, not minutes
    env.pop("REELKIT_MAX_COST", None)
    env.pop("OPENAI_BASE_URL", None)  # the SDK under test is pointed at the gateway explicitly
    return env


@pytest.fixture
def start_gateway(gateway_env: dict[str, str], tmp_path: Path) -> Iterator[Start]:
    """``start_gateway(*flags, env={...})``: ``python -m reelkit_gateway`` on a free port."""
    running: list[subprocess.Popen[bytes]] = []

    def start(*flags: str, env: dict[str, str] | None = None) -> Gateway:
        log = tmp_path / f"gateway-{len(running)}.log"
        full_env = {**gateway_env, **(env or {})}
        full_env = {k: v for k, v in full_env.items() if v is not None}
        with log.open("wb") as errors:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "reelkit_gateway",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    "0",
                    "--output-dir",
                    str(tmp_path / "gateway-videos"),
                    "--log-level",
                    "warning",
                    *flags,
                ],
                env=full_env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=errors,
            )
        running.append(process)
        url = _wait_until_up(process, log)
        return Gateway(process, url, log)

    yield start
    for process in running:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def gateway(start_gateway: Start) -> Gateway:
    return start_gateway()


@pytest.fixture
def dev_keys() -> tuple[str, ...]:
    return DEV_KEYS


@pytest.fixture
def canaries() -> dict[str, str]:
    return CANARIES


@pytest.fixture
def webhook_secret() -> str:
    return WEBHOOK_SECRET


def _wait_until_up(process: subprocess.Popen[bytes], log: Path) -> str:
    deadline = time.monotonic() + STARTUP_SAFETY_S
    url = None
    while time.monotonic() < deadline:
        text = log.read_text("utf-8", "replace")
        if process.poll() is not None:
            raise AssertionError(f"the gateway exited ({process.returncode}): {text}")
        found = re.search(r"on (http://\S+)/v1", text)
        if found:
            url = found.group(1)
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url + "/healthz", timeout=5).status_code == 200:
                    return url
        time.sleep(0.05)
    raise AssertionError(f"the gateway did not come up at {url}: {log.read_text()}")
