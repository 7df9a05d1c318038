"""The two drivers: run an orchestration generator with ``httpx.Client`` or ``httpx.AsyncClient``.

These are the only places that send, sleep, stream or block, and they are kept to a few lines
each so that sync and async never drift: everything that decides — retries included — lives in
the engine. A driver performs each effect exactly once.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, TypeVar

import httpx

from .blocking import Workers
from .effects import Fetch, Fetched, Flow, Offload, Send, Sleep
from .pacing import Pacer

T = TypeVar("T")
# Requests in flight per AsyncClient. Beyond this, httpcore's pool rescans every queued request
# and connection on every start and close (quadratic in the fan-out); waiting in an asyncio
# semaphore is O(1). 16 concurrent HTTP/1.1 exchanges saturate one Python process anyway.
MAX_IN_FLIGHT = 16
# Disk writes of a download are batched to this size before a worker thread writes them.
_WRITE_BATCH = 1 << 20


def _open_temp(directory: Path, prefix: str) -> tuple[IO[bytes], Path]:
    directory.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=prefix, suffix=".part", dir=directory)
    lock_partial(fd)  # a live download's file is never mistaken for a leftover
    return os.fdopen(fd, "wb"), Path(name)


def lock_partial(fd: int) -> bool:
    """Hold an advisory lock on a ``.part`` file while writing it; False if another holds it.

    The lock dies with its process, so the ``.part`` of a download killed midway is free to be
    removed, while one still being written elsewhere is not.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory locks; leftovers stay
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _write(
    opened: tuple[IO[bytes], Path] | None, effect: Fetch, batch: list[bytes], last: bool
) -> tuple[IO[bytes], Path]:
    handle, path = opened or _open_temp(effect.directory, effect.prefix)
    try:
        handle.writelines(batch)
        if last:
            handle.flush()
    except BaseException:
        _discard(handle, path)
        raise
    return handle, path


def _discard(handle: IO[bytes], path: Path) -> None:
    handle.close()
    path.unlink(missing_ok=True)  # never leave a half-written file behind


def _unbound(response: httpx.Response) -> httpx.Response:
    """Break the cycle httpx leaves between a read response and its stream (``BoundStream``
    points back at the response), so the exchange is freed at once instead of by the cyclic
    collector: at a thousand jobs in flight that garbage made full collections of 100 ms and
    more, stalling the event loop. The body is read and the stream closed by then."""
    response.stream = _EMPTY
    return response


_EMPTY = httpx.ByteStream(b"")


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
            value = None  # the flow has it: a sleeping job keeps no response (and its request)
            try:
                value, send = self._perform(effect), flow.send
            except Exception as exc:
                value, send = exc, flow.throw

    def _perform(self, effect: Any) -> Any:
        if isinstance(effect, Offload):
            return effect.func()
        if isinstance(effect, Sleep):
            time.sleep(max(0.0, effect.seconds))
            return None
        client = self._client_for(effect.provider)
        if isinstance(effect, Send):
            return _unbound(client.send(effect.request, auth=effect.auth))
        return self._fetch(client, effect)

    @staticmethod
    def _fetch(client: httpx.Client, effect: Fetch) -> Fetched:
        response = client.send(effect.request, auth=effect.auth, stream=True)
        try:
            if not response.is_success:
                return _not_ok(response, response.read())
            handle, path = _open_temp(effect.directory, effect.prefix)
            try:
                size = 0
                for chunk in response.iter_bytes():  # as read: re-chunking costs copies
                    handle.write(chunk)
                    size += len(chunk)
                handle.flush()
            except BaseException:
                _discard(handle, path)
                raise
            return _fetched(response, temp_path=path, size=size, handle=handle)
        finally:
            response.close()
            _unbound(response)

    def close(self) -> None:
        pass


class _HeldCancel(Exception):
    """A submit that failed after a cancel was held back: the flow sees ``error``, then the
    cancel."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


class AsyncDriver:
    def __init__(self, client_for: Callable[[str], httpx.AsyncClient]) -> None:
        self._client_for = client_for
        self._gates: dict[asyncio.AbstractEventLoop, asyncio.Semaphore] = {}
        self._pacers: dict[asyncio.AbstractEventLoop, Pacer] = {}
        self._workers: Workers | None = None

    def _gate(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()  # a semaphore belongs to one event loop
        gate = self._gates.get(loop)
        if gate is None:
            self._gates = {loop: (gate := asyncio.Semaphore(MAX_IN_FLIGHT))}
        return gate

    def _pacer(self) -> Pacer:
        loop = asyncio.get_running_loop()
        pacer = self._pacers.get(loop)
        if pacer is None:
            self._pacers = {loop: (pacer := Pacer(loop))}
        return pacer

    def _blocking(self, func: Callable[..., T], *args: Any) -> asyncio.Future[T]:
        if self._workers is None:
            self._workers = Workers()
        return self._workers.submit(func, *args)

    async def run(self, flow: Flow[T]) -> T:
        # Thousands of jobs may wait at once, each suspended here: every object a waiting job
        # keeps (a bound method, a coroutine per sleep) is walked by each full collection with
        # the loop stopped, so sleeps and offloads are awaited inline and ``value`` is let go.
        # Jobs start, and wake from their sleeps, by turns (reelkit.pacing): a thousand started
        # at once, or due at once, no longer run their next steps in one loop iteration.
        await self._pacer().start()
        value: Any = None
        failed = False  # value is an exception to throw into the flow
        cancelled = False  # a cancel that arrived while a submit was in flight, held back
        while True:
            try:
                effect = flow.throw(value) if failed else flow.send(value)
            except StopIteration as stop:
                if cancelled:
                    raise asyncio.CancelledError from None
                return stop.value  # type: ignore[no-any-return]
            value = None  # the flow has it: a sleeping job keeps no response (and its request)
            if cancelled and not isinstance(effect, Offload):
                # The submit's answer is recorded (the Offloads since were its journal
                # writes): now the cancel may take effect, with nothing paid and forgotten.
                raise asyncio.CancelledError
            try:
                if isinstance(effect, Sleep):  # never holds a slot while sleeping
                    woken, timer = self._pacer().sleep(effect.seconds)
                    del effect
                    try:
                        await woken
                    finally:
                        timer.cancel()
                    del woken, timer
                elif isinstance(effect, Offload):
                    value = await self._blocking(effect.func)
                elif isinstance(effect, Send) and not effect.idempotent:
                    value, held = await self._submit(effect)
                    cancelled = cancelled or held
                else:
                    value = await self._perform(effect)
                failed = False
            except _HeldCancel as held_error:
                value, failed, cancelled = held_error.error, True, True
            except Exception as exc:
                value, failed = exc, True

    async def _submit(self, effect: Send) -> tuple[Any, bool]:
        """A submit runs to its answer even when the caller is cancelled (Ctrl-C, a timeout):
        cut short, the provider may have accepted — and billed — a job nobody recorded."""
        task = asyncio.ensure_future(self._perform(effect))
        try:
            return await asyncio.shield(task), False
        except asyncio.CancelledError:
            try:
                return await task, True
            except Exception as exc:
                raise _HeldCancel(exc) from exc

    async def _perform(self, effect: Send | Fetch) -> Any:
        async with self._gate():
            client = self._client_for(effect.provider)
            if isinstance(effect, Send):
                return _unbound(await client.send(effect.request, auth=effect.auth))
            return await self._fetch(client, effect)

    async def _fetch(self, client: httpx.AsyncClient, effect: Fetch) -> Fetched:
        response = await client.send(effect.request, auth=effect.auth, stream=True)
        try:
            if not response.is_success:
                return _not_ok(response, await response.aread())
            # Chunks are written in batches by a worker thread: the file is opened with the
            # first batch and flushed with the last, so a small video costs one trip.
            opened: tuple[IO[bytes], Path] | None = None
            batch: list[bytes] = []
            pending = size = 0
            try:
                async for chunk in response.aiter_bytes():
                    batch.append(chunk)
                    pending += len(chunk)
                    if pending >= _WRITE_BATCH:
                        opened = await self._blocking(_write, opened, effect, batch, False)
                        size, batch, pending = size + pending, [], 0
                opened = await self._blocking(_write, opened, effect, batch, True)
                size += pending
            except BaseException:
                if opened is not None:
                    await asyncio.shield(self._blocking(_discard, *opened))
                raise
            handle, path = opened
            return _fetched(response, temp_path=path, size=size, handle=handle)
        finally:
            await response.aclose()
            _unbound(response)

    def close(self) -> None:
        if self._workers is not None:
            self._workers.close()
            self._workers = None
