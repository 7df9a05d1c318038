"""The journal's record and the codec between it and a row, shared by every backend.

A row is the same on every backend: timestamps as epoch seconds, structured values as JSON text
(scrubbed of known secrets where they may carry provider text), the state as its text. Decoding
never fails on the state (an unknown one becomes ``JobState.UNRECOGNISED``); a row whose JSON
cannot be decoded raises ``DamagedRow``, which each backend turns into a ``JournalError`` or a
skipped row.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import time
from collections.abc import Mapping
from typing import Any, Protocol

import attrs

from reelkit._secrets import scrub
from reelkit.models import Adjustment, Asset, JobHandle, JobState, VideoRequest
from reelkit.serialization import structure, unstructure

# A job in one of these states holds its fingerprint's claim (if it took one): it is being
# submitted, may have been billed, is running, or has a result not yet downloaded.
OPEN_STATES: tuple[JobState, ...] = (
    JobState.PENDING,
    JobState.UNKNOWN,
    JobState.SUBMITTED,
    JobState.QUEUED,
    JobState.RUNNING,
    JobState.SUCCEEDED,
)

# Every column of a version-4 row, in table order.
COLUMNS: tuple[str, ...] = (
    "id",
    "created_at",
    "updated_at",
    "state",
    "provider",
    "model",
    "mode",
    "fingerprint",
    "request",
    "adjustments",
    "handle",
    "assets",
    "metadata",
    "output",
    "path",
    "progress",
    "error",
    "finished_at",
    "claim",
    "owner",
    "lease_until",
    "cost",
    "billed",
    "caller",
    "webhook_url",
    "webhook_state",
    "webhook_attempts",
    "webhook_next_at",
)

# ``webhook_state``: an event is owed once the job ends, then delivered or given up on.
WEBHOOK_OWED, WEBHOOK_DELIVERED, WEBHOOK_ABANDONED = "owed", "delivered", "abandoned"

# The keywords ``update`` accepts.
UPDATABLE = frozenset(
    {
        "state",
        "handle",
        "assets",
        "metadata",
        "error",
        "path",
        "progress",
        "output",
        "owner",
        "lease_until",
        "cost",
        "billed",
        "webhook_state",
        "webhook_attempts",
        "webhook_next_at",
    }
)

_KNOWN_STATES = tuple(s.value for s in JobState if s is not JobState.UNRECOGNISED)


@attrs.frozen(kw_only=True)
class JobRecord:
    id: str
    created_at: float
    updated_at: float
    state: JobState
    provider: str
    model: str
    mode: str
    fingerprint: str
    request: VideoRequest
    adjustments: tuple[Adjustment, ...]
    handle: JobHandle | None = None
    assets: tuple[Asset, ...] = ()
    metadata: Mapping[str, Any] = attrs.field(factory=dict)
    output: str | None = None
    path: str | None = None
    progress: float | None = None
    error: Mapping[str, Any] | None = None
    finished_at: float | None = None
    owner: str | None = None  # who claimed it: "hostname:pid:token"
    # Epoch seconds; while PENDING, the claimant promises to resolve the submit before this.
    lease_until: float | None = None
    # The plan's estimate (CostEstimate fields, "estimated" null when unknown) and what the
    # provider reported it billed ({"amount", "currency", "tokens", "basis", "on_failure"}).
    cost: Mapping[str, Any] | None = None
    billed: Mapping[str, Any] | None = None
    caller: str | None = None  # who asked (a label such as a gateway key's name; never a key)
    webhook_url: str | None = None  # where the job's terminal event is sent (reelkit.webhooks)
    webhook_state: str | None = None  # owed, delivered or abandoned; None: no webhook
    webhook_attempts: tuple[Mapping[str, Any], ...] = ()  # {"at", "status", "error"} each
    webhook_next_at: float | None = None  # the next attempt is due (and leased) until then
    raw_state: str | None = None  # the stored text when state is JobState.UNRECOGNISED
    claimed: bool = False  # whether this job holds the fingerprint's claim

    @property
    def video(self) -> Asset | None:
        return next((a for a in self.assets if a.kind == "video"), None)

    @property
    def elapsed_s(self) -> float:
        return (self.finished_at or time.time()) - self.created_at


@attrs.frozen(kw_only=True)
class CostRow:
    """The spend-report view of a job (``Journal.costs``)."""

    id: str
    created_at: float
    state: JobState
    provider: str
    model: str
    accepted: bool  # the provider took the submit (a task id was recorded)
    reused: bool  # served from an identical earlier job: nothing was bought
    cost: Mapping[str, Any] | None
    billed: Mapping[str, Any] | None


def new_job_id() -> str:
    """Sortable and short: ``rk_`` + milliseconds since the epoch (base 36) + random."""
    millis = int(time.time() * 1000)
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    stamp = ""
    while millis:
        millis, r = divmod(millis, 36)
        stamp = digits[r] + stamp
    return f"rk_{stamp}{secrets.token_hex(3)}"


_TOKEN = secrets.token_hex(4)


def default_owner() -> str:
    """This process as a claimant: ``hostname:pid:token`` (the token tells a reused pid apart)."""
    return f"{socket.gethostname()}:{os.getpid()}:{_TOKEN}"


class DamagedRow(Exception):
    """A row whose stored JSON cannot be turned back into a record."""

    def __init__(self, job_id: str, reason: str) -> None:
        super().__init__(f"job {job_id}: {reason}")
        self.job_id = job_id
        self.reason = reason


class Row(Protocol):
    def __getitem__(self, key: str, /) -> Any: ...


# --- encoding ------------------------------------------------------------------------------


def dump(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), default=str)


def journal_request(request: VideoRequest) -> Any:
    # Media bytes stay out of the journal: the digest and shape are what a resume needs.
    data = unstructure(request)
    for key in ("first_frame", "last_frame", "video"):
        if isinstance(data.get(key), dict) and "data" in data[key]:
            data[key]["data"] = None
            data[key]["url"] = getattr(request, key).digest()
    for i, item in enumerate(data.get("reference_images", ())):
        if "data" in item:
            item["data"] = None
            item["url"] = request.reference_images[i].digest()
    return data


def new_row(
    *,
    job_id: str,
    provider: str,
    model: str,
    mode: str,
    fingerprint: str,
    request: VideoRequest,
    adjustments: tuple[Adjustment, ...],
    output: str | None,
    claim: bool,
    owner: str | None,
    lease_s: float | None,
    cost: Mapping[str, Any] | None = None,
    caller: str | None = None,
    webhook_url: str | None = None,
) -> tuple[dict[str, Any], JobRecord]:
    """The columns of a new PENDING job, and the record they stand for."""
    now = time.time()
    if claim and owner is None:
        owner = default_owner()
    lease_until = now + lease_s if lease_s is not None else None
    columns: dict[str, Any] = {
        "id": job_id,
        "created_at": now,
        "updated_at": now,
        "state": JobState.PENDING.value,
        "provider": provider,
        "model": model,
        "mode": mode,
        "fingerprint": fingerprint,
        "request": dump(journal_request(request)),
        "adjustments": dump([unstructure(a) for a in adjustments]),
        "output": output,
        "claim": fingerprint if claim else None,
        "owner": owner,
        "lease_until": lease_until,
        "cost": dump(cost) if cost is not None else None,
        "caller": caller,
        "webhook_url": webhook_url,
        "webhook_state": WEBHOOK_OWED if webhook_url else None,
    }
    record = JobRecord(
        id=job_id,
        created_at=now,
        updated_at=now,
        state=JobState.PENDING,
        provider=provider,
        model=model,
        mode=mode,
        fingerprint=fingerprint,
        request=request,
        adjustments=tuple(adjustments),
        output=output,
        owner=owner,
        lease_until=lease_until,
        claimed=claim,
        cost=cost,
        caller=caller,
        webhook_url=webhook_url,
        webhook_state=WEBHOOK_OWED if webhook_url else None,
    )
    return columns, record


def writable_state(value: JobState | str) -> JobState:
    state = JobState(value)
    if state is JobState.UNRECOGNISED:
        raise ValueError("the journal cannot write the state 'unrecognised'; name a real state")
    return state


def encode_changes(changes: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``update``'s keywords as (columns to write, record fields to evolve).

    A state outside ``OPEN_STATES`` releases the claim in the same write. Unknown keywords are a
    programming error (``TypeError``).
    """
    now = time.time()
    columns: dict[str, Any] = {"updated_at": now}
    fields: dict[str, Any] = {"updated_at": now}
    for key, value in changes.items():
        if key == "state":
            state = writable_state(value)
            columns["state"], fields["state"] = state.value, state
            fields["raw_state"] = None
            if state.terminal or state is JobState.SUCCEEDED:
                columns["finished_at"] = fields["finished_at"] = now
            if state not in OPEN_STATES:
                columns["claim"], fields["claimed"] = None, False
        elif key == "handle":
            columns[key] = dump(unstructure(value)) if value is not None else None
            fields[key] = value
        elif key == "assets":
            columns[key], fields[key] = dump([unstructure(a) for a in value]), tuple(value)
        elif key in ("cost", "billed"):
            columns[key] = dump(value) if value is not None else None
            fields[key] = value
        elif key == "webhook_attempts":
            columns[key], fields[key] = dump([dict(a) for a in value]), tuple(value)
        elif key in ("metadata", "error"):
            text = scrub(dump(value)) if value is not None else None
            columns[key] = text
            fields[key] = json.loads(text) if text else ({} if key == "metadata" else None)
        elif key in UPDATABLE:
            columns[key] = fields[key] = value
        else:
            raise TypeError(f"unknown journal column {key!r}")
    return columns, fields


def evolve(record: JobRecord, fields: Mapping[str, Any]) -> JobRecord:
    return attrs.evolve(record, **fields)


# --- decoding ------------------------------------------------------------------------------


def decode_state(text: str) -> tuple[JobState, str | None]:
    try:
        state = JobState(text)
    except ValueError:
        return JobState.UNRECOGNISED, text
    return state, (text if state is JobState.UNRECOGNISED else None)


def known_states() -> tuple[str, ...]:
    """The state texts this version understands (any other is ``UNRECOGNISED``)."""
    return _KNOWN_STATES


def decode_row(row: Row) -> JobRecord:
    job_id = str(row["id"])
    state, raw_state = decode_state(str(row["state"]))

    def load(col: str) -> Any:
        raw = row[col]
        return json.loads(raw) if raw else None

    try:
        handle = load("handle")
        return JobRecord(
            id=job_id,
            created_at=float(row["created_at"]),
            updated_at=float(row["updated_at"]),
            state=state,
            provider=row["provider"],
            model=row["model"],
            mode=row["mode"],
            fingerprint=row["fingerprint"],
            request=structure(load("request"), VideoRequest),
            adjustments=tuple(structure(a, Adjustment) for a in load("adjustments") or ()),
            handle=structure(handle, JobHandle) if handle else None,
            assets=tuple(structure(a, Asset) for a in load("assets") or ()),
            metadata=load("metadata") or {},
            output=row["output"],
            path=row["path"],
            progress=row["progress"],
            error=load("error"),
            finished_at=row["finished_at"],
            owner=row["owner"],
            lease_until=row["lease_until"],
            cost=load("cost"),
            billed=load("billed"),
            caller=_optional(row, "caller"),
            webhook_url=_optional(row, "webhook_url"),
            webhook_state=_optional(row, "webhook_state"),
            webhook_attempts=tuple(json.loads(_optional(row, "webhook_attempts") or "[]")),
            webhook_next_at=_optional(row, "webhook_next_at"),
            raw_state=raw_state,
            claimed=row["claim"] is not None,
        )
    except Exception as exc:  # JSON, cattrs or type errors: the row is damaged
        raise DamagedRow(job_id, f"{type(exc).__name__}: {exc}") from exc


def _optional(row: Row, column: str) -> Any:
    # A row read through a narrower SELECT may lack the version-4 columns.
    try:
        return row[column]
    except (KeyError, IndexError):
        return None


def decode_cost_row(row: Row) -> CostRow:
    def load(col: str) -> Any:
        raw = row[col]
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return None  # a damaged cell: the job counts, its amounts do not

    metadata = load("metadata")
    return CostRow(
        id=str(row["id"]),
        created_at=float(row["created_at"]),
        state=decode_state(str(row["state"]))[0],
        provider=row["provider"],
        model=row["model"],
        accepted=bool(row["accepted"]),
        reused=bool(isinstance(metadata, dict) and metadata.get("reused_from")),
        cost=load("cost"),
        billed=load("billed"),
    )
