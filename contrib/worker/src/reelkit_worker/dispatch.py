"""The gateway's worker mode: a ``reelkit_gateway.dispatch.Dispatcher`` whose jobs the queue runs.

``reelkit serve`` submits and follows in its own process by default (``InProcess``). Handed a
``WorkerDispatcher``, it records and enqueues instead, and ``reelkit worker`` processes submit,
poll and download; every answer the gateway gives is still read from the journal. Structural:
nothing here imports the gateway.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .service import close_queues, enqueue, schedule_now

if TYPE_CHECKING:
    from reelkit import AsyncClient
    from reelkit.journal import JobRecord


class WorkerDispatcher:
    """Record and enqueue (``submit``); the workers follow every job (``following``)."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def submit(self, prompt: str, options: Mapping[str, Any]) -> JobRecord:
        job_id = await enqueue(self._client, prompt, **options)
        return await asyncio.to_thread(self._client.journal.get, job_id)

    def following(self, job_id: str) -> bool:
        return True  # a job in the journal has its step in the queue

    async def follow(self, job_id: str) -> None:
        await schedule_now(self._client, job_id)  # e.g. its chain ended: look again now

    async def close(self) -> None:
        await close_queues()
