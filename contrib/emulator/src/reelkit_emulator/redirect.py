"""Downloads that redirect to another host, with a log of what credentials arrived there.

Some services answer an authenticated download with a ``302`` to a storage host that needs no
key (Veo's ``files/{id}:download``, reference ``docs/reference/veo-grok.md`` §1.5). A client
must not forward its key to that other host, and must not keep the first request's ``Host``
header. The emulator makes "another host" real on loopback: the redirect goes to the *other*
loopback name on the same port (``127.0.0.1`` <-> ``localhost``), whose target answers 404
unless the ``Host`` header names it, and records which credentials reached it. ``GET
/<fake>/_emulator/downloads`` serves the log (``redirects``, ``served``, ``key_forwarded`` and
the events), so a client's tests can prove its key stays home.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from .errors import ApiError
from .responses import json_response
from .tasks import Task

if TYPE_CHECKING:
    from .provider import Handler, ProviderContext

#: Where a redirect lands, relative to the fake's prefix.
PATH = "/_download/{task_id}/{file_id}.mp4"
LOG_PATH = "/_emulator/downloads"


def swap_loopback_host(netloc: str) -> str:
    """``127.0.0.1:8765`` <-> ``localhost:8765``: the same server under another host name."""
    host, sep, port = netloc.rpartition(":")
    if not sep:
        host, port = netloc, ""
    other = "localhost" if host in ("127.0.0.1", "[::1]") else "127.0.0.1"
    return f"{other}:{port}" if port else other


def _log(task: Task) -> dict[str, Any]:
    log: dict[str, Any] = task.extra.setdefault(
        "download_log", {"redirects": 0, "served": 0, "key_forwarded": 0, "events": []}
    )
    return log


def redirect(
    request: Request, ctx: ProviderContext, task: Task, file_id: str, ttl: float
) -> Response:
    """A ``302`` to this file on the other loopback host, by a link signed for ``ttl`` seconds."""
    netloc = swap_loopback_host(request.url.netloc)
    root = request.scope.get("root_path", "").rstrip("/")
    path = ctx.prefix + PATH.format(task_id=task.id, file_id=file_id)
    link = ctx.signer.sign(f"{request.url.scheme}://{netloc}{root}", path, int(ctx.now() + ttl))
    log = _log(task)
    log["redirects"] += 1
    log["events"].append({"event": "redirect", "from": request.url.netloc, "to": netloc})
    return RedirectResponse(link.url, status_code=302)


def target(
    *,
    files: Callable[[Task], list[str]],
    credentials: tuple[tuple[str, str], ...] = (("header", "authorization"),),
    invalid: ApiError,
    not_found: Callable[[str], ApiError],
) -> Handler:
    """The redirect target's handler: serves the bytes without a key, records whether one of
    the service's ``credentials`` (``("header" | "query", name)`` pairs) arrived anyway."""

    async def serve(request: Request, ctx: ProviderContext) -> Response:
        task = ctx.store.get(request.path_params["task_id"])
        root = request.scope.get("root_path", "").rstrip("/")
        problem = ctx.signer.check(
            request.url.path.removeprefix(root),
            request.query_params.get("e"),
            request.query_params.get("token"),
            ctx.now(),
        )
        if problem == "invalid":
            raise invalid.copy()
        if problem == "expired":
            raise ctx.fake.expired.copy()
        if task is None or request.path_params["file_id"] not in files(task):
            raise not_found("The requested file was not found.")
        log = _log(task)
        expected = {e["to"] for e in log["events"] if e["event"] == "redirect"}
        host = request.url.netloc
        if host not in expected:
            # Another host name is another server: a request that still carries the API host's
            # ``Host`` header (e.g. headers copied from the first request) would not reach it.
            log["events"].append(
                {"event": "wrong_host", "host": host, "expected": sorted(expected)}
            )
            pointed = " or ".join(sorted(expected)) or "another host"
            raise not_found(
                f"Host {host!r} does not serve this file; the redirect pointed to {pointed} "
                "(check the Host header)."
            )
        sent = {"header": request.headers, "query": request.query_params}
        via = [name for where, name in credentials if name in sent[where]]
        log["served"] += 1
        log["key_forwarded"] += bool(via)
        log["events"].append({"event": "served", "host": host, "credentials": via})
        return await ctx.video_response(task)

    return serve


async def download_log(request: Request, ctx: ProviderContext) -> Response:
    """What every redirect target saw, oldest first (for client tests)."""
    totals = {"redirects": 0, "served": 0, "key_forwarded": 0}
    events: list[dict[str, Any]] = []
    for task in reversed(list(ctx.store)):
        log = task.extra.get("download_log")
        if log:
            for k in totals:
                totals[k] += log[k]
            events.extend({"operation": task.id, **e} for e in log["events"])
    return json_response({**totals, "events": events})
