"""Renders on disk, rendered by background threads, surviving the death of any process.

Per render id, in the state directory::

    <id>.json        the spec, written (atomically) before the submit answers
    <id>.mp4         the video, renamed into place when complete
    <id>.error.json  why it failed, or that it was cancelled
    <id>.beat        heartbeat of whichever process is rendering it (progress, time)

A status question is answered from these files, so any process can answer it. If a spec has
no video, no error, and no live renderer (no thread here, no fresh heartbeat from elsewhere),
the process that was rendering it died: the render simply starts again. That costs nothing
and yields the same video, since rendering is local and deterministic.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from . import protocol

#: Renders at once per process; more wait their turn (and report "queued").
MAX_CONCURRENT = 2
#: Seconds between heartbeats, and the age after which a heartbeat means its renderer is gone.
BEAT_EVERY = 0.5
BEAT_STALE = 3.0


class RenderCancelled(Exception):
    """Raised inside the progress callback to stop a render that was cancelled."""


@attrs.define
class _Render:
    """This process's work on one render id."""

    id: str
    thread: threading.Thread | None = None
    progress: float | None = None  # None while waiting for a slot
    cancel: threading.Event = attrs.field(factory=threading.Event)


# Threads belong to the process, not to a transport: two clients in one process must see one
# another's renders rather than start them twice. Keyed by the absolute video path.
_ACTIVE: dict[Path, _Render] = {}
_LOCK = threading.Lock()
_SLOTS = threading.BoundedSemaphore(MAX_CONCURRENT)


@attrs.frozen
class Status:
    """What the status endpoint reports for one render."""

    state: str  # queued | running | succeeded | failed
    spec: Mapping[str, Any]
    progress: float | None = None
    error: Mapping[str, Any] | None = None
    restarted: bool = False


class UnknownRender(KeyError):
    pass


class RenderStore:
    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory).expanduser().resolve()
        self._specs: dict[str, dict[str, Any]] = {}

    # --- paths -----------------------------------------------------------------------------

    def _path(self, render_id: str, suffix: str) -> Path:
        if not protocol.RENDER_ID.match(render_id):
            raise UnknownRender(render_id)
        return self.directory / f"{render_id}{suffix}"

    def spec_path(self, render_id: str) -> Path:
        return self._path(render_id, ".json")

    def video_path(self, render_id: str) -> Path:
        return self._path(render_id, ".mp4")

    def error_path(self, render_id: str) -> Path:
        return self._path(render_id, ".error.json")

    def beat_path(self, render_id: str) -> Path:
        return self._path(render_id, ".beat")

    # --- verbs -----------------------------------------------------------------------------

    def create(self, spec: Mapping[str, Any]) -> tuple[str, Status]:
        """Persist a (validated) spec under a new id and start rendering it."""
        render_id = "render_" + uuid.uuid4().hex
        record = {**spec, "id": render_id, "created_at": time.time()}
        self.directory.mkdir(parents=True, exist_ok=True)
        _write_json(self.spec_path(render_id), record)
        self._specs[render_id] = record
        self._start(render_id, record)
        return render_id, Status(state="queued", spec=record, progress=0.0)

    def load_spec(self, render_id: str) -> dict[str, Any]:
        """The stored spec, checked as strictly as a submit (specs never change: cached)."""
        cached = self._specs.get(render_id)
        if cached is not None:
            return cached
        try:
            data = json.loads(self.spec_path(render_id).read_text("utf-8"))
        except FileNotFoundError:
            raise UnknownRender(render_id) from None
        except ValueError:
            raise ValueError(f"render {render_id}: the stored spec is not JSON") from None
        try:
            spec = protocol.parse_spec(data)
        except protocol.BadRequest as exc:
            raise ValueError(f"render {render_id}: the stored spec is damaged ({exc})") from None
        spec["created_at"] = data.get("created_at")
        self._specs[render_id] = spec
        return spec

    def status(self, render_id: str) -> Status:
        spec = self.load_spec(render_id)  # UnknownRender if there is no such render
        with _LOCK:
            settled = self._settled(render_id, spec)
            if settled is not None:
                return settled
            render = _ACTIVE.get(self.video_path(render_id))
            if render is not None:
                state = "queued" if render.progress is None else "running"
                return Status(state=state, spec=spec, progress=render.progress)
            beat = self._beat(render_id)
            if beat is not None:  # another process is rendering it right now
                progress = beat.get("progress")
                state = "queued" if progress is None else "running"
                return Status(state=state, spec=spec, progress=progress)
            # Nobody is rendering it: its process died. Render again (free, deterministic).
            self._sweep(render_id)
            self._start_locked(render_id, spec)
            return Status(state="queued", spec=spec, progress=0.0, restarted=True)

    def cancel(self, render_id: str) -> Status:
        spec = self.load_spec(render_id)
        with _LOCK:
            settled = self._settled(render_id, spec)
            if settled is not None:
                return settled
            error = {"code": "cancelled", "message": "cancelled by the user"}
            _write_json(self.error_path(render_id), error)
            render = _ACTIVE.get(self.video_path(render_id))
            if render is not None:
                render.cancel.set()
            return Status(state="failed", spec=spec, error=error)

    def is_active(self, render_id: str) -> bool:
        with _LOCK:
            return self.video_path(render_id) in _ACTIVE

    def wait(self, render_id: str, timeout: float = 60.0) -> None:
        """Block until this process's render of ``render_id`` ends (for tests and tools)."""
        with _LOCK:
            render = _ACTIVE.get(self.video_path(render_id))
        if render is not None and render.thread is not None:
            render.thread.join(timeout)

    # --- internals -------------------------------------------------------------------------

    def _settled(self, render_id: str, spec: Mapping[str, Any]) -> Status | None:
        error = _read_json(self.error_path(render_id))
        if error is not None:
            return Status(state="failed", spec=spec, error=error)
        if self.video_path(render_id).exists():
            return Status(state="succeeded", spec=spec, progress=1.0)
        return None

    def _sweep(self, render_id: str) -> None:
        """Remove half-written videos a dead renderer left (a live one keeps its file fresh)."""
        for part in self.directory.glob(f".{render_id}.mp4.*.part"):
            with contextlib.suppress(OSError):  # gone already, or not ours to remove
                if time.time() - part.stat().st_mtime > BEAT_STALE:
                    part.unlink()

    def _beat(self, render_id: str) -> dict[str, Any] | None:
        beat = _read_json(self.beat_path(render_id))
        if beat is None or beat.get("pid") == os.getpid():
            # Our own heartbeat with no thread here is a leftover of a render that ended.
            return None
        try:
            age = time.time() - float(beat.get("time", 0))
        except (TypeError, ValueError):
            return None
        return beat if 0 <= age <= BEAT_STALE else None

    def _start(self, render_id: str, spec: Mapping[str, Any]) -> None:
        with _LOCK:
            self._start_locked(render_id, spec)

    def _start_locked(self, render_id: str, spec: Mapping[str, Any]) -> None:
        key = self.video_path(render_id)
        if key in _ACTIVE:
            return
        render = _Render(id=render_id)
        render.thread = threading.Thread(
            target=self._run,
            args=(render, dict(spec)),
            name=f"reelkit-local-{render_id}",
            daemon=True,
        )
        _ACTIVE[key] = render
        render.thread.start()

    def _run(self, render: _Render, spec: dict[str, Any]) -> None:
        from .render import render_mp4

        beat = _Heartbeat(self, render)
        try:
            beat(None, force=True)
            while not _SLOTS.acquire(timeout=BEAT_EVERY):
                beat(None)
            try:
                render.progress = 0.0
                render_mp4(self.video_path(render.id), protocol.render_spec(spec), beat)
            finally:
                _SLOTS.release()
        except RenderCancelled:
            pass  # the cancel already wrote the error file
        except Exception as exc:
            # A spec that passed validation but cannot render (e.g. an image Pillow decodes
            # only partly): a terminal failure, recorded so no process retries it forever.
            error = {"code": "render_failed", "message": f"{type(exc).__name__}: {exc}"}
            # If the state directory was deleted under us, nobody is left to ask.
            with contextlib.suppress(OSError):
                _write_json(self.error_path(render.id), error)
        finally:
            with _LOCK:
                _ACTIVE.pop(self.video_path(render.id), None)
            with contextlib.suppress(OSError):
                self.beat_path(render.id).unlink(missing_ok=True)


class _Heartbeat:
    """The render's progress callback: records progress, beats, and notices cancellation."""

    def __init__(self, store: RenderStore, render: _Render) -> None:
        self.store, self.render = store, render
        self.last = 0.0

    def __call__(self, progress: float | None, *, force: bool = False) -> None:
        if progress is not None:
            self.render.progress = progress
        if self.render.cancel.is_set():
            raise RenderCancelled
        now = time.monotonic()
        if not force and now - self.last < BEAT_EVERY:
            return
        self.last = now
        # A cancel from another process arrives as the error file.
        if self.store.error_path(self.render.id).exists():
            raise RenderCancelled
        beat = {"pid": os.getpid(), "time": time.time(), "progress": self.render.progress}
        _write_json(self.store.beat_path(self.render.id), beat)


def _write_json(path: Path, value: Any) -> None:
    """Write atomically: a reader (or a crash) never sees half a file."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_text(json.dumps(value, separators=(",", ":")), "utf-8")
    os.replace(tmp, path)


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    return data if isinstance(data, dict) else None
