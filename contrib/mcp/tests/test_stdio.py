"""End to end over stdio: the SDK's client, ``python -m reelkit_mcp`` as a subprocess, the
provider emulator behind it. Nothing is mocked."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest

from reelkit import probe
from reelkit.arguments import ASK_FIELDS
from reelkit_emulator.server import RunningServer
from reelkit_mcp import schema

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

CALLBACK_SAFETY_S = 60.0

TOOLS = {
    "list_providers",
    "get_capabilities",
    "plan_video",
    "generate_video",
    "get_job",
    "wait_for_job",
    "list_jobs",
    "cancel_job",
    "get_budget",
    "run_shot_list",
}


def data(result: Any) -> dict[str, Any]:
    assert not result.is_error, result.content[0].text
    value: dict[str, Any] = result.structured_content
    # The same data is there as JSON text, for clients that read only content.
    assert any(
        getattr(c, "text", None) == json.dumps(value, ensure_ascii=False) for c in result.content
    )
    return value


def error_text(result: Any) -> str:
    assert result.is_error, result
    return " ".join(getattr(c, "text", "") for c in result.content)


async def test_tools_their_schemas_and_a_plan(
    connect: Any, reelkit_emulator: RunningServer, canaries: dict[str, str]
) -> None:
    async with connect() as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        result = await client.call_tool(
            "plan_video", {"prompt": "a lighthouse at dusk", "provider": "sora", "duration": 8}
        )
    assert set(tools) == TOOLS
    for tool in tools.values():
        assert tool.output_schema is not None, tool.name
        assert tool.description, tool.name
    generate = tools["generate_video"].input_schema
    assert generate["required"] == ["prompt"]
    # Every request field of reelkit's one schema, but those kept from agents, plus `wait`.
    expected = [f for f in ASK_FIELDS if f not in schema.EXCLUDED]
    assert list(generate["properties"]) == [*expected, "wait"]
    plan_schema = tools["plan_video"].input_schema
    assert set(plan_schema["properties"]) == set(expected) - {"output", "timeout"}
    assert tools["wait_for_job"].input_schema["required"] == ["job_id"]
    assert "path" in tools["generate_video"].output_schema["properties"]

    # The plan: provider, cost, the redacted request; nothing sent.
    plan = data(result)
    assert plan["provider"] == "sora"
    assert plan["cost"]["estimated"] == pytest.approx(0.8)
    assert plan["cost"]["currency"] == "USD"
    assert plan["refused"] is None
    assert plan["http"]["method"] == "POST"
    assert canaries["OPENAI_API_KEY"] not in json.dumps(plan)
    assert plan["http"]["headers"]["authorization"].endswith("***")
    assert reelkit_emulator.stats()["sora"]["submits"] == 0


async def test_generate_and_wait_gives_a_playable_file(
    connect: Any, reelkit_emulator: RunningServer, output_dir: Path
) -> None:
    progress: list[tuple[float, float | None, str | None]] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append((value, total, message))

    async with connect() as client:
        result = await client.call_tool(
            "generate_video",
            {"prompt": "a lighthouse at dusk", "provider": "sora", "duration": 4, "wait": True},
            progress_callback=on_progress,
        )
    job = data(result)
    assert job["status"] == "downloaded"
    assert job["done"] is True
    path = Path(job["path"])
    assert path.is_file()
    assert output_dir.resolve() in path.parents
    delivered = probe.probe(path)
    assert delivered is not None and delivered.duration and delivered.duration > 0
    assert job["delivered"] is True
    assert job["duration"] == pytest.approx(delivered.duration, abs=0.3)
    assert job["size"] == delivered.size
    assert job["fps"]
    assert job["video_url"].startswith("http")
    assert job["expires_at"]
    assert job["cost"]["estimated"] == pytest.approx(0.4)
    links = [c for c in result.content if c.type == "resource_link"]
    assert len(links) == 1
    assert str(links[0].uri) == path.as_uri() == job["uri"]
    assert links[0].mime_type == "video/mp4"
    # Progress notifications came, each larger than the last (as the protocol requires), up
    # to 1.0 for the downloaded file. The client runs its callbacks as tasks, which may still
    # be pending when call_tool returns: give them their turn (the limit is only a safety net).
    with anyio.fail_after(CALLBACK_SAFETY_S):
        while not progress or progress[-1][0] < 1.0:
            await anyio.sleep(0.01)
    values = [p[0] for p in progress]
    assert values == sorted(set(values))
    assert all(total == 1.0 and message for _, total, message in progress)
    assert reelkit_emulator.stats()["sora"]["submits"] == 1


async def test_background_job_finished_by_wait_for_job(
    connect: Any, reelkit_emulator: RunningServer
) -> None:
    async with connect() as client:
        submitted = data(
            await client.call_tool(
                "generate_video", {"prompt": "a paper boat", "provider": "grok", "duration": 5}
            )
        )
        job_id = submitted["job_id"]
        assert submitted["status"] in ("submitted", "queued", "running", "succeeded", "downloaded")
        assert submitted["task_id"]
        finished = data(
            await client.call_tool("wait_for_job", {"job_id": job_id, "timeout_s": 600})
        )
        again = data(await client.call_tool("get_job", {"job_id": job_id}))
        listed = data(await client.call_tool("list_jobs", {"limit": 5}))
        downloaded = data(await client.call_tool("list_jobs", {"state": "downloaded"}))
    assert finished["job_id"] == job_id
    assert finished["status"] == "downloaded"
    assert Path(finished["path"]).is_file()
    assert again["path"] == finished["path"]
    assert [j["job_id"] for j in listed["jobs"]] == [job_id]
    assert [j["job_id"] for j in downloaded["jobs"]] == [job_id]
    assert reelkit_emulator.stats()["grok"]["submits"] == 1


async def test_identical_calls_are_paid_once(connect: Any, reelkit_emulator: RunningServer) -> None:
    request = {"prompt": "a red kite over dunes", "provider": "sora", "duration": 4}
    async with connect() as client:
        first = data(await client.call_tool("generate_video", request))
        # While the first is still under way (or just done): the same job, not a second submit.
        second = data(await client.call_tool("generate_video", {**request, "wait": True}))
        third = data(await client.call_tool("generate_video", {**request, "wait": True}))
    assert second["job_id"] == first["job_id"]
    assert first["reused"] is False
    assert second["reused"] is True and third["reused"] is True
    assert third["path"] == second["path"]
    assert reelkit_emulator.stats()["sora"]["submits"] == 1


async def test_budget_refuses_sending_nothing_counts_jobs_and_reuse_is_free(
    connect: Any, reelkit_emulator: RunningServer
) -> None:
    storm = {"prompt": "a storm at sea", "provider": "sora", "duration": 8}
    harbour = {"prompt": "a quiet harbour", "provider": "sora", "duration": 4, "wait": True}
    async with connect("--budget", "0.6") as client:
        refused = await client.call_tool("generate_video", storm)
        plan = data(await client.call_tool("plan_video", storm))
        jobs = data(await client.call_tool("list_jobs", {}))
        sent = reelkit_emulator.stats()["sora"]["submits"]
        made = data(await client.call_tool("generate_video", harbour))
        budget = data(await client.call_tool("get_budget", {}))
        over = await client.call_tool(
            "generate_video", {"prompt": "a loud harbour", "provider": "sora", "duration": 4}
        )
        # The identical request again: the video exists, so it costs nothing and is served.
        reused = data(await client.call_tool("generate_video", harbour))
        after = data(await client.call_tool("get_budget", {}))
    text = error_text(refused)
    assert text.startswith("BudgetExceeded")
    assert "$0.80" in text and "$0.60" in text  # the estimate and the limit
    assert "nothing was sent" in text
    assert "remaining budget" in plan["refused"]
    assert jobs["jobs"] == []  # not even journalled
    assert sent == 0
    assert budget["committed"] == pytest.approx(0.4)
    assert budget["remaining"] == pytest.approx(0.2)
    text = error_text(over)
    assert "$0.40" in text and "$0.20" in text
    assert reused["path"] == made["path"] and reused["reused"] is True
    assert after["committed"] == pytest.approx(0.4)
    assert reelkit_emulator.stats()["sora"]["submits"] == 1


async def test_per_job_limit_unpriced_providers_and_outputs(
    connect: Any, reelkit_emulator: RunningServer, tmp_path: Path
) -> None:
    async with connect("--max-cost-per-job", "0.3", "--allow-provider", "sora,jimeng") as client:
        listed = data(await client.call_tool("list_providers", {}))
        over = await client.call_tool(
            "generate_video", {"prompt": "a fox", "provider": "sora", "duration": 4}
        )
        unpriced = await client.call_tool(
            "generate_video", {"prompt": "a fox", "provider": "jimeng"}
        )
        other = await client.call_tool("generate_video", {"prompt": "a fox", "provider": "grok"})
        caps = await client.call_tool("get_capabilities", {"provider": "xai"})
        outside = await client.call_tool(
            "generate_video",
            {
                "prompt": "a fox",
                "provider": "sora",
                "duration": 4,
                "output": str(tmp_path / "x.mp4"),
            },
        )
    assert [p["name"] for p in listed["providers"]] == ["sora", "jimeng"]
    text = error_text(over)
    assert "$0.40" in text and "$0.30" in text and "per-job limit" in text
    assert "unknown" in error_text(unpriced)  # fails closed: no published price
    assert "not allowed" in error_text(other)
    assert "not allowed" in error_text(caps)
    assert "outside the server's output directory" in error_text(outside)
    stats = reelkit_emulator.stats()
    assert stats["sora"]["submits"] == stats["jimeng"]["submits"] == stats["grok"]["submits"] == 0


async def test_cancel_a_queued_job(connect: Any, reelkit_emulator: RunningServer) -> None:
    # A long poll interval keeps the task queued at the emulator until it is cancelled.
    async with connect(env={"REELKIT_POLL_INTERVAL": "600"}) as client:
        job = data(
            await client.call_tool(
                "generate_video", {"prompt": "a slow tide", "provider": "seedance", "duration": 5}
            )
        )
        cancelled = data(await client.call_tool("cancel_job", {"job_id": job["job_id"]}))
        shown = data(await client.call_tool("get_job", {"job_id": job["job_id"]}))
        waited = await client.call_tool("wait_for_job", {"job_id": job["job_id"]})
    assert cancelled["status"] == "cancelled" and cancelled["done"] is True
    assert shown["status"] == "cancelled"
    assert "cancelled" in error_text(waited)


async def test_no_credential_in_any_response_or_log(
    connect: Any,
    reelkit_emulator: RunningServer,
    canaries: dict[str, str],
    server_log: Callable[[], str],
) -> None:
    seen: list[str] = []
    async with connect() as client:
        seen.append((await client.list_tools()).model_dump_json())
        for name, arguments in [
            ("list_providers", {}),
            ("get_capabilities", {"provider": "grok"}),
            ("plan_video", {"prompt": "a comet", "provider": "grok", "duration": 5}),
            (
                "generate_video",
                {"prompt": "a comet", "provider": "grok", "duration": 5, "wait": True},
            ),
            ("list_jobs", {}),
            ("get_budget", {}),
            ("generate_video", {"prompt": "a comet", "provider": "nope"}),
            ("get_job", {"job_id": "rk_missing"}),
        ]:
            seen.append((await client.call_tool(name, arguments)).model_dump_json())
    log = server_log()
    assert "DEBUG" in log  # the chattiest level was on
    for secret in canaries.values():
        assert not any(secret in text for text in seen)
        assert secret not in log
    assert reelkit_emulator.stats()["grok"]["submits"] == 1


SHOTS = [
    {"id": "harbour", "prompt": "A harbour at dusk", "provider": "grok", "duration": 4},
    {"id": "street", "prompt": "A rainy street", "provider": "veo", "duration": 8},
    {
        "id": "street-long",
        "prompt": "She keeps walking",
        "continue_from": "street",
        "extend_to": 15,
    },
]


async def test_a_shot_list_runs_in_parallel_resumes_for_free_and_respects_the_budget(
    connect: Any, reelkit_emulator: RunningServer, output_dir: Path, canaries: dict[str, str]
) -> None:
    async with connect("--budget", "1") as client:
        refused = await client.call_tool("run_shot_list", {"shots": SHOTS, "name": "film"})
        assert "over the server's remaining budget" in error_text(refused)
        assert all(v["submits"] == 0 for v in reelkit_emulator.stats().values())
    async with connect() as client:
        first = data(await client.call_tool("run_shot_list", {"shots": SHOTS, "name": "film"}))
        again = data(await client.call_tool("run_shot_list", {"shots": SHOTS, "name": "film"}))
    assert (first["delivered"], first["failed"]) == (3, 0)
    by_id = {s["id"]: s for s in first["shots"]}
    assert Path(by_id["street-long"]["path"]).parent == output_dir / "film"
    long = probe.probe(by_id["street-long"]["path"])
    assert long is not None and long.duration == pytest.approx(15, abs=0.5)
    assert by_id["street-long"]["uri"].startswith("file://")
    assert first["estimated"] is not None and first["currency"] == "USD"
    # The second call bought nothing: every shot reused, the emulator saw no new submit.
    assert all(s["reused"] for s in again["shots"])
    stats = reelkit_emulator.stats()
    assert (stats["grok"]["submits"], stats["veo"]["submits"]) == (1, 2)
    assert not any(c in json.dumps(first) for c in canaries.values())
