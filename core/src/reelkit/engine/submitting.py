"""Submitting: reuse what was already paid for, claim the request atomically, send it once,
and never lose the provider's task id.

``start`` is the only way a job is created. Identical requests (same provider, model and
normalised values) share one claim in the journal: the first caller submits, everyone else
follows that job — across tasks, threads, processes and hosts.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any, Literal

import attrs
import httpx

from reelkit import redact, retry, webhooks
from reelkit.arguments import Ask
from reelkit.effects import Flow, Offload, Sleep
from reelkit.errors import (
    ContentFiltered,
    JournalError,
    NetworkError,
    PluginError,
    ProviderError,
    RateLimited,
    ReelkitError,
    ResponseFormatError,
    SubmitOutcomeUnknown,
)
from reelkit.journal import JobRecord, new_job_id
from reelkit.models import Credentials, JobHandle, JobState, Plan
from reelkit.serialization import unstructure

from . import claims, files
from .base import with_timeout
from .polling import Polling
from .selection import Prepared

log = logging.getLogger("reelkit")
RECOVERY_FILE = "recovery.jsonl"
_RECORD_ATTEMPTS = 4  # writes of a paid submit's task id before falling back to the recovery file


class Submitting(Polling):
    def start(
        self, prepared: Prepared, ask: Ask, *, wait: bool, download: bool = True
    ) -> Flow[JobRecord]:
        """Submit (unless an identical job can be reused or followed) and optionally wait."""
        record, how, output = yield from self._begin(prepared, ask)
        # A job waits for minutes with this frame suspended: it keeps only what polling needs,
        # not the request, plan and credentials of its submit (fewer objects per waiting job).
        del prepared
        if how == "reused" or not wait:
            return record
        if how == "created":
            return (yield from self._follow_record(record, download=download, timeout=ask.timeout))
        record = yield from self._follow_record(record, download=download, timeout=ask.timeout)
        if record.state is JobState.DOWNLOADED and record.path and ask.output is not None:
            # The shared job saved its video where its claimant asked; this caller asked
            # for another place: a copy, not a second purchase.
            copied = yield Offload(functools.partial(files.copy_unless_same, record.path, output))
            if copied:
                record = attrs.evolve(record, path=str(output))
        return record

    def _begin(
        self, prepared: Prepared, ask: Ask
    ) -> Flow[tuple[JobRecord, Literal["reused", "created", "following"], Path]]:
        """Reuse an identical finished job, or claim the request and submit it, or (another
        caller holds the claim) wait for that caller's submit: the job and which it was."""
        plan = prepared.plan
        fingerprint = _fingerprint(plan, ask.caller)
        if ask.webhook_url is not None:  # refused before anything is claimed or paid
            webhooks.check_url(ask.webhook_url, self.settings)
        try:
            credentials: Credentials | None = self._credentials(prepared.provider)
            missing: ReelkitError | None = None
        except ReelkitError as exc:  # an identical video already made needs no key to reuse
            credentials, missing = None, exc
        if prepared.refusal is not None:  # ... and costs nothing: only a new submit is refused
            missing = prepared.refusal
        job_id = new_job_id()
        default_name = f"{files.slug(plan.request.prompt)}-{job_id[-6:]}.mp4"
        claims.begin(job_id)
        try:
            # One trip to a worker thread: resolve the output, reuse, prove it writable, claim.
            decided: tuple[JobRecord | None, tuple[JobRecord, bool], Path] = yield Offload(
                functools.partial(
                    self._reuse_or_claim, prepared, ask, fingerprint, job_id, default_name, missing
                )
            )
            reused, claimed, output = decided
            if reused is not None:
                return (yield from self._reuse(reused, ask)), "reused", output
            record, created = claimed
            if created:
                self._emit(
                    "planned",
                    record,
                    plan.notice or "",
                    data={
                        "notice": plan.notice,
                        "adjustments": [a.to_dict() for a in plan.adjustments],
                    },
                )
                assert credentials is not None
                record = yield from self._submit(record, prepared, credentials)
        finally:
            claims.end(job_id)
        if created:
            return record, "created", output
        return (yield from self._follow_claim(record)), "following", output

    def _reuse_or_claim(
        self,
        prepared: Prepared,
        ask: Ask,
        fingerprint: str,
        job_id: str,
        default_name: str,
        missing: ReelkitError | None,
    ) -> tuple[JobRecord | None, tuple[JobRecord, bool], Path]:
        """Blocking: an identical job already downloaded (its file still there) is served for
        free; otherwise, before paying, the output is proven writable and the request claimed.
        Also where the video goes: resolving the path stats the disk, kept off the event loop
        (on it, each syscall hands the GIL to the journal's thread, stalling every job)."""
        plan = prepared.plan
        output = files.target(ask.output, default_name=default_name)
        if not ask.force:
            done = self._downloaded(fingerprint)
            if done is not None:
                return done, (done, False), output
        if missing is not None:
            raise missing
        files.prove_writable(output)  # a video that cannot be saved is not worth buying
        record, created = self.journal.create(
            job_id=job_id,
            provider=plan.provider,
            model=plan.model,
            mode=plan.mode.value,
            fingerprint=fingerprint,
            request=plan.request,
            adjustments=plan.adjustments,
            output=str(output),
            claim=not ask.force,
            owner=claims.owner(),
            lease_s=claims.lease_seconds(prepared.config),
            cost=_cost_columns(plan),
            caller=ask.caller,
            webhook_url=ask.webhook_url,
        )
        if created and not ask.force:
            # An identical job may have finished (and released its claim) between the check
            # above and this claim; a job finishing later could not have: the claim was held.
            done = self._downloaded(fingerprint)
            if done is not None:
                self.journal.update(
                    record,
                    state=JobState.DOWNLOADED,
                    path=done.path,
                    handle=done.handle,
                    assets=done.assets,
                    metadata={**done.metadata, "reused": True, "reused_from": done.id},
                )
                if record.webhook_state is not None:
                    self.webhooks.notify()  # this job ended at once, reusing another's video
                return done, (done, False), output
        return None, (record, created), output

    def delivered(self, plan: Plan) -> JobRecord | None:
        """Blocking: an identical job already downloaded whose file is still there, or None
        (what ``generate`` would reuse for free instead of submitting ``plan``)."""
        return self._downloaded(_fingerprint(plan))

    def _downloaded(self, fingerprint: str) -> JobRecord | None:
        for record in self.journal.by_fingerprint(fingerprint, states=(JobState.DOWNLOADED,)):
            if record.state is JobState.DOWNLOADED and record.path and Path(record.path).is_file():
                if not record.metadata.get("reused_from"):
                    return record
        return None

    def _reuse(self, record: JobRecord, ask: Ask) -> Flow[JobRecord]:
        """Serve an identical earlier result instead of paying again (opt out: ``force``)."""
        assert record.path is not None
        if ask.output is not None:
            dest = yield Offload(functools.partial(files.copy_to, record.path, ask.output))
            if dest is not None:
                record = yield from self._j("update", record, path=str(dest))
        self._emit("reused", record, f"identical to job {record.id}: reusing its video")
        return attrs.evolve(record, metadata={**record.metadata, "reused": True})

    def _follow_claim(self, record: JobRecord) -> Flow[JobRecord]:
        """Another caller holds this request's claim: wait for its submit, then share its job."""
        self._emit("following", record, "an identical job is already under way; following it")
        if record.state is JobState.PENDING:
            record = yield from self._await_submit(record)
        if record.state is JobState.UNKNOWN:
            raise SubmitOutcomeUnknown(
                f"an identical request was sent as job {record.id}, and whether {record.provider} "
                "accepted it is unknown: `reelkit jobs reconcile` finds it, or resubmit with "
                "force=True (--force) to pay again",
                job_id=record.id,
            )
        return record

    def _submit(
        self,
        record: JobRecord,
        prepared: Prepared,
        credentials: Credentials,
        *,
        requeue: bool = False,
    ) -> Flow[JobRecord]:
        """Send the claimed job once. ``requeue`` (workers): a submit the provider provably did
        not take (never left, or 429) goes back to ``PLANNED`` for a later try, not ``failed``."""
        name = prepared.provider.info.name
        config = prepared.config
        request = with_timeout(prepared.request, config)
        auth = self._auth(prepared.provider, config, credentials)
        self._emit("submitting", record)
        try:
            response: httpx.Response = yield from self._exchange(
                name, request, auth, policy=retry.SUBMIT, idempotent=False
            )
        except NetworkError as exc:  # it never left: nothing accepted, nothing billed
            yield from self._not_taken(record, exc, requeue=requeue)
            raise
        except httpx.TransportError as exc:
            return (yield from self._unknown(record, f"{type(exc).__name__} after sending: {exc}"))
        except ReelkitError as exc:
            # Raised by the auth flow (a key file that cannot be read, a token endpoint that
            # refuses the grant): the submit itself was never answered 2xx, so nothing was
            # accepted or billed.
            yield from self._fail(record, exc)
            raise
        try:
            handle = self.host.call(
                name,
                "reelkit_parse_submit",
                model=prepared.model,
                request=prepared.plan.request,
                response=response,
            )
        except (ResponseFormatError, ProviderError, PluginError) as exc:
            if response.is_success and not _refused(exc):
                return (
                    yield from self._unknown(
                        record, f"HTTP {response.status_code} but the answer was unreadable: {exc}"
                    )
                )
            yield from self._not_taken(record, exc, requeue=requeue)
            raise
        except ReelkitError as exc:
            yield from self._fail(record, exc)
            raise
        if not isinstance(handle, JobHandle):
            return (
                yield from self._unknown(
                    record, f"reelkit_parse_submit returned {type(handle).__name__}"
                )
            )
        record = yield from self._record_submitted(record, handle)
        self._emit("submitted", record, f"task {handle.task_id}")
        return record

    def _not_taken(self, record: JobRecord, exc: ReelkitError, *, requeue: bool) -> Flow[None]:
        # Exactly the refusals the submit policy itself tries again (reelkit.retry): nothing left.
        untaken = isinstance(exc, RateLimited) or (
            isinstance(exc, NetworkError) and exc.sent is False
        )
        if requeue and untaken:
            yield from self._j("update", record, owner=claims.PLANNED, lease_until=None)
            self._emit("requeued", record, str(exc))
            return
        yield from self._fail(record, exc)

    def _record_submitted(self, record: JobRecord, handle: JobHandle) -> Flow[JobRecord]:
        """The provider accepted (and will bill) the job: its task id must survive anything."""
        failure: Exception | None = None
        for attempt in range(_RECORD_ATTEMPTS):
            try:
                updated: JobRecord = yield from self._j(
                    "update", record, state=JobState.SUBMITTED, handle=handle
                )
                return updated
            except JournalError as exc:
                failure = exc
                yield Sleep(retry.pause(0.1 * 3**attempt))
        entry = {
            "time": time.time(),
            "job_id": record.id,
            "provider": record.provider,
            "model": record.model,
            "task_id": handle.task_id,
            "handle": unstructure(handle),
            "journal_error": str(failure),
        }
        path = self.settings.home / RECOVERY_FILE
        saved = yield Offload(functools.partial(_append_recovery, path, entry))
        where = f" and to {path}" if saved else ""
        message = (
            f"job {record.id} was accepted by {record.provider} as task {handle.task_id}, but the "
            f"journal could not record it ({failure}). The task id is printed here{where}; once "
            f"the journal works: `reelkit jobs adopt {record.id} {handle.task_id}`"
        )
        print(f"reelkit: error: {redact.scrub_text(message)}", file=sys.stderr, flush=True)
        raise JournalError(
            message,
            path=getattr(failure, "path", None),
            job_id=record.id,
            task_id=handle.task_id,
            handle=unstructure(handle),
        )

    def _unknown(self, record: JobRecord, why: str) -> Flow[JobRecord]:
        record = yield from self._j(
            "update",
            record,
            state=JobState.UNKNOWN,
            error={"error": "SubmitOutcomeUnknown", "message": why},
        )
        self._emit("unknown", record, why)
        raise SubmitOutcomeUnknown(
            f"the submit may have reached {record.provider} ({why}); it is not retried, so you "
            "are not billed twice. The job is kept as unknown: `reelkit jobs reconcile "
            f"{record.id}` looks for the task, `reelkit jobs adopt {record.id} TASK_ID` links it",
            job_id=record.id,
        )


def _append_recovery(path: Path, entry: dict[str, Any]) -> bool:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as f:
            f.write(redact.scrub(json.dumps(entry, default=str)) + "\n")
            f.flush()
            os.fsync(f.fileno())
    except OSError:
        return False
    return True


def _cost_columns(plan: Plan) -> dict[str, Any] | None:
    if plan.cost is None:
        return None
    cost = plan.cost
    return {
        "estimated": cost.estimated,
        "currency": cost.currency,
        "basis": cost.basis,
        "source": cost.source,
        "as_of": cost.as_of.isoformat() if cost.as_of else None,
    }


def _fingerprint(plan: Plan, caller: str | None = None) -> str:
    data = unstructure(plan.request)
    for key in ("first_frame", "last_frame", "video"):
        medium = getattr(plan.request, key)
        if medium is not None:
            data[key] = medium.digest()
    data["reference_images"] = [m.digest() for m in plan.request.reference_images]
    identity: dict[str, Any] = {"provider": plan.provider, "model": plan.model, "request": data}
    if caller is not None:  # callers share nothing: one cannot learn what another asked for
        identity["caller"] = caller
    payload = json.dumps(identity, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def _refused(exc: Exception) -> bool:
    """Did a 2xx answer carry the provider's own refusal, so that no task exists?

    Some providers answer every error with HTTP 200 and an error code in the body (MiniMax's
    ``base_resp``, Kling's envelope). A plugin that read such a code raises a ``ProviderError``
    carrying it: that is a refusal, nothing was accepted or billed. An answer the plugin could not
    read (``ResponseFormatError``, a ``PluginError``, an error without a provider code) may hide an
    accepted task, so its outcome stays unknown.
    """
    if isinstance(exc, ContentFiltered):
        return True
    return (
        isinstance(exc, ProviderError)
        and not isinstance(exc, ResponseFormatError)
        and exc.code is not None
    )
