"""Parse Ark's create / get / delete answers (ref §3.3 error body, §3.4 task, §3.6 codes).

``ref §n`` cites ``docs/reference/volcengine-kling.md`` section n.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

import httpx

from reelkit.capabilities import ModelInfo
from reelkit.errors import (
    AuthenticationFailed,
    ContentFiltered,
    ProviderError,
    RateLimited,
    ReelkitError,
    ResponseFormatError,
)
from reelkit.models import (
    Asset,
    Charge,
    Failed,
    JobHandle,
    JobStatus,
    Queued,
    Running,
    Succeeded,
    TaskSummary,
)
from reelkit.wire import (
    error_for_status,
    expires_after,
    parse_timestamp,
    read_json,
    require,
    retry_after_seconds,
)

from .capabilities import BYTEPLUS_IDS, PROVIDER, URL_LIFETIME_S

if TYPE_CHECKING:
    from reelkit.callbacks import Callback

log = logging.getLogger(__name__)

# https://www.volcengine.com/docs/82379/1544106: "仅对成功生成的视频计费。因审核等原因导致生成失败的，
# 不收取费用" (only videos that were made are billed; moderated and failed tasks are not).
NOT_BILLED = False

# ref §3.6: 429 codes that clear up by waiting. QuotaExceeded is "too many queued tasks" (or a
# spent free quota, which waiting does not fix; the core's retry budget bounds that case).
RATE_LIMIT_CODES = (
    "RateLimitExceeded",
    "ModelAccountRpmRateLimitExceeded",
    "APIAccountRpmRateLimitExceeded",
    "QuotaExceeded",
    "ServerOverloaded",
)
HINTS = {
    "ModelNotOpen": "activate the model in the Ark console",
    "AccountOverdueError": "the account is in arrears",
    "SetLimitExceeded": "the model was paused by Safe Experience Mode; raise the cap in the console",
}
#: Task fields worth keeping as result metadata (ref §3.4).
METADATA_KEYS = (
    "seed",
    "resolution",
    "ratio",
    "duration",
    "frames",
    "framespersecond",
    "generate_audio",
    "draft",
    "service_tier",
    "revised_prompt",
    "usage",
)


def is_moderation(code: str) -> bool:
    # ref §3.6: Input{Text,Image,Video}SensitiveContentDetected, OutputVideoSensitiveContentDetected
    return "SensitiveContentDetected" in code


def ark_error(response: httpx.Response) -> ReelkitError:
    """The typed error for a non-2xx Ark answer, read from ``{"error": {code, message}}``."""
    try:
        body = read_json(response, PROVIDER)
    except ProviderError:
        return error_for_status(response, PROVIDER)
    error = body.get("error") if isinstance(body, Mapping) else None
    if not isinstance(error, Mapping):
        return error_for_status(response, PROVIDER)
    code = str(error.get("code") or "")
    message = str(error.get("message") or code or f"HTTP {response.status_code}")
    if code in HINTS:
        message = f"{message} ({HINTS[code]})"
    status = response.status_code
    if is_moderation(code):
        return ContentFiltered(
            message, provider=PROVIDER, code=code, reasons=(code,), billed=NOT_BILLED
        )
    if code.startswith(RATE_LIMIT_CODES):
        return RateLimited(
            message, provider=PROVIDER, code=code, retry_after=retry_after_seconds(response)
        )
    if status == 401 or (status == 403 and code not in HINTS):
        return AuthenticationFailed(f"{PROVIDER}: {message} [{code or status}]")
    # The SDK obeys a server's "x-should-retry" (ref §3.3); so does reelkit.
    should_retry = response.headers.get("x-should-retry", "").lower()
    retryable = (
        status in (408, 409) or status >= 500 if not should_retry else should_retry == "true"
    )
    return ProviderError(
        message, provider=PROVIDER, code=code or None, status=status, retryable=retryable
    )


def _body(response: httpx.Response) -> Mapping[str, Any]:
    if not response.is_success:
        raise ark_error(response)
    body = read_json(response, PROVIDER)
    if not isinstance(body, Mapping):
        raise ResponseFormatError(PROVIDER, "id", status=response.status_code)
    return body


def parse_create(model: ModelInfo, response: httpx.Response) -> JobHandle:
    body = _body(response)
    task_id = require(body, "id", PROVIDER, status=response.status_code)
    return JobHandle(provider=PROVIDER, model=model.id, task_id=str(task_id))


def _assets(task: Mapping[str, Any], video_url: str) -> tuple[Asset, ...]:
    # URLs live 24 h from when the task finished (ref §3.4); fall back to "now".
    finished = parse_timestamp(task.get("updated_at"))
    expires = expires_after(URL_LIFETIME_S, start=finished)
    assets = [Asset(url=video_url, kind="video", mime_type="video/mp4", expires_at=expires)]
    content = task.get("content")
    last_frame = content.get("last_frame_url") if isinstance(content, Mapping) else None
    if last_frame:  # ref §3.2 return_last_frame: a PNG without watermark
        assets.append(
            Asset(url=str(last_frame), kind="last_frame", mime_type="image/png", expires_at=expires)
        )
    return tuple(assets)


def _charge(task: Mapping[str, Any]) -> Charge | None:
    """The billed tokens, ``usage.completion_tokens`` (ref §3.4); the core prices them.

    A missing or malformed usage is ignored: it must not fail a task that made its video.
    """
    usage = task.get("usage")
    if usage is None:
        return None
    tokens = usage.get("completion_tokens") if isinstance(usage, Mapping) else None
    if isinstance(tokens, bool) or not isinstance(tokens, int) or tokens < 0:
        log.debug("seedance: ignoring unreadable usage %r of task %s", usage, task.get("id"))
        return None
    return Charge(tokens=tokens, basis="usage.completion_tokens")


def task_status(task: Mapping[str, Any], status_code: int | None = None) -> JobStatus:
    """Map a task object (GET answer or callback body) to a reelkit status."""
    status = str(require(task, "status", PROVIDER, status=status_code))
    if status == "queued":
        return Queued()
    if status == "running":
        return Running()
    if status == "succeeded":
        content = task.get("content")
        url = content.get("video_url") if isinstance(content, Mapping) else None
        if not url:
            return Failed(message="succeeded without a video_url", code="no_video")
        metadata = {k: task[k] for k in METADATA_KEYS if task.get(k) is not None}
        # cast: the core's `converter=tuple` hides the element type from mypy.
        return Succeeded(
            assets=cast(Any, _assets(task, str(url))), metadata=metadata, charge=_charge(task)
        )
    if status == "failed":
        raw = task.get("error")
        error: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
        code = str(error.get("code") or "failed")
        message = str(error.get("message") or "the task failed")
        filtered = is_moderation(code)
        return Failed(
            message=message,
            code=code,
            filtered=filtered,
            reasons=(code,) if filtered else (),
            billed=NOT_BILLED,
        )
    if status == "cancelled":
        return Failed(message="cancelled while queued", code="cancelled", billed=NOT_BILLED)
    if status == "expired":
        return Failed(
            message="expired before it ran (execution_expires_after); submit it again",
            code="expired",
            billed=NOT_BILLED,
        )
    return Running()  # a status added later: keep polling, bounded by the core's deadline


def parse_get(job: JobHandle, response: httpx.Response) -> JobStatus:
    if response.status_code == 404:
        error = ark_error(response)
        # ref §3.1: tasks are kept 7 days (24 h per the CN guide), then they are gone for good.
        return Failed(message=f"task {job.task_id} not found: {error.message}", code="not_found")
    return task_status(_body(response), response.status_code)


def parse_callback(body: bytes) -> Callback:
    """A callback is the GET-task body, POSTed on each status change (ref §3.2). Ark documents
    no signature on it: the core's per-job token in the callback URL is the check."""
    import json

    from reelkit.callbacks import Callback

    try:
        task = json.loads(body)
    except ValueError:
        raise ResponseFormatError(PROVIDER, "callback body (JSON)") from None
    if not isinstance(task, Mapping):
        raise ResponseFormatError(PROVIDER, "callback body (a task object)")
    return Callback(task_id=str(require(task, "id", PROVIDER)), status=task_status(task))


def parse_delete(job: JobHandle, response: httpx.Response) -> JobStatus:
    if not response.is_success:
        # ref §3.1: a running or already cancelled task cannot be deleted.
        raise ark_error(response)
    return Failed(message="cancelled", code="cancelled")


# --- the task list (ref §3.1, §3.4) ---------------------------------------------------------

#: BytePlus ids back to reelkit's (Volcengine) model ids, so a listed task names its model as
#: the journal does. Endpoint ids (``ep-…``) stay as they are.
_CANONICAL_IDS = {wire: model_id for model_id, wire in BYTEPLUS_IDS.items()}


def _prompt(task: Mapping[str, Any]) -> str | None:
    """The text item of ``content`` when the list echoes the create body's content items.

    Ark's documented list and get answers carry only outputs in ``content`` (``video_url``,
    ``last_frame_url``; ref §3.4), so this is usually ``None``.
    """
    content = task.get("content")
    if not isinstance(content, list):
        return None
    for item in content:
        if isinstance(item, Mapping) and item.get("type") == "text":
            text = item.get("text")
            if isinstance(text, str):
                return text
    return None


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def parse_task_list(response: httpx.Response) -> list[TaskSummary]:
    """``{"total", "items": [task, …]}`` to summaries; unknown fields are ignored."""
    body = _body(response)
    status = response.status_code
    items = body.get("items")
    if not isinstance(items, list):
        raise ResponseFormatError(PROVIDER, "items", status=status)
    summaries = []
    for index, task in enumerate(items):
        if not isinstance(task, Mapping):
            raise ResponseFormatError(PROVIDER, f"items.{index}", status=status)
        task_id = _text(task.get("id"))
        if task_id is None:
            raise ResponseFormatError(PROVIDER, f"items.{index}.id", status=status)
        model = _text(task.get("model"))
        summaries.append(
            TaskSummary(
                task_id=task_id,
                model=_CANONICAL_IDS.get(model, model) if model is not None else None,
                prompt=_prompt(task),
                created_at=parse_timestamp(task.get("created_at")),  # Unix seconds (ref §3.4)
                status=_text(task.get("status")),
            )
        )
    return summaries
