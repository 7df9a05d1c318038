"""Cancel, results, and resolving submits whose answer was lost: ``adopt`` links an ``unknown``
job to the provider's task id; ``reconcile`` finds that task in the provider's task list (where
it has one) by prompt, model and time, and adopts it. Nothing is ever resubmitted."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

import attrs

from reelkit import redact
from reelkit.effects import Flow
from reelkit.errors import InvalidRequest, PluginError
from reelkit.journal import JobRecord
from reelkit.models import JobHandle, JobState, Result, TaskSummary

from .base import with_timeout
from .submitting import Submitting

# A task matches an unknown submit if the provider created it within this window around it.
MATCH_BEFORE_S = 120.0
MATCH_AFTER_S = 900.0


@attrs.frozen(kw_only=True)
class Reconciled:
    """What ``reconcile`` found for one unknown job."""

    job_id: str
    outcome: str  # adopted, no_match, ambiguous, unsupported
    task_id: str | None = None
    candidates: tuple[str, ...] = ()
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


class Recovery(Submitting):
    def cancel(self, job_id: str) -> Flow[JobRecord]:
        record: JobRecord = yield from self._j("get", job_id)
        if record.state.terminal:
            return record
        if record.handle is None:
            raise InvalidRequest(
                "job", f"job {record.id} has no provider task to cancel ({record.state.value})"
            )
        provider = self.host.provider(record.provider)
        name = provider.info.name
        config = self.settings.provider_config(provider.info)
        request = self.host.call(name, "reelkit_cancel_request", job=record.handle, config=config)
        if request is None:
            raise InvalidRequest(
                "job", f"{name} cannot cancel jobs; it will finish (and bill) on its own"
            )
        auth = self._auth(provider, config, self._credentials(provider))
        response = yield from self._exchange(name, with_timeout(request, config), auth)
        status = self.host.call(name, "reelkit_parse_cancel", job=record.handle, response=response)
        return (yield from self._record_status(record, status))

    def adopt(self, job_id: str, task_id: str) -> Flow[JobRecord]:
        """Link an ``unknown`` job to the provider task its lost submit created."""
        task_id = task_id.strip()
        if not task_id:
            raise InvalidRequest("task_id", "is empty", allowed="the provider's task id")
        record: JobRecord = yield from self._j("get", job_id)
        if record.state is JobState.PENDING:
            record = yield from self._await_submit(record)
        if record.state is not JobState.UNKNOWN:
            raise InvalidRequest(
                "job",
                f"job {record.id} is {record.raw_state or record.state.value}; only an unknown "
                "submit can be adopted",
                allowed="jobs in state unknown",
            )
        provider = self.host.provider(record.provider)
        model = provider.model(record.model)
        config = self.settings.provider_config(provider.info)
        handle = self.host.call(
            provider.info.name,
            "reelkit_adopt_handle",
            model=model,
            request=record.request,
            task_id=task_id,
            config=config,
        )
        if handle is None:
            handle = JobHandle(provider=provider.info.name, model=model.id, task_id=task_id)
        elif not isinstance(handle, JobHandle):
            raise PluginError(
                f"{provider.info.name}: reelkit_adopt_handle returned {type(handle).__name__}"
            )
        adopted: JobRecord | None = yield from self._j(
            "update_if",
            record,
            JobState.UNKNOWN,
            state=JobState.SUBMITTED,
            handle=handle,
            error=None,
        )
        if adopted is None:
            raise InvalidRequest("job", f"job {record.id} changed state while being adopted")
        self._emit("adopted", adopted, f"task {task_id}")
        return adopted

    def reconcile(self, job_id: str) -> Flow[Reconciled]:
        """Find the task an unknown submit created, in the provider's task list, and adopt it."""
        record: JobRecord = yield from self._j("get", job_id)
        if record.state is JobState.PENDING:
            record = yield from self._await_submit(record)
        if record.state is not JobState.UNKNOWN:
            return Reconciled(
                job_id=record.id,
                outcome="not_unknown",
                message=f"job {record.id} is {record.raw_state or record.state.value}",
            )
        provider = self.host.provider(record.provider)
        name = provider.info.name
        config = self.settings.provider_config(provider.info)
        since = datetime.fromtimestamp(record.created_at - MATCH_BEFORE_S, tz=timezone.utc)
        request = self.host.call(name, "reelkit_list_tasks_request", config=config, since=since)
        if request is None:
            return Reconciled(
                job_id=record.id,
                outcome="unsupported",
                message=(
                    f"{name} offers no task list; find the task in its console, then "
                    f"`reelkit jobs adopt {record.id} TASK_ID`"
                ),
            )
        auth = self._auth(provider, config, self._credentials(provider))
        response = yield from self._exchange(name, with_timeout(request, config), auth)
        tasks: Sequence[TaskSummary] = self.host.call(
            name, "reelkit_parse_task_list", response=response
        )
        known: list[JobRecord] = yield from self._j("list")
        taken = {r.handle.task_id for r in known if r.handle is not None and r.provider == name}
        model_names = set(provider.model(record.model).names())
        fitting = [t for t in tasks if t.task_id not in taken and _fits(t, record, model_names)]
        exact = [t for t in fitting if t.prompt is not None]
        if len(exact) == 1:
            yield from self.adopt(record.id, exact[0].task_id)
            return Reconciled(
                job_id=record.id,
                outcome="adopted",
                task_id=exact[0].task_id,
                message=(
                    f"found task {exact[0].task_id}; `reelkit jobs resume {record.id}` finishes it"
                ),
            )
        if exact or fitting:
            # Several matches, or a list without prompts (Seedance): a choice, never a guess.
            candidates = exact or fitting
            why = (
                f"{len(candidates)} tasks match"
                if exact
                else f"{name}'s task list shows no prompts; {len(candidates)} task(s) match the "
                "model and time"
            )
            return Reconciled(
                job_id=record.id,
                outcome="ambiguous",
                candidates=tuple(t.task_id for t in candidates),
                message=f"{why}: choose one with `reelkit jobs adopt {record.id} TASK_ID`",
            )
        return Reconciled(
            job_id=record.id,
            outcome="no_match",
            message=(
                f"no task at {name} matches this job's prompt, model and time: the submit "
                "probably never arrived. Resubmit with --force if you want the video"
            ),
        )

    def result(self, record: JobRecord) -> Result:
        r = record.request
        video = record.video
        delivered = dict(record.metadata.get("delivered") or {})
        requested = {
            "duration": r.duration,
            "size": r.size,
            "fps": r.fps,
            "audio": r.audio,
            "resolution": r.resolution,
            "aspect_ratio": r.aspect_ratio,
        }
        source = r.remix_of or r.continue_from
        size = delivered.get("size") or r.size
        duration = delivered.get("duration", r.duration)
        fps = delivered.get("fps", r.fps)
        audio = delivered.get("audio", r.audio)
        warnings = tuple(
            f"{key}: delivered {delivered[key]}, asked {requested[key]}"
            for key in ("duration", "size", "fps", "audio")
            # an extension adds (or a remix keeps) a length: the file's is longer by design
            if not (key == "duration" and record.mode in ("extend", "remix"))
            and key in delivered
            and delivered[key] is not None
            and requested[key] is not None
            and not _close(key, delivered[key], requested[key])
        )
        if source is not None and not delivered and source.duration and record.mode == "remix":
            duration = source.duration  # a remix keeps its source's length
        return Result(
            job_id=record.id,
            provider=record.provider,
            model=record.model,
            mode=record.mode,
            status=record.raw_state or record.state.value,
            prompt=r.prompt,
            duration=duration,
            resolution=r.resolution,
            size=size,
            aspect_ratio=r.aspect_ratio,
            fps=_fps(fps),
            task_id=record.handle.task_id if record.handle else None,
            video_url=redact.scrub(video.url) if video else None,
            expires_at=video.expires_at if video else None,
            path=record.path,
            adjustments=record.adjustments,
            elapsed_s=record.elapsed_s,
            audio=audio,
            reused=bool(record.metadata.get("reused")),
            requested=requested,
            delivered=bool(delivered),
            warnings=warnings,
            cost=record.cost,
            billed=record.billed,
        )


def _fps(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _close(key: str, got: Any, asked: Any) -> bool:
    if key == "duration":
        return abs(float(got) - float(asked)) <= 0.5
    if key == "fps":
        return abs(float(got) - float(asked)) <= 0.5
    if key == "size":
        return str(got).lower() == str(asked).lower()
    return bool(got == asked)


def _fits(task: TaskSummary, record: JobRecord, model_names: set[str]) -> bool:
    """Could this task be the job's? Prompt (when the list shows it), model and time."""
    if task.prompt is not None and task.prompt.strip() != record.request.prompt.strip():
        return False
    if task.model is not None and task.model not in model_names:
        return False
    if task.created_at is not None:
        created = task.created_at.timestamp()
        if not (record.created_at - MATCH_BEFORE_S <= created <= record.updated_at + MATCH_AFTER_S):
            return False
    return True
