"""The Starlette app: OpenAI's ``/v1/videos`` routes over one ``reelkit.AsyncClient``.

Every answer about a job is read from the journal, so any replica sharing the journal
(PostgreSQL) answers for any job. The replica that took a submit follows the job (poll,
download); a job nobody has advanced for ``adopt_after`` seconds (its replica died) is picked
up by the next replica asked about it, which polls on and never resubmits.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio.to_thread
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from reelkit import AsyncClient, redact, spending
from reelkit.budget import Budget
from reelkit.errors import BudgetExceeded, InvalidRequest, ReelkitError, SubmitOutcomeUnknown
from reelkit.journal import JobRecord
from reelkit.models import JobState

from . import requests, wire
from .dispatch import Dispatcher, InProcess
from .keys import CallerKey, Keys
from .metrics import Metrics

log = logging.getLogger("reelkit_gateway")
redact.install_log_filter(log)

ANONYMOUS = CallerKey(name="anonymous", digest="")  # --no-auth: every caller is this one
POLL_AFTER_MS = 1000  # the SDK's create_and_poll sleeps this long between polls
MAX_LIMIT = 100
MAX_FIELD_BYTES = 16 * 1024 * 1024  # a form field (a data: URL image); Starlette's default is 1 MiB


class Gateway:
    """What the routes share. ``dispatcher`` defaults to in-process submitting and following."""

    def __init__(
        self,
        client: AsyncClient,
        keys: Keys,
        *,
        output_dir: Path,
        dispatcher: Dispatcher | None = None,
        auth: bool = True,
        allow_unpriced: bool = False,
        adopt_after: float = 60.0,
    ) -> None:
        self.client = client
        self.keys = keys
        self.output_dir = output_dir
        self.dispatcher: Dispatcher = dispatcher or InProcess(client)
        self.auth = auth
        self.allow_unpriced = allow_unpriced
        self.adopt_after = adopt_after
        self.metrics = Metrics(lambda: client.journal.costs())
        self.providers: dict[str, str] = {}
        for provider in client.host.all_providers():
            for name in provider.info.names():
                self.providers[name] = provider.info.name

    # --- callers ---------------------------------------------------------------------------

    def caller(self, request: Request) -> CallerKey:
        if not self.auth:
            return ANONYMOUS
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise wire.unauthorized(
                "You didn't provide an API key. Send it as 'Authorization: Bearer KEY'."
            )
        key = self.keys.find(token.strip())
        if key is None:
            raise wire.unauthorized("Incorrect API key provided.")
        return key

    async def record(self, key: CallerKey, video_id: str) -> JobRecord:
        """The caller's job: another caller's is as absent as a job that does not exist."""
        found = await anyio.to_thread.run_sync(self.client.journal.find, video_id)
        if found is None or found.id != video_id or found.caller != key.name:
            raise wire.not_found(video_id)
        if found.metadata.get("deleted_at"):
            raise wire.not_found(video_id)
        return found

    # --- submitting ------------------------------------------------------------------------

    async def submit(self, key: CallerKey, prompt: str, options: dict[str, Any]) -> JobRecord:
        options = {**options, "caller": key.name, "output": str(self.output_dir)}
        if self.allow_unpriced:
            options["allow_unpriced"] = True
        provider = options.get("provider")
        if key.providers:
            if provider is None and options.get("model") is None:
                options["provider"] = provider = key.providers[0]  # auto-select among its own
            chosen = self.providers.get(str(provider)) if provider is not None else None
            if chosen is None:  # a bare model: the plan says whose it is
                plan = await anyio.to_thread.run_sync(lambda: self.client.plan(prompt, **options))
                chosen = plan.provider
            if not key.allows(chosen):
                raise wire.ApiError(
                    403,
                    f"this key may not use provider {chosen}",
                    type="permission_error",
                    param="model",
                    code="provider_not_allowed",
                )
        limit = await self._remaining(key, options.get("max_cost"))
        if limit is not None:
            options["max_cost"] = limit
        started = time.perf_counter()
        try:
            record = await self.dispatcher.submit(prompt, options)
        except BudgetExceeded as exc:
            if key.budget is not None:
                raise wire.ApiError(
                    402,
                    f"key {key.name}: {exc} (the key's budget is {key.budget.describe()}"
                    f"{' per ' + key.period if key.period else ''})",
                    type="insufficient_quota",
                    code="budget_exceeded",
                ) from exc
            raise
        except SubmitOutcomeUnknown as exc:
            if exc.job_id is None:
                raise
            # The job is in the journal as unknown: answer with it (failed), so no client retries.
            record = await anyio.to_thread.run_sync(self.client.journal.get, exc.job_id)
        self.metrics.submit_seconds.labels(record.provider).observe(time.perf_counter() - started)
        self.metrics.submitted.labels(record.provider).inc()
        return record

    async def _remaining(self, key: CallerKey, given: Any) -> Budget | None:
        """The tighter of the caller's ``max_cost`` and what is left of the key's budget."""
        asked = Budget.parse(given) if given is not None else None
        if key.budget is None:
            return asked
        budget = key.budget

        def spent() -> float:
            rows = self.client.journal.costs(since=key.since(), caller=key.name)
            report = spending.summarise(
                rows, currency=budget.currency, rates=self.client.settings.exchange_rates()
            )
            return float(report["estimated"])

        left = Budget(
            max(0.0, budget.amount - await anyio.to_thread.run_sync(spent)), budget.currency
        )
        if asked is not None and asked.currency == left.currency and asked.amount < left.amount:
            return asked
        return left


# --- routes ---------------------------------------------------------------------------------

Handler = Callable[[Gateway, Request, CallerKey], Awaitable[Response]]


async def create_video(gw: Gateway, request: Request, key: CallerKey) -> Response:
    fields, files = await _body(request)
    prompt, options = requests.options(fields, files, providers=gw.providers)
    record = await gw.submit(key, prompt, options)
    return _video_response(record)


async def remix_video(gw: Gateway, request: Request, key: CallerKey) -> Response:
    source = await gw.record(key, request.path_params["video_id"])
    fields, files = await _body(request)
    for name in ("model", "seconds", "size", "input_reference"):
        if name in fields or name in files:
            raise InvalidRequest(name, "a remix keeps its source's model and settings",
                                 allowed=("prompt", *requests.EXTRA))  # fmt: skip
    prompt, options = requests.options(fields, files, providers=gw.providers)
    options.setdefault("provider", source.provider)
    options["remix_of"] = source.id
    record = await gw.submit(key, prompt, options)
    return _video_response(record, remixed_from=source.id)


async def retrieve_video(gw: Gateway, request: Request, key: CallerKey) -> Response:
    started = time.perf_counter()
    record = await gw.record(key, request.path_params["video_id"])
    if _orphaned(gw, record):
        await gw.dispatcher.follow(record.id)
    gw.metrics.poll_seconds.observe(time.perf_counter() - started)
    return _video_response(record)


async def list_videos(gw: Gateway, request: Request, key: CallerKey) -> Response:
    query = request.query_params
    order = query.get("order", "desc")
    if order not in ("asc", "desc"):
        raise InvalidRequest("order", f"{order!r} is not an order", allowed=("asc", "desc"))
    try:
        limit = int(query.get("limit", "20"))
    except ValueError:
        raise InvalidRequest("limit", "is not an integer", allowed=f"1..{MAX_LIMIT}") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidRequest("limit", f"{limit} is out of range", allowed=f"1..{MAX_LIMIT}")
    records = await anyio.to_thread.run_sync(lambda: gw.client.journal.list(caller=key.name))
    records = [r for r in records if not r.metadata.get("deleted_at")]
    if order == "asc":
        records.reverse()
    after = query.get("after")
    if after:
        ids = [r.id for r in records]
        if after not in ids:
            raise InvalidRequest("after", f"{after!r} is not one of your videos")
        records = records[ids.index(after) + 1 :]
    page = records[:limit]
    data = [wire.video(r) for r in page]
    return JSONResponse(
        {
            "object": "list",
            "data": data,
            "first_id": data[0]["id"] if data else None,
            "last_id": data[-1]["id"] if data else None,
            "has_more": len(records) > limit,
        }
    )


async def delete_video(gw: Gateway, request: Request, key: CallerKey) -> Response:
    record = await gw.record(key, request.path_params["video_id"])
    if record.state.pollable:
        with contextlib.suppress(ReelkitError):  # not every provider can cancel
            record = (await (await gw.client.resume(record.id)).cancel()).record
    if record.path:
        with contextlib.suppress(OSError):
            Path(record.path).unlink(missing_ok=True)
    # The row stays (what it cost still counts against the key's budget); the video is gone.
    metadata = {**record.metadata, "deleted_at": time.time()}
    await anyio.to_thread.run_sync(lambda: gw.client.journal.update(record, metadata=metadata))
    return JSONResponse({"id": record.id, "object": "video.deleted", "deleted": True})


async def download_content(gw: Gateway, request: Request, key: CallerKey) -> Response:
    record = await gw.record(key, request.path_params["video_id"])
    variant = request.query_params.get("variant", "video")
    if variant != "video":
        raise InvalidRequest(
            "variant", f"{variant!r} is not served by this gateway", allowed=("video",)
        )
    path = Path(record.path) if record.path else None
    if record.state is JobState.DOWNLOADED and path is not None and path.is_file():
        return FileResponse(path, media_type="video/mp4")
    if record.state in (JobState.DOWNLOADED, JobState.SUCCEEDED) and not gw.dispatcher.following(
        record.id
    ):
        # Finished, but not on this replica's disk: fetch it here (the result URL, not a resubmit).
        job = await gw.client.resume(record.id)
        result = await job.download(gw.output_dir)
        if result.path is not None and Path(result.path).is_file():
            return FileResponse(result.path, media_type="video/mp4")
    raise wire.ApiError(
        400,
        f"video {record.id} is not ready (status {wire.STATUS[record.state]})",
        param="video_id",
        code="video_not_ready",
    )


def _orphaned(gw: Gateway, record: JobRecord) -> bool:
    if not (record.state.pollable or record.state is JobState.SUCCEEDED):
        return False
    if gw.dispatcher.following(record.id):
        return False
    return time.time() - record.updated_at > gw.adopt_after


def _video_response(record: JobRecord, *, remixed_from: str | None = None) -> Response:
    body = wire.video(record, remixed_from=remixed_from)
    headers = {"openai-poll-after-ms": str(POLL_AFTER_MS)}
    if record.adjustments:
        # Clamping, reported: also in the body's "reelkit" object; a header for plain clients.
        headers["x-reelkit-adjustments"] = json.dumps(
            [a.to_dict() for a in record.adjustments], ensure_ascii=True, default=str
        )
    return JSONResponse(body, headers=headers)


async def _body(request: Request) -> tuple[dict[str, Any], dict[str, bytes]]:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        try:
            form = await request.form(max_part_size=MAX_FIELD_BYTES)
        except Exception as exc:  # python-multipart raises several types on bad bodies
            raise InvalidRequest("body", f"is not a valid form ({exc})") from None
        items: list[tuple[str, Any]] = []
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                items.append((name, await value.read()))
            else:
                items.append((name, value))
        return requests.from_form(items)
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        raise InvalidRequest(
            "body", "is not JSON", allowed="a JSON object or a multipart form"
        ) from None
    if not isinstance(body, dict):
        raise InvalidRequest("body", "must be a JSON object")
    return body, {}


# --- the app --------------------------------------------------------------------------------


def _route(
    gw_of: Callable[[], Gateway], name: str, handler: Handler
) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        gw = gw_of()
        try:
            key = gw.caller(request)
            response = await handler(gw, request, key)
        except wire.ApiError as exc:
            response = JSONResponse(exc.body, status_code=exc.status)
        except ReelkitError as exc:
            error = wire.from_reelkit(exc)
            response = JSONResponse(error.body, status_code=error.status)
        except Exception:
            log.exception("%s %s failed", request.method, name)
            error = wire.ApiError(500, "internal error", type="server_error", code="internal_error")
            response = JSONResponse(error.body, status_code=500)
        gw.metrics.requests.labels(name, request.method, str(response.status_code)).inc()
        return response

    return endpoint


def create_app(make: Callable[[], Awaitable[Gateway]]) -> Starlette:
    """The app; ``make`` builds the ``Gateway`` inside the server's event loop, at startup."""
    holder: dict[str, Gateway] = {}

    def gw() -> Gateway:
        return holder["gw"]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        gateway = await make()
        holder["gw"] = gateway
        # What ended while no process could deliver it (or before a restart) is sent now.
        await anyio.to_thread.run_sync(lambda: gateway.client.deliver_webhooks(keep_running=True))
        try:
            yield
        finally:
            await gateway.dispatcher.close()
            await gateway.client.aclose()

    async def healthz(request: Request) -> Response:
        gateway = gw()
        try:
            await anyio.to_thread.run_sync(lambda: gateway.client.journal.list(limit=1))
        except ReelkitError as exc:
            return JSONResponse({"status": "error", "journal": str(exc)}, status_code=503)
        return JSONResponse({"status": "ok", "providers": sorted(set(gateway.providers.values()))})

    async def metrics(request: Request) -> Response:
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        text = await anyio.to_thread.run_sync(generate_latest, gw().metrics.registry)
        return PlainTextResponse(text, media_type=CONTENT_TYPE_LATEST)

    async def webhook(request: Request) -> Response:
        # Providers calling back (reelkit.callbacks): no caller key, the per-job token in the
        # URL is the check. An unknown job and a bad token get the same 404.
        from reelkit import callbacks

        gateway = gw()
        try:
            handled = await callbacks.handle(
                gateway.client,
                request.path_params["provider"],
                query=dict(request.query_params),
                headers={k.lower(): v for k, v in request.headers.items()},
                body=await request.body(),
                schedule=gateway.dispatcher.follow,
            )
        except callbacks.Unauthorized:
            return JSONResponse({"error": "not found"}, status_code=404)
        except ReelkitError as exc:
            return JSONResponse({"error": type(exc).__name__}, status_code=400)
        return JSONResponse({"job_id": handled.job_id, "state": handled.state})

    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/webhooks/{provider}", webhook, methods=["POST"]),
        Route("/metrics", metrics, methods=["GET"]),
        Route("/v1/videos", _route(gw, "create", create_video), methods=["POST"]),
        Route("/v1/videos", _route(gw, "list", list_videos), methods=["GET"]),
        Route("/v1/videos/{video_id}", _route(gw, "retrieve", retrieve_video), methods=["GET"]),
        Route("/v1/videos/{video_id}", _route(gw, "delete", delete_video), methods=["DELETE"]),
        Route(
            "/v1/videos/{video_id}/content",
            _route(gw, "content", download_content),
            methods=["GET"],
        ),
        Route("/v1/videos/{video_id}/remix", _route(gw, "remix", remix_video), methods=["POST"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)
