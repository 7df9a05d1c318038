"""Where a submitted job goes: the seam between the HTTP front and whatever runs jobs.

``Dispatcher`` is what the gateway needs: submit a request (returning the journal record at
once) and follow a job to its end. ``InProcess`` does both in this process with one
``reelkit.AsyncClient``: the submit is sent before the response (the provider's task id is in
the journal), then a background task polls and downloads. A worker deployment replaces it with
a dispatcher that records the job without submitting and enqueues it for a worker process
(``contrib/worker``); the routes do not change, since every answer is read from the journal.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any, Protocol

from reelkit import AsyncClient
from reelkit.errors import ReelkitError
from reelkit.journal import JobRecord

log = logging.getLogger("reelkit_gateway")


class Dispatcher(Protocol):
    async def submit(self, prompt: str, options: Mapping[str, Any]) -> JobRecord:
        """Start a job; return its journal record as soon as it is recorded (and submitted,
        in process). Raises ``ReelkitError`` when nothing was started."""
        ...

    def following(self, job_id: str) -> bool:
        """Is this process following the job (polling it to its end)?"""
        ...

    async def follow(self, job_id: str) -> None:
        """Follow a job nobody follows (its replica died): poll on, never resubmit."""
        ...

    async def close(self) -> None: ...


class InProcess:
    """Submit and follow with this process's ``AsyncClient``."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client
        self._tasks: dict[str, asyncio.Task[None]] = {}

    async def submit(self, prompt: str, options: Mapping[str, Any]) -> JobRecord:
        job = await self._client.submit(prompt, **options)
        if not job.record.state.terminal:
            self._start(job.id)
        return job.record

    def following(self, job_id: str) -> bool:
        task = self._tasks.get(job_id)
        return task is not None and not task.done()

    async def follow(self, job_id: str) -> None:
        if not self.following(job_id):
            self._start(job_id)

    def _start(self, job_id: str) -> None:
        task = asyncio.get_running_loop().create_task(self._follow(job_id))
        self._tasks[job_id] = task
        task.add_done_callback(lambda _: self._tasks.pop(job_id, None))

    async def _follow(self, job_id: str) -> None:
        try:
            job = await self._client.resume(job_id)
            await job.wait()
        except ReelkitError as exc:  # recorded in the journal: GET shows it as failed
            log.info("job %s ended: %s", job_id, exc)
        except Exception:
            log.exception("following job %s failed", job_id)

    async def close(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()  # the journal keeps each job: another replica (or restart) resumes it
        await asyncio.gather(*tasks, return_exceptions=True)
