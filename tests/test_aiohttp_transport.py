"""The aiohttp transport, against a real loopback socket server whose every fault is scripted.

What matters is the wire and the error classes: exactly the bytes httpx built leave (aiohttp
adds no header and decodes nothing), nothing is ever sent twice, and an error says "not sent"
(``ConnectError``/``ConnectTimeout``) only when the request cannot have left.
"""

from __future__ import annotations

import asyncio
import gzip
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import pytest

from reelkit import AsyncClient, InvalidRequest
from reelkit.aiohttp_transport import AiohttpTransport, _mapped
from reelkit.config import Settings
from reelkit.retry import NEVER_LEFT

pytestmark = pytest.mark.anyio

Handler = Callable[[bytes, asyncio.StreamWriter], Awaitable[bool]]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # aiohttp runs on asyncio only


class Server:
    """A loopback HTTP/1.1 server: reads each request head and body, records the raw bytes,
    then lets ``handler`` answer (or misbehave); ``handler`` returns whether to keep the
    connection open for another request."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[bytes] = []
        self.connections = 0
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> Server:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()

    @property
    def url(self) -> str:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                body = await reader.readexactly(length) if length else b""
                self.requests.append(head + body)
                if not await self.handler(head + body, writer):
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


def answer(body: bytes = b'{"ok": true}', *, headers: str = "") -> Handler:
    async def handler(_request: bytes, writer: asyncio.StreamWriter) -> bool:
        writer.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
            + headers.encode()
            + f"content-length: {len(body)}\r\n\r\n".encode()
            + body
        )
        await writer.drain()
        return True

    return handler


def client(**kw: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=AiohttpTransport(**kw), follow_redirects=False)


async def test_sends_exactly_what_httpx_built() -> None:
    async with Server(answer()) as server, client() as http:
        response = await http.post(
            f"{server.url}/v1/videos?a=%2Fb",
            content=b"\x00raw",
            headers={"authorization": "Bearer sk-test", "x-custom": "1"},
        )
        assert response.status_code == 200
        assert response.json() == {"ok": True}
    sent = server.requests[0]
    head, _, body = sent.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    assert lines[0] == b"POST /v1/videos?a=%2Fb HTTP/1.1"  # the encoded URL as httpx made it
    names = [line.split(b":")[0].lower() for line in lines[1:]]
    assert sorted(names) == sorted(
        [
            b"host",
            b"accept",
            b"accept-encoding",
            b"connection",
            b"user-agent",
            b"content-length",
            b"authorization",
            b"x-custom",
        ]
    )  # no Content-Type aiohttp would guess, no second User-Agent
    assert body == b"\x00raw"


async def test_gzip_is_decoded_once_by_httpx() -> None:
    packed = gzip.compress(b'{"status": "completed"}')
    gzipped = answer(packed, headers="content-encoding: gzip\r\n")
    async with Server(gzipped) as server, client() as http:
        response = await http.get(f"{server.url}/v1/videos/1")
    assert response.json() == {"status": "completed"}


async def test_kept_alive_connections_are_reused() -> None:
    async with Server(answer()) as server, client() as http:
        for _ in range(5):
            assert (await http.get(f"{server.url}/x")).status_code == 200
    assert server.connections == 1 and len(server.requests) == 5


async def test_a_streamed_body_arrives_whole() -> None:
    payload = bytes(range(256)) * 40_000  # 10 MB, many reads
    async with (
        Server(answer(payload)) as server,
        client() as http,
        http.stream("GET", f"{server.url}/content") as response,
    ):
        received = b"".join([chunk async for chunk in response.aiter_bytes()])
    assert received == payload


async def test_a_refused_connection_is_never_sent() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # bound, never listening: the connect is refused
        async with client() as http:
            with pytest.raises(httpx.ConnectError) as caught:
                await http.post(f"http://127.0.0.1:{port}/v1/videos", json={})
    assert isinstance(caught.value, NEVER_LEFT)


async def test_a_connection_dropped_after_the_request_is_maybe_sent() -> None:
    async def hang_up(_request: bytes, _writer: asyncio.StreamWriter) -> bool:
        return False  # read the whole submit, then close without answering

    async with Server(hang_up) as server, client() as http:
        with pytest.raises(httpx.TransportError) as caught:
            await http.post(f"{server.url}/v1/videos", json={"prompt": "a"})
    assert not isinstance(caught.value, NEVER_LEFT)  # the engine must not resubmit blindly
    assert isinstance(caught.value, httpx.RemoteProtocolError)
    assert len(server.requests) == 1


@pytest.mark.parametrize("method", ["PUT", "DELETE", "GET"])
async def test_a_dropped_keep_alive_connection_is_not_resent(method: str) -> None:
    """aiohttp would resend an idempotent request once on a reused connection that drops;
    reelkit's engine alone decides about resending (a PUT may be a paid submit)."""
    seen = 0

    async def first_then_drop(_request: bytes, writer: asyncio.StreamWriter) -> bool:
        nonlocal seen
        seen += 1
        if seen == 1:
            return await answer()(_request, writer)
        return False

    async with Server(first_then_drop) as server, client() as http:
        await http.get(f"{server.url}/warm")
        with pytest.raises(httpx.TransportError) as caught:
            await http.request(method, f"{server.url}/v1/tasks/1", content=b"{}")
    assert not isinstance(caught.value, NEVER_LEFT)
    assert len(server.requests) == 2


async def test_a_body_cut_short_is_a_protocol_error() -> None:
    async def short(_request: bytes, writer: asyncio.StreamWriter) -> bool:
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n" + b"x" * 10)
        await writer.drain()
        return False

    async with Server(short) as server, client() as http:
        with pytest.raises(httpx.TransportError) as caught:
            await http.get(f"{server.url}/content")
    assert not isinstance(caught.value, NEVER_LEFT)


async def test_garbage_instead_of_http_is_a_protocol_error() -> None:
    async def garbage(_request: bytes, writer: asyncio.StreamWriter) -> bool:
        writer.write(b"SMTP ready\r\n\r\n")
        await writer.drain()
        return False

    async with Server(garbage) as server, client() as http:
        with pytest.raises(httpx.RemoteProtocolError):
            await http.post(f"{server.url}/v1/videos", json={})


async def test_a_silent_server_is_a_read_timeout() -> None:
    release = asyncio.Event()

    async def silent(_request: bytes, _writer: asyncio.StreamWriter) -> bool:
        await release.wait()
        return False

    async with Server(silent) as server, client() as http:
        with pytest.raises(httpx.ReadTimeout) as caught:
            await http.post(f"{server.url}/v1/videos", json={}, timeout=httpx.Timeout(0.2))
        release.set()
    assert not isinstance(caught.value, NEVER_LEFT)


async def test_waiting_for_a_pooled_connection_times_out_unsent() -> None:
    release = asyncio.Event()

    async def hold(request: bytes, writer: asyncio.StreamWriter) -> bool:
        await release.wait()
        return await answer()(request, writer)

    async with Server(hold) as server, client(max_connections=1) as http:
        holding = asyncio.ensure_future(http.get(f"{server.url}/held"))
        while not server.requests:  # the only connection is taken
            await asyncio.sleep(0.01)
        with pytest.raises(httpx.ConnectTimeout) as caught:
            await http.post(f"{server.url}/v1/videos", json={}, timeout=httpx.Timeout(5, pool=0.1))
        release.set()
        assert (await holding).status_code == 200
    assert isinstance(caught.value, NEVER_LEFT)
    assert len(server.requests) == 1  # the timed-out submit never reached the server


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (aiohttp.ConnectionTimeoutError("pool"), httpx.ConnectTimeout),
        (aiohttp.ServerDisconnectedError(), httpx.RemoteProtocolError),
        (aiohttp.SocketTimeoutError("read"), httpx.ReadTimeout),
        (aiohttp.ClientPayloadError("cut"), httpx.RemoteProtocolError),
        (aiohttp.ClientOSError(104, "reset"), httpx.ReadError),
        (aiohttp.InvalidURL("ftp://x"), httpx.UnsupportedProtocol),
        (ConnectionResetError(104, "reset"), httpx.ReadError),
    ],
    ids=lambda v: getattr(v, "__name__", type(v).__name__),
)
def test_every_aiohttp_error_maps_by_whether_the_request_left(
    error: BaseException, expected: type[Exception]
) -> None:
    mapped = _mapped(aiohttp, error)
    assert type(mapped) is expected
    assert isinstance(mapped, NEVER_LEFT) == (expected is httpx.ConnectTimeout)


def test_cancellation_passes_through_unchanged() -> None:
    cancel = asyncio.CancelledError()
    assert _mapped(aiohttp, cancel) is cancel


def test_the_transport_setting(tmp_path: Path) -> None:
    assert Settings.load(env={}, home=tmp_path).transport() == "aiohttp"  # installed: auto
    for name in ("httpx", "aiohttp", " HTTPX "):
        env = {"REELKIT_TRANSPORT": name}
        assert Settings.load(env=env, home=tmp_path).transport() == name.strip().lower()
    with pytest.raises(InvalidRequest) as caught:
        Settings.load(env={"REELKIT_TRANSPORT": "curl"}, home=tmp_path).transport()
    assert "REELKIT_TRANSPORT" in str(caught.value) and "auto, httpx, aiohttp" in str(caught.value)
    (tmp_path / "config.toml").write_text('transport = "httpx"\n')
    assert Settings.load(env={}, home=tmp_path).transport() == "httpx"


@pytest.mark.parametrize("wire", ["aiohttp", "httpx"])
async def test_the_async_client_uses_the_chosen_wire(
    wire: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REELKIT_TRANSPORT", wire)
    async with AsyncClient() as rk:
        http = rk._http_client("sora", httpx.AsyncClient, rk._pool)
        transport = http._transport
    assert isinstance(transport, AiohttpTransport) == (wire == "aiohttp")


@pytest.mark.parametrize("wire", ["aiohttp", "httpx"])
async def test_a_read_response_is_freed_without_the_cyclic_collector(wire: str) -> None:
    """httpx links a response and its stream in a cycle; the drivers break it, so a thousand
    jobs in flight leave no garbage for a long, loop-stopping full collection."""
    import gc

    from reelkit.drivers import AsyncDriver
    from reelkit.effects import Send

    transport = AiohttpTransport() if wire == "aiohttp" else httpx.AsyncHTTPTransport()
    async with Server(answer()) as server, httpx.AsyncClient(transport=transport) as http:
        driver = AsyncDriver(lambda _provider: http)
        request = http.build_request("GET", f"{server.url}/v1/videos/1")
        await driver._perform(Send("sora", request, None, True))  # pools, warms up
        gc.collect()
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            for _ in range(5):
                request = http.build_request("GET", f"{server.url}/v1/videos/1")
                response = await driver._perform(Send("sora", request, None, True))
                assert response.json() == {"ok": True}
                del response, request
            gc.collect()
            left = [o for o in gc.garbage if isinstance(o, httpx.Response)]
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
        driver.close()
    assert left == []
