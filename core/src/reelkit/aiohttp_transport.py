"""An ``httpx`` transport that sends with aiohttp: the same ``httpx.Request``/``Response`` objects,
aiohttp's C HTTP parser underneath (``reelkit-core[fast]``; chosen by ``transport``).

httpx's default transport parses HTTP/1.1 in pure Python (h11) and checks every pooled
connection through anyio; at a thousand jobs in flight that was about a third of the client's
CPU. Only the wire changes here. Everything above it — auth flows, redirects refused, timeouts,
content decoding, the engine's retries — is still httpx's and reelkit's, and aiohttp's own
conveniences (decompression, cookies, default headers, resending a request) are all switched
off so that exactly what httpx built is sent, once.

Errors map onto httpx's by *whether the request may have left*, which is what the engine's
never-pay-twice rule reads: only a failure to connect (``ConnectError``, ``ConnectTimeout``)
means nothing was sent; a connection dropped or reset later is a ``RemoteProtocolError`` or
``ReadError`` — maybe sent, never resubmitted blindly.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, NoReturn

import httpx

if TYPE_CHECKING:
    import aiohttp

#: Read size of a response body: large enough that a 500 MB download is not ten thousand
#: small reads, small enough to stay far below the download's memory bound.
CHUNK = 1 << 18


def available() -> bool:
    """Whether aiohttp can be imported (``pip install "reelkit-core[fast]"``)."""
    try:
        import aiohttp  # noqa: F401
    except ImportError:
        return False
    return True


class AiohttpTransport(httpx.AsyncBaseTransport):
    """Send ``httpx`` requests through one pooled ``aiohttp.ClientSession`` per event loop."""

    def __init__(
        self,
        *,
        max_connections: int = 16,
        keepalive_expiry: float = 5.0,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        import aiohttp  # fail here, at construction, if the extra is not installed

        self._aiohttp = aiohttp
        self._limit = max_connections
        self._keepalive = keepalive_expiry
        self._verify = verify
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def __repr__(self) -> str:
        return f"AiohttpTransport(max_connections={self._limit})"

    def _session_here(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._session is None or self._loop is not loop or self._session.closed:
            aiohttp = self._aiohttp
            if self._verify is True:  # httpx's trust store (certifi, SSL_CERT_FILE/SSL_CERT_DIR),
                self._verify = httpx.create_ssl_context()  # built once, on the first request
            connector = aiohttp.TCPConnector(
                limit=self._limit, keepalive_timeout=self._keepalive, ssl=self._verify
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                auto_decompress=False,  # httpx decodes Content-Encoding itself
                cookie_jar=aiohttp.DummyCookieJar(),  # cookies are httpx's business
                trust_env=False,  # httpx mounts its own transports for proxies
                skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding", "Content-Type"),
                timeout=aiohttp.ClientTimeout(total=None),
            )
            # aiohttp resends an idempotent request once when a kept-alive connection drops;
            # reelkit's engine alone decides what is sent again (a PUT may be a paid submit).
            self._session._retry_connection = False
            self._loop = loop
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        aiohttp = self._aiohttp
        session = self._session_here()
        timeout = request.extensions.get("timeout", {})
        body = await request.aread()  # already bytes for every request reelkit builds
        try:
            response = await session.request(
                request.method,
                _yarl_url(request.url),
                headers=request.headers.multi_items(),
                data=body or None,
                allow_redirects=False,
                compress=None,
                timeout=aiohttp.ClientTimeout(
                    total=None,
                    connect=timeout.get("pool"),
                    sock_connect=timeout.get("connect"),
                    sock_read=timeout.get("read"),
                ),
            )
        except BaseException as exc:
            _reraise(aiohttp, exc)
        return httpx.Response(
            response.status,
            headers=response.raw_headers,
            stream=_Body(aiohttp, response),
            extensions={
                "http_version": b"HTTP/1.1",
                "reason_phrase": (response.reason or "").encode(),
            },
        )

    async def aclose(self) -> None:
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()


class _Body(httpx.AsyncByteStream):
    def __init__(self, aiohttp: Any, response: aiohttp.ClientResponse) -> None:
        self._aiohttp = aiohttp
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_chunked(CHUNK):
                yield chunk
        except BaseException as exc:
            _reraise(self._aiohttp, exc)

    async def aclose(self) -> None:
        self._response.release()


def _yarl_url(url: httpx.URL) -> Any:
    from yarl import URL

    return URL(str(url), encoded=True)  # httpx has encoded it already: send it as is


def _reraise(aiohttp: Any, exc: BaseException) -> NoReturn:
    mapped = _mapped(aiohttp, exc)
    if mapped is exc:
        raise exc
    raise mapped from exc


def _mapped(aiohttp: Any, exc: BaseException) -> BaseException:
    """The httpx exception that says as much as ``exc`` about whether the request left."""
    if isinstance(exc, aiohttp.ConnectionTimeoutError):  # before a byte was sent
        return httpx.ConnectTimeout(str(exc) or "connection timed out")
    if isinstance(exc, aiohttp.ClientConnectorError):  # DNS, refused, TLS handshake: not sent
        return httpx.ConnectError(str(exc))
    if isinstance(exc, aiohttp.SocketTimeoutError | aiohttp.ServerTimeoutError):
        return httpx.ReadTimeout(str(exc) or "read timed out")
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return httpx.RemoteProtocolError(f"server disconnected: {exc}")
    if isinstance(exc, aiohttp.ClientPayloadError):
        return httpx.RemoteProtocolError(f"incomplete body: {exc}")
    if isinstance(exc, aiohttp.ClientResponseError):  # an answer aiohttp could not parse
        return httpx.RemoteProtocolError(f"unreadable response: {exc.message}")
    if isinstance(exc, aiohttp.InvalidURL):
        return httpx.UnsupportedProtocol(str(exc))
    if isinstance(exc, aiohttp.ClientError | OSError):  # reset, broken pipe: maybe sent
        return httpx.ReadError(f"{type(exc).__name__}: {exc}")
    return exc  # cancellation and everything unexpected pass through unchanged
