"""Fan-out: N concurrent text-to-video jobs through reelkit and its peers, one emulator.

The emulator runs in its own process (``emulator_proc``); each (client, N) runs in a fresh
worker process (``fanout_worker``) after the emulator's tasks and counters are reset, so the
requests per job come from the emulator's own counters (``/_emulator/stats``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from typing import Any

from tests.benchmarks.common import PYTHON, Emulator, Variant, clean_env, median, run_json

#: label -> how to run it. ``run.py`` adds the baseline reelkit (an older core on PYTHONPATH).
Variants = dict[str, Variant]
CLIENTS: Variants = {
    # AsyncClient's default wire: aiohttp once installed (the bench group installs
    # reelkit-core[fast]), i.e. REELKIT_TRANSPORT=auto.
    "reelkit": Variant("reelkit"),
    "reelkit-httpx": Variant("reelkit", {"REELKIT_TRANSPORT": "httpx"}),
    "reelkit-pg": Variant("reelkit", journal="postgresql"),
    # The guide's advice to a host keeping many jobs in flight: gc.freeze() after start-up.
    "reelkit-gc-freeze": Variant("reelkit", {"REELKIT_BENCH_GC_FREEZE": "1"}),
    "openai": Variant("openai"),
    "litellm": Variant("litellm"),
    "httpx-floor": Variant("httpx-floor"),
}


def one_run(
    emu: Emulator,
    label: str,
    variant: Variant,
    n: int,
    interval: float,
    postgres_url: str | None = None,
) -> dict[str, Any]:
    emu.reset()
    server_cpu = emu.cpu_seconds()
    with (
        tempfile.TemporaryDirectory(prefix=f"reelkit-bench-{variant.client}-") as work,
        variant.journal_env(postgres_url) as env,
    ):
        try:
            result = run_json(
                [
                    PYTHON,
                    "-m",
                    "tests.benchmarks.fanout_worker",
                    variant.client,
                    str(n),
                    emu.base_url,
                    work,
                    str(interval),
                ],
                clean_env(env),
                timeout=900,
            )
        except Exception as exc:  # a peer that cannot finish is a result too
            result = {"n": n, "ok": 0, "error": str(exc)[-600:]}
    result["client"] = label
    stats = emu.stats("sora")
    result["server_cpu_s"] = emu.cpu_seconds() - server_cpu
    for counter in ("submits", "polls", "downloads", "requests", "rejected", "faults"):
        result[f"{counter}_per_job"] = stats.get(counter, 0) / n
    result["stats"] = stats
    if result.get("cpu_s") is not None:
        result["cpu_ms_per_job"] = 1000 * result["cpu_s"] / n
    return result


def aggregate(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One row from the rounds of one (client, N): medians of the measures, spread of the CPU."""
    good = [r for r in runs if r.get("cpu_s") is not None and r.get("ok") == r["n"]] or runs
    row = dict(good[0])
    for key in (
        "wall_s",
        "cpu_s",
        "peak_rss_mb",
        "rss_ready_mb",
        "setup_cpu_s",
        "first_job_cpu_s",
        "first_job_wall_s",
        "server_cpu_s",
        "cpu_ms_per_job",
        "polls_per_job",
        "submits_per_job",
        "downloads_per_job",
        "requests_per_job",
        "loop_lag_max_ms",
        "loop_lag_p99_ms",
        "loop_lag_max_outside_gc_ms",
        "gc_full_max_ms",
        "gc_full_collections",
    ):
        values = [r[key] for r in good if r.get(key) is not None]
        if values:
            row[key] = median(values)
    cpus = [r["cpu_s"] for r in good if r.get("cpu_s") is not None]
    row["cpu_s_runs"] = cpus
    row["rounds"] = len(runs)
    return row


def run(
    emu: Emulator,
    sizes: Sequence[int],
    interval: float,
    clients: Variants = CLIENTS,
    rounds: int = 2,
    postgres_url: str | None = None,
    log: Any = print,
) -> list[dict[str, Any]]:
    """Every (variant, N), ``rounds`` times; a PostgreSQL variant gets a fresh schema of
    ``postgres_url``'s server each run (and is left out when there is no server)."""
    if postgres_url is None:
        clients = {k: v for k, v in clients.items() if v.journal != "postgresql"}
    runs: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for _ in range(rounds):  # interleaved: drift on a shared machine hits every client alike
        for n in sizes:
            for label, variant in clients.items():
                result = one_run(emu, label, variant, n, interval, postgres_url)
                log(
                    f"  fan-out {label:>16} N={n:<5} ok={result.get('ok')} "
                    f"cpu={result.get('cpu_s', float('nan')):.2f}s "
                    f"wall={result.get('wall_s', float('nan')):.2f}s "
                    f"rss={result.get('peak_rss_mb', float('nan')):.0f}MB "
                    f"polls/job={result['polls_per_job']:.2f} "
                    f"stall={result.get('loop_lag_max_ms', float('nan')):.1f}ms "
                    f"{'/'.join(result.get('transport') or [])} {result.get('journal') or ''}"
                    + (f" error={result['error'][:120]}" if result.get("error") else "")
                )
                runs.setdefault((label, n), []).append(result)
    return [aggregate(runs[(label, n)]) for n in sizes for label in clients]
