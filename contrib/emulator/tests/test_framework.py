"""The framework, through a minimal demo fake: tasks, media links, faults, counters, control routes."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from reelkit_emulator import EmulatorConfig
from reelkit_emulator.config import parse_faults
from reelkit_emulator.faults import FaultInjector
from reelkit_emulator.responses import ConnectionReset

pytestmark = pytest.mark.anyio
AUTH = {"authorization": "Bearer k"}


async def submit(client: httpx.AsyncClient, prompt: str = "a cat") -> str:
    response = await client.post("/demo/tasks", json={"prompt": prompt}, headers=AUTH)
    assert response.status_code == 200, response.text
    return str(response.json()["id"])


async def test_task_walks_queued_running_succeeded(demo: httpx.AsyncClient) -> None:
    task_id = await submit(demo)
    seen = [(await demo.get(f"/demo/tasks/{task_id}")).json() for _ in range(4)]
    assert [(s["status"], s["progress"]) for s in seen] == [
        ("queued", 0),
        ("running", 67),
        ("succeeded", 100),
        ("succeeded", 100),  # terminal tasks stay terminal
    ]
    stats = (await demo.get("/_emulator/stats")).json()["demo"]
    assert (stats["submits"], stats["polls"], stats["downloads"], stats["faults"]) == (1, 4, 0, 0)


async def test_polls_to_complete_is_configurable(
    make_demo: Callable[..., httpx.AsyncClient],
) -> None:
    async with make_demo(polls_to_complete=1) as client:
        task_id = await submit(client)
        assert (await client.get(f"/demo/tasks/{task_id}")).json()["status"] == "succeeded"


async def test_rejections_are_counted_and_create_nothing(demo: httpx.AsyncClient) -> None:
    response = await demo.post("/demo/tasks", json={"prompt": "x"})
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "missing key"
    assert (await demo.get("/demo/tasks/nope")).status_code == 404
    stats = (await demo.get("/_emulator/stats")).json()["demo"]
    assert stats["submits"] == 0 and stats["rejected"] == 2 and stats["requests"] == 2


async def test_media_link_serves_real_mp4_and_expires(demo: httpx.AsyncClient) -> None:
    task_id = await submit(demo)
    for _ in range(3):
        body = (await demo.get(f"/demo/tasks/{task_id}")).json()
    video = await demo.get(body["url"])
    assert video.status_code == 200
    assert video.headers["content-type"] == "video/mp4"
    assert video.content[4:8] == b"ftyp"
    tampered = body["url"].replace("token=", "token=0")
    assert (await demo.get(tampered)).status_code == 403
    await demo.post("/_emulator/clock", params={"advance": 7200})
    expired = await demo.get(body["url"])
    assert expired.status_code == 403
    assert b"Request has expired" in expired.content
    stats = (await demo.get("/_emulator/stats")).json()["demo"]
    assert stats["downloads"] == 1 and stats["rejected"] == 2


async def test_scheduled_faults(demo: httpx.AsyncClient) -> None:
    emulator = demo.app.state.emulator  # type: ignore[attr-defined]
    emulator.faults.schedule("429", provider="demo", endpoint="submit")
    emulator.faults.schedule("malformed", endpoint="poll")
    limited = await demo.post("/demo/tasks", json={"prompt": "x"}, headers=AUTH)
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "1"
    task_id = await submit(demo)
    garbled = await demo.get(f"/demo/tasks/{task_id}")
    assert garbled.status_code == 200
    with pytest.raises(ValueError, match="Unterminated"):
        garbled.json()
    emulator.faults.schedule("reset")
    with pytest.raises(httpx.TransportError):
        await demo.get(f"/demo/tasks/{task_id}")
    stats = (await demo.get("/_emulator/stats")).json()["demo"]
    assert stats["submits"] == 1  # the faulted submit created nothing
    assert stats["fault_kinds"] == {"429": 1, "malformed": 1, "reset": 1}
    assert stats["polls"] == 0


async def test_moderation_fault_ends_the_task_failed(demo: httpx.AsyncClient) -> None:
    demo.app.state.emulator.faults.schedule("moderation")  # type: ignore[attr-defined]
    task_id = await submit(demo)
    statuses = [(await demo.get(f"/demo/tasks/{task_id}")).json()["status"] for _ in range(3)]
    assert statuses[-1] == "failed"
    stats = (await demo.get("/_emulator/stats")).json()["demo"]
    assert stats["submits"] == 1 and stats["fault_kinds"] == {"moderation": 1}


async def test_prompt_markers_force_outcomes(demo: httpx.AsyncClient) -> None:
    task_id = await submit(demo, "a cat [emulator:fail]")
    for _ in range(3):
        status = (await demo.get(f"/demo/tasks/{task_id}")).json()["status"]
    assert status == "failed"


async def test_random_faults_are_deterministic_and_counters_add_up(
    make_demo: Callable[..., httpx.AsyncClient],
) -> None:
    async def run() -> tuple[list[object], dict[str, object]]:
        outcomes: list[object] = []
        async with make_demo(fault_rate=0.3, faults="429,500,reset,malformed", seed=7) as client:
            for i in range(60):
                try:
                    if i % 3 == 0:
                        r = await client.post("/demo/tasks", json={"prompt": "p"}, headers=AUTH)
                    else:
                        r = await client.get("/demo/tasks")
                    outcomes.append(
                        r.status_code if r.headers.get("content-length") != "8" else "bad"
                    )
                except httpx.TransportError:
                    outcomes.append("reset")
            stats = client.app.state.emulator.stats.snapshot()["demo"]  # type: ignore[attr-defined]
        return outcomes, stats

    first, stats = await run()
    second, _ = await run()
    assert first == second
    assert stats["faults"] > 0
    assert stats["requests"] == 60
    assert stats["requests"] == (
        stats["submits"]
        + stats["polls"]
        + stats["downloads"]
        + stats["faults"]
        + stats["rejected"]
        + stats["other"]
    )
    assert stats["submits"] == first[::3].count(200)


def test_fault_streams_are_per_provider() -> None:
    a = FaultInjector(0.5, ["429", "500"], seed=3)
    b = FaultInjector(0.5, ["429", "500"], seed=3)
    seq_a = [a.draw("sora", "poll") for _ in range(20)]
    for _ in range(5):
        b.draw("veo", "poll")  # another provider's traffic does not shift sora's faults
    assert [b.draw("sora", "poll") for _ in range(20)] == seq_a


def test_fault_applicability() -> None:
    injector = FaultInjector(1.0, ["expired"], seed=0)
    assert injector.draw("x", "poll") is None
    assert injector.draw("x", "download") == "expired"
    with pytest.raises(ValueError, match="does not apply"):
        injector.schedule("moderation", endpoint="poll")


def test_config_validation() -> None:
    assert parse_faults("429, reset,429") == ("429", "reset")
    with pytest.raises(ValueError, match="unknown fault"):
        EmulatorConfig(faults="teapot")
    with pytest.raises(ValueError, match="fault_rate"):
        EmulatorConfig(fault_rate=1.5)


async def test_control_routes(demo: httpx.AsyncClient) -> None:
    info = (await demo.get("/_emulator")).json()
    assert info["providers"]["demo"] == {"prefix": "/demo", "env": "REELKIT_DEMO_BASE_URL"}
    changed = await demo.post("/_emulator/faults", json={"rate": 0.5, "faults": ["500"], "seed": 2})
    assert changed.json() == {"rate": 0.5, "faults": ["500"], "seed": 2}
    bad = await demo.post("/_emulator/faults", json={"faults": ["teapot"]})
    assert bad.status_code == 400
    await demo.post("/_emulator/reset")
    assert (await demo.get("/_emulator/faults")).json()["rate"] == 0.0
    blob = await demo.get("/_emulator/blob", params={"bytes": 3_000_000})
    assert len(blob.content) == 3_000_000
    assert (await demo.get("/_emulator/blob", params={"bytes": "x"})).status_code == 400


def test_connection_reset_is_an_httpx_transport_error() -> None:
    assert issubclass(ConnectionReset, httpx.TransportError)
