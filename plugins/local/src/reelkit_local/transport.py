"""An httpx transport that answers the local render API in-process (see ``protocol``).

The core sends the local provider's requests through this object instead of the network, so
``local`` runs through the very same translate → submit → poll → download steps as every
remote provider. It works for ``httpx.Client`` (``handle_request``) and ``httpx.AsyncClient``
(``handle_async_request``); the async side does its file work in worker threads so the event
loop never waits on a disk or a render.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import httpx

from . import protocol
from .store import RenderStore, Status, UnknownRender

CHUNK = 1 << 20  # bytes per read when streaming a video


class LocalTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Serves ``POST/GET/DELETE …/v1/renders…`` from the renders under ``state_dir``."""

    def __init__(self, state_dir: str | Path) -> None:
        self.store = RenderStore(Path(state_dir))

    def __repr__(self) -> str:
        return f"LocalTransport({str(self.store.directory)!r})"

    @property
    def state_dir(self) -> Path:
        return self.store.directory

    # --- httpx entry points ------------------------------------------------------------------

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        response = self._route(request)
        if isinstance(response, _VideoFile):
            return response.sync_response(request)
        return response

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        response = await asyncio.to_thread(self._route, request)
        if isinstance(response, _VideoFile):
            return await response.async_response(request)
        return response

    # --- routing -----------------------------------------------------------------------------

    def _route(self, request: httpx.Request) -> httpx.Response | _VideoFile:
        match = protocol.ROUTE.match(request.url.path)
        if match is None:
            return _error(
                404, "not_found", f"no route {request.method} {request.url.path}", request
            )
        render_id, content = match["id"], bool(match["content"])
        base = f"{request.url.scheme}://{request.url.netloc.decode('ascii')}{match['prefix']}"
        method = request.method.upper()
        try:
            if render_id is None:
                if method != "POST":
                    return _method_not_allowed(request, "POST")
                return self._submit(request, base)
            if content:
                if method != "GET":
                    return _method_not_allowed(request, "GET")
                return self._content(render_id, request)
            if method == "GET":
                return _status_response(render_id, self.store.status(render_id), base, request)
            if method == "DELETE":
                return self._cancel(render_id, base, request)
            return _method_not_allowed(request, "GET, DELETE")
        except UnknownRender:
            return _error(404, "not_found", f"no render {render_id!r}", request)
        except ValueError as exc:  # a damaged state file
            return _error(500, "corrupt_state", str(exc), request)
        except OSError as exc:  # the state directory cannot be written (full, read-only, ...)
            return _error(500, "state_error", f"{type(exc).__name__}: {exc}", request)

    def _submit(self, request: httpx.Request, base: str) -> httpx.Response:
        try:
            body = json.loads(request.content or b"null")
        except ValueError:
            return _error(400, "invalid_request", "the body is not JSON", request, field="body")
        try:
            spec = protocol.parse_spec(body)
            for name in protocol.IMAGE_FIELDS:
                if name in spec:
                    _check_image(protocol.decode_image(spec[name], name), name)
        except protocol.BadRequest as exc:
            return _error(
                400, "invalid_request", exc.message, request, field=exc.field, allowed=exc.allowed
            )
        render_id, status = self.store.create(spec)
        return _status_response(render_id, status, base, request, status_code=201)

    def _content(self, render_id: str, request: httpx.Request) -> httpx.Response | _VideoFile:
        status = self.store.status(render_id)
        if status.state != "succeeded":
            return _error(
                409, "not_ready", f"render {render_id} is {status.state}, not succeeded", request
            )
        return _VideoFile(self.store.video_path(render_id))

    def _cancel(self, render_id: str, base: str, request: httpx.Request) -> httpx.Response:
        status = self.store.cancel(render_id)
        if status.state == "succeeded":
            return _error(409, "already_finished", f"render {render_id} already succeeded", request)
        return _status_response(render_id, status, base, request)


# --- responses -------------------------------------------------------------------------------


def _status_response(
    render_id: str,
    status: Status,
    base: str,
    request: httpx.Request,
    *,
    status_code: int = 200,
) -> httpx.Response:
    spec = status.spec
    fps = int(spec["fps"])
    frames = max(1, round(float(spec["duration"]) * fps))
    body: dict[str, Any] = {
        "id": render_id,
        "object": "render",
        "status": status.state,
        "progress": status.progress,
        "model": spec.get("model"),
        "mode": spec.get("mode"),
        "created_at": spec.get("created_at"),
        # What the file is (or will be): exactly these frames at this rate and size.
        "duration": frames / fps,
        "fps": fps,
        "frames": frames,
        "width": spec["width"],
        "height": spec["height"],
        "seed": spec.get("seed"),
        "restarted": status.restarted or None,
    }
    if status.state == "succeeded":
        body["content_url"] = f"{base}{protocol.RENDERS}/{render_id}/content"
    if status.error is not None:
        body["error"] = dict(status.error)
    body = {k: v for k, v in body.items() if v is not None}
    return httpx.Response(status_code, json=body, request=request)


def _error(
    status_code: int,
    code: str,
    message: str,
    request: httpx.Request,
    *,
    field: str | None = None,
    allowed: str | None = None,
) -> httpx.Response:
    body = protocol.error_body(code, message, field=field, allowed=allowed)
    return httpx.Response(status_code, json=body, request=request)


def _method_not_allowed(request: httpx.Request, allowed: str) -> httpx.Response:
    response = _error(405, "method_not_allowed", f"{request.method} is not allowed here", request)
    response.headers["allow"] = allowed
    return response


def _check_image(data: bytes, field: str) -> None:
    """Refuse what Pillow cannot open (or a format outside JPEG/PNG/WebP) before rendering."""
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt = image.format or ""
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise protocol.BadRequest(
            field, "is not a readable image", ", ".join(protocol.IMAGE_FORMATS.values())
        ) from None
    if fmt not in protocol.IMAGE_FORMATS:
        raise protocol.BadRequest(
            field,
            f"{fmt.lower()} images are not supported",
            ", ".join(protocol.IMAGE_FORMATS.values()),
        )


# --- streaming the video ---------------------------------------------------------------------


class _VideoFile:
    """A finished video, opened lazily by whichever side (sync or async) streams it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _headers(self, size: int) -> Mapping[str, str]:
        return {"content-type": "video/mp4", "content-length": str(size)}

    def sync_response(self, request: httpx.Request) -> httpx.Response:
        handle = self.path.open("rb")
        size = _size(handle)
        return httpx.Response(
            200, headers=self._headers(size), stream=_SyncFileStream(handle), request=request
        )

    async def async_response(self, request: httpx.Request) -> httpx.Response:
        handle = await asyncio.to_thread(self.path.open, "rb")
        size = _size(handle)
        return httpx.Response(
            200, headers=self._headers(size), stream=_AsyncFileStream(handle), request=request
        )


def _size(handle: IO[bytes]) -> int:
    import os

    return os.fstat(handle.fileno()).st_size


class _SyncFileStream(httpx.SyncByteStream):
    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle

    def __iter__(self) -> Iterator[bytes]:
        while chunk := self.handle.read(CHUNK):
            yield chunk

    def close(self) -> None:
        self.handle.close()


class _AsyncFileStream(httpx.AsyncByteStream):
    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while chunk := await asyncio.to_thread(self.handle.read, CHUNK):
            yield chunk

    async def aclose(self) -> None:
        self.handle.close()
