"""Import and start-up: ``import reelkit`` against its peers, and the CLI's own start-up.

Every sample is a fresh interpreter. For each module we record the in-process import time (a
``perf_counter`` around the ``import`` statement, so interpreter start-up is not counted), the
whole process's wall time, and ``-X importtime``'s cumulative figure for the top-level package.
One warm-up run per module first writes the bytecode caches (uv installs without ``.pyc``), so
every library is measured warm, as a user's second run would be.
"""

from __future__ import annotations

import re
import resource
import subprocess
import tempfile
import time
from typing import Any

from tests.benchmarks.common import BIN, PYTHON, ROOT, clean_env, median

#: ``reelkit, httpx``: httpx imported in a process that imported reelkit first (reelkit defers
#: httpx's own CLI, which a bare ``import httpx`` loads wherever click, rich and pygments are).
MODULES = ("reelkit", "httpx", "reelkit, httpx", "openai", "google.genai", "litellm")

_TIMED = "import time; t = time.perf_counter(); import {m}; print(time.perf_counter() - t)"
_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)")


def _run(args: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    t0 = time.perf_counter()
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        raise RuntimeError(f"{args} failed: {done.stderr[-1500:]}")
    return wall, done


def importtime(
    module: str, env: dict[str, str], argv: list[str] | None = None
) -> list[tuple[str, int, int, int]]:
    """``-X importtime`` rows: (module, self µs, cumulative µs, depth), of ``import module`` or
    of running the script ``argv``."""
    args = argv if argv is not None else ["-c", f"import {module}"]
    _, done = _run([PYTHON, "-X", "importtime", *args], env)
    rows = []
    for line in done.stderr.splitlines():
        m = _LINE.match(line)
        if m:
            rows.append((m.group(4), int(m.group(1)), int(m.group(2)), len(m.group(3)) // 2))
    return rows


def bench_module(module: str, repeat: int, env: dict[str, str]) -> dict[str, Any]:
    _run([PYTHON, "-c", f"import {module}"], env)  # warm the bytecode cache
    imports, walls, cumulative = [], [], []
    for _ in range(repeat):
        wall, done = _run([PYTHON, "-c", _TIMED.format(m=module)], env)
        imports.append(float(done.stdout.strip().splitlines()[-1]))
        walls.append(wall)
    for _ in range(max(3, repeat // 3)):
        rows = importtime(module, env)
        # A lazy package may list itself twice; "a, b" sums its top-level packages.
        tops = [[r[2] for r in rows if r[0] == name] for name in module.split(", ")]
        cumulative.append(sum(max(t) for t in tops) / 1e6 if all(tops) else float("nan"))
    return {
        "module": module,
        "import_s": median(imports),
        "process_s": median(walls),
        "importtime_s": median(cumulative),
        "runs": repeat,
    }


def cli_startup(repeat: int, env: dict[str, str]) -> list[dict[str, Any]]:
    reelkit = str(BIN / "reelkit")
    commands = {
        "reelkit providers --json": [reelkit, "providers", "--json"],
        "reelkit generate --dry-run --json -p sora": [
            reelkit,
            "generate",
            "a paper boat on a rainy street",
            "--dry-run",
            "--json",
            "-p",
            "sora",
        ],
        "reelkit generate --dry-run --json -p jimeng": [
            reelkit,
            "generate",
            "a paper boat on a rainy street",
            "--dry-run",
            "--json",
            "-p",
            "jimeng",
        ],
        "reelkit capabilities veo --json": [reelkit, "capabilities", "veo", "--json"],
        "python -c 'import httpx' (the HTTP stack alone)": [PYTHON, "-c", "import httpx"],
        "python -c pass (interpreter floor)": [PYTHON, "-c", "pass"],
    }
    walls: dict[str, list[float]] = {label: [] for label in commands}
    cpus: dict[str, list[float]] = {label: [] for label in commands}
    with tempfile.TemporaryDirectory() as home:
        cli_env = {**env, "REELKIT_HOME": home}
        for args in commands.values():
            _run(args, cli_env)  # warm-up
        # Round-robin, not each command's runs in a row: this VM's speed drifts over seconds, and
        # the ratios to `import httpx` must compare runs made under the same drift.
        for _ in range(repeat):
            for label, args in commands.items():
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                walls[label].append(_run(args, cli_env)[0])
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                # Process time (user + system of the child): what a loaded machine distorts least.
                cpus[label].append(
                    after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
                )
    return [
        {
            "command": label,
            "wall_s": median(walls[label]),
            "cpu_s": median(cpus[label]),
            "runs": repeat,
        }
        for label in commands
    ]


def plugin_count(env: dict[str, str]) -> int:
    code = "import reelkit; print(len(reelkit.providers()))"
    return int(_run([PYTHON, "-c", code], env)[1].stdout.strip())


#: Packages whose cumulative import cost the report quotes.
OF_INTEREST = ("reelkit", "reelkit.capabilities", "attr", "attrs", "typing")


def reelkit_importtime_top(env: dict[str, str], top: int = 12) -> dict[str, Any]:
    rows = importtime("reelkit", env)
    cumulative = {
        m: max(c for n, _, c, _ in rows if n == m)
        for m in OF_INTEREST
        if any(r[0] == m for r in rows)
    }
    rows.sort(key=lambda r: r[1], reverse=True)
    return {
        "top": [{"module": m, "self_us": s, "cumulative_us": c} for m, s, c, _ in rows[:top]],
        "cumulative_us": cumulative,
    }


def cli_importtime(env: dict[str, str], top: int = 12) -> dict[str, Any]:
    """What ``reelkit providers --json`` imports, top-level entries by cumulative time."""
    with tempfile.TemporaryDirectory() as home:
        rows = importtime(
            "", {**env, "REELKIT_HOME": home}, [str(BIN / "reelkit"), "providers", "--json"]
        )
    shallow = sorted((r for r in rows if r[3] <= 1), key=lambda r: r[2], reverse=True)
    return {
        "total_us": sum(r[2] for r in rows if r[3] == 0),
        "top": [
            {"module": m, "self_us": s, "cumulative_us": c, "depth": d}
            for m, s, c, d in shallow[:top]
        ],
    }


def run(repeat: int = 15) -> dict[str, Any]:
    env = clean_env()
    modules = [bench_module(m, repeat, env) for m in MODULES]
    return {
        "modules": modules,
        "reelkit_importtime": reelkit_importtime_top(env),
        "cli_importtime": cli_importtime(env),
        "cli": cli_startup(max(5, repeat // 2), env),
        "providers_installed": plugin_count(env),
    }


if __name__ == "__main__":  # pragma: no cover - python -m tests.benchmarks.bench_imports
    import json

    print(json.dumps(run(5), indent=2))
