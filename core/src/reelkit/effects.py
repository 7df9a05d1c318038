"""What the orchestration asks a driver to do. The drivers are the only code that sends, sleeps
or blocks; everything that decides (retries included) stays in the engine, once for both clients.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from pathlib import Path
from typing import IO, Any, TypeVar

import attrs
import httpx


@attrs.frozen
class Send:
    """Send a request once and return the read ``httpx.Response`` (or raise the transport error).

    The driver never retries: the engine's one retry policy (``reelkit.retry``) decides, from
    ``idempotent``, whether another attempt may be made.
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
    """Stream a response body into a new temporary file in ``directory`` (no redirects followed).

    The file is named ``{prefix}<random>.part`` so a job's leftovers can be found and removed.
    """

    provider: str
    request: httpx.Request
    auth: httpx.Auth | None
    directory: Path
    prefix: str = ".reelkit-"


@attrs.frozen
class Fetched:
    status: int
    headers: httpx.Headers
    temp_path: Path | None = None  # set for 2xx
    size: int = 0
    location: str | None = None  # set for redirects
    snippet: str = ""  # start of an error body
    # The written file, still open: its lock tells other processes it is not a leftover until
    # it has been verified and renamed (closing it is the verifier's job).
    handle: IO[bytes] | None = None


@attrs.frozen
class Offload:
    """Run blocking work (the journal, files, renames, probing) and return its result.

    The sync driver calls it in place; the async driver runs it in a worker thread so the event
    loop never stalls on SQLite, ``os.replace`` or a disk write.
    """

    func: Callable[[], Any]


Effect = Send | Sleep | Fetch | Offload
T = TypeVar("T")
Flow = Generator[Effect, Any, T]
