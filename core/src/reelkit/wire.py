"""Small, pure helpers for plugin authors who build requests and parse responses.

Nothing here sends anything. Each provider keeps its own wire shapes; these helpers cover what
every HTTP API has in common (JSON bodies, status codes, ``Retry-After``, timestamps) so that no
plugin writes it again.
"""

from __future__ import annotations

import email.utils
import json
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx

from .errors import (
    AuthenticationFailed,
    ProviderError,
    RateLimited,
    ReelkitError,
    ResponseFormatError,
)
from .models import Adjustment

__all__ = [
    "NOT_SENT",
    "drop_none",
    "error_for_status",
    "expires_after",
    "json_request",
    "not_sent",
    "parse_timestamp",
    "read_json",
    "reported_not_sent",
    "require",
    "retry_after_seconds",
    "utcnow",
]


#: The ``httpx.Request.extensions`` key under which ``reelkit_translate`` reports what it did
#: not send (a tuple of ``reelkit.models.Adjustment``); the core adds them to the plan.
NOT_SENT = "reelkit_not_sent"
#: The ``httpx.Request.extensions`` key set on a request signed only to be shown (a plan, a
#: dry run, the contract suite): an auth that fetches tokens (Vertex's OAuth) signs it with a
#: placeholder instead of reading key files or yielding a token request.
PREVIEW = "reelkit_preview"


def not_sent(request: httpx.Request, adjustments: Iterable[Adjustment]) -> httpx.Request:
    """Report on a translated request the requested values it does not carry, and why.

    A remix inherits its source's duration, an extension's length is the provider's, a mode has
    no field for a value: each is an ``Adjustment`` (``applied`` None, ``reason`` saying so), so
    the plan shows it, and ``strict`` refuses it, instead of the value vanishing. Returns
    ``request``.
    """
    found = tuple(adjustments)
    if found:
        request.extensions = {**request.extensions, NOT_SENT: reported_not_sent(request) + found}
    return request


def reported_not_sent(request: httpx.Request) -> tuple[Adjustment, ...]:
    """What :func:`not_sent` reported on ``request`` (empty if nothing)."""
    return tuple(request.extensions.get(NOT_SENT, ()))


def drop_none(value: Any) -> Any:
    """Recursively drop ``None`` values: unset fields are omitted, never sent as null."""
    if isinstance(value, Mapping):
        return {k: drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [drop_none(v) for v in value if v is not None]
    return value


def json_request(
    method: str,
    url: str,
    body: Mapping[str, Any] | None = None,
    *,
    headers: Mapping[str, str] | None = None,
    params: Mapping[str, Any] | None = None,
) -> httpx.Request:
    """A request with a compact JSON body (``None`` values dropped) and the right content type."""
    all_headers = {"accept": "application/json", **(headers or {})}
    content = None
    if body is not None:
        content = json.dumps(drop_none(body), separators=(",", ":"), ensure_ascii=False).encode()
        all_headers.setdefault("content-type", "application/json")
    return httpx.Request(method, url, content=content, headers=all_headers, params=params)


def read_json(response: httpx.Response, provider: str) -> Any:
    """The response body as JSON; a body that is not JSON becomes a typed, retryable error."""
    try:
        response.read()
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        snippet = response.text[:200] if response.content else ""
        raise ProviderError(
            f"HTTP {response.status_code} with a body that is not JSON: {snippet!r}",
            provider=provider,
            status=response.status_code,
            # A 2xx that is not JSON is usually a proxy hiccup: polling again is safe.
            retryable=response.status_code >= 500 or response.is_success,
        ) from None


def require(data: Any, path: str, provider: str, *, status: int | None = None) -> Any:
    """``data["a"]["b"]`` for ``path="a.b"``, or ``ResponseFormatError`` naming the missing field.

    Unknown fields are ignored; only a missing required one is an error.
    """
    current = data
    for part in path.split("."):
        if isinstance(current, Mapping) and part in current and current[part] is not None:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            raise ResponseFormatError(provider, path, status=status)
    return current


def retry_after_seconds(response: httpx.Response) -> float | None:
    """Seconds to wait from ``Retry-After`` (delta or HTTP date), ``retry-after-ms`` or None."""
    ms = response.headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - utcnow()).total_seconds())


def error_for_status(
    response: httpx.Response,
    provider: str,
    *,
    message: str | None = None,
    code: str | int | None = None,
) -> ReelkitError:
    """The typed error an HTTP failure status means, for a plugin to raise.

    401/403 → ``AuthenticationFailed``; 429 → ``RateLimited`` (with ``Retry-After``);
    408 and 5xx → retryable ``ProviderError``; other 4xx → ``ProviderError``.
    """
    status = response.status_code
    text = message or response.reason_phrase or f"HTTP {status}"
    if status in (401, 403):
        return AuthenticationFailed(
            f"{provider}: {text}" + (f" [{code}]" if code is not None else "")
        )
    if status == 429:
        return RateLimited(
            text, provider=provider, code=code, retry_after=retry_after_seconds(response)
        )
    return ProviderError(
        text, provider=provider, code=code, status=status, retryable=status == 408 or status >= 500
    )


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def expires_after(seconds: float | None, *, start: datetime | None = None) -> datetime | None:
    """When a URL that lives ``seconds`` expires, counted from ``start`` (default: now)."""
    if seconds is None:
        return None
    return (start or utcnow()) + timedelta(seconds=seconds)


def parse_timestamp(value: Any) -> datetime | None:
    """Epoch seconds (int/float/str) or ISO-8601 to an aware ``datetime``; None if absent/odd."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.isdigit()):
        number = float(value)
        if number > 1e12:  # milliseconds
            number /= 1000
        return datetime.fromtimestamp(number, tz=timezone.utc)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    return None
