"""Real parts only: a PostgreSQL journal (tests/pg_server.py), the emulator on loopback as every
provider, and ``reelkit worker`` processes."""

from __future__ import annotations

import os
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from pg_server import postgres_server, postgres_url
from worker_harness import Workers

from reelkit_emulator import EmulatorConfig, RunningServer, serve_in_thread

__all__ = ["postgres_server", "postgres_url"]


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    config = EmulatorConfig(
        polls_to_complete=2,
        queued_polls=0,
        providers=("sora", "seedance"),
        cache_dir=tmp_path_factory.mktemp("videos"),
        poll_hint_ms=100,
        callback_after_s=0.3,
        slow_seconds=0.5,
    )
    server = serve_in_thread(config)
    try:
        yield server
    finally:
        server.stop()


def with_password(url: str) -> str:
    """A URL whose userinfo has a password (the test server trusts any): a bare user would be
    taken for a token and masked in every later test's messages ("postgres" → "***")."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is None or parts.password is not None:
        return url
    netloc = f"{parts.username}:reelkit-test-password@{parts.netloc.rpartition('@')[2]}"
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


@pytest.fixture
def service_env(
    emulator: RunningServer,
    postgres_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> dict[str, str]:
    """The environment of every worker and client of one test: one journal, one emulator, no
    real credentials, the test's own directory."""
    emulator.reset()
    for name in list(os.environ):
        if name.startswith("REELKIT_"):
            monkeypatch.delenv(name)
    env = {
        **emulator.env(),
        "REELKIT_JOURNAL_URL": with_password(postgres_url),
        "REELKIT_HOME": str(tmp_path / "home"),
        "REELKIT_POLL_INTERVAL": "0.2",
    }
    for name, value in env.items():  # for the clients in this process
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    return env


@pytest.fixture
def workers(service_env: dict[str, str], tmp_path: Path) -> Iterator[Workers]:
    logs = tmp_path / "logs"
    logs.mkdir()
    running = Workers(service_env, logs)
    try:
        yield running
    finally:
        running.stop()
