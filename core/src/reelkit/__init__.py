"""reelkit: generate AI video from Python, with any provider, in one call.

    >>> import reelkit
    >>> result = reelkit.generate("A robot walking through a city")   # doctest: +SKIP
    >>> result.path                                                   # doctest: +SKIP

Everything public is importable from here. Names load on first use, so ``import reelkit`` stays
cheap: it imports no plugin, no HTTP stack and no video library.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import _deferred

__version__ = "0.1.0"

_deferred.install()  # httpx's own CLI (click, rich, pygments) loads only if it is run

# name -> module that defines it
_EXPORTS: dict[str, str] = {
    # verbs and clients
    "generate": "reelkit.api",
    "plan": "reelkit.api",
    "submit": "reelkit.api",
    "resume": "reelkit.api",
    "providers": "reelkit.api",
    "Client": "reelkit.client",
    "AsyncClient": "reelkit.client",
    "Job": "reelkit.client",
    "AsyncJob": "reelkit.client",
    "clamp": "reelkit.clamping",
    "infer_mode": "reelkit.clamping",
    # hooks
    "hookimpl": "reelkit.hookspecs",
    "hookspec": "reelkit.hookspecs",
    # capabilities
    "Mode": "reelkit.capabilities",
    "Audio": "reelkit.capabilities",
    "Range": "reelkit.capabilities",
    "Choices": "reelkit.capabilities",
    "Variant": "reelkit.capabilities",
    "ModeSpec": "reelkit.capabilities",
    "ImageLimits": "reelkit.capabilities",
    "ModelInfo": "reelkit.capabilities",
    "Param": "reelkit.capabilities",
    "ProviderInfo": "reelkit.capabilities",
    # records
    "Role": "reelkit.models",
    "Media": "reelkit.models",
    "SourceJob": "reelkit.models",
    "VideoRequest": "reelkit.models",
    "Adjustment": "reelkit.models",
    "Credentials": "reelkit.models",
    "ProviderConfig": "reelkit.models",
    "JobHandle": "reelkit.models",
    "Asset": "reelkit.models",
    "Queued": "reelkit.models",
    "Running": "reelkit.models",
    "Succeeded": "reelkit.models",
    "Failed": "reelkit.models",
    "JobStatus": "reelkit.models",
    "JobState": "reelkit.models",
    "JobEvent": "reelkit.models",
    "Result": "reelkit.models",
    "Plan": "reelkit.models",
    # errors
    "ReelkitError": "reelkit.errors",
    "InvalidRequest": "reelkit.errors",
    "UnsupportedMode": "reelkit.errors",
    "UnknownProvider": "reelkit.errors",
    "UnknownModel": "reelkit.errors",
    "MissingCredentials": "reelkit.errors",
    "MissingBaseURL": "reelkit.errors",
    "AuthenticationFailed": "reelkit.errors",
    "ProviderError": "reelkit.errors",
    "RateLimited": "reelkit.errors",
    "ContentFiltered": "reelkit.errors",
    "ResponseFormatError": "reelkit.errors",
    "JobFailed": "reelkit.errors",
    "SubmitOutcomeUnknown": "reelkit.errors",
    "JobTimeout": "reelkit.errors",
    "DownloadFailed": "reelkit.errors",
    "NetworkError": "reelkit.errors",
    "ConfigurationError": "reelkit.errors",
    "JournalError": "reelkit.errors",
    "OutputError": "reelkit.errors",
    "BudgetExceeded": "reelkit.errors",
    "JobNotFound": "reelkit.errors",
    "PluginError": "reelkit.errors",
}

__all__ = [
    "Adjustment",
    "Asset",
    "AsyncClient",
    "AsyncJob",
    "Audio",
    "AuthenticationFailed",
    "BudgetExceeded",
    "Choices",
    "Client",
    "ConfigurationError",
    "ContentFiltered",
    "Credentials",
    "DownloadFailed",
    "Failed",
    "ImageLimits",
    "InvalidRequest",
    "Job",
    "JobEvent",
    "JobFailed",
    "JobHandle",
    "JobNotFound",
    "JobState",
    "JobStatus",
    "JobTimeout",
    "JournalError",
    "Media",
    "MissingBaseURL",
    "MissingCredentials",
    "Mode",
    "ModeSpec",
    "ModelInfo",
    "NetworkError",
    "OutputError",
    "Param",
    "Plan",
    "PluginError",
    "ProviderConfig",
    "ProviderError",
    "ProviderInfo",
    "Queued",
    "Range",
    "RateLimited",
    "ReelkitError",
    "ResponseFormatError",
    "Result",
    "Role",
    "Running",
    "SourceJob",
    "SubmitOutcomeUnknown",
    "Succeeded",
    "UnknownModel",
    "UnknownProvider",
    "UnsupportedMode",
    "Variant",
    "VideoRequest",
    "__version__",
    "capabilities",
    "clamp",
    "generate",
    "hookimpl",
    "hookspec",
    "infer_mode",
    "plan",
    "providers",
    "resume",
    "submit",
]

# The submodule ``reelkit.capabilities`` (the records) and the verb ``reelkit.capabilities()``
# share a name. Importing the submodule here, first, lets the function defined below win for
# good: Python sets the parent's attribute only when a submodule is first imported.
from . import capabilities as _capability_records  # noqa: E402


def capabilities(provider: str, model: str | None = None) -> list[_capability_records.ModelInfo]:
    """What a provider's models accept (no network). See ``Client.capabilities``."""
    from .api import capabilities as impl

    return impl(provider, model)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'reelkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from .api import generate, plan, providers, resume, submit
    from .capabilities import (
        Audio,
        Choices,
        ImageLimits,
        Mode,
        ModelInfo,
        ModeSpec,
        Param,
        ProviderInfo,
        Range,
        Variant,
    )
    from .clamping import clamp, infer_mode
    from .client import AsyncClient, AsyncJob, Client, Job
    from .errors import (
        AuthenticationFailed,
        BudgetExceeded,
        ConfigurationError,
        ContentFiltered,
        DownloadFailed,
        InvalidRequest,
        JobFailed,
        JobNotFound,
        JobTimeout,
        JournalError,
        MissingBaseURL,
        MissingCredentials,
        NetworkError,
        OutputError,
        PluginError,
        ProviderError,
        RateLimited,
        ReelkitError,
        ResponseFormatError,
        SubmitOutcomeUnknown,
        UnknownModel,
        UnknownProvider,
        UnsupportedMode,
    )
    from .hookspecs import hookimpl, hookspec
    from .models import (
        Adjustment,
        Asset,
        Credentials,
        Failed,
        JobEvent,
        JobHandle,
        JobState,
        JobStatus,
        Media,
        Plan,
        ProviderConfig,
        Queued,
        Result,
        Role,
        Running,
        SourceJob,
        Succeeded,
        VideoRequest,
    )
