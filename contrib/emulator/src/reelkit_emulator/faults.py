"""Deterministic fault injection.

Every request to a provider route belongs to one *endpoint kind* (``submit``, ``poll``,
``download``, ``other``). Before the handler runs, the injector draws from a seeded RNG (one
stream per provider, so traffic to one provider never changes another's faults): with
probability ``rate`` the request gets one of the enabled faults applicable to its kind.
Faults scheduled with :meth:`FaultInjector.schedule` are consumed first, in order, so a test can
say "the next sora poll answers 429" without any randomness.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable

import attrs

from .config import FAULT_KINDS, parse_faults

ENDPOINT_KINDS: tuple[str, ...] = ("submit", "poll", "download", "other")

_ANY_ENDPOINT = frozenset({"429", "500", "reset", "slow", "malformed"})

#: Which faults make sense on which kind of endpoint.
APPLICABLE: dict[str, frozenset[str]] = {
    # "moderation" on a submit creates a task that ends failed with the provider's moderation error.
    "submit": _ANY_ENDPOINT | {"moderation"},
    "poll": _ANY_ENDPOINT,
    # "expired" answers a download the way the CDN answers an expired link.
    "download": _ANY_ENDPOINT | {"expired"},
    "other": _ANY_ENDPOINT,
}


@attrs.define
class _Scheduled:
    fault: str
    provider: str | None
    endpoint: str | None
    times: int


class FaultInjector:
    """Random faults at a rate, plus an ordered queue of scheduled faults. Thread-safe."""

    def __init__(self, rate: float, kinds: Iterable[str], seed: int) -> None:
        self._lock = threading.Lock()
        self._initial = (rate, parse_faults(kinds), seed)
        self.reset()

    def reset(self) -> None:
        """Back to the configured rate, kinds and seed; drop scheduled faults."""
        with self._lock:
            self.rate, self.kinds, self.seed = self._initial
            self._rngs: dict[str, random.Random] = {}
            self._queue: list[_Scheduled] = []

    def configure(
        self,
        rate: float | None = None,
        kinds: Iterable[str] | str | None = None,
        seed: int | None = None,
    ) -> None:
        """Change the random faults at run time (a new seed restarts every stream)."""
        with self._lock:
            if rate is not None:
                if not 0.0 <= rate <= 1.0:
                    raise ValueError(f"fault rate must lie in [0, 1], got {rate}")
                self.rate = rate
            if kinds is not None:
                self.kinds = parse_faults(kinds)
            if seed is not None:
                self.seed = seed
                self._rngs = {}

    def schedule(
        self,
        fault: str,
        *,
        provider: str | None = None,
        endpoint: str | None = None,
        times: int = 1,
    ) -> None:
        """Inject ``fault`` into the next ``times`` matching requests (None matches any)."""
        if fault not in FAULT_KINDS:
            raise ValueError(f"unknown fault {fault!r}; allowed: {', '.join(FAULT_KINDS)}")
        if endpoint is not None and endpoint not in ENDPOINT_KINDS:
            raise ValueError(
                f"unknown endpoint kind {endpoint!r}; allowed: {', '.join(ENDPOINT_KINDS)}"
            )
        if endpoint is not None and fault not in APPLICABLE[endpoint]:
            raise ValueError(f"fault {fault!r} does not apply to {endpoint} endpoints")
        with self._lock:
            self._queue.append(_Scheduled(fault, provider, endpoint, times))

    def draw(self, provider: str, endpoint: str) -> str | None:
        """The fault for this request, or None. Consumes the RNG exactly once per call."""
        applicable = APPLICABLE[endpoint]
        with self._lock:
            for item in self._queue:
                if (
                    item.fault in applicable
                    and item.provider in (None, provider)
                    and item.endpoint in (None, endpoint)
                ):
                    item.times -= 1
                    if item.times <= 0:
                        self._queue.remove(item)
                    return item.fault
            if self.rate <= 0.0:
                return None
            rng = self._rngs.get(provider)
            if rng is None:
                rng = self._rngs[provider] = random.Random(f"{self.seed}:{provider}")
            roll = rng.random()
            choices = [k for k in self.kinds if k in applicable]
            # Always draw the choice too, so the stream does not depend on which kinds apply.
            pick = rng.random()
            if roll >= self.rate or not choices:
                return None
            return choices[int(pick * len(choices))]
