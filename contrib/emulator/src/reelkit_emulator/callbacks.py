"""Calling a client back: a fake whose service POSTs to a callback URL when a task is done.

The task finishes on its own ``callback_after_s`` after the submit (as a real service finishes
whether or not it is polled), then its body is POSTed once; a failed POST is dropped, as a lost
callback would be: the client's polling is its fallback.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx

from .provider import ProviderContext
from .tasks import Task

# Kept referenced: a bare ensure_future may be collected before it runs.
_PENDING: set[asyncio.Future[None]] = set()


def call_back_later(
    ctx: ProviderContext, task_id: str, url: str, body: Callable[[Task], dict[str, Any]]
) -> None:
    """From a request handler: finish ``task_id`` later and POST ``body(task)`` to ``url``."""
    pending = asyncio.ensure_future(_call_back(ctx, task_id, url, body))
    _PENDING.add(pending)
    pending.add_done_callback(_PENDING.discard)


async def _call_back(
    ctx: ProviderContext, task_id: str, url: str, body: Callable[[Task], dict[str, Any]]
) -> None:
    await asyncio.sleep(ctx.config.callback_after_s)
    task = ctx.store.complete(task_id)
    if task is None:  # deleted meanwhile, or the emulator was reset
        return
    try:
        async with httpx.AsyncClient(timeout=10.0) as client:
            await client.post(url, json=body(task))
    except httpx.HTTPError:
        return
    ctx.stats.incr("callbacks")
