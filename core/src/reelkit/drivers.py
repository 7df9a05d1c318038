"""The two drivers: run an orchestration generator with ``httpx.Client`` or ``httpx.AsyncClient``.

These are the only places that send, sleep or stream, and they are kept to a few lines each so
that sync and async never drift: everything that decides lives in ``reelkit.engine``.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx
import stamina

from .effects import Fetch, Fetched, Flow, Send, Sleep
from .wire import retry_after_seconds

T = TypeVar("T")
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
NEVER_LEFT = (httpx.ConnectError, httpx.ConnectTimeout)
# Requests in flight per AsyncClient. Beyond this, httpcore's pool rescans every queued request
# and connection on every start and close (quadratic in the fan-out); waiting in an asyncio
# semaphore is O(1). 16 concurrent HTTP/1.1 exchanges saturate one Python process anyway.
MAX_IN_FLIGHT = 16
_MAX_WAIT = 60.0


class _RetryableStatus(Exception):
    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


def _backoff(effect: Send | Fetch) -> Callable[[Exception], bool | float]:
    """stamina's backoff hook: whether (and how long) to wait before the next attempt."""
    idempotent = isinstance(effect, Fetch) or effect.idempotent

    def hook(exc: Exception) -> bool | float:
        if isinstance(exc, _RetryableStatus):
            if not idempotent and exc.response.status_code != 429:
                return False
            hint = retry_after_seconds(exc.response)
            return min(hint, _MAX_WAIT) if hint is not None else True
        if isinstance(exc, NEVER_LEFT):
            return True
        return idempotent and isinstance(exc, httpx.TransportError)

    return hook


def _check(effect: Send | Fetch, response: httpx.Response) -> None:
    if response.status_code in RETRY_STATUSES:
        raise _RetryableStatus(response)


def _attempts(effect: Send | Fetch) -> Any:
    return stamina.retry_context(
        on=_backoff(effect), attempts=4, timeout=120, wait_initial=0.5, wait_max=10
    )


@contextmanager
def _temp_file(directory: Path) -> Iterator[tuple[Any, Path]]:
    directory.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".reelkit-", suffix=".part", dir=directory)
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle, path
    except BaseException:
        path.unlink(missing_ok=True)  # never leave a half-written file behind
        raise


def _fetched(response: httpx.Response, **extra: Any) -> Fetched:
    return Fetched(status=response.status_code, headers=response.headers, **extra)


def _not_ok(response: httpx.Response, body: bytes) -> Fetched:
    return _fetched(
        response,
        location=response.headers.get("location") if response.is_redirect else None,
        snippet=body[:300].decode("utf-8", "replace"),
    )


class SyncDriver:
    def __init__(self, client_for: Callable[[str], httpx.Client]) -> None:
        self._client_for = client_for

    def run(self, flow: Flow[T]) -> T:
        send: Callable[[Any], Any] = flow.send
        value: Any = None
        while True:
            try:
                effect = send(value)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            try:
                value, send = self._perform(effect), flow.send
            except Exception as exc:
                value, send = exc, flow.throw

    def _perform(self, effect: Any) -> Any:
        if isinstance(effect, Sleep):
            time.sleep(max(0.0, effect.seconds))
            return None
        client = self._client_for(effect.provider)
        try:
            for attempt in _attempts(effect):
                with attempt:
                    if isinstance(effect, Send):
                        response = client.send(effect.request, auth=effect.auth)
                        _check(effect, response)
                        return response
                    return self._fetch(client, effect)
        except _RetryableStatus as exc:
            return (
                exc.response
                if isinstance(effect, Send)
                else _not_ok(exc.response, exc.response.content)
            )
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _fetch(client: httpx.Client, effect: Fetch) -> Fetched:
        response = client.send(effect.request, auth=effect.auth, stream=True)
        try:
            if not response.is_success:
                body = response.read()
                _check(effect, response)
                return _not_ok(response, body)
            with _temp_file(effect.directory) as (handle, path):
                size = 0
                for chunk in response.iter_bytes():  # as read: re-chunking costs copies
                    handle.write(chunk)
                    size += len(chunk)
            return _fetched(response, temp_path=path, size=size)
        finally:
            response.close()


class AsyncDriver:
    def __init__(self, client_for: Callable[[str], httpx.AsyncClient]) -> None:
        self._client_for = client_for
        self._gates: dict[asyncio.AbstractEventLoop, asyncio.Semaphore] = {}

    def _gate(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()  # a semaphore belongs to one event loop
        gate = self._gates.get(loop)
        if gate is None:
            self._gates = {loop: (gate := asyncio.Semaphore(MAX_IN_FLIGHT))}
        return gate

    async def run(self, flow: Flow[T]) -> T:
        send: Callable[[Any], Any] = flow.send
        value: Any = None
        while True:
            try:
                effect = send(value)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            try:
                value, send = await self._perform(effect), flow.send
            except Exception as exc:
                value, send = exc, flow.throw

    async def _perform(self, effect: Any) -> Any:
        if isinstance(effect, Sleep):  # never hold a slot while sleeping
            await asyncio.sleep(max(0.0, effect.seconds))
            return None
        async with self._gate():
            return await self._exchange(effect)

    async def _exchange(self, effect: Send | Fetch) -> Any:
        client = self._client_for(effect.provider)
        try:
            async for attempt in _attempts(effect):
                with attempt:
                    if isinstance(effect, Send):
                        response = await client.send(effect.request, auth=effect.auth)
                        _check(effect, response)
                        return response
                    return await self._fetch(client, effect)
        except _RetryableStatus as exc:
            return (
                exc.response
                if isinstance(effect, Send)
                else _not_ok(exc.response, exc.response.content)
            )
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    async def _fetch(client: httpx.AsyncClient, effect: Fetch) -> Fetched:
        response = await client.send(effect.request, auth=effect.auth, stream=True)
        try:
            if not response.is_success:
                body = await response.aread()
                _check(effect, response)
                return _not_ok(response, body)
            with _temp_file(effect.directory) as (handle, path):
                size = 0
                async for chunk in response.aiter_bytes():  # as read: re-chunking costs copies
                    handle.write(chunk)
                    size += len(chunk)
            return _fetched(response, temp_path=path, size=size)
        finally:
            await response.aclose()
