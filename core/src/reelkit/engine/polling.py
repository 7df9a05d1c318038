"""Polling: finish a job from wherever the journal says it is, in any process.

A ``pending`` job whose claimant is alive is waited for (its submit is in flight); one whose
claimant is gone becomes ``unknown`` and is never resent. Polls honour the provider's interval,
server hints and the deadline; a persistently failing poll surfaces after ``retry.POLL_ERRORS``
requests and the job stays resumable.
"""

from __future__ import annotations

import functools
import os
import time
from pathlib import Path
from typing import Any

import attrs
import httpx

from reelkit import pricing, retry
from reelkit.capabilities import ModelInfo
from reelkit.effects import Flow, Offload, Sleep
from reelkit.errors import (
    ContentFiltered,
    InvalidRequest,
    JobTimeout,
    NetworkError,
    PluginError,
    ProviderError,
    RateLimited,
    ReelkitError,
    SubmitOutcomeUnknown,
)
from reelkit.journal import JobRecord
from reelkit.models import (
    Charge,
    Failed,
    JobState,
    JobStatus,
    ProviderConfig,
    Queued,
    Running,
    Succeeded,
)
from reelkit.plugins import RegisteredProvider

from . import claims, files
from .base import with_timeout
from .downloads import Downloads

CLAIM_WAIT_S = (0.02, 1.0)  # re-read a claimed pending job from this often to this seldom
#: While a job runs, the poll loop journals a new queued/running state or progress at most this
#: often (another process's ``reelkit jobs list`` is this fresh); a terminal state at once.
PROGRESS_WRITE_S = 30.0


class Polling(Downloads):
    def follow(
        self, job_id: str, *, download: bool = True, timeout: float | None = None
    ) -> Flow[JobRecord]:
        """Finish a job from wherever the journal says it is, in any process.

        Within one process a job has one follower at a time: identical requests gathered in one
        event loop (or threads) wait for it and share its outcome instead of polling and
        downloading the same job side by side.
        """
        record: JobRecord = yield from self._j("get", job_id)
        return (yield from self._follow_record(record, download=download, timeout=timeout))

    def _follow_record(
        self, record: JobRecord, *, download: bool = True, timeout: float | None = None
    ) -> Flow[JobRecord]:
        """``follow`` for a record just read or written (saves a journal read)."""
        wait = CLAIM_WAIT_S[0]
        waited = False
        while not claims.take(record.id):
            waited = True
            yield Sleep(wait)
            wait = min(wait * 2, CLAIM_WAIT_S[1])
        try:
            if waited:  # another follower in this process may have moved it on
                record = yield from self._j("get", record.id)
            return (yield from self._follow(record, download=download, timeout=timeout))
        finally:
            claims.release(record.id)

    def _follow(
        self, record: JobRecord, *, download: bool, timeout: float | None
    ) -> Flow[JobRecord]:
        if record.state is JobState.PENDING:
            record = yield from self._await_submit(record)
        if record.state is JobState.UNKNOWN:
            raise _unknown_error(record)
        if record.state is JobState.UNRECOGNISED:
            raise InvalidRequest(
                "job",
                f"job {record.id} is in state {record.raw_state!r}, which this version of "
                "reelkit does not know; upgrade reelkit to finish it",
            )
        if record.state in (JobState.FAILED, JobState.CANCELLED):
            raise self._stored_error(record)
        provider = self.host.provider(record.provider)
        config = self.settings.provider_config(provider.info)
        # Only a job that was already done before this follow may have left a partial download.
        sweep = record.state is JobState.SUCCEEDED
        if record.state.pollable:
            auth = self._auth(provider, config, self._credentials(provider))
            deadline = time.monotonic() + (timeout if timeout is not None else config.timeout_s)
            record = yield from self._poll_until_done(record, provider, config, auth, deadline)
        if record.state is JobState.SUCCEEDED and download:
            record = yield from self._download(record, provider, config, sweep=sweep)
        return record

    def _await_submit(self, record: JobRecord) -> Flow[JobRecord]:
        """Wait while a live claimant submits; a dead one leaves the outcome unknown."""
        wait = CLAIM_WAIT_S[0]
        while record.state is JobState.PENDING:
            if not claims.alive(record):
                why = "the process that was submitting it stopped before the answer was recorded"
                marked: JobRecord | None = yield from self._j(
                    "update_if",
                    record,
                    JobState.PENDING,
                    state=JobState.UNKNOWN,
                    error={"error": "SubmitOutcomeUnknown", "message": why},
                )
                if marked is not None:
                    self._emit("unknown", marked, why)
                    return marked
            else:
                yield Sleep(wait)
                wait = min(wait * 2, CLAIM_WAIT_S[1])
            record = yield from self._j("get", record.id)
        return record

    def _poll_until_done(
        self,
        record: JobRecord,
        provider: RegisteredProvider,
        config: ProviderConfig,
        auth: httpx.Auth | None,
        deadline: float,
    ) -> Flow[JobRecord]:
        model = _model_or_none(provider, record.model)
        interval = config.poll_interval_s
        if (
            self.settings.poll_interval is None
            and model is not None
            and model.poll_interval_s is not None
        ):
            interval = model.poll_interval_s
        polls = errors = 0
        wait = interval if record.state is JobState.SUBMITTED else 0.0
        while True:
            if wait:
                yield Sleep(min(wait, max(0.0, deadline - time.monotonic())))
            if time.monotonic() >= deadline:
                record = yield from self._flush(record)
                self._emit("timeout", record)
                raise JobTimeout(
                    f"job {record.id} is still {record.state.value} at {record.provider} after "
                    f"the deadline; it keeps running there: `reelkit jobs resume {record.id}` "
                    "picks it up",
                    job_id=record.id,
                )
            polls += 1
            if config.max_polls is not None and polls > config.max_polls:
                yield from self._flush(record)
                raise JobTimeout(
                    f"job {record.id} is still {record.state.value} after {config.max_polls} "
                    f"polls; `reelkit jobs resume {record.id}` picks it up",
                    job_id=record.id,
                )
            try:
                status = yield from self._poll_once(record, provider, config, auth)
            except ContentFiltered as exc:
                yield from self._fail(record, exc)
                raise
            except (ProviderError, NetworkError) as exc:
                if not exc.retryable:
                    yield from self._flush(record)
                    raise  # nothing about the job is known to have changed: it stays as it was
                errors += 1
                if errors >= retry.POLL_ERRORS:
                    yield from self._flush(record)
                    raise
                hint = exc.retry_after if isinstance(exc, RateLimited) else None
                wait = retry.poll_backoff(errors, interval, hint)
                self._emit(
                    "retry",
                    record,
                    f"poll failed ({exc}); polling again in {wait:.1f} s "
                    f"(attempt {errors + 1} of {retry.POLL_ERRORS})",
                )
                continue
            errors = 0
            record = yield from self._record_status(record, status, every=PROGRESS_WRITE_S)
            if isinstance(status, (Queued, Running)):
                wait = status.poll_after if status.poll_after is not None else interval
                del status  # the record has what it said; nothing more is kept while waiting
                continue
            if isinstance(status, Failed):
                raise self._stored_error(record)
            return record

    def _flush(self, record: JobRecord) -> Flow[JobRecord]:
        """Before the poll loop gives up, journal the last state and progress it kept only in
        memory, so ``jobs list`` and a resume see what the last poll saw."""
        stored: JobRecord = yield from self._j("get", record.id)
        if (stored.state, stored.progress) == (record.state, record.progress):
            return record
        updated: JobRecord | None = yield from self._j(
            "update_if", stored, stored.state, state=record.state, progress=record.progress
        )
        return updated if updated is not None else stored

    def _poll_once(
        self,
        record: JobRecord,
        provider: RegisteredProvider,
        config: ProviderConfig,
        auth: httpx.Auth | None,
    ) -> Flow[JobStatus]:
        name = provider.info.name
        assert record.handle is not None
        request = self.host.call(name, "reelkit_poll_request", job=record.handle, config=config)
        # One attempt per poll: the poll loop is the retry (one policy, bounded in one place).
        response = yield from self._exchange(
            name, with_timeout(request, config), auth, policy=retry.Policy(attempts=1)
        )
        status: JobStatus = self.host.call(
            name, "reelkit_parse_poll", job=record.handle, response=response
        )
        if not isinstance(status, (Queued, Running, Succeeded, Failed)):
            raise PluginError(f"{name}: reelkit_parse_poll returned {type(status).__name__}")
        return status

    def _record_status(
        self, record: JobRecord, status: JobStatus, *, every: float = 0.0
    ) -> Flow[JobRecord]:
        """Journal a poll's answer. Once a job is queued or running, a change between those
        states or of progress is for display only — a resume needs the task id and a pollable
        state, both written by then — so the poll loop writes it at most every ``every``
        seconds and keeps it in memory otherwise; a terminal answer is written at once.
        """
        if isinstance(status, (Queued, Running)):
            state = JobState.QUEUED if isinstance(status, Queued) else JobState.RUNNING
            progress = status.progress if isinstance(status, Running) else None
            if state is not record.state or progress != record.progress:
                # The first answer after the submit is written (``jobs list`` shows the job
                # started); later changes at most every ``every`` seconds.
                if record.state is JobState.SUBMITTED or time.time() - record.updated_at >= every:
                    record = yield from self._j("update", record, state=state, progress=progress)
                else:
                    record = attrs.evolve(record, state=state, progress=progress)
            self._emit("polled", record, progress=progress)
            return record
        if isinstance(status, Succeeded):
            if status.video is None:
                failure = Failed(
                    message="the provider reported success but returned no video", code="no_video"
                )
                return (yield from self._record_status(record, failure))
            charged = self._billed(record, status.charge, failed=False)
            record = yield from self._j(
                "update",
                record,
                state=JobState.SUCCEEDED,
                assets=status.assets,
                metadata={**record.metadata, **status.metadata},
                progress=1.0,
                **({"billed": charged} if charged is not None else {}),
            )
            self._emit("succeeded", record)
            return record
        cancelled = status.code == "cancelled"
        error = {
            "error": "ContentFiltered" if status.filtered else "JobFailed",
            "message": status.message,
            "code": status.code,
            "reasons": list(status.reasons),
            "billed": status.billed,
        }
        charged = self._billed(record, status.charge, failed=bool(status.billed))
        record = yield from self._j(
            "update",
            record,
            state=JobState.CANCELLED if cancelled else JobState.FAILED,
            error=error,
            **({"billed": charged} if charged is not None else {}),
        )
        self._emit("failed", record, status.message)
        return record

    def _billed(
        self, record: JobRecord, charge: Charge | None, *, failed: bool
    ) -> dict[str, Any] | None:
        """What the journal keeps of a charge: the provider's amount, its tokens priced with
        the model's token rate, or, for a failure the provider documents billing and reports
        no amount for, the estimate (marked as such)."""
        model = self._model_of(record)
        billed = pricing.billed(model.price if model else None, record, charge, failed=failed)
        return billed

    def _model_of(self, record: JobRecord) -> ModelInfo | None:
        try:
            return self.host.provider(record.provider).model(record.model)
        except ReelkitError:
            return None  # a plugin since uninstalled: the provider's own amount still counts

    def poll(self, job_id: str) -> Flow[JobRecord]:
        """One status check, recorded in the journal."""
        record: JobRecord = yield from self._j("get", job_id)
        if not record.state.pollable:
            return record
        provider = self.host.provider(record.provider)
        config = self.settings.provider_config(provider.info)
        auth = self._auth(provider, config, self._credentials(provider))
        status = yield from self._poll_once(record, provider, config, auth)
        return (yield from self._record_status(record, status))

    def download(
        self, job_id: str, output: str | os.PathLike[str] | None = None
    ) -> Flow[JobRecord]:
        """Fetch a finished job's video (again), optionally to a new place."""
        record = yield from self._j("get", job_id)
        if record.state.pollable:
            record = yield from self.follow(job_id, download=False)
        if record.state not in (JobState.SUCCEEDED, JobState.DOWNLOADED):
            raise InvalidRequest(
                "job",
                f"job {record.id} is {record.raw_state or record.state.value}: there is no video to download",
            )
        if output is not None:
            name = Path(record.output).name if record.output else f"{record.id}.mp4"
            dest = yield Offload(functools.partial(files.writable_target, output, name))
            record = yield from self._j("update", record, output=str(dest))
        provider = self.host.provider(record.provider)
        return (
            yield from self._download(
                record, provider, self.settings.provider_config(provider.info)
            )
        )


def _unknown_error(record: JobRecord) -> SubmitOutcomeUnknown:
    return SubmitOutcomeUnknown(
        f"whether {record.provider} accepted this job is unknown (the answer to its submit was "
        "lost); reelkit will not resubmit it on its own. Find the task: "
        f"`reelkit jobs reconcile {record.id}`, or `reelkit jobs adopt {record.id} TASK_ID` "
        "with the id from the provider's console",
        job_id=record.id,
    )


def _model_or_none(provider: RegisteredProvider, model: str) -> ModelInfo | None:
    try:
        return provider.model(model)
    except InvalidRequest:
        return None
