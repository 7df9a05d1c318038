"""pytest plugin (entry point ``pytest11``): the ``reelkit_emulator`` fixture.

One emulator is served per test session on a free loopback port; each test that asks for
``reelkit_emulator`` gets it reset (no tasks, zero counters, configured faults, real clock) and
its environment pointed at it::

    def test_generate(reelkit_emulator):
        result = reelkit.generate("a cat", provider="sora", output=tmp_path)
        assert reelkit_emulator.stats()["sora"]["submits"] == 1

Override ``reelkit_emulator_config`` (session scope) to change the configuration.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .config import EmulatorConfig
from .server import RunningServer, serve_in_thread

#: Poll interval the fixture sets: emulated tasks finish within a few polls.
TEST_POLL_INTERVAL = "0.01"


@pytest.fixture(scope="session")
def reelkit_emulator_config() -> EmulatorConfig:
    """The configuration of the session's emulator. Override it in a ``conftest.py``."""
    return EmulatorConfig()


@pytest.fixture(scope="session")
def reelkit_emulator_server(reelkit_emulator_config: EmulatorConfig) -> Iterator[RunningServer]:
    """The session's emulator, served on a free loopback port by a background thread."""
    server = serve_in_thread(reelkit_emulator_config)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def reelkit_emulator(
    reelkit_emulator_server: RunningServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> Iterator[RunningServer]:
    """The emulator, reset, with this test's environment pointing reelkit at it.

    Sets ``REELKIT_<NAME>_BASE_URL`` for every fake, dummy credentials (replacing real ones, so
    a test can never spend money), ``OPENAI_BASE_URL`` (the official SDK then talks to the
    sora fake), a short ``REELKIT_POLL_INTERVAL`` and a per-test ``REELKIT_HOME``.
    """
    server = reelkit_emulator_server
    server.reset()
    for name, value in server.env().items():
        monkeypatch.setenv(name, value)
    if "sora" in server.emulator.fakes:
        monkeypatch.setenv("OPENAI_BASE_URL", server.url("sora") + "/v1")
    monkeypatch.setenv("REELKIT_POLL_INTERVAL", TEST_POLL_INTERVAL)
    monkeypatch.setenv("REELKIT_HOME", str(tmp_path / "reelkit-home"))
    yield server
    server.reset()
