"""Webhooks in: providers calling back when a job changes, instead of (never only) being polled.

When a service sets ``REELKIT_PUBLIC_URL`` (where ``/webhooks/{provider}`` is reachable) and
``REELKIT_WEBHOOK_SECRET``, every job a worker submits carries a callback URL::

    {REELKIT_PUBLIC_URL}/webhooks/{provider}?job={job_id}&token={HMAC-SHA256(secret, job_id)}

passed to ``reelkit_translate`` as ``config.options["callback_url"]`` (a plugin whose provider
takes a callback sends it; the others ignore it). The token is the verification for providers
that sign nothing (Seedance on Ark documents no signature: docs/reference/volcengine-kling.md,
§3.2); it is unguessable without the secret and needs no storage. A plugin may check more
(``reelkit_parse_callback`` sees the headers).

``handle`` is framework-free: a web framework hands it the provider, query, headers and body of
the request; it verifies, asks the provider's plugin to read the body, records the status in the
journal and, when the provider is done, has the download scheduled. Polling goes on meanwhile
as the fallback: a lost callback delays a job, never loses it.
"""

from __future__ import annotations

import hashlib
import hmac
import urllib.parse
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from .errors import ConfigurationError, InvalidRequest, JobNotFound, PluginError, ReelkitError

if TYPE_CHECKING:
    from .client import AsyncClient
    from .models import JobStatus

#: The ``ProviderConfig.options`` key a plugin reads its callback URL from.
CALLBACK_OPTION = "callback_url"
PUBLIC_URL_ENV = "REELKIT_PUBLIC_URL"
SECRET_ENV = "REELKIT_WEBHOOK_SECRET"


@attrs.frozen(kw_only=True)
class Callback:
    """What a provider's callback says: which task, and its status now."""

    task_id: str
    status: JobStatus


@attrs.frozen(kw_only=True)
class Handled:
    """What ``handle`` did with one callback (the HTTP answer is 200 unless it raised)."""

    job_id: str
    state: str
    scheduled: bool  # the job's next step (its download) was scheduled now
    message: str = ""


def token(secret: str, job_id: str) -> str:
    return hmac.new(secret.encode(), job_id.encode(), hashlib.sha256).hexdigest()


def callback_url(env: Mapping[str, str], provider: str, job_id: str) -> str | None:
    """The URL a provider should call back for this job, or None (no public URL configured)."""
    public = env.get(PUBLIC_URL_ENV, "").strip().rstrip("/")
    if not public:
        return None
    secret = env.get(SECRET_ENV, "")
    if not secret:
        raise ConfigurationError(
            SECRET_ENV,
            f"is required with {PUBLIC_URL_ENV}: it makes each job's callback URL unguessable",
            allowed="a long random string, the same on every gateway and worker",
        )
    if not public.startswith(("http://", "https://")):
        raise ConfigurationError(PUBLIC_URL_ENV, f"{public!r} is not a URL", allowed="http(s)://")
    query = urllib.parse.urlencode({"job": job_id, "token": token(secret, job_id)})
    return f"{public}/webhooks/{urllib.parse.quote(provider)}?{query}"


class Unauthorized(ReelkitError):
    """A callback without this job's token (HTTP 401/404: never say which)."""

    exit_code = 5


async def handle(
    client: AsyncClient,
    provider: str,
    *,
    query: Mapping[str, str],
    headers: Mapping[str, str],
    body: bytes,
    schedule: Callable[[str], Awaitable[Any]] | None = None,
) -> Handled:
    """Verify and apply one callback. ``schedule(job_id)`` runs the job's next step soon (a
    worker queue); without it, a finished job is downloaded here, before returning."""
    import asyncio

    from .models import Succeeded

    job_id = query.get("job", "")
    secret = client.settings.env.get(SECRET_ENV, "")
    given = query.get("token", "")
    if not (secret and job_id and hmac.compare_digest(given, token(secret, job_id))):
        raise Unauthorized("callback: unknown job or bad token")
    try:
        record = await asyncio.to_thread(client.journal.get, job_id)
    except JobNotFound:
        raise Unauthorized("callback: unknown job or bad token") from None
    name = client.host.provider(provider).info.name
    if name != record.provider or record.id != job_id:
        raise InvalidRequest("provider", f"job {job_id} is not a {name} job")
    parsed = client.host.call(name, "reelkit_parse_callback", headers=dict(headers), body=body)
    if parsed is None:
        raise InvalidRequest("provider", f"{name} reads no callbacks")
    if not isinstance(parsed, Callback):
        raise PluginError(f"{name}: reelkit_parse_callback returned {type(parsed).__name__}")
    if record.handle is None or record.handle.task_id != parsed.task_id:
        # Called back before the submit's answer was journalled (or for another task): nothing
        # here is trusted; the next step reads the journal and polls.
        if schedule is not None:
            await schedule(job_id)
        return Handled(job_id=job_id, state=record.state.value, scheduled=schedule is not None)
    if not record.state.pollable:
        return Handled(job_id=job_id, state=record.state.value, scheduled=False)
    record = await client._run(client._engine._record_status(record, parsed.status))
    if not isinstance(parsed.status, Succeeded):
        return Handled(job_id=job_id, state=record.state.value, scheduled=False)
    if schedule is not None:
        await schedule(job_id)
        return Handled(job_id=job_id, state=record.state.value, scheduled=True)
    step = await client.advance(job_id)  # no queue: download here
    return Handled(job_id=job_id, state=step.state.value, scheduled=False, message=step.message)
