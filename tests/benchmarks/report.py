"""Turn the raw results (tests/benchmarks/results/latest.json) into docs/benchmarks.md + a plot."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

PLOT_NAME = "benchmarks.png"

#: What the fix commit changed, for the before/after section (the baseline is its parent).
CHANGES = """\
1. **Journal** (`journal.py`): one SQLite connection per journal and thread, PRAGMAs set once,
   and `UPDATE ... RETURNING *` instead of a second statement to read the row back. Before, every
   read and every write opened a new connection and ran two PRAGMAs, and every write was
   followed by a read: about a dozen connections per job.
2. **Requests in flight** (`drivers.py`, `client.py`): `AsyncDriver` holds at most 16 exchanges
   in flight (`asyncio.Semaphore`; a sleep never holds a slot) and the shared pool matches
   (`max_connections=16, max_keepalive_connections=16`). Before, up to 200 connections and every
   further request queued inside httpcore, whose pool rescans every queued request and every
   connection on each request start and response close: pool work per request grew with the
   number of jobs in flight.
3. **Downloads** (`drivers.py`): chunks are written as the transport reads them, instead of
   `iter_bytes(1 MiB)`, whose `ByteChunker` joined 64 KiB reads into 1 MiB pieces and sliced them
   again (two more copies of every byte, and a fresh 1 MiB object per chunk).
"""


def _ms(seconds: float | None) -> str:
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return "—"
    return f"{1000 * seconds:,.0f}" if seconds >= 0.1 else f"{1000 * seconds:,.1f}"


def _f(value: float | None, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:,.{digits}f}"


def _ok(flag: bool | None) -> str:
    return "—" if flag is None else ("met" if flag else "**missed**")


def _row(cells: list[Any]) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _table(header: list[str], rows: list[list[Any]], align: str | None = None) -> list[str]:
    spec = align or "|".join(["---"] * len(header))
    return [_row(header), "|" + spec + "|", *(_row(r) for r in rows)]


# --- derived numbers --------------------------------------------------------------------------


def _imports(data: dict[str, Any]) -> dict[str, float]:
    return {m["module"]: m["import_s"] for m in data.get("imports", {}).get("modules", [])}


def _fanout(data: dict[str, Any], client: str, n: int) -> dict[str, Any] | None:
    for r in data.get("fanout", []):
        if r["client"] == client and r["n"] == n:
            return r  # type: ignore[no-any-return]
    return None


def _baseline(data: dict[str, Any]) -> str | None:
    base = data.get("baseline")
    return base["label"] if base else None


def _variants(data: dict[str, Any]) -> list[tuple[str, str]]:
    """(result label, how the targets table names it): today's reelkit, then the baseline."""
    base = _baseline(data)
    return [("reelkit", "reelkit")] + ([(base, f"{base} (before the fixes)")] if base else [])


def targets(data: dict[str, Any]) -> list[list[Any]]:
    rows: list[list[Any]] = []
    imp = _imports(data)
    if imp.get("reelkit"):
        for peer, goal in (("litellm", 20), ("openai", 5)):
            if peer in imp:
                ratio = imp[peer] / imp["reelkit"]
                rows.append(
                    [
                        f"`import {peer}` / `import reelkit`",
                        f">= {goal}",
                        f"{ratio:,.0f}x",
                        _ok(ratio >= goal),
                        "",
                    ]
                )
    n = max(data.get("config", {}).get("sizes", [0]) or [0])
    for client, label in _variants(data):
        ours, theirs = _fanout(data, client, n), _fanout(data, "openai", n)
        if ours and theirs and ours.get("cpu_s") and theirs.get("cpu_s"):
            ratio = ours["cpu_s"] / theirs["cpu_s"]
            rows.append(
                [
                    f"client CPU at {n:,} jobs, {label} / openai SDK",
                    "<= 0.33",
                    f"{ratio:.2f}",
                    _ok(ratio <= 1 / 3),
                    "",
                ]
            )
        if ours and ours.get("peak_rss_mb"):
            rows.append(
                [
                    f"peak RSS at {n:,} jobs, {label}",
                    "<= 100 MB",
                    f"{ours['peak_rss_mb']:.0f} MB",
                    _ok(ours["peak_rss_mb"] <= 100),
                    "",
                ]
            )
        if ours and ours.get("ok"):
            ideal = data["config"]["polls_to_complete"]
            polls = ours["polls_per_job"]
            rows.append(
                [
                    f"polls per job at {n:,} jobs, {label}",
                    f"<= {ideal} + 1",
                    f"{polls:.2f}",
                    _ok(polls <= ideal + 1),
                    "",
                ]
            )
    dl = data.get("download", {}).get("tools", {})
    if "curl" in dl:
        for tool, label in _variants(data):
            if tool in dl:
                ratio = dl[tool]["mb_s"] / dl["curl"]["mb_s"]
                growth = dl[tool]["rss_growth_mb"]
                rows.append(
                    [
                        f"download throughput, {label} / curl",
                        ">= 0.8",
                        f"{ratio:.2f}",
                        _ok(ratio >= 0.8),
                        "",
                    ]
                )
                rows.append(
                    [
                        f"download RSS growth, {label}",
                        "<= 32 MB",
                        f"{growth:.1f} MB",
                        _ok(growth <= 32),
                        "",
                    ]
                )
    return [r[:4] for r in rows]


# --- the plot -------------------------------------------------------------------------------


def plot(data: dict[str, Any], path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    mods = data.get("imports", {}).get("modules", [])
    if mods:
        names = [m["module"] for m in mods]
        values = [1000 * m["import_s"] for m in mods]
        bars = left.barh(
            names, values, color=["#2a9d8f" if n == "reelkit" else "#8d99ae" for n in names]
        )
        left.set_xscale("log")
        left.set_xlabel("import time, ms (log scale, median)")
        left.set_title("import cost")
        left.bar_label(
            bars, labels=[f"{v:,.0f}" if v >= 10 else f"{v:.1f}" for v in values], padding=3
        )
        left.invert_yaxis()
        left.set_xlim(right=max(values) * 4)  # room for the last label
    sizes = data.get("config", {}).get("sizes", [])
    colours = {
        "reelkit": "#2a9d8f",
        "openai": "#e76f51",
        "litellm": "#f4a261",
        "httpx-floor": "#adb5bd",
    }
    if _baseline(data):
        colours[_baseline(data)] = "#94d2bd"  # type: ignore[index]
    for client, colour in colours.items():
        points = [
            (n, r["cpu_ms_per_job"])
            for n in sizes
            if (r := _fanout(data, client, n)) and r.get("ok") == n
        ]
        if points:
            right.plot(
                [p[0] for p in points],
                [p[1] for p in points],
                marker="o",
                label=client,
                color=colour,
            )
    right.set_xscale("log")
    right.set_xlabel("concurrent jobs")
    right.set_ylabel("client CPU per job, ms")
    right.set_title("fan-out cost per job")
    right.set_ylim(bottom=0)
    if right.get_lines():
        right.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


# --- the document ----------------------------------------------------------------------------


def _profile_table(profile: dict[str, Any], key: str, top: int) -> list[str]:
    if not profile or profile.get("error"):
        return [f"(profile unavailable: {profile.get('error') if profile else 'not run'})"]
    rows = [[f"{pct:.1f}%", f"`{name}`"] for name, pct in profile.get(key, [])[:top]]
    return _table(["share", "function (file)"], rows, "---:|---")


def _inclusive_of_interest(profile: dict[str, Any], needles: tuple[str, ...]) -> list[list[Any]]:
    rows = []
    for name, pct in profile.get("inclusive", []) if profile else []:
        if any(n in name for n in needles):
            rows.append([f"{pct:.1f}%", f"`{name}`"])
    return rows


def render(data: dict[str, Any], plot_written: bool) -> str:
    m = data["machine"]
    cfg = data["config"]
    v = m["versions"]
    out: list[str] = []
    add = out.append
    add("# Benchmarks: reelkit against its peers")
    add("")
    add(
        "Generated by `uv run --group bench python -m tests.benchmarks` (code in `tests/benchmarks/`; "
        "run on demand, never part of `pytest`). Every number below comes from one run on one machine, "
        "against one local emulator, so read the **ratios**: they survive a noisy machine better than "
        "the absolute figures."
    )
    add("")
    add(f"- **Date:** {m['date']}; whole run {data.get('elapsed_s', 0) / 60:.1f} min")
    add(f"- **Machine:** {m['cpu']}, {m['cores']} cores, {m['memory']}, {m['os']}")
    add(
        f"- **Versions:** Python {m['python']}, reelkit-core {v.get('reelkit-core')}, httpx {v.get('httpx')}, "
        f"openai {v.get('openai')}, litellm {v.get('litellm')}, google-genai {v.get('google-genai')}, "
        f"curl {v.get('curl')}; emulator on uvicorn {v.get('uvicorn')} / starlette {v.get('starlette')}"
    )
    before, after = data.get("tree_before"), data.get("tree_after")
    if before:
        line = f"- **Tree under test:** `{before['commit']}`"
        if before.get("dirty"):
            line += f", with uncommitted changes in {', '.join(before['dirty'][:5])}"
        if after and after != before:
            line += (
                f"; **the tree changed during the run** (now `{after['commit']}`"
                + (f", uncommitted: {', '.join(after['dirty'][:5])}" if after.get("dirty") else "")
                + "): rows measured after the change ran the new code"
            )
        add(line)
    base = data.get("baseline")
    if base:
        add(
            f"- **Rows labelled _{base['label']}_** run the core as of `{base['commit']}` (extracted "
            "with `git archive` and put first on `PYTHONPATH`, today's plugins unchanged): the state "
            "this benchmark's first run diagnosed, before the fixes of section 5. `--baseline REV` "
            "picks another revision."
        )
    add("")
    add("## Targets")
    add("")
    out.extend(_table(["target", "goal", "measured", ""], targets(data)))
    add("")
    if plot_written:
        add(f"![import cost and fan-out CPU per job]({PLOT_NAME})")
        add("")

    imp = data.get("imports")
    if imp:
        base = _imports(data).get("reelkit")
        add("## 1. Import and start-up")
        add("")
        runs = imp["modules"][0]["runs"]
        add(
            f"Fresh interpreter per sample, median of {runs}; bytecode caches warm. *import* is a "
            "`perf_counter` around the `import` statement; *process* is the wall time of the whole "
            "`python -c 'import X'`; *-X importtime* is the cumulative figure of the top-level package. "
            "LiteLLM runs with `LITELLM_LOCAL_MODEL_COST_MAP=True` (otherwise it fetches its cost map "
            "from the internet at import and, offline, retries for several seconds)."
        )
        add("")
        rows = [
            [
                f"`import {r['module']}`",
                _ms(r["import_s"]),
                f"{r['import_s'] / base:,.1f}x" if base else "—",
                _ms(r["process_s"]),
                _ms(r["importtime_s"]),
            ]
            for r in imp["modules"]
        ]
        out.extend(
            _table(
                ["module", "import, ms", "vs reelkit", "process, ms", "-X importtime, ms"],
                rows,
                "---|---:|---:|---:|---:",
            )
        )
        add("")
        add(
            f"CLI start-up with every first-party plugin installed ({imp.get('providers_installed')} "
            "providers), median; *process* is the child's user + system time, *vs httpx* its "
            "ratio to `python -c 'import httpx'` in the same run:"
        )
        add("")
        floor = next((c for c in imp["cli"] if "import httpx" in c["command"]), None)
        out.extend(
            _table(
                ["command", "wall, ms", "process, ms", "vs httpx"],
                [
                    [
                        f"`{c['command']}`",
                        _ms(c["wall_s"]),
                        _ms(c["cpu_s"]) if c.get("cpu_s") is not None else "—",
                        f"{c['cpu_s'] / floor['cpu_s']:.2f}x"
                        if floor and c.get("cpu_s") and floor.get("cpu_s")
                        else "—",
                    ]
                    for c in imp["cli"]
                ],
                "---|---:|---:|---:",
            )
        )
        add("")
        it = imp["reelkit_importtime"]
        top = it["top"] if isinstance(it, dict) else it
        add("`python -X importtime -c 'import reelkit'`, the largest entries by self time:")
        add("")
        out.extend(
            _table(
                ["module", "self, ms", "cumulative, ms"],
                [
                    [f"`{r['module']}`", _f(r["self_us"] / 1000), _f(r["cumulative_us"] / 1000)]
                    for r in top
                ],
                "---|---:|---:",
            )
        )
        add("")
        cum = it.get("cumulative_us", {}) if isinstance(it, dict) else {}
        if cum.get("reelkit") and cum.get("reelkit.capabilities"):
            attrs_us = max(cum.get("attr", 0), cum.get("attrs", 0))
            add(
                f"`import reelkit` loads no plugin, no HTTP stack and no video library (names load on "
                f"first use). Of its {cum['reelkit'] / 1000:.0f} ms under `-X importtime`, "
                f"`reelkit.capabilities` takes {cum['reelkit.capabilities'] / 1000:.0f} ms, "
                f"{attrs_us / 1000:.0f} ms of it importing `attrs` (which pulls in `inspect`, `platform`, "
                "`ast` and `tokenize`) and the rest defining the capability records as attrs classes; "
                f"`typing` is another {cum.get('typing', 0) / 1000:.0f} ms. The ratios to the peers are "
                "well past the targets, so nothing here needs changing."
            )
            add("")
        cli = imp.get("cli_importtime")
        if cli:
            add(
                f"The CLI is the slower start: `reelkit providers --json` imports "
                f"{cli['total_us'] / 1000:.0f} ms of modules. Top-level entries by cumulative time:"
            )
            add("")
            out.extend(
                _table(
                    ["module", "cumulative, ms", "imported by"],
                    [
                        [
                            f"`{r['module']}`",
                            _f(r["cumulative_us"] / 1000),
                            "the script" if r["depth"] == 0 else "a module above",
                        ]
                        for r in cli["top"]
                    ],
                    "---|---:|---",
                )
            )
            add("")
            add(
                "Two things stand out and neither is a target here, so they are notes for the lead, not "
                "fixes: `import httpx` also imports `httpx._main` (its own command line, which drags in "
                "`click`, `rich` and `pygments` when they are installed, as they are alongside reelkit's "
                "CLI), and `reelkit.client` imports the engine, the drivers (`stamina`, `asyncio`) and the "
                "journal (`sqlite3`) at module level although `providers` and `capabilities` need none "
                "of them. Deferring those imports to the first verb that plans or sends would take "
                "them off the listing commands."
            )
            add("")

    fan = data.get("fanout")
    if fan:
        add("## 2. Fan-out: N concurrent text-to-video jobs")
        add("")
        add(
            f"Each job: submit a 4 s 720x1280 `sora-2` job to the emulator's OpenAI Videos API "
            f"(`/sora`), wait until it is terminal, download the video to a file. The emulator "
            f"(a separate process: its CPU is not counted) finishes a task at its "
            f"{cfg['polls_to_complete']}rd poll (so the ideal is {cfg['polls_to_complete']} polls per job) "
            f"and sends `openai-poll-after-ms: {int(cfg['poll_interval_s'] * 1000)}`; reelkit runs with "
            f"`REELKIT_POLL_INTERVAL={cfg['poll_interval_s']}` and a fresh `REELKIT_HOME`, LiteLLM's loop "
            f"sleeps {cfg['poll_interval_s']} s. The served MP4 is an 8 KB render so that downloads do not "
            "dominate. Each (client, N) runs in a fresh process that first imports the library, builds "
            "its client and runs one warm-up job (lazy imports, TLS context, journal schema: what a "
            "long-running application paid long ago; reported apart as *first job CPU*), then resets "
            "the emulator's counters and starts the clock. *CPU* is the process's user+system time for "
            "the N jobs (median of the rounds, each round's value in brackets), *peak RSS* the "
            "process's maximum resident set (imports included), requests per job come from the "
            "emulator's own counters (`/_emulator/stats`)."
        )
        add("")
        add(
            "- (a) `reelkit.AsyncClient().generate(...)` per job, `asyncio.gather` over all jobs;\n"
            "- (b) openai: `AsyncOpenAI.videos.create_and_poll(...)` then `videos.download_content(...)` "
            "(the SDK's documented flow; it honours `openai-poll-after-ms`);\n"
            "- (c) litellm: `avideo_generation(model='openai/sora-2', api_base=...)`, a loop of "
            "`avideo_status`, then `avideo_content` (LiteLLM has no wait helper; its docs loop);\n"
            + (
                f"- *{_baseline(data)}*: (a) with the core before the fixes of section 5;\n"
                if _baseline(data)
                else ""
            )
            + "- *httpx-floor* is not a library: the same five requests per job with bare "
            "`httpx.AsyncClient` (16 in flight), no journal, no validation, no retries — the floor "
            "for any client built on httpx."
        )
        add("")
        for n in cfg["sizes"]:
            openai_cpu = (_fanout(data, "openai", n) or {}).get("cpu_s")
            rows = []
            for r in (x for x in fan if x["n"] == n):
                cpu = r.get("cpu_s")
                rows.append(
                    [
                        r["client"],
                        f"{r.get('ok', 0)}/{n}",
                        _f(r.get("wall_s"), 2),
                        _f(cpu, 2)
                        + (
                            f" ({', '.join(f'{c:.2f}' for c in r['cpu_s_runs'])})"
                            if len(r.get("cpu_s_runs", [])) > 1
                            else ""
                        ),
                        _f(r.get("cpu_ms_per_job"), 1),
                        f"{cpu / openai_cpu:.2f}" if cpu and openai_cpu else "—",
                        _f(r.get("peak_rss_mb"), 0),
                        _f(r.get("rss_ready_mb"), 0),
                        f"{r['submits_per_job']:.2f} / {r['polls_per_job']:.2f} / {r['downloads_per_job']:.2f}",
                        _f(r.get("setup_cpu_s"), 2),
                        _ms(r.get("first_job_cpu_s")),
                        _f(r.get("loop_lag_max_ms"), 1),
                    ]
                )
            add(f"**N = {n:,}**")
            add("")
            out.extend(
                _table(
                    [
                        "client",
                        "ok",
                        "wall, s",
                        "CPU, s (runs)",
                        "CPU/job, ms",
                        "CPU vs openai",
                        "peak RSS, MB",
                        "RSS before jobs, MB",
                        "submits / polls / downloads per job",
                        "import + set-up CPU, s",
                        "first job CPU, ms",
                        "worst loop stall, ms",
                    ],
                    rows,
                    "---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:",
                )
            )
            errors = [r for r in fan if r["n"] == n and r.get("error")]
            for r in errors:
                add("")
                add(f"_{r['client']} at N = {n}: {r['error'][:300]}_")
            add("")

        first = {
            c: r.get("first_job_cpu_s")
            for c in ("reelkit", "openai", "litellm")
            if (r := _fanout(data, c, max(cfg["sizes"]))) is not None
        }
        if first.get("reelkit") and first.get("openai"):
            add(
                f"reelkit's first job in a process costs {1000 * first['reelkit']:.0f} ms of CPU against "
                f"the openai SDK's {1000 * first['openai']:.0f} ms: it loads and registers every "
                "installed plugin (eight providers here), imports the plugin's wire modules and the HTTP "
                "stack on first use, creates the journal's schema and the HTTP client (with its TLS "
                "context). It is paid once per process — and the openai SDK pays "
                f"{(_fanout(data, 'openai', max(cfg['sizes'])) or {}).get('setup_cpu_s', 0):.1f} s "
                "at import instead."
            )
            add("")

    dl = data.get("download")
    if dl:
        tools = dl["tools"]
        curl = tools.get("curl", {}).get("mb_s")
        add("## 3. Downloads: one 500 MB result")
        add("")
        add(
            f"{dl['bytes'] / (1 << 20):,.0f} MiB streamed by the emulator's `GET /_emulator/blob?bytes=N` "
            "(no disk on the server side), written to a file on the same disk by each tool; median of "
            f"{next(iter(tools.values()))['rounds']} interleaved rounds. reelkit goes through its real "
            "download path: a finished sora job whose video asset is that URL is put in the journal, then "
            "`Job.download()` runs the engine's download flow (the plugin's download request, the "
            "driver's streaming `Fetch` into a temporary file, the content checks, the atomic rename, the "
            "journal update), after a 1 MB warm-up download in the same process. *CPU* is the "
            "process's user+system time for the download (curl: the child's); *RSS growth* the peak RSS "
            "during the download (sampled every 5 ms) minus the RSS before it; for curl, curl's whole "
            "peak RSS. The machine's page cache and the emulator share the two cores, so throughput "
            "varies from round to round (every round's MB/s in brackets); CPU per byte varies less."
        )
        add("")
        rows = [
            [
                tool,
                _f(t["mb_s"], 0)
                + (f" ({', '.join(str(v) for v in t['mb_s_runs'])})" if t.get("mb_s_runs") else ""),
                f"{t['mb_s'] / curl:.2f}" if curl else "—",
                _f(t["seconds"], 2),
                _f(t.get("cpu_s"), 2),
                f"{t['cpu_s'] / tools['curl']['cpu_s']:.1f}x"
                if t.get("cpu_s") and tools.get("curl", {}).get("cpu_s")
                else "—",
                _f(t["rss_growth_mb"], 1),
                _f(t["rss_peak_mb"], 0),
            ]
            for tool, t in tools.items()
        ]
        out.extend(
            _table(
                [
                    "tool",
                    "MB/s (rounds)",
                    "x curl",
                    "seconds",
                    "CPU, s",
                    "CPU x curl",
                    "RSS growth, MB",
                    "peak RSS, MB",
                ],
                rows,
                "---|---:|---:|---:|---:|---:|---:|---:",
            )
        )
        add("")

    over = data.get("overhead")
    if over:
        add("## 4. Per-job overhead: plan, clamp, translate, sign")
        add("")
        add(
            "Microseconds per call, median of timeit rounds, each provider's default model, dummy "
            "credentials, nothing sent. *plan* is `Client.plan(prompt, provider=...)`: choose, clamp, "
            "translate, sign a copy and redact the preview — everything a submit does before the socket. "
            "*sign* is the plugin's `reelkit_auth` plus one pass of its auth flow (jimeng: Volcengine "
            "HMAC-V4 over the body)."
        )
        add("")
        rows = [
            [
                r["provider"],
                f"`{r['model']}`",
                f"`{r['signing']}`",
                _f(r["plan_us"], 0),
                _f(r["clamp_us"], 0),
                _f(r["translate_us"], 0),
                _f(r["sign_us"], 0),
            ]
            for r in over
        ]
        out.extend(
            _table(
                [
                    "provider",
                    "model",
                    "signing",
                    "plan, µs",
                    "clamp, µs",
                    "translate, µs",
                    "sign, µs",
                ],
                rows,
                "---|---|---|---:|---:|---:|---:",
            )
        )
        add("")
        add(
            "A job's whole pre-flight is well under a millisecond even with HMAC-V4: against a video "
            "that takes tens of seconds to generate, none of this is worth optimising further."
        )
        add("")

    add("## 5. Diagnosis")
    add("")
    prof = data.get("profiles", {})
    n = prof.get("fanout_n") or max(cfg["sizes"])
    base = _baseline(data)
    ours, theirs = _fanout(data, "reelkit", n), _fanout(data, "openai", n)
    old = _fanout(data, base, n) if base else None
    floor, lite = _fanout(data, "httpx-floor", n), _fanout(data, "litellm", n)
    tools = (dl or {}).get("tools", {})

    if base and old and ours and old.get("cpu_s") and ours.get("cpu_s"):
        add(f"### 5.1 What the first run found, and what changed ({base} -> today)")
        add("")
        add(
            f"The first run of this benchmark found the core of `{data['baseline']['commit']}` "
            "missing the fan-out CPU target by a wide margin and the download target too. The profiles "
            "below (py-spy `--format raw` at 100 Hz over the whole worker, idle time and imports left "
            "out; for downloads only the samples inside `Job.download`; folded by "
            "`tests/benchmarks/profiling.py`) led to three changes in the core, now shipped. Both "
            "versions, measured in this run:"
        )
        add("")
        rows = [
            [
                f"CPU per job at N = {n:,}, ms",
                _f(old["cpu_ms_per_job"]),
                _f(ours["cpu_ms_per_job"]),
                _f(theirs["cpu_ms_per_job"]) if theirs else "—",
            ],
            [
                f"wall time at N = {n:,}, s",
                _f(old["wall_s"]),
                _f(ours["wall_s"]),
                _f(theirs["wall_s"]) if theirs else "—",
            ],
            [
                f"peak RSS at N = {n:,}, MB",
                _f(old["peak_rss_mb"], 0),
                _f(ours["peak_rss_mb"], 0),
                _f(theirs["peak_rss_mb"], 0) if theirs else "—",
            ],
        ]
        if base in tools and "reelkit" in tools:
            rows.append(
                [
                    "500 MB download, MB/s",
                    _f(tools[base]["mb_s"], 0),
                    _f(tools["reelkit"]["mb_s"], 0),
                    "—",
                ]
            )
            if tools[base].get("cpu_s"):
                rows.append(
                    [
                        "500 MB download, CPU s",
                        _f(tools[base]["cpu_s"], 2),
                        _f(tools["reelkit"]["cpu_s"], 2),
                        "—",
                    ]
                )
        out.extend(_table(["", base, "reelkit today", "openai SDK"], rows, "---|---:|---:|---:"))
        add("")
        pb = prof.get("fanout_baseline", {})
        add(f"Self time of {base} at N = {n:,} ({pb.get('samples', 0)} samples):")
        add("")
        out.extend(_profile_table(pb, "self", 12))
        add("")
        rows = _inclusive_of_interest(
            pb,
            (
                "Journal.",
                "_assign_requests_to_connections (",
                "AsyncClient.send (httpx",
                "AsyncDriver._perform",
                "AsyncDriver._fetch",
            ),
        )
        if rows:
            add("Inclusive time of the suspects:")
            add("")
            out.extend(_table(["share", "function (file)"], rows, "---:|---"))
            add("")
        add(
            "Two costs grew with the number of jobs in flight: the journal's connection per "
            "operation (top of the self-time table) and httpcore's pool bookkeeping "
            "(`_assign_requests_to_connections` calling `can_handle_request`, `Origin.__eq__`, "
            "`is_idle`, `has_expired` over every queued request and every connection, on every "
            "request start and response close). The openai SDK pays the second tax itself — it is "
            "most of its profile — which is why its per-job CPU also grows with N:"
        )
        add("")
        po = prof.get("fanout_openai", {})
        rows = _inclusive_of_interest(
            po, ("_assign_requests_to_connections (", "AsyncClient.send (httpx", "create_and_poll")
        )
        out.extend(
            _table(["share", "function (file)"], rows, "---:|---") if rows else ["(no samples)"]
        )
        add("")
        pdl = prof.get("download_baseline", {})
        if pdl and not pdl.get("error"):
            add(f"And the download of {base} (active samples):")
            add("")
            out.extend(_profile_table(pdl, "self", 8))
            add("")
        add("The changes (commit `3f80704`, applied by the lead from this diagnosis):")
        add("")
        add(CHANGES)

    if ours and theirs and ours.get("cpu_s") and theirs.get("cpu_s"):
        ratio = ours["cpu_s"] / theirs["cpu_s"]
        add(f"### 5.2 Fan-out CPU today: {ratio:.2f} of the openai SDK's (target <= 0.33)")
        add("")
        text = (
            f"reelkit spends {ours['cpu_ms_per_job']:.1f} ms of CPU per job at N = {n:,}, the openai "
            f"SDK {theirs['cpu_ms_per_job']:.1f} ms."
        )
        if floor and floor.get("cpu_ms_per_job"):
            text += (
                f" Bare httpx doing the same five requests per job (*httpx-floor*) needs "
                f"{floor['cpu_ms_per_job']:.1f} ms, so everything reelkit adds on top — choosing and "
                "clamping, plugin hooks, the journal written at every transition, retry bookkeeping, "
                f"atomic file writes — costs {ours['cpu_ms_per_job'] - floor['cpu_ms_per_job']:.1f} ms "
                "per job."
            )
        if lite and lite.get("cpu_ms_per_job"):
            text += (
                f" LiteLLM ({lite['cpu_ms_per_job']:.1f} ms per job, at {lite['peak_rss_mb']:.0f} MB "
                "of RSS) sends through aiohttp (`LiteLLMAiohttpTransport`), whose HTTP parser is C, "
                "not h11."
            )
        add(text)
        add("")
        third = theirs["cpu_ms_per_job"] / 3
        if ratio > 1 / 3 and floor and floor.get("cpu_ms_per_job"):
            own = ours["cpu_ms_per_job"] - floor["cpu_ms_per_job"]
            room = third - floor["cpu_ms_per_job"]
            sdk_runs = ", ".join(f"{c:.1f}" for c in theirs.get("cpu_s_runs", []))
            if room <= 0:
                budget = (
                    f"a third of the SDK's figure ({third:.1f} ms) is less than bare httpx needs for "
                    f"the same requests ({floor['cpu_ms_per_job']:.1f} ms), so no httpx-based client "
                    "could meet it"
                )
            else:
                budget = (
                    f"a third of the SDK's figure ({third:.1f} ms) leaves {room:.1f} ms per job on "
                    f"top of bare httpx, and reelkit's own work takes {own:.1f} ms"
                )
            add(
                f"**Why the target is {'narrowly ' if ratio < 0.4 else ''}missed.** Most of reelkit's "
                f"CPU is now the HTTP stack it shares with the SDK: {budget}. The SDK's figure "
                "includes the pool bookkeeping above, so the ratio improves as N grows; and the SDK's "
                "CPU varies from run to run on this shared 2-core machine (this run's rounds: "
                f"{sdk_runs} s), so a ratio this close to the line can fall on either side of it in "
                "another run. Meeting the "
                "target with margin would take a C HTTP parser under the async client (an aiohttp- "
                "or httptools-based `httpx` transport, which `AsyncClient(transport=...)` already "
                "accepts) — a dependency decision for the lead, proposed as an optional extra and "
                "not made here. Profile of reelkit today:"
            )
        else:
            add("Profile of reelkit today:")
        add("")
        p = prof.get("fanout_reelkit", {})
        add(f"Self time at N = {n:,} ({p.get('samples', 0)} samples):")
        add("")
        out.extend(_profile_table(p, "self", 14))
        add("")
        rows = _inclusive_of_interest(
            p,
            ("Journal.", "_assign_requests_to_connections (", "AsyncClient.send (httpx", "Engine."),
        )
        if rows:
            add("Inclusive:")
            add("")
            out.extend(_table(["share", "function (file)"], rows, "---:|---"))
            add("")

    if "curl" in tools and "reelkit" in tools:
        t = tools
        ratio = t["reelkit"]["mb_s"] / t["curl"]["mb_s"]
        add(f"### 5.3 Download throughput today: {ratio:.2f} of curl's (target >= 0.8)")
        add("")
        text = f"reelkit streams the 500 MB at {t['reelkit']['mb_s']:.0f} MB/s against curl's {t['curl']['mb_s']:.0f}"
        if t["reelkit"].get("cpu_s") and t["curl"].get("cpu_s"):
            text += f", spending {t['reelkit']['cpu_s'] / t['curl']['cpu_s']:.1f}x curl's CPU"
        text += (
            f"; memory is fine ({t['reelkit']['rss_growth_mb']:.1f} MB of growth: the body streams to "
            "a temporary file). py-spy on the download (active samples; py-spy charges time spent in "
            "C calls such as `file.write` to the Python frame that made them, so the driver's "
            "`_fetch` line stands for the kernel copying into the page cache):"
        )
        add(text)
        add("")
        out.extend(_profile_table(prof.get("download_reelkit", {}), "self", 12))
        add("")
        add(
            "**Why.** Both tools pay the kernel for the socket reads and the file writes. On top, "
            "reelkit's HTTP stack parses every 64 KiB read with h11 in Python and copies it through "
            "h11's receive buffer into a new `bytes` object, where curl reads into one reused buffer "
            "and writes it out. With the re-chunking gone (change 3) that is what remains: the cost "
            "per byte of a pure-Python HTTP/1.1 client. On this 2-core machine the emulator's Python "
            "send loop shares the CPU with the client, so the ratio moves by about 0.1 between rounds "
            "(every round's MB/s is in the table above). A larger socket read would cut the per-read "
            "overhead, but that is an httpcore constant (`READ_NUM_BYTES`), not reelkit's to set; a C "
            "parser transport (5.2) would close most of the gap."
        )
        add("")

    tm = prof.get("tracemalloc")
    if tm and not tm.get("error"):
        add(f"### 5.4 Memory at N = {prof.get('tracemalloc_n')}")
        add("")
        per_job = ""
        if ours and ours.get("peak_rss_mb") and ours.get("rss_ready_mb"):
            kb = 1024 * (ours["peak_rss_mb"] - ours["rss_ready_mb"]) / n
            per_job = (
                f" At N = {n:,} the process's peak RSS is {ours['peak_rss_mb']:.0f} MB against "
                f"{ours['rss_ready_mb']:.0f} MB before the jobs: about {kb:.0f} KB per job in "
                "flight (its coroutine chain, journal record, request and response objects)."
            )
        add(
            f"tracemalloc over a reelkit fan-out of {prof.get('tracemalloc_n')} jobs: peak traced "
            f"{tm['peak_mb']:.1f} MB, {tm['current_mb']:.1f} MB still held at the end, most of it "
            "the imported code itself (the `importlib` rows)."
            + per_job
            + " The largest allocation "
            "sites at the end:"
        )
        add("")
        out.extend(
            _table(
                ["file", "MB", "blocks"],
                [[f"`{s}`", _f(mb, 2), c] for s, mb, c in tm["sites"]],
                "---|---:|---:",
            )
        )
        add("")
    if data.get("service"):
        from tests.benchmarks.bench_service import section

        out.extend(section(data["service"]))
    add("## Method and caveats")
    add("")
    add(
        "- The emulator runs in its own process and counts every request it serves; client CPU is "
        "`getrusage(RUSAGE_SELF)` of the worker process around the jobs. The machine has "
        f"{m['cores']} cores shared by the emulator and the client, so wall times (and the download "
        "ratio) depend on both; CPU seconds and request counts do not.\n"
        "- Every client writes every video to disk; reelkit also journals every job in SQLite (that "
        "is its resumability, and part of what is measured).\n"
        "- The jobs are distinct prompts: reelkit refuses to pay twice for an identical request, so "
        "identical prompts would measure its deduplication instead.\n"
        "- Bytecode caches are warm for every library (`PYTHONPYCACHEPREFIX` points at a cache of "
        "the benchmark's own; this machine sets `PYTHONDONTWRITEBYTECODE` and uv installs without "
        "`.pyc`, which would otherwise make every import compile from source).\n"
        "- Raw numbers: `tests/benchmarks/results/latest.json`; "
        "`python -m tests.benchmarks --report-only` rebuilds this page from them."
    )
    add("")
    return "\n".join(out)


def write(data: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    plotted = plot(data, path.parent / PLOT_NAME)
    path.write_text(render(data, plotted))
