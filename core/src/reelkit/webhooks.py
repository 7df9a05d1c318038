"""Webhooks out: a signed Standard Webhooks event when a job with a ``webhook_url`` ends.

A job created with ``webhook_url`` owes one event (``webhook_state = "owed"`` in the journal,
written with the job, before anything is sent). Once the job is in a terminal state
(downloaded, failed, cancelled) the ``Outbox`` of whichever process sees it due sends it: a JSON
body ``{"type", "timestamp", "data"}`` signed by the ``standardwebhooks`` library (headers
``webhook-id``, ``webhook-timestamp``, ``webhook-signature``) with the secret in
``$REELKIT_WEBHOOK_SECRET`` or the config's ``[webhooks] secret`` (``whsec_...``).

Every attempt is recorded in the job's row (``webhook_attempts``); a failed one (no answer, or
not 2xx) is tried again on ``SCHEDULE``, whose next time is stored, so a process started later
delivers what is still owed (``Outbox.deliver_due``). Before an attempt the process leases it in
the journal (an atomic compare-and-set on ``webhook_next_at``): of several processes, one sends.
The ``webhook-id`` is the same for every attempt of an event, so a receiver can drop repeats.

``standardwebhooks`` is imported only when an event is signed: ``import reelkit`` stays light.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from . import redact
from .errors import ConfigurationError, InvalidRequest

if TYPE_CHECKING:
    import httpx

    from .config import Settings
    from .journal import JobRecord, Journal

log = logging.getLogger("reelkit")

SECRET_ENV = "REELKIT_WEBHOOK_SECRET"
# Seconds before each attempt after a failure: the schedule Svix, the authors of the Standard
# Webhooks specification (https://www.standardwebhooks.com), documents for its own deliveries
# (immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h; https://docs.svix.com/retries, read
# 2026-12-02). $REELKIT_WEBHOOK_RETRY_SCALE multiplies it (the tests use 0.01).
SCHEDULE: tuple[float, ...] = (0, 5, 300, 1800, 7200, 18000, 36000, 36000)
ATTEMPT_TIMEOUT_S = 15.0  # one attempt; a receiver should answer at once and work later
LEASE_S = 60.0  # an attempt under way holds the event this long (more than its timeout)
IDLE_S = 5.0  # how often a running outbox looks for events owed by other processes' jobs

#: The event ``type`` for each terminal job state.
EVENT_TYPES = {
    "downloaded": "video.completed",
    "failed": "video.failed",
    "cancelled": "video.cancelled",
}


def check_url(url: object, settings: Settings) -> str:
    """A webhook URL reelkit can deliver to: http(s), a host, and a signing secret configured."""
    if not isinstance(url, str) or not url.strip():
        raise InvalidRequest("webhook_url", "must be a URL", allowed="http(s)://HOST/PATH")
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidRequest(
            "webhook_url",
            f"{redact.redact_url(url)!r} is not an http(s) URL",
            allowed="http(s)://HOST/PATH",
        )
    secret(settings)  # refused now, not after the job was paid for
    return url.strip()


def secret(settings: Settings) -> str:
    value = settings.env.get(SECRET_ENV) or settings.files.get("webhooks", {}).get("secret")
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError(
            "webhook_url",
            f"a webhook needs a signing secret: set ${SECRET_ENV} or [webhooks] secret",
            allowed="whsec_ followed by base64 (Standard Webhooks)",
        )
    try:
        import standardwebhooks  # noqa: F401
    except ImportError as exc:
        raise ConfigurationError(
            "webhook_url",
            f'webhooks need the standardwebhooks library ({exc}): pip install "reelkit-core[webhooks]"',
        ) from exc
    return value.strip()


def event(record: JobRecord) -> dict[str, Any]:
    """The event body for an ended job: what happened, never where its file is on this host."""
    state = record.state.value
    error = dict(record.error) if record.error else None
    return {
        "type": EVENT_TYPES.get(state, f"video.{state}"),
        "timestamp": _iso(record.finished_at or record.updated_at),
        "data": {
            "id": record.id,
            "object": "video",
            "status": state,
            "provider": record.provider,
            "model": record.model,
            "created_at": int(record.created_at),
            "completed_at": int(record.finished_at) if record.finished_at else None,
            "error": {
                "code": error.get("code") or error.get("error"),
                "message": error.get("message"),
            }
            if error
            else None,
        },
    }


def signed(record: JobRecord, key: str, *, now: float) -> tuple[bytes, dict[str, str]]:
    """The body and the Standard Webhooks headers of one attempt (signed at ``now``)."""
    from standardwebhooks import Webhook

    body = json.dumps(event(record), separators=(",", ":"))
    message_id = f"msg_{record.id}"
    moment = datetime.fromtimestamp(now, timezone.utc)
    signature = Webhook(key).sign(message_id, moment, body)
    headers = {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now)),
        "webhook-signature": signature,
        "user-agent": "reelkit-webhooks",
    }
    return body.encode(), headers


class Outbox:
    """Delivers the owed events of one journal. ``notify`` after a job ends; ``start`` keeps a
    daemon thread delivering (the gateway); ``close`` makes the attempts due now, then stops."""

    def __init__(
        self,
        journal: Callable[[], Journal],
        settings: Settings,
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._journal = journal
        self._settings = settings
        self._transport = transport
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._soonest: float | None = None  # the earliest retry this process scheduled
        scale = settings.env.get("REELKIT_WEBHOOK_RETRY_SCALE", "").strip()
        try:
            self._scale = float(scale) if scale else 1.0
        except ValueError:
            raise ConfigurationError(
                "REELKIT_WEBHOOK_RETRY_SCALE", f"{scale!r} is not a number", allowed="e.g. 1, 0.01"
            ) from None

    def notify(self) -> None:
        """A job with a webhook ended: deliver soon (starts the thread on first use)."""
        self.start()
        self._wake.set()

    def start(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(
                    target=self._run, name="reelkit-webhooks", daemon=True
                )
                self._thread.start()

    def close(self) -> None:
        """Stop the thread after the attempt under way; then one last pass for what is due."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stop.set()
        self._wake.set()
        thread.join(ATTEMPT_TIMEOUT_S * 2)
        try:
            self.deliver_due()  # what ended just before close still gets its first attempt
        except Exception as exc:  # a journal closed under us: what is owed stays owed
            log.warning("webhooks: not delivered at close (%s); still owed in the journal", exc)

    def deliver_due(self) -> int:
        """Blocking: one attempt at every event due now; returns how many were delivered."""
        delivered = 0
        journal = self._journal()
        for record in journal.webhooks_due(now=time.time()):
            if self._attempt(journal, record):
                delivered += 1
        return delivered

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.deliver_due()
            except Exception as exc:  # the journal may be briefly unreachable: try later
                log.warning("webhooks: delivery pass failed (%s)", redact.scrub_text(str(exc)))
            wait = IDLE_S
            soonest = self._soonest
            if soonest is not None:
                wait = max(0.0, min(wait, soonest - time.time()))
            self._wake.wait(wait)
            self._wake.clear()
            if soonest is not None and soonest <= time.time() and self._soonest == soonest:
                self._soonest = None  # its pass comes now; later retries: the idle pass

    def _attempt(self, journal: Journal, record: JobRecord) -> bool:
        now = time.time()
        if not journal.lease_webhook(record.id, now=now, until=now + LEASE_S):
            return False  # another process is attempting it
        import httpx

        from .journal.records import WEBHOOK_ABANDONED, WEBHOOK_DELIVERED

        status: int | None = None
        error: str | None = None
        try:
            body, headers = signed(record, secret(self._settings), now=now)
            assert record.webhook_url is not None
            with httpx.Client(
                transport=self._transport, timeout=ATTEMPT_TIMEOUT_S, follow_redirects=False
            ) as client:
                response = client.post(record.webhook_url, content=body, headers=headers)
            status = response.status_code
            if not response.is_success:
                error = f"HTTP {status}"
        except Exception as exc:  # the receiver's fault or the network's: try again later
            error = redact.scrub_text(f"{type(exc).__name__}: {exc}")[:300]
        attempts = (*record.webhook_attempts, {"at": now, "status": status, "error": error})
        if error is None:
            journal.update(
                record,
                webhook_state=WEBHOOK_DELIVERED,
                webhook_attempts=attempts,
                webhook_next_at=None,
            )
            return True
        if len(attempts) >= len(SCHEDULE):
            log.warning("webhooks: job %s: giving up after %d attempts", record.id, len(attempts))
            journal.update(
                record,
                webhook_state=WEBHOOK_ABANDONED,
                webhook_attempts=attempts,
                webhook_next_at=None,
            )
            return False
        due = time.time() + SCHEDULE[len(attempts)] * self._scale
        journal.update(record, webhook_attempts=attempts, webhook_next_at=due)
        if self._soonest is None or due < self._soonest:
            self._soonest = due
        return False


def attempts_summary(record: JobRecord) -> Mapping[str, Any] | None:
    """What ``--json`` and the gateway show of a job's webhook (never its URL's secrets)."""
    if record.webhook_state is None:
        return None
    return {
        "url": redact.redact_url(record.webhook_url or ""),
        "state": record.webhook_state,
        "attempts": [dict(a) for a in record.webhook_attempts],
    }


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).isoformat().replace("+00:00", "Z")
