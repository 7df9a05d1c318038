"""Downloads: follow redirects (credentials stay with the provider's origin), stream to a
temporary file, verify, retry what can be fetched whole on another attempt, rename into place."""

from __future__ import annotations

import functools
import logging
import time
from pathlib import Path
from typing import Any

import httpx

from reelkit import redact, retry
from reelkit.effects import Fetch, Fetched, Flow, Offload, Sleep
from reelkit.errors import DownloadFailed, NetworkError, OutputError
from reelkit.journal import JobRecord
from reelkit.models import Credentials, JobState, ProviderConfig
from reelkit.plugins import RegisteredProvider

from . import files
from .base import EngineBase, with_timeout

log = logging.getLogger("reelkit")
MAX_REDIRECTS = 5
DOWNLOAD_ATTEMPTS = 3
_FETCHABLE = ("http", "https")


def partial_prefix(job_id: str) -> str:
    return f".reelkit-{job_id}-"


class Downloads(EngineBase):
    def _download(
        self,
        record: JobRecord,
        provider: RegisteredProvider,
        config: ProviderConfig,
        *,
        sweep: bool = True,
    ) -> Flow[JobRecord]:
        name = provider.info.name
        asset = record.video
        assert asset is not None and record.handle is not None
        dest = (
            Path(record.output)
            if record.output
            else files.target(None, default_name=f"{record.id}.mp4")
        )
        if sweep:  # a download killed midway (kill -9) left a .part file: this job's to remove
            yield Offload(
                functools.partial(files.remove_partials, dest.parent, partial_prefix(record.id))
            )
        # A video that came inline (an RFC 2397 data: URL: Vertex without a bucket) is written
        # out and verified like a download; there is no request to make (nor could httpx hold
        # a URL that long).
        inline = asset.url.startswith("data:")
        first = (
            httpx.Request("GET", "data:inline")
            if inline
            else self.host.call(
                name, "reelkit_download_request", job=record.handle, asset=asset, config=config
            )
        )
        credentials = self.settings.credentials(provider.info) or Credentials()
        auth = self._auth(provider, config, credentials)
        self._emit("downloading", record)
        attempt = 0
        while True:
            attempt += 1
            try:
                if inline:
                    fetched = yield from self._write_inline(record, asset.url, dest)
                else:
                    fetched = yield from self._fetch_following(
                        record, name, first, auth, config, dest, provider.info.signed_origins
                    )
                # One trip to a worker thread: verify, rename, record (the loop waits on none).
                placed, record = yield Offload(
                    functools.partial(self._place, fetched, dest, record)
                )
            except (DownloadFailed, NetworkError) as exc:
                if not exc.retryable or attempt >= DOWNLOAD_ATTEMPTS:
                    if isinstance(exc, NetworkError):
                        raise DownloadFailed(
                            f"job {record.id}: fetching the video failed: {exc}; the job is kept: "
                            f"`reelkit jobs download {record.id}` tries again",
                            job_id=record.id,
                            retryable=exc.retryable,
                        ) from None
                    raise
                wait = retry.EXCHANGE.wait(attempt)
                why = str(exc).removeprefix(f"job {record.id}: ")  # the line names the job
                self._emit(
                    "retry",
                    record,
                    f"download failed ({why}); downloading again in {wait:.1f} s "
                    f"(attempt {attempt + 1} of {DOWNLOAD_ATTEMPTS})",
                )
                yield Sleep(wait)
                continue
            break
        for field, asked, got in placed.mismatches:
            log.warning(
                "job %s: %s delivered %s, asked %s", record.id, field, _show(got), _show(asked)
            )
        self._emit("downloaded", record, str(placed.path), data={"bytes": placed.size})
        return record

    def _place(
        self, fetched: Fetched, dest: Path, record: JobRecord
    ) -> tuple[files.Placed, JobRecord]:
        placed = files.verify_and_place(
            fetched, dest, job_id=record.id, requested=_requested(record)
        )
        metadata = dict(record.metadata)
        if placed.delivered is not None:
            metadata["delivered"] = dict(placed.delivered)
        record = self.journal.update(
            record, state=JobState.DOWNLOADED, path=str(placed.path), metadata=metadata
        )
        self._ended(record)
        return placed, record

    def _write_inline(self, record: JobRecord, url: str, dest: Path) -> Flow[Fetched]:
        fetched: Fetched = yield Offload(
            functools.partial(files.from_data_url, url, dest.parent, partial_prefix(record.id))
        )
        if fetched.temp_path is None:
            raise self._http_failure(record, fetched)
        return fetched

    def _fetch_following(
        self,
        record: JobRecord,
        name: str,
        request: httpx.Request,
        auth: httpx.Auth | None,
        config: ProviderConfig,
        dest: Path,
        signed_origins: tuple[str, ...] = (),
    ) -> Flow[Fetched]:
        # http(s), or the scheme of the provider's own endpoint (``local`` renders in-process).
        fetchable = {*_FETCHABLE, httpx.URL(config.base_url).scheme if config.base_url else "http"}
        for _ in range(MAX_REDIRECTS + 1):
            if request.url.scheme not in fetchable:
                raise DownloadFailed(
                    f"job {record.id}: the video URL uses the scheme {request.url.scheme!r}; "
                    "reelkit only fetches http and https",
                    job_id=record.id,
                )
            own = any(
                _same_origin(request.url, base) for base in (config.base_url, *signed_origins)
            )
            if not own:  # credentials only ever go to the provider's own origin
                request = _without_secrets(request)
            fetched = yield from self._fetch_once(
                name, with_timeout(request, config), auth if own else None, dest, record.id
            )
            if fetched.location is not None:
                request = httpx.Request(
                    "GET", request.url.join(fetched.location), headers=_hop_headers(request)
                )
                continue
            if fetched.temp_path is None:
                raise self._http_failure(record, fetched)
            return fetched
        raise DownloadFailed(
            f"job {record.id}: more than {MAX_REDIRECTS} redirects fetching the video",
            job_id=record.id,
        )

    def _fetch_once(
        self,
        name: str,
        request: httpx.Request,
        auth: httpx.Auth | None,
        dest: Path,
        job_id: str,
    ) -> Flow[Fetched]:
        try:
            fetched: Fetched = yield Fetch(name, request, auth, dest.parent, partial_prefix(job_id))
        except httpx.TransportError as exc:
            where = redact.redact_url(str(request.url))
            retryable = not isinstance(exc, httpx.UnsupportedProtocol)
            raise NetworkError(
                f"{where}: {type(exc).__name__}: {str(exc) or 'connection failed'}",
                provider=name,
                retryable=retryable,
            ) from None
        except OSError as exc:  # the disk, not the network: fetching again will not help
            raise OutputError(
                f"job {job_id}: cannot write the video into {dest.parent}: {exc.strerror or exc}; "
                f"free space, then `reelkit jobs download {job_id}`",
                path=str(dest),
                job_id=job_id,
            ) from None
        return fetched

    def _http_failure(self, record: JobRecord, fetched: Fetched) -> DownloadFailed:
        asset = record.video
        expired = (
            asset is not None
            and asset.expires_at is not None
            and asset.expires_at.timestamp() < time.time()
        )
        hint = (
            f" (the URL expired at {asset.expires_at.isoformat()})"
            if expired and asset is not None and asset.expires_at
            else ""
        )
        body = redact.scrub(fetched.snippet)[:200].strip()
        return DownloadFailed(
            f"job {record.id}: HTTP {fetched.status} fetching the video{hint}"
            + (f": {body}" if body else ""),
            job_id=record.id,
            retryable=fetched.status in retry.RETRY_STATUSES and not expired,
        )


def _requested(record: JobRecord) -> dict[str, Any]:
    r = record.request
    # An extension's duration is the length it adds (or fixed by the provider) and a remix
    # keeps its source's: the file is longer or other by design, not a miss worth a warning.
    duration = None if record.mode in ("extend", "remix") else r.duration
    return {"duration": duration, "size": r.size, "fps": r.fps, "audio": r.audio}


def _show(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _same_origin(url: httpx.URL, base: str) -> bool:
    if not base:
        return False
    other = httpx.URL(base)
    return (url.scheme, url.host, url.port) == (other.scheme, other.host, other.port)


def _hop_headers(request: httpx.Request) -> dict[str, str]:
    # The next hop names its own host; a copied Host header would address the old one.
    return {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}


def _without_secrets(request: httpx.Request) -> httpx.Request:
    headers = {
        k: v for k, v in _hop_headers(request).items() if k.lower() not in redact.SECRET_HEADERS
    }
    return httpx.Request(request.method, request.url, headers=headers)
