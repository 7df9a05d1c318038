"""Settings for every test under this repository (tests/, plugins/*/tests, contrib/*/tests)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reelkit import retry


@pytest.fixture(autouse=True)
def _retries_without_waiting() -> Iterator[None]:
    # Retried as often as in production, without the backoff waits.
    retry.set_testing(True)
    yield
    retry.set_testing(False)
