"""``/webhooks/{provider}`` as a Starlette route: the framework's part of ``reelkit.callbacks``.

A gateway mounts ``routes(client)``; every answer is plain, and an unknown job and a bad token
get the same 404 so that job ids cannot be probed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

if TYPE_CHECKING:
    from reelkit import AsyncClient


def routes(client: AsyncClient) -> list[Route]:
    from reelkit import callbacks
    from reelkit.errors import ReelkitError

    from .service import schedule_now

    async def webhook(request: Request) -> JSONResponse:
        async def schedule(job_id: str) -> None:
            await schedule_now(client, job_id)

        try:
            handled = await callbacks.handle(
                client,
                request.path_params["provider"],
                query=dict(request.query_params),
                headers={k.lower(): v for k, v in request.headers.items()},
                body=await request.body(),
                schedule=schedule,
            )
        except callbacks.Unauthorized:
            return JSONResponse({"error": "not found"}, status_code=404)
        except ReelkitError as exc:
            return JSONResponse({"error": type(exc).__name__}, status_code=400)
        return JSONResponse({"job_id": handled.job_id, "state": handled.state})

    return [Route("/webhooks/{provider}", webhook, methods=["POST"])]
