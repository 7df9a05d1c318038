"""What the orchestration asks a driver to do. The drivers are the only code that sends or sleeps."""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
from typing import Any, TypeVar

import attrs
import httpx


@attrs.frozen
class Send:
    """Send a request and return the read ``httpx.Response``.

    ``idempotent`` requests (polls, downloads, cancels) are retried on transport errors, 429 and
    5xx. A non-idempotent one (a paid submit) is retried only when it provably never left: a
    refused connection, or a 429 that says the provider did not take it.
    """

    provider: str
    request: httpx.Request
    auth: httpx.Auth | None
    idempotent: bool


@attrs.frozen
class Sleep:
    seconds: float


@attrs.frozen
class Fetch:
    """Stream a response body into a new temporary file in ``directory`` (no redirects followed)."""

    provider: str
    request: httpx.Request
    auth: httpx.Auth | None
    directory: Path


@attrs.frozen
class Fetched:
    status: int
    headers: httpx.Headers
    temp_path: Path | None = None  # set for 2xx
    size: int = 0
    location: str | None = None  # set for redirects
    snippet: str = ""  # start of an error body


Effect = Send | Sleep | Fetch
T = TypeVar("T")
Flow = Generator[Effect, Any, T]
