"""The performance issue's targets, judged from one run's results (never asserted in CI).

Each row: the target, its goal, then for reelkit (AsyncClient's default wire: aiohttp) and for
reelkit-httpx (``REELKIT_TRANSPORT=httpx``) what was measured — the ratio and the two raw
figures it is made of — and whether it is met. A target that is only to be reported says
"reported"; one that does not depend on the wire shows "—" in the httpx column.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

#: The two columns: (label of the results rows, heading).
COLUMNS = (("reelkit", "reelkit (aiohttp)"), ("reelkit-httpx", "reelkit-httpx"))

Cell = tuple[str, str]  # (measured, verdict)
NONE: Cell = ("—", "—")


def _num(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not math.isnan(value):
        return float(value)
    return None


def verdict(met: bool | None) -> str:
    return "reported" if met is None else ("met" if met else "**missed**")


def fanout_row(data: dict[str, Any], client: str, n: int) -> dict[str, Any] | None:
    for r in data.get("fanout", []):
        if r["client"] == client and r["n"] == n and r.get("ok") == n:
            return r  # type: ignore[no-any-return]
    return None


def largest_n(data: dict[str, Any]) -> int:
    sizes: list[int] = data.get("config", {}).get("sizes", []) or [0]
    return max(sizes)


def _ratio(a: float | None, b: float | None, unit: str, goal: float, digits: int = 1) -> Cell:
    if a is None or b is None or not b:
        return NONE
    ratio = a / b
    return f"{ratio:.2f} ({a:,.{digits}f} / {b:,.{digits}f} {unit})", verdict(ratio <= goal)


def _value(a: float | None, unit: str, goal: float | None, digits: int = 0) -> Cell:
    if a is None:
        return NONE
    return f"{a:,.{digits}f} {unit}".strip(), verdict(None if goal is None else a <= goal)


def _cli(data: dict[str, Any], prefix: str) -> float | None:
    for c in data.get("imports", {}).get("cli", []):
        if c["command"].startswith(prefix):
            return _num(c.get("cpu_s"))
    return None


def _startup_cell(own: float | None, floor: float | None, goal: float) -> Callable[[str], Cell]:
    """Start-up does not depend on the wire: only the reelkit column has it."""

    def cell(client: str) -> Cell:
        if client != "reelkit":
            return NONE
        return _ratio(1000 * own if own else None, 1000 * floor if floor else None, "ms", goal, 0)

    return cell


def targets(data: dict[str, Any]) -> list[list[str]]:
    n = largest_n(data)
    ideal = data.get("config", {}).get("polls_to_complete", 3)
    lite = fanout_row(data, "litellm", n) or {}
    floor = fanout_row(data, "httpx-floor", n) or {}
    rows: list[tuple[str, str, Callable[[str], Cell]]] = []

    def fan(client: str) -> dict[str, Any]:
        return fanout_row(data, client, n) or {}

    rows.append(
        (
            f"fan-out CPU per job at N = {n:,} (SQLite journal) / LiteLLM's",
            "<= 0.85",
            lambda c: _ratio(
                _num(fan(c).get("cpu_ms_per_job")), _num(lite.get("cpu_ms_per_job")), "ms", 0.85
            ),
        )
    )
    rows.append(
        (
            f"fan-out CPU per job at N = {n:,} / the bare-httpx floor's",
            "<= 1.1",
            lambda c: _ratio(
                _num(fan(c).get("cpu_ms_per_job")), _num(floor.get("cpu_ms_per_job")), "ms", 1.1
            ),
        )
    )
    rows.append(
        (
            f"fan-out peak RSS at N = {n:,}",
            "<= 80 MB",
            lambda c: _value(_num(fan(c).get("peak_rss_mb")), "MB", 80),
        )
    )
    rows.append(
        (
            f"polls per job at N = {n:,}",
            f"<= {ideal} + 0.1",
            lambda c: _value(_num(fan(c).get("polls_per_job")), "", ideal + 0.1, 2),
        )
    )
    rows.append(
        (
            f"loop-lag probe, worst stall at N = {n:,}",
            "<= 20 ms",
            lambda c: _value(_num(fan(c).get("loop_lag_max_ms")), "ms", 20, 1),
        )
    )

    def postgres(c: str) -> Cell:
        if c != "reelkit":
            return NONE
        pg, lite_ = fan("reelkit-pg"), fan("reelkit")
        cpu, base = _num(pg.get("cpu_ms_per_job")), _num(lite_.get("cpu_ms_per_job"))
        if cpu is None or base is None:
            return ("not measured", "—")
        return (
            f"{cpu:.1f} ms CPU/job, {pg['peak_rss_mb']:.0f} MB; {cpu / base:.2f} of SQLite's "
            f"({base:.1f} ms)",
            verdict(None),
        )

    rows.append((f"the same fan-out on the PostgreSQL journal (N = {n:,})", "reported", postgres))
    waiting = data.get("waiting", {})
    wn = waiting.get("n", 10_000)  # the N when the run left it out

    def wait(c: str) -> dict[str, Any]:
        row: dict[str, Any] = waiting.get("rows", {}).get(c, {})
        return row if not row.get("error") else {}

    rows.append(
        (
            f"{wn:,} waiting jobs in one process: RSS (current, peak)",
            "<= 300 MB",
            lambda c: (
                (
                    f"{wait(c)['rss_mb']:.0f} MB, peak {wait(c)['peak_rss_mb']:.0f} MB",
                    verdict(wait(c)["peak_rss_mb"] <= 300),
                )
                if wait(c).get("peak_rss_mb")
                else NONE
            ),
        )
    )
    rows.append(
        (
            f"{wn:,} waiting jobs: CPU per poll",
            "reported",
            lambda c: _value(_num(wait(c).get("cpu_ms_per_poll")), "ms", None, 2),
        )
    )
    httpx_s = _cli(data, "python -c 'import httpx'")
    for command, limit in (
        ("reelkit providers --json", 1.5),
        ("reelkit capabilities veo --json", 1.5),
        ("reelkit generate --dry-run --json -p jimeng", 2.0),
    ):
        rows.append(
            (
                f'`{command}` / `python -c "import httpx"`, process time',
                f"<= {limit:g}",
                _startup_cell(_cli(data, command), httpx_s, limit),
            )
        )
    tools = data.get("download", {}).get("tools", {})
    mb = data.get("download", {}).get("bytes", 500 << 20) / (1 << 20)
    curl = tools.get("curl", {})

    def throughput(c: str) -> Cell:
        ours, theirs = _num(tools.get(c, {}).get("mb_s")), _num(curl.get("mb_s"))
        if ours is None or not theirs:
            return NONE
        return f"{ours / theirs:.2f} ({ours:,.0f} / {theirs:,.0f} MB/s)", verdict(
            ours / theirs >= 0.9
        )

    rows.append((f"{mb:,.0f} MB download, throughput / curl's", ">= 0.9", throughput))
    rows.append(
        (
            f"{mb:,.0f} MB download, RSS growth",
            "<= 32 MB",
            lambda c: _value(_num(tools.get(c, {}).get("rss_growth_mb")), "MB", 32, 1),
        )
    )
    out = []
    for name, goal, cell in rows:
        line: list[str] = [name, goal]
        for client, _ in COLUMNS:
            line.extend(cell(client))
        if all(v in ("—", "not measured") for v in line[2:]):
            line[2:4] = ["not measured in this run", "—"]
        out.append(line)
    return out


def header() -> list[str]:
    cols = ["target", "goal"]
    for _, heading in COLUMNS:
        cols += [heading, ""]
    return cols
