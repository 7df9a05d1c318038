"""Keep secrets out of everything a person or a file can see.

Two defences: headers that carry credentials are always masked, and any known secret value is
replaced wherever it appears (URLs, bodies, log messages, error text).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

import httpx

from ._secrets import MASK, any_known, remember, scrub
from .models import HttpPreview

__all__ = [
    "MASK",
    "SECRET_HEADERS",
    "SecretFilter",
    "install_log_filter",
    "mask_header",
    "preview",
    "remember",
    "scrub",
]

SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "x-goog-api-key",
        "x-api-key",
        "api-key",
        "cookie",
        "x-security-token",
        "x-amz-security-token",
    }
)
_LONG = 256  # strings longer than this (base64 images) are elided in previews


def mask_header(name: str, value: str, secrets: Iterable[str] = ()) -> str:
    if name.lower() in SECRET_HEADERS:
        scheme, _, rest = value.partition(" ")
        # Keep the scheme ("Bearer", "HMAC-SHA256"): it says how, not what.
        return (
            f"{scheme} {MASK}"
            if rest and scheme.isascii() and scheme.replace("-", "").isalnum()
            else MASK
        )
    return scrub(value, secrets)


def preview(request: httpx.Request, secrets: Iterable[str] = ()) -> HttpPreview:
    """The request as ``--dry-run`` shows it: exact, except credentials and long base64."""
    secrets = tuple(secrets)
    headers = {k: mask_header(k, v, secrets) for k, v in request.headers.items()}
    content = request.content if _has_content(request) else b""
    body: Any = None
    if content:
        ctype = request.headers.get("content-type", "")
        if "json" in ctype:
            try:
                body = _elide(json.loads(content))
            except ValueError:
                body = scrub(content.decode("utf-8", "replace"), secrets)
        elif ctype.startswith("multipart/"):
            body = f"<multipart form, {len(content)} bytes>"
        else:
            body = f"<{ctype or 'bytes'}, {len(content)} bytes>"
        if isinstance(body, (dict, list)):
            body = json.loads(scrub(json.dumps(body), secrets))
    return HttpPreview(
        method=request.method, url=scrub(str(request.url), secrets), headers=headers, body=body
    )


def _has_content(request: httpx.Request) -> bool:
    try:
        request.content  # noqa: B018 - raises for unread streams
    except httpx.RequestNotRead:
        request.read()
    return True


def _elide(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _elide(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_elide(v) for v in value]
    if isinstance(value, str) and len(value) > _LONG:
        return f"<{len(value)} characters: {value[:32]}...>"
    return value


class SecretFilter(logging.Filter):
    """Masks known secrets in every record of the ``reelkit`` loggers."""

    def filter(self, record: logging.LogRecord) -> bool:
        if any_known():
            message = record.getMessage()
            cleaned = scrub(message)
            if cleaned != message:
                record.msg, record.args = cleaned, None
        return True


def install_log_filter(logger: logging.Logger) -> None:
    if not any(isinstance(f, SecretFilter) for f in logger.filters):
        logger.addFilter(SecretFilter())
