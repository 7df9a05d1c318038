"""The one retry policy: which failures are tried again, how often, and how long to wait.

Every exchange goes through ``Policy.decide`` in the engine; the drivers send exactly once per
effect. The bounds, per operation:

========== ======================================= =======================================
operation  tried again on                          requests at most
========== ======================================= =======================================
submit     refused connection / connect timeout,   3 (it provably never left, or a 429
           429                                     says the provider did not take it)
poll       transport errors, 429, 5xx, retryable   6 consecutive failures, then the error
           provider errors                         surfaces; the job stays resumable
download   transport errors, 429, 5xx, a           3 per redirect hop
           truncated or malformed body
cancel,    transport errors, 429, 5xx              3
list
========== ======================================= =======================================

A ``Retry-After`` (or ``openai-poll-after-ms``) hint is honoured up to ``MAX_HINT_S``.
"""

from __future__ import annotations

import random

import attrs
import httpx

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
NEVER_LEFT: tuple[type[Exception], ...] = (httpx.ConnectError, httpx.ConnectTimeout)
MAX_HINT_S = 60.0

_testing = False


def set_testing(enabled: bool) -> None:
    """Waits become zero (for test suites), the counts stay the same."""
    global _testing
    _testing = enabled


@attrs.frozen
class Policy:
    attempts: int
    wait_initial: float = 0.5
    wait_max: float = 10.0

    def wait(self, attempt: int, hint: float | None = None) -> float:
        """Seconds before attempt ``attempt + 1`` (``attempt`` counts from 1): jittered, capped."""
        if _testing:
            return 0.0
        base = min(self.wait_initial * 2.0 ** (attempt - 1), self.wait_max)
        jittered = base * (0.8 + 0.4 * random.random())
        return max(jittered, min(hint, MAX_HINT_S)) if hint is not None else jittered


SUBMIT = Policy(attempts=3, wait_initial=1.0)
EXCHANGE = Policy(attempts=3)  # cancel, list, each download hop
POLL_ERRORS = 6  # consecutive failing polls before the error surfaces


def poll_backoff(errors: int, interval: float, hint: float | None = None) -> float:
    """Wait after the ``errors``-th consecutive failing poll: from the interval, doubling, ≤ 120 s."""
    if _testing:
        return 0.0
    base = min(max(interval, 1.0) * float(min(2 ** max(errors - 1, 0), 32)), 120.0)
    wait = base * (0.8 + 0.4 * random.random())
    return max(wait, min(hint, MAX_HINT_S)) if hint is not None else wait


def pause(seconds: float) -> float:
    """A fixed wait between tries of something that must not give up quickly (0 in tests)."""
    return 0.0 if _testing else seconds
