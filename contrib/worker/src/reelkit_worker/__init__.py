"""reelkit as a service: submit, poll and download as procrastinate tasks on the journal's
PostgreSQL (no other infrastructure), and provider webhooks in.

Run workers with ``reelkit worker [--concurrency N]`` (any number, on any hosts, one
``REELKIT_JOURNAL_URL=postgresql://...``). A gateway hands jobs to them with::

    async def enqueue(client: reelkit.AsyncClient, prompt: str, **generate_kwargs) -> str

which records the job ``client.generate(prompt, **generate_kwargs)`` would make (nothing sent,
an identical open or delivered job's id returned instead) and defers its first step, returning
the journal's job id; ``client.resume(job_id)`` or the journal then tell its progress. Media
must be http(s) URLs (the journal keeps no bytes for a worker to send). A webhook route calls::

    async def schedule_now(client: reelkit.AsyncClient, job_id: str) -> None

through ``reelkit.callbacks.handle(..., schedule=...)``; ``reelkit_worker.webhooks.routes``
is a minimal Starlette mounting of ``/webhooks/{provider}``. Both open the queue's connections
once per event loop; ``async with queues():`` (or ``await close_queues()``) closes them, e.g.
in a gateway's lifespan. See docs/deployment.md.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["close_queues", "enqueue", "make_app", "queues", "run_worker", "schedule_now"]


def __getattr__(name: str) -> Any:
    # procrastinate loads with the first use, not with the CLI's plugin scan.
    if name in __all__:
        from . import service

        return getattr(service, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
