"""The benchmark page's arithmetic: targets judged from given results, never a timing.

Nothing here runs or times a benchmark: each test hands ``targets``/``report.render`` a small
results record written out by hand (the shape ``run.py`` stores in ``results/latest.json``)
and checks what the page says about it.
"""

from __future__ import annotations

import copy
from typing import Any

from tests.benchmarks import report, targets


def fan(client: str, n: int, cpu_ms: float, rss: float = 60, stall: float = 10) -> dict[str, Any]:
    return {
        "client": client,
        "n": n,
        "ok": n,
        "cpu_s": cpu_ms * n / 1000,
        "cpu_ms_per_job": cpu_ms,
        "cpu_s_runs": [cpu_ms * n / 1000],
        "wall_s": 2.0,
        "peak_rss_mb": rss,
        "rss_ready_mb": 45,
        "submits_per_job": 1.0,
        "polls_per_job": 3.0,
        "downloads_per_job": 1.0,
        "setup_cpu_s": 0.2,
        "first_job_cpu_s": 0.15,
        "loop_lag_max_ms": stall,
        "loop_lag_p99_ms": stall / 2,
    }


def waiting_row(label: str, rss: float, per_poll: float) -> dict[str, Any]:
    return {
        "client": label,
        "submit_s": 30.0,
        "submit_cpu_s": 20.0,
        "polls_per_s": 495.0,
        "ideal_polls_per_s": 500.0,
        "window_polls": 19800,
        "cpu_ms_per_poll": per_poll,
        "cpu_share": 0.3,
        "rss_ready_mb": 50.0,
        "rss_mb": rss,
        "peak_rss_mb": rss + 5,
        "loop_lag_max_ms": 15.0,
        "loop_lag_p99_ms": 5.0,
        "server_cpu_s": 12.0,
        "ended_early": 0,
        "error": None,
    }


def download(mb_s: float, growth: float) -> dict[str, Any]:
    return {
        "mb_s": mb_s,
        "seconds": 500 / mb_s,
        "cpu_s": 0.6,
        "mb_s_runs": [round(mb_s)],
        "rss_growth_mb": growth,
        "rss_peak_mb": 70.0,
        "rounds": 1,
        "transport": ["AiohttpTransport"],
    }


def cli(command: str, cpu_ms: float) -> dict[str, Any]:
    return {"command": command, "wall_s": cpu_ms / 1000, "cpu_s": cpu_ms / 1000, "runs": 5}


RESULTS: dict[str, Any] = {
    "machine": {
        "date": "2026-12-02 18:00 UTC",
        "os": "Linux",
        "cpu": "a CPU",
        "cores": 2,
        "memory": "8 GiB",
        "python": "3.11.7",
        "versions": {},
    },
    "config": {"polls_to_complete": 3, "poll_interval_s": 0.5, "sizes": [1000]},
    "baseline": {"rev": "1ceff39", "label": "reelkit@1ceff39", "commit": "1ceff39 before"},
    "imports": {
        "modules": [
            {
                "module": "reelkit",
                "import_s": 0.05,
                "process_s": 0.08,
                "importtime_s": 0.05,
                "runs": 5,
            }
        ],
        "cli": [
            cli("reelkit providers --json", 150),
            cli("reelkit capabilities veo --json", 160),
            cli("reelkit generate --dry-run --json -p jimeng", 300),
            cli("python -c 'import httpx' (the HTTP stack alone)", 120),
        ],
        "providers_installed": 13,
    },
    "fanout": [
        fan("reelkit", 1000, 5.0, rss=70, stall=25),
        fan("reelkit-httpx", 1000, 10.0),
        fan("reelkit-pg", 1000, 6.0, rss=75),
        fan("reelkit@1ceff39", 1000, 11.0),
        fan("litellm", 1000, 8.0, rss=250),
        fan("httpx-floor", 1000, 7.0),
    ],
    "waiting": {
        "n": 10000,
        "interval_s": 20.0,
        "settle_intervals": 3.0,
        "rows": {
            "reelkit": waiting_row("reelkit", 250.0, 0.5),
            "reelkit-httpx": waiting_row("reelkit-httpx", 320.0, 1.4),
        },
    },
    "download": {
        "bytes": 500 << 20,
        "tools": {
            "curl": download(800.0, 22.0),
            "reelkit": download(760.0, 3.0),
            "reelkit-httpx": download(480.0, 40.0),
        },
    },
}


# Spelled in pieces: no tracked file may point at a path outside the repository.
TMP, WORK = "/" + "tmp/", "/wo" + "rk/"


def judged() -> dict[str, list[str]]:
    return {row[0]: row for row in targets.targets(RESULTS)}


def test_the_targets_table_lists_the_issues_targets_and_nothing_else() -> None:
    names = list(judged())
    assert len(names) == 13
    for needle in (
        "/ LiteLLM's",
        "/ the bare-httpx floor's",
        "peak RSS",
        "polls per job",
        "worst stall",
        "PostgreSQL",
        "waiting jobs in one process: RSS",
        "waiting jobs: CPU per poll",
        "`reelkit providers --json`",
        "`reelkit capabilities veo --json`",
        "`reelkit generate --dry-run --json -p jimeng`",
        "throughput / curl's",
        "RSS growth",
    ):
        assert sum(needle in name for name in names) == 1, needle


def test_each_target_shows_the_ratio_and_the_two_figures_and_its_verdict_per_wire() -> None:
    rows = judged()
    lite = rows["fan-out CPU per job at N = 1,000 (SQLite journal) / LiteLLM's"]
    # target, goal, then (measured, verdict) for reelkit and for reelkit-httpx
    assert lite[1:] == [
        "<= 0.85",
        "0.62 (5.0 / 8.0 ms)",
        "met",
        "1.25 (10.0 / 8.0 ms)",
        "**missed**",
    ]
    stall = rows["loop-lag probe, worst stall at N = 1,000"]
    assert stall[2:] == ["25.0 ms", "**missed**", "10.0 ms", "met"]
    polls = rows["polls per job at N = 1,000"]
    assert polls[2:4] == ["3.00", "met"]
    wait = rows["10,000 waiting jobs in one process: RSS (current, peak)"]
    assert wait[3] == "met" and wait[5] == "**missed**"  # peak 255 MB vs 325 MB
    growth = rows["500 MB download, RSS growth"]
    assert growth[2:] == ["3.0 MB", "met", "40.0 MB", "**missed**"]


def test_start_up_and_postgresql_are_judged_once_not_per_wire() -> None:
    rows = judged()
    jimeng = next(r for name, r in rows.items() if "-p jimeng" in name)
    assert jimeng[2:] == ["2.50 (300 / 120 ms)", "**missed**", "—", "—"]
    pg = next(r for name, r in rows.items() if "PostgreSQL" in name)
    assert pg[2] == "6.0 ms CPU/job, 75 MB; 1.20 of SQLite's (5.0 ms)"
    assert pg[3] == "reported" and pg[4:] == ["—", "—"]


def test_a_run_without_postgresql_or_waiting_still_renders_and_says_so() -> None:
    partial = copy.deepcopy(RESULTS)
    partial["fanout"] = [r for r in partial["fanout"] if r["client"] != "reelkit-pg"]
    del partial["waiting"]
    partial["postgres_error"] = "no PostgreSQL binaries in /usr/lib/postgresql/16/bin"
    page = report.render(partial, plot_written=False)
    assert "## 3. The same fan-out on the PostgreSQL journal" not in page
    judged = {r[0]: r for r in targets.targets(partial)}
    pg = next(r for name, r in judged.items() if "PostgreSQL" in name)
    assert pg[2:4] == ["not measured in this run", "—"]
    rss = judged["10,000 waiting jobs in one process: RSS (current, peak)"]
    assert rss[2:] == ["not measured in this run", "—", "—", "—"]
    assert "/usr/lib" not in page  # the error is quoted without this machine's paths


def test_the_page_quotes_no_path_of_the_machine_it_ran_on() -> None:
    failing = copy.deepcopy(RESULTS)
    failing["fanout"].append(
        {"client": "openai", "n": 1000, "ok": 0, "error": f"boom in {TMP}reelkit-bench-x/a.py"}
    )
    failing["waiting"]["rows"]["reelkit"] = {"error": f"worker died: {WORK}wt/core/src/x.py:1"}
    page = report.render(failing, plot_written=False)
    assert "boom in …/a.py" in page and "worker died: …/x.py:1" in page
    assert TMP not in page and WORK not in page


def test_what_each_change_bought_divides_the_neighbouring_columns() -> None:
    page = report.render(RESULTS, plot_written=False)
    row = next(
        line
        for line in page.splitlines()
        if line.startswith("| fan-out CPU per job at N = 1,000, ms")
    )
    # baseline 11.0, reelkit-httpx 10.0, reelkit 5.0 -> 10/11 and 5/10
    assert row == "| fan-out CPU per job at N = 1,000, ms | 11.0 | 10.0 | 5.0 | 0.91 | 0.50 |"
