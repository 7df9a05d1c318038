"""Typed errors. Every error names what went wrong and, where it can, what is allowed.

Exit codes of the CLI follow the class (see ``exit_code``): 2 invalid request,
3 provider/job failure, 4 timeout, 5 missing credentials.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

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


class InvalidRequest(ReelkitError):
    """A request no adjustment can make valid, or one strict mode refuses.

    ``field`` names the offending argument and ``allowed`` says what would be accepted.
    """

    exit_code = 2

    def __init__(self, field: str, message: str, *, allowed: str | Sequence[object] | None = None):
        if allowed is not None and not isinstance(allowed, str):
            allowed = ", ".join(str(a) for a in allowed)
        text = f"{field}: {message}"
        if allowed:
            text += f" (allowed: {allowed})"
        super().__init__(text)
        self.field = field
        self.allowed = allowed

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "field": self.field, "allowed": self.allowed}


class UnsupportedMode(InvalidRequest):
    """The inputs ask for a mode (i2v, extend, ...) the model does not offer, or are ambiguous."""


class UnknownProvider(InvalidRequest):
    def __init__(self, name: str, known: Iterable[str]):
        super().__init__("provider", f"unknown provider {name!r}", allowed=sorted(known))


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


class SubmitOutcomeUnknown(JobFailed):
    """The submit left but no answer came back: the provider may have accepted (and billed) it.

    The journal marks the job ``unknown``; reelkit never resubmits it on its own.
    """


class JobTimeout(ReelkitError):
    """The overall deadline passed while the job was still running. It is still in the journal."""

    exit_code = 4

    def __init__(self, message: str, *, job_id: str | None = None):
        super().__init__(message)
        self.job_id = job_id


class DownloadFailed(ReelkitError):
    """The video could not be fetched or did not look like a video."""


class JobNotFound(InvalidRequest):
    def __init__(self, job_id: str):
        super().__init__("job", f"no job {job_id!r} in the journal")


class PluginError(ReelkitError):
    """A plugin could not be loaded or two plugins claim one provider name."""
