"""Run every benchmark and write docs/benchmarks.md (and docs/benchmarks.png).

    uv run --group bench python -m tests.benchmarks            # the full run (~20 min)
    uv run --group bench python -m tests.benchmarks --quick    # N = 10, 100; 1,000 waiting (~6 min)

On a 2-core machine the full run's longest phases are the fan-out (seven variants at N = 10,
100 and 1,000, two rounds: about 7 min) and the 10,000 waiting jobs (two wires: about 4 min);
``--skip`` leaves phases out, and the page says which ran and how long each took.

Raw results go to tests/benchmarks/results/latest.json (the report can be rebuilt from it with
``--report-only``). Nothing here is a pass/fail test: targets are reported, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.benchmarks import (
    bench_download,
    bench_fanout,
    bench_imports,
    bench_overhead,
    bench_service,
    bench_waiting,
    report,
)
from tests.benchmarks.common import (
    ROOT,
    Variant,
    baseline_core,
    describe_rev,
    emulator,
    machine,
    tree_state,
)
from tests.benchmarks.profiling import pyspy_download, pyspy_fanout, tracemalloc_fanout

RESULTS = ROOT / "tests" / "benchmarks" / "results" / "latest.json"

#: The emulator's schedule for fan-out: terminal at the 3rd poll, poll hint 500 ms (and
#: REELKIT_POLL_INTERVAL / LiteLLM's loop sleep matched to it).
POLLS = 3
INTERVAL_S = 0.5

#: The core before the performance issue (its journal writes per poll, its reference cycles,
#: httpx as the only wire): measured side by side with today's core, so the report shows what
#: the changes bought. ``--baseline REV`` picks another.
BASELINE = "1ceff39"

#: Waiting jobs: the polls per second the emulator is asked to hint for (N / this = the poll
#: interval, at least 2 s). At 10,000 jobs a 5 s hint would ask for 2,000 polls a second, more
#: than the httpx wire and the emulator together can serve on two shared cores; the window would
#: then measure a saturated loop instead of steady waiting.
WAITING_POLLS_PER_S = 500


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="N = 10, 100 and fewer repeats")
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=None)
    parser.add_argument("--download-mb", type=int, default=500)
    parser.add_argument(
        "--skip",
        default="",
        help="comma list: imports,fanout,postgres,waiting,download,overhead,profile,service",
    )
    parser.add_argument(
        "--waiting-jobs",
        type=int,
        default=None,
        help="jobs waiting in one process (10000; quick 1000)",
    )
    parser.add_argument(
        "--service-jobs", type=int, default=None, help="jobs through the workers (5000; quick 200)"
    )
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument(
        "--baseline",
        default=BASELINE,
        help="a git revision whose core also runs the fan-out and download ('' for none)",
    )
    parser.add_argument(
        "--report-only", action="store_true", help="rebuild the report from --results"
    )
    args = parser.parse_args(argv)

    if args.report_only:
        report.write(json.loads(args.results.read_text()), args.output)
        log(f"wrote {args.output}")
        return 0

    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    sizes = args.sizes or ([10, 100] if args.quick else [10, 100, 1000])
    waiting_n = args.waiting_jobs or (1000 if args.quick else 10_000)
    started = time.monotonic()
    data: dict[str, Any] = {
        "machine": machine(),
        "tree_before": tree_state(),
        "quick": args.quick,
        "config": {"polls_to_complete": POLLS, "poll_interval_s": INTERVAL_S, "sizes": sizes},
    }
    log(
        f"machine: {data['machine']['cpu']} x{data['machine']['cores']}, Python {data['machine']['python']}"
    )
    phases: dict[str, float] = {}

    def phase(name: str, t0: float) -> None:
        phases[name] = time.monotonic() - t0
        log(f"  ({name}: {phases[name]:.0f} s)")

    if "imports" not in skip:
        t0 = time.monotonic()
        log("imports and start-up ...")
        data["imports"] = bench_imports.run(repeat=5 if args.quick else 9)
        for m in data["imports"]["modules"]:
            log(f"  import {m['module']:<13} {1000 * m['import_s']:8.1f} ms")
        phase("imports", t0)

    if "overhead" not in skip:
        t0 = time.monotonic()
        log("per-job overhead ...")
        data["overhead"] = bench_overhead.run()
        phase("overhead", t0)

    with contextlib.ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="reelkit-bench-")))
        emu = stack.enter_context(
            emulator(polls=POLLS, hint_ms=int(INTERVAL_S * 1000), cache_dir=scratch / "media")
        )
        postgres_url: str | None = None
        if "postgres" not in skip and "fanout" not in skip:
            try:
                postgres_url = stack.enter_context(bench_service.postgres_server())
            except Exception as exc:  # no PostgreSQL here: the variant is left out, and said so
                log(f"PostgreSQL unavailable, reelkit-pg skipped: {exc}")
                data["postgres_error"] = str(exc)[-300:]
        clients = dict(bench_fanout.CLIENTS)
        tools = dict(bench_download.TOOLS)
        base_env: dict[str, str] | None = None
        if args.baseline:
            source = baseline_core(args.baseline, scratch / "baseline")
            if source is None:
                log(f"baseline {args.baseline!r}: git cannot provide it; skipped")
            else:
                base_env = {"PYTHONPATH": str(source)}
                label = "reelkit@" + describe_rev(args.baseline).split()[0]
                data["baseline"] = {
                    "rev": args.baseline,
                    "label": label,
                    "commit": describe_rev(args.baseline),
                }
                ours = [k for k in clients if k.startswith("reelkit")]
                clients = {
                    **{k: clients[k] for k in ours},
                    label: Variant("reelkit", base_env),
                    **{k: v for k, v in clients.items() if k not in ours},
                }
                tools[label] = Variant("reelkit", base_env)
        if "fanout" not in skip:
            t0 = time.monotonic()
            log(f"fan-out against {emu.base_url} (polls to complete: {POLLS}) ...")
            data["fanout"] = bench_fanout.run(
                emu, sizes, INTERVAL_S, clients=clients, postgres_url=postgres_url, log=log
            )
            phase("fanout", t0)
        if "download" not in skip:
            t0 = time.monotonic()
            log(f"download {args.download_mb} MB ...")
            data["download"] = bench_download.run(emu, args.download_mb << 20, tools=tools, log=log)
            phase("download", t0)
        if "profile" not in skip:
            t0 = time.monotonic()
            log("profiles (py-spy, tracemalloc) ...")
            n = max(sizes)
            profiles: dict[str, Any] = {"fanout_n": n, "tracemalloc_n": min(n, 300)}
            for key, env in (
                ("fanout_reelkit", None),
                ("fanout_reelkit_httpx", {"REELKIT_TRANSPORT": "httpx"}),
            ):
                emu.reset()
                profiles[key] = pyspy_fanout(emu.base_url, n, INTERVAL_S, env=env)
            profiles["download_reelkit"] = pyspy_download(emu.base_url, args.download_mb << 20)
            emu.reset()
            profiles["tracemalloc"] = tracemalloc_fanout(emu.base_url, min(n, 300), INTERVAL_S)
            data["profiles"] = profiles
            phase("profile", t0)
    if "waiting" not in skip:
        t0 = time.monotonic()
        interval = max(2.0, waiting_n / WAITING_POLLS_PER_S)
        log(f"waiting: {waiting_n} jobs in one process, polled every {interval:g} s ...")
        data["waiting"] = bench_waiting.run(waiting_n, interval=interval, log=log)
        phase("waiting", t0)
    if "service" not in skip:
        t0 = time.monotonic()
        jobs = args.service_jobs or (200 if args.quick else 5000)
        log(f"service: {jobs} jobs through 4 workers on PostgreSQL ...")
        try:
            data["service"] = bench_service.run(jobs, workers=4, log=log)
        except Exception as exc:  # no PostgreSQL here: the rest of the report still stands
            log(f"  service benchmark skipped: {exc}")
        phase("service", t0)
    data["elapsed_s"] = time.monotonic() - started
    data["phases_s"] = phases
    data["tree_after"] = tree_state()
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(data, indent=1, default=str))
    report.write(data, args.output)
    log(f"wrote {args.output} and {args.results} in {data['elapsed_s']:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
