"""Typed errors. Every error names what went wrong and, where it can, what is allowed.

Exit codes of the CLI follow the class (see ``exit_code``): 2 invalid request, configuration or
output target, 3 provider/job/network/journal failure, 4 timeout, 5 missing or rejected
credentials (130 for Ctrl-C, set by the CLI). Nothing but a ``ReelkitError`` leaves a public verb.

    ReelkitError
    ├── InvalidRequest (field, allowed) ── UnsupportedMode, UnknownProvider, UnknownModel, JobNotFound
    ├── ConfigurationError (field, allowed)
    ├── OutputError (path)
    ├── BudgetExceeded
    ├── MissingCredentials ── MissingBaseURL
    ├── AuthenticationFailed
    ├── ProviderError (provider, code, retryable) ── RateLimited, ContentFiltered, ResponseFormatError
    ├── NetworkError (retryable)
    ├── JournalError (path)
    ├── JobFailed (job_id, code)
    ├── SubmitOutcomeUnknown (job_id)   deliberately *not* a JobFailed: never resubmit on it
    ├── JobTimeout (job_id)
    ├── DownloadFailed (job_id, retryable)
    └── PluginError
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ._secrets import scrub


class ReelkitError(Exception):
    """Base class of every error reelkit raises on purpose."""

    exit_code = 3

    def __init__(self, message: str) -> None:
        message = scrub(message)  # a provider may echo a key back in its error text
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

    def to_dict(self) -> dict[str, object]:
        return {"error": type(self).__name__, "message": self.message}


class _FieldError(ReelkitError):
    """An error about one named field, saying what would be accepted."""

    exit_code = 2

    def __init__(self, field: str, message: str, *, allowed: str | Sequence[object] | None = None):
        if allowed is not None and not isinstance(allowed, str):
            allowed = ", ".join(str(a) for a in allowed)
        text = f"{field}: {message}"
        if allowed:
            text += f" (allowed: {allowed})"
        super().__init__(text)
        self.field = field
        self.reason = scrub(message)  # the message without the field and the allowed values
        self.allowed = allowed

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "field": self.field, "allowed": self.allowed}


class InvalidRequest(_FieldError):
    """A request no adjustment can make valid, or one strict mode refuses.

    ``field`` names the offending argument and ``allowed`` says what would be accepted.
    """


class UnsupportedMode(InvalidRequest):
    """The inputs ask for a mode (i2v, extend, ...) the model does not offer, or are ambiguous."""


class UnknownProvider(InvalidRequest):
    """No loaded plugin provides ``name``; ``hint`` says how to get it (what to install)."""

    def __init__(self, name: str, known: Iterable[str], *, hint: str | None = None):
        message = f"unknown provider {name!r}" if hint is None else f"{name!r} {hint}"
        super().__init__("provider", message, allowed=sorted(known))


class UnknownModel(InvalidRequest):
    def __init__(self, provider: str, name: str, known: Iterable[str]):
        super().__init__("model", f"{provider} has no model {name!r}", allowed=sorted(known))


class MissingCredentials(ReelkitError):
    """No credentials for a provider; names the environment variables that would supply them."""

    exit_code = 5

    def __init__(self, provider: str, env_vars: Sequence[Sequence[str]]):
        options = " or ".join(" + ".join(group) for group in env_vars)
        super().__init__(f"{provider}: missing credentials; set {options}")
        self.provider = provider
        self.env_vars = [list(group) for group in env_vars]


class MissingBaseURL(MissingCredentials):
    """A provider with no default endpoint (e.g. a self-hosted gateway) and none configured."""

    def __init__(self, provider: str, env_vars: Sequence[str]):
        ReelkitError.__init__(self, f"{provider}: no base URL; set {' or '.join(env_vars)}")
        self.provider = provider
        self.env_vars = [[v] for v in env_vars]


class AuthenticationFailed(ReelkitError):
    """The provider rejected the credentials (bad key, bad signature, expired token)."""

    exit_code = 5


class ProviderError(ReelkitError):
    """The provider answered with an error. ``retryable`` says whether trying again may help."""

    def __init__(
        self,
        message: str,
        *,
        provider: str | None = None,
        code: str | int | None = None,
        status: int | None = None,
        retryable: bool = False,
    ):
        prefix = f"{provider}: " if provider else ""
        suffix = f" [{code}]" if code is not None else ""
        super().__init__(f"{prefix}{message}{suffix}")
        self.provider = provider
        self.code = code
        self.status = status
        self.retryable = retryable

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "provider": self.provider, "code": self.code}


class RateLimited(ProviderError):
    """HTTP 429 or the provider's own rate-limit code; ``retry_after`` in seconds if known."""

    def __init__(
        self,
        message: str = "rate limited",
        *,
        provider: str | None = None,
        code: str | int | None = None,
        retry_after: float | None = None,
    ):
        super().__init__(message, provider=provider, code=code, status=429, retryable=True)
        self.retry_after = retry_after


class ContentFiltered(ProviderError):
    """Moderation refused the prompt, an input or the output. ``billed`` if the provider charges anyway."""

    def __init__(
        self,
        message: str = "content filtered",
        *,
        provider: str | None = None,
        code: str | int | None = None,
        reasons: Sequence[str] = (),
        billed: bool | None = None,
    ):
        super().__init__(message, provider=provider, code=code)
        self.reasons = list(reasons)
        self.billed = billed

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "reasons": self.reasons, "billed": self.billed}


class ResponseFormatError(ProviderError):
    """A provider response lacks a field reelkit needs (unknown extra fields are fine)."""

    def __init__(self, provider: str, missing: str, *, status: int | None = None):
        super().__init__(
            f"response lacks required field {missing!r}", provider=provider, status=status
        )
        self.missing = missing


class JobFailed(ReelkitError):
    """A submitted job ended without a video."""

    def __init__(
        self,
        message: str,
        *,
        job_id: str | None = None,
        code: str | int | None = None,
    ):
        super().__init__(message if job_id is None else f"job {job_id}: {message}")
        self.job_id = job_id
        self.code = code


class SubmitOutcomeUnknown(ReelkitError):
    """The submit left but no answer came back: the provider may have accepted (and billed) it.

    The journal marks the job ``unknown``; reelkit never resubmits it on its own. Not a
    ``JobFailed``: code that resubmits on ``except JobFailed`` must not bill twice. Resolve it
    with ``reelkit jobs reconcile`` or ``reelkit jobs adopt JOB TASK_ID``.
    """

    def __init__(self, message: str, *, job_id: str | None = None):
        super().__init__(message if job_id is None else f"job {job_id}: {message}")
        self.job_id = job_id

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "job_id": self.job_id}


class JobTimeout(ReelkitError):
    """The overall deadline passed while the job was still running. It is still in the journal."""

    exit_code = 4

    def __init__(self, message: str, *, job_id: str | None = None):
        super().__init__(message)
        self.job_id = job_id


class DownloadFailed(ReelkitError):
    """The video could not be fetched or did not look like a video.

    ``retryable`` when another attempt may succeed (a truncated body, a reset); the job stays
    ``succeeded`` in the journal, so ``reelkit jobs download JOB`` can fetch it again.
    """

    def __init__(self, message: str, *, job_id: str | None = None, retryable: bool = False):
        super().__init__(message)
        self.job_id = job_id
        self.retryable = retryable


class NetworkError(ReelkitError):
    """The transport failed (refused, reset, timed out, bad protocol or scheme).

    ``retryable`` says whether trying again may help; ``sent`` whether the request may have
    reached the provider (a submit that may have been sent becomes ``SubmitOutcomeUnknown``).
    """

    def __init__(
        self,
        message: str,
        *,
        provider: str | None = None,
        retryable: bool = True,
        sent: bool | None = None,
    ):
        super().__init__(f"{provider}: {message}" if provider else message)
        self.provider = provider
        self.retryable = retryable
        self.sent = sent

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "provider": self.provider, "retryable": self.retryable}


class ConfigurationError(_FieldError):
    """A configuration file, environment variable or journal URL is wrong; names it and what is allowed."""


class JournalError(ReelkitError):
    """The job journal cannot be opened, read or written (damaged, read-only, too new, down).

    After a paid submit, ``task_id`` and ``handle`` carry what the journal could not record
    (they are also written to stderr and to ``$REELKIT_HOME/recovery.jsonl``).
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        job_id: str | None = None,
        task_id: str | None = None,
        handle: object = None,
    ):
        super().__init__(message)
        self.path = path
        self.job_id = job_id
        self.task_id = task_id
        self.handle = handle

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {**super().to_dict(), "path": self.path}
        if self.task_id is not None:
            data.update(job_id=self.job_id, task_id=self.task_id)
        return data


class OutputError(ReelkitError):
    """The output target cannot be written (read-only, full, a parent that is a file, ...).

    Checked before a submit, so nothing is paid for a file that cannot be saved.
    """

    exit_code = 2

    def __init__(self, message: str, *, path: str | None = None, job_id: str | None = None):
        super().__init__(message)
        self.path = path
        self.job_id = job_id

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "path": self.path}


class BudgetExceeded(ReelkitError):
    """A job or a batch would cost more than the budget allows, or its price is unknown while a
    budget is set; nothing was sent. ``estimate`` is the ``CostEstimate`` (None: unpriced) and
    ``limit`` the ``Budget``."""

    exit_code = 2

    def __init__(self, message: str, *, estimate: Any = None, limit: Any = None) -> None:
        super().__init__(message)
        self.estimate = estimate
        self.limit = limit

    def to_dict(self) -> dict[str, object]:
        estimate = self.estimate
        limit = self.limit
        return {
            **super().to_dict(),
            "estimate": estimate.to_dict() if estimate is not None else None,
            "limit": {"amount": limit.amount, "currency": limit.currency} if limit else None,
        }


class JobNotFound(InvalidRequest):
    def __init__(self, job_id: str):
        super().__init__("job", f"no job {job_id!r} in the journal")


class PluginError(ReelkitError):
    """A plugin could not be loaded or two plugins claim one provider name."""
