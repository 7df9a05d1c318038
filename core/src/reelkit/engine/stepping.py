"""Jobs moved one step at a time, from any process: the seam workers are built on.

``record`` journals a job without sending it: ``pending``, owned by ``claims.PLANNED``, holding
its fingerprint's claim, with the applied request a worker needs to submit it from the journal
alone. ``advance`` then does exactly one thing and says when to come back:

- a recorded job: take it over (compare and set on the owner), translate, submit once;
- a ``pending`` job whose claimant is alive: nothing (come back soon); dead: ``unknown``;
- an ``unknown`` job: ``reconcile`` it (adopt the one task the provider lists for it);
- a submitted, queued or running job: one poll, honouring the provider's ``poll_after``;
- a ``succeeded`` job: download it; a terminal one: nothing.

Any number of processes may advance the same job at once: the take-over and the journal's
claims make a submit happen at most once, a second poll is only a poll, and a download lands
by an atomic rename. No step sleeps for a poll interval: the caller schedules the next one.
"""

from __future__ import annotations

from typing import Any

import attrs

from reelkit import callbacks, retry, webhooks
from reelkit.arguments import Ask
from reelkit.capabilities import Mode
from reelkit.effects import Flow, Offload
from reelkit.errors import (
    ContentFiltered,
    DownloadFailed,
    InvalidRequest,
    NetworkError,
    ProviderError,
    RateLimited,
    ReelkitError,
    SubmitOutcomeUnknown,
)
from reelkit.journal import JobRecord, new_job_id
from reelkit.models import Failed, JobState, Plan, Queued, Running
from reelkit.plugins import RegisteredProvider

from . import claims, files
from .polling import _model_or_none
from .recovery import Reconciled, Recovery
from .selection import Prepared
from .submitting import _cost_columns, _fingerprint

#: Seconds before looking again at a job another live process is submitting.
CLAIMANT_WAIT_S = 5.0
#: Waits before each ``reconcile`` of an unknown job (the provider's list may lag its submit);
#: after the last, the job stays ``unknown`` for a person (``reelkit jobs adopt``).
RECONCILE_WAITS_S = (2.0, 10.0, 60.0)


@attrs.frozen(kw_only=True)
class Step:
    """What one ``advance`` did, and when the next should run."""

    job_id: str
    state: JobState
    did: str  # submitted, requeued, polled, downloaded, waited, reconciled, failed, nothing
    next_in: float | None  # seconds until the next advance; None: nothing more to do
    errors: int = 0  # consecutive failed polls or downloads (the caller passes it back)
    message: str = ""

    @property
    def done(self) -> bool:
        return self.next_in is None

    def to_dict(self) -> dict[str, Any]:
        return {**attrs.asdict(self), "state": self.state.value, "done": self.done}


class Stepping(Recovery):
    def record(self, prepared: Prepared, ask: Ask) -> Flow[JobRecord]:
        """Journal a job for a worker to submit; an identical open or delivered job is returned
        instead (nothing is recorded twice, nothing bought twice)."""
        if prepared.refusal is not None:
            raise prepared.refusal
        _check_journalable(prepared)
        plan = prepared.plan
        fingerprint = _fingerprint(plan, ask.caller)
        if ask.webhook_url is not None:  # refused before anything is recorded
            webhooks.check_url(ask.webhook_url, self.settings)
        job_id = new_job_id()
        default_name = f"{files.slug(plan.request.prompt)}-{job_id[-6:]}.mp4"

        def create() -> tuple[JobRecord, bool]:
            # Resolving the path stats the disk: done here, off the event loop, like the rest.
            output = files.target(ask.output, default_name=default_name)
            if not ask.force:
                done = self._downloaded(fingerprint)
                if done is not None:
                    return done, False
            files.prove_writable(output)
            return self.journal.create(
                job_id=job_id,
                provider=plan.provider,
                model=plan.model,
                mode=plan.mode.value,
                fingerprint=fingerprint,
                request=plan.request,
                adjustments=plan.adjustments,
                output=str(output),
                claim=not ask.force,
                owner=claims.PLANNED,
                lease_s=None,
                cost=_cost_columns(plan),
                caller=ask.caller,
                webhook_url=ask.webhook_url,
            )

        made: tuple[JobRecord, bool] = yield Offload(create)
        record, created = made
        if created:
            self._emit("planned", record, plan.notice or "", data={"recorded": True})
        return record

    def advance(self, job_id: str, *, errors: int = 0) -> Flow[Step]:
        """Move the job one step (see the module docstring)."""
        record: JobRecord = yield from self._j("get", job_id)
        state = record.state
        if state.terminal or state is JobState.UNRECOGNISED:
            return _step(record, "nothing", None)
        if state is JobState.PENDING:
            if record.owner == claims.PLANNED:
                return (yield from self._submit_recorded(record))
            if claims.alive(record):
                return _step(record, "waited", CLAIMANT_WAIT_S)
            why = "the process that was submitting it stopped before the answer was recorded"
            marked = yield from self._j(
                "update_if",
                record,
                JobState.PENDING,
                state=JobState.UNKNOWN,
                error={"error": "SubmitOutcomeUnknown", "message": why},
            )
            if marked is not None:
                self._emit("unknown", marked, why)
            return _step(marked or record, "unknown", RECONCILE_WAITS_S[0], message=why)
        if state is JobState.UNKNOWN:
            return (yield from self._reconcile_step(record, errors))
        provider = self.host.provider(record.provider)
        config = self.settings.provider_config(provider.info)
        if state.pollable:
            return (yield from self._poll_step(record, provider, errors))
        # SUCCEEDED: the provider is done; fetch the video.
        try:
            record = yield from self._download(record, provider, config, sweep=True)
        except DownloadFailed as exc:
            if not exc.retryable:
                return _step(record, "failed", None, message=str(exc))
            return _step(record, "retry", _backoff(errors + 1, 1.0), errors + 1, str(exc))
        return _step(record, "downloaded", None)

    # --- the steps -----------------------------------------------------------------------

    def _submit_recorded(self, record: JobRecord) -> Flow[Step]:
        provider = self.host.provider(record.provider)
        config = self.settings.provider_config(provider.info)
        taken: JobRecord | None = yield from self._j(
            "take_over",
            record,
            expect_owner=claims.PLANNED,
            owner=claims.owner(),
            lease_s=claims.lease_seconds(config),
        )
        if taken is None:  # another worker took it first: look again
            return _step(record, "nothing", 0.0)
        claims.begin(taken.id)
        try:
            try:
                credentials = self._credentials(provider)
                model = provider.model(taken.model)
                hook = callbacks.callback_url(self.settings.env, provider.info.name, taken.id)
                if hook is not None:
                    options = {**config.options, callbacks.CALLBACK_OPTION: hook}
                    config = attrs.evolve(config, options=options)
                request = self.host.call(
                    provider.info.name,
                    "reelkit_translate",
                    model=model,
                    request=taken.request,
                    config=config,
                )
            except ReelkitError as exc:  # nothing was sent: the job cannot be made as recorded
                failed = yield from self._fail(taken, exc)
                return _step(failed, "failed", None, message=str(exc))
            prepared = Prepared(
                plan=Plan(
                    provider=taken.provider,
                    model=taken.model,
                    mode=Mode(taken.mode),
                    request=taken.request,
                    adjustments=taken.adjustments,
                ),
                provider=provider,
                model=model,
                config=config,
                request=request,
            )
            try:
                submitted = yield from self._submit(taken, prepared, credentials, requeue=True)
            except SubmitOutcomeUnknown as exc:
                return _step(taken, "unknown", RECONCILE_WAITS_S[0], message=str(exc))
            except ReelkitError as exc:
                current: JobRecord = yield from self._j("get", taken.id)
                if current.owner == claims.PLANNED:  # refused before it was taken: try later
                    wait = exc.retry_after if isinstance(exc, RateLimited) else None
                    return _step(current, "requeued", max(wait or 0.0, 1.0), message=str(exc))
                return _step(current, "failed", None, message=str(exc))
        finally:
            claims.end(taken.id)
        return _step(submitted, "submitted", self._interval(provider, submitted))

    def _poll_step(
        self, record: JobRecord, provider: RegisteredProvider, errors: int
    ) -> Flow[Step]:
        config = self.settings.provider_config(provider.info)
        interval = self._interval(provider, record)
        try:
            auth = self._auth(provider, config, self._credentials(provider))
            status = yield from self._poll_once(record, provider, config, auth)
        except ContentFiltered as exc:
            failed = yield from self._fail(record, exc)
            return _step(failed, "failed", None, message=str(exc))
        except (ProviderError, NetworkError) as exc:
            if not exc.retryable:  # nothing is known to have changed: the job stays resumable
                return _step(record, "failed", None, errors, str(exc))
            hint = exc.retry_after if isinstance(exc, RateLimited) else None
            wait = retry.poll_backoff(errors + 1, interval, hint) or interval
            return _step(record, "retry", wait, errors + 1, str(exc))
        record = yield from self._record_status(record, status)
        if isinstance(status, (Queued, Running)):
            wait = status.poll_after if status.poll_after is not None else interval
            return _step(record, "polled", wait)
        if isinstance(status, Failed):
            return _step(record, "failed", None, message=status.message)
        return _step(record, "polled", 0.0)  # succeeded: download at once

    def _reconcile_step(self, record: JobRecord, errors: int) -> Flow[Step]:
        found: Reconciled | None = None
        try:
            found = yield from self.reconcile(record.id)
        except ReelkitError as exc:
            message = str(exc)
        else:
            message = found.message
        if found is not None and found.outcome == "adopted":
            adopted: JobRecord = yield from self._j("get", record.id)
            return _step(adopted, "reconciled", 0.0, message=message)
        if found is not None and found.outcome in ("unsupported", "ambiguous"):
            return _step(record, "unknown", None, message=message)  # a person must choose
        if errors + 1 < len(RECONCILE_WAITS_S):
            return _step(record, "unknown", RECONCILE_WAITS_S[errors + 1], errors + 1, message)
        return _step(record, "unknown", None, errors + 1, message)

    def _interval(self, provider: RegisteredProvider, record: JobRecord) -> float:
        config = self.settings.provider_config(provider.info)
        model = _model_or_none(provider, record.model)
        if self.settings.poll_interval is None and model and model.poll_interval_s is not None:
            return model.poll_interval_s
        return config.poll_interval_s


def _step(
    record: JobRecord, did: str, next_in: float | None, errors: int = 0, message: str = ""
) -> Step:
    return Step(
        job_id=record.id,
        state=record.state,
        did=did,
        next_in=next_in,
        errors=errors,
        message=message,
    )


def _backoff(errors: int, base: float) -> float:
    return min(base * 2.0 ** (errors - 1), 120.0)


def _check_journalable(prepared: Prepared) -> None:
    """The journal keeps a medium's digest, not its bytes: a worker could not send them."""
    request = prepared.plan.request
    media = {
        "first_frame": request.first_frame,
        "last_frame": request.last_frame,
        "video": request.video,
        **{f"reference_images[{i}]": m for i, m in enumerate(request.reference_images)},
    }
    for field, medium in media.items():
        if medium is not None and medium.data is not None:
            raise InvalidRequest(
                field,
                "a job recorded for a worker is submitted from the journal, which keeps no "
                "media bytes: pass the medium as an http(s) URL",
                allowed="an http(s) URL",
            )


__all__ = ["CLAIMANT_WAIT_S", "RECONCILE_WAITS_S", "Step", "Stepping"]
