"""The one orchestration behind ``Client`` and ``AsyncClient``.

``plan → journal(pending) → sign → submit → journal(submitted) → poll until terminal →
journal(succeeded) → download → verify → journal(downloaded)``

Every step that talks to the outside world is an effect (``reelkit.effects``) yielded to a
driver; everything else — choosing, clamping, retry decisions, the journal, verification,
atomic renames — happens here, once, for both clients.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import re
import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import httpx

from . import redact
from .capabilities import Mode, ModelInfo
from .clamping import clamp
from .config import Settings
from .effects import Fetch, Fetched, Flow, Send, Sleep
from .errors import (
    ContentFiltered,
    DownloadFailed,
    InvalidRequest,
    JobFailed,
    JobTimeout,
    MissingBaseURL,
    MissingCredentials,
    PluginError,
    ProviderError,
    RateLimited,
    ReelkitError,
    ResponseFormatError,
    SubmitOutcomeUnknown,
)
from .journal import JobRecord, Journal, new_job_id
from .media import MediaInput, to_media
from .models import (
    Credentials,
    Failed,
    JobEvent,
    JobHandle,
    JobState,
    JobStatus,
    Plan,
    ProviderConfig,
    Queued,
    Result,
    Running,
    SourceJob,
    Succeeded,
    VideoRequest,
)
from .plugins import PluginHost, RegisteredProvider
from .serialization import unstructure

log = logging.getLogger("reelkit")
redact.install_log_filter(log)

MAX_POLL_ERRORS = (
    8  # consecutive transient poll failures before giving up (the job stays resumable)
)
MAX_REDIRECTS = 5
PLACEHOLDER = "reelkit-placeholder-credential"


@attrs.frozen(kw_only=True)
class Ask:
    """The caller's arguments, as given (DESIGN §1.3)."""

    prompt: str
    provider: str | None = None
    model: str | None = None
    duration: float | None = None
    aspect_ratio: str | None = None
    resolution: str | None = None
    size: str | None = None
    fps: int | None = None
    seed: int | None = None
    negative_prompt: str | None = None
    audio: bool | None = None
    first_frame: MediaInput | None = None
    last_frame: MediaInput | None = None
    reference_images: Sequence[MediaInput] = ()
    video: MediaInput | None = None
    continue_from: str | None = None
    remix_of: str | None = None
    params: Mapping[str, Any] = attrs.field(factory=dict)
    output: str | os.PathLike[str] | None = None
    strict: bool = False
    timeout: float | None = None
    force: bool = False


@attrs.frozen(kw_only=True)
class Prepared:
    """A plan plus what submitting it needs (the unsigned request, never shown unredacted)."""

    plan: Plan
    provider: RegisteredProvider
    model: ModelInfo
    config: ProviderConfig
    request: httpx.Request


class Engine:
    def __init__(
        self, host: PluginHost, settings: Settings, journal: Callable[[], Journal]
    ) -> None:
        self.host = host
        self.settings = settings
        self._journal_factory = journal
        self._journal: Journal | None = None

    def close(self) -> None:
        if self._journal is not None:
            self._journal.close()
            self._journal = None

    @property
    def journal(self) -> Journal:
        if self._journal is None:
            self._journal = self._journal_factory()
        return self._journal

    # --- planning (pure: no network) -------------------------------------------------------

    def prepare(self, ask: Ask) -> Prepared:
        request = self._request(ask)
        provider_name = ask.provider or self._source_provider(request)
        chosen, model, notice = self._choose(request, provider_name, ask.model)
        applied, adjustments = clamp(request, model, strict=ask.strict)
        config = self.settings.provider_config(chosen.info)
        name = chosen.info.name
        http = self.host.call(
            name, "reelkit_translate", model=model, request=applied, config=config
        )
        if not isinstance(http, httpx.Request):
            raise PluginError(
                f"{name}: reelkit_translate returned {type(http).__name__}, not an httpx.Request"
            )
        credentials = self.settings.credentials(chosen.info)
        shown = credentials if credentials else self._placeholder(chosen)
        preview = redact.preview(self._signed_copy(name, http, shown, config), shown.secrets())
        for adjustment in adjustments:
            log.warning(
                "%s: %s -> %s (%s)",
                adjustment.field,
                adjustment.requested,
                adjustment.applied,
                adjustment.reason,
                extra={"reelkit_adjustment": True},
            )
        plan = Plan(
            provider=name,
            model=model.id,
            mode=applied.mode or Mode.T2V,
            request=applied,
            adjustments=tuple(adjustments),
            http=preview,
            warnings=tuple(f"{a.field}: {a.reason}" for a in adjustments),
            notice=notice,
        )
        return Prepared(plan=plan, provider=chosen, model=model, config=config, request=http)

    def _request(self, ask: Ask) -> VideoRequest:
        if not isinstance(ask.prompt, str):
            raise InvalidRequest("prompt", "must be text")
        return VideoRequest(
            prompt=ask.prompt,
            duration=None if ask.duration is None else float(ask.duration),
            aspect_ratio=ask.aspect_ratio,
            resolution=ask.resolution,
            size=ask.size,
            fps=ask.fps,
            seed=ask.seed,
            negative_prompt=ask.negative_prompt,
            audio=ask.audio,
            first_frame=None
            if ask.first_frame is None
            else to_media(ask.first_frame, "first_frame"),
            last_frame=None if ask.last_frame is None else to_media(ask.last_frame, "last_frame"),
            reference_images=tuple(to_media(m, "reference_images") for m in ask.reference_images),
            video=None if ask.video is None else to_media(ask.video, "video"),
            continue_from=self._source(ask.continue_from, "continue_from"),
            remix_of=self._source(ask.remix_of, "remix_of"),
            params=dict(ask.params),
        )

    def _source(self, ref: str | None, field: str) -> SourceJob | None:
        """A reelkit job id from the journal, or else the provider's own id as given."""
        if not ref:
            return None
        record = self.journal.find(ref)
        if record is None:
            return SourceJob(task_id=ref)
        if record.handle is None:
            raise InvalidRequest(field, f"job {record.id} was never accepted by {record.provider}")
        video = record.video
        return SourceJob(
            task_id=record.handle.task_id,
            job_id=record.id,
            provider=record.provider,
            model=record.model,
            video_url=video.url if video else None,
            expires_at=video.expires_at if video else None,
            duration=record.request.duration,
            aspect_ratio=record.request.aspect_ratio,
            resolution=record.request.resolution,
            data=dict(record.handle.data),
        )

    @staticmethod
    def _source_provider(request: VideoRequest) -> str | None:
        source = request.continue_from or request.remix_of
        return source.provider if source else None  # an extension goes back where it came from

    def _choose(
        self, request: VideoRequest, provider: str | None, model: str | None
    ) -> tuple[RegisteredProvider, ModelInfo, str | None]:
        if provider:
            chosen = self.host.provider(provider)
            return chosen, chosen.model(model or self.settings.default_model(chosen.info)), None
        candidates = self.host.all_providers()
        if model:
            owners = [p for p in candidates if any(model in m.names() for m in p.models)]
            if not owners:
                known = sorted({n for p in candidates for m in p.models for n in m.names()})
                raise InvalidRequest(
                    "model", f"no installed provider offers {model!r}", allowed=known
                )
            keyed = [p for p in owners if self.settings.unusable(p.info) is None]
            chosen = (keyed or owners)[0]
            return chosen, chosen.model(model), None
        skipped: list[str] = []
        keyless: list[RegisteredProvider] = []
        for candidate in candidates:
            if not candidate.info.credential_env:
                keyless.append(candidate)
                continue
            unusable = self.settings.unusable(candidate.info)
            if unusable:
                skipped.append(f"{candidate.info.name}: {unusable}")
                continue
            fit = self._fits(candidate, request)
            if fit is None:
                return candidate, candidate.model(self.settings.default_model(candidate.info)), None
            skipped.append(f"{candidate.info.name}: {fit}")
        for candidate in keyless:
            fit = self._fits(candidate, request)
            if fit is not None:
                skipped.append(f"{candidate.info.name}: {fit}")
                continue
            reason = "; ".join(skipped) if skipped else "no remote provider is installed"
            notice = f"no credentialed provider qualifies ({reason}); using {candidate.info.name}"
            return candidate, candidate.model(self.settings.default_model(candidate.info)), notice
        raise InvalidRequest(
            "provider", "no installed provider can serve this request: " + "; ".join(skipped)
        )

    def _fits(self, candidate: RegisteredProvider, request: VideoRequest) -> str | None:
        try:
            clamp(request, candidate.model(self.settings.default_model(candidate.info)))
        except InvalidRequest as exc:
            return str(exc)
        return None

    def _placeholder(self, provider: RegisteredProvider) -> Credentials:
        names = provider.info.credential_env[0] if provider.info.credential_env else ()
        return Credentials({name: PLACEHOLDER for name in names})

    def _signed_copy(
        self,
        provider: str,
        request: httpx.Request,
        credentials: Credentials,
        config: ProviderConfig,
    ) -> httpx.Request:
        copy = httpx.Request(
            request.method, request.url, headers=request.headers, content=request.content
        )
        auth = self.host.call(provider, "reelkit_auth", credentials=credentials, config=config)
        if auth is None:
            return copy
        signed: httpx.Request = next(auth.sync_auth_flow(copy))
        return signed

    # --- running -----------------------------------------------------------------------------

    def start(
        self, prepared: Prepared, ask: Ask, *, wait: bool, download: bool = True
    ) -> Flow[JobRecord]:
        """Submit (unless an identical job can be reused or resumed) and optionally wait."""
        plan = prepared.plan
        fingerprint = _fingerprint(plan)
        if not ask.force:
            earlier = self._earlier(fingerprint, ask)
            if earlier is not None:
                if earlier.state.pollable or earlier.state is JobState.SUCCEEDED:
                    self._emit(
                        "resumed", earlier, "an identical job is already under way; following it"
                    )
                    if not wait:
                        return earlier
                    return (
                        yield from self.follow(earlier.id, download=download, timeout=ask.timeout)
                    )
                return earlier
        credentials = self._credentials(prepared.provider)
        job_id = new_job_id()
        output = _target(
            ask.output, plan, default_name=f"{_slug(plan.request.prompt)}-{job_id[-6:]}.mp4"
        )
        record = self.journal.create(
            job_id=job_id,
            provider=plan.provider,
            model=plan.model,
            mode=plan.mode.value,
            fingerprint=fingerprint,
            request=plan.request,
            adjustments=plan.adjustments,
            output=str(output),
        )
        self._emit(
            "planned",
            record,
            plan.notice or "",
            data={"notice": plan.notice, "adjustments": [a.to_dict() for a in plan.adjustments]},
        )
        record = yield from self._submit(record, prepared, credentials)
        if not wait:
            return record
        return (yield from self.follow(record.id, download=download, timeout=ask.timeout))

    def _earlier(self, fingerprint: str, ask: Ask) -> JobRecord | None:
        for record in self.journal.by_fingerprint(fingerprint):
            if record.state is JobState.DOWNLOADED and record.path and Path(record.path).is_file():
                return self._reuse(record, ask)
            if record.state.pollable or record.state is JobState.SUCCEEDED:
                return record
            if record.state in (JobState.PENDING, JobState.UNKNOWN):
                raise SubmitOutcomeUnknown(
                    f"an identical request was sent as job {record.id}, and whether {record.provider} "
                    "accepted it is unknown; check the provider, then resubmit with force=True (--force)",
                    job_id=record.id,
                )
        return None

    def _reuse(self, record: JobRecord, ask: Ask) -> JobRecord:
        """Serve an identical earlier result instead of paying again (opt out: ``force``)."""
        assert record.path is not None
        if ask.output is not None:
            target = _target(ask.output, None, default_name=Path(record.path).name)
            if target.resolve() != Path(record.path).resolve():
                _atomic_copy(Path(record.path), target)
                record = self.journal.update(record, path=str(target))
        self._emit("reused", record, f"identical to job {record.id}: reusing its video")
        return attrs.evolve(record, metadata={**record.metadata, "reused": True})

    def _submit(
        self, record: JobRecord, prepared: Prepared, credentials: Credentials
    ) -> Flow[JobRecord]:
        name = prepared.provider.info.name
        config = prepared.config
        request = _with_timeout(prepared.request, config)
        auth = self.host.call(name, "reelkit_auth", credentials=credentials, config=config)
        self._emit("submitting", record)
        try:
            response = yield Send(name, request, auth, idempotent=False)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            # The request never left: nothing was accepted, nothing billed.
            error = ProviderError(
                f"could not connect to {config.base_url}: {exc}", provider=name, retryable=True
            )
            self._fail(record, error)
            raise error from None
        except httpx.TransportError as exc:
            return self._unknown(record, f"{type(exc).__name__} after sending: {exc}")
        try:
            handle = self.host.call(
                name,
                "reelkit_parse_submit",
                model=prepared.model,
                request=prepared.plan.request,
                response=response,
            )
        except (ResponseFormatError, ProviderError) as exc:
            if response.is_success and not isinstance(exc, ContentFiltered):
                return self._unknown(
                    record, f"HTTP {response.status_code} but the answer was unreadable: {exc}"
                )
            self._fail(record, exc)
            raise
        except ReelkitError as exc:
            self._fail(record, exc)
            raise
        if not isinstance(handle, JobHandle):
            return self._unknown(record, f"reelkit_parse_submit returned {type(handle).__name__}")
        record = self.journal.update(record, state=JobState.SUBMITTED, handle=handle)
        self._emit("submitted", record, f"task {handle.task_id}")
        return record

    def _unknown(self, record: JobRecord, why: str) -> JobRecord:
        self.journal.update(
            record,
            state=JobState.UNKNOWN,
            error={"error": "SubmitOutcomeUnknown", "message": why},
        )
        self._emit("unknown", record, why)
        raise SubmitOutcomeUnknown(
            f"the submit may have reached {record.provider} ({why}); it is not retried, so you are "
            f"not billed twice. Check the provider; the job is kept in the journal as unknown",
            job_id=record.id,
        )

    def follow(
        self, job_id: str, *, download: bool = True, timeout: float | None = None
    ) -> Flow[JobRecord]:
        """Finish a job from wherever the journal says it is, in any process."""
        record = self.journal.get(job_id)
        if record.state in (JobState.PENDING, JobState.UNKNOWN):
            if record.state is JobState.PENDING:
                record = self.journal.update(record, state=JobState.UNKNOWN)
            raise SubmitOutcomeUnknown(
                f"whether {record.provider} accepted this job is unknown (the process stopped while "
                "submitting); reelkit will not resubmit it on its own",
                job_id=record.id,
            )
        if record.state in (JobState.FAILED, JobState.CANCELLED):
            raise self._stored_error(record)
        provider = self.host.provider(record.provider)
        config = self.settings.provider_config(provider.info)
        if record.state.pollable:
            credentials = self._credentials(provider)
            auth = self.host.call(
                provider.info.name, "reelkit_auth", credentials=credentials, config=config
            )
            deadline = time.monotonic() + (timeout if timeout is not None else config.timeout_s)
            record = yield from self._poll_until_done(record, provider, config, auth, deadline)
        if record.state is JobState.SUCCEEDED and download:
            record = yield from self._download(record, provider, config)
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
                self._emit("timeout", record)
                raise JobTimeout(
                    f"job {record.id} is still {record.state.value} at {record.provider} after the deadline; "
                    f"it keeps running there: `reelkit jobs resume {record.id}` picks it up",
                    job_id=record.id,
                )
            polls += 1
            if config.max_polls is not None and polls > config.max_polls:
                raise JobTimeout(
                    f"job {record.id} is still {record.state.value} after {config.max_polls} polls; "
                    f"`reelkit jobs resume {record.id}` picks it up",
                    job_id=record.id,
                )
            try:
                status = yield from self._poll_once(record, provider, config, auth)
            except RateLimited as exc:
                errors += 1
                wait = max(exc.retry_after or 0.0, _backoff(errors, interval))
                self._emit("retry", record, f"rate limited; polling again in {wait:.1f} s")
                continue
            except (ProviderError, httpx.TransportError) as exc:
                retryable = isinstance(exc, httpx.TransportError) or exc.retryable
                if isinstance(exc, ContentFiltered):
                    self._fail(record, exc)
                    raise
                if not retryable:
                    raise  # the job stays as it was: nothing about it is known to have changed
                errors += 1
                if errors > MAX_POLL_ERRORS:
                    raise
                wait = _backoff(errors, interval)
                self._emit("retry", record, f"{exc}; polling again in {wait:.1f} s")
                continue
            errors = 0
            record = self._record_status(record, status)
            if isinstance(status, (Queued, Running)):
                wait = status.poll_after if status.poll_after is not None else interval
                continue
            if isinstance(status, Failed):
                raise self._stored_error(record)
            return record

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
        response = yield Send(name, _with_timeout(request, config), auth, idempotent=True)
        status: JobStatus = self.host.call(
            name, "reelkit_parse_poll", job=record.handle, response=response
        )
        if not isinstance(status, (Queued, Running, Succeeded, Failed)):
            raise PluginError(f"{name}: reelkit_parse_poll returned {type(status).__name__}")
        return status

    def _record_status(self, record: JobRecord, status: JobStatus) -> JobRecord:
        if isinstance(status, (Queued, Running)):
            state = JobState.QUEUED if isinstance(status, Queued) else JobState.RUNNING
            progress = status.progress if isinstance(status, Running) else None
            if state is not record.state or progress != record.progress:
                record = self.journal.update(record, state=state, progress=progress)
            self._emit("polled", record, progress=progress)
            return record
        if isinstance(status, Succeeded):
            if status.video is None:
                failure = Failed(
                    message="the provider reported success but returned no video", code="no_video"
                )
                return self._record_status(record, failure)
            record = self.journal.update(
                record,
                state=JobState.SUCCEEDED,
                assets=status.assets,
                metadata=dict(status.metadata),
                progress=1.0,
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
        record = self.journal.update(
            record, state=JobState.CANCELLED if cancelled else JobState.FAILED, error=error
        )
        self._emit("failed", record, status.message)
        return record

    def _download(
        self, record: JobRecord, provider: RegisteredProvider, config: ProviderConfig
    ) -> Flow[JobRecord]:
        name = provider.info.name
        asset = record.video
        assert asset is not None and record.handle is not None
        target = (
            Path(record.output)
            if record.output
            else _target(None, None, default_name=f"{record.id}.mp4")
        )
        request = self.host.call(
            name, "reelkit_download_request", job=record.handle, asset=asset, config=config
        )
        credentials = self.settings.credentials(provider.info) or Credentials()
        auth = self.host.call(name, "reelkit_auth", credentials=credentials, config=config)
        self._emit("downloading", record)
        for _ in range(MAX_REDIRECTS + 1):
            own = _same_origin(request.url, config.base_url)
            if not own:  # credentials only ever go to the provider's own origin
                request = _without_secrets(request)
            fetched: Fetched = yield Fetch(
                name, _with_timeout(request, config), auth if own else None, target.parent
            )
            if fetched.location is not None:
                request = httpx.Request(
                    "GET", request.url.join(fetched.location), headers=_hop_headers(request)
                )
                continue
            if fetched.temp_path is None:
                expired = (
                    asset.expires_at is not None and asset.expires_at.timestamp() < time.time()
                )
                hint = (
                    f" (the URL expired at {asset.expires_at.isoformat()})"
                    if expired and asset.expires_at
                    else ""
                )
                raise DownloadFailed(
                    f"job {record.id}: HTTP {fetched.status} fetching the video{hint}: {redact.scrub(fetched.snippet)[:200]}"
                )
            _verify(fetched, target)
            os.chmod(
                fetched.temp_path, 0o666 & ~_UMASK
            )  # mkstemp made it private; the video is not
            os.replace(fetched.temp_path, target)
            record = self.journal.update(record, state=JobState.DOWNLOADED, path=str(target))
            self._emit("downloaded", record, str(target), data={"bytes": fetched.size})
            return record
        raise DownloadFailed(
            f"job {record.id}: more than {MAX_REDIRECTS} redirects fetching the video"
        )

    def download(
        self, job_id: str, output: str | os.PathLike[str] | None = None
    ) -> Flow[JobRecord]:
        """Fetch a finished job's video (again), optionally to a new place."""
        record = self.journal.get(job_id)
        if record.state.pollable:
            record = yield from self.follow(job_id, download=False)
        if record.state not in (JobState.SUCCEEDED, JobState.DOWNLOADED):
            raise InvalidRequest(
                "job", f"job {record.id} is {record.state.value}: there is no video to download"
            )
        if output is not None:
            name = Path(record.output).name if record.output else f"{record.id}.mp4"
            record = self.journal.update(
                record, output=str(_target(output, None, default_name=name))
            )
        provider = self.host.provider(record.provider)
        return (
            yield from self._download(
                record, provider, self.settings.provider_config(provider.info)
            )
        )

    def poll(self, job_id: str) -> Flow[JobRecord]:
        """One status check, recorded in the journal."""
        record = self.journal.get(job_id)
        if not record.state.pollable:
            return record
        provider = self.host.provider(record.provider)
        config = self.settings.provider_config(provider.info)
        auth = self.host.call(
            provider.info.name,
            "reelkit_auth",
            credentials=self._credentials(provider),
            config=config,
        )
        status = yield from self._poll_once(record, provider, config, auth)
        return self._record_status(record, status)

    def cancel(self, job_id: str) -> Flow[JobRecord]:
        record = self.journal.get(job_id)
        if record.state.terminal:
            return record
        if record.handle is None:
            raise InvalidRequest(
                "job", f"job {record.id} has no provider task to cancel ({record.state.value})"
            )
        provider = self.host.provider(record.provider)
        name = provider.info.name
        config = self.settings.provider_config(provider.info)
        request = self.host.call(name, "reelkit_cancel_request", job=record.handle, config=config)
        if request is None:
            raise InvalidRequest(
                "job", f"{name} cannot cancel jobs; it will finish (and bill) on its own"
            )
        auth = self.host.call(
            name, "reelkit_auth", credentials=self._credentials(provider), config=config
        )
        response = yield Send(name, _with_timeout(request, config), auth, idempotent=True)
        status = self.host.call(name, "reelkit_parse_cancel", job=record.handle, response=response)
        return self._record_status(record, status)

    # --- results -------------------------------------------------------------------------------

    def result(self, record: JobRecord) -> Result:
        r = record.request
        video = record.video
        return Result(
            job_id=record.id,
            provider=record.provider,
            model=record.model,
            mode=record.mode,
            status=record.state.value,
            prompt=r.prompt,
            duration=r.duration,
            resolution=r.resolution,
            size=r.size,
            aspect_ratio=r.aspect_ratio,
            fps=r.fps,
            task_id=record.handle.task_id if record.handle else None,
            video_url=redact.scrub(video.url) if video else None,
            expires_at=video.expires_at if video else None,
            path=record.path,
            adjustments=record.adjustments,
            elapsed_s=record.elapsed_s,
            audio=r.audio,
            reused=bool(record.metadata.get("reused")),
        )

    # --- helpers -------------------------------------------------------------------------------

    def _credentials(self, provider: RegisteredProvider) -> Credentials:
        credentials = self.settings.credentials(provider.info)
        if credentials is None:
            raise MissingCredentials(provider.info.name, provider.info.credential_env)
        if not self.settings.provider_config(provider.info).base_url:
            raise MissingBaseURL(provider.info.name, provider.info.base_url_envs)
        redact.remember(credentials.secrets())
        return credentials

    def _fail(self, record: JobRecord, exc: ReelkitError) -> None:
        state = JobState.FAILED
        self.journal.update(record, state=state, error=exc.to_dict())
        self._emit("failed", record, str(exc))

    def _stored_error(self, record: JobRecord) -> ReelkitError:
        error = dict(record.error or {})
        message = str(error.get("message") or record.state.value)
        code = error.get("code")
        if record.state is JobState.CANCELLED:
            return JobFailed("cancelled", job_id=record.id, code="cancelled")
        if error.get("error") == "ContentFiltered":
            return ContentFiltered(
                f"job {record.id}: {message}",
                provider=record.provider,
                code=code,
                reasons=error.get("reasons") or (),
                billed=error.get("billed"),
            )
        return JobFailed(message, job_id=record.id, code=code)

    def _emit(
        self,
        kind: str,
        record: JobRecord,
        message: str = "",
        *,
        progress: float | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> None:
        event = JobEvent(
            kind=kind,
            job_id=record.id,
            provider=record.provider,
            model=record.model,
            state=record.state,
            progress=progress if progress is not None else record.progress,
            message=message,
            data=data or {},
        )
        log.debug("%s %s %s %s", kind, record.id, record.state.value, message)
        try:
            self.host.hook.reelkit_job_event(event=event)
        except Exception:  # an observer must never break a paid job
            log.exception("a reelkit_job_event observer failed")


# --- module helpers --------------------------------------------------------------------------


def _env_names(provider: RegisteredProvider) -> str:
    return " or ".join("+".join(group) for group in provider.info.credential_env)


def _model_or_none(provider: RegisteredProvider, model: str) -> ModelInfo | None:
    try:
        return provider.model(model)
    except InvalidRequest:
        return None


def _with_timeout(request: httpx.Request, config: ProviderConfig) -> httpx.Request:
    # A bare httpx.Request carries no timeout; without one a hung socket would wait forever.
    request.extensions = {
        **request.extensions,
        "timeout": httpx.Timeout(config.http_timeout_s, connect=15.0).as_dict(),
    }
    return request


def _backoff(errors: int, interval: float) -> float:
    base = max(interval, 1.0) * float(min(2 ** max(errors - 1, 0), 32))
    return min(base, 120.0) * (0.8 + 0.4 * random.random())


def _fingerprint(plan: Plan) -> str:
    data = unstructure(attrs.evolve(plan.request))
    for key in ("first_frame", "last_frame", "video"):
        medium = getattr(plan.request, key)
        if medium is not None:
            data[key] = medium.digest()
    data["reference_images"] = [m.digest() for m in plan.request.reference_images]
    payload = json.dumps(
        {"provider": plan.provider, "model": plan.model, "request": data},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _slug(text: str, limit: int = 48) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "video"


def _target(
    output: str | os.PathLike[str] | None, plan: Plan | None, *, default_name: str | None = None
) -> Path:
    """Where a download goes: ``-o`` as a file, or a directory to put it in; else ./videos/."""
    name = default_name or (f"{_slug(plan.request.prompt)}.mp4" if plan else "video.mp4")
    if output is None:
        return (Path.cwd() / "videos" / name).resolve()
    text = os.fspath(output)
    path = Path(text).expanduser()
    if path.is_dir() or text.endswith((os.sep, "/")):
        return (path / name).resolve()
    return path.resolve()


def _atomic_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".reelkit-{target.name}.part")
    try:
        shutil.copyfile(source, temp)
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)


def _same_origin(url: httpx.URL, base: str) -> bool:
    if not base:
        return False
    other = httpx.URL(base)
    return (url.scheme, url.host, url.port) == (other.scheme, other.host, other.port)


def _hop_headers(request: httpx.Request) -> dict[str, str]:
    # The next hop names its own host; a copied Host header would address the old one.
    return {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}


def _without_secrets(request: httpx.Request) -> httpx.Request:
    headers = {
        k: v for k, v in _hop_headers(request).items() if k.lower() not in redact.SECRET_HEADERS
    }
    return httpx.Request(request.method, request.url, headers=headers)


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _current_umask()  # read once, at import: os.umask can only be read by setting it
_VIDEO_TYPES = ("video/", "application/octet-stream", "binary/octet-stream", "application/mp4")


def _verify(fetched: Fetched, target: Path) -> None:
    """Refuse what is not a video (an HTML error page, a JSON error) before it takes the name."""
    assert fetched.temp_path is not None
    ctype = fetched.headers.get("content-type", "").split(";")[0].strip().lower()
    problem = None
    if fetched.size == 0:
        problem = "the body is empty"
    elif ctype and not ctype.startswith(_VIDEO_TYPES):
        problem = f"the content type is {ctype}, not a video"
    else:
        with fetched.temp_path.open("rb") as f:
            head = f.read(12)
        if target.suffix.lower() in (".mp4", ".mov", ".m4v") and head[4:8] != b"ftyp":
            problem = "the file is not an MP4 (no ftyp box)"
    if problem:
        fetched.temp_path.unlink(missing_ok=True)
        raise DownloadFailed(f"downloaded file rejected: {problem}")


__all__ = ["Ask", "Engine", "Prepared"]
