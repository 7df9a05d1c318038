"""Module-level verbs: each opens a fresh ``Client`` (no global state) and closes it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .capabilities import ModelInfo, ProviderInfo
from .client import Client, Job
from .models import Plan, Result

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .client import Options


def generate(prompt: str, **options: Unpack[Options]) -> Result:
    """Generate a video: submit, wait, download. See ``Client.generate``."""
    with Client() as client:
        return client.generate(prompt, **options)


def plan(prompt: str, **options: Unpack[Options]) -> Plan:
    """What ``generate`` would do, without the network: provider, values, the exact HTTP request."""
    with Client() as client:
        return client.plan(prompt, **options)


def submit(prompt: str, **options: Unpack[Options]) -> Job:
    """Submit and return at once. The job owns its client: ``wait()`` (or leaving a ``with``
    block, or ``job.close()``) closes it."""
    client = Client()
    try:
        job = client.submit(prompt, **options)
    except BaseException:
        client.close()
        raise
    return Job(client, job.record, owns_client=True)


def resume(job_id: str) -> Job:
    """A journalled job, from any process: ``resume(id).wait()`` polls on, never resubmits.
    The job owns its client, closed by ``wait()``, ``close()`` or a ``with`` block."""
    client = Client()
    try:
        job = client.resume(job_id)
    except BaseException:
        client.close()
        raise
    return Job(client, job.record, owns_client=True)


def providers() -> list[ProviderInfo]:
    with Client() as client:
        return client.providers()


def capabilities(provider: str, model: str | None = None) -> list[ModelInfo]:
    with Client() as client:
        return client.capabilities(provider, model)
