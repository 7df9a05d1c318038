"""The job journal: SQLite at ``$REELKIT_HOME/jobs.sqlite3``.

A job is written *before* its submit is sent (``pending``) and at every transition after, so a
process that dies at any point leaves enough behind for any other process to finish the job
without paying for it twice. WAL mode lets a CLI read while another process writes.
"""

from __future__ import annotations

import builtins
import contextlib
import json
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs

from ._secrets import scrub
from .errors import JobNotFound
from .models import Adjustment, Asset, JobHandle, JobState, VideoRequest
from .serialization import structure, unstructure

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id          TEXT PRIMARY KEY,
    created_at  REAL NOT NULL,
    updated_at  REAL NOT NULL,
    state       TEXT NOT NULL,
    provider    TEXT NOT NULL,
    model       TEXT NOT NULL,
    mode        TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    request     TEXT NOT NULL,   -- the applied VideoRequest (media as digests, not bytes)
    adjustments TEXT NOT NULL,
    handle      TEXT,            -- JobHandle once the provider accepted the submit
    assets      TEXT,            -- result assets once succeeded
    metadata    TEXT,
    output      TEXT,            -- where the download should go (as asked)
    path        TEXT,            -- where it went
    progress    REAL,
    error       TEXT,
    finished_at REAL
);
CREATE INDEX IF NOT EXISTS jobs_fingerprint ON jobs (fingerprint);
CREATE INDEX IF NOT EXISTS jobs_created ON jobs (created_at);
"""


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

    @property
    def video(self) -> Asset | None:
        return next((a for a in self.assets if a.kind == "video"), None)

    @property
    def elapsed_s(self) -> float:
        return (self.finished_at or time.time()) - self.created_at


def new_job_id() -> str:
    """Sortable and short: ``rk_`` + milliseconds since the epoch (base 36) + random."""
    millis = int(time.time() * 1000)
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    stamp = ""
    while millis:
        millis, r = divmod(millis, 36)
        stamp = digits[r] + stamp
    return f"rk_{stamp}{secrets.token_hex(3)}"


class Journal:
    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        with self._connect() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # One connection per journal and thread (sqlite3 objects must not cross threads),
        # opened once: a connection per operation cost a dozen opens per job at fan-out.
        # Autocommit: every write is durable, and visible to other processes (WAL), at once.
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(
                self.path, timeout=30, isolation_level=None, check_same_thread=True
            )
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.row_factory = sqlite3.Row
            self._local.db = db
            with self._lock:
                self._opened.append(db)
        yield db

    def close(self) -> None:
        with self._lock:
            opened, self._opened = self._opened, []
        for db in opened:
            # One made in another thread refuses; it closes when that thread's objects go.
            with contextlib.suppress(sqlite3.ProgrammingError):
                db.close()
        self._local = threading.local()

    # --- writes ------------------------------------------------------------------------

    def create(
        self,
        *,
        job_id: str,
        provider: str,
        model: str,
        mode: str,
        fingerprint: str,
        request: VideoRequest,
        adjustments: tuple[Adjustment, ...],
        output: str | None,
    ) -> JobRecord:
        now = time.time()
        with self._connect() as db:
            db.execute(
                "INSERT INTO jobs (id, created_at, updated_at, state, provider, model, mode, fingerprint,"
                " request, adjustments, output) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    job_id,
                    now,
                    now,
                    JobState.PENDING.value,
                    provider,
                    model,
                    mode,
                    fingerprint,
                    _dump(_journal_request(request)),
                    _dump([unstructure(a) for a in adjustments]),
                    output,
                ),
            )
        return JobRecord(
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
        )

    def update(self, record: JobRecord | str, **changes: Any) -> JobRecord:
        """Write ``changes`` and return the updated record, built in memory (no read back)."""
        if isinstance(record, str):
            record = self.get(record)
        now = time.time()
        columns: dict[str, Any] = {"updated_at": now}
        fields: dict[str, Any] = {"updated_at": now}
        for key, value in changes.items():
            if key == "state":
                state = JobState(value)
                columns["state"], fields["state"] = state.value, state
                if state.terminal or state is JobState.SUCCEEDED:
                    columns["finished_at"] = fields["finished_at"] = now
            elif key == "handle":
                columns[key], fields[key] = _dump(unstructure(value)), value
            elif key == "assets":
                columns[key], fields[key] = _dump([unstructure(a) for a in value]), tuple(value)
            elif key in ("metadata", "error"):
                text = scrub(_dump(value)) if value is not None else None
                columns[key] = text
                fields[key] = json.loads(text) if text else ({} if key == "metadata" else None)
            elif key in ("path", "progress", "output"):
                columns[key] = fields[key] = value
            else:
                raise TypeError(f"unknown journal column {key!r}")
        assignments = ", ".join(f"{k} = ?" for k in columns)
        with self._connect() as db:
            cursor = db.execute(
                f"UPDATE jobs SET {assignments} WHERE id = ?", (*columns.values(), record.id)
            )
        if cursor.rowcount == 0:
            raise JobNotFound(record.id)
        return attrs.evolve(record, **fields)

    def delete(self, job_id: str) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM jobs WHERE id = ?", (job_id,))

    # --- reads -------------------------------------------------------------------------

    def get(self, job_id: str) -> JobRecord:
        with self._connect() as db:
            row = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if row is None:  # a unique prefix is enough, as in git
                rows = db.execute(
                    "SELECT * FROM jobs WHERE id LIKE ? LIMIT 2", (job_id + "%",)
                ).fetchall()
                row = rows[0] if len(rows) == 1 else None
        if row is None:
            raise JobNotFound(job_id)
        return _record(row)

    def find(self, job_id: str) -> JobRecord | None:
        try:
            return self.get(job_id)
        except JobNotFound:
            return None

    def list(
        self, *, limit: int | None = None, states: tuple[JobState, ...] = ()
    ) -> builtins.list[JobRecord]:
        query = "SELECT * FROM jobs"
        args: list[Any] = []
        if states:
            query += f" WHERE state IN ({','.join('?' * len(states))})"
            args.extend(s.value for s in states)
        query += " ORDER BY created_at DESC, id DESC"
        if limit:
            query += " LIMIT ?"
            args.append(limit)
        with self._connect() as db:
            return [_record(r) for r in db.execute(query, args).fetchall()]

    def by_fingerprint(self, fingerprint: str) -> builtins.list[JobRecord]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT * FROM jobs WHERE fingerprint = ? ORDER BY created_at DESC", (fingerprint,)
            ).fetchall()
        return [_record(r) for r in rows]


def _journal_request(request: VideoRequest) -> Any:
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


def _dump(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), default=str)


def _record(row: sqlite3.Row) -> JobRecord:
    def load(col: str) -> Any:
        raw = row[col]
        return json.loads(raw) if raw else None

    handle = load("handle")
    return JobRecord(
        id=row["id"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        state=JobState(row["state"]),
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
    )
