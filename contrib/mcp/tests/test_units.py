"""The parts that need no server: schema derivation, progress values, guardrails, the CLI verb."""

from __future__ import annotations

import subprocess
import sys
import typing
from pathlib import Path
from typing import Any

import attrs
import pytest

from reelkit.arguments import Ask
from reelkit.budget import Budget
from reelkit.models import JobEvent, JobState
from reelkit_mcp import schema, server
from reelkit_mcp.guard import Guard, Refused
from reelkit_mcp.service import Progress


def test_every_ask_field_is_a_parameter_or_deliberately_excluded() -> None:
    names = [p.name for p in schema.parameters()]
    fields = [f.name for f in attrs.fields(Ask)]
    assert names == [f for f in fields if f not in schema.EXCLUDED]
    assert set(schema.EXCLUDED) <= set(fields)
    for field in attrs.fields(Ask):
        schema.python_type(field)  # a kind this module cannot map fails here, not in production


def test_an_unknown_kind_is_refused() -> None:
    @attrs.frozen
    class Odd:
        x: object = attrs.field(default=None, metadata={"kind": "hologram"})

    with pytest.raises(TypeError, match="hologram"):
        schema.python_type(attrs.fields(Odd).x)


def test_state_filter_matches_the_journal_states() -> None:
    states = {s.value for s in JobState if s is not JobState.UNRECOGNISED}
    assert set(typing.get_args(server.State)) == states


def test_options_drop_unset_values() -> None:
    prompt, options = schema.options(
        {"prompt": "a cat", "duration": None, "reference_images": ["a.png"], "wait": True}
    )
    assert prompt == "a cat"
    assert options == {"reference_images": ("a.png",)}


async def _collect(events: list[JobEvent]) -> list[float]:
    values: list[float] = []

    async def report(value: float, total: float | None, message: str | None) -> None:
        assert total == 1.0 and message
        values.append(value)

    progress = Progress(report)
    for event in events:
        await progress(event)
    return values


def _event(kind: str, state: JobState | None = None, progress: float | None = None) -> JobEvent:
    return JobEvent(
        kind=kind, job_id="rk_1", provider="sora", model="sora-2", state=state, progress=progress
    )


@pytest.mark.anyio
async def test_progress_strictly_increases_and_ends_at_one() -> None:
    events = [_event("submitted", JobState.SUBMITTED)]
    events += [_event("polled", JobState.QUEUED) for _ in range(200)]  # a long queue
    events += [_event("polled", JobState.RUNNING, p / 10) for p in (0, 0, 3, 2, 5, 9)]
    events += [_event("retry", JobState.RUNNING)]
    events += [_event(k, JobState.SUCCEEDED) for k in ("succeeded", "downloading")]
    events += [_event("downloaded", JobState.DOWNLOADED)]
    values = await _collect(events)
    assert values == sorted(set(values))  # strictly increasing
    assert values[-1] == 1.0
    assert all(v < 0.9 for v in values[:-3])  # never near done before the provider is


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _plan(estimated: float | None, currency: str = "USD") -> Any:
    from reelkit.capabilities import Mode
    from reelkit.models import Plan, VideoRequest
    from reelkit.pricing import CostEstimate

    cost = CostEstimate(estimated=estimated, currency=currency, basis="test")
    return Plan(
        provider="sora",
        model="sora-2",
        mode=Mode.T2V,
        request=VideoRequest(prompt="x"),
        adjustments=(),
        cost=cost,
    )


def test_reservations_hold_the_budget_until_released(tmp_path: Path) -> None:
    guard = Guard(output_dir=tmp_path, budget=Budget(1.0))
    first = guard.reserve(_plan(0.6))
    with pytest.raises(Refused, match=r"\$0\.60.*\$0\.40"):  # concurrent: the 0.6 is held
        guard.reserve(_plan(0.6))
    guard.release(first)
    second = guard.reserve(_plan(0.6))
    guard.commit(second, _plan(0.6))
    assert guard.committed == pytest.approx(0.6)
    assert guard.remaining == pytest.approx(0.4)
    with pytest.raises(Refused, match="unknown"):
        guard.reserve(_plan(None))  # fails closed
    with pytest.raises(Refused, match="exchange rate"):
        guard.reserve(_plan(0.1, "CNY"))


def test_unpriced_jobs_pass_only_when_the_operator_allows(tmp_path: Path) -> None:
    guard = Guard(output_dir=tmp_path, max_cost_per_job=Budget(1.0), allow_unpriced=True)
    token = guard.reserve(_plan(None))
    guard.commit(token, _plan(None))
    assert guard.unpriced == 1


def test_outputs_stay_inside_the_output_directory(tmp_path: Path) -> None:
    root = (tmp_path / "out").resolve()
    guard = Guard(output_dir=root)
    assert guard.output(None) == f"{root}/"
    assert guard.output("clip.mp4") == str(root / "clip.mp4")
    assert guard.output("day1/") == f"{root / 'day1'}/"
    assert guard.output(str(root / "a.mp4")) == str(root / "a.mp4")
    for outside in ("../x.mp4", "/etc/x.mp4", str(tmp_path / "x.mp4")):
        with pytest.raises(Refused, match="outside"):
            guard.output(outside)


def test_the_reelkit_cli_finds_the_verb_through_the_hook() -> None:
    # A fresh process: the CLI loads plugin verbs lazily, through reelkit_register_commands.
    done = subprocess.run(
        [sys.executable, "-c", "from reelkit_cli.main import main; main(['mcp', '--help'])"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Model Context Protocol" in done.stdout
    assert "--max-cost-per-job" in done.stdout and "--budget" in done.stdout


def test_importing_reelkit_or_the_plugin_does_not_import_mcp() -> None:
    code = (
        "import sys, reelkit, reelkit_mcp.plugin; "
        "assert not [m for m in sys.modules if m == 'mcp' or m.startswith('mcp.')], 'mcp imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
