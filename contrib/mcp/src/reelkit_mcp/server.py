"""The MCP server: reelkit's verbs as tools, on the official SDK's ``MCPServer``.

Every tool returns a ``CallToolResult`` whose ``structuredContent`` follows the tool's published
``outputSchema`` (a pydantic model from ``reelkit_mcp.results``, validated by the SDK), with the
same data as JSON text for the model, and, for a downloaded video, a resource link to the file.
A failure is a tool error (``isError``): the text names the error class and says what happened
(a refusal names the estimate and the limit). Every string that leaves is scrubbed of the
secrets the server's environment holds.

The protocol's task extension is not in the SDK (2.x): long calls are background jobs instead,
``generate_video(wait=false)`` then ``wait_for_job`` with progress notifications.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import mimetypes
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.types import CallToolResult, ContentBlock, ResourceLink, TextContent, ToolAnnotations
from pydantic import BaseModel, Field

from reelkit import redact
from reelkit.errors import ReelkitError
from reelkit.models import JobState
from reelkit.pricing import money

from . import results, schema
from .guard import Refused
from .service import Service

INSTRUCTIONS = """\
reelkit generates AI video with many providers (and an offline renderer), keeps a journal of
every job and never pays twice for an identical request.

- list_providers / get_capabilities: what is installed, what each model accepts and costs.
- plan_video: the provider, model, applied values, cost estimate and exact request; sends
  nothing. Use it to show the user the price before generating.
- generate_video: submits and returns the job id at once (wait=false, the default), or waits
  for the video with progress notifications (wait=true). Then wait_for_job, get_job,
  list_jobs, cancel_job. A repeated identical call returns the same job, not a second bill.
- get_budget: the operator's limits and what this server has committed.

Show a finished video to the user by its `path` (also given as a file:// resource link), and
say its provider, duration, size and cost. `video_url` expires at `expires_at`.
"""

READ_ONLY = ToolAnnotations(read_only_hint=True, open_world_hint=False)

#: The journal's job states an agent can filter on (a test keeps it equal to ``JobState``).
State = Literal[
    "pending",
    "unknown",
    "submitted",
    "queued",
    "running",
    "succeeded",
    "downloaded",
    "failed",
    "cancelled",
]

Tool = TypeVar("Tool", bound=Callable[..., Awaitable[CallToolResult]])


def _guarded(func: Tool) -> Tool:
    """reelkit errors and refusals as tool errors (``isError``), never with a secret."""

    @functools.wraps(func)
    async def run(*args: Any, **kwargs: Any) -> CallToolResult:
        try:
            return await func(*args, **kwargs)
        except Refused as exc:
            return _error(f"{exc.label}: {exc}")
        except ReelkitError as exc:
            return _error(f"{type(exc).__name__}: {exc}")

    return run  # type: ignore[return-value]


def _error(text: str) -> CallToolResult:
    # Built here rather than raised as ToolError, which the SDK prefixes with its own words.
    return CallToolResult(content=[TextContent(text=redact.scrub_text(text))], is_error=True)


def _scrubbed(value: Any) -> Any:
    if isinstance(value, str):
        return redact.scrub(value)
    if isinstance(value, dict):
        return {k: _scrubbed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrubbed(v) for v in value]
    return value


def _result(
    model: BaseModel, summary: str | None = None, links: list[ContentBlock] | None = None
) -> CallToolResult:
    data = _scrubbed(model.model_dump(mode="json"))
    content: list[ContentBlock] = []
    if summary:
        content.append(TextContent(text=redact.scrub(summary)))
    content.append(TextContent(text=json.dumps(data, ensure_ascii=False)))
    content.extend(links or ())
    return CallToolResult(content=content, structured_content=data)


def _link(job: results.JobOut) -> list[ContentBlock]:
    if not job.path or not job.uri or not Path(job.path).is_file():
        return []
    path = Path(job.path)
    return [
        ResourceLink(
            name=path.name,
            title=f"{job.provider}/{job.model}: {job.prompt[:60]}",
            uri=job.uri,
            mime_type=mimetypes.guess_type(path.name)[0] or "video/mp4",
            size=path.stat().st_size,
            description=f"The video of reelkit job {job.job_id}",
        )
    ]


def _seconds(value: float | None) -> str:
    if value is None:
        return "?"
    return f"{value:g}"


def _price(cost: results.Cost | None) -> str:
    if cost is None or cost.estimated is None:
        return f"cost unknown ({cost.basis if cost else 'no published price'})"
    return f"{money(cost.estimated, cost.currency or '')} estimated: {cost.basis}"


def job_summary(job: results.JobOut) -> str:
    """A few lines for the model: where the video is, or what the job is doing."""
    if job.status == "downloaded" and job.path:
        lines = [
            f"Generated video: {job.path}",
            f"- {job.provider}/{job.model} ({job.mode}): {_seconds(job.duration)} s, "
            f"{job.size or '?'}, {job.fps or '?'} fps" + (", with audio" if job.audio else ""),
            f"- Prompt: {job.prompt}",
            f"- Cost: {_price(job.cost)}"
            + (" (reused an identical earlier job: nothing paid)" if job.reused else ""),
            f"- Job: {job.job_id}",
        ]
        if job.video_url:
            lines.append(f"- URL: {job.video_url} (expires {job.expires_at or 'unknown'})")
        return "\n".join(lines)
    if job.error is not None:
        return f"Job {job.job_id} ({job.provider}/{job.model}) is {job.status}: {job.error.message}"
    if job.done:
        return f"Job {job.job_id} ({job.provider}/{job.model}) is {job.status}."
    return (
        f"Job {job.job_id} is {job.status} at {job.provider} ({job.model}); it keeps running "
        f"in the background. wait_for_job(job_id={job.job_id!r}) waits for the video with "
        "progress; get_job checks it without waiting."
    )


def _job_result(job: results.JobOut, *, failure_is_error: bool) -> CallToolResult:
    if failure_is_error and job.done and job.status != "downloaded":
        return _error(job_summary(job))
    return _result(job, job_summary(job), _link(job))


JobId = Annotated[str, Field(description="A reelkit job id (from generate_video or list_jobs).")]


def build(service: Service, *, log_level: str = "WARNING") -> MCPServer[None]:
    """The server, its tools bound to ``service`` (started and stopped by its lifespan)."""

    @contextlib.asynccontextmanager
    async def lifespan(_: MCPServer[None]) -> AsyncIterator[None]:
        async with service.running():
            yield None

    from importlib.metadata import version

    server: MCPServer[None] = MCPServer(
        "reelkit",
        title="reelkit: AI video from every provider",
        instructions=INSTRUCTIONS,
        version=version("reelkit-mcp"),
        lifespan=lifespan,
        log_level=log_level.upper(),  # type: ignore[arg-type]
    )
    scrub_logs()

    @server.tool(annotations=READ_ONLY)
    @_guarded
    async def list_providers() -> Annotated[CallToolResult, results.Providers]:
        """Installed video providers in auto-selection order: which have credentials in the
        server's environment, their default model and models."""
        return _result(service.providers())

    @server.tool(annotations=READ_ONLY)
    @_guarded
    async def get_capabilities(
        provider: Annotated[str, Field(description="Provider name or alias.")],
        model: Annotated[str | None, Field(description="One model (default: every model).")] = None,
    ) -> Annotated[CallToolResult, results.Capabilities]:
        """What a provider's models accept (modes, resolutions, aspect ratios, durations, fps,
        limits) and what they cost. No network."""
        return _result(service.capabilities(provider, model))

    @_guarded
    async def plan_video(**arguments: Any) -> Annotated[CallToolResult, results.PlanOut]:
        """Plan a video without sending anything: the provider and model chosen, the applied
        values and every adjustment, the cost estimate, the exact HTTP request (credentials
        redacted), and whether generate_video would refuse it (`refused`)."""
        plan = await service.plan(arguments)
        summary = f"Plan: {plan.provider}/{plan.model} ({plan.mode}), {_price(plan.cost)}." + (
            f" generate_video would refuse it: {plan.refused}" if plan.refused else ""
        )
        return _result(plan, summary)

    server.add_tool(
        schema.with_parameters(plan_video, schema.parameters(omit=("output", "timeout"))),
        annotations=READ_ONLY,
    )

    @_guarded
    async def generate_video(
        ctx: Context[Any, Any],
        wait: Annotated[
            bool,
            Field(
                description="false (default): return the job id at once; the job runs on in the "
                "background (wait_for_job, get_job). true: wait for the video, with progress "
                "notifications, up to `timeout` seconds."
            ),
        ] = False,
        **arguments: Any,
    ) -> Annotated[CallToolResult, results.JobOut]:
        """Generate a video: journalled first, then submitted once. An identical earlier or
        running request is reused or joined, never paid twice. The server's budget and limits
        apply (a refusal sends nothing). The finished job has the local `path` (also a
        resource link), `video_url` and `expires_at`, and the delivered duration, size, fps."""
        job = await service.generate(arguments, wait=wait, report=ctx.report_progress)
        return _job_result(job, failure_is_error=True)

    server.add_tool(
        schema.with_parameters(generate_video, schema.parameters()),
        annotations=ToolAnnotations(
            destructive_hint=False, idempotent_hint=True, open_world_hint=True
        ),
    )

    @server.tool(annotations=READ_ONLY)
    @_guarded
    async def get_job(job_id: JobId) -> Annotated[CallToolResult, results.JobOut]:
        """A job as the journal has it now (no waiting)."""
        return _job_result(await service.job(job_id), failure_is_error=False)

    @server.tool(annotations=ToolAnnotations(read_only_hint=False, open_world_hint=True))
    @_guarded
    async def wait_for_job(
        ctx: Context[Any, Any],
        job_id: JobId,
        timeout_s: Annotated[
            float,
            Field(
                ge=0,
                le=3600,
                description="Seconds to wait; then the job is returned as it stands (done: "
                "false) and keeps running: call again.",
            ),
        ] = 300.0,
    ) -> Annotated[CallToolResult, results.JobOut]:
        """Wait for a job to finish and its video to download, with progress notifications.
        Never resubmits: a job from another process or an earlier run is resumed from the
        journal."""
        job = await service.wait(job_id, timeout_s, ctx.report_progress)
        return _job_result(job, failure_is_error=True)

    @server.tool(annotations=READ_ONLY)
    @_guarded
    async def list_jobs(
        limit: Annotated[int, Field(ge=1, le=500, description="Newest N jobs.")] = 20,
        state: Annotated[
            State | None,
            Field(description="Only jobs in this state."),
        ] = None,
    ) -> Annotated[CallToolResult, results.Jobs]:
        """Journalled jobs, newest first (every process's, not only this server's)."""
        states = (JobState(state),) if state else ()
        jobs = await service.jobs(limit, states)
        return _result(jobs, f"{len(jobs.jobs)} job(s), newest first.")

    @server.tool(annotations=ToolAnnotations(destructive_hint=True, open_world_hint=True))
    @_guarded
    async def cancel_job(job_id: JobId) -> Annotated[CallToolResult, results.JobOut]:
        """Ask the provider to cancel a running job (where it can); a finished job is returned
        as it is."""
        return _job_result(await service.cancel(job_id), failure_is_error=False)

    @server.tool(annotations=READ_ONLY)
    @_guarded
    async def get_budget() -> Annotated[CallToolResult, results.Budget]:
        """The operator's limits (per job, per server process), what this server has committed,
        and the journal's spend totals."""
        return _result(await service.budget())

    @server.tool(annotations=ToolAnnotations(destructive_hint=False, open_world_hint=True))
    @_guarded
    async def run_shot_list(
        ctx: Context[Any, Any],
        path: Annotated[
            str | None, Field(description="A shot-list file (TOML or JSON) on the server.")
        ] = None,
        shots: Annotated[
            list[dict[str, Any]] | None,
            Field(
                description="Inline shots instead of a file: each {id, prompt, ...any "
                "generate_video option, continue_from (another shot's id), extend_to (seconds)}."
            ),
        ] = None,
        defaults: Annotated[
            dict[str, Any] | None,
            Field(description="Options for every inline shot, and `style` added to each prompt."),
        ] = None,
        name: Annotated[
            str, Field(description="Folder under the output directory for the videos.")
        ] = "shots",
    ) -> Annotated[CallToolResult, results.ShotListOut]:
        """Plan a whole production and run it: every shot's cost checked against the server's
        limits first (a refusal sends nothing), then the shots in parallel within each
        provider's limits, dependent shots after their sources, extensions chained. Calling it
        again with the same shots resumes: finished shots are reused, nothing is paid twice.
        Returns the manifest: per shot its jobs, file, delivered duration and cost."""
        out = await service.shot_list(
            path=path, shots=shots, defaults=defaults, name=name, report=ctx.report_progress
        )
        summary = f"{out.delivered}/{len(out.shots)} shots delivered under {out.output_dir}."
        return _result(out, summary)

    return server


def scrub_logs() -> None:
    """Every handler on the root logger (the SDK's, uvicorn's propagate there) masks secrets."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, redact.SecretFilter) for f in handler.filters):
            handler.addFilter(redact.SecretFilter())
