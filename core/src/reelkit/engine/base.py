"""What every part of the orchestration shares: the journal (off the event loop), events,
credentials, stored errors and the one retrying exchange."""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from reelkit import redact, retry
from reelkit.config import Settings
from reelkit.effects import Flow, Offload, Send, Sleep
from reelkit.errors import (
    ContentFiltered,
    JobFailed,
    MissingBaseURL,
    MissingCredentials,
    NetworkError,
    ReelkitError,
)
from reelkit.journal import JobRecord, Journal
from reelkit.journal.records import WEBHOOK_OWED
from reelkit.models import Credentials, JobEvent, JobState, ProviderConfig
from reelkit.plugins import PluginHost, RegisteredProvider
from reelkit.webhooks import Outbox
from reelkit.wire import retry_after_seconds

log = logging.getLogger("reelkit")
redact.install_log_filter(log)


class EngineBase:
    def __init__(
        self, host: PluginHost, settings: Settings, journal: Callable[[], Journal]
    ) -> None:
        self.host = host
        self.settings = settings
        self._journal_factory = journal
        self._journal: Journal | None = None
        self._opening = threading.Lock()  # worker threads may all want the journal at once
        self.webhooks = Outbox(lambda: self.journal, settings)

    def close(self) -> None:
        self.webhooks.close()  # before the journal: it records what it sends
        with self._opening:
            journal, self._journal = self._journal, None
        if journal is not None:
            journal.close()

    @property
    def journal(self) -> Journal:
        journal = self._journal
        if journal is None:
            with self._opening:
                if self._journal is None:
                    self._journal = self._journal_factory()
                journal = self._journal
        return journal

    def _j(self, method: str, *args: Any, **kwargs: Any) -> Flow[Any]:
        """Call a journal method as an effect: in place when sync, in a worker thread when async."""
        return (yield Offload(functools.partial(self._journal_call, method, args, kwargs)))

    def _journal_call(self, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        result = getattr(self.journal, method)(*args, **kwargs)
        if isinstance(result, JobRecord):
            self._ended(result)
        return result

    def _ended(self, record: JobRecord) -> None:
        """Every write of a state passes here: an ended job that owes an event gets it sent."""
        if record.webhook_state == WEBHOOK_OWED and record.state.terminal:
            self.webhooks.notify()

    # --- one exchange, retried by the one policy -------------------------------------------

    def _exchange(
        self,
        provider: str,
        request: httpx.Request,
        auth: httpx.Auth | None,
        *,
        policy: retry.Policy = retry.EXCHANGE,
        idempotent: bool = True,
    ) -> Flow[httpx.Response]:
        """Send with retries: idempotent requests on transport errors, 429 and 5xx; others only
        when they provably never left (a refused connection) or a 429 refused them.

        Returns the last response (the caller maps its status); raises ``NetworkError`` when the
        transport failed on the last attempt. A non-idempotent request that may have left is
        never retried: the ``httpx.TransportError`` propagates for the caller to judge.
        """
        attempt = 0
        while True:
            attempt += 1
            last = attempt >= policy.attempts
            try:
                response: httpx.Response = yield Send(provider, request, auth, idempotent)
            except retry.NEVER_LEFT as exc:
                if last:
                    raise NetworkError(
                        f"could not connect to {redact.redact_url(str(request.url))}: {_why(exc)}",
                        provider=provider,
                        retryable=True,
                        sent=False,
                    ) from None
                yield Sleep(_retrying(provider, request, _why(exc), policy, attempt))
                continue
            except httpx.TransportError as exc:
                if not idempotent:
                    raise
                if last:
                    raise _network_error(provider, request, exc) from None
                yield Sleep(_retrying(provider, request, _why(exc), policy, attempt))
                continue
            status = response.status_code
            retryable = status in retry.RETRY_STATUSES and (idempotent or status == 429)
            if not retryable or last:
                return response
            hint = retry_after_seconds(response)
            yield Sleep(_retrying(provider, request, f"HTTP {status}", policy, attempt, hint))

    # --- helpers -----------------------------------------------------------------------------

    def _credentials(self, provider: RegisteredProvider) -> Credentials:
        credentials = self.settings.credentials(provider.info)
        if credentials is None:
            raise MissingCredentials(provider.info.name, provider.info.credential_env)
        if not self.settings.provider_config(provider.info).base_url:
            raise MissingBaseURL(provider.info.name, provider.info.base_url_envs)
        redact.remember(credentials.secrets())
        return credentials

    def _auth(
        self, provider: RegisteredProvider, config: ProviderConfig, credentials: Credentials
    ) -> httpx.Auth | None:
        auth: httpx.Auth | None = self.host.call(
            provider.info.name, "reelkit_auth", credentials=credentials, config=config
        )
        return auth

    def _fail(self, record: JobRecord, exc: ReelkitError) -> Flow[JobRecord]:
        record = yield from self._j("update", record, state=JobState.FAILED, error=exc.to_dict())
        self._emit("failed", record, str(exc))
        return record

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
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s %s %s %s", kind, record.id, record.state.value, message)
        try:
            self.host.hook.reelkit_job_event(event=event)
        except Exception:  # an observer must never break a paid job
            log.exception("a reelkit_job_event observer failed")


def with_timeout(request: httpx.Request, config: ProviderConfig) -> httpx.Request:
    # A bare httpx.Request carries no timeout; without one a hung socket would wait forever.
    request.extensions = {
        **request.extensions,
        "timeout": httpx.Timeout(config.http_timeout_s, connect=15.0).as_dict(),
    }
    return request


def _retrying(
    provider: str,
    request: httpx.Request,
    why: str,
    policy: retry.Policy,
    attempt: int,
    hint: float | None = None,
) -> float:
    """The wait before the next attempt, said in one line (shown with -v): what, why, when."""
    wait = policy.wait(attempt, hint)
    log.debug(
        "%s: %s %s failed (%s); sending again in %.1f s (attempt %d of %d)",
        provider,
        request.method,
        redact.redact_url(str(request.url)),
        why,
        wait,
        attempt + 1,
        policy.attempts,
    )
    return wait


def _why(exc: Exception) -> str:
    text = str(exc).strip()
    return text or type(exc).__name__


def _network_error(
    provider: str, request: httpx.Request, exc: httpx.TransportError
) -> NetworkError:
    where = redact.redact_url(str(request.url))
    if isinstance(exc, httpx.UnsupportedProtocol):
        return NetworkError(
            f"{where}: unsupported URL scheme ({_why(exc)})", provider=provider, retryable=False
        )
    if isinstance(exc, httpx.TimeoutException):
        return NetworkError(f"{where}: timed out ({type(exc).__name__})", provider=provider)
    return NetworkError(f"{where}: {type(exc).__name__}: {_why(exc)}", provider=provider)
