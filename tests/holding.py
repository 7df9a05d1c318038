"""Hold the emulator's tasks running (as if the provider were slow) and put things back."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HELD = 10**6  # polls before a held task finishes: never, within a test


@contextmanager
def tasks_held(server: Any) -> Iterator[Any]:
    """Tasks stay running until ``release()``; on exit every store is as it was."""
    stores = [server.emulator.context(name).store for name in server.emulator.fakes]
    original = [store.polls_to_complete for store in stores]

    def release() -> None:
        for store in stores:
            store.polls_to_complete = 1

    for store in stores:
        store.polls_to_complete = HELD
    try:
        yield release
    finally:
        for store, polls in zip(stores, original, strict=True):
            store.polls_to_complete = polls


def accepted(home: Path) -> int:
    """Jobs whose submit the journal has recorded as accepted (a task id kept)."""
    from reelkit.journal import open_journal

    if not (home / "jobs.sqlite3").exists():
        return 0
    journal = open_journal(None, home=home)
    try:
        return sum(1 for r in journal.list() if r.handle is not None)
    finally:
        journal.close()
