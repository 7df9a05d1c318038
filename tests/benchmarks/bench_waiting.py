"""N = 10,000 jobs waiting in one ``reelkit.AsyncClient`` process (``waiting_worker``).

An emulator of its own holds every task running (terminal only at the millionth poll) and hints
a poll every ``interval`` seconds; each variant (today's default wire, aiohttp, and httpx) runs
in a fresh worker process after the emulator's tasks are forgotten. Reported: RSS (current and
peak), CPU per poll in a steady window, the loop-lag probe in that window, and how long the
submit phase took.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from tests.benchmarks.common import PYTHON, Variant, clean_env, emulator, run_json

#: Tasks finish at this poll: never, for the length of a run.
HELD_POLLS = 1_000_000

VARIANTS: dict[str, Variant] = {
    "reelkit": Variant("reelkit"),
    "reelkit-httpx": Variant("reelkit", {"REELKIT_TRANSPORT": "httpx"}),
}


def run(
    n: int,
    *,
    interval: float,
    settle: float = 3.0,
    window: float | None = None,
    variants: dict[str, Variant] = VARIANTS,
    log: Any = print,
) -> dict[str, Any]:
    """Each variant once (a 10,000-job run is long, and its window already averages thousands of
    polls). ``settle`` intervals after the last submit, a ``window`` (two intervals) is measured."""
    window = window if window is not None else 2 * interval
    rows: dict[str, dict[str, Any]] = {}
    with (
        tempfile.TemporaryDirectory(prefix="reelkit-bench-waiting-") as scratch,
        emulator(
            polls=HELD_POLLS, hint_ms=int(interval * 1000), cache_dir=Path(scratch) / "media"
        ) as emu,
    ):
        for label, variant in variants.items():
            emu.reset()
            server_cpu = emu.cpu_seconds()
            with tempfile.TemporaryDirectory(prefix="reelkit-bench-wait-", dir=scratch) as work:
                args = [PYTHON, "-m", "tests.benchmarks.waiting_worker", str(n), emu.base_url]
                args += [work, str(interval), str(settle), str(window)]
                try:
                    result = run_json(args, clean_env(variant.env), timeout=1800)
                except Exception as exc:  # reported as a row, the rest of the run goes on
                    result = {"n": n, "error": str(exc)[-600:]}
            result["client"] = label
            result["server_cpu_s"] = emu.cpu_seconds() - server_cpu
            rows[label] = result
            log(
                f"  waiting {label:>14} N={n}: submit {result.get('submit_s', float('nan')):.1f} s, "
                f"RSS {result.get('rss_mb', float('nan')):.0f} MB "
                f"(peak {result.get('peak_rss_mb', float('nan')):.0f}), "
                f"{result.get('cpu_ms_per_poll') or float('nan'):.2f} ms CPU/poll, "
                f"{result.get('polls_per_s') or float('nan'):.0f}/{n / interval:.0f} polls/s, "
                f"stall {result.get('loop_lag_max_ms', float('nan')):.0f} ms "
                f"{'/'.join(result.get('transport') or [])}"
                + (f" error={result['error'][:160]}" if result.get("error") else "")
            )
    return {"n": n, "interval_s": interval, "settle_intervals": settle, "rows": rows}
