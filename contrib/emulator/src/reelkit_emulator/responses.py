"""Answer helpers shared by every fake: JSON bodies, credentials, fault bodies.

A handler rejects a request by raising an :class:`~.errors.ApiError` (rendered in the fake's
dialect) or :class:`Reject` with a ready response; the framework returns it and counts it in
``rejected``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send


class Reject(Exception):
    """Raised by a handler to answer with ``response`` (a 4xx/5xx in the provider's own shape)."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


class BodyError(ValueError):
    """The request body could not be read as the expected format (message says why)."""


def json_response(
    body: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))


async def json_body(request: Request) -> Any:
    """The request body as JSON, or :class:`BodyError`."""
    raw = await request.body()
    if not raw:
        raise BodyError("empty request body")
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BodyError(f"invalid JSON body: {exc}") from None


def is_json(request: Request) -> bool:
    return request.headers.get("content-type", "").split(";")[0].strip().lower() in (
        "application/json",
        "",
    )


def is_multipart(request: Request) -> bool:
    return request.headers.get("content-type", "").lower().startswith("multipart/form-data")


def bearer_token(request: Request, *, allow_bare: bool = False) -> str | None:
    """The non-empty token of ``Authorization: Bearer <token>`` (or a bare ``<token>`` when
    ``allow_bare``), else None. Any non-empty value is accepted: the emulator only checks presence
    and form, as the real services do before they look the key up."""
    header = request.headers.get("authorization", "").strip()
    scheme, _, rest = header.partition(" ")
    if scheme.lower() == "bearer":
        return rest.strip() or None
    if allow_bare and header and not rest:
        return header
    return None


# --- errors ----------------------------------------------------------------------------------


def openai_error(
    status: int,
    message: str,
    *,
    type: str = "invalid_request_error",
    param: str | None = None,
    code: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """OpenAI's envelope ``{"error": {"message", "type", "param", "code"}}`` as a response (for
    fakes that answer with :class:`Reject`; fakes on :mod:`.errors` raise ``ApiError``)."""
    from .errors import OPENAI

    error = OPENAI.error(status, message, type=type, param=param, code=code)
    return error.with_headers(headers or {}).render()


# --- fault bodies ----------------------------------------------------------------------------


def malformed_json() -> Response:
    """A 200 whose JSON is cut off mid-object, as a proxy that dropped the connection would give."""
    return Response(b'{"id": "', status_code=200, media_type="application/json")


def malformed_media() -> Response:
    """A 200 "download" that is an HTML error page instead of video bytes."""
    return Response(
        b"<html><body><h1>502 Bad Gateway</h1></body></html>",
        status_code=200,
        media_type="text/html",
    )


class ConnectionReset(httpx.RemoteProtocolError):
    """Raised to drop the connection. Over a socket uvicorn closes it mid-response (the client sees
    a protocol error); under ``httpx.ASGITransport`` it reaches the client as this transport
    error, which httpx-based clients handle like any other ``httpx.TransportError``."""

    def __init__(self) -> None:
        super().__init__("connection reset by the reelkit emulator (injected fault)")


class ResetResponse(Response):
    """Starts a response that promises a body, then raises :class:`ConnectionReset`.

    Starting first matters: an exception before the start would make Starlette/uvicorn answer
    500 instead of dropping the connection.
    """

    def __init__(self) -> None:
        super().__init__(status_code=200)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")],
            }
        )
        raise ConnectionReset()
