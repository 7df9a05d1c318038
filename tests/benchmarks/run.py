"""Run every benchmark and write docs/benchmarks.md (and docs/benchmarks.png).

    uv run --group bench python -m tests.benchmarks            # the full run (~10 min, 2 cores)
    uv run --group bench python -m tests.benchmarks --quick    # N = 10, 100; fewer repeats

Raw results go to tests/benchmarks/results/latest.json (the report can be rebuilt from it with
``--report-only``). Nothing here is a pass/fail test: targets are reported, never asserted.
"""

from __future__ import annotations

import argparse
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
    report,
)
from tests.benchmarks.common import ROOT, baseline_core, describe_rev, emulator, machine, tree_state
from tests.benchmarks.profiling import pyspy_download, pyspy_fanout, tracemalloc_fanout

RESULTS = ROOT / "tests" / "benchmarks" / "results" / "latest.json"

#: The emulator's schedule for fan-out: terminal at the 3rd poll, poll hint 500 ms (and
#: REELKIT_POLL_INTERVAL / LiteLLM's loop sleep matched to it).
POLLS = 3
INTERVAL_S = 0.5

#: The core as it was before the fan-out and download fixes this benchmark's first run led to
#: (journal connection reuse, bounded in-flight requests, no re-chunking): measured side by side
#: with today's core, so the report shows what they bought. ``--baseline REV`` picks another.
BASELINE = "3f80704^"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="N = 10, 100 and fewer repeats")
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=None)
    parser.add_argument("--download-mb", type=int, default=500)
    parser.add_argument(
        "--skip", default="", help="comma list: imports,fanout,download,overhead,profile,service"
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
        data = json.loads(args.results.read_text())
        report.write(data, args.output)
        log(f"wrote {args.output}")
        return 0

    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    sizes = args.sizes or ([10, 100] if args.quick else [10, 100, 1000])
    started = time.monotonic()
    data: dict[str, Any] = {
        "machine": machine(),
        "tree_before": tree_state(),
        "config": {"polls_to_complete": POLLS, "poll_interval_s": INTERVAL_S, "sizes": sizes},
    }
    log(
        f"machine: {data['machine']['cpu']} x{data['machine']['cores']}, Python {data['machine']['python']}"
    )

    if "imports" not in skip:
        log("imports and start-up ...")
        data["imports"] = bench_imports.run(repeat=5 if args.quick else 9)
        for m in data["imports"]["modules"]:
            log(f"  import {m['module']:<13} {1000 * m['import_s']:8.1f} ms")

    if "overhead" not in skip:
        log("per-job overhead ...")
        data["overhead"] = bench_overhead.run()

    with (
        tempfile.TemporaryDirectory(prefix="reelkit-bench-") as scratch,
        emulator(
            polls=POLLS, hint_ms=int(INTERVAL_S * 1000), cache_dir=Path(scratch) / "media"
        ) as emu,
    ):
        clients = dict(bench_fanout.CLIENTS)
        tools = dict(bench_download.TOOLS)
        base_env: dict[str, str] | None = None
        if args.baseline:
            source = baseline_core(args.baseline, Path(scratch) / "baseline")
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
                clients = {
                    "reelkit": clients.pop("reelkit"),
                    label: ("reelkit", base_env),
                    **clients,
                }
                tools[label] = ("reelkit", base_env)
        if "fanout" not in skip:
            log(f"fan-out against {emu.base_url} (polls to complete: {POLLS}) ...")
            data["fanout"] = bench_fanout.run(emu, sizes, INTERVAL_S, clients=clients, log=log)
        if "download" not in skip:
            log(f"download {args.download_mb} MB ...")
            data["download"] = bench_download.run(emu, args.download_mb << 20, tools=tools, log=log)
        if "profile" not in skip:
            log("profiles (py-spy, tracemalloc) ...")
            n = max(sizes)
            profiles: dict[str, Any] = {"fanout_n": n, "tracemalloc_n": min(n, 300)}
            runs = [("fanout_reelkit", "reelkit", None), ("fanout_openai", "openai", None)]
            if base_env is not None:
                runs.insert(1, ("fanout_baseline", "reelkit", base_env))
            for key, client, env in runs:
                emu.reset()
                profiles[key] = pyspy_fanout(emu.base_url, n, INTERVAL_S, client=client, env=env)
            profiles["download_reelkit"] = pyspy_download(emu.base_url, args.download_mb << 20)
            if base_env is not None:
                profiles["download_baseline"] = pyspy_download(
                    emu.base_url, args.download_mb << 20, env=base_env
                )
            emu.reset()
            profiles["tracemalloc"] = tracemalloc_fanout(emu.base_url, min(n, 300), INTERVAL_S)
            data["profiles"] = profiles
    if "service" not in skip:
        jobs = args.service_jobs or (200 if args.quick else 5000)
        log(f"service: {jobs} jobs through 4 workers on PostgreSQL ...")
        try:
            data["service"] = bench_service.run(jobs, workers=4, log=log)
        except Exception as exc:  # no PostgreSQL here: the rest of the report still stands
            log(f"  service benchmark skipped: {exc}")
    data["elapsed_s"] = time.monotonic() - started
    data["tree_after"] = tree_state()
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(data, indent=1, default=str))
    report.write(data, args.output)
    log(f"wrote {args.output} and {args.results} in {data['elapsed_s']:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
