"""The procrastinate tasks: ``reelkit.advance`` (one job, one step at a time) and the periodic
``reelkit.requeue_stalled`` (jobs of workers that died mid-task).

``advance`` never sleeps for a poll interval: it does the job's next step (``AsyncClient.advance``)
and, if there is more to do, defers itself ``schedule_in`` the step's ``next_in`` seconds and
returns, so one worker slot serves thousands of waiting jobs. Each job's chain of ``advance``
tasks shares ``lock=job_id`` (never two steps of one job at once) and ``queueing_lock=job_id``
(at most one waiting next step: a redelivered or duplicated task finds it taken and stops).
Neither lock is what makes a submit happen at most once: the journal's take-over does, so even
two steps run side by side (a stalled task retried while its worker still lives) submit once.

A worker killed with SIGKILL leaves its tasks ``doing``. Procrastinate's workers heartbeat;
``requeue_stalled`` (every few seconds, deferred once per tick across all workers) puts the
tasks of workers silent for ``stalled_after`` seconds back to ``todo`` (procrastinate's
``get_stalled_jobs`` / ``retry_job``), and another worker runs them: a job's step is idempotent
from the journal, so running it again loses nothing and pays for nothing twice.
"""

from __future__ import annotations

import logging
from typing import Any

import procrastinate
from procrastinate import exceptions
from procrastinate import jobs as procrastinate_jobs

log = logging.getLogger("reelkit.worker")

ADVANCE = "reelkit.advance"
REQUEUE_STALLED = "reelkit.requeue_stalled"
#: Seconds without a heartbeat after which a worker's ``doing`` tasks are run again elsewhere.
STALLED_AFTER_S = 30.0

tasks = procrastinate.Blueprint()


# A step that raises (the journal's database away, a plugin bug) is tried again with growing
# waits before its chain stops; the job then stays in the journal for `reelkit jobs resume`.
_RETRY = procrastinate.RetryStrategy(max_attempts=8, exponential_wait=2)


@tasks.task(name=ADVANCE, pass_context=True, retry=_RETRY)
async def advance(context: procrastinate.JobContext, job_id: str, errors: int = 0) -> str:
    """Do the job's next step; defer the one after at its time. Returns what was done."""
    client = context.additional_context["client"]
    step = await client.advance(job_id, errors=errors)
    while step.next_in == 0:  # e.g. polled "succeeded": download now, in this slot
        step = await client.advance(job_id, errors=step.errors)
    if step.next_in is not None:
        await defer_advance(context.app, job_id, errors=step.errors, after=step.next_in)
    elif step.message:
        log.info("job %s: %s (%s)", job_id, step.did, step.message)
    return f"{step.did}: {step.state.value}"


async def defer_advance(
    app: procrastinate.App, job_id: str, *, errors: int = 0, after: float = 0.0
) -> bool:
    """Schedule the job's next step ``after`` seconds from now; False if one already waits."""
    options: dict[str, Any] = {"lock": job_id, "queueing_lock": job_id}
    if after > 0:
        options["schedule_in"] = {"seconds": after}
    try:
        await app.configure_task(ADVANCE, **options).defer_async(job_id=job_id, errors=errors)
    except exceptions.AlreadyEnqueued:
        return False
    return True


@tasks.periodic(cron="* * * * * */5", periodic_id="stalled")
@tasks.task(name=REQUEUE_STALLED, pass_context=True, queueing_lock=REQUEUE_STALLED)
async def requeue_stalled(context: procrastinate.JobContext, timestamp: int) -> int:
    """Put the tasks of workers that stopped heartbeating back in the queue."""
    stalled_after = context.additional_context.get("stalled_after", STALLED_AFTER_S)
    manager = context.app.job_manager
    requeued = 0
    for job in await manager.get_stalled_jobs(seconds_since_heartbeat=stalled_after):
        if job.task_name != ADVANCE or job.id is None:
            continue
        try:
            await manager.retry_job(job)
        except exceptions.ConnectorException:
            # Its next step already waits (the worker died after deferring it): this one is
            # done. Finishing it releases its lock for the waiting one.
            await manager.finish_job_by_id_async(
                job.id, status=procrastinate_jobs.Status.FAILED, delete_job=False
            )
            continue
        requeued += 1
        log.warning("job %s: its worker stopped mid-step; running the step again", job.task_kwargs)
    return requeued
