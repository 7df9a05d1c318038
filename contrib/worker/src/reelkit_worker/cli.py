"""``reelkit worker [--concurrency N]``: run job steps from the queue on the journal's PostgreSQL.

Any number of workers may run, on any hosts, against the same ``REELKIT_JOURNAL_URL``; each
needs the provider credentials of the jobs it runs. SIGINT or SIGTERM stops one gracefully
(its running steps finish); SIGKILL loses nothing (another worker runs them again).
"""

from __future__ import annotations

import asyncio
import sys

import click


def command() -> click.Command:
    @click.command("worker")
    @click.option(
        "--concurrency",
        "-c",
        type=click.IntRange(min=1),
        default=8,
        show_default=True,
        help="Job steps run at once (a waiting job holds no slot).",
    )
    @click.option(
        "--stalled-after",
        type=click.FloatRange(min=1.0),
        default=30.0,
        show_default=True,
        help="Seconds without a heartbeat before a worker's steps are run elsewhere.",
    )
    @click.option(
        "--fetch-interval",
        type=click.FloatRange(min=0.05),
        default=1.0,
        show_default=True,
        help="How often an idle worker looks for steps whose time has come.",
    )
    def worker(concurrency: int, stalled_after: float, fetch_interval: float) -> None:
        """Submit, poll and download jobs as procrastinate tasks (PostgreSQL journal only)."""
        import logging

        from reelkit.errors import ReelkitError

        # What the worker says goes to stderr; REELKIT_LOG_LEVEL=DEBUG shows every step.
        logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s: %(message)s")
        try:
            asyncio.run(_run(concurrency, stalled_after, fetch_interval))
        except ReelkitError as exc:
            click.echo(f"reelkit: error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            pass

    return worker


async def _run(concurrency: int, stalled_after: float, fetch_interval: float) -> None:
    from reelkit import AsyncClient

    from .service import close_queues, journal_url, run_worker

    async with AsyncClient() as client:
        journal_url(client)  # a SQLite journal: a clear error before anything starts
        click.echo(
            f"reelkit worker: {concurrency} slots on {client.journal.url}; Ctrl-C stops it",
            err=True,
        )
        try:
            await run_worker(
                client,
                concurrency=concurrency,
                stalled_after=stalled_after,
                fetch_interval=fetch_interval,
            )
        finally:
            await close_queues()
