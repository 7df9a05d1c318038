"""The OpenAI Videos API's wire shapes: a journal record as a ``video`` object, and reelkit's
typed errors in OpenAI's error envelope.

The shapes follow the official ``openai`` Python SDK's models (``openai.types.Video``,
``VideoCreateError``, ``VideoDeleteResponse``, ``SyncConversationCursorPage``) and
docs/reference/openai-videos.md. The SDK tolerates fields it does not know, so each video also
carries a ``reelkit`` object (provider, journal state, adjustments, cost, webhook).
"""

from __future__ import annotations

from typing import Any

from reelkit import redact
from reelkit.errors import (
    AuthenticationFailed,
    BudgetExceeded,
    ConfigurationError,
    ContentFiltered,
    InvalidRequest,
    JobNotFound,
    JournalError,
    MissingCredentials,
    NetworkError,
    ProviderError,
    RateLimited,
    ReelkitError,
    SubmitOutcomeUnknown,
)
from reelkit.journal import JobRecord
from reelkit.models import JobState
from reelkit.webhooks import attempts_summary

# A journal state as the Videos API's four statuses. A job succeeded at the provider but not yet
# downloaded here is still in progress: its content cannot be served yet. An unknown submit
# outcome ends the caller's wait (the gateway never resolves it on its own, an operator does).
STATUS: dict[JobState, str] = {
    JobState.PENDING: "queued",
    JobState.SUBMITTED: "queued",
    JobState.QUEUED: "queued",
    JobState.RUNNING: "in_progress",
    JobState.SUCCEEDED: "in_progress",
    JobState.DOWNLOADED: "completed",
    JobState.FAILED: "failed",
    JobState.CANCELLED: "failed",
    JobState.UNKNOWN: "failed",
    JobState.UNRECOGNISED: "in_progress",
}


def video(record: JobRecord, *, remixed_from: str | None = None) -> dict[str, Any]:
    """``openai.types.Video`` for a journal record."""
    request = record.request
    status = STATUS[record.state]
    progress = 100 if status == "completed" else int(round((record.progress or 0.0) * 100))
    if status != "completed":
        progress = min(progress, 99)
    source = request.remix_of.job_id if request.remix_of is not None else None
    return {
        "id": record.id,
        "object": "video",
        "model": f"{record.provider}/{record.model}",
        "status": status,
        "progress": progress,
        "created_at": int(record.created_at),
        "completed_at": int(record.finished_at)
        if record.finished_at and status in ("completed", "failed")
        else None,
        "expires_at": None,  # the gateway keeps the file until DELETE
        "prompt": request.prompt,
        "seconds": _seconds(request.duration),
        "size": request.size or "",
        "remixed_from_video_id": remixed_from or source,
        "error": _error(record) if status == "failed" else None,
        "reelkit": {
            "provider": record.provider,
            "model": record.model,
            "state": record.state.value,
            "mode": record.mode,
            "resolution": request.resolution,
            "aspect_ratio": request.aspect_ratio,
            "adjustments": [a.to_dict() for a in record.adjustments],
            "cost": dict(record.cost) if record.cost else None,
            "billed": dict(record.billed) if record.billed else None,
            "webhook": attempts_summary(record),
        },
    }


def _seconds(duration: float | None) -> str:
    if duration is None:
        return ""
    return f"{duration:g}"


def _error(record: JobRecord) -> dict[str, str]:
    if record.state is JobState.CANCELLED:
        return {"code": "cancelled", "message": "the job was cancelled"}
    if record.state is JobState.UNKNOWN:
        return {
            "code": "submit_outcome_unknown",
            "message": "the submit may have reached the provider and no answer came; it is never "
            "resent (no double billing): an operator reconciles it (`reelkit jobs reconcile "
            f"{record.id}`)",
        }
    error = dict(record.error or {})
    code = error.get("code") or _snake(str(error.get("error") or "generation_failed"))
    return {
        "code": str(code),
        "message": redact.scrub_text(str(error.get("message") or record.state.value)),
    }


def _snake(name: str) -> str:
    out = "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")
    return out or "error"


# --- errors ---------------------------------------------------------------------------------


class ApiError(Exception):
    """An error the gateway answers with: HTTP status plus OpenAI's error object."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body = {
            "error": {
                "message": redact.scrub_text(message),
                "type": type,
                "param": param,
                "code": code,
            }
        }


def unauthorized(why: str) -> ApiError:
    return ApiError(401, why, code="invalid_api_key")


def not_found(video_id: str) -> ApiError:
    return ApiError(404, f"no video with id {video_id!r}", param="video_id", code="not_found")


def from_reelkit(exc: ReelkitError) -> ApiError:
    """reelkit's typed errors, each with the status a client acts on correctly.

    Statuses the official SDK retries (408, 409, 429, 5xx) are kept for faults worth retrying;
    nothing refused or unknowable about a submit is answered with one of them.
    """
    message = str(exc)
    if isinstance(exc, JobNotFound):
        return ApiError(404, message, param="video_id", code="not_found")
    if isinstance(exc, ConfigurationError):
        return ApiError(500, message, type="server_error", code="configuration_error")
    if isinstance(exc, InvalidRequest):  # UnknownModel, UnknownProvider, ...: message has allowed
        return ApiError(400, message, param=exc.field, code="invalid_value")
    if isinstance(exc, BudgetExceeded):
        return ApiError(402, message, type="insufficient_quota", code="budget_exceeded")
    if isinstance(exc, MissingCredentials):
        # The operator's configuration, not the caller's: which variable is missing is not theirs.
        return ApiError(
            503,
            f"provider {exc.provider} is not configured on this gateway",
            type="server_error",
            code="provider_unavailable",
        )
    if isinstance(exc, AuthenticationFailed):
        return ApiError(
            502, "the provider refused this gateway's credentials", type="api_error",
            code="provider_auth_failed",
        )  # fmt: skip
    if isinstance(exc, ContentFiltered):
        return ApiError(400, message, code="moderation_blocked")
    if isinstance(exc, RateLimited):
        return ApiError(503, message, type="api_error", code="provider_rate_limited")
    if isinstance(exc, ProviderError):
        code = exc.code or "provider_error"
        status = 400 if exc.status is not None and 400 <= exc.status < 500 else 502
        return ApiError(status, message, type="api_error", code=str(code))
    if isinstance(exc, SubmitOutcomeUnknown):
        return ApiError(502, message, type="api_error", code="submit_outcome_unknown")
    if isinstance(exc, NetworkError):
        return ApiError(502, message, type="api_error", code="provider_unreachable")
    if isinstance(exc, JournalError):
        return ApiError(500, "the job journal failed; try again", type="server_error",
                        code="journal_error")  # fmt: skip
    return ApiError(500, message, type="server_error", code=_snake(type(exc).__name__))
