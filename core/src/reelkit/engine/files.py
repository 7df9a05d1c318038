"""Where videos go, and the blocking file work around them (run as ``Offload`` effects).

Targets are proven writable before a submit (nothing is paid for a file that cannot be saved);
a download becomes the target only after its bytes are verified, by one atomic rename.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from reelkit.effects import Fetched
from reelkit.errors import DownloadFailed, OutputError

MIN_FREE_BYTES = 16 << 20  # refuse a target whose disk has less room than a short clip needs
_VIDEO_TYPES = ("video/", "application/octet-stream", "binary/octet-stream", "application/mp4")
_ISO_SUFFIXES = (".mp4", ".mov", ".m4v")


def slug(text: str, limit: int = 48) -> str:
    value = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return value[:limit].rstrip("-") or "video"


def target(output: str | os.PathLike[str] | None, default_name: str) -> Path:
    """Where a download goes: ``-o`` as a file, or a directory to put it in; else ./videos/."""
    if output is None:
        return (Path.cwd() / "videos" / default_name).resolve()
    text = os.fspath(output)
    path = Path(text).expanduser()
    if path.is_dir() or text.endswith((os.sep, "/")):
        return (path / default_name).resolve()
    return path.resolve()


def writable_target(output: str | os.PathLike[str], default_name: str) -> Path:
    """Blocking: ``target`` proven writable (``prove_writable``)."""
    path = target(output, default_name)
    prove_writable(path)
    return path


def prove_writable(path: Path) -> None:
    """Create the target's folder and prove a file can be written there, or raise ``OutputError``."""
    shown = str(path)
    if path.is_dir():
        raise OutputError(f"output: {shown} is a directory, not a file name", path=shown)
    parent = path.parent
    for ancestor in (parent, *parent.parents):
        if ancestor.exists():
            if not ancestor.is_dir():
                raise OutputError(
                    f"output: cannot create {parent}: {ancestor} is a file, not a folder",
                    path=shown,
                )
            break
    try:
        parent.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".reelkit-probe-", dir=parent)
        os.close(fd)
        os.unlink(probe)
        free = shutil.disk_usage(parent).free
    except OSError as exc:
        raise OutputError(
            f"output: cannot write to {parent}: {exc.strerror or exc}", path=shown
        ) from None
    if free < MIN_FREE_BYTES:
        raise OutputError(
            f"output: only {free // 1024} KiB free on the disk of {parent}; a video needs more",
            path=shown,
        )


def remove_partials(directory: Path, prefix: str) -> int:
    """Remove a job's leftover ``.part`` files (a download killed midway); a file another
    download is still writing (it holds the file's lock) is left alone."""
    from reelkit.drivers import lock_partial

    removed = 0
    try:
        leftovers = list(directory.glob(f"{prefix}*.part"))
    except OSError:
        return 0
    for leftover in leftovers:
        try:
            fd = os.open(leftover, os.O_RDONLY)
        except OSError:
            continue
        try:
            if lock_partial(fd):
                leftover.unlink(missing_ok=True)
                removed += 1
        except OSError:
            pass
        finally:
            os.close(fd)
    return removed


def copy_unless_same(source: str | os.PathLike[str], dest: Path) -> bool:
    """Blocking: copy ``source`` to ``dest`` (resolved) unless both are the same file."""
    if Path(source).resolve() == dest:
        return False
    atomic_copy(Path(source), dest)
    return True


def copy_to(source: str | os.PathLike[str], output: str | os.PathLike[str]) -> Path | None:
    """Blocking: copy an existing video to ``-o`` (a file, or a folder keeping its name); the
    new path, or None when ``output`` already is that video."""
    dest = target(output, default_name=Path(source).name)
    return dest if copy_unless_same(source, dest) else None


def atomic_copy(source: Path, dest: Path) -> None:
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=".reelkit-copy-", suffix=".part", dir=dest.parent)
        os.close(fd)
        temp = Path(name)
        try:
            shutil.copyfile(source, temp)
            os.chmod(temp, 0o666 & ~_UMASK)
            os.replace(temp, dest)
        finally:
            temp.unlink(missing_ok=True)
    except OSError as exc:
        raise OutputError(
            f"output: cannot copy to {dest}: {exc.strerror or exc}", path=str(dest)
        ) from None


@attrs.frozen(kw_only=True)
class Placed:
    """A verified download, renamed into place, with what was read from the file."""

    path: Path
    size: int
    delivered: Mapping[str, Any] | None
    mismatches: tuple[tuple[str, Any, Any], ...] = ()


def verify_and_place(
    fetched: Fetched, dest: Path, *, job_id: str, requested: Mapping[str, Any]
) -> Placed:
    """Check the bytes that arrived, then rename them into place. Raises ``DownloadFailed``
    (``retryable`` when another attempt may fetch it whole) and removes the temporary file."""
    assert fetched.temp_path is not None
    temp = fetched.temp_path
    try:
        problem, retryable = _problem(fetched, dest)
        if problem:
            raise DownloadFailed(
                f"job {job_id}: downloaded file rejected: {problem}",
                job_id=job_id,
                retryable=retryable,
            )
        delivered = _probe(temp)
        mismatches: tuple[tuple[str, Any, Any], ...] = ()
        if delivered is not None:
            from reelkit.probe import compare

            mismatches = tuple(compare(dict(requested), delivered))
        try:
            os.chmod(temp, 0o666 & ~_UMASK)  # mkstemp made it private; the video is not
            os.replace(temp, dest)
        except OSError as exc:
            raise OutputError(
                f"job {job_id}: cannot save the video as {dest}: {exc.strerror or exc}",
                path=str(dest),
                job_id=job_id,
            ) from None
    finally:
        temp.unlink(missing_ok=True)
        if fetched.handle is not None:
            fetched.handle.close()  # releases the lock only now: renamed, or removed
    return Placed(
        path=dest,
        size=fetched.size,
        delivered=delivered.to_dict() if delivered is not None else None,
        mismatches=mismatches,
    )


def _problem(fetched: Fetched, dest: Path) -> tuple[str | None, bool]:
    assert fetched.temp_path is not None
    ctype = fetched.headers.get("content-type", "").split(";")[0].strip().lower()
    declared = fetched.headers.get("content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) != fetched.size:
        return f"received {fetched.size} bytes of the {int(declared)} announced", True
    if fetched.size == 0:
        return "the body is empty", True
    if ctype and not ctype.startswith(_VIDEO_TYPES):
        return f"the content type is {ctype}, not a video", False
    from reelkit.sniffing import check_iso_bmff

    with fetched.temp_path.open("rb") as f:
        head = f.read(12)
    if head[4:8] == b"ftyp":
        structure = check_iso_bmff(fetched.temp_path)
        if structure is not None:
            return f"the MP4 is damaged ({structure})", True
    elif dest.suffix.lower() in _ISO_SUFFIXES:
        return "the file is not an MP4 (no ftyp box)", False
    return None, False


def _probe(path: Path) -> Any:
    from reelkit.probe import probe

    return probe(path)


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _current_umask()  # read once, at import: os.umask can only be read by setting it


def from_data_url(url: str, directory: Path, prefix: str) -> Fetched:
    """Write an asset that came inline (an RFC 2397 ``data:`` URL, e.g. Vertex's base64 video)
    to a ``.part`` file, as if downloaded: the same verification and rename follow."""
    import base64
    import binascii

    import httpx

    from reelkit.drivers import _open_temp

    head, comma, payload = url.partition(",")
    mime = head.removeprefix("data:").split(";", 1)[0] or "application/octet-stream"
    try:
        data = base64.b64decode(payload, validate=True) if head.endswith(";base64") else b""
    except (binascii.Error, ValueError):
        data = b""
    if not comma or not data:
        return Fetched(
            status=422, headers=httpx.Headers(), snippet="an empty or malformed data: URL"
        )
    handle, path = _open_temp(directory, prefix)
    try:
        handle.write(data)
        handle.flush()
    except BaseException:
        handle.close()
        path.unlink(missing_ok=True)
        raise
    headers = httpx.Headers({"content-type": mime, "content-length": str(len(data))})
    return Fetched(status=200, headers=headers, temp_path=path, size=len(data), handle=handle)
