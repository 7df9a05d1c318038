"""The tools' structured results: pydantic models, so each tool publishes an ``outputSchema``
and the SDK validates what it returns against it.

The shapes follow reelkit's own JSON (``generate --json``, ``plan --json``, docs/design.md
§1.5); a job adds what an agent needs to show it: the ``uri`` of the file, whether it is
``done``, and the ``error`` of a failed job.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from reelkit.journal import JobRecord
from reelkit.models import Plan, Result


class Cost(BaseModel):
    """A plan's estimate; ``estimated`` is null when no price is published (``basis`` says why)."""

    estimated: float | None
    currency: str | None = None
    basis: str
    source: str | None = None
    as_of: str | None = None


class AdjustmentOut(BaseModel):
    field: str
    requested: Any = None
    applied: Any = None
    reason: str


class ProviderOut(BaseModel):
    name: str
    title: str
    aliases: list[str]
    available: bool = Field(description="Are its credentials present in the server's environment?")
    priority: int
    default_model: str
    credentials: list[list[str]] = Field(
        description="The environment variables it reads (names only, never values)."
    )
    models: list[str]
    deprecation: str | None = None


class Providers(BaseModel):
    providers: list[ProviderOut] = Field(description="In auto-selection order.")


class Capabilities(BaseModel):
    provider: str
    models: list[dict[str, Any]] = Field(
        description="Each model's modes and variants (resolutions, aspect ratios, durations, "
        "fps), limits, audio, seed and price table, as `reelkit capabilities --json` shows them."
    )


class HttpOut(BaseModel):
    method: str
    url: str
    headers: dict[str, str]
    body: Any = None


class PlanOut(BaseModel):
    provider: str
    model: str
    mode: str
    request: dict[str, Any] = Field(description="The applied values, after clamping.")
    adjustments: list[AdjustmentOut]
    cost: Cost | None
    http: HttpOut | None = Field(description="The exact submit request, credentials redacted.")
    notice: str | None = None
    refused: str | None = Field(
        description="Why generate_video would refuse this plan (a budget, a price, a provider "
        "the server does not allow), or null if it would send it."
    )


class ErrorOut(BaseModel):
    error: str
    message: str


class JobOut(BaseModel):
    """A journalled job, in the shape of ``reelkit generate --json``."""

    job_id: str = Field(description="reelkit's id of the job (rk_...), for the other tools.")
    status: str = Field(
        description="pending, submitted, queued, running, succeeded (not yet downloaded), "
        "downloaded, failed, cancelled or unknown (the submit's answer was lost)."
    )
    done: bool = Field(description="Finished: downloaded, failed or cancelled.")
    provider: str
    model: str
    mode: str = Field(description="t2v, i2v, ... as the request's inputs made it.")
    prompt: str
    progress: float | None = Field(None, description="0..1 where the provider reports it.")
    path: str | None = Field(description="The local file, once downloaded.")
    uri: str | None = Field(description="The file as a file:// URI (also a resource link).")
    video_url: str | None = Field(description="The provider's URL of the video.")
    expires_at: str | None = Field(description="When video_url stops working (ISO 8601).")
    duration: float | None = Field(description="Seconds, as delivered (read from the file).")
    size: str | None = Field(description="WIDTHxHEIGHT, as delivered.")
    fps: int | float | None = Field(description="Frames per second, as delivered.")
    resolution: str | None
    aspect_ratio: str | None
    audio: bool | None = Field(description="Does the video have sound (as delivered)?")
    delivered: bool = Field(description="Were duration, size and fps read from the file?")
    requested: dict[str, Any] = Field(description="The values asked for (after clamping).")
    adjustments: list[AdjustmentOut] = Field(
        description="Every value reelkit changed to fit the model, and why."
    )
    warnings: list[str] = Field(description="Where the delivered video differs from the request.")
    task_id: str | None = Field(description="The provider's own id of the task.")
    reused: bool = Field(
        description="This call was served by an identical earlier or running job: nothing was "
        "paid for it."
    )
    cost: Cost | None = Field(description="The estimate recorded before the submit.")
    billed: dict[str, Any] | None = Field(description="What the provider reported it billed.")
    elapsed_s: float | None = Field(description="Seconds from the journal entry to the end.")
    error: ErrorOut | None = Field(None, description="Why a failed or stopped job failed.")


class Jobs(BaseModel):
    jobs: list[JobOut] = Field(description="Newest first.")


class Budget(BaseModel):
    currency: str
    max_cost_per_job: float | None = Field(description="The operator's per-job limit.")
    budget: float | None = Field(description="The operator's limit for this server process.")
    committed: float = Field(
        description="Estimates of the jobs this server process submitted (or is submitting)."
    )
    remaining: float | None
    allow_unpriced: bool
    unpriced_jobs: int = Field(description="Jobs submitted whose price was unknown.")
    journal: dict[str, Any] = Field(
        description="Everything the journal has spent (`reelkit spend --json`), all processes."
    )


def cost_of(value: Any) -> Cost | None:
    """A ``CostEstimate`` or the journal's cost mapping, as ``Cost``."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        data = dict(value)
    else:
        data = {
            "estimated": value.estimated,
            "currency": value.currency,
            "basis": value.basis,
            "source": value.source,
            "as_of": value.as_of.isoformat() if value.as_of else None,
        }
    data.setdefault("basis", "no published price")
    return Cost.model_validate({k: data.get(k) for k in Cost.model_fields if k in data})


def plan_out(plan: Plan, refused: str | None) -> PlanOut:
    data = plan.to_dict()
    return PlanOut(
        provider=data["provider"],
        model=data["model"],
        mode=data["mode"],
        request=data["request"],
        adjustments=[AdjustmentOut(**a) for a in data["adjustments"]],
        cost=cost_of(plan.cost),
        http=HttpOut(**data["http"]) if data["http"] else None,
        notice=plan.notice,
        refused=refused,
    )


_DONE = ("downloaded", "failed", "cancelled")


def job_out(result: Result, record: JobRecord | None = None) -> JobOut:
    data = result.to_dict()
    error = None
    if record is not None and record.error and data["status"] not in ("downloaded", "succeeded"):
        error = ErrorOut(
            error=str(record.error.get("error") or "JobFailed"),
            message=str(record.error.get("message") or data["status"]),
        )
    path = data["path"]
    return JobOut(
        job_id=data["job_id"],
        status=data["status"],
        done=data["status"] in _DONE,
        provider=data["provider"],
        model=data["model"],
        mode=data["mode"],
        prompt=data["prompt"],
        progress=record.progress if record is not None else None,
        path=path,
        uri=Path(path).as_uri() if path else None,
        video_url=data["video_url"],
        expires_at=data["expires_at"],
        duration=data["duration"],
        size=data["size"],
        fps=data["fps"],
        resolution=data["resolution"],
        aspect_ratio=data["aspect_ratio"],
        audio=data["audio"],
        delivered=result.delivered,
        requested=data["requested"],
        adjustments=[AdjustmentOut(**a) for a in data["adjustments"]],
        warnings=data["warnings"],
        task_id=data["task_id"],
        reused=result.reused,
        cost=cost_of(data["cost"]),
        billed=data["billed"],
        elapsed_s=data["elapsed_s"],
        error=error,
    )


class ShotOut(BaseModel):
    """One shot of a shot list, as its manifest records it."""

    id: str
    state: str  # delivered, failed or pending
    job_id: str | None = None
    jobs: list[str] = Field(default_factory=list)  # every job of the shot, first to last
    provider: str | None = None
    model: str | None = None
    path: str | None = None
    uri: str | None = None
    duration: float | None = None
    size: str | None = None
    fps: float | None = None
    reused: bool = False
    cost: dict[str, Any] = Field(default_factory=dict)
    error: dict[str, Any] | None = None


class ShotListOut(BaseModel):
    """A shot list's manifest: per shot its jobs, file and cost; the totals."""

    shots: list[ShotOut]
    delivered: int
    failed: int
    estimated: float | None = None  # the plan's total before anything was sent
    currency: str
    output_dir: str
