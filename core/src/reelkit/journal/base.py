"""The journal's operations in SQL, once for every backend.

A backend supplies a session (a connection that turns its driver's errors into ``JournalError``),
its table name, its placeholder and its byte-order collation; the statements are the same. Claims
use a ``claim`` column (the fingerprint while claimed, NULL otherwise) under a partial UNIQUE
index, so ``create`` is one ``INSERT ... ON CONFLICT DO NOTHING`` and never a check-then-insert.
"""

from __future__ import annotations

import builtins
import logging
import time
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, ClassVar, Protocol

from reelkit.errors import JobNotFound, JournalError
from reelkit.models import Adjustment, JobState, VideoRequest

from .records import (
    WEBHOOK_OWED,
    CostRow,
    DamagedRow,
    JobRecord,
    decode_cost_row,
    decode_row,
    encode_changes,
    evolve,
    known_states,
    new_row,
    writable_state,
)

log = logging.getLogger("reelkit")

# How often ``create`` tries again when the claim's holder released it between the insert that
# found it taken and the read of the holder. Each miss means another job finished meanwhile.
CLAIM_TRIES = 10


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> builtins.list[Any]: ...


class Session(Protocol):
    def execute(self, sql: str, params: Sequence[Any], /) -> Cursor: ...


class SqlJournal:
    url: str  # for display: credentials redacted
    _where: str  # what messages name: the file, or the display URL
    _table: ClassVar[str]
    _mark: ClassVar[str]  # the driver's placeholder
    _id_order: ClassVar[str]  # ``id`` in byte order, as SQLite sorts it

    def _session(self) -> AbstractContextManager[Session]:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.url!r})"

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
        claim: bool = True,
        owner: str | None = None,
        lease_s: float | None = None,
        cost: Mapping[str, Any] | None = None,
        caller: str | None = None,
        webhook_url: str | None = None,
    ) -> tuple[JobRecord, bool]:
        """Insert a PENDING job; with ``claim``, only if no open job holds ``fingerprint``.

        Returns ``(new_record, True)``, or ``(holder, False)`` when another job holds the claim
        (then nothing was inserted). One atomic statement decides.
        """
        columns, record = new_row(
            job_id=job_id,
            provider=provider,
            model=model,
            mode=mode,
            fingerprint=fingerprint,
            request=request,
            adjustments=adjustments,
            output=output,
            claim=claim,
            owner=owner,
            lease_s=lease_s,
            cost=cost,
            caller=caller,
            webhook_url=webhook_url,
        )
        t, m = self._table, self._mark
        insert = f"INSERT INTO {t} ({', '.join(columns)}) VALUES ({', '.join([m] * len(columns))})"
        values = tuple(columns.values())
        with self._session() as db:
            if not claim:
                db.execute(insert, values)
                return record, True
            insert += " ON CONFLICT (claim) WHERE claim IS NOT NULL DO NOTHING"
            for _ in range(CLAIM_TRIES):
                if db.execute(insert, values).rowcount == 1:
                    return record, True
                row = db.execute(f"SELECT * FROM {t} WHERE claim = {m}", (fingerprint,)).fetchone()
                if row is not None:
                    return self._decode(row), False
                # The holder released the claim in between: try again.
        raise JournalError(
            f"journal {self._where}: could not claim fingerprint {fingerprint[:16]} after "
            f"{CLAIM_TRIES} tries (it kept changing hands); try again",
            path=self._where,
        )

    def update(self, record: JobRecord | str, **changes: Any) -> JobRecord:
        """Write ``changes`` and return the updated record, built in memory (no read back).

        A state outside ``OPEN_STATES`` releases the fingerprint's claim in the same statement.
        """
        if isinstance(record, str):
            record = self.get(record)
        columns, fields = encode_changes(changes)
        assignments = ", ".join(f"{k} = {self._mark}" for k in columns)
        with self._session() as db:
            cursor = db.execute(
                f"UPDATE {self._table} SET {assignments} WHERE id = {self._mark}",
                (*columns.values(), record.id),
            )
        if cursor.rowcount == 0:
            raise JobNotFound(record.id)
        return evolve(record, fields)

    def update_if(
        self, record: JobRecord | str, expect: JobState, **changes: Any
    ) -> JobRecord | None:
        """Compare and set: write ``changes`` only if the stored state is ``expect``.

        Returns the updated record (built in memory), or ``None`` if the state was another.
        """
        if isinstance(record, str):
            record = self.get(record)
        expected = writable_state(expect)
        columns, fields = encode_changes(changes)
        t, m = self._table, self._mark
        assignments = ", ".join(f"{k} = {m}" for k in columns)
        with self._session() as db:
            cursor = db.execute(
                f"UPDATE {t} SET {assignments} WHERE id = {m} AND state = {m}",
                (*columns.values(), record.id, expected.value),
            )
            if cursor.rowcount == 0:
                if db.execute(f"SELECT 1 FROM {t} WHERE id = {m}", (record.id,)).fetchone() is None:
                    raise JobNotFound(record.id)
                return None
        return evolve(record, fields)

    def take_over(
        self, record: JobRecord | str, *, expect_owner: str, owner: str, lease_s: float
    ) -> JobRecord | None:
        """Compare and set on the owner: a ``pending`` job still owned by ``expect_owner`` becomes
        ``owner``'s, leased for ``lease_s`` seconds. ``None`` if another took it first (atomic)."""
        if isinstance(record, str):
            record = self.get(record)
        now = time.time()
        t, m = self._table, self._mark
        with self._session() as db:
            cursor = db.execute(
                f"UPDATE {t} SET owner = {m}, lease_until = {m}, updated_at = {m}"
                f" WHERE id = {m} AND state = {m} AND owner = {m}",
                (owner, now + lease_s, now, record.id, JobState.PENDING.value, expect_owner),
            )
        if cursor.rowcount == 0:
            return None
        return evolve(record, {"owner": owner, "lease_until": now + lease_s, "updated_at": now})

    def delete(self, job_id: str) -> None:
        with self._session() as db:
            db.execute(f"DELETE FROM {self._table} WHERE id = {self._mark}", (job_id,))

    # --- reads -------------------------------------------------------------------------

    def get(self, job_id: str) -> JobRecord:
        """The job with this id, or with this unique id prefix (as in git)."""
        t, m = self._table, self._mark
        with self._session() as db:
            row = db.execute(f"SELECT * FROM {t} WHERE id = {m}", (job_id,)).fetchone()
            if row is None and job_id:
                rows = db.execute(
                    f"SELECT * FROM {t} WHERE substr(id, 1, {m}) = {m} LIMIT 2",
                    (len(job_id), job_id),
                ).fetchall()
                row = rows[0] if len(rows) == 1 else None
        if row is None:
            raise JobNotFound(job_id)
        return self._decode(row)

    def find(self, job_id: str) -> JobRecord | None:
        try:
            return self.get(job_id)
        except JobNotFound:
            return None

    def list(
        self,
        *,
        limit: int | None = None,
        states: tuple[JobState, ...] = (),
        caller: str | None = None,
    ) -> builtins.list[JobRecord]:
        """Newest first. ``JobState.UNRECOGNISED`` in ``states`` selects every unknown state;
        ``caller`` keeps only the jobs that caller asked for."""
        m = self._mark
        query = f"SELECT * FROM {self._table}"
        args: builtins.list[Any] = []
        clauses = []
        named = [s.value for s in states if s is not JobState.UNRECOGNISED]
        if named:
            clauses.append(f"state IN ({', '.join([m] * len(named))})")
            args.extend(named)
        if JobState.UNRECOGNISED in states:
            known = known_states()
            clauses.append(f"state NOT IN ({', '.join([m] * len(known))})")
            args.extend(known)
        where = [f"({' OR '.join(clauses)})"] if clauses else []
        if caller is not None:
            where.append(f"caller = {m}")
            args.append(caller)
        if where:
            query += " WHERE " + " AND ".join(where)
        query += f" ORDER BY created_at DESC, {self._id_order} DESC"
        if limit:
            query += f" LIMIT {m}"
            args.append(limit)
        with self._session() as db:
            rows = db.execute(query, args).fetchall()
        return self._decode_all(rows)

    def by_fingerprint(
        self, fingerprint: str, *, states: tuple[JobState, ...] = ()
    ) -> builtins.list[JobRecord]:
        """Every job with this fingerprint (in one of ``states``, if given), newest first."""
        m = self._mark
        where = f"fingerprint = {m}"
        args: list[Any] = [fingerprint]
        if states:  # filtered in SQL: decoding a record costs more than reading it
            where += f" AND state IN ({', '.join([m] * len(states))})"
            args.extend(s.value for s in states)
        with self._session() as db:
            rows = db.execute(
                f"SELECT * FROM {self._table} WHERE {where}"
                f" ORDER BY created_at DESC, {self._id_order} DESC",
                args,
            ).fetchall()
        return self._decode_all(rows)

    def costs(
        self, *, since: float | None = None, caller: str | None = None
    ) -> builtins.list[CostRow]:
        """What each job (created at or after ``since``; of ``caller`` if given) was estimated
        and billed, oldest first: only the columns a spend report needs, so no request is decoded."""
        m = self._mark
        query = (
            "SELECT id, created_at, state, provider, model, handle IS NOT NULL AS accepted,"
            f" metadata, cost, billed FROM {self._table}"
        )
        args: builtins.list[Any] = []
        where = []
        if since is not None:
            where.append(f"created_at >= {m}")
            args.append(since)
        if caller is not None:
            where.append(f"caller = {m}")
            args.append(caller)
        if where:
            query += " WHERE " + " AND ".join(where)
        query += f" ORDER BY created_at, {self._id_order}"
        with self._session() as db:
            rows = db.execute(query, args).fetchall()
        return [decode_cost_row(row) for row in rows]

    # --- webhooks (reelkit.webhooks) ---------------------------------------------------

    def webhooks_due(self, *, now: float, limit: int = 20) -> builtins.list[JobRecord]:
        """Ended jobs whose event is owed and due (not leased by an attempt under way)."""
        m = self._mark
        ended = [s.value for s in JobState if s.terminal]
        query = (
            f"SELECT * FROM {self._table} WHERE webhook_state = {m}"
            f" AND state IN ({', '.join([m] * len(ended))})"
            f" AND (webhook_next_at IS NULL OR webhook_next_at <= {m})"
            f" ORDER BY updated_at LIMIT {m}"
        )
        with self._session() as db:
            rows = db.execute(query, (WEBHOOK_OWED, *ended, now, limit)).fetchall()
        return self._decode_all(rows)

    def lease_webhook(self, job_id: str, *, now: float, until: float) -> bool:
        """Take the next attempt at a job's owed event until ``until``; False if another
        process holds it, or nothing is owed or due. One atomic compare-and-set."""
        m = self._mark
        with self._session() as db:
            cursor = db.execute(
                f"UPDATE {self._table} SET webhook_next_at = {m} WHERE id = {m}"
                f" AND webhook_state = {m} AND (webhook_next_at IS NULL OR webhook_next_at <= {m})",
                (until, job_id, WEBHOOK_OWED, now),
            )
        return cursor.rowcount == 1

    # --- decoding ----------------------------------------------------------------------

    def _decode(self, row: Any) -> JobRecord:
        try:
            return decode_row(row)
        except DamagedRow as exc:
            raise JournalError(
                f"job {exc.job_id} in the journal {self._where} cannot be read ({exc.reason});"
                " repair or delete that row",
                path=self._where,
                job_id=exc.job_id,
            ) from exc

    def _decode_all(self, rows: builtins.list[Any]) -> builtins.list[JobRecord]:
        records = []
        for row in rows:
            try:
                records.append(decode_row(row))
            except DamagedRow as exc:
                log.warning(
                    "journal %s: skipping job %s, which cannot be read (%s)",
                    self._where,
                    exc.job_id,
                    exc.reason,
                )
        return records
