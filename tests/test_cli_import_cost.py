"""The CLI's start-up stays cheap: a listing verb imports no HTTP stack, engine, driver or
journal; ``generate --dry-run`` only what building and previewing the request needs.

Checked by the modules a real ``reelkit`` process has imported when it exits, never by timings
(docs/benchmarks.md measures the time).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

#: Nothing a listing needs: the HTTP stack, asyncio, retries, and every part that sends or
#: journals (the CLI, click and the plugins' declarations are what it does need).
NOT_FOR_LISTING = (
    "httpx",
    "httpcore",
    "h11",
    "anyio",
    "asyncio",
    "stamina",
    "sqlite3",
    "psycopg",
    "reelkit.client",
    "reelkit.engine",
    "reelkit.drivers",
    "reelkit.journal",
    "reelkit.blocking",
)
#: A dry run builds an ``httpx.Request`` (so httpx itself loads) but opens no connection and no
#: journal, and runs no event loop.
NOT_FOR_DRY_RUN = (
    "httpcore",
    "h11",
    "anyio",
    "asyncio",
    "stamina",
    "sqlite3",
    "psycopg",
    "reelkit.client",
    "reelkit.drivers",
    "reelkit.journal.sqlite",
    "reelkit.journal.postgres",
    "reelkit.blocking",
)

# Runs the installed CLI's entry point and writes the imported modules when the process exits.
RUN = """
import atexit, json, sys
atexit.register(lambda: open(sys.argv[1], "w").write(json.dumps(sorted(sys.modules))))
from reelkit_cli.main import main
main(sys.argv[2:])
"""


def imported_by(tmp_path: Path, *args: str) -> list[str]:
    out = tmp_path / "modules.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("REELKIT_")}
    env.update(REELKIT_HOME=str(tmp_path / "home"), OPENAI_API_KEY="sk-import-cost")
    done = subprocess.run(
        [sys.executable, "-c", RUN, str(out), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    json.loads(done.stdout)  # the command did its work: one JSON document on stdout
    return list(json.loads(out.read_text()))


def offenders(modules: list[str], forbidden: tuple[str, ...]) -> list[str]:
    return [m for m in modules if any(m == f or m.startswith(f + ".") for f in forbidden)]


@pytest.mark.parametrize(
    "args",
    [("providers", "--json"), ("capabilities", "veo", "--json"), ("plugins", "--json")],
    ids=["providers", "capabilities", "plugins"],
)
def test_listing_verbs_import_no_http_stack_engine_or_journal(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    modules = imported_by(tmp_path, *args)
    assert "reelkit.plugins" in modules  # it did list the installed plugins
    assert offenders(modules, NOT_FOR_LISTING) == []


@pytest.mark.parametrize("provider", ["jimeng", "sora"])
def test_a_dry_run_imports_only_what_building_the_request_needs(
    tmp_path: Path, provider: str
) -> None:
    modules = imported_by(
        tmp_path, "generate", "--dry-run", "--json", "-p", provider, "a paper boat"
    )
    assert "httpx" in modules and f"reelkit_{provider}" in modules
    assert offenders(modules, NOT_FOR_DRY_RUN) == []
