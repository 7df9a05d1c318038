"""Downloads: a 500 MB result fetched by reelkit's download path and by curl, same emulator."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from typing import Any

from tests.benchmarks.common import PYTHON, Emulator, Variant, clean_env, median, run_json

#: label -> how to run it (``Variant.client`` is the worker's tool). ``run.py`` may add a
#: baseline reelkit.
TOOLS: dict[str, Variant] = {
    "curl": Variant("curl"),
    "reelkit": Variant("reelkit"),  # AsyncClient on aiohttp (the default once installed)
    "reelkit-httpx": Variant("reelkit", {"REELKIT_TRANSPORT": "httpx"}),
}


def ensure_curl() -> str | None:
    """curl's path, installing it with apt-get when missing (the benchmark machine is root)."""
    found = shutil.which("curl")
    if found:
        return found
    for cmd in (["apt-get", "update"], ["apt-get", "install", "-y", "curl"]):
        subprocess.run(cmd, capture_output=True)
    return shutil.which("curl")


def run(
    emu: Emulator,
    size: int,
    tools: dict[str, Variant] = TOOLS,
    rounds: int = 5,
    log: Any = print,
) -> dict[str, Any]:
    if not ensure_curl():
        tools = {k: v for k, v in tools.items() if v.client != "curl"}
    samples: dict[str, list[dict[str, Any]]] = {t: [] for t in tools}
    for _ in range(rounds):  # interleaved, so drift on a shared machine hits every tool alike
        for tool, variant in tools.items():
            with tempfile.TemporaryDirectory(prefix="reelkit-bench-dl-") as work:
                result = run_json(
                    [
                        PYTHON,
                        "-m",
                        "tests.benchmarks.download_worker",
                        variant.client,
                        emu.base_url,
                        str(size),
                        work,
                    ],
                    clean_env(variant.env),
                )
            result["tool"] = tool
            log(
                f"  download {tool:>16} {result['mb_s']:.0f} MB/s, CPU {result['cpu_s']:.2f} s, "
                f"RSS growth {result['rss_growth_mb']:.1f} MB {'/'.join(result.get('transport', []))}"
            )
            samples[tool].append(result)
    summary = {
        tool: {
            "mb_s": median([r["mb_s"] for r in rs]),
            "seconds": median([r["seconds"] for r in rs]),
            "cpu_s": median([r["cpu_s"] for r in rs]),
            "mb_s_runs": [round(r["mb_s"]) for r in rs],
            "rss_growth_mb": median([r["rss_growth_mb"] for r in rs]),
            "rss_peak_mb": median([r["rss_peak_mb"] for r in rs]),
            "rounds": len(rs),
            "transport": rs[0].get("transport"),
        }
        for tool, rs in samples.items()
    }
    return {"bytes": size, "tools": summary, "samples": samples}
