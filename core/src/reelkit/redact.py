"""Keep secrets out of everything a person or a file can see.

Three defences: headers that carry credentials are always masked, any known secret value is
replaced wherever it appears (URLs, bodies, log messages, error text), and credentials inside
URLs (a userinfo password, ``?key=``, ``X-Amz-Signature=``, ...) are masked wherever a URL is
shown, registered or not.
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ._secrets import (
    MASK,
    SECRET_HEADERS,
    any_known,
    is_secret_param,
    redact_url,
    remember,
    scrub,
    scrub_text,
)
from .models import HttpPreview

if TYPE_CHECKING:  # only ``preview`` touches a request: scrubbing text needs no HTTP stack
    import httpx

__all__ = [
    "MASK",
    "SECRET_HEADERS",
    "SecretFilter",
    "any_known",
    "install_log_filter",
    "is_secret_param",
    "mask_header",
    "preview",
    "redact_url",
    "remember",
    "scrub",
    "scrub_text",
]

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
    return scrub_text(value, secrets)


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
                body = scrub_text(content.decode("utf-8", "replace"), secrets)
        elif ctype.startswith("multipart/"):
            body = f"<multipart form, {len(content)} bytes>"
        else:
            body = f"<{ctype or 'bytes'}, {len(content)} bytes>"
        if isinstance(body, (dict, list)):
            body = _scrub_strings(json.loads(scrub(json.dumps(body), secrets)))
    return HttpPreview(
        method=request.method,
        url=scrub_text(str(request.url), secrets),
        headers=headers,
        body=body,
    )


def _has_content(request: httpx.Request) -> bool:
    import httpx

    try:
        request.content  # noqa: B018 - raises for unread streams
    except httpx.RequestNotRead:
        request.read()
    return True


def _scrub_strings(value: Any) -> Any:
    """Mask URL credentials in every string of a JSON body (input URLs may be presigned)."""
    if isinstance(value, dict):
        return {k: _scrub_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub_strings(v) for v in value]
    if isinstance(value, str) and "://" in value:
        return scrub_text(value)
    return value


def _elide(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _elide(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_elide(v) for v in value]
    if isinstance(value, str) and len(value) > _LONG:
        return f"<{len(value)} characters: {value[:32]}...>"
    return value


class SecretFilter(logging.Filter):
    """Masks secrets in every record of the ``reelkit`` loggers: message, traceback, stack.

    The message is formatted once and scrubbed (known values and URL credentials). A traceback
    (``exc_info``) is formatted into ``record.exc_text`` and scrubbed, which every
    ``logging.Formatter`` prints instead of formatting ``exc_info`` again; when the scrubbing
    changed anything, ``exc_info`` is then dropped, so that no formatter or handler that reads
    the exception object itself (a JSON formatter, an error tracker) can show the secret. The
    same for ``stack_info``. Records without secrets are left exactly as they were.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken %-format: show the template, scrubbed, not the arguments
            record.msg, record.args = scrub_text(str(record.msg)), None
        else:
            cleaned = scrub_text(message)
            if cleaned != message:
                record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[0] is not None:
            text = record.exc_text or _format_exception(record.exc_info)
            cleaned = scrub_text(text)
            if cleaned != text:
                record.exc_text, record.exc_info = cleaned, None
        elif record.exc_text:
            record.exc_text = scrub_text(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub_text(record.stack_info)
        return True


def _format_exception(exc_info: Any) -> str:
    # What logging.Formatter.formatException produces, without needing a formatter.
    text = "".join(traceback.format_exception(*exc_info))
    return text[:-1] if text.endswith("\n") else text


def install_log_filter(logger: logging.Logger) -> None:
    """Scrub every record logged *on* ``logger`` (a filter does not see its children's records:
    install it on each logger that logs)."""
    if not any(isinstance(f, SecretFilter) for f in logger.filters):
        logger.addFilter(SecretFilter())
