"""Per-provider counters served at ``GET /_emulator/stats``.

``submits`` counts tasks actually created (a faulted or rejected submit creates none), ``polls``
status answers for a known task, ``downloads`` media bodies served, ``faults`` injected faults
(``fault_kinds`` breaks them down), ``rejected`` the 4xx answers of validation and credential
checks, ``requests`` every request that reached a provider route. With only the replacing faults
(429, 500, reset, malformed, expired) enabled, ``requests == submits + polls + downloads + faults
+ rejected + other``, where ``other`` counts answered requests of no counted kind (list, delete, ...).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

COUNTERS: tuple[str, ...] = (
    "submits",
    "polls",
    "downloads",
    "faults",
    "rejected",
    "other",
    "requests",
    "callbacks",  # POSTs the fakes sent to a callback URL (outgoing: not in ``requests``)
)


class Stats:
    """Thread-safe counters: the server thread writes, the test thread reads."""

    def __init__(self, providers: Iterable[str]) -> None:
        self._lock = threading.Lock()
        self._providers = tuple(providers)
        self._data: dict[str, dict[str, Any]] = {}
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._data = {p: self._empty() for p in self._providers}

    @staticmethod
    def _empty() -> dict[str, Any]:
        return {**dict.fromkeys(COUNTERS, 0), "fault_kinds": {}}

    def incr(self, provider: str, counter: str, n: int = 1) -> None:
        if counter not in COUNTERS:
            raise KeyError(counter)
        with self._lock:
            self._data.setdefault(provider, self._empty())[counter] += n

    def fault(self, provider: str, kind: str) -> None:
        with self._lock:
            row = self._data.setdefault(provider, self._empty())
            row["faults"] += 1
            row["fault_kinds"][kind] = row["fault_kinds"].get(kind, 0) + 1

    def snapshot(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            return {
                p: {**row, "fault_kinds": dict(row["fault_kinds"])} for p, row in self._data.items()
            }


class ProviderStats:
    """The counters of one provider (what a fake's handlers see as ``ctx.stats``)."""

    def __init__(self, stats: Stats, provider: str) -> None:
        self._stats = stats
        self.provider = provider

    def incr(self, counter: str, n: int = 1) -> None:
        self._stats.incr(self.provider, counter, n)

    def fault(self, kind: str) -> None:
        self._stats.fault(self.provider, kind)

    def snapshot(self) -> dict[str, Any]:
        return self._stats.snapshot().get(self.provider, {})
