"""Settings for every test under this repository (tests/, plugins/*/tests, contrib/*/tests)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from reelkit import retry

ROOT = Path(__file__).resolve().parent


@pytest.fixture(autouse=True)
def _retries_without_waiting() -> Iterator[None]:
    # Retried as often as in production, without the backoff waits.
    retry.set_testing(True)
    yield
    retry.set_testing(False)


def _keep_hypothesis_out_of_the_tree(config: pytest.Config) -> None:
    # Hypothesis keeps its example database and constants cache in ./.hypothesis by default (and
    # fills the cache while collecting). Beside the pytest temp directories instead: their parent
    # outlives a session, so failing examples are still replayed by the next run.
    try:
        from hypothesis import configuration
    except ImportError:
        return
    factory: pytest.TempPathFactory = config._tmp_path_factory  # type: ignore[attr-defined]  # tmp_path_factory's
    configuration.set_hypothesis_home_dir(factory.getbasetemp().parent / "hypothesis")


# --- a test run leaves the working tree as it found it ------------------------------------------

# Caches of the interpreter and the tools, which they write wherever they run: not test output.
TOOL_CACHES = {".venv", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
GIT_STATUS = (
    "git",
    "status",
    "--porcelain=v1",
    "-z",
    "--ignored",
    "--untracked-files=all",
    "--",
    ".",
)
_BEFORE = pytest.StashKey[dict[str, str]]()
_CHANGED = pytest.StashKey[list[str]]()


def _tree_state() -> dict[str, str] | None:
    """What ``git status`` reports under ROOT, ignored files included: path -> status. Untracked
    and ignored files also carry their size and mtime, so a rewritten output file shows. A tracked
    file keeps only its status, so editing a modified file while the tests run is no finding.
    None outside a git checkout."""
    try:
        done = subprocess.run(
            GIT_STATUS,
            cwd=ROOT,
            capture_output=True,
            check=False,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    top = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    environment = Path(sys.prefix).resolve()
    state: dict[str, str] = {}
    fields = iter(done.stdout.decode("utf-8", "surrogateescape").split("\0"))
    for entry in fields:
        code, path = entry[:2], entry[3:]
        if "R" in code or "C" in code:
            next(fields, None)  # a rename's or copy's source path follows as a field of its own
        full = Path(top, path)
        if (
            not path
            or TOOL_CACHES.intersection(Path(path).parts)
            or full.is_relative_to(environment)
        ):
            continue
        if code in ("??", "!!"):
            try:
                stat = full.lstat()
            except OSError:
                continue
            code += f" {stat.st_size} {stat.st_mtime_ns}"
        state[path] = code
    return state


def pytest_sessionstart(session: pytest.Session) -> None:
    _keep_hypothesis_out_of_the_tree(session.config)
    state = _tree_state()
    if state is not None:
        session.config.stash[_BEFORE] = state


def pytest_sessionfinish(session: pytest.Session) -> None:
    before = session.config.stash.get(_BEFORE, None)
    after = _tree_state() if before is not None else None
    if before is None or after is None:
        return
    changed = sorted(
        f"{path}: {'gone' if path not in after else after[path].split(' ')[0]}"
        for path in before.keys() | after.keys()
        if before.get(path) != after.get(path)
    )
    if changed:
        session.config.stash[_CHANGED] = changed
        if session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    changed = terminalreporter.config.stash.get(_CHANGED, [])
    if changed:
        terminalreporter.section("the test run changed the working tree", red=True, bold=True)
        terminalreporter.line(
            "Tests write only under temporary directories (tmp_path); these paths changed:"
        )
        for line in changed:
            terminalreporter.line(f"  {line}")
