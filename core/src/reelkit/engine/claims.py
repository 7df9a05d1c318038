"""Who is submitting a claimed job, and whether they are still alive to finish it.

A job is claimed in the journal (one atomic insert per open fingerprint) by an *owner*:
``host:pid:token``, the token telling apart two processes that reused a pid. While the job is
``pending`` the owner holds a lease: it promises to resolve the submit (accepted, refused or
unknown) before ``lease_until``. Anyone following the claim waits while the owner is alive and
its lease holds; once either fails, the submit's outcome is unknown and is never resent.

A job *recorded* for workers (``AsyncClient.record``) is ``pending`` with the owner ``PLANNED``:
nothing was sent, and whichever worker takes it over (``Journal.take_over``, compare and set on
the owner) becomes its claimant.
"""

from __future__ import annotations

import os
import socket
import threading
import time

from reelkit.journal import JobRecord, default_owner
from reelkit.models import ProviderConfig

#: The owner of a recorded job no worker has taken yet (no colon: never a real claimant).
PLANNED = "planned"

_HOST = socket.gethostname()
_lock = threading.Lock()
_submitting: set[str] = set()  # job ids this process is submitting right now
_following: set[str] = set()  # job ids this process is polling or downloading right now


def owner() -> str:
    return default_owner()


def _token() -> str:
    return default_owner().rsplit(":", 1)[1]


def begin(job_id: str) -> None:
    with _lock:
        _submitting.add(job_id)


def end(job_id: str) -> None:
    with _lock:
        _submitting.discard(job_id)


def alive(record: JobRecord, *, now: float | None = None) -> bool:
    """Can the claimant of a ``pending`` job still resolve its submit?"""
    if record.lease_until is not None and (now or time.time()) > record.lease_until:
        return False
    if not record.owner:
        return False  # written by a reelkit that recorded no owner: nobody is coming back
    if record.owner == PLANNED:
        return True  # nothing was sent: a worker will submit it
    host, _, rest = record.owner.partition(":")
    pid_text, _, token = rest.partition(":")
    if host != _HOST:
        return record.lease_until is not None  # another machine: only its lease can tell
    if not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid() and token == _token():
        with _lock:
            return record.id in _submitting
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by another user
    except OSError:
        return record.lease_until is not None
    return True


def lease_seconds(config: ProviderConfig) -> float:
    """How long a submit can take: three attempts of one request, and the waits between them."""
    return 3 * (config.http_timeout_s + 15.0) + 150.0


def take(job_id: str) -> bool:
    """Become this process's one follower of a job (polls and download), if nobody is."""
    with _lock:
        if job_id in _following:
            return False
        _following.add(job_id)
        return True


def release(job_id: str) -> None:
    with _lock:
        _following.discard(job_id)
