"""Shot lists and batches: validation before anything is sent, plans with costs, parallel runs
through the real engine against the emulator, resume without paying twice, extension chains."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from holding import accepted, tasks_held

from reelkit import BudgetExceeded, Client, InvalidRequest, Result
from reelkit.batch import Limiter
from reelkit.probe import probe
from reelkit.shots import load, parse, with_style

THREE = """
[defaults]
duration = 4
style = "35 mm film, warm evening light"

[[shots]]
id = "harbour"
prompt = "A harbour at dusk"
provider = "grok"

[[shots]]
id = "street"
prompt = "A rainy street"
provider = "veo"
duration = 8

[[shots]]
id = "street-long"
prompt = "The camera keeps walking"
continue_from = "street"
extend_to = 22

[[shots]]
id = "sky"
prompt = "Clouds over a field"
provider = "sora"
"""


def write(tmp_path: Path, text: str, name: str = "shots.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the file --------------------------------------------------------------------------------


def test_a_shot_list_reads_defaults_style_and_relative_paths(tmp_path: Path) -> None:
    (tmp_path / "frames").mkdir()
    shots = load(
        write(
            tmp_path,
            '[defaults]\nstyle = "noir"\naspect_ratio = "9:16"\n'
            '[[shots]]\nid = "a"\nprompt = "A cat."\nimage = "frames/a.png"\n'
            '[[shots]]\nid = "b"\nprompt = "A dog"\naspect_ratio = "1:1"\n',
        )
    )
    assert [s.id for s in shots] == ["a", "b"]
    assert shots[0].prompt == "A cat. noir" and shots[1].prompt == "A dog. noir"
    assert shots[0].options["first_frame"] == str(tmp_path / "frames" / "a.png")
    assert shots[0].options["aspect_ratio"] == "9:16" and shots[1].options["aspect_ratio"] == "1:1"


def test_the_same_structure_reads_as_json(tmp_path: Path) -> None:
    data = {"shots": [{"id": "a", "prompt": "x", "duration": 5, "extend_to": 12}]}
    (shot,) = load(write(tmp_path, json.dumps(data), "shots.json"))
    assert (shot.options["duration"], shot.extend_to) == (5.0, 12.0)


@pytest.mark.parametrize(
    ("shots", "field", "words"),
    [
        ([{"id": "a", "prompt": "x", "durration": 4}], "shots.a.durration", "not a shot option"),
        ([{"id": "a", "prompt": "x", "duration": -1}], "shots.a.duration", "duration"),
        ([{"id": "a", "prompt": "x"}, {"id": "a", "prompt": "y"}], "shots.a.id", "unique"),
        ([{"id": "a", "prompt": ""}], "shots.a.prompt", "required"),
        ([{"id": "a b", "prompt": "x"}], "shots[0].id", "not a shot id"),
        ([{"id": "a", "prompt": "x", "continue_from": "z"}], "shots.a.continue_from", "not a shot"),
        (
            [
                {"id": "a", "prompt": "x", "continue_from": "b"},
                {"id": "b", "prompt": "y", "continue_from": "a"},
            ],
            "shots.a.continue_from",
            "cycle",
        ),
        ([{"id": "a", "prompt": "x", "extend_to": "long"}], "shots.a.extend_to", "seconds"),
    ],
)
def test_every_error_names_the_shot_and_the_field(
    shots: list[dict[str, Any]], field: str, words: str
) -> None:
    with pytest.raises(InvalidRequest) as caught:
        parse({"shots": shots})
    assert caught.value.field == field and words in str(caught.value)


def test_style_joins_the_prompt_cleanly() -> None:
    assert with_style("A cat", "noir") == "A cat. noir"
    assert with_style("A cat!", " noir ") == "A cat! noir"
    assert with_style("A cat", None) == "A cat"


# --- planning --------------------------------------------------------------------------------


def test_a_plan_prices_each_shot_and_the_total_and_chains_extensions(
    reelkit_emulator: Any, tmp_path: Path
) -> None:
    shots = load(write(tmp_path, THREE))
    with Client() as client:
        planned = client.plan_many(shots)
    by_id = {s.shot.id: s for s in planned.shots}
    assert by_id["harbour"].plan.provider == "grok" and by_id["harbour"].steps == 0
    long = by_id["street-long"]
    # Veo extends by about 7 s a step: 8 + 7 = 15 for the first, one more step reaches 22.
    assert (long.plan.provider, long.plan.mode.value, long.steps, long.length) == (
        "veo", "extend", 1, 22.0,
    )  # fmt: skip
    assert long.estimated == pytest.approx(2 * long.plan.cost.estimated)  # type: ignore[union-attr]
    priced = [s.estimated for s in planned.shots]
    assert None not in priced and planned.estimated == pytest.approx(sum(priced))  # type: ignore[arg-type]
    assert sum(reelkit_emulator.stats()[p]["submits"] for p in ("grok", "veo", "sora")) == 0


def test_an_extension_beyond_the_models_limit_is_an_adjustment(reelkit_emulator: Any) -> None:
    with Client() as client:
        planned = client.plan_many(
            [{"prompt": "x", "provider": "veo", "duration": 8, "extend_to": 400}]
        )
    (item,) = planned.shots
    assert item.steps == 20 and item.length == 148.0  # Veo: 20 extensions, 148 s at most
    (adjusted,) = [a for a in item.adjustments if a.field == "extend_to"]
    assert (
        adjusted.requested == 400
        and adjusted.applied == 148.0
        and "20 extensions" in adjusted.reason
    )


def test_over_budget_the_whole_batch_sends_nothing(reelkit_emulator: Any, tmp_path: Path) -> None:
    shots = load(write(tmp_path, THREE))
    with Client() as client:
        planned = client.plan_many(shots, budget=1)
        assert planned.refused and "over the budget of $1.00" in planned.refused
        with pytest.raises(BudgetExceeded):
            client.generate_many(shots, budget=1, output_dir=tmp_path / "out")
        assert client.journal.list() == []
    assert all(v["submits"] == 0 for v in reelkit_emulator.stats().values())


# --- running ---------------------------------------------------------------------------------


def test_a_batch_across_three_providers_delivers_every_shot_and_resumes_for_free(
    reelkit_emulator: Any, tmp_path: Path
) -> None:
    shots = load(write(tmp_path, THREE))
    out = tmp_path / "out"
    with Client() as client:
        results = client.generate_many(shots, output_dir=out)
        assert all(isinstance(r, Result) for r in results), results
        submits = {p: v["submits"] for p, v in reelkit_emulator.stats().items()}
        assert submits["grok"] == 1 and submits["sora"] == 1
        assert submits["veo"] == 3  # the street, then two extensions for the long one
        paths = {s.id: Path(r.path) for s, r in zip(shots, results, strict=True)}  # type: ignore[union-attr]
        assert paths == {s.id: out / f"{s.id}.mp4" for s in shots}
        long = probe(paths["street-long"])
        assert long is not None and long.duration == pytest.approx(22, abs=0.5)
        again = client.generate_many(shots, output_dir=out)
    assert all(isinstance(r, Result) and r.reused for r in again)
    assert {p: v["submits"] for p, v in reelkit_emulator.stats().items()} == submits


def test_one_failed_shot_does_not_stop_the_others(reelkit_emulator: Any, tmp_path: Path) -> None:
    reelkit_emulator.inject("moderation", provider="sora", endpoint="submit")
    requests = [
        {"id": "ok", "prompt": "a heron", "provider": "grok", "duration": 4},
        {"id": "refused", "prompt": "a heron", "provider": "sora", "duration": 4},
        {"id": "after", "prompt": "more", "continue_from": "refused"},
    ]
    with Client() as client:
        ok, refused, after = client.generate_many(requests, output_dir=tmp_path)
    assert isinstance(ok, Result) and Path(ok.path or "").is_file()
    assert not isinstance(refused, Result) and refused.exit_code == 3
    assert isinstance(after, InvalidRequest) and "'refused' was not delivered" in str(after)


def test_a_429_at_submit_slows_the_provider_and_the_shot_still_lands(
    reelkit_emulator: Any, tmp_path: Path
) -> None:
    reelkit_emulator.inject("429", provider="grok", endpoint="submit", times=4)
    requests = [{"id": f"s{i}", "prompt": f"shot {i}", "provider": "grok"} for i in range(3)]
    with Client() as client:
        results = client.generate_many(requests, output_dir=tmp_path)
    assert all(isinstance(r, Result) for r in results), results
    stats = reelkit_emulator.stats()["grok"]
    assert stats["fault_kinds"].get("429") == 4
    assert stats["submits"] == 3  # refused submits are not counted: each shot accepted once


def test_the_limiter_halves_on_a_429_and_regains_one_success_at_a_time() -> None:
    async def scenario() -> list[int]:
        limiter = Limiter(4)
        seen = [limiter.capacity]
        await limiter.slow_down(0.0)
        seen.append(limiter.capacity)
        await limiter.slow_down(0.0)
        seen.append(limiter.capacity)
        await limiter.acquire()
        await limiter.release(ok=True)
        seen.append(limiter.capacity)
        for _ in range(5):
            await limiter.acquire()
            await limiter.release(ok=True)
        seen.append(limiter.capacity)
        return seen

    assert asyncio.run(scenario()) == [4, 2, 1, 2, 4]


def test_the_limiter_never_lets_more_than_its_capacity_run() -> None:
    async def scenario() -> int:
        limiter = Limiter(2)
        running = peak = 0

        async def job() -> None:
            nonlocal running, peak
            await limiter.acquire()
            running += 1
            peak = max(peak, running)
            await asyncio.sleep(0)
            running -= 1
            await limiter.release(ok=True)

        await asyncio.gather(*(job() for _ in range(10)))
        return peak

    assert asyncio.run(scenario()) == 2


def test_generate_many_refuses_a_running_event_loop() -> None:
    from reelkit import ReelkitError

    async def inside() -> None:
        with Client() as client, pytest.raises(ReelkitError, match=r"AsyncClient\.generate_many"):
            client.generate_many([{"prompt": "x", "provider": "local"}])

    asyncio.run(inside())


# --- the command line, as separate processes ----------------------------------------------------


BIN = Path(sys.executable).parent


def reelkit(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "reelkit"), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_batch_dry_run_shows_costs_and_a_budget_refusal_exits_2(
    reelkit_emulator: Any, tmp_path: Path
) -> None:
    path = write(tmp_path, THREE)
    env = dict(os.environ)
    shown = reelkit("batch", str(path), "--dry-run", "--json", env=env, cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    assert [s["id"] for s in data["shots"]] == ["harbour", "street", "street-long", "sky"]
    assert data["estimated"] > 0 and data["refused"] is None
    refused = reelkit("batch", str(path), "--budget", "0.5", env=env, cwd=tmp_path)
    assert refused.returncode == 2 and "over the budget of $0.50" in refused.stderr
    assert all(v["submits"] == 0 for v in reelkit_emulator.stats().values())


def test_a_batch_killed_mid_run_resumes_without_submitting_twice(
    reelkit_emulator: Any, tmp_path: Path
) -> None:
    path = write(tmp_path, THREE)
    out = tmp_path / "out"
    env = dict(os.environ)
    with tasks_held(reelkit_emulator) as release:
        proc = subprocess.Popen(
            [str(BIN / "reelkit"), "batch", str(path), "-o", str(out)],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120  # a safety net only: the loop ends on the count
        # The three independent shots are submitted; the dependent one waits for its source.
        # once the journal holds their task ids (killed mid-submit, a job would rightly stay
        # "unknown", never resubmitted: another test's subject).
        while accepted(Path(env["REELKIT_HOME"])) < 3:
            assert proc.poll() is None, "the batch ended before it was killed"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        release()
    before = {p: v["submits"] for p, v in reelkit_emulator.stats().items()}
    done = reelkit("batch", str(path), "-o", str(out), "--json", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["totals"]["delivered"] == 4
    after = {p: v["submits"] for p, v in reelkit_emulator.stats().items()}
    # Nothing submitted twice: only the dependent shot's two Veo extensions are new.
    assert after["grok"] == before["grok"] == 1 and after["sora"] == before["sora"] == 1
    assert after["veo"] == before["veo"] + 2 == 3
    for shot in manifest["shots"]:
        assert Path(shot["path"]).is_file() and shot["state"] == "delivered"


def test_batch_concat_joins_the_delivered_shots(reelkit_emulator: Any, tmp_path: Path) -> None:
    text = (
        '[defaults]\nprovider = "grok"\nduration = 3\n'
        '[[shots]]\nid = "one"\nprompt = "first"\n[[shots]]\nid = "two"\nprompt = "second"\n'
    )
    path = write(tmp_path, text)
    joined = tmp_path / "film.mp4"
    done = reelkit(
        "batch", str(path), "-o", str(tmp_path / "o"), "--concat", str(joined), "--json",
        env=dict(os.environ), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["concat"] == str(joined)
    found = probe(joined)
    assert found is not None and found.duration == pytest.approx(6, abs=0.3)


def test_generate_extend_to_makes_one_file_of_the_whole_length(
    reelkit_emulator: Any, tmp_path: Path
) -> None:
    out = tmp_path / "long.mp4"
    env = dict(os.environ)
    plan = reelkit("generate", "a long walk", "-p", "veo", "-d", "8", "--extend-to", "20",
                   "--dry-run", "--json", env=env, cwd=tmp_path)  # fmt: skip
    assert plan.returncode == 0, plan.stderr
    (item,) = json.loads(plan.stdout)["shots"]
    assert (item["steps"], item["length"]) == (2, 22.0)  # 8 s, then 7 s a step: 15, 22
    done = reelkit("generate", "a long walk", "-p", "veo", "-d", "8", "--extend-to", "20",
                   "-o", str(out), "--json", env=env, cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["path"] == str(out) and result["duration"] == pytest.approx(22, abs=0.5)
    found = probe(out)
    assert found is not None and found.duration == pytest.approx(22, abs=0.5)
    assert reelkit_emulator.stats()["veo"]["submits"] == 3
    steps = result["shot"]["steps"]  # each job with its own cost: 8 s, then two extensions
    assert [s["mode"] for s in steps] == ["t2v", "extend", "extend"]
    assert all(s["cost"]["estimated"] == pytest.approx(8 * 0.40) for s in steps)
    assert result["shot"]["cost"]["estimated"] == pytest.approx(3 * 8 * 0.40)
